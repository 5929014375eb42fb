// `npm run bench [-- --quick]`: builds the minimal yardstick bundle, runs the suites in bench/ on
// Node 24 one at a time, and writes BENCHMARKS.md (quick mode: .tmp/bench/BENCHMARKS.md).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';
import { render } from '../bench/render.mjs';
import { findNode24 } from './node24.mjs';

const quick = process.argv.includes('--quick');
/** `--render`: rewrite BENCHMARKS.md from the last run's results without measuring again. */
const renderOnly = process.argv.includes('--render');
const node24 = findNode24();
const results = resolve('.tmp/bench');
const minimal = join(results, 'minimal');

if (!existsSync('dist/index.js')) {
  console.error('dist/index.js is missing: run `npm run package` first.');
  process.exit(1);
}
if (!renderOnly) measure();

function measure() {
  rmSync(results, { recursive: true, force: true });
  mkdirSync(results, { recursive: true });

  console.log('▶ building the minimal bundle (bench/minimal/index.js) with ncc');
  execFileSync(
    node24,
    [
      'node_modules/@vercel/ncc/dist/ncc/cli.js',
      'build',
      'bench/minimal/index.js',
      '-o',
      minimal,
      '-q',
    ],
    { stdio: 'inherit' },
  );

  console.log(`▶ running bench/*.bench.ts on ${node24}${quick ? ' (quick)' : ''}`);
  const r = spawnSync(
    node24,
    ['node_modules/vitest/vitest.mjs', 'run', '--config', 'bench/vitest.config.ts'],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        BENCH_QUICK: quick ? '1' : '0',
        BENCH_RESULTS: results,
        BENCH_MINIMAL: join(minimal, 'index.js'),
      },
    },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();
const describeMachine = () => ({
  quick,
  date: new Date().toISOString().slice(0, 10),
  commit: git('rev-parse', '--short', 'HEAD'),
  dirty: git('status', '--porcelain', '--', 'src', 'dist', 'bench') !== '',
  cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
  cores: cpus().length,
  memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
  os: `${type()} ${release()}`,
  node: execFileSync(node24, ['--version'], { encoding: 'utf8' }).trim(),
});
// The machine and commit of the measurement, kept with the results so --render keeps them.
const machineFile = join(results, 'machine.json');
if (!renderOnly) writeFileSync(machineFile, JSON.stringify(describeMachine(), null, 2));
const machine = JSON.parse(readFileSync(machineFile, 'utf8'));
const out = quick ? join(results, 'BENCHMARKS.md') : 'BENCHMARKS.md';
writeFileSync(out, render(results, machine));
console.log(`✔ wrote ${out}`);
