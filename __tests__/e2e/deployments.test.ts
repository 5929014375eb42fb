// GitHub Deployments of the exact SHA (SPEC §21) through dist/index.js: one deployment per
// dispatched deploy, created after the claim, moved through queued, in_progress, success or
// failure; the rollback's own; exactly one under races and lost answers; a 403 is a warning;
// off, no request at all.
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  deployFinishes,
  deployRuns,
  deployWorkflowText,
  inProduction,
  onVerified,
  setupRepo,
  stateFile,
  verified,
  type Scenario,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';
import { healthEndpoint, useHealthEndpoints } from '../support/health-endpoint.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

let nextRunId = 9700;
const runId = () => nextRunId++;

useHealthEndpoints();

const config = (extra: string) =>
  `release_governor:\n  cooldown_minutes: 0\n  environment_url: https://shop.example.com\n${extra}`;
const healthCheck = (url: string) =>
  `  health_check:\n    url: ${url}\n    duration_seconds: 0.3\n    interval_seconds: 0.05\n    timeout_ms: 1000\n`;

/** Each deployment: its SHA, environment, task, payload and statuses oldest first. */
const deployments = () =>
  sim.deployments.list.map((d) => ({
    id: d.id,
    sha: d.sha,
    environment: d.environment,
    task: d.task,
    production: d.production_environment,
    payload: d.payload as Record<string, unknown>,
    states: [...d.statuses].reverse().map((x) => x.state),
    statuses: [...d.statuses].reverse(),
  }));

const deploymentRequests = (r: { requests: { path: string }[] }) =>
  r.requests.filter((q) => /\/deployments/.test(q.path));

async function allowed(s: Scenario, files: Record<string, string>) {
  const sha = sim.commit({ files });
  const r = await onVerified(sim, s, sha, runId());
  expect(r.exitCode, r.stdout).toBe(0);
  expect(r.outputs.decision, r.stdout).toBe('ALLOW');
  return { sha, r, run: deployRuns(sim, s).at(-1)! };
}

describe('GitHub Deployments of the exact SHA', () => {
  it('LOW ALLOW, deploy success and a passing health check: one deployment of the SHA, queued → in_progress → success, the deploy run as its log', async () => {
    const url = await healthEndpoint(200);
    const s = setupRepo(sim, { config: config(healthCheck(url)) });
    inProduction(sim, s.base);
    const { sha, r, run } = await allowed(s, { 'src/app.ts': 'v2' });
    expect(deploymentRequests(r)).toHaveLength(2);
    expect(deployments()).toEqual([
      expect.objectContaining({
        sha,
        environment: 'production',
        task: 'deploy',
        production: true,
        states: ['queued'],
      }),
    ]);
    const d = deployments()[0]!;
    expect(d.statuses[0]!.log_url).toMatch(new RegExp(`/actions/runs/${run.id}$`));
    expect(d.payload).toMatchObject({
      service: null,
      stage: 'production',
      deploy_run_id: run.id,
      governor_run: expect.stringContaining('/actions/runs/'),
      evidence_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const history = (stateFile(sim, 'release.json') as { deploy_history: unknown[] })
      .deploy_history[0];
    expect(history).toMatchObject({ sha, run_id: run.id, deployment_id: d.id });

    const done = await deployFinishes(sim, s, { id: run.id, governorRunId: runId() });
    expect(done.exitCode, done.stdout).toBe(0);
    const after = deployments()[0]!;
    expect(after.states).toEqual(['queued', 'in_progress', 'success']);
    expect(after.statuses.at(-1)!.environment_url).toBe('https://shop.example.com');
    expect(deploymentRequests(done)).toHaveLength(2);
  });

  it('a failed health check: the deployment fails, and the rollback gets its own (deploy:rollback), success once it ran', async () => {
    const url = await healthEndpoint(500);
    const s = setupRepo(sim, { config: config(healthCheck(url)) });
    inProduction(sim, s.base);
    const { sha, run } = await allowed(s, { 'src/app.ts': 'v2' });
    const done = await deployFinishes(sim, s, { id: run.id, governorRunId: runId() });
    expect(done.outputs.decision, done.stdout).toBe('ROLLBACK');
    const bad = deployments().find((d) => d.task === 'deploy');
    const rollback = deployments().find((d) => d.task === 'deploy:rollback');
    expect(bad).toMatchObject({ sha, task: 'deploy' });
    expect(bad!.states).toEqual(['queued', 'in_progress', 'failure']);
    expect(rollback).toMatchObject({ sha: s.base, task: 'deploy:rollback', states: ['queued'] });
    const rbRun = deployRuns(sim, s).at(-1)!;
    expect(rbRun.inputs?.sha).toBe(s.base);
    const back = await deployFinishes(sim, s, { id: rbRun.id, governorRunId: runId() });
    expect(back.exitCode, back.stdout).toBe(0);
    expect(deployments().find((d) => d.task === 'deploy:rollback')!.states).toEqual([
      'queued',
      'success',
    ]);
  });

  it('a held commit on top of the branch changes nothing on the Deployments page', async () => {
    const s = setupRepo(sim, { config: config('') });
    inProduction(sim, s.base);
    const { sha, run } = await allowed(s, { 'src/app.ts': 'v2' });
    await deployFinishes(sim, s, { id: run.id, governorRunId: runId() });
    const held = sim.commit({ files: { 'infra/main.tf': 'resource "x" "y" {}\n' } });
    const h = await onVerified(sim, s, held, runId());
    expect(h.outputs.decision).toBe('HOLD');
    expect(deploymentRequests(h)).toEqual([]);
    expect(deployments().map((d) => [d.sha, d.states.at(-1)])).toEqual([[sha, 'success']]);
  });

  it('10 governors racing for one SHA, and a create whose answer is lost: one deployment each time', async () => {
    const s = setupRepo(sim, { config: config('') });
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'src/app.ts': 'v2' } });
    const event = verified(sim, s, sha);
    const runs = await Promise.all(
      Array.from({ length: 10 }, () =>
        runAction({ sim, eventName: 'workflow_run', event, runId: runId() }),
      ),
    );
    for (const r of runs) expect(r.exitCode, r.stdout).toBe(0);
    expect(deployRuns(sim, s)).toHaveLength(1);
    expect(deployments().filter((d) => d.sha === sha)).toHaveLength(1);

    await deployFinishes(sim, s, { id: deployRuns(sim, s)[0]!.id, governorRunId: runId() });
    sim.inject('POST /repos/{owner}/{repo}/deployments', { kind: 'lost' }, 1);
    const { sha: next, r } = await allowed(s, { 'src/app.ts': 'v3' });
    expect(r.stdout).not.toMatch(/::warning.*deployment/);
    const mine = deployments().filter((d) => d.sha === next);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.states).toEqual(['queued']);
  });

  it('a 403 on the deployments API is a warning naming the permission; the deploy is dispatched and recorded', async () => {
    const s = setupRepo(sim, { config: config('') });
    inProduction(sim, s.base);
    sim.inject(
      'POST /repos/{owner}/{repo}/deployments',
      { kind: 'status', status: 403, message: 'Resource not accessible by integration' },
      Number.POSITIVE_INFINITY,
    );
    const { sha, r, run } = await allowed(s, { 'src/app.ts': 'v2' });
    expect(r.stdout).toMatch(/::warning.*deployments: write/);
    expect(deployRuns(sim, s)).toHaveLength(1);
    expect(
      (stateFile(sim, 'release.json') as { deploy_history: unknown[] }).deploy_history[0],
    ).toMatchObject({ sha, run_id: run.id });
    expect(deployments()).toEqual([]);
  });

  it('github_deployments: false makes no deployments request at all', async () => {
    const s = setupRepo(sim, { config: config('  github_deployments: false\n') });
    inProduction(sim, s.base);
    const { r, run } = await allowed(s, { 'src/app.ts': 'v2' });
    const done = await deployFinishes(sim, s, { id: run.id, governorRunId: runId() });
    expect(deploymentRequests(r)).toEqual([]);
    expect(deploymentRequests(done)).toEqual([]);
    expect(deployments()).toEqual([]);
  });

  it('stages and services each get theirs: the environment of the stage, the service in the payload', async () => {
    const s = setupRepo(sim, {
      config: [
        'release_governor:',
        '  cooldown_minutes: 0',
        '  stages:',
        '    - { name: staging, environment_url: "https://staging.example.com" }',
        '    - { name: production }',
        '  services:',
        '    - { name: api, paths: [services/api/] }',
        '    - { name: web, paths: [apps/web/] }',
        '',
      ].join('\n'),
      deployFile: deployWorkflowText({ sha: true, environment: true, service: true }),
    });
    s.deploy.runName =
      'Deploy ${{ inputs.service }} ${{ inputs.sha }} to ${{ inputs.environment }}';
    s.deploy.dispatchInputs = {
      sha: { required: true },
      environment: { required: true },
      service: { required: true },
    };
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'services/api/a.ts': '1', 'apps/web/b.ts': '1' } });
    const r = await onVerified(sim, s, sha, runId());
    expect(r.exitCode, r.stdout).toBe(0);
    expect(
      deployments()
        .map((d) => [d.payload.service, d.environment, d.production, d.states.join(',')])
        .sort(),
    ).toEqual([
      ['api', 'staging', false, 'queued'],
      ['web', 'staging', false, 'queued'],
    ]);
    const apiRun = deployRuns(sim, s).find((x) => x.inputs?.service === 'api')!;
    const done = await deployFinishes(sim, s, { id: apiRun.id, governorRunId: runId() });
    expect(done.exitCode, done.stdout).toBe(0);
    const api = deployments().find(
      (d) => d.payload.service === 'api' && d.environment === 'staging',
    )!;
    expect(api.states).toEqual(['queued', 'success']);
    expect(api.statuses.at(-1)!.environment_url).toBe('https://staging.example.com');
    // Its promotion to production (no soak) is a deployment of its own.
    expect(
      deployments()
        .filter((d) => d.environment === 'production')
        .map((d) => d.payload.service),
    ).toEqual(['api']);
  });
});
