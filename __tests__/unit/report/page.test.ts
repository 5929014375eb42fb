// The report page (SPEC §23) from a dashboard built of real records: self-contained (no script,
// no external reference), everything a repository names escaped, the gates of the newest
// candidate, a broken chain said plainly. The browser test (e2e/month.test.ts) opens the real one.
import { describe, expect, it } from 'vitest';
import { sealEvidence, type EvidenceRecord } from '../../../src/domain/evidence.js';
import { pipelineOf } from '../../../src/domain/pipeline.js';
import { emptyRelease } from '../../../src/domain/state.js';
import { renderCharts } from '../../../src/report/charts.js';
import { dashboardOf, gatesOf, type ServiceMetrics } from '../../../src/report/dashboard.js';
import { metricsOf, weeklyMetrics } from '../../../src/domain/metrics.js';
import { renderPage } from '../../../src/report/page.js';
import { testConfig } from '../../support/config.js';

const SHA = 'a'.repeat(40);
const run = { id: 1, attempt: 1, url: null, actor: null, event: null };

function chain(bodies: Record<string, unknown>[]): EvidenceRecord[] {
  const out: EvidenceRecord[] = [];
  for (const b of bodies)
    out.push(
      sealEvidence(
        { time: '2026-11-30T09:00:00Z', sha: SHA, stage: 'production', run, ...b } as never,
        out.at(-1) ? { seq: out.at(-1)!.seq, hash: out.at(-1)!.hash } : null,
      ),
    );
  return out;
}

const decision = {
  kind: 'decision',
  outcome: 'HOLD',
  reason: 'evidence_threshold',
  risk: 'LOW',
  readiness: {
    verification_age: { limitMinutes: 60, ageMinutes: 12, completedAt: '2026-11-30T08:48:00Z' },
    thresholds: [
      {
        artifact: 'coverage',
        file: 'summary.json',
        value: '/total/lines',
        bound: '≥ 80',
        found: 72.5,
        verdict: 'fail',
        why: '/total/lines is 72.5, under 80',
      },
    ],
    release_blockers: [41],
  },
};

function page(records: EvidenceRecord[], problem: string | null = null) {
  const d = dashboardOf({
    repository: 'acme/<shop>',
    targets: [{ service: null, pipeline: pipelineOf(testConfig()), release: emptyRelease() }],
    chain: {
      records,
      problem: problem
        ? { kind: 'edited', path: 'evidence/000002.json', seq: 2, detail: problem }
        : null,
    },
    head: 'b'.repeat(40),
    since: new Date('2026-11-01T00:00:00Z'),
    until: new Date('2026-12-01T00:00:00Z'),
  });
  return renderPage(d, []);
}

describe('the report page', () => {
  it('has no script and no external reference, and escapes what the repository names', () => {
    const html = page(chain([decision]));
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|https?:\/\/(?!vega)/i);
    expect(html).toContain('acme/&lt;shop&gt;');
    expect(html).not.toContain('acme/<shop>');
  });

  it("the newest candidate's gates, each with its verdict and what it measured", () => {
    const [r] = chain([decision]);
    expect(gatesOf(r!)).toEqual([
      { gate: 'Verification at most 60 min old', verdict: 'pass', measured: '12 min old' },
      {
        gate: 'coverage/summary.json /total/lines ≥ 80',
        verdict: 'fail',
        measured: '/total/lines is 72.5, under 80',
      },
      { gate: 'No open release blocker', verdict: 'fail', measured: '#41' },
    ]);
    const html = page(chain([decision]));
    expect(html).toContain(
      'newest candidate <code>aaaaaaa</code> — HOLD <code>evidence_threshold</code>',
    );
    expect(html).toContain('✗ fail');
  });

  it('a broken chain is said plainly, where it breaks', () => {
    const html = page(chain([decision]), 'its hash does not match its content');
    expect(html).toContain('Evidence chain BROKEN');
    expect(html).toContain('evidence/000002.json (seq 2)');
    expect(html).not.toContain('Evidence chain intact');
  });

  it('nothing dispatched yet: says so instead of an empty table', () => {
    expect(page([])).toContain('No deploy was dispatched yet.');
  });
});

describe('the charts', () => {
  it('one per metric, rendered to SVG by vega with a series per service, a text alternative and the numbers', async () => {
    const at = {
      since: new Date('2026-11-02T00:00:00Z'),
      until: new Date('2026-11-16T00:00:00Z'),
      stage: 'production',
    };
    const day = (d: number, h: number) => Date.parse('2026-11-02T00:00:00Z') + (d * 24 + h) * 3.6e6;
    const of = (service: string, days: number[]): ServiceMetrics => {
      const deploys = days.map((d) => ({
        sha: SHA,
        claimedAt: day(d, 9),
        kind: 'release' as const,
        succeededAt: day(d, 10),
        failedAt: null,
        commitTimes: [day(d, 8)],
      }));
      return {
        service,
        stage: 'production',
        period: metricsOf(deploys, { ...at, service }),
        weeks: weeklyMetrics(deploys, { ...at, service }),
      };
    };
    const charts = await renderCharts([of('api', [0, 1, 8]), of('web', [2])]);
    expect(charts.map((c) => c.id)).toEqual([
      'deployment-frequency',
      'lead-time',
      'change-failure-rate',
      'recovery-time',
      'rework-rate',
    ]);
    const freq = charts[0]!;
    expect(freq.svg.startsWith('<svg')).toBe(true);
    expect(freq.svg).not.toMatch(/<script|href="http/);
    // The legend names both series; the rows are the chart's table.
    expect(freq.svg).toContain('api production');
    expect(freq.svg).toContain('web production');
    expect(freq.rows).toEqual([
      { week: '2026-11-02', series: 'api production', value: 2 },
      { week: '2026-11-09', series: 'api production', value: 1 },
      { week: '2026-11-02', series: 'web production', value: 1 },
      { week: '2026-11-09', series: 'web production', value: 0 },
    ]);
    expect(freq.description).toContain('api production week of 2026-11-02 2');
    // Lead time: 2 hours each (8:00 → 10:00); recovery: nothing failed, so no point at all.
    expect(charts[1]!.rows.filter((r) => r.value !== null).map((r) => r.value)).toEqual([2, 2, 2]);
    expect(charts[3]!.rows.every((r) => r.value === null)).toBe(true);
    expect(charts[3]!.description).toContain('no week had anything to measure');
  });
});
