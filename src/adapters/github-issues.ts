// Issues, commit statuses and the incident search. Functions over an Octokit and the
// repository; GitHub (github.ts) is the RepoPort that delegates to them.
import { apiError } from './api-error.js';
import type { Repo } from './github-actions.js';
import type { Octokit } from './octokit.js';

export async function openIncidents(
  octokit: Octokit,
  o: Repo,
  labels: string[],
  opts: { pulls?: boolean } = {},
): Promise<{ number: number; title: string; labels: string[]; pull: boolean }[]> {
  if (labels.length === 0) return [];
  const q = `repo:${o.owner}/${o.repo}${opts.pulls ? '' : ' is:issue'} is:open label:${labels.map((l) => (/[\s,"]/.test(l) ? `"${l.replace(/"/g, '')}"` : l)).join(',')}`;
  try {
    const r = await octokit.rest.search.issuesAndPullRequests({ q, per_page: 20 });
    return r.data.items.map((i) => ({
      number: i.number,
      title: i.title,
      pull: i.pull_request !== undefined && i.pull_request !== null,
      labels: i.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
    }));
  } catch (e) {
    throw apiError('Searching for open incident issues', e);
  }
}

export async function setStatus(
  octokit: Octokit,
  o: Repo,
  sha: string,
  state: 'success' | 'failure' | 'pending',
  description: string,
  targetUrl: string | null,
  context: string,
): Promise<void> {
  try {
    await octokit.rest.repos.createCommitStatus({
      ...o,
      sha,
      state,
      description: description.slice(0, 140),
      context,
      ...(targetUrl ? { target_url: targetUrl } : {}),
      // Posting the same status twice leaves the same latest status: safe to retry.
      request: { idempotent: true },
    } as never);
  } catch (e) {
    throw apiError(`Setting commit status ${context} on ${sha.slice(0, 7)}`, e, {
      403: 'The governor workflow needs `statuses: write`.',
    });
  }
}

export async function openIssue(
  octokit: Octokit,
  o: Repo,
  title: string,
  body: string,
  labels: string[],
): Promise<number> {
  try {
    const r = await octokit.rest.issues.create({
      ...o,
      title,
      body,
      labels,
      request: { idempotent: false },
    } as never);
    return (r as { data: { number: number } }).data.number;
  } catch (e) {
    throw apiError('Opening the deploy-failure issue', e, {
      403: 'The governor workflow needs `issues: write`.',
    });
  }
}

export async function findOpenIssue(
  octokit: Octokit,
  o: Repo,
  title: string,
  labels: string[],
): Promise<number | null> {
  try {
    const r = await octokit.rest.issues.listForRepo({
      ...o,
      state: 'open',
      ...(labels.length ? { labels: labels.join(',') } : {}),
      sort: 'created',
      direction: 'desc',
      per_page: 100,
    });
    return r.data.find((i) => !i.pull_request && i.title === title)?.number ?? null;
  } catch (e) {
    throw apiError('Looking for the deploy-failure issue', e);
  }
}

export async function commentIssue(
  octokit: Octokit,
  o: Repo,
  issue: number,
  body: string,
): Promise<void> {
  try {
    await octokit.rest.issues.createComment({
      ...o,
      issue_number: issue,
      body,
      request: { idempotent: false },
    } as never);
  } catch (e) {
    throw apiError(`Commenting on issue #${issue}`, e, {
      403: 'The governor workflow needs `issues: write`.',
    });
  }
}
