// The trusted policy: the config read at the production SHA (or the head before a first
// deploy), and why the governor is off when it is.
import { ConfigError, loadConfig, type Config } from '../domain/config.js';
import { shortSha } from '../domain/types.js';
import type { GovernorDeps } from './deps.js';
import { gitBlobSha } from '../domain/evidence.js';
import { lastStage, pipelineOf } from '../domain/pipeline.js';

export interface ConfigRead {
  config: Config | null;
  disabled: boolean;
  /** Why the governor is off (which file, at which commit, a likely typo); null when on. */
  why: string | null;
  typo: string | null;
  /** Git's blob id of the config file as read (the evidence names the exact policy); null: absent. */
  blobSha?: string | null;
}

/** `production`: `ref` is the production SHA (else the commit being decided, before a first deploy). */
export async function readConfig(
  deps: GovernorDeps,
  ref: string,
  production: boolean,
): Promise<ConfigRead> {
  // Production's copy on the state branch, or the file at the SHA the state read brought along
  // (SPEC §19); else one contents API request.
  const known = deps.store.knownFile(ref, deps.configPath);
  let text: string | null;
  if (known !== undefined) text = known;
  else {
    text = await deps.gh.readFile(ref, deps.configPath);
    deps.store.rememberFile(ref, deps.configPath, text);
  }
  if (text === null && deps.configPathExplicit)
    throw new ConfigError([
      {
        key: '',
        where: deps.configPath,
        message: `the configured config-path does not exist at ${shortSha(ref)} (the commit whose policy applies). Fix config-path, or commit the file.`,
      },
    ]);
  const result = loadConfig({
    text,
    path: deps.configPath,
    env: deps.env,
    defaultBranch: deps.defaultBranch,
  });
  // The state is read before the config (the config is read at the production SHA the state
  // names), so the branch cannot come from the file alone; a file that disagrees would split
  // the state in two, and a commit could point the governor at an empty branch.
  if (result.config && result.config.state_branch !== deps.stateBranch) {
    throw new ConfigError([
      {
        key: 'release_governor.state_branch',
        where: deps.configPath,
        message: `is ${result.config.state_branch}, but the state is read from ${deps.stateBranch} before the config. Set RELEASE_GOVERNOR_STATE_BRANCH=${result.config.state_branch} in the governor step's env as well.`,
      },
    ]);
  }
  // Until a stage is chosen the store presents the last one (without `stages`, the one stage,
  // named after the production environment), which the top-level fields describe.
  if (result.config && deps.store.stageName === null)
    deps.store.useStage(lastStage(pipelineOf(result.config)).name, true);
  if (result.config) deps.store.retentionDays = result.config.evidence_retention_days;
  const blobSha = text === null ? null : gitBlobSha(text);
  if (result.enabled)
    return { config: result.config, disabled: false, why: null, typo: null, blobSha };
  return {
    config: result.config,
    blobSha,
    disabled: true,
    why: `${result.why} (Read at ${shortSha(ref)}, the ${production ? 'production commit: its policy judges every change' : 'commit being decided, as nothing is in production yet'}.)`,
    typo: result.typo,
  };
}

export function sameWorkflow(configured: string, run: { path: string; name: string }): boolean {
  const c = configured.replace(/^\.\//, '');
  if (c === '') return false;
  if (/\.ya?ml$/.test(c)) return run.path === c || run.path.endsWith(`/${c}`);
  return run.name === c;
}
