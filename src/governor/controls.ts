// Operator controls (SPEC §16): break-glass deploys and manual rollbacks. Both are asked for by a
// person through workflow_dispatch (or the CLI), both check that person's role before anything is
// written, and both go through the same rules engine and claim protocol as every decision.
import { policyShaOf } from '../domain/state.js';
import { hasRole } from '../domain/approvals.js';
import { lastStage, pipelineOf, stageContext } from '../domain/pipeline.js';
import {
  claimRollback,
  decisionPath,
  healthyTarget,
  RELEASE_FILE,
  rollbackOf,
  serialize,
  withLifecycle,
  withNote,
  type Release,
} from '../domain/state.js';
import { isFullSha, shortSha } from '../domain/types.js';
import { buildReport, type RunReport } from '../report/summary.js';
import { decideAndAct } from './act.js';
import { dispatchRollback } from './verify.js';
import {
  claimedBy,
  evidence,
  GovernorError,
  publishStatus,
  writeState,
  type GovernorDeps,
  Remarks,
} from './deps.js';
import { forService, readConfig, type ConfigRead } from './policy.js';
import { layoutOf } from './services.js';
import type { Config } from '../domain/config.js';
import { namedStage, sameView, stageDeps } from './stages.js';

/** The exact text the `break-glass` input must hold. */
export const BREAK_GLASS_TEXT = 'DEPLOY-NOW';

const NOTHING = 'Nothing was dispatched or written.';

export interface BreakGlassRequest {
  sha: string;
  /** The `break-glass` input as typed. */
  text: string;
  reason: string;
  /** Who dispatched: triggering_actor, else sender. */
  actor: string | null;
  stage?: string;
  /** Services (§20): the service to deploy (required with services). */
  service?: string;
}

/**
 * Services (§20): an operator's command acts on one named service — its config, and a store
 * presenting its last stage. Without services the governor unchanged (a service named is an
 * error).
 */
function forNamedService(
  deps: GovernorDeps,
  config: Config,
  { service, what }: { service: string | undefined; what: string },
): { deps: GovernorDeps; config: Config } {
  if (!config.services) {
    if (service)
      throw new GovernorError(
        `The service input is ${JSON.stringify(service)}, but the policy in force has no services: the repository is one deployable. ${NOTHING}`,
      );
    return { deps, config };
  }
  if (!service)
    throw new GovernorError(
      `With services, ${what} names the service it is for: set the service input to one of ${config.services.map((s) => s.name).join(', ')}. ${NOTHING}`,
    );
  const own = forService({ config } as ConfigRead, service).config!;
  const layout = layoutOf(config);
  deps.store.useServices(layout);
  const last = layout.find((l) => l.name === service)!.lastStage;
  const store = deps.store.forTarget({ service, stage: last, isLast: true });
  return { deps: { ...deps, store }, config: own };
}

/** The trusted policy, read at production's SHA (or the SHA, before a first deploy). */
async function policy(deps: GovernorDeps, sha: string | null) {
  const snapshot = await deps.store.read(sha ?? undefined);
  const production = policyShaOf(snapshot.pipeline ?? snapshot.release);
  const read = await readConfig(deps, production, sha ?? deps.defaultBranch);
  return { snapshot, read };
}

async function mustHaveRole(
  deps: GovernorDeps,
  actor: string | null,
  need: { minimum: 'write' | 'maintain' | 'admin'; what: string; key: string },
): Promise<string> {
  const { minimum, what, key } = need;
  if (!actor)
    throw new GovernorError(
      `${what} needs to know who asked (triggering_actor or sender), and the event names nobody. ${NOTHING}`,
    );
  const person = await deps.gh.person(actor);
  if (!hasRole(person, minimum))
    throw new GovernorError(
      `@${actor} may not ${what}: it needs ${minimum} access or higher (${key}), and never a bot; @${actor} has ${person.isBot ? 'a bot account' : `${person.role ?? 'no'} access`}. ${NOTHING}`,
      `Ask someone with ${minimum} access on the repository to run it.`,
    );
  return actor;
}

/**
 * A break-glass deploy: exactly `DEPLOY-NOW`, a reason, and a person with
 * `break_glass_permission`; then the rules, with the soft and wait holds bypassed and recorded.
 */
export async function breakGlass(deps: GovernorDeps, req: BreakGlassRequest): Promise<RunReport> {
  if (req.text !== BREAK_GLASS_TEXT)
    throw new GovernorError(
      `The break-glass input must be exactly ${BREAK_GLASS_TEXT}; got ${JSON.stringify(req.text.slice(0, 40))}. ${NOTHING}`,
      `Type ${BREAK_GLASS_TEXT} (in capitals) to confirm a deploy that bypasses the holds, with a reason.`,
    );
  if (!req.reason.trim())
    throw new GovernorError(
      `A break-glass deploy needs a reason (the reason input): it goes into the issue and the record. ${NOTHING}`,
    );
  if (!isFullSha(req.sha))
    throw new GovernorError(`${JSON.stringify(req.sha)} is not a full 40-character SHA.`);
  const { snapshot, read } = await policy(deps, req.sha);
  if (read.config && !read.disabled) {
    forNamedService(deps, read.config, { service: req.service, what: 'a break-glass deploy' });
    await mustHaveRole(deps, req.actor, {
      minimum: read.config.break_glass_permission,
      what: 'break the glass',
      key: 'break_glass_permission',
    });
  }
  return decideAndAct(
    deps,
    {
      sha: req.sha,
      manual: true,
      ...(req.stage ? { stage: req.stage } : {}),
      ...(req.service ? { service: req.service } : {}),
      breakGlass: { actor: req.actor ?? '', reason: req.reason.trim() },
    },
    { ...read, snapshot },
  );
}

export interface RollbackRequest {
  reason: string;
  actor: string | null;
  /** Default: the last stage. */
  stage?: string;
  /** Default: the stage's last SHA whose deploy and health check passed. */
  sha?: string;
  /** Services (§20): the service to roll back (required with services). */
  service?: string;
}

const TAG_NAME = /^[A-Za-z0-9_][A-Za-z0-9._/-]*$/;

/**
 * The SHA a version tag names (§18: `rollback --to v1.4.1`): the stage's own record of the
 * version, else the tag itself (dereferenced to its commit).
 */
async function tagged(
  deps: GovernorDeps,
  release: Release,
  name: string,
  stage: string,
): Promise<string> {
  const recorded = release.deploy_history.find((h) => h.version === name)?.sha;
  if (recorded) return recorded;
  const sha = await deps.gh.tagTarget(name);
  if (!sha)
    throw new GovernorError(
      `${name} is not a tag of this repository, and no deploy to ${stage} was versioned ${name}. ${NOTHING}`,
    );
  return sha;
}

/**
 * Where a rollback of the stage goes: a rollback already claimed from what it runs, else the
 * SHA or tag named, else the newest earlier SHA whose deploy (and health check) passed — which
 * must have run there successfully and be an ancestor of what the stage runs.
 */
async function rollbackTarget(
  deps: GovernorDeps,
  { release, stage, req }: { release: Release; stage: string; req: RollbackRequest },
): Promise<string> {
  const current = release.production_sha_current!;
  const existing = rollbackOf(release, current);
  if (existing) return existing.sha;
  const named =
    req.sha === undefined || isFullSha(req.sha)
      ? req.sha
      : await tagged(deps, release, req.sha, stage);
  const target = named ?? healthyTarget(release, current);
  if (!target)
    throw new GovernorError(
      `${stage} has no earlier SHA whose deploy (and health check) passed: name one with the sha input. ${NOTHING}`,
    );
  if (target === current)
    throw new GovernorError(`${stage} already runs ${shortSha(target)}. ${NOTHING}`);
  if (!release.deploy_history.some((h) => h.sha === target && h.result === 'success'))
    throw new GovernorError(
      `${shortSha(target)} was never deployed successfully to ${stage}: a rollback returns only to a SHA that ran there. ${NOTHING}`,
    );
  const status = (await deps.gh.compare(target, current)).status;
  if (status !== 'ahead')
    throw new GovernorError(
      `${shortSha(target)} is not an ancestor of ${shortSha(current)}, which ${stage} runs (compare: ${status}): a rollback goes back along the line. ${NOTHING}`,
    );
  return target;
}

/**
 * Claims the rollback on the state branch (once: a rollback already claimed from `current` is
 * taken as it is). Returns the rollback entry that stands, and the state commit written.
 */
async function claimRollbackOnce(
  sd: GovernorDeps,
  {
    stage,
    current,
    target,
    actor,
    reason,
    keepDays,
  }: {
    stage: string;
    current: string;
    target: string;
    actor: string;
    reason: string;
    /** evidence_retention_days of the policy. */
    keepDays: number;
  },
): Promise<{ rb: NonNullable<ReturnType<typeof rollbackOf>>; head: string | null }> {
  let claimedRelease: Release | null = null;
  const written = await writeState(
    sd,
    current,
    (s) => {
      if (rollbackOf(s.release, current)) return null;
      if (s.release.production_sha_current !== current) return null;
      const release = claimRollback(s.release, current, target, sd.now(), claimedBy(sd));
      claimedRelease = release;
      const note = {
        at: sd.now().toISOString(),
        action: 'rollback',
        by: actor,
        reason,
        detail: `${stage} rolled back from ${current} to ${target}`,
      };
      const record = withNote(
        s.decision ? withLifecycle(s.decision, { state: 'rolled_back' }) : null,
        current,
        current,
        note,
      );
      return {
        files: {
          [RELEASE_FILE]: serialize(release),
          [decisionPath(current)]: serialize(record),
          ...evidence(
            sd,
            { kind: 'rollback', sha: current, keepDays },
            {
              trigger: 'manual',
              from: current,
              to: target,
              actor,
              reason,
            },
          ),
        },
        message: `rollback ${stage} from ${shortSha(current)} to ${shortSha(target)} by @${actor}: ${reason.slice(0, 100)}`,
      };
    },
    undefined,
  );
  // What this run wrote is the state; else someone else's claim (or a move) is read.
  const after: Release =
    written && claimedRelease ? claimedRelease : (await sd.store.read()).release;
  const rb = rollbackOf(after, current);
  if (!rb)
    throw new GovernorError(
      `${stage} moved on while the rollback was being claimed (it now runs ${shortSha(after.production_sha_current ?? '')}). ${NOTHING}`,
      'Look at the state, then ask again.',
    );
  return { rb, head: written?.head ?? null };
}

/**
 * Who rolls back what: the actor (an approver), the service (with services) and its stage (the
 * last unless named), with that stage's deps and context.
 */
async function rollbackScope(deps: GovernorDeps, policy: Config, req: RollbackRequest) {
  const { deps: on, config } = forNamedService(deps, policy, {
    service: req.service,
    what: 'a rollback',
  });
  const actor = await mustHaveRole(deps, req.actor, {
    minimum: config.approver_permission,
    what: 'roll back',
    key: 'approver_permission: rollbacks are for approvers',
  });
  const pipeline = pipelineOf(config);
  const stage = req.stage ? namedStage(pipeline, req.stage) : lastStage(pipeline);
  const ctx = stageContext(config, pipeline, stage);
  return { config, actor, stage, sd: stageDeps(on, stage), ctx };
}

/**
 * A manual rollback of a stage, by a valid approver: to a SHA deployed there successfully before
 * and an ancestor of what it runs; claimed and dispatched exactly once; the SHA rolled back from
 * is then held there (previously_rolled_back).
 */
export async function manualRollback(deps: GovernorDeps, req: RollbackRequest): Promise<RunReport> {
  if (!req.reason.trim())
    throw new GovernorError(
      `A rollback needs a reason (the reason input): it goes into the record. ${NOTHING}`,
    );
  if (req.sha !== undefined && !isFullSha(req.sha) && !TAG_NAME.test(req.sha))
    throw new GovernorError(
      `${JSON.stringify(req.sha)} is neither a full 40-character SHA nor a tag name.`,
    );
  const { read, snapshot } = await policy(deps, null);
  if (!read.config || read.disabled)
    throw new GovernorError(
      `The governor is off for this repository: ${read.why ?? ''} ${NOTHING}`,
    );
  const { config, actor, stage, sd, ctx } = await rollbackScope(deps, read.config, req);
  // The last stage is the view the policy's read presented: no second read for it (a service's
  // view is another one).
  const first =
    (config.service ? undefined : sameView(deps, stage, snapshot)) ?? (await sd.store.read());
  const current = first.release.production_sha_current;
  if (!current)
    throw new GovernorError(
      `${stage.name} runs nothing yet: there is nothing to roll back. ${NOTHING}`,
    );
  const target = await rollbackTarget(deps, { release: first.release, stage: stage.name, req });
  const said = new Remarks();
  const report = (over: Partial<RunReport>) =>
    buildReport({
      outcome: 'ROLLBACK',
      reason: 'manual_rollback',
      sha: target,
      productionSha: current,
      stage: stage.name,
      service: config.service?.name ?? null,
      runUrl: deps.run.url,
      dryRun: deps.dryRun,
      environmentName: stage.name,
      ...over,
      notes: said.notes,
      warnings: said.warnings,
    });
  if (deps.dryRun)
    return report({
      headline: `Dry run: would roll ${stage.name} back from ${shortSha(current)} to ${shortSha(target)}.`,
    });
  const { rb, head } = await claimRollbackOnce(sd, {
    stage: stage.name,
    current,
    target,
    actor,
    reason: req.reason.trim(),
    keepDays: config.evidence_retention_days,
  });
  const runUrl = await dispatchRollback(sd, ctx, rb, said);
  if (runUrl !== null && rb.run_id === null)
    await publishStatus(
      said,
      sd,
      current,
      'failure',
      `Rolled back from ${stage.name} by @${actor}`.slice(0, 140),
      runUrl,
      ctx.config.status_context,
    );
  return report({
    sha: rb.sha,
    stateCommit: head,
    deployRunUrl: runUrl,
    headline: `ROLLBACK of ${stage.name} from ${shortSha(current)} to ${shortSha(rb.sha)} by @${actor}: ${req.reason.trim()}.`,
  });
}
