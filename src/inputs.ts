// Every input of action.yml, parsed once into a typed object. Nothing else reads inputs.

export const DEFAULT_CONFIG_PATH = '.booty.yml';

export interface ActionInputs {
  token: string;
  configPath: string;
  /** config-path differs from the default: a missing file is an error, not "governor off". */
  configPathExplicit: boolean;
  sha: string;
  /** true / false, or null when unknown (the input was empty). */
  degraded: boolean | null;
  dryRun: boolean;
  /** workflow_dispatch with a sha: the stage to decide; empty → the first stage the SHA has not passed. */
  stage: string;
  /** `break-glass`: exactly DEPLOY-NOW asks for a break-glass deploy (§16); empty otherwise. */
  breakGlass: string;
  /** Why: required with break-glass and with rollback. */
  reason: string;
  /** Roll the stage back (§16). */
  rollback: boolean;
  /** Services (§20): restrict the run to this service; empty → every service. */
  service: string;
}

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

function booleanInput(name: string, value: string, empty: boolean | null): boolean | null {
  const v = value.trim().toLowerCase();
  if (v === '') return empty;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new InputError(
    `Input ${name} must be true, false or empty; got ${JSON.stringify(value.slice(0, 40))}.`,
  );
}

/**
 * Reads the inputs through `input` (the runner's INPUT_* variables, as `core.getInput` reads
 * them) and hides the token from the log through `secret`.
 */
export function readInputs(
  input: (name: string) => string,
  secret: (value: string) => void,
): ActionInputs {
  const token = input('github-token');
  if (!token)
    throw new InputError(
      'Input github-token is empty: pass ${{ github.token }} or a token with contents, actions, statuses, issues and pull-requests access.',
    );
  secret(token);
  const configPath = input('config-path').trim() || DEFAULT_CONFIG_PATH;
  return {
    token,
    configPath,
    configPathExplicit: configPath !== DEFAULT_CONFIG_PATH,
    sha: input('sha').trim(),
    degraded: booleanInput('degraded', input('degraded'), null),
    dryRun: booleanInput('dry-run', input('dry-run'), false) === true,
    stage: input('stage').trim(),
    breakGlass: input('break-glass').trim(),
    reason: input('reason').trim(),
    rollback: booleanInput('rollback', input('rollback'), false) === true,
    service: input('service').trim(),
  };
}
