// Reconcile through dist/index.js: on `schedule` (and `workflow_dispatch` without a sha) the
// governor settles deploys whose workflow_run never arrived and decides the newest verified
// commit nobody decided; with nothing to do it writes nothing.
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { deepMerge, fixture } from '../support/events.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  ago,
  deployRuns,
  inProduction,
  lostDeployOutcome,
  setupRepo,
  stateFile,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

const schedule = () =>
  runAction({
    sim,
    eventName: 'schedule',
    event: deepMerge(fixture('schedule'), { repository: { id: sim.repoId } }),
    runId: 9500 + Math.floor(Math.random() * 400),
  });

interface Release {
  production_sha_current: string | null;
  deploy_history: { sha: string; result: string; run_id: number | null }[];
}
const release = () => stateFile(sim, 'release.json') as Release;
const head = () => sim.git.readRef('refs/heads/booty-state');

describe('reconcile (schedule, or workflow_dispatch without a sha)', () => {
  it('a deploy whose workflow_run never arrived is settled: production moves, status "Deployed"', async () => {
    const s = setupRepo(sim);
    const { sha, runId } = lostDeployOutcome(sim, s, { 'src/app.ts': 'lost event' });
    const r = await schedule();
    expect(r.exitCode, r.stdout).toBe(0);
    expect(release().production_sha_current).toBe(sha);
    expect(release().deploy_history[0]).toMatchObject({ sha, result: 'success', run_id: runId });
    expect(r.summary).toContain('Settled a deploy whose outcome was never observed');
    // Settled, the newest verified commit is in production: nothing more to do.
    expect(r.outputs).toMatchObject({ decision: 'SKIP', reason: 'already_in_production' });
    expect(sim.statusesFor(sha)[0]).toMatchObject({ state: 'success' });
    expect(deployRuns(sim, s)).toHaveLength(1);
  });

  it('nothing to do → SKIP, no write, at most 3 requests', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    sim.workflowRun({ workflow: s.verify, headSha: s.base, conclusion: 'success' });
    const before = head();
    const r = await schedule();
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'SKIP', reason: 'already_in_production' });
    expect(head()).toBe(before);
    expect(r.requests.length, r.requests.map((q) => q.route).join('\n')).toBeLessThanOrEqual(3);
    expect(
      r.requests.every((q) => q.method === 'GET' || q.operationId === 'graphql:ReleaseState'),
    ).toBe(true);
  });

  it('a verification event that never arrived: the newest verified commit is decided and dispatched once; again → SKIP, no write', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const older = sim.commit({ files: { 'src/a.ts': 'a' } });
    sim.workflowRun({ workflow: s.verify, headSha: older, conclusion: 'success' });
    const newest = sim.commit({ files: { 'src/b.ts': 'b' } });
    sim.workflowRun({ workflow: s.verify, headSha: newest, conclusion: 'success' });
    // A newer commit whose verification failed is not a candidate.
    const broken = sim.commit({ files: { 'src/c.ts': 'c' } });
    sim.workflowRun({ workflow: s.verify, headSha: broken, conclusion: 'failure' });
    const r = await schedule();
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', reason: 'allow_low', sha: newest });
    expect(deployRuns(sim, s).map((x) => x.inputs?.sha)).toEqual([newest]);
    const before = head();
    const again = await schedule();
    expect(again.outputs).toMatchObject({ decision: 'SKIP', reason: 'already_deployed' });
    expect(head()).toBe(before);
    expect(deployRuns(sim, s)).toHaveLength(1);
  });

  it('two reconciles at once never dispatch twice', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'src/app.ts': 'twice' } });
    sim.workflowRun({ workflow: s.verify, headSha: sha, conclusion: 'success' });
    const [a, b] = await Promise.all([schedule(), schedule()]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    expect([a.outputs.decision, b.outputs.decision].sort()).toEqual(['ALLOW', 'SKIP']);
    expect(deployRuns(sim, s)).toHaveLength(1);
  });

  it('a held commit: re-checked quietly while nothing changed, dispatched once an approval lands', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const pr = sim.mergedPullRequest({
      author: 'dev',
      files: { 'infra/main.tf': 'resource "x" "y" {}\n' },
      mergedAt: ago(30),
    });
    sim.workflowRun({ workflow: s.verify, headSha: pr.sha, conclusion: 'success' });
    const first = await schedule();
    expect(first.outputs).toMatchObject({ decision: 'HOLD', reason: 'high_risk_no_approval' });
    const held = head();
    const quiet = await schedule();
    expect(quiet.outputs).toMatchObject({ decision: 'HOLD', reason: 'high_risk_no_approval' });
    expect(head()).toBe(held);
    expect(quiet.requests.some((q) => q.route?.includes('/statuses/'))).toBe(false);
    sim.label(pr.number, 'release:approved', 'releng');
    const approved = await schedule();
    expect(approved.outputs).toMatchObject({ decision: 'ALLOW', reason: 'allow_high_approved' });
    expect(deployRuns(sim, s)).toHaveLength(1);
  });

  it('workflow_dispatch without a sha reconciles too', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'src/app.ts': 'dispatch' } });
    sim.workflowRun({ workflow: s.verify, headSha: sha, conclusion: 'success' });
    const event = deepMerge(fixture('workflow_dispatch.governor'), {
      inputs: { sha: '' },
      repository: { id: sim.repoId },
    });
    const r = await runAction({ sim, eventName: 'workflow_dispatch', event });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', sha });
    expect(deployRuns(sim, s)).toHaveLength(1);
  });
});
