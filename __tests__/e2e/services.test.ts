// Services (SPEC §20) through dist/index.js: each service decided on its own paths, one claim
// for every ALLOW, `inputs.service` on each dispatch, ordering by depends_on, incidents scoped by
// `service:<name>` labels, per-service approvers, and the migration of a version-2 state.
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  deployEvent,
  deployRuns,
  deployWorkflowText,
  inProduction,
  setupRepo,
  stateFile,
  verified,
  type Scenario,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

let nextRunId = 9100;
const runId = () => nextRunId++;

/** Three services: api (with a shared package), web (after api), worker. */
export const MONOREPO_CONFIG = [
  'release_governor:',
  '  cooldown_minutes: 30',
  '  services:',
  '    - name: api',
  '      paths: [services/api/, packages/shared/]',
  '    - name: web',
  '      paths: [apps/web/, packages/shared/]',
  '      depends_on: [api]',
  '    - name: worker',
  '      paths: [services/worker/]',
  '',
].join('\n');

const MONOREPO_FILES = {
  'services/api/index.ts': 'export const api = 1;\n',
  'apps/web/index.ts': 'export const web = 1;\n',
  'packages/shared/index.ts': 'export const shared = 1;\n',
  'services/worker/index.ts': 'export const worker = 1;\n',
};

/** A monorepo whose one deploy workflow takes the service, named in its run-name. */
function monorepo(config = MONOREPO_CONFIG): Scenario {
  const s = setupRepo(sim, {
    config,
    files: MONOREPO_FILES,
    deployFile: deployWorkflowText({ sha: true, service: true }),
  });
  s.deploy.runName = 'Deploy ${{ inputs.service }} ${{ inputs.sha }}';
  s.deploy.dispatchInputs = { sha: { required: true }, service: { required: true } };
  return s;
}

const onVerified = (s: Scenario, sha: string) =>
  runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, sha), runId: runId() });

async function deployFinishes(s: Scenario, id: number, conclusion = 'success') {
  sim.completeRun(id, conclusion);
  return runAction({
    sim,
    eventName: 'workflow_run',
    event: deployEvent(sim, s, id, conclusion),
    runId: runId(),
  });
}

const dispatched = (s: Scenario) =>
  deployRuns(sim, s)
    .sort((a, b) => a.id - b.id)
    .map((r) => ({ id: r.id, sha: r.inputs?.sha, service: r.inputs?.service }));

interface Decision {
  service: string;
  stage: string;
  decision: string;
  reason: string;
  risk: string | null;
  sha: string;
}
const decisionsOf = (outputs: Record<string, string>) =>
  JSON.parse(outputs.decisions ?? '[]') as Decision[];
const byService = (outputs: Record<string, string>) =>
  Object.fromEntries(decisionsOf(outputs).map((d) => [d.service, `${d.decision} ${d.reason}`]));

interface ServiceState {
  stages: Record<string, { current_sha: string | null; deploy_history: { sha: string }[] }>;
}
const release = () =>
  stateFile(sim, 'release.json') as {
    schema_version: number;
    production_sha_current: string | null;
    policy_sha?: string | null;
    services?: Record<string, ServiceState>;
  };
const head = () => sim.git.readRef('refs/heads/booty-state');

describe('services: each decided on its own paths', () => {
  it('a web-only change: web ALLOW with inputs.service, api and worker not_affected with no record and no status', async () => {
    const s = monorepo();
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'apps/web/index.ts': 'export const web = 2;\n' } });
    const r = await onVerified(s, sha);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({
      decision: 'ALLOW',
      reason: 'allow_low',
      service: 'web',
      stage: 'production',
      sha,
    });
    expect(byService(r.outputs)).toEqual({
      api: 'SKIP not_affected',
      web: 'ALLOW allow_low',
      worker: 'SKIP not_affected',
    });
    expect(dispatched(s)).toEqual([{ id: expect.any(Number), sha, service: 'web' }]);
    expect(sim.runs.find((x) => x.id === dispatched(s)[0]!.id)!.display_title).toBe(
      `Deploy web ${sha}`,
    );
    expect(sim.statusesFor(sha).map((x) => `${x.context}:${x.state}`)).toEqual([
      'booty/release-governor/web:success',
    ]);
    const state = release();
    expect(state.schema_version).toBe(3);
    expect(state.services!.web!.stages.production!.deploy_history[0]).toMatchObject({ sha });
    // api and worker still run the base, with the history they inherited from version 2.
    expect(state.services!.api!.stages.production!.current_sha).toBe(s.base);
    expect(state.services!.api!.stages.production!.deploy_history.map((h) => h.sha)).toEqual([
      s.base,
    ]);
    expect(stateFile(sim, `decisions/web/production/${sha}.json`)).toMatchObject({
      decision: { outcome: 'ALLOW' },
      lifecycle: { state: 'dispatched' },
    });
    expect(stateFile(sim, `decisions/api/production/${sha}.json`)).toBeNull();
    expect(r.summary).toContain('| Service | Decision');
    expect(r.summary).toMatch(/## ✅ web: ALLOW/);
  });

  it('a migration under api and a change to web in one commit: api HIGH HOLD, web LOW ALLOW in the same run', async () => {
    // No ordering here: web does not wait for api (the next test covers depends_on).
    const s = monorepo(MONOREPO_CONFIG.replace('      depends_on: [api]\n', ''));
    inProduction(sim, s.base);
    const sha = sim.commit({
      files: {
        'services/api/migrations/001_add.sql': 'alter table t add c int;\n',
        'apps/web/index.ts': 'export const web = 2;\n',
      },
    });
    const r = await onVerified(s, sha);
    expect(r.exitCode, r.stdout).toBe(0);
    const d = Object.fromEntries(decisionsOf(r.outputs).map((x) => [x.service, x]));
    expect(d.api).toMatchObject({
      decision: 'HOLD',
      reason: 'high_risk_no_approval',
      risk: 'HIGH',
    });
    expect(d.web).toMatchObject({ decision: 'ALLOW', reason: 'allow_low', risk: 'LOW' });
    expect(d.worker).toMatchObject({ decision: 'SKIP', reason: 'not_affected' });
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', service: 'web' });
    expect(dispatched(s).map((x) => x.service)).toEqual(['web']);
    const contexts = sim.statusesFor(sha).map((x) => `${x.context}:${x.state}`);
    expect(contexts.sort()).toEqual([
      'booty/release-governor/api:failure',
      'booty/release-governor/web:success',
    ]);
    // One write recorded the hold and the claim (then one the run id).
    expect(stateFile(sim, `decisions/api/production/${sha}.json`)).toMatchObject({
      decision: { outcome: 'HOLD', reason: 'high_risk_no_approval' },
    });
    expect(r.summary).toMatch(/## ⏸️ api: HOLD/);
    expect(r.summary).toContain('### How to unblock');
  });

  it('a shared-package change with depends_on: api dispatched, web waits; the run that observes api succeed dispatches web', async () => {
    const s = monorepo();
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'packages/shared/index.ts': 'export const shared = 2;\n' } });
    const r = await onVerified(s, sha);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(byService(r.outputs)).toEqual({
      api: 'ALLOW allow_low',
      web: 'HOLD waiting_for_dependency',
      worker: 'SKIP not_affected',
    });
    expect(dispatched(s).map((x) => x.service)).toEqual(['api']);
    expect(sim.statusesFor(sha).find((x) => x.context.endsWith('/web'))).toMatchObject({
      state: 'pending',
    });
    expect(r.summary).toContain('must deploy this commit here first');

    const observed = await deployFinishes(s, dispatched(s)[0]!.id);
    expect(observed.exitCode, observed.stdout).toBe(0);
    expect(byService(observed.outputs)).toMatchObject({ web: 'ALLOW allow_low' });
    expect(dispatched(s).map((x) => x.service)).toEqual(['api', 'web']);
    expect(release().services!.api!.stages.production!.current_sha).toBe(sha);
    const web = await deployFinishes(s, dispatched(s)[1]!.id);
    expect(web.exitCode, web.stdout).toBe(0);
    expect(release().services!.web!.stages.production!.current_sha).toBe(sha);
    expect(release().policy_sha).toBe(sha);
  });

  it('an incident labelled service:api holds api only; a workflow change affects every service', async () => {
    const s = monorepo();
    inProduction(sim, s.base);
    sim.openIssue({ title: 'api is down', labels: ['incident', 'service:api'] });
    const sha = sim.commit({
      files: {
        'packages/shared/index.ts': 'export const shared = 2;\n',
        'services/worker/index.ts': 'export const worker = 2;\n',
      },
    });
    const r = await onVerified(s, sha);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(byService(r.outputs)).toEqual({
      api: 'HOLD incident_active',
      web: 'HOLD waiting_for_dependency',
      worker: 'ALLOW allow_low',
    });

    const wf = sim.commit({ files: { '.github/workflows/lint.yml': 'name: lint\non: push\n' } });
    const w = await onVerified(s, wf);
    expect(w.exitCode, w.stdout).toBe(0);
    const all = decisionsOf(w.outputs);
    expect(all.every((x) => x.reason !== 'not_affected')).toBe(true);
    expect(all.find((x) => x.service === 'worker')).toMatchObject({ risk: 'HIGH' });
  });

  it('per-service approvers: a label by the api approver clears api, not by someone else', async () => {
    const config = MONOREPO_CONFIG.replace(
      '      paths: [services/api/, packages/shared/]',
      '      paths: [services/api/, packages/shared/]\n      approvers: [releng]',
    );
    const s = monorepo(config);
    inProduction(sim, s.base);
    const pr = sim.mergedPullRequest({
      author: 'dev',
      files: { 'services/api/migrations/002.sql': 'alter table t add d int;\n' },
      labels: [{ name: 'release:approved', by: 'writer', at: new Date() }],
    });
    // writer has write access, but api names its approvers: the label does not count.
    const held = await onVerified(s, pr.sha);
    expect(held.exitCode, held.stdout).toBe(0);
    expect(byService(held.outputs)).toMatchObject({ api: 'HOLD high_risk_no_approval' });
    expect(held.summary).toContain('ignored');
    sim.commitComment(pr.sha, '/approve-release', 'releng');
    const again = await onVerified(s, pr.sha);
    expect(again.exitCode, again.stdout).toBe(0);
    expect(byService(again.outputs).api).toMatch(/^ALLOW allow_/);
    expect(dispatched(s).map((x) => x.service)).toEqual(['api']);
    // The api decision record keeps both evaluations: the hold, then the approval.
    expect(
      (stateFile(sim, `decisions/api/production/${pr.sha}.json`) as { evaluations: unknown[] })
        .evaluations,
    ).toHaveLength(2);
  });

  it('ten governors racing for one SHA that affects three services: one deploy run per service', async () => {
    const s = monorepo(MONOREPO_CONFIG.replace('      depends_on: [api]\n', ''));
    inProduction(sim, s.base);
    const sha = sim.commit({
      files: {
        'packages/shared/index.ts': 'export const shared = 2;\n',
        'services/worker/index.ts': 'export const worker = 2;\n',
      },
    });
    const event = verified(sim, s, sha);
    const runs = await Promise.all(
      Array.from({ length: 10 }, () =>
        runAction({ sim, eventName: 'workflow_run', event, runId: runId() }),
      ),
    );
    for (const r of runs) expect(r.exitCode, r.stdout).toBe(0);
    expect(
      dispatched(s)
        .map((x) => x.service)
        .sort(),
    ).toEqual(['api', 'web', 'worker']);
    expect(head()).not.toBeNull();
  });
});
