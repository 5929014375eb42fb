// Issue 24 through the CLI bundle (dist/cli/index.js) and the action (dist/index.js): the what-if
// a new user runs first (simulate --production), local mode that decides what it can and says
// what it could not check, and rule 4 reading the deploy workflow before anything is claimed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { runCli } from '../support/cli-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import { TempRepo } from '../support/local-repo.js';
import {
  DEPLOY_PATH,
  deployRuns,
  deployWorkflowText,
  inProduction,
  setupRepo,
  verified,
  versionedRelease,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

const CONFIG = 'release_governor:\n  cooldown_minutes: 30\n';
const WORKFLOW = { [DEPLOY_PATH]: deployWorkflowText({ sha: true }) };

interface Rule {
  rule: string;
  verdict: string;
  detail: string;
}

describe('local mode: what-ifs and what it cannot check', () => {
  let repo: TempRepo;
  beforeEach(() => {
    repo = new TempRepo();
  });
  afterEach(() => repo.dispose());
  const simulate = async (...args: string[]) => {
    const r = await runCli(['simulate', '--local', repo.dir, '--json', ...args]);
    return { ...r, json: r.stdout ? (JSON.parse(r.stdout) as Record<string, unknown>) : {} };
  };

  it('--production judges the diff from that SHA, with no state branch and nothing written', async () => {
    const old = repo.commit({ '.booty.yml': CONFIG, ...WORKFLOW, 'src/app.ts': 'v1' });
    repo.commit({ 'src/app.ts': 'v2' });
    const r = await simulate('--sha', 'HEAD', '--production', old);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ decision: 'ALLOW', reason: 'allow_low', production_sha: old });
    expect(JSON.stringify(r.json.notes)).toContain('What-if (--production)');
    expect(JSON.stringify(r.json.notes)).not.toContain('judged as a first deploy');
    expect(repo.git('branch', '--list', 'booty-state')).toBe('');
    // Without it, the same commit is a first deploy of the whole tree.
    expect((await simulate('--sha', 'HEAD')).json.reason).toBe('first_deploy_required');
  });

  it('--production at a commit from before .booty.yml: the head’s config, first_deploy_required', async () => {
    const old = repo.commit({ ...WORKFLOW, 'src/app.ts': 'v1' });
    repo.commit({ '.booty.yml': CONFIG, 'src/app.ts': 'v2' });
    const r = await simulate('--sha', 'HEAD', '--production', old);
    expect(r.json).toMatchObject({ decision: 'HOLD', reason: 'first_deploy_required' });
    const approved = await runCli(
      ['simulate', '--local', repo.dir, '--json', '--sha', 'HEAD', '--production', old],
      { env: { RELEASE_GOVERNOR_APPROVED: repo.git('rev-parse', 'HEAD') } },
    );
    expect(JSON.parse(approved.stdout)).toMatchObject({
      decision: 'ALLOW',
      reason: 'allow_approved',
    });
  });

  it('--production with --stage: that stage runs the SHA', async () => {
    const config = 'release_governor:\n  stages:\n    - name: staging\n    - name: production\n';
    const old = repo.commit({
      '.booty.yml': config,
      [DEPLOY_PATH]: deployWorkflowText({ sha: true, environment: true }),
      'src/app.ts': 'v1',
    });
    repo.commit({ 'src/app.ts': 'v2' });
    const r = await simulate('--sha', 'HEAD', '--production', old, '--stage', 'staging');
    expect(r.json).toMatchObject({ decision: 'ALLOW', stage: 'staging', production_sha: old });
    const out = (r.json.rules as Rule[]).find((x) => x.rule === 'out_of_order')!;
    expect(out.detail).toBe(`ahead of staging ${old.slice(0, 7)}`);
  });

  it('required_artifacts: "not checked in local mode", and the rest decides', async () => {
    const base = repo.commit({
      '.booty.yml': `${CONFIG}  required_artifacts: [test-results]\n`,
      ...WORKFLOW,
      'src/app.ts': 'v1',
    });
    repo.production(base);
    repo.commit({ 'src/app.ts': 'v2' });
    const r = await simulate('--sha', 'HEAD');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ decision: 'ALLOW', reason: 'allow_low' });
    expect((r.json.rules as Rule[]).find((x) => x.rule === 'evidence')!.detail).toContain(
      'not checked in local mode: test-results',
    );
  });

  it('a production commit missing from the clone is an error that says to fetch more history', async () => {
    repo.commit({ '.booty.yml': CONFIG, ...WORKFLOW, 'src/app.ts': 'v1' });
    repo.production('9'.repeat(40));
    const r = await runCli(['simulate', '--local', repo.dir, '--sha', 'HEAD']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Fetch more history');
    expect(r.stdout).not.toContain('disabled');
  });

  it('--local with --repo is an error naming both', async () => {
    repo.commit({ '.booty.yml': CONFIG });
    const r = await runCli([
      'simulate',
      '--local',
      repo.dir,
      '--repo',
      'acme/shop',
      '--sha',
      'HEAD',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--local and --repo name two different backends');
  });

  it('the deploy workflow without workflow_dispatch inputs → HOLD deploy_not_configured naming sha', async () => {
    const base = repo.commit({
      '.booty.yml': CONFIG,
      [DEPLOY_PATH]: 'name: Deploy\non: workflow_dispatch\n',
      'src/app.ts': 'v1',
    });
    repo.production(base);
    repo.commit({ 'src/app.ts': 'v2' });
    const r = await simulate('--sha', 'HEAD');
    expect(r.json).toMatchObject({ decision: 'HOLD', reason: 'deploy_not_configured' });
    expect(JSON.stringify(r.json)).toContain('does not declare the input sha');
  });
});

describe('the action and the GitHub backend', () => {
  let sim: GitHubSimulator;
  useSimulator((s) => (sim = s));
  const env = () => ({ GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl });

  it('a pipeline whose deploy workflow does not declare environment → HOLD before any claim, no dispatch', async () => {
    const s = setupRepo(sim, {
      config: 'release_governor:\n  stages:\n    - name: staging\n    - name: production\n',
      deployFile: deployWorkflowText({ sha: true }),
    });
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'HOLD', reason: 'deploy_not_configured' });
    expect(r.summary).toContain('does not declare the input environment');
    expect(deployRuns(sim, s)).toHaveLength(0);
    // The workflow came with the state read: no contents request for it.
    expect(r.requests.filter((q) => q.path.includes('/contents/.github'))).toEqual([]);
  });

  it('status with an invalid config at production shows the reasons, not a cut-off line', async () => {
    const s = setupRepo(sim, {
      config: 'release_governor:\n  stages:\n    - name: staging\n  cooldown_minute: 5\n',
    });
    inProduction(sim, s.base, {
      schema_version: 2,
      stages: {
        staging: {
          current_sha: s.base,
          previous_sha: null,
          live_since: null,
          verified_at: null,
          last_deploy_attempt_sha: null,
          last_deploy_time: null,
          last_deploy_result: null,
          last_deploy_run_url: null,
          last_health_check: null,
          deploy_history: [],
        },
      },
    });
    const r = await runCli(['status', '--repo', 'acme/shop'], { env: env() });
    expect(r.stdout).toContain(
      '.booty.yml:4: release_governor.cooldown_minute: unknown key (allowed:',
    );
    expect(r.stdout).not.toMatch(/configuration:\)/);
  });

  it('simulate with a next-version tag on another commit: a note, exit 0, no advice to delete it', async () => {
    const { sha } = versionedRelease(sim);
    const other = sim.commit({ files: { 'src/other.ts': 'x' } });
    sim.tag('v1.1.0', other);
    const r = await runCli(['simulate', '--repo', 'acme/shop', '--sha', sha], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`already on ${other.slice(0, 7)}`);
    expect(r.stdout).not.toContain('Nothing was dispatched');
    expect(r.stdout).not.toMatch(/delete/i);
  });
});
