// Writes __fixtures__/events/*.json: workflow_run completed payloads in GitHub's full shape.
// The e2e harness loads one and overrides the fields a scenario needs (head_sha, ids...).
// Kept as a script so the fixtures can be regenerated when the schema package moves on.
import { writeFileSync } from 'node:fs';

const API = 'https://api.github.com';
const WEB = 'https://github.com';
const OWNER = 'acme';
const REPO = 'shop';
const REPO_ID = 4242;
const SHA = '1111111111111111111111111111111111111111';

function user(login, id, type = 'User') {
  const u = `${API}/users/${login}`;
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: u,
    html_url: `${WEB}/${login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type,
    site_admin: false,
  };
}

function repoLite(owner, name, id, fork = false) {
  const r = `${API}/repos/${owner}/${name}`;
  return {
    id,
    node_id: `R_${id}`,
    name,
    full_name: `${owner}/${name}`,
    private: true,
    owner: user(owner, id + 1, 'Organization'),
    html_url: `${WEB}/${owner}/${name}`,
    description: null,
    fork,
    url: r,
    forks_url: `${r}/forks`,
    keys_url: `${r}/keys{/key_id}`,
    collaborators_url: `${r}/collaborators{/collaborator}`,
    teams_url: `${r}/teams`,
    hooks_url: `${r}/hooks`,
    issue_events_url: `${r}/issues/events{/number}`,
    events_url: `${r}/events`,
    assignees_url: `${r}/assignees{/user}`,
    branches_url: `${r}/branches{/branch}`,
    tags_url: `${r}/tags`,
    blobs_url: `${r}/git/blobs{/sha}`,
    git_tags_url: `${r}/git/tags{/sha}`,
    git_refs_url: `${r}/git/refs{/sha}`,
    trees_url: `${r}/git/trees{/sha}`,
    statuses_url: `${r}/statuses/{sha}`,
    languages_url: `${r}/languages`,
    stargazers_url: `${r}/stargazers`,
    contributors_url: `${r}/contributors`,
    subscribers_url: `${r}/subscribers`,
    subscription_url: `${r}/subscription`,
    commits_url: `${r}/commits{/sha}`,
    git_commits_url: `${r}/git/commits{/sha}`,
    comments_url: `${r}/comments{/number}`,
    issue_comment_url: `${r}/issues/comments{/number}`,
    contents_url: `${r}/contents/{+path}`,
    compare_url: `${r}/compare/{base}...{head}`,
    merges_url: `${r}/merges`,
    archive_url: `${r}/{archive_format}{/ref}`,
    downloads_url: `${r}/downloads`,
    issues_url: `${r}/issues{/number}`,
    pulls_url: `${r}/pulls{/number}`,
    milestones_url: `${r}/milestones{/number}`,
    notifications_url: `${r}/notifications{?since,all,participating}`,
    labels_url: `${r}/labels{/name}`,
    releases_url: `${r}/releases{/id}`,
    deployments_url: `${r}/deployments`,
  };
}

function repository() {
  const lite = repoLite(OWNER, REPO, REPO_ID);
  return {
    ...lite,
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
    pushed_at: '2026-11-20T09:00:00Z',
    git_url: `git://github.com/${OWNER}/${REPO}.git`,
    ssh_url: `git@github.com:${OWNER}/${REPO}.git`,
    clone_url: `${WEB}/${OWNER}/${REPO}.git`,
    svn_url: `${WEB}/${OWNER}/${REPO}`,
    homepage: null,
    size: 1024,
    stargazers_count: 0,
    watchers_count: 0,
    language: 'TypeScript',
    has_issues: true,
    has_projects: false,
    has_downloads: true,
    has_wiki: false,
    has_pages: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    open_issues_count: 0,
    license: null,
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: 'main',
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: 'private',
    custom_properties: {},
  };
}

function workflow(name, path, id) {
  return {
    badge_url: `${WEB}/${OWNER}/${REPO}/workflows/${encodeURIComponent(name)}/badge.svg`,
    created_at: '2024-01-01T00:00:00Z',
    html_url: `${WEB}/${OWNER}/${REPO}/blob/main/${path}`,
    id,
    name,
    node_id: `W_${id}`,
    path,
    state: 'active',
    updated_at: '2026-11-01T00:00:00Z',
    url: `${API}/repos/${OWNER}/${REPO}/actions/workflows/${id}`,
  };
}

function payload({
  name,
  path,
  workflowId,
  runId,
  event,
  conclusion,
  branch,
  headRepo,
  displayTitle,
  pullRequests = [],
}) {
  const r = `${API}/repos/${OWNER}/${REPO}`;
  const actor = user('octocat', 583231);
  return {
    action: 'completed',
    repository: repository(),
    sender: actor,
    workflow: workflow(name, path, workflowId),
    workflow_run: {
      artifacts_url: `${r}/actions/runs/${runId}/artifacts`,
      cancel_url: `${r}/actions/runs/${runId}/cancel`,
      check_suite_url: `${r}/check-suites/${runId + 7}`,
      check_suite_id: runId + 7,
      check_suite_node_id: `CS_${runId + 7}`,
      conclusion,
      created_at: '2026-11-20T10:00:00Z',
      event,
      head_branch: branch,
      head_commit: {
        id: SHA,
        tree_id: '2222222222222222222222222222222222222222',
        message: 'Change something',
        timestamp: '2026-11-20T09:59:00Z',
        author: { name: 'octocat', email: 'octocat@example.com' },
        committer: { name: 'GitHub', email: 'noreply@github.com' },
      },
      head_repository: headRepo,
      head_sha: SHA,
      html_url: `${WEB}/${OWNER}/${REPO}/actions/runs/${runId}`,
      id: runId,
      jobs_url: `${r}/actions/runs/${runId}/jobs`,
      logs_url: `${r}/actions/runs/${runId}/logs`,
      node_id: `WFR_${runId}`,
      name,
      pull_requests: pullRequests,
      repository: repoLite(OWNER, REPO, REPO_ID),
      rerun_url: `${r}/actions/runs/${runId}/rerun`,
      run_number: 17,
      status: 'completed',
      updated_at: '2026-11-20T10:05:00Z',
      url: `${r}/actions/runs/${runId}`,
      workflow_id: workflowId,
      workflow_url: `${r}/actions/workflows/${workflowId}`,
      run_attempt: 1,
      run_started_at: '2026-11-20T10:00:00Z',
      previous_attempt_url: null,
      actor,
      triggering_actor: actor,
      path,
      display_title: displayTitle,
    },
  };
}

const verify = {
  name: 'Verify main',
  path: '.github/workflows/verify-main.yml',
  workflowId: 161335,
};
const deploy = { name: 'Deploy', path: '.github/workflows/deploy.yml', workflowId: 161336 };
const same = repoLite(OWNER, REPO, REPO_ID);
const fixtures = {
  'workflow_run.verify-success-push': payload({
    ...verify,
    runId: 30433642,
    event: 'push',
    conclusion: 'success',
    branch: 'main',
    headRepo: same,
    displayTitle: 'Change something',
  }),
  'workflow_run.verify-failure-push': payload({
    ...verify,
    runId: 30433643,
    event: 'push',
    conclusion: 'failure',
    branch: 'main',
    headRepo: same,
    displayTitle: 'Change something',
  }),
  'workflow_run.verify-success-pull-request': payload({
    ...verify,
    runId: 30433644,
    event: 'pull_request',
    conclusion: 'success',
    branch: 'feature',
    headRepo: same,
    displayTitle: 'Add feature',
    pullRequests: [
      {
        url: `${API}/repos/${OWNER}/${REPO}/pulls/7`,
        id: 900007,
        number: 7,
        head: {
          ref: 'feature',
          sha: SHA,
          repo: { id: REPO_ID, url: `${API}/repos/${OWNER}/${REPO}`, name: REPO },
        },
        base: {
          ref: 'main',
          sha: '3333333333333333333333333333333333333333',
          repo: { id: REPO_ID, url: `${API}/repos/${OWNER}/${REPO}`, name: REPO },
        },
      },
    ],
  }),
  // A fork whose branch is also called main, pushing: same names, different repository id.
  'workflow_run.verify-success-fork': payload({
    ...verify,
    runId: 30433645,
    event: 'push',
    conclusion: 'success',
    branch: 'main',
    headRepo: repoLite('mallory', REPO, 666, true),
    displayTitle: 'Totally harmless',
  }),
  'workflow_run.deploy-success': payload({
    ...deploy,
    runId: 30433646,
    event: 'workflow_dispatch',
    conclusion: 'success',
    branch: 'main',
    headRepo: same,
    displayTitle: `Deploy ${SHA}`,
  }),
  'workflow_run.deploy-failure': payload({
    ...deploy,
    runId: 30433647,
    event: 'workflow_dispatch',
    conclusion: 'failure',
    branch: 'main',
    headRepo: same,
    displayTitle: `Deploy ${SHA}`,
  }),
};
for (const [name, body] of Object.entries(fixtures)) {
  writeFileSync(`__fixtures__/events/${name}.json`, `${JSON.stringify(body, null, 2)}\n`);
}
writeFileSync(
  '__fixtures__/events/workflow_dispatch.governor.json',
  `${JSON.stringify(
    {
      inputs: { sha: SHA },
      ref: 'refs/heads/main',
      repository: repository(),
      sender: user('octocat', 583231),
      workflow: '.github/workflows/release-governor.yml',
    },
    null,
    2,
  )}\n`,
);
