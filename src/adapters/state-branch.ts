// The state branch on GitHub. Reads are one GraphQL query (release.json and the SHA's decision
// record at one head). Writes are one createCommitOnBranch with expectedHeadOid: an atomic
// multi-file commit with a compare-and-swap on the head that was read. The branch itself is
// created once, as an orphan, through the git data API (createCommitOnBranch cannot create it).
import {
  decisionPath,
  emptyRelease,
  parseDecisionRecord,
  parseRecordIndex,
  parseRelease,
  RELEASE_FILE,
  STATE_README,
  StateCorruptError,
  serialize,
} from '../domain/state.js';
import type {
  EvidenceSnapshot,
  ReadExtras,
  StateSnapshot,
  StateStore,
  WriteResult,
} from '../ports.js';
import { WORKFLOWS_DIR } from '../domain/deploy-workflow.js';
import { apiError, outcomeUnknown } from './api-error.js';
import type { Octokit } from './octokit.js';

/** The Commit selection of more decision records, each under an alias (`d0`, `d1`…). */
function decisionFields(paths: readonly string[]): string {
  return paths
    .map(
      (p, i) =>
        `d${i}: file(path: ${JSON.stringify(p)}) { object { ... on Blob { text isTruncated } } }`,
    )
    .join('\n          ');
}

// The state, and what a decision needs before its compare, in one request (SPEC §19): the SHA's
// decision record, the config file at the SHA, and the open issues with their labels;
// with services, every service's record of the SHA and the SHA's record index (SPEC §20).
const readQuery = (
  more: readonly string[],
  index: string | undefined,
): string => `query ReleaseState($owner: String!, $name: String!, $ref: String!, $decision: String!,
    $commit: String!, $policy: String!, $withPolicy: Boolean!, $withIssues: Boolean!,
    $branch: String!, $policyPath: String!, $withBranch: Boolean!,
    $workflows: String!, $withWorkflows: Boolean!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) {
      target {
        oid
        ... on Commit {
          release: file(path: "${RELEASE_FILE}") { object { ... on Blob { text isTruncated } } }
          decision: file(path: $decision) { object { ... on Blob { text isTruncated } } }
          ${decisionFields(more)}
          ${index ? `recordIndex: file(path: ${JSON.stringify(index)}) { object { ... on Blob { text isTruncated } } }` : ''}
        }
      }
    }
    commit: object(expression: $commit) @include(if: $withPolicy) { oid }
    workflows: object(expression: $workflows) @include(if: $withWorkflows) {
      ... on Tree { entries { name object { ... on Blob { text isTruncated } } } }
    }
    branchHead: ref(qualifiedName: $branch) @include(if: $withBranch) {
      target {
        oid
        ... on Commit { policy: file(path: $policyPath) { object { ... on Blob { text isTruncated } } } }
      }
    }
    policy: object(expression: $policy) @include(if: $withPolicy) {
      ... on Blob { text isTruncated }
    }
    openIssues: issues(states: OPEN, first: 100, orderBy: { field: CREATED_AT, direction: DESC })
      @include(if: $withIssues) {
      totalCount
      nodes { number title labels(first: 50) { totalCount nodes { name } } }
    }
    openPulls: pullRequests(states: OPEN, first: 100, orderBy: { field: CREATED_AT, direction: DESC })
      @include(if: $withIssues) {
      totalCount
      nodes { number title labels(first: 50) { totalCount nodes { name } } }
    }
  }
}`;

// The whole chain in one query: every record's text at one head, with release.json.
const EVIDENCE_QUERY = `query Evidence($owner: String!, $name: String!, $ref: String!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) {
      target {
        oid
        ... on Commit {
          release: file(path: "${RELEASE_FILE}") { object { ... on Blob { text isTruncated } } }
          evidence: file(path: "evidence") {
            object { ... on Tree { entries { name object { ... on Blob { text isTruncated } } } } }
          }
        }
      }
    }
  }
}`;

interface EvidenceResponse {
  repository: {
    ref: {
      target: {
        oid: string;
        release?: BlobFile | null;
        evidence?: {
          object: { entries?: { name: string; object: BlobFile['object'] }[] } | null;
        } | null;
      };
    } | null;
  } | null;
}

const HEAD_QUERY = `query StateHead($owner: String!, $name: String!, $ref: String!) {
  repository(owner: $owner, name: $name) { ref(qualifiedName: $ref) { target { oid } } }
}`;

const WRITE_MUTATION = `mutation WriteState($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid } }
}`;

interface BlobFile {
  object: { text: string | null; isTruncated: boolean } | null;
}
interface ReadResponse {
  repository: {
    ref: { target: { oid: string; release?: BlobFile | null; decision?: BlobFile | null } } | null;
    commit?: { oid: string } | null;
    branchHead?: { target: { oid: string; policy?: BlobFile | null } } | null;
    workflows?: { entries?: { name: string; object: BlobFile['object'] }[] } | null;
    policy?: { text: string | null; isTruncated: boolean } | null;
    openIssues?: OpenList;
    openPulls?: OpenList;
  } | null;
}

/** Open issues or pull requests with their labels, as the state read lists them. */
interface OpenList {
  totalCount: number;
  nodes: {
    number: number;
    title: string;
    labels: { totalCount: number; nodes: { name: string }[] } | null;
  }[];
}

/** Whether a list holds every open item and every label of each. */
function whole(list: OpenList): boolean {
  return (
    list.totalCount <= list.nodes.length &&
    list.nodes.every((i) => (i.labels?.totalCount ?? 0) <= (i.labels?.nodes.length ?? 0))
  );
}

interface GraphqlErrorLike {
  errors?: { type?: string; message?: string }[];
  status?: number;
  message?: string;
}

/** A 5xx, or no HTTP answer at all (a GraphQL error list is an answer). */
function isUnanswered(err: GraphqlErrorLike): boolean {
  return !err.errors && outcomeUnknown(err.status);
}

function unanswered(err: GraphqlErrorLike): string {
  return err.status !== undefined ? `HTTP ${err.status}` : (err.message ?? 'no answer');
}

function graphqlMessage(err: GraphqlErrorLike): string {
  const first = err.errors?.[0];
  const text = [first?.type, first?.message].filter(Boolean).join(': ');
  return (text || err.message || 'an error').slice(0, 300);
}

function blobText(file: BlobFile | null | undefined, path: string): string | null {
  if (!file?.object) return null;
  if (file.object.isTruncated || file.object.text === null)
    throw new StateCorruptError(path, 'the file is too large or not text');
  return file.object.text;
}

export class GitHubStateStore implements StateStore {
  constructor(
    private readonly octokit: Octokit,
    private readonly owner: string,
    private readonly repo: string,
    readonly branch: string,
  ) {}

  async read(sha?: string, decisionFile?: string, extras: ReadExtras = {}): Promise<StateSnapshot> {
    const file = sha ? (decisionFile ?? decisionPath(sha)) : null;
    const more = extras.decisionFiles ?? [];
    const withPolicy = sha !== undefined && extras.policyPath !== undefined;
    const policyPath = (extras.policyPath ?? '').replace(/^\.?\//, '');
    const withBranch = extras.branch !== undefined;
    let data: ReadResponse;
    try {
      data = await this.octokit.graphql<ReadResponse>(readQuery(more, extras.recordIndex), {
        owner: this.owner,
        name: this.repo,
        ref: `refs/heads/${this.branch}`,
        // A path that cannot exist keeps the query one shape when no SHA is asked for.
        decision: file ?? 'decisions/.none',
        commit: withPolicy ? sha : '',
        policy: withPolicy ? `${sha}:${policyPath}` : '',
        withPolicy,
        withIssues: extras.openIssues === true,
        branch: withBranch ? `refs/heads/${extras.branch}` : '',
        // A path that cannot exist when no config path is known: only the head is wanted then.
        policyPath: policyPath || '.none',
        withBranch,
        workflows: extras.workflowsAt ? `${extras.workflowsAt}:${WORKFLOWS_DIR}` : '',
        withWorkflows: extras.workflowsAt !== undefined,
      });
    } catch (e) {
      throw apiError(`Reading the state branch ${this.branch}`, e);
    }
    if (!data.repository)
      throw apiError(`Reading the state branch ${this.branch}`, {
        status: 404,
        message: `repository ${this.owner}/${this.repo} not found`,
      });
    const extraFields: Pick<
      StateSnapshot,
      'policyAtSha' | 'openIssues' | 'branchHead' | 'workflows'
    > = {};
    if (withPolicy) {
      const p = data.repository.policy ?? null;
      // No such commit, or a file too large to come back whole: the contents API reads it (and
      // says which).
      if (data.repository.commit && !p?.isTruncated) extraFields.policyAtSha = p?.text ?? null;
    }
    if (extras.workflowsAt !== undefined) {
      const entries = data.repository.workflows?.entries;
      extraFields.workflows = entries
        ? {
            ref: extras.workflowsAt,
            files: Object.fromEntries(
              entries.map((e) => [
                e.name,
                e.object && !e.object.isTruncated ? (e.object.text ?? null) : null,
              ]),
            ),
          }
        : null;
    }
    if (withBranch) {
      const t = data.repository.branchHead?.target;
      const p = t?.policy?.object;
      extraFields.branchHead = t
        ? {
            branch: extras.branch!,
            sha: t.oid,
            policy: !extras.policyPath || p?.isTruncated ? undefined : (p?.text ?? null),
          }
        : null;
    }
    const issues = data.repository.openIssues;
    const pulls = data.repository.openPulls;
    if (issues) {
      const items = (list: OpenList, pull: boolean) =>
        list.nodes.map((i) => ({
          number: i.number,
          title: i.title,
          labels: (i.labels?.nodes ?? []).map((l) => l.name),
          pull,
        }));
      extraFields.openIssues = {
        complete: whole(issues) && (!pulls || whole(pulls)),
        issues: [...items(issues, false), ...(pulls ? items(pulls, true) : [])],
      };
    }
    const target = data.repository.ref?.target;
    if (!target) return { head: null, release: emptyRelease(), decision: null, ...extraFields };
    const releaseText = blobText(target.release, RELEASE_FILE);
    if (releaseText === null)
      throw new StateCorruptError(
        RELEASE_FILE,
        `the branch ${this.branch} exists but has no ${RELEASE_FILE}`,
      );
    const release = parseRelease(releaseText, `${this.branch}:${RELEASE_FILE}`);
    const decisionText = file ? blobText(target.decision, file) : null;
    const decision =
      sha && decisionText !== null
        ? parseDecisionRecord(decisionText, `${this.branch}:${file}`)
        : null;
    const files = target as unknown as Record<string, BlobFile | null | undefined>;
    const decisions = more.length
      ? {
          decisions: Object.fromEntries(
            more.map((p, i) => {
              const text = blobText(files[`d${i}`], p);
              return [p, text === null ? null : parseDecisionRecord(text, `${this.branch}:${p}`)];
            }),
          ),
        }
      : {};
    const indexText = extras.recordIndex
      ? blobText(files.recordIndex, extras.recordIndex)
      : undefined;
    const recordIndex =
      indexText === undefined
        ? {}
        : {
            recordIndex:
              indexText === null
                ? null
                : parseRecordIndex(indexText, `${this.branch}:${extras.recordIndex}`),
          };
    return { head: target.oid, release, decision, ...extraFields, ...decisions, ...recordIndex };
  }

  /** release.json and every `evidence/*.json`, at one head, in one request. */
  async readEvidence(): Promise<EvidenceSnapshot> {
    let data: EvidenceResponse;
    try {
      data = await this.octokit.graphql<EvidenceResponse>(EVIDENCE_QUERY, {
        owner: this.owner,
        name: this.repo,
        ref: `refs/heads/${this.branch}`,
      });
    } catch (e) {
      throw apiError(`Reading the evidence on ${this.branch}`, e);
    }
    const target = data.repository?.ref?.target;
    if (!target) return { head: null, release: null, files: [] };
    const releaseText = blobText(target.release, RELEASE_FILE);
    const release = releaseText === null ? null : parseRelease(releaseText, RELEASE_FILE);
    const files = (target.evidence?.object?.entries ?? []).map((e) => ({
      path: `evidence/${e.name}`,
      text: blobText({ object: e.object }, `evidence/${e.name}`) ?? '',
    }));
    return { head: target.oid, release, files };
  }

  async write(
    base: StateSnapshot,
    files: Record<string, string>,
    message: string,
  ): Promise<WriteResult> {
    // The first commit carries release.json (all fields present, null) whatever else it writes.
    if (base.head === null)
      return this.create({ [RELEASE_FILE]: serialize(base.release), ...files }, message);
    const [headline, ...body] = message.split('\n');
    try {
      const r = await this.octokit.graphql<{ createCommitOnBranch: { commit: { oid: string } } }>(
        WRITE_MUTATION,
        {
          input: {
            branch: {
              repositoryNameWithOwner: `${this.owner}/${this.repo}`,
              branchName: this.branch,
            },
            expectedHeadOid: base.head,
            message: { headline, ...(body.length ? { body: body.join('\n').trim() } : {}) },
            fileChanges: {
              additions: Object.entries(files).map(([path, content]) => ({
                path,
                contents: Buffer.from(content, 'utf8').toString('base64'),
              })),
            },
          },
        },
      );
      return { kind: 'written', head: r.createCommitOnBranch.commit.oid };
    } catch (e) {
      const err = e as GraphqlErrorLike;
      // A lost response: the commit may or may not exist. Re-reading tells; the caller
      // recognises its own claim by `claimed_by`.
      if (isUnanswered(err))
        return { kind: 'unknown', detail: `GitHub did not confirm the write (${unanswered(err)})` };
      // GitHub refused the commit. A lost race is documented as STALE_DATA, but other wordings
      // occur under real concurrency, so the head decides, never the message: moved → a race
      // (re-read, re-evaluate, retry); still where it was read → a real error.
      if (err.errors) {
        let head: string | null | undefined;
        try {
          head = await this.head();
        } catch (readError) {
          return {
            kind: 'unknown',
            detail: `GitHub refused the write (${graphqlMessage(err)}) and the branch head could not be re-read (${(readError as Error).message})`,
          };
        }
        if (head !== base.head)
          return {
            kind: 'conflict',
            detail: `the state branch moved since it was read (GitHub said: ${graphqlMessage(err)})`,
          };
      }
      throw apiError(`Writing the state branch ${this.branch}`, e, {
        403: `The token cannot write ${this.branch}: the workflow needs contents: write, and branch protection or rulesets must let GitHub Actions push to ${this.branch}.`,
      });
    }
  }

  /** The branch head now, or null when the branch does not exist. */
  private async head(): Promise<string | null> {
    const data = await this.octokit.graphql<{
      repository: { ref: { target: { oid: string } } | null } | null;
    }>(HEAD_QUERY, { owner: this.owner, name: this.repo, ref: `refs/heads/${this.branch}` });
    return data.repository?.ref?.target.oid ?? null;
  }

  /** The orphan branch: README.md and the files, no parent, created with a race-safe POST. */
  private async create(files: Record<string, string>, message: string): Promise<WriteResult> {
    const o = { owner: this.owner, repo: this.repo };
    try {
      const tree = await this.octokit.rest.git.createTree({
        ...o,
        tree: Object.entries({ 'README.md': STATE_README, ...files }).map(([path, content]) => ({
          path,
          mode: '100644' as const,
          type: 'blob' as const,
          content,
        })),
        request: { idempotent: true },
      } as never);
      const commit = await this.octokit.rest.git.createCommit({
        ...o,
        message,
        tree: tree.data.sha,
        parents: [],
        // Content-addressed: repeating it makes the same object, so a 5xx can be retried.
        request: { idempotent: true },
      } as never);
      await this.octokit.rest.git.createRef({
        ...o,
        ref: `refs/heads/${this.branch}`,
        sha: commit.data.sha,
        request: { idempotent: false },
      } as never);
      return { kind: 'written', head: commit.data.sha };
    } catch (e) {
      const err = e as GraphqlErrorLike & { response?: { data?: { message?: string } } };
      if (
        err.status === 422 &&
        /Reference already exists/.test(err.response?.data?.message ?? err.message ?? '')
      ) {
        return { kind: 'conflict', detail: `another run created ${this.branch} first` };
      }
      if (isUnanswered(err))
        return {
          kind: 'unknown',
          detail: `GitHub did not confirm the creation of ${this.branch} (${unanswered(err)})`,
        };
      throw apiError(`Creating the state branch ${this.branch}`, e, {
        403: `The token cannot create ${this.branch}: the workflow needs contents: write, and rulesets must allow creating it.`,
        409: 'The repository is empty: push a first commit before deploying.',
      });
    }
  }
}

/** The in-memory twin, for unit tests of the protocol. Same compare-and-swap semantics. */
export class MemoryStateStore implements StateStore {
  private commits: { head: string; files: Map<string, string> }[] = [];
  writes = 0;

  get files(): Map<string, string> | null {
    return this.commits.at(-1)?.files ?? null;
  }

  async read(sha?: string, decisionFile?: string, extras?: ReadExtras): Promise<StateSnapshot> {
    const top = this.commits.at(-1);
    if (!top) return { head: null, release: emptyRelease(), decision: null };
    const text = top.files.get(RELEASE_FILE);
    if (text === undefined) throw new StateCorruptError(RELEASE_FILE, 'missing');
    const file = sha ? (decisionFile ?? decisionPath(sha)) : null;
    const d = file ? top.files.get(file) : undefined;
    const more = extras?.decisionFiles ?? [];
    const index = extras?.recordIndex;
    const indexText = index ? top.files.get(index) : undefined;
    return {
      ...(index
        ? { recordIndex: indexText === undefined ? null : parseRecordIndex(indexText, index) }
        : {}),
      head: top.head,
      release: parseRelease(text),
      decision: file && d !== undefined ? parseDecisionRecord(d, file) : null,
      ...(more.length
        ? {
            decisions: Object.fromEntries(
              more.map((p) => {
                const t = top.files.get(p);
                return [p, t === undefined ? null : parseDecisionRecord(t, p)];
              }),
            ),
          }
        : {}),
    };
  }

  async write(
    base: StateSnapshot,
    files: Record<string, string>,
    _message: string,
  ): Promise<WriteResult> {
    const top = this.commits.at(-1);
    if ((top?.head ?? null) !== base.head) return { kind: 'conflict', detail: 'head moved' };
    const next = new Map(
      top?.files ?? [
        ['README.md', STATE_README],
        [RELEASE_FILE, serialize(base.release)],
      ],
    );
    for (const [p, c] of Object.entries(files)) next.set(p, c);
    const head = `m${String(this.commits.length + 1).padStart(39, '0')}`;
    this.commits.push({ head, files: next });
    this.writes++;
    return { kind: 'written', head };
  }
}
