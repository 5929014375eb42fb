// The approver policy of SPEC §7 through dist/index.js: required_approvals (N distinct approvers
// per path) and approvers (users and org/team slugs, read through the team-membership route).
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import { ago, deployRuns, inProduction, setupRepo, verified } from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

const RUN_ID = 2000;

function heldChange(config: string) {
  const s = setupRepo(sim, { config });
  inProduction(sim, s.base);
  const pr = sim.mergedPullRequest({
    author: 'dev',
    files: { 'infra/main.tf': 'resource "x" "y" {}\n' },
    mergedAt: ago(30),
  });
  const event = verified(sim, s, pr.sha);
  const decide = (attempt: number) =>
    runAction({ sim, eventName: 'workflow_run', event, runId: RUN_ID, runAttempt: attempt });
  return { s, pr, decide };
}

describe('approver policy', () => {
  it('required_approvals: 2 → HOLD after the first approval ("1 of 2 approvals"), ALLOW after the second; the same person twice counts once', async () => {
    const { s, pr, decide } = heldChange('release_governor:\n  required_approvals: 2\n');
    sim.label(pr.number, 'release:approved', 'releng', ago(5));
    const one = await decide(1);
    expect(one.exitCode, one.stdout).toBe(0);
    expect(one.outputs).toMatchObject({ decision: 'HOLD', reason: 'high_risk_no_approval' });
    expect(one.summary).toContain('**1 of 2 approvals** (by @releng)');
    expect(sim.statusesFor(pr.sha)[0]!.description).toMatch(/1 of 2 approvals$/);
    // The same approver again (a comment this time) is still one person.
    sim.comment(pr.number, '/approve-release', 'releng', ago(4));
    const same = await decide(2);
    expect(same.outputs).toMatchObject({ decision: 'HOLD' });
    sim.label(pr.number, 'release:approved', 'writer', ago(3));
    const two = await decide(3);
    expect(two.outputs).toMatchObject({ decision: 'ALLOW', reason: 'allow_high_approved' });
    expect(deployRuns(sim, s)).toHaveLength(1);
  });

  it('approvers with a team: a member counts, someone outside the team is ignored with the reason', async () => {
    const { s, pr, decide } = heldChange(
      'release_governor:\n  approvers: [acme/release-managers, octo-lead]\n',
    );
    sim.team('acme/release-managers', ['releng']);
    sim.label(pr.number, 'release:approved', 'writer', ago(5));
    const held = await decide(1);
    expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'high_risk_no_approval' });
    expect(held.summary).toContain(
      '@writer is not one of the approvers (acme/release-managers, octo-lead)',
    );
    sim.label(pr.number, 'release:approved', 'releng', ago(4));
    const ok = await decide(2);
    expect(ok.outputs).toMatchObject({ decision: 'ALLOW' });
    expect(deployRuns(sim, s)).toHaveLength(1);
  });

  it('a token that cannot read team membership fails the job saying so; nothing is dispatched', async () => {
    const { s, pr, decide } = heldChange(
      'release_governor:\n  approvers: [acme/release-managers]\n',
    );
    sim.teamsForbidden = true;
    sim.label(pr.number, 'release:approved', 'releng', ago(5));
    const r = await decide(1);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(
      "approvers that are teams need a token that can read the organization's teams",
    );
    expect(deployRuns(sim, s)).toHaveLength(0);
  });
});
