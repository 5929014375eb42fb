// The `release-governor` CLI: the same engine as the action, another set of adapters.
import { configJsonSchema } from './domain/config.js';

const USAGE = `Usage: release-governor <command> [options]

Commands:
  status [--json]                         release state
  simulate --sha <sha> [--show-paths]     decision without side effects
  trigger --sha <sha>                     decide and, on ALLOW, claim and dispatch
  history [--limit N] [--json]            recent decisions and deploys
  schema                                  print the JSON Schema of the release_governor block

Backends: --repo owner/name (GITHUB_TOKEN, GITHUB_API_URL) or --local [path].
Exit codes: 0 ALLOW or success, 1 HOLD, 2 error.`;

export async function cli(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [command] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command === 'schema') {
    out.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    return 0;
  }
  if (['status', 'simulate', 'trigger', 'history'].includes(command)) {
    err.write(`release-governor ${command}: not available in this build yet.\n`);
    return 2;
  }
  err.write(`release-governor: unknown command "${command}".\n\n${USAGE}\n`);
  return 2;
}
