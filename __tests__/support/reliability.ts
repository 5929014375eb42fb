// The reliability matrix's scenarios: each sets up a repository in a fresh simulator, names the
// routes its run uses, and states what must hold once it has converged (after a re-run if the
// faulted run failed). The invariants are the product's promises: at most one deploy run per
// SHA, state that parses after every run, a dispatched run always recorded, and a failed job
// always saying what to do.
import { expect } from 'vitest';
import { RETRY_BASE_VARIABLE } from '../../src/domain/config-base.js';
import { runAction, type ActionRun, type Via } from './action-runner.js';
import { deepMerge, fixture } from './events.js';
import type { Fault } from './github-simulator/faults.js';
import type { GitHubSimulator } from './github-simulator/server.js';
import {
  ago,
  deployEvent,
  deployRuns,
  inProduction,
  lostDeployOutcome,
  setupRepo,
  stateFile,
  verified,
  versionedRelease,
  type Scenario,
} from './scenario.js';
import { expectNoContractViolations, startSimulator } from './sim.js';

/** The retry base the matrix runs with (RELEASE_GOVERNOR_RETRY_BASE_MS; 500 ms by default). */
export const MATRIX_RETRY_BASE_MS = 20;

const R = '/repos/{owner}/{repo}';
export const ROUTES = {
  readState: 'POST /graphql ReleaseState',
  approvals: 'POST /graphql Approvals',
  releaseRange: 'POST /graphql ReleaseRange',
  tagTarget: 'POST /graphql TagTarget',
  createTagObject: `POST ${R}/git/tags`,
  releaseByTag: `GET ${R}/releases/tags/{tag}`,
  createRelease: `POST ${R}/releases`,
  writeState: 'POST /graphql WriteState',
  config: `GET ${R}/contents/{path}`,
  compare: `GET ${R}/compare/{basehead}`,
  incidents: 'GET /search/issues',
  dispatch: `POST ${R}/actions/workflows/{workflow_id}/dispatches`,
  status: `POST ${R}/statuses/{sha}`,
  pullsOfCommit: `GET ${R}/commits/{commit_sha}/pulls`,
  pullFiles: `GET ${R}/pulls/{pull_number}/files`,
  issueEvents: `GET ${R}/issues/{issue_number}/events`,
  issueComments: `GET ${R}/issues/{issue_number}/comments`,
  commitComments: `GET ${R}/commits/{commit_sha}/comments`,
  permission: `GET ${R}/collaborators/{username}/permission`,
  openIssue: `POST ${R}/issues`,
  listIssues: `GET ${R}/issues`,
  commentIssue: `POST ${R}/issues/{issue_number}/comments`,
  workflowRuns: `GET ${R}/actions/workflows/{workflow_id}/runs`,
  repoRuns: `GET ${R}/actions/runs`,
  run: `GET ${R}/actions/runs/{run_id}`,
  gitCommit: `GET ${R}/git/commits/{commit_sha}`,
  gitTree: `GET ${R}/git/trees/{tree_sha}`,
  createTree: `POST ${R}/git/trees`,
  createCommit: `POST ${R}/git/commits`,
  createRef: `POST ${R}/git/refs`,
  createDeployment: `POST ${R}/deployments`,
  deploymentStatus: `POST ${R}/deployments/{deployment_id}/statuses`,
  listDeployments: `GET ${R}/deployments`,
} as const;

export interface Prepared {
  sim: GitHubSimulator;
  s: Scenario;
  /** The SHA the run is about. */
  sha: string;
  eventName: string;
  event: unknown;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  runId: number;
}

export interface ScenarioSpec {
  name: string;
  /** The outcome of a run without faults. */
  decision: 'ALLOW' | 'HOLD' | 'SKIP';
  /** Every route a run without faults uses (asserted by the baseline test). */
  routes: string[];
  /** Routes a run uses only on a recovery path (for example after a lost dispatch). */
  recoveryRoutes?: string[];
  prepare(sim: GitHubSimulator): Promise<Prepared>;
  /** What holds once the run has converged. */
  converged(p: Prepared): void;
}

interface ReleaseJson {
  production_sha_current: string | null;
  deploy_history: {
    sha: string;
    result: string;
    run_id: number | null;
    issue_number?: number | null;
  }[];
}

function release(sim: GitHubSimulator): ReleaseJson {
  return stateFile(sim, 'release.json') as ReleaseJson;
}

/** One deploy run for the SHA, recorded with its run id. */
function dispatchedOnce(p: Prepared): void {
  const runs = deployRuns(p.sim, p.s).filter((r) => r.inputs?.sha === p.sha);
  expect(runs, 'deploy runs for the SHA').toHaveLength(1);
  const entry = release(p.sim).deploy_history.filter((h) => h.sha === p.sha);
  expect(entry, 'history entries for the SHA').toHaveLength(1);
  expect(entry[0]!.run_id, 'the run is recorded').toBe(runs[0]!.id);
}

const lowAllow: ScenarioSpec = {
  name: 'LOW ALLOW',
  decision: 'ALLOW',
  routes: [
    ROUTES.readState,
    ROUTES.compare,
    ROUTES.writeState,
    ROUTES.dispatch,
    ROUTES.createDeployment,
    ROUTES.deploymentStatus,
    ROUTES.status,
  ],
  recoveryRoutes: [ROUTES.workflowRuns, ROUTES.listDeployments],
  async prepare(sim) {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    return { sim, s, sha, eventName: 'workflow_run', event: verified(sim, s, sha), runId: 7001 };
  },
  converged: dispatchedOnce,
};

/**
 * The fallbacks of SPEC §19's one read: a state from before it (no copy of the policy, so the
 * config is read through the contents API) and more open issues than one page (so incidents
 * come from the issue search).
 */
const lowAllowFallback: ScenarioSpec = {
  name: 'LOW ALLOW without the policy copy, past one page of open issues',
  decision: 'ALLOW',
  routes: [
    ROUTES.readState,
    ROUTES.config,
    ROUTES.compare,
    ROUTES.incidents,
    ROUTES.writeState,
    ROUTES.dispatch,
    ROUTES.createDeployment,
    ROUTES.deploymentStatus,
    ROUTES.status,
  ],
  recoveryRoutes: [ROUTES.workflowRuns],
  async prepare(sim) {
    const s = setupRepo(sim);
    inProduction(sim, s.base, { policy: null });
    for (let i = 0; i < 101; i++) sim.openIssue({ title: `Issue ${i}`, labels: ['bug'] });
    const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    return { sim, s, sha, eventName: 'workflow_run', event: verified(sim, s, sha), runId: 7101 };
  },
  converged: dispatchedOnce,
};

const highApproved: ScenarioSpec = {
  name: 'HIGH approved ALLOW',
  decision: 'ALLOW',
  routes: [
    ROUTES.readState,
    ROUTES.compare,
    ROUTES.approvals,
    ROUTES.permission,
    ROUTES.writeState,
    ROUTES.dispatch,
    ROUTES.createDeployment,
    ROUTES.deploymentStatus,
    ROUTES.status,
  ],
  async prepare(sim) {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const pr = sim.mergedPullRequest({
      author: 'dev',
      files: { 'infra/main.tf': 'resource "x" "y" {}\n' },
      mergedAt: ago(60),
    });
    sim.label(pr.number, 'release:approved', 'releng', ago(5));
    return {
      sim,
      s,
      sha: pr.sha,
      eventName: 'workflow_run',
      event: verified(sim, s, pr.sha),
      runId: 7002,
    };
  },
  converged: dispatchedOnce,
};

/**
 * The REST reads of approvals: a pull request that renames a file (GraphQL does not give the
 * old name, so its files, label events and comments are read through REST).
 */
const highApprovedRename: ScenarioSpec = {
  name: 'HIGH approved ALLOW of a rename',
  decision: 'ALLOW',
  routes: [
    ROUTES.readState,
    ROUTES.compare,
    ROUTES.approvals,
    ROUTES.pullFiles,
    ROUTES.issueEvents,
    ROUTES.issueComments,
    ROUTES.permission,
    ROUTES.writeState,
    ROUTES.dispatch,
    ROUTES.createDeployment,
    ROUTES.deploymentStatus,
    ROUTES.status,
  ],
  async prepare(sim) {
    const s = setupRepo(sim, { files: { 'infra/old.tf': 'resource "x" "y" {}\n' } });
    inProduction(sim, s.base);
    const pr = sim.mergedPullRequest({
      author: 'dev',
      files: { 'infra/old.tf': null, 'infra/new.tf': 'resource "x" "y" {}\n' },
      mergedAt: ago(60),
    });
    sim.label(pr.number, 'release:approved', 'releng', ago(5));
    return {
      sim,
      s,
      sha: pr.sha,
      eventName: 'workflow_run',
      event: verified(sim, s, pr.sha),
      runId: 7003,
    };
  },
  converged: dispatchedOnce,
};

/** A versioned release (§18): the tags read, the annotated tag created and read back, then the dispatch. */
const versionedAllow: ScenarioSpec = {
  name: 'versioned LOW ALLOW (tags before the dispatch)',
  decision: 'ALLOW',
  routes: [
    ROUTES.readState,
    ROUTES.compare,
    ROUTES.releaseRange,
    ROUTES.writeState,
    ROUTES.createTagObject,
    ROUTES.createRef,
    ROUTES.tagTarget,
    ROUTES.dispatch,
    ROUTES.createDeployment,
    ROUTES.deploymentStatus,
    ROUTES.status,
  ],
  recoveryRoutes: [ROUTES.workflowRuns],
  async prepare(sim) {
    const { s, sha } = versionedRelease(sim);
    return { sim, s, sha, eventName: 'workflow_run', event: verified(sim, s, sha), runId: 7004 };
  },
  converged(p) {
    dispatchedOnce(p);
    expect(deployRuns(p.sim, p.s).find((r) => r.inputs?.sha === p.sha)?.inputs?.version).toBe(
      'v1.1.0',
    );
    expect(p.sim.tags().map((t) => [t.name, t.commit, t.annotated])).toEqual([
      ['v1.0.0', p.s.base, true],
      ['v1.1.0', p.sha, true],
    ]);
  },
};

const firstDeploy: ScenarioSpec = {
  name: 'first deploy (creates the state branch)',
  decision: 'ALLOW',
  routes: [
    ROUTES.readState,
    ROUTES.gitCommit,
    ROUTES.gitTree,
    ROUTES.approvals,
    ROUTES.createTree,
    ROUTES.createCommit,
    ROUTES.createRef,
    ROUTES.dispatch,
    ROUTES.createDeployment,
    ROUTES.deploymentStatus,
    ROUTES.writeState,
    ROUTES.status,
  ],
  async prepare(sim) {
    const s = setupRepo(sim);
    const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 3;\n' } });
    return {
      sim,
      s,
      sha,
      eventName: 'workflow_run',
      event: verified(sim, s, sha),
      env: { RELEASE_GOVERNOR_APPROVED: sha },
      runId: 7003,
    };
  },
  converged(p) {
    dispatchedOnce(p);
    expect(
      p.sim.git.run(['rev-list', '--max-parents=0', 'booty-state']).trim().split('\n'),
    ).toHaveLength(1);
  },
};

const manual: ScenarioSpec = {
  name: 'manual trigger (workflow_dispatch)',
  decision: 'ALLOW',
  routes: [
    ROUTES.readState,
    ROUTES.compare,
    ROUTES.repoRuns,
    ROUTES.writeState,
    ROUTES.dispatch,
    ROUTES.createDeployment,
    ROUTES.deploymentStatus,
    ROUTES.status,
  ],
  async prepare(sim) {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 4;\n' } });
    sim.workflowRun({ workflow: s.verify, headSha: sha, conclusion: 'success' });
    return {
      sim,
      s,
      sha,
      eventName: 'workflow_dispatch',
      event: deepMerge(fixture('workflow_dispatch.governor'), {
        inputs: { sha },
        repository: { id: sim.repoId },
      }),
      inputs: { sha },
      runId: 7004,
    };
  },
  converged: dispatchedOnce,
};

/** A LOW change dispatched without faults; `conclusion` is how its deploy run ends. */
async function dispatched(sim: GitHubSimulator, conclusion: 'success' | 'failure') {
  const p = await lowAllow.prepare(sim);
  const r = await runAction({ sim, eventName: p.eventName, event: p.event, runId: 6000 });
  expect(r.outputs.decision, r.stdout).toBe('ALLOW');
  const run = deployRuns(sim, p.s).at(-1)!;
  sim.completeRun(run.id, conclusion);
  return { ...p, run, event: deployEvent(sim, p.s, run.id, conclusion), runId: 7005 };
}

const deploySuccess: ScenarioSpec = {
  name: 'deploy success',
  decision: 'SKIP',
  routes: [
    ROUTES.readState,
    ROUTES.compare,
    ROUTES.writeState,
    ROUTES.deploymentStatus,
    ROUTES.status,
  ],
  async prepare(sim) {
    return dispatched(sim, 'success');
  },
  converged(p) {
    const rel = release(p.sim);
    expect(rel.production_sha_current).toBe(p.sha);
    expect(rel.deploy_history.find((h) => h.sha === p.sha)?.result).toBe('success');
  },
};

const deployFailure: ScenarioSpec = {
  name: 'deploy failure (opens an issue)',
  decision: 'SKIP',
  routes: [
    ROUTES.readState,
    ROUTES.writeState,
    ROUTES.deploymentStatus,
    ROUTES.openIssue,
    ROUTES.status,
  ],
  recoveryRoutes: [ROUTES.listIssues],
  async prepare(sim) {
    return dispatched(sim, 'failure');
  },
  converged(p) {
    const entry = release(p.sim).deploy_history.find((h) => h.sha === p.sha);
    expect(entry?.result).toBe('failure');
    const issues = p.sim.issuesTitled(`Deploy of ${p.sha.slice(0, 7)} to production failed`);
    expect(issues, 'exactly one failure issue').toHaveLength(1);
    expect(entry?.issue_number).toBe(issues[0]);
  },
};

/**
 * Reconcile on schedule: a deploy whose workflow_run never arrived (dispatched 20 minutes ago,
 * its run finished) is settled, and the newest verified commit — that one — is then in
 * production: nothing more to do. A commit pushed on top and not yet verified keeps the branch
 * head past production, so the verification runs are listed (at the head, reconcile stops
 * without them).
 */
const reconcileSettles: ScenarioSpec = {
  name: 'reconcile settles a lost deploy outcome',
  decision: 'SKIP',
  routes: [
    ROUTES.readState,
    ROUTES.run,
    ROUTES.compare,
    ROUTES.writeState,
    ROUTES.status,
    ROUTES.repoRuns,
  ],
  async prepare(sim) {
    const s = setupRepo(sim);
    const { sha } = lostDeployOutcome(sim, s, { 'src/app.ts': 'export const v = 5;\n' });
    sim.commit({ files: { 'docs/next.md': 'not verified yet\n' } });
    return {
      sim,
      s,
      sha,
      eventName: 'schedule',
      event: deepMerge(fixture('schedule'), { repository: { id: sim.repoId } }),
      runId: 7006,
    };
  },
  converged(p) {
    const rel = release(p.sim);
    expect(rel.production_sha_current).toBe(p.sha);
    const entries = rel.deploy_history.filter((h) => h.sha === p.sha);
    expect(entries, 'one history entry for the SHA').toHaveLength(1);
    expect(entries[0]!.result).toBe('success');
    expect(deployRuns(p.sim, p.s), 'nothing dispatched').toHaveLength(1);
  },
};

export const SCENARIOS = {
  lowAllow,
  lowAllowFallback,
  highApproved,
  highApprovedRename,
  versionedAllow,
  firstDeploy,
  manual,
  deploySuccess,
  deployFailure,
  reconcileSettles,
};

export interface FaultCase {
  name: string;
  route: string;
  fault: Fault;
  times: number;
  skip?: number;
}

/** 500, 502 and 503, once and persistently, on one route. */
export function statusFaults(route: string): FaultCase[] {
  return [500, 502, 503].flatMap((status) => [
    { name: `${status} once`, route, fault: { kind: 'status', status }, times: 1 },
    {
      name: `${status} persistently`,
      route,
      fault: { kind: 'status', status },
      times: Number.POSITIVE_INFINITY,
    },
  ]);
}

export interface CaseResult {
  first: ActionRun;
  /** The operator's re-run, when the first run failed. */
  rerun: ActionRun | null;
}

function run(p: Prepared, attempt: number, via?: Via): Promise<ActionRun> {
  return runAction({
    ...(via ? { via } : {}),
    sim: p.sim,
    eventName: p.eventName,
    event: p.event,
    inputs: p.inputs,
    // Persistent faults wait out every retry: a short base keeps the matrix independent of the
    // machine's speed (the backoff's shape, not its length, is what is under test).
    env: { [RETRY_BASE_VARIABLE]: String(MATRIX_RETRY_BASE_MS), ...p.env },
    runId: p.runId,
    runAttempt: attempt,
    timeoutMs: 120_000,
  });
}

/** The invariants that hold after every run, whatever the fault. */
export function expectSafe(p: Prepared, r: ActionRun): void {
  const runs = deployRuns(p.sim, p.s).filter((x) => x.inputs?.sha === p.sha);
  expect(runs.length, 'never two deploy runs for one SHA').toBeLessThanOrEqual(1);
  const rel = stateFile(p.sim, 'release.json') as ReleaseJson | null;
  if (rel !== null) {
    expect(Array.isArray(rel.deploy_history), 'release.json keeps its shape').toBe(true);
    // A run that exists is on the state branch: claimed before it was dispatched.
    if (runs.length > 0)
      expect(
        rel.deploy_history.some((h) => h.sha === p.sha),
        'a dispatched SHA is on the state branch',
      ).toBe(true);
  } else expect(runs, 'no dispatch without a state branch').toHaveLength(0);
  if (r.exitCode !== 0)
    expect(errorOf(r), 'the error says what to do').toMatch(/re-run|Re-run|retry|wait/);
}

/** The ::error:: line of a failed job (asserted present), with no stack trace beside it. */
export function errorOf(r: ActionRun): string {
  const error = r.stdout.split('\n').find((l) => l.startsWith('::error'));
  expect(error, `an error annotation\n${r.stdout}\n${r.stderr}`).toBeDefined();
  expect(r.stderr, 'no stack trace').not.toMatch(/\n\s+at /);
  return error!;
}

/**
 * Prepares the scenario in a fresh simulator, applies the fault, runs the bundle, checks the
 * invariants; if the job failed, clears the faults and re-runs (attempt 2) as an operator
 * would; then checks what must hold once converged.
 */
export async function runCase(
  spec: ScenarioSpec,
  fc: FaultCase | null,
  checkFirst?: (r: ActionRun, p: Prepared) => void,
  via?: Via,
): Promise<CaseResult> {
  const sim = await startSimulator();
  try {
    const p = await spec.prepare(sim);
    if (fc) sim.inject(fc.route, fc.fault, fc.times, fc.skip ?? 0);
    const first = await run(p, 1, via);
    expectSafe(p, first);
    checkFirst?.(first, p);
    let rerun: ActionRun | null = null;
    if (first.exitCode === 0) {
      expect(first.outputs.decision, first.stdout).toBe(spec.decision);
    } else {
      sim.clearFaults();
      rerun = await run(p, 2, via);
      expectSafe(p, rerun);
      expect(rerun.exitCode, `the re-run succeeds\n${rerun.stdout}`).toBe(0);
    }
    spec.converged(p);
    expectNoContractViolations(sim);
    return { first, rerun };
  } finally {
    await sim.stop();
  }
}

/** Routes where one unanswered request fails the job (the outcome is unknown and not repeated). */
const UNKNOWN_OUTCOME_FAILS = new Set<string>([ROUTES.dispatch, ROUTES.openIssue]);
/** Routes whose persistent failure leaves the decision standing, with a warning. */
const BEST_EFFORT = new Set<string>([
  ROUTES.status,
  ROUTES.createDeployment,
  ROUTES.deploymentStatus,
]);
const WRITES = new Set<string>([
  ROUTES.writeState,
  ROUTES.dispatch,
  ROUTES.status,
  ROUTES.openIssue,
  ROUTES.commentIssue,
  ROUTES.createTree,
  ROUTES.createCommit,
  ROUTES.createRef,
  ROUTES.createTagObject,
  ROUTES.createDeployment,
  ROUTES.deploymentStatus,
]);

/**
 * The matrix for one scenario: every route answering 500, 502 and 503, once and persistently,
 * and every write applied with its response lost. Routes in `covered` (already run through all
 * three statuses by another scenario) get one status once and persistently, in turn: the retry
 * logic does not tell 500, 502 and 503 apart, the scenario's recovery path is what is new.
 */
export function faultCases(
  spec: ScenarioSpec,
  covered: ReadonlySet<string> = new Set(),
): FaultCase[] {
  const cases = spec.routes.flatMap((route, i) => {
    const all = statusFaults(route);
    if (!covered.has(route)) return all;
    const status = [500, 502, 503][i % 3]!;
    return all.filter((c) => c.fault.kind === 'status' && c.fault.status === status);
  });
  for (const route of spec.routes.filter((r) => WRITES.has(r)))
    cases.push({ name: 'applied, response lost', route, fault: { kind: 'lost' }, times: 1 });
  return cases;
}

/** What the first run must have done for this fault, beyond the invariants. */
export function expectFirstRun(fc: FaultCase, r: ActionRun, spec: ScenarioSpec): void {
  const once = fc.times === 1;
  if (BEST_EFFORT.has(fc.route)) {
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs.decision).toBe(spec.decision);
    if (!once && fc.fault.kind === 'status')
      expect(r.stdout).toMatch(
        fc.route === ROUTES.status ? /::warning.*could not be set/ : /::warning.*deployment/,
      );
    return;
  }
  if (once && !UNKNOWN_OUTCOME_FAILS.has(fc.route)) {
    // One failure is absorbed: a retry, a re-read, or a lookup of what the request did.
    expect(r.exitCode, `${fc.route} ${fc.name}\n${r.stdout}`).toBe(0);
    expect(r.outputs.decision).toBe(spec.decision);
    return;
  }
  if (!once) {
    expect(r.exitCode, `${fc.route} ${fc.name} must fail the job\n${r.stdout}`).not.toBe(0);
    expect(r.outputs.decision ?? '', 'no decision output on a failed job').toBe('');
  }
}
