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

describe('an approval that lands re-evaluates by itself', () => {
  const repository = () => ({ id: sim.repoId, default_branch: 'main' });
  const labeled = (number: number, label: string, by: string, merged = true) =>
    runAction({
      sim,
      eventName: 'pull_request_target',
      event: {
        action: 'labeled',
        label: { name: label },
        pull_request: { number, merged, merge_commit_sha: null },
        sender: { login: by },
        repository: repository(),
      },
      runId: nextId(),
    });
  const commented = (number: number, body: string, by: string) =>
    runAction({
      sim,
      eventName: 'issue_comment',
      event: {
        action: 'created',
        issue: { number, pull_request: { merged_at: '2026-11-22T00:00:00Z' } },
        comment: { body, user: { login: by } },
        repository: repository(),
      },
      runId: nextId(),
    });
  let id = 2500;
  const nextId = () => id++;

  it('a label by a valid approver: the labeled event alone leads to ALLOW and one dispatch', async () => {
    const { s, pr, decide } = heldChange('release_governor: {}\n');
    const held = await decide(1);
    expect(held.outputs.decision).toBe('HOLD');
    sim.label(pr.number, 'release:approved', 'releng');
    const r = await labeled(pr.number, 'release:approved', 'releng');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({
      decision: 'ALLOW',
      reason: 'allow_high_approved',
      sha: pr.sha,
    });
    expect(r.summary).toContain(`Label by @releng on #${pr.number}`);
    expect(deployRuns(sim, s)).toHaveLength(1);
    const notice = sim
      .issueComments(pr.number)
      .find((c) => c.body.includes('release-governor:notice'));
    expect(notice!.body).toContain(`approved by @releng; deploying \`${pr.sha.slice(0, 7)}\``);
  });

  it('what cannot approve ends at once with SKIP not_an_approval and no write', async () => {
    const { pr, decide } = heldChange('release_governor: {}\n');
    await decide(1);
    const head = sim.git.readRef('refs/heads/booty-state');
    for (const r of [
      await labeled(pr.number, 'documentation', 'releng'),
      await labeled(pr.number, 'release:approved', 'releng', false),
      await commented(pr.number, 'looks good to me', 'releng'),
    ]) {
      expect(r.exitCode, r.stdout).toBe(0);
      expect(r.outputs).toMatchObject({ decision: 'SKIP', reason: 'not_an_approval' });
      expect(r.requests.length).toBeLessThanOrEqual(2);
    }
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(head);
  });

  it("the author's own /approve-release: re-evaluated, still HOLD, the summary says why it was ignored", async () => {
    const { s, pr, decide } = heldChange('release_governor: {}\n');
    await decide(1);
    sim.comment(pr.number, '/approve-release', 'dev');
    const r = await commented(pr.number, '/approve-release', 'dev');
    expect(r.outputs).toMatchObject({ decision: 'HOLD', reason: 'high_risk_no_approval' });
    expect(r.summary).toContain('is the author of the change and may not approve it');
    const notice = sim
      .issueComments(pr.number)
      .find((c) => c.body.includes('release-governor:notice'));
    expect(notice!.body).toContain('Not counted:');
    expect(notice!.body).toContain('is the author of the change and may not approve it');
    expect(deployRuns(sim, s)).toHaveLength(0);
  });

  it('a labeled event and a re-run of the held job at the same moment dispatch once', async () => {
    const { s, pr, decide } = heldChange('release_governor: {}\n');
    await decide(1);
    sim.label(pr.number, 'release:approved', 'releng');
    const [a, b] = await Promise.all([labeled(pr.number, 'release:approved', 'releng'), decide(2)]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    expect([a.outputs.decision, b.outputs.decision].sort()).toEqual(['ALLOW', 'SKIP']);
    expect(deployRuns(sim, s)).toHaveLength(1);
  });
});

describe('notices on pull requests', () => {
  it('a HOLD asks on the right pull request (not on others), the next evaluation edits the same comment, and the approval updates it to "approved, deploying"', async () => {
    const { s, pr, decide } = heldChange('release_governor: {}\n');
    // An unrelated merged pull request in the same range, with a LOW path only.
    const other = sim.mergedPullRequest({ author: 'dev', files: { 'src/other.ts': 'x' } });
    const event = verified(sim, s, other.sha);
    const held = await runAction({ sim, eventName: 'workflow_run', event, runId: 2900 });
    expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'high_risk_no_approval' });
    const notices = (n: number) =>
      sim.issueComments(n).filter((c) => c.body.includes('release-governor:notice'));
    expect(notices(pr.number)).toHaveLength(1);
    expect(notices(pr.number)[0]!.body).toContain('`infra/main.tf`');
    expect(notices(pr.number)[0]!.body).toContain('add the label `release:approved`');
    expect(notices(other.number)).toHaveLength(0);

    // Evaluated again (a re-run): the same comment, edited in place — never a second one.
    const again = await runAction({
      sim,
      eventName: 'workflow_run',
      event,
      runId: 2900,
      runAttempt: 2,
    });
    expect(again.outputs.decision).toBe('HOLD');
    expect(notices(pr.number)).toHaveLength(1);

    sim.label(pr.number, 'release:approved', 'releng');
    const ok = await runAction({
      sim,
      eventName: 'workflow_run',
      event,
      runId: 2900,
      runAttempt: 3,
    });
    expect(ok.outputs.decision, ok.summary).toBe('ALLOW');
    expect(ok.summary).not.toContain('could not be written');
    expect(notices(pr.number)).toHaveLength(1);
    expect(notices(pr.number)[0]!.body).toContain(
      `approved by @releng; deploying \`${other.sha.slice(0, 7)}\``,
    );
    expect(deployRuns(sim, s)).toHaveLength(1);
    void decide;
  });

  it('a newer held commit that contains the pull request marks the older notice superseded', async () => {
    const { s, pr } = heldChange('release_governor: {}\n');
    const older = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, pr.sha),
    });
    expect(older.outputs.decision).toBe('HOLD');
    const newer = sim.commit({ files: { 'src/app.ts': 'newer' } });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, newer) });
    expect(r.outputs).toMatchObject({ decision: 'HOLD', sha: newer });
    const notices = sim
      .issueComments(pr.number)
      .filter((c) => c.body.includes('release-governor:notice'));
    expect(notices).toHaveLength(2);
    expect(notices[0]!.body).toContain(`superseded by \`${newer.slice(0, 7)}\``);
    expect(notices[1]!.body).toContain(`the deploy of \`${newer.slice(0, 7)}\` is held`);
  });

  it('notify_pull_requests: false writes no notice', async () => {
    const { pr, decide } = heldChange('release_governor:\n  notify_pull_requests: false\n');
    await decide(1);
    expect(sim.issueComments(pr.number)).toHaveLength(0);
  });
});

describe('approvals read in one GraphQL query, REST where it cannot (SPEC §19)', () => {
  const ops = (r: { requests: { operationId: string | null }[] }) =>
    r.requests.map((q) => q.operationId);

  it('a bot that labels is still a bot (GraphQL names it without [bot]): not counted, then a person approves', async () => {
    const { s, pr, decide } = heldChange('release_governor:\n');
    sim.collaborator('deploy-helper[bot]', 'admin', 'Bot');
    sim.label(pr.number, 'release:approved', 'deploy-helper[bot]', ago(5));
    const held = await decide(1);
    expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'high_risk_no_approval' });
    expect(held.summary).toContain('label added by @deploy-helper\\[bot\\] is a bot');
    expect(ops(held)).toContain('graphql:Approvals');
    expect(ops(held)).not.toContain('pulls/list-files');
    sim.label(pr.number, 'release:approved', 'releng', ago(4));
    const ok = await decide(2);
    expect(ok.outputs).toMatchObject({ decision: 'ALLOW', reason: 'allow_high_approved' });
    expect(deployRuns(sim, s)).toHaveLength(1);
  });

  it('a pull request that renames a HIGH file is read through REST: the approval covers both names', async () => {
    const s = setupRepo(sim, { files: { 'infra/old.tf': 'resource "x" "y" {}\n' } });
    inProduction(sim, s.base);
    const pr = sim.mergedPullRequest({
      author: 'dev',
      files: { 'infra/old.tf': null, 'infra/new.tf': 'resource "x" "y" {}\n' },
      mergedAt: ago(30),
    });
    sim.label(pr.number, 'release:approved', 'releng', ago(5));
    const r = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, pr.sha),
    });
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', reason: 'allow_high_approved' });
    expect(ops(r)).toEqual(expect.arrayContaining(['graphql:Approvals', 'pulls/list-files']));
    expect(deployRuns(sim, s)).toHaveLength(1);
  });
});

describe('a pull request not merged into the release branch', () => {
  it('approves nothing, and the summary says why: its label is listed as ignored, not merged into main', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    // git-flow: the change is merged into develop, then main is fast-forwarded to it.
    sim.git.setRef('refs/heads/develop', s.base);
    const pr = sim.mergedPullRequest({
      author: 'dev',
      base: 'develop',
      files: { 'infra/main.tf': 'resource "x" "y" {}\n' },
      mergedAt: ago(30),
    });
    sim.git.setRef('refs/heads/main', pr.sha);
    sim.label(pr.number, 'release:approved', 'releng', ago(5));
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, pr.sha) });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'HOLD', reason: 'high_risk_no_approval' });
    expect(r.summary).toMatch(/ignored.*@releng.*#\d+.*is not merged into main/);
    // Not offered as the pull request to label: it cannot approve.
    expect(r.summary).not.toContain(`label #${pr.number}`);
    expect(deployRuns(sim, s)).toHaveLength(0);
    // The approval read stays one query, and no role is read for the ignored label.
    const roles = r.requests.filter((q) => q.route?.includes('/collaborators/'));
    expect(roles).toHaveLength(0);
  });
});
