// The CLI's entry point (package.json bin → dist/cli/index.js).
import { cli } from './cli.js';

void cli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
