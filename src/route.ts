// What the event and the inputs ask for: decide, observe, reconcile, or an operator control.
// job.ts loads this module (and with it the governor's rules) only once the run's first request
// is on its way (SPEC §13, start-up to the first request).
import type { GovernorEvent } from './domain/events.js';
import { approvalLanded } from './governor/approval.js';
import { breakGlass, manualRollback } from './governor/controls.js';
import { decideAndAct, handleWorkflowRun, reconcile, type GovernorDeps } from './governor/index.js';
import { InputError, type ActionInputs } from './inputs.js';
import type { RunReport } from './report/summary.js';

/** What the event and the inputs ask for: decide, observe, reconcile, or an operator control. */
export async function route(
  deps: GovernorDeps,
  {
    inputs,
    event,
    eventName,
    triggeringActor,
  }: { inputs: ActionInputs; event: GovernorEvent; eventName: string; triggeringActor: string },
): Promise<RunReport> {
  // Operator controls (§16): only by hand, through workflow_dispatch.
  const control = inputs.rollback || inputs.breakGlass !== '';
  if (control && eventName !== 'workflow_dispatch')
    throw new InputError(
      `Inputs rollback and break-glass are for a workflow_dispatch of the governor, not a ${eventName} event. Nothing was dispatched or written.`,
    );
  if (inputs.rollback && inputs.breakGlass)
    throw new InputError(
      'Inputs rollback and break-glass were both given: ask for one at a time. Nothing was dispatched or written.',
    );
  if ((event.kind === 'manual' || event.kind === 'reconcile') && control) {
    const actor = triggeringActor || event.sender;
    const stage = {
      ...(inputs.stage ? { stage: inputs.stage } : {}),
      ...(inputs.service ? { service: inputs.service } : {}),
    };
    if (inputs.rollback)
      return manualRollback(deps, {
        reason: inputs.reason,
        actor,
        ...stage,
        ...(event.kind === 'manual' ? { sha: event.sha } : {}),
      });
    if (event.kind !== 'manual')
      throw new InputError(
        'A break-glass deploy needs the sha input: the exact commit to deploy. Nothing was dispatched or written.',
      );
    return breakGlass(deps, {
      sha: event.sha,
      text: inputs.breakGlass,
      reason: inputs.reason,
      actor,
      ...stage,
    });
  }
  if (event.kind === 'workflow_run') return handleWorkflowRun(deps, event.run);
  if (event.kind === 'approval') return approvalLanded(deps, event);
  if (event.kind === 'reconcile') {
    if (inputs.stage)
      throw new InputError(
        `Input stage (${JSON.stringify(inputs.stage)}) needs the input sha: it names the stage to decide that SHA for. Without a sha the governor reconciles every stage.`,
      );
    return reconcile(deps);
  }
  return decideAndAct(deps, {
    sha: event.sha,
    manual: true,
    ...(inputs.stage ? { stage: inputs.stage } : {}),
    ...(inputs.service ? { service: inputs.service } : {}),
  });
}
