// Runs the built action (dist/index.js) as GitHub's runner would: a child process with the
// runner's environment, an event file, an output file and a summary file.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { GitHubSimulator, LogEntry } from './github-simulator/server.js';

export const DIST_ACTION = resolve('dist/index.js');

export interface ActionRun {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
  /** The requests this run made, in order. */
  requests: LogEntry[];
  /** performance.now() just before the spawn and when the process closed (for benchmarks). */
  startedAt: number;
  endedAt: number;
}

export interface RunOptions {
  sim: GitHubSimulator;
  eventName: string;
  event: unknown;
  /** The event file's exact text, instead of `event` serialised (for payloads that are not JSON). */
  eventText?: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  runId?: number;
  runAttempt?: number;
  timeoutMs?: number;
  /** The script to run instead of dist/index.js (the benchmarks' minimal action). */
  entry?: string;
  /**
   * Give the job the Actions runtime (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL) so that the
   * evidence artifact is uploaded to the simulator's artifact service. Off by default: without
   * it the upload is skipped, and the many runs of the suite do not load the artifact client.
   */
  artifacts?: boolean;
}

/** Parses GITHUB_OUTPUT in both forms: `name=value` and `name<<DELIM … DELIM`. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      out[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return out;
}

export async function runAction(opts: RunOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-run-'));
  try {
    const eventPath = join(dir, 'event.json');
    const outputPath = join(dir, 'output');
    const summaryPath = join(dir, 'summary.md');
    writeFileSync(eventPath, opts.eventText ?? JSON.stringify(opts.event));
    writeFileSync(outputPath, '');
    writeFileSync(summaryPath, '');
    const inputs: Record<string, string> = {
      'github-token': opts.sim.token,
      'config-path': '.booty.yml',
      'dry-run': 'false',
      degraded: '',
      sha: '',
      ...opts.inputs,
    };
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      RUNNER_TEMP: dir,
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_EVENT_NAME: opts.eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_API_URL: opts.sim.apiUrl,
      GITHUB_GRAPHQL_URL: `${opts.sim.apiUrl}/graphql`,
      GITHUB_SERVER_URL: opts.sim.serverUrl,
      GITHUB_REPOSITORY: opts.sim.fullName,
      GITHUB_REPOSITORY_ID: String(opts.sim.repoId),
      GITHUB_RUN_ID: String(opts.runId ?? 9_000_001),
      GITHUB_RUN_ATTEMPT: String(opts.runAttempt ?? 1),
      GITHUB_WORKFLOW: 'Release Governor',
      GITHUB_JOB: 'govern',
      // The runner sets GITHUB_SHA to the default branch head for workflow_run; the governor
      // must never use it. A value that is not a commit makes any such use fail loudly.
      GITHUB_SHA: 'ffffffffffffffffffffffffffffffffffffffff',
      GITHUB_REF: `refs/heads/${opts.sim.defaultBranch}`,
      ...(process.env.RG_TEST_COMPILE_CACHE
        ? { NODE_COMPILE_CACHE: process.env.RG_TEST_COMPILE_CACHE }
        : {}),
      ...(opts.artifacts
        ? {
            ACTIONS_RUNTIME_TOKEN: opts.sim.artifactService.runtimeToken,
            ACTIONS_RESULTS_URL: `${opts.sim.apiUrl}/`,
          }
        : {}),
      ...Object.fromEntries(
        Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
      ),
      ...opts.env,
    };
    const before = opts.sim.log.length;
    const startedAt = performance.now();
    const { code, stdout, stderr } = await new Promise<{
      code: number;
      stdout: string;
      stderr: string;
    }>((resolvePromise, reject) => {
      // Async spawn: the simulator answers from this same process, so blocking would deadlock.
      const child = spawn(process.execPath, [opts.entry ?? DIST_ACTION], {
        env,
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let so = '';
      let se = '';
      child.stdout.on('data', (d: Buffer) => (so += d.toString()));
      child.stderr.on('data', (d: Buffer) => (se += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`action timed out after ${opts.timeoutMs ?? 60_000} ms\n${so}\n${se}`));
      }, opts.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolvePromise({ code: c ?? -1, stdout: so, stderr: se });
      });
    });
    return {
      exitCode: code,
      outputs: parseOutputFile(readFileSync(outputPath, 'utf8')),
      summary: readFileSync(summaryPath, 'utf8'),
      stdout,
      stderr,
      requests: opts.sim.log.slice(before),
      startedAt,
      endedAt: performance.now(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
