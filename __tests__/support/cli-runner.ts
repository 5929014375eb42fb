// Runs the built CLI bundle (dist/cli/index.js) as a user would.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { clockEnv } from './action-runner.js';

export const DIST_CLI = resolve('dist/cli/index.js');

export async function runCli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; clock?: Date } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [DIST_CLI, ...args], {
      cwd: opts.cwd ?? process.cwd(),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        // See global-setup.ts: the suite's compile cache, never the benchmarks'.
        ...(process.env.RG_TEST_COMPILE_CACHE
          ? { NODE_COMPILE_CACHE: process.env.RG_TEST_COMPILE_CACHE }
          : {}),
        ...(opts.clock ? clockEnv(opts.clock) : {}),
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}
