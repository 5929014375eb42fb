// The one Octokit factory. Retries and rate limits are handled by a request hook of our own
// rather than plugin-retry/plugin-throttling, because the governor must know exactly which
// requests may be repeated: a GET can be retried after a 502, a workflow dispatch can not (the
// 502 may have come after GitHub created the run). Callers mark those with `idempotent: false`.
import { getOctokit } from '@actions/github';

export type Octokit = ReturnType<typeof getOctokit>;

export interface ClientOptions {
  token: string;
  baseUrl: string;
  /** Longest wait for a rate limit before failing closed, in ms. */
  rateLimitPatienceMs?: number;
  /** Base of the exponential backoff between retries of a failed idempotent request, in ms. */
  retryBaseMs?: number;
  retries?: number;
  userAgent?: string;
  sleep?: (ms: number) => Promise<void>;
}

export class RateLimitError extends Error {
  constructor(
    message: string,
    readonly resetAt: Date | null,
  ) {
    super(message);
    this.name = 'RateLimitError';
  }
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

interface HookOptions {
  method?: string;
  url?: string;
  request?: { idempotent?: boolean };
  query?: string;
  [k: string]: unknown;
}

interface ErrorLike {
  status?: number;
  response?: { headers?: Record<string, string | undefined> };
  code?: string;
  message?: string;
}

function isIdempotent(options: HookOptions): boolean {
  if (options.request?.idempotent !== undefined) return options.request.idempotent;
  const method = (options.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD') return true;
  // A GraphQL query reads; a mutation writes.
  if (method === 'POST' && options.url === '/graphql')
    return typeof options.query === 'string' && !/^\s*mutation\b/.test(options.query);
  return false;
}

function rateLimitWait(
  err: ErrorLike,
  now: number,
): { waitMs: number; resetAt: Date | null; kind: 'secondary' | 'primary' } | null {
  if (err.status !== 403 && err.status !== 429) return null;
  const h = err.response?.headers ?? {};
  const retryAfter = h['retry-after'];
  if (retryAfter !== undefined) {
    const s = Number(retryAfter);
    return {
      waitMs: (Number.isFinite(s) ? s : 60) * 1000,
      resetAt: new Date(now + (Number.isFinite(s) ? s : 60) * 1000),
      kind: 'secondary',
    };
  }
  if (h['x-ratelimit-remaining'] === '0') {
    const reset = Number(h['x-ratelimit-reset']) * 1000;
    return {
      waitMs: Math.max(0, reset - now) + 1000,
      resetAt: Number.isFinite(reset) ? new Date(reset) : null,
      kind: 'primary',
    };
  }
  if (/secondary rate limit/i.test(err.message ?? ''))
    return { waitMs: 60_000, resetAt: new Date(now + 60_000), kind: 'secondary' };
  return null;
}

export function createOctokit(opts: ClientOptions): Octokit {
  const octokit = getOctokit(opts.token, {
    baseUrl: opts.baseUrl,
    userAgent: opts.userAgent ?? 'release-governor',
  });
  const patience = opts.rateLimitPatienceMs ?? 60_000;
  const retries = opts.retries ?? 3;
  const base = opts.retryBaseMs ?? 500;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  octokit.hook.wrap('request', async (request, options) => {
    const o = options as unknown as HookOptions;
    const idempotent = isIdempotent(o);
    let rateLimitRetries = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options);
      } catch (e) {
        const err = e as ErrorLike;
        const limit = rateLimitWait(err, Date.now());
        if (limit) {
          // A rate-limited request was refused, not applied: safe to repeat whatever it was.
          if (limit.waitMs <= patience && rateLimitRetries < 2) {
            rateLimitRetries++;
            await sleep(limit.waitMs);
            continue;
          }
          const until = limit.resetAt ? ` until ${limit.resetAt.toISOString()}` : '';
          throw new RateLimitError(
            `GitHub's ${limit.kind} rate limit is exhausted${until}, longer than the governor waits (${Math.round(patience / 1000)} s). Nothing was deployed; re-run the job after that time.`,
            limit.resetAt,
          );
        }
        const transient =
          err.status === undefined
            ? ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET'].includes(
                err.code ?? '',
              ) || /fetch failed|socket/i.test(err.message ?? '')
            : RETRYABLE_STATUS.has(err.status);
        if (transient && idempotent && attempt < retries) {
          await sleep(base * 2 ** attempt * (0.5 + Math.random()));
          continue;
        }
        throw e;
      }
    }
  });
  return octokit;
}
