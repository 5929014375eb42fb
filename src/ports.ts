// The interfaces the governor sees. Adapters implement them for GitHub, for a local clone and,
// in tests, in memory.
import type { DecisionRecord, Release } from './domain/state.js';

export interface StateSnapshot {
  /** The state branch's head commit; null when the branch does not exist yet. */
  head: string | null;
  release: Release;
  /** The decision record of the SHA asked for in read(), if it has one. */
  decision: DecisionRecord | null;
}

export type WriteResult = { kind: 'written'; head: string } | { kind: 'conflict'; detail: string };

export interface StateStore {
  /** Reads release.json and, when `sha` is given, decisions/<sha>.json, at one consistent head. */
  read(sha?: string): Promise<StateSnapshot>;
  /**
   * One commit on top of `base.head` with these files (paths → content), or the branch's first
   * commit when `base.head` is null. A compare-and-swap: `conflict` when the head moved.
   */
  write(base: StateSnapshot, files: Record<string, string>, message: string): Promise<WriteResult>;
}
