import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  configJsonSchema,
  loadConfig,
  OVERRIDE_KINDS,
  type Config,
} from '../../../src/domain/config.js';
import { ConfigError, envVarFor } from '../../../src/domain/config-base.js';
import { configDigest, configWarnings } from '../../../src/domain/config-digest.js';
import { effectiveRiskPaths } from '../../../src/domain/risk.js';

function load(text: string | null, env: Record<string, string> = {}) {
  return loadConfig({ text, path: '.booty.yml', env, defaultBranch: 'main' });
}

function problems(text: string | null, env: Record<string, string> = {}): string[] {
  try {
    load(text, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.where} ${p.key}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

function enabled(text: string, env: Record<string, string> = {}): Config {
  const r = load(text, env);
  if (!r.enabled) throw new Error('expected an enabled config');
  return r.config;
}

describe('config: defaults and the master switch', () => {
  it('an empty block is on, with the defaults of SPEC §3', () => {
    const c = enabled('release_governor:\n');
    expect(c).toMatchObject({
      enabled: true,
      branch: 'main',
      verification_workflow: 'Verify main',
      deploy_workflow: 'deploy.yml',
      deploy_workflow_ref: 'main',
      production_environment_name: 'production',
      require_approval_for_first_deploy: true,
      cooldown_minutes: 30,
      max_deploys_per_hour: 6,
      approval_mode: ['label', 'comment', 'environment'],
      approval_label: 'release:approved',
      approval_command: '/approve-release',
      approver_permission: 'write',
      prevent_self_approval: true,
      allow_blanket_approval: false,
      incident_labels: ['incident', 'deploy-failure'],
      state_branch: 'booty-state',
      status_context: 'booty/release-governor',
      deploy_failure_labels: ['deploy-failure', 'severity:high'],
      config_path: '.booty.yml',
      default_risk_paths: true,
      high_risk_paths: [],
      medium_risk_paths: [],
    });
    const paths = effectiveRiskPaths(c);
    expect(paths.high).toContain('**/migrations/**');
    expect(paths.medium).toContain('**/package.json');
  });

  it.each([
    ['no file', null, 'absent'],
    ['a file without the block', 'other_tool:\n  x: 1\n', 'absent'],
    ['enabled: false', 'release_governor:\n  enabled: false\n', 'disabled'],
  ])('%s → disabled (%s)', (_name, text, reason) => {
    const r = load(text);
    expect(r.enabled).toBe(false);
    expect(r.enabled === false && r.reason).toBe(reason);
  });

  it('deploy_workflow_ref follows branch; approval_mode takes one string', () => {
    const c = enabled('release_governor:\n  branch: release\n  approval_mode: environment\n');
    expect(c.deploy_workflow_ref).toBe('release');
    expect(c.approval_mode).toEqual(['environment']);
  });
});

describe('config: errors name the key and where it came from', () => {
  it('an unknown key, with its line', () => {
    expect(
      problems('# comment\nrelease_governor:\n  enabled: true\n  cooldown_minute: 10\n'),
    ).toEqual([
      expect.stringMatching(/^\.booty\.yml:4 release_governor\.cooldown_minute: unknown key/),
    ]);
  });

  it.each([
    [
      'cooldown_minutes: soon',
      '.booty.yml:2 release_governor.cooldown_minutes: must be a number; got "soon"',
    ],
    [
      'cooldown_minutes: 1.5',
      '.booty.yml:2 release_governor.cooldown_minutes: must be a whole number; got 1.5',
    ],
    ['max_deploys_per_hour: 0', '.booty.yml:2 release_governor.max_deploys_per_hour: Too small'],
    ['high_risk_paths: infra/**', '.booty.yml:2 release_governor.high_risk_paths: must be a list'],
    [
      'high_risk_paths: ["ok/**", ""]',
      '.booty.yml:2 release_governor.high_risk_paths.2: a pattern must not be empty',
    ],
    [
      'high_risk_paths: ["!lib/migrations/**"]',
      '.booty.yml:2 release_governor.high_risk_paths.1: negations (!pattern) are not supported',
    ],
    [
      'medium_risk_paths: ["./src/**"]',
      '.booty.yml:2 release_governor.medium_risk_paths.1: starts with ./',
    ],
    ['high_risk_paths: ["a//b"]', '.booty.yml:2 release_governor.high_risk_paths.1: contains //'],
    [
      'high_risk_paths: ["src/../infra"]',
      '.booty.yml:2 release_governor.high_risk_paths.1: contains a . or .. segment',
    ],
    [
      'default_risk_paths: no',
      '.booty.yml:2 release_governor.default_risk_paths: must be true or false; got "no"',
    ],
    [
      'approver_permission: read',
      '.booty.yml:2 release_governor.approver_permission: must be one of write, maintain, admin; got "read"',
    ],
    [
      'approval_mode: [label, email]',
      '.booty.yml:2 release_governor.approval_mode: must be one of label, comment, environment',
    ],
    ['enabled: "yes"', '.booty.yml:2 release_governor.enabled: must be true or false; got "yes"'],
  ])('%s', (line, expected) => {
    expect(problems(`release_governor:\n  ${line}\n`)[0]).toContain(expected);
  });

  it('every message that has an offending value quotes it', () => {
    expect(problems('release_governor:\n  high_risk_paths: ["!lib/**"]\n')[0]).toContain(
      'got "!lib/**"',
    );
    expect(problems('release_governor:\n  max_deploys_per_hour: 0\n')[0]).toContain('got 0');
  });

  it.each([
    ['db/[migrations/**', 'has an unclosed ['],
    ['src/{a,b/**', 'has an unclosed {'],
  ])('an unclosed glob %s is refused', (pattern, message) => {
    expect(problems(`release_governor:\n  high_risk_paths: ["${pattern}"]\n`)[0]).toContain(
      message,
    );
  });

  it.each(['db/\\[literal]/**', 'src/[ab]/**', 'src/{a,b}/**'])(
    'a closed or escaped glob %s is accepted',
    (pattern) => {
      expect(
        enabled(`release_governor:\n  high_risk_paths: ['${pattern}']\n`).high_risk_paths,
      ).toHaveLength(1);
    },
  );

  it('a missing required key says it is missing, not its type', () => {
    expect(
      problems(
        "release_governor:\n  freeze_windows:\n    - start: '2026-12-24T00:00:00Z'\n      end: '2026-12-25T00:00:00Z'\n",
      ),
    ).toEqual([
      '.booty.yml:3 release_governor.freeze_windows.1.reason: is missing (it is required)',
    ]);
  });

  it('list entries count from 1, as the decisions count freeze windows', () => {
    const text =
      "release_governor:\n  freeze_windows:\n    - { start: '2026-12-24T00:00:00Z', end: '2026-12-25T00:00:00Z', reason: a }\n    - { cron: '0 16 * * 5', duration_minutes: 60, timezone: Mars/Base, reason: b }\n";
    expect(problems(text)[0]).toMatch(
      /^\.booty\.yml:4 release_governor\.freeze_windows\.2\.timezone:/,
    );
  });

  it('a health-check URL with credentials is refused, and the error does not repeat them', () => {
    const [p] = problems(
      'release_governor:\n  health_check:\n    url: https://user:s3cret@shop.example.com/health\n',
    );
    expect(p).toContain('release_governor.health_check.url: must not carry credentials');
    expect(p).not.toContain('s3cret');
  });

  it('no message says "a int" or "a object"', () => {
    const all = [
      ...problems('release_governor:\n  cooldown_minutes: 2.5\n'),
      ...problems('release_governor:\n  versioning: 3\n'),
    ].join('\n');
    expect(all).not.toMatch(/\ba (int|object|array)\b/);
  });

  it('a YAML syntax error, with its line', () => {
    expect(problems('release_governor:\n  enabled: true\n   bad: [\n')[0]).toMatch(
      /^\.booty\.yml:\d+ : YAML syntax/,
    );
  });

  it('a block that is not a mapping', () => {
    expect(problems('release_governor: yes\n')[0]).toContain('must be a mapping');
  });
});

describe('config: environment overrides', () => {
  // Every key a variable may set, built from the schema: a new key without a sample fails here.
  const defaults = enabled('release_governor:\n');
  const SAMPLES: Record<string, [string, unknown]> = {
    branch: ['release', 'release'],
    deploy_workflow_ref: ['release', 'release'],
    approver_permission: ['admin', 'admin'],
    break_glass_permission: ['maintain', 'maintain'],
    approvers: ['alice, acme/releng', ['alice', 'acme/releng']],
    required_artifacts: ['test-results,sbom', ['test-results', 'sbom']],
    high_risk_paths: ['db/**, *.sql', ['db/**', '*.sql']],
    medium_risk_paths: ['docs/**', ['docs/**']],
    environment_url: ['https://shop.example.com', 'https://shop.example.com'],
  };
  function sample(key: string, kind: string): [string, unknown] {
    if (SAMPLES[key]) return SAMPLES[key];
    const d = (defaults as unknown as Record<string, unknown>)[key];
    if (kind === 'boolean') return [String(!d), !d];
    if (kind === 'number') return [String((d as number) + 1), (d as number) + 1];
    if (kind === 'list' && Array.isArray(d) && d.length > 1)
      return [[...d].reverse().join(','), [...d].reverse()];
    if (kind === 'text' && typeof d === 'string') return [`${d}-x`, `${d}-x`];
    throw new Error(`no sample for ${key} (${kind}): add one to SAMPLES`);
  }
  it.each([...OVERRIDE_KINDS].map(([key, kind]) => [key, kind]))(
    '%s (%s) through its variable',
    (key, kind) => {
      const [text, value] = sample(key, kind);
      const c = load('release_governor:\n', { [envVarFor(key)]: text }).config;
      expect((c as unknown as Record<string, unknown>)[key]).toEqual(value);
    },
  );

  it('RELEASE_GOVERNOR_DEFAULT_RISK_PATHS=false, as documented', () => {
    expect(
      enabled('release_governor:\n', { RELEASE_GOVERNOR_DEFAULT_RISK_PATHS: 'false' })
        .default_risk_paths,
    ).toBe(false);
  });

  it('override scalars and lists, validated by the same schema', () => {
    const c = enabled('release_governor:\n  cooldown_minutes: 30\n', {
      RELEASE_GOVERNOR_COOLDOWN_MINUTES: '10',
      RELEASE_GOVERNOR_INCIDENT_LABELS: 'sev1, outage',
      RELEASE_GOVERNOR_ALLOW_BLANKET_APPROVAL: 'true',
      RELEASE_GOVERNOR_APPROVED: 'not-config',
      RELEASE_GOVERNOR_BRANCH: '',
    });
    expect(c.cooldown_minutes).toBe(10);
    expect(c.incident_labels).toEqual(['sev1', 'outage']);
    expect(c.allow_blanket_approval).toBe(true);
    expect(c.branch).toBe('main');
  });

  it('a bad value names the variable', () => {
    expect(
      problems('release_governor: {}\n', { RELEASE_GOVERNOR_COOLDOWN_MINUTES: 'ten' }),
    ).toEqual([
      'env RELEASE_GOVERNOR_COOLDOWN_MINUTES release_governor.cooldown_minutes: must be a number; got "ten"',
    ]);
  });

  it('an unknown RELEASE_GOVERNOR_ variable is an error, not silently ignored', () => {
    expect(problems('release_governor: {}\n', { RELEASE_GOVERNOR_COOLDOWN: '5' })[0]).toMatch(
      /^env RELEASE_GOVERNOR_COOLDOWN : unknown variable/,
    );
  });

  it('overrides alone enable a repository without the block', () => {
    expect(load(null, { RELEASE_GOVERNOR_ENABLED: 'true' }).enabled).toBe(true);
  });
});

describe('config: digest and JSON Schema', () => {
  it('the digest ignores key order and changes with any value', () => {
    const a = enabled('release_governor:\n  cooldown_minutes: 5\n  branch: main\n');
    const b = enabled('release_governor:\n  branch: main\n  cooldown_minutes: 5\n');
    const c = enabled('release_governor:\n  branch: main\n  cooldown_minutes: 6\n');
    expect(configDigest(a)).toBe(configDigest(b));
    expect(configDigest(a)).not.toBe(configDigest(c));
    expect(configDigest(a)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('schema/release-governor.schema.json is generated from the zod schema and up to date (npm run schema)', () => {
    const committed = JSON.parse(
      readFileSync('schema/release-governor.schema.json', 'utf8'),
    ) as unknown;
    expect(committed).toEqual(configJsonSchema());
  });
});

describe('config: warnings for settings that do nothing', () => {
  it('soak_minutes or hold_while_soaking on the last stage', () => {
    const c = enabled(
      'release_governor:\n  stages:\n    - name: staging\n      soak_minutes: 30\n    - name: production\n      soak_minutes: 10\n      hold_while_soaking: true\n',
    );
    expect(configWarnings(c)).toEqual([
      expect.stringMatching(
        /^release_governor\.stages\.2\.soak_minutes is 10 on production, the last stage: it has no effect/,
      ),
      expect.stringMatching(
        /^release_governor\.stages\.2\.hold_while_soaking is set on production/,
      ),
    ]);
    expect(configWarnings(enabled('release_governor:\n'))).toEqual([]);
  });
});
