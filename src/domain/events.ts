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
  /** Whether the run's code came from this repository (false: a fork). */
  sameRepository: boolean;
  repositoryId: number;
  defaultBranch: string | null;
}

export type GovernorEvent =
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
    `Unsupported event "${eventName}". The governor runs on workflow_run (completed) of the verification and deploy workflows, on workflow_dispatch (with a sha input to decide that commit, without one to reconcile), and on schedule (reconcile).`,
  );
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
