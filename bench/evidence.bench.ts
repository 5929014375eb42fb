// Evidence (SPEC §17, §19, §24): what the artifact upload adds to a run's wall time, and how
// long `audit` and `metrics` take on a chain of 10,000 records (one GraphQL request on GitHub,
// one git process locally). Requests per decision are in requests.bench.ts (evidence adds none).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { sealEvidence, evidencePath, type EvidenceRecord } from '../src/domain/evidence.js';
import { runAction } from '../__tests__/support/action-runner.js';
import { runCli } from '../__tests__/support/cli-runner.js';
import {
  inProduction,
  productionRelease,
  setupRepo,
  verified,
} from '../__tests__/support/scenario.js';
import { startSimulator } from '../__tests__/support/sim.js';
import { QUICK, stats, writeResult } from './support.js';

it('evidence: artifact upload time, audit of 10,000 records', async () => {
  const rounds = QUICK ? 3 : 7;
  const wall: Record<'without' | 'with', number[]> = { without: [], with: [] };
  let bytes = 0;
  for (let i = 0; i < rounds; i++) {
    for (const kind of ['without', 'with'] as const) {
      const sim = await startSimulator();
      try {
        const s = setupRepo(sim);
        inProduction(sim, s.base);
        const sha = sim.commit({ files: { 'src/app.ts': `v${i}` } });
        const r = await runAction({
          sim,
          eventName: 'workflow_run',
          event: verified(sim, s, sha),
          artifacts: kind === 'with',
        });
        if (r.exitCode !== 0 || r.outputs.decision !== 'ALLOW') throw new Error(r.stdout);
        wall[kind].push(r.endedAt - r.startedAt);
        if (kind === 'with') bytes = sim.artifactService.uploaded[0]?.size ?? 0;
      } finally {
        await sim.stop();
      }
    }
  }

  // A chain of 10,000 records on the state branch.
  const n = 10_000;
  const sim = await startSimulator();
  const clone = mkdtempSync(join(tmpdir(), 'rg-bench-audit-'));
  try {
    const s = setupRepo(sim);
    const files: Record<string, string> = {};
    let head: EvidenceRecord | null = null;
    // Every fourth record a release: an ALLOW with its range, then its deploy's outcome (so
    // `metrics` has deploys to count); the rest holds.
    const until = Date.now();
    const start = until - n * 60_000;
    for (let seq = 1; seq <= n; seq++) {
      const time = new Date(start + seq * 60_000).toISOString();
      const sha = (seq >> 1).toString(16).padStart(40, '0');
      const base = {
        time,
        stage: 'production',
        run: { id: seq, attempt: 1, url: null, actor: 'bench', event: 'workflow_run' },
      };
      const body =
        seq % 4 === 1
          ? {
              ...base,
              kind: 'decision' as const,
              sha,
              outcome: 'ALLOW',
              reason: 'allow_low',
              range: { commits: [{ sha, time: new Date(start).toISOString() }], total: 1 },
            }
          : seq % 4 === 2
            ? {
                ...base,
                kind: 'deploy' as const,
                sha: ((seq - 1) >> 1).toString(16).padStart(40, '0'),
                deploy_run: {
                  id: seq,
                  conclusion: seq % 40 === 2 ? 'failure' : 'success',
                  observed_at: time,
                },
              }
            : {
                ...base,
                kind: 'decision' as const,
                sha: s.base,
                outcome: 'HOLD',
                reason: 'high_risk_no_approval',
              };
      head = sealEvidence(body, head ? { seq: head.seq, hash: head.hash } : null);
      files[evidencePath(seq)] = `${JSON.stringify(head, null, 2)}\n`;
    }
    const release = productionRelease(s.base, {
      evidence_head: { seq: head!.seq, hash: head!.hash },
    });
    sim.commit({
      branch: 'booty-state',
      parents: [],
      message: 'seed 10,000 records',
      files: { ...files, 'release.json': `${JSON.stringify(release, null, 2)}\n` },
    });
    const env = { GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl };
    const github: number[] = [];
    let requests = 0;
    for (let i = 0; i < (QUICK ? 2 : 3); i++) {
      const before = sim.log.length;
      const t0 = performance.now();
      const r = await runCli(['audit', '--repo', sim.fullName, '--json'], { env });
      github.push(performance.now() - t0);
      requests = sim.log.length - before;
      if (r.code !== 0) throw new Error(r.stdout + r.stderr);
    }
    /** A CLI command over the chain, a few times: its wall and own time, its requests. */
    const timed = async (args: string[]) => {
      const wallMs: number[] = [];
      const ownMs: number[] = [];
      let asked: typeof sim.log = [];
      let stdout = '';
      for (let i = 0; i < (QUICK ? 2 : 3); i++) {
        const before = sim.log.length;
        const t0 = performance.now();
        const r = await runCli(args, { env });
        const ms = performance.now() - t0;
        if (r.code !== 0) throw new Error(r.stdout + r.stderr);
        asked = sim.log.slice(before);
        wallMs.push(ms);
        ownMs.push(ms - asked.reduce((t, e) => t + (e.endedAt - e.startedAt), 0));
        stdout = r.stdout;
      }
      return { wall: stats(wallMs), own: stats(ownMs), requests: asked.length, stdout };
    };
    // `metrics` over the same chain (SPEC §24: one request, under 2 s of the CLI's own time).
    const metrics = await timed(['metrics', '--repo', sim.fullName, '--since', '30d', '--json']);
    const deploys = (JSON.parse(metrics.stdout) as { change_failure_rate: { deploys: number } })
      .change_failure_rate.deploys;
    // `report` over the same chain (SPEC §24: one request, under 2 s of the CLI's own time, the
    // page under 1 MB): the charts rendered by vega in the CLI's lazy chunk included.
    const out = join(clone, '..', `report-${process.pid}`);
    const report = await timed(['report', '--repo', sim.fullName, '--out', out]);
    const pageBytes = statSync(join(out, 'index.html')).size;
    rmSync(out, { recursive: true, force: true });
    execFileSync('git', ['clone', '-q', sim.git.dir, clone]);
    const local: number[] = [];
    for (let i = 0; i < (QUICK ? 2 : 3); i++) {
      const t0 = performance.now();
      const r = await runCli(['audit', '--local', clone, '--json']);
      local.push(performance.now() - t0);
      if (r.code !== 0) throw new Error(r.stdout + r.stderr);
    }
    writeResult('evidence', {
      decision: { without: stats(wall.without), with: stats(wall.with), artifactBytes: bytes },
      audit: { records: n, github: stats(github), requests, local: stats(local) },
      metrics: {
        records: n,
        deploys,
        requests: metrics.requests,
        wall: metrics.wall,
        own: metrics.own,
      },
      report: {
        records: n,
        requests: report.requests,
        wall: report.wall,
        own: report.own,
        pageBytes,
      },
    });
  } finally {
    rmSync(clone, { recursive: true, force: true });
    await sim.stop();
  }
});
