// Post-deploy verification and automatic rollback (SPEC §15). A deploy that succeeded on a stage
// with a health check is verified before it counts as live and healthy: its URL is probed (or a
// smoke-test workflow dispatched and its conclusion awaited). A pass verifies the stage; a fail
// marks the deploy failed and, with `rollback`, puts the stage's last healthy SHA back — exactly
// once, through the claim protocol — and opens one issue that holds further deploys (rule 9).
import { serviceIssue } from '../domain/services.js';
import { isUnanswered } from '../adapters/api-error.js';
import {
  asHealthResult,
  describeResult,
  judgeProbes,
  judgeRun,
  pendingCheck,
  type HealthResult,
} from '../domain/health.js';
import type { StageContext } from '../domain/pipeline.js';
import {
  claimRollback,
  decisionPath,
  healthyTarget,
  RELEASE_FILE,
  rollbackOf,
  serialize,
  withHealthCheck,
  withLifecycle,
  type HistoryEntry,
  type Release,
} from '../domain/state.js';
import { shortSha } from '../domain/types.js';
import type { RunReport } from '../report/summary.js';
import type { StateSnapshot } from '../ports.js';
import { dispatchOnce, recordDispatched } from './claim.js';
import { deploymentOutcome, openDeployment } from './deployments.js';
import { publishRelease } from './versions.js';
import {
  CLAIM_GRACE_MS,
  bestEffort,
  claimedBy,
  evidence,
  isEarlierAttempt,
  publishStatus,
  writeState,
  type GovernorDeps,
  type Remarks,
} from './deps.js';

/** The deploy entry of `sha` a health check is about (that run's, else the newest of the SHA). */
function deployEntry(release: Release, sha: string, runId: number | null): HistoryEntry | null {
  return (
    release.deploy_history.find((h) => h.sha === sha && runId !== null && h.run_id === runId) ??
    release.deploy_history.find((h) => h.sha === sha) ??
    null
  );
}

/** A pending check whose runner must have died: older than its duration, a minute and the grace. */
export function staleCheck(pending: HealthResult, now: Date): boolean {
  const budget = (pending.thresholds.duration_seconds + 60) * 1000 + CLAIM_GRACE_MS;
  return now.getTime() - Date.parse(pending.started_at) > budget;
}

/** Whether this run may run (or take over) a pending check: its own, an earlier attempt's, or stale. */
function mayRun(deps: GovernorDeps, pending: HealthResult): boolean {
  if (pending.by === claimedBy(deps) || isEarlierAttempt(pending.by, deps)) return true;
  return staleCheck(pending, deps.now());
}

/** The deploy a health check is about: its SHA and run on a stage; `said` takes the notes. */
export interface CheckTarget {
  deps: GovernorDeps;
  ctx: StageContext;
  sha: string;
  runId: number | null;
  said: Remarks;
}

/**
 * What a health-check step found, for the caller to build its report from: whether the stage
 * now runs the SHA verified, the check, and the run's verdict when a failed check decided it.
 */
export interface Checked {
  verified: boolean;
  healthCheck: HealthResult | null;
  /** A failed check: HOLD (not rolled back) or ROLLBACK, with its headline. */
  verdict: {
    outcome: 'HOLD' | 'ROLLBACK';
    reason: 'health_check_failed';
    sha: string;
    headline: string;
  } | null;
  /** A pass: the line the headline gains ("Health check passed: …"). */
  passed: string | null;
  stateCommit: string | null;
  /** The rollback's deploy run, when one was dispatched or found. */
  deployRunUrl: string | null;
  /** The release's tag, when a pass published (or found) its release. */
  version: string | null;
}

/**
 * The report fields a check sets, over the caller's `headline`: a failed check's verdict
 * replaces the run's outcome and headline; a pass adds its line to the headline.
 */
export function checkedReport(c: Checked, headline: string): Partial<RunReport> {
  return {
    ...(c.healthCheck ? { healthCheck: c.healthCheck } : {}),
    ...(c.stateCommit ? { stateCommit: c.stateCommit } : {}),
    ...(c.deployRunUrl ? { deployRunUrl: c.deployRunUrl } : {}),
    ...(c.version ? { version: c.version } : {}),
    ...(c.verdict
      ? { ...c.verdict }
      : { headline: c.passed ? `${headline} ${c.passed}`.trim() : headline }),
  };
}

const NOTHING_CHECKED: Checked = {
  verified: false,
  healthCheck: null,
  verdict: null,
  passed: null,
  stateCommit: null,
  deployRunUrl: null,
  version: null,
};

/**
 * Verifies the stage's deploy of `sha` (run `runId`), whose success was just recorded with its
 * health check pending. Returns what the check found (`verified`: the stage now runs `sha`
 * verified: its check passed, now or before).
 */
export async function verifyDeploy(
  t: CheckTarget,
  /** The state as the caller just wrote or read it (with `sha`'s record), to save a read. */
  known?: StateSnapshot,
): Promise<Checked> {
  const { deps, ctx, sha, runId, said } = t;
  const check = ctx.stage.health!;
  const snap = known ?? (await deps.store.read(sha));
  const entry = deployEntry(snap.release, sha, runId);
  const last = asHealthResult(snap.release.last_health_check);
  const recorded = last && last.sha === sha ? last : null;
  if (entry?.health_check === 'passed') {
    said.note(`The health check of ${shortSha(sha)} on ${ctx.stage.name} passed already.`);
    const version = await publishRelease(t, sha, snap);
    return { ...NOTHING_CHECKED, verified: true, version };
  }
  // A failed check never verifies the stage (whether it rolled back or not).
  if (entry?.health_check === 'failed' && recorded)
    return { ...(await healthFailed(t, recorded, snap)), verified: false };
  const pending =
    recorded?.verdict === 'pending'
      ? recorded
      : pendingCheck(sha, check, deps.now(), claimedBy(deps));
  if (!mayRun(deps, pending)) {
    said.note(
      `The health check of ${shortSha(sha)} on ${ctx.stage.name} is being run by ${pending.by} (since ${pending.started_at}).`,
    );
    return NOTHING_CHECKED;
  }
  if (check.workflow !== undefined)
    return { ...NOTHING_CHECKED, healthCheck: await startSmokeTests(t, pending, snap) };
  deps.log(
    `Verifying ${ctx.stage.name} at ${shortSha(sha)}: probing ${check.url} every ${check.interval_seconds} s for ${check.duration_seconds} s.`,
  );
  const samples = await deps.probe(check, deps.log);
  const result = judgeProbes({ ...pending, by: claimedBy(deps) }, samples, deps.now());
  return concludeCheck(t, result, snap);
}

/** workflow mode: dispatch the smoke tests once and record their run; the verdict comes later. */
async function startSmokeTests(
  t: CheckTarget,
  pending: HealthResult,
  snap: StateSnapshot,
): Promise<HealthResult | null> {
  const { deps, ctx, sha, runId, said } = t;
  const check = ctx.stage.health!;
  const workflow = check.workflow!;
  const environment = ctx.environment ?? ctx.stage.environment;
  if (pending.run_id !== null) {
    said.note(`Smoke tests of ${shortSha(sha)} are running: ${pending.run_url}`);
    return null;
  }
  // Claimed by this run first (a re-run then looks for the run instead of dispatching again).
  const mine = { ...pending, by: claimedBy(deps) };
  await writeState(
    deps,
    sha,
    (s) => {
      const cur = asHealthResult(s.release.last_health_check);
      if (cur && cur.sha === sha && cur.by === mine.by && cur.verdict === 'pending') return null;
      return {
        files: { [RELEASE_FILE]: serialize(withHealthCheck(s.release, sha, runId, mine)) },
        message: `verify ${shortSha(sha)} on ${ctx.stage.name}: smoke tests`,
      };
    },
    snap,
  );
  const run = await dispatchOnce(
    deps,
    { ...ctx.config, deploy_workflow: workflow },
    { sha, environment },
  );
  const started = { ...mine, run_id: run.id, run_url: run.url };
  await writeState(deps, sha, (s) => {
    const cur = asHealthResult(s.release.last_health_check);
    if (cur && cur.sha === sha && cur.run_id === run.id) return null;
    return {
      files: { [RELEASE_FILE]: serialize(withHealthCheck(s.release, sha, runId, started)) },
      message: `verify ${shortSha(sha)} on ${ctx.stage.name}: smoke tests in run ${run.id}`,
    };
  });
  said.note(
    `Verification of ${shortSha(sha)} on ${ctx.stage.name}: dispatched the smoke tests ${run.url}; their conclusion verifies the stage or rolls it back.`,
  );
  await publishStatus(
    said,
    deps,
    sha,
    'pending',
    `Verifying ${ctx.stage.name}: smoke tests running`,
    run.url,
    ctx.config.status_context,
  );
  return started;
}

/**
 * The smoke-test run of a pending check finished: its conclusion is the verdict. Returns the
 * SHA checked (null: the run is no stage's pending check) and what the check found; `headline`
 * when the run concluded nothing new.
 */
export async function smokeTestsFinished(
  on: { deps: GovernorDeps; ctx: StageContext; said: Remarks },
  run: { id: number; url: string; conclusion: string | null },
  /** The stage's state as the caller read it (saves a read). */
  known?: StateSnapshot,
): Promise<{ sha: string | null; checked: Checked; headline: string | null }> {
  const { deps, ctx } = on;
  const snap = known ?? (await deps.store.read());
  const pending = asHealthResult(snap.release.last_health_check);
  if (!pending || pending.run_id !== run.id)
    return {
      sha: null,
      checked: NOTHING_CHECKED,
      headline: `Smoke-test run ${run.url} finished, but it is not the pending check of ${ctx.stage.name}; nothing recorded.`,
    };
  const entry = deployEntry(snap.release, pending.sha, null);
  const target = { ...on, sha: pending.sha, runId: entry?.run_id ?? null };
  if (pending.verdict !== 'pending') {
    const headline = `The health check of ${shortSha(pending.sha)} on ${ctx.stage.name} was concluded already (${pending.verdict}).`;
    const checked =
      pending.verdict === 'fail'
        ? await healthFailed(target, pending, snap)
        : { ...NOTHING_CHECKED, verified: pending.verdict === 'pass' };
    return {
      sha: pending.sha,
      checked: { ...checked, verified: pending.verdict === 'pass' },
      headline,
    };
  }
  const result = judgeRun(pending, run, deps.now());
  return { sha: pending.sha, checked: await concludeCheck(target, result, snap), headline: null };
}

/** Records the verdict; a pass verifies the stage, a fail rolls it back. */
export async function concludeCheck(
  t: CheckTarget,
  result: HealthResult,
  first?: StateSnapshot,
): Promise<Checked> {
  const { deps, ctx, sha, runId, said } = t;
  const stage = ctx.stage.name;
  if (result.verdict === 'pass') {
    const written = await writeState(
      deps,
      sha,
      (s) => {
        if (deployEntry(s.release, sha, runId)?.health_check !== 'pending') return null;
        return {
          files: {
            [RELEASE_FILE]: serialize(withHealthCheck(s.release, sha, runId, result)),
            ...evidence(
              deps,
              { kind: 'health_check', sha, keepDays: ctx.config.evidence_retention_days },
              { health_check: result },
            ),
          },
          message: `verified ${shortSha(sha)} on ${stage}: health check passed`,
        };
      },
      first,
    );
    // The deploy's deployment (§21): verified, once — by the run that recorded the verdict.
    if (written)
      await deploymentOutcome(
        deps,
        ctx,
        {
          id: deployEntry(written.snapshot.release, sha, runId)?.deployment_id,
          state: 'success',
          logUrl: result.run_url ?? deps.run.url,
        },
        said,
      );
    await publishStatus(
      said,
      deps,
      sha,
      'success',
      `Verified on ${stage} · ${shortSha(sha)}`,
      result.run_url ?? deps.run.url,
      ctx.config.status_context,
    );
    return {
      ...NOTHING_CHECKED,
      verified: true,
      healthCheck: result,
      passed: `Health check passed: ${describeResult(result)}.`,
      stateCommit: written?.head ?? null,
      version: await publishRelease(t, sha),
    };
  }
  return { ...(await healthFailed(t, result, first)), verified: false };
}

/**
 * A failed check: the deploy is failed; with `rollback` and somewhere healthy to go, the stage's
 * last healthy SHA is claimed and dispatched exactly once; one issue says what happened.
 * The verdict is ROLLBACK when the stage was (or is being) rolled back, else HOLD.
 */
async function healthFailed(
  t: CheckTarget,
  result: HealthResult,
  first?: StateSnapshot,
): Promise<Checked> {
  const { deps, ctx, sha: bad, said } = t;
  const stage = ctx.stage.name;
  const { state, head } = await recordHealthFailure(t, result, first);
  // The bad deploy's deployment (§21): failed, once — by the run that recorded the failure.
  if (head !== null)
    await deploymentOutcome(
      deps,
      ctx,
      {
        id: deployEntry(state, bad, t.runId)?.deployment_id,
        state: 'failure',
        logUrl: result.run_url ?? deps.run.url,
        why: `Health check failed: ${result.reasons.join('; ')}`.slice(0, 140),
      },
      said,
    );
  const rb = rollbackOf(state, bad);
  const failed = { ...NOTHING_CHECKED, healthCheck: result, stateCommit: head };
  if (!rb) return { ...failed, verdict: await notRolledBack(t, result, state) };
  const verdict = {
    outcome: 'ROLLBACK' as const,
    reason: 'health_check_failed' as const,
    sha: bad,
    headline: `ROLLBACK of ${stage} from ${shortSha(bad)} to ${shortSha(rb.sha)}: the health check failed (${result.reasons.join('; ')}).`,
  };
  const runUrl = await dispatchRollback(deps, ctx, rb, said);
  if (runUrl === null) return { ...failed, verdict };
  if (!rb.issue_number) {
    const issue = await openOnce(t, {
      title: `Automatic rollback of ${stage} from ${shortSha(bad)} to ${shortSha(rb.sha)}: health check failed`,
      body: issueBody(ctx, result, { bad, target: rb.sha, why: null, rollbackRun: runUrl }),
      recorded: null,
    });
    if (issue !== null)
      await recordIssue(deps, rb.sha, (h) => h.rollback_of === bad && h.sha === rb.sha, issue);
  }
  await publishStatus(
    said,
    deps,
    bad,
    'failure',
    `Health check failed on ${stage}: rolled back to ${shortSha(rb.sha)}`,
    runUrl ?? deps.run.url,
    ctx.config.status_context,
  );
  said.note(`Health check: ${describeResult(result)}.`);
  return { ...failed, verdict, deployRunUrl: runUrl };
}

/**
 * The failed check on the state branch, and the rollback claimed with it when the stage rolls
 * back and has somewhere to go. Returns the release as it stands after the write.
 */
async function recordHealthFailure(
  t: CheckTarget,
  result: HealthResult,
  first?: StateSnapshot,
): Promise<{ state: Release; head: string | null }> {
  const { deps, ctx, sha: bad, runId } = t;
  const check = ctx.stage.health!;
  const keepDays = ctx.config.evidence_retention_days;
  const stage = ctx.stage.name;
  const me = claimedBy(deps);
  let after: Release | null = null;
  const written = await writeState(
    deps,
    bad,
    (s) => {
      let r = s.release;
      if (deployEntry(r, bad, runId)?.health_check !== 'failed')
        r = withHealthCheck(r, bad, runId, result);
      const target = healthyTarget(r, bad);
      if (check.rollback && target && !rollbackOf(r, bad) && r.production_sha_current === bad)
        r = claimRollback(r, bad, target, deps.now(), me);
      after = r;
      if (r === s.release) return null;
      const rb = rollbackOf(r, bad);
      const record = s.decision
        ? withLifecycle(s.decision, {
            state: rb ? 'rolled_back' : 'failed',
            finished_at: result.finished_at,
            conclusion: 'health_check_failed',
          })
        : null;
      return {
        files: {
          [RELEASE_FILE]: serialize(r),
          ...(record ? { [decisionPath(bad)]: serialize(record) } : {}),
          ...(rb
            ? evidence(
                deps,
                { kind: 'rollback', sha: bad, keepDays },
                {
                  trigger: 'health_check',
                  from: bad,
                  to: rb.sha,
                  health_check: result,
                },
              )
            : evidence(
                deps,
                { kind: 'health_check', sha: bad, keepDays },
                { health_check: result },
              )),
        },
        message: rb
          ? `rollback ${stage} from ${shortSha(bad)} to ${shortSha(rb.sha)}: health check failed`
          : `failed ${shortSha(bad)} on ${stage}: health check failed`,
      };
    },
    first,
  );
  return {
    state: after ?? (await deps.store.read(bad)).release,
    head: written?.head ?? null,
  };
}

/** A failed check with no rollback: HOLD, an issue (once), the commit status. */
async function notRolledBack(
  t: CheckTarget,
  result: HealthResult,
  state: Release,
): Promise<NonNullable<Checked['verdict']>> {
  const { deps, ctx, sha: bad, runId, said } = t;
  const stage = ctx.stage.name;
  const why = !ctx.stage.health!.rollback
    ? 'rollback is off for this stage (health_check.rollback: false)'
    : 'there is no earlier SHA whose deploy and health check both passed to return to';
  const issue = await openOnce(t, {
    title: `Health check of ${stage} failed on ${shortSha(bad)}: not rolled back`,
    body: issueBody(ctx, result, { bad, target: null, why, rollbackRun: null }),
    recorded: deployEntry(state, bad, runId)?.issue_number ?? null,
  });
  if (issue !== null) await recordIssue(deps, bad, (h) => h.sha === bad, issue);
  await publishStatus(
    said,
    deps,
    bad,
    'failure',
    `Health check failed on ${stage} · ${shortSha(bad)}`,
    deps.run.url,
    ctx.config.status_context,
  );
  return {
    outcome: 'HOLD',
    reason: 'health_check_failed',
    sha: bad,
    headline: `Health check of ${shortSha(bad)} on ${stage} failed (${result.reasons.join('; ')}); not rolled back: ${why}.`,
  };
}

/**
 * Dispatches a claimed rollback exactly once: not again when its run is recorded, not when
 * another live run owns the claim. Returns the rollback run's URL, or null (another run's).
 */
export async function dispatchRollback(
  deps: GovernorDeps,
  ctx: StageContext,
  rb: HistoryEntry,
  said: Remarks,
): Promise<string | null> {
  if (rb.run_id !== null) {
    said.note(`The rollback was dispatched already: ${rb.run_url}. Nothing dispatched again.`);
    return rb.run_url;
  }
  const mine =
    rb.claimed_by === claimedBy(deps) ||
    isEarlierAttempt(rb.claimed_by, deps) ||
    deps.now().getTime() - Date.parse(rb.time) > CLAIM_GRACE_MS;
  if (!mine) {
    said.note(`The rollback was claimed by ${rb.claimed_by}, which dispatches it.`);
    return null;
  }
  const run = await dispatchOnce(deps, ctx.config, {
    sha: rb.sha,
    environment: ctx.environment,
    version: rb.version ?? null,
  });
  // The rollback's own deployment (§21, task deploy:rollback), recorded with its run.
  const deploymentId = await openDeployment(
    deps,
    ctx,
    {
      sha: rb.sha,
      run,
      task: 'deploy:rollback',
      version: rb.version ?? null,
      lookFirst: rb.claimed_by !== claimedBy(deps),
    },
    said,
  );
  await recordDispatched(deps, rb.sha, { ...run, deploymentId });
  return run.url;
}

function issueBody(
  ctx: StageContext,
  r: HealthResult,
  what: { bad: string; target: string | null; why: string | null; rollbackRun: string | null },
): string {
  const { bad, target, why, rollbackRun } = what;
  const t = r.thresholds;
  const lines = [
    target
      ? `The health check of \`${bad}\` on **${ctx.stage.name}** failed, and the governor rolled ${ctx.stage.name} back to \`${target}\`, its last SHA whose deploy and health check both passed.`
      : `The health check of \`${bad}\` on **${ctx.stage.name}** failed. It was **not** rolled back: ${why}.`,
    '',
    `**Why it failed:** ${r.reasons.join('; ')}.`,
    '',
    '| | measured | threshold |',
    '|---|---|---|',
  ];
  if (r.mode === 'url') {
    lines.push(
      `| error rate | ${r.error_rate === null ? '—' : `${(r.error_rate * 100).toFixed(1)} % (${r.errors} of ${r.probes} probes)`} | ${(t.max_error_rate * 100).toFixed(1)} % |`,
      `| p95 latency | ${r.p95_ms === null ? '—' : `${Math.round(r.p95_ms)} ms`} | ${t.max_latency_ms} ms |`,
      `| p50 latency | ${r.p50_ms === null ? '—' : `${Math.round(r.p50_ms)} ms`} | |`,
      `| probes | ${r.probes} over ${t.duration_seconds} s, every ${t.interval_seconds} s, timeout ${t.timeout_ms} ms | expect ${t.expect_status} |`,
    );
  } else
    lines.push(`| smoke tests | ${r.conclusion ?? '—'} (${r.run_url ?? 'no run'}) | success |`);
  if (r.first_failures.length > 0) {
    lines.push('', '**First failures:**', '');
    for (const f of r.first_failures) lines.push(`- ${f.at}: ${f.error} (${Math.round(f.ms)} ms)`);
  }
  lines.push('');
  if (rollbackRun) lines.push(`- Rollback deploy: ${rollbackRun}`);
  lines.push(
    '',
    `While this issue is open it is an active incident (its labels are in \`incident_labels\`): the governor holds further deploys (rule 9) until a person closes it. \`${shortSha(bad)}\` goes back to ${ctx.stage.name} only when someone approves that SHA again (\`previously_rolled_back\`).`,
  );
  return lines.join('\n');
}

/** Opens the issue unless it is recorded or already open (a re-run, or a lost answer). */
async function openOnce(
  t: CheckTarget,
  issue: { title: string; body: string; recorded: number | null },
): Promise<number | null> {
  const { deps, said } = t;
  const { body, recorded } = issue;
  if (recorded !== null) return recorded;
  const { title, labels } = serviceIssue(t.ctx.config, {
    title: issue.title,
    labels: t.ctx.config.rollback_labels,
  });
  const open = await deps.gh.findOpenIssue(title, labels);
  if (open !== null) return open;
  try {
    const n = await deps.gh.openIssue(title, body, labels);
    said.note(`Opened #${n}: ${title}.`);
    return n;
  } catch (e) {
    if (!isUnanswered(e)) throw e;
    const found = await deps.gh.findOpenIssue(title, labels);
    if (found === null) {
      await bestEffort(said, `the issue "${title}"`, () => Promise.reject(e));
      return null;
    }
    return found;
  }
}

async function recordIssue(
  deps: GovernorDeps,
  sha: string,
  match: (h: HistoryEntry) => boolean,
  issue: number,
): Promise<void> {
  await writeState(deps, sha, (s) => {
    const e = s.release.deploy_history.find(match);
    if (!e || e.issue_number === issue) return null;
    const release: Release = {
      ...s.release,
      deploy_history: s.release.deploy_history.map((h) =>
        h === e ? { ...h, issue_number: issue } : h,
      ),
    };
    return {
      files: { [RELEASE_FILE]: serialize(release) },
      message: `issue #${issue} for ${shortSha(sha)}`,
    };
  });
}
