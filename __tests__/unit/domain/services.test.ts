// Services (SPEC §20), the pure parts: the config block and its errors, the config each service
// is judged with, which files belong to a service (checked path by path against minimatch on 50
// services and a 5,000-file diff), incidents scoped by labels, the order of dependencies, and
// the state's version 3 (a service's view, the merge back, the migration from versions 1 and 2).
import { Minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/domain/config.js';
import { toGlob } from '../../../src/domain/patterns.js';
import { fiftyServices } from '../../support/services.js';
import { pipelineOf } from '../../../src/domain/pipeline.js';
import {
  compileRiskRules,
  effectiveRiskPaths,
  PROTECTED_PATTERNS,
  type ChangedFile,
} from '../../../src/domain/risk.js';
import {
  concernsService,
  dependencyOrder,
  serviceConfig,
  serviceFiles,
} from '../../../src/domain/services.js';
import {
  emptyRelease,
  parseRelease,
  policyShaOf,
  serviceView,
  stageView,
  withService,
  withStage,
  type Release,
} from '../../../src/domain/state.js';
import { configProblems } from '../../support/config.js';

function load(text: string): Config {
  const r = loadConfig({ text, path: '.booty.yml', env: {}, defaultBranch: 'main' });
  if (!r.enabled) throw new Error('expected an enabled config');
  return r.config;
}

const problems = configProblems;

const block = (...lines: string[]) => ['release_governor:', '  services:', ...lines, ''].join('\n');

describe('services: the config block', () => {
  it.each([
    [
      'an unknown key, with the keys a service takes',
      block('    - name: api', '      paths: [api/]', '      path: [x/]'),
      /^\.booty\.yml:5 release_governor\.services\.1\.path: unknown key \(allowed: name, paths, depends_on/,
    ],
    [
      'an empty paths',
      block('    - name: api', '      paths: []'),
      /^\.booty\.yml:4 release_governor\.services\.1\.paths: must list at least one path pattern/,
    ],
    [
      'a missing paths',
      block('    - name: api'),
      /^\.booty\.yml:3 release_governor\.services\.1\.paths: /,
    ],
    [
      'a name listed twice',
      block('    - name: api', '      paths: [a/]', '    - name: api', '      paths: [b/]'),
      /^\.booty\.yml:5 release_governor\.services\.2\.name: api is listed twice/,
    ],
    [
      'a name that is not lower-case letters, digits and dashes',
      block('    - name: Api_1', '      paths: [a/]'),
      /^\.booty\.yml:3 release_governor\.services\.1\.name: must be lower-case letters/,
    ],
    [
      'a depends_on that is not a service',
      block('    - name: web', '      paths: [web/]', '      depends_on: [apj]'),
      /^\.booty\.yml:5 release_governor\.services\.1\.depends_on\.1: apj is not a service \(the services are web\)/,
    ],
    [
      'a service depending on itself',
      block('    - name: web', '      paths: [web/]', '      depends_on: [web]'),
      /depends_on\.1: a service cannot depend on itself/,
    ],
    [
      'a cycle, named along its path',
      block(
        '    - name: a',
        '      paths: [a/]',
        '      depends_on: [b]',
        '    - name: b',
        '      paths: [b/]',
        '      depends_on: [c]',
        '    - name: c',
        '      paths: [c/]',
        '      depends_on: [a]',
      ),
      /services\.1\.depends_on: depends_on forms a cycle: a → b → c → a/,
    ],
    [
      'a pattern that can never match',
      block('    - name: api', '      paths: [./api/]'),
      /^\.booty\.yml:4 release_governor\.services\.1\.paths\.1: starts with \.\/, which no path in a diff has/,
    ],
    [
      'a freeze window naming no service',
      [
        'release_governor:',
        '  freeze_windows:',
        '    - { start: "2026-12-24T00:00:00Z", end: "2026-12-27T00:00:00Z", services: [wbe], reason: x }',
        '  services:',
        '    - { name: web, paths: [web/] }',
        '',
      ].join('\n'),
      /freeze_windows\.1\.services\.1: wbe is not a service \(the services are web\)/,
    ],
    [
      'a health check beside a service’s stages',
      block(
        '    - name: api',
        '      paths: [api/]',
        '      health_check: { url: "https://api.example.com/healthz" }',
        '      stages: [{ name: staging }, { name: production }]',
      ),
      /services\.1\.health_check: with stages, health_check is a key of each stage/,
    ],
  ])('%s is config_invalid, named with its line', (_, text, message) => {
    const found = problems(text);
    expect(
      found.some((p) => message.test(p)),
      found.join('\n'),
    ).toBe(true);
  });

  it('each per-service key defaults to the top level; the risk lists add to it; statuses, freeze windows and tags are the service’s own', () => {
    const config = load(
      [
        'release_governor:',
        '  deploy_workflow: deploy.yml',
        '  approvers: [releng]',
        '  high_risk_paths: ["**/*.sql"]',
        '  versioning: { enabled: true }',
        '  freeze_windows:',
        '    - { start: "2026-12-24T00:00:00Z", end: "2026-12-27T00:00:00Z", services: [web], reason: holidays }',
        '    - { start: "2027-01-01T00:00:00Z", end: "2027-01-02T00:00:00Z", reason: new year }',
        '  stages: [{ name: staging }, { name: production }]',
        '  services:',
        '    - name: api',
        '      paths: [services/api/]',
        '      high_risk_paths: [services/api/schema/]',
        '    - name: web',
        '      paths: [apps/web/]',
        '      deploy_workflow: web-deploy.yml',
        '      approvers: [acme/web-team]',
        '      required_approvals: 2',
        '      stages: [{ name: production }]',
        '      versioning: { enabled: true, tag_prefix: web-v }',
        '',
      ].join('\n'),
    );
    const api = serviceConfig(config, 'api');
    const web = serviceConfig(config, 'web');
    expect(api).toMatchObject({
      deploy_workflow: 'deploy.yml',
      approvers: ['releng'],
      required_approvals: 1,
      high_risk_paths: ['**/*.sql', 'services/api/schema/'],
      status_context: 'booty/release-governor/api',
      versioning: { tag_prefix: 'api/v' },
      service: { name: 'api', paths: ['services/api/'], depends_on: [] },
    });
    expect(api.freeze_windows).toHaveLength(1);
    expect(pipelineOf(api).stages.map((s) => s.statusContext)).toEqual([
      'booty/release-governor/api/staging',
      'booty/release-governor/api/production',
    ]);
    expect(web).toMatchObject({
      deploy_workflow: 'web-deploy.yml',
      approvers: ['acme/web-team'],
      required_approvals: 2,
      high_risk_paths: ['**/*.sql'],
      versioning: { tag_prefix: 'web-v' },
    });
    expect(web.freeze_windows).toHaveLength(2);
    expect(pipelineOf(web).stages.map((s) => s.name)).toEqual(['production']);
    expect('services' in api).toBe(false);
  });

  it('dependencies come first, otherwise the order of the file', () => {
    const config = load(
      block(
        '    - { name: web, paths: [web/], depends_on: [api] }',
        '    - { name: worker, paths: [worker/] }',
        '    - { name: api, paths: [api/], depends_on: [db] }',
        '    - { name: db, paths: [db/] }',
      ),
    );
    expect(dependencyOrder(config)).toEqual(['db', 'api', 'web', 'worker']);
  });

  it.each([
    [[], 'api', true],
    [['incident'], 'api', true],
    [['incident', 'service:api'], 'api', true],
    [['incident', 'Service:API'], 'api', true],
    [['incident', 'service:web'], 'api', false],
    [['incident', 'service:web', 'service:api'], 'api', true],
    [['incident', 'service:web'], null, true],
  ] as const)('an issue labelled %j concerns %s: %s', (labels, service, expected) => {
    expect(concernsService(labels, service)).toBe(expected);
  });
});

describe('services: which files belong to a service, and its risk', () => {
  it('50 services and a 5,000-file diff: every service’s files and risk agree, path by path, with minimatch', () => {
    const { config, files } = fiftyServices();
    const protectedGlobs = [config.config_path, ...PROTECTED_PATTERNS];
    // One Minimatch per glob (compiled once), tested against every path of every service.
    const compiled = new Map<string, Minimatch>();
    const matcher = (g: string) => {
      let m = compiled.get(g);
      if (!m) compiled.set(g, (m = new Minimatch(g, { dot: true })));
      return m;
    };
    const naiveMatch = (path: string, globs: readonly string[]) =>
      globs.some((g) => matcher(g).match(path));
    let affected = 0;
    for (const s of config.services!) {
      const own = serviceConfig(config, s.name);
      const globs = s.paths.map(toGlob);
      const belongs = (p: string) => naiveMatch(p, protectedGlobs) || naiveMatch(p, globs);
      const expected = files.filter(
        (f) => belongs(f.path) || (f.previousPath !== undefined && belongs(f.previousPath)),
      );
      const ours = serviceFiles(own, files);
      expect(ours, s.name).toEqual(expected);
      if (ours.length > 0) affected++;
      // Its risk: the classification of its own files, against the same lists through minimatch.
      const lists = effectiveRiskPaths(own);
      const high = [...protectedGlobs, ...lists.high.map(toGlob)];
      const medium = lists.medium.map(toGlob);
      const paths = [...new Set(ours.flatMap((f) => [f.path, f.previousPath ?? f.path]))];
      const naiveHigh = paths.filter((p) => naiveMatch(p, high));
      const naiveRisk = naiveHigh.length
        ? 'HIGH'
        : paths.some((p) => naiveMatch(p, medium))
          ? 'MEDIUM'
          : 'LOW';
      const assessment = compileRiskRules(own).classify(ours);
      expect(assessment.risk, s.name).toBe(naiveRisk);
      expect([...assessment.highPaths].sort(), s.name).toEqual([...naiveHigh].sort());
    }
    // The diff touches every service (the workflow and config changes belong to all).
    expect(affected).toBe(50);
  });

  it('a service none of whose paths changed gets no file, even with a path of another service that shares a prefix', () => {
    const config = load(block('    - { name: api, paths: [services/api/] }'));
    const files: ChangedFile[] = [{ path: 'services/api-gateway/x.ts', status: 'modified' }];
    expect(serviceFiles(serviceConfig(config, 'api'), files)).toEqual([]);
  });
});

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const layout = [
  { name: 'api', lastStage: 'production' },
  { name: 'web', lastStage: 'production' },
];
const now = new Date('2026-12-01T10:00:00Z');

/** A version-2 file: staging runs B, production runs A (each with one history entry). */
function version2(): Release {
  let r = emptyRelease();
  for (const [stage, isLast, sha] of [
    ['staging', false, B],
    ['production', true, A],
  ] as const) {
    const view = {
      ...stageView(r, stage, isLast),
      production_sha_current: sha,
      deploy_history: [
        {
          sha,
          time: '2026-11-01T00:00:00.000Z',
          result: 'success' as const,
          run_id: 1,
          run_url: null,
        },
      ],
    };
    r = withStage(r, stage, isLast, view, now);
  }
  return r;
}

describe('state version 3', () => {
  it('a version-2 file is every service at the old stages’ SHAs and history; a write migrates it, the top level mirroring the first service', () => {
    const v2 = version2();
    const web = serviceView(v2, layout[1]!);
    expect(web.stages!.staging!.current_sha).toBe(B);
    expect(web.production_sha_current).toBe(A);
    expect(policyShaOf(web)).toBe(A);
    // web deploys C to staging.
    const staged = withStage(
      web,
      'staging',
      false,
      { ...stageView(web, 'staging', false), production_sha_current: C },
      now,
    );
    const v3 = parseRelease(JSON.stringify(withService(v2, layout, 'web', staged)));
    expect(v3.schema_version).toBe(3);
    expect(v3.services!.web!.stages.staging!.current_sha).toBe(C);
    expect(v3.services!.api!.stages).toEqual(v2.stages);
    expect(v3.services!.web!.stages.production).toEqual(v2.stages!.production);
    expect(v3.stages).toEqual(v3.services!.api!.stages);
    expect(v3.production_sha_current).toBe(A);
    // The policy moves with a deploy anywhere.
    expect(v3.policy_sha).toBe(C);
    expect(serviceView(v3, layout[0]!).stages).toEqual(v2.stages);
  });

  it('a version-1 file is the last stage of every service', () => {
    const v1 = parseRelease(
      JSON.stringify({
        ...emptyRelease(),
        schema_version: 1,
        stages: undefined,
        production_sha_current: A,
        last_deploy_result: 'success',
      }),
    );
    const api = serviceView(v1, layout[0]!);
    expect(api.stages!.production!.current_sha).toBe(A);
    expect(stageView(api, 'production', true).production_sha_current).toBe(A);
  });

  it('a service new to a version-3 file starts empty; a service the config dropped is kept', () => {
    const v2 = version2();
    const v3 = withService(v2, layout, 'api', serviceView(v2, layout[0]!));
    const added = serviceView(v3, { name: 'worker', lastStage: 'production' });
    expect(added.production_sha_current).toBeNull();
    expect(added.stages).toEqual({});
    const fewer = withService(v3, [layout[1]!], 'web', serviceView(v3, layout[1]!));
    expect(Object.keys(fewer.services!).sort()).toEqual(['api', 'web']);
  });

  it('a newer schema_version is state_corrupt', () => {
    expect(() => parseRelease('{"schema_version": 4}')).toThrow(/schema_version 4 is newer/);
  });
});
