// The event payload at the boundary: only the fields the governor uses, validated with a
// schema, so a malformed payload is an error naming the field rather than undefined later.
import { z } from 'zod';
import { isFullSha } from './types.js';

const sha = z.string().refine(isFullSha, 'must be a full 40-character lowercase hex SHA');

const workflowRunSchema = z.object({
  workflow_run: z.object({
    id: z.number().int(),
    name: z.string().nullable().optional(),
    path: z.string().optional(),
    head_sha: sha,
    head_branch: z.string().nullable(),
    event: z.string(),
    status: z.string().nullable().optional(),
    conclusion: z.string().nullable(),
    display_title: z.string().optional(),
    run_attempt: z.number().int().optional(),
    html_url: z.string().optional(),
    updated_at: z.string().optional(),
    workflow_id: z.number().int(),
    head_repository: z.object({ id: z.number().int() }).nullable(),
    repository: z.object({ id: z.number().int() }),
  }),
  workflow: z
    .object({ name: z.string().optional(), path: z.string().optional() })
    .nullable()
    .optional(),
  repository: z.object({ id: z.number().int(), default_branch: z.string().optional() }),
});

const dispatchSchema = z.object({
  inputs: z.record(z.string(), z.unknown()).nullable().optional(),
  sender: z.object({ login: z.string() }).nullable().optional(),
  repository: z.object({ id: z.number().int(), default_branch: z.string().optional() }),
});

const repository = z.object({ id: z.number().int(), default_branch: z.string().optional() });
const user = z.object({ login: z.string() }).nullable().optional();

// An approval may have landed: a label on a pull request, a comment on one, a commit comment.
const labeledSchema = z.object({
  action: z.string(),
  label: z.object({ name: z.string() }).nullable().optional(),
  pull_request: z.object({
    number: z.number().int(),
    merged: z.boolean().nullable().optional(),
    merge_commit_sha: z.string().nullable().optional(),
  }),
  sender: user,
  repository,
});
const issueCommentSchema = z.object({
  action: z.string(),
  issue: z.object({
    number: z.number().int(),
    pull_request: z.object({ merged_at: z.string().nullable().optional() }).nullable().optional(),
  }),
  comment: z.object({ body: z.string().nullable(), user }),
  repository,
});
const commitCommentSchema = z.object({
  action: z.string(),
  comment: z.object({ commit_id: sha, body: z.string().nullable(), user }),
  repository,
});

// A schedule payload has only `schedule` (the cron) and the repository.
const scheduleSchema = z.object({
  repository: z.object({ default_branch: z.string().optional() }).optional(),
});

export interface WorkflowRunFacts {
  runId: number;
  /** 1 for the first attempt; a re-run keeps the run id and raises it. */
  runAttempt: number;
  workflowName: string;
  workflowPath: string;
  workflowId: number;
  headSha: string;
  headBranch: string | null;
  event: string;
  conclusion: string | null;
  displayTitle: string;
  htmlUrl: string | null;
  /** When the run last changed: its completion time once `status` is completed (§22). */
  updatedAt: string | null;
  /** Whether the run's code came from this repository (false: a fork). */
  sameRepository: boolean;
  repositoryId: number;
  defaultBranch: string | null;
}

/** An event that may carry an approval (SPEC §7): it only says "look again". */
export interface ApprovalEvent {
  kind: 'approval';
  source: 'label' | 'comment' | 'commit_comment';
  /** The pull request labelled or commented on; null for a commit comment. */
  pull: number | null;
  /** Merged, as the payload says (null: the payload does not say; the API is asked). */
  merged: boolean | null;
  /** The commit commented on (commit_comment). */
  commit: string | null;
  /** The label added, or the comment's first line. */
  text: string;
  actor: string | null;
  defaultBranch: string | null;
}

export type GovernorEvent =
  | ApprovalEvent
  | { kind: 'workflow_run'; run: WorkflowRunFacts }
  | {
      kind: 'manual';
      sha: string;
      repositoryId: number;
      defaultBranch: string | null;
      /** Who dispatched (the payload's sender; the runner's GITHUB_TRIGGERING_ACTOR wins). */
      sender: string | null;
    }
  /** schedule, or workflow_dispatch without a sha: settle lost outcomes, decide what is ready. */
  | {
      kind: 'reconcile';
      trigger: 'schedule' | 'workflow_dispatch';
      defaultBranch: string | null;
      sender: string | null;
    };

export class EventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventError';
  }
}

function describeIssues(error: z.ZodError, root: string): string {
  return error.issues
    .map((i) => `${[root, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
}

/**
 * Reads the event the governor was started for. `workflow_run.head_sha` is the only SHA a
 * workflow_run decision uses; GITHUB_SHA is never consulted.
 */
export function parseEvent(eventName: string, payload: unknown, inputSha: string): GovernorEvent {
  if (eventName === 'workflow_run') {
    const r = workflowRunSchema.safeParse(payload);
    if (!r.success)
      throw new EventError(
        `The workflow_run event payload is invalid: ${describeIssues(r.error, 'payload')}`,
      );
    const w = r.data.workflow_run;
    return {
      kind: 'workflow_run',
      run: {
        runId: w.id,
        runAttempt: w.run_attempt ?? 1,
        workflowName: w.name ?? r.data.workflow?.name ?? '',
        workflowPath: w.path ?? r.data.workflow?.path ?? '',
        workflowId: w.workflow_id,
        headSha: w.head_sha,
        headBranch: w.head_branch,
        event: w.event,
        conclusion: w.conclusion,
        displayTitle: w.display_title ?? '',
        htmlUrl: w.html_url ?? null,
        updatedAt: w.updated_at ?? null,
        sameRepository:
          w.head_repository !== null &&
          w.head_repository.id === r.data.repository.id &&
          w.repository.id === r.data.repository.id,
        repositoryId: r.data.repository.id,
        defaultBranch: r.data.repository.default_branch ?? null,
      },
    };
  }
  if (eventName === 'workflow_dispatch') {
    const r = dispatchSchema.safeParse(payload);
    if (!r.success)
      throw new EventError(
        `The workflow_dispatch event payload is invalid: ${describeIssues(r.error, 'payload')}`,
      );
    const fromPayload = r.data.inputs?.sha;
    const raw = (inputSha || (typeof fromPayload === 'string' ? fromPayload : '')).trim();
    // Without a SHA, a dispatch asks for what the schedule does: reconcile.
    const sender = r.data.sender?.login ?? null;
    if (raw === '')
      return {
        kind: 'reconcile',
        trigger: 'workflow_dispatch',
        defaultBranch: r.data.repository.default_branch ?? null,
        sender,
      };
    if (!isFullSha(raw)) {
      throw new EventError(
        `The sha input ${JSON.stringify(raw.slice(0, 80))} is not a full 40-character lowercase hex SHA; short SHAs and branch names are refused.`,
      );
    }
    return {
      kind: 'manual',
      sha: raw,
      repositoryId: r.data.repository.id,
      defaultBranch: r.data.repository.default_branch ?? null,
      sender,
    };
  }
  if (eventName === 'pull_request_target' || eventName === 'pull_request') {
    const r = labeledSchema.safeParse(payload);
    if (!r.success)
      throw new EventError(
        `The ${eventName} event payload is invalid: ${describeIssues(r.error, 'payload')}`,
      );
    return {
      kind: 'approval',
      source: 'label',
      pull: r.data.pull_request.number,
      merged: r.data.pull_request.merged ?? null,
      commit: null,
      text: r.data.action === 'labeled' ? (r.data.label?.name ?? '') : '',
      actor: r.data.sender?.login ?? null,
      defaultBranch: r.data.repository.default_branch ?? null,
    };
  }
  if (eventName === 'issue_comment') {
    const r = issueCommentSchema.safeParse(payload);
    if (!r.success)
      throw new EventError(
        `The issue_comment event payload is invalid: ${describeIssues(r.error, 'payload')}`,
      );
    const pr = r.data.issue.pull_request;
    return {
      kind: 'approval',
      source: 'comment',
      // A comment on an issue that is not a pull request can approve nothing.
      pull: pr ? r.data.issue.number : null,
      merged: pr ? (pr.merged_at === undefined ? null : pr.merged_at !== null) : false,
      commit: null,
      text: r.data.action === 'created' ? firstLine(r.data.comment.body ?? '') : '',
      actor: r.data.comment.user?.login ?? null,
      defaultBranch: r.data.repository.default_branch ?? null,
    };
  }
  if (eventName === 'commit_comment') {
    const r = commitCommentSchema.safeParse(payload);
    if (!r.success)
      throw new EventError(
        `The commit_comment event payload is invalid: ${describeIssues(r.error, 'payload')}`,
      );
    return {
      kind: 'approval',
      source: 'commit_comment',
      pull: null,
      merged: null,
      commit: r.data.comment.commit_id,
      text: r.data.action === 'created' ? firstLine(r.data.comment.body ?? '') : '',
      actor: r.data.comment.user?.login ?? null,
      defaultBranch: r.data.repository.default_branch ?? null,
    };
  }
  if (eventName === 'schedule') {
    const r = scheduleSchema.safeParse(payload);
    if (!r.success)
      throw new EventError(
        `The schedule event payload is invalid: ${describeIssues(r.error, 'payload')}`,
      );
    return {
      kind: 'reconcile',
      trigger: 'schedule',
      defaultBranch: r.data.repository?.default_branch ?? null,
      sender: null,
    };
  }
  throw new EventError(
    `Unsupported event "${eventName}". The governor runs on workflow_run (completed) of the verification and deploy workflows, on workflow_dispatch (with a sha input to decide that commit, without one to reconcile), on schedule (reconcile), and on pull_request_target (labeled), issue_comment (created) and commit_comment (an approval may have landed).`,
  );
}

function firstLine(body: string): string {
  return (body.split(/\r?\n/, 1)[0] ?? '').trim();
}

/**
 * Runs that can never be a release candidate nor a deploy the governor must record, whatever
 * the configuration: code from a fork, or a pull request's run. Decided before any API call.
 */
export function neverACandidate(run: WorkflowRunFacts): string | null {
  if (!run.sameRepository) return 'the run is for code from another repository (a fork)';
  if (run.event === 'pull_request' || run.event === 'pull_request_target')
    return `the run was triggered by ${run.event}, not by a push to the release branch`;
  return null;
}
