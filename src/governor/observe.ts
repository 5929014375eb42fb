// A deploy run finished: record its outcome per (run id, attempt), move production forward
// only, and open or comment on the deploy-failure issue.
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
import { emptyReport, type RunReport } from '../report/summary.js';
import {
  type GovernorDeps,
  publishStatus,
  bestEffort,
  claimedBy,
  evidence,
  writeState,
} from './deps.js';
import { pendingCheck, type HealthResult } from '../domain/health.js';
import type { StageContext } from '../domain/pipeline.js';
import { verifyDeploy } from './verify.js';
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

/** A deploy run that finished on a stage, and the report of this run about it. */
interface FinishedRun {
  deps: GovernorDeps;
  run: WorkflowRunFacts;
  ctx: StageContext;
  report: RunReport;
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
  const report = emptyReport({
    outcome: 'SKIP',
    reason: 'not_a_release_candidate',
    runUrl: deps.run.url,
    dryRun: deps.dryRun,
    productionSha: snapshot.release.production_sha_current,
    environmentName: config.production_environment_name,
    stage: deps.store.target?.stage ?? null,
  });
  const none = { report, sha: null, verified: false };
  const byId = snapshot.release.deploy_history.find((h) => h.run_id === run.runId);
  const fromTitle = run.displayTitle.match(/\b[0-9a-f]{40}\b/)?.[0] ?? null;
  const sha = byId?.sha ?? fromTitle;
  if (!sha) {
    report.headline = `Deploy run ${run.runId} finished (${run.conclusion ?? 'unknown'}) but names no commit: its run-name has no full SHA and the governor did not dispatch it. Nothing was recorded; add \`run-name: Deploy \${{ inputs.sha }}\` to the deploy workflow.`;
    return none;
  }
  report.sha = sha;
  if (run.conclusion === null) {
    report.headline = `Deploy run ${run.runId} for ${shortSha(sha)} has not finished; nothing to record.`;
    return { ...none, sha };
  }
  if (readFor !== sha) snapshot = await deps.store.read(sha);
  const success = run.conclusion === 'success';
  // Recorded per (run id, attempt): a redelivered event is a no-op, a re-run is a new outcome.
  const already = recordedOutcome(snapshot.release, sha, run.runId, run.runAttempt);
  const attempt = run.runAttempt > 1 ? ` (attempt ${run.runAttempt})` : '';
  const url = run.htmlUrl ?? `run ${run.runId}`;
  if (deps.dryRun) {
    report.headline = `Deploy of ${shortSha(sha)} ${success ? 'succeeded' : `failed (${run.conclusion})`}; dry run, nothing recorded.`;
    return { ...none, sha };
  }

  // A rollback (§15) moves the stage back from the SHA it rolled back, on purpose.
  const rollback =
    snapshot.release.deploy_history.find((h) => h.run_id === run.runId && h.rollback_of) ?? null;
  const movesProduction = success && (await movesStage(deps, snapshot.release, { sha, rollback }));
  const health =
    success && movesProduction && !rollback && ctx.stage.health
      ? pendingCheck(sha, ctx.stage.health, deps.now(), claimedBy(deps))
      : null;
  const f: FinishedRun = { deps, run, ctx, report };
  const after = already
    ? snapshot
    : await recordOutcome(f, snapshot, { sha, url, attempt, movesProduction, health });
  report.productionSha = after.release.production_sha_current;

  const o: Observed = { sha, url, attempt, movesProduction, already: already !== null, after };
  if (rollback) {
    await rollbackFinished(f, o, rollback);
    return { report, sha, verified: false };
  }
  if (!success) {
    await reportFailure(f, o);
    return { report, sha, verified: false };
  }
  const runs = after.release.production_sha_current === sha;
  const checked = runs && ctx.stage.health !== null;
  await announceSuccess(f, o, checked);
  if (!checked) {
    if (runs) await publishRelease({ deps, ctx, report }, sha, after);
    return { report, sha, verified: runs };
  }
  const verified = await verifyDeploy(
    { deps, ctx, sha, runId: run.runId, report },
    after.head !== null ? after : undefined,
  );
  return { report, sha, verified };
}

/** A rollback deploy finished: say so on its issue; if it failed too, stop there (never loop). */
async function rollbackFinished(f: FinishedRun, o: Observed, entry: HistoryEntry): Promise<void> {
  const { deps, run, ctx, report } = f;
  const stage = ctx.stage.name;
  const success = run.conclusion === 'success';
  const bad = entry.rollback_of!;
  report.headline = success
    ? `Rollback of ${stage} to ${shortSha(o.sha)} succeeded${o.attempt}: ${stage} runs ${shortSha(o.after.release.production_sha_current ?? o.sha)} again, away from ${shortSha(bad)}.`
    : `The rollback of ${stage} to ${shortSha(o.sha)} failed (${run.conclusion})${o.attempt}. The governor does nothing more by itself: ${stage} still runs ${shortSha(bad)}, and a person must act.`;
  const issue =
    o.after.release.deploy_history.find((h) => h.run_id === run.runId)?.issue_number ?? null;
  if (issue !== null && !o.already)
    await bestEffort(report, `the comment on #${issue}`, () =>
      deps.gh.commentIssue(
        issue,
        success
          ? `The rollback deploy succeeded${o.attempt}: ${o.url}\n\n${stage} runs \`${o.sha}\` again.`
          : `The rollback deploy **failed** (\`${run.conclusion}\`)${o.attempt}: ${o.url}\n\n${stage} still runs \`${bad}\`. The governor will not retry the rollback by itself (it never loops): fix the cause, then deploy by hand or re-run the rollback run.`,
      ),
    );
  await publishStatus(
    deps,
    report,
    o.sha,
    success ? 'success' : 'failure',
    success
      ? `Rolled back ${stage} to ${shortSha(o.sha)}`
      : `Rollback of ${stage} failed (${run.conclusion})`.slice(0, 140),
    o.url.startsWith('http') ? o.url : deps.run.url,
    ctx.config.status_context,
  );
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
): Promise<StateSnapshot> {
  const { deps, run, ctx, report } = f;
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
  report.stateCommit = written?.head ?? null;
  return after;
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

async function announceSuccess(f: FinishedRun, o: Observed, verifying: boolean): Promise<void> {
  const { deps, report } = f;
  const config = f.ctx.config;
  const { sha, url, attempt, movesProduction, already, after } = o;
  // The stage's own word for what moved: "production" with one stage, else the stage's name.
  const where = config.stages ? config.production_environment_name : 'production';
  report.headline = `Deploy of ${shortSha(sha)} to ${config.production_environment_name} succeeded${attempt}${movesProduction ? `; ${where} moved` : ` (${where} already contains it)`}.`;
  const issue = failureIssueOf(after.release, sha);
  if (issue !== null && !already) {
    // The issue stays open on purpose: it is an incident (rule 9) until a person has looked
    // at why the earlier attempt failed; closing it is that person's acknowledgement.
    await bestEffort(report, `the comment on #${issue}`, () =>
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
    report.notes.push(`Commented on #${issue}: the deploy succeeded${attempt}.`);
  }
  await publishStatus(
    deps,
    report,
    sha,
    verifying ? 'pending' : 'success',
    `Deployed to ${config.production_environment_name}${verifying ? ', verifying' : ''} · ${shortSha(sha)}`,
    url.startsWith('http') ? url : deps.run.url,
    config.status_context,
  );
}

/** One issue per SHA; later failures of it (a re-run, or a new run) comment on that issue. */
async function reportFailure(f: FinishedRun, o: Observed): Promise<void> {
  const { deps, run, report } = f;
  const config = f.ctx.config;
  const { sha, url, attempt, already, after } = o;
  // Only this very attempt, already recorded and reported, is a no-op.
  const entry = after.release.deploy_history.find((h) => h.sha === sha && h.run_id === run.runId);
  if (already && entry?.issue_number) {
    report.headline = `Deploy of ${shortSha(sha)} failed (${run.conclusion})${attempt}; already reported in #${entry.issue_number}.`;
    return;
  }
  const body = [
    `The deploy of \`${sha}\` to **${config.production_environment_name}** failed${attempt}.`,
    '',
    `- Conclusion: \`${run.conclusion}\``,
    `- Run: ${url}`,
    `- Cooldown: the governor will not redeploy this SHA for ${config.cooldown_minutes} minutes.`,
  ].join('\n');
  const existing = failureIssueOf(after.release, sha);
  const title = `Deploy of ${shortSha(sha)} to ${config.production_environment_name} failed`;
  const labels = config.deploy_failure_labels;
  let issue: number;
  if (existing !== null) {
    await bestEffort(report, `the comment on #${existing}`, () =>
      deps.gh.commentIssue(existing, `Another deploy of \`${sha}\` failed.\n\n${body}`),
    );
    issue = existing;
  } else {
    // An earlier attempt that recorded this failure may have opened the issue and died (or lost
    // the answer) before recording its number: look before opening another.
    const earlier = already ? await deps.gh.findOpenIssue(title, labels) : null;
    if (earlier !== null) issue = earlier;
    else {
      try {
        issue = await deps.gh.openIssue(title, body, labels);
      } catch (e) {
        if (!isUnanswered(e)) throw e;
        const found = await deps.gh.findOpenIssue(title, labels);
        if (found === null) throw e;
        issue = found;
      }
    }
  }
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
  report.stateCommit = written?.head ?? report.stateCommit;
  report.headline = `Deploy of ${shortSha(sha)} failed (${run.conclusion})${attempt}; ${existing !== null ? `commented on #${issue}` : `opened #${issue}`}. Cooldown ${config.cooldown_minutes} minutes.`;
  await publishStatus(
    deps,
    report,
    sha,
    'failure',
    `Deploy failed (${run.conclusion}) · ${shortSha(sha)}`.slice(0, 140),
    url.startsWith('http') ? url : deps.run.url,
    config.status_context,
  );
}
