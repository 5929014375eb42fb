// Tags and releases (SPEC §18) through GitHub's APIs: the tags and the range's pull requests in
// one GraphQL query, an annotated tag (tag object, then ref), the tag read back, the release.
import type { Tag, VersionPull } from '../domain/version.js';
import { apiError, ApiError } from './api-error.js';
import type { Octokit } from './octokit.js';

interface TargetNode {
  __typename: string;
  oid: string;
  target?: { __typename: string; oid: string } | null;
}

interface RangeResponse {
  repository: {
    refs?: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: { name: string; target: TargetNode | null }[];
    } | null;
    [alias: string]: unknown;
  } | null;
}

interface CommitPulls {
  associatedPullRequests: {
    nodes: {
      number: number;
      title: string;
      mergedAt: string | null;
      baseRefName: string;
      author: { login: string } | null;
      labels: { nodes: { name: string }[] } | null;
      files: { totalCount: number; nodes: { path: string }[] } | null;
    }[];
  };
}

/** The commit an annotated tag points at (or a lightweight tag's commit); null for others. */
function commitOf(target: TargetNode | null): string | null {
  if (!target) return null;
  if (target.__typename === 'Commit') return target.oid;
  if (target.__typename === 'Tag' && target.target?.__typename === 'Commit')
    return target.target.oid;
  return null;
}

// 100 refs a page; pages past 50 (5,000 tags) are not read: a version computed from fewer
// tags can only collide with an existing tag, which the read-back refuses.
const MAX_TAG_PAGES = 50;
// Commits whose pull requests one query reads (GitHub's node limit allows far more).
const COMMITS_PER_QUERY = 100;

function rangeQuery(withTags: boolean, commits: number): string {
  const vars = [
    '$owner: String!',
    '$name: String!',
    ...(withTags ? ['$after: String'] : []),
    ...Array.from({ length: commits }, (_, i) => `$c${i}: GitObjectID!`),
  ];
  const tags = withTags
    ? `refs(refPrefix: "refs/tags/", first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { name target { __typename oid ... on Tag { target { __typename oid } } } }
      }`
    : '';
  const pulls = Array.from(
    { length: commits },
    (_, i) => `c${i}: object(oid: $c${i}) { ... on Commit { associatedPullRequests(first: 10) {
        nodes { number title mergedAt baseRefName author { login } labels(first: 50) { nodes { name } }
          files(first: 100) { totalCount nodes { path } } }
      } } }`,
  );
  return `query ReleaseRange(${vars.join(', ')}) {
  repository(owner: $owner, name: $name) {
    ${tags}
    ${pulls.join('\n    ')}
  }
}`;
}

/**
 * Every tag of the repository (name and commit) when `withTags`, and the merged pull requests
 * into `branch` of the given commits: one query for up to 100 tags and 100 commits.
 */
export async function readReleaseRange(
  octokit: Octokit,
  o: { owner: string; repo: string },
  f: { withTags: boolean; commits: string[]; branch: string },
): Promise<{ tags: Tag[]; pulls: VersionPull[]; commitPulls: Record<string, number[]> }> {
  const tags: Tag[] = [];
  const pulls = new Map<number, VersionPull>();
  const commitPulls: Record<string, number[]> = {};
  let after: string | null = null;
  let more = f.withTags;
  let batch = 0;
  for (let page = 0; page < MAX_TAG_PAGES; page++) {
    const commits = f.commits.slice(batch * COMMITS_PER_QUERY, (batch + 1) * COMMITS_PER_QUERY);
    if (!more && commits.length === 0) break;
    let data: RangeResponse;
    try {
      data = await octokit.graphql<RangeResponse>(rangeQuery(more, commits.length), {
        owner: o.owner,
        name: o.repo,
        ...(more ? { after } : {}),
        ...Object.fromEntries(commits.map((c, i) => [`c${i}`, c])),
      });
    } catch (e) {
      throw apiError('Reading the tags and the pull requests of the release', e);
    }
    if (!data.repository)
      throw new ApiError(`Repository ${o.owner}/${o.repo} not found`, 404, null);
    if (more) {
      const refs = data.repository.refs;
      for (const n of refs?.nodes ?? []) {
        const commit = commitOf(n.target);
        if (commit) tags.push({ name: n.name, commit });
      }
      more = refs?.pageInfo.hasNextPage ?? false;
      after = refs?.pageInfo.endCursor ?? null;
    }
    commits.forEach((sha, i) => {
      const c = data.repository![`c${i}`] as CommitPulls | null;
      for (const p of c?.associatedPullRequests.nodes ?? []) {
        if (!p.mergedAt || p.baseRefName !== f.branch) continue;
        (commitPulls[sha] ??= []).push(p.number);
        if (!pulls.has(p.number))
          pulls.set(p.number, {
            number: p.number,
            title: p.title,
            author: p.author?.login ?? null,
            labels: (p.labels?.nodes ?? []).map((l) => l.name),
            // More than one page of files: not known whole (counted for every service).
            files:
              p.files && p.files.totalCount <= p.files.nodes.length
                ? p.files.nodes.map((x) => x.path)
                : null,
          });
      }
    });
    batch++;
  }
  return {
    tags,
    pulls: [...pulls.values()].sort((a, b) => a.number - b.number),
    commitPulls,
  };
}

/** An annotated tag `name` at `sha`: the tag object, then `refs/tags/<name>` pointing at it. */
export async function createTag(
  octokit: Octokit,
  o: { owner: string; repo: string },
  name: string,
  sha: string,
  message: string,
): Promise<void> {
  try {
    const t = await octokit.rest.git.createTag({
      ...o,
      tag: name,
      message,
      object: sha,
      type: 'commit',
    });
    await octokit.rest.git.createRef({ ...o, ref: `refs/tags/${name}`, sha: t.data.sha });
  } catch (e) {
    throw apiError(`Creating the tag ${name}`, e, {
      403: 'The governor workflow needs `contents: write` to create release tags.',
      422: `GitHub refused the tag ${name}: it may exist already (the governor reads it back).`,
    });
  }
}

/** The commit `refs/tags/<name>` resolves to (an annotated tag dereferenced); null when absent. */
export async function tagTarget(
  octokit: Octokit,
  o: { owner: string; repo: string },
  name: string,
): Promise<string | null> {
  let data: { repository: { ref: { target: TargetNode | null } | null } | null };
  try {
    data = await octokit.graphql(
      `query TagTarget($owner: String!, $name: String!, $ref: String!) {
        repository(owner: $owner, name: $name) {
          ref(qualifiedName: $ref) { target { __typename oid ... on Tag { target { __typename oid } } } }
        }
      }`,
      { owner: o.owner, name: o.repo, ref: `refs/tags/${name}` },
    );
  } catch (e) {
    throw apiError(`Reading the tag ${name}`, e);
  }
  const target = data.repository?.ref?.target ?? null;
  if (target && !commitOf(target))
    throw new ApiError(
      `The tag ${name} does not point at a commit (it points at a ${target.__typename} ${target.oid}).`,
      null,
      'Delete or rename that tag; release tags must point at the released commit.',
    );
  return commitOf(target);
}

/** The release of a tag, if one exists. */
export async function releaseOf(
  octokit: Octokit,
  o: { owner: string; repo: string },
  tag: string,
): Promise<{ url: string } | null> {
  try {
    const r = await octokit.rest.repos.getReleaseByTag({ ...o, tag });
    return { url: r.data.html_url };
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null;
    throw apiError(`Reading the release of ${tag}`, e);
  }
}

/** Publishes the release of a tag; an existing one (a race) counts as published. */
export async function createRelease(
  octokit: Octokit,
  o: { owner: string; repo: string },
  r: { tag: string; name: string; body: string },
): Promise<{ url: string; created: boolean }> {
  try {
    const res = await octokit.rest.repos.createRelease({
      ...o,
      tag_name: r.tag,
      name: r.name,
      body: r.body,
      request: { idempotent: false },
    } as never);
    return { url: (res.data as { html_url: string }).html_url, created: true };
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 422) {
      const existing = await releaseOf(octokit, o, r.tag);
      if (existing) return { ...existing, created: false };
    }
    throw apiError(`Publishing the release ${r.tag}`, e, {
      403: 'The governor workflow needs `contents: write` to publish releases.',
    });
  }
}
