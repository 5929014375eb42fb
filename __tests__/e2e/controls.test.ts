// Operator controls (SPEC §16) through dist/index.js and the CLI bundle: freeze windows,
// break-glass deploys and manual rollbacks, against the simulator.
import { describe, expect, it } from 'vitest';
import { runAction, type ActionRun } from '../support/action-runner.js';
import { runCli } from '../support/cli-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  deployEvent,
  deployRuns,
  inProduction,
  setupRepo,
  stateFile,
  verified,
  type Scenario,
  governorDispatch,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
// The token is a person's here (the CLI's rollback acts as the token's user).
useSimulator((s) => (sim = s), { tokenUser: 'operator' });

let nextRunId = 4000;
const head = () => sim.git.readRef('refs/heads/booty-state');
const release = () =>
  stateFile(sim, 'release.json') as {
    production_sha_current: string | null;
    deploy_history: { sha: string; rollback_of?: string; rolled_back_at?: string }[];
  };

/** A workflow_dispatch of the governor by `actor` with these inputs. */
const dispatch = (
  actor: string,
  inputs: Record<string, string>,
  opts: { runId?: number; attempt?: number } = {},
): Promise<ActionRun> =>
  governorDispatch(sim, actor, inputs, { runId: opts.runId ?? nextRunId++, ...opts });

/** The scenario with an admin, and production at a SHA deployed through the governor after the base. */
async function deployedThroughGovernor(s: Scenario): Promise<string> {
  const sha = sim.commit({ files: { 'src/app.ts': 'v2' } });
  const v = await runAction({
    sim,
    eventName: 'workflow_run',
    event: verified(sim, s, sha),
    runId: nextRunId++,
  });
  expect(v.outputs.decision).toBe('ALLOW');
  const run = deployRuns(sim, s).at(-1)!;
  sim.completeRun(run.id, 'success');
  await runAction({
    sim,
    eventName: 'workflow_run',
    event: deployEvent(sim, s, run.id, 'success'),
    runId: nextRunId++,
  });
  expect(release().production_sha_current).toBe(sha);
  return sha;
}

const iso = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

describe('freeze windows and break-glass', () => {
  it('a freeze around now holds with its reason and end; break-glass by an admin goes through the freeze, an open incident and a HIGH change, once, with a banner and an issue', async () => {
    const s = setupRepo(sim, {
      config: `release_governor:\n  freeze_windows:\n    - start: "${iso(-60)}"\n      end: "${iso(60)}"\n      reason: Black Friday\n`,
    });
    sim.collaborator('boss', 'admin');
    inProduction(sim, s.base);
    sim.openIssue({ title: 'Checkout is down', labels: ['incident'] });
    const pr = sim.mergedPullRequest({ author: 'dev', files: { 'infra/main.tf': 'x' } });
    const event = verified(sim, s, pr.sha);
    const held = await runAction({ sim, eventName: 'workflow_run', event, runId: nextRunId++ });
    expect(held.exitCode, held.stdout).toBe(0);
    expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'freeze_window' });
    expect(held.summary).toContain('Black Friday');
    expect(held.summary).toMatch(/production is frozen until \d\d:\d\d UTC \(in (59m|1h 0m)/);
    expect(held.summary).toContain('break-glass');
    expect(sim.statusesFor(pr.sha)[0]).toMatchObject({ state: 'pending' });
    expect(sim.statusesFor(pr.sha)[0]!.description).toMatch(/until \d\d:\d\d UTC$/);

    const inputs = { sha: pr.sha, 'break-glass': 'DEPLOY-NOW', reason: 'payment outage hotfix' };
    const bg = await dispatch('boss', inputs, { runId: 4900 });
    expect(bg.exitCode, bg.stdout + bg.stderr).toBe(0);
    expect(bg.outputs).toMatchObject({
      decision: 'ALLOW',
      reason: 'allow_break_glass',
      sha: pr.sha,
    });
    expect(bg.summary.startsWith('> [!CAUTION]\n> BREAK-GLASS deploy of')).toBe(true);
    expect(bg.summary).toContain('@boss');
    expect(bg.summary).toContain('payment outage hotfix');
    expect(deployRuns(sim, s)).toHaveLength(1);
    const issues = sim.allIssues().filter((i) => i.labels.includes('break-glass'));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.body).toContain('freeze_window');
    // (With HIGH risk, rule 9 leaves the incident to rule 10: one hold, high_risk_no_approval.)
    expect(issues[0]!.body).toContain('high_risk_no_approval');
    const record = stateFile(sim, `decisions/${pr.sha}.json`) as { break_glass: unknown };
    expect(record.break_glass).toMatchObject({
      actor: 'boss',
      reason: 'payment outage hotfix',
      bypassed: ['freeze_window', 'high_risk_no_approval'],
    });

    // The same job re-run: the SHA is claimed; nothing is dispatched or opened again.
    const again = await dispatch('boss', inputs, { runId: 4900, attempt: 2 });
    expect(again.outputs).toMatchObject({ decision: 'SKIP', reason: 'already_deployed' });
    expect(deployRuns(sim, s)).toHaveLength(1);
    expect(sim.allIssues().filter((i) => i.labels.includes('break-glass'))).toHaveLength(1);
  });

  it.each([
    [
      'a writer',
      'writer',
      'DEPLOY-NOW',
      'hotfix',
      '@writer may not break the glass: it needs maintain access or higher',
    ],
    ['the wrong text', 'releng', 'deploy-now', 'hotfix', 'must be exactly DEPLOY-NOW'],
    ['no reason', 'releng', 'DEPLOY-NOW', '', 'needs a reason'],
  ])(
    'break-glass by %s fails the job; nothing is written or dispatched',
    async (_, actor, text, reason, message) => {
      const s = setupRepo(sim, {
        config: 'release_governor:\n  break_glass_permission: maintain\n',
      });
      inProduction(sim, s.base);
      const sha = sim.commit({ files: { 'src/app.ts': 'x' } });
      sim.workflowRun({ workflow: s.verify, headSha: sha, conclusion: 'success' });
      const before = head();
      const r = await dispatch(actor, { sha, 'break-glass': text, reason });
      expect(r.exitCode).not.toBe(0);
      expect(r.stdout + r.stderr).toContain(message);
      expect(head()).toBe(before);
      expect(deployRuns(sim, s)).toHaveLength(0);
      expect(
        r.requests.every((q) => q.method === 'GET' || q.operationId === 'graphql:ReleaseState'),
      ).toBe(true);
    },
  );

  it('break-glass never bypasses verification or exactly-once', async () => {
    const s = setupRepo(sim);
    sim.collaborator('boss', 'admin');
    inProduction(sim, s.base);
    const unverified = sim.commit({ files: { 'src/app.ts': 'x' } });
    const r = await dispatch('boss', {
      sha: unverified,
      'break-glass': 'DEPLOY-NOW',
      reason: 'now',
    });
    expect(r.outputs).toMatchObject({ decision: 'HOLD', reason: 'not_verified' });
    const inProd = await dispatch('boss', {
      sha: s.base,
      'break-glass': 'DEPLOY-NOW',
      reason: 'now',
    });
    expect(inProd.outputs).toMatchObject({ decision: 'SKIP', reason: 'already_deployed' });
    expect(deployRuns(sim, s)).toHaveLength(0);
  });
});

describe('manual rollback', () => {
  it('by a writer: one dispatch of the previous SHA, a re-run dispatches nothing more, and the rolled-back SHA is then held', async () => {
    const s = setupRepo(sim, { config: 'release_governor:\n  cooldown_minutes: 0\n' });
    inProduction(sim, s.base);
    const bad = await deployedThroughGovernor(s);
    const r = await dispatch(
      'writer',
      { rollback: 'true', reason: 'checkout errors' },
      { runId: 4950 },
    );
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({
      decision: 'ROLLBACK',
      reason: 'manual_rollback',
      sha: s.base,
    });
    const runs = deployRuns(sim, s);
    expect(runs.map((x) => x.inputs?.sha)).toEqual([bad, s.base]);
    expect(release().deploy_history[0]).toMatchObject({ sha: s.base, rollback_of: bad });

    const again = await dispatch(
      'writer',
      { rollback: 'true', reason: 'checkout errors' },
      { runId: 4950, attempt: 2 },
    );
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.outputs).toMatchObject({ decision: 'ROLLBACK', reason: 'manual_rollback' });
    expect(deployRuns(sim, s)).toHaveLength(2);

    sim.completeRun(runs[1]!.id, 'success');
    await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, runs[1]!.id, 'success'),
      runId: nextRunId++,
    });
    expect(release().production_sha_current).toBe(s.base);
    const held = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, bad),
      runId: nextRunId++,
    });
    expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'previously_rolled_back' });
  });

  it.each([
    ['by a reader', 'reader', {}, '@reader may not roll back'],
    [
      'to a SHA never deployed there',
      'writer',
      { sha: 'never' },
      'was never deployed successfully to production',
    ],
  ])('%s is refused; nothing is written or dispatched', async (_, actor, extra, message) => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    await deployedThroughGovernor(s);
    const never = sim.commit({ files: { 'src/other.ts': 'x' } });
    const before = head();
    const inputs: Record<string, string> = { rollback: 'true', reason: 'why' };
    if ((extra as { sha?: string }).sha) inputs.sha = never;
    const r = await dispatch(actor, inputs);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(message);
    expect(head()).toBe(before);
    expect(deployRuns(sim, s)).toHaveLength(1);
  });
});

describe('the CLI rollback', () => {
  it('rolls back through the same protocol, as the token user; again → nothing more', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const bad = await deployedThroughGovernor(s);
    sim.collaborator('operator', 'write');
    const env = { GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl };
    const args = ['rollback', '--repo', sim.fullName, '--reason', 'bad release', '--json'];
    const r = await runCli(args, { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      decision: 'ROLLBACK',
      reason: 'manual_rollback',
      sha: s.base,
      production_sha: bad,
    });
    const again = await runCli(args, { env });
    expect(again.code, again.stderr).toBe(0);
    expect(deployRuns(sim, s).map((x) => x.inputs?.sha)).toEqual([bad, s.base]);
    const missing = await runCli(['rollback', '--repo', sim.fullName], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('needs a reason');
  });
});
