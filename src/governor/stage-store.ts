// The state of one stage, through the real store: reads present the stage as a single-stage
// release.json (so every transition and rule works on it unchanged), writes merge that view back
// into the whole version-2 file (the other stages kept, the last stage mirrored at the top).
// A version-1 branch reads as the last stage and is rewritten as version 2 on the next write.
import {
  decisionPath,
  emptyRelease,
  RELEASE_FILE,
  parseRelease,
  policyShaOf,
  recordIndexPath,
  serialize,
  serializeRecordIndex,
  serviceRecordSha,
  serviceView,
  stageDecisionPath,
  stageView,
  withService,
  withStage,
  type Release,
  type ServiceLayout,
} from '../domain/state.js';
import { normalizePath } from '../domain/config-base.js';
import type { OpenIssues, ReadExtras, StateSnapshot, StateStore, WriteResult } from '../ports.js';
import {
  gitBlobSha,
  EVIDENCE_DRAFT,
  EVIDENCE_RETENTION,
  evidencePath,
  sealEvidence,
  type EvidenceDraft,
  type EvidenceRecord,
} from '../domain/evidence.js';
import type { ReleaseTarget } from '../domain/types.js';

/** What the stores of one run share: the heads they saw, and the evidence they wrote. */
interface Shared {
  /** The whole release.json at each head seen, to merge a stage's view into. */
  whole: Map<string | null, Release>;
  /** The evidence records this run committed, in order (the artifact, `evidence-hash`). */
  evidence: EvidenceRecord[];
  /** evidence_retention_days of the policy of the newest evidence written, for the artifact. */
  retentionDays: number;
  /** Config files known from the reads (`<commit>:<path>` → text, null: absent). */
  files: Map<string, string | null>;
  /** The open issues of the newest read that asked for them. */
  openIssues: OpenIssues | null;
  /** The release branch's head as the newest read that asked for it saw it. */
  branchHead: StateSnapshot['branchHead'] | null;
  /** The files of .github/workflows by ref, as the reads brought them. */
  workflows: Map<string, Record<string, string | null>>;
  /** The services of the policy in force, in config order (SPEC §20); null: no services. */
  layout: ServiceLayout[] | null;
  /** `<head>:<sha>` → the service records of the SHA at that head, as read or written. */
  indexes: Map<string, string[]>;
}

/** What every store of one run reads with. */
export interface StoreOptions {
  now: () => Date;
  /** The config file's path: each read brings it at the SHA read for, and production's copy. */
  policyPath?: string | null;
  /** The repository's default branch: a read for no SHA brings its head (null: not known). */
  releaseBranch?: string | null;
}

export class StageStore implements StateStore {
  private readonly now: () => Date;
  private readonly policyPath: string | null;
  private readonly releaseBranch: string | null;

  constructor(
    private readonly inner: StateStore,
    private readonly options: StoreOptions,
    /**
     * The target this store presents, fixed for its life (another target is another store,
     * from forTarget). Null: reads present the last stage, which the top-level fields always
     * describe, and writes are refused — the target is not known yet.
     */
    readonly target: ReleaseTarget | null = null,
    private readonly shared: Shared = {
      whole: new Map(),
      evidence: [],
      retentionDays: 90,
      files: new Map(),
      openIssues: null,
      branchHead: null,
      workflows: new Map(),
      layout: null,
      indexes: new Map(),
    },
  ) {
    this.now = options.now;
    this.policyPath = options.policyPath ?? null;
    this.releaseBranch = options.releaseBranch ?? null;
  }

  /**
   * A workflow file at a ref as a read brought it: its text, null when the folder was listed
   * without it, undefined when no read listed the folder there (or the file was too large).
   */
  knownWorkflow(ref: string, name: string): string | null | undefined {
    const files = this.shared.workflows.get(ref);
    if (!files) return undefined;
    if (!Object.hasOwn(files, name)) return null;
    return files[name] ?? undefined;
  }

  /** The default branch's head, from the newest read for no SHA; null when not read. */
  get branchHead(): { branch: string; sha: string } | null {
    return this.shared.branchHead ?? null;
  }

  private get whole(): Map<string | null, Release> {
    return this.shared.whole;
  }

  /** A store presenting another target of the same branch (what it saw and wrote is shared). */
  forTarget(target: ReleaseTarget): StageStore {
    return new StageStore(this.inner, this.options, target, this.shared);
  }

  /**
   * The services of the policy in force (SPEC §20), in config order with each one's last stage:
   * what a service's view and a version-3 write are laid out by. Set once the config is read.
   */
  useServices(layout: ServiceLayout[] | null): void {
    this.shared.layout = layout;
  }

  /** The services the stores of this run lay the state out by; null without services. */
  get services(): readonly ServiceLayout[] | null {
    return this.shared.layout;
  }

  private serviceLayout(name: string): ServiceLayout {
    const found = this.shared.layout?.find((l) => l.name === name);
    if (!found) throw new Error(`StageStore: ${name} is not a service of the policy in force`);
    return found;
  }

  /** The whole file as this store's service sees it (the whole file without a service). */
  private serviceWhole(whole: Release): Release {
    const service = this.target?.service ?? null;
    return service === null ? whole : serviceView(whole, this.serviceLayout(service));
  }

  /** The evidence records this run committed, oldest first. */
  get evidenceWritten(): readonly EvidenceRecord[] {
    return this.shared.evidence;
  }

  /**
   * How long the run's evidence artifact is kept: the evidence_retention_days of the policy
   * that judged the newest evidence this run wrote (90 before any).
   */
  get retentionDays(): number {
    return this.shared.retentionDays;
  }

  /** Whether this store's reads present `stage` (a store for no target presents the last). */
  presents(stage: { name: string; isLast: boolean }): boolean {
    return this.target ? this.target.stage === stage.name : stage.isLast;
  }

  /** The whole release.json at a head this store read or wrote (for the other stages' state). */
  wholeAt(head: string | null): Release | null {
    return this.whole.get(head) ?? null;
  }

  private isLast(): boolean {
    return this.target?.isLast ?? true;
  }

  /**
   * The config file at `commit` as a read brought it: its text, null when absent, undefined when
   * no read brought it (then it is read through the contents API).
   */
  knownFile(commit: string, path: string): string | null | undefined {
    return this.shared.files.get(`${commit}:${normalizePath(path)}`);
  }

  /**
   * A config file read through the contents API: the next write keeps it as production's copy
   * when `commit` is production's (a state from before §19, or after a rollback, heals itself).
   */
  rememberFile(commit: string, path: string, text: string | null): void {
    this.shared.files.set(`${commit}:${normalizePath(path)}`, text);
  }

  /** The open issues with any of `labels`, from the read; null when the read did not list all. */
  openIssuesLabelled(
    labels: string[],
    opts: { pulls?: boolean } = {},
  ): { number: number; title: string; labels: string[]; pull: boolean }[] | null {
    const open = this.shared.openIssues;
    if (!open?.complete) return null;
    const wanted = new Set(labels.map((l) => l.toLowerCase()));
    return open.issues
      .filter((i) => opts.pulls || !i.pull)
      .filter((i) => i.labels.some((l) => wanted.has(l.toLowerCase())))
      .map((i) => ({ number: i.number, title: i.title, labels: i.labels, pull: i.pull === true }));
  }

  /**
   * The service records `sha` has at `head`, from its record index (§20) as a read of this run
   * brought it or a write made it; undefined when not known.
   */
  recordsAt(head: string | null, sha: string): readonly string[] | undefined {
    return head === null ? [] : this.shared.indexes.get(`${head}:${sha}`);
  }

  /** Where this store's target keeps the decision record of `sha`. */
  decisionFileOf(sha: string): string | undefined {
    return this.target
      ? stageDecisionPath(sha, this.target.stage, this.isLast(), this.target.service)
      : undefined;
  }

  /**
   * One read for several targets (services, SPEC §20): the state and the decision record of `sha`
   * for each target, in one request. Each target's view is then `forTarget(t).viewOf(snapshot)`.
   */
  async readFor(sha: string, targets: readonly ReleaseTarget[]): Promise<StateSnapshot> {
    const files = targets.map((t) => this.forTarget(t).decisionFileOf(sha)!);
    return this.read(sha, undefined, { decisionFiles: files });
  }

  /**
   * This target's view of a snapshot a store of this run read (readFor): no request. The
   * decision record comes from that read when it brought this target's; else null.
   */
  viewOf(snapshot: StateSnapshot, sha: string): StateSnapshot {
    const whole = this.whole.get(snapshot.head);
    if (!whole) throw new Error(`StageStore.viewOf a head it never read (${snapshot.head})`);
    const file = this.decisionFileOf(sha);
    const service = this.serviceWhole(whole);
    return {
      ...snapshot,
      release: stageView(service, this.target?.stage ?? '', this.isLast()),
      pipeline: service,
      decision: file ? (snapshot.decisions?.[file] ?? null) : null,
    };
  }

  /** The read `prefetch` started, until the next read takes it or passes it by. */
  private early: { sha: string; result: Promise<StateSnapshot> } | null = null;

  /**
   * Starts the read a run for `sha` begins with (`read(sha)`) before the code that will ask for
   * it is loaded: the first request is on its way while the rules compile (SPEC §13, start-up
   * to the first request). The next read of this store takes it when it is that same read;
   * whatever read comes first, the started one is never taken later.
   */
  prefetch(sha: string): void {
    const result = this.readNow(sha);
    // Its error is the read's, thrown to whoever takes it; never an unhandled rejection.
    result.catch(() => undefined);
    this.early = { sha, result };
  }

  read(
    sha?: string,
    decisionFile?: string,
    extras: Pick<ReadExtras, 'decisionFiles'> = {},
  ): Promise<StateSnapshot> {
    const early = this.early;
    this.early = null;
    if (early && early.sha === sha && decisionFile === undefined && !extras.decisionFiles?.length)
      return early.result;
    return this.readNow(sha, decisionFile, extras);
  }

  private async readNow(
    sha?: string,
    decisionFile?: string,
    extras: Pick<ReadExtras, 'decisionFiles'> = {},
  ): Promise<StateSnapshot> {
    const file = sha ? this.decisionFileOf(sha) : undefined;
    const path = this.policyPath === null ? null : normalizePath(this.policyPath);
    const snap = await this.inner.read(sha, decisionFile ?? file, {
      ...(path !== null ? { policyPath: path } : {}),
      openIssues: sha !== undefined,
      // A read for no SHA (reconcile, an approval) brings the release branch's head along.
      ...(sha === undefined && this.releaseBranch ? { branch: this.releaseBranch } : {}),
      // A read for a SHA (a decision) brings the workflows its rule 4 checks.
      ...(sha !== undefined && this.releaseBranch ? { workflowsAt: this.releaseBranch } : {}),
      ...(extras.decisionFiles?.length ? { decisionFiles: extras.decisionFiles } : {}),
      // A read for a SHA brings the index of its service records (services, §20).
      ...(sha !== undefined ? { recordIndex: recordIndexPath(sha) } : {}),
    });
    this.whole.set(snap.head, snap.release);
    if (sha !== undefined && snap.recordIndex !== undefined)
      this.shared.indexes.set(`${snap.head}:${sha}`, snap.recordIndex ?? []);
    if (path !== null) {
      if (sha && snap.policyAtSha !== undefined)
        this.shared.files.set(`${sha}:${path}`, snap.policyAtSha);
      const production = policyShaOf(snap.release);
      const copy = snap.release.policy;
      if (copy && copy.commit === production && copy.path === path)
        this.shared.files.set(`${copy.commit}:${path}`, copy.text);
      const absent = snap.release.policy_absent;
      if (absent && absent.commit === production && absent.path === path)
        this.shared.files.set(`${absent.commit}:${path}`, null);
      const head = snap.branchHead;
      if (head && head.policy !== undefined)
        this.shared.files.set(`${head.sha}:${path}`, head.policy);
    }
    if (snap.branchHead !== undefined) this.shared.branchHead = snap.branchHead;
    if (snap.workflows) this.shared.workflows.set(snap.workflows.ref, snap.workflows.files);
    if (snap.openIssues) this.shared.openIssues = snap.openIssues;
    const whole = this.serviceWhole(snap.release);
    return {
      ...snap,
      release: stageView(whole, this.target?.stage ?? '', this.isLast()),
      pipeline: whole,
    };
  }

  async write(
    base: StateSnapshot,
    files: Record<string, string>,
    message: string,
  ): Promise<WriteResult> {
    if (!this.target) throw new Error('StageStore.write before the target is known');
    return this.writeMany(base, [{ target: this.target, files, view: base.release }], message);
  }

  /**
   * One commit that changes several targets (services, SPEC §20: one claim for every service a
   * run allows), with a compare-and-swap on `base`'s head. Each change is merged in order into
   * the whole file, its evidence sealed after the previous one's.
   */
  async writeMany(
    base: StateSnapshot,
    changes: readonly { target: ReleaseTarget; files: Record<string, string>; view?: Release }[],
    message: string,
  ): Promise<WriteResult> {
    let whole = this.whole.get(base.head) ?? (base.head === null ? emptyRelease() : null);
    if (!whole) throw new Error(`StageStore.write on a head it never saw (${base.head})`);
    const mapped: Record<string, string> = {};
    const sealed: EvidenceRecord[] = [];
    let keep = Number.NaN;
    for (const change of changes) {
      const store = this.forTarget(change.target);
      const { files } = change;
      const view =
        files[RELEASE_FILE] !== undefined
          ? parseRelease(files[RELEASE_FILE])
          : (change.view ?? store.viewOfWhole(whole));
      whole = store.merged(whole, view);
      // The change's evidence, sealed onto the chain at this base: a lost race re-seals it on
      // the next base, so seq and prev_hash always follow the head the commit is built on.
      if (files[EVIDENCE_DRAFT] !== undefined) {
        const record = sealEvidence(
          JSON.parse(files[EVIDENCE_DRAFT]) as EvidenceDraft,
          whole.evidence_head ?? null,
        );
        whole = { ...whole, evidence_head: { seq: record.seq, hash: record.hash } };
        mapped[evidencePath(record.seq)] = serialize(record);
        sealed.push(record);
        if (files[EVIDENCE_RETENTION] !== undefined) keep = Number(files[EVIDENCE_RETENTION]);
      }
      const { stage, isLast, service } = change.target;
      for (const [path, content] of Object.entries(files)) {
        if (path === RELEASE_FILE || path === EVIDENCE_DRAFT || path === EVIDENCE_RETENTION)
          continue;
        const m = /^decisions\/([0-9a-f]{40})\.json$/.exec(path);
        mapped[
          m && path === decisionPath(m[1]!)
            ? stageDecisionPath(m[1]!, stage, isLast, service)
            : path
        ] = content;
      }
    }
    const indexes = await this.withIndexes(base.head, mapped);
    if (indexes === null)
      return { kind: 'conflict', detail: 'the state branch moved since it was read' };
    whole = withPolicyCopy(whole, this.policyPath, this.shared.files);
    // release.json is part of every commit: the migrations, and the mirror, stay whole.
    mapped[RELEASE_FILE] = serialize(whole);
    const { pipeline: _pipeline, decisions: _decisions, ...rest } = base;
    const r = await this.inner.write({ ...rest, release: whole }, mapped, message);
    if (r.kind === 'written') {
      this.whole.set(r.head, whole);
      for (const [sha, records] of indexes) this.shared.indexes.set(`${r.head}:${sha}`, records);
      this.shared.evidence.push(...sealed);
      if (sealed.length && Number.isInteger(keep) && keep > 0) this.shared.retentionDays = keep;
    }
    return r;
  }

  /**
   * The record index of every SHA whose service records `mapped` writes (§20), added to
   * `mapped`: what the index held at `head`, with the new records. An index this run has not
   * read at `head` is read now; null when the branch moved (the write is then a lost race).
   */
  private async withIndexes(
    head: string | null,
    mapped: Record<string, string>,
  ): Promise<Map<string, string[]> | null> {
    const bySha = new Map<string, string[]>();
    for (const path of Object.keys(mapped)) {
      const sha = serviceRecordSha(path);
      if (sha) bySha.set(sha, [...(bySha.get(sha) ?? []), path]);
    }
    const out = new Map<string, string[]>();
    for (const [sha, paths] of bySha) {
      let known = head === null ? [] : this.shared.indexes.get(`${head}:${sha}`);
      if (known === undefined) {
        const snap = await this.inner.read(sha, undefined, { recordIndex: recordIndexPath(sha) });
        if (snap.head !== head) return null;
        known = snap.recordIndex ?? [];
      }
      const records = [...new Set([...known, ...paths])].sort();
      out.set(sha, records);
      mapped[recordIndexPath(sha)] = serializeRecordIndex(sha, records);
    }
    return out;
  }

  /** This target's stage view of a whole file. */
  private viewOfWhole(whole: Release): Release {
    return stageView(this.serviceWhole(whole), this.target?.stage ?? '', this.isLast());
  }

  /** The whole file with this target's stage replaced by `view`. */
  private merged(whole: Release, view: Release): Release {
    const { stage, isLast, service } = this.target!;
    if (service === null) return withStage(whole, stage, isLast, view, this.now());
    return withService(
      whole,
      this.shared.layout ?? [],
      service,
      withStage(this.serviceWhole(whole), stage, isLast, view, this.now()),
    );
  }
}

/**
 * release.json keeps the config file of its production SHA (§19): copied when production moves
 * and the run has read that file, dropped when production moved to a commit whose file this run
 * did not read (the next decision then reads it through the contents API).
 */
function withPolicyCopy(
  release: Release,
  policyPath: string | null,
  files: Map<string, string | null>,
): Release {
  const production = policyShaOf(release);
  if (policyPath === null || production === null) return release;
  const path = normalizePath(policyPath);
  const text = files.get(`${production}:${path}`);
  const { policy, policy_absent: absent, ...rest } = release;
  if (policy?.commit === production && policy.path === path) return release;
  if (absent?.commit === production && absent.path === path) return release;
  // Known absent: a production adopted from before the config file (SPEC §3).
  if (text === null) return { ...rest, policy_absent: { commit: production, path } };
  if (text === undefined) return rest;
  return { ...rest, policy: { commit: production, path, blob_sha: gitBlobSha(text), text } };
}
