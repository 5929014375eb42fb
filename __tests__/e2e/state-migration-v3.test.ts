// A version-2 state branch, as the governor wrote it before services (__fixtures__/state-v2, made
// by the bundle of 7cfe9da on commits that this test recreates with the same clock: a two-stage
// pipeline, three commits deployed or held), kept through the change that adds `services`: that
// change is decided and deployed as one deployable, and the first decision under the new policy
// rewrites release.json as version 3 with every service at the old stages' SHAs and history.
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { deepMerge, fixture } from '../support/events.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  DEPLOY_PATH,
  deployEvent,
  deployRuns,
  deployWorkflowText,
  pipelineConfig,
  setupRepo,
  stateFile,
  verified,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';
import { filesOf } from '../support/files.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s), { clock: () => new Date('2026-11-25T10:00:00Z') });

const FIXTURE = '__fixtures__/state-v2';
const BASE = '4325de89df2411a07a4d7958cd1dc6fd7c01343d';
const A = '9044312365a0190c22736039f3dc1e31e87b5922';
const B = '1a46aff84f2b759fa7aae2d5e0dae681dbdacb99';

interface Stage {
  current_sha: string | null;
  previous_sha: string | null;
  verified_at: string | null;
  deploy_history: { sha: string; result: string | null }[];
}
interface Release {
  schema_version: number;
  production_sha_current: string | null;
  policy_sha?: string | null;
  stages: Record<string, Stage>;
  services?: Record<string, { stages: Record<string, Stage> }>;
}
const release = () => stateFile(sim, 'release.json') as Release;

let id = 600;
const SERVICES = `${pipelineConfig(0)}
  services:
    - name: api
      paths: [services/api/]
    - name: web
      paths: [apps/web/]
`;

describe('state: version 2 → version 3 (services)', () => {
  it('a real version-2 branch: the change adding services goes out as one deployable, then the first decision under it writes version 3 with every service at the old SHAs and history', async () => {
    const s = setupRepo(sim, { config: pipelineConfig(0), stages: true });
    const a = sim.commit({ files: { 'services/api/index.ts': 'export const api = 2;\n' } });
    const b = sim.commit({ files: { 'infra/x.tf': 'resource "x" "y" {}\n' } });
    expect([s.base, a, b]).toEqual([BASE, A, B]);
    const v2 = filesOf(FIXTURE);
    const before = JSON.parse(v2['release.json']!) as Release;
    expect(before.schema_version).toBe(2);
    expect(before.stages.staging!.current_sha).toBe(B);
    expect(before.stages.production!.current_sha).toBe(A);
    sim.commit({ branch: 'booty-state', parents: [], message: 'state v2', files: v2 });

    const run = (event: unknown, env: Record<string, string> = {}) =>
      runAction({ sim, eventName: 'workflow_run', event, runId: id++, env });
    const finish = async (n: number) => {
      const r = deployRuns(sim, s).sort((x, y) => x.id - y.id)[n]!;
      sim.completeRun(r.id, 'success');
      const o = await run(deployEvent(sim, s, r.id, 'success'));
      expect(o.exitCode, o.stdout).toBe(0);
      return o;
    };

    // The change that adds services (and the service input of the deploy workflow): judged by
    // the policy in force (no services), HIGH, approved by its SHA for production.
    s.deploy.dispatchInputs = {
      sha: { required: true },
      environment: { required: true },
      service: { required: false },
    };
    const c = sim.commit({
      files: {
        '.booty.yml': SERVICES,
        [DEPLOY_PATH]: deployWorkflowText({ sha: true, environment: true, service: false }),
      },
    });
    const staged = await run(verified(sim, s, c));
    expect(staged.outputs, staged.stdout).toMatchObject({ decision: 'ALLOW', stage: 'staging' });
    expect(staged.outputs.service).toBe('');
    const held = await finish(0);
    expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'high_risk_no_approval' });
    const approved = await runAction({
      sim,
      eventName: 'workflow_dispatch',
      event: deepMerge(fixture('workflow_dispatch.governor'), {
        inputs: { sha: c, stage: 'production' },
        repository: { id: sim.repoId },
      }),
      inputs: { sha: c, stage: 'production' },
      runId: id++,
      env: { RELEASE_GOVERNOR_APPROVED: c },
    });
    expect(approved.outputs, approved.stdout).toMatchObject({ decision: 'ALLOW' });
    await finish(1);
    const v2After = release();
    expect(v2After.schema_version).toBe(2);
    expect(v2After.production_sha_current).toBe(c);

    // The first decision under the new policy: web only; the write migrates to version 3.
    const d = sim.commit({ files: { 'apps/web/index.ts': 'export const web = 1;\n' } });
    const r = await run(verified(sim, s, d));
    expect(r.exitCode, r.stdout).toBe(0);
    expect(JSON.parse(r.outputs.decisions!)).toEqual([
      expect.objectContaining({ service: 'api', decision: 'SKIP', reason: 'not_affected' }),
      expect.objectContaining({ service: 'web', decision: 'ALLOW', stage: 'staging' }),
    ]);
    expect(deployRuns(sim, s).at(-1)!.inputs).toMatchObject({
      sha: d,
      environment: 'staging',
      service: 'web',
    });
    const v3 = release();
    expect(v3.schema_version).toBe(3);
    expect(v3.policy_sha).toBe(c);
    for (const name of ['api', 'web']) {
      const st = v3.services![name]!.stages;
      expect(st.production!.current_sha).toBe(c);
      // Nothing lost: each service has the version-2 stage's history (web's staging gains its
      // new claim on top).
      expect(st.production!.deploy_history).toEqual(v2After.stages.production!.deploy_history);
      const staging = st.staging!.deploy_history;
      expect(staging.slice(name === 'web' ? 1 : 0)).toEqual(v2After.stages.staging!.deploy_history);
    }
    expect(v3.services!.web!.stages.staging!.deploy_history[0]).toMatchObject({ sha: d });
    // The top level mirrors the first service, for readers of version 2.
    expect(v3.production_sha_current).toBe(c);
    expect(v3.stages.staging!.current_sha).toBe(c);
    // The decision records of the old layout stay where they were.
    expect(stateFile(sim, `decisions/${B}.json`)).toMatchObject({ sha: B });
    expect(stateFile(sim, `decisions/web/staging/${d}.json`)).toMatchObject({ sha: d });
  });
});
