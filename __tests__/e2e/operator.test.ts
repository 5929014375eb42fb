// The operator commands of the CLI bundle against the simulator: adopt, record, clear, and the
// status warnings that point at them. Each writes one commit through the compare-and-swap and a
// note in the SHA's decision record.
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { runCli } from '../support/cli-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  deployRuns,
  inProduction,
  productionRelease,
  setupRepo,
  stateFile,
  verified,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

const cli = (args: string[]) =>
  runCli([...args, '--repo', 'acme/shop'], {
    env: { GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl, USER: 'oncall' },
  });

interface Release {
  production_sha_current: string | null;
  production_sha_previous: string | null;
  deploy_history: { sha: string; result: string; claimed_by?: string; run_id: number | null }[];
}
interface Record {
  lifecycle: { state: string | null };
  notes: { action: string; by: string; reason: string | null; detail: string }[];
}
const release = () => stateFile(sim, 'release.json') as Release;
const record = (sha: string) => stateFile(sim, `decisions/${sha}.json`) as Record;

describe('adopt: a running production, without deploying', () => {
  it('no state yet → production recorded, a note in the record; the next change is judged against it', async () => {
    const s = setupRepo(sim);
    const r = await cli(['adopt', '--sha', s.base, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ action: 'adopt', production_sha: s.base });
    expect(release()).toMatchObject({ production_sha_current: s.base });
    expect(release().deploy_history[0]).toMatchObject({
      sha: s.base,
      result: 'success',
      run_id: null,
      claimed_by: 'adopted:oncall',
    });
    expect(record(s.base).notes[0]).toMatchObject({ action: 'adopt', by: 'oncall' });
    expect(deployRuns(sim, s)).toHaveLength(0);
    // Not a first deploy any more: a LOW change is ALLOWed.
    const head = sim.commit({ files: { 'src/app.ts': 'after adoption' } });
    const d = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(d.outputs).toMatchObject({
      decision: 'ALLOW',
      reason: 'allow_low',
      'production-sha': s.base,
    });
  });

  it('state names a production already → refused with the way out; --force needs a reason, then moves it', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const other = sim.commit({ files: { 'src/app.ts': 'hotfixed by hand' } });
    const before = sim.git.readRef('refs/heads/booty-state');
    const refused = await cli(['adopt', '--sha', other]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`already records production at ${s.base}`);
    expect(refused.stderr).toContain('--force --reason');
    const noReason = await cli(['adopt', '--sha', other, '--force']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('say why with --reason');
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(before);
    const forced = await cli([
      'adopt',
      '--sha',
      other,
      '--force',
      '--reason',
      'hotfix deployed by hand',
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(release()).toMatchObject({
      production_sha_current: other,
      production_sha_previous: s.base,
    });
    expect(record(other).notes[0]).toMatchObject({
      action: 'adopt',
      reason: 'hotfix deployed by hand',
      detail: `production moved by hand from ${s.base}`,
    });
  });

  it('a SHA that is no commit, and --local, are refused without writing', async () => {
    setupRepo(sim);
    const ghost = 'abcdef0123456789abcdef0123456789abcdef01';
    const r = await cli(['adopt', '--sha', ghost, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toContain(`There is no commit ${ghost}`);
    const local = await runCli(['adopt', '--local', '.', '--sha', ghost]);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('refused in local mode');
    expect(sim.git.readRef('refs/heads/booty-state')).toBeNull();
  });
});

describe('record: a deploy done outside the governor', () => {
  it('failure → the cooldown holds the SHA; success of a newer SHA → production moves', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const a = sim.commit({ files: { 'src/app.ts': 'a' } });
    const failed = await cli([
      'record',
      '--sha',
      a,
      '--result',
      'failure',
      '--reason',
      'manual deploy broke',
    ]);
    expect(failed.code, failed.stderr).toBe(0);
    expect(failed.stdout).toContain('The cooldown for this SHA starts now');
    const held = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, a) });
    expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'cooldown' });
    const b = sim.commit({ files: { 'src/app.ts': 'b' } });
    const ok = await cli([
      'record',
      '--sha',
      b,
      '--result',
      'success',
      '--run-url',
      'https://ci.example/1',
      '--json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ production_sha: b });
    expect(release()).toMatchObject({ production_sha_current: b, production_sha_previous: s.base });
    expect(record(b)).toMatchObject({ lifecycle: { state: 'succeeded' } });
    // An older SHA recorded as deployed does not move production backwards.
    const back = await cli(['record', '--sha', a, '--result', 'success']);
    expect(back.stdout).toContain('production does not move');
    expect(release().production_sha_current).toBe(b);
  });
});

describe('clear: a claim that will never finish', () => {
  it('a claim without a run → cleared, noted; the SHA can be decided again; status warned first', async () => {
    const s = setupRepo(sim);
    const head = sim.commit({ files: { 'src/app.ts': 'stuck' } });
    const long = '2026-11-01T00:00:00.000Z';
    inProduction(sim, s.base, {
      deploy_history: [
        {
          sha: head,
          time: long,
          result: 'pending',
          run_id: null,
          run_url: null,
          claimed_by: 'action:1/1',
        },
        ...(productionRelease(s.base).deploy_history as unknown[]),
      ],
    });
    const status = await cli(['status', '--json']);
    expect((JSON.parse(status.stdout) as { warnings: string[] }).warnings[0]).toContain(
      `release-governor clear --sha ${head}`,
    );
    const noReason = await cli(['clear', '--sha', head]);
    expect(noReason.code).toBe(2);
    const r = await cli(['clear', '--sha', head, '--reason', 'runner died']);
    expect(r.code, r.stderr).toBe(0);
    expect(release().deploy_history.some((h) => h.sha === head)).toBe(false);
    expect(record(head).notes[0]).toMatchObject({ action: 'clear', reason: 'runner died' });
    const again = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, head),
    });
    expect(again.outputs).toMatchObject({ decision: 'ALLOW' });
    expect(deployRuns(sim, s)).toHaveLength(1);
  });

  it('a dispatched SHA whose run is still running → refused; once finished, status says to record it', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const head = sim.commit({ files: { 'src/app.ts': 'running' } });
    const d = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(d.outputs.decision).toBe('ALLOW');
    const run = deployRuns(sim, s)[0]!;
    const refused = await cli(['clear', '--sha', head, '--reason', 'x']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`for ${head.slice(0, 7)} is queued`);
    expect(release().deploy_history[0]).toMatchObject({ sha: head, result: 'pending' });
    sim.completeRun(run.id, 'success');
    const status = await cli(['status']);
    expect(status.stdout).toContain(
      `release-governor record --sha ${head} --result success --run-url`,
    );
  });
});
