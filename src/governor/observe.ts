// A deploy run finished: record its outcome per (run id, attempt), move production forward
// only, and open or comment on the deploy-failure issue.
import { serviceIssue } from '../domain/services.js';
import type { DeploymentState } from '../ports.js';
import { deploymentOutcome } from './deployments.js';
import { isUnanswered } from '../adapters/api-error.js';
import type { WorkflowRunFacts } from '../domain/events.js';
import {
  decisionPath,
  failureIssueOf,
  markFinished,
  recordedOutcome,
  RELEASE_FILE,
  serialize,
  withLifecycle,
  type HistoryEntry,
  type Release,
} from '../domain/state.js';
import { shortSha } from '../domain/types.js';
import type { StateSnapshot } from '../ports.js';
import { buildReport, type RunReport } from '../report/summary.js';
import {
  type GovernorDeps,
  publishStatus,
  bestEffort,
  claimedBy,
  evidence,
  Remarks,
  writeState,
} from './deps.js';
import { pendingCheck, type HealthResult } from '../domain/health.js';
import type { StageContext } from '../domain/pipeline.js';
import { checkedReport, verifyDeploy } from './verify.js';
import { publishRelease } from './versions.js';

/** What observing a deploy run established: the report, and whether the stage now runs `sha` verified. */
export interface Observation {
  report: RunReport;
  sha: string | null;
  /**
   * The deploy succeeded, the stage runs the SHA, and its health check (if any) passed: the
   * next stage may take it.
   */
  verified: boolean;
}

/** A deploy run that finished on a stage; `said` takes what observing it has to say. */
interface FinishedRun {
  deps: GovernorDeps;
  run: WorkflowRunFacts;
  ctx: StageContext;
  said: Remarks;
}

/**
 * `known.snapshot` is the stage's state read with the decision record of `known.readFor`; when
 * the run deployed another SHA (the ref moved on since the dispatch), that SHA's record is read.
 */
/**
 * Whether a successful deploy of `sha` moves the stage: forward along the line, or back from
 * the SHA a rollback left.
 */
async function movesStage(
  deps: GovernorDeps,
  release: Release,
  { sha, rollback }: { sha: string; rollback: HistoryEntry | null },
): Promise<boolean> {
  const current = release.production_sha_current;
  if (rollback) return current === rollback.rollback_of;
  return (
    current === null ||
    (current !== sha && (await deps.gh.compare(current, sha)).status === 'ahead')
  );
}

export async function observeDeploy(
  on: { deps: GovernorDeps; run: WorkflowRunFacts; ctx: StageContext },
  known: { snapshot: StateSnapshot; readFor: string | null },
): Promise<Observation> {
  const { deps, run, ctx } = on;
  const { snapshot: first, readFor } = known;
  const config = ctx.config;
  let snapshot = first;
  const said = new Remarks();
  // The one place this observation's report is built: from what the steps below returned.
  const observed = (over: Partial<RunReport>, verified = false): Observation => ({
    report: buildReport({
      outcome: 'SKIP',
      reason: 'not_a_release_candidate',
      runUrl: deps.run.url,
      dryRun: deps.dryRun,
      productionSha: first.release.production_sha_current,
      environmentName: config.production_environment_name,
      stage: deps.store.target?.stage ?? null,
      ...over,
      notes: said.notes,
      warnings: said.warnings,
    }),
    sha: over.sha ?? null,
    verified,
  });
  const byId = snapshot.release.deploy_history.find((h) => h.run_id === run.runId);
  const fromTitle = run.displayTitle.match(/\b[0-9a-f]{40}\b/)?.[0] ?? null;
  const sha = byId?.sha ?? fromTitle;
  if (!sha)
    return observed({
      headline: `Deploy run ${run.runId} finished (${run.conclusion ?? 'unknown'}) but names no commit: its run-name has no full SHA and the governor did not dispatch it. Nothing was recorded; add \`run-name: Deploy \${{ inputs.sha }}\` to the deploy workflow.`,
    });
  if (run.conclusion === null)
    return observed({
      sha,
      headline: `Deploy run ${run.runId} for ${shortSha(sha)} has not finished; nothing to record.`,
    });
  if (readFor !== sha) snapshot = await deps.store.read(sha);
  const success = run.conclusion === 'success';
  // Recorded per (run id, attempt): a redelivered event is a no-op, a re-run is a new outcome.
  const already = recordedOutcome(snapshot.release, sha, run.runId, run.runAttempt);
  const attempt = run.runAttempt > 1 ? ` (attempt ${run.runAttempt})` : '';
  const url = run.htmlUrl ?? `run ${run.runId}`;
  if (deps.dryRun)
    return observed({
      sha,
      headline: `Deploy of ${shortSha(sha)} ${success ? 'succeeded' : `failed (${run.conclusion})`}; dry run, nothing recorded.`,
    });

  // A rollback (§15) moves the stage back from the SHA it rolled back, on purpose.
  const rollback =
    snapshot.release.deploy_history.find((h) => h.run_id === run.runId && h.rollback_of) ?? null;
  const movesProduction = success && (await movesStage(deps, snapshot.release, { sha, rollback }));
  const health =
    success && movesProduction && !rollback && ctx.stage.health
      ? pendingCheck(sha, ctx.stage.health, deps.now(), claimedBy(deps))
      : null;
  const f: FinishedRun = { deps, run, ctx, said };
  const recorded = already
    ? { after: snapshot, stateCommit: null }
    : await recordOutcome(f, snapshot, { sha, url, attempt, movesProduction, health });
  const after = recorded.after;
  const common = {
    sha,
    productionSha: after.release.production_sha_current,
    stateCommit: recorded.stateCommit,
  };
  const o: Observed = { sha, url, attempt, movesProduction, already: already !== null, after };
  // The deploy's deployment (§21): its outcome, once — by the run that recorded it.
  if (!already) await deploymentOfOutcome(f, { o, rollback, checking: health !== null });
  const end = await concluded(f, o, rollback);
  return observed(
    { ...common, ...end.over, stateCommit: end.stateCommit ?? common.stateCommit },
    end.verified,
  );
}

/** GitHub's conclusions that say the deploy ran and failed; any other is not an outcome. */
const FAILED = new Set(['failure', 'timed_out', 'startup_failure']);

/**
 * The status of the deploy's deployment after its outcome: failure (or error when the run was
 * cancelled or skipped: the outcome is not known), in_progress while its health check runs,
 * success when it is live, inactive when a newer deploy was live before it finished.
 */
async function deploymentOfOutcome(
  { deps, run, ctx, said }: FinishedRun,
  { o, rollback, checking }: { o: Observed; rollback: HistoryEntry | null; checking: boolean },
): Promise<void> {
  const entry = o.after.release.deploy_history.find((h) => h.run_id === run.runId);
  const state: DeploymentState =
    run.conclusion !== 'success'
      ? FAILED.has(run.conclusion ?? '')
        ? 'failure'
        : 'error'
      : checking
        ? 'in_progress'
        : o.movesProduction || rollback
          ? 'success'
          : 'inactive';
  await deploymentOutcome(
    deps,
    ctx,
    {
      id: entry?.deployment_id,
      state,
      logUrl: o.url.startsWith('http') ? o.url : null,
      ...(state === 'error'
        ? { why: `The deploy run ended ${run.conclusion ?? 'without a conclusion'}` }
        : {}),
      ...(state === 'inactive' ? { why: 'A newer deploy was live before this one finished' } : {}),
    },
    said,
  );
}

/**
 * After the outcome is recorded: a rollback's end, a failure's issue, or a success and its
 * health check. Returns what the report says and whether the stage runs the SHA verified.
 */
async function concluded(
  f: FinishedRun,
  o: Observed,
  rollback: HistoryEntry | null,
): Promise<{ over: Partial<RunReport>; stateCommit: string | null; verified: boolean }> {
  const { deps, run, ctx, said } = f;
  const { sha, after } = o;
  if (rollback)
    return {
      over: { headline: await rollbackFinished(f, o, rollback) },
      stateCommit: null,
      verified: false,
    };
  if (run.conclusion !== 'success') {
    const failed = await reportFailure(f, o);
    return {
      over: { headline: failed.headline },
      stateCommit: failed.stateCommit,
      verified: false,
    };
  }
  const runs = after.release.production_sha_current === sha;
  const checked = runs && ctx.stage.health !== null;
  const headline = await announceSuccess(f, o, checked);
  if (!checked) {
    const version = runs ? await publishRelease({ deps, ctx, said }, sha, after) : null;
    return {
      over: { headline, ...(version ? { version } : {}) },
      stateCommit: null,
      verified: runs,
    };
  }
  const c = await verifyDeploy(
    { deps, ctx, sha, runId: run.runId, said },
    after.head !== null ? after : undefined,
  );
  const over = checkedReport(c, headline);
  return { over, stateCommit: over.stateCommit ?? null, verified: c.verified };
}

/** A rollback deploy finished: say so on its issue; if it failed too, stop there (never loop). */
async function rollbackFinished(f: FinishedRun, o: Observed, entry: HistoryEntry): Promise<string> {
  const { deps, run, ctx, said } = f;
  const stage = ctx.stage.name;
  const success = run.conclusion === 'success';
  const bad = entry.rollback_of!;
  const headline = success
    ? `Rollback of ${stage} to ${shortSha(o.sha)} succeeded${o.attempt}: ${stage} runs ${shortSha(o.after.release.production_sha_current ?? o.sha)} again, away from ${shortSha(bad)}.`
    : `The rollback of ${stage} to ${shortSha(o.sha)} failed (${run.conclusion})${o.attempt}. The governor does nothing more by itself: ${stage} still runs ${shortSha(bad)}, and a person must act.`;
  const issue =
    o.after.release.deploy_history.find((h) => h.run_id === run.runId)?.issue_number ?? null;
  if (issue !== null && !o.already)
    await bestEffort(said, `the comment on #${issue}`, () =>
      deps.gh.commentIssue(
        issue,
        success
          ? `The rollback deploy succeeded${o.attempt}: ${o.url}\n\n${stage} runs \`${o.sha}\` again.`
          : `The rollback deploy **failed** (\`${run.conclusion}\`)${o.attempt}: ${o.url}\n\n${stage} still runs \`${bad}\`. The governor will not retry the rollback by itself (it never loops): fix the cause, then deploy by hand or re-run the rollback run.`,
      ),
    );
  await publishStatus(
    said,
    deps,
    o.sha,
    success ? 'success' : 'failure',
    success
      ? `Rolled back ${stage} to ${shortSha(o.sha)}`
      : `Rollback of ${stage} failed (${run.conclusion})`.slice(0, 140),
    o.url.startsWith('http') ? o.url : deps.run.url,
    ctx.config.status_context,
  );
  return headline;
}

/**
 * Records the outcome (one commit: release.json and the SHA's record) and returns the state
 * after it, built from what was written rather than read back.
 */
async function recordOutcome(
  f: FinishedRun,
  snapshot: StateSnapshot,
  o: {
    sha: string;
    url: string;
    attempt: string;
    movesProduction: boolean;
    health: HealthResult | null;
  },
): Promise<{ after: StateSnapshot; stateCommit: string | null }> {
  const { deps, run, ctx } = f;
  const { sha, url, attempt, movesProduction, health } = o;
  const success = run.conclusion === 'success';
  let after: StateSnapshot = snapshot;
  const written = await writeState(
    deps,
    sha,
    (snap) => {
      if (recordedOutcome(snap.release, sha, run.runId, run.runAttempt)) return null;
      const release = markFinished(
        snap.release,
        {
          sha,
          success,
          conclusion: run.conclusion!,
          runId: run.runId,
          runAttempt: run.runAttempt,
          runUrl: url,
          now: deps.now(),
          health,
        },
        movesProduction &&
          snap.release.production_sha_current === snapshot.release.production_sha_current,
      );
      const record = snap.decision
        ? withLifecycle(snap.decision, {
            state: success ? 'succeeded' : 'failed',
            finished_at: deps.now().toISOString(),
            conclusion: run.conclusion,
            run_id: run.runId,
            run_attempt: run.runAttempt,
            run_url: url,
          })
        : null;
      after = { head: null, release, decision: record };
      return {
        files: {
          [RELEASE_FILE]: serialize(release),
          ...(record ? { [decisionPath(sha)]: serialize(record) } : {}),
          ...evidence(
            deps,
            { kind: 'deploy', sha, keepDays: ctx.config.evidence_retention_days },
            {
              deploy_run: {
                id: run.runId,
                attempt: run.runAttempt,
                url,
                conclusion: run.conclusion,
                observed_at: deps.now().toISOString(),
              },
              moves_stage: movesProduction,
              stage_sha: release.production_sha_current,
            },
          ),
        },
        message: success
          ? `deployed ${shortSha(sha)}: run ${run.runId}${attempt}`
          : `failed ${shortSha(sha)}: ${run.conclusion} in run ${run.runId}${attempt}`,
      };
    },
    snapshot,
  );
  if (written) after = { ...after, head: written.head };
  else after = await deps.store.read(sha);
  return { after, stateCommit: written?.head ?? null };
}

/** What observing a finished deploy established, for the steps after the record. */
interface Observed {
  sha: string;
  url: string;
  /** ` (attempt N)` for a re-run, else empty. */
  attempt: string;
  movesProduction: boolean;
  /** This very attempt was recorded before (a redelivered event, or a re-run of this job). */
  already: boolean;
  after: StateSnapshot;
}

/** A successful deploy: its headline, the comment on an earlier failure's issue, the status. */
async function announceSuccess(f: FinishedRun, o: Observed, verifying: boolean): Promise<string> {
  const { deps, said } = f;
  const config = f.ctx.config;
  const { sha, url, attempt, movesProduction, already, after } = o;
  // The stage's own word for what moved: "production" with one stage, else the stage's name.
  const where = config.stages ? config.production_environment_name : 'production';
  const headline = `Deploy of ${shortSha(sha)} to ${config.production_environment_name} succeeded${attempt}${movesProduction ? `; ${where} moved` : ` (${where} already contains it)`}.`;
  const issue = failureIssueOf(after.release, sha);
  if (issue !== null && !already) {
    // The issue stays open on purpose: it is an incident (rule 9) until a person has looked
    // at why the earlier attempt failed; closing it is that person's acknowledgement.
    await bestEffort(said, `the comment on #${issue}`, () =>
      deps.gh.commentIssue(
        issue,
        [
          `The deploy of \`${sha}\` to **${config.production_environment_name}** succeeded${attempt}: ${url}`,
          '',
          movesProduction
            ? `${where === 'production' ? 'Production' : where} is now at \`${sha}\`.`
            : `${where === 'production' ? 'Production' : where} already contained \`${sha}\`; it did not move.`,
          '',
          `This issue stays open: while it is open it counts as an active incident for the governor (rule 9, \`incident_labels\`). Close it once the cause of the earlier failure is understood.`,
        ].join('\n'),
      ),
    );
    said.note(`Commented on #${issue}: the deploy succeeded${attempt}.`);
  }
  await publishStatus(
    said,
    deps,
    sha,
    verifying ? 'pending' : 'success',
    `Deployed to ${config.production_environment_name}${verifying ? ', verifying' : ''} · ${shortSha(sha)}`,
    url.startsWith('http') ? url : deps.run.url,
    config.status_context,
  );
  return headline;
}

/**
 * The SHA's failure issue: the existing one commented on, else one opened — looked for first
 * when an earlier attempt recorded this failure and may have opened it before it died.
 */
async function failureIssue(
  { deps, ctx, said }: FinishedRun,
  {
    sha,
    existing,
    already,
    body,
  }: { sha: string; existing: number | null; already: boolean; body: string },
): Promise<number> {
  const config = ctx.config;
  if (existing !== null) {
    await bestEffort(said, `the comment on #${existing}`, () =>
      deps.gh.commentIssue(existing, `Another deploy of \`${sha}\` failed.\n\n${body}`),
    );
    return existing;
  }
  const { title, labels } = serviceIssue(config, {
    title: `Deploy of ${shortSha(sha)} to ${config.production_environment_name} failed`,
    labels: config.deploy_failure_labels,
  });
  const earlier = already ? await deps.gh.findOpenIssue(title, labels) : null;
  if (earlier !== null) return earlier;
  try {
    return await deps.gh.openIssue(title, body, labels);
  } catch (e) {
    if (!isUnanswered(e)) throw e;
    const found = await deps.gh.findOpenIssue(title, labels);
    if (found === null) throw e;
    return found;
  }
}

/** One issue per SHA; later failures of it (a re-run, or a new run) comment on that issue. */
async function reportFailure(
  f: FinishedRun,
  o: Observed,
): Promise<{ headline: string; stateCommit: string | null }> {
  const { deps, run, said } = f;
  const config = f.ctx.config;
  const { sha, url, attempt, already, after } = o;
  // Only this very attempt, already recorded and reported, is a no-op.
  const entry = after.release.deploy_history.find((h) => h.sha === sha && h.run_id === run.runId);
  if (already && entry?.issue_number)
    return {
      headline: `Deploy of ${shortSha(sha)} failed (${run.conclusion})${attempt}; already reported in #${entry.issue_number}.`,
      stateCommit: null,
    };
  const body = [
    `The deploy of \`${sha}\` to **${config.production_environment_name}** failed${attempt}.`,
    '',
    `- Conclusion: \`${run.conclusion}\``,
    `- Run: ${url}`,
    `- Cooldown: the governor will not redeploy this SHA for ${config.cooldown_minutes} minutes.`,
  ].join('\n');
  const existing = failureIssueOf(after.release, sha);
  const issue = await failureIssue(f, { sha, existing, already, body });
  const written = await writeState(
    deps,
    sha,
    (snap) => {
      const e = snap.release.deploy_history.find((h) => h.sha === sha && h.run_id === run.runId);
      if (!e || e.issue_number === issue) return null;
      const release: Release = {
        ...snap.release,
        deploy_history: snap.release.deploy_history.map((h) =>
          h === e ? { ...h, issue_number: issue } : h,
        ),
      };
      const record = snap.decision ? withLifecycle(snap.decision, { issue_number: issue }) : null;
      return {
        files: {
          [RELEASE_FILE]: serialize(release),
          ...(record ? { [decisionPath(sha)]: serialize(record) } : {}),
        },
        message: `failed ${shortSha(sha)}: issue #${issue}`,
      };
    },
    after,
  );
  await publishStatus(
    said,
    deps,
    sha,
    'failure',
    `Deploy failed (${run.conclusion}) · ${shortSha(sha)}`.slice(0, 140),
    url.startsWith('http') ? url : deps.run.url,
    config.status_context,
  );
  return {
    headline: `Deploy of ${shortSha(sha)} failed (${run.conclusion})${attempt}; ${existing !== null ? `commented on #${issue}` : `opened #${issue}`}. Cooldown ${config.cooldown_minutes} minutes.`,
    stateCommit: written?.head ?? null,
  };
}
