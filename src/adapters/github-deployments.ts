// GitHub Deployments (SPEC §21): a deployment of the exact SHA the governor dispatched, and its
// statuses. Functions over an Octokit and the repository; GitHub (github.ts) is the RepoPort that
// delegates to them. A create is never retried by the client (a 5xx may come after GitHub made
// it): the governor looks for it instead.
import type { DeploymentInfo, DeploymentRequest, DeploymentState } from '../ports.js';
import { apiError } from './api-error.js';
import type { Repo } from './github-actions.js';
import type { Octokit } from './octokit.js';

const PERMISSION = {
  403: 'The governor workflow needs `deployments: write` to record deployments (or set github_deployments: false).',
};

export async function createDeployment(
  octokit: Octokit,
  o: Repo,
  d: DeploymentRequest,
): Promise<{ id: number }> {
  try {
    const r = await octokit.request('POST /repos/{owner}/{repo}/deployments', {
      ...o,
      ref: d.sha,
      task: d.task,
      environment: d.environment,
      production_environment: d.production,
      transient_environment: false,
      auto_merge: false,
      required_contexts: [],
      payload: d.payload,
      description: d.description.slice(0, 140),
      request: { idempotent: false },
    } as never);
    const data = (r as { status: number; data: { id?: number; message?: string } }).data;
    // 202: GitHub merged the default branch instead (never with auto_merge false): no deployment.
    if (typeof data.id !== 'number')
      throw apiError('Creating the deployment', {
        status: 409,
        message: data.message ?? 'GitHub created no deployment',
      });
    return { id: data.id };
  } catch (e) {
    throw apiError(
      `Creating the deployment of ${d.sha.slice(0, 7)} to ${d.environment}`,
      e,
      PERMISSION,
    );
  }
}

export async function deploymentStatus(
  octokit: Octokit,
  o: Repo,
  id: number,
  s: {
    state: DeploymentState;
    logUrl: string | null;
    environmentUrl: string | null;
    description: string;
  },
): Promise<void> {
  try {
    await octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      ...o,
      deployment_id: id,
      state: s.state,
      description: s.description.slice(0, 140),
      auto_inactive: true,
      ...(s.logUrl ? { log_url: s.logUrl } : {}),
      ...(s.environmentUrl ? { environment_url: s.environmentUrl } : {}),
    } as never);
  } catch (e) {
    throw apiError(`Setting the deployment ${id} to ${s.state}`, e, PERMISSION);
  }
}

/** The deployments of a SHA to an environment for a task, newest first, with their payloads. */
export async function findDeployments(
  octokit: Octokit,
  o: Repo,
  f: { sha: string; environment: string; task: string },
): Promise<DeploymentInfo[]> {
  try {
    const r = await octokit.request('GET /repos/{owner}/{repo}/deployments', {
      ...o,
      sha: f.sha,
      environment: f.environment,
      task: f.task,
      per_page: 100,
    } as never);
    const list = (r as { data: { id: number; payload: unknown }[] }).data;
    return list.map((x) => ({
      id: x.id,
      payload: typeof x.payload === 'string' ? safeJson(x.payload) : x.payload,
    }));
  } catch (e) {
    throw apiError(
      `Listing the deployments of ${f.sha.slice(0, 7)} to ${f.environment}`,
      e,
      PERMISSION,
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
