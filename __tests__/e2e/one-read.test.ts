// SPEC §19 through dist/index.js: the state read brings the trusted policy (release.json's copy
// of the config file at the production SHA) and the open issues, so a LOW ALLOW needs no other
// read before its compare; a missing or stale copy, or more open issues than one page, fall back
// to the contents API and the issue search, never to a wrong answer.
import { describe, expect, it } from 'vitest';
import { runAction, type ActionRun } from '../support/action-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  deployEvent,
  deployRuns,
  inProduction,
  setupRepo,
  stateFile,
  verified,
  type Scenario,
} from '../support/scenario.js';
import { expectNoContractViolations, useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

const ops = (r: ActionRun) => r.requests.map((q) => q.operationId ?? `${q.method} ${q.path}`);
const onVerified = (s: Scenario, sha: string) =>
  runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, sha) });

describe('the policy comes with the state', () => {
  it('a state without the copy reads the file once; the deploy that moves production copies it; the next LOW ALLOW makes 6 requests, and 2 more for its deployment (§24)', async () => {
    const s = setupRepo(sim, { config: 'release_governor:\n  cooldown_minutes: 0\n' });
    inProduction(sim, s.base, { policy: null });
    const first = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    const a = await onVerified(s, first);
    expect(a.outputs.decision).toBe('ALLOW');
    expect(ops(a)).toContain('repos/get-content');
    // The file read through the contents API became production's copy with the claim.
    expect(stateFile(sim, 'release.json')).toMatchObject({
      production_sha_current: s.base,
      policy: { commit: s.base, path: '.booty.yml' },
    });

    const run = deployRuns(sim, s)[0]!;
    sim.completeRun(run.id, 'success');
    const done = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, run.id, 'success'),
    });
    expect(done.exitCode, done.stdout).toBe(0);
    const file = sim.git.fileAt(first, '.booty.yml')!;
    expect(stateFile(sim, 'release.json')).toMatchObject({
      production_sha_current: first,
      policy: {
        commit: first,
        path: '.booty.yml',
        blob_sha: file.sha,
        text: file.content.toString('utf8'),
      },
    });

    const next = sim.commit({ files: { 'src/app.ts': 'export const v = 3;\n' } });
    const b = await onVerified(s, next);
    expect(b.outputs.decision).toBe('ALLOW');
    expect(ops(b)).toEqual([
      'graphql:ReleaseState',
      'repos/compare-commits-with-basehead',
      'graphql:WriteState',
      'actions/create-workflow-dispatch',
      'repos/create-deployment',
      'repos/create-deployment-status',
      'graphql:WriteState',
      'repos/create-commit-status',
    ]);
    expectNoContractViolations(sim);
  });

  it('a copy that is not of the production SHA is never used: the file is read at production', async () => {
    const s = setupRepo(sim, { config: 'release_governor:\n  cooldown_minutes: 0\n' });
    // A copy claiming the governor is off, left from another commit (or written by hand).
    inProduction(sim, s.base, {
      policy: {
        commit: 'f'.repeat(40),
        path: '.booty.yml',
        blob_sha: '0'.repeat(40),
        text: 'release_governor:\n  enabled: false\n',
      },
    });
    const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    const r = await onVerified(s, sha);
    expect(r.outputs.decision).toBe('ALLOW');
    expect(ops(r)).toContain('repos/get-content');
    expectNoContractViolations(sim);
  });
});

describe('incidents come with the state', () => {
  it('an open incident is found in the read: HOLD incident_active without a search', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    sim.openIssue({ title: 'Checkout down', labels: ['Incident'] });
    sim.openIssue({ title: 'Unrelated', labels: ['bug'] });
    const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    const r = await onVerified(s, sha);
    expect(r.outputs).toMatchObject({ decision: 'HOLD', reason: 'incident_active' });
    expect(r.summary).toContain('Checkout down');
    expect(r.summary).not.toContain('Unrelated');
    expect(ops(r)).not.toContain('search/issues-and-pull-requests');
    expectNoContractViolations(sim);
  });

  it('more open issues than one page: the precise search decides', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    sim.openIssue({ title: 'Old incident', labels: ['incident'] });
    for (let i = 0; i < 100; i++) sim.openIssue({ title: `Issue ${i}`, labels: ['bug'] });
    const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    const r = await onVerified(s, sha);
    expect(r.outputs).toMatchObject({ decision: 'HOLD', reason: 'incident_active' });
    expect(r.summary).toContain('Old incident');
    expect(ops(r)).toContain('search/issues-and-pull-requests');
    expectNoContractViolations(sim);
  });
});
