// Measurement helpers for the suites in bench/: statistics, result files, timed child processes.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const RESULTS_DIR = resolve(process.env.BENCH_RESULTS ?? '.tmp/bench');
/** `npm run bench -- --quick`: fewer repetitions, same measurements. */
export const QUICK = process.env.BENCH_QUICK === '1';

export interface Stats {
  n: number;
  median: number;
  min: number;
  max: number;
  /** Interquartile range: the spread of the middle half. */
  iqr: number;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    median: quantile(s, 0.5),
    min: s[0]!,
    max: s.at(-1)!,
    iqr: quantile(s, 0.75) - quantile(s, 0.25),
  };
}

/** Times `fn` `runs` times after `warmup` untimed runs; milliseconds. */
export async function timed(
  runs: number,
  warmup: number,
  fn: () => unknown | Promise<unknown>,
): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

export function writeResult(name: string, data: unknown): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
}

/** Runs `node <args>` and resolves when it exits, with its start time (performance.now()). */
export function spawnNode(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<{ startedAt: number; endedAt: number; code: number; stdout: string }> {
  return new Promise((done, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) =>
      done({ startedAt, endedAt: performance.now(), code: code ?? -1, stdout }),
    );
  });
}
