// The governor: gathers the facts a decision needs (as few requests as the verdict allows),
// asks the pure rules, and carries the verdict out with the state branch as the lock:
// claim first, dispatch second, record third. Shared by the action and the CLI.
import { evaluateApprovals, NO_APPROVALS, type ApprovalResult } from './domain/approvals.js';
import {
  APPROVAL_VARIABLE,
  ConfigError,
  configDigest,
  loadConfig,
  type Config,
} from './domain/config.js';
import {
  approvalsMatter,
  decide,
  decideEarly,
  type CompareStatus,
  type Decision,
  type PullPaths,
} from './domain/decide.js';
import type { WorkflowRunFacts } from './domain/events.js';
import { compileRiskRules, type ChangedFile, type RiskAssessment } from './domain/risk.js';
import {
  claim,
  decisionPath,
  failureIssueOf,
  historyForRules,
  inFlight,
  lifecycleOf,
  markDispatched,
  markFinished,
  recordedOutcome,
  recordEvaluation,
  RELEASE_FILE,
  releaseClaim,
  serialize,
  withLifecycle,
  type DecisionRecord,
  type HistoryEntry,
  type Release,
} from './domain/state.js';
import { isFullSha, shortSha } from './domain/types.js';
import { ApiError, outcomeUnknown } from './adapters/github.js';
import type { RepoPort, RunInfo, StateSnapshot, StateStore, WriteResult } from './ports.js';
import { emptyReport, statusDescription, type RunReport } from './report/summary.js';

/** Claims younger than this belong to a run that may still be dispatching: never taken over. */
export const CLAIM_GRACE_MS = 10 * 60_000;
/** Attempts at a state write before giving up; docs/state.md says how it was chosen. */
export const MAX_WRITE_ATTEMPTS = 12;
/** Writes in a row that GitHub does not confirm (5xx, no answer) before the job gives up. */
export const MAX_UNCONFIRMED_WRITES = 4;

export interface GovernorDeps {
  gh: RepoPort;
  store: StateStore;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** The base of every backoff, in ms (RELEASE_GOVERNOR_RETRY_BASE_MS; 500 by default). */
  retryBaseMs: number;
  env: Record<string, string | undefined>;
  configPath: string;
  /** config-path was given explicitly: a missing file is then an error, not "off". */
  configPathExplicit: boolean;
  /** The state branch the store reads (RELEASE_GOVERNOR_STATE_BRANCH, or booty-state). */
  stateBranch: string;
  /** The repository's default branch (from the event payload, or the API for the CLI). */
  defaultBranch: string;
  degraded: boolean | null;
  dryRun: boolean;
  /** Who is deciding, for the record and for recognising one's own claim. */
  run: { id: number | null; attempt: number | null; url: string | null; source: 'action' | 'cli' };
  log: (message: string) => void;
}

export class GovernorError extends Error {
  constructor(
    message: string,
    readonly advice: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GovernorError';
  }
}

function claimedBy(deps: GovernorDeps): string {
  return `${deps.run.source}:${deps.run.id ?? 'local'}/${deps.run.attempt ?? 1}`;
}

/**
 * Whether a claim was made by an earlier attempt of this same workflow run. GitHub starts a
 * re-run attempt only after the previous attempt has finished, so such a claimant is gone.
 */
function isEarlierAttempt(claimant: string | null | undefined, deps: GovernorDeps): boolean {
  const m = /^action:(\d+)\/(\d+)$/.exec(claimant ?? '');
  return (
    deps.run.source === 'action' &&
    m !== null &&
    Number(m[1]) === deps.run.id &&
    Number(m[2]) < (deps.run.attempt ?? 1)
  );
}

/**
 * Sets the commit status. When GitHub does not answer, the decision (already recorded on the
 * state branch) stands and the report carries a warning; a refusal (403) is still an error.
 */
async function publishStatus(
  deps: GovernorDeps,
  report: RunReport,
  ...status: Parameters<RepoPort['setStatus']>
): Promise<void> {
  try {
    await deps.gh.setStatus(...status);
  } catch (e) {
    if (!isUnanswered(e)) throw e;
    const [sha, , , , context] = status;
    report.warnings.push(
      `The commit status ${context} could not be set on ${shortSha(sha)}: ${(e as Error).message}. The ${report.outcome} above stands and is recorded on the state branch.`,
    );
  }
}

/**
 * A comment that is not repeated when GitHub does not answer (one that did land would be posted
 * twice): the recorded outcome stands, and the report says the comment may be missing.
 */
async function bestEffort(
  report: RunReport,
  what: string,
  call: () => Promise<unknown>,
): Promise<void> {
  try {
    await call();
  } catch (e) {
    if (!isUnanswered(e)) throw e;
    report.warnings.push(
      `GitHub did not confirm ${what} (${(e as Error).message}); it may be missing.`,
    );
  }
}

/** A GitHub call whose effect is unknown (5xx, broken connection); any other error is not. */
function isUnanswered(e: unknown): boolean {
  return e instanceof ApiError && outcomeUnknown(e.status);
}

function backoff(deps: GovernorDeps, attempt: number): Promise<void> {
  // Full jitter over a window that grows to 4 × the base (2 s by default): ten runs racing
  // spread out quickly.
  const base = deps.retryBaseMs;
  return deps.sleep(Math.floor(deps.random() * Math.min(4 * base, (base / 5) * 2 ** attempt)));
}

export interface ConfigRead {
  config: Config | null;
  disabled: boolean;
  /** Why the governor is off (which file, at which commit, a likely typo); null when on. */
  why: string | null;
  typo: string | null;
}

/** `production`: `ref` is the production SHA (else the commit being decided, before a first deploy). */
export async function readConfig(
  deps: GovernorDeps,
  ref: string,
  production: boolean,
): Promise<ConfigRead> {
  const text = await deps.gh.readFile(ref, deps.configPath);
  if (text === null && deps.configPathExplicit)
    throw new ConfigError([
      {
        key: '',
        where: deps.configPath,
        message: `the configured config-path does not exist at ${shortSha(ref)} (the commit whose policy applies). Fix config-path, or commit the file.`,
      },
    ]);
  const result = loadConfig({
    text,
    path: deps.configPath,
    env: deps.env,
    defaultBranch: deps.defaultBranch,
  });
  // The state is read before the config (the config is read at the production SHA the state
  // names), so the branch cannot come from the file alone; a file that disagrees would split
  // the state in two, and a commit could point the governor at an empty branch.
  if (result.config && result.config.state_branch !== deps.stateBranch) {
    throw new ConfigError([
      {
        key: 'release_governor.state_branch',
        where: deps.configPath,
        message: `is ${result.config.state_branch}, but the state is read from ${deps.stateBranch} before the config. Set RELEASE_GOVERNOR_STATE_BRANCH=${result.config.state_branch} in the governor step's env as well.`,
      },
    ]);
  }
  if (result.enabled) return { config: result.config, disabled: false, why: null, typo: null };
  return {
    config: result.config,
    disabled: true,
    why: `${result.why} (Read at ${shortSha(ref)}, the ${production ? 'production commit: its policy judges every change' : 'commit being decided, as nothing is in production yet'}.)`,
    typo: result.typo,
  };
}

function sameWorkflow(configured: string, run: { path: string; name: string }): boolean {
  const c = configured.replace(/^\.\//, '');
  if (c === '') return false;
  if (/\.ya?ml$/.test(c)) return run.path === c || run.path.endsWith(`/${c}`);
  return run.name === c;
}

// ------------------------------------------------------------------ risk inputs

async function changedFiles(
  deps: GovernorDeps,
  productionSha: string | null,
  sha: string,
  compareFiles: ChangedFile[] | null,
  capped: boolean,
): Promise<{ files: ChangedFile[]; incomplete: string | null }> {
  if (productionSha === null) {
    const head = await deps.gh.treeFiles(sha);
    const files = [...head.files.keys()].map((path) => ({ path, status: 'added' as const }));
    return {
      files,
      incomplete: head.truncated ? 'the tree listing of the commit was truncated by GitHub' : null,
    };
  }
  if (compareFiles && !capped) return { files: compareFiles, incomplete: null };
  // The compare API stops at 300 files: diff the two trees instead.
  const [before, after] = await Promise.all([
    deps.gh.treeFiles(productionSha),
    deps.gh.treeFiles(sha),
  ]);
  if (before.truncated || after.truncated)
    return {
      files: compareFiles ?? [],
      incomplete: 'the diff has more files than GitHub lists, and the tree listing was truncated',
    };
  const files: ChangedFile[] = [];
  for (const [path, id] of after.files) {
    const old = before.files.get(path);
    if (old === undefined) files.push({ path, status: 'added' });
    else if (old !== id) files.push({ path, status: 'modified' });
  }
  for (const path of before.files.keys())
    if (!after.files.has(path)) files.push({ path, status: 'removed' });
  return { files, incomplete: null };
}

// ------------------------------------------------------------------ decide

export interface DecideRequest {
  sha: string;
  manual: boolean;
}

interface Evaluated {
  snapshot: StateSnapshot;
  config: Config | null;
  decision: Decision;
  assessment: RiskAssessment | null;
  approvals: ApprovalResult | null;
  productionSha: string | null;
  notes: string[];
  /** Set when this run already holds the claim for the SHA (a lost write response, or a retry). */
  ownClaim: HistoryEntry | null;
  /** A claimed-but-not-dispatched SHA whose deploy run turned up. */
  foundRun: RunInfo | null;
  /** The config as read, when it turned the governor off (why, and a likely typo). */
  off?: ConfigRead;
}

interface Known extends ConfigRead {
  configRef: string;
  /** State already read for this SHA, used once. */
  snapshot?: StateSnapshot;
}

async function evaluate(deps: GovernorDeps, req: DecideRequest, known?: Known): Promise<Evaluated> {
  const notes: string[] = [];
  const snapshot = known?.snapshot ?? (await deps.store.read(req.sha));
  const release = snapshot.release;
  const productionSha = release.production_sha_current;
  const configRef = productionSha ?? req.sha;
  const cfg: Known =
    known && known.configRef === configRef
      ? known
      : { ...(await readConfig(deps, configRef, productionSha !== null)), configRef };
  const base = {
    snapshot,
    config: cfg.config,
    productionSha,
    notes,
    ownClaim: null,
    foundRun: null,
    assessment: null,
    approvals: null,
  };

  if (cfg.disabled || !cfg.config) {
    const off = decideEarly({
      enabled: false,
      sha: req.sha,
      lifecycle: null,
      productionSha,
      productionCompare: null,
      inFlight: null,
      manual: req.manual,
      verified: true,
    })!;
    return {
      ...base,
      off: cfg,
      decision: cfg.why ? { ...off, summary: cfg.why } : off,
    };
  }
  const config = cfg.config;

  let lifecycle = lifecycleOf(release, req.sha);
  const entry = release.deploy_history.find((h) => h.sha === req.sha) ?? null;
  let ownClaim: HistoryEntry | null = null;
  let foundRun: RunInfo | null = null;
  if (lifecycle === 'claimed' && entry) {
    if (entry.claimed_by === claimedBy(deps)) {
      ownClaim = entry;
      lifecycle = null;
    } else {
      // Claimed but never recorded as dispatched: the claimant died, or lost the response.
      const runs = await deps.gh.findDeployRuns(config.deploy_workflow, req.sha);
      const claimTime = Date.parse(entry.time);
      foundRun = runs.find((r) => Date.parse(r.createdAt) >= claimTime - 60_000) ?? null;
      const stale = deps.now().getTime() - claimTime > CLAIM_GRACE_MS;
      if (!foundRun && (stale || isEarlierAttempt(entry.claimed_by, deps))) {
        notes.push(
          `${shortSha(req.sha)} was claimed at ${entry.time} by ${entry.claimed_by ?? 'an earlier run'}${stale ? '' : ', an earlier attempt of this run (it has ended)'}, and no deploy run for it exists: taking the claim over.`,
        );
        lifecycle = null;
      }
    }
  }

  const productionCompare = productionSha ? await deps.gh.compare(productionSha, req.sha) : null;
  const flying = inFlight(release);
  let inFlightCompare: { sha: string; compare: CompareStatus } | null = null;
  if (flying && flying.sha !== req.sha && flying.sha !== productionSha) {
    inFlightCompare = {
      sha: flying.sha,
      compare: (await deps.gh.compare(flying.sha, req.sha)).status,
    };
  }
  const verified = req.manual
    ? await deps.gh.verified(config.verification_workflow, req.sha, config.branch)
    : true;
  const early = {
    enabled: true,
    sha: req.sha,
    lifecycle: ownClaim ? null : lifecycle,
    productionSha,
    productionCompare: productionCompare?.status ?? null,
    inFlight: inFlightCompare,
    manual: req.manual,
    verified,
  };
  const earlyDecision = decideEarly(early);
  if (earlyDecision) return { ...base, decision: earlyDecision, ownClaim, foundRun };

  const { files, incomplete } = await changedFiles(
    deps,
    productionSha,
    req.sha,
    productionCompare?.files ?? null,
    productionCompare?.capped ?? false,
  );
  const assessment = compileRiskRules(config).classify(files, { incompleteReason: incomplete });
  const incidents = await deps.gh.openIncidents(config.incident_labels);

  let approvals: ApprovalResult = NO_APPROVALS;
  let pulls: PullPaths[] = [];
  const environment = deps.env[APPROVAL_VARIABLE];
  if (
    approvalsMatter({
      risk: assessment.risk,
      productionSha,
      config,
      incidentCount: incidents.length,
      degraded: deps.degraded,
    })
  ) {
    const commits = productionCompare?.commits ?? [];
    const headAuthor =
      commits.find((c) => c.sha === req.sha)?.author ?? (await deps.gh.commitAuthor(req.sha));
    const facts = await deps.gh.approvalFacts({
      headSha: req.sha,
      headAuthor,
      commits: productionSha ? commits.map((c) => c.sha) : [req.sha],
      branch: config.branch,
      environment,
    });
    if (productionCompare && productionCompare.totalCommits > commits.length) {
      notes.push(
        `The range has ${productionCompare.totalCommits} commits; pull requests were read for the first ${commits.length} only. Approve with the SHA-scoped variable or a commit comment if a HIGH path is not covered.`,
      );
    }
    approvals = evaluateApprovals(facts, config);
    pulls = facts.pulls.map((p) => ({ number: p.number, paths: p.files }));
  } else if (environment) {
    notes.push(`${APPROVAL_VARIABLE} is set but no approval was needed for this change.`);
  }

  const decision = decide({
    ...early,
    config,
    risk: assessment,
    approvals,
    pulls,
    history: historyForRules(release),
    incidents,
    degraded: deps.degraded,
    now: deps.now(),
  });
  return { ...base, decision, assessment, approvals, ownClaim, foundRun };
}

function evaluationRecord(deps: GovernorDeps, ev: Evaluated, sha: string): DecisionRecord {
  return recordEvaluation(
    ev.snapshot.decision,
    {
      sha,
      decision: ev.decision,
      productionSha: ev.productionSha,
      assessment: ev.assessment,
      approvals: ev.approvals,
    },
    {
      runId: deps.run.id,
      runAttempt: deps.run.attempt,
      now: deps.now(),
      configDigest: ev.config ? configDigest(ev.config) : null,
      source: deps.run.source,
    },
  );
}

function reportOf(deps: GovernorDeps, ev: Evaluated, sha: string): RunReport {
  return emptyReport({
    outcome: ev.decision.outcome,
    reason: ev.decision.reason,
    sha,
    productionSha: ev.productionSha,
    risk: ev.decision.risk,
    headline: ev.decision.summary,
    decision: ev.decision,
    assessment: ev.assessment,
    approvals: ev.approvals,
    notes: ev.notes,
    // A misspelt block silently turns the governor off: say it loudly.
    warnings: ev.off?.typo && ev.off.why ? [ev.off.why] : [],
    runUrl: deps.run.url,
    dryRun: deps.dryRun,
    environmentName: ev.config?.production_environment_name ?? 'production',
    releaseBranch: ev.config?.branch ?? null,
  });
}

/**
 * Counts state writes GitHub did not confirm. Re-reading after one is safe (the commit either
 * exists or not, and `build` sees which), but a GitHub that keeps failing is reported as such,
 * not as a race.
 */
class UnconfirmedWrites {
  private inARow = 0;

  count(r: Exclude<WriteResult, { kind: 'written' }>): void {
    if (r.kind === 'conflict') {
      this.inARow = 0;
      return;
    }
    this.inARow++;
    if (this.inARow >= MAX_UNCONFIRMED_WRITES)
      throw new GovernorError(
        `GitHub did not confirm ${this.inARow} writes to the state branch in a row (last: ${r.detail}). Nothing was dispatched by this attempt.`,
        'Each state write is one atomic commit, so the branch is consistent. Re-run the job when GitHub answers again: the re-run recognises a claim this attempt may have left and dispatches at most once.',
      );
  }
}

/** Writes files on top of the latest state, re-reading on conflict; `build` sees fresh state. */
export async function writeState(
  deps: GovernorDeps,
  sha: string | undefined,
  build: (snap: StateSnapshot) => { files: Record<string, string>; message: string } | null,
  first?: StateSnapshot,
): Promise<{ head: string; snapshot: StateSnapshot } | null> {
  let snap = first ?? (await deps.store.read(sha));
  const unconfirmed = new UnconfirmedWrites();
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    const change = build(snap);
    if (!change) return null;
    const r = await deps.store.write(snap, change.files, change.message);
    if (r.kind === 'written') return { head: r.head, snapshot: snap };
    unconfirmed.count(r);
    deps.log(
      `State write conflict (${r.detail}); re-reading (attempt ${attempt}/${MAX_WRITE_ATTEMPTS}).`,
    );
    await backoff(deps, attempt);
    snap = await deps.store.read(sha);
  }
  throw new GovernorError(
    `The state branch kept moving: ${MAX_WRITE_ATTEMPTS} writes in a row lost the race. Nothing was deployed.`,
    'Re-run the job; if it persists, look for another process writing the state branch.',
  );
}

export async function decideAndAct(
  deps: GovernorDeps,
  req: DecideRequest,
  first?: Known,
): Promise<RunReport> {
  if (!isFullSha(req.sha))
    throw new GovernorError(`${JSON.stringify(req.sha)} is not a full 40-character SHA.`);
  let known: Known | undefined = first;
  const unconfirmed = new UnconfirmedWrites();
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    const ev = await evaluate(deps, req, known);
    known = {
      ...(ev.off ?? { config: ev.config, disabled: false, why: null, typo: null }),
      configRef: ev.productionSha ?? req.sha,
    };
    const report = reportOf(deps, ev, req.sha);
    const config = ev.config;

    // A claimed SHA whose deploy run exists: record what the claimant could not.
    if (ev.foundRun && config && !deps.dryRun) {
      const run = ev.foundRun;
      await recordDispatched(deps, req.sha, run.id, run.url);
      report.notes.push(`Found deploy run ${run.url} for the earlier claim and recorded it.`);
    }
    if (deps.dryRun || ev.decision.outcome === 'SKIP' || !config) return report;

    if (ev.decision.outcome === 'HOLD') {
      const written = await writeState(
        deps,
        req.sha,
        // Built from the freshest record, so a conflict never drops another run's evaluation.
        (snap) => ({
          files: {
            [decisionPath(req.sha)]: serialize(
              evaluationRecord(deps, { ...ev, snapshot: snap }, req.sha),
            ),
          },
          message: `decide ${shortSha(req.sha)}: HOLD ${ev.decision.reason}`,
        }),
        ev.snapshot,
      );
      report.stateCommit = written?.head ?? null;
      await publishStatus(
        deps,
        report,
        req.sha,
        'failure',
        statusDescription(report),
        deps.run.url,
        config.status_context,
      );
      return report;
    }

    // ALLOW: claim with a compare-and-swap on the state we decided from. If the branch moved,
    // decide again from fresh state: whoever moved it may have claimed this SHA or a newer one.
    const snap = ev.snapshot;
    let claimed: StateSnapshot;
    if (ev.ownClaim) claimed = snap;
    else {
      const record = withLifecycle(evaluationRecord(deps, ev, req.sha), {
        state: 'claimed',
        claimed_at: deps.now().toISOString(),
      });
      const release = claim(snap.release, req.sha, deps.now(), claimedBy(deps));
      const r = await deps.store.write(
        snap,
        { [RELEASE_FILE]: serialize(release), [decisionPath(req.sha)]: serialize(record) },
        `claim ${shortSha(req.sha)}: ALLOW ${ev.decision.reason} (${claimedBy(deps)})`,
      );
      if (r.kind !== 'written') {
        unconfirmed.count(r);
        deps.log(
          `Claim of ${shortSha(req.sha)} not confirmed (${r.detail}); deciding again from fresh state.`,
        );
        await backoff(deps, attempt);
        continue;
      }
      // What we just wrote is the state: the next write builds on it without reading it back.
      claimed = { head: r.head, release, decision: record };
    }
    report.stateCommit = claimed.head;

    let run: { id: number; url: string };
    try {
      run = await dispatchOnce(deps, config, req.sha);
    } catch (e) {
      // GitHub refused the dispatch outright (403, 404, 422): nothing started, so the claim is
      // withdrawn and a re-run after the fix decides afresh. An unknown outcome keeps the claim.
      if (e instanceof ApiError && e.status !== null && e.status < 500) {
        await writeState(
          deps,
          req.sha,
          (s2) => {
            const release = releaseClaim(s2.release, req.sha, claimedBy(deps));
            if (release === s2.release) return null;
            const record = s2.decision
              ? withLifecycle(s2.decision, { state: null, claimed_at: null })
              : null;
            return {
              files: {
                [RELEASE_FILE]: serialize(release),
                ...(record ? { [decisionPath(req.sha)]: serialize(record) } : {}),
              },
              message: `release ${shortSha(req.sha)}: dispatch refused (HTTP ${e.status})`,
            };
          },
          claimed,
        );
      }
      throw e;
    }
    const recorded = await recordDispatched(deps, req.sha, run.id, run.url, claimed);
    report.stateCommit = recorded ?? report.stateCommit;
    report.deployRunUrl = run.url;
    await publishStatus(
      deps,
      report,
      req.sha,
      'success',
      statusDescription(report),
      run.url,
      config.status_context,
    );
    return report;
  }
  throw new GovernorError(
    `Deciding ${shortSha(req.sha)} lost the race for the state branch ${MAX_WRITE_ATTEMPTS} times. Nothing was deployed.`,
    'Re-run the job.',
  );
}

/** Dispatch, then make sure we know the run: from the response, or by finding it. */
async function dispatchOnce(
  deps: GovernorDeps,
  config: Config,
  sha: string,
): Promise<{ id: number; url: string }> {
  let direct: { runId: number; url: string } | null = null;
  try {
    direct = await deps.gh.dispatch(config.deploy_workflow, config.deploy_workflow_ref, sha);
  } catch (e) {
    const status = e instanceof ApiError ? e.status : null;
    // A 5xx or a broken connection may come after GitHub created the run: look before anything else.
    if (status !== null && status < 500) throw e;
    deps.log(`The dispatch response was lost (${(e as Error).message}); looking for the run.`);
  }
  if (direct) return { id: direct.runId, url: direct.url };
  for (let i = 0; i < 5; i++) {
    const runs = await deps.gh.findDeployRuns(config.deploy_workflow, sha);
    const newest = runs.sort((a, b) => b.id - a.id)[0];
    if (newest) return { id: newest.id, url: newest.url };
    // GitHub lists a dispatched run within seconds: 1, 2, … 5 s apart by default.
    await deps.sleep(2 * deps.retryBaseMs * (i + 1));
  }
  throw new GovernorError(
    `Dispatched ${config.deploy_workflow} for ${shortSha(sha)} but could not find its run (no run titled with the SHA).`,
    `The claim stays on the state branch, so nothing is dispatched twice. Check the Actions tab for a run of ${config.deploy_workflow}; its run-name must contain the SHA (run-name: Deploy \${{ inputs.sha }}). Re-running the governor after ${CLAIM_GRACE_MS / 60_000} minutes takes the claim over if no run exists.`,
  );
}

async function recordDispatched(
  deps: GovernorDeps,
  sha: string,
  runId: number,
  url: string,
  first?: StateSnapshot,
): Promise<string | null> {
  const written = await writeState(
    deps,
    sha,
    (snap) => {
      const entry = snap.release.deploy_history.find((h) => h.sha === sha);
      if (!entry || entry.run_id === runId) return null;
      const record = snap.decision
        ? withLifecycle(snap.decision, {
            state: 'dispatched',
            dispatched_at: deps.now().toISOString(),
            run_id: runId,
            run_url: url,
          })
        : null;
      return {
        files: {
          [RELEASE_FILE]: serialize(markDispatched(snap.release, sha, runId, url)),
          ...(record ? { [decisionPath(sha)]: serialize(record) } : {}),
        },
        message: `dispatched ${shortSha(sha)}: run ${runId}`,
      };
    },
    first,
  );
  return written?.head ?? null;
}

// ------------------------------------------------------------------ observe

export async function observeDeploy(
  deps: GovernorDeps,
  run: WorkflowRunFacts,
  config: Config,
  snapshot: StateSnapshot,
): Promise<RunReport> {
  const report = emptyReport({
    outcome: 'SKIP',
    reason: 'not_a_release_candidate',
    runUrl: deps.run.url,
    dryRun: deps.dryRun,
    productionSha: snapshot.release.production_sha_current,
    environmentName: config.production_environment_name,
  });
  const byId = snapshot.release.deploy_history.find((h) => h.run_id === run.runId);
  const fromTitle = run.displayTitle.match(/\b[0-9a-f]{40}\b/)?.[0] ?? null;
  const sha = byId?.sha ?? fromTitle;
  if (!sha) {
    report.headline = `Deploy run ${run.runId} finished (${run.conclusion ?? 'unknown'}) but names no commit: its run-name has no full SHA and the governor did not dispatch it. Nothing was recorded; add \`run-name: Deploy \${{ inputs.sha }}\` to the deploy workflow.`;
    return report;
  }
  report.sha = sha;
  if (run.conclusion === null) {
    report.headline = `Deploy run ${run.runId} for ${shortSha(sha)} has not finished; nothing to record.`;
    return report;
  }
  const success = run.conclusion === 'success';
  // Recorded per (run id, attempt): a redelivered event is a no-op, a re-run is a new outcome.
  const already = recordedOutcome(snapshot.release, sha, run.runId, run.runAttempt);
  const attempt = run.runAttempt > 1 ? ` (attempt ${run.runAttempt})` : '';
  const url = run.htmlUrl ?? `run ${run.runId}`;
  if (deps.dryRun) {
    report.headline = `Deploy of ${shortSha(sha)} ${success ? 'succeeded' : `failed (${run.conclusion})`}; dry run, nothing recorded.`;
    return report;
  }

  let movesProduction = false;
  if (success) {
    const prod = snapshot.release.production_sha_current;
    movesProduction =
      prod === null || (prod !== sha && (await deps.gh.compare(prod, sha)).status === 'ahead');
  }
  // The state after recording: what was read, or what this run wrote on top of it.
  let after: StateSnapshot = snapshot;
  if (!already) {
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
  }
  report.productionSha = after.release.production_sha_current;

  if (success) {
    report.headline = `Deploy of ${shortSha(sha)} to ${config.production_environment_name} succeeded${attempt}${movesProduction ? '; production moved' : ' (production already contains it)'}.`;
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
              ? `Production is now at \`${sha}\`.`
              : `Production already contained \`${sha}\`; it did not move.`,
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
      'success',
      `Deployed to ${config.production_environment_name} · ${shortSha(sha)}`,
      url.startsWith('http') ? url : deps.run.url,
      config.status_context,
    );
    return report;
  }

  // Failure: one issue per SHA; later failures of the same SHA (a re-run, or a new run) comment
  // on it. Only this very attempt, already recorded and reported, is a no-op.
  const entry = after.release.deploy_history.find((h) => h.sha === sha && h.run_id === run.runId);
  if (already && entry?.issue_number) {
    report.headline = `Deploy of ${shortSha(sha)} failed (${run.conclusion})${attempt}; already reported in #${entry.issue_number}.`;
    return report;
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
  return report;
}

// ------------------------------------------------------------------ events

/** A workflow_run event: the deploy workflow's outcome, a release candidate, or neither. */
export async function handleWorkflowRun(
  deps: GovernorDeps,
  run: WorkflowRunFacts,
): Promise<RunReport> {
  // Read with the head SHA's decision record: for a release candidate it is the one we need.
  const snapshot = await deps.store.read(run.headSha);
  const productionSha = snapshot.release.production_sha_current;
  const configRef = productionSha ?? run.headSha;
  const read = await readConfig(deps, configRef, productionSha !== null);
  const { config, disabled } = read;
  const skip = (
    reason: 'disabled' | 'not_a_release_candidate' | 'verification_not_successful',
    headline: string,
  ) =>
    emptyReport({
      outcome: 'SKIP',
      reason,
      sha: run.headSha,
      productionSha,
      headline,
      runUrl: deps.run.url,
      dryRun: deps.dryRun,
    });
  if (disabled || !config) {
    const report = skip('disabled', read.why ?? 'The governor is disabled for this repository.');
    if (read.typo && read.why) report.warnings.push(read.why);
    return report;
  }
  const facts = { path: run.workflowPath, name: run.workflowName };
  if (sameWorkflow(config.deploy_workflow, facts))
    return observeDeploy(deps, run, config, snapshot);
  if (!sameWorkflow(config.verification_workflow, facts)) {
    return skip(
      'not_a_release_candidate',
      `Workflow "${run.workflowName}" is neither the verification workflow (${config.verification_workflow}) nor the deploy workflow (${config.deploy_workflow}).`,
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
  return decideAndAct(deps, { sha: run.headSha, manual: false }, { ...read, configRef, snapshot });
}
