// Counting the next version (SPEC §18): the highest of our tags below a release, and the bump of
// its commits and pull request labels. Pure; loaded lazily (it brings semver and the commit
// parser), only when versioning is on.
import { CommitParser } from 'conventional-commits-parser';
import semver from 'semver';
import type { Bump, Tag, VersionInput, VersionPlan } from './version.js';

const ORDER: Bump[] = ['patch', 'minor', 'major'];
const higher = (a: Bump | null, b: Bump): Bump =>
  a === null || ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a;

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

/** Our tags (`<prefix>X.Y.Z`), highest version first. */
export function versionTags(tags: Tag[], prefix: string): (Tag & { version: string })[] {
  return tags
    .flatMap((t) => {
      const version = tagVersion(t.name, prefix);
      return version ? [{ ...t, version }] : [];
    })
    .sort((a, b) => semver.rcompare(a.version, b.version));
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
