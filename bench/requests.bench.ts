// API requests per decision kind, counted from the simulator's log, against SPEC §19's bounds
// (and, for the flows it does not bound, the figures before it). Deterministic: one run of each
// is the figure.
import { it } from 'vitest';
import { runAction as runWith, type ActionRun } from '../__tests__/support/action-runner.js';
import {
  ago,
  deployEvent,
  deployRuns,
  deployWorkflowText,
  inProduction,
  pipelineConfig,
  seedPipeline,
  setupRepo,
  smokeFinished,
  smokeWorkflow,
  verified,
  versionedRelease,
  type Scenario,
} from '../__tests__/support/scenario.js';
import type { GitHubSimulator } from '../__tests__/support/github-simulator/server.js';
import { deepMerge, fixture } from '../__tests__/support/events.js';
import { startSimulator } from '../__tests__/support/sim.js';
import { writeResult } from './support.js';
import { zipOf } from '../__tests__/support/zip.js';

/**
 * A run with GitHub Deployments off (RELEASE_GOVERNOR_GITHUB_DEPLOYMENTS=false): the rows of
 * §19 and §24's service rows count without them; the rows named "deployments on" count them.
 */
const runAction: typeof runWith = (opts) =>
  runWith({ ...opts, env: { RELEASE_GOVERNOR_GITHUB_DEPLOYMENTS: 'false', ...opts.env } });

/** The most requests each flow may make (SPEC §19; the rest: no higher than before §19). */
export const BUDGETS: Record<string, number> = {
  'reconcile idle': 3,
  // SPEC §19 (issue 24): production at the head of main, an older commit verified.
  'reconcile idle, production at the branch head': 3,
  // SPEC §3: production adopted from before .booty.yml, the head of main unchanged.
  'reconcile idle, production predates the config': 3,
  'LOW ALLOW': 6,
  'HIGH HOLD': 8,
  'HIGH approved ALLOW': 10,
  'deploy success': 5,
  'deploy failure': 6,
  'SKIP (verification failed)': 2,
  'two stages: reconcile idle': 3,
  'two stages: staging LOW ALLOW': 8,
  'two stages: staging success → production ALLOW': 13,
  'two stages: reconcile inside a soak': 3,
  'two stages: reconcile after the soak → production ALLOW': 11,
  // First measured with SPEC §19 (not in BENCHMARKS.md before): their figures then.
  'deploy success → smoke tests dispatched': 8,
  'health check passes (smoke tests)': 3,
  'health check fails → automatic rollback': 10,
  'manual rollback': 9,
  'versioned LOW ALLOW (tag before the dispatch)': 10,
  'versioned deploy success → release': 6,
  // SPEC §24, services (5 services, each compared from the same current SHA, so b = 1): a commit
  // that ALLOWs k of them, at most 3 + 2k + b; one that affects none, at most 3; reconcile with
  // nothing to do, at most 3 however many services and stages.
  'services: ALLOW 1 of 5': 3 + 2 * 1 + 1,
  'services: ALLOW 2 of 5': 3 + 2 * 2 + 1,
  'services: ALLOW 3 of 5': 3 + 2 * 3 + 1,
  'services: affects none of 5': 3,
  'services: reconcile idle, 5 services × 2 stages': 3,
  // SPEC §24, GitHub Deployments (§21): 2 per dispatch (create, queued), 1 per later status.
  'LOW ALLOW, deployments on': 6 + 2,
  'deploy success, deployments on': 5 + 1,
  // SPEC §24, readiness (§22): freshness and blockers add no request; thresholds add the
  // verification run's artifact list and one download per artifact named.
  'LOW ALLOW, readiness: fresh verification, no blocker': 6,
  'LOW ALLOW, readiness: thresholds on 1 artifact': 6 + 2,
};

it('requests per decision kind', async () => {
  const sim = await startSimulator();
  try {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const kinds: Record<string, ActionRun> = {};
    // Reconcile with nothing to do: the newest verified commit is in production (SPEC §19: at
    // most 3 requests, no write).
    sim.workflowRun({ workflow: s.verify, headSha: s.base, conclusion: 'success' });
    kinds['reconcile idle'] = await runAction({
      sim,
      eventName: 'schedule',
      event: deepMerge(fixture('schedule'), { repository: { id: sim.repoId } }),
    });
    const low = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    kinds['LOW ALLOW'] = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, low),
    });
    const lowRun = deployRuns(sim, s).at(-1)!;
    sim.completeRun(lowRun.id, 'success');
    kinds['deploy success'] = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, lowRun.id, 'success'),
    });
    const pr = sim.mergedPullRequest({
      author: 'dev',
      files: { 'infra/main.tf': 'x' },
      mergedAt: ago(60),
    });
    const event = verified(sim, s, pr.sha);
    kinds['HIGH HOLD'] = await runAction({ sim, eventName: 'workflow_run', event });
    sim.label(pr.number, 'release:approved', 'releng', ago(5));
    kinds['HIGH approved ALLOW'] = await runAction({
      sim,
      eventName: 'workflow_run',
      event,
      runAttempt: 2,
    });
    kinds['SKIP (verification failed)'] = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, sim.commit({ files: { 'src/x.ts': 'x' } }), {
        workflow_run: { conclusion: 'failure' },
      }),
    });
    const highRun = deployRuns(sim, s).at(-1)!;
    sim.completeRun(highRun.id, 'failure');
    kinds['deploy failure'] = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, highRun.id, 'failure'),
    });
    await headKinds(kinds);
    await pipelineKinds(kinds);
    await verificationKinds(kinds);
    await serviceKinds(kinds);
    await deploymentKinds(kinds);
    await readinessKinds(kinds);
    // SPEC §19's bounds, and for the other flows what BENCHMARKS.md showed before §19 (none may
    // rise): a run over its bound fails the benchmark, after the figures are written.
    const over = Object.entries(BUDGETS).flatMap(([kind, max]) => {
      const n = kinds[kind]?.requests.length;
      if (n === undefined) return [`${kind}: not measured`];
      return n > max ? [`${kind}: ${n} requests, the bound is ${max}`] : [];
    });
    writeResult(
      'requests',
      Object.entries(kinds).map(([kind, r]) => ({
        kind,
        outcome: `${r.outputs.decision ?? ''} ${r.outputs.reason ?? ''}`.trim(),
        exitCode: r.exitCode,
        count: r.requests.length,
        operations: r.requests.map((q) => q.operationId ?? `${q.method} ${q.path}`),
        violations: sim.violations.length,
        bound: BUDGETS[kind] ?? null,
      })),
    );
    if (over.length) throw new Error(`Request budgets exceeded:\n${over.join('\n')}`);
  } finally {
    await sim.stop();
  }
});

/** Reconcile when production is the branch head: nothing can be ahead, so nothing is listed. */
async function headKinds(kinds: Record<string, ActionRun>): Promise<void> {
  const schedule = (sim: GitHubSimulator) =>
    runAction({
      sim,
      eventName: 'schedule',
      event: deepMerge(fixture('schedule'), { repository: { id: sim.repoId } }),
    });
  let sim = await startSimulator();
  try {
    const s = setupRepo(sim);
    // An older commit verified; production is the newest commit of main.
    sim.workflowRun({ workflow: s.verify, headSha: s.base, conclusion: 'success' });
    inProduction(sim, sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } }));
    kinds['reconcile idle, production at the branch head'] = await schedule(sim);
  } finally {
    await sim.stop();
  }
  sim = await startSimulator();
  try {
    // Production runs a commit without .booty.yml (verified, adopted); main's head adds it back.
    const s = setupRepo(sim);
    const production = sim.commit({ files: { '.booty.yml': null } });
    sim.workflowRun({ workflow: s.verify, headSha: production, conclusion: 'success' });
    inProduction(sim, production, { policy_absent: { commit: production, path: '.booty.yml' } });
    sim.commit({ files: { '.booty.yml': 'release_governor:\n  cooldown_minutes: 30\n' } });
    kinds['reconcile idle, production predates the config'] = await schedule(sim);
  } finally {
    await sim.stop();
  }
}

/** The verification event of `sha` (its decision), then its deploy's success (observed). */
async function allowedThenDeployed(
  sim: GitHubSimulator,
  s: Scenario,
  sha: string,
): Promise<[ActionRun, ActionRun]> {
  const allowed = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, sha) });
  const run = deployRuns(sim, s).at(-1)!;
  sim.completeRun(run.id, 'success');
  const deployed = await runAction({
    sim,
    eventName: 'workflow_run',
    event: deployEvent(sim, s, run.id, 'success'),
  });
  return [allowed, deployed];
}

/**
 * A health check by smoke tests (SPEC §15): the deploy's success dispatches them, their success
 * verifies, their failure rolls back; then a manual rollback, and a versioned release (§18).
 */
async function verificationKinds(kinds: Record<string, ActionRun>): Promise<void> {
  for (const conclusion of ['success', 'failure'] as const) {
    const sim = await startSimulator();
    try {
      const s = setupRepo(sim, {
        config:
          'release_governor:\n  cooldown_minutes: 0\n  health_check:\n    workflow: smoke.yml\n',
      });
      const smoke = smokeWorkflow(sim);
      inProduction(sim, s.base);
      const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
      const [, deployed] = await allowedThenDeployed(sim, s, sha);
      if (conclusion === 'success') kinds['deploy success → smoke tests dispatched'] = deployed;
      const smokeRun = sim.runs.find((r) => r.workflow_id === smoke.id)!;
      kinds[
        conclusion === 'success'
          ? 'health check passes (smoke tests)'
          : 'health check fails → automatic rollback'
      ] = await runAction({
        sim,
        eventName: 'workflow_run',
        event: smokeFinished(sim, smoke, smokeRun.id, conclusion),
      });
      if (conclusion === 'success') {
        sim.collaborator('releng', 'maintain');
        kinds['manual rollback'] = await runAction({
          sim,
          eventName: 'workflow_dispatch',
          event: deepMerge(fixture('workflow_dispatch.governor'), {
            inputs: { sha: '', rollback: 'true', reason: 'bench' },
            repository: { id: sim.repoId },
            sender: { login: 'releng' },
          }),
          inputs: { rollback: 'true', reason: 'bench' },
          env: { GITHUB_TRIGGERING_ACTOR: 'releng' },
        });
      }
    } finally {
      await sim.stop();
    }
  }
  const sim = await startSimulator();
  try {
    const { s, sha } = versionedRelease(sim);
    [
      kinds['versioned LOW ALLOW (tag before the dispatch)'],
      kinds['versioned deploy success → release'],
    ] = await allowedThenDeployed(sim, s, sha);
  } finally {
    await sim.stop();
  }
}

/** LOW ALLOW with readiness gates (SPEC §22): freshness and blockers, then thresholds. */
async function readinessKinds(kinds: Record<string, ActionRun>): Promise<void> {
  const gates = [
    'release_governor:',
    '  readiness:',
    '    max_verification_age_minutes: 15',
    '    release_blocker_labels: [release-blocker]',
  ];
  const thresholds = [
    '    evidence_thresholds:',
    '      - { artifact: summary, file: summary.json, value: /pct, min: 60 }',
  ];
  for (const [kind, lines] of [
    ['LOW ALLOW, readiness: fresh verification, no blocker', gates],
    ['LOW ALLOW, readiness: thresholds on 1 artifact', [...gates, ...thresholds]],
  ] as const) {
    const sim = await startSimulator();
    try {
      const s = setupRepo(sim, { config: `${lines.join('\n')}\n` });
      inProduction(sim, s.base);
      const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
      const event = verified(sim, s, sha, {
        workflow_run: { updated_at: new Date().toISOString() },
      }) as { workflow_run: { id: number } };
      sim.artifact(event.workflow_run.id, {
        name: 'summary',
        zip: zipOf({ 'summary.json': '{"pct": 72}' }),
      });
      const r = await runAction({ sim, eventName: 'workflow_run', event });
      if (r.outputs.decision !== 'ALLOW') throw new Error(`${kind}: ${r.stdout}`);
      kinds[kind] = r;
    } finally {
      await sim.stop();
    }
  }
}

/** LOW ALLOW and its deploy's success with GitHub Deployments on (the default, SPEC §21). */
async function deploymentKinds(kinds: Record<string, ActionRun>): Promise<void> {
  const sim = await startSimulator();
  try {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    const on = { RELEASE_GOVERNOR_GITHUB_DEPLOYMENTS: 'true' };
    kinds['LOW ALLOW, deployments on'] = await runAction({
      sim,
      eventName: 'workflow_run',
      event: verified(sim, s, sha),
      env: on,
    });
    const run = deployRuns(sim, s).at(-1)!;
    sim.completeRun(run.id, 'success');
    kinds['deploy success, deployments on'] = await runAction({
      sim,
      eventName: 'workflow_run',
      event: deployEvent(sim, s, run.id, 'success'),
      env: on,
    });
    if (sim.deployments.list[0]?.statuses.length !== 2)
      throw new Error('the deployment did not reach success');
  } finally {
    await sim.stop();
  }
}

/** Five services: `svc-0/` … `svc-4/` (SPEC §20), each with its own paths. */
const FIVE_SERVICES = [
  'release_governor:',
  '  cooldown_minutes: 30',
  '  services:',
  ...[0, 1, 2, 3, 4].flatMap((i) => [`    - name: svc-${i}`, `      paths: [svc-${i}/]`]),
  '',
].join('\n');

/** A repository of five services, production at its first commit, the deploy taking `service`. */
function fiveServices(sim: GitHubSimulator, config = FIVE_SERVICES): Scenario {
  const s = setupRepo(sim, {
    config,
    files: Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`svc-${i}/main.ts`, 'v1\n'])),
    deployFile: deployWorkflowText({ sha: true, service: true, environment: false }),
  });
  s.deploy.runName = 'Deploy ${{ inputs.service }} ${{ inputs.sha }} to ${{ inputs.environment }}';
  s.deploy.dispatchInputs = {
    sha: { required: true },
    service: { required: true },
    environment: { required: false },
  };
  inProduction(sim, s.base);
  return s;
}

/** SPEC §24's service rows: k of 5 services allowed by one commit, none affected, reconcile idle. */
async function serviceKinds(kinds: Record<string, ActionRun>): Promise<void> {
  for (const k of [1, 2, 3, 0]) {
    const sim = await startSimulator();
    try {
      const s = fiveServices(sim);
      const files = Object.fromEntries(
        Array.from({ length: k }, (_, i) => [`svc-${i}/main.ts`, 'v2\n']),
      );
      const sha = sim.commit({ files: k ? files : { 'README.md': 'docs\n' } });
      const r = await runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, sha) });
      if (deployRuns(sim, s).length !== k) throw new Error(`ALLOW ${k} of 5: ${r.stdout}`);
      kinds[k ? `services: ALLOW ${k} of 5` : 'services: affects none of 5'] = r;
    } finally {
      await sim.stop();
    }
  }
  const sim = await startSimulator();
  try {
    const two = FIVE_SERVICES.replace(
      '  services:',
      '  stages:\n    - name: staging\n    - name: production\n  services:',
    );
    const s = fiveServices(sim, two);
    // Every service and stage runs the base, which is the newest verified commit.
    seedPipeline(sim, {
      staging: { sha: s.base, minutesAgo: 60 },
      production: { sha: s.base, minutesAgo: 60 },
    });
    sim.workflowRun({ workflow: s.verify, headSha: s.base, conclusion: 'success' });
    const schedule = () =>
      runAction({
        sim,
        eventName: 'schedule',
        event: deepMerge(fixture('schedule'), { repository: { id: sim.repoId } }),
      });
    // The first reconcile migrates nothing and decides nothing; it is the idle one.
    kinds['services: reconcile idle, 5 services × 2 stages'] = await schedule();
  } finally {
    await sim.stop();
  }
}

/** Two stages (staging, production; SPEC §14), each kind on its own simulator. */
async function pipelineKinds(kinds: Record<string, ActionRun>): Promise<void> {
  const schedule = (sim: GitHubSimulator) =>
    runAction({
      sim,
      eventName: 'schedule',
      event: deepMerge(fixture('schedule'), { repository: { id: sim.repoId } }),
    });
  // Without a soak: verification → staging ALLOW; staging success → production ALLOW at once.
  const sim = await startSimulator();
  try {
    const s = setupRepo(sim, { config: pipelineConfig(0), stages: true });
    seedPipeline(sim, {
      staging: { sha: s.base, minutesAgo: 60 },
      production: { sha: s.base, minutesAgo: 60 },
    });
    sim.workflowRun({ workflow: s.verify, headSha: s.base, conclusion: 'success' });
    kinds['two stages: reconcile idle'] = await schedule(sim);
    const sha = sim.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    [
      kinds['two stages: staging LOW ALLOW'],
      kinds['two stages: staging success → production ALLOW'],
    ] = await allowedThenDeployed(sim, s, sha);
  } finally {
    await sim.stop();
  }
  // With a soak: reconcile inside it (idle), and after it (promotion to production).
  const soak = await startSimulator();
  try {
    const s = setupRepo(soak, { config: pipelineConfig(30), stages: true });
    const sha = soak.commit({ files: { 'src/app.ts': 'export const v = 2;\n' } });
    soak.workflowRun({ workflow: s.verify, headSha: sha, conclusion: 'success' });
    seedPipeline(soak, {
      staging: { sha, minutesAgo: 10 },
      production: { sha: s.base, minutesAgo: 60 },
    });
    kinds['two stages: reconcile inside a soak'] = await schedule(soak);
    seedPipeline(soak, {
      staging: { sha, minutesAgo: 31 },
      production: { sha: s.base, minutesAgo: 60 },
    });
    kinds['two stages: reconcile after the soak → production ALLOW'] = await schedule(soak);
  } finally {
    await soak.stop();
  }
}
