// API requests per decision kind, counted from the simulator's log (SPEC §13: at most 12 for a
// LOW ALLOW, goal 7). Deterministic: one run of each is the figure.
import { it } from 'vitest';
import { runAction, type ActionRun } from '../__tests__/support/action-runner.js';
import {
  ago,
  deployEvent,
  deployRuns,
  inProduction,
  setupRepo,
  verified,
} from '../__tests__/support/scenario.js';
import { deepMerge, fixture } from '../__tests__/support/events.js';
import { startSimulator } from '../__tests__/support/sim.js';
import { writeResult } from './support.js';

it('requests per decision kind', async () => {
  const sim = await startSimulator();
  try {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const kinds: Record<string, ActionRun> = {};
    // Reconcile with nothing to do: the newest verified commit is in production (SPEC §19: at
    // most 3 requests, no write).
    sim.workflowRun({ workflow: s.verify, headSha: s.base, conclusion: 'success' });
    kinds['reconcile idle'] = await runAction({
      sim,
      eventName: 'schedule',
      event: deepMerge(fixture('schedule'), { repository: { id: sim.repoId } }),
    });
    const low = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    kinds['LOW ALLOW'] = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, low),
    });
    const lowRun = deployRuns(sim, s).at(-1)!;
    sim.completeRun(lowRun.id, 'success');
    kinds['deploy success'] = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, lowRun.id, 'success'),
    });
    const pr = sim.mergedPullRequest({
      author: 'dev',
      files: { 'infra/main.tf': 'x' },
      mergedAt: ago(60),
    });
    const event = verified(sim, s, pr.sha);
    kinds['HIGH HOLD'] = await runAction({ sim, eventName: 'workflow_run', event });
    sim.label(pr.number, 'release:approved', 'releng', ago(5));
    kinds['HIGH approved ALLOW'] = await runAction({
      sim,
      eventName: 'workflow_run',
      event,
      runAttempt: 2,
    });
    kinds['SKIP (verification failed)'] = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, sim.commit({ files: { 'src/x.ts': 'x' } }), {
        workflow_run: { conclusion: 'failure' },
      }),
    });
    const highRun = deployRuns(sim, s).at(-1)!;
    sim.completeRun(highRun.id, 'failure');
    kinds['deploy failure'] = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, highRun.id, 'failure'),
    });
    writeResult(
      'requests',
      Object.entries(kinds).map(([kind, r]) => ({
        kind,
        outcome: `${r.outputs.decision ?? ''} ${r.outputs.reason ?? ''}`.trim(),
        exitCode: r.exitCode,
        count: r.requests.length,
        operations: r.requests.map((q) => q.operationId ?? `${q.method} ${q.path}`),
        violations: sim.violations.length,
      })),
    );
  } finally {
    await sim.stop();
  }
});
