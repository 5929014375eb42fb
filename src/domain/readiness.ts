// Readiness gates (SPEC §22), the pure part: a JSON Pointer resolved in a document, a figure
// judged against its bound, and the age of a verification run. Reading the artifacts is the
// governor's (governor/readiness.ts); what they say is judged here.
import type { EvidenceThreshold } from './config.js';

/** The value a JSON Pointer (RFC 6901) names in `doc`; `found: false` when it names nothing. */
export function resolvePointer(doc: unknown, pointer: string): { found: boolean; value: unknown } {
  if (pointer === '') return { found: true, value: doc };
  let at: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(at)) {
      if (!/^(0|[1-9]\d*)$/.test(key) || Number(key) >= at.length)
        return { found: false, value: undefined };
      at = at[Number(key)];
    } else if (at !== null && typeof at === 'object' && Object.hasOwn(at, key)) {
      at = (at as Record<string, unknown>)[key];
    } else return { found: false, value: undefined };
  }
  return { found: true, value: at };
}

/** A threshold's bound in words: "≥ 60", "between 2 and 10", "= true". */
export function boundText(t: EvidenceThreshold): string {
  const parts: string[] = [];
  if (t.equals !== undefined) parts.push(`= ${JSON.stringify(t.equals)}`);
  if (t.min !== undefined && t.max !== undefined) parts.push(`between ${t.min} and ${t.max}`);
  else if (t.min !== undefined) parts.push(`≥ ${t.min}`);
  else if (t.max !== undefined) parts.push(`≤ ${t.max}`);
  return parts.join(' and ');
}

/** One gate as the summary and the evidence show it: what was measured, and the verdict. */
export interface ThresholdResult {
  artifact: string;
  file: string;
  pointer: string;
  bound: string;
  /** The value found (JSON), or null when there was none to find. */
  found: unknown;
  pass: boolean;
  /** Why it failed, in words (null when it passed). */
  why: string | null;
}

/**
 * A threshold judged on the file's text (null: the artifact or the file is not there, `missing`
 * says which). A file that is not JSON, a pointer to nothing, a non-number under a numeric
 * bound: each fails, saying which.
 */
export function judgeThreshold(
  t: EvidenceThreshold,
  file: { text: string } | { missing: string },
): ThresholdResult {
  const base = { artifact: t.artifact, file: t.file, pointer: t.value, bound: boundText(t) };
  const fail = (why: string, found: unknown = null): ThresholdResult => ({
    ...base,
    found,
    pass: false,
    why,
  });
  if ('missing' in file) return fail(file.missing);
  let doc: unknown;
  try {
    doc = JSON.parse(file.text) as unknown;
  } catch (e) {
    return fail(`${t.file} in ${t.artifact} is not JSON (${(e as Error).message.slice(0, 80)})`);
  }
  const { found, value } = resolvePointer(doc, t.value);
  if (!found) return fail(`${t.value} names nothing in ${t.file}`);
  if (t.equals !== undefined && value !== t.equals)
    return fail(`${JSON.stringify(value)} is not ${JSON.stringify(t.equals)}`, value);
  if (t.min !== undefined || t.max !== undefined) {
    if (typeof value !== 'number' || !Number.isFinite(value))
      return fail(`${JSON.stringify(value)} is not a number (the bound is ${boundText(t)})`, value);
    if (t.min !== undefined && value < t.min) return fail(`${value} is below ${t.min}`, value);
    if (t.max !== undefined && value > t.max) return fail(`${value} is above ${t.max}`, value);
  }
  return { ...base, found: value, pass: true, why: null };
}

/** Minutes from `completedAt` to `now`, rounded down to a tenth. */
export function ageMinutes(completedAt: string, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(completedAt)) / 6_000) / 10;
}
