// Delivery metrics (SPEC §23) from evidence records, formula by formula, as tables.
import { describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../../src/domain/evidence.js';
import {
  deploysOf,
  deploysOfHistory,
  median,
  metricsOf,
  p90,
  weeklyMetrics,
} from '../../../src/domain/metrics.js';
import type { HistoryEntry } from '../../../src/domain/state.js';

const T0 = Date.parse('2026-11-02T09:00:00Z'); // a Monday
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
const sha = (n: number) => String(n).padStart(40, 'a');

let seq = 0;
function rec(kind: EvidenceRecord['kind'], time: string, s: string, body: Record<string, unknown>) {
  return {
    schema_version: 1,
    seq: ++seq,
    kind,
    time,
    sha: s,
    stage: 'production',
    run: { id: 1, attempt: 1, url: null, actor: null, event: null },
    prev_hash: null,
    hash: 'x',
    ...body,
  } as unknown as EvidenceRecord;
}
const claim = (n: number, h: number, commitHoursBefore: number[] = [1]) =>
  rec('decision', at(h), sha(n), {
    outcome: 'ALLOW',
    reason: 'allow_low',
    range: {
      commits: commitHoursBefore.map((b, i) => ({ sha: sha(100 + i), time: at(h - b) })),
      total: commitHoursBefore.length,
      complete: true,
    },
  });
const ran = (n: number, h: number, conclusion = 'success') =>
  rec('deploy', at(h), sha(n), { deploy_run: { conclusion, observed_at: at(h) } });
const health = (n: number, h: number, verdict: 'pass' | 'fail') =>
  rec('health_check', at(h), sha(n), { health_check: { verdict, finished_at: at(h) } });
const rollback = (from: number, to: number, h: number, trigger = 'health_check') =>
  rec('rollback', at(h), sha(from), { trigger, from: sha(from), to: sha(to) });
const breakGlass = (n: number, h: number) =>
  rec('break_glass', at(h), sha(n), { outcome: 'ALLOW', reason: 'allow_break_glass' });

const period = {
  since: new Date(at(-24)),
  until: new Date(at(24 * 30)),
  service: null,
  stage: 'production',
};
const metrics = (records: EvidenceRecord[]) =>
  metricsOf(deploysOf(records, { service: null, stage: 'production' }), period);

describe('metrics: the formulas', () => {
  it('medians and p90 as SPEC §23 says: the mean of the two middle values, the nearest rank', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBe(9);
    expect(p90([5])).toBe(5);
  });

  it('a failure followed by a rollback: failed, recovered when the rollback succeeded, rework', () => {
    const m = metrics([
      claim(1, 0),
      ran(1, 0.5),
      claim(2, 10),
      ran(2, 10.5),
      health(2, 10.6, 'fail'),
      rollback(2, 1, 10.6),
      ran(1, 11),
    ]);
    expect(m.change_failure_rate).toMatchObject({ deploys: 3, failed: 1, rate: 0.333 });
    expect(m.recovery_time).toMatchObject({ failures: 1, median_seconds: 0.4 * 3600 });
    expect(m.rework_rate).toEqual({ deploys: 3, rework: 1, rate: 0.333 });
    // The rollback carries no lead time; the two releases 1 hour each (commit 1 h before claim
    // + 30 min to success).
    expect(m.lead_time).toMatchObject({ commits: 1, median_seconds: 1.5 * 3600 });
    expect(m.deployment_frequency).toMatchObject({ deploys: 2, days_with_deploy: 1 });
  });

  it('a failure fixed by a newer SHA: recovery is the time to that deploy’s success', () => {
    const m = metrics([claim(1, 0), ran(1, 0.25, 'failure'), claim(2, 2), ran(2, 3)]);
    expect(m.change_failure_rate).toMatchObject({ deploys: 2, failed: 1, rate: 0.5 });
    expect(m.recovery_time).toMatchObject({ failures: 1, median_seconds: 2.75 * 3600 });
    expect(m.rework_rate.rework).toBe(0);
  });

  it('a break-glass deploy within 24 h makes the deploy before it a failure, and is rework', () => {
    const m = metrics([claim(1, 0), ran(1, 1), breakGlass(2, 20), ran(2, 20.5)]);
    expect(m.change_failure_rate).toMatchObject({ deploys: 2, failed: 1 });
    expect(m.rework_rate).toMatchObject({ rework: 1, rate: 0.5 });
    const later = metrics([claim(1, 0), ran(1, 1), breakGlass(2, 30), ran(2, 30.5)]);
    expect(later.change_failure_rate.failed).toBe(0);
  });

  it('recovery across a weekend: a failure on Friday evening, the fix on Monday morning', () => {
    const friday = 4 * 24 + 9; // Friday 18:00
    const monday = 7 * 24; // Monday 09:00
    const m = metrics([
      claim(1, friday - 1),
      ran(1, friday, 'failure'),
      claim(2, monday - 1),
      ran(2, monday),
    ]);
    expect(m.recovery_time.median_seconds).toBe((monday - friday) * 3600);
    expect(m.recovery_time.band).toBe('insufficient_data');
  });

  it('a stage without deploys: zero, nulls, and no band', () => {
    const m = metrics([]);
    expect(m.deployment_frequency).toEqual({
      deploys: 0,
      per_day: 0,
      days_with_deploy: 0,
      band: 'insufficient_data',
    });
    expect(m.lead_time).toEqual({
      commits: 0,
      median_seconds: null,
      p90_seconds: null,
      band: 'insufficient_data',
    });
    expect(m.change_failure_rate).toEqual({
      deploys: 0,
      failed: 0,
      rate: null,
      band: 'insufficient_data',
    });
    expect(m.recovery_time).toEqual({
      failures: 0,
      median_seconds: null,
      p90_seconds: null,
      band: 'insufficient_data',
    });
  });

  it('with five deploys or more, the DORA bands', () => {
    const records = [0, 1, 2, 3, 4, 5].flatMap((i) => [claim(i, i * 24, [2]), ran(i, i * 24 + 1)]);
    records.push(health(5, 5 * 24 + 1.5, 'pass'));
    const m = metrics(records);
    expect(m.change_failure_rate).toMatchObject({ deploys: 6, failed: 0, rate: 0, band: 'elite' });
    expect(m.lead_time).toMatchObject({ commits: 6, band: 'elite' });
    // 6 successes in 31 days: under 1 per day, over 1 per week.
    expect(m.deployment_frequency).toMatchObject({ deploys: 6, days_with_deploy: 6, band: 'high' });
    expect(m.recovery_time.band).toBe('insufficient_data');
  });

  it('a deploy with a health check succeeds when the check passes, not when the run ends', () => {
    const [d] = deploysOf([claim(1, 0), ran(1, 1), health(1, 2, 'pass')], {
      service: null,
      stage: 'production',
    });
    expect(d!.succeededAt).toBe(Date.parse(at(2)));
  });
});

describe("metrics by week (the report's charts)", () => {
  it('weeks start on Monday UTC; the first and the last are cut to the period; each week counts its own deploys', () => {
    // Period: Wednesday 4 Nov 12:00 to Wednesday 18 Nov 12:00 (T0 is Monday 2 Nov 09:00).
    const since = new Date(at(2 * 24 + 3));
    const until = new Date(at(16 * 24 + 3));
    const records = [
      claim(1, 0), // Monday of week 1: before the period
      ran(1, 1),
      claim(2, 3 * 24), // Thursday, week 1
      ran(2, 3 * 24 + 1),
      claim(3, 7 * 24), // Monday, week 2: fails
      ran(3, 7 * 24 + 1, 'failure'),
      claim(4, 8 * 24),
      ran(4, 8 * 24 + 1),
      claim(5, 15 * 24), // Tuesday, week 3
      ran(5, 15 * 24 + 1),
    ];
    const deploys = deploysOf(records, { service: null, stage: 'production' });
    const weeks = weeklyMetrics(deploys, { since, until, service: null, stage: 'production' });
    expect(weeks.map((w) => w.week)).toEqual(['2026-11-02', '2026-11-09', '2026-11-16']);
    expect(weeks.map((w) => [w.metrics.since, w.metrics.until])).toEqual([
      [since.toISOString(), '2026-11-09T00:00:00.000Z'],
      ['2026-11-09T00:00:00.000Z', '2026-11-16T00:00:00.000Z'],
      ['2026-11-16T00:00:00.000Z', until.toISOString()],
    ]);
    expect(weeks.map((w) => w.metrics.change_failure_rate.deploys)).toEqual([1, 2, 1]);
    expect(weeks.map((w) => w.metrics.change_failure_rate.failed)).toEqual([0, 1, 0]);
    // Recovery: c3 failed at Monday 10:00, c4 succeeded Tuesday 10:00.
    expect(weeks[1]!.metrics.recovery_time.median_seconds).toBe(24 * 3600);
    expect(weeks[2]!.metrics.recovery_time.median_seconds).toBeNull();
  });

  it('a period without deploys: every week empty, no band', () => {
    const weeks = weeklyMetrics([], { ...period, until: new Date(at(6 * 24)) });
    expect(weeks).toHaveLength(2);
    for (const w of weeks)
      expect(w.metrics.deployment_frequency).toEqual({
        deploys: 0,
        per_day: 0,
        days_with_deploy: 0,
        band: 'insufficient_data',
      });
  });
});

describe('metrics from release.json alone (the reconcile summary)', () => {
  const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
    sha: sha(1),
    time: at(0),
    result: 'success',
    run_id: 1,
    run_url: null,
    completed_at: at(1),
    claimed_by: 'action:1/1',
    ...over,
  });
  it.each([
    ['a success', entry({}), { kind: 'release', succeededAt: at(1), failedAt: null }],
    [
      'a failed run',
      entry({ result: 'failure' }),
      { kind: 'release', succeededAt: null, failedAt: at(1) },
    ],
    [
      'a failed health check, rolled back',
      entry({ health_check: 'failed', rolled_back_at: at(1.25) }),
      { kind: 'release', succeededAt: null, failedAt: at(1.25) },
    ],
    [
      'a health check still running',
      entry({ health_check: 'pending' }),
      { kind: 'release', succeededAt: null, failedAt: null },
    ],
    [
      'a rollback',
      entry({ rollback_of: sha(9), commit_times: [at(-5)] }),
      { kind: 'rollback', succeededAt: at(1), failedAt: null, commitTimes: [] },
    ],
    [
      'a break-glass with its commits',
      entry({ break_glass: true, commit_times: [at(-2), at(-1)] }),
      { kind: 'break_glass', succeededAt: at(1), commitTimes: [at(-2), at(-1)] },
    ],
  ] as [
    string,
    HistoryEntry,
    {
      kind: string;
      succeededAt: string | null;
      failedAt?: string | null;
      commitTimes?: string[];
    },
  ][])('%s', (_name, h, want) => {
    const [d] = deploysOfHistory([h]);
    const ms = (x: string | null) => (x === null ? null : Date.parse(x));
    expect(d).toMatchObject({
      kind: want.kind,
      claimedAt: Date.parse(at(0)),
      succeededAt: ms(want.succeededAt ?? null),
      ...('failedAt' in want ? { failedAt: ms(want.failedAt ?? null) } : {}),
      ...(want.commitTimes ? { commitTimes: want.commitTimes.map((t) => Date.parse(t)) } : {}),
    });
  });

  it('deploys the governor did not dispatch (observed, recorded) do not count; the order is oldest first', () => {
    const ds = deploysOfHistory([
      entry({ sha: sha(3), time: at(5), claimed_by: 'observed' }),
      entry({ sha: sha(2), time: at(3), claimed_by: 'recorded' }),
      entry({ sha: sha(1), time: at(1), claimed_by: 'cli:local/1' }),
      entry({ sha: sha(0), time: at(0) }),
    ]);
    expect(ds.map((d) => d.sha)).toEqual([sha(0), sha(1)]);
  });
});
