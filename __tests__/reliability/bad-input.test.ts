// Bad input through dist/index.js: every case fails the job (or holds) with a message naming
// what is wrong and where, and writes nothing: no state commit, no dispatch, no status.
import { describe, expect, it } from 'vitest';
import { runAction, type ActionRun } from '../support/action-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import { errorOf } from '../support/reliability.js';
import {
  ago,
  deployRuns,
  inProduction,
  productionRelease,
  setupRepo,
  verified,
  type Scenario,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

/** Runs a LOW change; asserts the job failed, naming `expected`, and wrote nothing. */
async function expectRefused(
  s: Scenario,
  expected: RegExp | string,
  opts: { env?: Record<string, string>; event?: unknown; eventText?: string; reason?: string } = {},
): Promise<ActionRun> {
  const stateBefore = sim.git.readRef('refs/heads/booty-state');
  const head = sim.commit({ files: { 'src/app.ts': `export const v = ${Math.random()};\n` } });
  const r = await runAction({
    sim,
    eventName: 'workflow_run',
    event: opts.event ?? verified(sim, s, head),
    eventText: opts.eventText,
    env: opts.env,
  });
  expect(r.exitCode, r.stdout).not.toBe(0);
  const error = errorOf(r);
  if (typeof expected === 'string') expect(error).toContain(expected);
  else expect(error).toMatch(expected);
  expect(r.outputs.decision ?? '', 'no decision').toBe('');
  if (opts.reason !== undefined) expect(r.outputs.reason).toBe(opts.reason);
  expect(sim.git.readRef('refs/heads/booty-state'), 'state unchanged').toBe(stateBefore);
  expect(deployRuns(sim, s), 'nothing dispatched').toHaveLength(0);
  expect(sim.statusesFor(head), 'no status').toHaveLength(0);
  return r;
}

describe('bad configuration', () => {
  it.each([
    ['malformed YAML', 'release_governor:\n  cooldown_minutes: [30\n', /\.booty\.yml:\d+/],
    ['a tab-indented mapping', 'release_governor:\n\tcooldown_minutes: 30\n', /\.booty\.yml:\d+/],
    [
      'a wrong type',
      'release_governor:\n  cooldown_minutes: soon\n',
      '.booty.yml:2: release_governor.cooldown_minutes',
    ],
    [
      'a negative number',
      'release_governor:\n  max_deploys_per_hour: -1\n',
      '.booty.yml:2: release_governor.max_deploys_per_hour',
    ],
    [
      'an unknown key',
      'release_governor:\n  cooldown_minutes: 30\n  aproval_label: ship\n',
      '.booty.yml:3: release_governor.aproval_label: unknown key',
    ],
    [
      'an invalid glob',
      'release_governor:\n  high_risk_paths:\n    - "src/**"\n    - ""\n',
      '.booty.yml:4: release_governor.high_risk_paths.2',
    ],
    [
      'a list where a string belongs',
      'release_governor:\n  deploy_workflow: [a, b]\n',
      '.booty.yml:2: release_governor.deploy_workflow',
    ],
    ['a document that is a list', '- release_governor\n', '.booty.yml'],
  ])('%s → config_invalid, naming the file, line and key', async (_, config, expected) => {
    const s = setupRepo(sim, { config });
    inProduction(sim, s.base);
    await expectRefused(s, expected, { reason: 'config_invalid' });
  });

  it.each([
    ['RELEASE_GOVERNOR_COOLDOWN_MINUTES', 'half an hour'],
    ['RELEASE_GOVERNOR_MAX_DEPLOYS_PER_HOUR', '-3'],
    ['RELEASE_GOVERNOR_ENABLED', 'maybe'],
    ['RELEASE_GOVERNOR_APPROVAL_MODE', 'everyone'],
    ['RELEASE_GOVERNOR_COOLDOWN', '5'],
  ])('the override %s=%j → config_invalid, naming the variable', async (name, value) => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    await expectRefused(s, `env ${name}`, { env: { [name]: value }, reason: 'config_invalid' });
  });
});

describe('bad payloads', () => {
  const patched = (s: Scenario, patch: Record<string, unknown>) =>
    verified(sim, s, sim.commit({ files: { 'src/x.ts': String(Math.random()) } }), patch);

  it.each([
    ['head_sha missing', { workflow_run: { head_sha: null } }, 'workflow_run.head_sha'],
    ['head_sha not hex', { workflow_run: { head_sha: 'g'.repeat(40) } }, 'workflow_run.head_sha'],
    ['head_sha short', { workflow_run: { head_sha: 'abc1234' } }, 'workflow_run.head_sha'],
    ['workflow_run missing', { workflow_run: null }, 'workflow_run'],
    ['repository missing', { repository: null }, 'repository'],
    ['conclusion of the wrong type', { workflow_run: { conclusion: 42 } }, 'conclusion'],
  ])('%s → the job fails naming the field', async (_, patch, field) => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    await expectRefused(s, field, { event: patched(s, patch) });
  });

  it('a payload that is not JSON → the job fails naming the event file', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    await expectRefused(s, /event/i, { eventText: '{"workflow_run": ' });
  });
});

describe('bad state', () => {
  it.each([
    ['invalid JSON', '{"schema_version": 1,', 'release.json'],
    [
      'a wrong shape',
      JSON.stringify({ ...productionRelease('a'.repeat(40)), deploy_history: 'x' }),
      'deploy_history',
    ],
    [
      'a SHA that is not one',
      JSON.stringify(productionRelease('not-a-sha')),
      'production_sha_current',
    ],
    ['a future schema version', JSON.stringify({ schema_version: 9 }), 'schema_version 9 is newer'],
    ['an empty file', '', 'release.json'],
  ])('release.json with %s → state_corrupt, the branch untouched', async (_, text, expected) => {
    const s = setupRepo(sim);
    sim.commit({ branch: 'booty-state', parents: [], files: { 'release.json': text } });
    await expectRefused(s, expected, { reason: 'state_corrupt' });
  });

  it("the SHA's decision record with a wrong shape → state_corrupt naming the file", async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'rec' } });
    sim.commit({
      branch: 'booty-state',
      files: { [`decisions/${head}.json`]: '{"sha": 7}' },
    });
    const stateBefore = sim.git.readRef('refs/heads/booty-state');
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.exitCode).not.toBe(0);
    expect(r.outputs.reason).toBe('state_corrupt');
    expect(r.stdout).toContain(`decisions/${head}.json`);
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(stateBefore);
    expect(deployRuns(sim, s)).toHaveLength(0);
  });
});

describe('hostile and oversized text', () => {
  const big = 'x'.repeat(100 * 1024);

  it.each([
    ['a 100 KB label', (pr: number) => sim.label(pr, big, 'releng', ago(5))],
    ['a 100 KB comment', (pr: number) => void sim.comment(pr, big, 'releng', ago(5))],
    [
      'a 100 KB comment that starts with the approval command',
      (pr: number) => void sim.comment(pr, `/approve-release ${big}`, 'releng', ago(5)),
    ],
  ])('%s by a maintainer → judged, and nothing written or shown grows with it', async (_, add) => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const pr = sim.mergedPullRequest({
      author: 'dev',
      files: { 'infra/main.tf': 'x' },
      mergedAt: ago(60),
    });
    add(pr.number);
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, pr.sha) });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(['HOLD', 'ALLOW']).toContain(r.outputs.decision);
    expect(r.summary.length, 'summary').toBeLessThan(20_000);
    expect(r.stdout.length, 'log').toBeLessThan(20_000);
    const record = sim.git.fileAt(
      sim.git.readRef('refs/heads/booty-state')!,
      `decisions/${pr.sha}.json`,
    );
    expect(record!.content.length, 'decision record').toBeLessThan(20_000);
    expect(sim.statusesFor(pr.sha)[0]!.description!.length).toBeLessThanOrEqual(140);
  });

  it('file names with markdown and HTML are shown as text, never as markup', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const names = [
      'infra/<script>alert(1)</script>.tf',
      'infra/[click](javascript:alert(1)).tf',
      'infra/**bold** _it_ ~~s~~.tf',
      'infra/<!-- hide the rest.tf',
      'infra/&lt;entity&gt;.tf',
    ];
    const head = sim.commit({ files: Object.fromEntries(names.map((n) => [n, 'x'])) });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.outputs.decision, r.stdout).toBe('HOLD');
    expect(r.summary).not.toContain('<script>');
    expect(r.summary).not.toContain('<!--');
    expect(r.summary).not.toMatch(/[^\\]\]\(javascript:/);
    expect(r.summary).not.toContain('&lt;entity&gt;.tf');
    expect(r.summary).not.toContain('**bold**');
    // Each name is still there, readable.
    expect(r.summary).toContain('alert(1)');
    expect(r.summary).toContain('entity');
  });
});
