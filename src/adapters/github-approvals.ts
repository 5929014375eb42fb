// The approval facts of SPEC §7 in one GraphQL query (SPEC §19): the range's merged pull
// requests with their files, label events and comments, and the head commit's comments. A pull
// request whose lists do not fit one page, or that renames a file (GraphQL does not give the old
// name), is read through REST as before, so the facts are the same either way.
import type { PullRequestFacts } from '../domain/approvals.js';
import type { Octokit } from './octokit.js';

// Commits whose pull requests one query reads: 25 × 10 pull requests × 3 lists of 100 stays far
// below GitHub's 500,000-node limit.
const COMMITS_PER_QUERY = 25;
const PAGE = 100;

interface Author {
  __typename: string;
  login: string;
}
interface Conn<T> {
  totalCount: number;
  nodes: T[];
}
interface PullNode {
  number: number;
  mergedAt: string | null;
  baseRefName: string;
  author: Author | null;
  files: Conn<{ path: string; changeType: string }> | null;
  timelineItems: Conn<{
    __typename: string;
    createdAt?: string;
    actor?: Author | null;
    label?: { name: string } | null;
  }>;
  comments: Conn<{
    databaseId: number | null;
    body: string;
    createdAt: string;
    author: Author | null;
  }>;
}

/** GraphQL names a bot `github-actions`; REST (and every rule) `github-actions[bot]`. */
const loginOf = (a: Author | null | undefined): string =>
  !a ? '' : a.__typename === 'Bot' && !a.login.endsWith('[bot]') ? `${a.login}[bot]` : a.login;

function query(commits: number, withHead: boolean): string {
  const vars = [
    '$owner: String!',
    '$name: String!',
    ...(withHead ? ['$head: GitObjectID!'] : []),
    ...Array.from({ length: commits }, (_, i) => `$c${i}: GitObjectID!`),
  ];
  const author = '{ __typename login }';
  const pulls = Array.from(
    { length: commits },
    (_, i) => `c${i}: object(oid: $c${i}) { ... on Commit { associatedPullRequests(first: 10) {
      totalCount
      nodes {
        number mergedAt baseRefName author ${author}
        files(first: ${PAGE}) { totalCount nodes { path changeType } }
        timelineItems(itemTypes: [LABELED_EVENT, UNLABELED_EVENT], first: ${PAGE}) {
          totalCount
          nodes {
            __typename
            ... on LabeledEvent { createdAt actor ${author} label { name } }
            ... on UnlabeledEvent { createdAt actor ${author} label { name } }
          }
        }
        comments(first: ${PAGE}) { totalCount nodes { databaseId body createdAt author ${author} } }
      }
    } } }`,
  );
  const head = withHead
    ? `head: object(oid: $head) { ... on Commit {
      comments(first: ${PAGE}) { totalCount nodes { body createdAt author ${author} } }
    } }`
    : '';
  return `query Approvals(${vars.join(', ')}) {
  repository(owner: $owner, name: $name) {
    ${head}
    ${pulls.join('\n    ')}
  }
}`;
}

export interface GraphqlApprovals {
  pulls: PullRequestFacts[];
  /** Pull requests to read through REST (a list past one page, or a rename). */
  restPulls: { number: number; author: string; mergedAt: string | null; baseRef: string }[];
  /** null: more than one page, read through REST. */
  commitComments: { body: string; author: string; at: string }[] | null;
  /** Every comment read, by pull request (the notices look for theirs among them). */
  comments: Map<number, { id: number; body: string }[]>;
  /** Commits with more associated pull requests than one page lists (read through REST). */
  restCommits: string[];
}

export async function readApprovalsGraphql(
  octokit: Octokit,
  o: { owner: string; repo: string },
  f: { headSha: string; commits: string[]; branch: string },
): Promise<GraphqlApprovals> {
  const out: GraphqlApprovals = {
    pulls: [],
    restPulls: [],
    commitComments: null,
    comments: new Map(),
    restCommits: [],
  };
  const seen = new Set<number>();
  const chunks = Math.max(1, Math.ceil(f.commits.length / COMMITS_PER_QUERY));
  for (let c = 0; c < chunks; c++) {
    const commits = f.commits.slice(c * COMMITS_PER_QUERY, (c + 1) * COMMITS_PER_QUERY);
    const withHead = c === 0;
    const data = await octokit.graphql<{ repository: Record<string, unknown> | null }>(
      query(commits.length, withHead),
      {
        owner: o.owner,
        name: o.repo,
        ...(withHead ? { head: f.headSha } : {}),
        ...Object.fromEntries(commits.map((sha, i) => [`c${i}`, sha])),
      },
    );
    const repo = data.repository ?? {};
    if (withHead) {
      const head = repo.head as {
        comments?: Conn<{ body: string; createdAt: string; author: Author | null }>;
      } | null;
      const list = head?.comments;
      if (list && list.totalCount <= list.nodes.length)
        out.commitComments = list.nodes.map((n) => ({
          body: n.body,
          author: loginOf(n.author),
          at: n.createdAt,
        }));
    }
    commits.forEach((sha, i) => {
      const conn = (repo[`c${i}`] as { associatedPullRequests?: Conn<PullNode> } | null)
        ?.associatedPullRequests;
      if (!conn) return;
      if (conn.totalCount > conn.nodes.length) out.restCommits.push(sha);
      for (const p of conn.nodes) {
        if (seen.has(p.number)) continue;
        // A pull request not merged into the release branch approves nothing, but an approval
        // given on it is judged by the domain (ignored: not_merged), so the summary says why.
        // Its facts come with this query; it is never worth a REST read of its own.
        const merged = p.mergedAt !== null && p.baseRefName === f.branch;
        seen.add(p.number);
        const base = {
          number: p.number,
          author: loginOf(p.author),
          mergedAt: p.mergedAt,
          baseRef: p.baseRefName,
        };
        const files = p.files;
        const whole =
          files !== null &&
          files.totalCount <= files.nodes.length &&
          !files.nodes.some((x) => x.changeType === 'RENAMED' || x.changeType === 'COPIED') &&
          p.timelineItems.totalCount <= p.timelineItems.nodes.length &&
          p.comments.totalCount <= p.comments.nodes.length;
        if (!whole) {
          if (merged) out.restPulls.push(base);
          continue;
        }
        out.comments.set(
          p.number,
          p.comments.nodes.flatMap((x) =>
            x.databaseId ? [{ id: x.databaseId, body: x.body }] : [],
          ),
        );
        out.pulls.push({
          ...base,
          files: files.nodes.map((x) => x.path),
          labelEvents: p.timelineItems.nodes.flatMap((e) =>
            (e.__typename === 'LabeledEvent' || e.__typename === 'UnlabeledEvent') && e.label
              ? [
                  {
                    event:
                      e.__typename === 'LabeledEvent'
                        ? ('labeled' as const)
                        : ('unlabeled' as const),
                    label: e.label.name,
                    actor: loginOf(e.actor),
                    at: e.createdAt ?? '',
                  },
                ]
              : [],
          ),
          comments: p.comments.nodes.map((x) => ({
            body: x.body,
            author: loginOf(x.author),
            at: x.createdAt,
          })),
        });
      }
    });
  }
  return out;
}
