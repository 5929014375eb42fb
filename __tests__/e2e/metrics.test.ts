// `release-governor metrics` (SPEC §23) through dist/cli: the delivery metrics of what the built
// action recorded in the simulator, from the evidence chain in one GraphQL request.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  deployFinishes,
  deployRuns,
  inProduction,
  onVerified,
  setupRepo,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

describe('metrics', () => {
  it('two releases, one failed: deploys, failure rate, lead time and recovery from the evidence alone, in one request', async () => {
    const s = setupRepo(sim, { config: 'release_governor:\n  cooldown_minutes: 0\n' });
    inProduction(sim, s.base);
    let runId = 9950;
    for (const [i, conclusion] of ['success', 'failure', 'success'].entries()) {
      // The failure's issue is an incident: someone closes it before the next release.
      for (const issue of sim.allIssues()) issue.state = 'closed';
      const sha = sim.commit({ files: { 'src/app.ts': `v${i + 2}` } });
      const r = await onVerified(sim, s, sha, runId++);
      expect(r.outputs.decision, r.stdout).toBe('ALLOW');
      const run = deployRuns(sim, s).at(-1)!;
      const done = await deployFinishes(sim, s, { id: run.id, conclusion, governorRunId: runId++ });
      expect(done.exitCode, done.stdout).toBe(0);
    }
    const env = { GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl };
    const before = sim.log.length;
    const r = await runCli(['metrics', '--repo', sim.fullName, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(sim.log.slice(before).map((e) => e.operationId)).toEqual(['graphql:Evidence']);
    const m = JSON.parse(r.stdout) as Record<string, Record<string, unknown>> & {
      stage: string;
      service: null;
    };
    expect(m.stage).toBe('production');
    expect(m.service).toBeNull();
    expect(m.deployment_frequency).toMatchObject({ deploys: 2, days_with_deploy: 1 });
    expect(m.change_failure_rate).toMatchObject({
      deploys: 3,
      failed: 1,
      rate: 0.333,
      band: 'insufficient_data',
    });
    // The failed SHA's commit went out with the next release: 1 + 2 commits.
    expect(m.lead_time).toMatchObject({ commits: 3, band: 'insufficient_data' });
    expect((m.lead_time as { median_seconds: number }).median_seconds).toBeGreaterThanOrEqual(0);
    expect(m.recovery_time).toMatchObject({ failures: 1 });
    expect(m.rework_rate).toEqual({ deploys: 3, rework: 0, rate: 0 });

    const text = await runCli(['metrics', '--repo', sim.fullName, '--since', '7d'], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('change failure rate    33.3 % (1 of 3)');
    expect(text.stdout).toContain('too few deploys for a band: 3, under 5');
    const bad = await runCli(['metrics', '--repo', sim.fullName, '--since', 'last week'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr + bad.stdout).toContain(
      '--since takes a number of days (30d) or an ISO date',
    );
  });
});
