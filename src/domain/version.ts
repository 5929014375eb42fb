// Versions (SPEC §18): the next semantic version of a release, from the highest tag below it and
// the commits and pull requests since. Pure: the tags, messages and labels come in as data.
import { CommitParser } from 'conventional-commits-parser';
import semver from 'semver';
import { z } from 'zod';

export type Bump = 'major' | 'minor' | 'patch';
const ORDER: Bump[] = ['patch', 'minor', 'major'];
const higher = (a: Bump | null, b: Bump): Bump =>
  a === null || ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a;

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
      .refine(
        (v) => semver.valid(v) === v && semver.prerelease(v) === null,
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

export const RELEASE_LABELS: Record<string, Bump> = {
  'release:major': 'major',
  'release:minor': 'minor',
  'release:patch': 'patch',
};

const parser = new CommitParser({
  breakingHeaderPattern: /^(\w*)(?:\((.*)\))?!: (.*)$/,
  noteKeywords: ['BREAKING CHANGE', 'BREAKING-CHANGE'],
  // A merge commit's first line says which pull request; the conventional header is next.
  mergePattern: /^Merge pull request #(\d+) from (.*)$/,
  mergeCorrespondence: ['id', 'source'],
});

/** A commit message's bump: `feat` minor, a breaking change major, anything else patch. */
export function commitBump(message: string): Bump {
  const c = parser.parse(message);
  if (c.notes.some((n) => /^BREAKING[ -]CHANGE$/i.test(n.title))) return 'major';
  return c.type?.toLowerCase() === 'feat' ? 'minor' : 'patch';
}

/** A tag name's version when it is `<prefix>X.Y.Z` exactly (pre-releases and others are not ours). */
export function tagVersion(name: string, prefix: string): string | null {
  if (!name.startsWith(prefix)) return null;
  const v = name.slice(prefix.length);
  return semver.valid(v) === v && semver.prerelease(v) === null ? v : null;
}

export interface Tag {
  name: string;
  /** The commit the tag resolves to (an annotated tag dereferenced). */
  commit: string;
}

/** Our tags (`<prefix>X.Y.Z`), highest version first. */
export function versionTags(tags: Tag[], prefix: string): (Tag & { version: string })[] {
  return tags
    .flatMap((t) => {
      const version = tagVersion(t.name, prefix);
      return version ? [{ ...t, version }] : [];
    })
    .sort((a, b) => semver.rcompare(a.version, b.version));
}

export interface VersionPull {
  number: number;
  title: string;
  author: string | null;
  labels: string[];
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

/**
 * The next version after `previous`: the highest bump of the range's pull request labels if any
 * has one (an explicit choice wins), else of its commits. Before 1.0.0 a breaking change in a
 * commit bumps the minor (SemVer §4: 0.y.z may change anything); the label release:major is how
 * a team says 1.0.0.
 */
export function nextVersion(input: VersionInput): VersionPlan {
  const pulls = input.pulls.map((p) => ({ number: p.number, title: p.title, author: p.author }));
  if (!input.previous) {
    return {
      tag: `${input.prefix}${input.initial}`,
      version: input.initial,
      previous: null,
      bump: null,
      why: `the first release: initial_version ${input.initial} (no ${input.prefix}X.Y.Z tag is below this commit)`,
      existing: false,
      pulls,
    };
  }
  let byLabel: Bump | null = null;
  const labelled: string[] = [];
  for (const p of input.pulls)
    for (const l of p.labels) {
      const b = RELEASE_LABELS[l.toLowerCase()];
      if (b) {
        byLabel = higher(byLabel, b);
        labelled.push(`${l} on #${p.number}`);
      }
    }
  let bump: Bump;
  let why: string;
  if (byLabel) {
    bump = byLabel;
    why = `${bump} by label (${labelled.join(', ')})`;
  } else {
    let byCommit: Bump = 'patch';
    for (const m of input.messages) byCommit = higher(byCommit, commitBump(m));
    bump = byCommit;
    why = `${bump} from ${input.messages.length} commit${input.messages.length === 1 ? '' : 's'} (${
      bump === 'major'
        ? 'a breaking change'
        : bump === 'minor'
          ? 'a feat: commit'
          : 'no feat: or breaking commit'
    })`;
    if (bump === 'major' && semver.major(input.previous.version) === 0) {
      bump = 'minor';
      why += `, minor before 1.0.0`;
    }
  }
  const version = semver.inc(input.previous.version, bump)!;
  return {
    tag: `${input.prefix}${version}`,
    version,
    previous: input.previous.name,
    bump,
    why: `${why}, after ${input.previous.name}`,
    existing: false,
    pulls,
  };
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
