// The interfaces the governor sees. Adapters implement them for GitHub, for a local clone and,
// in tests, in memory.
import type { Actor, ApprovalFacts } from './domain/approvals.js';
import type { CompareStatus } from './domain/types.js';
import type { ChangedFile } from './domain/risk.js';
import type { DecisionRecord, Release } from './domain/state.js';
import type { Tag, VersionPull } from './domain/version.js';

export interface StateSnapshot {
  /** The state branch's head commit; null when the branch does not exist yet. */
  head: string | null;
  release: Release;
  /** The decision record of the SHA asked for in read(), if it has one. */
  decision: DecisionRecord | null;
  /** When `release` is one stage's view (StageStore): the whole release.json, every stage. */
  pipeline?: Release;
  /** The config file at the SHA read for (ReadExtras.policyPath): its text, null when absent. */
  policyAtSha?: string | null;
  /** The repository's open issues with their labels, read with the state (ReadExtras.openIssues). */
  openIssues?: OpenIssues;
  /**
   * The head of the branch asked for (ReadExtras.branch) and the config file there (null: absent;
   * undefined: not brought, too large); null when the branch does not exist.
   */
  branchHead?: { branch: string; sha: string; policy: string | null | undefined } | null;
  /**
   * The files of .github/workflows at a ref (ReadExtras.workflowsAt): name → text, null for a
   * file too large to come back whole. Null when the ref or the folder does not exist.
   */
  workflows?: { ref: string; files: Record<string, string | null> } | null;
  /** The decision records of ReadExtras.decisionFiles by path (null: the file does not exist). */
  decisions?: Record<string, DecisionRecord | null>;
  /** The paths ReadExtras.recordIndex lists (null: no index, so no service record yet). */
  recordIndex?: string[] | null;
}

/** What a state read may bring along in the same request (SPEC §19: one read before the compare). */
export interface ReadExtras {
  /** Read this file at the SHA too (the policy a first deploy or a new production is judged by). */
  policyPath?: string;
  /** Read the first page of open issues with their labels (incidents are filtered from it). */
  openIssues?: boolean;
  /**
   * Read this branch's head and the config file there too (reconcile: when the release branch's
   * head is what the stage runs, nothing can be ahead of it).
   */
  branch?: string;
  /** Read every file of .github/workflows at this ref too (rule 4 checks the deploy workflow). */
  workflowsAt?: string;
  /**
   * Read these decision records too (services, SPEC §20: one record per service and stage of
   * the SHA decided), at the same head.
   */
  decisionFiles?: string[];
  /**
   * Read this record index too (services, SPEC §20: `decisions/<sha>.services.json`, which
   * service and stage records the SHA has), at the same head.
   */
  recordIndex?: string;
}

export interface OpenIssues {
  /** Every open issue is listed (else a precise search is needed). */
  complete: boolean;
  /** Open issues, and open pull requests (`pull`: release blockers, §22). */
  issues: { number: number; title: string; labels: string[]; pull?: boolean }[];
}

/**
 * `conflict`: the branch moved, nothing was written. `unknown`: GitHub did not answer (5xx, lost
 * connection), so the commit may or may not exist; re-reading tells.
 */
export type WriteResult =
  | { kind: 'written'; head: string }
  | { kind: 'conflict'; detail: string }
  | { kind: 'unknown'; detail: string };

export interface StateStore {
  /**
   * Reads release.json and, when `sha` is given, the SHA's decision record, at one consistent
   * head. `decisionFile`: where that record is (a stage's own path); decisions/<sha>.json by
   * default. `extras`: what the same request brings along.
   */
  read(sha?: string, decisionFile?: string, extras?: ReadExtras): Promise<StateSnapshot>;
  /**
   * One commit on top of `base.head` with these files (paths → content), or the branch's first
   * commit when `base.head` is null. A compare-and-swap: `conflict` when the head moved.
   */
  write(base: StateSnapshot, files: Record<string, string>, message: string): Promise<WriteResult>;
}

/** The evidence chain as the state branch holds it (for `audit`). */
export interface EvidenceSnapshot {
  head: string | null;
  release: Release | null;
  files: { path: string; text: string }[];
}

export interface ArtifactInfo {
  name: string;
  id: number;
  size: number;
  digest: string | null;
  expired: boolean;
}

export interface CompareResult {
  status: CompareStatus;
  files: ChangedFile[];
  /** The compare API lists at most 300 files; true when it may have left some out. */
  capped: boolean;
  /** Oldest first; `time` is the committer's date (§23 lead time), when known. */
  commits: { sha: string; author: string | null; message: string; time?: string | null }[];
  totalCommits: number;
}

/** The successful verification run of a SHA (§17 artifacts, §22 freshness). */
export interface VerificationRun {
  id: number;
  url: string;
  conclusion: string | null;
  head_sha: string;
  /** Its completion time (updated_at of a completed run), §22; null when not completed. */
  completed_at: string | null;
}

export interface RunInfo {
  id: number;
  /** run_attempt: a re-run keeps the id and raises it. */
  attempt: number;
  /** The workflow's name. */
  name: string;
  headBranch: string | null;
  url: string;
  displayTitle: string;
  headSha: string;
  event: string;
  status: string | null;
  conclusion: string | null;
  createdAt: string;
  workflowId: number;
  path: string;
}

/** What a clone of the repository answers: files, history, tags (local mode implements these). */
export interface RepoReader {
  /** A file's text at a commit; null when it does not exist there. */
  readFile(ref: string, path: string): Promise<string | null>;
  compare(base: string, head: string): Promise<CompareResult>;
  /** Every blob path of a commit (path → mode:blob-sha), and whether the listing was cut. */
  treeFiles(commit: string): Promise<{ files: Map<string, string>; truncated: boolean }>;
  commitAuthor(sha: string): Promise<string | null>;
  /** Whether the commit is on the branch (the branch's head or one of its ancestors). */
  onBranch(sha: string, branch: string): Promise<boolean>;
  /** Open issues with any of `labels` (and open pull requests with `pulls`), by search. */
  openIncidents(
    labels: string[],
    opts?: { pulls?: boolean },
  ): Promise<{ number: number; title: string; labels: string[]; pull: boolean }[]>;
  approvalFacts(f: {
    headSha: string;
    headAuthor: string | null;
    commits: string[];
    branch: string;
    environment: string | undefined;
    /** The `org/team` approvers: each actor's membership in them is read (only when any). */
    teams: string[];
  }): Promise<ApprovalFacts>;
  /**
   * Deploy runs whose title names the SHA (run-name: Deploy <sha>) and, when `environment` is
   * given, that environment as a word of the title (Deploy <sha> to <environment>).
   */
  /** Deploy runs whose title names the SHA (and the environment, and the service, when given). */
  findDeployRuns(
    workflow: string,
    sha: string,
    environment?: string | null,
    service?: string | null,
  ): Promise<RunInfo[]>;
  /**
   * Whether the SHA has a successful push run of the verification workflow on the branch; null
   * where runs cannot be read (local mode: "verification not checked in local mode").
   */
  verified(workflow: string, sha: string, branch: string): Promise<boolean | null>;
  /**
   * Whether workflow runs and their artifacts can be read at all (false in local mode, where
   * they live on GitHub): rules that need them are reported "not checked in local mode".
   */
  readonly seesRuns: boolean;
  /**
   * The repository's tags (name → commit) when `withTags`, and the merged pull requests into
   * `branch` of `commits`, with their labels (§18).
   */
  releaseRange(f: { withTags: boolean; commits: string[]; branch: string }): Promise<{
    tags: Tag[];
    pulls: VersionPull[];
    /** Each commit's merged pull requests into the branch, by number (absent: not read). */
    commitPulls?: Record<string, number[]>;
  }>;
  /** The commit refs/tags/<name> resolves to; null when there is no such tag. */
  tagTarget(name: string): Promise<string | null>;
  /** The GitHub release of a tag, if any. */
  releaseOf(tag: string): Promise<{ url: string } | null>;
}

/** What only GitHub answers: workflow runs and artifacts, people, issues and comments. */
export interface GitHubReader {
  /** A person's repository role (collaborator permission API, role_name) and whether a bot. */
  person(login: string): Promise<Actor>;
  /** The newest successful push run of the verification workflow for the SHA on the branch. */
  verificationRun(workflow: string, sha: string, branch: string): Promise<VerificationRun | null>;
  /** The artifacts a workflow run uploaded (one request). */
  runArtifacts(runId: number): Promise<ArtifactInfo[]>;
  /** Every file of an artifact, by its path inside it (one download, SPEC §22). */
  artifactFiles(artifactId: number, runId: number): Promise<Map<string, Buffer>>;
  /** One workflow run by id. */
  run(id: number): Promise<RunInfo>;
  /** The head SHA of the newest successful push run of the verification workflow on the branch. */
  newestVerified(workflow: string, branch: string): Promise<string | null>;
  /** The newest open issue with exactly this title and these labels, if any. */
  findOpenIssue(title: string, labels: string[]): Promise<number | null>;
  /** The comments of an issue or pull request (ids and bodies), for the governor's notices. */
  comments(issue: number): Promise<{ id: number; body: string }[]>;
  /** The deployments of a SHA to an environment for a task (§21), newest first. */
  findDeployments(f: { sha: string; environment: string; task: string }): Promise<DeploymentInfo[]>;
}

/** A deployment status (SPEC §21), as GitHub names them. */
export type DeploymentState =
  'queued' | 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

/** A deployment of the exact SHA the governor dispatched (SPEC §21). */
export interface DeploymentRequest {
  sha: string;
  environment: string;
  /** The last stage: production. */
  production: boolean;
  task: 'deploy' | 'deploy:rollback';
  payload: Record<string, unknown>;
  description: string;
}

/** A deployment GitHub lists: its id and its payload (which names the governor's claim). */
export interface DeploymentInfo {
  id: number;
  payload: unknown;
}

/** What acts on the repository: dispatches, tags, releases, statuses, issues, comments. */
export interface RepoActor {
  /**
   * Inputs `{ sha }`, or `{ sha, environment }` for a stage of a configured pipeline, and
   * `version` (the release tag, §18) when the SHA has one.
   */
  dispatch(
    workflow: string,
    ref: string,
    sha: string,
    environment?: string | null,
    version?: string | null,
    /** Services (§20): `inputs.service`. */
    service?: string | null,
  ): Promise<{ runId: number; url: string } | null>;
  /** An annotated tag at `sha` (the tag object and refs/tags/<name>). */
  createTag(name: string, sha: string, message: string): Promise<void>;
  createRelease(r: {
    tag: string;
    name: string;
    body: string;
  }): Promise<{ url: string; created: boolean }>;
  setStatus(
    sha: string,
    state: 'success' | 'failure' | 'pending',
    description: string,
    targetUrl: string | null,
    context: string,
  ): Promise<void>;
  openIssue(title: string, body: string, labels: string[]): Promise<number>;
  /** A deployment of `sha` (§21): never retried by the client, found again instead. */
  createDeployment(d: DeploymentRequest): Promise<{ id: number }>;
  deploymentStatus(
    id: number,
    s: {
      state: DeploymentState;
      logUrl: string | null;
      environmentUrl: string | null;
      description: string;
    },
  ): Promise<void>;
  commentIssue(issue: number, body: string): Promise<void>;
  /** Edits the comment `id`, or creates one when `id` is null. */
  writeComment(issue: number, id: number | null, body: string): Promise<void>;
}

/**
 * The repository as the governor uses it: GitHub's API implements all of it; a local clone
 * implements RepoReader, and local mode's port refuses the rest (adapters/local-git.ts).
 */
export type RepoPort = RepoReader & GitHubReader & RepoActor;
