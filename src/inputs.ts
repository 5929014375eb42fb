// Every input of action.yml, parsed once into a typed object. Nothing else reads inputs.
import * as core from '@actions/core';

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

export function readInputs(): ActionInputs {
  const token = core.getInput('github-token');
  if (!token)
    throw new InputError(
      'Input github-token is empty: pass ${{ github.token }} or a token with contents, actions, statuses, issues and pull-requests access.',
    );
  core.setSecret(token);
  const configPath = core.getInput('config-path').trim() || DEFAULT_CONFIG_PATH;
  return {
    token,
    configPath,
    configPathExplicit: configPath !== DEFAULT_CONFIG_PATH,
    sha: core.getInput('sha').trim(),
    degraded: booleanInput('degraded', core.getInput('degraded'), null),
    dryRun: booleanInput('dry-run', core.getInput('dry-run'), false) === true,
    stage: core.getInput('stage').trim(),
    breakGlass: core.getInput('break-glass').trim(),
    reason: core.getInput('reason').trim(),
    rollback: booleanInput('rollback', core.getInput('rollback'), false) === true,
  };
}
