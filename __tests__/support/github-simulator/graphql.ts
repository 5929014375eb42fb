// The GraphQL endpoint, for the few operations the governor uses: reading a ref, its tree
// and files, issue search, and createCommitOnBranch (an atomic multi-file commit with a
// compare-and-swap on the branch head). Every document is validated against GitHub's
// published schema (@octokit/graphql-schema) before it is executed.
import { readFileSync } from 'node:fs';
import {
  buildClientSchema,
  execute,
  GraphQLError,
  parse,
  type GraphQLFieldResolver,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { GitRepo } from './git.js';

let cachedSchema: GraphQLSchema | null = null;

function schema(): GraphQLSchema {
  if (!cachedSchema) {
    // The package exports only its ESM index (which reads the file eagerly); read the JSON directly.
    const file = new URL(
      '../../../node_modules/@octokit/graphql-schema/schema.json',
      import.meta.url,
    );
    cachedSchema = buildClientSchema(
      JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof buildClientSchema>[0],
    );
  }
  return cachedSchema;
}

export interface GraphqlHost {
  git: GitRepo;
  owner: string;
  repo: string;
  /** Issue search, as the REST search endpoint does it. */
  searchIssues(query: string): { number: number; title: string; url: string; isPull: boolean }[];
  tokenUser: string;
  clock(): Date;
  /** Issues (not pull requests) in `states`, newest first, with their labels. */
  issues(states: string[]): { number: number; title: string; labels: string[] }[];
  /** Pull requests in `states` (OPEN, CLOSED, MERGED), newest first, with their labels. */
  pulls(states: string[]): { number: number; title: string; labels: string[] }[];
  /** The pull requests a commit belongs to (merged with it, or one of its commits). */
  pullsForCommit(sha: string): {
    number: number;
    title: string;
    author: string;
    mergedAt: string | null;
    baseRefName: string;
    labels: string[];
    files: { path: string; status: string }[];
    events: { event: string; label: string; actor: string; at: string }[];
    comments: { id: number; body: string; author: string; at: string }[];
  }[];
  commitComments(sha: string): { body: string; author: string; at: string }[];
  /** Whether a login is a bot (GraphQL names a bot without its `[bot]` suffix). */
  isBot(login: string): boolean;
}

const CHANGE_TYPES: Record<string, string> = {
  added: 'ADDED',
  modified: 'MODIFIED',
  removed: 'DELETED',
  renamed: 'RENAMED',
  copied: 'COPIED',
  changed: 'CHANGED',
};

export interface GraphqlResult {
  body: { data?: unknown; errors?: unknown[] };
  /** Problems with the document against GitHub's schema (contract violations). */
  problems: string[];
  operationName: string | null;
}

function blob(git: GitRepo, sha: string) {
  const content = git.readBlob(sha) ?? Buffer.alloc(0);
  const isBinary = content.includes(0);
  return {
    __typename: 'Blob',
    oid: sha,
    byteSize: content.length,
    isBinary,
    isTruncated: false,
    text: isBinary ? null : content.toString('utf8'),
  };
}

/** A tree, with its entries (each with its object) resolved only when the query asks. */
function tree(git: GitRepo, sha: string) {
  return {
    __typename: 'Tree',
    oid: sha,
    entries: () =>
      git.lsTree(sha, false).map((e) => ({
        __typename: 'TreeEntry',
        name: e.path,
        path: e.path,
        oid: e.sha,
        type: e.type,
        mode: Number.parseInt(e.mode, 8),
        object: () => (e.type === 'blob' ? blob(git, e.sha) : tree(git, e.sha)),
      })),
  };
}

function gitObject(host: GraphqlHost, sha: string): unknown {
  const { git } = host;
  const type = git.objectType(sha);
  if (type === 'commit') return commit(host, sha);
  if (type === 'blob') return blob(git, sha);
  if (type === 'tree') return tree(git, sha);
  if (type === 'tag') {
    const t = git.readTag(sha)!;
    return {
      __typename: 'Tag',
      oid: sha,
      name: t.tag,
      message: t.message,
      target: () => gitObject(host, t.object),
    };
  }
  return null;
}

/** A page of a connection: `first` items after the opaque cursor `after` (an offset here). */
function page<T>(items: T[], first: number | undefined, after: string | undefined) {
  const start = after ? Number(Buffer.from(after, 'base64').toString('utf8')) + 1 : 0;
  const n = Math.min(first ?? 100, 100);
  const nodes = items.slice(start, start + n);
  const last = start + nodes.length - 1;
  return {
    totalCount: items.length,
    nodes,
    pageInfo: {
      hasNextPage: start + nodes.length < items.length,
      hasPreviousPage: start > 0,
      startCursor: nodes.length ? Buffer.from(String(start)).toString('base64') : null,
      endCursor: nodes.length ? Buffer.from(String(last)).toString('base64') : null,
    },
  };
}

function actor(host: GraphqlHost, login: string) {
  return host.isBot(login)
    ? { __typename: 'Bot', login: login.replace(/\[bot\]$/, '') }
    : { __typename: 'User', login };
}

function commit(host: GraphqlHost, sha: string) {
  const { git } = host;
  const c = git.readCommit(sha)!;
  return {
    __typename: 'Commit',
    oid: c.sha,
    comments: ({ first, after }: { first?: number; after?: string }) =>
      page(
        host.commitComments(c.sha).map((x) => ({
          __typename: 'CommitComment',
          body: x.body,
          createdAt: x.at,
          author: actor(host, x.author),
        })),
        first,
        after,
      ),
    associatedPullRequests: ({ first, after }: { first?: number; after?: string }) =>
      page(
        host.pullsForCommit(c.sha).map((p) => ({
          __typename: 'PullRequest',
          number: p.number,
          title: p.title,
          mergedAt: p.mergedAt,
          baseRefName: p.baseRefName,
          author: actor(host, p.author),
          files: (a: { first?: number; after?: string }) =>
            page(
              p.files.map((f) => ({
                __typename: 'PullRequestChangedFile',
                path: f.path,
                changeType: CHANGE_TYPES[f.status] ?? 'CHANGED',
              })),
              a.first,
              a.after,
            ),
          timelineItems: (a: { itemTypes?: string[]; first?: number; after?: string }) => {
            const types = a.itemTypes ?? ['LABELED_EVENT', 'UNLABELED_EVENT'];
            if (types.some((t) => t !== 'LABELED_EVENT' && t !== 'UNLABELED_EVENT'))
              throw new GraphQLError('The simulator lists labeled and unlabeled events only');
            return page(
              p.events
                .filter((e) => types.includes(`${e.event.toUpperCase()}_EVENT`))
                .map((e) => ({
                  __typename: e.event === 'labeled' ? 'LabeledEvent' : 'UnlabeledEvent',
                  createdAt: e.at,
                  actor: actor(host, e.actor),
                  label: { __typename: 'Label', name: e.label },
                })),
              a.first,
              a.after,
            );
          },
          comments: (a: { first?: number; after?: string }) =>
            page(
              p.comments.map((x) => ({
                __typename: 'IssueComment',
                databaseId: x.id,
                body: x.body,
                createdAt: x.at,
                author: actor(host, x.author),
              })),
              a.first,
              a.after,
            ),
          labels: (a: { first?: number; after?: string }) =>
            page(
              p.labels.map((name) => ({ __typename: 'Label', name })),
              a.first,
              a.after,
            ),
        })),
        first,
        after,
      ),
    message: c.message,
    messageHeadline: c.message.split('\n')[0],
    committedDate: c.committer.date,
    tree: tree(git, c.tree),
    file: ({ path }: { path: string }) => {
      const f = git.fileAt(c.sha, path);
      if (f)
        return {
          __typename: 'TreeEntry',
          name: path.split('/').pop(),
          path,
          oid: f.sha,
          type: 'blob',
          object: blob(git, f.sha),
        };
      const t = git.treeAt(c.sha, path);
      return t
        ? {
            __typename: 'TreeEntry',
            name: path.split('/').pop(),
            path,
            oid: t,
            type: 'tree',
            object: tree(git, t),
          }
        : null;
    },
  };
}

function stale(expected: string): GraphQLError {
  return new GraphQLError(
    `Expected branch to point to "${expected}" but it did not. Pull and try again.`,
    { extensions: { type: 'STALE_DATA' } },
  );
}

export function executeGraphql(
  host: GraphqlHost,
  request: { query?: unknown; variables?: unknown; operationName?: unknown },
): GraphqlResult {
  const problems: string[] = [];
  if (typeof request.query !== 'string') {
    return {
      body: { errors: [{ message: 'A query attribute must be specified and must be a string.' }] },
      problems: ['query is missing'],
      operationName: null,
    };
  }
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (e) {
    const message = (e as Error).message;
    return {
      body: { errors: [{ message }] },
      problems: [`GraphQL syntax: ${message}`],
      operationName: null,
    };
  }
  const errors = validate(schema(), document);
  if (errors.length > 0) {
    return {
      body: { errors: errors.map((e) => ({ message: e.message })) },
      problems: errors.map((e) => `GraphQL: ${e.message}`),
      operationName: null,
    };
  }
  const op = document.definitions.find((d) => d.kind === 'OperationDefinition');
  const operationName = op && 'name' in op && op.name ? op.name.value : null;
  const { git } = host;
  const refNode = (full: string, sha: string) => {
    const prefix = full.slice(0, full.indexOf('/', 'refs/'.length) + 1);
    return {
      __typename: 'Ref',
      name: full.slice(prefix.length),
      prefix,
      target: gitObject(host, sha),
    };
  };

  /** An issue or a pull request as a node, with its labels paged. */
  const labelled = (
    typename: 'Issue' | 'PullRequest',
    i: { number: number; title: string; labels: string[] },
  ) => ({
    __typename: typename,
    number: i.number,
    title: i.title,
    labels: (a: { first?: number; after?: string }) =>
      page(
        i.labels.map((name) => ({ __typename: 'Label', name })),
        a.first,
        a.after,
      ),
  });

  const repository = ({ owner, name }: { owner: string; name: string }) => {
    if (owner !== host.owner || name !== host.repo) return null;
    return {
      __typename: 'Repository',
      nameWithOwner: `${host.owner}/${host.repo}`,
      ref: ({ qualifiedName }: { qualifiedName: string }) => {
        const full = qualifiedName.startsWith('refs/')
          ? qualifiedName
          : `refs/heads/${qualifiedName}`;
        const sha = git.readRef(full);
        return sha ? refNode(full, sha) : null;
      },
      issues: ({
        states,
        first,
        after,
        orderBy,
      }: {
        states?: string[];
        first?: number;
        after?: string;
        orderBy?: { field: string; direction: string };
      }) => {
        if (orderBy && (orderBy.field !== 'CREATED_AT' || orderBy.direction !== 'DESC'))
          throw new GraphQLError('The simulator orders issues by CREATED_AT DESC only');
        return page(
          host.issues(states ?? ['OPEN', 'CLOSED']).map((i) => labelled('Issue', i)),
          first,
          after,
        );
      },
      pullRequests: ({
        states,
        first,
        after,
      }: {
        states?: string[];
        first?: number;
        after?: string;
      }) =>
        page(
          host.pulls(states ?? ['OPEN', 'CLOSED', 'MERGED']).map((p) => labelled('PullRequest', p)),
          first,
          after,
        ),
      refs: ({
        refPrefix,
        first,
        after,
        query,
      }: {
        refPrefix: string;
        first?: number;
        after?: string;
        query?: string;
      }) => {
        if (!refPrefix.endsWith('/'))
          throw new GraphQLError(`refPrefix must end with "/" (got ${refPrefix})`);
        // Git's order (by name); GitHub's default is alphabetical too.
        const refs = git
          .listRefs(refPrefix.replace(/\/$/, ''))
          .filter((r) => r.ref.startsWith(refPrefix))
          .filter((r) => !query || r.ref.slice(refPrefix.length).includes(query));
        return page(
          refs.map((r) => refNode(r.ref, r.sha)),
          first,
          after,
        );
      },
      object: ({ expression, oid }: { expression?: string; oid?: string }) => {
        const target = oid ?? expression;
        if (!target) return null;
        const sha = git.revParse(target);
        return sha ? gitObject(host, sha) : null;
      },
    };
  };

  const search = ({ query, type, first }: { query: string; type: string; first?: number }) => {
    if (type !== 'ISSUE') throw new GraphQLError(`The simulator only searches issues, not ${type}`);
    const hits = host.searchIssues(query);
    return {
      issueCount: hits.length,
      nodes: hits.slice(0, first ?? 10).map((h) => ({
        __typename: h.isPull ? 'PullRequest' : 'Issue',
        number: h.number,
        title: h.title,
        url: h.url,
      })),
    };
  };

  const createCommitOnBranch = ({ input }: { input: Record<string, unknown> }) => {
    const branch = input.branch as { repositoryNameWithOwner?: string; branchName?: string };
    if (
      branch.repositoryNameWithOwner &&
      branch.repositoryNameWithOwner !== `${host.owner}/${host.repo}`
    )
      throw new GraphQLError('Could not resolve to a Repository');
    const ref = `refs/heads/${String(branch.branchName).replace(/^refs\/heads\//, '')}`;
    const head = git.readRef(ref);
    if (!head)
      throw new GraphQLError(`A ref named "${branch.branchName}" does not exist.`, {
        extensions: { type: 'NOT_FOUND' },
      });
    const expected = String(input.expectedHeadOid);
    if (head !== expected) throw stale(expected);
    const changes = (input.fileChanges ?? {}) as {
      additions?: { path: string; contents: string }[];
      deletions?: { path: string }[];
    };
    const additions = changes.additions ?? [];
    const shas = git.hashBlobs(additions.map((a) => Buffer.from(a.contents, 'base64')));
    const entries = [
      ...additions.map((a, i) => ({ path: a.path, mode: '100644', sha: shas[i]! })),
      ...(changes.deletions ?? []).map((d) => ({ path: d.path, mode: '100644', sha: null })),
    ];
    const tree = git.buildTree(git.readCommit(head)!.tree, entries);
    const message = input.message as { headline: string; body?: string };
    const text = message.body ? `${message.headline}\n\n${message.body}` : message.headline;
    const date = host
      .clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const person = {
      name: host.tokenUser,
      email: `${host.tokenUser}@users.noreply.github.com`,
      date,
    };
    const sha = git.commitTree(tree, [head], text, person);
    // The compare-and-swap: the ref moves only if it is still where the client saw it.
    if (!git.casRef(ref, sha, head)) throw stale(expected);
    return {
      clientMutationId: input.clientMutationId ?? null,
      commit: commit(host, sha),
      ref: { name: ref },
    };
  };

  // A field the query asks for and the simulator does not model is a failure, never a silent
  // null: the governor would read null where GitHub answers.
  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, ctx, info) => {
    if (source === null || typeof source !== 'object') return undefined;
    const key = info.fieldName;
    if (!(key in source)) {
      const where = `${info.parentType.name}.${key}`;
      problems.push(`GraphQL: the simulator does not implement ${where}`);
      throw new GraphQLError(`simulator: ${where} is not implemented`);
    }
    const value = (source as Record<string, unknown>)[key];
    return typeof value === 'function'
      ? (value as (...a: unknown[]) => unknown).call(source, args, ctx, info)
      : value;
  };

  const result = execute({
    schema: schema(),
    document,
    fieldResolver,
    rootValue: { repository, search, createCommitOnBranch },
    variableValues: (request.variables ?? {}) as Record<string, unknown>,
    operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
  }) as { data?: unknown; errors?: readonly GraphQLError[] };
  const body: GraphqlResult['body'] = { data: result.data ?? null };
  if (result.errors?.length) {
    body.errors = result.errors.map((e) => ({
      type: (e.extensions?.type as string | undefined) ?? undefined,
      message: e.message,
      path: e.path,
      locations: e.locations,
    }));
  }
  return { body, problems, operationName };
}
