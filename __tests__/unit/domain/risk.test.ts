import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HIGH_RISK_PATHS,
  DEFAULT_MEDIUM_RISK_PATHS,
} from '../../../src/domain/config-base.js';
import { Minimatch } from 'minimatch';
import { toGlob } from '../../../src/domain/patterns.js';
import { compileRiskRules, type ChangedFile } from '../../../src/domain/risk.js';
import { RISK_ORDER } from '../../../src/domain/types.js';

const defaults = {
  high_risk_paths: [],
  medium_risk_paths: [],
  default_risk_paths: true,
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
    ['compose.yml', 'HIGH'],
    ['compose.yaml', 'HIGH'],
    ['Dockerfile.dev', 'HIGH'],
    ['services/api/Dockerfile.prod', 'HIGH'],
    ['services/web/web.Dockerfile', 'HIGH'],
    ['Containerfile', 'HIGH'],
    ['images/base/Containerfile', 'HIGH'],
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

  it('protected paths stay HIGH with default_risk_paths: false and nothing configured', () => {
    const loose = compileRiskRules({
      high_risk_paths: [],
      medium_risk_paths: [],
      default_risk_paths: false,
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
      // The defaults were written as minimatch globs; their CODEOWNERS reading is never looser.
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

describe('risk: patterns as people write them (SPEC §5, CODEOWNERS/.gitignore conventions)', () => {
  const only = (high: string[]) =>
    compileRiskRules({
      high_risk_paths: high,
      medium_risk_paths: [],
      default_risk_paths: false,
      config_path: '.booty.yml',
    });
  it.each([
    // no slash: any depth; a file of that name or a directory and everything under it
    ['migrations', 'db/migrations/001.sql', 'HIGH'],
    ['migrations', 'migrations', 'HIGH'],
    ['migrations', 'db/migrations_old.sql', 'LOW'],
    ['*.js', 'lib/deep/x.js', 'HIGH'],
    ['*.js', 'x.js', 'HIGH'],
    ['*.js', 'x.jsx', 'LOW'],
    ['Dockerfile', 'services/api/Dockerfile', 'HIGH'],
    // only a trailing slash: a directory at any depth
    ['migrations/', 'db/migrations/001.sql', 'HIGH'],
    ['migrations/', 'migrations/a/b.sql', 'HIGH'],
    // a leading slash: anchored at the root
    ['/migrations/**', 'migrations/001.sql', 'HIGH'],
    ['/migrations/**', 'db/migrations/001.sql', 'LOW'],
    ['/build', 'build/out.js', 'HIGH'],
    ['/build', 'src/build/out.js', 'LOW'],
    // a slash in the middle: anchored at the root
    ['lib/dialects/**', 'lib/dialects/pg/index.js', 'HIGH'],
    ['lib/dialects/**', 'src/lib/dialects/pg/index.js', 'LOW'],
    ['docs/*.md', 'docs/a.md', 'HIGH'],
    ['docs/*.md', 'docs/sub/a.md', 'LOW'],
    ['**/secrets/**', 'a/b/secrets/key', 'HIGH'],
  ])('%s: %s is %s', (pattern, path, risk) => {
    expect(only([pattern]).classify([mod(path)]).risk).toBe(risk);
  });

  it('a configured list adds to the defaults; default_risk_paths: false drops both default lists', () => {
    const files = ['db/migrations/001.sql', 'Dockerfile', '.env.production', 'package.json'].map(
      mod,
    );
    const added = compileRiskRules({ ...defaults, high_risk_paths: ['lib/dialects/**'] });
    expect(added.classify(files).highPaths).toEqual([
      'db/migrations/001.sql',
      'Dockerfile',
      '.env.production',
    ]);
    expect(added.classify([mod('lib/dialects/pg.js')]).risk).toBe('HIGH');
    const own = compileRiskRules({
      ...defaults,
      default_risk_paths: false,
      high_risk_paths: ['lib/dialects/**'],
    });
    expect(own.classify(files).risk).toBe('LOW');
    expect(own.classify([mod('.github/workflows/ci.yml')]).risk).toBe('HIGH');
  });
});

describe('risk: the compiled classifier means what minimatch means', () => {
  const segment = fc.constantFrom(
    'src',
    'db',
    'migrations',
    'lib',
    'a.sql',
    'x.js',
    '.env',
    'Dockerfile',
    'build',
  );
  const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
  const pattern = fc.constantFrom(
    'migrations',
    'migrations/',
    '/migrations/**',
    '*.sql',
    '**/*.sql',
    'db/**',
    '/build',
    'lib/*.js',
    '**/migrations/**',
    '.env*',
    'src/**/x.js',
    'Dockerfile',
    '**',
    'db/{a.sql,x.js}',
  );
  it('each pattern matches exactly the paths its minimatch glob (toGlob) matches, path by path', () => {
    fc.assert(
      fc.property(pattern, path, (p, file) => {
        const ours = compileRiskRules({
          high_risk_paths: [p],
          medium_risk_paths: [],
          default_risk_paths: false,
          config_path: '.booty.yml',
        }).classify([mod(file)]).risk;
        // minimatch's match() is the meaning; its makeRe() also lets `x/**` match `x` itself (the
        // documented quirk we keep, erring toward HIGH), and drops a trailing `/**` after `**/x`.
        const m = new Minimatch(toGlob(p), { dot: true });
        return (ours === 'HIGH') === (m.match(file) || (m.makeRe() as RegExp).test(file));
      }),
      { numRuns: 2000 },
    );
  });
});
