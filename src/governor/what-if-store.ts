// `simulate --production SHA` (SPEC §11): the state as it is, except that the stage being
// decided runs SHA — the what-if a new user wants first, with no state branch needed. It only
// reads; a write is a bug in the caller and fails.
import { stageView, withStage } from '../domain/state.js';
import type { ReadExtras, StateSnapshot, StateStore, WriteResult } from '../ports.js';

export class WhatIfStore implements StateStore {
  constructor(
    private readonly inner: StateStore,
    private readonly current: string,
    private readonly stage: { name: string; isLast: boolean },
    private readonly now: () => Date,
  ) {}

  async read(sha?: string, decisionFile?: string, extras?: ReadExtras): Promise<StateSnapshot> {
    const snap = await this.inner.read(sha, decisionFile, extras);
    const { name, isLast } = this.stage;
    const view = stageView(snap.release, name, isLast);
    // Only the stage's SHA changes: its history (cooldown, rate limit) stays as recorded.
    const moved =
      view.production_sha_current === this.current
        ? view
        : {
            ...view,
            production_sha_current: this.current,
            production_sha_previous: view.production_sha_current,
          };
    return { ...snap, release: withStage(snap.release, name, isLast, moved, this.now()) };
  }

  write(): Promise<WriteResult> {
    return Promise.reject(new Error('simulate --production never writes the state branch'));
  }
}
