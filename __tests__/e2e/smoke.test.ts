// The harness proven end to end: the built bundle starts, reads its inputs and event, writes
// outputs and a summary, and talks to nobody it should not.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIST_ACTION, runAction } from '../support/action-runner.js';
import { workflowRunEvent } from '../support/events.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import { expectNoContractViolations, useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

describe('e2e harness (dist/index.js)', () => {
  it('the bundle exists and runs on Node 24', () => {
    expect(existsSync(DIST_ACTION)).toBe(true);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it('a pull_request-triggered verification run → SKIP not_a_release_candidate, outputs and summary written, no API call', async () => {
    const head = sim.commit({ files: { 'src/app.ts': 'x' } });
    const event = workflowRunEvent('workflow_run.verify-success-pull-request', {
      headSha: head,
      repoId: sim.repoId,
    });
    const r = await runAction({ sim, eventName: 'workflow_run', event });
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({
      decision: 'SKIP',
      reason: 'not_a_release_candidate',
      sha: head,
      'deploy-run-url': '',
      'state-commit': '',
    });
    expect(r.summary).toContain('Release Governor: SKIP');
    expect(r.summary).toContain('pull\\_request');
    expect(r.requests).toEqual([]);
    expectNoContractViolations(sim);
  });

  it('a fork whose branch is also called main → SKIP, nothing written', async () => {
    const head = sim.commit({ files: { 'src/app.ts': 'x' } });
    const event = workflowRunEvent('workflow_run.verify-success-fork', {
      headSha: head,
      repoId: sim.repoId,
    });
    const r = await runAction({ sim, eventName: 'workflow_run', event });
    expect(r.outputs).toMatchObject({ decision: 'SKIP', reason: 'not_a_release_candidate' });
    expect(sim.writes()).toEqual([]);
  });

  it('an unsupported event fails the job, naming the event, and still writes a summary', async () => {
    const r = await runAction({ sim, eventName: 'push', event: { ref: 'refs/heads/main' } });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('Unsupported event "push"');
    expect(r.summary).toContain('Release Governor failed');
    expect(r.outputs.decision).toBe('');
  });

  it('a payload with a malformed head_sha is an error naming the field', async () => {
    const event = workflowRunEvent('workflow_run.verify-success-push', {
      headSha: 'abc123',
      repoId: sim.repoId,
    });
    const r = await runAction({ sim, eventName: 'workflow_run', event });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain(
      'payload.workflow_run.head_sha: must be a full 40-character lowercase hex SHA',
    );
    expect(sim.writes()).toEqual([]);
  });

  it('never prints the token', async () => {
    const r = await runAction({ sim, eventName: 'push', event: {} });
    // `::add-mask::` is the runner command that masks the token; it never reaches the log.
    const printed = (r.stdout + r.stderr).split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect(printed.join('\n') + r.summary).not.toContain(sim.token);
  });
});
