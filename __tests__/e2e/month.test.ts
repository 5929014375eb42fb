// A month of releases driven through dist/index.js on one clock (the simulator's and the action's,
// support/fake-clock.mjs): successes, a failed deploy, a failed health check rolled back, a
// break-glass. Then `metrics --json` (SPEC §23) must give the figures worked out by hand below,
// and `report` must render them in a real headless Chromium (support/browser.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { deepMerge, fixture } from '../support/events.js';
import { runCli } from '../support/cli-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import { healthEndpoint, useHealthEndpoints } from '../support/health-endpoint.js';
import {
  deployFinishes,
  deployRuns,
  governorDispatch,
  inProduction,
  setupRepo,
  verified,
  type Scenario,
} from '../support/scenario.js';
import { expectNoContractViolations, startSimulator } from '../support/sim.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2 November 2026, 00:00 UTC: the month starts on a week's first day. */
const MONTH = Date.parse('2026-11-02T00:00:00Z');
const at = (day: number, hour: number) => MONTH + day * DAY + hour * HOUR;
/** When `metrics` and `report` run: the 30 days before hold every deploy below. */
const END = at(29, 12);

let sim: GitHubSimulator;
let s: Scenario;
let now = MONTH;
let health = 200;
let nextRunId = 31_000;
const clock = () => new Date(now);
const shas: Record<string, string> = {};

useHealthEndpoints();

/** A commit at `when`; the verification finishes 30 min later and the governor decides. */
async function release(name: string, commitAt: number): Promise<void> {
  now = commitAt;
  shas[name] = sim.commit({ files: { 'src/app.ts': `export const v = '${name}';\n` } });
  now = commitAt + HOUR / 2;
  const event = verified(sim, s, shas[name], {
    workflow_run: { updated_at: clock().toISOString() },
  });
  const r = await runAction({
    sim,
    eventName: 'workflow_run',
    event,
    runId: nextRunId++,
    clock: clock(),
  });
  expect(r.outputs.decision, `${name}: ${r.stdout}`).toBe('ALLOW');
}

/** The newest deploy run finishes at `when` with `conclusion`; the governor observes it. */
async function finishes(when: number, conclusion: 'success' | 'failure') {
  now = when;
  const run = deployRuns(sim, s).at(-1)!;
  const r = await deployFinishes(sim, s, {
    id: run.id,
    conclusion,
    governorRunId: nextRunId++,
    clock: clock(),
  });
  expect(r.exitCode, r.stdout).toBe(0);
  return r;
}

/** Whoever was on call closed the incident the failure opened. */
const incidentsClosed = () => {
  for (const issue of sim.allIssues()) issue.state = 'closed';
};

beforeAll(async () => {
  sim = await startSimulator({ clock });
  const url = await healthEndpoint(() => health);
  now = at(-1, 9);
  s = setupRepo(sim, {
    config: [
      'release_governor:',
      '  cooldown_minutes: 0',
      '  health_check:',
      `    url: ${url}`,
      '    duration_seconds: 0.3',
      '    interval_seconds: 0.05',
      '    timeout_ms: 1000',
      '  readiness:',
      '    max_verification_age_minutes: 120',
      '',
    ].join('\n'),
  });
  sim.collaborator('boss', 'admin');
  inProduction(sim, s.base);

  // Week 1: two releases.
  await release('c1', at(0, 9));
  await finishes(at(0, 10.5), 'success');
  await release('c2', at(2, 9));
  await finishes(at(2, 10), 'success');
  // Week 2: c3's deploy fails; c4 (the fix) goes out with it.
  await release('c3', at(7, 8));
  await finishes(at(7, 9.5), 'failure');
  incidentsClosed();
  await release('c4', at(7, 10));
  await finishes(at(7, 11), 'success');
  // Week 3: c5 deploys but fails its health check; the governor rolls back to c4.
  health = 500;
  await release('c5', at(15, 9));
  const rolledBack = await finishes(at(15, 10), 'success');
  expect(rolledBack.outputs.decision, rolledBack.stdout).toBe('ROLLBACK');
  health = 200;
  await finishes(at(15, 10 + 1 / 3), 'success');
  incidentsClosed();
  // Week 4: c6 (c5 with it), then a break-glass deploy of c7 the same afternoon.
  await release('c6', at(21, 9));
  await finishes(at(21, 10), 'success');
  now = at(21, 13.5);
  shas.c7 = sim.commit({ files: { 'src/app.ts': "export const v = 'c7';\n" } });
  now = at(21, 13.75);
  // Break-glass skips the holds, never the verification.
  sim.workflowRun({ workflow: s.verify, headSha: shas.c7, conclusion: 'success' });
  now = at(21, 14);
  const bg = await governorDispatch(
    sim,
    'boss',
    { sha: shas.c7, 'break-glass': 'DEPLOY-NOW', reason: 'checkout outage hotfix' },
    { runId: nextRunId++, clock: clock() },
  );
  expect(bg.outputs.decision, bg.stdout).toBe('ALLOW');
  await finishes(at(21, 14.5), 'success');
  incidentsClosed();
  // Week 5.
  await release('c8', at(28, 9));
  await finishes(at(28, 10), 'success');
  now = END;
}, 300_000);

afterAll(async () => {
  if (!sim) return;
  try {
    expectNoContractViolations(sim);
  } finally {
    await sim.stop();
  }
});

const env = () => ({ GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl });

/**
 * Seconds, to within the time the runs themselves take (the health checks' 0.3 s, and a busy
 * machine's start-up): a minute, where the figures told apart are 20 minutes or more apart.
 */
const about = (seconds: number) => expect.closeTo(seconds, -2);

describe('a month of releases', () => {
  it('metrics --json: the figures worked out by hand, from one request', async () => {
    const before = sim.log.length;
    const r = await runCli(['metrics', '--repo', sim.fullName, '--json'], {
      env: env(),
      clock: new Date(END),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(sim.log.slice(before).map((e) => e.operationId)).toEqual(['graphql:Evidence']);
    const m = JSON.parse(r.stdout) as Record<string, unknown>;
    // Deploys: c1 c2 c3(failed) c4 c5(health check failed) rollback-to-c4 c6 c7(break-glass) c8.
    // Successful: c1 c2 c4 rollback c6 c7 c8 = 7, on 6 UTC days; 7 / 30 days = 0.233 a day.
    expect(m).toMatchObject({
      // (The CLI's clock ran on for the moment it took to start.)
      since: expect.stringMatching(/^2026-11-01T12:0\d:/),
      until: expect.stringMatching(/^2026-12-01T12:0\d:/),
      service: null,
      stage: 'production',
      deployment_frequency: { deploys: 7, per_day: 0.233, days_with_deploy: 6, band: 'high' },
      // Failed: c3 (deploy), c5 (health check, rolled back), c6 (break-glass within 24 h).
      change_failure_rate: { deploys: 9, failed: 3, rate: 0.333, band: 'low' },
      // Rework: the rollback and the break-glass.
      rework_rate: { deploys: 9, rework: 2, rate: 0.222 },
    });
    // Lead times (commit → its deploy's success): c1 1.5 h; c2 1 h; c3 3 h and c4 1 h (with c4);
    // c5 6 d 1 h and c6 1 h (with c6); c7 1 h; c8 1 h. Eight commits: median 1 h, p90 the c5 one.
    expect(m.lead_time).toEqual({
      commits: 8,
      median_seconds: about(3600),
      p90_seconds: about(6 * 86_400 + 3600),
      band: 'elite',
    });
    // Recoveries: c3's failure (9:30) → c4 healthy (11:00) 1.5 h; c5's failed check (10:00) →
    // the rollback healthy (10:20) 20 min. Median of two: 55 min; p90: 1.5 h.
    expect(m.recovery_time).toEqual({
      failures: 2,
      median_seconds: about((5400 + 1200) / 2),
      p90_seconds: about(5400),
      band: 'elite',
    });
  });

  it("a scheduled reconcile's summary: every stage, its gates and the four key metrics of 30 days, from the state read alone", async () => {
    const r = await runAction({
      sim,
      eventName: 'schedule',
      event: deepMerge(fixture('schedule'), { repository: { id: sim.repoId } }),
      runId: nextRunId++,
      clock: new Date(END),
    });
    expect(r.exitCode, r.stdout).toBe(0);
    // Nothing to do (production runs the release branch's head): the state read, and no more.
    expect(r.requests.map((q) => q.operationId)).toEqual(['graphql:ReleaseState']);
    const section = r.summary.slice(r.summary.indexOf('### Readiness and delivery, last 30 days'));
    // From release.json: the same deploys as the evidence (9, 7 successful, 3 failed); lead time
    // from the claims' commit times; recovery from the runs' completions (c5's failure is when
    // its rollback was claimed, 10:00, and the rollback's run completed 10:20).
    expect(section).toMatch(
      new RegExp(
        `\\| production \\| <code>${shas.c8!.slice(0, 7)}</code> \\| 2026-11-30T10:00:0[0-9.]*Z \\| passed \\| — \\| verification ≤ 120 min, no open release-blocker \\| 0\\.233/day \\(high\\) \\| 1\\.0 h \\(elite\\) \\| 33\\.3 % of 9 \\(low\\) \\| 55 min \\(elite\\) \\|`,
      ),
    );
    expect(section).toContain('`release-governor metrics`');
  });

  it('report: one page under 1 MB that shows them, and renders in headless Chromium with no request and no console error', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rg-report-'));
    try {
      const before = sim.log.length;
      const r = await runCli(['report', '--repo', sim.fullName, '--out', out], {
        env: env(),
        clock: new Date(END),
      });
      expect(r.code, r.stderr).toBe(0);
      expect(sim.log.slice(before).map((e) => e.operationId)).toEqual(['graphql:Evidence']);
      const page = join(out, 'index.html');
      expect(existsSync(page)).toBe(true);
      const html = readFileSync(page, 'utf8');
      expect(Buffer.byteLength(html)).toBeLessThan(1024 * 1024);
      expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['"]?https?:/i);
      const { openReport } = await import('../support/browser.js');
      const seen = await openReport(page, 'report-month');
      expect(seen.requests, 'requests the page made').toEqual([]);
      expect(seen.consoleErrors).toEqual([]);
      expect(seen.charts).toBe(5);
      // Light and dark colour schemes both styled (docs/images/report-month.png is the light one).
      expect(seen.background.light).not.toBe(seen.background.dark);
      expect(seen.text).toContain('production');
      expect(seen.text).toContain(shas.c7!.slice(0, 7));
      expect(seen.text).toContain('Evidence chain intact');
      expect(seen.text).toMatch(/Change failure rate\s*33\.3 %/);
      expect(seen.text).toMatch(/Deployment frequency\s*0\.233 per day \(7 successful, 6 day/);
      expect(seen.text).toMatch(
        /Lead time for changes\s*median 1\.0 h, p90 145\.0 h \(8 commits\)/,
      );
      expect(seen.text).toMatch(/recovery time\s*median 55 min, p90 1\.5 h \(2 failure/);
      expect(seen.text).toMatch(/Deployment rework rate\s*22\.2 % \(2 of 9\)/);
      // The readiness of the stage and the gates of its newest candidate (c8).
      expect(seen.text).toContain(`newest candidate ${shas.c8!.slice(0, 7)} — ALLOW allow_low`);
      expect(seen.text).toMatch(/Verification at most 120 min old\s*✓ pass/);
      expect(seen.text).toMatch(/break-glass\s*—\s*@boss \(break-glass\)\s*\w+\s*succeeded/);
      // Each chart's table of numbers: c3's failed week.
      expect(seen.text).toMatch(/2026-11-09\s*50/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
