// The governor: gathers the facts a decision needs, asks the pure rules, and carries the
// verdict out with the state branch as the lock: claim first, dispatch second, record third.
// Shared by the action and the CLI. The files follow the life of a decision: facts.ts, act.ts,
// observe.ts; deps.ts and policy.ts are what they share.
import { policyShaOf } from '../domain/state.js';
import type { WorkflowRunFacts } from '../domain/events.js';
import { asHealthResult } from '../domain/health.js';
import { pipelineOf, stageContext, type Pipeline, type Stage } from '../domain/pipeline.js';
import { stageView } from '../domain/state.js';
import type { StateSnapshot } from '../ports.js';
import { shortSha } from '../domain/types.js';
import { buildReport, type RunReport } from '../report/summary.js';
import { Remarks, type GovernorDeps } from './deps.js';
import { readConfig, sameWorkflow } from './policy.js';
import { decideAndAct } from './act.js';
import { observeDeploy } from './observe.js';
import type { Known } from './facts.js';
import { sameView, stageDeps, stageOfRun } from './stages.js';
import { checkedReport, smokeTestsFinished } from './verify.js';
import { serviceRunFinished } from './service-events.js';

/** A finished workflow run of this repository, with the policy and state read for it. */
interface FinishedEvent {
  deps: GovernorDeps;
  run: WorkflowRunFacts;
  known: Known;
  pipeline: Pipeline;
  snapshot: StateSnapshot;
}

/** A workflow_run event: the deploy workflow's outcome, a release candidate, or neither. */
export async function handleWorkflowRun(
  deps: GovernorDeps,
  run: WorkflowRunFacts,
): Promise<RunReport> {
  // Read with the head SHA's decision record: for a release candidate it is the one we need.
  const snapshot = await deps.store.read(run.headSha);
  const productionSha = snapshot.release.production_sha_current;
  const read = await readConfig(deps, policyShaOf(snapshot.release), run.headSha);
  const { config, disabled } = read;
  const skip = (
    reason: 'disabled' | 'not_a_release_candidate' | 'verification_not_successful',
    headline: string,
    warnings: string[] = [],
  ) =>
    buildReport({
      outcome: 'SKIP',
      reason,
      sha: run.headSha,
      productionSha,
      headline,
      warnings,
      runUrl: deps.run.url,
      dryRun: deps.dryRun,
      // A verification run is about the first stage.
      stage: config ? (pipelineOf(config).stages[0]?.name ?? null) : null,
    });
  // A misspelt block silently turns the governor off: say it loudly.
  const loud = read.typo && read.why ? [read.why] : [];
  if (disabled || !config)
    return skip('disabled', read.why ?? 'The governor is disabled for this repository.', loud);
  const facts = { path: run.workflowPath, name: run.workflowName };
  const pipeline = pipelineOf(config);
  const event: FinishedEvent = { deps, run, known: read, pipeline, snapshot };
  // Services (§20): a deploy or smoke-test run of one of them, recorded on its service.
  if (config.services) {
    const r = await serviceRunFinished(event);
    if (r) return r;
  }
  const dispatches = (stage: Stage) => sameWorkflow(stage.deploy_workflow, facts);
  if (pipeline.stages.some(dispatches)) return deployFinished(event, dispatches);
  const smokes = (stage: Stage) =>
    stage.health?.workflow !== undefined && sameWorkflow(stage.health.workflow, facts);
  if (pipeline.stages.some(smokes)) return smokeRunFinished(event, smokes);
  if (!sameWorkflow(config.verification_workflow, facts)) {
    const deploys = [...new Set(pipeline.stages.map((s) => s.deploy_workflow))].join(', ');
    return skip(
      'not_a_release_candidate',
      `Workflow "${run.workflowName}" is neither the verification workflow (${config.verification_workflow}) nor the deploy workflow (${deploys}).`,
    );
  }
  if (run.conclusion !== 'success')
    return skip(
      'verification_not_successful',
      `${run.workflowName} concluded ${run.conclusion ?? 'without a conclusion'} on ${shortSha(run.headSha)}; nothing to deploy.`,
    );
  if (run.event !== 'push')
    return skip(
      'not_a_release_candidate',
      `${run.workflowName} ran for a ${run.event} event, not a push to ${config.branch}.`,
    );
  if (run.headBranch !== config.branch)
    return skip(
      'not_a_release_candidate',
      `${run.workflowName} ran on ${run.headBranch ?? 'no branch'}, not on the release branch ${config.branch}.`,
    );
  if (!run.sameRepository)
    return skip('not_a_release_candidate', 'The run is for code from another repository.');
  const { runId: id, htmlUrl: url, conclusion, headSha: sha, updatedAt: completed_at } = run;
  const verification = { id, url, conclusion, head_sha: sha, completed_at };
  return decideAndAct(deps, { sha, manual: false, verification }, { ...read, snapshot });
}

/**
 * A deploy run finished: record it on its stage; when that stage now runs the SHA verified,
 * decide the next stage for it in this same run (an ALLOW without a soak, else HOLD soaking).
 */
async function deployFinished(
  event: FinishedEvent,
  dispatches: (stage: Stage) => boolean,
): Promise<RunReport> {
  const { deps, run, known, pipeline, snapshot } = event;
  const config = known.config!;
  const whole = snapshot.pipeline ?? snapshot.release;
  const stage = stageOfRun(whole, pipeline, run, dispatches);
  if (!stage) {
    return buildReport({
      outcome: 'SKIP',
      reason: 'not_a_release_candidate',
      sha: run.displayTitle.match(/\b[0-9a-f]{40}\b/)?.[0] ?? null,
      productionSha: whole.production_sha_current,
      headline: `Deploy run ${run.runId} ("${run.displayTitle}") finished, but the governor did not dispatch it and its title names none of the stages' environments (${pipeline.stages.map((s) => s.environment).join(', ')}). Nothing was recorded; use \`run-name: Deploy \${{ inputs.sha }} to \${{ inputs.environment }}\` in the deploy workflow.`,
      runUrl: deps.run.url,
      dryRun: deps.dryRun,
    });
  }
  const sd = stageDeps(deps, stage);
  const observed = await observeDeploy(
    { deps: sd, run, ctx: stageContext(config, pipeline, stage) },
    {
      snapshot: sameView(deps, stage, snapshot) ?? (await sd.store.read(run.headSha)),
      readFor: run.headSha,
    },
  );
  return promote(event, stage, observed);
}

/**
 * A stage now runs `sha` verified: decide the next stage for it in this same run (the same
 * rules and claim protocol as any decision; a soak makes it HOLD soaking).
 */
async function promote(
  event: FinishedEvent,
  stage: Stage,
  observed: { report: RunReport; sha: string | null; verified: boolean },
): Promise<RunReport> {
  const { deps, known, pipeline } = event;
  const next = pipeline.stages[stage.index + 1];
  if (!observed.verified || !observed.sha || !next || deps.dryRun) return observed.report;
  const promoted = await decideAndAct(
    deps,
    { sha: observed.sha, manual: false, stage: next.name, quiet: true },
    { ...known, snapshot: undefined },
  );
  return buildReport({
    ...promoted,
    notes: [observed.report.headline, ...observed.report.notes, ...promoted.notes],
    warnings: [...observed.report.warnings, ...promoted.warnings],
    headline: `${observed.report.headline} ${next.name}: ${promoted.headline}`,
  });
}

/** A smoke-test run (a stage's health_check.workflow) finished: its conclusion is the verdict. */
async function smokeRunFinished(
  event: FinishedEvent,
  runs: (stage: Stage) => boolean,
): Promise<RunReport> {
  const { deps, run, known, pipeline, snapshot } = event;
  const whole = snapshot.pipeline ?? snapshot.release;
  const said = new Remarks();
  const report = (over: Partial<RunReport>) =>
    buildReport({
      outcome: 'SKIP',
      reason: 'not_a_release_candidate',
      productionSha: whole.production_sha_current,
      runUrl: deps.run.url,
      dryRun: deps.dryRun,
      ...over,
      notes: said.notes,
      warnings: said.warnings,
    });
  // The stage whose pending check recorded this run.
  const stage = pipeline.stages.find(
    (s) =>
      runs(s) &&
      asHealthResult(stageView(whole, s.name, s.isLast).last_health_check)?.run_id === run.runId,
  );
  if (!stage)
    return report({
      headline: `Smoke-test run ${run.runId} finished, but no stage's pending health check recorded it; nothing recorded.`,
    });
  if (run.conclusion === null || deps.dryRun)
    return report({
      headline: `Smoke-test run ${run.runId} for ${stage.name}: ${run.conclusion === null ? 'not finished' : 'dry run'}; nothing recorded.`,
    });
  const sd = stageDeps(deps, stage);
  const ctx = stageContext(known.config!, pipeline, stage);
  const r = await smokeTestsFinished(
    { deps: sd, ctx, said },
    { id: run.runId, url: run.htmlUrl ?? `run ${run.runId}`, conclusion: run.conclusion },
    sameView(deps, stage, snapshot),
  );
  const parts = checkedReport(r.checked, r.headline ?? '');
  const headline =
    parts.headline ||
    (r.checked.verified && r.sha ? `${stage.name} verified at ${shortSha(r.sha)}.` : '');
  const observed = report({ stage: stage.name, sha: r.sha, ...parts, headline });
  return promote(event, stage, { report: observed, sha: r.sha, verified: r.checked.verified });
}

export { decideAndAct } from './act.js';
export {
  CLAIM_GRACE_MS,
  GovernorError,
  MAX_UNCONFIRMED_WRITES,
  MAX_WRITE_ATTEMPTS,
  retryBaseMs,
  writeState,
  type GovernorDeps,
} from './deps.js';
export type { DecideRequest } from './facts.js';
export { observeDeploy } from './observe.js';
export { readConfig, type ConfigRead } from './policy.js';
export { reconcile } from './reconcile.js';
