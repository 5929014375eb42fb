// The action shell: the only module that touches @actions/core. It reads the inputs and the
// event, asks the governor, and turns the result into outputs, a summary, a commit status and
// an exit code. Errors fail the job; a HOLD is a verdict, not an error.
import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { ConfigError } from './domain/config.js';
import { EventError, neverACandidate, parseEvent } from './domain/events.js';
import { InputError, readInputs } from './inputs.js';
import { emptyReport, renderSummary, type RunReport } from './report/summary.js';

export class NotReadyError extends Error {}

function runUrl(): string | null {
  const server = process.env.GITHUB_SERVER_URL;
  const repo = process.env.GITHUB_REPOSITORY;
  const id = process.env.GITHUB_RUN_ID;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : null;
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
}

async function govern(): Promise<RunReport> {
  const inputs = readInputs();
  const event = parseEvent(process.env.GITHUB_EVENT_NAME ?? '', readPayload(), inputs.sha);
  const base = { runUrl: runUrl(), dryRun: inputs.dryRun };
  if (event.kind === 'workflow_run') {
    const why = neverACandidate(event.run);
    if (why) {
      return emptyReport({
        ...base,
        outcome: 'SKIP',
        reason: 'not_a_release_candidate',
        sha: event.run.headSha,
        headline: `Not a release candidate: ${why}. Nothing was written.`,
      });
    }
  }
  // Fail closed until the decision path is wired: an unfinished governor never deploys.
  throw new NotReadyError(
    'The decision path is not implemented in this build of the governor; nothing was deployed.',
  );
}

export async function run(): Promise<void> {
  let report: RunReport = emptyReport({ runUrl: runUrl() });
  try {
    report = await govern();
    setOutputs(report);
    if (report.outcome === 'HOLD')
      core.warning(report.headline, { title: `Release Governor: HOLD ${report.reason ?? ''}` });
    else
      core.notice(report.headline, {
        title: `Release Governor: ${report.outcome} ${report.reason ?? ''}`,
      });
  } catch (err) {
    const message =
      err instanceof Error ? err.message : `A non-Error value was thrown: ${String(err)}`;
    const reason = err instanceof ConfigError ? 'config_invalid' : null;
    report = {
      ...report,
      outcome: 'ERROR',
      reason,
      error: message,
      advice:
        err instanceof InputError || err instanceof EventError
          ? 'Fix the workflow inputs or trigger and re-run.'
          : null,
    };
    setOutputs(report);
    core.setFailed(message);
  } finally {
    try {
      await core.summary.addRaw(renderSummary(report)).write();
    } catch (err) {
      core.warning(`Could not write the job summary: ${(err as Error).message}`);
    }
  }
}
