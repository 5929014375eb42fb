// The state of one stage, through the real store: reads present the stage as a single-stage
// release.json (so every transition and rule works on it unchanged), writes merge that view back
// into the whole version-2 file (the other stages kept, the last stage mirrored at the top).
// A version-1 branch reads as the last stage and is rewritten as version 2 on the next write.
import {
  decisionPath,
  emptyRelease,
  RELEASE_FILE,
  parseRelease,
  serialize,
  stageDecisionPath,
  stageView,
  withStage,
  type Release,
} from '../domain/state.js';
import type { StateSnapshot, StateStore, WriteResult } from '../ports.js';

export class StageStore implements StateStore {
  private stage: { name: string; isLast: boolean } | null = null;

  constructor(
    private readonly inner: StateStore,
    private readonly now: () => Date,
    /** The whole release.json at each head seen, to merge a stage's view into (shared by siblings). */
    private readonly whole = new Map<string | null, Release>(),
  ) {}

  /** A store presenting another stage of the same branch (the heads seen are shared). */
  forStage(name: string, isLast: boolean): StageStore {
    const sibling = new StageStore(this.inner, this.now, this.whole);
    sibling.useStage(name, isLast);
    return sibling;
  }

  /**
   * Which stage this store presents. Until it is known (the config names it), reads present the
   * last stage, which the top-level fields always describe; a write needs it.
   */
  useStage(name: string, isLast: boolean): void {
    this.stage = { name, isLast };
  }

  get stageName(): string | null {
    return this.stage?.name ?? null;
  }

  /** The whole release.json at a head this store read or wrote (for the other stages' state). */
  wholeAt(head: string | null): Release | null {
    return this.whole.get(head) ?? null;
  }

  private isLast(): boolean {
    return this.stage?.isLast ?? true;
  }

  async read(sha?: string, decisionFile?: string): Promise<StateSnapshot> {
    const file =
      sha && this.stage ? stageDecisionPath(sha, this.stage.name, this.isLast()) : undefined;
    const snap = await this.inner.read(sha, decisionFile ?? file);
    this.whole.set(snap.head, snap.release);
    return {
      ...snap,
      release: stageView(snap.release, this.stage?.name ?? '', this.isLast()),
      pipeline: snap.release,
    };
  }

  async write(
    base: StateSnapshot,
    files: Record<string, string>,
    message: string,
  ): Promise<WriteResult> {
    if (!this.stage) throw new Error('StageStore.write before the stage is known');
    const { name, isLast } = this.stage;
    const whole = this.whole.get(base.head) ?? (base.head === null ? emptyRelease() : null);
    if (!whole) throw new Error(`StageStore.write on a head it never saw (${base.head})`);
    const view =
      files[RELEASE_FILE] !== undefined ? parseRelease(files[RELEASE_FILE]) : base.release;
    const merged = withStage(whole, name, isLast, view, this.now());
    const mapped: Record<string, string> = {};
    for (const [path, content] of Object.entries(files)) {
      if (path === RELEASE_FILE) continue;
      const m = /^decisions\/([0-9a-f]{40})\.json$/.exec(path);
      mapped[m && path === decisionPath(m[1]!) ? stageDecisionPath(m[1]!, name, isLast) : path] =
        content;
    }
    // release.json is part of every commit: the migration to version 2, and the mirror, stay whole.
    mapped[RELEASE_FILE] = serialize(merged);
    const { pipeline: _pipeline, ...rest } = base;
    const r = await this.inner.write({ ...rest, release: merged }, mapped, message);
    if (r.kind === 'written') this.whole.set(r.head, merged);
    return r;
  }
}
