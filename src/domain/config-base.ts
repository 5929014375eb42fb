// What every run needs of the configuration before the file is read: the block's name, the
// variables that are not policy, the default risk paths, the error a bad config raises. The
// schema and its parser (config.ts, with yaml and zod's largest schema) load only when a config
// is read, after a run's first request (SPEC §13: start-up to the first request).

export const CONFIG_BLOCK = 'release_governor';

export const DEFAULT_HIGH_RISK_PATHS = [
  '.github/workflows/**',
  '**/migrations/**',
  '**/*.sql',
  'infra/**',
  'terraform/**',
  '**/*.tf',
  'helm/**',
  'k8s/**',
  '**/Dockerfile',
  '**/Dockerfile.*',
  '**/*.Dockerfile',
  '**/Containerfile',
  'docker-compose*.yml',
  'compose.yml',
  'compose.yaml',
  '**/package-lock.json',
  '**/yarn.lock',
  '**/pnpm-lock.yaml',
  '**/poetry.lock',
  '**/Cargo.lock',
  '**/go.sum',
  '**/Gemfile.lock',
  '**/composer.lock',
  '**/uv.lock',
  '**/auth/**',
  '**/security/**',
  '**/*secret*',
  '**/.env*',
] as const;

export const DEFAULT_MEDIUM_RISK_PATHS = [
  '**/package.json',
  '**/requirements*.txt',
  '**/pyproject.toml',
  '**/Cargo.toml',
  '**/go.mod',
  '**/Gemfile',
  '**/composer.json',
  '**/pom.xml',
  '**/build.gradle*',
] as const;

export interface ConfigProblem {
  key: string;
  message: string;
  /** `.booty.yml:12` or `env RELEASE_GOVERNOR_COOLDOWN_MINUTES`. */
  where: string;
}

export class ConfigError extends Error {
  readonly reason = 'config_invalid';
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Invalid release_governor configuration:\n${problems.map((p) => `  - ${p.where}: ${p.key ? `${p.key}: ` : ''}${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** `RELEASE_GOVERNOR_APPROVED` is the environment approval, not configuration. */
export const APPROVAL_VARIABLE = 'RELEASE_GOVERNOR_APPROVED';
/**
 * `RELEASE_GOVERNOR_RETRY_BASE_MS` is a runtime setting, not policy (governor/deps.ts reads it):
 * named here only so that it is not taken for an override.
 */
export const RETRY_BASE_VARIABLE = 'RELEASE_GOVERNOR_RETRY_BASE_MS';

/** The prefix of every override variable. */
export const ENV_PREFIX = 'RELEASE_GOVERNOR_';

export function envVarFor(key: string): string {
  return ENV_PREFIX + key.toUpperCase();
}

export function normalizePath(p: string): string {
  return p.replace(/^\.\//, '').replace(/^\/+/, '');
}
