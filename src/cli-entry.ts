// The CLI's entry point (package.json bin → dist/cli/index.js).
import { cli, normalizeArgv } from './cli.js';

void cli(normalizeArgv(process.argv.slice(2))).then((code) => {
  process.exitCode = code;
});
