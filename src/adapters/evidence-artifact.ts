// Uploads a run's evidence records and its job summary as one artifact (SPEC §17) with
// @actions/artifact, loaded only here and only when there is something to upload, so start-up
// never pays for it. The state branch holds the evidence anyway: a failed upload is a warning.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evidencePath, type EvidenceRecord } from '../domain/evidence.js';
import { serialize } from '../domain/state.js';

export type UploadResult =
  | { kind: 'uploaded'; name: string; id: number; size: number; digest: string | null }
  | { kind: 'skipped'; why: string };

/** The artifact service exists on github.com and GHE.com (and *.localhost, for tests); not on GHES. */
export function artifactHostSupported(serverUrl: string | undefined): boolean {
  const host = new URL(serverUrl || 'https://github.com').hostname.toLowerCase();
  return host === 'github.com' || host.endsWith('.ghe.com') || host.endsWith('.localhost');
}

export function artifactName(sha: string, runId: number | null, attempt: number | null): string {
  return `release-evidence-${sha.slice(0, 7)}-${runId ?? 'local'}-${attempt ?? 1}`;
}

export async function uploadEvidence(opts: {
  records: readonly EvidenceRecord[];
  summary: string;
  name: string;
  retentionDays: number;
  env: NodeJS.ProcessEnv;
}): Promise<UploadResult> {
  if (opts.records.length === 0) return { kind: 'skipped', why: 'no evidence was written' };
  if (!opts.env.ACTIONS_RUNTIME_TOKEN || !opts.env.ACTIONS_RESULTS_URL)
    return { kind: 'skipped', why: 'not in a GitHub Actions job (no ACTIONS_RUNTIME_TOKEN)' };
  if (!artifactHostSupported(opts.env.GITHUB_SERVER_URL))
    return {
      kind: 'skipped',
      why: `GitHub Enterprise Server (${opts.env.GITHUB_SERVER_URL}) has no artifact service for @actions/artifact 6; the evidence is on the state branch`,
    };
  const dir = mkdtempSync(join(opts.env.RUNNER_TEMP || tmpdir(), 'rg-evidence-'));
  try {
    const files: string[] = [];
    mkdirSync(join(dir, 'evidence'));
    for (const r of opts.records) {
      const path = join(dir, evidencePath(r.seq));
      writeFileSync(path, serialize(r));
      files.push(path);
    }
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, opts.summary);
    files.push(summary);
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const r = await new DefaultArtifactClient().uploadArtifact(opts.name, files, dir, {
      retentionDays: opts.retentionDays,
    });
    return {
      kind: 'uploaded',
      name: opts.name,
      id: r.id ?? 0,
      size: r.size ?? 0,
      digest: r.digest ?? null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
