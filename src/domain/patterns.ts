// Path patterns as people already write them for GitHub (CODEOWNERS, .gitignore), turned into
// the minimatch globs the classifier compiles (SPEC §5):
// - a slash at the start or in the middle anchors the pattern at the repository root
//   (`/build`, `lib/dialects/**`); the leading slash itself is dropped;
// - no slash, or only a trailing one, matches at any depth (`*.sql`, `Dockerfile`, `migrations/`);
// - a trailing slash means the directory and everything under it;
// - a pattern without a trailing slash matches a file of that name, or a directory of that
//   name and everything under it (`migrations` covers `db/migrations/001.sql`), as in .gitignore.
// Negations and patterns that can never match a path are refused, not silently ignored.
import { Minimatch } from 'minimatch';

/** Why a pattern can never do what its author meant, or null when it is usable. */
export function patternProblem(pattern: string): string | null {
  if (pattern.trim() === '') return 'a pattern must not be empty';
  if (pattern !== pattern.trim())
    return 'has leading or trailing whitespace, which no path in a diff has';
  if (pattern.startsWith('!'))
    return 'negations (!pattern) are not supported: a path is HIGH or MEDIUM when any pattern matches it; narrow the other patterns instead';
  if (pattern.startsWith('./'))
    return 'starts with ./, which no path in a diff has: write it without ./ (a leading / anchors it at the root)';
  if (pattern.includes('//')) return 'contains //, which no path in a diff has';
  if (/(^|\/)\.\.?(\/|$)/.test(pattern.replace(/^\//, '')))
    return 'contains a . or .. segment, which no path in a diff has';
  if (pattern === '/') return 'is the root itself; use ** for every path';
  const unclosed = unclosedBracket(pattern);
  if (unclosed)
    return `has an unclosed ${unclosed} (minimatch would read it as a literal character): close it, or escape a literal ${unclosed} as \\${unclosed}`;
  if (patternSource(pattern) === null) return 'is not a valid glob';
  return null;
}

/** The first `[` or `{` that is never closed, or null (a backslash escapes one character). */
function unclosedBracket(pattern: string): '[' | '{' | null {
  let inClass = false;
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']' || pattern[i - 1] === '[';
    else if (c === '[') inClass = true;
    else if (c === '{') braces++;
    else if (c === '}' && braces > 0) braces--;
  }
  return inClass ? '[' : braces > 0 ? '{' : null;
}

/**
 * What a usable pattern means: a minimatch glob (`dot: true`), whether it may start at any
 * directory (`**` + `/` in front, written or implied), and whether it also matches everything
 * under a directory it names (`migrations` → `db/migrations/001.sql`).
 */
export interface ParsedPattern {
  /** The glob without a leading `**` + `/`: it is matched from the root, or after any `dir/`. */
  glob: string;
  anyDepth: boolean;
  orBelow: boolean;
}

export function parsePattern(pattern: string): ParsedPattern {
  const directory = pattern.endsWith('/');
  const trimmed = directory ? pattern.slice(0, -1) : pattern;
  const anchored = trimmed.includes('/');
  let glob = trimmed.replace(/^\//, '');
  let anyDepth = !anchored;
  while (glob.startsWith('**/')) {
    glob = glob.slice(3);
    anyDepth = true;
  }
  if (directory) return { glob: `${glob}/**`, anyDepth, orBelow: false };
  // `x/**` is already everything below `x`: nothing to add.
  return { glob, anyDepth, orBelow: !glob.endsWith('/**') && glob !== '**' };
}

/** The same meaning as one minimatch glob (for tools that take a glob, and for comparisons). */
export function toGlob(pattern: string): string {
  const { glob, anyDepth, orBelow } = parsePattern(pattern);
  const g = anyDepth && glob !== '**' ? `**/${glob}` : glob;
  return orBelow ? `${g}{,/**}` : g;
}

/**
 * A pattern as the classifier compiles it: `core` is minimatch's own expression for the glob
 * (without its `^…$`), followed by an optional `/…` when the pattern also covers a directory's
 * contents; `anyDepth` patterns are tried after every `dir/` prefix. Keeping the prefix apart
 * lets the classifier share one any-directory prefix among all of them instead of repeating minimatch's
 * `**` expression (a lazy scan with a look-ahead per character) once per pattern. Git paths have
 * no `.`/`..` segments and no leading slash, which is all that expression adds.
 */
export interface PatternSource {
  anyDepth: boolean;
  core: string;
  flags: string;
}

export function patternSource(pattern: string): PatternSource | null {
  const { glob, anyDepth, orBelow } = parsePattern(pattern);
  const re = new Minimatch(glob, { dot: true }).makeRe();
  if (re === false) return null;
  const src = re.source;
  if (!src.startsWith('^') || !src.endsWith('$')) return null;
  const core = `(?:${src.slice(1, -1)})${orBelow ? '(?:\\/.*)?' : ''}`;
  return { anyDepth, core, flags: re.flags };
}

/** One pattern's own expression (for attribution: which pattern explains a path). */
export function patternRegExp(pattern: string): RegExp | false {
  const s = patternSource(pattern);
  if (!s) return false;
  return new RegExp(`^${s.anyDepth ? '(?:.*\\/)?' : ''}${s.core}$`, s.flags);
}
