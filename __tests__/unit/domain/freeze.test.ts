// Freeze windows (SPEC §16) with an injected clock: the exact instants they hold and release,
// daylight-saving transitions, invalid entries, and how break-glass passes them.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/domain/config.js';
import { ConfigError } from '../../../src/domain/config-base.js';
import { clock, decide, type DecisionInput } from '../../../src/domain/decide.js';
import { NO_APPROVALS } from '../../../src/domain/approvals.js';
import { activeFreeze, freezeWindowSchema } from '../../../src/domain/freeze.js';
import { compileRiskRules } from '../../../src/domain/risk.js';
import { testConfig } from '../../support/config.js';

const at = (iso: string) => new Date(iso);
const win = (w: Record<string, unknown>) => freezeWindowSchema.parse({ reason: 'r', ...w });
const frozen = (w: Record<string, unknown>, now: string, stage = 'production') =>
  activeFreeze([win(w)], stage, 'production', at(now));

describe('absolute windows', () => {
  const w = { start: '2026-12-24T00:00:00+01:00', end: '2026-12-27T00:00:00+01:00' };
  it('hold from start (inclusive) to end (exclusive), at the instant the offset says', () => {
    expect(frozen(w, '2026-12-23T22:59:59.999Z')).toBeNull();
    expect(frozen(w, '2026-12-23T23:00:00.000Z')).toMatchObject({
      until: '2026-12-26T23:00:00.000Z',
    });
    expect(frozen(w, '2026-12-26T22:59:59.999Z')).not.toBeNull();
    expect(frozen(w, '2026-12-26T23:00:00.000Z')).toBeNull();
  });

  it('freeze the last stage by default, and only the stages listed', () => {
    expect(frozen(w, '2026-12-25T12:00:00Z', 'staging')).toBeNull();
    expect(
      activeFreeze(
        [win({ ...w, stages: ['staging'] })],
        'staging',
        'production',
        at('2026-12-25T12:00:00Z'),
      ),
    ).not.toBeNull();
  });
});

describe('recurring windows (cron in an IANA zone, real minutes)', () => {
  it('Fridays 16:00–Monday 08:00 in Berlin: holds across the weekend, releases Monday 08:00 local', () => {
    // 2026-11-27 is a Friday; CET is UTC+1.
    const w = { cron: '0 16 * * 5', duration_minutes: 64 * 60, timezone: 'Europe/Berlin' };
    expect(frozen(w, '2026-11-27T14:59:59Z')).toBeNull();
    expect(frozen(w, '2026-11-27T15:00:00Z')).toMatchObject({ until: '2026-11-30T07:00:00.000Z' });
    expect(frozen(w, '2026-11-30T06:59:59Z')).not.toBeNull();
    expect(frozen(w, '2026-11-30T07:00:00Z')).toBeNull();
  });

  it('across the spring-forward hour in Europe/Berlin (2026-03-29, 02:00 CET → 03:00 CEST)', () => {
    // 01:30 CET = 00:30Z; 120 real minutes end at 02:30Z, which is 04:30 CEST on the wall clock.
    const w = { cron: '30 1 * * *', duration_minutes: 120, timezone: 'Europe/Berlin' };
    expect(frozen(w, '2026-03-29T00:29:59Z')).toBeNull();
    expect(frozen(w, '2026-03-29T00:30:00Z')).toMatchObject({ until: '2026-03-29T02:30:00.000Z' });
    expect(frozen(w, '2026-03-29T02:29:59Z')).not.toBeNull();
    expect(frozen(w, '2026-03-29T02:30:00Z')).toBeNull();
    // The next day the offset is +02:00: 01:30 CEST is 23:30Z the evening before.
    expect(frozen(w, '2026-03-29T23:30:00Z')).toMatchObject({ until: '2026-03-30T01:30:00.000Z' });
  });

  it('across the spring-forward hour in America/New_York (2026-03-08, 02:00 EST → 03:00 EDT)', () => {
    const w = { cron: '30 1 * * *', duration_minutes: 120, timezone: 'America/New_York' };
    // 01:30 EST = 06:30Z; two real hours end at 08:30Z (04:30 EDT).
    expect(frozen(w, '2026-03-08T06:29:59Z')).toBeNull();
    expect(frozen(w, '2026-03-08T06:30:00Z')).toMatchObject({ until: '2026-03-08T08:30:00.000Z' });
    expect(frozen(w, '2026-03-08T08:30:00Z')).toBeNull();
    // The day after, 01:30 EDT is 05:30Z.
    expect(frozen(w, '2026-03-09T05:30:00Z')).toMatchObject({ until: '2026-03-09T07:30:00.000Z' });
  });

  it('a window that starts in the skipped hour still starts (at the next valid instant)', () => {
    // 02:30 does not exist in Berlin on 2026-03-29; croner runs it at 03:30 CEST (01:30Z).
    const w = { cron: '30 2 * * *', duration_minutes: 30, timezone: 'Europe/Berlin' };
    expect(frozen(w, '2026-03-29T01:45:00Z')).toMatchObject({ until: '2026-03-29T02:00:00.000Z' });
  });
});

describe('invalid windows are config_invalid, naming the entry', () => {
  function problem(window: string): string {
    try {
      loadConfig({
        text: `release_governor:\n  freeze_windows:\n${window}`,
        path: '.booty.yml',
        env: {},
        defaultBranch: 'main',
      });
    } catch (e) {
      if (e instanceof ConfigError)
        return e.problems.map((p) => `${p.where} ${p.key}: ${p.message}`).join('\n');
    }
    return 'no error';
  }
  it.each([
    [
      '    - cron: "61 * * * *"\n      duration_minutes: 5\n      reason: x\n',
      /freeze_windows\.1\.cron: is not a valid cron expression/,
    ],
    [
      '    - cron: "0 16 * * 5"\n      duration_minutes: 5\n      timezone: Mars/Olympus\n      reason: x\n',
      /freeze_windows\.1\.timezone: "Mars\/Olympus" is not an IANA time zone/,
    ],
    [
      '    - start: "2026-12-27T00:00:00Z"\n      end: "2026-12-24T00:00:00Z"\n      reason: x\n',
      /\.booty\.yml:4 release_governor\.freeze_windows\.1\.end: is not after start/,
    ],
    [
      '    - start: "2026-12-24T00:00:00"\n      end: "2026-12-27T00:00:00Z"\n      reason: x\n',
      /freeze_windows\.1\.start: must be an ISO 8601 time with an offset/,
    ],
    [
      '    - start: "2026-12-24T00:00:00Z"\n      reason: x\n',
      /freeze_windows\.1\.end: is required with start/,
    ],
    [
      '    - cron: "0 1 * * *"\n      reason: x\n',
      /freeze_windows\.1\.duration_minutes: is required with cron/,
    ],
    [
      '    - start: "2026-12-24T00:00:00Z"\n      end: "2026-12-27T00:00:00Z"\n',
      /freeze_windows\.1\.reason/,
    ],
    [
      '    - start: "2026-12-24T00:00:00Z"\n      end: "2026-12-27T00:00:00Z"\n      reason: x\n      stages: [qa]\n',
      /freeze_windows\.1\.stages\.1: qa is not a stage \(the stages are production\)/,
    ],
    [
      '    - start: "2026-12-24T00:00:00Z"\n      end: "2026-12-27T00:00:00Z"\n      reason: x\n      until: y\n',
      /freeze_windows\.1\.until: unknown key \(allowed: start, end, cron/,
    ],
  ])('%s', (window, expected) => {
    expect(problem(window)).toMatch(expected);
  });
});

describe('the rule, and break-glass', () => {
  const config = testConfig(
    '  freeze_windows:\n    - start: "2026-12-24T00:00:00Z"\n      end: "2026-12-27T00:00:00Z"\n      reason: holidays\n',
  );
  const input = (now: string, over: Partial<DecisionInput> = {}): DecisionInput => ({
    enabled: true,
    sha: 'a'.repeat(40),
    lifecycle: null,
    currentSha: 'b'.repeat(40),
    currentCompare: 'ahead',
    inFlight: null,
    manual: false,
    verified: true,
    config,
    risk: compileRiskRules(config).classify([{ path: 'src/a.ts', status: 'modified' }], {
      incompleteReason: null,
    }),
    approvals: NO_APPROVALS,
    pulls: [],
    history: [],
    incidents: [],
    degraded: null,
    now: at(now),
    ...over,
  });

  it('HOLD freeze_window (wait) with the reason and the end; outside it, ALLOW', () => {
    const d = decide(input('2026-12-25T10:00:00Z'));
    expect(d).toMatchObject({ outcome: 'HOLD', reason: 'freeze_window', holdKind: 'wait' });
    // The end is not today: the date is named.
    expect(d.summary).toBe(
      'production is frozen until 2026-12-27 00:00 UTC (in 38h 0m): holidays.',
    );
    expect(decide(input('2026-12-26T22:00:00Z')).summary).toBe(
      'production is frozen until 2026-12-27 00:00 UTC (in 2h 0m): holidays.',
    );
    expect(d.unblock).toMatchObject({ until: '2026-12-27T00:00:00.000Z' });
    expect(decide(input('2026-12-27T00:00:00Z')).outcome).toBe('ALLOW');
  });

  it('break-glass bypasses the freeze and the soft holds, never the hard ones', () => {
    const bg = { actor: 'boss', reason: 'fix' };
    const d = decide(
      input('2026-12-25T10:00:00Z', {
        breakGlass: bg,
        incidents: [{ number: 1, title: 'down' }],
      }),
    );
    expect(d).toMatchObject({
      outcome: 'ALLOW',
      reason: 'allow_break_glass',
      bypassed: ['freeze_window', 'incident_active'],
    });
    expect(d.rules.find((r) => r.rule === 'freeze')!.detail).toMatch(
      /^bypassed by break-glass \(@boss\)/,
    );
    const hard = decide(
      input('2026-12-25T10:00:00Z', {
        breakGlass: bg,
        degraded: true,
        risk: compileRiskRules(config).classify([{ path: 'infra/x.tf', status: 'modified' }], {
          incompleteReason: null,
        }),
      }),
    );
    expect(hard).toMatchObject({ outcome: 'HOLD', reason: 'degraded_high_risk' });
    expect(
      decide(input('2026-12-25T10:00:00Z', { breakGlass: bg, lifecycle: 'dispatched' })),
    ).toMatchObject({
      outcome: 'SKIP',
      reason: 'already_deployed',
    });
  });
});

describe('clock: the date only when the instant is not today (UTC)', () => {
  it.each([
    ['2026-12-02T23:00:00Z', '2026-12-02T10:00:00Z', '23:00 UTC'],
    ['2026-12-04T23:00:00Z', '2026-12-02T10:00:00Z', '2026-12-04 23:00 UTC'],
    ['2026-12-03T00:30:00Z', '2026-12-02T23:59:00Z', '2026-12-03 00:30 UTC'],
  ])('%s seen at %s → %s', (atIso, nowIso, text) => {
    expect(clock(new Date(atIso), new Date(nowIso))).toBe(text);
  });
});
