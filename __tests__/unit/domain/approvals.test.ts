import { describe, expect, it } from 'vitest';
import {
  evaluateApprovals,
  type ApprovalFacts,
  type PullRequestFacts,
} from '../../../src/domain/approvals.js';
import { testConfig } from '../../support/config.js';

const HEAD = 'a'.repeat(40);
const MERGED = '2026-11-20T10:00:00Z';
const AFTER = '2026-11-20T10:05:00Z';
const BEFORE = '2026-11-20T09:55:00Z';

const config = testConfig;

function pr(over: Partial<PullRequestFacts> = {}): PullRequestFacts {
  return {
    number: 12,
    author: 'dev',
    mergedAt: MERGED,
    baseRef: 'main',
    files: ['infra/main.tf'],
    labelEvents: [],
    comments: [],
    ...over,
  };
}

function facts(over: Partial<ApprovalFacts> = {}): ApprovalFacts {
  return {
    headSha: HEAD,
    headAuthor: 'dev',
    environment: undefined,
    pulls: [],
    commitComments: [],
    actors: {
      releng: { login: 'releng', role: 'maintain', isBot: false },
      writer: { login: 'writer', role: 'write', isBot: false },
      reader: { login: 'reader', role: 'read', isBot: false },
      triager: { login: 'triager', role: 'triage', isBot: false },
      dev: { login: 'dev', role: 'write', isBot: false },
      'deploy-bot[bot]': { login: 'deploy-bot[bot]', role: 'admin', isBot: true },
      admin: { login: 'admin', role: 'admin', isBot: false },
    },
    ...over,
  };
}

const label = (actor: string, at = AFTER) => ({
  event: 'labeled' as const,
  label: 'release:approved',
  actor,
  at,
});
const comment = (author: string, at = AFTER, body = '/approve-release\nship it') => ({
  body,
  author,
  at,
});

type Row = [string, Partial<ApprovalFacts>, string, 'valid' | string];

// Each rule of SPEC §7: a case that counts and a case that does not, with the reason.
const rows: Row[] = [
  ['env: the full head SHA', { environment: HEAD }, '', 'valid'],
  [
    'env: the SHA among others, comma or space separated',
    { environment: `${'b'.repeat(40)}, ${HEAD}` },
    '',
    'valid',
  ],
  ['env: true without allow_blanket_approval', { environment: 'true' }, '', 'blanket_not_allowed'],
  [
    'env: yes with allow_blanket_approval',
    { environment: 'yes' },
    '  allow_blanket_approval: true\n',
    'valid',
  ],
  ['env: a short SHA', { environment: HEAD.slice(0, 12) }, '', 'short_sha'],
  ['env: another full SHA', { environment: 'b'.repeat(40) }, '', 'wrong_sha'],
  ['env: not a SHA', { environment: 'please' }, '', 'unrecognized_value'],
  ['env: mode disabled', { environment: HEAD }, '  approval_mode: [label]\n', 'mode_disabled'],
  [
    'label: by a writer after merge',
    { pulls: [pr({ labelEvents: [label('writer')] })] },
    '',
    'valid',
  ],
  [
    'label: by a reader',
    { pulls: [pr({ labelEvents: [label('reader')] })] },
    '',
    'insufficient_permission',
  ],
  [
    'label: by a triager',
    { pulls: [pr({ labelEvents: [label('triager')] })] },
    '',
    'insufficient_permission',
  ],
  [
    'label: by a stranger',
    { pulls: [pr({ labelEvents: [label('stranger')] })] },
    '',
    'insufficient_permission',
  ],
  [
    'label: by a writer when maintain is required',
    { pulls: [pr({ labelEvents: [label('writer')] })] },
    '  approver_permission: maintain\n',
    'insufficient_permission',
  ],
  [
    'label: by the author of the pull request',
    { pulls: [pr({ labelEvents: [label('dev')] })] },
    '',
    'self_approval',
  ],
  [
    'label: by the author, self-approval allowed',
    { pulls: [pr({ labelEvents: [label('dev')] })] },
    '  prevent_self_approval: false\n',
    'valid',
  ],
  [
    'label: before merge',
    { pulls: [pr({ labelEvents: [label('releng', BEFORE)] })] },
    '',
    'before_merge',
  ],
  [
    'label: by a bot with admin',
    { pulls: [pr({ labelEvents: [label('deploy-bot[bot]')] })] },
    '',
    'bot',
  ],
  [
    'label: removed afterwards',
    {
      pulls: [
        pr({
          labelEvents: [
            label('releng'),
            {
              event: 'unlabeled',
              label: 'release:approved',
              actor: 'dev',
              at: '2026-11-20T10:07:00Z',
            },
          ],
        }),
      ],
    },
    '',
    'label_removed',
  ],
  [
    'label: pull request not merged',
    { pulls: [pr({ mergedAt: null, labelEvents: [label('releng')] })] },
    '',
    'not_merged',
  ],
  [
    'label: merged into another branch',
    { pulls: [pr({ baseRef: 'develop', labelEvents: [label('releng')] })] },
    '',
    'not_merged',
  ],
  [
    'label: mode disabled',
    { pulls: [pr({ labelEvents: [label('releng')] })] },
    '  approval_mode: comment\n',
    'mode_disabled',
  ],
  [
    'comment: by a maintainer after merge',
    { pulls: [pr({ comments: [comment('releng')] })] },
    '',
    'valid',
  ],
  [
    'comment: before merge',
    { pulls: [pr({ comments: [comment('releng', BEFORE)] })] },
    '',
    'before_merge',
  ],
  [
    'comment: by a reader',
    { pulls: [pr({ comments: [comment('reader')] })] },
    '',
    'insufficient_permission',
  ],
  ['comment: by the author', { pulls: [pr({ comments: [comment('dev')] })] }, '', 'self_approval'],
  ['commit comment: by an admin', { commitComments: [comment('admin')] }, '', 'valid'],
  [
    'commit comment: by the head commit author',
    { commitComments: [comment('dev')] },
    '',
    'self_approval',
  ],
  ['commit comment: by a bot', { commitComments: [comment('deploy-bot[bot]')] }, '', 'bot'],
  [
    'commit comment: mode disabled',
    { commitComments: [comment('admin')] },
    '  approval_mode: [environment]\n',
    'mode_disabled',
  ],
];

describe('approvals: SPEC §7', () => {
  it.each(rows)('%s', (_name, over, cfg, expected) => {
    const r = evaluateApprovals(facts(over), config(cfg));
    if (expected === 'valid') {
      expect(r.ignored).toEqual([]);
      expect(r.valid).toHaveLength(1);
    } else {
      expect(r.valid).toEqual([]);
      expect(r.ignored.map((i) => i.reason)).toEqual([expected]);
      expect(r.ignored[0]!.detail.length).toBeGreaterThan(10);
    }
  });

  it('a comment whose first line is not the command is not an approval at all', () => {
    const r = evaluateApprovals(
      facts({
        pulls: [pr({ comments: [comment('releng', AFTER, 'I would /approve-release this')] })],
      }),
      config(),
    );
    expect(r.valid).toEqual([]);
    expect(r.ignored).toEqual([]);
  });

  it('a pull request approval covers its files; a SHA or commit comment covers the whole diff', () => {
    const byLabel = evaluateApprovals(
      facts({ pulls: [pr({ files: ['infra/a.tf', 'src/x.ts'], labelEvents: [label('releng')] })] }),
      config(),
    );
    expect(byLabel.coversAll).toBe(false);
    expect([...byLabel.covered].sort()).toEqual(['infra/a.tf', 'src/x.ts']);
    expect(evaluateApprovals(facts({ environment: HEAD }), config()).coversAll).toBe(true);
    expect(
      evaluateApprovals(facts({ commitComments: [comment('admin')] }), config()).coversAll,
    ).toBe(true);
  });

  it('the reason text names the actor and their access', () => {
    const r = evaluateApprovals(
      facts({ pulls: [pr({ labelEvents: [label('reader')] })] }),
      config(),
    );
    expect(r.ignored[0]!.detail).toBe(
      'label added by @reader has read access; approvers need write or higher: ignored',
    );
  });
});
