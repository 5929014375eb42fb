// The simulator's own tests: each GitHub behaviour the governor depends on, proven against
// the simulator through the same Octokit client the action uses.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import { client, expectNoContractViolations, startSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
let gh: ReturnType<typeof client>;
const o = { owner: 'acme', repo: 'shop' };

async function status(p: Promise<unknown>): Promise<number> {
  try {
    const r = (await p) as { status: number };
    return r.status;
  } catch (e) {
    return (e as { status: number }).status;
  }
}

async function message(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

beforeEach(async () => {
  sim = await startSimulator();
  gh = client(sim);
});
afterEach(async () => {
  await sim.stop();
});

describe('repository and contents', () => {
  it('serves the repository and files at a ref, 404 for a missing path', async () => {
    const sha = sim.commit({ files: { 'README.md': 'hello', 'src/a.ts': 'a' } });
    const repo = await gh.rest.repos.get(o);
    expect(repo.data).toMatchObject({
      id: sim.repoId,
      default_branch: 'main',
      full_name: 'acme/shop',
    });
    const file = await gh.rest.repos.getContent({ ...o, path: 'src/a.ts', ref: sha });
    expect(Buffer.from((file.data as { content: string }).content, 'base64').toString()).toBe('a');
    expect(await status(gh.rest.repos.getContent({ ...o, path: 'nope.txt', ref: sha }))).toBe(404);
    expectNoContractViolations(sim);
  });

  it('PUT contents checks the blob sha: missing → 422, stale → 409', async () => {
    sim.commit({ files: { 'a.txt': 'one' } });
    const file = await gh.rest.repos.getContent({ ...o, path: 'a.txt' });
    const content = Buffer.from('two').toString('base64');
    expect(
      await status(
        gh.rest.repos.createOrUpdateFileContents({ ...o, path: 'a.txt', message: 'm', content }),
      ),
    ).toBe(422);
    expect(
      await status(
        gh.rest.repos.createOrUpdateFileContents({
          ...o,
          path: 'a.txt',
          message: 'm',
          content,
          sha: 'a'.repeat(40),
        }),
      ),
    ).toBe(409);
    expect(
      await status(
        gh.rest.repos.createOrUpdateFileContents({
          ...o,
          path: 'a.txt',
          message: 'm',
          content,
          sha: (file.data as { sha: string }).sha,
        }),
      ),
    ).toBe(200);
    expectNoContractViolations(sim);
  });

  it('answers 409 "Git Repository is empty." before the first commit', async () => {
    const r = gh.rest.git.getRef({ ...o, ref: 'heads/main' });
    expect(await status(r)).toBe(409);
    expect(
      await message(gh.rest.repos.compareCommitsWithBasehead({ ...o, basehead: 'a...b' })),
    ).toContain('Git Repository is empty');
  });
});

describe('compare', () => {
  it('reports ahead, behind, identical and diverged with counts and the merge base', async () => {
    const a = sim.commit({ files: { 'a.txt': '1' } });
    const b = sim.commit({ files: { 'b.txt': '1' } });
    const c = sim.commit({ files: { 'c.txt': '1' } });
    const side = sim.commit({ files: { 'side.txt': '1' }, parents: [a], branch: 'side' });
    const ahead = await gh.rest.repos.compareCommitsWithBasehead({ ...o, basehead: `${a}...${c}` });
    expect(ahead.data).toMatchObject({
      status: 'ahead',
      ahead_by: 2,
      behind_by: 0,
      total_commits: 2,
    });
    expect(ahead.data.merge_base_commit.sha).toBe(a);
    expect(ahead.data.files?.map((f) => f.filename)).toEqual(['b.txt', 'c.txt']);
    expect(ahead.data.commits.map((x) => x.sha)).toEqual([b, c]);
    const behind = await gh.rest.repos.compareCommitsWithBasehead({
      ...o,
      basehead: `${c}...${a}`,
    });
    expect(behind.data).toMatchObject({ status: 'behind', ahead_by: 0, behind_by: 2 });
    expect(
      (await gh.rest.repos.compareCommitsWithBasehead({ ...o, basehead: `${c}...${c}` })).data
        .status,
    ).toBe('identical');
    const div = await gh.rest.repos.compareCommitsWithBasehead({
      ...o,
      basehead: `${c}...${side}`,
    });
    expect(div.data).toMatchObject({ status: 'diverged', ahead_by: 1, behind_by: 2 });
    expect(div.data.merge_base_commit.sha).toBe(a);
    expectNoContractViolations(sim);
  });

  it('lists renames with previous_filename and removals', async () => {
    const a = sim.commit({
      files: { 'old/name.ts': 'export const x = 1;\n'.repeat(20), 'gone.txt': 'x' },
    });
    const b = sim.commit({
      files: {
        'old/name.ts': null,
        'new/name.ts': 'export const x = 1;\n'.repeat(20),
        'gone.txt': null,
      },
    });
    const r = await gh.rest.repos.compareCommitsWithBasehead({ ...o, basehead: `${a}...${b}` });
    expect(r.data.files).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          filename: 'new/name.ts',
          previous_filename: 'old/name.ts',
          status: 'renamed',
        }),
        expect.objectContaining({ filename: 'gone.txt', status: 'removed' }),
      ]),
    );
  });

  it('caps files at 300, as GitHub does', async () => {
    const a = sim.commit({ files: { 'seed.txt': 's' } });
    const files: Record<string, string> = {};
    for (let i = 0; i < 420; i++) files[`f/${String(i).padStart(4, '0')}.txt`] = String(i);
    const b = sim.commit({ files });
    const r = await gh.rest.repos.compareCommitsWithBasehead({ ...o, basehead: `${a}...${b}` });
    expect(r.data.files).toHaveLength(300);
    expectNoContractViolations(sim);
  });

  it('404 when there is no common ancestor', async () => {
    const main = sim.commit({ files: { 'a.txt': '1' } });
    const orphan = sim.commit({
      files: { 'state.json': '{}' },
      branch: 'booty-state',
      parents: [],
    });
    const r = gh.rest.repos.compareCommitsWithBasehead({ ...o, basehead: `${main}...${orphan}` });
    expect(await message(r)).toContain('No common ancestor');
  });
});

describe('git data', () => {
  it('refuses a ref update that is not a fast forward, accepts one that is', async () => {
    const a = sim.commit({ files: { 'a.txt': '1' }, branch: 'booty-state' });
    const b = sim.commit({ files: { 'b.txt': '1' }, branch: 'x', parents: [a] });
    const other = sim.commit({ files: { 'c.txt': '1' }, branch: 'y', parents: [] });
    expect(
      await message(
        gh.rest.git.updateRef({ ...o, ref: 'heads/booty-state', sha: other, force: false }),
      ),
    ).toContain('Update is not a fast forward');
    expect(
      (await gh.rest.git.updateRef({ ...o, ref: 'heads/booty-state', sha: b, force: false })).data
        .object.sha,
    ).toBe(b);
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(b);
    expectNoContractViolations(sim);
  });

  it('two racing fast-forwards from the same parent: exactly one wins', async () => {
    const base = sim.commit({ files: { 'release.json': '{}' }, branch: 'booty-state' });
    const tree = sim.git.readCommit(base)!.tree;
    const [c1, c2] = await Promise.all(
      ['one', 'two'].map(
        async (m) =>
          (await gh.rest.git.createCommit({ ...o, message: m, tree, parents: [base] })).data.sha,
      ),
    );
    const results = await Promise.all(
      [c1!, c2!].map((sha) =>
        status(gh.rest.git.updateRef({ ...o, ref: 'heads/booty-state', sha, force: false })),
      ),
    );
    expect(results.sort()).toEqual([200, 422]);
  });

  it('branch creation races: the second gets 422 Reference already exists', async () => {
    const a = sim.commit({ files: { 'a.txt': '1' } });
    const results = await Promise.all(
      [1, 2].map(() =>
        gh.rest.git.createRef({ ...o, ref: 'refs/heads/booty-state', sha: a }).then(
          (r) => r.status,
          (e: { status: number; message: string }) => e.message,
        ),
      ),
    );
    expect(results).toContain(201);
    expect(results.find((r) => r !== 201)).toContain('Reference already exists');
    expect(await status(gh.rest.git.getRef({ ...o, ref: 'heads/nope' }))).toBe(404);
  });

  it('builds trees on base_tree: keeps unrelated files, inline content, sha null deletes', async () => {
    const a = sim.commit({
      files: { 'README.md': 'r', 'decisions/old.json': '{}', 'release.json': '{"v":1}' },
      branch: 'booty-state',
      parents: [],
    });
    const baseTree = sim.git.readCommit(a)!.tree;
    const blob = await gh.rest.git.createBlob({
      ...o,
      content: Buffer.from('{"v":2}').toString('base64'),
      encoding: 'base64',
    });
    const tree = await gh.rest.git.createTree({
      ...o,
      base_tree: baseTree,
      tree: [
        { path: 'release.json', mode: '100644', type: 'blob', sha: blob.data.sha },
        { path: 'decisions/new.json', mode: '100644', type: 'blob', content: '{"n":1}' },
        { path: 'decisions/old.json', mode: '100644', type: 'blob', sha: null },
      ],
    });
    const commit = await gh.rest.git.createCommit({
      ...o,
      message: 'write',
      tree: tree.data.sha,
      parents: [a],
    });
    const listing = await gh.rest.git.getTree({
      ...o,
      tree_sha: commit.data.sha,
      recursive: 'true',
    });
    const paths = listing.data.tree
      .filter((e) => e.type === 'blob')
      .map((e) => e.path)
      .sort();
    expect(paths).toEqual(['README.md', 'decisions/new.json', 'release.json']);
    expect(listing.data.truncated).toBe(false);
    const got = await gh.rest.git.getBlob({ ...o, file_sha: blob.data.sha });
    expect(Buffer.from(got.data.content, 'base64').toString()).toBe('{"v":2}');
    expectNoContractViolations(sim);
  });

  it('truncates recursive trees past the entry limit', async () => {
    sim.treeEntryLimit = 10;
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`f${i}.txt`] = String(i);
    const a = sim.commit({ files });
    const listing = await gh.rest.git.getTree({ ...o, tree_sha: a, recursive: 'true' });
    expect(listing.data.truncated).toBe(true);
    expect(listing.data.tree).toHaveLength(10);
  });
});

describe('pull requests, issues, approvals data', () => {
  it('associates merged pull requests with commits, with files, label events and comments', async () => {
    sim.commit({ files: { 'a.txt': '1' } });
    sim.collaborator('rel-eng', 'maintain');
    const mergedAt = new Date('2026-11-20T10:00:00Z');
    const pr = sim.mergedPullRequest({ author: 'dev', files: { 'infra/main.tf': 'x' }, mergedAt });
    sim.label(pr.number, 'release:approved', 'rel-eng', new Date('2026-11-20T10:05:00Z'));
    sim.comment(
      pr.number,
      '/approve-release\nlooks fine',
      'rel-eng',
      new Date('2026-11-20T10:06:00Z'),
    );
    const pulls = await gh.rest.repos.listPullRequestsAssociatedWithCommit({
      ...o,
      commit_sha: pr.sha,
    });
    expect(pulls.data.map((p) => [p.number, p.merged_at, p.user?.login])).toEqual([
      [pr.number, '2026-11-20T10:00:00Z', 'dev'],
    ]);
    const files = await gh.rest.pulls.listFiles({ ...o, pull_number: pr.number });
    expect(files.data.map((f) => f.filename)).toEqual(['infra/main.tf']);
    const events = await gh.rest.issues.listEvents({ ...o, issue_number: pr.number });
    expect(
      events.data.map((e) => [
        e.event,
        (e as { label?: { name: string } }).label?.name,
        e.actor?.login,
        e.created_at,
      ]),
    ).toEqual([['labeled', 'release:approved', 'rel-eng', '2026-11-20T10:05:00Z']]);
    const comments = await gh.rest.issues.listComments({ ...o, issue_number: pr.number });
    expect(comments.data[0]?.body).toMatch(/^\/approve-release/);
    const timeline = await gh.rest.issues.listEventsForTimeline({ ...o, issue_number: pr.number });
    expect(timeline.data.map((e) => e.event)).toEqual(['labeled', 'commented']);
    const perm = await gh.rest.repos.getCollaboratorPermissionLevel({ ...o, username: 'rel-eng' });
    expect(perm.data).toMatchObject({ permission: 'write', role_name: 'maintain' });
    expect(
      await status(gh.rest.repos.getCollaboratorPermissionLevel({ ...o, username: 'ghost' })),
    ).toBe(404);
    expectNoContractViolations(sim);
  });

  it('searches open issues by labels (comma = any) and lists commit comments', async () => {
    const sha = sim.commit({ files: { 'a.txt': '1' } });
    sim.openIssue({ title: 'Outage', labels: ['incident'] });
    sim.openIssue({ title: 'Bug', labels: ['bug'] });
    const closed = sim.openIssue({ title: 'Old deploy failure', labels: ['deploy-failure'] });
    sim.issue(closed)!.state = 'closed';
    const r = await gh.rest.search.issuesAndPullRequests({
      q: 'repo:acme/shop is:issue is:open label:incident,deploy-failure',
    });
    expect(r.data.items.map((i) => i.title)).toEqual(['Outage']);
    sim.commitComment(sha, '/approve-release', 'rel-eng');
    const cc = await gh.rest.repos.listCommentsForCommit({ ...o, commit_sha: sha });
    expect(cc.data.map((c) => [c.body, c.user?.login])).toEqual([['/approve-release', 'rel-eng']]);
    const created = await gh.rest.issues.create({
      ...o,
      title: 'Deploy failed',
      labels: ['deploy-failure', 'severity:high'],
    });
    expect(created.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual([
      'deploy-failure',
      'severity:high',
    ]);
    expectNoContractViolations(sim);
  });

  it('commit statuses: description over 140 characters is refused', async () => {
    const sha = sim.commit({ files: { 'a.txt': '1' } });
    const ok = await gh.rest.repos.createCommitStatus({
      ...o,
      sha,
      state: 'failure',
      context: 'booty/release-governor',
      description: 'x'.repeat(140),
    });
    expect(ok.status).toBe(201);
    expect(
      await status(
        gh.rest.repos.createCommitStatus({
          ...o,
          sha,
          state: 'failure',
          context: 'c',
          description: 'x'.repeat(141),
        }),
      ),
    ).toBe(422);
    expect(sim.statusesFor(sha)).toHaveLength(1);
    expectNoContractViolations(sim);
  });
});

describe('actions', () => {
  function deployWorkflow() {
    return sim.workflow({
      name: 'Deploy',
      path: '.github/workflows/deploy.yml',
      runName: 'Deploy ${{ inputs.sha }}',
      dispatchInputs: { sha: { required: true } },
    });
  }

  it('dispatch answers 204, or 200 with the run when return_run_details is true; display_title from run-name', async () => {
    const sha = sim.commit({ files: { 'a.txt': '1' } });
    const wf = deployWorkflow();
    const plain = await gh.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      { ...o, workflow_id: 'deploy.yml', ref: 'main', inputs: { sha } },
    );
    expect(plain.status).toBe(204);
    const detailed = await gh.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      { ...o, workflow_id: 'deploy.yml', ref: 'main', inputs: { sha }, return_run_details: true },
    );
    expect(detailed.status).toBe(200);
    const body = detailed.data as unknown as {
      workflow_run_id: number;
      run_url: string;
      html_url: string;
    };
    expect(body.html_url).toContain(`/actions/runs/${body.workflow_run_id}`);
    const run = await gh.rest.actions.getWorkflowRun({ ...o, run_id: body.workflow_run_id });
    expect(run.data).toMatchObject({
      display_title: `Deploy ${sha}`,
      event: 'workflow_dispatch',
      head_sha: sha,
      status: 'queued',
    });
    const runs = await gh.rest.actions.listWorkflowRuns({
      ...o,
      workflow_id: wf.id,
      event: 'workflow_dispatch',
    });
    expect(runs.data.total_count).toBe(2);
    expectNoContractViolations(sim);
  });

  it('dispatch errors as GitHub words them: missing input, no trigger, unknown ref, unknown workflow, old server', async () => {
    sim.commit({ files: { 'a.txt': '1' } });
    deployWorkflow();
    sim.workflow({ name: 'Verify main', path: '.github/workflows/verify-main.yml' });
    const d = (workflow_id: string, body: Record<string, unknown>) =>
      message(
        gh.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
          ...o,
          workflow_id,
          ref: 'main',
          ...body,
        }),
      );
    expect(await d('deploy.yml', { inputs: {} })).toContain("Required input 'sha' not provided");
    expect(await d('verify-main.yml', {})).toContain("does not have 'workflow_dispatch' trigger");
    expect(await d('deploy.yml', { ref: 'nope', inputs: { sha: 'x' } })).toContain(
      'No ref found for: nope',
    );
    expect(await d('missing.yml', {})).toContain('Not Found');
    sim.rejectReturnRunDetails = true;
    expect(await d('deploy.yml', { inputs: { sha: 'x' }, return_run_details: true })).toContain(
      'return_run_details',
    );
  });

  it('lists runs with filters', async () => {
    const a = sim.commit({ files: { 'a.txt': '1' } });
    const verify = sim.workflow({ name: 'Verify main', path: '.github/workflows/verify-main.yml' });
    sim.workflowRun({ workflow: verify, headSha: a, conclusion: 'success' });
    sim.workflowRun({ workflow: verify, headSha: a, conclusion: 'failure' });
    sim.workflowRun({
      workflow: verify,
      headSha: a,
      conclusion: 'success',
      branch: 'feature',
      event: 'pull_request',
    });
    const r = await gh.rest.actions.listWorkflowRuns({
      ...o,
      workflow_id: 'verify-main.yml',
      head_sha: a,
      branch: 'main',
      status: 'success',
      event: 'push',
    });
    expect(r.data.total_count).toBe(1);
    expectNoContractViolations(sim);
  });
});

describe('deployments (SPEC §21)', () => {
  const exact = { auto_merge: false, required_contexts: [] as string[] };

  it('a deployment of an exact SHA behind the branch head, its statuses newest first, found by sha, environment and task', async () => {
    const first = sim.commit({ files: { 'a.txt': '1' } });
    sim.commit({ files: { 'a.txt': '2' } });
    const created = await gh.rest.repos.createDeployment({
      ...o,
      ref: first,
      environment: 'staging',
      production_environment: false,
      task: 'deploy',
      payload: { stage: 'staging', claim: 'action:1/1' },
      ...exact,
    });
    expect(created.status).toBe(201);
    const d = created.data as { id: number; sha: string; payload: unknown };
    expect(d.sha).toBe(first);
    expect(d.payload).toEqual({ stage: 'staging', claim: 'action:1/1' });
    for (const state of ['queued', 'in_progress', 'success'] as const)
      await gh.rest.repos.createDeploymentStatus({
        ...o,
        deployment_id: d.id,
        state,
        log_url: 'https://example.test/run/1',
        environment_url: state === 'success' ? 'https://staging.example.test' : undefined,
      });
    const statuses = await gh.rest.repos.listDeploymentStatuses({ ...o, deployment_id: d.id });
    expect(statuses.data.map((x) => x.state)).toEqual(['success', 'in_progress', 'queued']);
    expect(statuses.data[0]).toMatchObject({
      log_url: 'https://example.test/run/1',
      environment_url: 'https://staging.example.test',
    });
    const found = await gh.rest.repos.listDeployments({
      ...o,
      sha: first,
      environment: 'staging',
      task: 'deploy',
    });
    expect(found.data.map((x) => x.id)).toEqual([d.id]);
    expect(
      (await gh.rest.repos.listDeployments({ ...o, sha: first, task: 'deploy:rollback' })).data,
    ).toEqual([]);
    expectNoContractViolations(sim);
  });

  it('auto_merge (the default) answers 202 "Auto-merged" for a SHA behind the default branch and creates nothing', async () => {
    const first = sim.commit({ files: { 'a.txt': '1' } });
    sim.commit({ files: { 'a.txt': '2' } });
    const r = await gh.rest.repos.createDeployment({ ...o, ref: first, required_contexts: [] });
    expect(r.status).toBe(202);
    expect((r.data as { message: string }).message).toBe(
      'Auto-merged main into ' + first + ' on deployment.',
    );
    expect(sim.deployments.list).toHaveLength(0);
    expectNoContractViolations(sim);
  });

  it('required_contexts (default: every context) must be success: 409; [] deploys regardless; an unknown ref is 422', async () => {
    const sha = sim.commit({ files: { 'a.txt': '1' } });
    await gh.rest.repos.createCommitStatus({ ...o, sha, state: 'failure', context: 'ci' });
    expect(
      await status(gh.rest.repos.createDeployment({ ...o, ref: sha, auto_merge: false })),
    ).toBe(409);
    expect(await status(gh.rest.repos.createDeployment({ ...o, ref: sha, ...exact }))).toBe(201);
    expect(
      await message(gh.rest.repos.createDeployment({ ...o, ref: 'f'.repeat(40), ...exact })),
    ).toContain('No ref found for');
    expectNoContractViolations(sim);
  });

  it('auto_inactive: a success marks earlier successful deployments of the environment inactive, except production ones', async () => {
    const sha = sim.commit({ files: { 'a.txt': '1' } });
    const deploy = async (environment: string, production: boolean) => {
      const d = await gh.rest.repos.createDeployment({
        ...o,
        ref: sha,
        environment,
        production_environment: production,
        ...exact,
      });
      const id = (d.data as { id: number }).id;
      await gh.rest.repos.createDeploymentStatus({ ...o, deployment_id: id, state: 'success' });
      return id;
    };
    const state = (id: number) => sim.deployments.stateOf(sim.deployments.get(id));
    const staging1 = await deploy('staging', false);
    const staging2 = await deploy('staging', false);
    expect([state(staging1), state(staging2)]).toEqual(['inactive', 'success']);
    const prod1 = await deploy('production', true);
    const prod2 = await deploy('production', true);
    // As documented for auto_inactive: production deployments are left active.
    expect([state(prod1), state(prod2)]).toEqual(['success', 'success']);
    expectNoContractViolations(sim);
  });
});

describe('faults and the request log', () => {
  beforeEach(() => {
    sim.commit({ files: { 'a.txt': '1' } });
  });
  const route = 'GET /repos/{owner}/{repo}';

  it('answers status N for the next K requests, then recovers', async () => {
    sim.inject(route, { kind: 'status', status: 503 }, 2);
    expect([
      await status(gh.rest.repos.get(o)),
      await status(gh.rest.repos.get(o)),
      await status(gh.rest.repos.get(o)),
    ]).toEqual([503, 503, 200]);
    expect(sim.count(route)).toBe(3);
    expect(sim.log.map((e) => e.status)).toEqual([503, 503, 200]);
  });

  it('applies the effect, then loses the response', async () => {
    const a = sim.git.readRef('refs/heads/main')!;
    sim.inject('POST /repos/{owner}/{repo}/git/refs', { kind: 'lost' });
    expect(
      await status(gh.rest.git.createRef({ ...o, ref: 'refs/heads/booty-state', sha: a })),
    ).toBe(502);
    expect(sim.git.readRef('refs/heads/booty-state')).toBe(a);
  });

  it('adds latency', async () => {
    sim.inject(route, { kind: 'latency', ms: 300 });
    const t = Date.now();
    await gh.rest.repos.get(o);
    expect(Date.now() - t).toBeGreaterThanOrEqual(280);
  });

  it('secondary and primary rate limits carry GitHub headers', async () => {
    sim.inject(route, { kind: 'secondary-rate-limit', retryAfterSeconds: 7 });
    sim.inject(route, { kind: 'primary-rate-limit', resetInSeconds: 3600 });
    const e1 = await gh.rest.repos
      .get(o)
      .catch((e: { status: number; response: { headers: Record<string, string> } }) => e);
    expect(e1).toMatchObject({ status: 403, response: { headers: { 'retry-after': '7' } } });
    const e2 = await gh.rest.repos
      .get(o)
      .catch((e: { status: number; response: { headers: Record<string, string> } }) => e);
    expect(e2).toMatchObject({
      status: 403,
      response: { headers: { 'x-ratelimit-remaining': '0' } },
    });
    expect(
      Number(
        (e2 as { response: { headers: Record<string, string> } }).response.headers[
          'x-ratelimit-reset'
        ],
      ),
    ).toBeGreaterThan(Date.now() / 1000 + 3000);
  });
});

describe('contract checking against the OpenAPI description', () => {
  beforeEach(() => {
    sim.commit({ files: { 'a.txt': '1' } });
  });

  it('records a missing required body field and a wrong type', async () => {
    await gh
      .request('POST /repos/{owner}/{repo}/statuses/{sha}', {
        ...o,
        sha: sim.git.readRef('refs/heads/main')!,
        state: 42 as never,
      })
      .catch(() => null);
    await gh
      .request('POST /repos/{owner}/{repo}/git/refs', { ...o, ref: 'refs/heads/x' } as never)
      .catch(() => null);
    expect(sim.violations.map((v) => v.problem)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/state'),
        expect.stringContaining("must have required property 'sha'"),
      ]),
    );
  });

  it('records an unknown body field, an unknown query parameter and an unknown route', async () => {
    await gh
      .request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
        ...o,
        ref: 'heads/main',
        sha: 'a'.repeat(40),
        forse: true,
      })
      .catch(() => null);
    await gh
      .request('GET /repos/{owner}/{repo}/compare/{basehead}', {
        ...o,
        basehead: 'main...main',
        recursive: 1,
      })
      .catch(() => null);
    await gh.request('GET /repos/{owner}/{repo}/deploy-everything', o).catch(() => null);
    const problems = sim.violations.map((v) => v.problem);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('(forse)'),
        'unknown query parameter recursive',
        'no such operation in the OpenAPI description of api.github.com',
      ]),
    );
  });

  it('a conforming request records nothing', async () => {
    await gh.rest.repos.get(o);
    expectNoContractViolations(sim);
  });
});

describe('GraphQL', () => {
  it('a field the simulator does not model is a violation and an error, never a silent null', async () => {
    sim.commit({ files: { 'README.md': 'hello' } });
    const err = await message(
      gh.graphql(
        'query Desc($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { description } }',
        {
          owner: 'acme',
          name: 'shop',
        },
      ),
    );
    expect(err).toContain('Repository.description is not implemented');
    expect(sim.violations.map((v) => v.problem)).toEqual([
      'GraphQL: the simulator does not implement Repository.description',
    ]);
  });

  it('tags: refs with annotated targets dereferenced, and a commit’s pull requests with labels', async () => {
    const base = sim.commit({ files: { 'README.md': 'hello' } });
    sim.tag('v1.0.0', base);
    sim.tag('light', base, { lightweight: true });
    const pr = sim.mergedPullRequest({ author: 'dev', files: { 'a.ts': 'a' }, title: 'feat: a' });
    sim.label(pr.number, 'release:minor', 'releng');
    const data = await gh.graphql<{
      repository: {
        refs: {
          nodes: { name: string; target: { __typename: string; target?: { oid: string } } }[];
        };
        object: {
          associatedPullRequests: {
            nodes: { number: number; labels: { nodes: { name: string }[] } }[];
          };
        };
      };
    }>(
      `query Q($owner: String!, $name: String!, $sha: GitObjectID!) {
        repository(owner: $owner, name: $name) {
          refs(refPrefix: "refs/tags/", first: 10) { nodes { name target { __typename ... on Tag { target { oid } } } } }
          object(oid: $sha) { ... on Commit { associatedPullRequests(first: 5) { nodes { number labels(first: 5) { nodes { name } } } } } }
        }
      }`,
      { owner: 'acme', name: 'shop', sha: pr.sha },
    );
    expect(data.repository.refs.nodes).toEqual([
      { name: 'light', target: { __typename: 'Commit' } },
      { name: 'v1.0.0', target: { __typename: 'Tag', target: { oid: base } } },
    ]);
    expect(data.repository.object.associatedPullRequests.nodes).toEqual([
      { number: pr.number, labels: { nodes: [{ name: 'release:minor' }] } },
    ]);
    expectNoContractViolations(sim);
  });
});
