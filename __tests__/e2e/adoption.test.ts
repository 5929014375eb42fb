// SPEC §3 (changed) through dist/index.js: a team adds .booty.yml while production runs a commit
// from before it. The head's config judges, the first governed deploy needs an approval of the
// whole diff (first_deploy_required), and from then on production has its own policy.
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
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

const CONFIG = 'release_governor:\n  cooldown_minutes: 0\n';

/** Production at a commit without .booty.yml; the head adds it back, with a LOW change. */
function adoptedBeforeConfig() {
  const s = setupRepo(sim, { config: CONFIG });
  const production = sim.commit({ files: { '.booty.yml': null, 'README.md': '# shop v2\n' } });
  inProduction(sim, production);
  const head = sim.commit({
    author: 'dev',
    files: { '.booty.yml': CONFIG, 'src/app.ts': 'export const v = 2;\n' },
  });
  return { s, production, head };
}

describe('adopting a running production that predates the config', () => {
  it('HOLD first_deploy_required by the head’s config; approved → ALLOW; then production has its own policy', async () => {
    const { s, production, head } = adoptedBeforeConfig();
    const event = verified(sim, s, head);
    const held = await runAction({ sim, eventName: 'workflow_run', event });
    expect(held.exitCode, held.stdout).toBe(0);
    // The config file is in the diff (a protected path): HIGH, yet rule 6 decides first.
    expect(held.outputs).toMatchObject({
      decision: 'HOLD',
      reason: 'first_deploy_required',
      risk: 'HIGH',
    });
    expect(held.summary).toContain(`predates .booty.yml`);
    expect(held.summary).not.toContain('There is no .booty.yml');
    expect(deployRuns(sim, s)).toHaveLength(0);
    // The head's config is the policy recorded with the decision; production's absence is kept.
    expect(stateFile(sim, 'release.json')).toMatchObject({
      production_sha_current: production,
      policy_absent: { commit: production, path: '.booty.yml' },
    });

    const ok = await runAction({
      sim,
      eventName: 'workflow_run',
      event,
      runAttempt: 2,
      env: { RELEASE_GOVERNOR_APPROVED: head },
    });
    expect(ok.exitCode, ok.stdout).toBe(0);
    expect(ok.outputs).toMatchObject({ decision: 'ALLOW', reason: 'allow_approved' });
    const runs = deployRuns(sim, s);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.inputs).toMatchObject({ sha: head });

    // Deployed: production now has its own policy, copied with the state.
    sim.completeRun(runs[0]!.id, 'success');
    const done = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, runs[0]!.id, 'success'),
    });
    expect(done.exitCode, done.stdout).toBe(0);
    expect(stateFile(sim, 'release.json')).toMatchObject({
      production_sha_current: head,
      policy: { commit: head, path: '.booty.yml' },
    });
    const next = sim.commit({ files: { 'src/app.ts': 'export const v = 3;\n' } });
    const low = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, next) });
    expect(low.outputs).toMatchObject({ decision: 'ALLOW', reason: 'allow_low' });
  });

  it('neither production nor the head has a config: SKIP disabled, read at the head', async () => {
    const s = setupRepo(sim, { config: CONFIG });
    const production = sim.commit({ files: { '.booty.yml': null } });
    inProduction(sim, production);
    const head = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.outputs).toMatchObject({ decision: 'SKIP', reason: 'disabled' });
    expect(r.summary).toContain(`Read at ${head.slice(0, 7)}`);
  });

  it('a production SHA that is no commit of the repository fails the job, never SKIP disabled', async () => {
    const s = setupRepo(sim, { config: CONFIG });
    inProduction(sim, 'f'.repeat(40));
    const head = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, head) });
    expect(r.exitCode).not.toBe(0);
    expect(r.outputs.decision).not.toBe('SKIP');
    expect(r.stdout).toMatch(/no commit f{40}/);
    expect(deployRuns(sim, s)).toHaveLength(0);
  });
});
