import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import { TempRepo } from '../support/local-repo.js';
import {
  DEPLOY_PATH,
  deployRuns,
  deployWorkflowText,
  inProduction,
  setupRepo,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

const CONFIG = {
  '.booty.yml': 'release_governor:\n  cooldown_minutes: 30\n',
  [DEPLOY_PATH]: deployWorkflowText({ sha: true }),
};

describe('CLI, local backend (dist/cli/index.js)', () => {
  let repo: TempRepo;
  beforeEach(() => {
    repo = new TempRepo();
  });
  afterEach(() => repo.dispose());

  it('LOW change → ALLOW, exit 0, JSON with the documented shape', async () => {
    const base = repo.commit({ ...CONFIG, 'src/app.ts': 'v1' });
    repo.production(base);
    repo.commit({ 'src/app.ts': 'v2' });
    const r = await runCli(['simulate', '--local', repo.dir, '--sha', 'HEAD', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(j).toMatchObject({
      decision: 'ALLOW',
      reason: 'allow_low',
      risk: 'LOW',
      production_sha: base,
      backend: 'local',
      unblock: null,
      // Without stages, the one stage is named after production_environment_name.
      stage: 'production',
    });
    expect(Object.keys(j)).toEqual([
      'decision',
      'reason',
      'risk',
      'sha',
      'production_sha',
      'stage',
      'version',
      'backend',
      'rules',
      'risk_paths',
      'risk_incomplete',
      'approvals',
      'unblock',
      'notes',
      'warnings',
      'deploy_run_url',
      'state_commit',
    ]);
  });

  it('HIGH change → HOLD, exit 1, the path and the variable to set in the human output', async () => {
    const base = repo.commit({ ...CONFIG, 'src/app.ts': 'v1' });
    repo.production(base);
    const head = repo.commit({ 'terraform/main.tf': 'x' });
    const r = await runCli(['simulate', '--local', repo.dir, '--sha', head]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('HOLD high_risk_no_approval');
    expect(r.stdout).toContain('terraform/main.tf');
    expect(r.stdout).toContain(`RELEASE_GOVERNOR_APPROVED=${head}`);
    const approved = await runCli(['simulate', '--local', repo.dir, '--sha', head], {
      env: { RELEASE_GOVERNOR_APPROVED: head },
    });
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('ALLOW allow_high_approved');
  });

  it('renames: both names are classified (a file moved out of migrations/ is HIGH)', async () => {
    const body = 'create table orders (id int);\n'.repeat(20);
    const base = repo.commit({ ...CONFIG, 'db/migrations/001.rb': body });
    repo.production(base);
    repo.commit({ 'db/migrations/001.rb': null, 'db/seeds/001.rb': body });
    const r = await runCli([
      'simulate',
      '--local',
      repo.dir,
      '--sha',
      'HEAD',
      '--json',
      '--show-paths',
    ]);
    const j = JSON.parse(r.stdout) as { risk: string; changed_paths: string[] };
    expect(j.risk).toBe('HIGH');
    expect(j.changed_paths.sort()).toEqual(['db/migrations/001.rb', 'db/seeds/001.rb']);
  });

  it('no state branch → judged as a first deploy, and says so', async () => {
    repo.commit({ ...CONFIG, 'src/app.ts': 'v1' });
    const r = await runCli(['simulate', '--local', repo.dir, '--sha', 'HEAD']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('first_deploy_required');
    expect(r.stdout).toContain('No booty-state branch');
  });

  it('a dirty work tree does not matter: the commit is judged, not the files on disk', async () => {
    const base = repo.commit({ ...CONFIG, 'src/app.ts': 'v1' });
    repo.production(base);
    repo.commit({ 'src/app.ts': 'v2' });
    repo.write({ 'infra/uncommitted.tf': 'x' });
    const r = await runCli(['simulate', '--local', repo.dir, '--sha', 'HEAD', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ decision: 'ALLOW', risk: 'LOW' });
  });

  it('status and history read the local state branch', async () => {
    const base = repo.commit({ ...CONFIG, 'src/app.ts': 'v1' });
    repo.production(base);
    const s = await runCli(['status', '--local', repo.dir, '--json']);
    expect(JSON.parse(s.stdout)).toMatchObject({
      production_sha: base,
      in_flight: null,
      backend: 'local',
    });
    const h = await runCli(['history', '--local', repo.dir, '--limit', '5']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain(base.slice(0, 7));
  });

  it.each([
    [['simulate', '--local', '/nonexistent-dir', '--sha', 'HEAD'], 'is not a git repository'],
    [['simulate', '--local', '.', '--sha', 'no-such-rev'], 'Unknown commit'],
    [['trigger', '--local', '.', '--sha', 'HEAD'], 'refused in local mode'],
    [['simulate', '--sha', 'HEAD', '--repo', 'acme/shop'], 'No token'],
    [['frobnicate'], 'unknown command'],
  ])('errors exit 2 with the reason on stderr: %j', async (args, message) => {
    repo.commit({ ...CONFIG });
    const r = await runCli(args, { cwd: repo.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});

describe('CLI, GitHub backend against the simulator', () => {
  let sim: GitHubSimulator;
  useSimulator((s) => (sim = s));
  const env = () => ({ GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl });

  it('simulate writes nothing; trigger claims and dispatches once; status and history show it', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'cli' } });
    sim.workflowRun({ workflow: s.verify, headSha: head, conclusion: 'success' });
    const stateBefore = sim.git.readRef('refs/heads/booty-state');
    const sim1 = await runCli(['simulate', '--repo', 'acme/shop', '--sha', head, '--json'], {
      env: env(),
    });
    expect(JSON.parse(sim1.stdout)).toMatchObject({ decision: 'ALLOW', backend: 'github' });
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(stateBefore);
    const t = await runCli(['trigger', '--repo', 'acme/shop', '--sha', head], { env: env() });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain('Triggered:');
    const again = await runCli(['trigger', '--repo', 'acme/shop', '--sha', head], { env: env() });
    expect(again.stdout).toContain('SKIP already_deployed');
    expect(deployRuns(sim, s)).toHaveLength(1);
    const st = await runCli(['status', '--repo', 'acme/shop', '--json'], { env: env() });
    expect(JSON.parse(st.stdout)).toMatchObject({
      production_sha: s.base,
      in_flight: { sha: head },
    });
    const h = await runCli(['history', '--repo', 'acme/shop', '--json'], { env: env() });
    expect((JSON.parse(h.stdout) as { entries: { sha: string }[] }).entries[0]!.sha).toBe(head);
  });

  it('trigger of a HIGH change → HOLD, exit 1 with the unblock text', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'helm/values.yaml': 'x' } });
    sim.workflowRun({ workflow: s.verify, headSha: head, conclusion: 'success' });
    const t = await runCli(['trigger', '--repo', 'acme/shop', '--sha', head], { env: env() });
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('How to unblock');
    expect(deployRuns(sim, s)).toHaveLength(0);
  });
});

describe('CLI: silent answers made loud', () => {
  let sim: GitHubSimulator;
  useSimulator((s) => (sim = s));
  const env = () => ({ GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl });

  it('a 40-hex SHA that is no commit → exit 2 naming it; with --json, {"error": {code, message}} on stdout', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const ghost = 'abcdef0123456789abcdef0123456789abcdef01';
    const r = await runCli(['simulate', '--repo', 'acme/shop', '--sha', ghost], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`There is no commit ${ghost} in acme/shop`);
    const j = await runCli(['simulate', '--repo', 'acme/shop', '--sha', ghost, '--json'], {
      env: env(),
    });
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toEqual({
      error: { code: 'usage', message: `There is no commit ${ghost} in acme/shop.` },
    });
  });

  it('a SHA that is not on the release branch is decided with a note saying so', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const side = sim.commit({ branch: 'feature', parents: [s.base], files: { 'src/x.ts': 'x' } });
    const r = await runCli(['simulate', '--repo', 'acme/shop', '--sha', side, '--json'], {
      env: env(),
    });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { notes: string[] }).notes).toContainEqual(
      expect.stringContaining(`${side.slice(0, 7)} is not on the release branch main`),
    );
  });

  it('a misspelt block → SKIP disabled naming the file, the commit and the likely key (exit 0)', async () => {
    const s = setupRepo(sim, { config: 'release_governer:\n  cooldown_minutes: 30\n' });
    const r = await runCli(['simulate', '--repo', 'acme/shop', '--sha', s.base, '--json'], {
      env: env(),
    });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { decision: string; reason: string; warnings: string[] };
    expect(j).toMatchObject({ decision: 'SKIP', reason: 'disabled' });
    expect(j.warnings[0]).toContain(
      '.booty.yml has no release_governor block (its top-level keys: release_governer)',
    );
    expect(j.warnings[0]).toContain(
      'Did you mean release_governor? "release_governer" looks like a misspelling.',
    );
    expect(j.warnings[0]).toContain(`Read at ${s.base.slice(0, 7)}`);
  });

  it('an explicit --config-path that does not exist → exit 2, config_invalid', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'x' } });
    const e = await runCli(
      [
        'simulate',
        '--repo',
        'acme/shop',
        '--sha',
        head,
        '--config-path',
        'ops/governor.yml',
        '--json',
      ],
      { env: env() },
    );
    expect(e.code).toBe(2);
    expect(
      (JSON.parse(e.stdout) as { error: { code: string; message: string } }).error,
    ).toMatchObject({
      code: 'config_invalid',
      message: expect.stringContaining(
        'ops/governor.yml: the configured config-path does not exist',
      ),
    });
  });

  it('an API that cannot be reached is named, not "HTTP 500"', async () => {
    // A port that was just free and is closed again: connections are refused.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const r = await runCli(['status', '--repo', 'acme/shop', '--json'], {
      env: {
        GITHUB_TOKEN: 'x',
        GITHUB_API_URL: `http://127.0.0.1:${port}`,
        RELEASE_GOVERNOR_RETRY_BASE_MS: '1',
      },
    });
    expect(r.code).toBe(2);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('github_unreachable');
    expect(error.message).toContain(`could not reach the GitHub API at 127.0.0.1:${port}`);
    expect(error.message).not.toContain('HTTP 500');
    expect(sim.log).toHaveLength(0);
  });
});
