// One job of the action, free of the process: it reads the runner's variables from `env`,
// asks the governor, and answers through `io` (outputs, annotations, the summary, the exit
// status). main.ts binds it to process.env and @actions/core; the tests run it in process with
// an environment and an I/O of their own, so that many jobs can run at once in one process.
import { readFileSync } from 'node:fs';
import { ApiError } from './adapters/api-error.js';
import { GitHub } from './adapters/github.js';
import { createOctokit, RateLimitError } from './adapters/octokit.js';
import { GitHubStateStore } from './adapters/state-branch.js';
import { probeUrl } from './adapters/http-probe.js';
import { artifactName, uploadEvidence } from './adapters/evidence-artifact.js';
import type { EvidenceRecord } from './domain/evidence.js';
import { ConfigError, envVarFor } from './domain/config-base.js';
import { EventError, neverACandidate, parseEvent } from './domain/events.js';
import { StateCorruptError } from './domain/state.js';
import { GovernorError, retryBaseMs, type GovernorDeps } from './governor/deps.js';
import { StageStore } from './governor/stage-store.js';
import { InputError, readInputs } from './inputs.js';
import { buildReport, renderSummary, type RunReport } from './report/summary.js';

/** The runner's variables (GITHUB_*, INPUT_*, RUNNER_TEMP, RELEASE_GOVERNOR_*). */
export type JobEnv = Readonly<Record<string, string | undefined>>;

/** What a job says to the runner. main.ts implements it with @actions/core. */
export interface JobIO {
  /** An input, trimmed, '' when absent (as `core.getInput`). */
  input(name: string): string;
  /** Masks a value in the log. */
  secret(value: string): void;
  output(name: string, value: string): void;
  info(message: string): void;
  notice(message: string, title: string): void;
  warning(message: string, title: string): void;
  /** An error annotation, and the job fails. */
  fail(message: string): void;
  /** Appends markdown to the job summary. */
  summary(markdown: string): Promise<void>;
}

const TITLE = 'Release Governor';
const DEFAULT_STATE_BRANCH = 'booty-state';

function runUrl(env: JobEnv): string | null {
  const server = env.GITHUB_SERVER_URL;
  const repo = env.GITHUB_REPOSITORY;
  const id = env.GITHUB_RUN_ID;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : null;
}

function intEnv(env: JobEnv, name: string): number | null {
  const v = Number.parseInt(env[name] ?? '', 10);
  return Number.isFinite(v) ? v : null;
}

function readPayload(env: JobEnv): unknown {
  const path = env.GITHUB_EVENT_PATH;
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

function setOutputs(io: JobIO, r: RunReport): void {
  io.output('decision', r.outcome === 'ERROR' ? '' : r.outcome);
  io.output('reason', r.reason ?? '');
  io.output('risk', r.risk ?? '');
  io.output('sha', r.sha ?? '');
  io.output('production-sha', r.productionSha ?? '');
  io.output('deploy-run-url', r.deployRunUrl ?? '');
  io.output('state-commit', r.stateCommit ?? '');
  io.output('stage', r.stage ?? '');
  io.output('evidence-hash', r.evidenceHash ?? '');
  io.output('version', r.version ?? '');
  io.output('service', r.service ?? '');
  io.output('decisions', JSON.stringify(decisionsOutput(r)));
}

/**
 * The `decisions` output (SPEC §20): one object per (service, stage) the run considered; without
 * services the run's own decision (none when it failed).
 */
export function decisionsOutput(r: RunReport): Record<string, string | null>[] {
  const each = r.services ?? (r.outcome === 'ERROR' ? [] : [r]);
  return each.map((x) => ({
    service: x.service,
    stage: x.stage,
    decision: x.outcome,
    reason: x.reason,
    risk: x.risk,
    sha: x.sha,
    'production-sha': x.productionSha,
    'deploy-run-url': x.deployRunUrl,
    version: x.version,
  }));
}

/** The evidence a run committed, and how long its artifact is kept. */
interface Written {
  records: readonly EvidenceRecord[];
  retentionDays: number;
}
const NOTHING_WRITTEN: Written = { records: [], retentionDays: 0 };

async function govern(env: JobEnv, io: JobIO): Promise<{ report: RunReport; written: Written }> {
  const inputs = readInputs(io.input, io.secret);
  const event = parseEvent(env.GITHUB_EVENT_NAME ?? '', readPayload(env), inputs.sha);
  const url = runUrl(env);
  if (event.kind === 'workflow_run') {
    const why = neverACandidate(event.run);
    if (why) {
      const report = buildReport({
        outcome: 'SKIP',
        reason: 'not_a_release_candidate',
        sha: event.run.headSha,
        headline: `Not a release candidate: ${why}. Nothing was written.`,
        runUrl: url,
        dryRun: inputs.dryRun,
      });
      return { report, written: NOTHING_WRITTEN };
    }
  }
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new EventError('GITHUB_REPOSITORY is not set to owner/name.');
  const retryBase = retryBaseMs(env);
  const octokit = createOctokit({
    token: inputs.token,
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    retryBaseMs: retryBase,
  });
  const gh = new GitHub(octokit, owner, repo, inputs.token);
  const stateBranch = env[envVarFor('state_branch')] || DEFAULT_STATE_BRANCH;
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
    env,
    configPath: inputs.configPath,
    configPathExplicit: inputs.configPathExplicit,
    stateBranch,
    defaultBranch,
    degraded: inputs.degraded,
    dryRun: inputs.dryRun,
    run: {
      id: intEnv(env, 'GITHUB_RUN_ID'),
      attempt: intEnv(env, 'GITHUB_RUN_ATTEMPT'),
      url,
      source: 'action',
      actor: env.GITHUB_TRIGGERING_ACTOR || env.GITHUB_ACTOR || null,
      event: env.GITHUB_EVENT_NAME ?? null,
    },
    log: (m) => io.info(m),
    probe: probeUrl,
  };
  // The first request leaves before the governor's code is loaded (SPEC §13): every
  // workflow_run begins with the read of its head SHA, so it is started here, and the rules
  // compile while GitHub answers.
  if (event.kind === 'workflow_run') deps.store.prefetch(event.run.headSha);
  const { route } = await import('./route.js');
  const report = await route(deps, {
    inputs,
    event,
    eventName: env.GITHUB_EVENT_NAME ?? '',
    triggeringActor: env.GITHUB_TRIGGERING_ACTOR ?? '',
  });
  return {
    // The hash of the last evidence record this run committed (SPEC §17).
    report: buildReport({
      ...report,
      evidenceHash: deps.store.evidenceWritten.at(-1)?.hash ?? null,
    }),
    written: { records: deps.store.evidenceWritten, retentionDays: deps.store.retentionDays },
  };
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

/**
 * The run's evidence and summary as an artifact; never fails the job (the branch has it).
 * Returns the report with what the upload has to say.
 */
async function uploadArtifact(
  env: JobEnv,
  io: JobIO,
  { report, written }: { report: RunReport; written: Written },
): Promise<RunReport> {
  if (written.records.length === 0) return report;
  const sha = report.sha ?? written.records.at(-1)!.sha;
  try {
    const r = await uploadEvidence({
      records: written.records,
      summary: renderSummary(report),
      name: artifactName(sha, intEnv(env, 'GITHUB_RUN_ID'), intEnv(env, 'GITHUB_RUN_ATTEMPT')),
      retentionDays: written.retentionDays,
      env,
    });
    if (r.kind === 'uploaded')
      return buildReport({
        ...report,
        notes: [
          ...report.notes,
          `Evidence uploaded as the artifact ${r.name} (${r.size} bytes, sha256:${r.digest ?? '?'}).`,
        ],
      });
    io.info(`Evidence artifact not uploaded: ${r.why}.`);
    return report;
  } catch (e) {
    const message = `The evidence artifact could not be uploaded: ${(e as Error).message}. The evidence is on the state branch; nothing else is affected.`;
    io.warning(message, TITLE);
    return buildReport({ ...report, warnings: [...report.warnings, message] });
  }
}

/**
 * One job: read the inputs and the event from `env`, ask the governor, and answer through `io`
 * (outputs, annotations, the summary; `io.fail` marks the job failed). Never throws.
 */
export async function runJob(env: JobEnv, io: JobIO): Promise<void> {
  let report: RunReport = buildReport({ runUrl: runUrl(env) });
  let written = NOTHING_WRITTEN;
  try {
    ({ report, written } = await govern(env, io));
    setOutputs(io, report);
    const title = `${TITLE}: ${report.outcome} ${report.reason ?? ''}`.trim();
    if (report.outcome === 'HOLD' || report.outcome === 'ROLLBACK')
      io.warning(report.headline, title);
    else io.notice(report.headline, title);
    for (const w of report.warnings) io.warning(w, TITLE);
  } catch (err) {
    const { message, reason, advice } = describeError(err);
    report = buildReport({ ...report, outcome: 'ERROR', reason, error: message, advice });
    setOutputs(io, report);
    io.fail(advice ? `${message}\n${advice}` : message);
  } finally {
    report = await uploadArtifact(env, io, { report, written });
    try {
      await io.summary(renderSummary(report));
    } catch (err) {
      io.warning(`Could not write the job summary: ${(err as Error).message}`, TITLE);
    }
  }
}
