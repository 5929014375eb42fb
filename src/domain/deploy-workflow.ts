// Rule 4 (SPEC §6) looks at the deploy workflow itself: a workflow that cannot take the
// governor's dispatch is HOLD deploy_not_configured naming what is missing, before anything is
// claimed — not a 422 from GitHub after the claim. Pure: the file's text comes in. The YAML
// parser is loaded when a workflow is first read, after the run's first request (SPEC §13).

/** Where the governor looks for a deploy workflow named by file (`deploy.yml`). */
export const WORKFLOWS_DIR = '.github/workflows';

/** The file name of a configured deploy workflow, or null when it is not a plain file name. */
export function workflowFileName(configured: string): string | null {
  const name = configured.replace(/^\.\//, '').replace(/^\.github\/workflows\//, '');
  return /^[^/]+\.ya?ml$/.test(name) ? name : null;
}

type Inputs = Record<string, { required?: unknown; default?: unknown } | null>;

/** The workflow_dispatch trigger of a workflow: its inputs, or null when it has none. */
function dispatchTrigger(on: unknown): { inputs: Inputs } | null {
  if (on === 'workflow_dispatch') return { inputs: {} };
  if (Array.isArray(on)) return on.includes('workflow_dispatch') ? { inputs: {} } : null;
  if (on && typeof on === 'object' && 'workflow_dispatch' in on) {
    const wd = (on as Record<string, unknown>).workflow_dispatch as { inputs?: unknown } | null;
    const inputs = wd && typeof wd === 'object' ? wd.inputs : undefined;
    return { inputs: inputs && typeof inputs === 'object' ? (inputs as Inputs) : {} };
  }
  return null;
}

/**
 * Why the deploy workflow cannot take the dispatch the governor will send (`sends`: the inputs,
 * `sha` first), or null when it can. `text` null: the file does not exist at the ref.
 */
export async function deployWorkflowProblem(
  text: string | null,
  f: { path: string; ref: string; sends: string[] },
): Promise<string | null> {
  const where = `${f.path} on ${f.ref}`;
  if (text === null)
    return `${where} does not exist: check deploy_workflow and deploy_workflow_ref, or commit the workflow.`;
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: false });
  } catch (e) {
    return `${where} is not valid YAML (${(e as Error).message.split('\n')[0]}): GitHub would refuse the dispatch.`;
  }
  const on = doc && typeof doc === 'object' ? (doc as Record<string, unknown>).on : undefined;
  const trigger = dispatchTrigger(on);
  if (!trigger)
    return `${where} has no workflow_dispatch trigger, so the governor cannot start it: add \`on: workflow_dispatch\` with the inputs ${f.sends.join(', ')}.`;
  const declared = Object.keys(trigger.inputs);
  const missing = f.sends.filter((i) => !declared.includes(i));
  if (missing.length > 0)
    return `${where} does not declare the input${missing.length > 1 ? 's' : ''} ${missing.join(', ')} under workflow_dispatch (the governor sends ${f.sends.join(', ')}): declare ${missing.length > 1 ? 'them' : 'it'}, or GitHub refuses the dispatch.`;
  const unmet = declared.filter((name) => {
    const spec = trigger.inputs[name];
    return spec?.required === true && spec.default === undefined && !f.sends.includes(name);
  });
  if (unmet.length > 0)
    return `${where} requires the input${unmet.length > 1 ? 's' : ''} ${unmet.join(', ')}, which the governor does not send (it sends ${f.sends.join(', ')}): make ${unmet.length > 1 ? 'them' : 'it'} optional or give ${unmet.length > 1 ? 'them' : 'it'} a default.`;
  return null;
}
