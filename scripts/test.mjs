// `npm test`: every check, in the order that fails fastest, on Node 24.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { findNode24 } from './node24.mjs';

const node24 = findNode24();
const RESULTS = '.tmp/vitest-results.json';
const steps = [
  [
    'typecheck',
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'],
  ],
  ['lint', process.execPath, ['node_modules/eslint/bin/eslint.js', '--max-warnings=0', '.']],
  ['format', process.execPath, ['node_modules/prettier/bin/prettier.cjs', '--check', '.']],
  ['dist', process.execPath, ['scripts/check-dist.mjs']],
  [
    'tests (unit, simulator, e2e) on Node 24',
    node24,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${RESULTS}`,
      ...process.argv.slice(2),
    ],
  ],
];

rmSync(RESULTS, { force: true });
mkdirSync('.tmp', { recursive: true });
const started = Date.now();
for (const [name, cmd, args] of steps) {
  const t = Date.now();
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (existsSync(RESULTS) && name.startsWith('tests')) {
    const j = JSON.parse(readFileSync(RESULTS, 'utf8'));
    // The plain closing line CI reads: "N passed, N failed".
    console.log(
      `\n${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests + j.numTodoTests} skipped`,
    );
  }
  if (r.status !== 0) {
    console.error(`✖ ${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  console.log(`✔ ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}
console.log(
  `\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s on ${node24 === process.execPath ? process.version : 'Node 24'}.`,
);
