// Versions and releases (SPEC §18) through dist/index.js: the next version from conventional
// commits and labels, an annotated tag at exactly the SHA before the dispatch, one tag and one
// dispatch however the run is repeated, a conflicting tag refused, the release published after a
// verified deploy (never after a failure), and no tag for a rollback.
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { runCli } from '../support/cli-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  ago,
  deployEvent,
  deployRuns,
  inProduction,
  setupRepo,
  smokeFinished,
  smokeWorkflow,
  stateFile,
  verified,
  type Scenario,
} from '../support/scenario.js';
import { expectNoContractViolations, useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s), { tokenUser: 'operator' });

let nextRunId = 8000;

const VERSIONED = [
  'release_governor:',
  '  cooldown_minutes: 0',
  '  versioning:',
  '    enabled: true',
  '',
].join('\n');

interface History {
  sha: string;
  result: string | null;
  version?: string | null;
  rollback_of?: string | null;
}
const release = () =>
  stateFile(sim, 'release.json') as {
    production_sha_current: string | null;
    deploy_history: History[];
  };

/** A repository whose production runs `base`, tagged `tag` by hand when given. */
function versionedRepo(opts: { tag?: string; config?: string } = {}): Scenario {
  const s = setupRepo(sim, { config: opts.config ?? VERSIONED, versioned: true });
  inProduction(sim, s.base);
  if (opts.tag) sim.tag(opts.tag, s.base);
  return s;
}

async function onVerified(s: Scenario, sha: string, runId = nextRunId++, attempt = 1) {
  return runAction({
    sim,
    eventName: 'workflow_run',
    event: verified(sim, s, sha),
    runId,
    runAttempt: attempt,
    // Looking for a dispatched run whose answer was lost waits 2 × base × 1..5: keep it short.
    env: { RELEASE_GOVERNOR_RETRY_BASE_MS: '20' },
  });
}

async function deployFinishes(s: Scenario, id: number, conclusion = 'success') {
  sim.completeRun(id, conclusion);
  return runAction({
    sim,
    eventName: 'workflow_run',
    event: deployEvent(sim, s, id, conclusion),
    runId: nextRunId++,
  });
}

/** What refs/tags/<name> is: an annotated tag object naming `name`, resolving to a commit. */
function tagOf(name: string) {
  const t = sim.tags().find((x) => x.name === name);
  if (!t) return null;
  const object = t.annotated ? sim.git.readTag(t.object) : null;
  return { commit: t.commit, annotated: t.annotated, taggedName: object?.tag ?? null };
}

describe('the next version', () => {
  it.each([
    { name: 'fix: → patch', previous: 'v1.2.0', commits: ['fix: round totals'], want: 'v1.2.1' },
    { name: 'no type → patch', previous: 'v1.2.0', commits: ['Update copy'], want: 'v1.2.1' },
    {
      name: 'feat: → minor',
      previous: 'v1.2.0',
      commits: ['fix: a', 'feat: wishlist'],
      want: 'v1.3.0',
    },
    { name: 'feat!: → major', previous: 'v1.2.0', commits: ['feat!: drop v1 API'], want: 'v2.0.0' },
    {
      name: 'BREAKING CHANGE: → major',
      previous: 'v1.2.0',
      commits: ['fix(api): totals\n\nBREAKING CHANGE: totals are integers now'],
      want: 'v2.0.0',
    },
    {
      name: '0.x breaking → minor',
      previous: 'v0.4.2',
      commits: ['feat!: new schema'],
      want: 'v0.5.0',
    },
    {
      name: 'no previous tag → initial_version',
      previous: null,
      commits: ['feat: x'],
      want: 'v0.1.0',
    },
  ])('$name', async ({ previous, commits, want }) => {
    const s = versionedRepo(previous ? { tag: previous } : {});
    let sha = s.base;
    for (const [i, message] of commits.entries())
      sha = sim.commit({ message, files: { 'src/app.ts': `export const v = ${i + 2};\n` } });

    const r = await onVerified(s, sha);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', version: want });
    // An annotated tag object named `want`, resolving to exactly the SHA, before the dispatch.
    expect(tagOf(want)).toEqual({ commit: sha, annotated: true, taggedName: want });
    const order = r.requests.map((q) => `${q.method} ${q.route ?? q.path}`);
    const tagAt = order.indexOf('POST /repos/{owner}/{repo}/git/refs');
    const dispatchAt = order.findIndex((x) => x.endsWith('/dispatches'));
    expect(tagAt).toBeGreaterThan(-1);
    expect(dispatchAt).toBeGreaterThan(tagAt);
    expect(deployRuns(sim, s).map((x) => x.inputs)).toEqual([{ sha, version: want }]);
    expect(release().deploy_history[0]).toMatchObject({ sha, version: want });
    expect(r.summary).toContain(`**Version:** <code>${want}</code>`);
    expectNoContractViolations(sim);
  });

  it('labels on the merged pull requests override the commits, the highest label wins', async () => {
    const s = versionedRepo({ tag: 'v1.2.0' });
    sim.mergedPullRequest({
      author: 'dev',
      title: 'feat: gift cards',
      files: { 'src/app.ts': 'export const v = 2;\n' },
      labels: [{ name: 'release:patch', by: 'releng', at: ago(5) }],
    });
    const { sha } = sim.mergedPullRequest({
      author: 'dev',
      title: 'fix: rounding',
      files: { 'src/app.ts': 'export const v = 3;\n' },
      labels: [{ name: 'release:major', by: 'releng', at: ago(4) }],
    });
    const r = await onVerified(s, sha);
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', version: 'v2.0.0' });
    expect(r.summary).toContain('major by label (release:patch on #1, release:major on #2)');

    // A label alone can lower the bump a commit asks for.
    const s2sha = sim.mergedPullRequest({
      author: 'dev',
      title: 'feat: a big feature, released as a patch on purpose',
      files: { 'src/app.ts': 'export const v = 4;\n' },
      labels: [{ name: 'release:patch', by: 'releng', at: ago(3) }],
    }).sha;
    // Production moves to the v2.0.0 commit (its deploy succeeded).
    await deployFinishes(s, deployRuns(sim, s)[0]!.id);
    const r2 = await onVerified(s, s2sha);
    expect(r2.outputs).toMatchObject({ decision: 'ALLOW', version: 'v2.0.1' });
    expectNoContractViolations(sim);
  });

  it('a tag made by hand on a commit in the range counts as the previous version', async () => {
    const s = versionedRepo({ tag: 'v1.2.0' });
    const mid = sim.commit({ message: 'fix: a', files: { 'src/app.ts': 'export const v = 2;\n' } });
    sim.tag('v1.4.0', mid, { lightweight: true });
    sim.tag('not-a-version', mid);
    const sha = sim.commit({
      message: 'fix: b',
      files: { 'src/app.ts': 'export const v = 3;\n' },
    });
    const r = await onVerified(s, sha);
    expect(r.outputs.version).toBe('v1.4.1');
    expectNoContractViolations(sim);
  });
});

describe('the tag, exactly once', () => {
  it('a dispatch that fails after the tag: the re-run reuses the tag and dispatches once', async () => {
    const s = versionedRepo({ tag: 'v1.2.0' });
    const sha = sim.commit({
      message: 'feat: search',
      files: { 'src/app.ts': 'export const v = 2;\n' },
    });
    sim.inject(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      { kind: 'status', status: 503 },
      20,
    );
    const first = await onVerified(s, sha, 8500, 1);
    expect(first.exitCode).not.toBe(0);
    expect(tagOf('v1.3.0')?.commit).toBe(sha);
    expect(deployRuns(sim, s)).toHaveLength(0);

    sim.clearFaults();
    const again = await onVerified(s, sha, 8500, 2);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(again.outputs).toMatchObject({ decision: 'ALLOW', version: 'v1.3.0' });
    expect(again.requests.filter((q) => q.route?.endsWith('/git/tags'))).toHaveLength(0);
    expect(deployRuns(sim, s).map((x) => x.inputs)).toEqual([{ sha, version: 'v1.3.0' }]);
    expect(sim.tags().map((t) => t.name)).toEqual(['v1.2.0', 'v1.3.0']);
    expectNoContractViolations(sim);
  });

  it('a lost answer to the tag ref, and two governors at once: one tag, one dispatch', async () => {
    const s = versionedRepo({ tag: 'v1.2.0' });
    const sha = sim.commit({
      message: 'fix: totals',
      files: { 'src/app.ts': 'export const v = 2;\n' },
    });
    sim.inject('POST /repos/{owner}/{repo}/git/refs', { kind: 'lost' }, 1);
    const runs = await Promise.all([onVerified(s, sha), onVerified(s, sha), onVerified(s, sha)]);
    for (const r of runs) expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(runs.filter((r) => r.outputs['deploy-run-url'])).toHaveLength(1);
    expect(deployRuns(sim, s).map((x) => x.inputs)).toEqual([{ sha, version: 'v1.2.1' }]);
    expect(sim.tags().map((t) => [t.name, t.commit])).toEqual([
      ['v1.2.0', s.base],
      ['v1.2.1', sha],
    ]);
    expectNoContractViolations(sim);
  });

  it('the next version tagged by hand on another commit: the job fails naming both SHAs, nothing is claimed or dispatched', async () => {
    const s = versionedRepo({ tag: 'v1.2.0' });
    const elsewhere = sim.commit({
      branch: 'hotfix',
      parents: [s.base],
      message: 'fix: hotfix',
      files: { 'src/app.ts': 'export const v = 9;\n' },
    });
    sim.tag('v1.3.0', elsewhere);
    const sha = sim.commit({
      message: 'feat: search',
      files: { 'src/app.ts': 'export const v = 2;\n' },
    });
    const stateBefore = sim.git.readRef('refs/heads/booty-state');
    const r = await onVerified(s, sha);
    expect(r.exitCode).not.toBe(0);
    expect(r.summary).toContain(`The tag v1.3.0 exists on ${elsewhere}, not on ${sha}`);
    expect(r.outputs.decision ?? '').toBe('');
    expect(deployRuns(sim, s)).toHaveLength(0);
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(stateBefore);
    expect(tagOf('v1.3.0')?.commit).toBe(elsewhere);
    expectNoContractViolations(sim);
  });
});

describe('the release', () => {
  it('is published once the deploy succeeded, with the pull requests, risk, approvals and evidence hash; once only', async () => {
    const s = versionedRepo({ tag: 'v1.2.0' });
    const pr = sim.mergedPullRequest({
      author: 'dev',
      title: 'feat: wishlist',
      files: { 'src/app.ts': 'export const v = 2;\n' },
    });
    const allowed = await onVerified(s, pr.sha);
    expect(allowed.outputs.version).toBe('v1.3.0');
    expect(sim.releases()).toHaveLength(0);

    const run = deployRuns(sim, s)[0]!;
    const done = await deployFinishes(s, run.id);
    expect(done.exitCode, done.stdout + done.stderr).toBe(0);
    expect(done.outputs.version).toBe('v1.3.0');
    const [published] = sim.releases();
    expect(published).toMatchObject({ tag_name: 'v1.3.0', name: 'v1.3.0' });
    expect(published!.body).toContain(`#${pr.number} feat: wishlist (@dev)`);
    expect(published!.body).toContain('Risk: LOW');
    expect(published!.body).toContain('minor from 1 commit');
    expect(published!.body).toContain(done.outputs['evidence-hash']!);
    expect(published!.body).toContain('## Approvals');

    // The event again (a redelivery): no second release.
    const redelivered = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, run.id, 'success'),
      runId: nextRunId++,
    });
    expect(redelivered.exitCode).toBe(0);
    expect(sim.releases()).toHaveLength(1);
    expectNoContractViolations(sim);
  });

  it('is not published after a failed deploy', async () => {
    const s = versionedRepo({ tag: 'v1.2.0' });
    const sha = sim.commit({
      message: 'fix: x',
      files: { 'src/app.ts': 'export const v = 2;\n' },
    });
    await onVerified(s, sha);
    const done = await deployFinishes(s, deployRuns(sim, s)[0]!.id, 'failure');
    expect(done.exitCode).toBe(0);
    expect(sim.releases()).toHaveLength(0);
    expect(tagOf('v1.2.1')?.commit).toBe(sha);
    expectNoContractViolations(sim);
  });

  it.each([
    ['success', 1],
    ['failure', 0],
  ])(
    'with a health check, waits for its verdict: smoke tests %s → %i release',
    async (conclusion, releases) => {
      const s = versionedRepo({
        tag: 'v1.2.0',
        config: `${VERSIONED}  health_check:\n    workflow: smoke.yml\n`,
      });
      const smoke = smokeWorkflow(sim);
      const sha = sim.commit({
        message: 'fix: x',
        files: { 'src/app.ts': 'export const v = 2;\n' },
      });
      await onVerified(s, sha);
      await deployFinishes(s, deployRuns(sim, s)[0]!.id);
      expect(sim.releases()).toHaveLength(0);

      const smokeRun = sim.runs.find((r) => r.workflow_id === smoke.id)!;
      const r = await runAction({
        sim,
        eventName: 'workflow_run',
        event: smokeFinished(sim, smoke, smokeRun.id, conclusion),
        runId: nextRunId++,
      });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(sim.releases().map((x) => x.tag_name)).toEqual(releases ? ['v1.2.1'] : []);
      expectNoContractViolations(sim);
    },
  );

  it('github_release: false publishes none', async () => {
    const s = versionedRepo({
      tag: 'v1.2.0',
      config: `${VERSIONED}    github_release: false\n`,
    });
    const sha = sim.commit({ message: 'fix: x', files: { 'src/app.ts': 'export const v = 2;\n' } });
    await onVerified(s, sha);
    await deployFinishes(s, deployRuns(sim, s)[0]!.id);
    expect(release().production_sha_current).toBe(sha);
    expect(sim.releases()).toHaveLength(0);
  });
});

describe('rollback and the CLI', () => {
  it('rollback --to a version tag dispatches that version again and creates no tag; status and history show versions', async () => {
    const s = versionedRepo({ tag: 'v1.2.0' });
    const one = sim.commit({
      message: 'feat: a',
      files: { 'src/app.ts': 'export const v = 2;\n' },
    });
    await onVerified(s, one);
    await deployFinishes(s, deployRuns(sim, s)[0]!.id);
    const two = sim.commit({ message: 'fix: b', files: { 'src/app.ts': 'export const v = 3;\n' } });
    await onVerified(s, two);
    await deployFinishes(s, deployRuns(sim, s)[1]!.id);
    expect(release().production_sha_current).toBe(two);
    expect(sim.releases().map((r) => r.tag_name)).toEqual(['v1.3.0', 'v1.3.1']);

    sim.collaborator('operator', 'write');
    const env = { GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl };
    const status = await runCli(['status', '--repo', sim.fullName, '--json'], { env });
    expect(JSON.parse(status.stdout)).toMatchObject({
      production_sha: two,
      production_version: 'v1.3.1',
    });
    const tagsBefore = sim.tags();
    const logBefore = sim.log.length;
    const r = await runCli(
      ['rollback', '--repo', sim.fullName, '--to', 'v1.3.0', '--reason', 'bad b', '--json'],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ decision: 'ROLLBACK', sha: one });
    expect(deployRuns(sim, s).at(-1)!.inputs).toEqual({ sha: one, version: 'v1.3.0' });
    expect(sim.tags()).toEqual(tagsBefore);
    expect(
      sim.log.slice(logBefore).filter((q) => q.method === 'POST' && q.route?.includes('/git/')),
    ).toEqual([]);

    // The rollback's success publishes nothing.
    await deployFinishes(s, deployRuns(sim, s).at(-1)!.id);
    expect(release().production_sha_current).toBe(one);
    expect(sim.releases()).toHaveLength(2);

    const history = await runCli(['history', '--repo', sim.fullName, '--json'], { env });
    const entries = (JSON.parse(history.stdout) as { entries: History[] }).entries;
    expect(entries.map((e) => [e.sha, e.version, e.rollback_of])).toEqual([
      [one, 'v1.3.0', two],
      [two, 'v1.3.1', null],
      [one, 'v1.3.0', null],
      [s.base, null, null],
    ]);
    const text = await runCli(['history', '--repo', sim.fullName], { env });
    expect(text.stdout).toContain('v1.3.1');

    const unknown = await runCli(
      ['rollback', '--repo', sim.fullName, '--to', 'v9.9.9', '--reason', 'x'],
      { env },
    );
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('v9.9.9 is not a tag of this repository');
    expectNoContractViolations(sim);
  });
});
