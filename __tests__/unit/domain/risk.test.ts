import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HIGH_RISK_PATHS, DEFAULT_MEDIUM_RISK_PATHS } from '../../../src/domain/config.js';
import { compileRiskRules, type ChangedFile } from '../../../src/domain/risk.js';
import { RISK_ORDER } from '../../../src/domain/types.js';

const defaults = {
  high_risk_paths: [...DEFAULT_HIGH_RISK_PATHS],
  medium_risk_paths: [...DEFAULT_MEDIUM_RISK_PATHS],
  config_path: '.booty.yml',
};
const classifier = compileRiskRules(defaults);
const mod = (path: string): ChangedFile => ({ path, status: 'modified' });

describe('risk: SPEC §5 table', () => {
  it.each([
    ['src/app.ts', 'LOW'],
    ['README.md', 'LOW'],
    ['.github/workflows/deploy.yml', 'HIGH'],
    ['.github/actions/setup/action.yml', 'HIGH'],
    ['.booty.yml', 'HIGH'],
    ['db/migrations/001_init.rb', 'HIGH'],
    ['schema.sql', 'HIGH'],
    ['infra/network/vpc.yaml', 'HIGH'],
    ['terraform/main.tf', 'HIGH'],
    ['modules/x/variables.tf', 'HIGH'],
    ['helm/values.yaml', 'HIGH'],
    ['k8s/deployment.yaml', 'HIGH'],
    ['services/api/Dockerfile', 'HIGH'],
    ['Dockerfile', 'HIGH'],
    ['docker-compose.prod.yml', 'HIGH'],
    ['package-lock.json', 'HIGH'],
    ['web/yarn.lock', 'HIGH'],
    ['pnpm-lock.yaml', 'HIGH'],
    ['poetry.lock', 'HIGH'],
    ['Cargo.lock', 'HIGH'],
    ['go.sum', 'HIGH'],
    ['Gemfile.lock', 'HIGH'],
    ['composer.lock', 'HIGH'],
    ['uv.lock', 'HIGH'],
    ['src/auth/session.ts', 'HIGH'],
    ['lib/security/csp.ts', 'HIGH'],
    ['config/client_secret.json', 'HIGH'],
    ['.env.production', 'HIGH'],
    ['package.json', 'MEDIUM'],
    ['api/requirements-dev.txt', 'MEDIUM'],
    ['pyproject.toml', 'MEDIUM'],
    ['crates/x/Cargo.toml', 'MEDIUM'],
    ['go.mod', 'MEDIUM'],
    ['Gemfile', 'MEDIUM'],
    ['composer.json', 'MEDIUM'],
    ['pom.xml', 'MEDIUM'],
    ['app/build.gradle.kts', 'MEDIUM'],
  ])('%s → %s', (path, risk) => {
    expect(classifier.classify([mod(path)]).risk).toBe(risk);
  });

  it('an empty diff is LOW', () => {
    expect(classifier.classify([])).toMatchObject({ risk: 'LOW', matches: [], highPaths: [] });
  });

  it('classifies both names of a rename', () => {
    const r = classifier.classify([
      { path: 'src/db/seed.ts', previousPath: 'db/migrations/seed.ts', status: 'renamed' },
    ]);
    expect(r.risk).toBe('HIGH');
    expect(r.highPaths).toEqual(['db/migrations/seed.ts']);
  });

  it('protected paths stay HIGH when the config empties high_risk_paths', () => {
    const loose = compileRiskRules({
      high_risk_paths: [],
      medium_risk_paths: [],
      config_path: 'config/booty.yml',
    });
    expect(loose.classify([mod('.github/workflows/ci.yml')]).risk).toBe('HIGH');
    expect(loose.classify([mod('config/booty.yml')]).matches[0]).toMatchObject({
      source: 'protected',
      pattern: 'config/booty.yml',
    });
    expect(loose.classify([mod('infra/x.tf')]).risk).toBe('LOW');
  });

  it('an incomplete diff is HIGH and says why', () => {
    const r = classifier.classify([mod('README.md')], {
      incompleteReason: 'the tree listing was truncated',
    });
    expect(r).toMatchObject({
      risk: 'HIGH',
      incomplete: true,
      incompleteReason: 'the tree listing was truncated',
    });
  });

  it('explains itself per rule, capped, with a count of the rest', () => {
    const files = Array.from({ length: 50 }, (_, i) => mod(`db/migrations/${i}.sql`));
    const r = classifier.classify([...files, mod('package.json')], { cap: 5 });
    const migrations = r.matches.find((m) => m.pattern === '**/migrations/**')!;
    expect(migrations).toMatchObject({ level: 'HIGH', count: 50 });
    expect(migrations.paths).toHaveLength(5);
    expect(r.matches.find((m) => m.pattern === '**/*.sql')?.count).toBe(50);
    expect(r.matches.at(-1)).toMatchObject({
      source: 'medium_risk_paths',
      pattern: '**/package.json',
      count: 1,
    });
    expect(r.highPaths).toHaveLength(50);
  });

  it('is never less strict than minimatch.match, path by path', async () => {
    const { minimatch } = await import('minimatch');
    const samples = [
      'a/b/.env',
      '.env',
      'x/auth/y',
      'secrets.txt',
      'a/.github/workflows/x',
      'Dockerfile.dev',
      'a/migrations/b',
      'src/main.ts',
      'go.mod',
    ];
    const high = [
      ...DEFAULT_HIGH_RISK_PATHS,
      '.booty.yml',
      '.github/workflows/**',
      '.github/actions/**',
    ];
    for (const p of samples) {
      const byMinimatch = high.some((g) => minimatch(p, g, { dot: true }))
        ? 'HIGH'
        : DEFAULT_MEDIUM_RISK_PATHS.some((g) => minimatch(p, g, { dot: true }))
          ? 'MEDIUM'
          : 'LOW';
      expect(RISK_ORDER[classifier.classify([mod(p)]).risk], p).toBeGreaterThanOrEqual(
        RISK_ORDER[byMinimatch],
      );
    }
  });

  it('a pattern ending in /** also matches a file named like the directory (documented; errs toward HIGH)', () => {
    // minimatch.match('infra', 'infra/**') is false but its own makeRe() matches; we use the regex.
    expect(classifier.classify([mod('infra')]).risk).toBe('HIGH');
    expect(classifier.classify([mod('x/auth')]).risk).toBe('HIGH');
  });
});

describe('risk: invariants', () => {
  const segment = fc.constantFrom(
    'src',
    'infra',
    'migrations',
    'auth',
    'docs',
    '.github',
    'workflows',
    'a',
    'package.json',
    'main.tf',
    'x.sql',
    'README.md',
  );
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));

  it('adding a changed path never lowers the risk', () => {
    fc.assert(
      fc.property(fc.array(path, { maxLength: 10 }), path, (paths, extra) => {
        const before = classifier.classify(paths.map(mod)).risk;
        const after = classifier.classify([...paths, extra].map(mod)).risk;
        return RISK_ORDER[after] >= RISK_ORDER[before];
      }),
    );
  });
});
