// The RepoPort over GitHub's REST and GraphQL APIs: narrow methods that return local types,
// errors as ApiError with advice a person can act on. This file reads the repository (files,
// compare, trees, people, approvals, notices); what talks to other parts of GitHub is in its
// own module and delegated to: github-actions.ts (dispatch, runs, artifacts), github-issues.ts
// (issues, statuses, the incident search), github-releases.ts (tags and releases),
// github-approvals.ts (the one GraphQL query of the approvals).
import type { ApprovalFacts, Actor, PullRequestFacts, RepoRole } from '../domain/approvals.js';
import type { ChangedFile, ChangeStatus } from '../domain/risk.js';
import type { CompareStatus } from '../domain/types.js';
import type {
  ArtifactInfo,
  CompareResult,
  DeploymentInfo,
  DeploymentRequest,
  GitHubReader,
  RepoActor,
  RepoPort,
  RepoReader,
  RunInfo,
} from '../ports.js';
import { readApprovalsGraphql } from './github-approvals.js';
import {
  createRelease,
  createTag,
  readReleaseRange,
  releaseOf,
  tagTarget,
} from './github-releases.js';
import { apiError, ApiError, messageOf, statusOf } from './api-error.js';
import * as actions from './github-actions.js';
import * as deployments from './github-deployments.js';
import * as issues from './github-issues.js';
import type { Octokit } from './octokit.js';

const COMPARE_FILE_CAP = 300;
const FILE_STATUSES: ChangeStatus[] = [
  'added',
  'modified',
  'removed',
  'renamed',
  'copied',
  'changed',
  'unchanged',
];

export class GitHub implements RepoPort {
  readonly seesRuns = true;

  constructor(
    readonly octokit: Octokit,
    readonly owner: string,
    readonly repo: string,
    /** The token, for what the artifact client does with its own client (§22 downloads). */
    private readonly token: string | null = null,
  ) {}

  /** Every file of an artifact of `runId`, by its path inside it (SPEC §22). */
  async artifactFiles(artifactId: number, runId: number): Promise<Map<string, Buffer>> {
    if (!this.token) throw new Error('artifactFiles: the GitHub port was made without a token');
    const { downloadArtifactFiles } = await import('./artifact-download.js');
    try {
      return await downloadArtifactFiles({
        artifactId,
        runId,
        owner: this.owner,
        repo: this.repo,
        token: this.token,
      });
    } catch (e) {
      throw apiError(`Downloading artifact ${artifactId} of run ${runId}`, e);
    }
  }

  /** Comments of pull requests read this run (id, body), for the notices; each used once. */
  private readonly knownComments = new Map<number, { id: number; body: string }[]>();

  private get o() {
    return { owner: this.owner, repo: this.repo };
  }

  async repository(): Promise<{ id: number; defaultBranch: string }> {
    try {
      const r = await this.octokit.rest.repos.get(this.o);
      return { id: r.data.id, defaultBranch: r.data.default_branch };
    } catch (e) {
      throw apiError(`Reading repository ${this.owner}/${this.repo}`, e);
    }
  }

  /** A file's text at a commit; null when it does not exist there. */
  async readFile(ref: string, path: string): Promise<string | null> {
    try {
      const r = await this.octokit.rest.repos.getContent({ ...this.o, path, ref });
      const data = r.data as { type?: string; content?: string; encoding?: string };
      if (Array.isArray(r.data) || data.type !== 'file')
        throw new ApiError(
          `${path} at ${ref.slice(0, 12)} is a directory, not a file`,
          null,
          'Point config-path at the YAML file.',
        );
      return Buffer.from(
        data.content ?? '',
        (data.encoding as BufferEncoding | undefined) ?? 'base64',
      ).toString('utf8');
    } catch (e) {
      // GitHub answers 404 both for a missing file and for a ref that is no commit; the second
      // must not read as "no config, governor off".
      if (statusOf(e) === 404 && /No commit found/i.test(messageOf(e)))
        throw new ApiError(
          `There is no commit ${ref} in ${this.owner}/${this.repo} (reading ${path}: ${messageOf(e)}).`,
          404,
          'Check the SHA: a full 40-character SHA of a commit pushed to this repository.',
          { cause: e },
        );
      if (statusOf(e) === 404) return null;
      throw apiError(`Reading ${path} at ${ref.slice(0, 12)}`, e);
    }
  }

  /** Compares of full SHAs answered in this job: a commit range never changes (SPEC §24, b). */
  private readonly compares = new Map<string, Promise<CompareResult>>();

  compare(base: string, head: string): Promise<CompareResult> {
    const key = `${base}...${head}`;
    const known = this.compares.get(key);
    if (known) return known;
    const answer = this.compareOnce(base, head);
    if (/^[0-9a-f]{40}$/.test(base) && /^[0-9a-f]{40}$/.test(head)) {
      this.compares.set(key, answer);
      // A failed compare is asked again, never remembered.
      answer.catch(() => this.compares.delete(key));
    }
    return answer;
  }

  private async compareOnce(base: string, head: string): Promise<CompareResult> {
    try {
      const r = await this.octokit.rest.repos.compareCommitsWithBasehead({
        ...this.o,
        basehead: `${base}...${head}`,
        per_page: 100,
      });
      const files: ChangedFile[] = (r.data.files ?? []).map((f) => ({
        path: f.filename,
        status: FILE_STATUSES.includes(f.status as ChangeStatus)
          ? (f.status as ChangeStatus)
          : 'changed',
        ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
      }));
      return {
        status: r.data.status as CompareStatus,
        files,
        capped: files.length >= COMPARE_FILE_CAP,
        commits: r.data.commits.map((c) => ({
          sha: c.sha,
          author: c.author?.login ?? null,
          message: c.commit.message,
          time: c.commit.committer?.date ?? c.commit.author?.date ?? null,
        })),
        totalCommits: r.data.total_commits,
      };
    } catch (e) {
      throw apiError(`Comparing ${base.slice(0, 7)}...${head.slice(0, 7)}`, e, {
        404: 'One of the commits is unknown to GitHub, or production and this commit share no history.',
      });
    }
  }

  /** Every blob path of a commit's tree, recursively; `truncated` when GitHub cut the listing. */
  async treeFiles(commit: string): Promise<{ files: Map<string, string>; truncated: boolean }> {
    try {
      const r = await this.octokit.rest.git.getTree({
        ...this.o,
        tree_sha: commit,
        recursive: 'true',
      });
      const files = new Map<string, string>();
      for (const e of r.data.tree)
        if (e.type === 'blob' && e.path && e.sha) files.set(e.path, `${e.mode}:${e.sha}`);
      return { files, truncated: r.data.truncated };
    } catch (e) {
      throw apiError(`Listing the tree of ${commit.slice(0, 7)}`, e);
    }
  }

  async commitAuthor(sha: string): Promise<string | null> {
    try {
      const r = await this.octokit.rest.git.getCommit({ ...this.o, commit_sha: sha });
      return (
        r.data.author.email.match(/^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/)?.[1] ?? null
      );
    } catch (e) {
      throw apiError(`Reading commit ${sha.slice(0, 7)}`, e);
    }
  }

  async onBranch(sha: string, branch: string): Promise<boolean> {
    // One compare, branch...sha: "behind" or "identical" means the branch contains the commit.
    try {
      const r = await this.octokit.rest.repos.compareCommitsWithBasehead({
        ...this.o,
        basehead: `${branch}...${sha}`,
        per_page: 1,
      });
      return r.data.status === 'behind' || r.data.status === 'identical';
    } catch (e) {
      throw apiError(`Comparing ${branch} with ${sha.slice(0, 7)}`, e);
    }
  }

  // ------------------------------------------------------------ approvals

  async approvalFacts(f: {
    headSha: string;
    headAuthor: string | null;
    commits: string[];
    branch: string;
    environment: string | undefined;
    teams: string[];
  }): Promise<ApprovalFacts> {
    try {
      // One GraphQL query for the range; REST only for what it could not list whole.
      const g = await readApprovalsGraphql(this.octokit, this.o, f);
      for (const [n, list] of g.comments) this.knownComments.set(n, list);
      const fromRest = new Map(g.restPulls.map((p) => [p.number, p]));
      const listed = new Set(g.pulls.map((p) => p.number));
      for (const sha of g.restCommits) {
        const r = await this.octokit.rest.repos.listPullRequestsAssociatedWithCommit({
          ...this.o,
          commit_sha: sha,
          per_page: 100,
        });
        for (const p of r.data)
          if (p.merged_at && p.base.ref === f.branch && !listed.has(p.number))
            fromRest.set(p.number, {
              number: p.number,
              author: p.user?.login ?? '',
              mergedAt: p.merged_at,
              baseRef: p.base.ref,
            });
      }
      const pulls: PullRequestFacts[] = [...g.pulls];
      for (const p of fromRest.values()) pulls.push(await this.restPull(p));
      pulls.sort((a, b) => a.number - b.number);
      const commitComments =
        g.commitComments ??
        (
          await this.octokit.paginate(this.octokit.rest.repos.listCommentsForCommit, {
            ...this.o,
            commit_sha: f.headSha,
            per_page: 100,
          })
        ).map((c) => ({
          body: c.body,
          author: c.user?.login ?? '',
          at: c.created_at,
        }));
      const logins = new Set<string>();
      // An approval on a pull request not merged into the branch is ignored before anyone's
      // role matters (not_merged): no role is read for it.
      for (const p of pulls.filter((x) => x.mergedAt !== null && x.baseRef === f.branch)) {
        for (const e of p.labelEvents) logins.add(e.actor);
        for (const c of p.comments) logins.add(c.author);
      }
      for (const c of commitComments) logins.add(c.author);
      const actors: Record<string, Actor> = {};
      for (const login of logins) {
        if (!login) continue;
        actors[login] = await this.actor(login);
        if (f.teams.length > 0 && !actors[login].isBot)
          actors[login].teams = await this.teamsOf(login, f.teams);
      }
      return {
        headSha: f.headSha,
        headAuthor: f.headAuthor,
        environment: f.environment,
        pulls,
        commitComments,
        actors,
      };
    } catch (e) {
      throw apiError('Reading approvals (pull requests, labels, comments)', e);
    }
  }

  /** One pull request's files (both names of a rename), label events and comments, through REST. */
  private async restPull(p: {
    number: number;
    author: string;
    mergedAt: string | null;
    baseRef: string;
  }): Promise<PullRequestFacts> {
    const files = await this.octokit.paginate(this.octokit.rest.pulls.listFiles, {
      ...this.o,
      pull_number: p.number,
      per_page: 100,
    });
    const events = await this.octokit.paginate(this.octokit.rest.issues.listEvents, {
      ...this.o,
      issue_number: p.number,
      per_page: 100,
    });
    const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
      ...this.o,
      issue_number: p.number,
      per_page: 100,
    });
    this.knownComments.set(
      p.number,
      comments.map((c) => ({ id: c.id, body: c.body ?? '' })),
    );
    return {
      ...p,
      files: files.flatMap((x) =>
        x.previous_filename ? [x.filename, x.previous_filename] : [x.filename],
      ),
      labelEvents: events
        .filter(
          (e) => (e.event === 'labeled' || e.event === 'unlabeled') && 'label' in e && e.label,
        )
        .map((e) => ({
          event: e.event as 'labeled' | 'unlabeled',
          label: (e as { label: { name: string } }).label.name,
          actor: e.actor?.login ?? '',
          at: e.created_at,
        })),
      comments: comments.map((c) => ({
        body: c.body ?? '',
        author: c.user?.login ?? '',
        at: c.created_at,
      })),
    };
  }

  /** The `org/team` slugs among `teams` that `login` is an active member of. */
  private async teamsOf(login: string, teams: string[]): Promise<string[]> {
    const member: string[] = [];
    for (const team of teams) {
      const [org, slug] = team.split('/') as [string, string];
      try {
        const r = await this.octokit.rest.teams.getMembershipForUserInOrg({
          org,
          team_slug: slug,
          username: login,
        });
        if (r.data.state === 'active') member.push(team);
      } catch (e) {
        if (statusOf(e) === 404) continue;
        throw apiError(`Reading whether @${login} is in the team ${team}`, e, {
          403: `The token cannot read the membership of ${team}: approvers that are teams need a token that can read the organization's teams (a GitHub App installation token with members: read, or a token with read:org) passed as github-token. No approval was counted.`,
        });
      }
    }
    return member;
  }

  async comments(issue: number): Promise<{ id: number; body: string }[]> {
    // The approvals read listed this pull request's comments already (SPEC §19): use them once.
    const known = this.knownComments.get(issue);
    if (known) {
      this.knownComments.delete(issue);
      return known;
    }
    try {
      const listed = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
        ...this.o,
        issue_number: issue,
        per_page: 100,
      });
      return listed.map((c) => ({ id: c.id, body: c.body ?? '' }));
    } catch (e) {
      throw apiError(`Reading the comments of #${issue}`, e);
    }
  }

  async writeComment(issue: number, id: number | null, body: string): Promise<void> {
    try {
      if (id === null)
        await this.octokit.rest.issues.createComment({ ...this.o, issue_number: issue, body });
      else await this.octokit.rest.issues.updateComment({ ...this.o, comment_id: id, body });
    } catch (e) {
      throw apiError(`Writing the governor's notice on #${issue}`, e);
    }
  }

  /** Every tag (§18) and the merged pull requests of the range's commits, in one query. */
  releaseRange(f: {
    withTags: boolean;
    commits: string[];
    branch: string;
  }): ReturnType<typeof readReleaseRange> {
    return readReleaseRange(this.octokit, this.o, f);
  }

  createDeployment(d: DeploymentRequest): Promise<{ id: number }> {
    return deployments.createDeployment(this.octokit, this.o, d);
  }

  deploymentStatus(...a: Parameters<RepoActor['deploymentStatus']>): Promise<void> {
    return deployments.deploymentStatus(this.octokit, this.o, ...a);
  }

  findDeployments(f: {
    sha: string;
    environment: string;
    task: string;
  }): Promise<DeploymentInfo[]> {
    return deployments.findDeployments(this.octokit, this.o, f);
  }

  createTag(name: string, sha: string, message: string): Promise<void> {
    return createTag(this.octokit, this.o, name, sha, message);
  }

  tagTarget(name: string): Promise<string | null> {
    return tagTarget(this.octokit, this.o, name);
  }

  releaseOf(tag: string): Promise<{ url: string } | null> {
    return releaseOf(this.octokit, this.o, tag);
  }

  createRelease(r: {
    tag: string;
    name: string;
    body: string;
  }): Promise<{ url: string; created: boolean }> {
    return createRelease(this.octokit, this.o, r);
  }

  /** The login of the token's own user (the CLI acts as that person). */
  async whoami(): Promise<string> {
    try {
      return (await this.octokit.rest.users.getAuthenticated()).data.login;
    } catch (e) {
      throw apiError('Reading who the token belongs to (GET /user)', e, {
        403: 'An installation token has no user: run rollback with a personal token, or dispatch the governor workflow with rollback: true.',
      });
    }
  }

  /** A person's repository role (role_name) and whether they are a bot; role null when none. */
  async person(login: string): Promise<Actor> {
    try {
      return await this.actor(login);
    } catch (e) {
      throw apiError(`Reading the repository role of @${login}`, e);
    }
  }

  private async actor(login: string): Promise<Actor> {
    const isBot = /\[bot\]$/.test(login);
    try {
      const r = await this.octokit.rest.repos.getCollaboratorPermissionLevel({
        ...this.o,
        username: login,
      });
      const role = (r.data.role_name as RepoRole | undefined) ?? null;
      return { login, role, isBot: isBot || r.data.user?.type === 'Bot' };
    } catch (e) {
      if (statusOf(e) === 404) return { login, role: null, isBot };
      throw e;
    }
  }

  // ------------------------------------------------------------ actions (github-actions.ts)

  dispatch(...a: Parameters<RepoActor['dispatch']>): ReturnType<RepoActor['dispatch']> {
    return actions.dispatch(this.octokit, this.o, ...a);
  }

  findDeployRuns(...a: Parameters<RepoReader['findDeployRuns']>): Promise<RunInfo[]> {
    return actions.findDeployRuns(this.octokit, this.o, ...a);
  }

  run(id: number): Promise<RunInfo> {
    return actions.run(this.octokit, this.o, id);
  }

  verified(...a: Parameters<RepoReader['verified']>): Promise<boolean> {
    return actions.verified(this.octokit, this.o, ...a);
  }

  verificationRun(
    ...a: Parameters<GitHubReader['verificationRun']>
  ): ReturnType<GitHubReader['verificationRun']> {
    return actions.verificationRun(this.octokit, this.o, ...a);
  }

  runArtifacts(runId: number): Promise<ArtifactInfo[]> {
    return actions.runArtifacts(this.octokit, this.o, runId);
  }

  newestVerified(...a: Parameters<GitHubReader['newestVerified']>): Promise<string | null> {
    return actions.newestVerified(this.octokit, this.o, ...a);
  }

  // ------------------------------------------------- statuses and issues (github-issues.ts)

  openIncidents(
    labels: string[],
    opts: { pulls?: boolean } = {},
  ): ReturnType<RepoReader['openIncidents']> {
    return issues.openIncidents(this.octokit, this.o, labels, opts);
  }

  setStatus(...a: Parameters<RepoActor['setStatus']>): Promise<void> {
    return issues.setStatus(this.octokit, this.o, ...a);
  }

  openIssue(...a: Parameters<RepoActor['openIssue']>): Promise<number> {
    return issues.openIssue(this.octokit, this.o, ...a);
  }

  findOpenIssue(...a: Parameters<GitHubReader['findOpenIssue']>): Promise<number | null> {
    return issues.findOpenIssue(this.octokit, this.o, ...a);
  }

  commentIssue(...a: Parameters<RepoActor['commentIssue']>): Promise<void> {
    return issues.commentIssue(this.octokit, this.o, ...a);
  }
}
