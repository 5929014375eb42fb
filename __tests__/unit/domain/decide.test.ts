import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateApprovals,
  NO_APPROVALS,
  type ApprovalResult,
} from '../../../src/domain/approvals.js';
import { testConfig } from '../../support/config.js';
import { decide, type DecisionInput } from '../../../src/domain/decide.js';
import { compileRiskRules } from '../../../src/domain/risk.js';
import type { ReasonCode } from '../../../src/domain/types.js';

const HEAD = 'a'.repeat(40);
const PROD = 'b'.repeat(40);
const OTHER = 'c'.repeat(40);
const NOW = new Date('2026-11-21T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

const config = testConfig;

interface Scenario {
  cfg?: string;
  enabled?: boolean;
  paths?: string[];
  incomplete?: boolean;
  approvals?: ApprovalResult;
  input?: Partial<DecisionInput>;
}

function input(s: Scenario = {}): DecisionInput {
  const cfg = config(s.cfg);
  const files = (s.paths ?? ['src/app.ts']).map((path) => ({ path, status: 'modified' as const }));
  return {
    enabled: s.enabled ?? true,
    sha: HEAD,
    lifecycle: null,
    currentSha: PROD,
    currentCompare: 'ahead',
    inFlight: null,
    manual: false,
    verified: true,
    config: cfg,
    risk: compileRiskRules(cfg).classify(files, {
      incompleteReason: s.incomplete ? 'the tree listing was truncated' : null,
    }),
    approvals: s.approvals ?? NO_APPROVALS,
    pulls: [{ number: 12, paths: s.paths ?? ['src/app.ts'] }],
    history: [],
    incidents: [],
    degraded: null,
    now: NOW,
    ...s.input,
  };
}

const SHA_APPROVED = evaluateApprovals(
  {
    headSha: HEAD,
    headAuthor: 'dev',
    environment: HEAD,
    pulls: [],
    commitComments: [],
    actors: {},
  },
  config(),
);
function labelApproval(files: string[]): ApprovalResult {
  return evaluateApprovals(
    {
      headSha: HEAD,
      headAuthor: 'dev',
      environment: undefined,
      pulls: [
        {
          number: 12,
          author: 'dev',
          mergedAt: minutesAgo(30),
          baseRef: 'main',
          files,
          labelEvents: [
            { event: 'labeled', label: 'release:approved', actor: 'releng', at: minutesAgo(10) },
          ],
          comments: [],
        },
      ],
      commitComments: [],
      actors: { releng: { login: 'releng', role: 'maintain', isBot: false } },
    },
    config(),
  );
}

const history = (
  n: number,
  minutes: number,
  sha = OTHER,
  result: 'success' | 'failure' | 'pending' = 'success',
) => Array.from({ length: n }, (_, i) => ({ sha, time: minutesAgo(minutes + i), result }));

type Row = [ReasonCode, 'ALLOW' | 'HOLD' | 'SKIP', Scenario];

// SPEC §6, row by row: each reason code produced, and next to each hold, the case that clears it.
const rows: Row[] = [
  ['disabled', 'SKIP', { enabled: false }],
  ['already_deployed', 'SKIP', { input: { lifecycle: 'claimed' } }],
  ['already_deployed', 'SKIP', { input: { lifecycle: 'dispatched' } }],
  ['already_deployed', 'SKIP', { input: { lifecycle: 'succeeded' } }],
  [
    'allow_low',
    'ALLOW',
    { input: { lifecycle: 'failed', history: history(1, 90, HEAD, 'failure') } },
  ],
  ['already_in_production', 'SKIP', { input: { currentCompare: 'identical' } }],
  ['superseded', 'SKIP', { input: { currentCompare: 'behind' } }],
  ['superseded', 'SKIP', { input: { inFlight: { sha: OTHER, compare: 'behind' } } }],
  ['allow_low', 'ALLOW', { input: { inFlight: { sha: OTHER, compare: 'ahead' } } }],
  ['diverged_from_production', 'HOLD', { input: { currentCompare: 'diverged' } }],
  [
    'diverged_from_production',
    'HOLD',
    { input: { inFlight: { sha: OTHER, compare: 'diverged' } }, approvals: SHA_APPROVED },
  ],
  ['not_verified', 'HOLD', { input: { manual: true, verified: false }, approvals: SHA_APPROVED }],
  ['allow_low', 'ALLOW', { input: { manual: true, verified: true } }],
  ['deploy_not_configured', 'HOLD', { cfg: '  deploy_workflow: ""\n', approvals: SHA_APPROVED }],
  [
    'deploy_not_configured',
    'HOLD',
    {
      input: { deployWorkflow: '.github/workflows/deploy.yml on main has no workflow_dispatch' },
      approvals: SHA_APPROVED,
    },
  ],
  ['allow_low', 'ALLOW', { input: { deployWorkflow: null } }],
  [
    'degraded_high_risk',
    'HOLD',
    { paths: ['infra/a.tf'], input: { degraded: true }, approvals: SHA_APPROVED },
  ],
  [
    'allow_high_approved',
    'ALLOW',
    { paths: ['infra/a.tf'], input: { degraded: false }, approvals: SHA_APPROVED },
  ],
  ['first_deploy_required', 'HOLD', { input: { currentSha: null, currentCompare: null } }],
  [
    'allow_approved',
    'ALLOW',
    { input: { currentSha: null, currentCompare: null }, approvals: SHA_APPROVED },
  ],
  [
    'allow_low',
    'ALLOW',
    {
      cfg: '  require_approval_for_first_deploy: false\n',
      input: { currentSha: null, currentCompare: null },
    },
  ],
  // Adoption (SPEC §3): production predates the config, so rule 6 asks as for a first deploy.
  ['first_deploy_required', 'HOLD', { input: { adopted: true } }],
  [
    'first_deploy_required',
    'HOLD',
    { input: { adopted: true }, approvals: labelApproval(['src/x.ts']), paths: ['src/app.ts'] },
  ],
  ['allow_approved', 'ALLOW', { input: { adopted: true }, approvals: SHA_APPROVED }],
  [
    'allow_low',
    'ALLOW',
    { cfg: '  require_approval_for_first_deploy: false\n', input: { adopted: true } },
  ],
  [
    'cooldown',
    'HOLD',
    {
      input: { lifecycle: 'failed', history: history(1, 10, HEAD, 'failure') },
      approvals: SHA_APPROVED,
    },
  ],
  [
    'allow_low',
    'ALLOW',
    { input: { lifecycle: 'failed', history: history(1, 31, HEAD, 'failure') } },
  ],
  ['rate_limit', 'HOLD', { input: { history: history(6, 5) }, approvals: SHA_APPROVED }],
  ['allow_low', 'ALLOW', { input: { history: [...history(5, 5), ...history(3, 61)] } }],
  [
    'incident_active',
    'HOLD',
    { paths: ['package.json'], input: { incidents: [{ number: 3, title: 'Outage' }] } },
  ],
  ['incident_active', 'HOLD', { input: { degraded: true } }],
  [
    'allow_approved',
    'ALLOW',
    {
      paths: ['package.json'],
      input: { incidents: [{ number: 3, title: 'Outage' }] },
      approvals: labelApproval(['package.json']),
    },
  ],
  ['high_risk_no_approval', 'HOLD', { paths: ['infra/a.tf', 'src/x.ts'] }],
  [
    'high_risk_no_approval',
    'HOLD',
    { paths: ['infra/a.tf', 'infra/b.tf'], approvals: labelApproval(['infra/a.tf']) },
  ],
  [
    'allow_high_approved',
    'ALLOW',
    { paths: ['infra/a.tf', 'src/x.ts'], approvals: labelApproval(['infra/a.tf']) },
  ],
  [
    'high_risk_no_approval',
    'HOLD',
    { paths: ['src/x.ts'], incomplete: true, approvals: labelApproval(['src/x.ts']) },
  ],
  [
    'allow_high_approved',
    'ALLOW',
    { paths: ['src/x.ts'], incomplete: true, approvals: SHA_APPROVED },
  ],
  ['allow_low', 'ALLOW', {}],
  ['allow_medium', 'ALLOW', { paths: ['package.json'] }],
];

describe('decide: SPEC §6 in order', () => {
  it.each(rows)('%s (%s)', (reason, outcome, scenario) => {
    const d = decide(input(scenario));
    expect([d.outcome, d.reason]).toEqual([outcome, reason]);
    if (outcome === 'HOLD') expect(d.unblock).not.toBeNull();
  });

  it('evaluates the rules in order and stops at the first that applies', () => {
    const d = decide(input({ paths: ['infra/a.tf'], input: { history: history(6, 5) } }));
    expect(d.reason).toBe('rate_limit');
    expect(d.rules.map((r) => [r.rule, r.verdict])).toEqual([
      ['disabled', 'pass'],
      ['already_deployed', 'pass'],
      ['out_of_order', 'pass'],
      ['deploy_configured', 'pass'],
      ['degraded_high_risk', 'pass'],
      ['first_deploy', 'pass'],
      ['cooldown', 'pass'],
      ['rate_limit', 'applies'],
    ]);
  });

  it('cooldown and rate limit say when they clear', () => {
    const c = decide(
      input({
        input: {
          lifecycle: 'failed',
          history: [
            { sha: HEAD, time: minutesAgo(20), result: 'failure', completed_at: minutesAgo(10) },
          ],
        },
      }),
    );
    expect(c.unblock).toMatchObject({ kind: 'wait', until: '2026-11-21T12:20:00.000Z' });
    const r = decide(input({ input: { history: [...history(6, 5)] } }));
    // Six claims 5..10 minutes ago: a slot frees when the oldest (10 minutes ago) leaves the window.
    expect(r.unblock).toMatchObject({ kind: 'wait', until: '2026-11-21T12:50:00.000Z' });
  });

  it('a HIGH hold names the pull requests to label and the paths no pull request covers', () => {
    const d = decide({
      ...input({ paths: ['infra/a.tf', 'k8s/app.yaml'] }),
      pulls: [{ number: 12, paths: ['infra/a.tf'] }],
    });
    expect(d.unblock).toMatchObject({
      kind: 'soft',
      pulls: [{ number: 12, paths: ['infra/a.tf'] }],
      withoutPull: ['k8s/app.yaml'],
      label: 'release:approved',
      sha: HEAD,
    });
  });
});

describe('decide: the stage decided is named', () => {
  const stage = { name: 'staging', approvals: 'none' as const, previous: null, busy: null };
  it.each([
    ['ahead', 'pass', `ahead of staging ${PROD.slice(0, 7)}`],
    ['behind', 'applies', `staging ${PROD.slice(0, 7)} is already past`],
    ['diverged', 'applies', `and staging ${PROD.slice(0, 7)} have diverged`],
  ] as const)('rule 3, %s', (currentCompare, verdict, detail) => {
    const d = decide(input({ input: { stage, currentCompare } }));
    const rule = d.rules.find((r) => r.rule === 'out_of_order')!;
    expect(rule.verdict).toBe(verdict);
    expect(rule.detail).toContain(detail);
    expect(rule.detail).not.toContain('production');
  });

  it('adoption names production and the config file', () => {
    const d = decide(input({ input: { adopted: true } }));
    expect(d.summary).toContain(`production ${PROD.slice(0, 7)} has no .booty.yml`);
  });
});

describe('decide: invariants', () => {
  const pathArb = fc.constantFrom(
    'src/a.ts',
    'infra/a.tf',
    'package.json',
    '.github/workflows/x.yml',
    'db/migrations/1.sql',
    'docs/x.md',
  );
  const scenarioArb = fc.record({
    paths: fc.array(pathArb, { minLength: 1, maxLength: 4 }),
    approved: fc.subarray([
      'src/a.ts',
      'infra/a.tf',
      'package.json',
      '.github/workflows/x.yml',
      'db/migrations/1.sql',
      'docs/x.md',
    ]),
    sha: fc.boolean(),
    incident: fc.boolean(),
    degraded: fc.constantFrom(null, true, false),
    first: fc.boolean(),
    deployConfigured: fc.boolean(),
    compare: fc.constantFrom('ahead', 'diverged', 'behind', 'identical'),
    manualUnverified: fc.boolean(),
  });
  type Scn = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;
  const build = (s: Scn, approvals: ApprovalResult) =>
    input({
      paths: s.paths,
      cfg: s.deployConfigured ? '' : '  deploy_workflow: ""\n',
      approvals,
      input: {
        incidents: s.incident ? [{ number: 1, title: 'x' }] : [],
        degraded: s.degraded,
        currentSha: s.first ? null : PROD,
        currentCompare: s.first ? null : (s.compare as DecisionInput['currentCompare']),
        manual: s.manualUnverified,
        verified: !s.manualUnverified,
      },
    });
  const withApprovals = (s: Scn) => (s.sha ? SHA_APPROVED : labelApproval(s.approved));

  it('removing an approval never turns HOLD into ALLOW', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const approved = decide(build(s, withApprovals(s)));
        const without = decide(build(s, NO_APPROVALS));
        return !(approved.outcome === 'HOLD' && without.outcome === 'ALLOW');
      }),
      { numRuns: 500 },
    );
  });

  it('a hard hold is never cleared by any approval', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const without = decide(build(s, NO_APPROVALS));
        if (without.holdKind !== 'hard') return true;
        const approved = decide(build(s, SHA_APPROVED));
        return approved.outcome === 'HOLD' && approved.reason === without.reason;
      }),
      { numRuns: 500 },
    );
  });

  it('adding a changed path never turns HOLD into ALLOW (more risk is never less scrutiny)', () => {
    fc.assert(
      fc.property(scenarioArb, pathArb, (s, extra) => {
        const before = decide(build(s, NO_APPROVALS));
        const after = decide(build({ ...s, paths: [...s.paths, extra] }, NO_APPROVALS));
        return !(
          before.outcome === 'HOLD' &&
          before.holdKind !== 'wait' &&
          after.outcome === 'ALLOW'
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('decide: the rules are one ordered table', () => {
  // A staging SHA that is soaking in staging while production holds a soaking release of its
  // own: two wait holds in a row (8b, 8c), then a HIGH path without approval (rule 10).
  const stage = {
    name: 'production',
    approvals: 'required' as const,
    previous: { name: 'staging', currentSha: HEAD, verifiedAt: minutesAgo(5), soakMinutes: 30 },
    busy: {
      currentSha: PROD,
      verifiedAt: minutesAgo(1),
      soakMinutes: 60,
      next: 'eu',
      reachedNext: false,
    },
  };
  const held = (breakGlass: { actor: string; reason: string } | null) =>
    decide(input({ paths: ['.github/workflows/deploy.yml'], input: { stage, breakGlass } }));

  it('without break-glass the first hold that applies decides, and nothing after it is evaluated', () => {
    const d = held(null);
    expect(d).toMatchObject({ outcome: 'HOLD', reason: 'soaking', holdKind: 'wait' });
    expect(d.rules.at(-1)).toMatchObject({ rule: 'soaked', verdict: 'applies' });
    expect(d.rules.map((r) => r.rule)).not.toContain('stage_free');
  });

  it('break-glass bypasses every soft and wait hold in turn, each shown in the trail', () => {
    const d = held({ actor: 'boss', reason: 'outage' });
    expect(d).toMatchObject({ outcome: 'ALLOW', reason: 'allow_break_glass' });
    expect(d.bypassed).toEqual(['soaking', 'stage_busy', 'high_risk_no_approval']);
    for (const rule of ['soaked', 'stage_free', 'high_risk'])
      expect(d.rules.find((r) => r.rule === rule)).toMatchObject({
        verdict: 'pass',
        detail: expect.stringMatching(/^bypassed by break-glass \(@boss\): /),
      });
    expect(d.rules.map((r) => r.rule)).toEqual([
      'disabled',
      'already_deployed',
      'out_of_order',
      'promoted',
      'deploy_configured',
      'degraded_high_risk',
      'first_deploy',
      'cooldown',
      'rate_limit',
      'soaked',
      'stage_free',
      'incident',
      'high_risk',
      'allow',
    ]);
  });
});
