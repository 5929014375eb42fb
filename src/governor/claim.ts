// The exactly-once steps an ALLOW shares, one deployable or several (services.ts): what a
// claim records, the dispatch (found again when its response is lost), the run recorded, and
// the claim withdrawn when GitHub refused the dispatch.

import type { Config } from '../domain/config.js';
import type { StageContext } from '../domain/pipeline.js';
import {
  claim,
  decisionPath,
  markDispatched,
  RELEASE_FILE,
  releaseClaim,
  serialize,
  withLifecycle,
  type DecisionRecord,
  type Release,
} from '../domain/state.js';
import { shortSha } from '../domain/types.js';
import type { VersionPlan } from '../domain/version.js';
import { isUnanswered } from '../adapters/api-error.js';
import type { StateSnapshot } from '../ports.js';
import { CLAIM_GRACE_MS, claimedBy, GovernorError, writeState, type GovernorDeps } from './deps.js';
import {
  evaluationRecord,
  type DecideRequest,
  type EvaluatedEarly,
  type EvaluatedJudged,
} from './facts.js';

/** Withdraws this run's claim: nothing was started, so a re-run after the fix decides afresh. */
export async function withdrawClaim(
  deps: GovernorDeps,
  sha: string,
  why: string,
  claimed: StateSnapshot,
): Promise<void> {
  await writeState(
    deps,
    sha,
    (s2) => {
      const release = releaseClaim(s2.release, sha, claimedBy(deps));
      if (release === s2.release) return null;
      const record = s2.decision
        ? withLifecycle(s2.decision, { state: null, claimed_at: null })
        : null;
      return {
        files: {
          [RELEASE_FILE]: serialize(release),
          ...(record ? { [decisionPath(sha)]: serialize(record) } : {}),
        },
        message: `release ${shortSha(sha)}: ${why}`,
      };
    },
    claimed,
  );
}

/** The decision record of a versioned release keeps how its version was counted (§18). */
export function withVersion(record: DecisionRecord, plan: VersionPlan | null): DecisionRecord {
  if (!plan) return record;
  return {
    ...record,
    version: {
      tag: plan.tag,
      previous: plan.previous,
      bump: plan.bump,
      why: plan.why,
      pulls: plan.pulls,
      capped: plan.capped ?? false,
    },
  };
}

/** The decision record keeps who broke the glass, why, and what it bypassed. */
export function withBreakGlass(
  record: DecisionRecord,
  req: DecideRequest,
  bypassed: string[] | undefined,
  deps: GovernorDeps,
): DecisionRecord {
  if (!req.breakGlass) return record;
  return {
    ...record,
    break_glass: {
      actor: req.breakGlass.actor,
      reason: req.breakGlass.reason,
      bypassed: bypassed ?? [],
      at: deps.now().toISOString(),
      run_url: deps.run.url,
    },
  };
}

/** Dispatch, then make sure we know the run: from the response, or by finding it. */
export async function dispatchOnce(
  deps: GovernorDeps,
  config: Config,
  what: { sha: string; environment: string | null; version?: string | null },
): Promise<{ id: number; url: string }> {
  const { sha, environment, version = null } = what;
  let direct: { runId: number; url: string } | null = null;
  try {
    direct = await deps.gh.dispatch(
      config.deploy_workflow,
      config.deploy_workflow_ref,
      sha,
      environment,
      version,
      config.service?.name ?? null,
    );
  } catch (e) {
    // A 5xx or a broken connection may come after GitHub created the run: look before anything
    // else. Refused, or not GitHub's answer at all: nothing to look for.
    if (!isUnanswered(e)) throw e;
    deps.log(`The dispatch response was lost (${(e as Error).message}); looking for the run.`);
  }
  if (direct) return { id: direct.runId, url: direct.url };
  for (let i = 0; i < 5; i++) {
    const runs = await deps.gh.findDeployRuns(
      config.deploy_workflow,
      sha,
      environment,
      config.service?.name ?? null,
    );
    const newest = runs.sort((a, b) => b.id - a.id)[0];
    if (newest) return { id: newest.id, url: newest.url };
    // GitHub lists a dispatched run within seconds: 1, 2, … 5 s apart by default.
    await deps.sleep(2 * deps.retryBaseMs * (i + 1));
  }
  throw new GovernorError(
    `Dispatched ${config.deploy_workflow} for ${shortSha(sha)}${environment ? ` to ${environment}` : ''} but could not find its run (no run titled with the SHA${environment ? ' and the environment' : ''}).`,
    `The claim stays on the state branch, so nothing is dispatched twice. Check the Actions tab for a run of ${config.deploy_workflow}; its run-name must contain the SHA (run-name: Deploy \${{ inputs.sha }}). Re-running the governor after ${CLAIM_GRACE_MS / 60_000} minutes takes the claim over if no run exists.`,
  );
}

export async function recordDispatched(
  deps: GovernorDeps,
  sha: string,
  run: { id: number; url: string; deploymentId?: number | null },
  first?: StateSnapshot,
): Promise<string | null> {
  const { id: runId, url } = run;
  const deploymentId = run.deploymentId ?? null;
  const written = await writeState(
    deps,
    sha,
    (snap) => {
      const entry = snap.release.deploy_history.find((h) => h.sha === sha);
      const known = entry?.deployment_id ?? null;
      if (!entry || (entry.run_id === runId && (deploymentId === null || known === deploymentId)))
        return null;
      const record = snap.decision
        ? withLifecycle(snap.decision, {
            state: 'dispatched',
            dispatched_at: deps.now().toISOString(),
            run_id: runId,
            run_url: url,
          })
        : null;
      return {
        files: {
          [RELEASE_FILE]: serialize(markDispatched(snap.release, sha, runId, url, deploymentId)),
          ...(record ? { [decisionPath(sha)]: serialize(record) } : {}),
        },
        message: `dispatched ${shortSha(sha)}: run ${runId}`,
      };
    },
    first,
  );
  return written?.head ?? null;
}

/**
 * What a claim writes (§8): the SHA's record, claimed (with who broke the glass and how the
 * version was counted), and the stage's state with the claim on top.
 */
export function claimed(
  deps: GovernorDeps,
  ev: EvaluatedEarly | EvaluatedJudged,
  req: DecideRequest,
): { record: DecisionRecord; release: Release } {
  const record = withVersion(
    withLifecycle(
      withBreakGlass(evaluationRecord(deps, ev, req.sha), req, ev.decision.bypassed, deps),
      { state: 'claimed', claimed_at: deps.now().toISOString() },
    ),
    ev.version?.plan ?? null,
  );
  const range = ev.kind === 'judged' ? ev.range : null;
  const release = claim(ev.snapshot.release, req.sha, deps.now(), claimedBy(deps), {
    version: ev.version?.tag ?? null,
    ...(range
      ? {
          commitTimes: range.commits.flatMap((c) => (c.time ? [c.time] : [])),
          commits: range.total,
        }
      : {}),
    breakGlass: !!req.breakGlass,
  });
  return { record, release };
}

/** The stage an evaluation is on, as the steps that act on it take it. */
export function contextOf(ev: EvaluatedEarly | EvaluatedJudged): StageContext {
  return {
    stage: ev.stage,
    config: ev.config,
    environment: ev.pipeline.configured ? ev.stage.environment : null,
  };
}
