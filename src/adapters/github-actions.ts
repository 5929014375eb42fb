// GitHub Actions: the deploy dispatch, workflow runs (deploy runs by title, verification runs)
// and their artifacts. Functions over an Octokit and the repository; GitHub (github.ts) is
// the RepoPort that delegates to them.
import type { ArtifactInfo, RunInfo, VerificationRun } from '../ports.js';
import { apiError, messageOf, statusOf } from './api-error.js';
import type { Octokit } from './octokit.js';

/**
 * Whether a run's title names the SHA and, when given, the environment as a whole word
 * ("Deploy <sha> to production" names production, not pre-production).
 */
export function titleNames(
  title: string,
  sha: string,
  environment: string | null,
  service: string | null = null,
): boolean {
  if (!title.includes(sha)) return false;
  const words = title.split(/\s+/);
  return (
    (environment === null || words.includes(environment)) &&
    (service === null || words.includes(service))
  );
}

/** The repository the functions act on. */
export interface Repo {
  owner: string;
  repo: string;
}

/**
 * Dispatches the deploy workflow once. Never retried automatically: a 5xx may come after the
 * run was created. Returns the run when the server reports it (return_run_details).
 */
export async function dispatch(
  octokit: Octokit,
  o: Repo,
  workflow: string,
  ref: string,
  sha: string,
  environment?: string | null,
  version?: string | null,
  service?: string | null,
): Promise<{ runId: number; url: string } | null> {
  const inputs = {
    sha,
    ...(environment ? { environment } : {}),
    ...(version ? { version } : {}),
    ...(service ? { service } : {}),
  };
  const route = 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches';
  const advice = {
    403: 'The governor workflow needs `actions: write` to dispatch the deploy workflow.',
    404: `The deploy workflow ${workflow} was not found on ${ref}: check deploy_workflow and deploy_workflow_ref in the config.`,
    422: `GitHub refused the dispatch: the deploy workflow ${workflow} must have a workflow_dispatch trigger with ${Object.keys(
      inputs,
    )
      .map((k) => `\`${k}\``)
      .join(', ')} input${Object.keys(inputs).length > 1 ? 's' : ''} on ${ref}.`,
  };
  try {
    const r = await octokit.request(route, {
      ...o,
      workflow_id: workflow,
      ref,
      inputs,
      return_run_details: true,
      request: { idempotent: false },
    } as never);
    const data = (r as { status: number; data: unknown }).data as
      { workflow_run_id?: number; html_url?: string } | undefined;
    if (data?.workflow_run_id && data.html_url)
      return { runId: data.workflow_run_id, url: data.html_url };
    return null;
  } catch (e) {
    // Servers that predate return_run_details refuse the parameter: dispatch without it.
    if (statusOf(e) === 422 && /return_run_details/.test(messageOf(e))) {
      try {
        await octokit.request(route, {
          ...o,
          workflow_id: workflow,
          ref,
          inputs,
          request: { idempotent: false },
        } as never);
        return null;
      } catch (e2) {
        throw apiError(`Dispatching ${workflow}`, e2, advice);
      }
    }
    throw apiError(`Dispatching ${workflow}`, e, advice);
  }
}

function runInfo(r: {
  id: number;
  html_url: string;
  display_title?: string;
  head_sha: string;
  event: string;
  status: string | null;
  conclusion: string | null;
  created_at: string;
  workflow_id: number;
  path?: string;
  name?: string | null;
  run_attempt?: number;
  head_branch?: string | null;
}): RunInfo {
  return {
    id: r.id,
    attempt: r.run_attempt ?? 1,
    name: r.name ?? '',
    headBranch: r.head_branch ?? null,
    url: r.html_url,
    displayTitle: r.display_title ?? '',
    headSha: r.head_sha,
    event: r.event,
    status: r.status,
    conclusion: r.conclusion,
    createdAt: r.created_at,
    workflowId: r.workflow_id,
    path: r.path ?? '',
  };
}

/** Deploy runs created by workflow_dispatch whose title names the SHA (and the environment). */
export async function findDeployRuns(
  octokit: Octokit,
  o: Repo,
  workflow: string,
  sha: string,
  environment?: string | null,
  service?: string | null,
): Promise<RunInfo[]> {
  try {
    const r = await octokit.rest.actions.listWorkflowRuns({
      ...o,
      workflow_id: workflow,
      event: 'workflow_dispatch',
      per_page: 50,
    });
    return r.data.workflow_runs
      .filter((run) =>
        titleNames(run.display_title ?? '', sha, environment ?? null, service ?? null),
      )
      .map((run) => runInfo(run));
  } catch (e) {
    throw apiError(`Listing runs of ${workflow}`, e);
  }
}

export async function run(octokit: Octokit, o: Repo, id: number): Promise<RunInfo> {
  try {
    const r = await octokit.rest.actions.getWorkflowRun({ ...o, run_id: id });
    return runInfo(r.data);
  } catch (e) {
    throw apiError(`Reading workflow run ${id}`, e);
  }
}

/** Whether the verification workflow succeeded on the SHA, on the branch, from a push. */
export async function verified(
  octokit: Octokit,
  o: Repo,
  workflow: string,
  sha: string,
  branch: string,
): Promise<boolean> {
  const id = /\.ya?ml$/.test(workflow) ? workflow.split('/').pop()! : null;
  try {
    if (id) {
      const r = await octokit.rest.actions.listWorkflowRuns({
        ...o,
        workflow_id: id,
        head_sha: sha,
        branch,
        event: 'push',
        status: 'success',
        per_page: 20,
      });
      return r.data.total_count > 0;
    }
    const r = await octokit.rest.actions.listWorkflowRunsForRepo({
      ...o,
      head_sha: sha,
      branch,
      event: 'push',
      status: 'success',
      per_page: 100,
    });
    return r.data.workflow_runs.some((run) => run.name === workflow);
  } catch (e) {
    throw apiError(`Looking for a successful ${workflow} run on ${sha.slice(0, 7)}`, e);
  }
}

export async function verificationRun(
  octokit: Octokit,
  o: Repo,
  workflow: string,
  sha: string,
  branch: string,
): Promise<VerificationRun | null> {
  const id = /\.ya?ml$/.test(workflow) ? workflow.split('/').pop()! : null;
  const filter = { ...o, head_sha: sha, branch, event: 'push', status: 'success' as const };
  try {
    const runs = id
      ? (
          await octokit.rest.actions.listWorkflowRuns({
            ...filter,
            workflow_id: id,
            per_page: 1,
          })
        ).data.workflow_runs
      : (
          await octokit.rest.actions.listWorkflowRunsForRepo({ ...filter, per_page: 100 })
        ).data.workflow_runs.filter((run) => run.name === workflow);
    const run = runs[0];
    return run
      ? {
          id: run.id,
          url: run.html_url,
          conclusion: run.conclusion,
          head_sha: run.head_sha,
          completed_at: run.status === 'completed' ? run.updated_at : null,
        }
      : null;
  } catch (e) {
    throw apiError(`Looking for the ${workflow} run of ${sha.slice(0, 7)}`, e);
  }
}

export async function runArtifacts(
  octokit: Octokit,
  o: Repo,
  runId: number,
): Promise<ArtifactInfo[]> {
  try {
    const r = await octokit.rest.actions.listWorkflowRunArtifacts({
      ...o,
      run_id: runId,
      per_page: 100,
    });
    return r.data.artifacts.map((a) => ({
      name: a.name,
      id: a.id,
      size: a.size_in_bytes,
      digest: (a as { digest?: string | null }).digest ?? null,
      expired: a.expired,
    }));
  } catch (e) {
    throw apiError(`Listing the artifacts of run ${runId}`, e);
  }
}

export async function newestVerified(
  octokit: Octokit,
  o: Repo,
  workflow: string,
  branch: string,
): Promise<string | null> {
  const id = /\.ya?ml$/.test(workflow) ? workflow.split('/').pop()! : null;
  const filter = { ...o, branch, event: 'push', status: 'success' as const };
  try {
    // Newest first, as GitHub lists runs. By file: one run is enough; by name, the repository's
    // runs are filtered here, so a page of them.
    if (id) {
      const r = await octokit.rest.actions.listWorkflowRuns({
        ...filter,
        workflow_id: id,
        per_page: 1,
      });
      return r.data.workflow_runs[0]?.head_sha ?? null;
    }
    const r = await octokit.rest.actions.listWorkflowRunsForRepo({
      ...filter,
      per_page: 100,
    });
    return r.data.workflow_runs.find((run) => run.name === workflow)?.head_sha ?? null;
  } catch (e) {
    throw apiError(`Looking for the newest successful ${workflow} run on ${branch}`, e);
  }
}
