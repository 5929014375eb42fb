// The release pipeline of SPEC §14: the configured stages with every default resolved, the
// config each stage is judged with, and the facts its extra rules need (promotion, soak, the
// release train), all read from the whole release.json. Pure.
import type { Config, Readiness } from './config.js';
import type { StageFacts } from './decide.js';
import type { HealthCheck } from './health.js';
import { lifecycleOf, stageView, versionOf, type Release } from './state.js';
import type { Versioning } from './version.js';

export interface Stage {
  name: string;
  /** Position in the pipeline, 0 first. */
  index: number;
  /** The deploy workflow's `environment` input. */
  environment: string;
  deploy_workflow: string;
  deploy_workflow_ref: string;
  soak_minutes: number;
  hold_while_soaking: boolean;
  approvals: 'none' | 'required';
  isLast: boolean;
  /** The commit status context of this stage. */
  statusContext: string;
  /** Post-deploy verification (§15), if any. */
  health: HealthCheck | null;
  /** Where the stage is reached (§21 environment_url), shown on its deployments. */
  environmentUrl: string | null;
  /** The readiness gates it applies (§22): its own block, else the config's, else the defaults. */
  readiness: Readiness;
}

/** Readiness without a block (§22): release blockers labelled release-blocker, nothing else. */
export const NO_READINESS: Readiness = {
  evidence_thresholds: [],
  release_blocker_labels: ['release-blocker'],
};

export interface Pipeline {
  stages: Stage[];
  /** `stages` is in the config: dispatches carry `environment`, statuses are per stage. */
  configured: boolean;
}

export function pipelineOf(config: Config): Pipeline {
  const listed = config.stages;
  if (!listed || listed.length === 0) {
    const name = config.production_environment_name;
    return {
      configured: false,
      stages: [
        {
          name,
          index: 0,
          environment: name,
          deploy_workflow: config.deploy_workflow,
          deploy_workflow_ref: config.deploy_workflow_ref,
          soak_minutes: 0,
          hold_while_soaking: false,
          approvals: 'required',
          isLast: true,
          statusContext: config.status_context,
          health: config.health_check ?? null,
          environmentUrl: config.environment_url ?? null,
          readiness: config.readiness ?? NO_READINESS,
        },
      ],
    };
  }
  return {
    configured: true,
    stages: listed.map((s, index) => {
      const isLast = index === listed.length - 1;
      return {
        name: s.name,
        index,
        environment: s.environment ?? s.name,
        deploy_workflow: s.deploy_workflow ?? config.deploy_workflow,
        deploy_workflow_ref: s.deploy_workflow_ref ?? config.deploy_workflow_ref,
        soak_minutes: s.soak_minutes,
        hold_while_soaking: s.hold_while_soaking ?? s.soak_minutes > 0,
        approvals: s.approvals ?? (isLast ? 'required' : 'none'),
        isLast,
        statusContext: `${config.status_context}/${s.name}`,
        health: s.health_check ?? null,
        environmentUrl: s.environment_url ?? null,
        readiness: s.readiness ?? config.readiness ?? NO_READINESS,
      };
    }),
  };
}

export function lastStage(p: Pipeline): Stage {
  return p.stages[p.stages.length - 1]!;
}

export function findStage(p: Pipeline, name: string): Stage | null {
  return p.stages.find((s) => s.name === name) ?? null;
}

/**
 * The config a stage is judged with: its deploy workflow and ref, its status context, and its
 * name where messages say which environment (with one stage, the config unchanged).
 */
export function stageConfig(config: Config, p: Pipeline, stage: Stage): Config {
  if (!p.configured) return config;
  return {
    ...config,
    deploy_workflow: stage.deploy_workflow,
    deploy_workflow_ref: stage.deploy_workflow_ref,
    status_context: stage.statusContext,
    production_environment_name: stage.name,
  };
}

/** A stage as the governor acts on it: its config, and the `environment` input (null: none). */
export interface StageContext {
  stage: Stage;
  config: Config;
  /** The deploy workflow's `environment` input; null without `stages` (the input is not sent). */
  environment: string | null;
}

export function stageContext(config: Config, p: Pipeline, stage: Stage): StageContext {
  return {
    stage,
    config: stageConfig(config, p, stage),
    environment: p.configured ? stage.environment : null,
  };
}

/** When the SHA verified in `stage` may leave it: verified_at + soak_minutes; null if unverified. */
export function soakEnd(whole: Release, stage: Stage): Date | null {
  const s = whole.stages?.[stage.name];
  if (!s?.verified_at) return null;
  return new Date(Date.parse(s.verified_at) + stage.soak_minutes * 60_000);
}

/** The facts a stage's pipeline rules need (null with one unconfigured stage: no new rules). */
export function stageFacts(whole: Release, p: Pipeline, stage: Stage): StageFacts | null {
  if (!p.configured) return null;
  const view = (s: Stage) => stageView(whole, s.name, s.isLast);
  const prev = stage.index > 0 ? p.stages[stage.index - 1]! : null;
  const next = stage.isLast ? null : p.stages[stage.index + 1]!;
  let previous: StageFacts['previous'] = null;
  if (prev) {
    const s = whole.stages?.[prev.name];
    previous = {
      name: prev.name,
      currentSha: view(prev).production_sha_current,
      verifiedAt: s?.verified_at ?? null,
      soakMinutes: prev.soak_minutes,
    };
  }
  let busy: StageFacts['busy'] = null;
  const here = whole.stages?.[stage.name];
  if (next && stage.hold_while_soaking && here?.current_sha && here.verified_at) {
    const nextView = view(next);
    const lifecycle = lifecycleOf(nextView, here.current_sha);
    busy = {
      currentSha: here.current_sha,
      verifiedAt: here.verified_at,
      soakMinutes: stage.soak_minutes,
      next: next.name,
      reachedNext:
        nextView.production_sha_current === here.current_sha ||
        (lifecycle !== null && lifecycle !== 'failed'),
    };
  }
  return { name: stage.name, approvals: stage.approvals, previous, busy };
}

/** One row of the pipeline table in the summary and in `status`. */
export interface PipelineRow {
  stage: string;
  currentSha: string | null;
  liveSince: string | null;
  verifiedAt: string | null;
  /** When the current SHA may move on (verified_at + soak), for a stage with a soak. */
  soakEnd: string | null;
  inFlight: { sha: string; runUrl: string | null } | null;
  lastResult: string | null;
  /** What this stage takes next: the previous stage's SHA, and from when (null: now). */
  next: { sha: string; at: string | null } | null;
}

export function pipelineRows(whole: Release, p: Pipeline): PipelineRow[] {
  return p.stages.map((stage) => {
    const prev = stage.index > 0 ? p.stages[stage.index - 1]! : null;
    let next: PipelineRow['next'] = null;
    if (prev) {
      const pv = stageView(whole, prev.name, prev.isLast);
      const cur = stageView(whole, stage.name, stage.isLast);
      const sha = pv.production_sha_current;
      const lifecycle = sha ? lifecycleOf(cur, sha) : null;
      const end = soakEnd(whole, prev);
      if (
        sha &&
        end &&
        sha !== cur.production_sha_current &&
        lifecycle !== 'dispatched' &&
        lifecycle !== 'claimed' &&
        lifecycle !== 'succeeded'
      )
        next = { sha, at: prev.soak_minutes > 0 ? end.toISOString() : null };
    }
    const v = stageView(whole, stage.name, stage.isLast);
    const s = whole.stages?.[stage.name];
    const flying = v.deploy_history.find((h) => h.result === 'pending') ?? null;
    const end = stage.soak_minutes > 0 && !stage.isLast ? soakEnd(whole, stage) : null;
    return {
      stage: stage.name,
      currentSha: v.production_sha_current,
      liveSince: s?.live_since ?? null,
      verifiedAt: s?.verified_at ?? null,
      soakEnd: end?.toISOString() ?? null,
      inFlight: flying ? { sha: flying.sha, runUrl: flying.run_url } : null,
      lastResult: v.last_deploy_result,
      next,
    };
  });
}

/** Versioning (§18) with its stage resolved; null when it is off. */
export function versioningOf(
  config: Config,
  p: Pipeline,
): (Omit<Versioning, 'stage'> & { stage: Stage }) | null {
  const v = config.versioning;
  if (!v?.enabled) return null;
  const stage = v.stage !== undefined ? findStage(p, v.stage) : lastStage(p);
  return stage ? { ...v, stage } : null;
}

/**
 * The version a SHA carries into `stage`: the one its versioned stage recorded, when `stage` is
 * that stage or after it (stages before it deploy before the tag exists).
 */
export function recordedVersion(
  whole: Release,
  config: Config,
  p: Pipeline,
  stage: Stage,
  sha: string,
): string | null {
  const v = versioningOf(config, p);
  if (!v || stage.index < v.stage.index) return null;
  return versionOf(stageView(whole, v.stage.name, v.stage.isLast), sha);
}
