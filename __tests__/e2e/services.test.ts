// Services (SPEC §20) through dist/index.js: each service decided on its own paths, one claim
// for every ALLOW, `inputs.service` on each dispatch, ordering by depends_on, incidents scoped by
// `service:<name>` labels, per-service approvers, and the migration of a version-2 state.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { runCli } from '../support/cli-runner.js';
import { deepMerge, fixture } from '../support/events.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  deployRuns,
  deployWorkflowText,
  deployFinishes as finishes,
  governorDispatch,
  inProduction,
  onVerified as verifiedRun,
  setupRepo,
  stateFile,
  verified,
  type Scenario,
  timePasses,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';
import { healthEndpoint, useHealthEndpoints } from '../support/health-endpoint.js';

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

const onVerified = (s: Scenario, sha: string) => verifiedRun(sim, s, sha, runId());
const deployFinishes = (s: Scenario, id: number, conclusion = 'success') =>
  finishes(sim, s, { id, conclusion, governorRunId: runId() });

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

const dispatch = (actor: string, inputs: Record<string, string>) =>
  governorDispatch(sim, actor, inputs, { runId: runId() });

const schedule = () =>
  runAction({
    sim,
    eventName: 'schedule',
    event: deepMerge(fixture('schedule'), { repository: { id: sim.repoId } }),
    runId: runId(),
  });

describe('services: ten SHAs racing', () => {
  it('10 concurrent runs for 10 SHAs, each changing api or worker or both: each service’s dispatches form an ancestor chain, every one recorded', async () => {
    const s = monorepo(MONOREPO_CONFIG.replace('      depends_on: [api]\n', ''));
    inProduction(sim, s.base);
    const shas = Array.from({ length: 10 }, (_, i) =>
      sim.commit({
        files:
          i % 3 === 0
            ? { 'services/api/index.ts': `${i}`, 'services/worker/index.ts': `${i}` }
            : i % 3 === 1
              ? { 'services/api/index.ts': `${i}` }
              : { 'services/worker/index.ts': `${i}` },
      }),
    );
    const results = await Promise.all(
      shas.map((sha) =>
        runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, sha), runId: runId() }),
      ),
    );
    expect(results.map((r) => r.exitCode)).toEqual(Array(10).fill(0));
    const state = release();
    for (const service of ['api', 'worker']) {
      const mine = dispatched(s)
        .filter((x) => x.service === service)
        .map((x) => x.sha!);
      expect(mine.length, service).toBeGreaterThanOrEqual(1);
      expect(new Set(mine).size).toBe(mine.length);
      for (let i = 1; i < mine.length; i++)
        expect(sim.git.isAncestor(mine[i - 1]!, mine[i]!), `${service} ${i}`).toBe(true);
      const history = state.services![service]!.stages.production!.deploy_history as {
        sha: string;
        run_id?: number | null;
      }[];
      for (const sha of mine)
        expect(history.find((h) => h.sha === sha)?.run_id, `${service} ${sha}`).toBeTypeOf(
          'number',
        );
    }
    expect(dispatched(s).some((x) => x.service === 'web')).toBe(false);
    expect(sim.git.run(['rev-list', '--merges', '--count', 'booty-state']).trim()).toBe('0');
  });
});

describe('services: operator controls and reconcile', () => {
  it('break-glass names its service and deploys only it; without the service input it is refused', async () => {
    const s = monorepo();
    sim.collaborator('boss', 'admin');
    inProduction(sim, s.base);
    sim.openIssue({ title: 'everything is down', labels: ['incident'] });
    const sha = sim.commit({
      files: {
        'services/worker/index.ts': 'export const worker = 2;\n',
        'services/api/index.ts': 'export const api = 2;\n',
      },
    });
    sim.workflowRun({ workflow: s.verify, headSha: sha, conclusion: 'success' });
    const inputs = { sha, 'break-glass': 'DEPLOY-NOW', reason: 'worker hotfix' };
    const refused = await dispatch('boss', inputs);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain('names the service it is for');
    expect(dispatched(s)).toEqual([]);

    const bg = await dispatch('boss', { ...inputs, service: 'worker' });
    expect(bg.exitCode, bg.stdout).toBe(0);
    expect(bg.outputs).toMatchObject({
      decision: 'ALLOW',
      reason: 'allow_break_glass',
      service: 'worker',
    });
    expect(decisionsOf(bg.outputs).map((d) => d.service)).toEqual(['worker']);
    expect(dispatched(s)).toEqual([{ id: expect.any(Number), sha, service: 'worker' }]);
    expect(stateFile(sim, `decisions/worker/production/${sha}.json`)).toMatchObject({
      break_glass: { actor: 'boss', bypassed: ['incident_active'] },
    });
  });

  it('a manual rollback of one service dispatches its previous SHA with inputs.service; the other services are untouched', async () => {
    const s = monorepo(MONOREPO_CONFIG.replace('  cooldown_minutes: 30', '  cooldown_minutes: 0'));
    inProduction(sim, s.base);
    const bad = sim.commit({ files: { 'services/worker/index.ts': 'export const worker = 2;\n' } });
    await onVerified(s, bad);
    await deployFinishes(s, dispatched(s)[0]!.id);
    expect(release().services!.worker!.stages.production!.current_sha).toBe(bad);
    const r = await dispatch('writer', {
      rollback: 'true',
      reason: 'queue stuck',
      service: 'worker',
    });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({
      decision: 'ROLLBACK',
      reason: 'manual_rollback',
      sha: s.base,
      service: 'worker',
    });
    expect(dispatched(s).map((x) => [x.service, x.sha])).toEqual([
      ['worker', bad],
      ['worker', s.base],
    ]);
    await deployFinishes(s, dispatched(s)[1]!.id);
    const state = release();
    expect(state.services!.worker!.stages.production!.current_sha).toBe(s.base);
    expect(state.services!.api!.stages.production!.current_sha).toBe(s.base);
    // The rolled-back SHA is held for the worker from now on.
    const again = await dispatch('writer', { sha: bad, service: 'worker' });
    expect(again.outputs).toMatchObject({ decision: 'HOLD', reason: 'previously_rolled_back' });
  });

  it('reconcile: a commit that affects nothing is marked once, then reconcile is idle; a lost deploy event of api is settled and web released', async () => {
    const s = monorepo();
    inProduction(sim, s.base);
    const docs = sim.commit({ files: { 'README.md': '# shop, documented\n' } });
    const none = await onVerified(s, docs);
    expect(none.exitCode, none.stdout).toBe(0);
    expect(none.outputs).toMatchObject({
      decision: 'SKIP',
      reason: 'multiple',
      service: 'multiple',
    });
    const before = head();
    // No write for a commit that affects no service.
    expect(before).toBe(sim.git.readRef('refs/heads/booty-state'));
    const first = await schedule();
    expect(first.exitCode, first.stdout).toBe(0);
    expect(release().services!.api!.stages.production).toMatchObject({ unaffected_sha: docs });
    const marked = head();
    expect(marked).not.toBe(before);
    sim.log.length = 0;
    const idle = await schedule();
    expect(idle.exitCode, idle.stdout).toBe(0);
    expect(idle.outputs).toMatchObject({ decision: 'SKIP' });
    expect(head()).toBe(marked);
    expect(sim.log.map((e) => e.operationId)).toHaveLength(2);

    // api and web both changed; api's deploy event never arrives: reconcile settles it and
    // releases web in the same run.
    const shared = sim.commit({
      files: { 'packages/shared/index.ts': 'export const shared = 2;\n' },
    });
    await onVerified(s, shared);
    expect(dispatched(s).map((x) => x.service)).toEqual(['api']);
    sim.completeRun(dispatched(s)[0]!.id, 'success');
    ageHistory(6);
    const settled = await schedule();
    expect(settled.exitCode, settled.stdout).toBe(0);
    expect(release().services!.api!.stages.production!.current_sha).toBe(shared);
    expect(dispatched(s).map((x) => x.service)).toEqual(['api', 'web']);
  });
});

/** Every claim on the state branch is `minutes` older (a deploy younger than 5 minutes is not settled). */
function ageHistory(minutes: number): void {
  const r = release() as unknown as {
    services: Record<string, { stages: Record<string, { deploy_history: { time: string }[] }> }>;
  };
  for (const svc of Object.values(r.services))
    for (const st of Object.values(svc.stages))
      for (const h of st.deploy_history)
        h.time = new Date(Date.parse(h.time) - minutes * 60_000).toISOString();
  timePasses(sim, r);
}

describe('services: the CLI', () => {
  it('report and metrics of each service, and a reconcile summary with a row per service and stage', async () => {
    const s = monorepo();
    inProduction(sim, s.base);
    const sha = sim.commit({
      files: {
        'services/api/index.ts': 'export const api = 2;\n',
        'services/worker/index.ts': 'export const worker = 2;\n',
      },
    });
    const r = await onVerified(s, sha);
    expect(r.exitCode, r.stdout).toBe(0);
    for (const run of dispatched(s)) await deployFinishes(s, run.id);
    const env = { GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl };

    const api = await runCli(['metrics', '--repo', sim.fullName, '--service', 'api', '--json'], {
      env,
    });
    expect(api.code, api.stderr).toBe(0);
    expect(JSON.parse(api.stdout)).toMatchObject({
      service: 'api',
      stage: 'production',
      deployment_frequency: { deploys: 1 },
      change_failure_rate: { deploys: 1, failed: 0 },
    });

    const out = mkdtempSync(join(tmpdir(), 'rg-report-'));
    try {
      const before = sim.log.length;
      const rep = await runCli(['report', '--repo', sim.fullName, '--out', out], { env });
      expect(rep.code, rep.stderr).toBe(0);
      expect(sim.log.slice(before).map((e) => e.operationId)).toEqual(['graphql:Evidence']);
      const html = readFileSync(join(out, 'index.html'), 'utf8');
      for (const name of ['api', 'web', 'worker']) {
        expect(html).toContain(`>Service ${name}</h3>`);
        // The charts: a series per service (the legend names each).
        expect(html).toContain(`${name} production</text>`);
      }
      // The releases: api and worker deployed the SHA; web was not affected.
      const releases = html.slice(html.indexOf('Recent releases'));
      expect(releases.match(new RegExp(`title="${sha}"`, 'g'))).toHaveLength(2);
      expect(releases).toContain('<td>api</td>');
      expect(releases).toContain('<td>worker</td>');
      expect(releases).not.toContain('<td>web</td>');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }

    const rec = await schedule();
    expect(rec.exitCode, rec.stdout).toBe(0);
    const section = rec.summary.slice(rec.summary.indexOf('### Readiness and delivery'));
    expect(section).toContain('| Service | Stage |');
    expect(section).toMatch(
      new RegExp(`\\| api \\| production \\| <code>${sha.slice(0, 7)}</code>`),
    );
    expect(section).toMatch(
      new RegExp(`\\| web \\| production \\| <code>${s.base.slice(0, 7)}</code>`),
    );
    expect(section).toMatch(
      new RegExp(`\\| worker \\| production \\| <code>${sha.slice(0, 7)}</code>`),
    );
  });

  it('status lists every service and stage (and --service one); simulate --service decides one; adopt needs --service', async () => {
    const s = monorepo();
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'packages/shared/index.ts': 'export const shared = 2;\n' } });
    await onVerified(s, sha);
    const env = { GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl };
    const cli = (args: string[]) => runCli([...args, '--repo', sim.fullName], { env });

    const status = await cli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const json = JSON.parse(status.stdout) as {
      services: {
        name: string;
        stages: { name: string; current_sha: string; in_flight: unknown }[];
      }[];
    };
    expect(json.services.map((x) => x.name)).toEqual(['api', 'web', 'worker']);
    expect(json.services[0]!.stages).toEqual([
      expect.objectContaining({
        name: 'production',
        current_sha: s.base,
        in_flight: { sha, run_url: expect.any(String) },
      }),
    ]);
    const one = await cli(['status', '--service', 'web']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain('Service web:');
    expect(one.stdout).not.toContain('Service api:');
    const unknown = await cli(['status', '--service', 'nope']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr + unknown.stdout).toContain('the services are api, web, worker');

    const hist = await cli(['history', '--service', 'api', '--json']);
    expect(hist.code, hist.stderr).toBe(0);
    expect(
      (JSON.parse(hist.stdout) as { entries: { sha: string; stage: string }[] }).entries[0],
    ).toMatchObject({ sha, stage: 'production' });

    const sim1 = await cli(['simulate', '--sha', sha, '--service', 'web', '--json']);
    expect(sim1.stdout).toContain('waiting_for_dependency');
    const adopt = await cli(['adopt', '--sha', sha]);
    expect(adopt.code).not.toBe(0);
    expect(adopt.stderr + adopt.stdout).toContain('--service');
  });
});

useHealthEndpoints();

describe('services: health checks', () => {
  it('api’s health check fails: api alone is rolled back, its issue is labelled service:api, and a web change still goes out', async () => {
    const url = await healthEndpoint(500);
    const config = MONOREPO_CONFIG.replace(
      '      paths: [services/api/, packages/shared/]',
      [
        '      paths: [services/api/, packages/shared/]',
        '      health_check:',
        `        url: ${url}`,
        '        duration_seconds: 0.3',
        '        interval_seconds: 0.05',
        '        timeout_ms: 1000',
      ].join('\n'),
    ).replace('      depends_on: [api]\n', '');
    const s = monorepo(config);
    inProduction(sim, s.base);
    const bad = sim.commit({ files: { 'services/api/index.ts': 'export const api = 2;\n' } });
    await onVerified(s, bad);
    expect(dispatched(s).map((x) => x.service)).toEqual(['api']);
    const r = await deployFinishes(s, dispatched(s)[0]!.id);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'ROLLBACK', reason: 'health_check_failed' });
    expect(r.outputs.service).toBe('api');
    expect(dispatched(s).map((x) => [x.service, x.sha])).toEqual([
      ['api', bad],
      ['api', s.base],
    ]);
    const issue = sim.allIssues().find((i) => i.labels.includes('rollback'))!;
    expect(issue.title).toMatch(/^api: Automatic rollback of production/);
    expect(issue.labels).toContain('service:api');
    // The incident holds api, not web (api, still running the bad SHA until its rollback deploy
    // finishes, is not affected by a web change).
    const web = sim.commit({ files: { 'apps/web/index.ts': 'export const web = 2;\n' } });
    const w = await onVerified(s, web);
    expect(w.exitCode, w.stdout).toBe(0);
    expect(byService(w.outputs)).toMatchObject({
      web: 'ALLOW allow_low',
      api: 'SKIP not_affected',
    });
  });
});

describe('services: versions', () => {
  it('each service is tagged <name>/vX.Y.Z, counted from the pull requests that changed its files', async () => {
    const s = monorepo(
      MONOREPO_CONFIG.replace(
        '  cooldown_minutes: 30',
        '  cooldown_minutes: 30\n  versioning: { enabled: true }',
      ).replace('      depends_on: [api]\n', ''),
    );
    s.deploy.dispatchInputs = {
      sha: { required: true },
      service: { required: true },
      version: { required: false },
    };
    sim.commit({
      files: {
        '.github/workflows/deploy.yml': deployWorkflowText({
          sha: true,
          service: true,
          version: false,
        }),
      },
    });
    const start = sim.git.readRef('refs/heads/main')!;
    inProduction(sim, start);
    sim.tag('api/v1.0.0', start);
    sim.tag('web/v1.0.0', start);
    sim.mergedPullRequest({
      author: 'dev',
      title: 'feat: a new page',
      files: { 'apps/web/page.ts': 'export const page = 1;\n' },
    });
    const head = sim.mergedPullRequest({
      author: 'dev',
      title: 'fix: an api bug',
      files: { 'services/api/index.ts': 'export const api = 3;\n' },
    }).sha;
    const r = await onVerified(s, head);
    expect(r.exitCode, r.stdout).toBe(0);
    const versions = Object.fromEntries(
      decisionsOf(r.outputs).map((d) => [d.service, (d as unknown as { version: string }).version]),
    );
    expect(versions).toMatchObject({ api: 'api/v1.0.1', web: 'web/v1.1.0' });
    expect(
      deployRuns(sim, s)
        .map((x) => [x.inputs?.service, x.inputs?.version])
        .sort(),
    ).toEqual([
      ['api', 'api/v1.0.1'],
      ['web', 'web/v1.1.0'],
    ]);
    expect(sim.tags().find((t) => t.name === 'web/v1.1.0')?.commit).toBe(head);
  });
});
