// Declares the fault matrix of one scenario; one test file per scenario so that the files run
// in parallel, and the cases of a file run concurrently (they wait on backoff, not on the CPU).
// The baseline runs the built bundle (dist/index.js: the routes GitHub's runner would see); the
// fault cases run the same job in process (support/action-runner.ts), each against its own
// simulator, so that a hundred cases do not each pay a process start.
import { describe, expect, it } from 'vitest';
import { useRunner } from '../support/action-runner.js';
import {
  expectFirstRun,
  faultCases,
  runCase,
  SCENARIOS,
  type ScenarioSpec,
} from '../support/reliability.js';

export function faultMatrix(spec: ScenarioSpec): void {
  useRunner('process');
  describe.concurrent(`${spec.name}: faults on every route, through dist/index.js`, () => {
    it('baseline: no fault, the routes are exactly the ones the matrix covers', async () => {
      const { first } = await runCase(spec, null, undefined, 'bundle');
      expect(first.exitCode, first.stdout).toBe(0);
      const used = [...new Set(first.requests.map((q) => routeKey(q)))].sort();
      expect(used).toEqual([...spec.routes].sort());
    });
    // LOW ALLOW, the main path, takes every status on every route; the others add their own.
    const covered = new Set(spec === SCENARIOS.lowAllow ? [] : SCENARIOS.lowAllow.routes);
    for (const fc of faultCases(spec, covered)) {
      it(`${fc.route}: ${fc.name}`, async () => {
        const { first } = await runCase(spec, fc, (r) => expectFirstRun(fc, r, spec));
        const hits = first.requests.filter((q) => routeKey(q) === fc.route);
        expect(hits.length, 'the fault was reached').toBeGreaterThan(0);
      });
    }
  });
}

function routeKey(q: { method: string; route: string | null; operationId: string | null }) {
  if (q.route === '/graphql') return `POST /graphql ${q.operationId!.replace('graphql:', '')}`;
  return `${q.method} ${q.route}`;
}
