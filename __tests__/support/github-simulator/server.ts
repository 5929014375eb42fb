// A GitHub REST simulator: an HTTP server on 127.0.0.1 backed by a real git repository.
// It behaves as GitHub does where the governor depends on it (compare status and the
// 300-file cap, fast-forward refusals, reference races, 140-character statuses,
// return_run_details) and checks every request against the OpenAPI description.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArtifactService } from './artifacts.js';
import { Deployments, type DeploymentsHost } from './deployments.js';
import { HttpError } from './errors.js';
import { FaultTable, type Fault } from './faults.js';
import { GitRepo, type DiffEntry, type Person } from './git.js';
import { executeGraphql } from './graphql.js';
import { ContractChecker, type MatchedOperation, type Violation } from './openapi.js';

export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface SimUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
  role: Role | null; // null: not a collaborator
}

export interface LogEntry {
  method: string;
  path: string;
  route: string | null;
  operationId: string | null;
  status: number;
  body: unknown;
  /** When the request arrived and when its answer was sent (performance.now(), ms). */
  startedAt: number;
  endedAt: number;
  /** Length of the response body, in bytes. */
  responseBytes: number;
}

interface IssueRecord {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  user: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  pull?: PullRecord;
}

export interface PullRecord {
  number: number;
  merged_at: string | null;
  merge_commit_sha: string | null;
  base: string;
  head_ref: string;
  head_sha: string;
  commits: string[];
  files: DiffEntry[];
}

export interface ReleaseRecord {
  id: number;
  tag_name: string;
  name: string;
  body: string;
  draft: boolean;
  prerelease: boolean;
  author: string;
  created_at: string;
}

interface EventRecord {
  id: number;
  event: 'labeled' | 'unlabeled';
  label: string;
  actor: string;
  created_at: string;
}

interface CommentRecord {
  id: number;
  body: string;
  user: string;
  created_at: string;
  updated_at: string;
}

interface CommitCommentRecord extends CommentRecord {
  commit_id: string;
}

interface StatusRecord {
  id: number;
  state: string;
  description: string | null;
  target_url: string | null;
  context: string;
  created_at: string;
  creator: string;
}

export interface WorkflowRecord {
  id: number;
  name: string;
  path: string;
  /** The run-name expression, e.g. `Deploy ${{ inputs.sha }}`; null → the workflow name. */
  runName: string | null;
  /** workflow_dispatch inputs and whether each is required; null → no workflow_dispatch trigger. */
  dispatchInputs: Record<string, { required: boolean }> | null;
}

export interface RunRecord {
  id: number;
  workflow_id: number;
  run_number: number;
  run_attempt: number;
  event: string;
  head_sha: string;
  head_branch: string | null;
  display_title: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  created_at: string;
  updated_at: string;
  /** When the current attempt started: a re-run keeps created_at and moves this. */
  run_started_at?: string;
  actor: string;
  head_repository_id: number;
  inputs?: Record<string, string>;
}

export { HttpError };

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Ctx {
  op: MatchedOperation;
  query: URLSearchParams;
  body: Record<string, unknown>;
  url: URL;
}

type Handler = (ctx: Ctx) => Reply;

export interface SimulatorOptions {
  owner?: string;
  repo?: string;
  repoId?: number;
  defaultBranch?: string;
  /** The identity of the token (labels and comments made through the API are theirs). */
  tokenUser?: string;
  token?: string;
  /** GitHub's recursive tree listing limit (100,000 entries); lower it to force truncation. */
  treeEntryLimit?: number;
  /** Emulates a server that does not know `return_run_details` (older GHES). */
  rejectReturnRunDetails?: boolean;
  clock?: () => Date;
}

const COMPARE_FILE_CAP = 300;
const COMPARE_COMMIT_CAP = 250;
const STATUS_DESCRIPTION_MAX = 140;

export class GitHubSimulator {
  readonly owner: string;
  readonly repo: string;
  readonly repoId: number;
  readonly defaultBranch: string;
  readonly token: string;
  readonly tokenUser: string;
  readonly git: GitRepo;
  readonly faults = new FaultTable();
  readonly log: LogEntry[] = [];
  readonly violations: Violation[] = [];
  treeEntryLimit: number;
  rejectReturnRunDetails: boolean;
  clock: () => Date;

  private server: Server | null = null;
  private port = 0;
  private readonly checker: ContractChecker;
  private readonly handlers = new Map<string, Handler>();
  private readonly users = new Map<string, SimUser>();
  private readonly issues = new Map<number, IssueRecord>();
  private readonly events = new Map<number, EventRecord[]>();
  private readonly comments = new Map<number, CommentRecord[]>();
  private readonly commitComments: CommitCommentRecord[] = [];
  private readonly statuses = new Map<string, StatusRecord[]>();
  readonly workflows: WorkflowRecord[] = [];
  readonly runs: RunRecord[] = [];
  private readonly teams = new Map<string, Set<string>>();
  /** The token cannot read team membership (an installation token without members: read). */
  teamsForbidden = false;
  /** The Actions artifact service (results API and blob storage) on the same port. */
  readonly artifactService = new ArtifactService(() => this.apiUrl);
  /** GitHub Deployments (SPEC §21): what the governor records for each deploy. */
  readonly deployments = new Deployments(this.deploymentsHost());
  /** Its requests, apart from the API's log (they are not GitHub API requests). */
  readonly artifactLog: { method: string; path: string }[] = [];
  private readonly artifacts = new Map<number, Record<string, unknown>[]>();
  /** The zips of the artifacts a test gave content (SPEC §22: the figures a release is judged on). */
  readonly artifactZips = new Map<number, Buffer>();
  private readonly releaseList: ReleaseRecord[] = [];
  private nextId = 1000;
  private nextIssueNumber = 1;
  private rateRemaining = 5000;

  constructor(options: SimulatorOptions = {}) {
    this.owner = options.owner ?? 'acme';
    this.repo = options.repo ?? 'shop';
    this.repoId = options.repoId ?? 4242;
    this.defaultBranch = options.defaultBranch ?? 'main';
    this.token = options.token ?? 'sim-token';
    this.tokenUser = options.tokenUser ?? 'github-actions[bot]';
    this.treeEntryLimit = options.treeEntryLimit ?? 100_000;
    this.rejectReturnRunDetails = options.rejectReturnRunDetails ?? false;
    this.clock = options.clock ?? (() => new Date());
    this.git = new GitRepo();
    this.checker = new ContractChecker();
    this.addUser(this.tokenUser, { type: 'Bot', role: null });
    this.registerHandlers();
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ message: `simulator crashed: ${String(err)}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.apiUrl;
  }

  async stop(): Promise<void> {
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
      this.server = null;
    }
    this.git.dispose();
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get serverUrl(): string {
    return 'https://github.com';
  }

  get fullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  /** Requests other than GET, i.e. the ones that change something. */
  writes(): LogEntry[] {
    return this.log.filter((e) => e.method !== 'GET');
  }

  count(route: string): number {
    return this.log.filter((e) => `${e.method} ${e.route}` === route).length;
  }

  /** Injects a fault on `route` for `times` requests, after letting `skip` of them through. */
  inject(route: string, fault: Fault, times = 1, skip = 0): void {
    this.faults.add(route, fault, times, skip);
  }

  // ---------------------------------------------------------------- builders

  addUser(login: string, opts: { type?: 'User' | 'Bot'; role?: Role | null } = {}): SimUser {
    const user: SimUser = {
      login,
      id: this.id(),
      type: opts.type ?? (login.endsWith('[bot]') ? 'Bot' : 'User'),
      role: opts.role ?? null,
    };
    this.users.set(login, user);
    return user;
  }

  private user(login: string): SimUser {
    return this.users.get(login) ?? this.addUser(login);
  }

  person(login: string, date: Date = this.clock()): Person {
    return {
      name: login,
      email: `${this.user(login).id}+${login}@users.noreply.github.com`,
      date: iso(date),
    };
  }

  /**
   * Commits files (content, or null to delete) on top of a branch (created if missing, as an
   * orphan unless `parent` is given) and moves the branch. Returns the commit SHA.
   */
  commit(opts: {
    files: Record<string, string | Buffer | null>;
    message?: string;
    branch?: string;
    author?: string;
    parents?: string[];
    date?: Date;
    moveBranch?: boolean;
  }): string {
    const branch = opts.branch ?? this.defaultBranch;
    const head = this.git.readRef(`refs/heads/${branch}`);
    const parents = opts.parents ?? (head ? [head] : []);
    const baseTree = parents[0] ? this.git.readCommit(parents[0])!.tree : null;
    const paths = Object.keys(opts.files);
    const contents = paths
      .map((p) => opts.files[p])
      .filter((c): c is string | Buffer => c !== null);
    const shas = this.git.hashBlobs(contents);
    let i = 0;
    const entries = paths.map((path) => {
      const content = opts.files[path];
      return { path, mode: '100644', sha: content === null ? null : shas[i++]! };
    });
    const tree = this.git.buildTree(baseTree, entries);
    const author = this.person(opts.author ?? 'octocat', opts.date ?? this.clock());
    const sha = this.git.commitTree(
      tree,
      parents,
      opts.message ?? `Change ${paths.slice(0, 3).join(', ')}`,
      author,
    );
    if (opts.moveBranch !== false) this.git.setRef(`refs/heads/${branch}`, sha);
    return sha;
  }

  /** A squash-merged pull request: one commit on `base` by the author, with the PR's files. */
  mergedPullRequest(opts: {
    author: string;
    files: Record<string, string | Buffer | null>;
    title?: string;
    mergedAt?: Date;
    base?: string;
    labels?: { name: string; by: string; at: Date }[];
  }): { number: number; sha: string } {
    const mergedAt = opts.mergedAt ?? this.clock();
    const base = opts.base ?? this.defaultBranch;
    const number = this.nextIssueNumber++;
    const title = opts.title ?? `Pull request #${number}`;
    const sha = this.commit({
      files: opts.files,
      branch: base,
      author: opts.author,
      date: mergedAt,
      message: `${title} (#${number})`,
    });
    const parent = this.git.readCommit(sha)!.parents[0] ?? null;
    const created = new Date(mergedAt.getTime() - 3600_000);
    this.issues.set(number, {
      number,
      title,
      body: '',
      state: 'closed',
      labels: [],
      user: opts.author,
      created_at: iso(created),
      updated_at: iso(mergedAt),
      closed_at: iso(mergedAt),
      pull: {
        number,
        merged_at: iso(mergedAt),
        merge_commit_sha: sha,
        base,
        head_ref: `feature-${number}`,
        head_sha: sha,
        commits: [sha],
        files: this.git.diff(parent, sha),
      },
    });
    for (const l of opts.labels ?? []) this.label(number, l.name, l.by, l.at);
    return { number, sha };
  }

  /** An open, unmerged pull request (its head is the default branch's head), with labels. */
  openPullRequest(opts: { title: string; labels?: string[]; author?: string }): number {
    const number = this.nextIssueNumber++;
    const at = iso(this.clock());
    const head = this.git.readRef(`refs/heads/${this.defaultBranch}`) ?? '';
    this.issues.set(number, {
      number,
      title: opts.title,
      body: '',
      state: 'open',
      labels: [...(opts.labels ?? [])],
      user: opts.author ?? 'dev',
      created_at: at,
      updated_at: at,
      closed_at: null,
      pull: {
        number,
        merged_at: null,
        merge_commit_sha: null,
        base: this.defaultBranch,
        head_ref: `feature-${number}`,
        head_sha: head,
        commits: [],
        files: [],
      },
    });
    return number;
  }

  /** Applies a label as `by` at `at`, recording the `labeled` event. */
  label(issueNumber: number, name: string, by: string, at: Date = this.clock()): void {
    const issue = this.mustIssue(issueNumber);
    if (!issue.labels.includes(name)) issue.labels.push(name);
    this.user(by);
    this.eventsOf(issueNumber).push({
      id: this.id(),
      event: 'labeled',
      label: name,
      actor: by,
      created_at: iso(at),
    });
  }

  comment(issueNumber: number, body: string, by: string, at: Date = this.clock()): number {
    this.mustIssue(issueNumber);
    this.user(by);
    const id = this.id();
    this.commentsOf(issueNumber).push({
      id,
      body,
      user: by,
      created_at: iso(at),
      updated_at: iso(at),
    });
    return id;
  }

  commitComment(sha: string, body: string, by: string, at: Date = this.clock()): number {
    this.user(by);
    const id = this.id();
    this.commitComments.push({
      id,
      body,
      user: by,
      created_at: iso(at),
      updated_at: iso(at),
      commit_id: sha,
    });
    return id;
  }

  collaborator(login: string, role: Role, type: 'User' | 'Bot' = 'User'): void {
    const u = this.user(login);
    u.role = role;
    u.type = type;
  }

  openIssue(opts: {
    title: string;
    labels?: string[];
    body?: string;
    author?: string;
    at?: Date;
  }): number {
    const number = this.nextIssueNumber++;
    const at = iso(opts.at ?? this.clock());
    this.issues.set(number, {
      number,
      title: opts.title,
      body: opts.body ?? '',
      state: 'open',
      labels: [...(opts.labels ?? [])],
      user: opts.author ?? 'octocat',
      created_at: at,
      updated_at: at,
      closed_at: null,
    });
    return number;
  }

  issue(number: number): IssueRecord | undefined {
    return this.issues.get(number);
  }

  allIssues(): IssueRecord[] {
    return [...this.issues.values()];
  }

  issueComments(number: number): CommentRecord[] {
    return this.commentsOf(number);
  }

  /** The numbers of open issues with exactly this title, newest first. */
  issuesTitled(title: string): number[] {
    return [...this.issues.values()]
      .filter((i) => i.state === 'open' && i.title === title)
      .map((i) => i.number)
      .sort((a, b) => b - a);
  }

  /** The releases published, oldest first. */
  releases(): ReleaseRecord[] {
    return structuredClone(this.releaseList);
  }

  /**
   * A tag made by hand: annotated (a tag object, as `git tag -a`) unless `lightweight`. Returns
   * what refs/tags/<name> points at.
   */
  tag(name: string, sha: string, opts: { lightweight?: boolean; by?: string } = {}): string {
    const object = opts.lightweight
      ? sha
      : this.git.writeTag({
          object: sha,
          type: 'commit',
          tag: name,
          message: `${name}\n`,
          tagger: this.person(opts.by ?? 'octocat'),
        });
    if (!this.git.casRef(`refs/tags/${name}`, object, null))
      throw new Error(`simulator: the tag ${name} exists already`);
    return object;
  }

  /** Every tag: name, what its ref points at, and the commit it resolves to. */
  tags(): { name: string; object: string; commit: string | null; annotated: boolean }[] {
    return this.git.listRefs('refs/tags/').map((r) => ({
      name: r.ref.slice('refs/tags/'.length),
      object: r.sha,
      commit: this.git.resolveCommit(r.ref.slice('refs/tags/'.length)),
      annotated: this.git.objectType(r.sha) === 'tag',
    }));
  }

  private releaseJson(r: ReleaseRecord): Record<string, unknown> {
    const base = `${this.apiUrl}/repos/${this.fullName}/releases`;
    return {
      url: `${base}/${r.id}`,
      html_url: `${this.serverUrl}/${this.fullName}/releases/tag/${r.tag_name}`,
      assets_url: `${base}/${r.id}/assets`,
      upload_url: `${base}/${r.id}/assets{?name,label}`,
      tarball_url: null,
      zipball_url: null,
      id: r.id,
      node_id: `RE_${r.id}`,
      tag_name: r.tag_name,
      target_commitish: this.defaultBranch,
      name: r.name,
      body: r.body,
      draft: r.draft,
      prerelease: r.prerelease,
      created_at: r.created_at,
      published_at: r.created_at,
      author: this.userJson(r.author),
      assets: [],
    };
  }

  clearFaults(): void {
    this.faults.clear();
  }

  statusesFor(sha: string): StatusRecord[] {
    return this.statuses.get(sha) ?? [];
  }

  workflow(opts: {
    name: string;
    path: string;
    runName?: string | null;
    dispatchInputs?: Record<string, { required: boolean }> | null;
  }): WorkflowRecord {
    const wf: WorkflowRecord = {
      id: this.id(),
      name: opts.name,
      path: opts.path,
      runName: opts.runName ?? null,
      dispatchInputs: opts.dispatchInputs === undefined ? null : opts.dispatchInputs,
    };
    this.workflows.push(wf);
    return wf;
  }

  /** Records a workflow run (a verification run, or a deploy nobody dispatched through us). */
  workflowRun(opts: {
    workflow: WorkflowRecord;
    headSha: string;
    event?: string;
    branch?: string | null;
    conclusion?: string | null;
    displayTitle?: string;
    at?: Date;
    headRepositoryId?: number;
    actor?: string;
  }): RunRecord {
    const at = iso(opts.at ?? this.clock());
    const run: RunRecord = {
      id: this.id(),
      workflow_id: opts.workflow.id,
      run_number: this.runs.filter((r) => r.workflow_id === opts.workflow.id).length + 1,
      run_attempt: 1,
      event: opts.event ?? 'push',
      head_sha: opts.headSha,
      head_branch: opts.branch === undefined ? this.defaultBranch : opts.branch,
      display_title: opts.displayTitle ?? opts.workflow.name,
      status: opts.conclusion === null ? 'in_progress' : 'completed',
      conclusion: opts.conclusion === undefined ? 'success' : opts.conclusion,
      created_at: at,
      updated_at: at,
      actor: opts.actor ?? 'octocat',
      head_repository_id: opts.headRepositoryId ?? this.repoId,
    };
    this.runs.push(run);
    return run;
  }

  /** A team (`org/slug`) and its members. */
  team(slug: string, members: string[]): void {
    this.teams.set(slug.toLowerCase(), new Set(members.map((m) => m.toLowerCase())));
  }

  /** An artifact a run uploaded (what `GET …/runs/{id}/artifacts` lists). */
  artifact(
    runId: number,
    opts: { name: string; size?: number; digest?: string; expired?: boolean; zip?: Buffer },
  ): number {
    const id = this.id();
    if (opts.zip) this.artifactZips.set(id, opts.zip);
    const list = this.artifacts.get(runId) ?? [];
    list.push({
      id,
      node_id: `MDg6QXJ0aWZhY3Q${id}`,
      name: opts.name,
      size_in_bytes: opts.size ?? opts.zip?.length ?? 1024,
      url: `${this.apiUrl}/repos/${this.fullName}/actions/artifacts/${id}`,
      archive_download_url: `${this.apiUrl}/repos/${this.fullName}/actions/artifacts/${id}/zip`,
      expired: opts.expired ?? false,
      digest: opts.digest ?? `sha256:${'0'.repeat(63)}${id % 10}`,
      created_at: iso(this.clock()),
      expires_at: iso(new Date(this.clock().getTime() + 90 * 86_400_000)),
      updated_at: iso(this.clock()),
      workflow_run: { id: runId, head_sha: this.runs.find((r) => r.id === runId)?.head_sha },
    });
    this.artifacts.set(runId, list);
    return id;
  }

  completeRun(id: number, conclusion: string): RunRecord {
    const run = this.runs.find((r) => r.id === id);
    if (!run) throw new Error(`no run ${id}`);
    run.status = 'completed';
    run.conclusion = conclusion;
    run.updated_at = iso(this.clock());
    return run;
  }

  /** GitHub's "Re-run jobs": the same run id, the next attempt, running again. */
  rerunRun(id: number): RunRecord {
    const run = this.runs.find((r) => r.id === id);
    if (!run) throw new Error(`no run ${id}`);
    if (run.status !== 'completed') throw new Error(`run ${id} has not completed`);
    run.run_attempt += 1;
    run.status = 'in_progress';
    run.conclusion = null;
    run.run_started_at = run.updated_at = iso(this.clock());
    return run;
  }

  runJson(run: RunRecord): Record<string, unknown> {
    const wf = this.workflows.find((w) => w.id === run.workflow_id)!;
    const base = `${this.apiUrl}/repos/${this.fullName}`;
    const repoJson = this.repositoryJson();
    return {
      id: run.id,
      node_id: `WFR_${run.id}`,
      name: wf.name,
      display_title: run.display_title,
      path: wf.path,
      workflow_id: wf.id,
      run_number: run.run_number,
      run_attempt: run.run_attempt,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      head_sha: run.head_sha,
      head_branch: run.head_branch,
      created_at: run.created_at,
      updated_at: run.updated_at,
      run_started_at: run.run_started_at ?? run.created_at,
      previous_attempt_url:
        run.run_attempt > 1
          ? `${base}/actions/runs/${run.id}/attempts/${run.run_attempt - 1}`
          : null,
      url: `${base}/actions/runs/${run.id}`,
      html_url: `${this.serverUrl}/${this.fullName}/actions/runs/${run.id}`,
      workflow_url: `${base}/actions/workflows/${wf.id}`,
      actor: this.userJson(run.actor),
      triggering_actor: this.userJson(run.actor),
      repository: repoJson,
      head_repository:
        run.head_repository_id === this.repoId
          ? repoJson
          : { ...repoJson, id: run.head_repository_id, full_name: `fork/${this.repo}`, fork: true },
      pull_requests: [],
    };
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', this.apiUrl);
    // An artifact's archive in blob storage (the signed URL the API redirected to).
    const blob = /^\/artifact-blob\/(\d+)\.zip$/.exec(url.pathname);
    if (blob) {
      this.artifactLog.push({ method: req.method ?? 'GET', path: url.pathname });
      const zip = this.artifactZips.get(Number(blob[1]));
      res.writeHead(zip ? 200 : 404, { 'content-type': zip ? 'application/zip' : 'text/plain' });
      res.end(zip ?? 'BlobNotFound');
      return;
    }
    // The artifact service (results twirp, blob storage) is not api.github.com: its own rules.
    if (this.artifactService.handles(url.pathname)) {
      this.artifactLog.push({ method: req.method ?? 'GET', path: url.pathname });
      return this.artifactService.handle(req, res, Buffer.concat(chunks), url);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = (req.method ?? 'GET').toUpperCase();
    const entry: LogEntry = {
      method,
      path: url.pathname,
      route: null,
      operationId: null,
      status: 0,
      body: undefined,
      startedAt: performance.now(),
      endedAt: 0,
      responseBytes: 0,
    };
    this.log.push(entry);
    const send = (reply: Reply): void => {
      entry.status = reply.status;
      entry.endedAt = performance.now();
      this.rateRemaining = Math.max(0, this.rateRemaining - 1);
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'x-github-request-id': `SIM:${this.log.length}`,
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': String(this.rateRemaining),
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-resource': 'core',
        ...reply.headers,
      };
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      entry.responseBytes = Buffer.byteLength(text);
      res.writeHead(reply.status, headers);
      res.end(text);
    };

    let body: Record<string, unknown> = {};
    const hasBody = raw.trim() !== '';
    if (hasBody) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
        entry.body = body;
      } catch {
        this.violation(method, url.pathname, null, 'request body is not JSON');
        return send({ status: 400, body: { message: 'Problems parsing JSON' } });
      }
    }

    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) {
      return send({
        status: 401,
        body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' },
      });
    }

    if (method === 'POST' && url.pathname === '/graphql')
      return this.handleGraphql(entry, body, send);

    const op = this.checker.match(method, url.pathname);
    if (!op) {
      this.violation(
        method,
        url.pathname,
        null,
        'no such operation in the OpenAPI description of api.github.com',
      );
      return send({ status: 404, body: { message: 'Not Found' } });
    }
    entry.route = op.template;
    entry.operationId = op.operationId;
    const routeKey = `${method} ${op.template}`;
    const problems = this.checker.check(op, url.searchParams, body, hasBody);
    for (const p of problems) this.violation(method, url.pathname, op.template, p);
    const blocking = problems.filter((p) => !p.startsWith('unknown query parameter'));
    if (blocking.length > 0) {
      return send({ status: 422, body: { message: 'Invalid request.', errors: blocking } });
    }

    const faulted = await this.applyFaults([routeKey], send);
    if (faulted === 'answered') return;
    const lost = faulted === 'lost';

    const handler = this.handlers.get(routeKey);
    if (!handler) {
      this.violation(
        method,
        url.pathname,
        op.template,
        'the simulator does not implement this operation',
      );
      return send({ status: 501, body: { message: `Simulator: ${routeKey} not implemented` } });
    }
    let reply: Reply;
    try {
      if (this.git.isEmpty() && EMPTY_REPO_409.has(routeKey))
        throw new HttpError(409, 'Git Repository is empty.');
      reply = handler({ op, query: url.searchParams, body, url });
    } catch (err) {
      if (err instanceof HttpError)
        reply = {
          status: err.status,
          body: {
            message: err.message,
            documentation_url: 'https://docs.github.com/rest',
            ...err.extra,
          },
        };
      else throw err;
    }
    if (lost) return send({ status: 502, body: { message: 'Server Error' } });
    send(reply);
  }

  private async handleGraphql(
    entry: LogEntry,
    body: Record<string, unknown>,
    send: (r: Reply) => void,
  ): Promise<void> {
    entry.route = '/graphql';
    const query = typeof body.query === 'string' ? body.query : '';
    const name =
      (typeof body.operationName === 'string' ? body.operationName : null) ??
      /^\s*(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ??
      'anonymous';
    entry.operationId = `graphql:${name}`;
    const faulted = await this.applyFaults(['POST /graphql', `POST /graphql ${name}`], send);
    if (faulted === 'answered') return;
    const lost = faulted === 'lost';
    const result = executeGraphql(
      {
        git: this.git,
        owner: this.owner,
        repo: this.repo,
        tokenUser: this.tokenUser,
        clock: this.clock,
        issues: (states) =>
          [...this.issues.values()]
            .filter((i) => !i.pull && states.includes(i.state.toUpperCase()))
            .sort((a, b) => b.number - a.number)
            .map((i) => ({ number: i.number, title: i.title, labels: [...i.labels] })),
        pulls: (states) =>
          [...this.issues.values()]
            .filter((i) => {
              if (!i.pull) return false;
              const state = i.pull.merged_at ? 'MERGED' : i.state.toUpperCase();
              return states.includes(state);
            })
            .sort((a, b) => b.number - a.number)
            .map((i) => ({ number: i.number, title: i.title, labels: [...i.labels] })),
        pullsForCommit: (sha) =>
          [...this.issues.values()]
            .filter(
              (i) => i.pull && (i.pull.merge_commit_sha === sha || i.pull.commits.includes(sha)),
            )
            .map((i) => ({
              number: i.number,
              title: i.title,
              author: i.user,
              mergedAt: i.pull!.merged_at,
              baseRefName: i.pull!.base,
              labels: [...i.labels],
              files: i.pull!.files.map((f) => ({ path: f.filename, status: f.status })),
              events: this.eventsOf(i.number).map((e) => ({
                event: e.event,
                label: e.label,
                actor: e.actor,
                at: e.created_at,
              })),
              comments: this.commentsOf(i.number).map((c) => ({
                id: c.id,
                body: c.body,
                author: c.user,
                at: c.created_at,
              })),
            })),
        commitComments: (sha) =>
          this.commitComments
            .filter((c) => c.commit_id === sha)
            .map((c) => ({ body: c.body, author: c.user, at: c.created_at })),
        isBot: (login) => this.user(login).type === 'Bot',
        searchIssues: (q) =>
          [...this.issues.values()]
            .filter(parseSearch(q, this.fullName))
            .sort((a, b) => b.number - a.number)
            .map((i) => ({
              number: i.number,
              title: i.title,
              url: `${this.serverUrl}/${this.fullName}/issues/${i.number}`,
              isPull: Boolean(i.pull),
            })),
      },
      body,
    );
    entry.operationId = `graphql:${result.operationName ?? 'anonymous'}`;
    for (const p of result.problems) this.violation('POST', '/graphql', '/graphql', p);
    if (lost) return send({ status: 502, body: { message: 'Server Error' } });
    send({ status: 200, body: result.body });
  }

  /** Applies the injected faults: answered instead of the handler, lost after it, or none. */
  private async applyFaults(
    routes: string[],
    send: (r: Reply) => void,
  ): Promise<'answered' | 'lost' | 'none'> {
    let lost = false;
    for (const fault of this.faults.take(...routes)) {
      switch (fault.kind) {
        case 'latency':
          await new Promise((r) => setTimeout(r, fault.ms));
          break;
        case 'status':
          send({
            status: fault.status,
            body: { message: fault.message ?? `Simulated ${fault.status}` },
          });
          return 'answered';
        case 'secondary-rate-limit':
          send({
            status: 403,
            headers: { 'retry-after': String(fault.retryAfterSeconds) },
            body: {
              message:
                'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
              documentation_url:
                'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            },
          });
          return 'answered';
        case 'primary-rate-limit':
          send({
            status: 403,
            headers: {
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + fault.resetInSeconds),
            },
            body: { message: `API rate limit exceeded for installation ID ${this.repoId}.` },
          });
          return 'answered';
        case 'graphql-error':
          fault.before?.();
          send({
            status: 200,
            body: {
              data: null,
              errors: [{ ...(fault.type ? { type: fault.type } : {}), message: fault.message }],
            },
          });
          return 'answered';
        case 'lost':
          lost = true;
          break;
      }
    }
    return lost ? 'lost' : 'none';
  }

  private violation(method: string, path: string, route: string | null, problem: string): void {
    this.violations.push({ method, path, route, problem });
  }

  private on(route: string, handler: Handler): void {
    this.handlers.set(route, handler);
  }

  // ---------------------------------------------------------------- JSON shapes

  private id(): number {
    return this.nextId++;
  }

  private deploymentsHost(): DeploymentsHost {
    // Read when a request comes, after the constructor has set everything up.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const sim = this;
    return {
      get git() {
        return sim.git;
      },
      get defaultBranch() {
        return sim.defaultBranch;
      },
      get apiUrl() {
        return sim.apiUrl;
      },
      get fullName() {
        return sim.fullName;
      },
      get tokenUser() {
        return sim.tokenUser;
      },
      clock: () => sim.clock(),
      id: () => sim.id(),
      statusesFor: (sha) => sim.statusesFor(sha),
      userJson: (login) => sim.userJson(login),
    };
  }

  userJson(login: string): Record<string, unknown> {
    const u = this.user(login);
    return {
      login: u.login,
      id: u.id,
      node_id: `U_${u.id}`,
      type: u.type,
      site_admin: false,
      html_url: `${this.serverUrl}/${u.login}`,
    };
  }

  repositoryJson(): Record<string, unknown> {
    return {
      id: this.repoId,
      node_id: `R_${this.repoId}`,
      name: this.repo,
      full_name: this.fullName,
      private: true,
      fork: false,
      owner: { login: this.owner, id: 1, type: 'Organization' },
      html_url: `${this.serverUrl}/${this.fullName}`,
      url: `${this.apiUrl}/repos/${this.fullName}`,
      default_branch: this.defaultBranch,
    };
  }

  private commitJson(sha: string, withFiles: boolean): Record<string, unknown> {
    const c = this.git.readCommit(sha);
    if (!c) throw new HttpError(422, `No commit found for SHA: ${sha}`);
    const login = loginFromEmail(c.author.email);
    const out: Record<string, unknown> = {
      sha: c.sha,
      node_id: `C_${c.sha}`,
      url: `${this.apiUrl}/repos/${this.fullName}/commits/${c.sha}`,
      html_url: `${this.serverUrl}/${this.fullName}/commit/${c.sha}`,
      commit: {
        message: c.message,
        tree: { sha: c.tree },
        author: c.author,
        committer: c.committer,
      },
      author: login ? this.userJson(login) : null,
      committer: login ? this.userJson(login) : null,
      parents: c.parents.map((p) => ({ sha: p })),
    };
    if (withFiles) {
      const files = this.git.diff(c.parents[0] ?? null, c.sha);
      out.files = files.slice(0, COMPARE_FILE_CAP).map((f) => this.fileJson(f));
    }
    return out;
  }

  private fileJson(f: DiffEntry): Record<string, unknown> {
    return {
      sha: null,
      filename: f.filename,
      status: f.status,
      additions: 0,
      deletions: 0,
      changes: 0,
      ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
    };
  }

  private issueJson(i: IssueRecord): Record<string, unknown> {
    const base = `${this.apiUrl}/repos/${this.fullName}`;
    return {
      id: i.number + 500_000,
      node_id: `I_${i.number}`,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      labels: i.labels.map((name) => ({ id: hashCode(name), name, color: 'ededed' })),
      user: this.userJson(i.user),
      comments: this.commentsOf(i.number).length,
      created_at: i.created_at,
      updated_at: i.updated_at,
      closed_at: i.closed_at,
      url: `${base}/issues/${i.number}`,
      html_url: `${this.serverUrl}/${this.fullName}/${i.pull ? 'pull' : 'issues'}/${i.number}`,
      ...(i.pull
        ? { pull_request: { url: `${base}/pulls/${i.number}`, merged_at: i.pull.merged_at } }
        : {}),
    };
  }

  private pullJson(i: IssueRecord): Record<string, unknown> {
    const p = i.pull!;
    return {
      ...this.issueJson(i),
      id: i.number + 900_000,
      merged: p.merged_at !== null,
      merged_at: p.merged_at,
      merge_commit_sha: p.merge_commit_sha,
      base: { ref: p.base, sha: p.merge_commit_sha, repo: this.repositoryJson() },
      head: { ref: p.head_ref, sha: p.head_sha, repo: this.repositoryJson() },
      html_url: `${this.serverUrl}/${this.fullName}/pull/${i.number}`,
    };
  }

  private commentJson(c: CommentRecord, issueNumber: number): Record<string, unknown> {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      body: c.body,
      user: this.userJson(c.user),
      created_at: c.created_at,
      updated_at: c.updated_at,
      html_url: `${this.serverUrl}/${this.fullName}/issues/${issueNumber}#issuecomment-${c.id}`,
      url: `${this.apiUrl}/repos/${this.fullName}/issues/comments/${c.id}`,
      author_association: 'NONE',
    };
  }

  private mustIssue(n: number): IssueRecord {
    const i = this.issues.get(n);
    if (!i) throw new HttpError(404, 'Not Found');
    return i;
  }

  private eventsOf(n: number): EventRecord[] {
    let e = this.events.get(n);
    if (!e) this.events.set(n, (e = []));
    return e;
  }

  private commentsOf(n: number): CommentRecord[] {
    let c = this.comments.get(n);
    if (!c) this.comments.set(n, (c = []));
    return c;
  }

  private paginate<T>(items: T[], ctx: Ctx, wrap?: (page: T[]) => unknown): Reply {
    const perPage = Math.min(100, Number.parseInt(ctx.query.get('per_page') ?? '30', 10));
    const page = Math.max(1, Number.parseInt(ctx.query.get('page') ?? '1', 10));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    const last = Math.max(1, Math.ceil(items.length / perPage));
    if (page < last) {
      const next = new URL(ctx.url.toString());
      next.searchParams.set('page', String(page + 1));
      next.searchParams.set('per_page', String(perPage));
      const lastUrl = new URL(next.toString());
      lastUrl.searchParams.set('page', String(last));
      headers.link = `<${next.toString()}>; rel="next", <${lastUrl.toString()}>; rel="last"`;
    }
    return { status: 200, body: wrap ? wrap(slice) : slice, headers };
  }

  private resolveOrThrow(
    ref: string,
    status = 404,
    message = 'No commit found for the ref',
  ): string {
    const sha = this.git.resolveCommit(ref);
    if (!sha) throw new HttpError(status, `${message} ${ref}`.trim());
    return sha;
  }

  private checkRepo(ctx: Ctx): void {
    if (ctx.op.params.owner !== this.owner || ctx.op.params.repo !== this.repo)
      throw new HttpError(404, 'Not Found');
  }

  // ---------------------------------------------------------------- routes

  private registerHandlers(): void {
    const R = '/repos/{owner}/{repo}';
    const on = (route: string, h: Handler): void =>
      this.on(route, (ctx) => {
        if (route.includes(R)) this.checkRepo(ctx);
        return h(ctx);
      });

    on(`GET ${R}`, () => ({ status: 200, body: this.repositoryJson() }));

    // -- contents
    on(`GET ${R}/contents/{path}`, (ctx) => {
      const ref = ctx.query.get('ref') ?? this.defaultBranch;
      const commit = this.git.resolveCommit(ref);
      if (!commit) throw new HttpError(404, `No commit found for the ref ${ref}`);
      const path = ctx.op.params.path!.replace(/^\/+|\/+$/g, '');
      const file = this.git.fileAt(commit, path);
      if (file) {
        return {
          status: 200,
          body: {
            type: 'file',
            encoding: 'base64',
            size: file.content.length,
            name: path.split('/').pop(),
            path,
            sha: file.sha,
            content: file.content.toString('base64'),
            url: `${this.apiUrl}/repos/${this.fullName}/contents/${path}?ref=${ref}`,
          },
        };
      }
      const tree = this.git.treeAt(commit, path);
      if (tree) {
        return {
          status: 200,
          body: this.git.lsTree(tree, false).map((e) => ({
            type: e.type === 'tree' ? 'dir' : 'file',
            name: e.path,
            path: `${path}/${e.path}`,
            sha: e.sha,
            size: e.size ?? 0,
          })),
        };
      }
      throw new HttpError(404, 'Not Found');
    });

    on(`PUT ${R}/contents/{path}`, (ctx) => {
      const path = ctx.op.params.path!;
      const branch = (ctx.body.branch as string | undefined) ?? this.defaultBranch;
      const head = this.git.readRef(`refs/heads/${branch}`);
      const existing = head ? this.git.fileAt(head, path) : null;
      const given = ctx.body.sha as string | undefined;
      if (existing && !given)
        throw new HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
      if (given && (!existing || existing.sha !== given))
        throw new HttpError(409, `${path} does not match ${given}`);
      const blob = this.git.hashBlob(Buffer.from(String(ctx.body.content), 'base64'));
      const tree = this.git.buildTree(head ? this.git.readCommit(head)!.tree : null, [
        { path, mode: '100644', sha: blob },
      ]);
      const sha = this.git.commitTree(
        tree,
        head ? [head] : [],
        String(ctx.body.message),
        this.person(this.tokenUser),
      );
      if (!this.git.casRef(`refs/heads/${branch}`, sha, head))
        throw new HttpError(409, 'Conflict: the branch moved');
      return {
        status: existing ? 200 : 201,
        body: { content: { path, sha: blob }, commit: { sha } },
      };
    });

    // -- compare
    on(`GET ${R}/compare/{basehead}`, (ctx) => {
      const basehead = ctx.op.params.basehead!;
      const m = /^(.+?)\.\.\.(.+)$/.exec(basehead);
      if (!m) throw new HttpError(404, 'Not Found');
      const base = this.git.resolveCommit(m[1]!);
      const head = this.git.resolveCommit(m[2]!);
      if (!base || !head) throw new HttpError(404, 'Not Found');
      const mb = this.git.mergeBase(base, head);
      if (!mb) throw new HttpError(404, `No common ancestor between ${m[1]} and ${m[2]}.`);
      const ahead = this.git.countCommits(`${mb}..${head}`);
      const behind = this.git.countCommits(`${mb}..${base}`);
      const status =
        base === head ? 'identical' : behind === 0 ? 'ahead' : ahead === 0 ? 'behind' : 'diverged';
      const files = this.git.diff(mb, head);
      const commits = this.git.commitsBetween(mb, head, COMPARE_COMMIT_CAP);
      return {
        status: 200,
        body: {
          url: `${this.apiUrl}/repos/${this.fullName}/compare/${basehead}`,
          html_url: `${this.serverUrl}/${this.fullName}/compare/${basehead}`,
          status,
          ahead_by: ahead,
          behind_by: behind,
          total_commits: ahead,
          base_commit: this.commitJson(base, false),
          merge_base_commit: this.commitJson(mb, false),
          commits: commits.map((c) => this.commitJson(c, false)),
          files: files.slice(0, COMPARE_FILE_CAP).map((f) => this.fileJson(f)),
        },
      };
    });

    // -- commits
    on(`GET ${R}/commits/{ref}`, (ctx) => {
      const sha = this.resolveOrThrow(ctx.op.params.ref!, 422, 'No commit found for SHA:');
      return { status: 200, body: this.commitJson(sha, true) };
    });
    on(`GET ${R}/commits`, (ctx) => {
      const head = this.resolveOrThrow(ctx.query.get('sha') ?? this.defaultBranch);
      const shas = this.git.run(['rev-list', head]).trim().split('\n').filter(Boolean);
      return this.paginate(shas, ctx, (page) => page.map((s) => this.commitJson(s, false)));
    });
    on(`GET ${R}/commits/{commit_sha}/pulls`, (ctx) => {
      const sha = ctx.op.params.commit_sha!;
      const pulls = [...this.issues.values()].filter(
        (i) => i.pull && (i.pull.merge_commit_sha === sha || i.pull.commits.includes(sha)),
      );
      return this.paginate(pulls, ctx, (page) => page.map((i) => this.pullJson(i)));
    });
    on(`GET ${R}/commits/{commit_sha}/comments`, (ctx) => {
      const sha = ctx.op.params.commit_sha!;
      const list = this.commitComments.filter((c) => c.commit_id === sha);
      return this.paginate(list, ctx, (page) =>
        page.map((c) => ({
          id: c.id,
          body: c.body,
          user: this.userJson(c.user),
          created_at: c.created_at,
          updated_at: c.updated_at,
          commit_id: c.commit_id,
          path: null,
          position: null,
          line: null,
        })),
      );
    });
    on(`POST ${R}/commits/{commit_sha}/comments`, (ctx) => {
      const sha = this.resolveOrThrow(ctx.op.params.commit_sha!, 422);
      const id = this.commitComment(sha, String(ctx.body.body), this.tokenUser);
      return {
        status: 201,
        body: { id, body: ctx.body.body, commit_id: sha, user: this.userJson(this.tokenUser) },
      };
    });

    // -- statuses
    on(`POST ${R}/statuses/{sha}`, (ctx) => {
      const sha = ctx.op.params.sha!;
      if (this.git.objectType(sha) !== 'commit')
        throw new HttpError(422, `No commit found for SHA: ${sha}`);
      const description = (ctx.body.description as string | undefined) ?? null;
      if (description !== null && description.length > STATUS_DESCRIPTION_MAX) {
        throw new HttpError(422, 'Validation Failed', {
          errors: [
            {
              resource: 'Status',
              code: 'custom',
              field: 'description',
              message: 'description is too long (maximum is 140 characters)',
            },
          ],
        });
      }
      const rec: StatusRecord = {
        id: this.id(),
        state: String(ctx.body.state),
        description,
        target_url: (ctx.body.target_url as string | undefined) ?? null,
        context: (ctx.body.context as string | undefined) ?? 'default',
        created_at: iso(this.clock()),
        creator: this.tokenUser,
      };
      const list = this.statuses.get(sha) ?? [];
      list.unshift(rec);
      this.statuses.set(sha, list);
      return {
        status: 201,
        body: {
          ...rec,
          creator: this.userJson(rec.creator),
          url: `${this.apiUrl}/repos/${this.fullName}/statuses/${sha}`,
        },
      };
    });
    // -- deployments (SPEC §21)
    on(`POST ${R}/deployments`, (ctx) => this.deployments.create(ctx.body));
    on(`GET ${R}/deployments`, (ctx) =>
      this.paginate(this.deployments.find(ctx.query), ctx, (page) =>
        page.map((d) => this.deployments.json(d)),
      ),
    );
    on(`GET ${R}/deployments/{deployment_id}`, (ctx) => ({
      status: 200,
      body: this.deployments.json(this.deployments.get(Number(ctx.op.params.deployment_id))),
    }));
    on(`POST ${R}/deployments/{deployment_id}/statuses`, (ctx) =>
      this.deployments.addStatus(Number(ctx.op.params.deployment_id), ctx.body),
    );
    on(`GET ${R}/deployments/{deployment_id}/statuses`, (ctx) => {
      const d = this.deployments.get(Number(ctx.op.params.deployment_id));
      return this.paginate(d.statuses, ctx, (page) =>
        page.map((st) => this.deployments.statusJson(d, st)),
      );
    });
    on(`GET ${R}/commits/{ref}/statuses`, (ctx) => {
      const sha = this.resolveOrThrow(ctx.op.params.ref!);
      return this.paginate(this.statusesFor(sha), ctx, (page) =>
        page.map((s) => ({ ...s, creator: this.userJson(s.creator) })),
      );
    });

    // -- git data: refs
    const refJson = (ref: string, sha: string): Record<string, unknown> => {
      const type = this.git.objectType(sha) ?? 'commit';
      return {
        ref,
        node_id: `REF_${ref}`,
        url: `${this.apiUrl}/repos/${this.fullName}/git/${ref}`,
        object: {
          sha,
          type,
          url: `${this.apiUrl}/repos/${this.fullName}/git/${type === 'tag' ? 'tags' : 'commits'}/${sha}`,
        },
      };
    };
    on(`GET ${R}/git/ref/{ref}`, (ctx) => {
      const ref = `refs/${ctx.op.params.ref}`;
      const sha = this.git.readRef(ref);
      if (!sha || !ctx.op.params.ref!.match(/^(heads|tags)\//))
        throw new HttpError(404, 'Not Found');
      return { status: 200, body: refJson(ref, sha) };
    });
    on(`GET ${R}/git/matching-refs/{ref}`, (ctx) => {
      const prefix = `refs/${ctx.op.params.ref}`;
      // GitHub matches the start of the name: refs/tags/v1 lists refs/tags/v1.2.0 too.
      const refs = this.git.listRefs(prefix);
      return { status: 200, body: refs.map((r) => refJson(r.ref, r.sha)) };
    });
    on(`POST ${R}/git/refs`, (ctx) => {
      const ref = String(ctx.body.ref);
      const sha = String(ctx.body.sha);
      if (!/^refs\/[^/]+\/.+/.test(ref))
        throw new HttpError(422, `${ref} is not a valid ref name.`);
      const type = this.git.objectType(sha);
      // A tag ref may point at an annotated tag object; a branch only at a commit.
      if (type !== 'commit' && !(type === 'tag' && ref.startsWith('refs/tags/')))
        throw new HttpError(422, 'Object does not exist');
      if (!this.git.casRef(ref, sha, null)) throw new HttpError(422, 'Reference already exists');
      return { status: 201, body: refJson(ref, sha) };
    });
    on(`PATCH ${R}/git/refs/{ref}`, (ctx) => {
      const ref = `refs/${ctx.op.params.ref}`;
      const sha = String(ctx.body.sha);
      const current = this.git.readRef(ref);
      if (!current) throw new HttpError(422, 'Reference does not exist');
      if (this.git.objectType(sha) !== 'commit') throw new HttpError(422, 'Object does not exist');
      const force = ctx.body.force === true;
      if (!force && !this.git.isAncestor(current, sha))
        throw new HttpError(422, 'Update is not a fast forward');
      // Compare-and-swap on what we checked, so two requests can never both win.
      if (!this.git.casRef(ref, sha, current))
        throw new HttpError(422, 'Update is not a fast forward');
      return { status: 200, body: refJson(ref, sha) };
    });
    on(`DELETE ${R}/git/refs/{ref}`, (ctx) => {
      const ref = `refs/${ctx.op.params.ref}`;
      if (!this.git.readRef(ref)) throw new HttpError(422, 'Reference does not exist');
      this.git.deleteRef(ref);
      return { status: 204 };
    });

    // -- git data: annotated tag objects
    const tagJson = (sha: string): Record<string, unknown> => {
      const t = this.git.readTag(sha)!;
      const tagger = /^(.*) <(.*)> (\d+) [+-]\d{4}$/.exec(t.tagger);
      return {
        node_id: `TAG_${sha}`,
        tag: t.tag,
        sha,
        url: `${this.apiUrl}/repos/${this.fullName}/git/tags/${sha}`,
        message: t.message,
        tagger: {
          name: tagger?.[1] ?? '',
          email: tagger?.[2] ?? '',
          date: iso(new Date(Number(tagger?.[3] ?? 0) * 1000)),
        },
        object: {
          type: t.type,
          sha: t.object,
          url: `${this.apiUrl}/repos/${this.fullName}/git/${t.type}s/${t.object}`,
        },
        verification: {
          verified: false,
          reason: 'unsigned',
          signature: null,
          payload: null,
          verified_at: null,
        },
      };
    };
    on(`POST ${R}/git/tags`, (ctx) => {
      const object = String(ctx.body.object);
      const type = String(ctx.body.type);
      if (this.git.objectType(object) !== type)
        throw new HttpError(422, `Object ${object} is not a ${type}`);
      const given = ctx.body.tagger as { name: string; email: string; date?: string } | undefined;
      const sha = this.git.writeTag({
        object,
        type,
        tag: String(ctx.body.tag),
        message: String(ctx.body.message),
        tagger: given
          ? { name: given.name, email: given.email, date: given.date ?? iso(this.clock()) }
          : this.person(this.tokenUser),
      });
      return { status: 201, body: tagJson(sha) };
    });
    on(`GET ${R}/git/tags/{tag_sha}`, (ctx) => {
      const sha = ctx.op.params.tag_sha!;
      if (this.git.objectType(sha) !== 'tag') throw new HttpError(404, 'Not Found');
      return { status: 200, body: tagJson(sha) };
    });

    // -- releases
    on(`POST ${R}/releases`, (ctx) => {
      const tag = String(ctx.body.tag_name);
      if (this.releaseList.some((r) => r.tag_name === tag))
        throw new HttpError(422, 'Validation Failed', {
          errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
        });
      if (!this.git.readRef(`refs/tags/${tag}`)) {
        // GitHub creates a missing tag (lightweight) at target_commitish, the default branch by default.
        const target = this.git.resolveCommit(
          String(ctx.body.target_commitish ?? this.defaultBranch),
        );
        if (!target) throw new HttpError(422, 'Validation Failed');
        this.git.casRef(`refs/tags/${tag}`, target, null);
      }
      const rec: ReleaseRecord = {
        id: this.id(),
        tag_name: tag,
        name: (ctx.body.name as string | undefined) ?? tag,
        body: (ctx.body.body as string | undefined) ?? '',
        draft: ctx.body.draft === true,
        prerelease: ctx.body.prerelease === true,
        author: this.tokenUser,
        created_at: iso(this.clock()),
      };
      this.releaseList.push(rec);
      return { status: 201, body: this.releaseJson(rec) };
    });
    on(`GET ${R}/releases/tags/{tag}`, (ctx) => {
      const rec = this.releaseList.find((r) => r.tag_name === ctx.op.params.tag);
      if (!rec) throw new HttpError(404, 'Not Found');
      return { status: 200, body: this.releaseJson(rec) };
    });
    on(`GET ${R}/releases`, (ctx) =>
      this.paginate([...this.releaseList].reverse(), ctx, (page) =>
        page.map((r) => this.releaseJson(r)),
      ),
    );

    // -- git data: trees, commits, blobs
    on(`POST ${R}/git/trees`, (ctx) => {
      const baseTree = (ctx.body.base_tree as string | undefined) ?? null;
      if (baseTree && this.git.objectType(baseTree) !== 'tree')
        throw new HttpError(422, 'Invalid request.\n\nbase_tree is not a valid tree');
      const items = ctx.body.tree as {
        path: string;
        mode: string;
        type: string;
        sha?: string | null;
        content?: string;
      }[];
      const entries = items.map((item) => {
        if (item.content !== undefined && item.sha !== undefined)
          throw new HttpError(422, 'Invalid request.\n\nOnly one of sha or content may be given.');
        if (item.content !== undefined)
          return { path: item.path, mode: item.mode, sha: this.git.hashBlob(item.content) };
        if (item.sha === null) return { path: item.path, mode: item.mode, sha: null };
        if (!item.sha || !this.git.objectType(item.sha))
          throw new HttpError(422, `Invalid request.\n\ntree.sha ${item.sha} is not a valid blob`);
        return { path: item.path, mode: item.mode, sha: item.sha };
      });
      const sha = this.git.buildTree(baseTree, entries);
      return {
        status: 201,
        body: {
          sha,
          url: `${this.apiUrl}/repos/${this.fullName}/git/trees/${sha}`,
          tree: this.git.lsTree(sha, false),
          truncated: false,
        },
      };
    });
    on(`GET ${R}/git/trees/{tree_sha}`, (ctx) => {
      const ref = ctx.op.params.tree_sha!;
      const sha = this.git.objectType(ref) === 'tree' ? ref : this.git.resolveCommit(ref);
      if (!sha) throw new HttpError(404, 'Not Found');
      const recursive = ctx.query.has('recursive');
      const all = this.git.lsTree(sha, recursive);
      const truncated = all.length > this.treeEntryLimit;
      const treeSha = this.git.objectType(sha) === 'tree' ? sha : this.git.readCommit(sha)!.tree;
      return {
        status: 200,
        body: {
          sha: treeSha,
          url: `${this.apiUrl}/repos/${this.fullName}/git/trees/${treeSha}`,
          tree: all.slice(0, this.treeEntryLimit),
          truncated,
        },
      };
    });
    on(`POST ${R}/git/commits`, (ctx) => {
      const tree = String(ctx.body.tree);
      if (this.git.objectType(tree) !== 'tree') throw new HttpError(422, 'Tree SHA does not exist');
      const parents = (ctx.body.parents as string[] | undefined) ?? [];
      for (const p of parents)
        if (this.git.objectType(p) !== 'commit')
          throw new HttpError(422, 'Parent SHA does not exist or is not a commit object');
      const a = ctx.body.author as { name: string; email: string; date?: string } | undefined;
      const author = a
        ? { name: a.name, email: a.email, date: a.date ?? iso(this.clock()) }
        : this.person(this.tokenUser);
      const sha = this.git.commitTree(tree, parents, String(ctx.body.message), author);
      const c = this.git.readCommit(sha)!;
      return {
        status: 201,
        body: {
          sha,
          url: `${this.apiUrl}/repos/${this.fullName}/git/commits/${sha}`,
          message: c.message,
          tree: { sha: tree },
          parents: parents.map((p) => ({ sha: p })),
          author: c.author,
          committer: c.committer,
        },
      };
    });
    on(`GET ${R}/git/commits/{commit_sha}`, (ctx) => {
      const c = this.git.readCommit(ctx.op.params.commit_sha!);
      if (!c) throw new HttpError(404, 'Not Found');
      return {
        status: 200,
        body: {
          sha: c.sha,
          message: c.message,
          tree: { sha: c.tree },
          parents: c.parents.map((p) => ({ sha: p })),
          author: c.author,
          committer: c.committer,
        },
      };
    });
    on(`POST ${R}/git/blobs`, (ctx) => {
      const encoding = (ctx.body.encoding as string | undefined) ?? 'utf-8';
      const content = String(ctx.body.content);
      const sha = this.git.hashBlob(
        encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8'),
      );
      return {
        status: 201,
        body: { sha, url: `${this.apiUrl}/repos/${this.fullName}/git/blobs/${sha}` },
      };
    });
    on(`GET ${R}/git/blobs/{file_sha}`, (ctx) => {
      const sha = ctx.op.params.file_sha!;
      const blob = this.git.objectType(sha) === 'blob' ? this.git.readBlob(sha) : null;
      if (!blob) throw new HttpError(404, 'Not Found');
      return {
        status: 200,
        body: { sha, size: blob.length, encoding: 'base64', content: blob.toString('base64') },
      };
    });

    // -- pulls
    on(`GET ${R}/pulls/{pull_number}`, (ctx) => {
      const i = this.mustIssue(Number(ctx.op.params.pull_number));
      if (!i.pull) throw new HttpError(404, 'Not Found');
      return { status: 200, body: this.pullJson(i) };
    });
    on(`GET ${R}/pulls/{pull_number}/files`, (ctx) => {
      const i = this.mustIssue(Number(ctx.op.params.pull_number));
      if (!i.pull) throw new HttpError(404, 'Not Found');
      return this.paginate(i.pull.files.slice(0, 3000), ctx, (page) =>
        page.map((f) => this.fileJson(f)),
      );
    });

    // -- issues
    on(`GET ${R}/issues`, (ctx) => {
      const state = ctx.query.get('state') ?? 'open';
      const labels = (ctx.query.get('labels') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const list = [...this.issues.values()]
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        .sort((a, b) => b.number - a.number);
      return this.paginate(list, ctx, (page) => page.map((i) => this.issueJson(i)));
    });
    on(`POST ${R}/issues`, (ctx) => {
      const labels = ((ctx.body.labels as (string | { name: string })[] | undefined) ?? []).map(
        (l) => (typeof l === 'string' ? l : l.name),
      );
      const number = this.openIssue({
        title: String(ctx.body.title),
        body: (ctx.body.body as string | undefined) ?? '',
        labels,
        author: this.tokenUser,
      });
      return { status: 201, body: this.issueJson(this.issues.get(number)!) };
    });
    on(`GET ${R}/issues/{issue_number}`, (ctx) => ({
      status: 200,
      body: this.issueJson(this.mustIssue(Number(ctx.op.params.issue_number))),
    }));
    on(`PATCH ${R}/issues/{issue_number}`, (ctx) => {
      const i = this.mustIssue(Number(ctx.op.params.issue_number));
      if (ctx.body.state === 'closed' || ctx.body.state === 'open') {
        i.state = ctx.body.state;
        i.closed_at = i.state === 'closed' ? iso(this.clock()) : null;
      }
      if (typeof ctx.body.title === 'string') i.title = ctx.body.title;
      if (typeof ctx.body.body === 'string') i.body = ctx.body.body;
      i.updated_at = iso(this.clock());
      return { status: 200, body: this.issueJson(i) };
    });
    on(`POST ${R}/issues/{issue_number}/labels`, (ctx) => {
      const n = Number(ctx.op.params.issue_number);
      const labels = ((ctx.body.labels as (string | { name: string })[] | undefined) ?? []).map(
        (l) => (typeof l === 'string' ? l : l.name),
      );
      for (const l of labels) this.label(n, l, this.tokenUser);
      return {
        status: 200,
        body: this.mustIssue(n).labels.map((name) => ({ id: hashCode(name), name })),
      };
    });
    on(`GET ${R}/issues/{issue_number}/comments`, (ctx) => {
      const n = Number(ctx.op.params.issue_number);
      this.mustIssue(n);
      return this.paginate(this.commentsOf(n), ctx, (page) =>
        page.map((c) => this.commentJson(c, n)),
      );
    });
    on(`POST ${R}/issues/{issue_number}/comments`, (ctx) => {
      const n = Number(ctx.op.params.issue_number);
      const id = this.comment(n, String(ctx.body.body), this.tokenUser);
      return {
        status: 201,
        body: this.commentJson(
          this.commentsOf(n).find((c) => c.id === id)!,
          n,
        ),
      };
    });
    on(`PATCH ${R}/issues/comments/{comment_id}`, (ctx) => {
      const id = Number(ctx.op.params.comment_id);
      for (const [n, list] of this.comments) {
        const c = list.find((x) => x.id === id);
        if (!c) continue;
        c.body = String(ctx.body.body);
        c.updated_at = iso(this.clock());
        return { status: 200, body: this.commentJson(c, n) };
      }
      throw new HttpError(404, 'Not Found');
    });
    on(`GET ${R}/issues/{issue_number}/events`, (ctx) => {
      const n = Number(ctx.op.params.issue_number);
      this.mustIssue(n);
      return this.paginate(this.eventsOf(n), ctx, (page) =>
        page.map((e) => ({
          id: e.id,
          node_id: `LE_${e.id}`,
          event: e.event,
          actor: this.userJson(e.actor),
          label: { name: e.label, color: 'ededed' },
          created_at: e.created_at,
        })),
      );
    });
    on(`GET ${R}/issues/{issue_number}/timeline`, (ctx) => {
      const n = Number(ctx.op.params.issue_number);
      this.mustIssue(n);
      const items = [
        ...this.eventsOf(n).map((e) => ({
          id: e.id,
          event: e.event,
          actor: this.userJson(e.actor),
          label: { name: e.label, color: 'ededed' },
          created_at: e.created_at,
        })),
        ...this.commentsOf(n).map((c) => ({
          ...this.commentJson(c, n),
          event: 'commented',
          actor: this.userJson(c.user),
        })),
      ].sort((a, b) =>
        String((a as { created_at?: string }).created_at).localeCompare(
          String((b as { created_at?: string }).created_at),
        ),
      );
      return this.paginate(items, ctx);
    });
    // The token's own user (the CLI's rollback names its actor from it).
    this.on('GET /user', () => ({ status: 200, body: this.userJson(this.tokenUser) }));
    this.on('GET /search/issues', (ctx) => {
      const q = ctx.query.get('q') ?? '';
      const filter = parseSearch(q, this.fullName);
      const list = [...this.issues.values()].filter(filter).sort((a, b) => b.number - a.number);
      return this.paginate(list, ctx, (page) => ({
        total_count: list.length,
        incomplete_results: false,
        items: page.map((i) => this.issueJson(i)),
      }));
    });

    // -- team membership (approvers that are org/team slugs)
    on('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', (ctx) => {
      if (this.teamsForbidden) throw new HttpError(403, 'Resource not accessible by integration');
      const { org, team_slug, username } = ctx.op.params;
      const members = this.teams.get(`${org}/${team_slug}`.toLowerCase());
      if (!members?.has(username!.toLowerCase())) throw new HttpError(404, 'Not Found');
      return {
        status: 200,
        body: {
          url: `${this.apiUrl}/orgs/${org}/teams/${team_slug}/memberships/${username}`,
          role: 'member',
          state: 'active',
        },
      };
    });

    // -- collaborators
    on(`GET ${R}/collaborators/{username}/permission`, (ctx) => {
      const u = this.users.get(ctx.op.params.username!);
      if (!u) throw new HttpError(404, 'Not Found');
      const role = u.role;
      const permission =
        role === 'admin'
          ? 'admin'
          : role === 'maintain' || role === 'write'
            ? 'write'
            : role === 'triage' || role === 'read'
              ? 'read'
              : 'none';
      return {
        status: 200,
        body: { permission, role_name: role ?? 'none', user: this.userJson(u.login) },
      };
    });

    // -- actions
    const findWorkflow = (idOrFile: string): WorkflowRecord => {
      const wf = this.workflows.find(
        (w) => String(w.id) === idOrFile || w.path.split('/').pop() === idOrFile,
      );
      if (!wf) throw new HttpError(404, 'Not Found');
      return wf;
    };
    const workflowJson = (wf: WorkflowRecord): Record<string, unknown> => ({
      id: wf.id,
      node_id: `W_${wf.id}`,
      name: wf.name,
      path: wf.path,
      state: 'active',
      url: `${this.apiUrl}/repos/${this.fullName}/actions/workflows/${wf.id}`,
      html_url: `${this.serverUrl}/${this.fullName}/blob/${this.defaultBranch}/${wf.path}`,
    });
    on(`GET ${R}/actions/workflows/{workflow_id}`, (ctx) => ({
      status: 200,
      body: workflowJson(findWorkflow(ctx.op.params.workflow_id!)),
    }));
    on(`POST ${R}/actions/workflows/{workflow_id}/dispatches`, (ctx) => {
      const wf = findWorkflow(ctx.op.params.workflow_id!);
      if (ctx.body.return_run_details !== undefined && this.rejectReturnRunDetails) {
        throw new HttpError(
          422,
          'Invalid request.\n\n"return_run_details" is not a permitted key.',
        );
      }
      if (!wf.dispatchInputs)
        throw new HttpError(422, "Workflow does not have 'workflow_dispatch' trigger");
      const ref = String(ctx.body.ref).replace(/^refs\/(heads|tags)\//, '');
      const sha = this.git.resolveCommit(ref);
      if (!sha || /^[0-9a-f]{40}$/.test(ref))
        throw new HttpError(422, `No ref found for: ${ctx.body.ref}`);
      const inputs = (ctx.body.inputs as Record<string, unknown> | undefined) ?? {};
      const unexpected = Object.keys(inputs).filter((k) => !(k in wf.dispatchInputs!));
      if (unexpected.length > 0)
        throw new HttpError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
      for (const [name, spec] of Object.entries(wf.dispatchInputs)) {
        if (spec.required && (inputs[name] === undefined || inputs[name] === ''))
          throw new HttpError(422, `Required input '${name}' not provided`);
      }
      const stringInputs = Object.fromEntries(
        Object.entries(inputs).map(([k, v]) => [k, String(v)]),
      );
      const title = wf.runName
        ? wf.runName.replace(
            /\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}/g,
            (_m, n: string) => stringInputs[n] ?? '',
          )
        : wf.name;
      const run = this.workflowRun({
        workflow: wf,
        headSha: sha,
        event: 'workflow_dispatch',
        branch: ref,
        conclusion: null,
        displayTitle: title,
        actor: this.tokenUser,
      });
      run.status = 'queued';
      run.inputs = stringInputs;
      if (ctx.body.return_run_details === true) {
        const json = this.runJson(run);
        return {
          status: 200,
          body: { workflow_run_id: run.id, run_url: json.url, html_url: json.html_url },
        };
      }
      return { status: 204 };
    });
    const listRuns = (ctx: Ctx, workflowId: number | null): Reply => {
      const q = ctx.query;
      const status = q.get('status');
      const list = this.runs
        .filter((r) => workflowId === null || r.workflow_id === workflowId)
        .filter((r) => !q.get('event') || r.event === q.get('event'))
        .filter((r) => !q.get('branch') || r.head_branch === q.get('branch'))
        .filter((r) => !q.get('head_sha') || r.head_sha === q.get('head_sha'))
        .filter((r) => !status || r.status === status || r.conclusion === status)
        .sort((a, b) => b.id - a.id);
      return this.paginate(list, ctx, (page) => ({
        total_count: list.length,
        workflow_runs: page.map((r) => this.runJson(r)),
      }));
    };
    on(`GET ${R}/actions/workflows/{workflow_id}/runs`, (ctx) =>
      listRuns(ctx, findWorkflow(ctx.op.params.workflow_id!).id),
    );
    on(`GET ${R}/actions/runs`, (ctx) => listRuns(ctx, null));
    on(`GET ${R}/actions/runs/{run_id}/artifacts`, (ctx) => {
      const list = this.artifacts.get(Number(ctx.op.params.run_id)) ?? [];
      return this.paginate(list, ctx, (page) => ({ total_count: list.length, artifacts: page }));
    });
    // The archive of an artifact: a redirect to its signed blob URL (which is not the API).
    on(`GET ${R}/actions/artifacts/{artifact_id}/{archive_format}`, (ctx) => {
      const id = Number(ctx.op.params.artifact_id);
      const record = [...this.artifacts.values()].flat().find((a) => a.id === id);
      if (!record || ctx.op.params.archive_format !== 'zip') throw new HttpError(404, 'Not Found');
      if (record.expired) throw new HttpError(410, 'Artifact has expired');
      return {
        status: 302,
        body: undefined,
        headers: { location: `${this.apiUrl}/artifact-blob/${id}.zip?sig=simulated` },
      };
    });
    on(`GET ${R}/actions/runs/{run_id}`, (ctx) => {
      const run = this.runs.find((r) => r.id === Number(ctx.op.params.run_id));
      if (!run) throw new HttpError(404, 'Not Found');
      return { status: 200, body: this.runJson(run) };
    });
  }
}

/** Routes GitHub answers with 409 "Git Repository is empty." before the first commit. */
const EMPTY_REPO_409 = new Set([
  'GET /repos/{owner}/{repo}/contents/{path}',
  'GET /repos/{owner}/{repo}/compare/{basehead}',
  'GET /repos/{owner}/{repo}/commits/{ref}',
  'GET /repos/{owner}/{repo}/commits',
  'GET /repos/{owner}/{repo}/git/ref/{ref}',
  'GET /repos/{owner}/{repo}/git/matching-refs/{ref}',
  'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
  'POST /repos/{owner}/{repo}/git/blobs',
  'POST /repos/{owner}/{repo}/git/trees',
  'POST /repos/{owner}/{repo}/git/commits',
]);

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function hashCode(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return Math.abs(h);
}

function loginFromEmail(email: string): string | null {
  const m = /^\d+\+(.+)@users\.noreply\.github\.com$/.exec(email);
  return m ? m[1]! : null;
}

/** The subset of GitHub's issue search syntax the governor may use. Unknown qualifiers are refused. */
function parseSearch(q: string, fullName: string): (i: IssueRecord) => boolean {
  const tokens = q.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  const preds: ((i: IssueRecord) => boolean)[] = [];
  for (const raw of tokens) {
    const t = raw.replace(/"/g, '');
    const [key, ...rest] = t.split(':');
    const value = rest.join(':');
    switch (key) {
      case 'repo':
        preds.push(() => value === fullName);
        break;
      case 'is':
      case 'type':
      case 'state':
        if (value === 'open' || value === 'closed') preds.push((i) => i.state === value);
        else if (value === 'issue') preds.push((i) => !i.pull);
        else if (value === 'pr' || value === 'pull-request') preds.push((i) => Boolean(i.pull));
        else if (value === 'merged') preds.push((i) => Boolean(i.pull?.merged_at));
        else throw new HttpError(422, `Validation Failed: unsupported qualifier ${t}`);
        break;
      case 'label': {
        // `label:a,b` is OR; repeated `label:` qualifiers are AND — as on GitHub.
        const any = value.split(',');
        preds.push((i) => any.some((l) => i.labels.includes(l)));
        break;
      }
      default:
        throw new HttpError(422, `Validation Failed: the simulator does not support ${t}`);
    }
  }
  return (i) => preds.every((p) => p(i));
}
