// The governor: gathers the facts a decision needs, asks the pure rules, and carries the
// verdict out with the state branch as the lock: claim first, dispatch second, record third.
// Shared by the action and the CLI. The files follow the life of a decision: facts.ts, act.ts,
// observe.ts; deps.ts and policy.ts are what they share.
import type { WorkflowRunFacts } from '../domain/events.js';
import { shortSha } from '../domain/types.js';
import { emptyReport, type RunReport } from '../report/summary.js';
import type { GovernorDeps } from './deps.js';
import { readConfig, sameWorkflow } from './policy.js';
import { decideAndAct } from './act.js';
import { observeDeploy } from './observe.js';

/** A workflow_run event: the deploy workflow's outcome, a release candidate, or neither. */
export async function handleWorkflowRun(
  deps: GovernorDeps,
  run: WorkflowRunFacts,
): Promise<RunReport> {
  // Read with the head SHA's decision record: for a release candidate it is the one we need.
  const snapshot = await deps.store.read(run.headSha);
  const productionSha = snapshot.release.production_sha_current;
  const configRef = productionSha ?? run.headSha;
  const read = await readConfig(deps, configRef, productionSha !== null);
  const { config, disabled } = read;
  const skip = (
    reason: 'disabled' | 'not_a_release_candidate' | 'verification_not_successful',
    headline: string,
  ) =>
    emptyReport({
      outcome: 'SKIP',
      reason,
      sha: run.headSha,
      productionSha,
      headline,
      runUrl: deps.run.url,
      dryRun: deps.dryRun,
    });
  if (disabled || !config) {
    const report = skip('disabled', read.why ?? 'The governor is disabled for this repository.');
    if (read.typo && read.why) report.warnings.push(read.why);
    return report;
  }
  const facts = { path: run.workflowPath, name: run.workflowName };
  if (sameWorkflow(config.deploy_workflow, facts))
    return observeDeploy(deps, run, config, snapshot);
  if (!sameWorkflow(config.verification_workflow, facts)) {
    return skip(
      'not_a_release_candidate',
      `Workflow "${run.workflowName}" is neither the verification workflow (${config.verification_workflow}) nor the deploy workflow (${config.deploy_workflow}).`,
    );
  }
  if (run.conclusion !== 'success')
    return skip(
      'verification_not_successful',
      `${run.workflowName} concluded ${run.conclusion ?? 'without a conclusion'} on ${shortSha(run.headSha)}; nothing to deploy.`,
    );
  if (run.event !== 'push')
    return skip(
      'not_a_release_candidate',
      `${run.workflowName} ran for a ${run.event} event, not a push to ${config.branch}.`,
    );
  if (run.headBranch !== config.branch)
    return skip(
      'not_a_release_candidate',
      `${run.workflowName} ran on ${run.headBranch ?? 'no branch'}, not on the release branch ${config.branch}.`,
    );
  if (!run.sameRepository)
    return skip('not_a_release_candidate', 'The run is for code from another repository.');
  return decideAndAct(deps, { sha: run.headSha, manual: false }, { ...read, configRef, snapshot });
}

export { decideAndAct } from './act.js';
export {
  CLAIM_GRACE_MS,
  GovernorError,
  MAX_UNCONFIRMED_WRITES,
  MAX_WRITE_ATTEMPTS,
  writeState,
  type GovernorDeps,
} from './deps.js';
export type { DecideRequest } from './facts.js';
export { observeDeploy } from './observe.js';
export { readConfig, type ConfigRead } from './policy.js';
export { reconcile } from './reconcile.js';
