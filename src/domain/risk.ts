// Risk of a diff (SPEC §5): every changed path, and both names of a rename, against the
// built-in protected paths and the configured globs. Highest wins, and the result explains
// itself: for each rule, the paths it matched.
import { Minimatch } from 'minimatch';
import type { Config } from './config.js';
import { DEFAULT_HIGH_RISK_PATHS, DEFAULT_MEDIUM_RISK_PATHS } from './config-base.js';
import { patternSource, type PatternSource } from './patterns.js';
import { type Risk, maxRisk } from './types.js';

export type ChangeStatus =
  'added' | 'modified' | 'removed' | 'renamed' | 'copied' | 'changed' | 'unchanged';

export interface ChangedFile {
  path: string;
  status: ChangeStatus;
  /** The old name of a renamed (or copied) file. */
  previousPath?: string;
}

export type RuleSource = 'protected' | 'high_risk_paths' | 'medium_risk_paths';

export interface RuleMatch {
  source: RuleSource;
  pattern: string;
  level: Risk;
  /** The first paths it matched, capped. */
  paths: string[];
  /** How many paths it matched in all. */
  count: number;
}

export interface RiskAssessment {
  risk: Risk;
  /** Rules that matched at least one path, HIGH first. */
  matches: RuleMatch[];
  /** Every HIGH path, uncapped: approvals are checked against each one. */
  highPaths: string[];
  /** Every path considered (both names of renames), uncapped. */
  paths: string[];
  fileCount: number;
  /** The diff could not be listed completely: risk is HIGH whatever the paths say. */
  incomplete: boolean;
  incompleteReason: string | null;
}

/** Paths that are HIGH whatever the configuration says, so a commit cannot loosen its own gate. */
export const PROTECTED_PATTERNS = ['.github/workflows/**', '.github/actions/**'] as const;

interface CompiledPattern {
  source: RuleSource;
  pattern: string;
  level: Risk;
  re: RegExp;
  /** The expression without the any-depth prefix, for the level's shared alternation. */
  parts: PatternSource;
}

interface CompiledLevel {
  level: Risk;
  /** One alternation of every pattern of the level: one test per path in the common case. */
  any: RegExp | null;
  patterns: CompiledPattern[];
}

export interface RiskClassifier {
  classify(
    files: ChangedFile[],
    opts?: { incompleteReason?: string | null; cap?: number },
  ): RiskAssessment;
  readonly patternCount: number;
}

/**
 * `exact`: a path from the root taken as it is (the protected paths); otherwise the pattern
 * follows the CODEOWNERS conventions of patterns.ts.
 */
function compile(source: RuleSource, pattern: string, level: Risk, exact = false): CompiledPattern {
  const parts = exact ? exactSource(pattern) : patternSource(pattern);
  if (!parts) throw new Error(`invalid glob ${JSON.stringify(pattern)} in ${source}`);
  const re = new RegExp(`^${parts.anyDepth ? ANY_DIR : ''}${parts.core}$`, parts.flags);
  return { source, pattern, level, re, parts };
}

const ANY_DIR = '(?:.*\\/)?';

function exactSource(glob: string): PatternSource | null {
  const re = new Minimatch(glob.replace(/^\.\//, ''), { dot: true }).makeRe();
  if (re === false || !re.source.startsWith('^') || !re.source.endsWith('$')) return null;
  return { anyDepth: false, core: `(?:${re.source.slice(1, -1)})`, flags: re.flags };
}

/** One expression per level: the anchored patterns, then all any-depth ones behind one prefix. */
function combine(level: Risk, patterns: CompiledPattern[]): CompiledLevel {
  if (patterns.length === 0) return { level, any: null, patterns };
  const flags = new Set(patterns.map((p) => p.parts.flags));
  if (flags.size !== 1) return { level, any: null, patterns };
  const group = (ps: CompiledPattern[]) => ps.map((p) => p.parts.core).join('|');
  const rooted = patterns.filter((p) => !p.parts.anyDepth);
  const deep = patterns.filter((p) => p.parts.anyDepth);
  const alternatives = [
    ...(rooted.length ? [`^(?:${group(rooted)})$`] : []),
    ...(deep.length ? [`^${ANY_DIR}(?:${group(deep)})$`] : []),
  ];
  return { level, any: new RegExp(alternatives.join('|'), [...flags][0]), patterns };
}

function matchesLevel(level: CompiledLevel, path: string): boolean {
  if (level.any) return level.any.test(path);
  return level.patterns.some((p) => p.re.test(path));
}

/** The patterns in force: the defaults (unless `default_risk_paths: false`) plus the configured. */
export function effectiveRiskPaths(
  config: Pick<Config, 'high_risk_paths' | 'medium_risk_paths' | 'default_risk_paths'>,
): { high: string[]; medium: string[] } {
  const withDefaults = (defaults: readonly string[], configured: string[]) => [
    ...new Set([...(config.default_risk_paths ? defaults : []), ...configured]),
  ];
  return {
    high: withDefaults(DEFAULT_HIGH_RISK_PATHS, config.high_risk_paths),
    medium: withDefaults(DEFAULT_MEDIUM_RISK_PATHS, config.medium_risk_paths),
  };
}

/**
 * Whether a path is one of the protected paths (the config file, the workflow folders): HIGH
 * whatever the config says, and, with services, part of every service (SPEC §20).
 */
export function protectedPaths(configPath: string): (path: string) => boolean {
  const level = combine(
    'HIGH',
    [configPath, ...PROTECTED_PATTERNS].map((p) => compile('protected', p, 'HIGH', true)),
  );
  return (path) => matchesLevel(level, path);
}

export function compileRiskRules(
  config: Pick<
    Config,
    'high_risk_paths' | 'medium_risk_paths' | 'default_risk_paths' | 'config_path'
  >,
): RiskClassifier {
  // Exact paths from the root, not patterns: the config file and the workflow folders.
  const protectedPatterns = [config.config_path, ...PROTECTED_PATTERNS].map((p) =>
    compile('protected', p, 'HIGH', true),
  );
  const paths = effectiveRiskPaths(config);
  const high = [
    ...protectedPatterns,
    ...paths.high.map((p) => compile('high_risk_paths', p, 'HIGH')),
  ];
  const medium = paths.medium.map((p) => compile('medium_risk_paths', p, 'MEDIUM'));
  const levels = [combine('HIGH', high), combine('MEDIUM', medium)];

  return {
    patternCount: high.length + medium.length,
    classify(files, opts = {}) {
      const cap = opts.cap ?? 20;
      const byPattern = new Map<CompiledPattern, RuleMatch>();
      const highPaths: string[] = [];
      const paths: string[] = [];
      let risk: Risk = 'LOW';
      const seen = new Set<string>();
      for (const file of files) {
        for (const path of file.previousPath ? [file.path, file.previousPath] : [file.path]) {
          if (seen.has(path)) continue;
          seen.add(path);
          paths.push(path);
          for (const level of levels) {
            if (!matchesLevel(level, path)) continue;
            // Attribution only for the few paths that matched: every pattern that explains it.
            for (const p of level.patterns) {
              if (!p.re.test(path)) continue;
              let m = byPattern.get(p);
              if (!m)
                byPattern.set(
                  p,
                  (m = {
                    source: p.source,
                    pattern: p.pattern,
                    level: p.level,
                    paths: [],
                    count: 0,
                  }),
                );
              m.count += 1;
              if (m.paths.length < cap) m.paths.push(path);
            }
            risk = maxRisk(risk, level.level);
            if (level.level === 'HIGH') highPaths.push(path);
            break; // the highest level that matches decides this path
          }
        }
      }
      const incompleteReason = opts.incompleteReason ?? null;
      if (incompleteReason) risk = 'HIGH';
      const order: Record<RuleSource, number> = {
        protected: 0,
        high_risk_paths: 1,
        medium_risk_paths: 2,
      };
      return {
        risk,
        matches: [...byPattern.values()].sort((a, b) => order[a.source] - order[b.source]),
        highPaths,
        paths,
        fileCount: files.length,
        incomplete: incompleteReason !== null,
        incompleteReason,
      };
    },
  };
}
