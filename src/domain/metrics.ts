// Delivery metrics (SPEC §23), exactly, from the evidence chain: every deploy the governor
// dispatched (a claim, a break-glass, a rollback) with its outcome (the run, the health check, a
// rollback away from it), per service and stage. Pure: the records and the period come in.
import type { EvidenceRecord } from './evidence.js';
import type { HistoryEntry } from './state.js';

export type Band = 'elite' | 'high' | 'medium' | 'low' | 'insufficient_data';

export interface Metrics {
  since: string;
  until: string;
  service: string | null;
  stage: string;
  deployment_frequency: { deploys: number; per_day: number; days_with_deploy: number; band: Band };
  lead_time: {
    commits: number;
    median_seconds: number | null;
    p90_seconds: number | null;
    band: Band;
  };
  change_failure_rate: { deploys: number; failed: number; rate: number | null; band: Band };
  recovery_time: {
    failures: number;
    median_seconds: number | null;
    p90_seconds: number | null;
    band: Band;
  };
  rework_rate: { deploys: number; rework: number; rate: number | null };
}

/** Under this many deploys in the period a figure gets no band (SPEC §23). */
export const MIN_DEPLOYS = 5;

/** One dispatched deploy and what became of it. */
export interface Deploy {
  sha: string;
  /** When it was claimed. */
  claimedAt: number;
  kind: 'release' | 'rollback' | 'break_glass';
  /** When it succeeded (run succeeded, and its health check passed when there was one). */
  succeededAt: number | null;
  /** When it was found failed (run failed, health check failed, rolled back), if it was. */
  failedAt: number | null;
  /** The deployed range's commit times (ms), for lead time; empty for a rollback. */
  commitTimes: number[];
  /** The record that claimed it (a decision, a break-glass, a rollback), when read from one. */
  claim?: EvidenceRecord;
}

const DAY = 86_400_000;

/** Every deploy of one service and stage, from the records (oldest first). */
export function deploysOf(
  records: readonly EvidenceRecord[],
  where: { service: string | null; stage: string },
): Deploy[] {
  const mine = records.filter(
    (r) =>
      (r.stage ?? null) === where.stage &&
      ((r as { service?: string | null }).service ?? null) === where.service,
  );
  // The records that concern each SHA (its own, and rollbacks from or to it), in order: each
  // deploy looks only at those, so the whole chain is read once.
  const related = new Map<string, { at: number; r: EvidenceRecord }[]>();
  const relate = (sha: unknown, at: number, r: EvidenceRecord) => {
    if (typeof sha !== 'string') return;
    const list = related.get(sha) ?? [];
    if (list.at(-1)?.r !== r) list.push({ at, r });
    related.set(sha, list);
  };
  for (const [i, r] of mine.entries()) {
    relate(r.sha, i, r);
    if (r.kind === 'rollback') {
      relate(r.from, i, r);
      relate(r.to, i, r);
    }
  }
  const deploys: Deploy[] = [];
  for (const [i, r] of mine.entries()) {
    const claimedAt = Date.parse(r.time);
    let d: Deploy | null = null;
    if (r.kind === 'decision' && r.outcome === 'ALLOW')
      d = {
        sha: r.sha,
        claimedAt,
        kind: 'release',
        claim: r,
        succeededAt: null,
        failedAt: null,
        commitTimes: rangeTimes(r),
      };
    else if (r.kind === 'break_glass' && r.outcome === 'ALLOW')
      d = {
        sha: r.sha,
        claimedAt,
        kind: 'break_glass',
        claim: r,
        succeededAt: null,
        failedAt: null,
        commitTimes: rangeTimes(r),
      };
    else if (r.kind === 'rollback' && typeof r.to === 'string')
      d = {
        sha: r.to,
        claimedAt,
        kind: 'rollback',
        claim: r,
        succeededAt: null,
        failedAt: null,
        commitTimes: [],
      };
    if (!d) continue;
    // A rollback away from an earlier deploy fails that deploy.
    if (r.kind === 'rollback' && typeof r.from === 'string') {
      const from = [...deploys].reverse().find((x) => x.sha === r.from);
      if (from && from.failedAt === null) from.failedAt = claimedAt;
    }
    settle(
      d,
      (related.get(d.sha) ?? []).filter((x) => x.at > i).map((x) => x.r),
    );
    deploys.push(d);
  }
  return deploys;
}

/** The outcome of a deploy from the records after its claim (until the SHA is claimed again). */
function settle(d: Deploy, later: readonly EvidenceRecord[]): void {
  let ran: number | null = null;
  for (const r of later) {
    // The SHA claimed again (a release, a break-glass, or a rollback to it) is another deploy.
    if (r.kind === 'rollback' && r.to === d.sha) break;
    if (r.sha !== d.sha && !(r.kind === 'rollback' && r.from === d.sha)) continue;
    if ((r.kind === 'decision' || r.kind === 'break_glass') && r.outcome === 'ALLOW') break;
    if (r.kind === 'deploy') {
      const run = r.deploy_run as { conclusion?: string | null; observed_at?: string } | undefined;
      const at = Date.parse(run?.observed_at ?? r.time);
      if (run?.conclusion === 'success') ran ??= at;
      else if (d.failedAt === null) d.failedAt = at;
    }
    if (r.kind === 'health_check') {
      const h = r.health_check as { verdict?: string; finished_at?: string } | undefined;
      const at = Date.parse(h?.finished_at ?? r.time);
      if (h?.verdict === 'pass' && d.failedAt === null) d.succeededAt = at;
      if (h?.verdict === 'fail' && d.failedAt === null) d.failedAt = at;
    }
    if (r.kind === 'rollback' && r.from === d.sha && d.failedAt === null)
      d.failedAt = Date.parse(r.time);
  }
  // Without a health check the run's success is the deploy's.
  if (d.succeededAt === null && ran !== null && d.failedAt === null && !checked(later, d.sha))
    d.succeededAt = ran;
}

/** Whether a health check of `sha` was recorded (then only its pass makes the deploy a success). */
function checked(later: readonly EvidenceRecord[], sha: string): boolean {
  return later.some(
    (r) =>
      (r.kind === 'health_check' && r.sha === sha) ||
      (r.kind === 'rollback' && r.from === sha && r.trigger === 'health_check'),
  );
}

function rangeTimes(r: EvidenceRecord): number[] {
  const range = r.range as { commits?: { time?: string | null }[] } | undefined;
  return (range?.commits ?? [])
    .map((c) => (c.time ? Date.parse(c.time) : Number.NaN))
    .filter((t) => !Number.isNaN(t));
}

/** The median (the mean of the two middle values of an even count); null when empty. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The 90th percentile by nearest rank; null when empty. */
export function p90(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(0.9 * s.length) - 1)]!;
}

const HOUR = 3_600_000;

const sorted = (xs: number[]) => xs.sort((a, b) => a - b);

/** The index of the first value over `t` in ascending `xs` (xs.length when there is none). */
function firstAfter(xs: readonly number[], t: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** DORA 2023 bands (SPEC §23), on the median for times. */
export const BANDS = {
  frequency: (perDay: number): Band =>
    perDay >= 1 ? 'elite' : perDay >= 1 / 7 ? 'high' : perDay >= 1 / 30 ? 'medium' : 'low',
  leadTime: (ms: number): Band =>
    ms < DAY ? 'elite' : ms < 7 * DAY ? 'high' : ms < 30 * DAY ? 'medium' : 'low',
  failureRate: (rate: number): Band =>
    rate <= 0.05 ? 'elite' : rate <= 0.1 ? 'high' : rate <= 0.15 ? 'medium' : 'low',
  recovery: (ms: number): Band =>
    ms < HOUR ? 'elite' : ms < DAY ? 'high' : ms < 7 * DAY ? 'medium' : 'low',
};

const round = (x: number, digits = 3) => Number(x.toFixed(digits));
const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));

/** The metrics of the deploys claimed in [since, until) (SPEC §23). */
export function metricsOf(
  all: readonly Deploy[],
  at: { since: Date; until: Date; service: string | null; stage: string },
): Metrics {
  const from = at.since.getTime();
  const to = at.until.getTime();
  const deploys = all.filter((d) => d.claimedAt >= from && d.claimedAt < to);
  const enough = deploys.length >= MIN_DEPLOYS;
  const ok = deploys.filter((d) => d.succeededAt !== null);
  const days = Math.max((to - from) / DAY, 1 / 24);
  const perDay = round(ok.length / days);
  const dates = new Set(ok.map((d) => new Date(d.succeededAt!).toISOString().slice(0, 10)));
  const leads = ok
    .filter((d) => d.kind !== 'rollback')
    .flatMap((d) => d.commitTimes.map((t) => Math.max(0, d.succeededAt! - t)));
  const leadMedian = median(leads);
  // A deploy failed, or was followed by a break-glass deploy within 24 h.
  const glass = sorted(all.filter((b) => b.kind === 'break_glass').map((b) => b.claimedAt));
  const failed = deploys.filter((d) => {
    if (d.failedAt !== null) return true;
    const next = glass[firstAfter(glass, d.claimedAt)];
    return next !== undefined && next - d.claimedAt <= DAY;
  });
  const rate = deploys.length ? round(failed.length / deploys.length) : null;
  // Each failure to the next success of the stage (any deploy's, a rollback's included).
  const successes = sorted(all.flatMap((x) => (x.succeededAt === null ? [] : [x.succeededAt])));
  const recoveries = deploys.flatMap((d) => {
    if (d.failedAt === null) return [];
    const next = successes[firstAfter(successes, d.failedAt)];
    return next === undefined ? [] : [next - d.failedAt];
  });
  const recoveryMedian = median(recoveries);
  const rework = deploys.filter((d) => d.kind !== 'release').length;
  return {
    since: at.since.toISOString(),
    until: at.until.toISOString(),
    service: at.service,
    stage: at.stage,
    deployment_frequency: {
      deploys: ok.length,
      per_day: perDay,
      days_with_deploy: dates.size,
      band: enough ? BANDS.frequency(perDay) : 'insufficient_data',
    },
    lead_time: {
      commits: leads.length,
      median_seconds: seconds(leadMedian),
      p90_seconds: seconds(p90(leads)),
      band: enough && leadMedian !== null ? BANDS.leadTime(leadMedian) : 'insufficient_data',
    },
    change_failure_rate: {
      deploys: deploys.length,
      failed: failed.length,
      rate,
      band: enough && rate !== null ? BANDS.failureRate(rate) : 'insufficient_data',
    },
    recovery_time: {
      failures: recoveries.length,
      median_seconds: seconds(recoveryMedian),
      p90_seconds: seconds(p90(recoveries)),
      band:
        enough && recoveryMedian !== null ? BANDS.recovery(recoveryMedian) : 'insufficient_data',
    },
    rework_rate: {
      deploys: deploys.length,
      rework,
      rate: deploys.length ? round(rework / deploys.length) : null,
    },
  };
}

/** One week of a period (Monday 00:00 UTC to the next, cut to the period) and its metrics. */
export interface WeekMetrics {
  /** The Monday the week starts on (YYYY-MM-DD, UTC). */
  week: string;
  metrics: Metrics;
}

/**
 * The metrics of each week of [since, until), oldest first, for the report's charts (SPEC §23:
 * "a chart of each over the period, by week"). The first and last weeks are cut to the period;
 * each week's figures follow the same definitions as the period's.
 */
export function weeklyMetrics(
  all: readonly Deploy[],
  at: { since: Date; until: Date; service: string | null; stage: string },
): WeekMetrics[] {
  const weeks: WeekMetrics[] = [];
  const first = new Date(at.since);
  first.setUTCHours(0, 0, 0, 0);
  // getUTCDay: 0 is Sunday; weeks start on Monday.
  first.setUTCDate(first.getUTCDate() - ((first.getUTCDay() + 6) % 7));
  for (let start = first.getTime(); start < at.until.getTime(); start += 7 * DAY) {
    const since = new Date(Math.max(start, at.since.getTime()));
    const until = new Date(Math.min(start + 7 * DAY, at.until.getTime()));
    weeks.push({
      week: new Date(start).toISOString().slice(0, 10),
      metrics: metricsOf(all, { ...at, since, until }),
    });
  }
  return weeks;
}

/**
 * The deploys one stage's `deploy_history` in release.json holds (its newest HISTORY_LIMIT),
 * for a reconcile's summary (SPEC §23), which reads no evidence: the deploys the governor
 * dispatched (not those it observed or an operator recorded), each a success at its run's
 * completion unless its health check failed or it was rolled back, a failure at its run's
 * completion or when it was rolled back. Lead time from the commit times the claim kept (the
 * newest COMMIT_TIMES_KEPT of its range). `metrics` reads the evidence and is exact.
 */
export function deploysOfHistory(history: readonly HistoryEntry[]): Deploy[] {
  const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);
  return [...history]
    .reverse()
    .filter((h) => /^(action|cli):/.test(h.claimed_by ?? ''))
    .map((h) => {
      const done = time(h.completed_at) ?? time(h.time)!;
      const failed =
        h.result === 'failure'
          ? done
          : h.health_check === 'failed' || h.rolled_back_at
            ? (time(h.rolled_back_at) ?? done)
            : null;
      const succeeded =
        failed === null && h.result === 'success' && h.health_check !== 'pending' ? done : null;
      return {
        sha: h.sha,
        claimedAt: Date.parse(h.time),
        kind: h.rollback_of ? 'rollback' : h.break_glass ? 'break_glass' : 'release',
        succeededAt: succeeded,
        failedAt: failed,
        commitTimes: h.rollback_of ? [] : (h.commit_times ?? []).map((t) => Date.parse(t)),
      };
    });
}
