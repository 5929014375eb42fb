// A repository as a team would have it: the three workflows, a .booty.yml, collaborators,
// and optionally something already in production.
import type { GitHubSimulator, WorkflowRecord } from './github-simulator/server.js';
import { runAction, type ActionRun } from './action-runner.js';
import { deepMerge, fixture, workflowRunEvent } from './events.js';

/** A time `minutes` before now (the simulator's clock is the real one). */
export const ago = (minutes: number): Date => new Date(Date.now() - minutes * 60_000);

export const VERIFY_PATH = '.github/workflows/verify-main.yml';
export const DEPLOY_PATH = '.github/workflows/deploy.yml';

export interface Scenario {
  verify: WorkflowRecord;
  deploy: WorkflowRecord;
  /** The first commit on main. */
  base: string;
}

export function setupRepo(
  sim: GitHubSimulator,
  opts: {
    config?: string;
    files?: Record<string, string>;
    stages?: boolean;
    /** The deploy workflow declares the optional `version` input (SPEC §18). */
    versioned?: boolean;
    /** The deploy workflow file's text, when not the one declaring the dispatch inputs. */
    deployFile?: string;
  } = {},
): Scenario {
  const verify = sim.workflow({ name: 'Verify main', path: VERIFY_PATH });
  // A pipeline's deploy workflow takes the environment too, and names it in its run-name.
  const deploy = sim.workflow({
    name: 'Deploy',
    path: DEPLOY_PATH,
    runName: opts.stages
      ? 'Deploy ${{ inputs.sha }} to ${{ inputs.environment }}'
      : 'Deploy ${{ inputs.sha }}',
    dispatchInputs: {
      sha: { required: true },
      ...(opts.stages ? { environment: { required: true } } : {}),
      ...(opts.versioned ? { version: { required: false } } : {}),
    },
  });
  sim.collaborator('releng', 'maintain');
  sim.collaborator('writer', 'write');
  sim.collaborator('dev', 'write');
  sim.collaborator('reader', 'read');
  const base = sim.commit({
    author: 'dev',
    message: 'Initial commit',
    files: {
      '.booty.yml': opts.config ?? 'release_governor:\n  cooldown_minutes: 30\n',
      [VERIFY_PATH]: 'name: Verify main\non: push\n',
      [DEPLOY_PATH]:
        opts.deployFile ??
        deployWorkflowText({
          sha: true,
          ...(opts.stages ? { environment: true } : {}),
          ...(opts.versioned ? { version: false } : {}),
        }),
      'src/app.ts': 'export const v = 1;\n',
      'README.md': '# shop\n',
      ...opts.files,
    },
  });
  return { verify, deploy, base };
}

/** A two-stage pipeline: staging (soaking `soakMinutes`), then production. */
/** A deploy workflow file declaring these workflow_dispatch inputs (name → required). */
export function deployWorkflowText(inputs: Record<string, boolean>): string {
  const declared = Object.entries(inputs)
    .map(([name, required]) => `      ${name}:\n        required: ${required}\n`)
    .join('');
  return `name: Deploy\non:\n  workflow_dispatch:\n    inputs:\n${declared}jobs: {}\n`;
}

export function pipelineConfig(soakMinutes: number, extra = ''): string {
  return [
    'release_governor:',
    '  cooldown_minutes: 30',
    '  stages:',
    '    - name: staging',
    `      soak_minutes: ${soakMinutes}`,
    '    - name: production',
    extra,
  ].join('\n');
}

/** release.json as the governor leaves it after deploying `sha` successfully. */
export function productionRelease(
  sha: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    schema_version: 1,
    production_sha_current: sha,
    production_sha_previous: null,
    last_deploy_attempt_sha: sha,
    last_deploy_time: '2026-11-01T00:00:00.000Z',
    last_deploy_result: 'success',
    last_deploy_run_url: null,
    last_health_check: null,
    deploy_history: [
      {
        sha,
        time: '2026-11-01T00:00:00.000Z',
        result: 'success',
        run_id: 1,
        run_url: null,
        completed_at: '2026-11-01T00:05:00.000Z',
      },
    ],
    ...extra,
  };
}

/**
 * release.json's copy of the config file at the production SHA (SPEC §19), as the governor
 * writes it when production moves; null when the commit has no such file.
 */
export function policyCopy(sim: GitHubSimulator, sha: string, path = '.booty.yml') {
  const f = sim.git.fileAt(sha, path);
  if (!f) return null;
  return { commit: sha, path, blob_sha: f.sha, text: f.content.toString('utf8') };
}

/**
 * Puts `sha` in production, as if the governor had deployed it earlier (with the policy copy it
 * keeps; `policy: null` in `extra` for a state from before SPEC §19).
 */
export function inProduction(
  sim: GitHubSimulator,
  sha: string,
  extra: Record<string, unknown> = {},
): string {
  const copy = policyCopy(sim, sha);
  const release = productionRelease(sha, { ...(copy ? { policy: copy } : {}), ...extra });
  return sim.commit({
    branch: 'booty-state',
    parents: [],
    message: 'seed state',
    files: { 'README.md': 'state\n', 'release.json': `${JSON.stringify(release, null, 2)}\n` },
  });
}

/** A successful verification run on main for `sha`, and its completed event. */
export function verified(
  sim: GitHubSimulator,
  s: Scenario,
  sha: string,
  patch: Record<string, unknown> = {},
) {
  const run = sim.workflowRun({ workflow: s.verify, headSha: sha, conclusion: 'success' });
  return workflowRunEvent('workflow_run.verify-success-push', {
    headSha: sha,
    repoId: sim.repoId,
    runId: run.id,
    workflowId: s.verify.id,
    patch,
  });
}

export function deployRuns(sim: GitHubSimulator, s: Scenario) {
  return sim.runs.filter((r) => r.workflow_id === s.deploy.id);
}

export function deployEvent(sim: GitHubSimulator, s: Scenario, runId: number, conclusion: string) {
  const run = sim.runs.find((r) => r.id === runId)!;
  return workflowRunEvent(
    conclusion === 'success' ? 'workflow_run.deploy-success' : 'workflow_run.deploy-failure',
    {
      headSha: run.head_sha,
      repoId: sim.repoId,
      runId,
      workflowId: s.deploy.id,
      displayTitle: run.display_title,
      patch: {
        workflow_run: {
          conclusion,
          run_attempt: run.run_attempt,
          run_started_at: run.run_started_at ?? run.created_at,
          previous_attempt_url:
            run.run_attempt > 1
              ? `${sim.apiUrl}/repos/${sim.fullName}/actions/runs/${runId}/attempts/${run.run_attempt - 1}`
              : null,
        },
      },
    },
  );
}

export function stateFile(sim: GitHubSimulator, path: string): unknown {
  const head = sim.git.readRef('refs/heads/booty-state');
  if (!head) return null;
  const f = sim.git.fileAt(head, path);
  return f ? (JSON.parse(f.content.toString('utf8')) as unknown) : null;
}

/**
 * A verified commit whose deploy the governor dispatched 20 minutes ago: the run finished with
 * `conclusion`, but its workflow_run event never arrived, so the state still has it in flight.
 */
export function lostDeployOutcome(
  sim: GitHubSimulator,
  s: Scenario,
  files: Record<string, string>,
  conclusion = 'success',
): { sha: string; runId: number } {
  const sha = sim.commit({ files });
  sim.workflowRun({ workflow: s.verify, headSha: sha, conclusion: 'success' });
  const run = sim.workflowRun({
    workflow: s.deploy,
    headSha: sha,
    event: 'workflow_dispatch',
    conclusion,
    displayTitle: `Deploy ${sha}`,
    at: ago(20),
  });
  inProduction(sim, s.base, {
    deploy_history: [
      {
        sha,
        time: ago(20).toISOString(),
        result: 'pending',
        run_id: run.id,
        run_url: `${sim.serverUrl}/${sim.fullName}/actions/runs/${run.id}`,
        claimed_by: 'action:1/1',
      },
      ...(productionRelease(s.base).deploy_history as unknown[]),
    ],
  });
  return { sha, runId: run.id };
}

/** A version-2 state branch: each stage at a SHA verified `minutesAgo`, with extra history. */
export function seedPipeline(
  sim: GitHubSimulator,
  stages: Record<string, { sha: string; minutesAgo: number; history?: unknown[] }>,
): void {
  const entry = ([name, st]: [
    string,
    { sha: string; minutesAgo: number; history?: unknown[] },
  ]) => {
    const at = ago(st.minutesAgo).toISOString();
    return [
      name,
      {
        current_sha: st.sha,
        previous_sha: null,
        live_since: at,
        verified_at: at,
        last_deploy_attempt_sha: st.sha,
        last_deploy_time: at,
        last_deploy_result: 'success',
        last_deploy_run_url: null,
        last_health_check: null,
        deploy_history: [
          ...(st.history ?? []),
          { sha: st.sha, time: at, result: 'success', run_id: 1, run_url: null, completed_at: at },
        ],
      },
    ];
  };
  const all = Object.fromEntries(Object.entries(stages).map(entry));
  const production = all.production as { current_sha: string; deploy_history: unknown[] };
  const copy = policyCopy(sim, production.current_sha);
  const top = productionRelease(production.current_sha, {
    schema_version: 2,
    deploy_history: production.deploy_history,
    stages: all,
    ...(copy ? { policy: copy } : {}),
  });
  sim.commit({
    branch: 'booty-state',
    parents: [],
    message: 'seed state',
    files: { 'README.md': 'state\n', 'release.json': `${JSON.stringify(top, null, 2)}\n` },
  });
}

/** The smoke-test workflow of a health check in workflow mode (SPEC §15: `workflow: smoke.yml`). */
export function smokeWorkflow(sim: GitHubSimulator): WorkflowRecord {
  return sim.workflow({
    name: 'Smoke',
    path: '.github/workflows/smoke.yml',
    runName: 'Smoke ${{ inputs.sha }} on ${{ inputs.environment }}',
    dispatchInputs: { sha: { required: true }, environment: { required: true } },
  });
}

/** A smoke-test run finishes with `conclusion`: its workflow_run event. */
export function smokeFinished(
  sim: GitHubSimulator,
  wf: WorkflowRecord,
  runId: number,
  conclusion: string,
) {
  const run = sim.completeRun(runId, conclusion);
  return workflowRunEvent('workflow_run.deploy-success', {
    headSha: run.head_sha,
    repoId: sim.repoId,
    runId,
    workflowId: wf.id,
    displayTitle: run.display_title,
    patch: {
      workflow_run: { conclusion, name: 'Smoke', path: '.github/workflows/smoke.yml' },
      workflow: { name: 'Smoke', path: '.github/workflows/smoke.yml' },
    },
  });
}

/**
 * A versioned repository (SPEC §18) whose production runs the base, tagged v1.0.0, and a
 * `feat:` commit after it (the next release is v1.1.0).
 */
export function versionedRelease(sim: GitHubSimulator): { s: Scenario; sha: string } {
  const s = setupRepo(sim, {
    config: 'release_governor:\n  cooldown_minutes: 0\n  versioning:\n    enabled: true\n',
    versioned: true,
  });
  inProduction(sim, s.base);
  sim.tag('v1.0.0', s.base);
  const sha = sim.commit({
    message: 'feat: wishlist',
    files: { 'src/app.ts': 'export const v = 2;\n' },
  });
  return { s, sha };
}

/** The governor's run for a successful verification of `sha`. */
export function onVerified(
  sim: GitHubSimulator,
  s: Scenario,
  sha: string,
  runId?: number,
): Promise<ActionRun> {
  const event = verified(sim, s, sha);
  return runAction({ sim, eventName: 'workflow_run', event, ...(runId ? { runId } : {}) });
}

/** The deploy run finishes with `conclusion`, and its workflow_run event reaches the governor. */
export function deployFinishes(
  sim: GitHubSimulator,
  s: Scenario,
  run: { id: number; conclusion?: string; governorRunId?: number; clock?: Date },
): Promise<ActionRun> {
  const conclusion = run.conclusion ?? 'success';
  sim.completeRun(run.id, conclusion);
  return runAction({
    sim,
    eventName: 'workflow_run',
    event: deployEvent(sim, s, run.id, conclusion),
    ...(run.governorRunId ? { runId: run.governorRunId } : {}),
    ...(run.clock ? { clock: run.clock } : {}),
  });
}

/** A workflow_dispatch of the governor by `actor` with these inputs. */
export function governorDispatch(
  sim: GitHubSimulator,
  actor: string,
  inputs: Record<string, string>,
  opts: { runId?: number; attempt?: number; clock?: Date } = {},
): Promise<ActionRun> {
  return runAction({
    sim,
    eventName: 'workflow_dispatch',
    event: deepMerge(fixture('workflow_dispatch.governor'), {
      // The fixture's own sha input must not leak into a dispatch that gives none.
      inputs: { sha: '', ...inputs },
      sender: { login: actor },
      repository: { id: sim.repoId },
    }),
    inputs,
    env: { GITHUB_TRIGGERING_ACTOR: actor },
    ...(opts.runId ? { runId: opts.runId } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    runAttempt: opts.attempt ?? 1,
  });
}

/** release.json rewritten on the state branch by a new commit (as if the clock had moved on). */
export function timePasses(sim: GitHubSimulator, release: unknown): void {
  sim.commit({
    branch: 'booty-state',
    parents: [sim.git.readRef('refs/heads/booty-state')!],
    message: 'time passes',
    files: { 'release.json': `${JSON.stringify(release, null, 2)}\n` },
  });
}
