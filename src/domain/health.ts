// Post-deploy verification (SPEC §15): the health_check key, and the verdict of a series of
// probes against the thresholds. Pure: the probing itself is an adapter (adapters/http-probe.ts).
import { z } from 'zod';

/** "200-299", "200", "200,204", "200-299,304": ranges of acceptable statuses. */
export function parseStatusRanges(text: string): [number, number][] | null {
  const ranges: [number, number][] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part);
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = Number(m[2] ?? m[1]);
    if (lo < 100 || hi > 599 || lo > hi) return null;
    ranges.push([lo, hi]);
  }
  return ranges.length > 0 ? ranges : null;
}

/** Why a URL cannot be probed as written, or null. Probes never send credentials. */
function probeUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username !== '' || url.password !== '')
    return 'must not carry credentials (user:password@): probes never send them, so the check would fail or leak them into logs; probe an endpoint that needs none';
  return null;
}

export const healthCheckSchema = z
  .strictObject({
    url: z
      .string()
      .superRefine((u, ctx) => {
        const problem = probeUrlProblem(u);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .describe('URL probed from the governor job after a deploy succeeds.'),
    workflow: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Or a workflow file (smoke tests) dispatched with inputs { sha, environment }; its conclusion is the verdict.',
      ),
    duration_seconds: z
      .number()
      .min(0)
      .max(3600)
      .default(300)
      .describe('How long to probe (fractions allowed).'),
    interval_seconds: z
      .number()
      .positive()
      .max(600)
      .default(10)
      .describe('Between probes (fractions allowed).'),
    timeout_ms: z
      .number()
      .int()
      .min(1)
      .max(60_000)
      .default(2000)
      .describe('One probe; a timeout is an error.'),
    expect_status: z
      .union([z.number().int(), z.string()])
      .transform((v) => String(v))
      .refine((v) => parseStatusRanges(v) !== null, 'must be a status or ranges like 200-299,304')
      .default('200-299')
      .describe('Statuses that count as healthy; redirects are never followed.'),
    max_error_rate: z
      .number()
      .min(0)
      .max(1)
      .default(0.01)
      .describe('Fail when the share of failed probes exceeds it.'),
    max_latency_ms: z
      .number()
      .positive()
      .default(500)
      .describe('Fail when the 95th percentile latency exceeds it.'),
    rollback: z.boolean().default(true).describe('Whether a failure rolls the stage back.'),
  })
  .superRefine((h, ctx) => {
    if ((h.url === undefined) === (h.workflow === undefined))
      ctx.addIssue({
        code: 'custom',
        message: 'needs exactly one of url (probe it) or workflow (dispatch smoke tests)',
      });
  })
  .describe('Post-deploy verification of a stage (SPEC §15).');
export type HealthCheck = z.output<typeof healthCheckSchema>;

export interface ProbeSample {
  /** ISO time the probe started. */
  at: string;
  /** Time to the response headers, or to the error (a timeout counts its full timeout). */
  ms: number;
  status: number | null;
  /** Why the probe failed: a status outside expect_status, a timeout, a connection error. */
  error: string | null;
}

/** What `last_health_check` records, the summary shows, and the evidence keeps. */
export interface HealthResult {
  sha: string;
  mode: 'url' | 'workflow';
  verdict: 'pass' | 'fail' | 'pending';
  started_at: string;
  finished_at: string | null;
  /** Who runs it (`action:<run>/<attempt>`): a pending check belongs to that run. */
  by: string;
  probes: number;
  errors: number;
  error_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  thresholds: {
    max_error_rate: number;
    max_latency_ms: number;
    expect_status: string;
    duration_seconds: number;
    interval_seconds: number;
    timeout_ms: number;
  };
  /** The first failed probes (at most 5). */
  first_failures: ProbeSample[];
  /** Why it failed, in words ("error rate 2.0 % > 1.0 %"). */
  reasons: string[];
  /** workflow mode: the smoke-test run. */
  run_id: number | null;
  run_url: string | null;
  conclusion: string | null;
}

export function statusAccepted(status: number, expect: string): boolean {
  return (parseStatusRanges(expect) ?? []).some(([lo, hi]) => status >= lo && status <= hi);
}

/** The nearest-rank percentile of the values (p in 0–100). */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function thresholdsOf(check: HealthCheck): HealthResult['thresholds'] {
  return {
    max_error_rate: check.max_error_rate,
    max_latency_ms: check.max_latency_ms,
    expect_status: check.expect_status,
    duration_seconds: check.duration_seconds,
    interval_seconds: check.interval_seconds,
    timeout_ms: check.timeout_ms,
  };
}

export function pendingCheck(
  sha: string,
  check: HealthCheck,
  startedAt: Date,
  by: string,
): HealthResult {
  return {
    sha,
    mode: check.url !== undefined ? 'url' : 'workflow',
    verdict: 'pending',
    started_at: startedAt.toISOString(),
    finished_at: null,
    by,
    probes: 0,
    errors: 0,
    error_rate: null,
    p50_ms: null,
    p95_ms: null,
    thresholds: thresholdsOf(check),
    first_failures: [],
    reasons: [],
    run_id: null,
    run_url: null,
    conclusion: null,
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** The verdict of a series of probes against the thresholds. */
export function judgeProbes(
  pending: HealthResult,
  samples: ProbeSample[],
  finishedAt: Date,
): HealthResult {
  const t = pending.thresholds;
  const errors = samples.filter((s) => s.error !== null);
  const latencies = samples.map((s) => s.ms);
  const errorRate = samples.length > 0 ? errors.length / samples.length : null;
  const p95 = percentile(latencies, 95);
  const reasons: string[] = [];
  if (samples.length === 0) reasons.push('no probe completed');
  if (errorRate !== null && errorRate > t.max_error_rate)
    reasons.push(
      `error rate ${pct(errorRate)} (${errors.length} of ${samples.length}) > max_error_rate ${pct(t.max_error_rate)}`,
    );
  if (p95 !== null && p95 > t.max_latency_ms)
    reasons.push(`p95 latency ${Math.round(p95)} ms > max_latency_ms ${t.max_latency_ms} ms`);
  return {
    ...pending,
    verdict: reasons.length === 0 ? 'pass' : 'fail',
    finished_at: finishedAt.toISOString(),
    probes: samples.length,
    errors: errors.length,
    error_rate: errorRate,
    p50_ms: percentile(latencies, 50),
    p95_ms: p95,
    first_failures: errors.slice(0, 5),
    reasons,
  };
}

/** The verdict of a smoke-test workflow run: its conclusion. */
export function judgeRun(
  pending: HealthResult,
  run: { conclusion: string | null; id: number; url: string },
  finishedAt: Date,
): HealthResult {
  const pass = run.conclusion === 'success';
  return {
    ...pending,
    verdict: pass ? 'pass' : 'fail',
    finished_at: finishedAt.toISOString(),
    run_id: run.id,
    run_url: run.url,
    conclusion: run.conclusion,
    reasons: pass
      ? []
      : [`the smoke-test run concluded ${run.conclusion ?? 'without a conclusion'}`],
  };
}

/** One line for logs, the summary and the issue: the figures against the thresholds. */
export function describeResult(r: HealthResult): string {
  if (r.mode === 'workflow')
    return `smoke-test run ${r.run_url ?? r.run_id ?? '(not started)'}: ${r.conclusion ?? r.verdict}`;
  const t = r.thresholds;
  return `${r.probes} probes over ${t.duration_seconds} s, ${r.errors} errors (${r.error_rate === null ? '—' : pct(r.error_rate)}; max ${pct(t.max_error_rate)}), p50 ${r.p50_ms === null ? '—' : `${Math.round(r.p50_ms)} ms`}, p95 ${r.p95_ms === null ? '—' : `${Math.round(r.p95_ms)} ms`} (max ${t.max_latency_ms} ms)`;
}

/** Parse `last_health_check` as stored (unknown JSON) back into a result, or null. */
export function asHealthResult(value: unknown): HealthResult | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<HealthResult>;
  if (
    typeof v.sha !== 'string' ||
    (v.verdict !== 'pass' && v.verdict !== 'fail' && v.verdict !== 'pending')
  )
    return null;
  return v as HealthResult;
}
