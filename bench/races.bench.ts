// The race budgets of SPEC §13, repeated: 10 concurrent runs for one SHA (exactly one dispatch)
// and 10 concurrent runs for 10 SHAs of a linear history (an ancestor chain, nothing lost).
import { it } from 'vitest';
import { runAction } from '../__tests__/support/action-runner.js';
import {
  deployRuns,
  inProduction,
  setupRepo,
  stateFile,
  verified,
} from '../__tests__/support/scenario.js';
import { startSimulator } from '../__tests__/support/sim.js';
import { QUICK, stats, writeResult } from './support.js';

const ROUNDS = QUICK ? 2 : 5;

it('races', async () => {
  const oneSha: { dispatches: number; wall: number; requests: number }[] = [];
  const tenShas: {
    dispatches: number;
    chain: boolean;
    recorded: boolean;
    wall: number;
    requests: number;
  }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sim = await startSimulator();
    try {
      const s = setupRepo(sim);
      inProduction(sim, s.base);
      const head = sim.commit({ files: { 'src/app.ts': `race ${round}` } });
      const event = verified(sim, s, head);
      let t = performance.now();
      let before = sim.log.length;
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          runAction({ sim, eventName: 'workflow_run', event, runId: 3000 + i }),
        ),
      );
      oneSha.push({
        dispatches: deployRuns(sim, s).length,
        wall: performance.now() - t,
        requests: sim.log.length - before,
      });

      const base = sim.commit({ files: { 'src/base.ts': `${round}` } });
      // Production moves to the first race's SHA so that the second starts from a clean state.
      inProduction(sim, base);
      const shas = Array.from({ length: 10 }, (_, i) =>
        sim.commit({ files: { [`src/f${i}.ts`]: `${round}` } }),
      );
      const events = shas.map((sha) => verified(sim, s, sha));
      const already = deployRuns(sim, s).length;
      t = performance.now();
      before = sim.log.length;
      await Promise.all(
        events.map((e, i) =>
          runAction({ sim, eventName: 'workflow_run', event: e, runId: 3100 + i }),
        ),
      );
      const dispatched = deployRuns(sim, s)
        .slice(already)
        .sort((a, b) => a.id - b.id)
        .map((r) => r.inputs!.sha!);
      const history = (
        stateFile(sim, 'release.json') as {
          deploy_history: { sha: string; run_id: number | null }[];
        }
      ).deploy_history;
      tenShas.push({
        dispatches: dispatched.length,
        chain: dispatched.every((sha, i) => i === 0 || sim.git.isAncestor(dispatched[i - 1]!, sha)),
        recorded: dispatched.every((sha) =>
          history.some((h) => h.sha === sha && h.run_id !== null),
        ),
        wall: performance.now() - t,
        requests: sim.log.length - before,
      });
      if (sim.violations.length > 0) throw new Error(JSON.stringify(sim.violations));
    } finally {
      await sim.stop();
    }
  }
  writeResult('races', {
    rounds: ROUNDS,
    oneSha: {
      dispatches: oneSha.map((r) => r.dispatches),
      wall: stats(oneSha.map((r) => r.wall)),
      requests: stats(oneSha.map((r) => r.requests)),
    },
    tenShas: {
      dispatches: tenShas.map((r) => r.dispatches),
      chain: tenShas.every((r) => r.chain),
      recorded: tenShas.every((r) => r.recorded),
      wall: stats(tenShas.map((r) => r.wall)),
      requests: stats(tenShas.map((r) => r.requests)),
    },
  });
});
