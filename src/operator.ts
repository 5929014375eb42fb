// Hand corrections of the state branch, for the CLI: adopt a production that is already
// running, record a deploy done outside the governor, clear a claim that will never finish.
// Each is one commit through the same compare-and-swap as every decision (a lost race re-reads
// and re-checks), and each leaves a note (who, why, what) in the SHA's decision record.
import { ApiError } from './adapters/api-error.js';
import type { Config } from './domain/config.js';
import { lastStage, pipelineOf } from './domain/pipeline.js';
import {
  adoptProduction,
  clearInFlight,
  decisionPath,
  markFinished,
  RELEASE_FILE,
  serialize,
  withLifecycle,
  withNote,
  type OperatorNote,
} from './domain/state.js';
import { isFullSha, shortSha } from './domain/types.js';
import { GovernorError, readConfig, writeState, type GovernorDeps } from './governor/index.js';
import type { StateSnapshot } from './ports.js';
import { policyShaOf, type Release } from './domain/state.js';
import { forService } from './governor/policy.js';

export interface OperatorResult {
  action: 'adopt' | 'record' | 'clear';
  sha: string;
  productionSha: string | null;
  /** The state-branch commit written (null when there was nothing to change). */
  stateCommit: string | null;
  message: string;
  notes: string[];
}

export interface OperatorRequest {
  sha: string;
  /** Who asked (the CLI's user), for the note. */
  by: string;
  reason: string | null;
}

/**
 * Reads the policy, and the deps of the stage whose state is corrected: the one --stage named
 * (`deps` presents it already), else the policy's last stage; with the governor off, the one
 * stage keeps its default name.
 */
async function policyOf(
  deps: GovernorDeps,
  sha: string,
  production?: string | null,
): Promise<{ config: Config | null; deps: GovernorDeps }> {
  // The production SHA from a read the caller made already, else from one made here.
  const prod = production !== undefined ? production : policyShaOf(await read(deps));
  const { config } = forService(
    await readConfig(deps, prod, sha),
    deps.store.target?.service ?? null,
  );
  if (deps.store.target !== null) return { config, deps };
  // With services, a correction is of one service's stage: the caller names it (--service).
  if (config?.services)
    throw new GovernorError(
      `With services, name the service whose state to correct (--service ${config.services.map((x) => x.name).join('|')}).`,
    );
  const last = config ? lastStage(pipelineOf(config)).name : 'production';
  return {
    config,
    deps: { ...deps, store: deps.store.forTarget({ service: null, stage: last, isLast: true }) },
  };
}

/** The whole release.json (every stage; the top level is the last, production). */
async function read(deps: GovernorDeps): Promise<Release> {
  const snap = await deps.store.read();
  return snap.pipeline ?? snap.release;
}

async function mustBeCommit(deps: GovernorDeps, sha: string): Promise<void> {
  if (!isFullSha(sha))
    throw new GovernorError(`${JSON.stringify(sha)} is not a full 40-character SHA.`);
  try {
    await deps.gh.commitAuthor(sha);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 422))
      throw new GovernorError(`There is no commit ${sha} in the repository.`);
    throw e;
  }
}

function note(
  deps: GovernorDeps,
  action: string,
  req: OperatorRequest,
  detail: string,
): OperatorNote {
  return { at: deps.now().toISOString(), action, by: req.by, reason: req.reason, detail };
}

/** One commit: release.json and the SHA's record with the note, built from fresh state. */
function write(
  deps: GovernorDeps,
  req: OperatorRequest,
  build: (snap: StateSnapshot) => {
    release: StateSnapshot['release'];
    note: OperatorNote;
    lifecycle?: Parameters<typeof withLifecycle>[1];
  } | null,
  message: string,
) {
  return writeState(deps, req.sha, (snap) => {
    const change = build(snap);
    if (!change) return null;
    let record = withNote(snap.decision, req.sha, snap.release.production_sha_current, change.note);
    if (change.lifecycle) record = withLifecycle(record, change.lifecycle);
    return {
      files: {
        [RELEASE_FILE]: serialize(change.release),
        [decisionPath(req.sha)]: serialize(record),
      },
      message: `${message} (by ${req.by}${req.reason ? `: ${req.reason.split('\n')[0]!.slice(0, 100)}` : ''})`,
    };
  });
}

/** Production is at `sha` now; refused when state names a production SHA already, unless forced. */
export async function adopt(
  deps: GovernorDeps,
  req: OperatorRequest & { force: boolean },
): Promise<OperatorResult> {
  await mustBeCommit(deps, req.sha);
  deps = (await policyOf(deps, req.sha)).deps;
  if (req.force && !req.reason)
    throw new GovernorError('--force replaces the recorded production SHA: say why with --reason.');
  let replaced: string | null = null;
  const written = await write(
    deps,
    req,
    (snap) => {
      const current = snap.release.production_sha_current;
      if (current === req.sha) return null;
      if (current !== null && !req.force)
        throw new GovernorError(
          `The state already records production at ${current}: adopt is for a repository whose production the governor does not know yet.`,
          `To correct it anyway: release-governor adopt --sha ${req.sha} --force --reason "<why>". To record a deploy done outside the governor: release-governor record.`,
        );
      replaced = current;
      return {
        release: adoptProduction(snap.release, req.sha, deps.now(), `adopted:${req.by}`),
        note: note(
          deps,
          'adopt',
          req,
          current ? `production moved by hand from ${current}` : 'production adopted',
        ),
        lifecycle: {
          state: 'succeeded',
          finished_at: deps.now().toISOString(),
          conclusion: 'adopted',
        },
      };
    },
    `adopt ${shortSha(req.sha)}: production`,
  );
  return {
    action: 'adopt',
    sha: req.sha,
    productionSha: req.sha,
    stateCommit: written?.head ?? null,
    message: written
      ? `Production is recorded at ${req.sha}${replaced ? ` (was ${replaced})` : ''}. Nothing was deployed; the next change is judged against this commit.`
      : `Production is already recorded at ${req.sha}; nothing to change.`,
    notes: [],
  };
}

/** A deploy done outside the governor: its result, as if the governor had observed it. */
export async function recordDeploy(
  deps: GovernorDeps,
  req: OperatorRequest & { success: boolean; runUrl: string | null },
): Promise<OperatorResult> {
  await mustBeCommit(deps, req.sha);
  const notes: string[] = [];
  const before = await deps.store.read(req.sha);
  const prod = before.release.production_sha_current;
  deps = (await policyOf(deps, req.sha, (before.pipeline ?? before.release).production_sha_current))
    .deps;
  let moves = false;
  if (req.success) {
    const status =
      prod === null || prod === req.sha ? null : (await deps.gh.compare(prod, req.sha)).status;
    moves = prod === null || status === 'ahead';
    if (status !== null && status !== 'ahead')
      notes.push(
        `Production is at ${shortSha(prod!)}, and ${shortSha(req.sha)} is ${status} of it: the success is recorded, production does not move (it never moves backwards).`,
      );
  } else {
    notes.push(
      'The cooldown for this SHA starts now. No deploy-failure issue is opened for a deploy recorded by hand.',
    );
  }
  const result = req.success ? 'success' : 'failure';
  // Production as the commit that was written leaves it (no read back).
  let production = prod;
  const written = await write(
    deps,
    req,
    (snap) => {
      const release = markFinished(
        snap.release,
        {
          sha: req.sha,
          success: req.success,
          conclusion: result,
          runId: null,
          runAttempt: 1,
          runUrl: req.runUrl ?? 'recorded by hand',
          now: deps.now(),
        },
        // Only if production is still where the ancestry was checked.
        moves && snap.release.production_sha_current === prod,
      );
      production = release.production_sha_current;
      return {
        release,
        note: note(deps, 'record', req, `deploy ${result}${req.runUrl ? ` (${req.runUrl})` : ''}`),
        lifecycle: {
          state: req.success ? 'succeeded' : 'failed',
          finished_at: deps.now().toISOString(),
          conclusion: result,
          run_url: req.runUrl,
        },
      };
    },
    `record ${shortSha(req.sha)}: ${result}`,
  );
  return {
    action: 'record',
    sha: req.sha,
    productionSha: production,
    stateCommit: written?.head ?? null,
    message: `Recorded a ${result} deploy of ${req.sha}${production === req.sha ? '; production is at it now' : ''}.`,
    notes,
  };
}

/** Releases a claim (or an unobserved dispatch) whose deploy run is absent or has finished. */
export async function clearClaim(
  deps: GovernorDeps,
  req: OperatorRequest,
): Promise<OperatorResult> {
  if (!req.reason) throw new GovernorError("clear needs --reason: it is kept in the SHA's record.");
  if (!isFullSha(req.sha))
    throw new GovernorError(`${JSON.stringify(req.sha)} is not a full 40-character SHA.`);
  const snap = await deps.store.read(req.sha);
  const entry = snap.release.deploy_history.find(
    (h) => h.sha === req.sha && h.result === 'pending',
  );
  if (!entry)
    return {
      action: 'clear',
      sha: req.sha,
      productionSha: snap.release.production_sha_current,
      stateCommit: null,
      message: `Nothing is in flight for ${req.sha}; nothing to clear.`,
      notes: [],
    };
  const notes: string[] = [];
  const prod = snap.release.production_sha_current;
  const policy = await policyOf(
    deps,
    req.sha,
    (snap.pipeline ?? snap.release).production_sha_current,
  );
  const config = policy.config;
  deps = policy.deps;
  const runs =
    entry.run_id !== null
      ? [await deps.gh.run(entry.run_id)]
      : await findRuns(deps, config, req.sha);
  const running = runs.find((r) => r.status !== 'completed');
  if (running)
    throw new GovernorError(
      `Deploy run ${running.url} for ${shortSha(req.sha)} is ${running.status ?? 'not finished'}: its outcome will be recorded when it finishes.`,
      'Wait for it, or cancel it in the Actions tab first; clear only releases claims whose run is absent or finished.',
    );
  for (const r of runs)
    notes.push(
      `Deploy run ${r.url} finished (${r.conclusion ?? 'no conclusion'}) but its outcome was never recorded. If it deployed, record it: release-governor record --sha ${req.sha} --result ${r.conclusion === 'success' ? 'success' : 'failure'} --run-url ${r.url}`,
    );
  const written = await write(
    deps,
    req,
    (s) => {
      const release = clearInFlight(s.release, req.sha);
      if (release === s.release) return null;
      return {
        release,
        note: note(
          deps,
          'clear',
          req,
          `in-flight entry cleared (claimed by ${entry.claimed_by ?? 'unknown'} at ${entry.time}${entry.run_id ? `, run ${entry.run_id}` : ', no run'})`,
        ),
        lifecycle: { state: null },
      };
    },
    `clear ${shortSha(req.sha)}: in-flight entry`,
  );
  return {
    action: 'clear',
    sha: req.sha,
    productionSha: prod,
    stateCommit: written?.head ?? null,
    message: written
      ? `Cleared the in-flight entry of ${req.sha}: it no longer blocks newer SHAs nor counts toward the rate limit; a new decision for it may dispatch again.`
      : `Nothing is in flight for ${req.sha} any more; nothing to clear.`,
    notes,
  };
}

async function findRuns(deps: GovernorDeps, config: Config | null, sha: string) {
  return config ? deps.gh.findDeployRuns(config.deploy_workflow, sha) : [];
}
