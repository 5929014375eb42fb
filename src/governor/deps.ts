// What the governor runs on (its ports, clock and identity), its error type, and the small
// protocols every step shares: best-effort status and comments, and the state write with its
// compare-and-swap, re-read and bounded retries.
import { ConfigError, RETRY_BASE_VARIABLE } from '../domain/config-base.js';
import { shortSha } from '../domain/types.js';
import { isUnanswered } from '../adapters/api-error.js';
import type { RepoPort, StateSnapshot, WriteResult } from '../ports.js';
import type { StageStore } from './stage-store.js';
import type { HealthCheck, ProbeSample } from '../domain/health.js';
import {
  EVIDENCE_DRAFT,
  EVIDENCE_RETENTION,
  type EvidenceDraft,
  type EvidenceKind,
} from '../domain/evidence.js';

/** Claims younger than this belong to a run that may still be dispatching: never taken over. */
export const CLAIM_GRACE_MS = 10 * 60_000;
/** Attempts at a state write before giving up; docs/state.md says how it was chosen. */
export const MAX_WRITE_ATTEMPTS = 12;
/** Writes in a row that GitHub does not confirm (5xx, no answer) before the job gives up. */
export const MAX_UNCONFIRMED_WRITES = 4;

export interface GovernorDeps {
  gh: RepoPort;
  /** The state branch, presenting one stage (the last, until a stage is chosen). */
  store: StageStore;
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
  run: {
    id: number | null;
    attempt: number | null;
    url: string | null;
    source: 'action' | 'cli';
    /** Who started it (GITHUB_TRIGGERING_ACTOR, GITHUB_ACTOR; the CLI's user), for the evidence. */
    actor?: string | null;
    /** The event it runs for (workflow_run, schedule…; `cli`), for the evidence. */
    event?: string | null;
  };
  log: (message: string) => void;
  /** Probes a health URL for the check's duration (adapters/http-probe.ts). */
  probe: (check: HealthCheck, log: (message: string) => void) => Promise<ProbeSample[]>;
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

/**
 * What a step has to say beside its verdict: notes for the reader of the summary, and warnings
 * kept loud (a status GitHub did not take). A flow owns one and builds its report from it once,
 * at its end (report/summary.ts buildReport); the report itself is never handed to a step.
 */
export class Remarks {
  readonly notes: string[] = [];
  readonly warnings: string[] = [];

  note(message: string): void {
    this.notes.push(message);
  }

  warn(message: string): void {
    this.warnings.push(message);
  }
}

/**
 * The evidence of a state change (SPEC §17), carried by the write that makes the change: the
 * store seals it onto the chain in the same commit.
 */
export function evidence(
  deps: GovernorDeps,
  { kind, sha, keepDays }: { kind: EvidenceKind; sha: string; keepDays: number },
  body: Record<string, unknown>,
): Record<string, string> {
  const draft: EvidenceDraft = {
    kind,
    time: deps.now().toISOString(),
    sha,
    stage: deps.store.target?.stage ?? null,
    // Services (§20): which service the record is about (absent without services).
    ...(deps.store.target?.service ? { service: deps.store.target.service } : {}),
    run: {
      id: deps.run.id,
      attempt: deps.run.attempt,
      url: deps.run.url,
      actor: deps.run.actor ?? null,
      event: deps.run.event ?? null,
    },
    ...body,
  };
  return { [EVIDENCE_DRAFT]: JSON.stringify(draft), [EVIDENCE_RETENTION]: String(keepDays) };
}

export function claimedBy(deps: GovernorDeps): string {
  return `${deps.run.source}:${deps.run.id ?? 'local'}/${deps.run.attempt ?? 1}`;
}

/**
 * Whether a claim was made by an earlier attempt of this same workflow run. GitHub starts a
 * re-run attempt only after the previous attempt has finished, so such a claimant is gone.
 */
export function isEarlierAttempt(claimant: string | null | undefined, deps: GovernorDeps): boolean {
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
export async function publishStatus(
  said: Remarks,
  deps: GovernorDeps,
  ...status: Parameters<RepoPort['setStatus']>
): Promise<void> {
  try {
    await deps.gh.setStatus(...status);
  } catch (e) {
    if (!isUnanswered(e)) throw e;
    const [sha, , , , context] = status;
    said.warn(
      `The commit status ${context} could not be set on ${shortSha(sha)}: ${(e as Error).message}. The verdict above stands and is recorded on the state branch.`,
    );
  }
}

/**
 * A comment that is not repeated when GitHub does not answer (one that did land would be posted
 * twice): the recorded outcome stands, and the report says the comment may be missing.
 */
export async function bestEffort(
  said: Remarks,
  what: string,
  call: () => Promise<unknown>,
): Promise<void> {
  try {
    await call();
  } catch (e) {
    if (!isUnanswered(e)) throw e;
    said.warn(`GitHub did not confirm ${what} (${(e as Error).message}); it may be missing.`);
  }
}

export function backoff(deps: GovernorDeps, attempt: number): Promise<void> {
  // Full jitter over a window that grows to 4 × the base (2 s by default): ten runs racing
  // spread out quickly.
  const base = deps.retryBaseMs;
  return deps.sleep(Math.floor(deps.random() * Math.min(4 * base, (base / 5) * 2 ** attempt)));
}

/**
 * Counts state writes GitHub did not confirm. Re-reading after one is safe (the commit either
 * exists or not, and `build` sees which), but a GitHub that keeps failing is reported as such,
 * not as a race.
 */
export class UnconfirmedWrites {
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

/** The base of every backoff when RELEASE_GOVERNOR_RETRY_BASE_MS is not set. */
export const DEFAULT_RETRY_BASE_MS = 500;

/**
 * The retry base from the environment (a runtime setting, not policy): the base of every
 * backoff — a failed idempotent request, a lost race on the state branch, looking for a
 * dispatched run. An integer of milliseconds, 0 to 60000.
 */
export function retryBaseMs(env: Record<string, string | undefined>): number {
  const raw = (env[RETRY_BASE_VARIABLE] ?? '').trim();
  if (raw === '') return DEFAULT_RETRY_BASE_MS;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n <= 60_000))
    throw new ConfigError([
      {
        key: '',
        where: `env ${RETRY_BASE_VARIABLE}`,
        message: `must be a whole number of milliseconds from 0 to 60000 (default ${DEFAULT_RETRY_BASE_MS}); got ${JSON.stringify(raw.slice(0, 40))}`,
      },
    ]);
  return n;
}
