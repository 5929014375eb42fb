// The fault matrix runs most of its cases in process (support/action-runner.ts, via: 'process'):
// the job of src/job.ts with an environment and an I/O of its own, instead of a child process
// per case. That is only worth something if it answers exactly as the bundle does. Each case
// here sets up two identical repositories, runs the bundle against one and the job in process
// against the other, and compares everything the runner would see: exit code, outputs,
// annotations, summary, and the requests made.
import { describe, expect, it } from 'vitest';
import { runAction, type ActionRun, type Via } from '../support/action-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import { inProduction, setupRepo, verified } from '../support/scenario.js';
import { expectNoContractViolations, startSimulator } from '../support/sim.js';

interface Seen {
  exitCode: number;
  outputs: Record<string, string>;
  annotations: string[];
  summary: string;
  requests: string[];
}

/**
 * What differs between two repositories built alike is only what the clock put into them:
 * commit SHAs (their dates), times and the hashes of records that hold times.
 */
function normalise(text: string): string {
  return text
    .replace(/\b[0-9a-f]{64}\b/g, '<hash>')
    .replace(/\b[0-9a-f]{40}\b/g, '<sha>')
    .replace(/\b[0-9a-f]{7}\b/g, '<sha7>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/\b\d\d:\d\d( UTC)?\b/g, '<hh:mm>');
}

async function seen(
  via: Via,
  scenario: (sim: GitHubSimulator) => { event: unknown; eventName: string },
): Promise<Seen> {
  const sim = await startSimulator();
  try {
    const { event, eventName } = scenario(sim);
    const r: ActionRun = await runAction({ sim, eventName, event, via });
    expect(r.stderr, 'nothing on stderr').toBe('');
    expectNoContractViolations(sim);
    return {
      exitCode: r.exitCode,
      outputs: Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, normalise(v)])),
      annotations: r.stdout
        .split('\n')
        .filter((l) => l.startsWith('::') && !l.startsWith('::add-mask::'))
        .map(normalise),
      summary: normalise(r.summary),
      requests: r.requests.map((q) => `${q.method} ${q.route} ${q.operationId ?? ''} ${q.status}`),
    };
  } finally {
    await sim.stop();
  }
}

async function expectAlike(
  scenario: (sim: GitHubSimulator) => { event: unknown; eventName: string },
): Promise<Seen> {
  const bundle = await seen('bundle', scenario);
  const inProcess = await seen('process', scenario);
  expect(inProcess).toEqual(bundle);
  return bundle;
}

describe('the job in process answers as dist/index.js does', () => {
  it('LOW ALLOW: outputs, the notice, the summary and the requests are the same', async () => {
    const r = await expectAlike((sim) => {
      const s = setupRepo(sim);
      inProduction(sim, s.base);
      const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
      return { eventName: 'workflow_run', event: verified(sim, s, sha) };
    });
    expect(r.outputs.decision).toBe('ALLOW');
    expect(r.annotations[0]).toMatch(/^::notice title=Release Governor%3A ALLOW allow_low::/);
  });

  it('HIGH HOLD: the warning with its title, and the how-to-unblock summary', async () => {
    const r = await expectAlike((sim) => {
      const s = setupRepo(sim);
      inProduction(sim, s.base);
      const sha = sim.commit({ files: { 'db/migrations/002.sql': 'alter table t;\n' } });
      return { eventName: 'workflow_run', event: verified(sim, s, sha) };
    });
    expect(r.outputs).toMatchObject({ decision: 'HOLD', reason: 'high_risk_no_approval' });
    expect(r.annotations[0]).toMatch(/^::warning title=Release Governor%3A HOLD/);
  });

  it('an invalid config: the job fails with the same error annotation, no decision output', async () => {
    const r = await expectAlike((sim) => {
      const s = setupRepo(sim, {
        config: 'release_governor:\n  high_risk_paths: ["!lib/**"]\n',
      });
      inProduction(sim, s.base);
      const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
      return { eventName: 'workflow_run', event: verified(sim, s, sha) };
    });
    expect(r.exitCode).toBe(1);
    expect(r.outputs.decision).toBe('');
    expect(r.annotations.at(-1)).toMatch(/^::error::.*high_risk_paths/);
  });

  it('an event the governor does not handle fails alike, before any request', async () => {
    const r = await expectAlike(() => ({ eventName: 'push', event: { ref: 'refs/heads/main' } }));
    expect(r.exitCode).toBe(1);
    expect(r.requests).toEqual([]);
  });
});
