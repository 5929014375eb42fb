import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { fixture, deepMerge } from '../support/events.js';
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

interface Release {
  production_sha_current: string | null;
  production_sha_previous: string | null;
  last_deploy_result: string | null;
  deploy_history: {
    sha: string;
    result: string;
    issue_number?: number;
    run_attempt?: number;
    completed_at?: string;
  }[];
}

async function allowAndDispatch(s: ReturnType<typeof setupRepo>, file = 'src/app.ts') {
  const head = sim.commit({ files: { [file]: `export const v = ${Math.random()};\n` } });
  const event = verified(sim, s, head);
  const r = await runAction({ sim, eventName: 'workflow_run', event });
  expect(r.outputs.decision, r.stdout).toBe('ALLOW');
  const run = deployRuns(sim, s).at(-1)!;
  return { head, event, run };
}

describe('deploy outcomes (SPEC §9)', () => {
  it('success moves production and keeps the previous one; status "Deployed"', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const { head, run } = await allowAndDispatch(s);
    sim.completeRun(run.id, 'success');
    const r = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, run.id, 'success'),
    });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs['production-sha']).toBe(head);
    const release = stateFile(sim, 'release.json') as Release;
    expect(release).toMatchObject({
      production_sha_current: head,
      production_sha_previous: s.base,
      last_deploy_result: 'success',
    });
    expect(stateFile(sim, `decisions/${head}.json`)).toMatchObject({
      lifecycle: { state: 'succeeded', run_id: run.id },
    });
    expect(sim.statusesFor(head)[0]).toMatchObject({
      state: 'success',
      description: `Deployed to production · ${head.slice(0, 7)}`,
    });
    // The state branch is one line of readable commits.
    const log = sim.git.run(['log', '--format=%s', 'booty-state']).trim().split('\n');
    expect(log.slice(0, 3)).toEqual([
      `deployed ${head.slice(0, 7)}: run ${run.id}`,
      `dispatched ${head.slice(0, 7)}: run ${run.id}`,
      expect.stringMatching(new RegExp(`^claim ${head.slice(0, 7)}: ALLOW allow_low`)),
    ]);
    expect(sim.git.run(['rev-list', '--merges', '--count', 'booty-state']).trim()).toBe('0');
  });

  it('failure → one issue; a second failure of the same SHA → a comment on it; a rerun → HOLD cooldown', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const { head, event, run } = await allowAndDispatch(s);
    sim.completeRun(run.id, 'failure');
    const r1 = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, run.id, 'failure'),
    });
    expect(r1.exitCode, r1.stdout).toBe(0);
    const issues = sim.allIssues().filter((i) => i.labels.includes('deploy-failure'));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.labels).toEqual(['deploy-failure', 'severity:high']);
    expect(issues[0]!.body).toContain(head);
    expect(issues[0]!.body).toContain('production');
    expect((stateFile(sim, 'release.json') as Release).deploy_history[0]).toMatchObject({
      sha: head,
      result: 'failure',
      issue_number: issues[0]!.number,
    });

    // An operator re-runs the deploy by hand (not through the governor): it fails again.
    const manual = sim.workflowRun({
      workflow: s.deploy,
      headSha: head,
      event: 'workflow_dispatch',
      conclusion: 'failure',
      displayTitle: `Deploy ${head}`,
    });
    const r2 = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, manual.id, 'failure'),
    });
    expect(r2.exitCode, r2.stdout).toBe(0);
    expect(sim.allIssues().filter((i) => i.labels.includes('deploy-failure'))).toHaveLength(1);
    expect(sim.issueComments(issues[0]!.number)).toHaveLength(1);

    // The open deploy-failure issue is an incident too; the cooldown comes first in the rules.
    const rerun = await runAction({ sim, eventName: 'workflow_run', event, runAttempt: 2 });
    expect(rerun.outputs).toMatchObject({ decision: 'HOLD', reason: 'cooldown' });
    expect(rerun.summary).toMatch(/Wait until <code>\d{4}-\d\d-\d\dT/);
    expect(deployRuns(sim, s)).toHaveLength(2);
  });

  it('a re-run of a failed deploy: fails again → a comment and the cooldown restarts; succeeds → production moves and the issue is told which attempt', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const { head, run } = await allowAndDispatch(s);
    const entryOf = () =>
      (stateFile(sim, 'release.json') as Release).deploy_history.find((h) => h.sha === head)!;

    sim.completeRun(run.id, 'failure');
    const r1 = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, run.id, 'failure'),
      runId: 9101,
    });
    expect(r1.exitCode, r1.stdout).toBe(0);
    const [issue] = sim.allIssues().filter((i) => i.labels.includes('deploy-failure'));
    expect(issue).toBeDefined();
    const first = entryOf();
    expect(first).toMatchObject({ result: 'failure', run_attempt: 1, issue_number: issue!.number });

    // The operator presses "Re-run jobs" on the deploy run: same run id, attempt 2, fails again.
    sim.rerunRun(run.id);
    sim.completeRun(run.id, 'failure');
    const failedAgain = deployEvent(sim, s, run.id, 'failure');
    const r2 = await runAction({ sim, eventName: 'workflow_run', event: failedAgain, runId: 9102 });
    expect(r2.exitCode, r2.stdout).toBe(0);
    expect(r2.summary).toContain('(attempt 2)');
    expect(sim.allIssues().filter((i) => i.labels.includes('deploy-failure'))).toHaveLength(1);
    const comments = sim.issueComments(issue!.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('failed (attempt 2)');
    const second = entryOf();
    expect(second).toMatchObject({ result: 'failure', run_attempt: 2, run_id: run.id });
    expect(Date.parse(second.completed_at!)).toBeGreaterThan(Date.parse(first.completed_at!));

    // The same event delivered again (or the governor job re-run) records and posts nothing.
    const headBefore = sim.git.readRef('refs/heads/booty-state');
    const again = await runAction({
      sim,
      eventName: 'workflow_run',
      event: failedAgain,
      runId: 9102,
      runAttempt: 2,
    });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.summary).toContain(`already reported in #${issue!.number}`);
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(headBefore);
    expect(sim.issueComments(issue!.number)).toHaveLength(1);

    // Attempt 3 succeeds: production moves; the issue is told, and stays open for a person.
    sim.rerunRun(run.id);
    sim.completeRun(run.id, 'success');
    const r3 = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, run.id, 'success'),
      runId: 9103,
    });
    expect(r3.exitCode, r3.stdout).toBe(0);
    expect(r3.outputs['production-sha']).toBe(head);
    expect(entryOf()).toMatchObject({ result: 'success', run_attempt: 3 });
    expect((stateFile(sim, 'release.json') as Release).production_sha_current).toBe(head);
    expect(stateFile(sim, `decisions/${head}.json`)).toMatchObject({
      lifecycle: { state: 'succeeded', run_attempt: 3 },
    });
    const last = sim.issueComments(issue!.number);
    expect(last).toHaveLength(2);
    expect(last[1]!.body).toContain('succeeded (attempt 3)');
    expect(last[1]!.body).toContain(`Production is now at \`${head}\``);
    expect(sim.allIssues().find((i) => i.number === issue!.number)!.state).toBe('open');
  });

  it('a deploy run with no SHA in its title that we did not dispatch is not recorded, and the summary says why', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const before = sim.git.readRef('refs/heads/booty-state');
    const stray = sim.workflowRun({
      workflow: s.deploy,
      headSha: s.base,
      event: 'workflow_dispatch',
      conclusion: 'success',
      displayTitle: 'Deploy',
    });
    const r = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, stray.id, 'success'),
    });
    expect(r.exitCode).toBe(0);
    expect(r.summary).toContain('names no commit');
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(before);
  });
});

describe('rate limit and manual trigger', () => {
  it('max_deploys_per_hour reached → HOLD rate_limit with the time it clears', async () => {
    const s = setupRepo(sim, { config: 'release_governor:\n  max_deploys_per_hour: 2\n' });
    inProduction(sim, s.base);
    for (let i = 0; i < 2; i++) {
      const { run } = await allowAndDispatch(s, `src/f${i}.ts`);
      sim.completeRun(run.id, 'success');
      await runAction({
        sim,
        eventName: 'workflow_run',
        event: deployEvent(sim, s, run.id, 'success'),
      });
    }
    const head = sim.commit({ files: { 'src/f3.ts': 'x' } });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.outputs).toMatchObject({ decision: 'HOLD', reason: 'rate_limit' });
    expect(r.summary).toContain('max\\_deploys\\_per\\_hour is 2');
  });

  it('manual trigger: a verified SHA → ALLOW; an unverified one → HOLD not_verified; a short SHA → error', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const good = sim.commit({ files: { 'src/app.ts': 'v2' } });
    sim.workflowRun({ workflow: s.verify, headSha: good, conclusion: 'success' });
    const dispatch = (sha: string) =>
      deepMerge(fixture('workflow_dispatch.governor'), {
        inputs: { sha },
        repository: { id: sim.repoId },
      });
    const ok = await runAction({
      sim,
      eventName: 'workflow_dispatch',
      event: dispatch(good),
      inputs: { sha: good },
    });
    expect(ok.outputs, ok.stdout).toMatchObject({ decision: 'ALLOW', sha: good });
    const unverified = sim.commit({ files: { 'src/app.ts': 'v3' } });
    const held = await runAction({
      sim,
      eventName: 'workflow_dispatch',
      event: dispatch(unverified),
      inputs: { sha: unverified },
    });
    expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'not_verified' });
    const short = await runAction({
      sim,
      eventName: 'workflow_dispatch',
      event: dispatch(unverified.slice(0, 7)),
      inputs: { sha: unverified.slice(0, 7) },
    });
    expect(short.exitCode).not.toBe(0);
    expect(short.stdout).toContain('not a full 40-character');
    expect(deployRuns(sim, s)).toHaveLength(1);
  });
});

describe('large diffs and lost responses', () => {
  it('a 420-file diff whose only risky file is past the first 300 → HIGH (trees diffed, not the capped compare)', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const files: Record<string, string> = {};
    for (let i = 0; i < 419; i++)
      files[`src/gen/f${String(i).padStart(3, '0')}.ts`] = `export const x${i} = ${i};\n`;
    files['zz/migrations/001.sql'] = 'create table t();\n';
    const head = sim.commit({ files });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.outputs).toMatchObject({
      decision: 'HOLD',
      reason: 'high_risk_no_approval',
      risk: 'HIGH',
    });
    expect(r.summary).toContain('zz/migrations/001.sql');
  });

  it('a truncated tree listing fails closed: HIGH, and the summary says the diff could not be fully assessed', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    sim.treeEntryLimit = 100;
    const files: Record<string, string> = {};
    for (let i = 0; i < 320; i++) files[`docs/p${i}.md`] = `${i}\n`;
    const head = sim.commit({ files });
    const r = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, head),
      env: { RELEASE_GOVERNOR_APPROVED: '' },
    });
    expect(r.outputs).toMatchObject({ decision: 'HOLD', risk: 'HIGH' });
    expect(r.summary).toContain('could not be fully assessed');
  });

  it('dispatch applied, then the response lost (502) → the run is found, never dispatched twice, also after a rerun', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'lost' } });
    const event = verified(sim, s, head);
    sim.inject('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      kind: 'lost',
    });
    const r = await runAction({ sim, eventName: 'workflow_run', event });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs.decision).toBe('ALLOW');
    expect(deployRuns(sim, s)).toHaveLength(1);
    expect(r.outputs['deploy-run-url']).toContain(String(deployRuns(sim, s)[0]!.id));
    const rerun = await runAction({ sim, eventName: 'workflow_run', event, runAttempt: 2 });
    expect(rerun.outputs).toMatchObject({ decision: 'SKIP', reason: 'already_deployed' });
    expect(deployRuns(sim, s)).toHaveLength(1);
  });
});
