// Fifty services and a 5,000-file diff across them (SPEC §20): the unit test checks every
// service's files and risk against minimatch, the benchmark times the classification.
import { loadConfig, type Config } from '../../src/domain/config.js';
import type { ChangedFile } from '../../src/domain/risk.js';
import { mulberry32 } from './random.js';

function load(text: string): Config {
  const r = loadConfig({ text, path: '.booty.yml', env: {}, defaultBranch: 'main' });
  if (!r.enabled) throw new Error('expected an enabled config');
  return r.config;
}

/** 50 services of the shapes teams write, and a 5,000-file diff across them. */
export function fiftyServices(): { config: Config; files: ChangedFile[] } {
  const lines = ['release_governor:', '  high_risk_paths: ["**/schema/**"]', '  services:'];
  for (let i = 0; i < 50; i++) {
    const paths =
      i % 5 === 0
        ? [`services/svc-${i}/`, 'packages/shared/']
        : i % 5 === 1
          ? [`apps/app-${i}/**/*.ts`, `apps/app-${i}/package.json`]
          : i % 5 === 2
            ? [`/svc-${i}`, `libs/lib-${i}/*.go`]
            : i % 5 === 3
              ? [`services/svc-${i}/`, '*.proto']
              : [`workers/w-${i}/**`];
    lines.push(
      `    - name: s${i}`,
      `      paths: [${paths.map((p) => JSON.stringify(p)).join(', ')}]`,
      ...(i % 7 === 0 ? [`      high_risk_paths: ["services/svc-${i}/db/"]`] : []),
    );
  }
  const config = load(`${lines.join('\n')}\n`);
  const next = mulberry32(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const n = () => Math.floor(next() * 50);
  const tops = [
    () => `services/svc-${n()}/${pick(['src', 'db', 'schema', 'test'])}/f.${pick(['ts', 'sql'])}`,
    () =>
      `apps/app-${n()}/${pick(['src/', 'src/ui/', ''])}${pick(['a.ts', 'package.json', 'b.css'])}`,
    () => `svc-${n()}/${pick(['main.go', 'x/y.go'])}`,
    () => `libs/lib-${n()}/${pick(['a.go', 'sub/b.go'])}`,
    () => `workers/w-${n()}/${pick(['a.ts', 'deep/b/c.ts'])}`,
    () => `packages/shared/${pick(['index.ts', 'schema/x.json'])}`,
    () => `${pick(['api', 'proto/v1'])}/thing.proto`,
    () => `.github/workflows/${pick(['ci', 'deploy'])}.yml`,
    () => `docs/${pick(['a', 'b'])}.md`,
    () => '.booty.yml',
  ];
  const files: ChangedFile[] = [];
  for (let i = 0; i < 5000; i++) files.push({ path: `${pick(tops)()}`, status: 'modified' });
  // Renames: a file moving into or out of a service belongs to it.
  files.push({ path: 'docs/moved.ts', previousPath: 'workers/w-4/old.ts', status: 'renamed' });
  return { config, files };
}
