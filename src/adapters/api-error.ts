// How a failed call to GitHub is told: ApiError with what was being done, what GitHub said and
// advice a person can act on, and one question every caller asks of it — was the request
// refused (nothing happened), or is its outcome unknown (it may have been applied)?
import { RateLimitError } from './octokit.js';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly advice: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
  }

  /**
   * `refused`: GitHub answered no (a status below 500), so nothing happened. `unknown`: no
   * answer, or a 5xx, which GitHub may send after applying the request.
   */
  get kind(): 'refused' | 'unknown' {
    return outcomeUnknown(this.status) ? 'unknown' : 'refused';
  }
}

/** GitHub refused the call: it was not applied. */
export function isRefused(e: unknown): e is ApiError {
  return e instanceof ApiError && e.kind === 'refused';
}

/** A GitHub call whose effect is unknown (5xx, broken connection); any other error is not. */
export function isUnanswered(e: unknown): e is ApiError {
  return e instanceof ApiError && e.kind === 'unknown';
}

/** No HTTP answer at all: the API could not be reached (the outcome of a write is unknown). */
export class UnreachableError extends ApiError {
  constructor(message: string, advice: string, options?: { cause?: unknown }) {
    super(message, null, advice, options);
    this.name = 'UnreachableError';
  }
}

interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { data?: { message?: string; errors?: unknown } };
  request?: { url?: string };
  errors?: unknown;
}

/**
 * Octokit reports a request that never got an HTTP answer (refused, reset, DNS) as status 500
 * with no response: say that, and which host, rather than "HTTP 500".
 */
function unreachable(err: RequestErrorLike): string | null {
  if (err.status !== 500 || err.response !== undefined || err.errors !== undefined) return null;
  let host = 'the GitHub API';
  try {
    if (err.request?.url) host = `the GitHub API at ${new URL(err.request.url).host}`;
  } catch {
    // An unparsable URL leaves the generic name.
  }
  return `could not reach ${host} (${err.message ?? 'no answer'})`;
}

/**
 * Whether a request's outcome is unknown: no HTTP answer at all, or a 5xx (which GitHub may
 * send after applying the request). Anything below 500 is an answer: applied or refused.
 */
export function outcomeUnknown(status: number | null | undefined): boolean {
  return status === null || status === undefined || status >= 500;
}

/** Wraps a failed call: what was being done, what GitHub said, and what to do about it. */
export function apiError(
  what: string,
  e: unknown,
  advice?: Partial<Record<number, string>>,
): ApiError {
  if (e instanceof ApiError) return e;
  // Refused for the rate limit, not applied: a status below 500 so that nothing treats the
  // outcome as unknown, and no permission advice (it is not about permissions).
  if (e instanceof RateLimitError)
    return new ApiError(
      `${what} was refused: ${e.message}`,
      429,
      'Nothing was deployed by this attempt.',
      { cause: e },
    );
  const err = e as RequestErrorLike;
  const noAnswer = unreachable(err);
  if (noAnswer)
    return new UnreachableError(
      `${what} failed: ${noAnswer}.`,
      'Check the network and GITHUB_API_URL (on GitHub Enterprise Server, the runner sets it). Nothing that needed GitHub to answer was done; re-run when it is reachable.',
      { cause: e },
    );
  const status = typeof err.status === 'number' ? err.status : null;
  const server = err.response?.data?.message ?? err.message ?? String(e);
  const defaults: Record<number, string> = {
    401: 'The token was refused: check the github-token input.',
    403: 'The token lacks a permission: the governor workflow needs contents: write, actions: write, statuses: write, issues: write and pull-requests: read.',
    404: 'Not found, or the token cannot see it.',
  };
  const unanswered = outcomeUnknown(status)
    ? `GitHub did not answer${status ? ` (HTTP ${status})` : ''}, also after retries where a retry is safe. Re-run the job: every state write is one atomic commit, so a re-run continues from a consistent state and dispatches at most once.`
    : null;
  const hint = (status !== null ? (advice?.[status] ?? defaults[status]) : undefined) ?? unanswered;
  return new ApiError(
    `${what} failed${status ? ` (HTTP ${status})` : ''}: ${server}`,
    status,
    hint,
    { cause: e },
  );
}

export function messageOf(e: unknown): string {
  const err = e as RequestErrorLike;
  return err.response?.data?.message ?? err.message ?? '';
}

export function statusOf(e: unknown): number | null {
  const s = (e as RequestErrorLike).status;
  return typeof s === 'number' ? s : null;
}
