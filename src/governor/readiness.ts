// Readiness gates (SPEC §22): what a decision needs to judge them. Freshness and release
// blockers cost no request (the verification run's completion time comes with the event or the
// run already looked up; the open issues and pull requests with the state read); thresholds cost
// the verification run's artifact list and one download per artifact they name, and only when
// they are set.
import { createHash } from 'node:crypto';
import type { Config, EvidenceThreshold } from '../domain/config.js';
import type { EarlyInput } from '../domain/decide.js';
import type { Stage } from '../domain/pipeline.js';
import { ageMinutes, judgeThreshold, type ThresholdResult } from '../domain/readiness.js';
import { concernsService } from '../domain/services.js';
import type { ArtifactInfo } from '../ports.js';
import type { GovernorDeps } from './deps.js';

/** The largest artifact the governor downloads to read figures from (SPEC §22). */
export const MAX_ARTIFACT_BYTES = 50 * 1024 * 1024;

/** A file a threshold was judged on, for the evidence: which, how large, its sha256. */
export interface FileRead {
  artifact: string;
  name: string;
  size: number;
  sha256: string;
}

export interface ReadinessRead {
  facts: NonNullable<EarlyInput['readiness']>;
  /** The files read for the thresholds (the evidence names them). */
  files: FileRead[];
}

/** What of a decision's request the gates read: the SHA, and the verification run of its event. */
interface ReadinessRequest {
  sha: string;
  verification?: { id: number; url: string | null; completed_at?: string | null };
}

/** The verification run of the SHA: the event's, else looked up once (only when needed). */
type RunLookup = () => Promise<{
  id: number;
  url: string | null;
  completedAt: string | null;
} | null>;

export async function readinessOf(
  deps: GovernorDeps,
  at: { config: Config; stage: Stage; req: ReadinessRequest },
): Promise<ReadinessRead> {
  const { config, stage, req } = at;
  const r = stage.readiness;
  let looked: Awaited<ReturnType<RunLookup>> | undefined;
  const run: RunLookup = async () => {
    if (req.verification)
      return {
        id: req.verification.id,
        url: req.verification.url,
        completedAt: req.verification.completed_at ?? null,
      };
    if (looked !== undefined) return looked;
    const v = await deps.gh.verificationRun(config.verification_workflow, req.sha, config.branch);
    looked = v ? { id: v.id, url: v.url, completedAt: v.completed_at ?? null } : null;
    return looked;
  };
  const fresh =
    r.max_verification_age_minutes === undefined || !deps.gh.seesRuns
      ? null
      : await freshness(deps, r.max_verification_age_minutes, run);
  const blockers = r.release_blocker_labels.length
    ? {
        labels: r.release_blocker_labels,
        open: (await blockersOf(deps, r.release_blocker_labels, config.service?.name ?? null)).map(
          (b) => ({ ...b, url: linkOf(deps, b) }),
        ),
      }
    : null;
  const judged =
    r.evidence_thresholds.length && deps.gh.seesRuns
      ? await thresholdsOf(deps, r.evidence_thresholds, run)
      : { results: null, files: [] };
  return { facts: { fresh, thresholds: judged.results, blockers }, files: judged.files };
}

/**
 * The page of an issue or pull request, from the repository this governor run belongs to (its
 * run URL); null where there is none (the CLI), and the number alone is shown.
 */
function linkOf(deps: GovernorDeps, b: { number: number; pull: boolean }): string | null {
  const repo = /^(https?:\/\/[^?#]+?)\/actions\/runs\/\d+/.exec(deps.run.url ?? '')?.[1];
  return repo ? `${repo}/${b.pull ? 'pull' : 'issues'}/${b.number}` : null;
}

async function freshness(
  deps: GovernorDeps,
  limitMinutes: number,
  run: RunLookup,
): Promise<NonNullable<NonNullable<EarlyInput['readiness']>['fresh']>> {
  const v = await run();
  const completedAt = v?.completedAt ?? null;
  return {
    limitMinutes,
    completedAt,
    ageMinutes: completedAt ? ageMinutes(completedAt, deps.now()) : null,
    runUrl: v?.url ?? null,
  };
}

/** The open issues and pull requests with a blocker label that concern this service. */
async function blockersOf(
  deps: GovernorDeps,
  labels: string[],
  service: string | null,
): Promise<{ number: number; title: string; pull: boolean }[]> {
  const open =
    deps.store.openIssuesLabelled(labels, { pulls: true }) ??
    (await deps.gh.openIncidents(labels, { pulls: true }));
  return open
    .filter((i) => concernsService(i.labels, service))
    .map((i) => ({ number: i.number, title: i.title, pull: i.pull }));
}

/** Every threshold judged on the files of the verification run's artifacts. */
async function thresholdsOf(
  deps: GovernorDeps,
  thresholds: EvidenceThreshold[],
  run: RunLookup,
): Promise<{ results: ThresholdResult[]; files: FileRead[] }> {
  const v = await run();
  if (!v)
    return {
      results: thresholds.map((t) =>
        judgeThreshold(t, { missing: 'no successful verification run of this SHA was found' }),
      ),
      files: [],
    };
  const listed = await deps.gh.runArtifacts(v.id);
  const files: FileRead[] = [];
  const contents = new Map<string, Map<string, Buffer> | string>();
  for (const name of [...new Set(thresholds.map((t) => t.artifact))])
    contents.set(name, await artifactOf(deps, { name, listed, runId: v.id }));
  const results = thresholds.map((t) => {
    const got = contents.get(t.artifact)!;
    if (typeof got === 'string') return judgeThreshold(t, { missing: got });
    const buffer = got.get(t.file);
    if (!buffer)
      return judgeThreshold(t, { missing: `the artifact ${t.artifact} has no file ${t.file}` });
    if (!files.some((f) => f.artifact === t.artifact && f.name === t.file))
      files.push({
        artifact: t.artifact,
        name: t.file,
        size: buffer.length,
        sha256: createHash('sha256').update(buffer).digest('hex'),
      });
    return judgeThreshold(t, { text: buffer.toString('utf8') });
  });
  return { results, files };
}

/** An artifact's files, or why they cannot be read (missing, expired, too large). */
async function artifactOf(
  deps: GovernorDeps,
  { name, listed, runId }: { name: string; listed: ArtifactInfo[]; runId: number },
): Promise<Map<string, Buffer> | string> {
  const found = listed.filter((a) => a.name === name);
  const live = found.find((a) => !a.expired);
  if (!live)
    return found.length
      ? `the artifact ${name} of the verification run has expired`
      : `the verification run has no artifact ${name}`;
  if (live.size > MAX_ARTIFACT_BYTES)
    return `the artifact ${name} is ${(live.size / 1024 / 1024).toFixed(1)} MB, over the ${MAX_ARTIFACT_BYTES / 1024 / 1024} MB the governor reads`;
  return deps.gh.artifactFiles(live.id, runId);
}
