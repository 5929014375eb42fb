// The verdict of a health check (SPEC §15) as pure code, and the health_check key.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/domain/config.js';
import { ConfigError } from '../../../src/domain/config-base.js';
import {
  healthCheckSchema,
  judgeProbes,
  parseStatusRanges,
  pendingCheck,
  percentile,
  statusAccepted,
  type ProbeSample,
} from '../../../src/domain/health.js';
import {
  claimRollback,
  emptyRelease,
  healthyTarget,
  lifecycleOf,
  withHealthCheck,
  withStage,
  type Release,
} from '../../../src/domain/state.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const NOW = new Date('2026-11-22T12:00:00Z');

const check = healthCheckSchema.parse({ url: 'https://example.com/healthz' });
const ok = (ms: number): ProbeSample => ({ at: NOW.toISOString(), ms, status: 200, error: null });
const bad = (ms: number): ProbeSample => ({
  at: NOW.toISOString(),
  ms,
  status: 503,
  error: 'HTTP 503, outside 200-299',
});

describe('the verdict', () => {
  const pending = pendingCheck(A, check, NOW, 'action:1/1');

  it('Sentinel defaults: 5 minutes, every 10 s, 2 s timeout, 1 %, 500 ms, 200-299, rollback', () => {
    expect(check).toMatchObject({
      duration_seconds: 300,
      interval_seconds: 10,
      timeout_ms: 2000,
      max_error_rate: 0.01,
      max_latency_ms: 500,
      expect_status: '200-299',
      rollback: true,
    });
  });

  it('passes at exactly the thresholds and fails just past them', () => {
    // 1 error in 100 is 1 %: not more than max_error_rate.
    const onTheLine = [...Array.from({ length: 99 }, () => ok(10)), bad(10)];
    expect(judgeProbes(pending, onTheLine, NOW).verdict).toBe('pass');
    const past = [...Array.from({ length: 98 }, () => ok(10)), bad(10), bad(10)];
    const r = judgeProbes(pending, past, NOW);
    expect(r).toMatchObject({ verdict: 'fail', errors: 2, probes: 100, error_rate: 0.02 });
    expect(r.reasons).toEqual(['error rate 2.0 % (2 of 100) > max_error_rate 1.0 %']);
    expect(r.first_failures).toHaveLength(2);
  });

  it('p95 latency by nearest rank: 5 slow probes in 100 pass, 6 fail', () => {
    const five = [
      ...Array.from({ length: 95 }, () => ok(20)),
      ...Array.from({ length: 5 }, () => ok(900)),
    ];
    expect(judgeProbes(pending, five, NOW)).toMatchObject({ verdict: 'pass', p95_ms: 20 });
    const six = [
      ...Array.from({ length: 94 }, () => ok(20)),
      ...Array.from({ length: 6 }, () => ok(900)),
    ];
    expect(judgeProbes(pending, six, NOW)).toMatchObject({ verdict: 'fail', p95_ms: 900 });
    expect(percentile([], 95)).toBeNull();
  });

  it('no probe at all is a failure, never a pass', () => {
    expect(judgeProbes(pending, [], NOW)).toMatchObject({
      verdict: 'fail',
      reasons: ['no probe completed'],
    });
  });

  it('expect_status: ranges and lists; anything else is config_invalid naming the key', () => {
    expect(parseStatusRanges('200-299,304')).toEqual([
      [200, 299],
      [304, 304],
    ]);
    expect(statusAccepted(302, '200-299')).toBe(false);
    expect(statusAccepted(304, '200-299,304')).toBe(true);
    for (const badValue of ['2xx', '299-200', '', '600'])
      expect(parseStatusRanges(badValue), badValue).toBeNull();
    const problems = (block: string) => {
      try {
        loadConfig({
          text: `release_governor:\n${block}`,
          path: '.booty.yml',
          env: {},
          defaultBranch: 'main',
        });
      } catch (e) {
        if (e instanceof ConfigError)
          return e.problems.map((p) => `${p.where} ${p.key}: ${p.message}`);
      }
      return [];
    };
    expect(problems('  health_check:\n    url: https://x/h\n    expect_status: 2xx\n')[0]).toBe(
      '.booty.yml:4 release_governor.health_check.expect_status: must be a status or ranges like 200-299,304; got "2xx"',
    );
    expect(problems('  health_check:\n    url: ftp://x/h\n')[0]).toContain(
      'must be an http or https URL',
    );
    expect(problems('  health_check:\n    duration_seconds: 5\n')[0]).toContain(
      'needs exactly one of url (probe it) or workflow (dispatch smoke tests)',
    );
    expect(problems('  health_check:\n    url: https://x/h\n    retries: 3\n')[0]).toMatch(
      /release_governor\.health_check\.retries: unknown key \(allowed: url, workflow, duration_seconds/,
    );
    expect(
      problems('  health_check:\n    url: https://x/h\n  stages:\n    - name: production\n')[0],
    ).toContain('with stages, health_check is a key of each stage');
  });
});

describe('rollback targets and lifecycles', () => {
  /** A stage whose history (newest first) is `entries`, running `current`. */
  function stage(current: string, entries: Release['deploy_history']): Release {
    return { ...emptyRelease(), production_sha_current: current, deploy_history: entries };
  }
  const entry = (sha: string, extra: Partial<Release['deploy_history'][0]> = {}) => ({
    sha,
    time: NOW.toISOString(),
    result: 'success' as const,
    run_id: 1,
    run_url: null,
    ...extra,
  });

  it('the target is the newest SHA whose deploy and health check both passed and that was never rolled back', () => {
    const r = stage(A, [
      entry(A, { health_check: 'pending' }),
      entry(B, { result: 'failure', health_check: 'failed', rolled_back_at: NOW.toISOString() }),
      entry(C, { health_check: 'passed' }),
    ]);
    expect(healthyTarget(r, A)).toBe(C);
    expect(healthyTarget(stage(A, [entry(A)]), A)).toBeNull();
  });

  it('a failed check fails the deploy; claiming the rollback marks the bad SHA rolled_back and claims the target', () => {
    const r0 = stage(A, [entry(A, { run_id: 7, health_check: 'pending' }), entry(C)]);
    const failed = withHealthCheck(r0, A, 7, {
      ...judgeProbes(pendingCheck(A, check, NOW, 'me'), [bad(5)], NOW),
    });
    expect(failed.deploy_history[0]).toMatchObject({
      result: 'failure',
      conclusion: 'health_check_failed',
      health_check: 'failed',
    });
    expect(lifecycleOf(failed, A)).toBe('failed');
    const rolled = claimRollback(failed, A, C, NOW, 'me');
    expect(lifecycleOf(rolled, A)).toBe('rolled_back');
    expect(rolled.deploy_history[0]).toMatchObject({ sha: C, result: 'pending', rollback_of: A });
  });

  it('verified_at waits for the check: null while pending, set when it passes', () => {
    const pending = pendingCheck(A, check, NOW, 'me');
    const deployed = {
      ...stage(A, [entry(A, { health_check: 'pending' })]),
      last_health_check: pending,
    };
    const v1 = withStage(emptyRelease(), 'production', true, deployed, NOW);
    expect(v1.stages!.production!.verified_at).toBeNull();
    const passed = withHealthCheck(deployed, A, 1, judgeProbes(pending, [ok(5)], NOW));
    const v2 = withStage(v1, 'production', true, passed, NOW);
    expect(v2.stages!.production!.verified_at).toBe(NOW.toISOString());
  });
});
