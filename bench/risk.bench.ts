// Risk classification of 100,000 paths against 60 patterns (SPEC §13: under 300 ms), next to
// two plain uses of minimatch: one Minimatch per pattern reused for every path, and the naive
// one, minimatch(path, pattern) per pair, which compiles the pattern again every time.
import { minimatch, Minimatch } from 'minimatch';
import { expect, it } from 'vitest';
import { toGlob } from '../src/domain/patterns.js';
import { compileRiskRules, PROTECTED_PATTERNS, type ChangedFile } from '../src/domain/risk.js';
import { QUICK, stats, timed, writeResult } from './support.js';
import { mulberry32 } from '../__tests__/support/random.js';

const PATHS = 100_000;
const NAIVE_SAMPLE = QUICK ? 500 : 2_000;

const services = Array.from({ length: 30 }, (_, i) => `svc-${i}`);
// 30 HIGH and 30 MEDIUM patterns of the shapes teams write: directories, extensions, both.
const high = [
  'infra/**',
  'terraform/**',
  '**/*.tf',
  '**/*.tfvars',
  'db/migrations/**',
  '**/migrations/*.sql',
  'k8s/**/*.yaml',
  'helm/**',
  'charts/**/values*.yaml',
  '**/Dockerfile',
  'deploy/**',
  '.github/CODEOWNERS',
  'config/production/**',
  '**/secrets/**',
  'auth/**',
  'payments/**',
  'billing/**/*.ts',
  ...services.slice(0, 13).map((s) => `services/${s}/schema/**`),
];
const medium = [
  'package.json',
  'package-lock.json',
  '**/package.json',
  'yarn.lock',
  'go.mod',
  'go.sum',
  '**/Cargo.toml',
  'requirements*.txt',
  '**/*.gradle',
  'config/**',
  'src/server/**',
  'api/**/*.proto',
  '**/*.graphql',
  'scripts/release/**',
  ...services.slice(0, 16).map((s) => `services/${s}/config/*.{yml,yaml,json}`),
];

function makePaths(n: number): ChangedFile[] {
  const next = mulberry32(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const tops = ['src', 'services', 'infra', 'docs', 'test', 'db', 'k8s', 'config', 'web', 'lib'];
  const dirs = ['core', 'api', 'ui', 'util', 'schema', 'config', 'migrations', 'models', 'jobs'];
  const exts = ['ts', 'tsx', 'js', 'json', 'md', 'yaml', 'sql', 'go', 'py', 'tf', 'css'];
  const files: ChangedFile[] = [];
  for (let i = 0; i < n; i++) {
    const top = pick(tops);
    const parts = top === 'services' ? [top, pick(services)] : [top];
    const depth = 1 + Math.floor(next() * 4);
    for (let d = 0; d < depth; d++) parts.push(pick(dirs));
    parts.push(`file-${i}.${pick(exts)}`);
    files.push({ path: parts.join('/'), status: 'modified' });
  }
  return files;
}

it('risk classification', async () => {
  // Only the 60 patterns below: the defaults are off, so the figure compares like with like.
  const config = {
    high_risk_paths: high,
    medium_risk_paths: medium,
    default_risk_paths: false,
    config_path: '.booty.yml',
  };
  expect(high.length + medium.length).toBe(60);
  const files = makePaths(PATHS);
  const runs = QUICK ? 3 : 9;

  let assessment = compileRiskRules(config).classify(files);
  const ours = await timed(runs, 1, () => {
    // Compiling is part of every decision, so it is part of the figure.
    assessment = compileRiskRules(config).classify(files);
  });

  // The same meaning for minimatch: CODEOWNERS-style patterns turned into the globs they stand for.
  const all = [config.config_path, ...PROTECTED_PATTERNS, ...[...high, ...medium].map(toGlob)];
  const compiled = all.map((p) => new Minimatch(p, { dot: true }));
  const perPattern = await timed(QUICK ? 1 : 3, 0, () => {
    let n = 0;
    for (const f of files) for (const m of compiled) if (m.match(f.path)) n++;
    return n;
  });

  // The naive matcher on a sample, scaled to 100,000 paths: the full run takes minutes.
  const sample = files.slice(0, NAIVE_SAMPLE);
  const highAll = [config.config_path, ...PROTECTED_PATTERNS, ...high.map(toGlob)];
  const naiveHigh: string[] = [];
  const naive = await timed(QUICK ? 1 : 3, 0, () => {
    naiveHigh.length = 0;
    for (const f of sample) {
      let isHigh = false;
      for (const p of all) {
        const hit = minimatch(f.path, p, { dot: true });
        if (hit && highAll.includes(p)) isHigh = true;
      }
      if (isHigh) naiveHigh.push(f.path);
    }
  });
  // Same verdicts on the sample: the speed is not bought with different answers.
  const oursOnSample = compileRiskRules(config).classify(sample);
  expect(oursOnSample.highPaths).toEqual(naiveHigh);

  const scale = PATHS / NAIVE_SAMPLE;
  writeResult('risk', {
    paths: PATHS,
    patterns: 60,
    builtIn: 1 + PROTECTED_PATTERNS.length,
    highPaths: assessment.highPaths.length,
    risk: assessment.risk,
    ours,
    perPattern,
    naiveSample: NAIVE_SAMPLE,
    naive,
    naiveScaled: stats([naive.median * scale]),
  });
});
