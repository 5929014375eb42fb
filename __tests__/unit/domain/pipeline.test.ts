// The pipeline of SPEC §14 as pure code: the stages key, its defaults, and the rules a stage adds.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/domain/config.js';
import { ConfigError } from '../../../src/domain/config-base.js';
import { decide, type DecisionInput, type StageFacts } from '../../../src/domain/decide.js';
import { NO_APPROVALS } from '../../../src/domain/approvals.js';
import { pipelineOf, pipelineRows, stageConfig, stageFacts } from '../../../src/domain/pipeline.js';
import { compileRiskRules } from '../../../src/domain/risk.js';
import { emptyRelease, withStage, type Release } from '../../../src/domain/state.js';
import { testConfig } from '../../support/config.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const BASE = 'c'.repeat(40);
const NOW = new Date('2026-11-22T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

function problems(block: string, env: Record<string, string> = {}): string[] {
  try {
    loadConfig({
      text: `release_governor:\n${block}`,
      path: '.booty.yml',
      env,
      defaultBranch: 'main',
    });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.where} ${p.key}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const TWO = `  stages:\n    - name: staging\n      soak_minutes: 30\n    - name: production\n`;

describe('stages config', () => {
  it('no stages: one stage named after production_environment_name, nothing else changes', () => {
    const c = testConfig('  production_environment_name: prod\n');
    const p = pipelineOf(c);
    expect(p.configured).toBe(false);
    expect(p.stages).toEqual([
      expect.objectContaining({
        name: 'prod',
        isLast: true,
        approvals: 'required',
        soak_minutes: 0,
      }),
    ]);
    expect(stageConfig(c, p, p.stages[0]!)).toBe(c);
  });

  it('defaults: environment = name, approvals none before the last stage, hold_while_soaking with a soak, per-stage status context', () => {
    const c = testConfig(`${TWO}  deploy_workflow: ship.yml\n`);
    const [staging, production] = pipelineOf(c).stages;
    expect(staging).toMatchObject({
      name: 'staging',
      environment: 'staging',
      approvals: 'none',
      hold_while_soaking: true,
      soak_minutes: 30,
      deploy_workflow: 'ship.yml',
      deploy_workflow_ref: 'main',
      statusContext: 'booty/release-governor/staging',
    });
    expect(production).toMatchObject({
      approvals: 'required',
      hold_while_soaking: false,
      isLast: true,
      statusContext: 'booty/release-governor/production',
    });
    const sc = stageConfig(c, pipelineOf(c), staging!);
    expect(sc).toMatchObject({
      status_context: 'booty/release-governor/staging',
      production_environment_name: 'staging',
    });
  });

  it('per-stage keys override the top level; fractions of a minute are allowed', () => {
    const c = testConfig(
      '  stages:\n    - name: canary\n      environment: eu-canary\n      deploy_workflow: canary.yml\n      deploy_workflow_ref: release\n      soak_minutes: 0.5\n      hold_while_soaking: false\n      approvals: required\n    - name: production\n',
    );
    expect(pipelineOf(c).stages[0]).toMatchObject({
      environment: 'eu-canary',
      deploy_workflow: 'canary.yml',
      deploy_workflow_ref: 'release',
      soak_minutes: 0.5,
      hold_while_soaking: false,
      approvals: 'required',
    });
  });

  it('bad stages are config_invalid, named with their line', () => {
    expect(problems('  stages:\n    - name: Staging\n')[0]).toMatch(
      /^\.booty\.yml:3 release_governor\.stages\.1\.name: must be lower-case/,
    );
    expect(problems('  stages:\n    - name: a\n    - name: a\n')[0]).toMatch(
      /^\.booty\.yml:4 release_governor\.stages\.2\.name: a is listed twice/,
    );
    expect(problems('  stages:\n    - name: a\n      soak: 5\n')[0]).toMatch(
      /^\.booty\.yml:4 release_governor\.stages\.1\.soak: unknown key \(allowed: name, environment, deploy_workflow, deploy_workflow_ref, soak_minutes, hold_while_soaking, environment_url, approvals, health_check, readiness\)/,
    );
    expect(problems('  stages:\n    - name: a\n      soak_minutes: -1\n')[0]).toContain(
      'release_governor.stages.1.soak_minutes',
    );
    expect(problems('  stages:\n    - name: a\n      approvals: sometimes\n')[0]).toContain(
      'release_governor.stages.1.approvals',
    );
    expect(problems('  stages: []\n')[0]).toContain('at least one stage');
    expect(problems('', { RELEASE_GOVERNOR_STAGES: 'staging,production' })[0]).toBe(
      'env RELEASE_GOVERNOR_STAGES : stages is a structure and is set in the config file only',
    );
  });
});

/** release.json with staging at `staging` (verified `verifiedAgo` minutes ago) and production at BASE. */
function whole(staging: string | null, verifiedAgo: number, production: string = BASE): Release {
  const view = (sha: string | null) => ({
    ...emptyRelease(),
    production_sha_current: sha,
    deploy_history: sha
      ? [
          {
            sha,
            time: minutesAgo(verifiedAgo).toISOString(),
            result: 'success' as const,
            run_id: 1,
            run_url: null,
          },
        ]
      : [],
  });
  let r = withStage(emptyRelease(), 'production', true, view(production), minutesAgo(120));
  r = withStage(r, 'staging', false, view(staging), minutesAgo(verifiedAgo));
  return r;
}

function input(cfg: string, stage: StageFacts | null, sha = A, over: Partial<DecisionInput> = {}) {
  const config = testConfig(cfg);
  return {
    enabled: true,
    sha,
    lifecycle: null,
    currentSha: BASE,
    currentCompare: 'ahead' as const,
    inFlight: null,
    manual: false,
    verified: true,
    stage,
    config,
    risk: compileRiskRules(config).classify([{ path: 'infra/main.tf', status: 'modified' }], {
      incompleteReason: null,
    }),
    approvals: NO_APPROVALS,
    pulls: [],
    history: [],
    incidents: [{ number: 3, title: 'outage' }],
    degraded: null,
    now: NOW,
    ...over,
  } satisfies DecisionInput;
}

describe('the rules a stage adds', () => {
  const c = testConfig(TWO);
  const p = pipelineOf(c);
  const [staging, production] = p.stages as [(typeof p.stages)[0], (typeof p.stages)[0]];

  it('approvals: none — a HIGH change during an incident goes to staging; the same change is held for production', () => {
    const toStaging = decide(input(TWO, stageFacts(whole(BASE, 60), p, staging)));
    expect(toStaging).toMatchObject({ outcome: 'ALLOW', reason: 'allow_high_approved' });
    expect(toStaging.rules.find((r) => r.rule === 'high_risk')!.detail).toContain(
      'approvals: none in staging',
    );
    const toProduction = decide(input(TWO, stageFacts(whole(A, 60), p, production)));
    expect(toProduction).toMatchObject({ outcome: 'HOLD', reason: 'high_risk_no_approval' });
  });

  it('not_promoted: production takes only the current, verified SHA of staging', () => {
    const facts = stageFacts(whole(B, 60), p, production);
    const d = decide(input(TWO, facts));
    expect(d).toMatchObject({ outcome: 'SKIP', reason: 'not_promoted' });
    expect(d.summary).toContain(`staging runs ${B.slice(0, 7)}, not ${A.slice(0, 7)}`);
  });

  it('soaking: held until verified_at + soak_minutes, with the unlock time and the time left', () => {
    const d = decide(input(TWO, stageFacts(whole(A, 20.25), p, production)));
    expect(d).toMatchObject({ outcome: 'HOLD', reason: 'soaking', holdKind: 'wait' });
    expect(d.summary).toBe(
      `${A.slice(0, 7)} is soaking in staging: production unlocks at 12:09 UTC, in 9m 45s.`,
    );
    expect(d.unblock).toMatchObject({ kind: 'wait', until: '2026-11-22T12:09:45.000Z' });
    // One second after the soak, the rules go on (here: to the HIGH-risk rule of production).
    const after = decide(input(TWO, stageFacts(whole(A, 30 + 1 / 60), p, production)));
    expect(after.reason).toBe('high_risk_no_approval');
  });

  it('stage_busy: a newer SHA waits while the current one soaks and has not reached the next stage', () => {
    const d = decide(input(TWO, stageFacts(whole(A, 10), p, staging), B));
    expect(d).toMatchObject({ outcome: 'HOLD', reason: 'stage_busy', holdKind: 'wait' });
    expect(d.unblock).toMatchObject({ until: minutesAgo(-20).toISOString() });
    // Soaked: the train moves.
    expect(decide(input(TWO, stageFacts(whole(A, 31), p, staging), B)).outcome).toBe('ALLOW');
    // Production has taken it (claimed or in flight): staging is free at once.
    const taken = whole(A, 10);
    taken.stages!.production!.deploy_history.unshift({
      sha: A,
      time: NOW.toISOString(),
      result: 'pending',
      run_id: 9,
      run_url: null,
    });
    expect(decide(input(TWO, stageFacts(taken, p, staging), B)).outcome).toBe('ALLOW');
    // Without hold_while_soaking, never busy.
    const free = testConfig(
      `${TWO.replace('soak_minutes: 30', 'soak_minutes: 30\n      hold_while_soaking: false')}`,
    );
    const fp = pipelineOf(free);
    expect(decide(input(TWO, stageFacts(whole(A, 10), fp, fp.stages[0]!), B)).outcome).toBe(
      'ALLOW',
    );
  });

  it('the pipeline rows say what each stage runs, its soak end and what is next', () => {
    const rows = pipelineRows(whole(A, 10), p);
    expect(rows[0]).toMatchObject({
      stage: 'staging',
      currentSha: A,
      soakEnd: minutesAgo(-20).toISOString(),
    });
    expect(rows[1]).toMatchObject({
      stage: 'production',
      currentSha: BASE,
      next: { sha: A, at: minutesAgo(-20).toISOString() },
    });
  });
});
