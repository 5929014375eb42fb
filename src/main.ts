// The action shell: the only module that touches @actions/core. It reads the inputs and the
// event, asks the governor, and turns the result into outputs, a summary, annotations and an
// exit code. Errors fail the job; a HOLD is a verdict, not an error.
import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { ApiError } from './adapters/api-error.js';
import { GitHub } from './adapters/github.js';
import { createOctokit, RateLimitError } from './adapters/octokit.js';
import { GitHubStateStore } from './adapters/state-branch.js';
import { probeUrl } from './adapters/http-probe.js';
import { artifactName, uploadEvidence } from './adapters/evidence-artifact.js';
import type { EvidenceRecord } from './domain/evidence.js';
import { ConfigError, envVarFor, retryBaseMs } from './domain/config.js';
import { EventError, neverACandidate, parseEvent, type GovernorEvent } from './domain/events.js';
import { StateCorruptError } from './domain/state.js';
import {
  decideAndAct,
  GovernorError,
  handleWorkflowRun,
  reconcile,
  type GovernorDeps,
} from './governor/index.js';
import { StageStore } from './governor/stage-store.js';
import { breakGlass, manualRollback } from './governor/controls.js';
import { approvalLanded } from './governor/approval.js';
import { InputError, readInputs, type ActionInputs } from './inputs.js';
import { emptyReport, renderSummary, type RunReport } from './report/summary.js';

const DEFAULT_STATE_BRANCH = 'booty-state';

function runUrl(): string | null {
  const server = process.env.GITHUB_SERVER_URL;
  const repo = process.env.GITHUB_REPOSITORY;
  const id = process.env.GITHUB_RUN_ID;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : null;
}

function intEnv(name: string): number | null {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) ? v : null;
}

function readPayload(): unknown {
  const path = process.env.GITHUB_EVENT_PATH;
  if (!path)
    throw new EventError(
      'GITHUB_EVENT_PATH is not set: the governor must run inside a GitHub Actions job (use the CLI elsewhere).',
    );
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new EventError(
      `The event payload at GITHUB_EVENT_PATH could not be read as JSON: ${(err as Error).message}`,
    );
  }
}

function setOutputs(r: RunReport): void {
  core.setOutput('decision', r.outcome === 'ERROR' ? '' : r.outcome);
  core.setOutput('reason', r.reason ?? '');
  core.setOutput('risk', r.risk ?? '');
  core.setOutput('sha', r.sha ?? '');
  core.setOutput('production-sha', r.productionSha ?? '');
  core.setOutput('deploy-run-url', r.deployRunUrl ?? '');
  core.setOutput('state-commit', r.stateCommit ?? '');
  core.setOutput('stage', r.stage ?? '');
  core.setOutput('evidence-hash', r.evidenceHash ?? '');
  core.setOutput('version', r.version ?? '');
}

/** The evidence this run committed, and how long its artifact is kept (set by govern). */
let written: { records: readonly EvidenceRecord[]; retentionDays: number } | null = null;

async function govern(): Promise<RunReport> {
  const inputs = readInputs();
  const event = parseEvent(process.env.GITHUB_EVENT_NAME ?? '', readPayload(), inputs.sha);
  const url = runUrl();
  if (event.kind === 'workflow_run') {
    const why = neverACandidate(event.run);
    if (why) {
      return emptyReport({
        outcome: 'SKIP',
        reason: 'not_a_release_candidate',
        sha: event.run.headSha,
        headline: `Not a release candidate: ${why}. Nothing was written.`,
        runUrl: url,
        dryRun: inputs.dryRun,
      });
    }
  }
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new EventError('GITHUB_REPOSITORY is not set to owner/name.');
  const retryBase = retryBaseMs(process.env);
  const octokit = createOctokit({
    token: inputs.token,
    baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
    retryBaseMs: retryBase,
  });
  const gh = new GitHub(octokit, owner, repo);
  const stateBranch = process.env[envVarFor('state_branch')] || DEFAULT_STATE_BRANCH;
  const defaultBranch =
    (event.kind === 'workflow_run' ? event.run.defaultBranch : event.defaultBranch) ??
    (await gh.repository()).defaultBranch;
  const deps: GovernorDeps = {
    gh,
    store: new StageStore(new GitHubStateStore(octokit, owner, repo, stateBranch), {
      now: () => new Date(),
      policyPath: inputs.configPath,
      releaseBranch: defaultBranch,
    }),
    now: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    random: Math.random,
    retryBaseMs: retryBase,
    env: process.env,
    configPath: inputs.configPath,
    configPathExplicit: inputs.configPathExplicit,
    stateBranch,
    defaultBranch,
    degraded: inputs.degraded,
    dryRun: inputs.dryRun,
    run: {
      id: intEnv('GITHUB_RUN_ID'),
      attempt: intEnv('GITHUB_RUN_ATTEMPT'),
      url,
      source: 'action',
      actor: process.env.GITHUB_TRIGGERING_ACTOR || process.env.GITHUB_ACTOR || null,
      event: process.env.GITHUB_EVENT_NAME ?? null,
    },
    log: (m) => core.info(m),
    probe: probeUrl,
  };
  const report = await route(deps, inputs, event);
  // The hash of the last evidence record this run committed (SPEC §17).
  report.evidenceHash = deps.store.evidenceWritten.at(-1)?.hash ?? null;
  written = { records: deps.store.evidenceWritten, retentionDays: deps.store.retentionDays };
  return report;
}

/** What the event and the inputs ask for: decide, observe, reconcile, or an operator control. */
async function route(
  deps: GovernorDeps,
  inputs: ActionInputs,
  event: GovernorEvent,
): Promise<RunReport> {
  // Operator controls (§16): only by hand, through workflow_dispatch.
  const control = inputs.rollback || inputs.breakGlass !== '';
  if (control && process.env.GITHUB_EVENT_NAME !== 'workflow_dispatch')
    throw new InputError(
      `Inputs rollback and break-glass are for a workflow_dispatch of the governor, not a ${process.env.GITHUB_EVENT_NAME} event. Nothing was dispatched or written.`,
    );
  if (inputs.rollback && inputs.breakGlass)
    throw new InputError(
      'Inputs rollback and break-glass were both given: ask for one at a time. Nothing was dispatched or written.',
    );
  if ((event.kind === 'manual' || event.kind === 'reconcile') && control) {
    const actor = process.env.GITHUB_TRIGGERING_ACTOR || event.sender;
    const stage = inputs.stage ? { stage: inputs.stage } : {};
    if (inputs.rollback)
      return manualRollback(deps, {
        reason: inputs.reason,
        actor,
        ...stage,
        ...(event.kind === 'manual' ? { sha: event.sha } : {}),
      });
    if (event.kind !== 'manual')
      throw new InputError(
        'A break-glass deploy needs the sha input: the exact commit to deploy. Nothing was dispatched or written.',
      );
    return breakGlass(deps, {
      sha: event.sha,
      text: inputs.breakGlass,
      reason: inputs.reason,
      actor,
      ...stage,
    });
  }
  if (event.kind === 'workflow_run') return handleWorkflowRun(deps, event.run);
  if (event.kind === 'approval') return approvalLanded(deps, event);
  if (event.kind === 'reconcile') {
    if (inputs.stage)
      throw new InputError(
        `Input stage (${JSON.stringify(inputs.stage)}) needs the input sha: it names the stage to decide that SHA for. Without a sha the governor reconciles every stage.`,
      );
    return reconcile(deps);
  }
  return decideAndAct(deps, {
    sha: event.sha,
    manual: true,
    ...(inputs.stage ? { stage: inputs.stage } : {}),
  });
}

function describeError(err: unknown): {
  message: string;
  reason: RunReport['reason'];
  advice: string | null;
} {
  if (err instanceof ConfigError)
    return {
      message: err.message,
      reason: 'config_invalid',
      advice:
        'Fix the configuration (the commit that changes it goes through the governor like any other), then re-run.',
    };
  if (err instanceof StateCorruptError)
    return {
      message: err.message,
      reason: 'state_corrupt',
      advice:
        'Repair the file on the state branch with a new commit (never a force-push), then re-run.',
    };
  if (err instanceof ApiError || err instanceof GovernorError)
    return { message: err.message, reason: null, advice: err.advice };
  if (err instanceof RateLimitError) return { message: err.message, reason: null, advice: null };
  if (err instanceof InputError || err instanceof EventError)
    return {
      message: err.message,
      reason: null,
      advice: 'Fix the workflow inputs or trigger and re-run.',
    };
  if (err instanceof Error) return { message: err.message, reason: null, advice: null };
  return { message: `A non-Error value was thrown: ${String(err)}`, reason: null, advice: null };
}

/** The run's evidence and summary as an artifact; never fails the job (the branch has it). */
async function uploadArtifact(report: RunReport): Promise<void> {
  if (!written || written.records.length === 0) return;
  const sha = report.sha ?? written.records.at(-1)!.sha;
  try {
    const r = await uploadEvidence({
      records: written.records,
      summary: renderSummary(report),
      name: artifactName(sha, intEnv('GITHUB_RUN_ID'), intEnv('GITHUB_RUN_ATTEMPT')),
      retentionDays: written.retentionDays,
      env: process.env,
    });
    if (r.kind === 'uploaded')
      report.notes.push(
        `Evidence uploaded as the artifact ${r.name} (${r.size} bytes, sha256:${r.digest ?? '?'}).`,
      );
    else core.info(`Evidence artifact not uploaded: ${r.why}.`);
  } catch (e) {
    const message = `The evidence artifact could not be uploaded: ${(e as Error).message}. The evidence is on the state branch; nothing else is affected.`;
    report.warnings.push(message);
    core.warning(message, { title: 'Release Governor' });
  }
}

export async function run(): Promise<void> {
  let report: RunReport = emptyReport({ runUrl: runUrl() });
  try {
    report = await govern();
    setOutputs(report);
    const title = `Release Governor: ${report.outcome} ${report.reason ?? ''}`.trim();
    if (report.outcome === 'HOLD' || report.outcome === 'ROLLBACK')
      core.warning(report.headline, { title });
    else core.notice(report.headline, { title });
    for (const w of report.warnings) core.warning(w, { title: 'Release Governor' });
  } catch (err) {
    const { message, reason, advice } = describeError(err);
    report = { ...report, outcome: 'ERROR', reason, error: message, advice };
    setOutputs(report);
    core.setFailed(advice ? `${message}\n${advice}` : message);
  } finally {
    await uploadArtifact(report);
    try {
      await core.summary.addRaw(renderSummary(report)).write();
    } catch (err) {
      core.warning(`Could not write the job summary: ${(err as Error).message}`);
    }
  }
}
