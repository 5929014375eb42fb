// GitHub Deployments (SPEC §21): the governor records a deployment of the exact SHA for every
// deploy it dispatches — a release or a rollback, on every service and stage — and moves it
// through queued (at the dispatch), in_progress (deployed, health check running), success or
// failure, and error when the outcome cannot be known. A deployment is a record for people and
// for the tools that read deployment_status events: nothing it does can fail a decision or
// undo a dispatch; what goes wrong is a warning that names the cause.
import type { StageContext } from '../domain/pipeline.js';
import { shortSha } from '../domain/types.js';
import { isRefused, isUnanswered } from '../adapters/api-error.js';
import type { DeploymentState } from '../ports.js';
import type { GovernorDeps, Remarks } from './deps.js';

/** A deploy the governor dispatched, as its deployment names it. */
export interface DispatchedDeploy {
  sha: string;
  run: { id: number; url: string };
  task: 'deploy' | 'deploy:rollback';
  version: string | null;
  /**
   * Look for a deployment of this deploy before creating one: a re-run of the job that may
   * have created it before it died, or a run found instead of dispatched.
   */
  lookFirst: boolean;
}

/**
 * The deployment of a dispatched deploy: found (when it may exist) or created, then `queued`
 * with the deploy run as its log. Null when deployments are off or GitHub did not take it (a
 * warning says why; the deploy goes on).
 */
export async function openDeployment(
  deps: GovernorDeps,
  ctx: StageContext,
  d: DispatchedDeploy,
  said: Remarks,
): Promise<number | null> {
  if (!ctx.config.github_deployments) return null;
  const environment = ctx.stage.environment;
  const find = async () =>
    (await deps.gh.findDeployments({ sha: d.sha, environment, task: d.task })).find(
      (x) => (x.payload as { deploy_run_id?: unknown } | null)?.deploy_run_id === d.run.id,
    )?.id ?? null;
  try {
    const found = d.lookFirst ? await find() : null;
    if (found !== null) return found;
    let id: number;
    try {
      id = (
        await deps.gh.createDeployment({
          sha: d.sha,
          environment,
          production: ctx.stage.isLast,
          task: d.task,
          payload: payloadOf(deps, ctx, d),
          description: `${d.task === 'deploy' ? 'Deploy' : 'Rollback to'} ${shortSha(d.sha)} by the Release Governor`,
        })
      ).id;
    } catch (e) {
      // The answer was lost: GitHub may have created it. Look before anything else.
      if (!isUnanswered(e)) throw e;
      const again = await find();
      if (again === null) throw e;
      id = again;
    }
    await setState(deps, ctx, { id, state: 'queued', logUrl: d.run.url });
    return id;
  } catch (e) {
    said.warn(deploymentProblem(e, `record the deployment of ${shortSha(d.sha)}`));
    return null;
  }
}

/** What the deployment says about itself (§21): the service, stage, version and the runs. */
function payloadOf(
  deps: GovernorDeps,
  ctx: StageContext,
  d: DispatchedDeploy,
): Record<string, unknown> {
  return {
    service: ctx.config.service?.name ?? null,
    stage: ctx.stage.name,
    version: d.version,
    governor_run: deps.run.url,
    evidence_hash: deps.store.evidenceWritten.at(-1)?.hash ?? null,
    deploy_run_id: d.run.id,
    deploy_run: d.run.url,
  };
}

const DESCRIPTIONS: Record<DeploymentState, string> = {
  queued: 'Dispatched; waiting for the deploy run',
  in_progress: 'Deployed; the health check is running',
  success: 'Deployed and verified',
  failure: 'Failed',
  error: 'The outcome could not be known',
  inactive: 'No longer what the environment runs',
};

/**
 * A later status of a recorded deployment: once per observed outcome (the callers post it only
 * when they recorded that outcome). A failure to post is a warning.
 */
export async function deploymentOutcome(
  deps: GovernorDeps,
  ctx: StageContext,
  o: {
    id: number | null | undefined;
    state: DeploymentState;
    logUrl?: string | null;
    why?: string;
  },
  said: Remarks,
): Promise<void> {
  if (!ctx.config.github_deployments || o.id === null || o.id === undefined) return;
  try {
    await setState(deps, ctx, {
      id: o.id,
      state: o.state,
      logUrl: o.logUrl ?? null,
      ...(o.why ? { why: o.why } : {}),
    });
  } catch (e) {
    said.warn(deploymentProblem(e, `set deployment ${o.id} to ${o.state}`));
  }
}

async function setState(
  deps: GovernorDeps,
  ctx: StageContext,
  s: { id: number; state: DeploymentState; logUrl: string | null; why?: string },
): Promise<void> {
  await deps.gh.deploymentStatus(s.id, {
    state: s.state,
    logUrl: s.logUrl,
    // Where the stage is reached: on the statuses that say it runs there.
    environmentUrl: s.state === 'success' ? ctx.stage.environmentUrl : null,
    description: s.why ?? DESCRIPTIONS[s.state],
  });
}

/** The warning for a deployment GitHub did not take: the permission when that is the cause. */
function deploymentProblem(e: unknown, what: string): string {
  const status = (e as { status?: number }).status;
  if (isRefused(e) && status === 403)
    return `Could not ${what}: GitHub refused it (403). The governor workflow needs the permission \`deployments: write\` (or set github_deployments: false). The decision and the deploy stand.`;
  return `Could not ${what}: ${(e as Error).message}. The decision and the deploy stand; the Deployments page may not show it.`;
}
