// Which stage a decision or a deploy run is about, and the governor as seen from that stage:
// its store (the stage's view of the state branch) and its config (its deploy workflow, ref,
// status context). Without `stages` there is one stage and nothing here changes anything.
import { findStage, type Pipeline, type Stage } from '../domain/pipeline.js';
import { lifecycleOf, stageView, type Release } from '../domain/state.js';
import { GovernorError, type GovernorDeps } from './deps.js';

/** The deps of a stage: the same governor, its store presenting that stage. */
export function stageDeps(deps: GovernorDeps, stage: Stage): GovernorDeps {
  if (deps.store.target?.stage === stage.name) return deps;
  // A service's store makes stores of the same service (§20).
  const target = {
    service: deps.store.target?.service ?? null,
    stage: stage.name,
    isLast: stage.isLast,
  };
  return { ...deps, store: deps.store.forTarget(target) };
}

/**
 * A snapshot `deps` read, if it is the view `stage` would read too (a store for no stage
 * presents the last), so the stage's steps use it instead of reading again.
 */
export function sameView<T>(deps: GovernorDeps, stage: Stage, snapshot: T): T | undefined {
  return deps.store.presents(stage) ? snapshot : undefined;
}

/** The stage named by the `stage` input, or an error listing the stages there are. */
export function namedStage(pipeline: Pipeline, name: string): Stage {
  const stage = findStage(pipeline, name);
  if (stage) return stage;
  throw new GovernorError(
    `There is no stage named ${JSON.stringify(name)}: the stages are ${pipeline.stages.map((s) => s.name).join(', ')}.`,
    pipeline.configured
      ? 'Pass one of them as the stage input, or leave it empty for the first stage the SHA has not passed.'
      : 'Without `stages` in the config there is one stage, named after production_environment_name; leave the stage input empty.',
  );
}

/** The first stage the SHA has not passed (is not running, nor deployed successfully); else the last. */
export function firstNotPassed(whole: Release, pipeline: Pipeline, sha: string): Stage {
  for (const stage of pipeline.stages) {
    const view = stageView(whole, stage.name, stage.isLast);
    if (view.production_sha_current !== sha && lifecycleOf(view, sha) !== 'succeeded') return stage;
  }
  return pipeline.stages[pipeline.stages.length - 1]!;
}

/**
 * The stage a finished deploy run belongs to: the stage whose history records its run id, else
 * the one stage that dispatches this workflow, else the stage whose environment its title names
 * ("Deploy <sha> to <environment>"). Null when it cannot be told.
 */
export function stageOfRun(
  whole: Release,
  pipeline: Pipeline,
  run: { runId: number; displayTitle: string },
  dispatches: (stage: Stage) => boolean,
): Stage | null {
  if (!pipeline.configured) return pipeline.stages[0]!;
  for (const stage of pipeline.stages) {
    const view = stageView(whole, stage.name, stage.isLast);
    if (view.deploy_history.some((h) => h.run_id === run.runId)) return stage;
  }
  const candidates = pipeline.stages.filter(dispatches);
  if (candidates.length === 1) return candidates[0]!;
  const words = run.displayTitle.split(/\s+/);
  const named = candidates.filter((s) => words.includes(s.environment));
  return named.length === 1 ? named[0]! : null;
}
