// The release pipeline of SPEC §14 through dist/index.js: staging first, the soak, promotion,
// the release train, reconcile over two stages, and the races of §13 with two stages.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { runCli } from '../support/cli-runner.js';
import { deepMerge, fixture } from '../support/events.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  ago,
  deployEvent,
  deployRuns,
  pipelineConfig,
  seedPipeline,
  setupRepo,
  stateFile,
  verified,
  type Scenario,
  deployFinishes as finishes,
  onVerified as verifiedRun,
  timePasses,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

let nextRunId = 7000;
const runId = () => nextRunId++;

interface StageJson {
  current_sha: string | null;
  verified_at: string | null;
  deploy_history: { sha: string; result: string | null; run_id: number | null }[];
}
interface ReleaseJson {
  schema_version: number;
  production_sha_current: string | null;
  stages: Record<string, StageJson>;
}
const release = () => stateFile(sim, 'release.json') as ReleaseJson;
const head = () => sim.git.readRef('refs/heads/booty-state');

const schedule = () =>
  runAction({
    sim,
    eventName: 'schedule',
    event: deepMerge(fixture('schedule'), { repository: { id: sim.repoId } }),
    runId: runId(),
  });

const onVerified = (s: Scenario, sha: string) => verifiedRun(sim, s, sha, runId());

/** The deploy run finishes and its workflow_run event reaches the governor. */
const deployFinishes = (s: Scenario, id: number, conclusion = 'success') =>
  finishes(sim, s, { id, conclusion, governorRunId: runId() });

const dispatched = (s: Scenario) =>
  deployRuns(sim, s)
    .sort((a, b) => a.id - b.id)
    .map((r) => ({ id: r.id, sha: r.inputs?.sha, environment: r.inputs?.environment }));

/**
 * Time passes for a stage: its current SHA was verified `minutes` earlier than recorded (a new
 * commit on the state branch, as if the clock had moved on; the simulator's clock is the real one).
 */
function soakPasses(stage: string, minutes: number): void {
  const r = release() as unknown as {
    stages: Record<string, { verified_at: string; live_since: string }>;
  };
  const st = r.stages[stage]!;
  st.verified_at = new Date(Date.parse(st.verified_at) - minutes * 60_000).toISOString();
  st.live_since = new Date(Date.parse(st.live_since) - minutes * 60_000).toISOString();
  timePasses(sim, r);
}

describe('stages: staging first, then production', () => {
  it('verification → staging only; staging success → HOLD soaking with the unlock time; after the soak, schedule → production with environment production', async () => {
    // A real soak of 6 s: long enough for the observing run to see it, short enough to wait out.
    const s = setupRepo(sim, { config: pipelineConfig(0.1), stages: true });
    seedPipeline(sim, {
      staging: { sha: s.base, minutesAgo: 60 },
      production: { sha: s.base, minutesAgo: 60 },
    });
    const sha = sim.commit({ files: { 'src/app.ts': 'v2' } });

    const v = await onVerified(s, sha);
    expect(v.exitCode, v.stdout).toBe(0);
    expect(v.outputs).toMatchObject({
      decision: 'ALLOW',
      reason: 'allow_low',
      stage: 'staging',
      sha,
    });
    expect(dispatched(s)).toEqual([{ id: expect.any(Number), sha, environment: 'staging' }]);
    expect(sim.runs.find((r) => r.id === dispatched(s)[0]!.id)!.display_title).toBe(
      `Deploy ${sha} to staging`,
    );
    expect(sim.statusesFor(sha)[0]).toMatchObject({
      context: 'booty/release-governor/staging',
      state: 'success',
    });
    expect(v.summary).toContain('### Pipeline');

    const observed = await deployFinishes(s, dispatched(s)[0]!.id);
    expect(observed.exitCode, observed.stdout).toBe(0);
    expect(observed.outputs).toMatchObject({
      decision: 'HOLD',
      reason: 'soaking',
      stage: 'production',
      sha,
    });
    expect(observed.summary).toMatch(/production unlocks at \d\d:\d\d UTC, in \d+s/);
    expect(observed.summary).toContain('Deploy of');
    expect(release().stages.staging!.current_sha).toBe(sha);
    expect(release().stages.staging!.verified_at).not.toBeNull();
    expect(release().production_sha_current).toBe(s.base);
    const contexts = sim.statusesFor(sha).map((x) => `${x.context}:${x.state}`);
    expect(contexts).toContain('booty/release-governor/staging:success');
    expect(contexts).toContain('booty/release-governor/production:pending');
    expect(dispatched(s)).toHaveLength(1);

    const end = Date.parse(release().stages.staging!.verified_at!) + 0.1 * 60_000;
    await sleep(Math.max(0, end - Date.now()) + 200);
    const promoted = await schedule();
    expect(promoted.exitCode, promoted.stdout).toBe(0);
    expect(promoted.outputs).toMatchObject({
      decision: 'ALLOW',
      reason: 'allow_low',
      stage: 'production',
      sha,
    });
    expect(dispatched(s).map(({ sha: x, environment }) => ({ sha: x, environment }))).toEqual([
      { sha, environment: 'staging' },
      { sha, environment: 'production' },
    ]);

    const live = await deployFinishes(s, dispatched(s)[1]!.id);
    expect(live.exitCode, live.stdout).toBe(0);
    expect(live.outputs).toMatchObject({ stage: 'production', sha });
    expect(release()).toMatchObject({
      schema_version: 2,
      production_sha_current: sha,
      stages: { staging: { current_sha: sha }, production: { current_sha: sha } },
    });
    expect(sim.statusesFor(sha)[0]).toMatchObject({
      context: 'booty/release-governor/production',
      state: 'success',
    });
  });

  it('without a soak the run that observes the staging success dispatches production at once', async () => {
    const s = setupRepo(sim, { config: pipelineConfig(0), stages: true });
    seedPipeline(sim, {
      staging: { sha: s.base, minutesAgo: 60 },
      production: { sha: s.base, minutesAgo: 60 },
    });
    const sha = sim.commit({ files: { 'src/app.ts': 'v2' } });
    await onVerified(s, sha);
    const r = await deployFinishes(s, dispatched(s)[0]!.id);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', stage: 'production', sha });
    expect(r.outputs['deploy-run-url']).toMatch(/actions\/runs\/\d+$/);
    expect(dispatched(s).map((x) => x.environment)).toEqual(['staging', 'production']);
  });

  it('a SHA never in staging asked for production → SKIP not_promoted; the stage input is checked', async () => {
    const s = setupRepo(sim, { config: pipelineConfig(0), stages: true });
    seedPipeline(sim, {
      staging: { sha: s.base, minutesAgo: 60 },
      production: { sha: s.base, minutesAgo: 60 },
    });
    const sha = sim.commit({ files: { 'src/app.ts': 'v2' } });
    sim.workflowRun({ workflow: s.verify, headSha: sha, conclusion: 'success' });
    const manual = (stage: string) =>
      runAction({
        sim,
        eventName: 'workflow_dispatch',
        event: deepMerge(fixture('workflow_dispatch.governor'), {
          inputs: { sha, stage },
          repository: { id: sim.repoId },
        }),
        inputs: { sha, stage },
        runId: runId(),
      });
    const before = head();
    const r = await manual('production');
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({
      decision: 'SKIP',
      reason: 'not_promoted',
      stage: 'production',
    });
    expect(r.summary).toContain('has not passed staging');
    expect(dispatched(s)).toHaveLength(0);
    expect(head()).toBe(before);

    const bad = await manual('prod');
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr + bad.stdout).toContain(
      'There is no stage named "prod": the stages are staging, production',
    );
    expect(dispatched(s)).toHaveLength(0);

    // Without the stage input: the first stage the SHA has not passed.
    const first = await manual('');
    expect(first.outputs).toMatchObject({ decision: 'ALLOW', stage: 'staging', sha });
  });

  it('the release train: staging busy while soaking → HOLD stage_busy; after the soak production takes the soaked SHA and staging the newest, in one reconcile', async () => {
    const s = setupRepo(sim, { config: pipelineConfig(30), stages: true });
    seedPipeline(sim, {
      staging: { sha: s.base, minutesAgo: 60 },
      production: { sha: s.base, minutesAgo: 60 },
    });
    const a = sim.commit({ files: { 'src/app.ts': 'A' } });
    await onVerified(s, a);
    const soaking = await deployFinishes(s, dispatched(s)[0]!.id);
    expect(soaking.outputs).toMatchObject({ decision: 'HOLD', reason: 'soaking' });

    const b = sim.commit({ files: { 'src/app.ts': 'B' } });
    const busy = await onVerified(s, b);
    expect(busy.exitCode, busy.stdout).toBe(0);
    expect(busy.outputs).toMatchObject({
      decision: 'HOLD',
      reason: 'stage_busy',
      stage: 'staging',
      sha: b,
    });
    expect(busy.summary).toContain('takes no newer SHA');
    expect(dispatched(s)).toHaveLength(1);

    // Half an hour passes: the soak of A in staging is over.
    soakPasses('staging', 31);
    const r = await schedule();
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', stage: 'production', sha: a });
    expect(r.summary).toContain('staging: ALLOW');
    expect(dispatched(s).map((x) => [x.sha, x.environment])).toEqual([
      [a, 'staging'],
      [a, 'production'],
      [b, 'staging'],
    ]);
  });

  it('a staging deploy whose workflow_run never arrived is settled by reconcile, which then promotes it', async () => {
    const s = setupRepo(sim, { config: pipelineConfig(0), stages: true });
    const sha = sim.commit({ files: { 'src/app.ts': 'lost' } });
    sim.workflowRun({ workflow: s.verify, headSha: sha, conclusion: 'success' });
    const run = sim.workflowRun({
      workflow: s.deploy,
      headSha: sha,
      event: 'workflow_dispatch',
      conclusion: 'success',
      displayTitle: `Deploy ${sha} to staging`,
      at: ago(20),
    });
    seedPipeline(sim, {
      staging: {
        sha: s.base,
        minutesAgo: 60,
        history: [
          {
            sha,
            time: ago(20).toISOString(),
            result: 'pending',
            run_id: run.id,
            run_url: null,
            claimed_by: 'action:1/1',
          },
        ],
      },
      production: { sha: s.base, minutesAgo: 60 },
    });
    const r = await schedule();
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.summary).toContain('Settled a deploy whose outcome was never observed');
    expect(release().stages.staging!.current_sha).toBe(sha);
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', stage: 'production', sha });
    // The seeded staging run was not dispatched by this reconcile: only production was.
    expect(
      dispatched(s)
        .filter((x) => x.id !== run.id)
        .map((x) => [x.sha, x.environment]),
    ).toEqual([[sha, 'production']]);
  });

  it('an idle reconcile writes nothing and makes at most 3 requests, inside a soak too', async () => {
    const s = setupRepo(sim, { config: pipelineConfig(30), stages: true });
    const a = sim.commit({ files: { 'src/app.ts': 'A' } });
    sim.workflowRun({ workflow: s.verify, headSha: a, conclusion: 'success' });
    seedPipeline(sim, {
      staging: { sha: a, minutesAgo: 5 },
      production: { sha: s.base, minutesAgo: 60 },
    });
    const before = head();
    const r = await schedule();
    expect(r.exitCode, r.stdout).toBe(0);
    expect(head()).toBe(before);
    expect(r.requests.length, r.requests.map((q) => q.route).join('\n')).toBeLessThanOrEqual(3);
    expect(r.summary).toMatch(/production takes \w{7} at \d\d:\d\d UTC \(in 2\dm/);
    expect(r.summary).toContain('### Pipeline');
    expect(dispatched(s)).toHaveLength(0);
  });

  it('two reconciles at once never dispatch twice', async () => {
    const s = setupRepo(sim, { config: pipelineConfig(1), stages: true });
    const a = sim.commit({ files: { 'src/app.ts': 'A' } });
    sim.workflowRun({ workflow: s.verify, headSha: a, conclusion: 'success' });
    seedPipeline(sim, {
      staging: { sha: a, minutesAgo: 5 },
      production: { sha: s.base, minutesAgo: 60 },
    });
    const [x, y] = await Promise.all([schedule(), schedule()]);
    expect([x.exitCode, y.exitCode]).toEqual([0, 0]);
    expect([x.outputs.decision, y.outputs.decision].sort()).toEqual(['ALLOW', 'SKIP']);
    expect(dispatched(s).map((d) => [d.sha, d.environment])).toEqual([[a, 'production']]);
  });
});

describe('the CLI with two stages', () => {
  it('status shows every stage; simulate --stage and trigger choose the stage', async () => {
    const s = setupRepo(sim, { config: pipelineConfig(30), stages: true });
    const a = sim.commit({ files: { 'src/app.ts': 'A' } });
    sim.workflowRun({ workflow: s.verify, headSha: a, conclusion: 'success' });
    seedPipeline(sim, {
      staging: { sha: a, minutesAgo: 45 },
      production: { sha: s.base, minutesAgo: 60 },
    });
    const env = { GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl };
    const st = await runCli(['status', '--repo', sim.fullName, '--json'], { env });
    expect(st.code, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout).stages).toEqual([
      expect.objectContaining({ name: 'staging', current_sha: a, in_flight: null }),
      expect.objectContaining({
        name: 'production',
        current_sha: s.base,
        next: { sha: a, at: expect.any(String) },
      }),
    ]);
    const text = await runCli(['status', '--repo', sim.fullName], { env });
    expect(text.stdout).toContain(`  staging: ${a.slice(0, 7)} since`);

    const b = sim.commit({ files: { 'src/app.ts': 'B' } });
    const skip = await runCli(
      ['simulate', '--repo', sim.fullName, '--sha', b, '--stage', 'production', '--json'],
      { env },
    );
    expect(JSON.parse(skip.stdout)).toMatchObject({
      decision: 'SKIP',
      reason: 'not_promoted',
      stage: 'production',
    });
    // Without --stage, trigger decides the first stage the SHA has not passed: production for A.
    const t = await runCli(['trigger', '--repo', sim.fullName, '--sha', a, '--json'], { env });
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ decision: 'ALLOW', stage: 'production', sha: a });
    expect(dispatched(s).map((d) => [d.sha, d.environment])).toEqual([[a, 'production']]);
  });
});

describe('races with two stages', () => {
  it('10 runs for one SHA → one staging dispatch; 10 runs for 10 SHAs, then their 10 staging outcomes at once → one dispatch per SHA per stage, each stage an ancestor chain', async () => {
    const s = setupRepo(sim, { config: pipelineConfig(0), stages: true });
    seedPipeline(sim, {
      staging: { sha: s.base, minutesAgo: 60 },
      production: { sha: s.base, minutesAgo: 60 },
    });
    const shas = Array.from({ length: 10 }, (_, i) =>
      sim.commit({ files: { [`src/f${i}.ts`]: String(i) } }),
    );
    const events = shas.map((sha) => verified(sim, s, sha));
    const same = await Promise.all(
      Array.from({ length: 10 }, () =>
        runAction({ sim, eventName: 'workflow_run', event: events[9]!, runId: runId() }),
      ),
    );
    expect(same.map((r) => r.exitCode)).toEqual(Array(10).fill(0));
    expect(same.filter((r) => r.outputs.decision === 'ALLOW')).toHaveLength(1);
    expect(dispatched(s)).toHaveLength(1);

    const many = await Promise.all(
      events.map((event) => runAction({ sim, eventName: 'workflow_run', event, runId: runId() })),
    );
    expect(many.map((r) => r.exitCode)).toEqual(Array(10).fill(0));
    const staging = dispatched(s);
    const outcomes = await Promise.all(
      staging.map((d) => {
        sim.completeRun(d.id, 'success');
        return runAction({
          sim,
          eventName: 'workflow_run',
          event: deployEvent(sim, s, d.id, 'success'),
          runId: runId(),
        });
      }),
    );
    expect(outcomes.map((r) => r.exitCode)).toEqual(Array(outcomes.length).fill(0));

    for (const env of ['staging', 'production']) {
      const order = dispatched(s)
        .filter((d) => d.environment === env)
        .map((d) => d.sha!);
      expect(order.length, env).toBeGreaterThanOrEqual(1);
      expect(new Set(order).size, `${env}: one dispatch per SHA`).toBe(order.length);
      for (let i = 1; i < order.length; i++)
        expect(sim.git.isAncestor(order[i - 1]!, order[i]!), `${env} ${i}`).toBe(true);
      // The stage's own history, oldest first, is an ancestor chain too.
      const history = release()
        .stages[env]!.deploy_history.map((h) => h.sha)
        .reverse();
      for (let i = 1; i < history.length; i++)
        expect(sim.git.isAncestor(history[i - 1]!, history[i]!), `${env} history ${i}`).toBe(true);
    }
    // Production only ever took what staging ran.
    const toStaging = new Set(staging.map((d) => d.sha));
    for (const d of dispatched(s).filter((x) => x.environment === 'production'))
      expect(toStaging.has(d.sha)).toBe(true);
  });
});
