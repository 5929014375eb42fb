// Runs the action as GitHub's runner would: the runner's environment, an event file, outputs,
// annotations and a summary. Two ways, one result: `via: 'bundle'` starts the built
// dist/index.js in a child process (what GitHub runs); `via: 'process'` runs the same job
// (src/job.ts, which the bundle's main.ts binds to process.env and @actions/core) in this
// process with an environment and an I/O of its own, so that a file's many scenarios do not
// each pay a process start. Which one a test file uses is its own declaration (`useRunner`);
// RG_TEST_VIA=bundle sends every run through the bundle.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobIO } from '../../src/job.js';
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
  /** The script to run instead of dist/index.js (the benchmarks' minimal action); implies the bundle. */
  entry?: string;
  /** Overrides the file's runner for this run (see useRunner). */
  via?: Via;
  /**
   * Give the job the Actions runtime (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL) so that the
   * evidence artifact is uploaded to the simulator's artifact service. Off by default: without
   * it the upload is skipped, and the many runs of the suite do not load the artifact client.
   */
  artifacts?: boolean;
  /**
   * The time the action's clock starts at (it runs on at real speed): the outside world's clock,
   * set as the simulator's is (support/fake-clock.mjs). The bundle only.
   */
  clock?: Date;
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

/** The environment that starts a spawned bundle's clock at `at` (support/fake-clock.mjs). */
export function clockEnv(at: Date): Record<string, string> {
  return {
    NODE_OPTIONS: `--import=${pathToFileURL(resolve('__tests__/support/fake-clock.mjs')).href}`,
    RG_TEST_CLOCK: at.toISOString(),
  };
}

export type Via = 'bundle' | 'process';

let fileVia: Via = 'bundle';

/**
 * Declares how this test file's runs start (call it at the top of the file). The bundle is the
 * default: a file that proves what GitHub runs keeps it; a file of many scenarios of the
 * governor's logic runs them in process. RG_TEST_VIA=bundle overrides every file.
 */
export function useRunner(via: Via): void {
  fileVia = via;
}

function viaOf(opts: RunOptions): Via {
  if (opts.entry || process.env.RG_TEST_VIA === 'bundle') return 'bundle';
  return opts.via ?? fileVia;
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
      ...(opts.clock ? clockEnv(opts.clock) : {}),
      ...opts.env,
    };
    const before = opts.sim.log.length;
    const startedAt = performance.now();
    if (viaOf(opts) === 'process') {
      if (opts.clock) throw new Error('runAction: a clock is for the bundle (via: bundle) only');
      const job = await runInProcess(env, opts.timeoutMs ?? 60_000);
      return {
        ...job,
        requests: opts.sim.log.slice(before),
        startedAt,
        endedAt: performance.now(),
      };
    }
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

/** Workflow-command escaping, as @actions/core writes it (toCommandValue, escapeData/Property). */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * The job in this process. Its I/O writes what @actions/core would: the same workflow-command
 * lines on a stdout of its own, outputs in GITHUB_OUTPUT's heredoc form, the summary appended.
 */
async function runInProcess(
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
}> {
  const { runJob } = await import('../../src/job.js');
  const lines: string[] = [];
  const outputs: Record<string, string> = {};
  let summary = '';
  let exitCode = 0;
  const io: JobIO = {
    input: (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim(),
    secret: (value) => lines.push(`::add-mask::${escapeData(value)}`),
    output: (name, value) => (outputs[name] = value),
    info: (message) => lines.push(message),
    notice: (message, title) =>
      lines.push(`::notice title=${escapeProperty(title)}::${escapeData(message)}`),
    warning: (message, title) =>
      lines.push(`::warning title=${escapeProperty(title)}::${escapeData(message)}`),
    fail: (message) => {
      exitCode = 1;
      lines.push(`::error::${escapeData(message)}`);
    },
    summary: async (markdown) => {
      summary += markdown;
    },
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      runJob(env, io),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`job timed out after ${timeoutMs} ms\n${lines.join('\n')}`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (err) {
    // runJob never throws: anything here is a defect, reported as a crashed process would be.
    return {
      exitCode: 1,
      outputs,
      summary,
      stdout: lines.join('\n'),
      stderr: (err as Error).stack ?? String(err),
    };
  } finally {
    clearTimeout(timer);
  }
  return { exitCode, outputs, summary, stdout: lines.map((l) => `${l}\n`).join(''), stderr: '' };
}
