// The rules of SPEC §6, in order; the first that applies decides. Pure: every fact, the
// clock included, comes in as an argument, and the verdict says which rules were evaluated
// and what an operator needs to clear a hold.
import { coversPaths, uncoveredPaths, type ApprovalResult } from './approvals.js';
import type { Config } from './config.js';
import { activeFreeze } from './freeze.js';
import type { RiskAssessment } from './risk.js';
import type { HoldKind, Outcome, ReasonCode, Risk } from './types.js';

/** compare(base, head).status as GitHub reports it. */
export type CompareStatus = 'ahead' | 'identical' | 'behind' | 'diverged';

/** rolled_back: deployed, then rolled back from the stage (§15): not deployed for rule 2. */
export type Lifecycle = 'claimed' | 'dispatched' | 'succeeded' | 'failed' | 'rolled_back';

export interface DeployEntry {
  sha: string;
  /** ISO 8601 UTC of the claim. */
  time: string;
  result: 'pending' | 'success' | 'failure' | null;
  /** ISO 8601 UTC when the deploy finished, when known. */
  completed_at?: string | null;
}

export type RuleId =
  | 'disabled'
  | 'already_deployed'
  | 'out_of_order'
  | 'verified'
  | 'promoted'
  | 'evidence'
  | 'deploy_configured'
  | 'degraded_high_risk'
  | 'first_deploy'
  | 'cooldown'
  | 'rate_limit'
  | 'freeze'
  | 'soaked'
  | 'stage_free'
  | 'rolled_back'
  | 'incident'
  | 'high_risk'
  | 'allow';

export interface RuleVerdict {
  rule: RuleId;
  title: string;
  verdict: 'pass' | 'applies';
  detail: string;
}

export interface PullPaths {
  number: number;
  paths: string[];
}

export type Unblock =
  | {
      kind: 'soft';
      reason:
        | 'first_deploy_required'
        | 'incident_active'
        | 'high_risk_no_approval'
        | 'previously_rolled_back';
      /** Paths that still need an approval (capped by the report). */
      uncovered: string[];
      /** Merged pull requests carrying uncovered paths: label or comment these. */
      pulls: PullPaths[];
      /** Uncovered paths no pull request accounts for (direct pushes): only a SHA-scoped approval covers them. */
      withoutPull: string[];
      modes: Config['approval_mode'];
      label: string;
      command: string;
      sha: string;
      incidents: { number: number; title: string }[];
      degraded: boolean;
    }
  | {
      kind: 'wait';
      reason: 'cooldown' | 'rate_limit' | 'freeze_window' | 'soaking' | 'stage_busy';
      until: string;
      detail: string;
    }
  | {
      kind: 'hard';
      reason: Exclude<
        ReasonCode,
        | 'first_deploy_required'
        | 'incident_active'
        | 'high_risk_no_approval'
        | 'previously_rolled_back'
        | 'cooldown'
        | 'rate_limit'
        | 'freeze_window'
        | 'soaking'
        | 'stage_busy'
      >;
      detail: string;
    };

export interface Decision {
  outcome: Outcome;
  reason: ReasonCode;
  holdKind: HoldKind | null;
  risk: Risk | null;
  rules: RuleVerdict[];
  unblock: Unblock | null;
  /** One line for logs and the commit status. */
  summary: string;
  /** Break-glass (§16): the holds it bypassed, by reason code. */
  bypassed?: ReasonCode[];
}

/** A stage of a configured pipeline (SPEC §14): what its extra rules need. */
export interface StageFacts {
  name: string;
  /** none: rules 6, 9 and 10 do not apply to this stage. */
  approvals: 'none' | 'required';
  /** The stage before this one: the SHA it runs, when that was verified, and its soak. */
  previous: {
    name: string;
    currentSha: string | null;
    verifiedAt: string | null;
    soakMinutes: number;
  } | null;
  /**
   * With hold_while_soaking and a next stage: this stage's current SHA, when it was verified,
   * the soak, and whether the next stage has taken it (claimed, dispatched or running it).
   */
  busy: {
    currentSha: string;
    verifiedAt: string;
    soakMinutes: number;
    next: string;
    reachedNext: boolean;
  } | null;
}

/** The facts rules 1–3 need: state and the out-of-order checks, no diff yet. */
export interface EarlyInput {
  enabled: boolean;
  sha: string;
  /** This SHA's deploy lifecycle in the state branch, if any. */
  lifecycle: Lifecycle | null;
  productionSha: string | null;
  /** compare(production, sha).status; null when there is no production SHA. */
  productionCompare: CompareStatus | null;
  /** The newest SHA claimed or dispatched and not finished (other than this one), and compare(it, sha). */
  inFlight: { sha: string; compare: CompareStatus } | null;
  manual: boolean;
  /**
   * For a manual trigger: whether the SHA has a successful verification run on the branch; null
   * where runs cannot be read (local mode), which a what-if reports and never dispatches on.
   */
  verified: boolean | null;
  /** The stage decided, when `stages` is configured; absent or null: the single stage. */
  stage?: StageFacts | null;
  /** required_artifacts (§17): what the verification run uploaded; null when none are required. */
  artifacts?: {
    required: string[];
    missing: string[];
    expired: string[];
    runId: number | null;
    /** Runs cannot be read here (local mode): the rule is reported, not applied. */
    unchecked?: boolean;
  } | null;
}

export interface DecisionInput extends EarlyInput {
  config: Config;
  risk: RiskAssessment;
  approvals: ApprovalResult;
  /** Merged pull requests of the range and their paths, for "label #N" advice. */
  pulls: PullPaths[];
  history: DeployEntry[];
  incidents: { number: number; title: string }[];
  /** The `degraded` input: true, false, or null (unknown). */
  degraded: boolean | null;
  now: Date;
  /** When this SHA was rolled back from the stage (lifecycle rolled_back), for rule 8d. */
  rolledBackAt?: string | null;
  /**
   * Break-glass (§16), already authorised by the caller: the soft and wait holds are bypassed
   * and recorded; hard holds and rules 1–3 still apply.
   */
  breakGlass?: { actor: string; reason: string } | null;
  /** Why the deploy workflow cannot take the governor's dispatch (rule 4), or null. */
  deployWorkflow?: string | null;
  /**
   * Production runs a commit without the config file, so the head's config judges (SPEC §3):
   * rule 6 asks for an approval of the whole diff, as for a first deploy.
   */
  adopted?: boolean;
}

const TITLES: Record<RuleId, string> = {
  disabled: '1. Governor enabled',
  already_deployed: '2. Not already deployed or in flight',
  out_of_order: '3. Ahead of production and of any deploy in flight',
  verified: '3a. Verified (manual trigger)',
  promoted: '3b. Passed the previous stage',
  evidence: '3c. Required artifacts of the verification run present',
  deploy_configured: '4. Deploy workflow configured',
  degraded_high_risk: '5. Not HIGH risk while production is degraded',
  first_deploy: '6. First deploy approved',
  cooldown: '7. Not in cooldown after a failed deploy',
  rate_limit: '8. Under the deploy rate limit',
  freeze: '8a. Outside freeze windows',
  soaked: '8b. Soaked in the previous stage',
  stage_free: '8c. Stage not holding a soaking release',
  rolled_back: '8d. Not rolled back from this stage (or approved again)',
  incident: '9. No active incident (or approved)',
  high_risk: '10. HIGH-risk paths approved',
  allow: '11. Allow',
};

class Trail {
  readonly rules: RuleVerdict[] = [];
  pass(rule: RuleId, detail: string): void {
    this.rules.push({ rule, title: TITLES[rule], verdict: 'pass', detail });
  }
  applies(rule: RuleId, detail: string): void {
    this.rules.push({ rule, title: TITLES[rule], verdict: 'applies', detail });
  }
}

function verdict(
  trail: Trail,
  outcome: Outcome,
  reason: ReasonCode,
  risk: Risk | null,
  unblock: Unblock | null,
  holdKind: HoldKind | null,
  summary: string,
): Decision {
  return { outcome, reason, holdKind, risk, rules: trail.rules, unblock, summary };
}

function hard(
  trail: Trail,
  reason: Extract<Unblock, { kind: 'hard' }>['reason'],
  risk: Risk | null,
  detail: string,
): Decision {
  return verdict(trail, 'HOLD', reason, risk, { kind: 'hard', reason, detail }, 'hard', detail);
}

const short = (sha: string): string => sha.slice(0, 7);

function skip(trail: Trail, reason: ReasonCode, summary: string): Decision {
  return verdict(trail, 'SKIP', reason, null, null, null, summary);
}

/** Rules 1–3 (and the manual-trigger verification): decidable before any diff is fetched. */
export function decideEarly(input: EarlyInput, trail: Trail = new Trail()): Decision | null {
  if (!input.enabled) {
    trail.applies('disabled', 'release_governor is absent or enabled: false');
    return skip(trail, 'disabled', 'The governor is disabled for this repository.');
  }
  trail.pass('disabled', 'enabled');

  if (
    input.lifecycle === 'claimed' ||
    input.lifecycle === 'dispatched' ||
    input.lifecycle === 'succeeded'
  ) {
    const what =
      input.lifecycle === 'succeeded'
        ? 'was already deployed successfully'
        : `is already ${input.lifecycle} for deploy`;
    trail.applies('already_deployed', `${short(input.sha)} ${what}`);
    return skip(trail, 'already_deployed', `${short(input.sha)} ${what}.`);
  }
  trail.pass(
    'already_deployed',
    input.lifecycle === 'failed'
      ? 'a previous deploy of this SHA failed'
      : input.lifecycle === 'rolled_back'
        ? 'this SHA was rolled back from here'
        : 'no deploy of this SHA recorded',
  );

  // The stage decided (its current SHA is `productionSha`); production without stages.
  const here = input.stage?.name ?? 'production';
  const Here = here.charAt(0).toUpperCase() + here.slice(1);
  if (input.productionSha !== null) {
    const p = short(input.productionSha);
    switch (input.productionCompare) {
      case 'identical':
        trail.applies('out_of_order', `${short(input.sha)} is what ${here} runs`);
        return skip(trail, 'already_in_production', `${short(input.sha)} is already in ${here}.`);
      case 'behind':
        trail.applies(
          'out_of_order',
          `${here} ${p} is already past ${short(input.sha)}; deploying it would roll back`,
        );
        return skip(trail, 'superseded', `${Here} ${p} already contains ${short(input.sha)}.`);
      case 'diverged':
        trail.applies('out_of_order', `${short(input.sha)} and ${here} ${p} have diverged`);
        return hard(
          trail,
          'diverged_from_production',
          null,
          `${short(input.sha)} does not descend from ${here} ${p}: deploying it would drop commits that are in ${here}.`,
        );
      case 'ahead':
        break;
      case null:
        throw new Error('productionCompare is required when there is a production SHA');
    }
  }
  if (input.inFlight) {
    const f = short(input.inFlight.sha);
    if (input.inFlight.compare === 'behind') {
      trail.applies(
        'out_of_order',
        `${f} is being deployed and already contains ${short(input.sha)}`,
      );
      return skip(
        trail,
        'superseded',
        `${f}, which contains ${short(input.sha)}, is already being deployed.`,
      );
    }
    if (input.inFlight.compare === 'diverged') {
      trail.applies('out_of_order', `${short(input.sha)} and ${f} (in flight) have diverged`);
      return hard(
        trail,
        'diverged_from_production',
        null,
        `${short(input.sha)} does not descend from ${f}, which is being deployed.`,
      );
    }
  }
  trail.pass(
    'out_of_order',
    input.productionSha
      ? `ahead of ${here} ${short(input.productionSha)}${input.inFlight ? ` and of ${short(input.inFlight.sha)} in flight` : ''}`
      : `no ${here} SHA yet`,
  );

  if (input.manual && input.verified === null)
    trail.pass('verified', 'verification not checked in local mode (workflow runs live on GitHub)');
  else if (input.manual) {
    if (!input.verified) {
      trail.applies(
        'verified',
        `no successful verification run for ${short(input.sha)} on the release branch`,
      );
      return hard(
        trail,
        'not_verified',
        null,
        `${short(input.sha)} has no successful run of the verification workflow on the release branch.`,
      );
    }
    trail.pass('verified', 'a successful verification run exists');
  }

  const stage = input.stage;
  if (stage) {
    const prev = stage.previous;
    if (!prev) trail.pass('promoted', `${stage.name} is the first stage`);
    else if (prev.currentSha !== input.sha || prev.verifiedAt === null) {
      const why =
        prev.currentSha === input.sha
          ? `${short(input.sha)} is in ${prev.name} but not verified there yet`
          : `${prev.name} runs ${prev.currentSha ? short(prev.currentSha) : 'nothing yet'}, not ${short(input.sha)}`;
      trail.applies('promoted', why);
      return skip(
        trail,
        'not_promoted',
        `${short(input.sha)} has not passed ${prev.name}: ${why}. A SHA reaches ${stage.name} only after its deploy to ${prev.name} succeeded and was verified.`,
      );
    } else trail.pass('promoted', `${short(input.sha)} runs verified in ${prev.name}`);
  }

  const art = input.artifacts;
  if (art?.unchecked)
    trail.pass(
      'evidence',
      `not checked in local mode: ${art.required.join(', ')} (workflow runs and artifacts live on GitHub)`,
    );
  else if (art) {
    if (art.missing.length > 0) {
      const where =
        art.runId === null
          ? 'no successful verification run was found'
          : `verification run ${art.runId} has not uploaded ${art.missing.join(', ')}${art.expired.length ? ` (expired: ${art.expired.join(', ')})` : ''}`;
      trail.applies('evidence', where);
      return hard(
        trail,
        'evidence_missing',
        null,
        `Required evidence is missing: ${where}. A new verification run that uploads ${art.missing.join(', ')} clears it.`,
      );
    }
    trail.pass('evidence', `${art.required.join(', ')} uploaded by run ${art.runId}`);
  }
  return null;
}

/** The time left until `until`, for people: "9m 45s", "2h 5m". */
export function timeLeft(until: Date, now: Date): string {
  const s = Math.max(0, Math.ceil((until.getTime() - now.getTime()) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** HH:MM UTC of an instant, with its date when that is not `now`'s (UTC) day. */
export function clock(at: Date, now: Date): string {
  const iso = at.toISOString();
  const day = iso.slice(0, 10) === now.toISOString().slice(0, 10) ? '' : `${iso.slice(0, 10)} `;
  return `${day}${iso.slice(11, 16)} UTC`;
}

/** Whether approvals can change the verdict, so the adapters know whether to fetch them. */
export function approvalsMatter(f: {
  risk: Risk;
  productionSha: string | null;
  config: Config;
  incidentCount: number;
  degraded: boolean | null;
  /** A stage with `approvals: none` never asks. */
  stageApprovals?: 'none' | 'required';
  /** A SHA rolled back from the stage needs an approval again, on any stage (rule 8d). */
  rolledBack?: boolean;
  /** Production predates the config file (SPEC §3): rule 6 applies as to a first deploy. */
  adopted?: boolean;
}): boolean {
  if (f.rolledBack) return true;
  if (f.stageApprovals === 'none') return false;
  if (f.risk === 'HIGH') return true;
  if ((f.productionSha === null || f.adopted) && f.config.require_approval_for_first_deploy)
    return true;
  return f.incidentCount > 0 || f.degraded === true;
}

function owners(
  uncovered: string[],
  pulls: PullPaths[],
): { pulls: PullPaths[]; withoutPull: string[] } {
  const want = new Set(uncovered);
  const out: PullPaths[] = [];
  const accounted = new Set<string>();
  for (const pr of pulls) {
    const paths = pr.paths.filter((p) => want.has(p));
    if (paths.length > 0) {
      out.push({ number: pr.number, paths });
      for (const p of paths) accounted.add(p);
    }
  }
  return { pulls: out, withoutPull: uncovered.filter((p) => !accounted.has(p)) };
}

function softHold(
  trail: Trail,
  input: DecisionInput,
  reason: Extract<Unblock, { kind: 'soft' }>['reason'],
  uncovered: string[],
  summary: string,
): Decision {
  const { pulls, withoutPull } = owners(uncovered, input.pulls);
  return verdict(
    trail,
    'HOLD',
    reason,
    input.risk.risk,
    {
      kind: 'soft',
      reason,
      uncovered,
      pulls,
      withoutPull,
      modes: input.config.approval_mode,
      label: input.config.approval_label,
      command: input.config.approval_command,
      sha: input.sha,
      incidents: input.incidents,
      degraded: input.degraded === true,
    },
    'soft',
    summary,
  );
}

const HOUR_MS = 3600_000;

/** After rule 8: HOLD soaking (the previous stage's soak) and HOLD stage_busy (the release train). */
function pipelineHold(
  trail: Trail,
  stage: StageFacts,
  sha: string,
  level: Risk,
  now: Date,
): Decision | null {
  const wait = (
    rule: RuleId,
    reason: 'soaking' | 'stage_busy',
    until: Date,
    detail: string,
    summary: string,
  ): Decision => {
    trail.applies(rule, detail);
    return verdict(
      trail,
      'HOLD',
      reason,
      level,
      { kind: 'wait', reason, until: until.toISOString(), detail },
      'wait',
      summary,
    );
  };
  const prev = stage.previous;
  if (prev && prev.verifiedAt) {
    const end = new Date(Date.parse(prev.verifiedAt) + prev.soakMinutes * 60_000);
    if (now < end)
      return wait(
        'soaked',
        'soaking',
        end,
        `${short(sha)} was verified in ${prev.name} at ${prev.verifiedAt}; soak_minutes of ${prev.name} is ${prev.soakMinutes}`,
        `${short(sha)} is soaking in ${prev.name}: ${stage.name} unlocks at ${clock(end, now)}, in ${timeLeft(end, now)}.`,
      );
    trail.pass('soaked', `verified in ${prev.name} for ${prev.soakMinutes} minute(s) or more`);
  } else if (prev) trail.pass('soaked', `no soak to wait for`);
  else trail.pass('soaked', `${stage.name} is the first stage`);

  const busy = stage.busy;
  if (busy && busy.currentSha !== sha && !busy.reachedNext) {
    const end = new Date(Date.parse(busy.verifiedAt) + busy.soakMinutes * 60_000);
    if (now < end)
      return wait(
        'stage_free',
        'stage_busy',
        end,
        `${stage.name} holds ${short(busy.currentSha)} while it soaks for ${busy.next} (hold_while_soaking)`,
        `${stage.name} is busy: ${short(busy.currentSha)} soaks there until ${clock(end, now)} (in ${timeLeft(end, now)}) and takes no newer SHA before it moves on to ${busy.next}.`,
      );
  }
  trail.pass(
    'stage_free',
    busy ? `${short(busy.currentSha)} has soaked or moved on` : 'no soaking release held here',
  );
  return null;
}

export function decide(input: DecisionInput): Decision {
  const trail = new Trail();
  const early = decideEarly(input, trail);
  if (early) return early;
  const { config, risk, approvals, now } = input;
  const level = risk.risk;

  // 4
  if (config.deploy_workflow.trim() === '') {
    trail.applies('deploy_configured', 'deploy_workflow is empty');
    return hard(
      trail,
      'deploy_not_configured',
      level,
      'No deploy workflow is configured (deploy_workflow is empty).',
    );
  }
  if (input.deployWorkflow) {
    trail.applies('deploy_configured', input.deployWorkflow);
    return hard(trail, 'deploy_not_configured', level, input.deployWorkflow);
  }
  trail.pass(
    'deploy_configured',
    `${config.deploy_workflow} on ${config.deploy_workflow_ref}${input.deployWorkflow === null ? ' takes the dispatch' : ''}`,
  );

  // 5
  if (input.degraded === true && level === 'HIGH') {
    trail.applies('degraded_high_risk', 'production is degraded and this change is HIGH risk');
    return hard(
      trail,
      'degraded_high_risk',
      level,
      'Production is degraded; a HIGH-risk change is not deployed until it is healthy.',
    );
  }
  trail.pass(
    'degraded_high_risk',
    input.degraded === true
      ? `production degraded, risk ${level}`
      : `risk ${level}, production ${input.degraded === false ? 'healthy' : 'health unknown'}`,
  );

  // Break-glass (§16) turns the soft and wait holds below into a record of what it bypassed.
  const bypassed: ReasonCode[] = [];
  const hold = (d: Decision): Decision | null => {
    if (!input.breakGlass || d.holdKind === 'hard') return d;
    bypassed.push(d.reason);
    const applied = d.rules.at(-1)!;
    applied.verdict = 'pass';
    applied.detail = `bypassed by break-glass (@${input.breakGlass.actor}): ${applied.detail}`;
    return null;
  };

  const wholeDiffApproved =
    approvals.coversAll || (!risk.incomplete && coversPaths(approvals, risk.paths));
  let clearedByApproval = false;
  const stage = input.stage ?? null;
  const noApprovals = stage?.approvals === 'none';
  const notHere = `approvals: none in ${stage?.name ?? ''}`;

  // 6
  if (noApprovals) trail.pass('first_deploy', notHere);
  else if (
    (input.productionSha === null || input.adopted) &&
    config.require_approval_for_first_deploy
  ) {
    // Adoption: production runs a commit from before the config file, so this is the first
    // deploy the governor judges, under the head's own policy.
    const first = input.adopted
      ? `production ${short(input.productionSha!)} predates ${config.config_path}: the first governed deploy`
      : 'first deploy';
    if (!wholeDiffApproved) {
      trail.applies(
        'first_deploy',
        input.adopted
          ? `${first}, judged by the head's config, needs an approval covering the whole diff`
          : 'no production SHA yet and no approval covering the whole first deploy',
      );
      const d = hold(
        softHold(
          trail,
          input,
          'first_deploy_required',
          uncoveredPaths(approvals, risk.paths),
          input.adopted
            ? `First governed deploy: production ${short(input.productionSha!)} has no ${config.config_path}, so the head's config judges and an approval of the whole diff is required.`
            : 'First deploy: an approval is required.',
        ),
      );
      if (d) return d;
    } else {
      clearedByApproval = true;
      trail.pass('first_deploy', `${first}, approved`);
    }
  } else
    trail.pass(
      'first_deploy',
      input.productionSha === null
        ? 'first deploy; approval not required by config'
        : 'not a first deploy',
    );

  // 7
  const cooldownMs = config.cooldown_minutes * 60_000;
  const failures = input.history
    .filter((e) => e.sha === input.sha && e.result === 'failure')
    .map((e) => Date.parse(e.completed_at ?? e.time))
    .filter((t) => !Number.isNaN(t));
  const lastFailure = failures.length > 0 ? Math.max(...failures) : null;
  if (lastFailure !== null && now.getTime() < lastFailure + cooldownMs) {
    const until = new Date(lastFailure + cooldownMs).toISOString();
    const detail = `the deploy of ${short(input.sha)} failed at ${new Date(lastFailure).toISOString()}; cooldown_minutes is ${config.cooldown_minutes}`;
    trail.applies('cooldown', detail);
    const d = hold(
      verdict(
        trail,
        'HOLD',
        'cooldown',
        level,
        { kind: 'wait', reason: 'cooldown', until, detail },
        'wait',
        `Cooldown after a failed deploy, until ${until}.`,
      ),
    );
    if (d) return d;
  } else
    trail.pass(
      'cooldown',
      lastFailure === null ? 'no failed deploy of this SHA' : 'cooldown has passed',
    );

  // 8
  const windowStart = now.getTime() - HOUR_MS;
  const recent = input.history
    .map((e) => Date.parse(e.time))
    .filter((t) => !Number.isNaN(t) && t > windowStart && t <= now.getTime())
    .sort((a, b) => a - b);
  if (recent.length >= config.max_deploys_per_hour) {
    // The window frees a slot when enough of the oldest claims age out.
    const freeing = recent[recent.length - config.max_deploys_per_hour]!;
    const until = new Date(freeing + HOUR_MS).toISOString();
    const detail = `${recent.length} deploys in the last 60 minutes; max_deploys_per_hour is ${config.max_deploys_per_hour}`;
    trail.applies('rate_limit', detail);
    const d = hold(
      verdict(
        trail,
        'HOLD',
        'rate_limit',
        level,
        { kind: 'wait', reason: 'rate_limit', until, detail },
        'wait',
        `Rate limit reached, until ${until}.`,
      ),
    );
    if (d) return d;
  } else
    trail.pass(
      'rate_limit',
      `${recent.length} of ${config.max_deploys_per_hour} deploys in the last 60 minutes`,
    );

  // 8a: freeze windows (SPEC §16) of this stage.
  const stageName = stage?.name ?? config.production_environment_name;
  const last = config.stages?.at(-1)?.name ?? config.production_environment_name;
  const frozen = activeFreeze(config.freeze_windows, stageName, last, now);
  if (frozen) {
    const until = new Date(frozen.until);
    const detail = `freeze window ${frozen.index + 1} (${frozen.describe}): ${frozen.reason}`;
    trail.applies('freeze', detail);
    const d = hold(
      verdict(
        trail,
        'HOLD',
        'freeze_window',
        level,
        { kind: 'wait', reason: 'freeze_window', until: frozen.until, detail },
        'wait',
        `${stageName} is frozen until ${clock(until, now)} (in ${timeLeft(until, now)}): ${frozen.reason}.`,
      ),
    );
    if (d) return d;
  } else if (config.freeze_windows.length > 0)
    trail.pass('freeze', `no freeze window holds ${stageName} now`);

  if (stage) {
    const held = pipelineHold(trail, stage, input.sha, level, now);
    if (held) {
      const d = hold(held);
      if (d) return d;
    }
  }

  // 8d: a SHA rolled back from this stage comes back only with a fresh, SHA-scoped approval.
  if (input.lifecycle === 'rolled_back') {
    const since = input.rolledBackAt ?? '';
    const again = approvals.valid.find(
      (a) => a.covers === 'all' && (a.at === null || a.at > since),
    );
    if (!again) {
      trail.applies(
        'rolled_back',
        `${short(input.sha)} was rolled back from here at ${since || 'an earlier time'}`,
      );
      const d = hold(
        softHold(
          trail,
          { ...input, pulls: [] },
          'previously_rolled_back',
          risk.paths,
          `${short(input.sha)} was rolled back from ${stage?.name ?? 'production'}: it goes back only when someone approves it again.`,
        ),
      );
      if (d) return d;
    } else {
      clearedByApproval = true;
      trail.pass(
        'rolled_back',
        `rolled back, then approved again (${again.source}${again.actor ? ` by @${again.actor}` : ''})`,
      );
    }
  }

  // 9
  const incident = input.incidents.length > 0 || input.degraded === true;
  if (noApprovals) trail.pass('incident', notHere);
  else if (incident && level !== 'HIGH') {
    const why =
      input.incidents.length > 0
        ? `open incident ${input.incidents.map((i) => `#${i.number}`).join(', ')}`
        : 'production is degraded';
    if (!wholeDiffApproved) {
      trail.applies('incident', `${why}; no approval covers this change`);
      const d = hold(
        softHold(
          trail,
          input,
          'incident_active',
          uncoveredPaths(approvals, risk.paths),
          `Active incident (${why}): an approval is required.`,
        ),
      );
      if (d) return d;
    } else {
      clearedByApproval = true;
      trail.pass('incident', `${why}; approved`);
    }
  } else
    trail.pass(
      'incident',
      incident ? 'incident active; HIGH risk is judged by rule 10' : 'no open incident',
    );

  // 10
  if (noApprovals) trail.pass('high_risk', `risk ${level}; ${notHere}`);
  else if (level === 'HIGH') {
    // An incomplete diff hides paths no pull request approval can vouch for: only a
    // whole-diff approval (the SHA in the variable, or a commit comment on the head) clears it.
    const needsWhole = risk.incomplete && !approvals.coversAll;
    const uncovered = needsWhole ? risk.highPaths : uncoveredPaths(approvals, risk.highPaths);
    if (needsWhole || uncovered.length > 0) {
      trail.applies(
        'high_risk',
        needsWhole
          ? `the diff could not be fully assessed (${risk.incompleteReason}); only an approval of the whole diff clears it`
          : `${uncovered.length} HIGH-risk path(s) without a valid approval`,
      );
      const d = hold(
        softHold(
          trail,
          input,
          'high_risk_no_approval',
          uncovered,
          `HIGH risk: ${uncovered.length} path(s) need an approval.`,
        ),
      );
      if (d) return d;
    } else trail.pass('high_risk', 'every HIGH-risk path is covered by a valid approval');
  } else trail.pass('high_risk', `risk ${level}`);

  // 11
  const reason: ReasonCode = input.breakGlass
    ? 'allow_break_glass'
    : clearedByApproval
      ? 'allow_approved'
      : level === 'HIGH'
        ? 'allow_high_approved'
        : level === 'MEDIUM'
          ? 'allow_medium'
          : 'allow_low';
  trail.applies('allow', reason);
  const allowed = verdict(
    trail,
    'ALLOW',
    reason,
    level,
    null,
    null,
    input.breakGlass
      ? `Break-glass deploy of ${short(input.sha)} (${level}) by @${input.breakGlass.actor}${bypassed.length ? `, bypassing ${bypassed.join(', ')}` : ''}.`
      : `Deploy ${short(input.sha)} (${level}).`,
  );
  return input.breakGlass ? { ...allowed, bypassed } : allowed;
}
