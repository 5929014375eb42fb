// Carry an ALLOW out exactly once: claim on the state branch, dispatch, record the run; a HOLD
// is recorded and published. A lost race decides again from fresh state.
import { policyShaOf } from '../domain/state.js';
import { noticeEdits } from '../report/notice.js';
import { noticeApproveLine, unblockSteps } from '../report/unblock.js';
import type { Config } from '../domain/config.js';
import { decisionPath, RELEASE_FILE, serialize } from '../domain/state.js';
import { isFullSha, shortSha } from '../domain/types.js';
import { isRefused } from '../adapters/api-error.js';
import type { StateSnapshot, WriteResult } from '../ports.js';
import {
  approvalCount,
  buildReport,
  statusDescription,
  type RunReport,
} from '../report/summary.js';
import {
  MAX_WRITE_ATTEMPTS,
  type GovernorDeps,
  GovernorError,
  bestEffort,
  evidence,
  claimedBy,
  publishStatus,
  backoff,
  Remarks,
  UnconfirmedWrites,
  writeState,
} from './deps.js';
import { pipelineOf } from '../domain/pipeline.js';
import {
  type DecideRequest,
  type EvaluatedEarly,
  type EvaluatedJudged,
  type Known,
  decisionEvidence,
  evaluate,
  evaluationRecord,
  reportOf,
} from './facts.js';
import { forService, readConfig } from './policy.js';
import { decideServices } from './services.js';
import { firstNotPassed, namedStage, sameView, stageDeps } from './stages.js';
import { ensureTag } from './versions.js';
import { claimed, contextOf, dispatchOnce, recordDispatched, withdrawClaim } from './claim.js';
import { openDeployment } from './deployments.js';

/**
 * The governor as seen from the stage the request is about, with what is already known kept
 * when it is that stage's (the snapshot of another stage's view is not).
 */
async function onStage(
  deps: GovernorDeps,
  req: DecideRequest,
  first: Known,
): Promise<{ deps: GovernorDeps; known?: Known }> {
  const known = forService(first, deps.store.target?.service ?? null);
  if (!known.config || known.disabled) return { deps, known };
  const pipeline = pipelineOf(known.config);
  const whole = known.snapshot ? (known.snapshot.pipeline ?? known.snapshot.release) : null;
  const stage =
    req.stage !== undefined
      ? namedStage(pipeline, req.stage)
      : (req.manual || req.approval) && whole
        ? firstNotPassed(whole, pipeline, req.sha)
        : pipeline.stages[0]!;
  const sd = stageDeps(deps, stage);
  return { deps: sd, known: { ...known, snapshot: sameView(deps, stage, known.snapshot) } };
}

/** The state and the policy of a decision: what the caller already read, else read here. */
async function knownOf(deps: GovernorDeps, req: DecideRequest, first?: Known): Promise<Known> {
  if (first?.config || first?.disabled) return first;
  const snapshot = first?.snapshot ?? (await deps.store.read(req.sha));
  const production = policyShaOf(snapshot.pipeline ?? snapshot.release);
  return { ...(await readConfig(deps, production, req.sha)), snapshot };
}

export async function decideAndAct(
  root: GovernorDeps,
  req: DecideRequest,
  first?: Known,
): Promise<RunReport> {
  if (!isFullSha(req.sha))
    throw new GovernorError(`${JSON.stringify(req.sha)} is not a full 40-character SHA.`);
  const known0 = await knownOf(root, req, first);
  // Services (§20): one run decides every service the commit affects (governor/services.ts).
  // A store of one service (a promotion, an operator's command) decides that service there,
  // with its dependencies looked at.
  if (known0.config?.services && !known0.disabled)
    return decideServices(
      root,
      { ...req, service: req.service ?? root.store.target?.service ?? null },
      known0,
    );
  if (req.service && !known0.config?.services)
    throw new GovernorError(
      `The service input is ${JSON.stringify(req.service)}, but the policy in force has no services: the repository is one deployable.`,
      'Leave the service input empty, or add `services` to the config (SPEC §20).',
    );
  const on = await onStage(root, req, known0);
  const deps = on.deps;
  let known: Known | undefined = on.known;
  const unconfirmed = new UnconfirmedWrites();
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    const ev = await evaluate(deps, req, known);
    known = ev.read;
    const said = new Remarks();
    if (ev.kind === 'off') return reportOf(deps, ev, req.sha, { said });

    // A claimed SHA whose deploy run exists: record what the claimant could not.
    if (ev.foundRun && !deps.dryRun) {
      const run = ev.foundRun;
      // Its deployment may exist too (the claimant may have died after creating it).
      const deploymentId = await openDeployment(
        deps,
        contextOf(ev),
        { sha: req.sha, run, task: 'deploy', version: ev.version?.tag ?? null, lookFirst: true },
        said,
      );
      await recordDispatched(deps, req.sha, { ...run, deploymentId });
      said.note(`Found deploy run ${run.url} for the earlier claim and recorded it.`);
    }
    if (deps.dryRun || ev.decision.outcome === 'SKIP') return reportOf(deps, ev, req.sha, { said });
    const step: Step = { deps, req, ev, config: ev.config, said };
    if (ev.decision.outcome === 'HOLD') return recordHold(step);

    // ALLOW: claim with a compare-and-swap on the state we decided from. If the branch moved,
    // decide again from fresh state: whoever moved it may have claimed this SHA or a newer one.
    const claimed = await claimOnce(step);
    if (claimed.kind !== 'written') {
      unconfirmed.count(claimed);
      deps.log(
        `Claim of ${shortSha(req.sha)} not confirmed (${claimed.detail}); deciding again from fresh state.`,
      );
      await backoff(deps, attempt);
      continue;
    }
    return dispatchClaimed(step, claimed.snapshot);
  }
  throw new GovernorError(
    `Deciding ${shortSha(req.sha)} lost the race for the state branch ${MAX_WRITE_ATTEMPTS} times. Nothing was deployed.`,
    'Re-run the job.',
  );
}

/** One evaluation on its way to being carried out; `said` takes what the steps have to say. */
interface Step {
  deps: GovernorDeps;
  req: DecideRequest;
  /** Settled early (a hard HOLD) or judged: under a policy, on a stage. */
  ev: EvaluatedEarly | EvaluatedJudged;
  config: Config;
  said: Remarks;
}

/** A HOLD: the decision record and evidence, the pull-request notice, the commit status. */
async function recordHold(step: Step): Promise<RunReport> {
  const { deps, req, ev, config, said } = step;
  const recorded = ev.snapshot.decision?.decision;
  if (req.quiet && recorded?.outcome === 'HOLD' && recorded.reason === ev.decision.reason) {
    said.note(
      `Still HOLD ${ev.decision.reason}, as recorded before: nothing written, no status set.`,
    );
    // An approval that landed and did not count: the notice says why.
    if (req.approval) await noticeHeld(step);
    return reportOf(deps, ev, req.sha, { said });
  }
  const written = await writeState(
    deps,
    req.sha,
    // Built from the freshest record, so a conflict never drops another run's evaluation.
    (snap) => ({
      files: {
        [decisionPath(req.sha)]: serialize(
          evaluationRecord(deps, { ...ev, snapshot: snap }, req.sha),
        ),
        ...evidence(
          deps,
          { kind: 'decision', sha: req.sha, keepDays: config.evidence_retention_days },
          decisionEvidence(ev, req),
        ),
      },
      message: `decide ${shortSha(req.sha)}: HOLD ${ev.decision.reason}`,
    }),
    ev.snapshot,
  );
  const stateCommit = written?.head ?? null;
  // A stage that waits for a soak will go on by itself: pending, not a failure.
  const waiting = ['soaking', 'stage_busy', 'freeze_window', 'waiting_for_dependency'].includes(
    ev.decision.reason,
  );
  await noticeHeld(step);
  await publishStatus(
    said,
    deps,
    req.sha,
    waiting ? 'pending' : 'failure',
    statusDescription(reportOf(deps, ev, req.sha)),
    deps.run.url,
    config.status_context,
  );
  return reportOf(deps, ev, req.sha, { said, stateCommit });
}

/**
 * The claim: release.json names this SHA as claimed, written with a compare-and-swap on the
 * snapshot the decision was made from. Anything but `written` means: decide again.
 */
async function claimOnce({
  deps,
  req,
  ev,
  config,
}: Step): Promise<
  { kind: 'written'; snapshot: StateSnapshot } | Exclude<WriteResult, { kind: 'written' }>
> {
  const snap = ev.snapshot;
  // This run's own claim from an earlier attempt of the job: claimed already.
  if (ev.ownClaim) return { kind: 'written', snapshot: snap };
  const { record, release } = claimed(deps, ev, req);
  const r = await deps.store.write(
    snap,
    {
      [RELEASE_FILE]: serialize(release),
      [decisionPath(req.sha)]: serialize(record),
      ...evidence(
        deps,
        {
          kind: req.breakGlass ? 'break_glass' : 'decision',
          sha: req.sha,
          keepDays: config.evidence_retention_days,
        },
        decisionEvidence(ev, req),
      ),
    },
    `claim ${shortSha(req.sha)}: ALLOW ${ev.decision.reason} (${claimedBy(deps)})`,
  );
  if (r.kind !== 'written') return r;
  // What we just wrote is the state: the next write builds on it without reading it back.
  return { kind: 'written', snapshot: { head: r.head, release, decision: record } };
}

/**
 * After the claim: the version tag (§18) at exactly this SHA, then one dispatch, the run
 * recorded, the status, the notice. A refusal withdraws the claim; an unknown outcome keeps it.
 */
async function dispatchClaimed(step: Step, claimed: StateSnapshot): Promise<RunReport> {
  const { deps, req, ev, config, said } = step;
  const stage = ev.stage?.name ?? config.production_environment_name;
  // A name taken by another commit withdraws the claim and fails the job.
  const plan = ev.version?.plan;
  if (plan) {
    try {
      await ensureTag(deps, plan, req.sha, stage);
    } catch (e) {
      if (e instanceof GovernorError || isRefused(e))
        await withdrawClaim(deps, req.sha, `tag ${plan.tag} not created`, claimed);
      throw e;
    }
    said.note(
      plan.existing
        ? `Version ${plan.tag}: the tag exists at this commit already (${plan.why}).`
        : `Tagged ${plan.tag} at ${shortSha(req.sha)}: ${plan.why}.`,
    );
  }
  let run: { id: number; url: string };
  try {
    run = await dispatchOnce(deps, config, {
      sha: req.sha,
      environment: ev.pipeline?.configured ? ev.stage!.environment : null,
      version: ev.version?.tag ?? null,
    });
  } catch (e) {
    // GitHub refused the dispatch outright (403, 404, 422): nothing started, so the claim is
    // withdrawn and a re-run after the fix decides afresh. An unknown outcome keeps the claim.
    if (isRefused(e))
      await withdrawClaim(deps, req.sha, `dispatch refused (HTTP ${e.status})`, claimed);
    throw e;
  }
  // The deployment of this exact SHA (§21): after the claim, recorded with the run.
  const deploymentId = await openDeployment(
    deps,
    contextOf(ev),
    {
      sha: req.sha,
      run,
      task: 'deploy',
      version: ev.version?.tag ?? null,
      lookFirst: ev.ownClaim !== null,
    },
    said,
  );
  const recorded = await recordDispatched(deps, req.sha, { ...run, deploymentId }, claimed);
  await publishStatus(
    said,
    deps,
    req.sha,
    'success',
    statusDescription(reportOf(deps, ev, req.sha)),
    run.url,
    config.status_context,
  );
  await noticeApproved(step, { sha: req.sha, runUrl: run.url });
  const banner = req.breakGlass
    ? await announceBreakGlass(step, {
        bypassed: ev.decision.bypassed ?? [],
        runUrl: run.url,
        stage,
      })
    : null;
  const dispatched = reportOf(deps, ev, req.sha, {
    said,
    stateCommit: recorded ?? claimed.head,
    deployRunUrl: run.url,
    banner,
  });
  // The pipeline table shows the dispatch in flight on its stage.
  const pipeline =
    dispatched.pipeline?.map((r) =>
      r.stage === ev.stage?.name ? { ...r, inFlight: { sha: req.sha, runUrl: run.url } } : r,
    ) ?? null;
  return buildReport({ ...dispatched, pipeline });
}

/** A notice is a courtesy: whatever goes wrong with it is a warning, never a failed decision. */
async function softly(said: Remarks, what: string, call: () => Promise<unknown>) {
  try {
    await call();
  } catch (e) {
    said.warn(`${what} could not be written: ${(e as Error).message}`);
  }
}

/**
 * A soft HOLD asks the people who can clear it: one comment on each merged pull request whose
 * paths need approval, edited in place on each re-evaluation (notify_pull_requests).
 */
async function noticeHeld({ deps, req, ev, config, said }: Step): Promise<void> {
  const sha = req.sha;
  const u = ev.decision.unblock;
  if (!config.notify_pull_requests || u?.kind !== 'soft') return;
  const approvals = ev.approvals;
  const steps = unblockSteps(u, {
    runUrl: deps.run.url,
    environmentName: config.production_environment_name,
  });
  for (const pr of u.pulls.slice(0, 10)) {
    const paths = pr.paths.slice(0, 10).map((p) => `\`${p}\``);
    const more = pr.paths.length > 10 ? ` and ${pr.paths.length - 10} more` : '';
    const who = [
      `${config.approver_permission} access or higher`,
      config.approvers.length ? `one of ${config.approvers.join(', ')}` : null,
      config.prevent_self_approval ? 'not the author of this pull request' : null,
    ]
      .filter(Boolean)
      .join(', ');
    const body = [
      `**Release Governor: the deploy of \`${shortSha(sha)}\` is held** (\`${u.reason}\`, risk ${ev.decision.risk ?? '—'}).`,
      '',
      `This pull request changed paths that need an approval: ${paths.join(', ')}${more}.`,
      '',
      `${noticeApproveLine(steps, pr.number)} An approver needs ${who}.${approvals && approvals.required > 1 ? ` Each path needs ${approvals.required} distinct approvers; ${approvalCount(approvals)} so far.` : ''} The governor then deploys by itself.`,
      '',
      ...ignoredHere(approvals, pr.number),
      deps.run.url ? `[The governor run](${deps.run.url})` : '',
    ].join('\n');
    await softly(said, `the notice on #${pr.number}`, () =>
      postNotice(deps, pr.number, { sha, state: 'held', body, create: true }),
    );
  }
}

/** Puts a pull request's notice in its state, superseding the older held notices there. */
async function postNotice(
  deps: GovernorDeps,
  pull: number,
  notice: Parameters<typeof noticeEdits>[1],
): Promise<void> {
  const edits = noticeEdits(await deps.gh.comments(pull), notice);
  for (const old of edits.superseded) await deps.gh.writeComment(pull, old.id, old.body);
  if (edits.write) await deps.gh.writeComment(pull, edits.write.id, edits.write.body);
}

/** The approvals on this pull request that did not count, and why (for its notice). */
function ignoredHere(approvals: RunReport['approvals'], pull: number): string[] {
  const here = (approvals?.ignored ?? []).filter((a) => a.pull === pull);
  if (here.length === 0) return [];
  return ['Not counted:', ...here.slice(0, 5).map((a) => `- ${a.detail}`), ''];
}

/** The hold cleared: the notices that asked for it say who approved and that it deploys. */
async function noticeApproved(
  { deps, ev, config, said }: Step,
  deploy: { sha: string; runUrl: string },
): Promise<void> {
  const { sha, runUrl } = deploy;
  if (!config.notify_pull_requests || !ev.approvals) return;
  const byPull = new Map<number, string[]>();
  for (const a of ev.approvals.valid)
    if (a.pull !== null && a.actor) byPull.set(a.pull, [...(byPull.get(a.pull) ?? []), a.actor]);
  for (const [pull, actors] of byPull) {
    const body = `**Release Governor: approved by ${[...new Set(actors)].map((a) => `@${a}`).join(', ')}; deploying \`${shortSha(sha)}\`**: ${runUrl}`;
    await softly(said, `the notice on #${pull}`, () =>
      postNotice(deps, pull, { sha, state: 'approved', body, create: false }),
    );
  }
}

/** Break-glass leaves a loud trail: an issue labelled break-glass, and the banner returned. */
async function announceBreakGlass(
  { deps, req, said }: Step,
  deploy: { bypassed: string[]; runUrl: string; stage: string },
): Promise<string> {
  const { bypassed, runUrl, stage } = deploy;
  const bg = req.breakGlass!;
  const banner = `BREAK-GLASS deploy of ${shortSha(req.sha)} to ${stage} by @${bg.actor}: "${bg.reason}". Bypassed: ${bypassed.length ? bypassed.join(', ') : 'nothing (no hold applied)'}.`;
  const title = `Break-glass deploy of ${shortSha(req.sha)} to ${stage} by @${bg.actor}`;
  const body = [
    `@${bg.actor} deployed \`${req.sha}\` to **${stage}** with break-glass.`,
    '',
    `- Why: ${bg.reason}`,
    `- Holds bypassed: ${bypassed.length ? bypassed.map((b) => `\`${b}\``).join(', ') : 'none applied'}`,
    `- Deploy run: ${runUrl}`,
    `- Governor run: ${deps.run.url ?? '(not in Actions)'}`,
    '',
    'Close this issue once the emergency change has been reviewed after the fact.',
  ].join('\n');
  const open = await deps.gh.findOpenIssue(title, ['break-glass']);
  if (open !== null) return banner;
  await bestEffort(said, `the break-glass issue`, async () => {
    const n = await deps.gh.openIssue(title, body, ['break-glass']);
    said.note(`Opened #${n}: ${title}.`);
  });
  return banner;
}
