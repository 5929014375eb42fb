// Evidence (SPEC §17) through dist/index.js and the CLI bundle: the chain a HOLD, an approval,
// an ALLOW and a deploy outcome leave, checked with an independent canonicalizer; racing
// governors; and `audit` catching each kind of tampering.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalize } from 'json-canonicalize';
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { runCli } from '../support/cli-runner.js';
import { workflowRunEvent } from '../support/events.js';
import { unzip } from '../support/github-simulator/artifacts.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  ago,
  deployEvent,
  deployRuns,
  inProduction,
  setupRepo,
  stateFile,
  verified,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

let nextRunId = 3000;

interface Rec {
  seq: number;
  prev_hash: string | null;
  hash: string;
  kind: string;
  sha: string;
  outcome?: string;
  reason?: string;
  approvals?: { actor: string | null; valid: boolean; role?: string | null }[];
  policy?: { path: string; commit: string; blob_sha: string };
  diff?: { files: number; digest: string };
  deploy_run?: { id: number; conclusion: string };
  verification?: { id: number };
  run: { id: number; attempt: number; event: string };
}

/** Every evidence record at the head of the state branch, by seq. */
function records(): Rec[] {
  const head = sim.git.readRef('refs/heads/booty-state')!;
  return sim.git
    .lsTree(`${head}:evidence`, false)
    .map((e) => JSON.parse(sim.git.readBlob(e.sha)!.toString('utf8')) as Rec)
    .sort((a, b) => a.seq - b.seq);
}

/** The hash as an independent implementation of RFC 8785 computes it. */
const independentHash = (r: Rec) => {
  const { hash: _hash, ...rest } = r;
  return createHash('sha256').update(canonicalize(rest)).digest('hex');
};

const env = () => ({ GITHUB_TOKEN: sim.token, GITHUB_API_URL: sim.apiUrl });

/** Replaces files on the state branch with a new commit, as someone with contents: write could. */
function tamper(files: Record<string, string | null>): void {
  const head = sim.git.readRef('refs/heads/booty-state')!;
  const keep: Record<string, string> = {};
  for (const e of sim.git.lsTree(head, true))
    if (e.type === 'blob') keep[e.path] = sim.git.readBlob(e.sha)!.toString('utf8');
  for (const [path, text] of Object.entries(files)) {
    if (text === null) delete keep[path];
    else keep[path] = text;
  }
  sim.commit({ branch: 'booty-state', parents: [], message: 'rewrite', files: keep });
}

async function chainOfThree() {
  const s = setupRepo(sim);
  inProduction(sim, s.base);
  const pr = sim.mergedPullRequest({
    author: 'dev',
    files: { 'infra/main.tf': 'x' },
    mergedAt: ago(30),
  });
  const event = verified(sim, s, pr.sha);
  const held = await runAction({ sim, eventName: 'workflow_run', event, runId: 3900 });
  expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'high_risk_no_approval' });
  sim.label(pr.number, 'release:approved', 'releng');
  const allowed = await runAction({
    sim,
    eventName: 'workflow_run',
    event,
    runId: 3900,
    runAttempt: 2,
  });
  expect(allowed.outputs).toMatchObject({ decision: 'ALLOW' });
  const run = deployRuns(sim, s)[0]!;
  sim.completeRun(run.id, 'success');
  const deployed = await runAction({
    sim,
    eventName: 'workflow_run',
    event: deployEvent(sim, s, run.id, 'success'),
    runId: nextRunId++,
  });
  return { s, pr, held, allowed, deployed, run };
}

describe('the evidence chain', () => {
  it('a HOLD, an approval and ALLOW, a deploy outcome → three linked records whose hashes an independent canonicalizer confirms; evidence-hash names the last', async () => {
    const { pr, held, allowed, deployed, run } = await chainOfThree();
    const recs = records();
    expect(recs.map((r) => [r.seq, r.kind, r.outcome ?? r.deploy_run?.conclusion])).toEqual([
      [1, 'decision', 'HOLD'],
      [2, 'decision', 'ALLOW'],
      [3, 'deploy', 'success'],
    ]);
    for (const [i, r] of recs.entries()) {
      expect(independentHash(r), `record ${r.seq}`).toBe(r.hash);
      expect(r.prev_hash).toBe(i === 0 ? null : recs[i - 1]!.hash);
    }
    expect(held.outputs['evidence-hash']).toBe(recs[0]!.hash);
    expect(allowed.outputs['evidence-hash']).toBe(recs[1]!.hash);
    expect(deployed.outputs['evidence-hash']).toBe(recs[2]!.hash);
    expect(stateFile(sim, 'release.json')).toMatchObject({
      evidence_head: { seq: 3, hash: recs[2]!.hash },
    });
    // What the ALLOW was judged on: the policy blob, the diff, the approval and who gave it.
    const allow = recs[1]!;
    expect(allow.sha).toBe(pr.sha);
    expect(allow.policy).toMatchObject({
      path: '.booty.yml',
      blob_sha: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(allow.diff).toMatchObject({ files: 1, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(allow.approvals).toContainEqual(
      expect.objectContaining({ actor: 'releng', valid: true, role: 'maintain' }),
    );
    expect(allow.verification).toMatchObject({ id: expect.any(Number) });
    expect(allow.run).toMatchObject({ id: 3900, attempt: 2, event: 'workflow_run' });
    expect(recs[2]!.deploy_run).toMatchObject({ id: run.id, conclusion: 'success' });
  });

  it('10 governors racing for 10 SHAs leave one unbroken chain', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const shas = Array.from({ length: 10 }, (_, i) =>
      sim.commit({ files: { [`src/f${i}.ts`]: String(i) } }),
    );
    const results = await Promise.all(
      shas.map((sha) =>
        runAction({
          sim,
          eventName: 'workflow_run',
          event: verified(sim, s, sha),
          runId: nextRunId++,
        }),
      ),
    );
    expect(results.map((r) => r.exitCode)).toEqual(Array(10).fill(0));
    const audit = await runCli(['audit', '--repo', sim.fullName, '--json'], { env: env() });
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    const j = JSON.parse(audit.stdout) as { intact: boolean; records: number };
    expect(j.intact).toBe(true);
    expect(j.records).toBe(records().length);
    // Every run that wrote evidence names a record of the chain.
    const hashes = new Set(records().map((r) => r.hash));
    for (const r of results)
      if (r.outputs['evidence-hash']) expect(hashes.has(r.outputs['evidence-hash'])).toBe(true);
  });
});

describe('the evidence artifact', () => {
  /** A LOW commit over production, decided by a job that has the Actions runtime. */
  async function allowWithArtifacts(opts: { config?: string; failCreate?: boolean } = {}) {
    const s = setupRepo(sim, opts.config ? { config: opts.config } : {});
    inProduction(sim, s.base);
    if (opts.failCreate) sim.artifactService.failCreate = 1;
    const sha = sim.commit({ files: { 'src/app.ts': 'v2' } });
    const r = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, sha),
      runId: 3777,
      artifacts: true,
    });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    return { s, sha, r };
  }

  it('is uploaded through the real @actions/artifact client: its records (the last one hashing to evidence-hash) and the job summary', async () => {
    const { sha, r } = await allowWithArtifacts();
    const [artifact, ...more] = sim.artifactService.uploaded;
    expect(more).toHaveLength(0);
    expect(artifact).toMatchObject({
      name: `release-evidence-${sha.slice(0, 7)}-3777-1`,
      finalized: true,
    });
    // Kept evidence_retention_days (90 by default).
    const days = (Date.parse(artifact!.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThan(91);
    const files = await unzip(artifact!.content);
    expect([...files.keys()].sort()).toEqual(['evidence/000001.json', 'summary.md']);
    const record = JSON.parse(files.get('evidence/000001.json')!) as Rec;
    expect(record.hash).toBe(r.outputs['evidence-hash']);
    expect(independentHash(record)).toBe(record.hash);
    expect(files.get('summary.md')).toContain(`Release Governor: ALLOW ${sha.slice(0, 7)}`);
    expect(r.summary).toContain(
      `Evidence uploaded as the artifact release-evidence-${sha.slice(0, 7)}-3777-1`,
    );
  });

  it('is kept as long as the policy that judged the evidence says (evidence_retention_days)', async () => {
    await allowWithArtifacts({ config: 'release_governor:\n  evidence_retention_days: 30\n' });
    const days =
      (Date.parse(sim.artifactService.uploaded[0]!.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThan(31);
  });

  it('an upload that fails is a warning; the decision and the state branch stand', async () => {
    const { s, r } = await allowWithArtifacts({ failCreate: true });
    expect(r.outputs).toMatchObject({ decision: 'ALLOW' });
    expect(r.stdout).toContain('::warning');
    expect(r.summary).toContain('The evidence artifact could not be uploaded');
    expect(records()).toHaveLength(1);
    expect(deployRuns(sim, s)).toHaveLength(1);
  });
});

describe('required artifacts', () => {
  it('missing or expired → HOLD evidence_missing (hard, one request more); present → ALLOW with names, ids, sizes and digests in the evidence', async () => {
    const s = setupRepo(sim, {
      config: 'release_governor:\n  required_artifacts: [test-results, sbom]\n',
    });
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'src/app.ts': 'v2' } });
    const run = sim.workflowRun({ workflow: s.verify, headSha: sha, conclusion: 'success' });
    sim.artifact(run.id, { name: 'test-results', size: 2048, digest: `sha256:${'a'.repeat(64)}` });
    sim.artifact(run.id, { name: 'sbom', expired: true });
    const event = workflowRunEvent('workflow_run.verify-success-push', {
      headSha: sha,
      repoId: sim.repoId,
      runId: run.id,
      workflowId: s.verify.id,
    });
    const held = await runAction({ sim, eventName: 'workflow_run', event, runId: nextRunId++ });
    expect(held.exitCode, held.stdout).toBe(0);
    expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'evidence_missing' });
    expect(held.summary).toContain(
      `verification run ${run.id} has not uploaded sbom (expired: sbom)`,
    );
    expect(held.requests.filter((q) => q.route?.endsWith('/artifacts'))).toHaveLength(1);

    // A new verification run uploads both.
    const again = sim.workflowRun({ workflow: s.verify, headSha: sha, conclusion: 'success' });
    sim.artifact(again.id, {
      name: 'test-results',
      size: 2048,
      digest: `sha256:${'b'.repeat(64)}`,
    });
    sim.artifact(again.id, { name: 'sbom', size: 512, digest: `sha256:${'c'.repeat(64)}` });
    const ok = await runAction({
      sim,
      eventName: 'workflow_run',
      event: workflowRunEvent('workflow_run.verify-success-push', {
        headSha: sha,
        repoId: sim.repoId,
        runId: again.id,
        workflowId: s.verify.id,
      }),
      runId: nextRunId++,
    });
    expect(ok.outputs).toMatchObject({ decision: 'ALLOW' });
    const allow = records().at(-1)! as Rec & { required_artifacts: unknown[] };
    expect(allow.required_artifacts).toEqual([
      {
        name: 'test-results',
        id: expect.any(Number),
        size: 2048,
        digest: `sha256:${'b'.repeat(64)}`,
      },
      { name: 'sbom', id: expect.any(Number), size: 512, digest: `sha256:${'c'.repeat(64)}` },
    ]);
  });

  it('without required_artifacts, no artifact request is made', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'src/app.ts': 'v2' } });
    const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, sha) });
    expect(r.outputs.decision).toBe('ALLOW');
    expect(r.requests.some((q) => q.route?.endsWith('/artifacts'))).toBe(false);
  });
});

describe('release-governor audit', () => {
  it('passes on an intact chain, with --expect-head; fails naming the record after each kind of tampering', async () => {
    const { deployed } = await chainOfThree();
    const ok = await runCli(
      ['audit', '--repo', sim.fullName, '--expect-head', deployed.outputs['evidence-hash']!],
      { env: env() },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('intact: 3 record(s)');
    expect(ok.stdout).toMatch(
      /decision\s+\w{7}\s+production\s+ALLOW allow_high_approved\s+approved by @releng/,
    );

    // The same chain from a clone, with no network: the local backend reads it in bulk.
    const clone = mkdtempSync(join(tmpdir(), 'rg-audit-'));
    try {
      execFileSync('git', ['clone', '-q', sim.git.dir, clone]);
      const local = await runCli(['audit', '--local', clone, '--json']);
      expect(local.code, local.stderr).toBe(0);
      expect(JSON.parse(local.stdout)).toMatchObject({
        backend: 'local',
        intact: true,
        records: 3,
      });
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }

    const original = records();
    const file = (seq: number) => `evidence/${String(seq).padStart(6, '0')}.json`;
    const text = (r: unknown) => `${JSON.stringify(r, null, 2)}\n`;
    const audit = async () => {
      const r = await runCli(['audit', '--repo', sim.fullName, '--json'], { env: env() });
      return {
        code: r.code,
        ...(JSON.parse(r.stdout) as { problem: { kind: string; path: string } | null }),
      };
    };

    // Edited: a record's outcome changed after the fact.
    tamper({ [file(1)]: text({ ...original[0]!, outcome: 'ALLOW' }) });
    expect(await audit()).toMatchObject({ code: 1, problem: { kind: 'edited', path: file(1) } });
    // Removed: the middle record deleted.
    tamper({ [file(1)]: text(original[0]), [file(2)]: null });
    expect(await audit()).toMatchObject({ code: 1, problem: { kind: 'removed', path: file(3) } });
    // Reordered: records 2 and 3 swapped (names kept in sequence, contents exchanged).
    tamper({ [file(2)]: text(original[2]), [file(3)]: text(original[1]) });
    expect(await audit()).toMatchObject({ code: 1, problem: { kind: 'reordered', path: file(2) } });
    // Inserted: a forged record 2 with a correct hash of its own, the rest shifted.
    const forged = { ...original[1]!, outcome: 'HOLD' } as Record<string, unknown>;
    delete forged.hash;
    const forgedHash = createHash('sha256').update(canonicalize(forged)).digest('hex');
    tamper({
      [file(2)]: text({ ...forged, hash: forgedHash }),
      [file(3)]: text(original[2]),
    });
    expect(await audit()).toMatchObject({ code: 1, problem: { kind: 'inserted', path: file(3) } });
    // A head kept elsewhere that the branch no longer has.
    tamper({ [file(2)]: text(original[1]), [file(3)]: text(original[2]) });
    expect((await audit()).code).toBe(0);
    const wrong = await runCli(['audit', '--repo', sim.fullName, '--expect-head', 'f'.repeat(64)], {
      env: env(),
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('head_mismatch');
  });
});
