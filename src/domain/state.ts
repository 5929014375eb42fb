// The files of the state branch (SPEC §8) and the pure transitions between their versions.
// Reading validates with a schema: anything unexpected is state_corrupt, never a guess.
import { z } from 'zod';
import type { ApprovalResult } from './approvals.js';
import type { HealthResult } from './health.js';
import type { RiskAssessment } from './risk.js';
import {
  isFullSha,
  type DeployEntry,
  type Lifecycle,
  type Outcome,
  type ReasonCode,
  type Risk,
} from './types.js';

/** release.json: 2 keeps one state per stage under `stages` (1, one stage, is read and migrated). */
export const STATE_SCHEMA_VERSION = 2;
/** release.json with services (SPEC §20): each service's stages under `services.<name>.stages`. */
export const SERVICES_SCHEMA_VERSION = 3;
/** decisions/<sha>.json */
export const DECISION_SCHEMA_VERSION = 1;
/** deploy_history keeps this many entries, newest first. */
export const HISTORY_LIMIT = 100;
/** A decision record keeps this many evaluations, newest last. */
export const EVALUATIONS_LIMIT = 50;
export const RELEASE_FILE = 'release.json';

export const decisionPath = (sha: string): string => `decisions/${sha}.json`;

export class StateCorruptError extends Error {
  readonly reason = 'state_corrupt';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(
      `State file ${path} is unusable: ${problem}. The state branch was left exactly as it was.`,
    );
    this.name = 'StateCorruptError';
  }
}

/**
 * The state files' schemas, built on first use: a read's answer is parsed after the run's first
 * request is on its way, so building them does not delay it (SPEC §13).
 */
function buildSchemas() {
  const sha = z.string().refine(isFullSha, 'must be a full 40-character SHA');

  const isoTime = z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time');

  const result = z.enum(['pending', 'success', 'failure']).nullable();

  const historyEntry = z.looseObject({
    sha,
    time: isoTime,
    result,
    run_id: z.number().int().nullable(),
    run_url: z.string().nullable(),
    /** The run attempt whose outcome is recorded: a re-run keeps the run id and raises this. */
    run_attempt: z.number().int().nullable().optional(),
    completed_at: isoTime.nullable().optional(),
    conclusion: z.string().nullable().optional(),
    issue_number: z.number().int().nullable().optional(),
    /** Who claimed it: the governor run (id and attempt), or 'observed' for a deploy we did not dispatch. */
    claimed_by: z.string().nullable().optional(),
    /** A stage with a health check (§15): pending until it passed or failed. */
    health_check: z.enum(['pending', 'passed', 'failed']).nullable().optional(),
    /** This entry is the automatic or manual rollback of the stage away from that SHA. */
    rollback_of: sha.nullable().optional(),
    /** This deploy was rolled back (its SHA is held there until approved again). */
    rolled_back_at: isoTime.nullable().optional(),
    /** The version tag the deploy was dispatched with (§18), e.g. v1.2.0. */
    version: z.string().nullable().optional(),
    /** The GitHub deployment recorded for this deploy (§21), when one was created. */
    deployment_id: z.number().int().nullable().optional(),
    /**
     * The deployed range's newest commit times (at most COMMIT_TIMES_KEPT), and how many commits it
     * had: the lead time a reconcile's summary shows without reading the evidence (§23).
     */
    commit_times: z.array(isoTime).optional(),
    commits: z.number().int().nonnegative().optional(),
    /** A break-glass deploy (§16): rework, and a failure of the deploy before it within 24 h. */
    break_glass: z.boolean().optional(),
  });

  /** The deploy fields a stage and the top level of release.json share, by the same names. */
  const deployFields = {
    last_deploy_attempt_sha: sha.nullable(),
    last_deploy_time: isoTime.nullable(),
    last_deploy_result: result,
    last_deploy_run_url: z.string().nullable(),
    last_health_check: z.unknown().nullable(),
    deploy_history: z.array(historyEntry),
    /**
     * Services (§20): the newest commit known to change none of the service's paths since
     * current_sha, so reconcile does not compare it again. Absent without services.
     */
    unaffected_sha: sha.nullable().optional(),
  };

  /** One stage's state: the top-level fields of release.json, for that stage (SPEC §14). */
  const stageSchema = z.looseObject({
    current_sha: sha.nullable(),
    previous_sha: sha.nullable(),
    /** When current_sha became live here, and when it was verified (deploy and health check passed). */
    live_since: isoTime.nullable(),
    verified_at: isoTime.nullable(),
    ...deployFields,
  });

  const releaseSchema = z.looseObject({
    schema_version: z.union([
      z.literal(1),
      z.literal(STATE_SCHEMA_VERSION),
      z.literal(SERVICES_SCHEMA_VERSION),
    ]),
    production_sha_current: sha.nullable(),
    production_sha_previous: sha.nullable(),
    ...deployFields,
    /** Version 2: every stage by name; the top-level fields above mirror the last stage. */
    stages: z.record(z.string(), stageSchema).optional(),
    /**
     * Version 3 (SPEC §20): every service's stages by name; the top-level fields and `stages`
     * mirror the first service listed in the config.
     */
    services: z
      .record(z.string(), z.looseObject({ stages: z.record(z.string(), stageSchema) }))
      .optional(),
    /**
     * Version 3: the SHA most recently deployed successfully to any service and stage, whose config
     * is the trusted policy (null: none yet). Absent before services: production's SHA is.
     */
    policy_sha: sha.nullable().optional(),
    /**
     * The config file at production_sha_current (§19): the trusted policy, copied when production
     * moves so that one read brings state and policy. Used only while `commit` is production's.
     */
    policy: z
      .object({ commit: sha, path: z.string(), blob_sha: z.string(), text: z.string() })
      .nullable()
      .optional(),
    /**
     * production_sha_current has no config file at `path` (a running production adopted from
     * before the governor, SPEC §3): known without asking, while `commit` is production's.
     */
    policy_absent: z.object({ commit: sha, path: z.string() }).nullable().optional(),
    /** The last evidence record (§17): its seq and hash. */
    evidence_head: z
      .object({ seq: z.number().int().min(1), hash: z.string().regex(/^[0-9a-f]{64}$/) })
      .nullable()
      .optional(),
  });

  const recordIndexSchema = z.looseObject({
    schema_version: z.literal(1),
    sha,
    records: z.array(z.string()),
  });

  const evaluation = z.looseObject({
    run_id: z.number().int().nullable(),
    run_attempt: z.number().int().nullable(),
    at: isoTime,
    outcome: z.enum(['ALLOW', 'HOLD', 'SKIP']),
    reason: z.string(),
    risk: z.enum(['LOW', 'MEDIUM', 'HIGH']).nullable(),
    production_sha: sha.nullable(),
    source: z.string().optional(),
  });

  const decisionSchema = z.looseObject({
    schema_version: z.literal(DECISION_SCHEMA_VERSION),
    sha,
    decision: z.looseObject({
      outcome: z.enum(['ALLOW', 'HOLD', 'SKIP']),
      reason: z.string(),
      risk: z.enum(['LOW', 'MEDIUM', 'HIGH']).nullable(),
    }),
    production_sha: sha.nullable(),
    config_digest: z.string().nullable(),
    risk_paths: z.array(
      z.looseObject({
        source: z.string(),
        pattern: z.string(),
        level: z.string(),
        paths: z.array(z.string()),
        count: z.number().int(),
      }),
    ),
    risk_incomplete: z.string().nullable().optional(),
    approvals: z.looseObject({ valid: z.array(z.unknown()), ignored: z.array(z.unknown()) }),
    evaluations: z.array(evaluation),
    lifecycle: z.looseObject({
      state: z.enum(['claimed', 'dispatched', 'succeeded', 'failed', 'rolled_back']).nullable(),
      claimed_at: isoTime.nullable(),
      dispatched_at: isoTime.nullable(),
      run_id: z.number().int().nullable(),
      run_url: z.string().nullable(),
      run_attempt: z.number().int().nullable().optional(),
      finished_at: isoTime.nullable(),
      conclusion: z.string().nullable(),
      issue_number: z.number().int().nullable(),
    }),
  });
  return {
    sha,
    isoTime,
    result,
    historyEntry,
    deployFields,
    stageSchema,
    releaseSchema,
    recordIndexSchema,
    evaluation,
    decisionSchema,
  };
}
type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | null = null;
const schemas = (): Schemas => (built ??= buildSchemas());

export type HistoryEntry = z.infer<Schemas['historyEntry']>;

export type StageState = z.infer<Schemas['stageSchema']>;

export type Release = z.infer<Schemas['releaseSchema']>;

export function emptyRelease(): Release {
  return {
    schema_version: STATE_SCHEMA_VERSION,
    production_sha_current: null,
    production_sha_previous: null,
    last_deploy_attempt_sha: null,
    last_deploy_time: null,
    last_deploy_result: null,
    last_deploy_run_url: null,
    last_health_check: null,
    deploy_history: [],
    stages: {},
  };
}

// ---------------------------------------------------------------- stages (schema 2)

/**
 * One stage of the release, shaped like a single-stage release.json, so every transition below
 * works on it unchanged: the stage's entry under `stages`, or — for the last stage of a version 1
 * file, which describes exactly that stage — the top-level fields.
 */
export function stageView(release: Release, stage: string, isLast: boolean): Release {
  const s = release.stages?.[stage];
  const base = emptyRelease();
  delete base.stages;
  const policy = release.policy_sha !== undefined ? { policy_sha: release.policy_sha } : {};
  if (s)
    return {
      ...base,
      ...policy,
      production_sha_current: s.current_sha,
      production_sha_previous: s.previous_sha,
      ...deployPart(s),
    };
  if (!isLast) return { ...base, ...policy };
  const { stages: _stages, services: _services, ...top } = release;
  return { ...top, schema_version: STATE_SCHEMA_VERSION };
}

/**
 * The commit whose config is the trusted policy (SPEC §3, §20): with services the SHA most
 * recently deployed to any service and stage, else production's.
 */
export function policyShaOf(release: Release): string | null {
  return release.policy_sha !== undefined ? release.policy_sha : release.production_sha_current;
}

// ---------------------------------------------------------------- services (schema 3)

/** A service as the state lays it out: its name and its last stage (its production). */
export interface ServiceLayout {
  name: string;
  lastStage: string;
}

/**
 * One service's state shaped like a version-2 release.json (its stages, its last stage mirrored
 * at the top), so every stage transition works on it unchanged. A file from before services
 * (version 1 or 2) is the one deployable every service was deployed as: each service starts as
 * a copy of it (SPEC §20); a service new to a version-3 file starts empty.
 */
export function serviceView(release: Release, service: ServiceLayout): Release {
  const { services, policy_sha: _policy, ...rest } = release;
  // Before services the policy is production's: every service keeps judging by it.
  const base = { policy_sha: policyShaOf(release) };
  if (!services) {
    const { stages, ...top } = rest;
    const migrated = { ...(stages ?? {}) };
    // A version-1 file (or a version-2 file without this stage) describes the last stage at the
    // top level.
    if (!migrated[service.lastStage] && top.production_sha_current !== null) {
      const current = stageView(release, service.lastStage, true);
      migrated[service.lastStage] = {
        current_sha: current.production_sha_current,
        previous_sha: current.production_sha_previous,
        live_since: null,
        verified_at: null,
        ...deployPart(current),
      };
    }
    return { ...top, ...base, schema_version: STATE_SCHEMA_VERSION, stages: migrated };
  }
  const own = services[service.name];
  const empty = emptyRelease();
  if (!own) return { ...empty, ...base, ...sharedPart(release) };
  const last = own.stages[service.lastStage];
  return {
    ...empty,
    ...base,
    ...sharedPart(release),
    stages: own.stages,
    ...(last
      ? {
          production_sha_current: last.current_sha,
          production_sha_previous: last.previous_sha,
          ...deployPart(last),
        }
      : {}),
  };
}

/** What every service's view shares with the whole file: the policy copy and the evidence head. */
function sharedPart(release: Release): Partial<Release> {
  return {
    ...(release.policy !== undefined ? { policy: release.policy } : {}),
    ...(release.policy_absent !== undefined ? { policy_absent: release.policy_absent } : {}),
    ...(release.evidence_head !== undefined ? { evidence_head: release.evidence_head } : {}),
  };
}

/**
 * The whole release.json (version 3) with one service replaced by its new view. A file from
 * before services is migrated here: every service of `layout` starts from it. The top level and
 * its `stages` mirror the first service of `layout`; `policy_sha` moves to a SHA that a stage of
 * the service now runs that it did not before.
 */
export function withService(
  release: Release,
  layout: readonly ServiceLayout[],
  service: string,
  view: Release,
): Release {
  const services: Record<string, { stages: Record<string, StageState> }> = release.services
    ? { ...release.services }
    : Object.fromEntries(
        layout.map((l) => [l.name, { stages: { ...(serviceView(release, l).stages ?? {}) } }]),
      );
  const before = serviceView(
    release,
    layout.find((l) => l.name === service) ?? { name: service, lastStage: '' },
  );
  const stages = view.stages ?? {};
  const old = services[service];
  services[service] = { ...(old ?? {}), stages };
  let policySha = release.services ? (release.policy_sha ?? null) : policyShaOf(release);
  for (const [name, st] of Object.entries(stages)) {
    const was = before.stages?.[name]?.current_sha ?? null;
    if (st.current_sha !== null && st.current_sha !== was) policySha = st.current_sha;
  }
  const first = layout[0] ?? { name: service, lastStage: '' };
  const mirror = services[first.name]?.stages ?? {};
  const top = mirror[first.lastStage];
  return {
    ...release,
    ...sharedPart(view),
    schema_version: SERVICES_SCHEMA_VERSION,
    production_sha_current: top?.current_sha ?? null,
    production_sha_previous: top?.previous_sha ?? null,
    ...(top ? deployPart(top) : deployPart(emptyRelease())),
    stages: mirror,
    services,
    policy_sha: policySha,
  };
}

/** The stage's last health check, when it is about `sha`. */
function healthOf(
  view: Release,
  sha: string | null,
): { verdict: string; finished_at?: string | null } | null {
  const c = view.last_health_check as { sha?: unknown; verdict?: unknown; finished_at?: unknown };
  if (!c || typeof c !== 'object' || c.sha !== sha || typeof c.verdict !== 'string') return null;
  return {
    verdict: c.verdict,
    finished_at: typeof c.finished_at === 'string' ? c.finished_at : null,
  };
}

/** A stage's live and verified times after its view changed. */
function stageTimes(
  old: StageState | undefined,
  view: Release,
  now: Date,
): Pick<StageState, 'live_since' | 'verified_at'> {
  const current = view.production_sha_current;
  const check = healthOf(view, current);
  if (old && old.current_sha === current)
    return {
      live_since: old.live_since,
      // Verified when its health check passes (§15); a failed check never verifies it.
      verified_at:
        old.verified_at ?? (check?.verdict === 'pass' ? (check.finished_at ?? null) : null),
    };
  if (current === null) return { live_since: null, verified_at: null };
  // The SHA became current through a successful deploy (or an operator's adopt): live now, and
  // verified now unless its health check is still to come.
  const at = now.toISOString();
  return { live_since: at, verified_at: check?.verdict === 'pending' ? null : at };
}

/** The whole release.json (version 2) with one stage replaced by its new view. */
export function withStage(
  release: Release,
  stage: string,
  isLast: boolean,
  view: Release,
  now: Date,
): Release {
  const old = release.stages?.[stage];
  const state: StageState = {
    current_sha: view.production_sha_current,
    previous_sha: view.production_sha_previous,
    ...stageTimes(old, view, now),
    ...deployPart(view),
  };
  const next: Release = {
    ...release,
    schema_version: STATE_SCHEMA_VERSION,
    stages: { ...release.stages, [stage]: state },
  };
  if (!isLast) return next;
  return {
    ...next,
    production_sha_current: view.production_sha_current,
    production_sha_previous: view.production_sha_previous,
    ...deployPart(view),
  };
}

/** The shared deploy fields of a stage or of the top level (nothing else, unknown fields aside). */
function deployPart(
  x: Pick<StageState, keyof Schemas['deployFields']>,
): Pick<StageState, keyof Schemas['deployFields']> {
  return {
    last_deploy_attempt_sha: x.last_deploy_attempt_sha,
    last_deploy_time: x.last_deploy_time,
    last_deploy_result: x.last_deploy_result,
    last_deploy_run_url: x.last_deploy_run_url,
    last_health_check: x.last_health_check,
    deploy_history: x.deploy_history,
    ...(x.unaffected_sha !== undefined ? { unaffected_sha: x.unaffected_sha } : {}),
  };
}

/**
 * Where a stage keeps the SHA's decision record: the last stage at the historic path; with
 * services `decisions/<service>/<stage>/<sha>.json` (SPEC §20).
 */
export function stageDecisionPath(
  target: string,
  stage: string,
  isLast: boolean,
  service: string | null = null,
): string {
  if (service !== null) return `decisions/${service}/${stage}/${target}.json`;
  return isLast ? decisionPath(target) : `decisions/${stage}/${target}.json`;
}

/**
 * Services (§20): the index of a SHA's decision records — which `decisions/<service>/<stage>/`
 * records it has — kept in the commit that writes any of them, so that a decision's one state
 * read knows, with the state, whether the records it appends to exist.
 */
export const recordIndexPath = (sha: string): string => `decisions/${sha}.services.json`;

export function parseRecordIndex(text: string, path: string): string[] {
  const r = schemas().recordIndexSchema.safeParse(parseJson(text, path));
  if (!r.success) throw new StateCorruptError(path, problems(r.error));
  return r.data.records;
}

export function serializeRecordIndex(target: string, records: readonly string[]): string {
  return serialize({ schema_version: 1, sha: target, records: [...new Set(records)].sort() });
}

/** A service's record path (`decisions/<service>/<stage>/<sha>.json`): its SHA, else null. */
export function serviceRecordSha(path: string): string | null {
  return (
    /^decisions\/[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*\/([0-9a-f]{40})\.json$/.exec(path)?.[1] ??
    null
  );
}

function problems(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new StateCorruptError(path, `invalid JSON (${(e as Error).message})`);
  }
}

function checkVersion(value: unknown, path: string, known: number): void {
  const v = (value as { schema_version?: unknown } | null)?.schema_version;
  if (typeof v === 'number' && v > known) {
    throw new StateCorruptError(
      path,
      `schema_version ${v} is newer than this governor understands (${known}); upgrade the action instead of overwriting newer state`,
    );
  }
}

export function parseRelease(text: string, path = RELEASE_FILE): Release {
  const value = parseJson(text, path);
  checkVersion(value, path, SERVICES_SCHEMA_VERSION);
  const r = schemas().releaseSchema.safeParse(value);
  if (!r.success) throw new StateCorruptError(path, problems(r.error));
  return r.data;
}

// ---------------------------------------------------------------- decision records

export type DecisionRecord = z.infer<Schemas['decisionSchema']>;

export function parseDecisionRecord(text: string, path: string): DecisionRecord {
  const value = parseJson(text, path);
  checkVersion(value, path, DECISION_SCHEMA_VERSION);
  const r = schemas().decisionSchema.safeParse(value);
  if (!r.success) throw new StateCorruptError(path, problems(r.error));
  return r.data;
}

/** A SHA that was never claimed: every lifecycle field present, null. */
function noLifecycle(): DecisionRecord['lifecycle'] {
  return {
    state: null,
    claimed_at: null,
    dispatched_at: null,
    run_id: null,
    run_url: null,
    finished_at: null,
    conclusion: null,
    issue_number: null,
  };
}

export interface EvaluationContext {
  runId: number | null;
  runAttempt: number | null;
  now: Date;
  configDigest: string | null;
  /** 'action', 'cli' or 'observed'. */
  source: string;
}

/** The decision record after one more evaluation of the SHA. */
export function recordEvaluation(
  previous: DecisionRecord | null,
  f: {
    sha: string;
    decision: { outcome: Outcome; reason: ReasonCode; risk: Risk | null };
    productionSha: string | null;
    assessment: RiskAssessment | null;
    approvals: ApprovalResult | null;
  },
  ctx: EvaluationContext,
): DecisionRecord {
  const evaluations = [
    ...(previous?.evaluations ?? []),
    {
      run_id: ctx.runId,
      run_attempt: ctx.runAttempt,
      at: ctx.now.toISOString(),
      outcome: f.decision.outcome,
      reason: f.decision.reason,
      risk: f.decision.risk,
      production_sha: f.productionSha,
      source: ctx.source,
    },
  ].slice(-EVALUATIONS_LIMIT);
  return {
    schema_version: DECISION_SCHEMA_VERSION,
    sha: f.sha,
    decision: { outcome: f.decision.outcome, reason: f.decision.reason, risk: f.decision.risk },
    production_sha: f.productionSha,
    config_digest: ctx.configDigest,
    risk_paths: (f.assessment?.matches ?? []).map((m) => ({
      source: m.source,
      pattern: m.pattern,
      level: m.level,
      paths: m.paths,
      count: m.count,
    })),
    risk_incomplete: f.assessment?.incompleteReason ?? null,
    approvals: {
      valid: (f.approvals?.valid ?? []).map((a) => ({
        ...a,
        covers: a.covers === 'all' ? 'all' : a.covers.slice(0, 50),
      })),
      ignored: f.approvals?.ignored ?? [],
    },
    evaluations,
    lifecycle: previous?.lifecycle ?? noLifecycle(),
  };
}

export function withLifecycle(
  record: DecisionRecord,
  patch: Partial<DecisionRecord['lifecycle']>,
): DecisionRecord {
  return { ...record, lifecycle: { ...record.lifecycle, ...patch } };
}

// ---------------------------------------------------------------- release.json transitions

/** This SHA's lifecycle as the history tells it (newest entry wins). */
export function lifecycleOf(release: Release, target: string): Lifecycle | null {
  const e = release.deploy_history.find((h) => h.sha === target);
  if (!e) return release.production_sha_current === target ? 'succeeded' : null;
  if (e.rolled_back_at) return 'rolled_back';
  if (e.result === 'success') return 'succeeded';
  if (e.result === 'failure') return 'failed';
  return e.run_id === null ? 'claimed' : 'dispatched';
}

/** The newest claim or dispatch that has not finished, if any. */
export function inFlight(release: Release): HistoryEntry | null {
  return release.deploy_history.find((h) => h.result === 'pending') ?? null;
}

export function historyForRules(release: Release): DeployEntry[] {
  return release.deploy_history.map((h) => ({
    sha: h.sha,
    time: h.time,
    result: h.result,
    completed_at: h.completed_at ?? null,
  }));
}

function bounded(history: HistoryEntry[]): HistoryEntry[] {
  return history.slice(0, HISTORY_LIMIT);
}

/** A history entry keeps this many of its range's commit times (the newest). */
export const COMMIT_TIMES_KEPT = 20;

/** What a claim records beside the SHA: its version, its range's commit times, break-glass. */
export interface ClaimExtras {
  version?: string | null;
  /** The deployed range's commit times, oldest first (the compare's order). */
  commitTimes?: readonly string[];
  /** The range's size, when the compare counted more commits than it listed. */
  commits?: number;
  breakGlass?: boolean;
}

export function claim(
  release: Release,
  target: string,
  now: Date,
  claimedBy: string,
  { version = null, commitTimes, commits, breakGlass }: ClaimExtras = {},
): Release {
  const time = now.toISOString();
  return {
    ...release,
    last_deploy_attempt_sha: target,
    last_deploy_time: time,
    last_deploy_result: 'pending',
    last_deploy_run_url: null,
    deploy_history: bounded([
      {
        sha: target,
        time,
        result: 'pending',
        run_id: null,
        run_url: null,
        completed_at: null,
        claimed_by: claimedBy,
        ...(version ? { version } : {}),
        ...(commitTimes
          ? {
              commit_times: commitTimes.slice(-COMMIT_TIMES_KEPT),
              commits: Math.max(commits ?? 0, commitTimes.length),
            }
          : {}),
        ...(breakGlass ? { break_glass: true } : {}),
      },
      // A claim taken over (its claimant died before dispatching) is replaced, not kept: it
      // never had a run, and it must not count as a deploy for the rate limit.
      ...release.deploy_history.filter(
        (h) => !(h.sha === target && h.run_id === null && h.result === 'pending'),
      ),
    ]),
  };
}

/**
 * Withdraws this run's claim when the dispatch was refused (a 4xx: nothing was started), so
 * the fix and a re-run are not blocked by a claim that will never have a run.
 */
export function releaseClaim(release: Release, target: string, claimedBy: string): Release {
  return dropEntries(
    release,
    (h) =>
      h.sha === target && h.result === 'pending' && h.run_id === null && h.claimed_by === claimedBy,
  );
}

/** The history without some entries; the last_deploy_* fields follow the newest that stays. */
function dropEntries(release: Release, drop: (h: HistoryEntry) => boolean): Release {
  const history = release.deploy_history.filter((h) => !drop(h));
  if (history.length === release.deploy_history.length) return release;
  const previous = history[0] ?? null;
  return {
    ...release,
    deploy_history: history,
    last_deploy_attempt_sha: previous?.sha ?? null,
    last_deploy_time: previous?.time ?? null,
    last_deploy_result: previous?.result ?? null,
    last_deploy_run_url: previous?.run_url ?? null,
  };
}

/** The history with the first entry that `match` picks patched (newest first). */
function updateEntry(
  release: Release,
  match: (h: HistoryEntry) => boolean,
  patch: Partial<HistoryEntry>,
): Release {
  let done = false;
  const history = release.deploy_history.map((h) => {
    if (done || !match(h)) return h;
    done = true;
    return { ...h, ...patch };
  });
  if (!done) throw new Error('no deploy_history entry matches');
  return { ...release, deploy_history: history };
}

export function markDispatched(
  release: Release,
  target: string,
  runId: number,
  runUrl: string,
  deploymentId: number | null = null,
): Release {
  const next = updateEntry(release, (h) => h.sha === target, {
    run_id: runId,
    run_url: runUrl,
    ...(deploymentId !== null ? { deployment_id: deploymentId } : {}),
  });
  return next.last_deploy_attempt_sha === target ? { ...next, last_deploy_run_url: runUrl } : next;
}

export interface Finished {
  sha: string;
  success: boolean;
  conclusion: string;
  /** null for a deploy recorded by hand without a run (`release-governor record`). */
  runId: number | null;
  /** GitHub's run_attempt: 1, then 2, 3… for each re-run of the same run id. */
  runAttempt: number;
  runUrl: string;
  now: Date;
  issueNumber?: number | null;
  /** A success on a stage with a health check: the check to come (verdict pending). */
  health?: HealthResult | null;
}

/**
 * The history entry that already records this attempt's outcome (or a later attempt's) of the
 * run, if any. A redelivered event is then a no-op; a re-run (a higher attempt) is not.
 */
export function recordedOutcome(
  release: Release,
  target: string,
  runId: number,
  attempt: number,
): HistoryEntry | null {
  return (
    release.deploy_history.find(
      (h) =>
        h.sha === target &&
        h.run_id === runId &&
        h.result !== 'pending' &&
        (h.run_attempt ?? 1) >= attempt,
    ) ?? null
  );
}

/**
 * Records a finished deploy. A deploy the governor did not dispatch gets a history entry of its
 * own. Success moves production forward — never backwards: a success for a SHA that production
 * already contains is recorded but does not move production_sha_current (the caller checks
 * ancestry and passes `movesProduction`).
 */
export function markFinished(release: Release, f: Finished, movesProduction: boolean): Release {
  const time = f.now.toISOString();
  // The entry of that run (a SHA deployed twice has two), else the SHA's unfinished entry, else
  // a new one: a deploy the governor did not dispatch, or one recorded by hand.
  const sameRun = (h: HistoryEntry) => h.sha === f.sha && f.runId !== null && h.run_id === f.runId;
  const pending = (h: HistoryEntry) => h.sha === f.sha && h.result === 'pending';
  const match = release.deploy_history.some(sameRun)
    ? sameRun
    : release.deploy_history.some(pending)
      ? pending
      : null;
  const base: Release = match
    ? release
    : {
        ...release,
        deploy_history: bounded([
          {
            sha: f.sha,
            time,
            result: 'pending' as const,
            run_id: f.runId,
            run_url: f.runUrl,
            completed_at: null,
            claimed_by: f.runId === null ? 'recorded' : 'observed',
          },
          ...release.deploy_history,
        ]),
      };
  let next = updateEntry(base, match ?? pending, {
    result: f.success ? 'success' : 'failure',
    run_id: f.runId,
    run_attempt: f.runAttempt,
    run_url: f.runUrl,
    // A re-run that fails again restarts the cooldown from its own end.
    completed_at: time,
    conclusion: f.conclusion,
    ...(f.issueNumber !== undefined ? { issue_number: f.issueNumber } : {}),
    ...(f.success && f.health ? { health_check: 'pending' as const } : {}),
  });
  next = {
    ...next,
    last_deploy_attempt_sha: f.sha,
    last_deploy_result: f.success ? 'success' : 'failure',
    last_deploy_run_url: f.runUrl,
    last_deploy_time: next.last_deploy_time ?? time,
    ...(f.success && f.health ? { last_health_check: f.health } : {}),
  };
  if (f.success && movesProduction && next.production_sha_current !== f.sha) {
    next = {
      ...next,
      production_sha_previous: next.production_sha_current,
      production_sha_current: f.sha,
    };
  }
  return next;
}

// ---------------------------------------------------------------- health checks and rollback (§15)

/** The deploy entry a health check is about: that run's, else the SHA's newest success. */
function checkedEntry(release: Release, target: string, runId: number | null) {
  return (h: HistoryEntry) =>
    h.sha === target &&
    (runId !== null && release.deploy_history.some((x) => x.sha === target && x.run_id === runId)
      ? h.run_id === runId
      : h.result === 'success' || h.health_check === 'failed');
}

/**
 * Records a health check of the stage's deploy of `target`: started (pending) or concluded. A
 * failed check makes the deploy failed (`health_check_failed`), which starts the cooldown.
 */
export function withHealthCheck(
  release: Release,
  target: string,
  runId: number | null,
  result: HealthResult,
): Release {
  const state =
    result.verdict === 'pending' ? 'pending' : result.verdict === 'pass' ? 'passed' : 'failed';
  const failed = state === 'failed';
  const next = updateEntry(release, checkedEntry(release, target, runId), {
    health_check: state,
    ...(failed
      ? {
          result: 'failure' as const,
          conclusion: 'health_check_failed',
          completed_at: result.finished_at,
        }
      : {}),
  });
  return {
    ...next,
    last_health_check: result,
    ...(failed && next.last_deploy_attempt_sha === target
      ? { last_deploy_result: 'failure' as const }
      : {}),
  };
}

/**
 * Where a rollback away from `bad` goes: the stage's newest SHA whose deploy and health check
 * both passed and that was never rolled back; null when there is none.
 */
export function healthyTarget(release: Release, bad: string): string | null {
  const ok = release.deploy_history.find(
    (h) =>
      h.sha !== bad &&
      h.result === 'success' &&
      h.health_check !== 'pending' &&
      h.health_check !== 'failed' &&
      !h.rolled_back_at,
  );
  return ok?.sha ?? null;
}

/** The rollback away from `bad`, claimed or dispatched, if there is one. */
export function rollbackOf(release: Release, bad: string): HistoryEntry | null {
  return release.deploy_history.find((h) => h.rollback_of === bad) ?? null;
}

/** Claims the rollback: `target` is claimed for deploy, and `bad` is marked rolled back. */
export function claimRollback(
  release: Release,
  bad: string,
  target: string,
  now: Date,
  claimedBy: string,
): Release {
  // A SHA adopted without a history entry of its own has nothing to mark.
  const marked = release.deploy_history.some((h) => h.sha === bad)
    ? updateEntry(release, (h) => h.sha === bad, { rolled_back_at: now.toISOString() })
    : release;
  // The rollback deploys the target's own version again (§18: a rollback creates no tag).
  const claimed = claim(marked, target, now, claimedBy, { version: versionOf(release, target) });
  return updateEntry(claimed, (h) => h.sha === target && h.result === 'pending', {
    rollback_of: bad,
  });
}

// ---------------------------------------------------------------- operator changes (the CLI)

/** What an operator did to the state by hand, kept in the SHA's decision record. */
export interface OperatorNote {
  at: string;
  /** adopt, record or clear. */
  action: string;
  by: string;
  reason: string | null;
  detail: string;
}

/** The SHA's record with the note appended; a record is created for a SHA that had none. */
export function withNote(
  record: DecisionRecord | null,
  target: string,
  productionSha: string | null,
  note: OperatorNote,
): DecisionRecord {
  const base: DecisionRecord = record ?? {
    schema_version: DECISION_SCHEMA_VERSION,
    sha: target,
    // Never evaluated by the rules: an operator put it on the state branch.
    decision: { outcome: 'SKIP', reason: 'operator', risk: null },
    production_sha: productionSha,
    config_digest: null,
    risk_paths: [],
    approvals: { valid: [], ignored: [] },
    evaluations: [],
    lifecycle: noLifecycle(),
  };
  const notes = Array.isArray(base.notes) ? (base.notes as OperatorNote[]) : [];
  return { ...base, notes: [...notes, note].slice(-EVALUATIONS_LIMIT) };
}

/**
 * Production is at `target` without a deploy by the governor: a team adopting it with a running
 * production, or an operator correcting the record. The history gets a success entry.
 */
export function adoptProduction(release: Release, target: string, now: Date, by: string): Release {
  const time = now.toISOString();
  return {
    ...release,
    production_sha_previous:
      release.production_sha_current === target
        ? release.production_sha_previous
        : release.production_sha_current,
    production_sha_current: target,
    last_deploy_attempt_sha: target,
    last_deploy_time: time,
    last_deploy_result: 'success',
    last_deploy_run_url: null,
    deploy_history: bounded([
      {
        sha: target,
        time,
        result: 'success',
        run_id: null,
        run_url: null,
        completed_at: time,
        conclusion: 'adopted',
        claimed_by: by,
      },
      ...release.deploy_history,
    ]),
  };
}

/** Takes a SHA's unfinished entry (a claim, or a dispatch never observed) off the history. */
export function clearInFlight(release: Release, target: string): Release {
  return dropEntries(release, (h) => h.sha === target && h.result === 'pending');
}

/** The version tag (§18) a deploy of `sha` carried in this history, if any. */
export function versionOf(release: Release, sha: string | null): string | null {
  if (!sha) return null;
  return release.deploy_history.find((h) => h.sha === sha && h.version)?.version ?? null;
}

/** The SHA's deploy-failure issue from an earlier failure, if one was opened. */
export function failureIssueOf(release: Release, target: string): number | null {
  for (const h of release.deploy_history)
    if (h.sha === target && typeof h.issue_number === 'number') return h.issue_number;
  return null;
}

/** JSON as the state branch stores it: two-space indented, one trailing newline. */
export function serialize(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export const STATE_README = `# booty-state

This branch is written by Release Governor. It holds release state, not code, and shares no
history with the code branches.

- \`release.json\` — what is in production, the last deploy attempt and a bounded deploy history,
  for each stage under \`stages\` (the top level mirrors the last stage).
- \`decisions/<sha>.json\` — every evaluation of a commit and its deploy lifecycle
  (claimed → dispatched → succeeded/failed).

Every change is one commit made with a compare-and-swap on this branch's head; the governor never
force-pushes it. Do not edit it by hand while deploys are running; protect it from other writers.
`;
