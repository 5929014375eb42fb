// Races through the built bundle: many governor processes at once against one simulator.
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { runCli } from '../support/cli-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  deployEvent,
  deployRuns,
  inProduction,
  setupRepo,
  stateFile,
  verified,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

describe('races', () => {
  it('10 concurrent runs for one SHA → exactly one dispatch', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'race' } });
    const event = verified(sim, s, head);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        runAction({ sim, eventName: 'workflow_run', event, runId: 8000 + i }),
      ),
    );
    expect(results.map((r) => r.exitCode)).toEqual(Array(10).fill(0));
    expect(results.filter((r) => r.outputs.decision === 'ALLOW')).toHaveLength(1);
    expect(
      results
        .filter((r) => r.outputs.decision === 'SKIP')
        .every((r) => r.outputs.reason === 'already_deployed'),
    ).toBe(true);
    expect(deployRuns(sim, s)).toHaveLength(1);
  });

  it('10 concurrent runs for 10 SHAs of a linear history → the dispatched SHAs form an ancestor chain, no update lost', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const shas = Array.from({ length: 10 }, (_, i) =>
      sim.commit({ files: { [`src/f${i}.ts`]: String(i) } }),
    );
    const events = shas.map((sha) => verified(sim, s, sha));
    const results = await Promise.all(
      events.map((event, i) =>
        runAction({ sim, eventName: 'workflow_run', event, runId: 8100 + i }),
      ),
    );
    expect(results.map((r) => r.exitCode)).toEqual(Array(10).fill(0));
    const dispatched = deployRuns(sim, s)
      .sort((a, b) => a.id - b.id)
      .map((r) => r.inputs!.sha!);
    expect(dispatched.length).toBeGreaterThanOrEqual(1);
    expect(new Set(dispatched).size).toBe(dispatched.length);
    for (let i = 1; i < dispatched.length; i++)
      expect(sim.git.isAncestor(dispatched[i - 1]!, dispatched[i]!), `${i}`).toBe(true);
    const allowed = results.filter((r) => r.outputs.decision === 'ALLOW').map((r) => r.outputs.sha);
    expect(allowed.sort()).toEqual([...dispatched].sort());
    // No lost update: every dispatch is in the history, with its run.
    const history = (
      stateFile(sim, 'release.json') as { deploy_history: { sha: string; run_id: number | null }[] }
    ).deploy_history;
    for (const sha of dispatched)
      expect(history.find((h) => h.sha === sha)?.run_id, sha).toBeTypeOf('number');
    // The state branch is one line of commits.
    expect(sim.git.run(['rev-list', '--merges', '--count', 'booty-state']).trim()).toBe('0');
  });
});

describe('failures of the protocol', () => {
  it('first deploy, 5 runs racing to create the state branch → one branch, one dispatch', async () => {
    const s = setupRepo(sim);
    const head = sim.commit({ files: { 'src/app.ts': 'first' } });
    const event = verified(sim, s, head);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        runAction({
          sim,
          eventName: 'workflow_run',
          event,
          runId: 8200 + i,
          env: { RELEASE_GOVERNOR_APPROVED: head },
        }),
      ),
    );
    expect(results.map((r) => r.exitCode)).toEqual(Array(5).fill(0));
    expect(deployRuns(sim, s)).toHaveLength(1);
    const history = (stateFile(sim, 'release.json') as { deploy_history: { sha: string }[] })
      .deploy_history;
    expect(history.filter((h) => h.sha === head)).toHaveLength(1);
    // Exactly one orphan root: whoever lost the creation race re-read and built on the winner.
    expect(
      sim.git.run(['rev-list', '--max-parents=0', 'booty-state']).trim().split('\n'),
    ).toHaveLength(1);
  });

  it.each([
    [403, 'actions: write'],
    [404, 'deploy.yml was not found on main'],
  ])(
    'dispatch refused with %i → the job fails saying what to do, the claim is withdrawn, a re-run after the fix deploys once',
    async (status, advice) => {
      const s = setupRepo(sim);
      inProduction(sim, s.base);
      const head = sim.commit({ files: { 'src/app.ts': 'refused' } });
      const event = verified(sim, s, head);
      sim.inject('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
        kind: 'status',
        status,
        message: `Simulated ${status}`,
      });
      const r = await runAction({ sim, eventName: 'workflow_run', event });
      expect(r.exitCode).not.toBe(0);
      expect(r.stdout).toContain(advice);
      expect(deployRuns(sim, s)).toHaveLength(0);
      const history = (stateFile(sim, 'release.json') as { deploy_history: { sha: string }[] })
        .deploy_history;
      expect(history.some((h) => h.sha === head)).toBe(false);
      const rerun = await runAction({ sim, eventName: 'workflow_run', event, runAttempt: 2 });
      expect(rerun.outputs.decision).toBe('ALLOW');
      expect(deployRuns(sim, s)).toHaveLength(1);
    },
  );

  it('a claim refused in an unknown wording while another writer moved the branch → a race: re-read, ALLOW, one dispatch, nothing lost', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'reworded' } });
    const other = sim.commit({ files: { 'src/other.ts': 'x' } });
    sim.inject('POST /graphql WriteState', {
      kind: 'graphql-error',
      type: 'UNPROCESSABLE',
      message: 'refs/heads/booty-state is at 1111111 but expected 2222222',
      // Another governor writes first (its HOLD record of another SHA).
      before: () =>
        sim.commit({
          branch: 'booty-state',
          message: `decide ${other.slice(0, 7)}: HOLD`,
          files: { [`decisions/${other}.json`]: '{"written":"by another run"}\n' },
        }),
    });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs.decision).toBe('ALLOW');
    expect(r.stdout).toContain('the state branch moved since it was read');
    expect(deployRuns(sim, s)).toHaveLength(1);
    expect(sim.log.filter((e) => e.operationId === 'graphql:StateHead')).toHaveLength(1);
    // The other writer's commit is still there, under ours.
    expect(stateFile(sim, `decisions/${other}.json`)).toEqual({ written: 'by another run' });
    expect(
      (stateFile(sim, 'release.json') as { deploy_history: { sha: string }[] }).deploy_history[0]!
        .sha,
    ).toBe(head);
  });

  it('a claim refused in any wording while the branch did not move → an error naming what GitHub said, nothing dispatched', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'refused-write' } });
    const before = sim.git.readRef('refs/heads/booty-state');
    sim.inject(
      'POST /graphql WriteState',
      { kind: 'graphql-error', type: 'FORBIDDEN', message: 'Repository rule violations found' },
      Number.POSITIVE_INFINITY,
    );
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(/::error.*Repository rule violations found/);
    expect(sim.log.filter((e) => e.operationId === 'graphql:WriteState')).toHaveLength(1);
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(before);
    expect(deployRuns(sim, s)).toHaveLength(0);
  });

  it('a state write refused for another reason (403) is an error, not a retry', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'w' } });
    sim.inject(
      'POST /graphql',
      { kind: 'status', status: 403, message: 'Resource not accessible by integration' },
      1,
    );
    // The first GraphQL request is the read: refused → the job fails before any write.
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('Resource not accessible by integration');
    expect(sim.log.filter((e) => e.route === '/graphql')).toHaveLength(1);
    expect(deployRuns(sim, s)).toHaveLength(0);
  });
});

describe('races between different kinds of run', () => {
  it('a CLI trigger racing three workflow runs for one SHA → exactly one dispatch', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'cli-race' } });
    const event = verified(sim, s, head);
    const [cli, ...runs] = await Promise.all([
      runCli(['trigger', '--repo', sim.fullName, '--sha', head, '--json'], {
        env: { GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl },
      }),
      ...[1, 2, 3].map((i) =>
        runAction({ sim, eventName: 'workflow_run', event, runId: 8300 + i }),
      ),
    ]);
    expect(cli!.stderr).toBe('');
    const decisions = [
      (JSON.parse(cli!.stdout) as { decision: string }).decision,
      ...runs.map((r) => r.outputs.decision),
    ];
    expect(decisions.filter((d) => d === 'ALLOW')).toHaveLength(1);
    expect(decisions.filter((d) => d === 'SKIP')).toHaveLength(3);
    expect(deployRuns(sim, s)).toHaveLength(1);
    const history = (stateFile(sim, 'release.json') as { deploy_history: { sha: string }[] })
      .deploy_history;
    expect(history.filter((h) => h.sha === head)).toHaveLength(1);
  });

  it.each([1, 2, 3])(
    'a deploy outcome racing the decision on the next SHA (round %i) → both recorded, production moves forward only',
    async () => {
      const s = setupRepo(sim);
      inProduction(sim, s.base);
      const a = sim.commit({ files: { 'src/a.ts': 'a' } });
      const first = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, a) });
      expect(first.outputs.decision).toBe('ALLOW');
      const runA = deployRuns(sim, s)[0]!;
      sim.completeRun(runA.id, 'success');
      const b = sim.commit({ files: { 'src/b.ts': 'b' } });
      const [outcome, decision] = await Promise.all([
        runAction({
          sim,
          eventName: 'workflow_run',
          event: deployEvent(sim, s, runA.id, 'success'),
          runId: 8401,
        }),
        runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, b), runId: 8402 }),
      ]);
      expect(outcome.exitCode, outcome.stdout).toBe(0);
      expect(decision.exitCode, decision.stdout).toBe(0);
      // Whichever wrote first, the other built on it: A's success and B's decision both stand.
      const release = stateFile(sim, 'release.json') as {
        production_sha_current: string;
        deploy_history: { sha: string; result: string; run_id: number | null }[];
      };
      expect(release.production_sha_current).toBe(a);
      expect(release.deploy_history.find((h) => h.sha === a)?.result).toBe('success');
      expect(stateFile(sim, `decisions/${b}.json`)).not.toBeNull();
      // B is dispatched (A in flight or done, B ahead of it) exactly once, and recorded.
      expect(decision.outputs.decision).toBe('ALLOW');
      const runsB = deployRuns(sim, s).filter((r) => r.inputs?.sha === b);
      expect(runsB).toHaveLength(1);
      expect(release.deploy_history.find((h) => h.sha === b)?.run_id).toBe(runsB[0]!.id);
    },
  );
});
