// The post-deploy health check (SPEC §15, §19): a check of D seconds ends within D + 2 ×
// timeout_ms, even against an endpoint that stops answering; the probe loop's own CPU time per
// probe; and the requests to GitHub while it probes (goal: none — only the final writes).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { it } from 'vitest';
import { probeUrl } from '../src/adapters/http-probe.js';
import { healthCheckSchema } from '../src/domain/health.js';
import { runAction } from '../__tests__/support/action-runner.js';
import {
  deployEvent,
  deployRuns,
  inProduction,
  setupRepo,
  verified,
} from '../__tests__/support/scenario.js';
import { startSimulator } from '../__tests__/support/sim.js';
import { QUICK, stats, writeResult } from './support.js';

async function serve(
  hangAfter: number | null,
): Promise<{ server: Server; url: string; times: number[] }> {
  const times: number[] = [];
  const server = createServer((_req, res) => {
    times.push(performance.now());
    if (hangAfter !== null && times.length > hangAfter) return;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/healthz`, times };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

it('health check: duration bound, CPU per probe, GitHub requests while probing', async () => {
  const rounds = QUICK ? 2 : 5;
  const duration = 3;
  const timeoutMs = 400;

  // 1. In process: wall time against a healthy endpoint and one that stops answering midway.
  const wall: Record<'healthy' | 'hanging', number[]> = { healthy: [], hanging: [] };
  const cpuPerProbe: number[] = [];
  let probes = 0;
  for (let i = 0; i < rounds; i++) {
    for (const kind of ['healthy', 'hanging'] as const) {
      const { server, url } = await serve(kind === 'hanging' ? 10 : null);
      const check = healthCheckSchema.parse({
        url,
        duration_seconds: duration,
        interval_seconds: 0.1,
        timeout_ms: timeoutMs,
      });
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      const samples = await probeUrl(check, () => undefined);
      wall[kind].push(performance.now() - t0);
      if (kind === 'healthy') {
        const used = process.cpuUsage(cpu);
        // The probe loop's own CPU (this process also runs the server: an upper bound).
        cpuPerProbe.push((used.user + used.system) / 1000 / samples.length);
        probes = samples.length;
      }
      await stop(server);
    }
  }

  // 2. Through dist/index.js: the run that observes a deploy probes for D seconds; count the
  // GitHub requests made between its first and its last probe.
  const sim = await startSimulator();
  const { server, url, times } = await serve(null);
  try {
    const s = setupRepo(sim, {
      config: `release_governor:\n  health_check:\n    url: ${url}\n    duration_seconds: ${duration}\n    interval_seconds: 0.1\n`,
    });
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'src/app.ts': 'v2' } });
    await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, sha) });
    const run = deployRuns(sim, s).at(-1)!;
    sim.completeRun(run.id, 'success');
    const observed = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, run.id, 'success'),
    });
    const first = times[0]!;
    const last = times.at(-1)!;
    const during = observed.requests.filter(
      (q) => q.startedAt > first && q.startedAt < last,
    ).length;
    const total = observed.requests.length;
    const operations = observed.requests.map((q) => q.operationId ?? `${q.method} ${q.path}`);
    writeResult('health', {
      duration_seconds: duration,
      timeout_ms: timeoutMs,
      bound_ms: duration * 1000 + 2 * timeoutMs,
      healthy: stats(wall.healthy),
      hanging: stats(wall.hanging),
      probes,
      cpuPerProbe: stats(cpuPerProbe),
      requestsDuring: during,
      requestsTotal: total,
      operations,
    });
  } finally {
    await stop(server);
    await sim.stop();
  }
});
