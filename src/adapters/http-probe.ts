// Probes a health URL with Node's own fetch (undici): every interval for the duration, each
// probe with its timeout, never following a redirect, never sending a token or a cookie.
// Progress goes to the log so a person watching the job sees it working.
import {
  percentile,
  statusAccepted,
  type HealthCheck,
  type ProbeSample,
} from '../domain/health.js';

async function probeOnce(url: string, check: HealthCheck): Promise<ProbeSample> {
  const at = new Date().toISOString();
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: 'GET',
      // A redirect is judged by expect_status, never followed: not to another host, not at all.
      redirect: 'manual',
      credentials: 'omit',
      headers: { 'user-agent': 'release-governor-health-check', accept: '*/*' },
      signal: AbortSignal.timeout(check.timeout_ms),
    });
    const ms = performance.now() - started;
    // The body is not needed: release the connection.
    await res.body?.cancel().catch(() => undefined);
    const ok = statusAccepted(res.status, check.expect_status);
    const where = res.headers.get('location');
    return {
      at,
      ms,
      status: res.status,
      error: ok
        ? null
        : `HTTP ${res.status}${where ? ` (redirect to ${where.slice(0, 200)}, not followed)` : ''}, outside ${check.expect_status}`,
    };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
    return {
      at,
      // A timeout counts its full timeout: that is how long a user would have waited.
      ms: timedOut ? check.timeout_ms : performance.now() - started,
      status: null,
      error: timedOut
        ? `timed out after ${check.timeout_ms} ms`
        : `${err.cause?.code ?? err.name}: ${(err.cause?.message ?? err.message).slice(0, 200)}`,
    };
  }
}

/**
 * Probes at 0, interval, 2 × interval… while within the duration (at least once). A probe
 * starts only before the duration ends, so the whole check ends within D + one timeout; a slow
 * endpoint gets fewer probes, never a longer check.
 */
export async function probeUrl(
  check: HealthCheck,
  log: (message: string) => void,
): Promise<ProbeSample[]> {
  const url = check.url!;
  const samples: ProbeSample[] = [];
  const start = performance.now();
  const end = start + check.duration_seconds * 1000;
  const planned = Math.max(
    1,
    Math.ceil((check.duration_seconds * 1000) / (check.interval_seconds * 1000)),
  );
  for (let i = 0; ; i++) {
    const sample = await probeOnce(url, check);
    samples.push(sample);
    const errors = samples.filter((s) => s.error !== null).length;
    const p95 = percentile(
      samples.map((s) => s.ms),
      95,
    );
    log(
      `Health check ${new URL(url).host}: probe ${samples.length}/${planned}, ${errors} error(s) so far, p95 ${Math.round(p95 ?? 0)} ms${sample.error ? ` — ${sample.error}` : ''}`,
    );
    const next = start + (i + 1) * check.interval_seconds * 1000;
    if (next >= end || performance.now() >= end) break;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return samples;
}
