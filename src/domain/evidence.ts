// Evidence (SPEC §17): a hash chain of records on the state branch, one per state change that
// decides, deploys, verifies or rolls back, committed in the same commit as that change.
// `hash` is sha256 over the RFC 8785 canonical JSON of the record without `hash` (the
// `canonicalize` package, not our own serialiser); `prev_hash` links each to the one before.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const EVIDENCE_SCHEMA_VERSION = 1;

/**
 * The key under which a state write carries the evidence draft of its change: not a path (a
 * path never starts with a NUL); the store seals it into `evidence/<seq>.json`.
 */
export const EVIDENCE_DRAFT = '\u0000evidence';
/** Beside the draft: how long the run's evidence artifact keeps it (evidence_retention_days). */
export const EVIDENCE_RETENTION = '\u0000evidence-retention';

export type EvidenceKind = 'decision' | 'deploy' | 'health_check' | 'rollback' | 'break_glass';

export interface EvidenceRun {
  id: number | null;
  attempt: number | null;
  url: string | null;
  actor: string | null;
  event: string | null;
}

/** What a writer knows: everything but the chain fields. */
export interface EvidenceDraft {
  kind: EvidenceKind;
  time: string;
  sha: string;
  stage: string | null;
  run: EvidenceRun;
  [field: string]: unknown;
}

export interface EvidenceRecord extends EvidenceDraft {
  schema_version: number;
  seq: number;
  prev_hash: string | null;
  hash: string;
}

export interface EvidenceHead {
  seq: number;
  hash: string;
}

export const evidencePath = (seq: number): string =>
  `evidence/${String(seq).padStart(6, '0')}.json`;

/** sha256 of the canonical JSON of the record without its `hash`. */
export function evidenceHash(record: Record<string, unknown>): string {
  const { hash: _hash, ...rest } = record;
  const text = canonicalize(rest);
  if (text === undefined) throw new Error('an evidence record must be JSON');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The next record of the chain whose head is `head` (null: the first). */
export function sealEvidence(draft: EvidenceDraft, head: EvidenceHead | null): EvidenceRecord {
  const unsealed = {
    schema_version: EVIDENCE_SCHEMA_VERSION,
    seq: (head?.seq ?? 0) + 1,
    prev_hash: head?.hash ?? null,
    ...draft,
  };
  return { ...unsealed, hash: evidenceHash(unsealed) };
}

/** sha256 over the sorted `status<TAB>path` lines of a diff. */
export function diffDigest(files: { path: string; status: string }[]): string {
  const lines = files.map((f) => `${f.status}\t${f.path}`).sort();
  return createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex');
}

/** Git's blob id of a text (what `git hash-object` prints). */
export function gitBlobSha(text: string): string {
  const body = Buffer.from(text, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${body.length}\u0000`), body]))
    .digest('hex');
}

export type ChainProblemKind =
  'unreadable' | 'edited' | 'removed' | 'inserted' | 'reordered' | 'head_mismatch';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The file where the chain first breaks. */
  path: string;
  seq: number | null;
  detail: string;
}

export interface ChainResult {
  records: EvidenceRecord[];
  problem: ChainProblem | null;
}

/**
 * Recomputes every hash and link: each file's name, `seq`, `prev_hash` and `hash`, then the
 * head release.json names and, with `expectHead`, a head kept elsewhere. The first break wins.
 */
export function verifyChain(
  files: { path: string; text: string }[],
  head: EvidenceHead | null,
  expectHead: string | null = null,
): ChainResult {
  const sorted = [...files].sort((a, b) => a.path.localeCompare(b.path));
  const records: EvidenceRecord[] = [];
  const fail = (kind: ChainProblemKind, path: string, seq: number | null, detail: string) => ({
    records,
    problem: { kind, path, seq, detail },
  });
  let prev: EvidenceRecord | null = null;
  for (const [i, f] of sorted.entries()) {
    const expected = i + 1;
    let r: EvidenceRecord;
    try {
      r = JSON.parse(f.text) as EvidenceRecord;
    } catch (e) {
      return fail('unreadable', f.path, null, `not JSON (${(e as Error).message})`);
    }
    if (typeof r !== 'object' || r === null || typeof r.seq !== 'number')
      return fail('unreadable', f.path, null, 'not an evidence record (no seq)');
    const named = Number(/(\d+)\.json$/.exec(f.path)?.[1] ?? Number.NaN);
    if (named !== expected) {
      // A gap in the names: a record was removed, or one was named out of sequence.
      const kind = named > expected ? 'removed' : 'inserted';
      return fail(
        kind,
        f.path,
        r.seq,
        kind === 'removed'
          ? `${evidencePath(expected)} is missing: the chain jumps from ${expected - 1} to ${named}`
          : `${f.path} repeats or precedes record ${expected}`,
      );
    }
    if (evidenceHash(r as unknown as Record<string, unknown>) !== r.hash)
      return fail(
        'edited',
        f.path,
        r.seq,
        `its content does not hash to its hash ${String(r.hash).slice(0, 12)}…: it was edited after it was written`,
      );
    if (r.seq !== expected)
      return fail(
        'reordered',
        f.path,
        r.seq,
        `it says seq ${r.seq} but sits at position ${expected}: records were moved or renamed`,
      );
    if (r.prev_hash !== (prev?.hash ?? null))
      return fail(
        prev && records.some((x) => x.hash === r.prev_hash) ? 'reordered' : 'inserted',
        f.path,
        r.seq,
        `its prev_hash ${String(r.prev_hash).slice(0, 12)}… is not the hash of record ${expected - 1} (${prev?.hash.slice(0, 12) ?? 'none'}…): a record was inserted, replaced or reordered before it`,
      );
    records.push(r);
    prev = r;
  }
  const last = records.at(-1) ?? null;
  if ((head?.seq ?? 0) !== (last?.seq ?? 0) || (head?.hash ?? null) !== (last?.hash ?? null))
    return fail(
      last && head && head.seq < last.seq ? 'inserted' : 'removed',
      'release.json',
      head?.seq ?? null,
      `release.json's evidence_head (${head ? `${head.seq}, ${head.hash.slice(0, 12)}…` : 'none'}) is not the last record (${last ? `${last.seq}, ${last.hash.slice(0, 12)}…` : 'none'})`,
    );
  if (expectHead !== null && !records.some((r) => r.hash === expectHead))
    return fail(
      'head_mismatch',
      'release.json',
      null,
      `no record has the expected hash ${expectHead.slice(0, 12)}…: the chain kept elsewhere is not this one`,
    );
  return { records, problem: null };
}
