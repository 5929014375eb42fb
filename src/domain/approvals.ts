// Approvals (SPEC §7). An approval is scoped: it covers a set of paths, never "everything
// from now on". This module takes what the adapters fetched and says which paths are covered,
// by whom, and why every approval that does not count was ignored.
import type { ApprovalMode, Config } from './config.js';
import { APPROVAL_VARIABLE } from './config-base.js';

export type RepoRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface Actor {
  login: string;
  /** Repository role from the collaborator permission API (role_name); null if unknown. */
  role: RepoRole | null;
  isBot: boolean;
  /** The `org/team` slugs of `approvers` this person is an active member of (when asked). */
  teams?: string[];
}

export interface PullRequestFacts {
  number: number;
  author: string;
  /** null: not merged. */
  mergedAt: string | null;
  baseRef: string;
  /** Every path the pull request changed (both names of renames). */
  files: string[];
  labelEvents: { event: 'labeled' | 'unlabeled'; label: string; actor: string; at: string }[];
  comments: { body: string; author: string; at: string }[];
}

export interface ApprovalFacts {
  headSha: string;
  /** Login of the head commit's author, for self-approval of commit-scoped approvals. */
  headAuthor: string | null;
  /** The raw RELEASE_GOVERNOR_APPROVED value. */
  environment: string | undefined;
  pulls: PullRequestFacts[];
  /** Comments on the head commit. */
  commitComments: { body: string; author: string; at: string }[];
  /** Everyone who appears above, with their role. */
  actors: Record<string, Actor>;
}

export type ApprovalSource = 'environment' | 'label' | 'comment' | 'commit_comment';

export type IgnoredReason =
  | 'insufficient_permission'
  | 'self_approval'
  | 'before_merge'
  | 'not_merged'
  | 'wrong_sha'
  | 'short_sha'
  | 'blanket_not_allowed'
  | 'bot'
  | 'mode_disabled'
  | 'label_removed'
  | 'unrecognized_value'
  | 'not_an_approver';

export interface ValidApproval {
  source: ApprovalSource;
  actor: string | null;
  pull: number | null;
  at: string | null;
  /** 'all': the whole diff production..head; otherwise the paths it covers. */
  covers: 'all' | string[];
}

export interface IgnoredApproval {
  source: ApprovalSource;
  actor: string | null;
  pull: number | null;
  reason: IgnoredReason;
  /** One sentence a person can act on. */
  detail: string;
}

export interface ApprovalResult {
  valid: ValidApproval[];
  ignored: IgnoredApproval[];
  /** At least `required` distinct approvers approved the whole change. */
  coversAll: boolean;
  /** Paths at least `required` distinct approvers covered (each approval covers only its paths). */
  covered: Set<string>;
  /** required_approvals: how many distinct approvers a path needs. */
  required: number;
  /** The distinct approvers who counted (the environment approval counts as one, `environment`). */
  approvers: string[];
}

/** Whether a person has at least `minimum` on the repository (and is a person, not a bot). */
export function hasRole(actor: Actor, minimum: ApprovalConfig['approver_permission']): boolean {
  return (
    !actor.isBot &&
    !/\[bot\]$/.test(actor.login) &&
    ROLE_RANK[actor.role ?? 'none'] >= ROLE_RANK[minimum]
  );
}

const ROLE_RANK: Record<RepoRole, number> = {
  none: 0,
  read: 1,
  triage: 2,
  write: 3,
  maintain: 4,
  admin: 5,
};
const BLANKET = new Set(['true', '1', 'yes']);

type ApprovalConfig = Pick<
  Config,
  | 'approvers'
  | 'required_approvals'
  | 'approval_mode'
  | 'approval_label'
  | 'approval_command'
  | 'approver_permission'
  | 'prevent_self_approval'
  | 'allow_blanket_approval'
  | 'branch'
>;

/** Why an actor cannot approve a change authored by `author` (null: they can). */
function approverProblem(
  actors: Record<string, Actor>,
  login: string,
  author: string | null,
  config: ApprovalConfig,
): { reason: IgnoredReason; detail: string } | null {
  const actor = actors[login];
  if (actor?.isBot || /\[bot\]$/.test(login))
    return { reason: 'bot', detail: `@${login} is a bot; only people approve releases` };
  const role = actor?.role ?? 'none';
  if (ROLE_RANK[role] < ROLE_RANK[config.approver_permission]) {
    return {
      reason: 'insufficient_permission',
      detail: `@${login} has ${role === 'none' ? 'no' : role} access; approvers need ${config.approver_permission} or higher`,
    };
  }
  if (config.approvers.length > 0) {
    const listed = config.approvers.some(
      (a) => !a.includes('/') && a.toLowerCase() === login.toLowerCase(),
    );
    const inTeam = (actor?.teams ?? []).length > 0;
    if (!listed && !inTeam)
      return {
        reason: 'not_an_approver',
        detail: `@${login} is not one of the approvers (${config.approvers.join(', ')})`,
      };
  }
  if (
    config.prevent_self_approval &&
    author !== null &&
    login.toLowerCase() === author.toLowerCase()
  ) {
    return {
      reason: 'self_approval',
      detail: `@${login} is the author of the change and may not approve it (prevent_self_approval)`,
    };
  }
  return null;
}

function firstLine(body: string): string {
  return (body.split(/\r?\n/, 1)[0] ?? '').trim();
}

function enabled(config: ApprovalConfig, mode: ApprovalMode): boolean {
  return config.approval_mode.includes(mode);
}

/** One label or comment on a pull request: counted (covering its files), or ignored with why. */
function judgePullApproval(
  a: {
    mode: 'label' | 'comment';
    actor: string;
    at: string;
    pr: PullRequestFacts;
    removedBy: { actor: string; at: string } | null;
  },
  facts: ApprovalFacts,
  config: ApprovalConfig,
): ValidApproval | IgnoredApproval {
  const { pr } = a;
  const base = { source: a.mode, actor: a.actor, pull: pr.number };
  const what = a.mode === 'label' ? `label added by @${a.actor}` : `comment by @${a.actor}`;
  if (!enabled(config, a.mode)) {
    const name = a.mode === 'label' ? `label ${config.approval_label}` : config.approval_command;
    return {
      ...base,
      reason: 'mode_disabled',
      detail: `${name} on #${pr.number}: approval_mode does not include ${a.mode}`,
    };
  }
  if (pr.mergedAt === null || pr.baseRef !== config.branch) {
    return {
      ...base,
      reason: 'not_merged',
      detail: `#${pr.number} is not merged into ${config.branch}`,
    };
  }
  // Before the merge the content could still change: only an approval after it counts.
  if (!(Date.parse(a.at) > Date.parse(pr.mergedAt))) {
    return {
      ...base,
      reason: 'before_merge',
      detail: `${what} at ${a.at}, before #${pr.number} was merged at ${pr.mergedAt}; add it again after merge`,
    };
  }
  if (a.removedBy) {
    return {
      ...base,
      reason: 'label_removed',
      detail: `${what} was removed by @${a.removedBy.actor} at ${a.removedBy.at}`,
    };
  }
  const problem = approverProblem(facts.actors, a.actor, pr.author, config);
  if (problem)
    return {
      ...base,
      reason: problem.reason,
      detail: `${a.mode === 'label' ? 'label added by' : 'comment by'} ${problem.detail}: ignored`,
    };
  return { ...base, at: a.at, covers: [...pr.files] };
}

export function evaluateApprovals(facts: ApprovalFacts, config: ApprovalConfig): ApprovalResult {
  const valid: ValidApproval[] = [];
  const ignored: IgnoredApproval[] = [];
  const sort = (a: ValidApproval | IgnoredApproval): void => {
    if ('reason' in a) ignored.push(a);
    else valid.push(a);
  };

  // -- environment: full SHAs, or a blanket value when the config allows it
  const tokens = (facts.environment ?? '').split(/[\s,]+/).filter(Boolean);
  for (const token of tokens) {
    const value = token.toLowerCase();
    const base = { source: 'environment' as const, actor: null, pull: null };
    if (!enabled(config, 'environment')) {
      ignored.push({
        ...base,
        reason: 'mode_disabled',
        detail: `${APPROVAL_VARIABLE} is set but approval_mode does not include environment`,
      });
      break;
    }
    if (BLANKET.has(value)) {
      if (config.allow_blanket_approval) valid.push({ ...base, at: null, covers: 'all' });
      else
        ignored.push({
          ...base,
          reason: 'blanket_not_allowed',
          detail: `${APPROVAL_VARIABLE}=${token} approves no SHA in particular; set it to the full SHA ${facts.headSha} (allow_blanket_approval is false)`,
        });
    } else if (value === facts.headSha) {
      valid.push({ ...base, at: null, covers: 'all' });
    } else if (/^[0-9a-f]{40}$/.test(value)) {
      ignored.push({
        ...base,
        reason: 'wrong_sha',
        detail: `${APPROVAL_VARIABLE} lists ${value.slice(0, 12)}…, not this commit ${facts.headSha.slice(0, 12)}…`,
      });
    } else if (/^[0-9a-f]{4,39}$/.test(value)) {
      ignored.push({
        ...base,
        reason: 'short_sha',
        detail: `${APPROVAL_VARIABLE} lists the short SHA ${value}; only a full 40-character SHA counts`,
      });
    } else {
      ignored.push({
        ...base,
        reason: 'unrecognized_value',
        detail: `${APPROVAL_VARIABLE} value ${JSON.stringify(token.slice(0, 60))} is neither a full SHA nor a blanket value`,
      });
    }
  }

  // The variable usually lists several approved SHAs; the others are not for this commit,
  // so they are only worth a mention when nothing in it matched.
  if (valid.some((a) => a.source === 'environment')) {
    for (let i = ignored.length - 1; i >= 0; i--)
      if (ignored[i]!.reason === 'wrong_sha') ignored.splice(i, 1);
  }

  // -- pull requests: labels and comments, after merge, by a valid approver who is not the author
  for (const pr of facts.pulls) {
    const labelEvents = pr.labelEvents.filter((e) => e.label === config.approval_label);
    const last = labelEvents[labelEvents.length - 1];
    for (const e of labelEvents.filter((x) => x.event === 'labeled')) {
      const removed =
        last && last.event === 'unlabeled' && Date.parse(last.at) >= Date.parse(e.at) ? last : null;
      sort(
        judgePullApproval(
          { mode: 'label', actor: e.actor, at: e.at, pr, removedBy: removed },
          facts,
          config,
        ),
      );
    }
    for (const c of pr.comments) {
      if (firstLine(c.body) !== config.approval_command) continue;
      sort(
        judgePullApproval(
          { mode: 'comment', actor: c.author, at: c.at, pr, removedBy: null },
          facts,
          config,
        ),
      );
    }
  }

  // -- commit comments on the head: the whole diff production..head
  for (const c of facts.commitComments) {
    if (firstLine(c.body) !== config.approval_command) continue;
    const base = { source: 'commit_comment' as const, actor: c.author, pull: null };
    if (!enabled(config, 'comment')) {
      ignored.push({
        ...base,
        reason: 'mode_disabled',
        detail: `${config.approval_command} on the commit: approval_mode does not include comment`,
      });
      continue;
    }
    const problem = approverProblem(facts.actors, c.author, facts.headAuthor, config);
    if (problem)
      ignored.push({
        ...base,
        reason: problem.reason,
        detail: `commit comment by ${problem.detail}: ignored`,
      });
    else valid.push({ ...base, at: c.at, covers: 'all' });
  }

  // required_approvals: a path counts as approved when that many distinct people covered it
  // (an approval of the whole change covers every path; the environment counts as one).
  const required = Math.max(1, config.required_approvals);
  const who = (a: ValidApproval) => (a.actor ?? 'environment').toLowerCase();
  const allBy = new Set(valid.filter((a) => a.covers === 'all').map(who));
  const byPath = new Map<string, Set<string>>();
  for (const a of valid)
    if (a.covers !== 'all')
      for (const p of a.covers) byPath.set(p, (byPath.get(p) ?? new Set()).add(who(a)));
  const covered = new Set<string>();
  for (const [p, people] of byPath)
    if (new Set([...allBy, ...people]).size >= required) covered.add(p);
  return {
    valid,
    ignored,
    coversAll: allBy.size >= required,
    covered,
    required,
    approvers: [...new Set(valid.map(who))],
  };
}

/** Whether every path is covered by a valid approval. */
export function coversPaths(result: ApprovalResult, paths: readonly string[]): boolean {
  return result.coversAll || paths.every((p) => result.covered.has(p));
}

export function uncoveredPaths(result: ApprovalResult, paths: readonly string[]): string[] {
  return result.coversAll ? [] : paths.filter((p) => !result.covered.has(p));
}

/** No approvals: the input for runs that did not need to look (LOW risk, no hold to clear). */
export const NO_APPROVALS: ApprovalResult = {
  required: 1,
  approvers: [],
  valid: [],
  ignored: [],
  coversAll: false,
  covered: new Set(),
};
