// Versions (SPEC §18): the versioning block of the config, the shapes of a version plan, and the
// release notes. Counting the next version (semver, the commit parser) is in version-plan.ts,
// which the governor loads only when versioning is on, so start-up does not pay for it.
import { z } from 'zod';

export type Bump = 'major' | 'minor' | 'patch';

// A prefix becomes part of a ref name: refuse what git's check-ref-format refuses.
const tagPrefix = z
  .string()
  .max(40)
  .regex(
    /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/?)*$/,
    'must be letters, digits, ".", "_", "-" or "/" (a prefix of a git tag name), such as "v" or "app/v"',
  )
  .refine((p) => !p.includes('..') && !p.endsWith('.'), 'must not contain ".." or end with "."');

export const versioningSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Tag every release of `stage` (off by default).'),
    tag_prefix: tagPrefix.default('v').describe('Tags are <prefix>X.Y.Z, e.g. v1.2.0.'),
    initial_version: z
      .string()
      // SemVer 2.0.0's version core: no leading zeros, no "v", no pre-release or build.
      .regex(
        /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/,
        'must be a version X.Y.Z (no "v", no pre-release), such as 0.1.0',
      )
      .default('0.1.0')
      .describe('The version of the first release, when no tag with the prefix is below it.'),
    stage: z
      .string()
      .min(1)
      .optional()
      .describe('The stage whose releases are tagged (default: the last stage, production).'),
    github_release: z
      .boolean()
      .default(true)
      .describe('Publish a GitHub release for the tag once its deploy succeeded (and is healthy).'),
  })
  .describe('Semantic version tags for releases (SPEC §18).');
export type Versioning = z.output<typeof versioningSchema>;

export interface Tag {
  name: string;
  /** The commit the tag resolves to (an annotated tag dereferenced). */
  commit: string;
}

export interface VersionPull {
  number: number;
  title: string;
  author: string | null;
  labels: string[];
  /** The files it changed (services, §20: which services it counts for); null or absent: unknown. */
  files?: string[] | null;
}

export interface VersionPlan {
  /** The tag name, e.g. v1.2.0. */
  tag: string;
  version: string;
  /** The tag the version was counted from; null for the first release. */
  previous: string | null;
  bump: Bump | null;
  /** How it was decided, in words (the summary and the release notes say it). */
  why: string;
  /** The tag exists already at the SHA (a re-run, or made by hand): nothing to create. */
  existing: boolean;
  /** The range's merged pull requests, for the release notes. */
  pulls: { number: number; title: string; author: string | null }[];
  /** The range had more commits than GitHub lists: the pull requests of the rest are missing. */
  capped?: boolean;
  /**
   * A what-if only (simulate, dry-run): why a real run would stop before claiming (the tag is
   * on another commit, or the version below could not be found). A real run fails instead.
   */
  problem?: string;
}

export interface VersionInput {
  prefix: string;
  initial: string;
  /** The highest of our tags below the SHA (an ancestor of it), if any. */
  previous: (Tag & { version: string }) | null;
  /** The messages of the commits in the range (the stage's current SHA..the SHA). */
  messages: string[];
  pulls: VersionPull[];
}

/** The release notes of a tag (SPEC §18): what changed, how risky, who approved, the evidence. */
export function releaseNotes(r: {
  tag: string;
  sha: string;
  stage: string;
  why: string | null;
  pulls: { number: number; title: string; author: string | null }[];
  risk: string | null;
  approvals: { actor: string | null; source: string; pull: number | null; at: string | null }[];
  evidenceHash: string | null;
  deployRunUrl: string | null;
  commitsCapped: boolean;
}): string {
  const lines = [
    `Released to **${r.stage}** by Release Governor: \`${r.sha}\`${r.deployRunUrl ? ` ([deploy run](${r.deployRunUrl}))` : ''}.`,
    '',
    `- Version: ${r.why ?? r.tag}`,
    `- Risk: ${r.risk ?? 'not assessed'}`,
    '',
    '## Pull requests',
    '',
    ...(r.pulls.length
      ? r.pulls.map((p) => `- #${p.number} ${p.title}${p.author ? ` (@${p.author})` : ''}`)
      : ['No merged pull request in this release (direct commits only).']),
    ...(r.commitsCapped
      ? [
          '',
          'The range had more commits than GitHub lists; pull requests of the rest are not listed.',
        ]
      : []),
    '',
    '## Approvals',
    '',
    ...(r.approvals.length
      ? r.approvals.map(
          (a) =>
            `- ${a.actor ? `@${a.actor}` : 'the environment variable'}: ${a.source}${a.pull !== null ? ` on #${a.pull}` : ''}${a.at ? ` at ${a.at}` : ''}`,
        )
      : ['None needed.']),
    '',
    '## Evidence',
    '',
    r.evidenceHash
      ? `The evidence chain's head when this release was published: \`${r.evidenceHash}\`. Check it with \`release-governor audit --expect-head ${r.evidenceHash}\`.`
      : 'No evidence record.',
  ];
  return lines.join('\n');
}
