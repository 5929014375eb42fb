// Risk of a diff (SPEC §5): every changed path, and both names of a rename, against the
// built-in protected paths and the configured globs. Highest wins, and the result explains
// itself: for each rule, the paths it matched.
import { Minimatch } from 'minimatch';
import type { Config } from './config.js';
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

function compile(source: RuleSource, pattern: string, level: Risk): CompiledPattern {
  const re = new Minimatch(pattern, { dot: true }).makeRe();
  if (re === false) throw new Error(`invalid glob ${JSON.stringify(pattern)} in ${source}`);
  return { source, pattern, level, re };
}

function combine(level: Risk, patterns: CompiledPattern[]): CompiledLevel {
  if (patterns.length === 0) return { level, any: null, patterns };
  const flags = new Set(patterns.map((p) => p.re.flags));
  const any =
    flags.size === 1
      ? new RegExp(patterns.map((p) => `(?:${p.re.source})`).join('|'), patterns[0]!.re.flags)
      : null;
  return { level, any, patterns };
}

function matchesLevel(level: CompiledLevel, path: string): boolean {
  if (level.any) return level.any.test(path);
  return level.patterns.some((p) => p.re.test(path));
}

export function compileRiskRules(
  config: Pick<Config, 'high_risk_paths' | 'medium_risk_paths' | 'config_path'>,
): RiskClassifier {
  const protectedPatterns = [config.config_path, ...PROTECTED_PATTERNS].map((p) =>
    compile('protected', p, 'HIGH'),
  );
  const high = [
    ...protectedPatterns,
    ...config.high_risk_paths.map((p) => compile('high_risk_paths', p, 'HIGH')),
  ];
  const medium = config.medium_risk_paths.map((p) => compile('medium_risk_paths', p, 'MEDIUM'));
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
