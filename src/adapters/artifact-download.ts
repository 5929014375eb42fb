// Downloading an artifact of the verification run (SPEC §22) with @actions/artifact, loaded only
// here and only when a readiness threshold names an artifact, so start-up never pays for it. The
// client asks the API for the archive (a redirect to its signed blob URL), streams the zip and
// extracts it; the files come back by their path inside the artifact.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** Every file of the downloaded artifact, by its path inside it. */
export async function downloadArtifactFiles(opts: {
  artifactId: number;
  runId: number;
  owner: string;
  repo: string;
  token: string;
}): Promise<Map<string, Buffer>> {
  const dir = mkdtempSync(join(tmpdir(), 'release-governor-artifact-'));
  try {
    const { DefaultArtifactClient } = await import('@actions/artifact');
    await new DefaultArtifactClient().downloadArtifact(opts.artifactId, {
      path: dir,
      findBy: {
        token: opts.token,
        workflowRunId: opts.runId,
        repositoryOwner: opts.owner,
        repositoryName: opts.repo,
      },
    });
    const files = new Map<string, Buffer>();
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else files.set(relative(dir, p).split('\\').join('/'), readFileSync(p));
      }
    };
    walk(dir);
    return files;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
