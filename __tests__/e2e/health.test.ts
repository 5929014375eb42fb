// Post-deploy verification and automatic rollback (SPEC §15) through dist/index.js: the GitHub
// simulator for GitHub, and a real HTTP server on 127.0.0.1 for the health endpoint.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { deepMerge, fixture } from '../support/events.js';
import type { GitHubSimulator, WorkflowRecord } from '../support/github-simulator/server.js';
import {
  deployEvent,
  deployRuns,
  inProduction,
  seedPipeline,
  setupRepo,
  smokeFinished,
  smokeWorkflow,
  stateFile,
  verified,
  type Scenario,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

let nextRunId = 6000;
const runId = () => nextRunId++;

// ------------------------------------------------------------------ a health endpoint

interface Endpoint {
  url: string;
  requests: () => number;
}
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** An HTTP server on 127.0.0.1 answering the n-th request (1-based) as `answer` says. */
async function endpoint(
  answer: (n: number) => { status?: number; delayMs?: number; hang?: boolean; location?: string },
): Promise<Endpoint> {
  let n = 0;
  const server = createServer((req, res) => {
    const a = answer(++n);
    if (a.hang) return; // never answers: the probe times out
    setTimeout(() => {
      res.writeHead(a.status ?? 200, {
        'content-type': 'text/plain',
        ...(a.location ? { location: a.location } : {}),
      });
      res.end('ok\n');
    }, a.delayMs ?? 0);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/healthz`, requests: () => n };
}

// ------------------------------------------------------------------ the repository

interface ReleaseJson {
  production_sha_current: string | null;
  last_health_check: {
    verdict: string;
    probes: number;
    errors: number;
    error_rate: number;
    p95_ms: number;
    reasons: string[];
  } | null;
  stages: Record<string, { current_sha: string | null; verified_at: string | null }>;
  deploy_history: {
    sha: string;
    result: string | null;
    health_check?: string | null;
    rollback_of?: string | null;
    rolled_back_at?: string | null;
    issue_number?: number | null;
  }[];
}
const release = () => stateFile(sim, 'release.json') as ReleaseJson;

function healthConfig(check: string, extra = ''): string {
  return `release_governor:\n  cooldown_minutes: 30\n  health_check:\n${check
    .split('\n')
    .filter(Boolean)
    .map((l) => `    ${l}`)
    .join('\n')}\n${extra}`;
}

const urlCheck = (url: string, more = '') =>
  healthConfig(
    `url: ${url}\nduration_seconds: 1.2\ninterval_seconds: 0.025\ntimeout_ms: 1000\nmax_latency_ms: 500\n${more}`,
  );

/** Production at the base commit; a new commit verified, allowed and dispatched. */
async function deployed(s: Scenario, approve = false) {
  const sha = sim.commit({ files: { 'src/app.ts': 'v2' } });
  const v = await runAction({
    sim,
    eventName: 'workflow_run',
    event: verified(sim, s, sha),
    runId: runId(),
    // A first deploy needs an approval of the whole tree.
    ...(approve ? { env: { RELEASE_GOVERNOR_APPROVED: sha } } : {}),
  });
  expect(v.outputs, v.stdout).toMatchObject({ decision: 'ALLOW', sha });
  return { sha, run: deployRuns(sim, s).at(-1)! };
}

/** The deploy run finishes; the governor observes it (and verifies the stage). */
async function finishes(s: Scenario, id: number, conclusion = 'success', attempt = 1) {
  if (attempt === 1) sim.completeRun(id, conclusion);
  return runAction({
    sim,
    eventName: 'workflow_run',
    event: deployEvent(sim, s, id, conclusion),
    runId: 5000 + id,
    runAttempt: attempt,
    timeoutMs: 60_000,
  });
}

/** Staging (with this health check) then production, both running the base commit. */
function stagingChecked(check: string[]): Scenario {
  const s = setupRepo(sim, {
    stages: true,
    config: [
      'release_governor:',
      '  stages:',
      '    - name: staging',
      '      health_check:',
      ...[...check, 'interval_seconds: 0.05'].map((l) => `        ${l}`),
      '    - name: production',
    ].join('\n'),
  });
  seedPipeline(sim, {
    staging: { sha: s.base, minutesAgo: 60 },
    production: { sha: s.base, minutesAgo: 60 },
  });
  return s;
}

const rollbackTitle = (bad: string, to: string) =>
  `Automatic rollback of production from ${bad.slice(0, 7)} to ${to.slice(0, 7)}: health check failed`;

describe('health check (url): probes after a successful deploy', () => {
  it('a healthy endpoint → verified, no rollback; the figures are in the summary and the state', async () => {
    const ep = await endpoint(() => ({}));
    const s = setupRepo(sim, { config: urlCheck(ep.url) });
    inProduction(sim, s.base);
    const { sha, run } = await deployed(s);
    const r = await finishes(s, run.id);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.outputs.decision).not.toBe('ROLLBACK');
    expect(ep.requests()).toBeGreaterThanOrEqual(5);
    expect(r.summary).toContain('### Health check (url): **passed**');
    expect(r.summary).toMatch(/\| Error rate \| 0\.0 % \(0 of \d+\) \| 1\.0 % \|/);
    expect(r.stdout).toMatch(
      /Health check 127\.0\.0\.1:\d+: probe \d+\/48, 0 error\(s\) so far, p95 \d+ ms/,
    );
    const st = release();
    expect(st.production_sha_current).toBe(sha);
    expect(st.last_health_check).toMatchObject({ verdict: 'pass', errors: 0 });
    expect(st.stages.production!.verified_at).not.toBeNull();
    expect(st.deploy_history[0]).toMatchObject({ sha, result: 'success', health_check: 'passed' });
    expect(deployRuns(sim, s)).toHaveLength(1);
    expect(sim.statusesFor(sha)[0]).toMatchObject({ state: 'success' });
    expect(sim.allIssues()).toHaveLength(0);
  });

  it('2 % errors → ROLLBACK of the right SHA, one issue; a re-run of the job rolls back no more; the rollback deploy succeeds → production back, commented', async () => {
    // 1 request in about 48 fails: 2.1 % > max_error_rate 1 %.
    // (The 5th request: reached even when a busy machine leaves time for few probes.)
    const ep = await endpoint((n) => (n === 5 ? { status: 503 } : {}));
    const s = setupRepo(sim, { config: urlCheck(ep.url) });
    inProduction(sim, s.base);
    const { sha: bad, run } = await deployed(s);
    const r = await finishes(s, run.id);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({
      decision: 'ROLLBACK',
      reason: 'health_check_failed',
      sha: bad,
    });
    expect(r.summary).toContain(`## ⏪ Release Governor: ROLLBACK ${bad.slice(0, 7)}`);
    // (The summary is markdown: `>` and `_` arrive escaped.)
    expect(r.summary).toMatch(/error rate [2-9]\.\d % \(1 of \d+\) &gt; max\\_error\\_rate 1\.0 %/);
    const runs = deployRuns(sim, s);
    expect(runs.map((x) => x.inputs?.sha)).toEqual([bad, s.base]);
    expect(r.outputs['deploy-run-url']).toContain(`/actions/runs/${runs[1]!.id}`);
    const issues = sim.issuesTitled(rollbackTitle(bad, s.base));
    expect(issues).toHaveLength(1);
    const issue = sim.issue(issues[0]!)!;
    expect(issue.labels).toEqual(['incident', 'rollback']);
    expect(issue.body).toMatch(/\| error rate \| [2-9]\.\d % \(1 of \d+ probes\)/);
    expect(issue.body).toContain('HTTP 503, outside 200-299');
    const st = release();
    expect(st.deploy_history.find((h) => h.sha === bad)).toMatchObject({
      result: 'failure',
      health_check: 'failed',
      rolled_back_at: expect.any(String),
    });
    expect(st.deploy_history[0]).toMatchObject({
      sha: s.base,
      rollback_of: bad,
      result: 'pending',
    });

    // The same job re-run (attempt 2): the verdict and the rollback are recorded, nothing again.
    const probesBefore = ep.requests();
    const again = await finishes(s, run.id, 'success', 2);
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.outputs).toMatchObject({ decision: 'ROLLBACK', reason: 'health_check_failed' });
    expect(deployRuns(sim, s)).toHaveLength(2);
    expect(sim.allIssues()).toHaveLength(1);
    expect(ep.requests()).toBe(probesBefore);

    // The rollback deploy succeeds: production is back at the base, the issue says so.
    const back = await finishes(s, runs[1]!.id);
    expect(back.exitCode, back.stdout).toBe(0);
    expect(back.summary).toContain('Rollback of production to');
    expect(release().production_sha_current).toBe(s.base);
    expect(sim.issueComments(issue.number).at(-1)!.body).toContain('The rollback deploy succeeded');
    expect(deployRuns(sim, s)).toHaveLength(2);
  });

  it('two governors observe the same failed check at once, and the rollback dispatch loses its response: still one rollback run', async () => {
    const ep = await endpoint(() => ({ status: 500 }));
    const s = setupRepo(sim, {
      config: healthConfig(`url: ${ep.url}\nduration_seconds: 0.5\ninterval_seconds: 0.05`),
    });
    inProduction(sim, s.base);
    const { sha: bad, run } = await deployed(s);
    sim.completeRun(run.id, 'success');
    // The rollback's dispatch happens, but its answer never arrives.
    sim.inject(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      { kind: 'lost' },
      1,
    );
    const event = deployEvent(sim, s, run.id, 'success');
    const [a, b] = await Promise.all([
      runAction({ sim, eventName: 'workflow_run', event, runId: runId() }),
      runAction({ sim, eventName: 'workflow_run', event, runId: runId() }),
    ]);
    expect([a.exitCode, b.exitCode], a.stdout + b.stdout).toEqual([0, 0]);
    const rollbacks = deployRuns(sim, s).filter((x) => x.inputs?.sha === s.base);
    expect(rollbacks).toHaveLength(1);
    expect(sim.issuesTitled(rollbackTitle(bad, s.base))).toHaveLength(1);
    // The run found after the lost answer is recorded: nothing is left claimed without a run.
    expect(release().deploy_history[0]).toMatchObject({
      sha: s.base,
      rollback_of: bad,
      run_id: rollbacks[0]!.id,
    });
  });

  it('p95 latency over the bound with no errors → rollback', async () => {
    const ep = await endpoint(() => ({ delayMs: 80 }));
    const s = setupRepo(sim, {
      config: urlCheck(ep.url).replace('max_latency_ms: 500', 'max_latency_ms: 40'),
    });
    inProduction(sim, s.base);
    const { run } = await deployed(s);
    const r = await finishes(s, run.id);
    expect(r.outputs).toMatchObject({ decision: 'ROLLBACK', reason: 'health_check_failed' });
    expect(release().last_health_check).toMatchObject({ verdict: 'fail', errors: 0 });
    expect(r.summary).toMatch(/p95 latency \d+ ms &gt; max\\_latency\\_ms 40 ms/);
  });

  it('timeouts are errors; a redirect to another host is an error and is not followed', async () => {
    const other = await endpoint(() => ({}));
    const ep = await endpoint((n) =>
      n % 2 === 0 ? { hang: true } : { status: 302, location: other.url },
    );
    const s = setupRepo(sim, {
      config: healthConfig(
        `url: ${ep.url}\nduration_seconds: 0.6\ninterval_seconds: 0.1\ntimeout_ms: 150`,
      ),
    });
    inProduction(sim, s.base);
    const { run } = await deployed(s);
    const r = await finishes(s, run.id);
    expect(r.outputs).toMatchObject({ decision: 'ROLLBACK', reason: 'health_check_failed' });
    expect(r.summary).toContain('timed out after 150 ms');
    expect(r.summary).toContain(`HTTP 302 (redirect to ${other.url}, not followed)`);
    expect(other.requests()).toBe(0);
  });

  it('the rollback deploy fails too → a comment on the issue, nothing more', async () => {
    const ep = await endpoint(() => ({ status: 500 }));
    const s = setupRepo(sim, { config: urlCheck(ep.url) });
    inProduction(sim, s.base);
    const { sha: bad, run } = await deployed(s);
    await finishes(s, run.id);
    const rollbackRun = deployRuns(sim, s)[1]!;
    const r = await finishes(s, rollbackRun.id, 'failure');
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.summary).toContain('does nothing more by itself');
    const [issue] = sim.issuesTitled(rollbackTitle(bad, s.base));
    expect(sim.issueComments(issue!).at(-1)!.body).toContain('The rollback deploy **failed**');
    expect(sim.allIssues()).toHaveLength(1);
    expect(deployRuns(sim, s)).toHaveLength(2);
    expect(release().production_sha_current).toBe(bad);
  });

  it('a first deploy that is unhealthy → an issue saying there is nothing to return to, no dispatch', async () => {
    const ep = await endpoint(() => ({ status: 500 }));
    const s = setupRepo(sim, { config: urlCheck(ep.url) });
    const { sha, run } = await deployed(s, true);
    const r = await finishes(s, run.id);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'HOLD', reason: 'health_check_failed', sha });
    expect(deployRuns(sim, s)).toHaveLength(1);
    const issues = sim.allIssues();
    expect(issues).toHaveLength(1);
    expect(issues[0]!.title).toBe(
      `Health check of production failed on ${sha.slice(0, 7)}: not rolled back`,
    );
    expect(issues[0]!.body).toContain('no earlier SHA whose deploy and health check both passed');
  });

  it('the rolled-back SHA verified again → HOLD previously_rolled_back, cleared by a SHA-scoped approval', async () => {
    const bad500 = await endpoint(() => ({ status: 500 }));
    // No cooldown, so that the hold seen is the rollback's own (rule 8c), not rule 7's.
    const s = setupRepo(sim, {
      config: urlCheck(bad500.url).replace('cooldown_minutes: 30', 'cooldown_minutes: 0'),
    });
    inProduction(sim, s.base);
    const { sha: bad, run } = await deployed(s);
    await finishes(s, run.id);
    await finishes(s, deployRuns(sim, s)[1]!.id);
    expect(release().production_sha_current).toBe(s.base);
    const event = verified(sim, s, bad);
    const held = await runAction({ sim, eventName: 'workflow_run', event, runId: runId() });
    expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'previously_rolled_back' });
    expect(held.summary).toContain('RELEASE_GOVERNOR_APPROVED');
    const approved = await runAction({
      sim,
      eventName: 'workflow_run',
      event,
      runId: runId(),
      env: { RELEASE_GOVERNOR_APPROVED: bad },
    });
    expect(approved.outputs).toMatchObject({
      decision: 'ALLOW',
      reason: 'allow_approved',
      sha: bad,
    });
  });
});

describe('health checks in a pipeline', () => {
  it('staging passes its health check → production is dispatched in the same run', async () => {
    const good = await endpoint(() => ({}));
    const s = stagingChecked([`url: ${good.url}`, 'duration_seconds: 0.5']);
    const { sha, run } = await deployed(s);
    const r = await finishes(s, run.id);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', stage: 'production', sha });
    expect(r.summary).toContain('Health check passed');
    expect(deployRuns(sim, s).map((x) => x.inputs)).toEqual([
      { sha, environment: 'staging' },
      { sha, environment: 'production' },
    ]);
    expect(sim.statusesFor(sha).map((x) => `${x.context}:${x.state}`)).toContain(
      'booty/release-governor/staging:success',
    );
  });
});

describe('health check that fails without a rollback, on a stage before production', () => {
  it('HOLD health_check_failed; a re-run of the job says the same and never offers the SHA to production', async () => {
    const bad = await endpoint(() => ({ status: 500 }));
    const s = stagingChecked([`url: ${bad.url}`, 'duration_seconds: 0.3', 'rollback: false']);
    const { sha, run } = await deployed(s);
    const first = await finishes(s, run.id);
    expect(first.outputs, first.stdout).toMatchObject({
      decision: 'HOLD',
      reason: 'health_check_failed',
      sha,
    });
    // The operator re-runs the job: the check is recorded as failed; it is not a verified
    // staging release, so production is not even asked about it (before: SKIP not_promoted).
    const again = await finishes(s, run.id, 'success', 2);
    expect(again.outputs, again.stdout).toMatchObject({
      decision: 'HOLD',
      reason: 'health_check_failed',
      sha,
    });
    expect(deployRuns(sim, s).map((x) => x.inputs)).toEqual([{ sha, environment: 'staging' }]);
    expect(sim.allIssues()).toHaveLength(1);
  });
});

describe('health check (workflow): smoke tests decide', () => {
  const smoke = smokeWorkflow;
  const smokeEvent = (wf: WorkflowRecord, id: number, conclusion: string) =>
    smokeFinished(sim, wf, id, conclusion);

  it.each([
    ['success', 'verified', 1],
    ['failure', 'ROLLBACK', 2],
  ])('smoke tests %s → %s', async (conclusion, expected, dispatches) => {
    const s = setupRepo(sim, { config: healthConfig('workflow: smoke.yml') });
    const wf = smoke(sim);
    inProduction(sim, s.base);
    const { sha, run } = await deployed(s);
    const observed = await finishes(s, run.id);
    expect(observed.exitCode, observed.stdout).toBe(0);
    const smokeRuns = sim.runs.filter((r) => r.workflow_id === wf.id);
    expect(smokeRuns.map((r) => r.inputs)).toEqual([{ sha, environment: 'production' }]);
    expect(sim.statusesFor(sha)[0]).toMatchObject({ state: 'pending' });
    // The deploy's event delivered again: the smoke tests are not dispatched twice.
    await finishes(s, run.id, 'success', 2);
    expect(sim.runs.filter((r) => r.workflow_id === wf.id)).toHaveLength(1);

    const r = await runAction({
      sim,
      eventName: 'workflow_run',
      event: smokeEvent(wf, smokeRuns[0]!.id, conclusion),
      runId: runId(),
    });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    if (expected === 'ROLLBACK')
      expect(r.outputs).toMatchObject({ decision: 'ROLLBACK', reason: 'health_check_failed' });
    else {
      expect(release().last_health_check).toMatchObject({ verdict: 'pass' });
      expect(release().stages.production!.verified_at).not.toBeNull();
    }
    expect(deployRuns(sim, s)).toHaveLength(dispatches);
  });

  it('the smoke tests finished but their workflow_run never arrived: reconcile settles them', async () => {
    const s = setupRepo(sim, { config: healthConfig('workflow: smoke.yml') });
    const wf = smoke(sim);
    inProduction(sim, s.base);
    const { sha, run } = await deployed(s);
    await finishes(s, run.id);
    const smokeRun = sim.runs.find((r) => r.workflow_id === wf.id)!;
    sim.completeRun(smokeRun.id, 'success');
    // Ten minutes pass (the state says the check started then): the event is surely lost.
    const head = sim.git.readRef('refs/heads/booty-state')!;
    type Check = { last_health_check: { started_at: string } };
    const r = release() as unknown as Check & { stages: Record<string, Check> };
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    r.last_health_check.started_at = tenMinutesAgo;
    r.stages.production!.last_health_check.started_at = tenMinutesAgo;
    sim.commit({
      branch: 'booty-state',
      parents: [head],
      message: 'time passes',
      files: { 'release.json': `${JSON.stringify(r, null, 2)}\n` },
    });
    const rec = await runAction({
      sim,
      eventName: 'schedule',
      event: deepMerge(fixture('schedule'), { repository: { id: sim.repoId } }),
      runId: runId(),
    });
    expect(rec.exitCode, rec.stdout).toBe(0);
    expect(rec.summary).toContain(
      `Settled the health check of ${sha.slice(0, 7)} on production: pass`,
    );
    expect(release().last_health_check).toMatchObject({ verdict: 'pass' });
    expect(release().stages.production!.verified_at).not.toBeNull();
  });
});
