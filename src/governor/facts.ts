// Gather the facts a decision needs, with as few requests as the verdict allows, and ask the
// pure rules (domain/decide.ts) for the verdict.
import { evaluateApprovals, NO_APPROVALS, type ApprovalResult } from '../domain/approvals.js';
import type { Config } from '../domain/config.js';
import { APPROVAL_VARIABLE } from '../domain/config-base.js';
import { configDigest, configWarnings } from '../domain/config-digest.js';
import {
  approvalsMatter,
  decide,
  decideEarly,
  type Decision,
  type EarlyInput,
  type PullPaths,
} from '../domain/decide.js';
import type { CompareStatus, Lifecycle } from '../domain/types.js';
import {
  findStage,
  lastStage,
  pipelineOf,
  pipelineRows,
  recordedVersion,
  stageConfig,
  versioningOf,
  stageFacts,
  type Pipeline,
  type Stage,
} from '../domain/pipeline.js';
import { compileRiskRules, type ChangedFile, type RiskAssessment } from '../domain/risk.js';
import { diffDigest } from '../domain/evidence.js';
import {
  deployWorkflowProblem,
  WORKFLOWS_DIR,
  workflowFileName,
} from '../domain/deploy-workflow.js';
import {
  historyForRules,
  inFlight,
  lifecycleOf,
  policyShaOf,
  recordEvaluation,
  type DecisionRecord,
  type HistoryEntry,
  type Release,
} from '../domain/state.js';
import { shortSha } from '../domain/types.js';
import type { ArtifactInfo, CompareResult, RunInfo, StateSnapshot } from '../ports.js';
import { buildReport, type RunReport } from '../report/summary.js';
import {
  CLAIM_GRACE_MS,
  type GovernorDeps,
  claimedBy,
  isEarlierAttempt,
  type Remarks,
} from './deps.js';
import { type ConfigRead, forService, readConfig, readFits } from './policy.js';
import { concernsService, serviceFiles } from '../domain/services.js';
import { planVersion } from './versions.js';
import { readinessOf, type ReadinessRead } from './readiness.js';
import type { VersionPlan } from '../domain/version.js';

export async function changedFiles(
  deps: GovernorDeps,
  productionSha: string | null,
  sha: string,
  compare: { files: ChangedFile[]; capped: boolean } | null,
): Promise<{ files: ChangedFile[]; incomplete: string | null }> {
  if (productionSha === null) {
    const head = await deps.gh.treeFiles(sha);
    const files = [...head.files.keys()].map((path) => ({ path, status: 'added' as const }));
    return {
      files,
      incomplete: head.truncated ? 'the tree listing of the commit was truncated by GitHub' : null,
    };
  }
  if (compare && !compare.capped) return { files: compare.files, incomplete: null };
  // The compare API stops at 300 files: diff the two trees instead.
  const [before, after] = await Promise.all([
    deps.gh.treeFiles(productionSha),
    deps.gh.treeFiles(sha),
  ]);
  if (before.truncated || after.truncated)
    return {
      files: compare?.files ?? [],
      incomplete: 'the diff has more files than GitHub lists, and the tree listing was truncated',
    };
  const files: ChangedFile[] = [];
  for (const [path, id] of after.files) {
    const old = before.files.get(path);
    if (old === undefined) files.push({ path, status: 'added' });
    else if (old !== id) files.push({ path, status: 'modified' });
  }
  for (const path of before.files.keys())
    if (!after.files.has(path)) files.push({ path, status: 'removed' });
  return { files, incomplete: null };
}

export interface DecideRequest {
  sha: string;
  manual: boolean;
  /**
   * The stage to decide (SPEC §14). Default: a manual trigger decides the first stage the SHA
   * has not passed, a verification event the first stage.
   */
  stage?: string;
  /**
   * Reconcile: a HOLD with the same reason as the SHA's recorded decision writes nothing and
   * sets no status (nothing changed since the run that recorded it).
   */
  quiet?: boolean;
  /**
   * An approval may have landed (§7): decide the first stage the SHA has not passed, as a manual
   * trigger does, where the approval can clear a hold.
   */
  approval?: boolean;
  /**
   * Services (§20): the `service` input — decide this service only (null or absent: every
   * service the commit affects).
   */
  service?: string | null;
  /** Services, reconcile: decide only these (the others have nothing to decide). */
  services?: readonly string[];
  /** Break-glass (§16), authorised by the caller: who and why. */
  breakGlass?: { actor: string; reason: string };
  /**
   * Services (§20): the services of depends_on that have not yet released this commit to the
   * stage (computed by governor/services.ts from the same read); absent without services.
   */
  waitingFor?: { service: string; why: string }[];
  /** The verification run that made the SHA a candidate (the workflow_run event's), for the evidence. */
  verification?: {
    id: number;
    url: string | null;
    conclusion: string | null;
    head_sha: string;
    /** When it completed (§22 freshness); absent or null when not known. */
    completed_at?: string | null;
  };
}

/** What every evaluation has, whatever it came to. */
interface EvaluatedCommon {
  snapshot: StateSnapshot;
  decision: Decision;
  productionSha: string | null;
  notes: string[];
  /**
   * The policy as read: the commit it was read at, its blob, and why the governor is off when it
   * is (kept for the next attempt at the same SHA).
   */
  read: ConfigRead;
  /** The repository role of everyone whose approval was read. */
  roles: Record<string, string | null>;
  /** The required artifacts the verification run uploaded (names, ids, sizes, digests). */
  artifactsFound: ArtifactInfo[];
  /** Readiness (§22): what each gate found, and the files read for the thresholds. */
  readiness?: ReadinessRead | null;
}

/** The governor is off: no config, or `enabled: false` (then the config is known). SKIP disabled. */
export interface EvaluatedOff extends EvaluatedCommon {
  kind: 'off';
  config: Config | null;
  full: Config | null;
  pipeline: Pipeline | null;
  stage: Stage | null;
  ownClaim: null;
  foundRun: null;
  assessment: null;
  approvals: null;
  diff: null;
  version: null;
}

/** What an evaluation under a policy has: the stage, and a claim found on the way. */
interface EvaluatedOn extends EvaluatedCommon {
  /** The config this stage is judged with (its deploy workflow, ref and status context). */
  config: Config;
  /** The config as read: the whole pipeline. */
  full: Config;
  pipeline: Pipeline;
  stage: Stage;
  /** Set when this run already holds the claim for the SHA (a lost write response, or a retry). */
  ownClaim: HistoryEntry | null;
  /** A claimed-but-not-dispatched SHA whose deploy run turned up. */
  foundRun: RunInfo | null;
}

/** Rules 1–3c settled it before any diff was read: a SKIP or a hard HOLD. */
export interface EvaluatedEarly extends EvaluatedOn {
  kind: 'settled';
  assessment: null;
  approvals: null;
  diff: null;
  version: null;
}

/** Every rule judged it on the diff, the incidents and the approvals. */
export interface EvaluatedJudged extends EvaluatedOn {
  kind: 'judged';
  assessment: RiskAssessment;
  approvals: ApprovalResult;
  /** The diff judged: how many files, and sha256 over its sorted `status<TAB>path` lines. */
  diff: { files: number; digest: string };
  /**
   * The version an ALLOW is dispatched with (§18): at the versioned stage the plan (its tag is
   * created before the dispatch), after it the tag the SHA got there.
   */
  version: { tag: string; plan: VersionPlan | null } | null;
  /**
   * The range deployed (§23 lead time): its commits with their committer times, as the compare
   * listed them (oldest first), and how many it has; null on a first deploy.
   */
  range: { commits: { sha: string; time: string | null }[]; total: number } | null;
}

/** An evaluation: the governor off, settled early (rules 1–3c), or judged on every rule. */
export type Evaluated = EvaluatedOff | EvaluatedEarly | EvaluatedJudged;

/** The verification run's artifacts against required_artifacts. */
async function requiredArtifacts(
  deps: GovernorDeps,
  config: Config,
  req: DecideRequest,
): Promise<{ facts: NonNullable<EarlyInput['artifacts']>; found: ArtifactInfo[] }> {
  const required = config.required_artifacts;
  if (!deps.gh.seesRuns)
    return {
      facts: { required, missing: [], expired: [], runId: null, unchecked: true },
      found: [],
    };
  const runId =
    req.verification?.id ??
    (await deps.gh.verificationRun(config.verification_workflow, req.sha, config.branch))?.id ??
    null;
  const listed = runId === null ? [] : await deps.gh.runArtifacts(runId);
  const found = listed.filter((a) => required.includes(a.name) && !a.expired);
  const expired = required.filter(
    (n) => listed.some((a) => a.name === n && a.expired) && !found.some((a) => a.name === n),
  );
  const missing = required.filter((n) => !found.some((a) => a.name === n));
  return { facts: { required, missing, expired, runId }, found };
}

/**
 * Rule 4's look at the deploy workflow (SPEC §6): why it cannot take the dispatch the governor
 * will send (`sends`), or null. The file comes with the state read when the ref is the release
 * branch; else one contents API request.
 */
async function deployWorkflowCheck(
  deps: GovernorDeps,
  config: Config,
  sends: string[],
): Promise<string | null | undefined> {
  const name = workflowFileName(config.deploy_workflow);
  // Empty (rule 4 holds anyway), or not a file name (an id): GitHub judges it at the dispatch.
  if (config.deploy_workflow.trim() === '' || name === null) return undefined;
  const path = `${WORKFLOWS_DIR}/${name}`;
  const ref = config.deploy_workflow_ref;
  const known = deps.store.knownWorkflow(ref, name);
  const text = known !== undefined ? known : await deps.gh.readFile(ref, path);
  return await deployWorkflowProblem(text, { path, ref, sends });
}

export interface Known extends ConfigRead {
  /** State already read for this SHA, used once. */
  snapshot?: StateSnapshot;
}

function withoutSnapshot(known: Known): ConfigRead {
  const { snapshot: _used, ...read } = known;
  return read;
}

/** Rule 2's lifecycle of the SHA, with a claim that is this run's own or whose run turned up. */
async function claimOf(
  deps: GovernorDeps,
  {
    release,
    sha,
    workflow,
    environment,
    notes,
  }: {
    release: Release;
    sha: string;
    workflow: string;
    environment: string | null;
    notes: string[];
  },
): Promise<{
  lifecycle: Lifecycle | null;
  entry: HistoryEntry | null;
  ownClaim: HistoryEntry | null;
  foundRun: RunInfo | null;
}> {
  const lifecycle = lifecycleOf(release, sha);
  const entry = release.deploy_history.find((h) => h.sha === sha) ?? null;
  if (lifecycle !== 'claimed' || !entry)
    return { lifecycle, entry, ownClaim: null, foundRun: null };
  if (entry.claimed_by === claimedBy(deps))
    return { lifecycle: null, entry, ownClaim: entry, foundRun: null };
  // Claimed but never recorded as dispatched: the claimant died, or lost the response.
  const runs = await deps.gh.findDeployRuns(
    workflow,
    sha,
    environment,
    deps.store.target?.service ?? null,
  );
  const claimTime = Date.parse(entry.time);
  const foundRun = runs.find((r) => Date.parse(r.createdAt) >= claimTime - 60_000) ?? null;
  const stale = deps.now().getTime() - claimTime > CLAIM_GRACE_MS;
  if (!foundRun && (stale || isEarlierAttempt(entry.claimed_by, deps))) {
    notes.push(
      `${shortSha(sha)} was claimed at ${entry.time} by ${entry.claimed_by ?? 'an earlier run'}${stale ? '' : ', an earlier attempt of this run (it has ended)'}, and no deploy run for it exists: taking the claim over.`,
    );
    return { lifecycle: null, entry, ownClaim: null, foundRun };
  }
  return { lifecycle, entry, ownClaim: null, foundRun };
}

/** The deploy in flight other than this SHA and production, and how this SHA compares to it. */
async function inFlightOf(
  deps: GovernorDeps,
  release: Release,
  sha: string,
): Promise<{ sha: string; compare: CompareStatus } | null> {
  const flying = inFlight(release);
  if (!flying || flying.sha === sha || flying.sha === release.production_sha_current) return null;
  return { sha: flying.sha, compare: (await deps.gh.compare(flying.sha, sha)).status };
}

/**
 * The approvals of the range, read only when they can change the verdict (`needed`); with the
 * merged pull requests' paths (for "label #N") and the role of everyone who approved.
 */
async function approvalsOf(
  deps: GovernorDeps,
  {
    needed,
    sha,
    config,
    compare,
    notes,
  }: {
    needed: boolean;
    sha: string;
    config: Config;
    /** compare(production, sha); null on a first deploy. */
    compare: CompareResult | null;
    notes: string[];
  },
): Promise<{
  approvals: ApprovalResult;
  pulls: PullPaths[];
  roles: Record<string, string | null>;
}> {
  const approvedVariable = deps.env[APPROVAL_VARIABLE];
  if (!needed) {
    if (approvedVariable)
      notes.push(`${APPROVAL_VARIABLE} is set but no approval was needed for this change.`);
    return { approvals: NO_APPROVALS, pulls: [], roles: {} };
  }
  const commits = compare?.commits ?? [];
  const headAuthor =
    commits.find((c) => c.sha === sha)?.author ?? (await deps.gh.commitAuthor(sha));
  const facts = await deps.gh.approvalFacts({
    headSha: sha,
    headAuthor,
    commits: compare ? commits.map((c) => c.sha) : [sha],
    branch: config.branch,
    environment: approvedVariable,
    teams: config.approvers.filter((a) => a.includes('/')),
  });
  if (compare && compare.totalCommits > commits.length) {
    notes.push(
      `The range has ${compare.totalCommits} commits; pull requests were read for the first ${commits.length} only. Approve with the SHA-scoped variable or a commit comment if a HIGH path is not covered.`,
    );
  }
  return {
    approvals: evaluateApprovals(facts, config),
    // "Label #N" is advice only for a pull request merged into the release branch.
    pulls: facts.pulls
      .filter((p) => p.mergedAt !== null && p.baseRef === config.branch)
      .map((p) => ({ number: p.number, paths: p.files })),
    roles: Object.fromEntries(Object.entries(facts.actors).map(([k, a]) => [k, a.role])),
  };
}

/**
 * The version an ALLOW is dispatched with (§18): at the versioned stage a plan (its tag is
 * created before the dispatch), after it the tag the SHA got there.
 */
async function versionOf(
  deps: GovernorDeps,
  {
    config,
    at,
    versionedHere,
    sha,
    current,
    compare,
    notes,
  }: {
    config: Config;
    at: { whole: Release; pipeline: Pipeline; stage: Stage };
    /** This stage is the versioned one (§18): its ALLOW creates the tag. */
    versionedHere: boolean;
    sha: string;
    /** The stage's current SHA, and compare(it, sha). */
    current: string | null;
    compare: CompareResult | null;
    notes: string[];
  },
): Promise<Evaluated['version']> {
  if (versionedHere) {
    const plan = await planVersion(deps, config, {
      sha,
      current,
      compare,
    });
    if (plan.problem) notes.push(plan.problem);
    return { tag: plan.tag, plan };
  }
  const tag = recordedVersion(at.whole, config, at.pipeline, at.stage, sha);
  return tag ? { tag, plan: null } : null;
}

/** What the steps of one evaluation share. */
interface Judging {
  deps: GovernorDeps;
  req: DecideRequest;
  /** The stage's config. */
  config: Config;
  pipeline: Pipeline;
  stage: Stage;
  /** The whole pipeline's state, and the stage's view of it. */
  whole: Release;
  release: Release;
  notes: string[];
}

/** The facts of rules 1–3c (no diff yet), with the claim found on the way. */
interface EarlyFacts {
  early: EarlyInput;
  /** With services: the diff, read early to know whether the commit affects the service. */
  changed: { files: ChangedFile[]; incomplete: string | null } | null;
  entry: HistoryEntry | null;
  ownClaim: HistoryEntry | null;
  foundRun: RunInfo | null;
  productionCompare: CompareResult | null;
  artifactsFound: ArtifactInfo[];
  /** The readiness gates' facts and the files read for them (§22). */
  readiness?: ReadinessRead;
}

async function earlyFacts(at: Judging): Promise<EarlyFacts> {
  const { deps, req, config, pipeline, stage, whole, release, notes } = at;
  const productionSha = release.production_sha_current;
  const { lifecycle, entry, ownClaim, foundRun } = await claimOf(deps, {
    release,
    sha: req.sha,
    workflow: config.deploy_workflow,
    environment: pipeline.configured ? stage.environment : null,
    notes,
  });
  const productionCompare = productionSha ? await deps.gh.compare(productionSha, req.sha) : null;
  // Services (§20): rule 1a needs the diff, filtered to the service's paths, before rule 2.
  const changed = config.service
    ? await changedFiles(deps, productionSha, req.sha, productionCompare)
    : null;
  const own = changed ? serviceFiles(config, changed.files) : null;
  // A diff that could not be listed whole may hide the service's files: it is affected.
  const service =
    config.service && changed && own
      ? {
          name: config.service.name,
          affected: own.length > 0 || changed.incomplete !== null,
          files: own.length,
        }
      : null;
  if (service && !service.affected)
    return {
      early: {
        enabled: true,
        sha: req.sha,
        lifecycle: null,
        currentSha: productionSha,
        currentCompare: productionCompare?.status ?? null,
        inFlight: null,
        manual: req.manual,
        verified: true,
        service,
      },
      changed,
      entry,
      ownClaim,
      foundRun,
      productionCompare,
      artifactsFound: [],
    };
  const inFlightCompare = await inFlightOf(deps, release, req.sha);
  const verified = req.manual
    ? await deps.gh.verified(config.verification_workflow, req.sha, config.branch)
    : true;
  // required_artifacts (§17): one request for the run's artifacts, only when the key is set.
  const artifacts = config.required_artifacts.length
    ? await requiredArtifacts(deps, config, req)
    : null;
  // Readiness gates (§22): freshness and blockers from what was read; thresholds only when set.
  const readiness = await readinessOf(deps, { config, stage, req });
  return {
    early: {
      enabled: true,
      sha: req.sha,
      lifecycle: ownClaim ? null : lifecycle,
      currentSha: productionSha,
      currentCompare: productionCompare?.status ?? null,
      inFlight: inFlightCompare,
      manual: req.manual,
      verified,
      stage: stageFacts(whole, pipeline, stage),
      artifacts: artifacts?.facts ?? null,
      readiness: readiness.facts,
      ...(service ? { service } : {}),
    },
    changed,
    entry,
    ownClaim,
    foundRun,
    productionCompare,
    artifactsFound: artifacts?.found ?? [],
    readiness,
  };
}

/**
 * The open incidents that hold this stage (rule 9): none where the stage needs no approvals.
 * The open issues came with the state read; a precise search only when it could not list all.
 * With services, an incident labelled `service:<name>` holds only the services it names (§20).
 */
async function incidentsOf(
  deps: GovernorDeps,
  config: Config,
  stage: Stage,
): Promise<{ number: number; title: string }[]> {
  if (stage.approvals === 'none' || config.incident_labels.length === 0) return [];
  const open =
    deps.store.openIssuesLabelled(config.incident_labels) ??
    (await deps.gh.openIncidents(config.incident_labels));
  return open
    .filter((i) => concernsService(i.labels, config.service?.name ?? null))
    .map((i) => ({ number: i.number, title: i.title }));
}

/** The range a release deploys (§23): its commits and their times, as the compare listed them. */
function rangeOf(compare: CompareResult | null): EvaluatedJudged['range'] {
  if (!compare) return null;
  const commits = compare.commits.map((c) => ({ sha: c.sha, time: c.time ?? null }));
  return { commits, total: compare.totalCommits };
}

/** Rules 4–11 on the diff, the incidents and the approvals; the version an ALLOW goes with. */
async function judge(
  at: Judging,
  { e, adopted }: { e: EarlyFacts; adopted: boolean },
): Promise<
  Pick<
    EvaluatedJudged,
    'decision' | 'assessment' | 'approvals' | 'diff' | 'roles' | 'version' | 'range'
  >
> {
  const { deps, req, config, pipeline, stage, whole, release, notes } = at;
  const { early, productionCompare } = e;
  const productionSha = early.currentSha;
  const versioning = versioningOf(config, pipeline);
  const deployWorkflow = await deployWorkflowCheck(deps, config, [
    'sha',
    ...(pipeline.configured ? ['environment'] : []),
    ...(versioning && stage.index >= versioning.stage.index ? ['version'] : []),
    ...(config.service ? ['service'] : []),
  ]);
  const diff = e.changed ?? (await changedFiles(deps, productionSha, req.sha, productionCompare));
  // With services, the service's own paths (and the protected ones) are its risk (§20).
  const files = serviceFiles(config, diff.files);
  const incomplete = diff.incomplete;
  const assessment = compileRiskRules(config).classify(files, { incompleteReason: incomplete });
  const incidents = await incidentsOf(deps, config, stage);
  const { approvals, pulls, roles } = await approvalsOf(deps, {
    needed: approvalsMatter({
      risk: assessment.risk,
      currentSha: productionSha,
      config,
      incidentCount: incidents.length,
      degraded: deps.degraded,
      stageApprovals: stage.approvals,
      rolledBack: early.lifecycle === 'rolled_back',
      adopted,
    }),
    sha: req.sha,
    config,
    compare: productionSha ? productionCompare : null,
    notes,
  });
  const decision = decide({
    ...early,
    config,
    risk: assessment,
    approvals,
    pulls,
    history: historyForRules(release),
    incidents,
    degraded: deps.degraded,
    now: deps.now(),
    rolledBackAt: e.entry?.rolled_back_at ?? null,
    breakGlass: req.breakGlass ?? null,
    adopted,
    deployWorkflow,
    ...(req.waitingFor ? { waitingFor: req.waitingFor } : {}),
  });
  const version =
    decision.outcome === 'ALLOW'
      ? await versionOf(deps, {
          config,
          at: { whole, pipeline, stage },
          versionedHere: versioning?.stage.name === stage.name,
          sha: req.sha,
          current: productionSha,
          compare: productionCompare,
          notes,
        })
      : null;
  return {
    decision,
    assessment,
    approvals,
    diff: { files: files.length, digest: diffDigest(files) },
    roles,
    version,
    range: rangeOf(productionCompare),
  };
}

export async function evaluate(
  deps: GovernorDeps,
  req: DecideRequest,
  known?: Known,
): Promise<Evaluated> {
  const notes: string[] = [];
  const snapshot = known?.snapshot ?? (await deps.store.read(req.sha));
  const release = snapshot.release;
  const whole = snapshot.pipeline ?? release;
  // The policy is production's (the last stage's), whichever stage is decided.
  const policySha = policyShaOf(whole);
  // The read without the snapshot it may have come with: that state is used once, here. With
  // services, the config of the service this store presents (§20).
  const cfg: ConfigRead = forService(
    known && readFits(known, policySha, req.sha)
      ? withoutSnapshot(known)
      : await readConfig(deps, policySha, req.sha),
    deps.store.target?.service ?? null,
  );
  const productionSha = release.production_sha_current;
  const pipeline = cfg.config ? pipelineOf(cfg.config) : null;
  const stage = pipeline
    ? (findStage(pipeline, deps.store.target?.stage ?? '') ?? lastStage(pipeline))
    : null;
  const config = cfg.config && pipeline && stage ? stageConfig(cfg.config, pipeline, stage) : null;
  const common = { snapshot, productionSha, notes, read: cfg, roles: {} };
  const unjudged = { assessment: null, approvals: null, diff: null, version: null };

  if (cfg.disabled || !cfg.config || !config) {
    const off = decideEarly({
      enabled: false,
      sha: req.sha,
      lifecycle: null,
      currentSha: productionSha,
      currentCompare: null,
      inFlight: null,
      manual: req.manual,
      verified: true,
    })!;
    return {
      kind: 'off',
      ...common,
      ...unjudged,
      config,
      full: cfg.config,
      pipeline,
      stage,
      ownClaim: null,
      foundRun: null,
      artifactsFound: [],
      decision: cfg.why ? { ...off, summary: cfg.why } : off,
    };
  }
  const at: Judging = {
    deps,
    req,
    config,
    pipeline: pipeline!,
    stage: stage!,
    whole,
    release,
    notes,
  };
  const e = await earlyFacts(at);
  const on = {
    ...common,
    config,
    full: cfg.config,
    pipeline: pipeline!,
    stage: stage!,
    ownClaim: e.ownClaim,
    foundRun: e.foundRun,
    artifactsFound: e.artifactsFound,
    readiness: e.readiness ?? null,
  };
  const earlyDecision = decideEarly(e.early);
  if (earlyDecision) return { kind: 'settled', ...on, ...unjudged, decision: earlyDecision };
  return { kind: 'judged', ...on, ...(await judge(at, { e, adopted: cfg.adopted })) };
}

/** The evidence of a decision (SPEC §17): the verdict and everything it was judged on. */
export function decisionEvidence(ev: Evaluated, req: DecideRequest): Record<string, unknown> {
  const d = ev.decision;
  const a = ev.approvals;
  return {
    outcome: d.outcome,
    reason: d.reason,
    risk: d.risk,
    rules: d.rules.map((r) => ({ rule: r.rule, verdict: r.verdict, detail: r.detail })),
    production_sha: ev.productionSha,
    policy: {
      path: ev.full?.config_path ?? null,
      commit: ev.read.configRef,
      blob_sha: ev.read.blobSha ?? null,
    },
    diff: ev.diff,
    // The deployed range (§23): each commit and its time; past what the compare lists, the count.
    ...(ev.kind === 'judged' && ev.range
      ? {
          range: {
            commits: ev.range.commits,
            total: ev.range.total,
            complete: ev.range.total <= ev.range.commits.length,
          },
        }
      : {}),
    approvals: [
      ...(a?.valid ?? []).map((x) => ({
        source: x.source,
        actor: x.actor,
        role: x.actor ? (ev.roles[x.actor] ?? null) : null,
        time: x.at,
        pull: x.pull,
        valid: true,
        covers: x.covers,
      })),
      ...(a?.ignored ?? []).map((x) => ({
        source: x.source,
        actor: x.actor,
        role: x.actor ? (ev.roles[x.actor] ?? null) : null,
        pull: x.pull,
        valid: false,
        why: x.detail,
      })),
    ],
    verification: req.verification ?? null,
    ...(ev.readiness ? { readiness: readinessEvidence(ev.readiness) } : {}),
    required_artifacts: ev.artifactsFound.map((a) => ({
      name: a.name,
      id: a.id,
      size: a.size,
      digest: a.digest,
    })),
    ...(req.breakGlass ? { break_glass: { ...req.breakGlass, bypassed: d.bypassed ?? [] } } : {}),
  };
}

/** What the readiness gates saw (§22): each gate's figure, and every file read with its sha256. */
function readinessEvidence(r: ReadinessRead): Record<string, unknown> {
  const { fresh, thresholds, blockers } = r.facts;
  return {
    ...(fresh ? { verification_age: fresh } : {}),
    ...(thresholds
      ? {
          thresholds: thresholds.map((t) => ({
            artifact: t.artifact,
            file: t.file,
            value: t.pointer,
            bound: t.bound,
            found: t.found,
            verdict: t.pass ? 'pass' : 'fail',
            ...(t.why ? { why: t.why } : {}),
          })),
        }
      : {}),
    ...(blockers ? { release_blockers: blockers.open.map((b) => b.number) } : {}),
    files: r.files,
  };
}

export function evaluationRecord(deps: GovernorDeps, ev: Evaluated, sha: string): DecisionRecord {
  return recordEvaluation(
    ev.snapshot.decision,
    {
      sha,
      decision: ev.decision,
      productionSha: ev.productionSha,
      assessment: ev.assessment,
      approvals: ev.approvals,
    },
    {
      runId: deps.run.id,
      runAttempt: deps.run.attempt,
      now: deps.now(),
      configDigest: ev.config ? configDigest(ev.config) : null,
      source: deps.run.source,
    },
  );
}

/**
 * The report of a decision, built from the evaluation; `extra` adds what carrying it out
 * established (the state commit, the deploy run, the banner) and what the steps said.
 */
export function reportOf(
  deps: GovernorDeps,
  ev: Evaluated,
  sha: string,
  extra: { said?: Remarks } & Partial<RunReport> = {},
): RunReport {
  const { said, ...over } = extra;
  return buildReport({
    outcome: ev.decision.outcome,
    reason: ev.decision.reason,
    sha,
    productionSha: ev.productionSha,
    risk: ev.decision.risk,
    headline: ev.decision.summary,
    decision: ev.decision,
    assessment: ev.assessment,
    approvals: ev.approvals,
    notes: [...ev.notes, ...(said?.notes ?? [])],
    // A misspelt block silently turns the governor off: say it loudly.
    warnings: [
      ...(ev.read.disabled && ev.read.typo && ev.read.why ? [ev.read.why] : []),
      ...(ev.full ? configWarnings(ev.full) : []),
      ...(said?.warnings ?? []),
    ],
    runUrl: deps.run.url,
    dryRun: deps.dryRun,
    environmentName: ev.config?.production_environment_name ?? 'production',
    releaseBranch: ev.config?.branch ?? null,
    stage: ev.stage?.name ?? null,
    version: ev.version?.tag ?? null,
    versionWhy: ev.version?.plan?.why ?? null,
    readiness: ev.readiness?.facts ?? null,
    banner: null,
    pipeline: ev.pipeline?.configured
      ? pipelineRows(ev.snapshot.pipeline ?? ev.snapshot.release, ev.pipeline)
      : null,
    ...over,
  });
}
