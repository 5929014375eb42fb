import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { deepMerge, fixture } from '../support/events.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  ago,
  deployRuns,
  deployWorkflowText,
  inProduction,
  setupRepo,
  stateFile,
  verified,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

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

describe('holds, approvals and reruns', () => {
  it('a workflow change → HOLD high_risk_no_approval, the path in the summary, status failure, nothing dispatched', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const pr = sim.mergedPullRequest({
      author: 'dev',
      files: { '.github/workflows/verify-main.yml': 'name: Verify main\non: [push]\n' },
      mergedAt: ago(60),
    });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, pr.sha) });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({
      decision: 'HOLD',
      reason: 'high_risk_no_approval',
      risk: 'HIGH',
    });
    expect(r.summary).toContain('.github/workflows/verify-main.yml');
    expect(r.summary).toContain(`#${pr.number}`);
    expect(r.summary).toContain('release:approved');
    expect(r.summary).toContain('How to unblock');
    expect(deployRuns(sim, s)).toHaveLength(0);
    expect(sim.statusesFor(pr.sha)[0]).toMatchObject({ state: 'failure' });
    expect(sim.statusesFor(pr.sha)[0]!.description).toBe(
      `HOLD · high_risk_no_approval · HIGH · ${pr.sha.slice(0, 7)}`,
    );
    expect(stateFile(sim, `decisions/${pr.sha}.json`)).toMatchObject({
      decision: { outcome: 'HOLD', reason: 'high_risk_no_approval' },
    });
  });

  it('HOLD → label by a maintainer after merge → rerun (same payload, attempt 2) → ALLOW, one dispatch in total', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const pr = sim.mergedPullRequest({
      author: 'dev',
      files: { 'infra/main.tf': 'resource "x" "y" {}\n' },
      mergedAt: ago(60),
    });
    const event = verified(sim, s, pr.sha);
    const first = await runAction({ sim, eventName: 'workflow_run', event, runAttempt: 1 });
    expect(first.outputs.decision).toBe('HOLD');
    sim.label(pr.number, 'release:approved', 'releng', ago(5));
    const second = await runAction({ sim, eventName: 'workflow_run', event, runAttempt: 2 });
    expect(second.outputs).toMatchObject({ decision: 'ALLOW', reason: 'allow_high_approved' });
    expect(second.summary).toContain('@releng');
    const third = await runAction({ sim, eventName: 'workflow_run', event, runAttempt: 3 });
    expect(third.outputs).toMatchObject({ decision: 'SKIP', reason: 'already_deployed' });
    expect(deployRuns(sim, s)).toHaveLength(1);
    const record = stateFile(sim, `decisions/${pr.sha}.json`) as {
      evaluations: { run_attempt: number; outcome: string }[];
      lifecycle: { state: string };
    };
    expect(record.evaluations.map((e) => [e.run_attempt, e.outcome])).toEqual([
      [1, 'HOLD'],
      [2, 'ALLOW'],
    ]);
    expect(record.lifecycle.state).toBe('dispatched');
  });

  it.each([
    ['a reader', 'reader', 5, 'has read access'],
    ["the pull request's author", 'dev', 5, 'is the author of the change'],
    ['a maintainer before merge', 'releng', 90, 'before #'],
  ])(
    'label by %s → still HOLD, the approval named as ignored',
    async (_who, by, minutesAgo, why) => {
      const s = setupRepo(sim);
      inProduction(sim, s.base);
      const pr = sim.mergedPullRequest({
        author: 'dev',
        files: { 'db/migrations/002.sql': 'alter table x;\n' },
        mergedAt: ago(60),
      });
      sim.label(pr.number, 'release:approved', by, ago(minutesAgo));
      const r = await runAction({
        sim,
        eventName: 'workflow_run',
        event: verified(sim, s, pr.sha),
      });
      expect(r.outputs).toMatchObject({ decision: 'HOLD', reason: 'high_risk_no_approval' });
      expect(r.summary).toContain('ignored');
      expect(r.summary).toContain(why);
      expect(deployRuns(sim, s)).toHaveLength(0);
    },
  );

  it.each([
    ['the full SHA', (sha: string) => sha, 'ALLOW'],
    ['true (blanket approval not allowed)', () => 'true', 'HOLD'],
    ['a short SHA', (sha: string) => sha.slice(0, 12), 'HOLD'],
  ])('RELEASE_GOVERNOR_APPROVED = %s → %s', async (_name, value, outcome) => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'k8s/deployment.yaml': 'replicas: 3\n' }, author: 'dev' });
    const r = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, head),
      env: { RELEASE_GOVERNOR_APPROVED: value(head) },
    });
    expect(r.outputs.decision).toBe(outcome);
    expect(deployRuns(sim, s)).toHaveLength(outcome === 'ALLOW' ? 1 : 0);
    if (outcome === 'HOLD') expect(r.summary).toContain('RELEASE\\_GOVERNOR\\_APPROVED');
  });

  it('open incident + MEDIUM change → HOLD incident_active', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const incident = sim.openIssue({ title: 'Checkout is down', labels: ['incident'] });
    const head = sim.commit({ files: { 'package.json': '{"name":"shop"}\n' }, author: 'dev' });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.outputs).toMatchObject({
      decision: 'HOLD',
      reason: 'incident_active',
      risk: 'MEDIUM',
    });
    expect(r.summary).toContain(`#${incident}`);
  });

  it('a commit that empties high_risk_paths and edits a workflow is judged by the production policy → HOLD', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({
      author: 'dev',
      files: {
        '.booty.yml':
          'release_governor:\n  high_risk_paths: []\n  require_approval_for_first_deploy: false\n',
        '.github/workflows/deploy.yml': `${deployWorkflowText({ sha: true })}# sneaky\n`,
      },
    });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.outputs).toMatchObject({
      decision: 'HOLD',
      reason: 'high_risk_no_approval',
      risk: 'HIGH',
    });
    expect(r.summary).toContain('.booty.yml');
  });

  it("a team's own high_risk_paths add to the defaults: a migration, a Dockerfile and .env.production → HOLD HIGH", async () => {
    const s = setupRepo(sim, {
      config: 'release_governor:\n  high_risk_paths: ["lib/dialects/**", "migrations/"]\n',
    });
    inProduction(sim, s.base);
    const head = sim.commit({
      files: {
        'db/migrations/001.sql': 'create table t (id int);\n',
        Dockerfile: 'FROM node:24\n',
        '.env.production': 'X=1\n',
      },
    });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({
      decision: 'HOLD',
      reason: 'high_risk_no_approval',
      risk: 'HIGH',
    });
    for (const pattern of ['**/migrations/**', '**/Dockerfile', '**/.env*', 'migrations/'])
      expect(r.summary).toContain(pattern.replace(/\*/g, '&#42;'));
    expect(deployRuns(sim, s)).toHaveLength(0);
  });

  it('first deploy → HOLD first_deploy_required; the SHA-scoped variable clears it', async () => {
    const s = setupRepo(sim);
    const head = sim.commit({ files: { 'src/app.ts': 'export const v = 3;\n' }, author: 'dev' });
    const event = verified(sim, s, head);
    const r = await runAction({ sim, eventName: 'workflow_run', event });
    expect(r.outputs).toMatchObject({ decision: 'HOLD', reason: 'first_deploy_required' });
    expect(sim.git.readRef('refs/heads/booty-state')).not.toBeNull();
    const ok = await runAction({
      sim,
      eventName: 'workflow_run',
      event,
      runAttempt: 2,
      env: { RELEASE_GOVERNOR_APPROVED: head },
    });
    if (ok.exitCode !== 0) console.log(ok.stdout);
    expect(ok.outputs).toMatchObject({ decision: 'ALLOW', reason: 'allow_approved' });
    expect(deployRuns(sim, s)).toHaveLength(1);
  });
});

describe('not a candidate, out of order, duplicates', () => {
  it('failed verification → SKIP verification_not_successful, nothing written', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'broken' } });
    const r = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, head, { workflow_run: { conclusion: 'failure' } }),
    });
    expect(r.outputs).toMatchObject({ decision: 'SKIP', reason: 'verification_not_successful' });
    expect(sim.writes().filter((w) => w.operationId !== 'graphql:ReleaseState')).toEqual([]);
  });

  it('a SHA older than production → SKIP superseded', async () => {
    const s = setupRepo(sim);
    const older = sim.commit({ files: { 'src/a.ts': '1' } });
    const newer = sim.commit({ files: { 'src/b.ts': '1' } });
    inProduction(sim, newer);
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, older) });
    expect(r.outputs).toMatchObject({ decision: 'SKIP', reason: 'superseded' });
    void s;
  });

  it('the same event twice → one dispatch', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'export const v = 9;\n' } });
    const event = verified(sim, s, head);
    await runAction({ sim, eventName: 'workflow_run', event });
    const again = await runAction({ sim, eventName: 'workflow_run', event });
    expect(again.outputs).toMatchObject({ decision: 'SKIP', reason: 'already_deployed' });
    expect(deployRuns(sim, s)).toHaveLength(1);
  });

  it('6 runs at once for one SHA → exactly one dispatch', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'export const v = 10;\n' } });
    const event = verified(sim, s, head);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        runAction({ sim, eventName: 'workflow_run', event, runId: 7000 + i }),
      ),
    );
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(results.filter((r) => r.outputs.decision === 'ALLOW')).toHaveLength(1);
    expect(deployRuns(sim, s)).toHaveLength(1);
  });
});

describe('errors fail closed', () => {
  it('an unknown config key → the job fails naming it and its line, nothing written', async () => {
    const s = setupRepo(sim, {
      config: 'release_governor:\n  cooldown_minutes: 30\n  approver: [alice]\n',
    });
    inProduction(sim, s.base);
    const stateBefore = sim.git.readRef('refs/heads/booty-state');
    const head = sim.commit({ files: { 'src/app.ts': 'x' } });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('.booty.yml:3: release_governor.approver: unknown key');
    expect(r.outputs).toMatchObject({ decision: '', reason: 'config_invalid' });
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(stateBefore);
    expect(deployRuns(sim, s)).toHaveLength(0);
  });

  it('a negation in high_risk_paths → config_invalid naming the entry and its line, nothing written', async () => {
    const s = setupRepo(sim, {
      config:
        'release_governor:\n  high_risk_paths:\n    - "lib/dialects/**"\n    - "!lib/migrations/**"\n',
    });
    inProduction(sim, s.base);
    const stateBefore = sim.git.readRef('refs/heads/booty-state');
    const head = sim.commit({ files: { 'src/app.ts': 'negation' } });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain(
      '.booty.yml:4: release_governor.high_risk_paths.2: negations (!pattern) are not supported',
    );
    expect(r.outputs).toMatchObject({ decision: '', reason: 'config_invalid' });
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(stateBefore);
    expect(deployRuns(sim, s)).toHaveLength(0);
  });

  it('corrupt state → the job fails with state_corrupt and the branch is unchanged', async () => {
    const s = setupRepo(sim);
    const corrupt = sim.commit({
      branch: 'booty-state',
      parents: [],
      files: { 'release.json': '{"schema_version": 1, "production_sha_current": "nope"' },
    });
    const head = sim.commit({ files: { 'src/app.ts': 'x' } });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.exitCode).not.toBe(0);
    expect(r.outputs.reason).toBe('state_corrupt');
    expect(r.stdout).toContain('release.json');
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(corrupt);
    expect(deployRuns(sim, s)).toHaveLength(0);
  });

  it('a state file from a newer governor → state_corrupt, never overwritten', async () => {
    const s = setupRepo(sim);
    const future = sim.commit({
      branch: 'booty-state',
      parents: [],
      files: { 'release.json': '{"schema_version": 4}\n' },
    });
    const head = sim.commit({ files: { 'src/app.ts': 'x' } });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.outputs.reason).toBe('state_corrupt');
    expect(r.stdout).toContain('schema_version 4 is newer');
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(future);
  });
});

describe('a governor that is off says why', () => {
  it('a misspelt block → SKIP disabled with the file, the commit and the likely key, and a warning annotation', async () => {
    const s = setupRepo(sim, { config: 'release_governer:\n  cooldown_minutes: 30\n' });
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'typo' } });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'SKIP', reason: 'disabled' });
    expect(r.summary).toContain('has no release\\_governor block');
    expect(r.summary).toContain(`Read at ${s.base.slice(0, 7)}, the production commit`);
    expect(r.stdout).toMatch(/::warning.*Did you mean release_governor\? "release_governer"/);
  });

  it('no config file → SKIP disabled saying there is none; an explicit config-path that is missing → config_invalid', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { '.booty.yml': null, 'src/app.ts': 'gone' } });
    // The policy is read at production, which has the file: move production to a commit without it.
    const bare = sim.commit({ files: { 'src/app.ts': 'bare' } });
    inProduction(sim, head);
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, bare) });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'SKIP', reason: 'disabled' });
    expect(r.summary).toContain('There is no .booty.yml');
    const explicit = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, bare),
      inputs: { 'config-path': '.github/governor.yml' },
    });
    expect(explicit.exitCode).not.toBe(0);
    expect(explicit.outputs).toMatchObject({ decision: '', reason: 'config_invalid' });
    expect(explicit.stdout).toContain(
      '.github/governor.yml: the configured config-path does not exist',
    );
  });

  it('a manual trigger of a 40-hex SHA that is no commit fails naming it (not SKIP disabled)', async () => {
    setupRepo(sim);
    const ghost = 'abcdef0123456789abcdef0123456789abcdef01';
    const r = await runAction({
      sim,
      eventName: 'workflow_dispatch',
      event: deepMerge(fixture('workflow_dispatch.governor'), {
        inputs: { sha: ghost },
        repository: { id: sim.repoId },
      }),
      inputs: { sha: ghost },
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain(`There is no commit ${ghost} in acme/shop`);
    expect(r.outputs.decision).toBe('');
  });
});

describe('dry run, annotations and hostile names', () => {
  it('dry-run: the verdict and outputs, but no state write, no dispatch, no status', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'dry' } });
    const stateBefore = sim.git.readRef('refs/heads/booty-state');
    const r = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, head),
      inputs: { 'dry-run': 'true' },
    });
    expect(r.outputs).toMatchObject({
      decision: 'ALLOW',
      reason: 'allow_low',
      'deploy-run-url': '',
      'state-commit': '',
    });
    expect(
      r.requests.every(
        (q) =>
          q.method === 'GET' ||
          q.operationId === 'graphql:ReleaseState' ||
          q.operationId === 'search/issues-and-pull-requests',
      ),
    ).toBe(true);
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(stateBefore);
    expect(deployRuns(sim, s)).toHaveLength(0);
    expect(sim.statusesFor(head)).toHaveLength(0);
    expect(r.summary).toContain('(dry run)');
    expect(r.stdout).toMatch(/^::notice title=Release Governor%3A ALLOW allow_low::/m);
  });

  it('a file name with |, backticks, an <img> tag and a newline cannot break the summary', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const evil = 'infra/a|b`c<img src=x onerror=alert(1)>\nd.tf';
    const head = sim.commit({ files: { [evil]: 'x' } });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.outputs).toMatchObject({ decision: 'HOLD', risk: 'HIGH' });
    expect(r.stdout).toMatch(/^::warning title=Release Governor%3A HOLD high_risk_no_approval::/m);
    expect(r.summary).not.toContain('<img');
    expect(r.summary).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(r.summary).toContain('a&#124;b&#96;c');
    for (const line of r.summary.split('\n').filter((l) => l.startsWith('|')))
      expect(line.split(/(?<!\\)\|/).length, line).toBeLessThanOrEqual(7);
  });
});
