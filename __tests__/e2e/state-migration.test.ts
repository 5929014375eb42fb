// A version-1 state branch, as the governor wrote it before stages (__fixtures__/state-v1, made
// by the bundle of that time on commits that this test recreates with the same clock), is read
// as its one stage and rewritten as version 2 on the next write, losing nothing.
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { runCli } from '../support/cli-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  DEPLOY_PATH,
  deployRuns,
  deployWorkflowText,
  setupRepo,
  stateFile,
  verified,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';
import { filesOf } from '../support/files.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s), { clock: () => new Date('2026-11-20T10:00:00Z') });

const FIXTURE = '__fixtures__/state-v1';
const BASE = 'e47acd5a4479beb2a2cde4cf4a3a2dd5a64dc268';
const DEPLOYED = 'f424971faef89f156fe1ff36fed65e46aaa274af';
const HELD = '2362cbf18a7f7b1a8f7584e27a20b6f8d56fa722';

interface ReleaseV2 {
  schema_version: number;
  production_sha_current: string;
  production_sha_previous: string;
  deploy_history: { sha: string; result: string }[];
  stages: Record<
    string,
    { current_sha: string; previous_sha: string; deploy_history: { sha: string }[] }
  >;
}

describe('state: version 1 → version 2', () => {
  it('a real version-1 branch is read as the one stage and rewritten as version 2 on the next write', async () => {
    // The deploy workflow of that time (no inputs declared), fixed on main afterwards: rule 4
    // reads it at deploy_workflow_ref, the branch, not at the commits the fixture names.
    const s = setupRepo(sim, { deployFile: 'name: Deploy\non: workflow_dispatch\n' });
    const deployed = sim.commit({ files: { 'src/app.ts': 'v2' } });
    const held = sim.commit({ files: { 'infra/x.tf': 'x' } });
    expect([s.base, deployed, held]).toEqual([BASE, DEPLOYED, HELD]);
    sim.commit({ files: { [DEPLOY_PATH]: deployWorkflowText({ sha: true }) } });
    const v1 = filesOf(FIXTURE);
    const before = JSON.parse(v1['release.json']!) as {
      schema_version: number;
      deploy_history: unknown[];
    };
    expect(before.schema_version).toBe(1);
    sim.commit({ branch: 'booty-state', parents: [], message: 'state v1', files: v1 });

    // Read: status sees production where version 1 put it.
    const status = await runCli(['status', '--repo', 'acme/shop', '--json'], {
      env: { GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl },
    });
    expect(JSON.parse(status.stdout)).toMatchObject({
      production_sha: DEPLOYED,
      production_sha_previous: BASE,
    });

    // The held HIGH change, approved by its SHA: decided from the version-1 state, and the
    // claim rewrites release.json as version 2.
    const r = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, HELD),
      env: { RELEASE_GOVERNOR_APPROVED: HELD },
    });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', 'production-sha': DEPLOYED });
    expect(deployRuns(sim, s)).toHaveLength(1);
    const after = stateFile(sim, 'release.json') as ReleaseV2;
    expect(after.schema_version).toBe(2);
    expect(Object.keys(after.stages)).toEqual(['production']);
    const stage = after.stages.production!;
    expect(stage).toMatchObject({ current_sha: DEPLOYED, previous_sha: BASE });
    // Nothing lost: every version-1 history entry is still there, after the new claim, and the
    // top level mirrors the stage.
    expect(stage.deploy_history.slice(1)).toEqual(before.deploy_history);
    expect(stage.deploy_history[0]).toMatchObject({ sha: HELD });
    expect(after.deploy_history).toEqual(stage.deploy_history);
    expect(after.production_sha_current).toBe(DEPLOYED);
    // The SHA's version-1 record keeps its evaluations and gains this one.
    const record = stateFile(sim, `decisions/${HELD}.json`) as {
      evaluations: unknown[];
      lifecycle: { state: string };
    };
    const v1Record = JSON.parse(v1[`decisions/${HELD}.json`]!) as { evaluations: unknown[] };
    expect(record.evaluations).toHaveLength(v1Record.evaluations.length + 1);
    expect(record.lifecycle.state).toBe('dispatched');
  });
});
