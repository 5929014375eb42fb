// A parsed configuration for unit tests: the release_governor block with `extra` YAML lines.
import { loadConfig, type Config } from '../../src/domain/config.js';

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
