// The trusted policy: the config read at the production SHA (or the head before a first
// deploy), and why the governor is off when it is.
import type { Config } from '../domain/config.js';
import { ConfigError } from '../domain/config-base.js';
import { shortSha } from '../domain/types.js';
import { GovernorError, type GovernorDeps } from './deps.js';
import { serviceConfig } from '../domain/services.js';
import { gitBlobSha } from '../domain/evidence.js';

export interface ConfigRead {
  config: Config | null;
  disabled: boolean;
  /** Why the governor is off (which file, at which commit, a likely typo); null when on. */
  why: string | null;
  typo: string | null;
  /** Git's blob id of the config file as read (the evidence names the exact policy); null: absent. */
  blobSha?: string | null;
  /** The production SHA the policy was looked up for (null: nothing in production yet). */
  production: string | null;
  /** The commit the config was read at: production's, or the head's (first deploy, adoption). */
  configRef: string;
  /**
   * Production runs a commit without the config file (a running production adopted from before
   * the governor): the head's config judges, and the decision needs an approval covering the
   * whole diff, as a first deploy does (SPEC §3, rule 6).
   */
  adopted: boolean;
}

/** Whether a read answers for this production SHA and head (production's policy fits any head). */
export function readFits(read: ConfigRead, production: string | null, head: string): boolean {
  return (
    read.production === production &&
    (read.configRef === head || (production !== null && read.configRef === production))
  );
}

async function fileAt(deps: GovernorDeps, ref: string): Promise<string | null> {
  // Production's copy on the state branch, or the file at the SHA the state read brought along
  // (SPEC §19); else one contents API request (which fails, naming it, for a commit that does
  // not exist: a missing production commit never reads as "no config").
  const known = deps.store.knownFile(ref, deps.configPath);
  if (known !== undefined) return known;
  const text = await deps.gh.readFile(ref, deps.configPath);
  deps.store.rememberFile(ref, deps.configPath, text);
  return text;
}

/**
 * The trusted policy (SPEC §3): the config at `production`, or at `head` when nothing is in
 * production yet or production's commit has no config file (then `adopted`).
 */
export async function readConfig(
  deps: GovernorDeps,
  production: string | null,
  head: string,
): Promise<ConfigRead> {
  let ref = production ?? head;
  let text = await fileAt(deps, ref);
  const adopted = production !== null && text === null && head !== production;
  if (adopted) {
    ref = head;
    text = await fileAt(deps, head);
  }
  if (text === null && deps.configPathExplicit)
    throw new ConfigError([
      {
        key: '',
        where: deps.configPath,
        message: `the configured config-path does not exist at ${shortSha(ref)} (the commit whose policy applies). Fix config-path, or commit the file.`,
      },
    ]);
  // The schema and the YAML parser load here, after the run's first request (SPEC §13).
  const { loadConfig } = await import('../domain/config.js');
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
  const blobSha = text === null ? null : gitBlobSha(text);
  const where = { production, configRef: ref, adopted, blobSha };
  if (result.enabled)
    return { config: result.config, disabled: false, why: null, typo: null, ...where };
  const at = adopted
    ? `the head, as production ${shortSha(production!)} predates ${deps.configPath}`
    : production
      ? 'production commit: its policy judges every change'
      : 'commit being decided, as nothing is in production yet';
  return {
    config: result.config,
    disabled: true,
    why: `${result.why} (Read at ${shortSha(ref)}, ${adopted ? at : `the ${at}`}.)`,
    typo: result.typo,
    ...where,
  };
}

/**
 * The read as a service sees it (SPEC §20): the config that service is judged with; the read
 * unchanged without a service, or when it is narrowed already.
 */
export function forService<T extends ConfigRead>(read: T, service: string | null): T {
  const config = read.config;
  if (service === null || !config || config.service) return read;
  if (!config.services?.some((s) => s.name === service))
    throw new GovernorError(
      `There is no service named ${JSON.stringify(service)} in the policy in force (${config.services?.length ? `its services: ${config.services.map((s) => s.name).join(', ')}` : 'it has no services'}).`,
      config.services?.length
        ? 'Pass one of them as the service input, or leave it empty for every service.'
        : 'Without `services` in the config the repository is one deployable; leave the service input empty.',
    );
  return { ...read, config: serviceConfig(config, service) };
}

export function sameWorkflow(configured: string, run: { path: string; name: string }): boolean {
  const c = configured.replace(/^\.\//, '');
  if (c === '') return false;
  if (/\.ya?ml$/.test(c)) return run.path === c || run.path.endsWith(`/${c}`);
  return run.name === c;
}
