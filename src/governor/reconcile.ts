// Reconcile, on `schedule` or a `workflow_dispatch` without a SHA: GitHub can drop or delay a
// workflow_run event, and a governor job can die, so this looks at what the events should have
// told it. First it settles deploys whose outcome was never observed (their run finished), then
// it decides the newest verified commit of the release branch if nothing has decided it yet.
// Idempotent and safe at any time: every step goes through the same claim protocol, a hold that
// has not changed writes nothing, and with nothing to do it makes 3 requests and no write.
import { policyShaOf } from '../domain/state.js';
import type { WorkflowRunFacts } from '../domain/events.js';
import { clock, timeLeft } from '../domain/decide.js';
import {
  pipelineOf,
  pipelineRows,
  type Pipeline,
  soakEnd,
  stageContext,
  type StageContext,
  stageFacts,
} from '../domain/pipeline.js';
import { lifecycleOf, stageView, type HistoryEntry, type Release } from '../domain/state.js';
import type { Config } from '../domain/config.js';
import { shortSha } from '../domain/types.js';
import type { RunInfo } from '../ports.js';
import { buildReport, type RunReport } from '../report/summary.js';
import { readinessDigest, type ReportTarget } from '../report/dashboard.js';
import { decideAndAct } from './act.js';
import { CLAIM_GRACE_MS, Remarks, type GovernorDeps } from './deps.js';
import { observeDeploy } from './observe.js';
import {
  checkedReport,
  smokeTestsFinished,
  staleCheck,
  verifyDeploy,
  type Checked,
} from './verify.js';
import { asHealthResult } from '../domain/health.js';
import type { Known } from './facts.js';
import { forService, readConfig } from './policy.js';
import { layoutOf } from './services.js';
import { serviceConfig } from '../domain/services.js';
import { serviceView } from '../domain/state.js';
import type { StateSnapshot } from '../ports.js';
import { stageDeps } from './stages.js';

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
    updatedAt: null,
    // Listed from this repository's own workflow: never a fork.
    sameRepository: true,
    repositoryId: 0,
    defaultBranch,
  };
}

export async function reconcile(deps: GovernorDeps): Promise<RunReport> {
  const snapshot = await deps.store.read();
  const productionSha = (snapshot.pipeline ?? snapshot.release).production_sha_current;
  // The read brought the default branch's head (and its config file): the head a production
  // from before the config is judged by, and the end of the line for the first stage.
  const branchHead = deps.store.branchHead;
  const read = await readConfig(
    deps,
    policyShaOf(snapshot.pipeline ?? snapshot.release),
    branchHead?.sha ?? deps.defaultBranch,
  );
  const report = (over: Partial<RunReport>) =>
    buildReport({ runUrl: deps.run.url, dryRun: deps.dryRun, productionSha, ...over });
  if (read.disabled || !read.config)
    return report({
      outcome: 'SKIP',
      reason: 'disabled',
      headline: read.why ?? 'The governor is disabled for this repository.',
      warnings: read.typo && read.why ? [read.why] : [],
    });
  const config = read.config;
  if (config.services) return reconcileServices({ deps, config, report }, { snapshot, read });
  const pipeline = pipelineOf(config);
  const at: Reconciling = { deps, config, pipeline, report };

  // 1. Deploys in flight, on any stage, whose outcome was never observed; health checks whose
  // verdict never came.
  let whole = snapshot.pipeline ?? snapshot.release;
  const deploys = await settleDeploys(at, whole);
  const checks = await settleHealthChecks(at, whole);
  const fresh = async () => {
    const s = await deps.store.read();
    return s.pipeline ?? s.release;
  };
  if (deploys.settled || checks.settled) whole = await fresh();

  // 2. From the last stage to the first, the candidate that is ready. The policy is
  // production's: kept for every decision while production stays put.
  const promoted = await promoteSoaked(at, { whole, known: read });
  // A later stage's decision changed only that stage: the first stage's checks read the same
  // state, except whether the next stage has taken the soaking SHA (the release train).
  if (promoted.decided.length > 0 && firstStageBusy(at, whole)) whole = await fresh();
  const first = await decideFirstStage(at, { whole, known: read, branchHead });

  const done = oneReport({
    checked: checks.reports,
    decided: [...promoted.decided, ...(first.decided ? [first.report] : [])],
    last: first.report,
    notes: [...deploys.notes, ...checks.notes, ...promoted.notes],
    warnings: [...deploys.warnings, ...checks.warnings],
  });
  return withDigest(done, [{ service: null, pipeline, release: whole }], deps.now());
}

/**
 * The run's report with the compact readiness section of every stage (§23), from the state
 * this run read (no request).
 */
function withDigest(r: RunReport, targets: readonly ReportTarget[], now: Date): RunReport {
  return buildReport({ ...r, digest: readinessDigest(targets, now) });
}

/**
 * Reconcile with services (§20): each service's deploys and checks settled, its soaked stages
 * promoted, then the newest verified commit decided for the services whose first stage has not
 * seen it (one decision run for them all). With nothing to do: the state read and, unless the
 * release branch's head is where every service is, the newest verified commit — 2 requests,
 * however many services.
 */
async function reconcileServices(
  { deps, config, report }: Omit<Reconciling, 'pipeline'>,
  { snapshot, read }: { snapshot: StateSnapshot; read: Known },
): Promise<RunReport> {
  const layout = layoutOf(config);
  deps.store.useServices(layout);
  let whole = deps.store.wholeAt(snapshot.head) ?? snapshot.pipeline ?? snapshot.release;
  const each = () =>
    layout.map((l) => {
      const own = serviceConfig(config, l.name);
      const pipeline = pipelineOf(own);
      const target = { service: l.name, stage: l.lastStage, isLast: true };
      const at: Reconciling = {
        deps: { ...deps, store: deps.store.forTarget(target) },
        config: own,
        pipeline,
        report: (over) => report({ service: l.name, ...over }),
      };
      return { at, view: serviceView(whole, l) };
    });
  const notes: string[] = [];
  const warnings: string[] = [];
  const checked: RunReport[] = [];
  let settled = false;
  for (const { at, view } of each()) {
    const deploys = await settleDeploys(at, view);
    const checks = await settleHealthChecks(at, view);
    settled ||= deploys.settled || checks.settled;
    notes.push(...deploys.notes, ...checks.notes);
    warnings.push(...deploys.warnings, ...checks.warnings);
    checked.push(...checks.reports);
  }
  if (settled) {
    const s = await deps.store.read();
    whole = deps.store.wholeAt(s.head) ?? s.pipeline ?? s.release;
  }
  const decided: RunReport[] = [];
  for (const { at, view } of each()) {
    const promoted = await promoteSoaked(at, {
      whole: view,
      known: forService(read, at.config.service!.name),
    });
    decided.push(...promoted.decided);
    notes.push(...promoted.notes);
  }
  if (decided.length > 0) {
    const s = await deps.store.read();
    whole = deps.store.wholeAt(s.head) ?? s.pipeline ?? s.release;
  }
  const first = await decideFirstStages(deps, { config, read, whole, services: each() });
  const targets = each().map(({ at, view }) => ({
    service: at.config.service!.name,
    pipeline: at.pipeline,
    release: view,
  }));
  const done = oneReport({
    checked,
    decided: [...decided, ...first.decided],
    last: first.last,
    notes,
    warnings,
  });
  return withDigest(done, targets, deps.now());
}

/**
 * The newest verified commit, for every service whose first stage has not seen it: not its
 * current SHA, not deployed or in flight there, not known to leave it alone (`unaffected_sha`).
 */
async function decideFirstStages(
  deps: GovernorDeps,
  {
    config,
    read,
    whole,
    services,
  }: {
    config: Config;
    read: Known;
    whole: Release;
    services: { at: Reconciling; view: Release }[];
  },
): Promise<{ decided: RunReport[]; last: RunReport }> {
  const head = deps.store.branchHead;
  const views = services.map(({ at, view }) => {
    const stage = at.pipeline.stages[0]!;
    return { name: at.config.service!.name, view: stageView(view, stage.name, stage.isLast) };
  });
  const everyoneAtHead =
    head?.branch === config.branch &&
    views.every((v) => v.view.production_sha_current === head.sha);
  const candidate = everyoneAtHead
    ? head.sha
    : await deps.gh.newestVerified(config.verification_workflow, config.branch);
  const seen = (v: Release) =>
    candidate === v.production_sha_current ||
    candidate === v.unaffected_sha ||
    ['dispatched', 'succeeded'].includes(lifecycleOf(v, candidate ?? '') ?? '');
  const open = candidate ? views.filter((v) => !seen(v.view)).map((v) => v.name) : [];
  const idle = buildReport({
    outcome: 'SKIP',
    reason: candidate ? 'already_deployed' : 'not_a_release_candidate',
    sha: candidate,
    productionSha: whole.production_sha_current,
    headline: candidate
      ? `Reconcile: every service has seen the newest verified commit ${shortSha(candidate)}; nothing to do.`
      : `Reconcile: no successful push run of ${config.verification_workflow} on ${config.branch}; nothing to decide.`,
    runUrl: deps.run.url,
    dryRun: deps.dryRun,
  });
  if (!candidate || open.length === 0) return { decided: [], last: idle };
  const r = await decideAndAct(
    deps,
    { sha: candidate, manual: false, quiet: true, services: open },
    { ...read, snapshot: undefined },
  );
  return { decided: [r], last: r };
}

/** What every step of a reconcile works with. */
interface Reconciling {
  deps: GovernorDeps;
  config: Config;
  pipeline: Pipeline;
  report: (over: Partial<RunReport>) => RunReport;
}

/** What settling said: its notes, and its warnings (a status GitHub did not take) kept loud. */
interface Settled {
  settled: boolean;
  notes: string[];
  warnings: string[];
}

/** Deploys in flight, on any stage, whose outcome was never observed. */
async function settleDeploys(
  { deps, config, pipeline }: Reconciling,
  whole: Release,
): Promise<Settled> {
  const out: Settled = { settled: false, notes: [], warnings: [] };
  const now = deps.now().getTime();
  for (const stage of pipeline.stages) {
    const pending = stageView(whole, stage.name, stage.isLast).deploy_history.filter(
      (h) => h.result === 'pending' && now - Date.parse(h.time) > SETTLE_AFTER_MS,
    );
    for (const entry of pending) {
      const r = await settle(stageDeps(deps, stage), entry, stageContext(config, pipeline, stage));
      out.settled ||= r.notes.length > 0;
      out.notes.push(...r.notes);
      out.warnings.push(...r.warnings);
    }
  }
  return out;
}

/**
 * Health checks whose verdict never came: a smoke-test run whose event was lost, or a probing
 * job that died. (Healthy pipelines have none: this costs nothing when idle.)
 */
async function settleHealthChecks(
  { deps, config, pipeline, report }: Reconciling,
  whole: Release,
): Promise<Settled & { reports: RunReport[] }> {
  const out = {
    settled: false,
    notes: [] as string[],
    warnings: [] as string[],
    reports: [] as RunReport[],
  };
  const now = deps.now().getTime();
  for (const stage of pipeline.stages) {
    if (!stage.health) continue;
    const view = stageView(whole, stage.name, stage.isLast);
    const pending = asHealthResult(view.last_health_check);
    if (pending?.verdict !== 'pending' || pending.sha !== view.production_sha_current) continue;
    const ctx = stageContext(config, pipeline, stage);
    const sd = stageDeps(deps, stage);
    const said = new Remarks();
    let found: { checked: Checked; headline: string | null };
    if (pending.mode === 'workflow' && pending.run_id !== null) {
      if (now - Date.parse(pending.started_at) < SETTLE_AFTER_MS) continue;
      const run = await deps.gh.run(pending.run_id);
      if (run.status !== 'completed') continue;
      found = await smokeTestsFinished({ deps: sd, ctx, said }, run);
    } else if (staleCheck(pending, deps.now())) {
      const checked = await verifyDeploy({ deps: sd, ctx, sha: pending.sha, runId: null, said });
      found = { checked, headline: null };
    } else continue;
    const rep = report({
      outcome: 'SKIP',
      reason: null,
      sha: pending.sha,
      stage: stage.name,
      ...checkedReport(found.checked, found.headline ?? ''),
      notes: said.notes,
      warnings: said.warnings,
    });
    out.settled = true;
    out.notes.push(
      `Settled the health check of ${shortSha(pending.sha)} on ${stage.name}: ${rep.healthCheck?.verdict ?? 'pending'}. ${rep.headline}`.trim(),
    );
    out.warnings.push(...rep.warnings);
    if (rep.outcome === 'ROLLBACK' || rep.outcome === 'HOLD') out.reports.push(rep);
  }
  return out;
}

/** From the last stage to the second: the previous stage's SHA, once its soak has ended. */
async function promoteSoaked(
  { deps, pipeline }: Reconciling,
  { whole, known }: { whole: Release; known: Known },
): Promise<{ decided: RunReport[]; notes: string[] }> {
  const decided: RunReport[] = [];
  const notes: string[] = [];
  for (const stage of [...pipeline.stages].reverse()) {
    if (stage.index === 0) break;
    const prev = pipeline.stages[stage.index - 1]!;
    const sha = stageView(whole, prev.name, prev.isLast).production_sha_current;
    const end = soakEnd(whole, prev);
    const here = stageView(whole, stage.name, stage.isLast);
    if (!sha || !end || sha === here.production_sha_current) continue;
    const lifecycle = lifecycleOf(here, sha);
    if (lifecycle === 'dispatched' || lifecycle === 'succeeded') continue;
    if (deps.now() < end) {
      notes.push(
        `${stage.name} takes ${shortSha(sha)} at ${clock(end, deps.now())} (in ${timeLeft(end, deps.now())}), when its soak in ${prev.name} ends.`,
      );
      continue;
    }
    decided.push(
      await decideAndAct(deps, { sha, manual: false, stage: stage.name, quiet: true }, known),
    );
  }
  return { decided, notes };
}

/** The first stage holds a soaking release the next stage had not taken when the state was read. */
function firstStageBusy({ pipeline }: Reconciling, whole: Release): boolean {
  const busy = stageFacts(whole, pipeline, pipeline.stages[0]!)?.busy;
  return !!busy && !busy.reachedNext;
}

/**
 * The first stage: the newest verified commit of the release branch, if nothing decided it yet.
 * When the branch's head is what the stage runs, nothing can be ahead of it: no request.
 */
async function decideFirstStage(
  { deps, config, pipeline, report }: Reconciling,
  {
    whole,
    known,
    branchHead,
  }: { whole: Release; known: Known; branchHead: GovernorDeps['store']['branchHead'] },
): Promise<{ report: RunReport; decided: boolean }> {
  const first = pipeline.stages[0]!;
  const view = stageView(whole, first.name, first.isLast);
  const atHead =
    branchHead?.branch === config.branch && branchHead.sha === view.production_sha_current;
  const candidate = atHead
    ? branchHead.sha
    : await deps.gh.newestVerified(config.verification_workflow, config.branch);
  const idle = (
    reason: RunReport['reason'],
    headline: string,
    outcome: 'SKIP' | 'HOLD' = 'SKIP',
  ) => ({
    decided: false,
    report: report({
      outcome,
      reason,
      sha: candidate,
      productionSha: whole.production_sha_current,
      headline,
      stage: first.name,
      pipeline: pipeline.configured ? pipelineRows(whole, pipeline) : null,
    }),
  });
  const where = pipeline.configured ? first.name : 'production';
  const busy = stageFacts(whole, pipeline, first)?.busy;
  const busyUntil = busy ? new Date(Date.parse(busy.verifiedAt) + busy.soakMinutes * 60_000) : null;
  if (!candidate)
    return idle(
      'not_a_release_candidate',
      `Reconcile: no successful push run of ${config.verification_workflow} on ${config.branch}; nothing to decide.`,
    );
  if (candidate === view.production_sha_current)
    return idle(
      'already_in_production',
      atHead
        ? `Reconcile: ${where} runs ${shortSha(candidate)}, the head of ${config.branch}; nothing can be ahead of it.`
        : `Reconcile: the newest verified commit ${shortSha(candidate)} is in ${where}; nothing to do.`,
    );
  const lifecycle = lifecycleOf(view, candidate);
  if (lifecycle === 'dispatched' || lifecycle === 'succeeded')
    return idle(
      'already_deployed',
      `Reconcile: the newest verified commit ${shortSha(candidate)} is ${lifecycle === 'succeeded' ? 'deployed' : 'being deployed'}${pipeline.configured ? ` to ${first.name}` : ''}; nothing to do.`,
    );
  if (busy && busyUntil && !busy.reachedNext && deps.now() < busyUntil)
    // The release train: known from the state alone, so nothing is read or written for it.
    return idle(
      'stage_busy',
      `Reconcile: ${first.name} holds ${shortSha(busy.currentSha)} while it soaks (until ${clock(busyUntil, deps.now())}, in ${timeLeft(busyUntil, deps.now())}); ${shortSha(candidate)} goes to ${first.name} after ${shortSha(busy.currentSha)} moves on to ${busy.next}.`,
      'HOLD',
    );
  // Never decided, held (approvals or time may have changed), or claimed by a run that died:
  // the same rules and protocol as its verification event would have run.
  return {
    decided: true,
    report: await decideAndAct(
      deps,
      { sha: candidate, manual: false, stage: first.name, quiet: true },
      known,
    ),
  };
}

/** One report: the first rollback, else the first dispatch, else the first hold, else the last word. */
function oneReport({
  checked,
  decided,
  last,
  notes,
  warnings,
}: {
  checked: RunReport[];
  decided: RunReport[];
  last: RunReport;
  notes: string[];
  warnings: string[];
}): RunReport {
  const primary =
    checked.find((r) => r.outcome === 'ROLLBACK') ??
    decided.find((r) => r.outcome === 'ALLOW') ??
    decided.find((r) => r.outcome === 'HOLD') ??
    decided[0] ??
    last;
  const others = [...checked, ...decided, last].filter(
    (r, i, all) => r !== primary && all.indexOf(r) === i,
  );
  return buildReport({
    ...primary,
    notes: [
      ...notes,
      ...others.map(
        (r) => `${r.stage ?? 'Reconcile'}: ${r.outcome} ${r.reason ?? ''} — ${r.headline}`,
      ),
      ...primary.notes,
    ],
    warnings: [...warnings, ...others.flatMap((r) => r.warnings), ...primary.warnings],
    headline: primary.headline.startsWith('Reconcile:')
      ? primary.headline
      : `Reconcile: ${primary.headline}`,
  });
}

/** Records the outcome of a finished deploy the governor never heard about. */
async function settle(
  deps: GovernorDeps,
  entry: HistoryEntry,
  ctx: StageContext,
): Promise<{ notes: string[]; warnings: string[] }> {
  const { config } = ctx;
  let run: RunInfo | null = null;
  if (entry.run_id !== null) run = await deps.gh.run(entry.run_id);
  else if (deps.now().getTime() - Date.parse(entry.time) > CLAIM_GRACE_MS) {
    // A claim whose run was never recorded: its claimant died or lost the dispatch's answer.
    const runs = await deps.gh.findDeployRuns(
      config.deploy_workflow,
      entry.sha,
      ctx.environment,
      config.service?.name ?? null,
    );
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
    { deps, run: factsOf(run, deps.defaultBranch), ctx },
    { snapshot: await deps.store.read(entry.sha), readFor: entry.sha },
  );
  return {
    notes: [`Settled a deploy whose outcome was never observed: ${observed.report.headline}`],
    warnings: [...observed.report.warnings],
  };
}
