// A parsed configuration for unit tests: the release_governor block with `extra` YAML lines.
import { loadConfig, type Config } from '../../src/domain/config.js';
import { ConfigError } from '../../src/domain/config-base.js';

export function testConfig(extra = ''): Config {
  const r = loadConfig({
    text: `release_governor:\n${extra}`,
    path: '.booty.yml',
    env: {},
    defaultBranch: 'main',
  });
  if (!r.config) throw new Error('the test configuration did not parse to a config');
  return r.config;
}

/** The problems a config text is refused with, each as `where key: message`. */
export function configProblems(text: string): string[] {
  try {
    loadConfig({ text, path: '.booty.yml', env: {}, defaultBranch: 'main' });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.where} ${p.key}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}
