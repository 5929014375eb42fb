// Services (SPEC §20): one governor run decides every service a commit affects, each on its own
// paths, config and state, and carries the verdicts out together: one state read with every
// service's decision record, one compare per distinct current SHA, one write that records every
// hold and claims every ALLOW, a dispatch per claim, one write of the run ids.
import type { Config } from '../domain/config.js';
import { lastStage, pipelineOf, type Pipeline, type Stage } from '../domain/pipeline.js';
import { dependencyOrder, serviceConfig, serviceFiles, servicesOf } from '../domain/services.js';
import {
  decisionPath,
  emptyRelease,
  lifecycleOf,
  markDispatched,
  RELEASE_FILE,
  serialize,
  serviceView,
  stageView,
  withLifecycle,
  type DecisionRecord,
  type ServiceLayout,
} from '../domain/state.js';
import { isFullSha, RISK_ORDER, shortSha, type ReleaseTarget } from '../domain/types.js';
import { isRefused } from '../adapters/api-error.js';
import type { StateSnapshot, WriteResult } from '../ports.js';
import { buildReport, statusDescription, type RunReport } from '../report/summary.js';
import {
  backoff,
  claimedBy,
  evidence,
  GovernorError,
  MAX_WRITE_ATTEMPTS,
  publishStatus,
  Remarks,
  UnconfirmedWrites,
  type GovernorDeps,
} from './deps.js';
import { claimed, contextOf, dispatchOnce, recordDispatched, withdrawClaim } from './claim.js';
import { openDeployment } from './deployments.js';
import {
  changedFiles,
  decisionEvidence,
  evaluate,
  evaluationRecord,
  reportOf,
  type DecideRequest,
  type Evaluated,
  type Known,
} from './facts.js';
import { forService } from './policy.js';
import { firstNotPassed, namedStage } from './stages.js';
import { ensureTag } from './versions.js';

/** How the state lays the services of a config out: each with its last stage (§20). */
export function layoutOf(config: Config): ServiceLayout[] {
  return servicesOf(config).map((s) => ({
    name: s.name,
    lastStage: lastStage(pipelineOf(serviceConfig(config, s.name))).name,
  }));
}

/** A decision of several services (`service`: one of them only; its dependencies are looked at). */
type ServicesRequest = DecideRequest;

/** One service on the stage this run decides for it. */
interface ServiceAt {
  name: string;
  config: Config;
  pipeline: Pipeline;
  stage: Stage;
  target: ReleaseTarget;
  deps: GovernorDeps;
  /** Decided and reported by this run (else only looked at, as a dependency of one that is). */
  decided: boolean;
}

/** A service's evaluation on its way to being carried out. */
interface Verdict {
  at: ServiceAt;
  ev: Evaluated;
  said: Remarks;
  /** The record and view this run's write gave the service (a hold recorded, or a claim). */
  written?: { record: DecisionRecord; view: StateSnapshot['release'] };
  run?: { id: number; url: string; deploymentId?: number | null };
  stateCommit?: string | null;
}

/** The services a run looks at: those asked for, and what they depend on, in dependency order. */
function servicesAt(
  root: GovernorDeps,
  config: Config,
  req: ServicesRequest,
  /** The state the stages are chosen from; null when the request names them (no state needed). */
  snapshot: StateSnapshot | null,
): ServiceAt[] {
  if (req.service) forService({ config } as Parameters<typeof forService>[0], req.service);
  const wanted = new Set(
    req.service ? [req.service] : (req.services ?? servicesOf(config).map((s) => s.name)),
  );
  const looked = new Set(wanted);
  // What they depend on, transitively: their facts decide the waits (§20).
  const byName = new Map(servicesOf(config).map((s) => [s.name, s]));
  const queue = [...looked];
  while (queue.length > 0)
    for (const d of byName.get(queue.pop()!)?.depends_on ?? [])
      if (!looked.has(d)) {
        looked.add(d);
        queue.push(d);
      }
  const whole = snapshot
    ? (root.store.wholeAt(snapshot.head) ?? snapshot.pipeline ?? snapshot.release)
    : emptyRelease();
  const layout = root.store.services ?? [];
  const out: ServiceAt[] = [];
  for (const name of dependencyOrder(config)) {
    if (!looked.has(name)) continue;
    const own = serviceConfig(config, name);
    const pipeline = pipelineOf(own);
    const view = serviceView(
      whole,
      layout.find((l) => l.name === name)!,
    );
    const stage =
      req.stage !== undefined
        ? pipeline.stages.find((s) => s.name === req.stage)
        : req.manual || req.approval
          ? firstNotPassed(view, pipeline, req.sha)
          : pipeline.stages[0];
    if (!stage) {
      // A stage input that names no stage of a service asked for by name is an error.
      if (req.service === name) namedStage(pipeline, req.stage!);
      continue;
    }
    const target = { service: name, stage: stage.name, isLast: stage.isLast };
    out.push({
      name,
      config: own,
      pipeline,
      stage,
      target,
      deps: { ...root, store: root.store.forTarget(target) },
      decided: wanted.has(name),
    });
  }
  return out;
}

/**
 * Why `dep` has not yet released `sha` to `stageName` (deployed it, or a descendant, with its
 * health check passed), or null when it has or the commit does not affect it.
 */
async function dependencyWait(
  root: GovernorDeps,
  dep: { name: string; config: Config },
  at: { stage: string; sha: string; snapshot: StateSnapshot },
): Promise<string | null> {
  const pipeline = pipelineOf(dep.config);
  const stage = pipeline.stages.find((s) => s.name === at.stage);
  if (!stage) return null;
  const whole = root.store.wholeAt(at.snapshot.head)!;
  const layout = root.store.services!.find((l) => l.name === dep.name)!;
  const view = stageView(serviceView(whole, layout), stage.name, stage.isLast);
  const lifecycle = lifecycleOf(view, at.sha);
  if (lifecycle === 'claimed' || lifecycle === 'dispatched')
    return `its deploy of ${shortSha(at.sha)} to ${stage.name} has not finished`;
  const current = view.production_sha_current;
  const verified = serviceView(whole, layout).stages?.[stage.name]?.verified_at ?? null;
  if (current === at.sha)
    return verified
      ? null
      : `its health check of ${shortSha(at.sha)} in ${stage.name} has not passed`;
  const compare = current ? await root.gh.compare(current, at.sha) : null;
  const diff = await changedFiles(root, current, at.sha, compare);
  if (serviceFiles(dep.config, diff.files).length === 0 && diff.incomplete === null) return null;
  return `it has not deployed ${shortSha(at.sha)} to ${stage.name} yet`;
}

/** The changes of one state write: each held service's record, each allowed service's claim. */
function writes(root: GovernorDeps, req: ServicesRequest, verdicts: Verdict[]) {
  const changes: {
    target: ReleaseTarget;
    files: Record<string, string>;
    verdict: Verdict;
    record: DecisionRecord;
    view: StateSnapshot['release'];
  }[] = [];
  for (const v of verdicts) {
    const { ev, at } = v;
    if (!at.decided || ev.kind === 'off' || ev.decision.outcome === 'SKIP') continue;
    const deps = at.deps;
    const keepDays = at.config.evidence_retention_days;
    const proof = (kind: 'decision' | 'break_glass') =>
      evidence(deps, { kind, sha: req.sha, keepDays }, decisionEvidence(ev, req));
    if (ev.decision.outcome === 'HOLD') {
      const recorded = ev.snapshot.decision?.decision;
      // Reconcile: the same hold as recorded writes nothing.
      if (req.quiet && recorded?.outcome === 'HOLD' && recorded.reason === ev.decision.reason)
        continue;
      const record = evaluationRecord(deps, ev, req.sha);
      changes.push({
        target: at.target,
        verdict: v,
        record,
        view: ev.snapshot.release,
        files: { [decisionPath(req.sha)]: serialize(record), ...proof('decision') },
      });
      continue;
    }
    if (ev.ownClaim) continue;
    const { record, release: view } = claimed(deps, ev, req);
    changes.push({
      target: at.target,
      verdict: v,
      record,
      view,
      files: {
        [RELEASE_FILE]: serialize(view),
        [decisionPath(req.sha)]: serialize(record),
        ...proof(req.breakGlass ? 'break_glass' : 'decision'),
      },
    });
  }
  return changes;
}

/**
 * The services `sha` does not affect, marked on their stage (`unaffected_sha`) unless they are
 * already: reconcile then knows without a compare that the commit has nothing for them.
 */
function unaffectedMarks(
  sha: string,
  verdicts: Verdict[],
): { target: ReleaseTarget; files: Record<string, string> }[] {
  return verdicts
    .filter(
      (v) =>
        v.ev.decision.reason === 'not_affected' && v.ev.snapshot.release.unaffected_sha !== sha,
    )
    .map((v) => ({
      target: v.at.target,
      files: { [RELEASE_FILE]: serialize({ ...v.ev.snapshot.release, unaffected_sha: sha }) },
    }));
}

/** Evaluates every service looked at, dependencies first, on one snapshot. */
async function evaluateAll(
  root: GovernorDeps,
  req: ServicesRequest,
  known: Known,
  services: { list: ServiceAt[]; snapshot: StateSnapshot },
): Promise<Verdict[]> {
  const { list, snapshot } = services;
  const verdicts: Verdict[] = [];
  for (const at of list) {
    const s = servicesOf(known.config!).find((x) => x.name === at.name)!;
    const waitingFor: { service: string; why: string }[] = [];
    for (const d of s.depends_on) {
      const dep = list.find((x) => x.name === d);
      if (!dep) continue;
      const why = await dependencyWait(root, dep, {
        stage: at.stage.name,
        sha: req.sha,
        snapshot,
      });
      if (why) waitingFor.push({ service: d, why });
    }
    const { snapshot: _first, ...read } = known;
    const ev = await evaluate(
      at.deps,
      { ...req, stage: at.stage.name, waitingFor },
      { ...forService(read, at.name), snapshot: at.deps.store.viewOf(snapshot, req.sha) },
    );
    verdicts.push({ at, ev, said: new Remarks() });
  }
  return verdicts;
}

/**
 * Decides every service `req` concerns and carries the verdicts out: one write records every
 * hold and claims every ALLOW (a lost race decides them all again from fresh state), then each
 * claim is dispatched with `inputs.service`, and one write records the runs.
 */
export async function decideServices(
  root: GovernorDeps,
  req: ServicesRequest,
  known: Known,
): Promise<RunReport> {
  if (!isFullSha(req.sha))
    throw new GovernorError(`${JSON.stringify(req.sha)} is not a full 40-character SHA.`);
  const config = known.config!;
  root.store.useServices(layoutOf(config));
  const unconfirmed = new UnconfirmedWrites();
  let snapshot = known.snapshot;
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    // Read the state when nothing was read yet (with every service's record of the commit in
    // the same query, when the stages to decide do not depend on the state).
    const stateless = req.stage !== undefined || !(req.manual || req.approval);
    const first =
      snapshot ??
      (stateless
        ? await root.store.readFor(
            req.sha,
            servicesAt(root, config, req, null).map((s) => s.target),
          )
        : await root.store.read(req.sha));
    snapshot = undefined;
    const list = servicesAt(root, config, req, first);
    let verdicts = await evaluateAll(root, req, known, { list, snapshot: first });
    let fresh = first;
    if (writes(root, req, verdicts).length > 0 && !root.dryRun) {
      // Something to write: the records it adds to come with a second read (none is needed for
      // a commit that affects nothing). A moved head is a new state: decide again from it.
      const withRecords = await recordsOf(root, first, req.sha, list);
      if (withRecords.head !== first.head) {
        snapshot = withRecords;
        continue;
      }
      fresh = withRecords;
      verdicts = verdicts.map((v) => ({
        ...v,
        ev: {
          ...v.ev,
          snapshot: {
            ...v.ev.snapshot,
            decision: withRecords.decisions?.[v.at.deps.store.decisionFileOf(req.sha)!] ?? null,
          },
        } as Evaluated,
      }));
    }
    if (!root.dryRun) for (const v of verdicts) await recordFound(v, req.sha);
    if (root.dryRun) return servicesReport(root, req, verdicts);
    const r = await writeVerdicts(root, req, { verdicts, fresh });
    if (r && r.kind !== 'written') {
      unconfirmed.count(r);
      root.log(
        `The write deciding ${shortSha(req.sha)} was not confirmed (${r.detail}); deciding again from fresh state.`,
      );
      await backoff(root, attempt);
      continue;
    }
    await dispatchAll(root, req, {
      verdicts,
      claimed: r ? { head: r.head, release: fresh.release, decision: null } : fresh,
    });
    await publishAll(root, req, verdicts);
    return servicesReport(root, req, verdicts);
  }
  throw new GovernorError(
    `Deciding ${shortSha(req.sha)} lost the race for the state branch ${MAX_WRITE_ATTEMPTS} times. Nothing was deployed.`,
    'Re-run the job.',
  );
}

/**
 * The one write of a decision: every hold recorded and every ALLOW claimed (and the services
 * the commit leaves alone marked, when written anyway), with a compare-and-swap on `fresh`.
 * Null when there is nothing to write.
 */
async function writeVerdicts(
  root: GovernorDeps,
  req: ServicesRequest,
  { verdicts, fresh }: { verdicts: Verdict[]; fresh: StateSnapshot },
): Promise<WriteResult | null> {
  const changes = writes(root, req, verdicts);
  // Which services the commit leaves alone rides along with a write made anyway (reconcile
  // writes it by itself, once, so that its next idle run compares nothing).
  const marks = changes.length > 0 || req.quiet ? unaffectedMarks(req.sha, verdicts) : [];
  if (changes.length === 0 && marks.length === 0) return null;
  const decided = changes.map(
    (c) => `${c.target.service}/${c.target.stage} ${c.verdict.ev.decision.outcome}`,
  );
  const untouched = marks.length ? [`not affected: ${marks.map((m) => m.target.service)}`] : [];
  const message = `decide ${shortSha(req.sha)}: ${[...decided, ...untouched].join(', ')} (${claimedBy(root)})`;
  const r = await root.store.writeMany(fresh, [...changes, ...marks], message);
  if (r.kind === 'written')
    for (const c of changes) {
      c.verdict.written = { record: c.record, view: c.view };
      c.verdict.stateCommit = r.head;
    }
  return r;
}

/** A claimed deploy whose run turned up: recorded, with its deployment (found, or created). */
async function recordFound(v: Verdict, sha: string): Promise<void> {
  if (v.ev.kind === 'off' || !v.ev.foundRun) return;
  const found = v.ev.foundRun;
  const deploymentId = await openDeployment(
    v.at.deps,
    contextOf(v.ev),
    { sha, run: found, task: 'deploy', version: null, lookFirst: true },
    v.said,
  );
  await recordDispatched(v.at.deps, sha, { ...found, deploymentId });
  v.said.note(`Found deploy run ${found.url} for the earlier claim and recorded it.`);
}

/** The snapshot with every service's record of `sha`: as read, or read again with them. */
async function recordsOf(
  root: GovernorDeps,
  read: StateSnapshot,
  sha: string,
  list: ServiceAt[],
): Promise<StateSnapshot> {
  const files = list.map((s) => s.deps.store.decisionFileOf(sha)!);
  if (files.every((f) => read.decisions && f in read.decisions)) return read;
  // The SHA's record index came with the read: none of these records exists yet (the first
  // decision of a commit), so there is nothing to read.
  const known = root.store.recordsAt(read.head, sha);
  if (known !== undefined && files.every((f) => !known.includes(f)))
    return { ...read, decisions: Object.fromEntries(files.map((f) => [f, null])) };
  return root.store.readFor(
    sha,
    list.map((s) => s.target),
  );
}

/** The ALLOWed services this run holds the claim of: their claim written now, or earlier. */
function claimedHere(verdicts: Verdict[]): Verdict[] {
  return verdicts.filter(
    (v) =>
      v.at.decided &&
      v.ev.kind !== 'off' &&
      v.ev.decision.outcome === 'ALLOW' &&
      (v.written !== undefined || v.ev.ownClaim !== null),
  );
}

/**
 * Dispatches every claim, each exactly once (a refusal withdraws that claim and fails the job
 * after the others went out), then records every run in one write.
 */
async function dispatchAll(
  root: GovernorDeps,
  req: ServicesRequest,
  { verdicts, claimed }: { verdicts: Verdict[]; claimed: StateSnapshot },
): Promise<void> {
  const allowed = claimedHere(verdicts);
  let failure: unknown = null;
  for (const v of allowed) {
    const { at, ev } = v;
    if (ev.kind === 'off') continue;
    const plan = ev.version?.plan;
    try {
      if (plan) {
        await ensureTag(at.deps, plan, req.sha, at.stage.name);
        v.said.note(
          plan.existing
            ? `Version ${plan.tag}: the tag exists at this commit already (${plan.why}).`
            : `Tagged ${plan.tag} at ${shortSha(req.sha)}: ${plan.why}.`,
        );
      }
      const run = await dispatchOnce(at.deps, ev.config, {
        sha: req.sha,
        environment: at.pipeline.configured ? at.stage.environment : null,
        version: ev.version?.tag ?? null,
      });
      v.run = run;
      // The deployment of this exact SHA (§21), recorded with the run in the one write below.
      const deploymentId = await openDeployment(
        at.deps,
        contextOf(ev),
        {
          sha: req.sha,
          run,
          task: 'deploy',
          version: ev.version?.tag ?? null,
          lookFirst: ev.ownClaim !== null,
        },
        v.said,
      );
      v.run = { ...run, deploymentId };
    } catch (e) {
      // Refused: nothing started, so this service's claim is withdrawn; unknown keeps it.
      if (e instanceof GovernorError || isRefused(e))
        await withdrawClaim(at.deps, req.sha, `dispatch refused`, {
          ...claimed,
          release: v.written?.view ?? ev.snapshot.release,
          decision: v.written?.record ?? null,
        });
      failure ??= e;
    }
  }
  const runs = allowed.filter((v) => v.run);
  if (runs.length > 0) await recordRuns(root, req.sha, runs);
  if (failure) throw failure;
}

/** One write naming every dispatched run; a lost race records each on fresh state instead. */
async function recordRuns(root: GovernorDeps, sha: string, runs: Verdict[]): Promise<void> {
  const batch = runs.filter((v) => v.written && v.stateCommit);
  let rest = runs.filter((v) => !batch.includes(v));
  if (batch.length > 0) {
    const changes = batch.map((v) => {
      const { view, record } = v.written!;
      const run = v.run!;
      const dispatched = withLifecycle(record, {
        state: 'dispatched',
        dispatched_at: root.now().toISOString(),
        run_id: run.id,
        run_url: run.url,
      });
      return {
        target: v.at.target,
        files: {
          [RELEASE_FILE]: serialize(
            markDispatched(view, sha, run.id, run.url, run.deploymentId ?? null),
          ),
          [decisionPath(sha)]: serialize(dispatched),
        },
      };
    });
    const r = await root.store.writeMany(
      { head: batch[0]!.stateCommit!, release: batch[0]!.written!.view, decision: null },
      changes,
      `dispatched ${shortSha(sha)}: ${batch.map((v) => `${v.at.name} run ${v.run!.id}`).join(', ')}`,
    );
    if (r.kind === 'written') for (const v of batch) v.stateCommit = r.head;
    // Someone wrote in between: each on fresh state.
    else rest = runs;
  }
  for (const v of rest) {
    const head = await recordDispatched(v.at.deps, sha, v.run!);
    if (head) v.stateCommit = head;
  }
}

/** Each decided service's commit status: `<status_context>/<service>[/<stage>]`. */
async function publishAll(
  root: GovernorDeps,
  req: ServicesRequest,
  verdicts: Verdict[],
): Promise<void> {
  for (const v of verdicts) {
    const { ev, at } = v;
    if (!at.decided || ev.kind === 'off' || ev.decision.outcome === 'SKIP') continue;
    if (ev.decision.outcome === 'HOLD' && !v.written) continue;
    if (ev.decision.outcome === 'ALLOW' && !v.run) continue;
    const waiting = ['soaking', 'stage_busy', 'freeze_window', 'waiting_for_dependency'].includes(
      ev.decision.reason,
    );
    const state = ev.decision.outcome === 'ALLOW' ? 'success' : waiting ? 'pending' : 'failure';
    await publishStatus(
      v.said,
      at.deps,
      req.sha,
      state,
      statusDescription(reportOf(at.deps, ev, req.sha)),
      v.run?.url ?? root.run.url,
      ev.config.status_context,
    );
  }
}

/** The report of every decided service, and the run-wide one built from them. */
function servicesReport(root: GovernorDeps, req: ServicesRequest, verdicts: Verdict[]): RunReport {
  const reports = verdicts
    .filter((v) => v.at.decided)
    .map((v) =>
      buildReport({
        ...reportOf(v.at.deps, v.ev, req.sha, {
          said: v.said,
          stateCommit: v.stateCommit ?? null,
          deployRunUrl: v.run?.url ?? null,
        }),
        service: v.at.name,
      }),
    );
  return combineServices(root, req.sha, reports);
}

const OUTCOME_ORDER = ['ROLLBACK', 'ALLOW', 'HOLD', 'SKIP'] as const;

/**
 * The run as a whole (SPEC §20): ROLLBACK if any, else ALLOW if any, else HOLD, else SKIP; the
 * reason, risk, stage, URL and SHA of the one service that decision names, or `multiple` (the
 * highest risk; no URL, no production SHA) when several share it.
 */
export function combineServices(
  root: Pick<GovernorDeps, 'run' | 'dryRun'>,
  sha: string | null,
  reports: RunReport[],
): RunReport {
  const outcome =
    OUTCOME_ORDER.find((o) => reports.some((r) => r.outcome === o)) ??
    (reports.some((r) => r.outcome === 'ERROR') ? 'ERROR' : 'SKIP');
  const named = reports.filter((r) => r.outcome === outcome);
  const one = named.length === 1 ? named[0]! : null;
  const risks = named.map((r) => r.risk).filter((r) => r !== null);
  const risk = risks.sort((a, b) => RISK_ORDER[b] - RISK_ORDER[a])[0] ?? null;
  const stages = [...new Set(named.map((r) => r.stage))];
  const headline =
    reports.length === 0
      ? 'No service was decided.'
      : reports
          .filter((r) => r.reason !== 'not_affected')
          .map((r) => `${r.service}: ${r.outcome} ${r.reason ?? ''}`.trim())
          .join('; ') || `${shortSha(sha ?? '')} affects none of the services.`;
  return buildReport({
    outcome,
    reason: one ? one.reason : named.length ? 'multiple' : null,
    sha,
    productionSha: one?.productionSha ?? null,
    risk: one ? one.risk : risk,
    headline,
    deployRunUrl: one?.deployRunUrl ?? null,
    stateCommit: reports.map((r) => r.stateCommit).findLast((c) => c !== null) ?? null,
    runUrl: root.run.url,
    dryRun: root.dryRun,
    stage: one ? one.stage : stages.length === 1 ? (stages[0] ?? null) : 'multiple',
    service: one ? one.service : named.length ? 'multiple' : null,
    services: reports,
  });
}

/**
 * The service and stage a finished deploy run belongs to: the one whose history records its run
 * id, else the one stage of one service whose deploy workflow it is and whose name (and
 * environment, with stages) its title names. Null when it cannot be told.
 */
export function serviceOfRun(
  whole: StateSnapshot['release'],
  config: Config,
  run: { runId: number; displayTitle: string },
  dispatches: (workflow: string) => boolean,
): { name: string; config: Config; pipeline: Pipeline; stage: Stage } | null {
  const layout = layoutOf(config);
  const all = servicesOf(config).flatMap((s) => {
    const own = serviceConfig(config, s.name);
    const pipeline = pipelineOf(own);
    const view = serviceView(
      whole,
      layout.find((l) => l.name === s.name)!,
    );
    return pipeline.stages.map((stage) => ({
      name: s.name,
      config: own,
      pipeline,
      stage,
      history: stageView(view, stage.name, stage.isLast).deploy_history,
    }));
  });
  const byId = all.find((x) => x.history.some((h) => h.run_id === run.runId));
  const pick = (x: (typeof all)[number]) => ({
    name: x.name,
    config: x.config,
    pipeline: x.pipeline,
    stage: x.stage,
  });
  if (byId) return pick(byId);
  const words = run.displayTitle.split(/\s+/);
  const named = all.filter(
    (x) =>
      dispatches(x.stage.deploy_workflow) &&
      words.includes(x.name) &&
      (!x.pipeline.configured || words.includes(x.stage.environment)),
  );
  return named.length === 1 ? pick(named[0]!) : null;
}

/** The services that wait for `name` (depends_on) and have the stage `stage`. */
export function dependentsOf(config: Config, name: string, stage: string): string[] {
  return servicesOf(config)
    .filter((s) => s.depends_on.includes(name))
    .filter((s) => pipelineOf(serviceConfig(config, s.name)).stages.some((t) => t.name === stage))
    .map((s) => s.name);
}
