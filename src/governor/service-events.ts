// Services (SPEC §20): a finished workflow run of one service — its deploy, or its smoke tests
// (a stage's health_check.workflow) — recorded on that service and stage; what a verified deploy
// unlocks (the service's next stage, and the services that waited for it there) is decided in
// the same run.
import { asHealthResult } from '../domain/health.js';
import type { WorkflowRunFacts } from '../domain/events.js';
import { pipelineOf, stageContext, type Pipeline, type Stage } from '../domain/pipeline.js';
import { serviceConfig } from '../domain/services.js';
import { serviceView, stageView } from '../domain/state.js';
import { shortSha } from '../domain/types.js';
import type { StateSnapshot } from '../ports.js';
import { buildReport, type RunReport } from '../report/summary.js';
import { decideAndAct } from './act.js';
import { Remarks, type GovernorDeps } from './deps.js';
import type { Known } from './facts.js';
import { observeDeploy } from './observe.js';
import { sameWorkflow } from './policy.js';
import { combineServices, dependentsOf, layoutOf, serviceOfRun } from './services.js';
import { checkedReport, smokeTestsFinished } from './verify.js';

/** A finished run of this repository, with the policy (with services) and state read for it. */
interface ServiceRunEvent {
  deps: GovernorDeps;
  run: WorkflowRunFacts;
  known: Known;
  snapshot: StateSnapshot;
}

/** A service and stage a run belongs to. */
interface ServiceStage {
  name: string;
  config: ReturnType<typeof serviceConfig>;
  pipeline: Pipeline;
  stage: Stage;
}

/**
 * A run of a service's deploy workflow or of a stage's smoke tests: recorded on its service;
 * null when the run is neither (a verification run: the caller decides it).
 */
export async function serviceRunFinished(event: ServiceRunEvent): Promise<RunReport | null> {
  const config = event.known.config!;
  const facts = { path: event.run.workflowPath, name: event.run.workflowName };
  const layout = layoutOf(config);
  event.deps.store.useServices(layout);
  const stages = layout.flatMap((l) => {
    const own = serviceConfig(config, l.name);
    const pipeline = pipelineOf(own);
    return pipeline.stages.map((stage) => ({ name: l.name, config: own, pipeline, stage }));
  });
  if (stages.some((x) => sameWorkflow(x.stage.deploy_workflow, facts)))
    return deployFinished(event, (w) => sameWorkflow(w, facts));
  const smokes = stages.filter(
    (x) => x.stage.health?.workflow !== undefined && sameWorkflow(x.stage.health.workflow, facts),
  );
  if (smokes.length > 0) return smokeFinished(event, smokes);
  return null;
}

async function deployFinished(
  event: ServiceRunEvent,
  dispatches: (workflow: string) => boolean,
): Promise<RunReport> {
  const { deps, run, known, snapshot } = event;
  const config = known.config!;
  const whole = snapshot.pipeline ?? snapshot.release;
  const found = serviceOfRun(whole, config, run, dispatches);
  if (!found)
    return buildReport({
      outcome: 'SKIP',
      reason: 'not_a_release_candidate',
      sha: run.displayTitle.match(/\b[0-9a-f]{40}\b/)?.[0] ?? null,
      headline: `Deploy run ${run.runId} ("${run.displayTitle}") finished, but the governor did not dispatch it and its title does not name one service (and environment) of the config. Nothing was recorded; use \`run-name: Deploy \${{ inputs.service }} \${{ inputs.sha }} to \${{ inputs.environment }}\` in the deploy workflow.`,
      runUrl: deps.run.url,
      dryRun: deps.dryRun,
    });
  const sd = depsOf(deps, found);
  const observed = await observeDeploy(
    { deps: sd, run, ctx: stageContext(found.config, found.pipeline, found.stage) },
    { snapshot: await sd.store.read(run.headSha), readFor: run.headSha },
  );
  return unlocked(event, found, {
    report: buildReport({ ...observed.report, service: found.name }),
    sha: observed.sha,
    verified: observed.verified,
  });
}

/** The smoke-test run a service stage's pending health check recorded finished: its verdict. */
async function smokeFinished(event: ServiceRunEvent, smokes: ServiceStage[]): Promise<RunReport> {
  const { deps, run, snapshot } = event;
  const whole = snapshot.pipeline ?? snapshot.release;
  const layout = layoutOf(event.known.config!);
  const found = smokes.find((x) => {
    const view = serviceView(
      whole,
      layout.find((l) => l.name === x.name)!,
    );
    const check = asHealthResult(stageView(view, x.stage.name, x.stage.isLast).last_health_check);
    return check?.run_id === run.runId;
  });
  const said = new Remarks();
  const report = (over: Partial<RunReport>) =>
    buildReport({
      outcome: 'SKIP',
      reason: 'not_a_release_candidate',
      runUrl: deps.run.url,
      dryRun: deps.dryRun,
      ...over,
      notes: said.notes,
      warnings: said.warnings,
    });
  if (!found)
    return report({
      headline: `Smoke-test run ${run.runId} finished, but no service's pending health check recorded it; nothing recorded.`,
    });
  if (run.conclusion === null || deps.dryRun)
    return report({
      service: found.name,
      headline: `Smoke-test run ${run.runId} for ${found.name} on ${found.stage.name}: ${run.conclusion === null ? 'not finished' : 'dry run'}; nothing recorded.`,
    });
  const sd = depsOf(deps, found);
  const ctx = stageContext(found.config, found.pipeline, found.stage);
  const r = await smokeTestsFinished(
    { deps: sd, ctx, said },
    { id: run.runId, url: run.htmlUrl ?? `run ${run.runId}`, conclusion: run.conclusion },
  );
  const parts = checkedReport(r.checked, r.headline ?? '');
  const headline =
    parts.headline ||
    (r.checked.verified && r.sha
      ? `${found.name}: ${found.stage.name} verified at ${shortSha(r.sha)}.`
      : '');
  return unlocked(event, found, {
    report: report({
      stage: found.stage.name,
      service: found.name,
      sha: r.sha,
      ...parts,
      headline,
    }),
    sha: r.sha,
    verified: r.checked.verified,
  });
}

function depsOf(deps: GovernorDeps, at: ServiceStage): GovernorDeps {
  const target = { service: at.name, stage: at.stage.name, isLast: at.stage.isLast };
  return { ...deps, store: deps.store.forTarget(target) };
}

/**
 * A service stage now runs `sha` verified: decide the service's next stage, and the services
 * that wait for it on this stage (depends_on), in this same run.
 */
async function unlocked(
  event: ServiceRunEvent,
  at: ServiceStage,
  observed: { report: RunReport; sha: string | null; verified: boolean },
): Promise<RunReport> {
  const { deps, known } = event;
  if (!observed.verified || !observed.sha || deps.dryRun)
    return combineServices(deps, observed.sha, [observed.report]);
  const next = at.pipeline.stages[at.stage.index + 1];
  const { snapshot: _old, ...policy } = known;
  const decided: RunReport[] = [];
  for (const [service, on] of [
    ...(next ? [[at.name, next.name] as const] : []),
    ...dependentsOf(known.config!, at.name, at.stage.name).map((d) => [d, at.stage.name] as const),
  ]) {
    const r = await decideAndAct(
      deps,
      { sha: observed.sha, manual: false, stage: on, quiet: true, service },
      policy,
    );
    decided.push(...(r.services ?? [r]));
  }
  return combineServices(deps, observed.sha, [observed.report, ...decided]);
}
