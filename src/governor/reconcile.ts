// Reconcile, on `schedule` or a `workflow_dispatch` without a SHA: GitHub can drop or delay a
// workflow_run event, and a governor job can die, so this looks at what the events should have
// told it. First it settles deploys whose outcome was never observed (their run finished), then
// it decides the newest verified commit of the release branch if nothing has decided it yet.
// Idempotent and safe at any time: every step goes through the same claim protocol, a hold that
// has not changed writes nothing, and with nothing to do it makes 3 requests and no write.
import type { Config } from '../domain/config.js';
import type { WorkflowRunFacts } from '../domain/events.js';
import { lifecycleOf, type HistoryEntry } from '../domain/state.js';
import { shortSha } from '../domain/types.js';
import type { RunInfo } from '../ports.js';
import { emptyReport, type RunReport } from '../report/summary.js';
import { decideAndAct } from './act.js';
import { CLAIM_GRACE_MS, type GovernorDeps } from './deps.js';
import { observeDeploy } from './observe.js';
import { readConfig } from './policy.js';

/**
 * A deploy younger than this is surely still running: its run is not looked at, which keeps
 * a reconcile during a fresh deploy at 3 requests. A lost event is found on the next schedule.
 */
export const SETTLE_AFTER_MS = 5 * 60_000;

function factsOf(run: RunInfo, defaultBranch: string): WorkflowRunFacts {
  return {
    runId: run.id,
    runAttempt: run.attempt,
    workflowName: run.name,
    workflowPath: run.path,
    workflowId: run.workflowId,
    headSha: run.headSha,
    headBranch: run.headBranch,
    event: run.event,
    conclusion: run.conclusion,
    displayTitle: run.displayTitle,
    htmlUrl: run.url,
    // Listed from this repository's own workflow: never a fork.
    sameRepository: true,
    repositoryId: 0,
    defaultBranch,
  };
}

export async function reconcile(deps: GovernorDeps): Promise<RunReport> {
  const snapshot = await deps.store.read();
  const productionSha = snapshot.release.production_sha_current;
  const read = await readConfig(deps, productionSha ?? deps.defaultBranch, productionSha !== null);
  const report = (over: Partial<RunReport>) =>
    emptyReport({ runUrl: deps.run.url, dryRun: deps.dryRun, productionSha, ...over });
  if (read.disabled || !read.config)
    return report({
      outcome: 'SKIP',
      reason: 'disabled',
      headline: read.why ?? 'The governor is disabled for this repository.',
      warnings: read.typo && read.why ? [read.why] : [],
    });
  const config = read.config;
  // What settling said: its notes, and its warnings (a status GitHub did not take) kept loud.
  const settled: string[] = [];
  const warnings: string[] = [];

  // 1. Deploys in flight whose outcome was never observed.
  const now = deps.now().getTime();
  const pending = snapshot.release.deploy_history.filter(
    (h) => h.result === 'pending' && now - Date.parse(h.time) > SETTLE_AFTER_MS,
  );
  for (const entry of pending) {
    const r = await settle(deps, entry, config);
    settled.push(...r.notes);
    warnings.push(...r.warnings);
  }

  // 2. The newest verified commit of the release branch, if nothing decided it yet.
  const after = settled.length ? await deps.store.read() : snapshot;
  const candidate = await deps.gh.newestVerified(config.verification_workflow, config.branch);
  const production = after.release.production_sha_current;
  const idle = (reason: RunReport['reason'], headline: string) =>
    report({
      outcome: 'SKIP',
      reason,
      sha: candidate,
      productionSha: production,
      headline,
      notes: settled,
      warnings,
    });
  if (!candidate)
    return idle(
      'not_a_release_candidate',
      `Reconcile: no successful push run of ${config.verification_workflow} on ${config.branch}; nothing to decide.`,
    );
  if (candidate === production)
    return idle(
      'already_in_production',
      `Reconcile: the newest verified commit ${shortSha(candidate)} is in production; nothing to do.`,
    );
  const lifecycle = lifecycleOf(after.release, candidate);
  if (lifecycle === 'dispatched' || lifecycle === 'succeeded')
    return idle(
      'already_deployed',
      `Reconcile: the newest verified commit ${shortSha(candidate)} is ${lifecycle === 'succeeded' ? 'deployed' : 'being deployed'}; nothing to do.`,
    );
  // Never decided, held (approvals or time may have changed), or claimed by a run that died:
  // the same rules and protocol as its verification event would have run.
  const decided = await decideAndAct(deps, { sha: candidate, manual: false, quiet: true });
  decided.notes.unshift(...settled);
  decided.warnings.unshift(...warnings);
  decided.headline = `Reconcile: ${decided.headline}`;
  return decided;
}

/** Records the outcome of a finished deploy the governor never heard about. */
async function settle(
  deps: GovernorDeps,
  entry: HistoryEntry,
  config: Config,
): Promise<{ notes: string[]; warnings: string[] }> {
  let run: RunInfo | null = null;
  if (entry.run_id !== null) run = await deps.gh.run(entry.run_id);
  else if (deps.now().getTime() - Date.parse(entry.time) > CLAIM_GRACE_MS) {
    // A claim whose run was never recorded: its claimant died or lost the dispatch's answer.
    const runs = await deps.gh.findDeployRuns(config.deploy_workflow, entry.sha);
    run = runs.sort((a, b) => b.id - a.id)[0] ?? null;
    if (!run)
      return {
        notes: [
          `${shortSha(entry.sha)} was claimed at ${entry.time} and has no deploy run: deciding it again takes the claim over.`,
        ],
        warnings: [],
      };
  }
  if (!run || run.status !== 'completed') return { notes: [], warnings: [] };
  const observed = await observeDeploy(
    deps,
    factsOf(run, deps.defaultBranch),
    config,
    await deps.store.read(entry.sha),
  );
  return {
    notes: [`Settled a deploy whose outcome was never observed: ${observed.headline}`],
    warnings: observed.warnings,
  };
}
