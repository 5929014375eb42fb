// What grows and what must not (SPEC §13): a decision with 0 and with 10,000 past decisions on
// the state branch (flat), and a 5,000-file diff against a 5-file one (at most 3 more requests).
import { randomBytes } from 'node:crypto';
import { it } from 'vitest';
import { runAction, type ActionRun } from '../__tests__/support/action-runner.js';
import type { GitHubSimulator } from '../__tests__/support/github-simulator/server.js';
import { productionRelease, setupRepo, verified } from '../__tests__/support/scenario.js';
import { startSimulator } from '../__tests__/support/sim.js';
import { QUICK, stats, writeResult } from './support.js';

const RUNS = QUICK ? 3 : 10;

interface Measured {
  requests: number;
  responseBytes: number;
  wall: ReturnType<typeof stats>;
  inRequests: ReturnType<typeof stats>;
  /** Wall time minus the simulator's time answering: the governor process's own cost. */
  own: ReturnType<typeof stats>;
  operations: string[];
}

/** Runs the same LOW ALLOW `RUNS` times (after one warm-up), resetting the state branch each time. */
async function measure(
  sim: GitHubSimulator,
  seed: string,
  event: unknown,
  expectRisk = 'LOW',
): Promise<Measured> {
  const walls: number[] = [];
  const inRequests: number[] = [];
  const own: number[] = [];
  let last: ActionRun | null = null;
  for (let i = 0; i <= RUNS; i++) {
    sim.git.run(['update-ref', 'refs/heads/booty-state', seed]);
    const r = await runAction({ sim, eventName: 'workflow_run', event, runId: 4000 + i });
    if (r.outputs.decision !== 'ALLOW' || r.outputs.risk !== expectRisk)
      throw new Error(`expected ALLOW ${expectRisk}: ${r.stdout}${r.stderr}`);
    if (i === 0) continue;
    const answering = r.requests.reduce((s, q) => s + (q.endedAt - q.startedAt), 0);
    walls.push(r.endedAt - r.startedAt);
    inRequests.push(answering);
    own.push(r.endedAt - r.startedAt - answering);
    last = r;
  }
  return {
    requests: last!.requests.length,
    responseBytes: last!.requests.reduce((s, q) => s + q.responseBytes, 0),
    wall: stats(walls),
    inRequests: stats(inRequests),
    own: stats(own),
    operations: last!.requests.map((q) => q.operationId ?? q.path),
  };
}

/** A decision record as the governor writes one, about 1.5 KB. */
function pastRecord(sha: string): string {
  return `${JSON.stringify(
    {
      schema_version: 1,
      sha,
      decision: { outcome: 'ALLOW', reason: 'allow_low', risk: 'LOW', kind: null },
      evaluated_at: '2026-10-01T00:00:00.000Z',
      production_sha: sha,
      config_digest: 'sha256:'.padEnd(71, '0'),
      risk: { level: 'LOW', matches: [], file_count: 3, incomplete: null },
      approvals: { valid: [], ignored: [] },
      lifecycle: { state: 'succeeded', run_id: 1, run_url: 'https://example.invalid/run/1' },
      evaluations: [{ at: '2026-10-01T00:00:00.000Z', outcome: 'ALLOW', reason: 'allow_low' }],
      padding: 'x'.repeat(900),
    },
    null,
    2,
  )}\n`;
}

it('decision cost with 0 and with 10,000 past decisions', async () => {
  const sim = await startSimulator();
  try {
    const s = setupRepo(sim);
    const head = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    const event = verified(sim, s, head);
    // Both branches carry the same release.json, its deploy history at its bound (100 entries),
    // so that the only difference is the 10,000 decision records.
    const shas = Array.from({ length: 10_000 }, () => randomBytes(20).toString('hex'));
    const release = productionRelease(s.base);
    const history = (release.deploy_history as Record<string, unknown>[])[0]!;
    release.deploy_history = [
      history,
      ...shas.slice(0, 99).map((sha, i) => ({ ...history, sha, run_id: 100 + i })),
    ];
    const releaseJson = `${JSON.stringify(release, null, 2)}\n`;
    const empty = sim.commit({
      branch: 'booty-state',
      parents: [],
      files: { 'release.json': releaseJson },
    });
    const zero = await measure(sim, empty, event);
    const files: Record<string, string> = { 'release.json': releaseJson };
    for (const sha of shas) files[`decisions/${sha}.json`] = pastRecord(sha);
    const full = sim.commit({ branch: 'booty-state', parents: [], files });
    const tenThousand = await measure(sim, full, event);
    writeResult('history', { zero, tenThousand, records: shas.length });
  } finally {
    await sim.stop();
  }
});

it('a 5-file and a 5,000-file diff', async () => {
  const sim = await startSimulator();
  try {
    const s = setupRepo(sim);
    const seed = sim.commit({
      branch: 'booty-state',
      parents: [],
      files: { 'release.json': `${JSON.stringify(productionRelease(s.base), null, 2)}\n` },
    });
    const changed = (n: number, tag: string) =>
      Object.fromEntries(
        Array.from({ length: n }, (_, i) => [
          `src/gen/${tag}/m${Math.floor(i / 100)}/f${i}.ts`,
          `export const v${i} = '${tag}';\n`,
        ]),
      );
    const small = sim.commit({ branch: 'small', parents: [s.base], files: changed(5, 'small') });
    const big = sim.commit({ branch: 'big', parents: [s.base], files: changed(5_000, 'big') });
    const five = await measure(sim, seed, verified(sim, s, small));
    const fiveThousand = await measure(sim, seed, verified(sim, s, big));
    writeResult('diff', { five, fiveThousand });
  } finally {
    await sim.stop();
  }
});
