import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import { deployRuns, inProduction, setupRepo, stateFile, verified } from '../support/scenario.js';
import { expectNoContractViolations, startSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  expectNoContractViolations(sim);
  await sim.stop();
});

describe('decide through dist/index.js', () => {
  it('LOW change → ALLOW, one dispatch of the full SHA, claim and run recorded, status success', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' }, author: 'dev' });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({
      decision: 'ALLOW',
      reason: 'allow_low',
      risk: 'LOW',
      sha: head,
      'production-sha': s.base,
    });
    const runs = deployRuns(sim, s);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.inputs).toEqual({ sha: head });
    expect(r.outputs['deploy-run-url']).toContain(`/actions/runs/${runs[0]!.id}`);
    const release = stateFile(sim, 'release.json') as {
      deploy_history: { sha: string; run_id: number; result: string }[];
    };
    expect(release.deploy_history[0]).toMatchObject({
      sha: head,
      run_id: runs[0]!.id,
      result: 'pending',
    });
    expect(sim.statusesFor(head)[0]).toMatchObject({
      state: 'success',
      context: 'booty/release-governor',
    });
    expect(r.summary).toContain('Triggered');
    console.log(
      `LOW ALLOW requests: ${r.requests.length}\n${r.requests.map((q) => `${q.method} ${q.route} ${q.status} ${q.operationId}`).join('\n')}`,
    );
  });
});
