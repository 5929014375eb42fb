// Start-up and wall time on Node 24 (SPEC §13): `node -e 0`, the minimal ncc bundle (imports
// @actions/core and @actions/github, makes one request) and dist/index.js deciding a LOW ALLOW,
// interleaved in one loop so that all three see the same machine. "First request" is the time
// from spawn to the first request reaching the simulator; the spawn itself is in all three.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { it } from 'vitest';
import { DIST_ACTION, runAction } from '../__tests__/support/action-runner.js';
import { inProduction, setupRepo, verified } from '../__tests__/support/scenario.js';
import { startSimulator } from '../__tests__/support/sim.js';
import { QUICK, spawnNode, stats, writeResult } from './support.js';

const MINIMAL = resolve(process.env.BENCH_MINIMAL ?? '.tmp/bench/minimal/index.js');
const RUNS = QUICK ? 5 : 15;
const WARMUP = 2;

it('start-up and wall time', async () => {
  const sim = await startSimulator();
  try {
    const s = setupRepo(sim);
    const seed = inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    const event = verified(sim, s, head);
    const samples = {
      bare: [] as number[],
      minimalFirst: [] as number[],
      minimalWall: [] as number[],
      oursFirst: [] as number[],
      oursWall: [] as number[],
      oursInRequests: [] as number[],
      coldStart: [] as number[],
    };
    let requests = 0;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const keep = i >= WARMUP;
      const bare = await spawnNode(['-e', '0']);
      const minimal = await runAction({ sim, eventName: 'workflow_run', event, entry: MINIMAL });
      if (minimal.exitCode !== 0 || minimal.requests.length !== 1)
        throw new Error(`the minimal bundle failed: ${minimal.stdout}${minimal.stderr}`);
      // Every decision starts from the same state: production at the base, nothing claimed.
      sim.git.run(['update-ref', 'refs/heads/booty-state', seed]);
      const ours = await runAction({ sim, eventName: 'workflow_run', event, runId: 5000 + i });
      if (ours.outputs.decision !== 'ALLOW')
        throw new Error(`expected ALLOW: ${ours.stdout}${ours.stderr}`);
      // Cold start: load the bundle and stop at once (an event it does not handle, no request).
      const cold = await spawnNode([DIST_ACTION], {
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: '/nonexistent',
      });
      if (!keep) continue;
      samples.bare.push(bare.endedAt - bare.startedAt);
      samples.minimalFirst.push(minimal.requests[0]!.startedAt - minimal.startedAt);
      samples.minimalWall.push(minimal.endedAt - minimal.startedAt);
      samples.oursFirst.push(ours.requests[0]!.startedAt - ours.startedAt);
      samples.oursWall.push(ours.endedAt - ours.startedAt);
      samples.oursInRequests.push(
        ours.requests.reduce((sum, q) => sum + (q.endedAt - q.startedAt), 0),
      );
      samples.coldStart.push(cold.endedAt - cold.startedAt);
      requests = ours.requests.length;
    }
    const result = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v)]));
    writeResult('startup', {
      runs: RUNS,
      warmup: WARMUP,
      requests,
      ...result,
      ratio: result.oursFirst!.median / result.minimalFirst!.median,
      bundles: {
        action: statSync(DIST_ACTION).size,
        cli: statSync(resolve('dist/cli/index.js')).size,
        minimal: statSync(MINIMAL).size,
      },
    });
  } finally {
    await sim.stop();
  }
});
