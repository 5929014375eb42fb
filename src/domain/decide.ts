// The rules of SPEC §6, in order; the first that applies decides. Pure: every fact, the
// clock included, comes in as an argument, and the verdict says which rules were evaluated
// and what an operator needs to clear a hold. The rules are two ordered tables (EARLY_RULES,
// decidable before the diff is fetched, and RULES); one runner walks them and applies
// break-glass the same way to every soft and wait hold.
import { coversPaths, uncoveredPaths, type ApprovalResult } from './approvals.js';
import type { Config } from './config.js';
import { activeFreeze } from './freeze.js';
import type { RiskAssessment } from './risk.js';
import type { ThresholdResult } from './readiness.js';
import type {
  CompareStatus,
  DeployEntry,
  HoldKind,
  Lifecycle,
  Outcome,
  ReasonCode,
  Risk,
} from './types.js';

export type RuleId =
  | 'disabled'
  | 'affected'
  | 'already_deployed'
  | 'out_of_order'
  | 'verified'
  | 'promoted'
  | 'evidence'
  | 'fresh'
  | 'thresholds'
  | 'blockers'
  | 'deploy_configured'
  | 'degraded_high_risk'
  | 'first_deploy'
  | 'cooldown'
  | 'rate_limit'
  | 'freeze'
  | 'soaked'
  | 'stage_free'
  | 'rolled_back'
  | 'dependencies'
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
      /** Services (§20): clears by itself when the dependencies have released the commit. */
      kind: 'wait';
      reason: 'waiting_for_dependency';
      until: null;
      detail: string;
      /** The services that have not yet released the commit (deployed and verified) here. */
      waitingFor: string[];
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
        | 'waiting_for_dependency'
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
  /** The SHA the stage decided runs (production's without stages); null before its first deploy. */
  currentSha: string | null;
  /** compare(currentSha, sha).status; null when there is no current SHA. */
  currentCompare: CompareStatus | null;
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
  /**
   * Services (§20): the service decided and whether the commit changes its paths (the diff from
   * its current SHA here, filtered to its paths and the protected paths); absent without services.
   */
  service?: { name: string; affected: boolean; files: number } | null;
  /** Readiness gates (§22): what each one found; absent or null for a gate not in force. */
  readiness?: {
    fresh?: {
      limitMinutes: number;
      /** When the verification run completed; null when that cannot be told. */
      completedAt: string | null;
      ageMinutes: number | null;
      runUrl: string | null;
    } | null;
    thresholds?: ThresholdResult[] | null;
    blockers?: {
      labels: string[];
      open: { number: number; title: string; pull: boolean; url?: string | null }[];
    } | null;
  } | null;
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
  /**
   * Services (§20): the services of depends_on that the commit affects and that have not yet
   * deployed it (or a descendant) successfully, with its health check passed, to this stage.
   */
  waitingFor?: { service: string; why: string }[];
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
  affected: '1a. The commit changes the service',
  already_deployed: '2. Not already deployed or in flight',
  out_of_order: '3. Ahead of production and of any deploy in flight',
  verified: '3a. Verified (manual trigger)',
  promoted: '3b. Passed the previous stage',
  evidence: '3c. Required artifacts of the verification run present',
  fresh: '3d. Verification recent enough',
  thresholds: '3e. Figures of the verification within their bounds',
  blockers: '3f. No release blocker open',
  deploy_configured: '4. Deploy workflow configured',
  degraded_high_risk: '5. Not HIGH risk while production is degraded',
  first_deploy: '6. First deploy approved',
  cooldown: '7. Not in cooldown after a failed deploy',
  rate_limit: '8. Under the deploy rate limit',
  freeze: '8a. Outside freeze windows',
  soaked: '8b. Soaked in the previous stage',
  stage_free: '8c. Stage not holding a soaking release',
  rolled_back: '8d. Not rolled back from this stage (or approved again)',
  dependencies: '8e. Dependencies released it first',
  incident: '9. No active incident (or approved)',
  high_risk: '10. HIGH-risk paths approved',
  allow: '11. Allow',
};

/**
 * What one rule found: it passes (with what it saw), or it applies and stops the decision.
 * `cleared`: it passed because an approval cleared it (the ALLOW is then `allow_approved`).
 */
type Step = { pass: string; cleared?: true } | { applies: string; stop: Stop };

/** How an applying rule ends the decision. */
type Stop =
  | { outcome: 'SKIP'; reason: ReasonCode; summary: string }
  | { outcome: 'HOLD'; unblock: Unblock; summary: string };

/** A rule of SPEC §6: null when it does not apply to this kind of decision (not shown). */
interface Rule<I> {
  id: RuleId;
  check(input: I, at: Context): Step | null;
}

/** What several rules derive from the input, computed once. */
interface Context {
  /** The stage decided (it runs `currentSha`); `production` without stages. */
  here: string;
  level: Risk;
  wholeDiffApproved: boolean;
  /** The stage has `approvals: none`: rules 6, 9 and 10 pass. */
  noApprovals: string | null;
}

const short = (sha: string): string => sha.slice(0, 7);
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

const skip = (reason: ReasonCode, summary: string): Stop => ({ outcome: 'SKIP', reason, summary });

function hard(reason: Extract<Unblock, { kind: 'hard' }>['reason'], detail: string): Stop {
  return { outcome: 'HOLD', unblock: { kind: 'hard', reason, detail }, summary: detail };
}

function wait(
  reason: Exclude<Extract<Unblock, { kind: 'wait' }>['reason'], 'waiting_for_dependency'>,
  until: Date,
  { detail, summary }: { detail: string; summary: string },
): Stop {
  return {
    outcome: 'HOLD',
    unblock: { kind: 'wait', reason, until: until.toISOString(), detail },
    summary,
  };
}

/** A hold an approval clears: which paths still need one, and where to give it. */
function soft(
  input: DecisionInput,
  reason: Extract<Unblock, { kind: 'soft' }>['reason'],
  {
    uncovered,
    summary,
    pulls = input.pulls,
  }: { uncovered: string[]; summary: string; pulls?: PullPaths[] },
): Stop {
  const owned = owners(uncovered, pulls);
  return {
    outcome: 'HOLD',
    unblock: {
      kind: 'soft',
      reason,
      uncovered,
      pulls: owned.pulls,
      withoutPull: owned.withoutPull,
      modes: input.config.approval_mode,
      label: input.config.approval_label,
      command: input.config.approval_command,
      sha: input.sha,
      incidents: input.incidents,
      degraded: input.degraded === true,
    },
    summary,
  };
}

const applies = (detail: string, stop: Stop): Step => ({ applies: detail, stop });

// ---------------------------------------------------------------- rules 1–3c (no diff needed)

const ruleEnabled: Rule<EarlyInput> = {
  id: 'disabled',
  check: (input) =>
    input.enabled
      ? { pass: 'enabled' }
      : applies(
          'release_governor is absent or enabled: false',
          skip('disabled', 'The governor is disabled for this repository.'),
        ),
};

/** 1a (services, §20): a commit that changes none of a service's paths is not its release. */
const ruleAffected: Rule<EarlyInput> = {
  id: 'affected',
  check: ({ service, sha }) => {
    if (!service) return null;
    if (service.affected)
      return { pass: `${service.files} changed file(s) belong to ${service.name}` };
    const detail = `no changed file belongs to ${service.name}`;
    return applies(
      detail,
      skip('not_affected', `${short(sha)} changes none of ${service.name}'s paths.`),
    );
  },
};

const ruleNotDeployed: Rule<EarlyInput> = {
  id: 'already_deployed',
  check: ({ lifecycle, sha }) => {
    if (lifecycle === 'claimed' || lifecycle === 'dispatched' || lifecycle === 'succeeded') {
      const what =
        lifecycle === 'succeeded'
          ? 'was already deployed successfully'
          : `is already ${lifecycle} for deploy`;
      return applies(`${short(sha)} ${what}`, skip('already_deployed', `${short(sha)} ${what}.`));
    }
    return {
      pass:
        lifecycle === 'failed'
          ? 'a previous deploy of this SHA failed'
          : lifecycle === 'rolled_back'
            ? 'this SHA was rolled back from here'
            : 'no deploy of this SHA recorded',
    };
  },
};

const ruleInOrder: Rule<EarlyInput> = {
  id: 'out_of_order',
  check: (input, { here }) => {
    const sha = short(input.sha);
    if (input.currentSha !== null) {
      const p = short(input.currentSha);
      switch (input.currentCompare) {
        case 'identical':
          return applies(
            `${sha} is what ${here} runs`,
            skip('already_in_production', `${sha} is already in ${here}.`),
          );
        case 'behind':
          return applies(
            `${here} ${p} is already past ${sha}; deploying it would roll back`,
            skip('superseded', `${capital(here)} ${p} already contains ${sha}.`),
          );
        case 'diverged':
          return applies(
            `${sha} and ${here} ${p} have diverged`,
            hard(
              'diverged_from_production',
              `${sha} does not descend from ${here} ${p}: deploying it would drop commits that are in ${here}.`,
            ),
          );
        case 'ahead':
          break;
        case null:
          throw new Error('currentCompare is required when there is a current SHA');
      }
    }
    const flight = input.inFlight;
    if (flight?.compare === 'behind')
      return applies(
        `${short(flight.sha)} is being deployed and already contains ${sha}`,
        skip(
          'superseded',
          `${short(flight.sha)}, which contains ${sha}, is already being deployed.`,
        ),
      );
    if (flight?.compare === 'diverged')
      return applies(
        `${sha} and ${short(flight.sha)} (in flight) have diverged`,
        hard(
          'diverged_from_production',
          `${sha} does not descend from ${short(flight.sha)}, which is being deployed.`,
        ),
      );
    return {
      pass: input.currentSha
        ? `ahead of ${here} ${short(input.currentSha)}${flight ? ` and of ${short(flight.sha)} in flight` : ''}`
        : `no ${here} SHA yet`,
    };
  },
};

const ruleVerified: Rule<EarlyInput> = {
  id: 'verified',
  check: ({ manual, verified, sha }) => {
    if (!manual) return null;
    if (verified === null)
      return { pass: 'verification not checked in local mode (workflow runs live on GitHub)' };
    if (verified) return { pass: 'a successful verification run exists' };
    return applies(
      `no successful verification run for ${short(sha)} on the release branch`,
      hard(
        'not_verified',
        `${short(sha)} has no successful run of the verification workflow on the release branch.`,
      ),
    );
  },
};

const rulePromoted: Rule<EarlyInput> = {
  id: 'promoted',
  check: ({ stage, sha }) => {
    if (!stage) return null;
    const prev = stage.previous;
    if (!prev) return { pass: `${stage.name} is the first stage` };
    if (prev.currentSha === sha && prev.verifiedAt !== null)
      return { pass: `${short(sha)} runs verified in ${prev.name}` };
    const why =
      prev.currentSha === sha
        ? `${short(sha)} is in ${prev.name} but not verified there yet`
        : `${prev.name} runs ${prev.currentSha ? short(prev.currentSha) : 'nothing yet'}, not ${short(sha)}`;
    return applies(
      why,
      skip(
        'not_promoted',
        `${short(sha)} has not passed ${prev.name}: ${why}. A SHA reaches ${stage.name} only after its deploy to ${prev.name} succeeded and was verified.`,
      ),
    );
  },
};

const ruleEvidence: Rule<EarlyInput> = {
  id: 'evidence',
  check: ({ artifacts: art }) => {
    if (!art) return null;
    if (art.unchecked)
      return {
        pass: `not checked in local mode: ${art.required.join(', ')} (workflow runs and artifacts live on GitHub)`,
      };
    if (art.missing.length === 0)
      return { pass: `${art.required.join(', ')} uploaded by run ${art.runId}` };
    const where =
      art.runId === null
        ? 'no successful verification run was found'
        : `verification run ${art.runId} has not uploaded ${art.missing.join(', ')}${art.expired.length ? ` (expired: ${art.expired.join(', ')})` : ''}`;
    return applies(
      where,
      hard(
        'evidence_missing',
        `Required evidence is missing: ${where}. A new verification run that uploads ${art.missing.join(', ')} clears it.`,
      ),
    );
  },
};

/** 3d (§22): the verification completed within max_verification_age_minutes. */
const ruleFresh: Rule<EarlyInput> = {
  id: 'fresh',
  check: ({ readiness }) => {
    const f = readiness?.fresh;
    if (!f) return null;
    if (f.completedAt !== null && f.ageMinutes !== null && f.ageMinutes <= f.limitMinutes)
      return { pass: `completed ${f.ageMinutes} minute(s) ago (limit ${f.limitMinutes})` };
    const detail =
      f.completedAt === null
        ? `when the verification run completed cannot be told; max_verification_age_minutes is ${f.limitMinutes}`
        : `the verification run completed at ${f.completedAt}, ${f.ageMinutes} minutes ago; max_verification_age_minutes is ${f.limitMinutes}`;
    return applies(
      detail,
      hard(
        'verification_stale',
        `The verification is stale: ${detail}. Re-run the verification workflow${f.runUrl ? ` (${f.runUrl})` : ''}; the governor decides again when it succeeds.`,
      ),
    );
  },
};

/** 3e (§22): the figures the verification produced, within their bounds. */
const ruleThresholds: Rule<EarlyInput> = {
  id: 'thresholds',
  check: ({ readiness }) => {
    const results = readiness?.thresholds;
    if (!results || results.length === 0) return null;
    const failed = results.filter((r) => !r.pass);
    if (failed.length === 0)
      return {
        pass: results
          .map((r) => `${r.pointer} = ${JSON.stringify(r.found)} (${r.bound})`)
          .join('; '),
      };
    const detail = failed
      .map((r) => `${r.artifact}/${r.file} ${r.pointer} ${r.bound}: ${r.why}`)
      .join('; ');
    return applies(
      detail,
      hard(
        'evidence_threshold',
        `A figure of the verification is out of bounds: ${detail}. A verification run whose figures meet them clears it.`,
      ),
    );
  },
};

/** 3f (§22): no open issue or pull request labelled as a release blocker. */
const ruleBlockers: Rule<EarlyInput> = {
  id: 'blockers',
  check: ({ readiness }) => {
    const b = readiness?.blockers;
    if (!b) return null;
    if (b.open.length === 0) return { pass: `nothing open labelled ${b.labels.join(', ')}` };
    const list = b.open
      .map((i) => `#${i.number} ${i.title}${i.url ? ` (${i.url})` : ''}`)
      .join(', ');
    return applies(
      `open release blocker(s): ${list}`,
      hard(
        'release_blocked',
        `The release is blocked by ${list} (labelled ${b.labels.join(' or ')}). Close it, or remove the label, then re-run.`,
      ),
    );
  },
};

/** Rules 1–3c, in order: decidable before any diff is fetched. */
const EARLY_RULES: readonly Rule<EarlyInput>[] = [
  ruleEnabled,
  ruleAffected,
  ruleNotDeployed,
  ruleInOrder,
  ruleVerified,
  rulePromoted,
  ruleEvidence,
  ruleFresh,
  ruleThresholds,
  ruleBlockers,
];

// ------------------------------------------------------------------------ rules 4–10

const ruleDeployConfigured: Rule<DecisionInput> = {
  id: 'deploy_configured',
  check: ({ config, deployWorkflow }) => {
    if (config.deploy_workflow.trim() === '')
      return applies(
        'deploy_workflow is empty',
        hard(
          'deploy_not_configured',
          'No deploy workflow is configured (deploy_workflow is empty).',
        ),
      );
    if (deployWorkflow)
      return applies(deployWorkflow, hard('deploy_not_configured', deployWorkflow));
    return {
      pass: `${config.deploy_workflow} on ${config.deploy_workflow_ref}${deployWorkflow === null ? ' takes the dispatch' : ''}`,
    };
  },
};

const ruleNotDegradedHigh: Rule<DecisionInput> = {
  id: 'degraded_high_risk',
  check: ({ degraded }, { level }) => {
    if (degraded === true && level === 'HIGH')
      return applies(
        'production is degraded and this change is HIGH risk',
        hard(
          'degraded_high_risk',
          'Production is degraded; a HIGH-risk change is not deployed until it is healthy.',
        ),
      );
    return {
      pass:
        degraded === true
          ? `production degraded, risk ${level}`
          : `risk ${level}, production ${degraded === false ? 'healthy' : 'health unknown'}`,
    };
  },
};

const ruleFirstDeploy: Rule<DecisionInput> = {
  id: 'first_deploy',
  check: (input, { noApprovals, wholeDiffApproved }) => {
    const { config, currentSha, adopted } = input;
    if (noApprovals) return { pass: noApprovals };
    if ((currentSha !== null && !adopted) || !config.require_approval_for_first_deploy)
      return {
        pass:
          currentSha === null
            ? 'first deploy; approval not required by config'
            : 'not a first deploy',
      };
    // Adoption: production runs a commit from before the config file, so this is the first
    // deploy the governor judges, under the head's own policy.
    const first = adopted
      ? `production ${short(currentSha!)} predates ${config.config_path}: the first governed deploy`
      : 'first deploy';
    if (wholeDiffApproved) return { pass: `${first}, approved`, cleared: true };
    return applies(
      adopted
        ? `${first}, judged by the head's config, needs an approval covering the whole diff`
        : 'no production SHA yet and no approval covering the whole first deploy',
      soft(input, 'first_deploy_required', {
        uncovered: uncoveredPaths(input.approvals, input.risk.paths),
        summary: adopted
          ? `First governed deploy: production ${short(currentSha!)} has no ${config.config_path}, so the head's config judges and an approval of the whole diff is required.`
          : 'First deploy: an approval is required.',
      }),
    );
  },
};

const ruleCooldown: Rule<DecisionInput> = {
  id: 'cooldown',
  check: ({ history, sha, config, now }) => {
    const failures = history
      .filter((e) => e.sha === sha && e.result === 'failure')
      .map((e) => Date.parse(e.completed_at ?? e.time))
      .filter((t) => !Number.isNaN(t));
    const lastFailure = failures.length > 0 ? Math.max(...failures) : null;
    if (lastFailure === null) return { pass: 'no failed deploy of this SHA' };
    const until = new Date(lastFailure + config.cooldown_minutes * 60_000);
    if (now >= until) return { pass: 'cooldown has passed' };
    const detail = `the deploy of ${short(sha)} failed at ${new Date(lastFailure).toISOString()}; cooldown_minutes is ${config.cooldown_minutes}`;
    return applies(
      detail,
      wait('cooldown', until, {
        detail,
        summary: `Cooldown after a failed deploy, until ${until.toISOString()}.`,
      }),
    );
  },
};

const HOUR_MS = 3600_000;

const ruleRateLimit: Rule<DecisionInput> = {
  id: 'rate_limit',
  check: ({ history, config, now }) => {
    const windowStart = now.getTime() - HOUR_MS;
    const recent = history
      .map((e) => Date.parse(e.time))
      .filter((t) => !Number.isNaN(t) && t > windowStart && t <= now.getTime())
      .sort((a, b) => a - b);
    const max = config.max_deploys_per_hour;
    if (recent.length < max)
      return { pass: `${recent.length} of ${max} deploys in the last 60 minutes` };
    // The window frees a slot when enough of the oldest claims age out.
    const until = new Date(recent[recent.length - max]! + HOUR_MS);
    const detail = `${recent.length} deploys in the last 60 minutes; max_deploys_per_hour is ${max}`;
    return applies(
      detail,
      wait('rate_limit', until, {
        detail,
        summary: `Rate limit reached, until ${until.toISOString()}.`,
      }),
    );
  },
};

/** 8a: freeze windows (SPEC §16) of this stage. */
const ruleFreeze: Rule<DecisionInput> = {
  id: 'freeze',
  check: ({ config, stage, now }) => {
    if (config.freeze_windows.length === 0) return null;
    const stageName = stage?.name ?? config.production_environment_name;
    const last = config.stages?.at(-1)?.name ?? config.production_environment_name;
    const frozen = activeFreeze(config.freeze_windows, stageName, last, now);
    if (!frozen) return { pass: `no freeze window holds ${stageName} now` };
    const until = new Date(frozen.until);
    const detail = `freeze window ${frozen.index + 1} (${frozen.describe}): ${frozen.reason}`;
    return applies(
      detail,
      wait('freeze_window', until, {
        detail,
        summary: `${stageName} is frozen until ${clock(until, now)} (in ${timeLeft(until, now)}): ${frozen.reason}.`,
      }),
    );
  },
};

/** 8b: the previous stage's soak (SPEC §14). */
const ruleSoaked: Rule<DecisionInput> = {
  id: 'soaked',
  check: ({ stage, sha, now }) => {
    if (!stage) return null;
    const prev = stage.previous;
    if (!prev) return { pass: `${stage.name} is the first stage` };
    if (!prev.verifiedAt) return { pass: 'no soak to wait for' };
    const end = new Date(Date.parse(prev.verifiedAt) + prev.soakMinutes * 60_000);
    if (now >= end)
      return { pass: `verified in ${prev.name} for ${prev.soakMinutes} minute(s) or more` };
    const detail = `${short(sha)} was verified in ${prev.name} at ${prev.verifiedAt}; soak_minutes of ${prev.name} is ${prev.soakMinutes}`;
    return applies(
      detail,
      wait('soaking', end, {
        detail,
        summary: `${short(sha)} is soaking in ${prev.name}: ${stage.name} unlocks at ${clock(end, now)}, in ${timeLeft(end, now)}.`,
      }),
    );
  },
};

/** 8c: the release train — a stage holding a soaking release takes no newer SHA. */
const ruleStageFree: Rule<DecisionInput> = {
  id: 'stage_free',
  check: ({ stage, sha, now }) => {
    if (!stage) return null;
    const busy = stage.busy;
    const end = busy ? new Date(Date.parse(busy.verifiedAt) + busy.soakMinutes * 60_000) : null;
    if (!busy || !end || busy.currentSha === sha || busy.reachedNext || now >= end)
      return {
        pass: busy
          ? `${short(busy.currentSha)} has soaked or moved on`
          : 'no soaking release held here',
      };
    const detail = `${stage.name} holds ${short(busy.currentSha)} while it soaks for ${busy.next} (hold_while_soaking)`;
    return applies(
      detail,
      wait('stage_busy', end, {
        detail,
        summary: `${stage.name} is busy: ${short(busy.currentSha)} soaks there until ${clock(end, now)} (in ${timeLeft(end, now)}) and takes no newer SHA before it moves on to ${busy.next}.`,
      }),
    );
  },
};

/** 8d: a SHA rolled back from this stage comes back only with a fresh, SHA-scoped approval. */
const ruleNotRolledBack: Rule<DecisionInput> = {
  id: 'rolled_back',
  check: (input) => {
    if (input.lifecycle !== 'rolled_back') return null;
    const since = input.rolledBackAt ?? '';
    const again = input.approvals.valid.find(
      (a) => a.covers === 'all' && (a.at === null || a.at > since),
    );
    if (again)
      return {
        pass: `rolled back, then approved again (${again.source}${again.actor ? ` by @${again.actor}` : ''})`,
        cleared: true,
      };
    return applies(
      `${short(input.sha)} was rolled back from here at ${since || 'an earlier time'}`,
      soft(input, 'previously_rolled_back', {
        uncovered: input.risk.paths,
        pulls: [],
        summary: `${short(input.sha)} was rolled back from ${input.stage?.name ?? 'production'}: it goes back only when someone approves it again.`,
      }),
    );
  },
};

/** 8e (services, §20): a service goes after the services it depends on, for a commit of both. */
const ruleDependencies: Rule<DecisionInput> = {
  id: 'dependencies',
  check: ({ waitingFor, stage, config }) => {
    if (waitingFor === undefined) return null;
    const here = stage?.name ?? config.production_environment_name;
    if (waitingFor.length === 0) return { pass: 'no dependency still to release this commit' };
    const names = waitingFor.map((w) => w.service);
    const detail = waitingFor.map((w) => `${w.service}: ${w.why}`).join('; ');
    return applies(detail, {
      outcome: 'HOLD',
      unblock: {
        kind: 'wait',
        reason: 'waiting_for_dependency',
        until: null,
        detail,
        waitingFor: names,
      },
      summary: `Waiting for ${names.join(', ')} to release this commit to ${here} first (depends_on).`,
    });
  },
};

const ruleNoIncident: Rule<DecisionInput> = {
  id: 'incident',
  check: (input, { noApprovals, level, wholeDiffApproved }) => {
    if (noApprovals) return { pass: noApprovals };
    const incident = input.incidents.length > 0 || input.degraded === true;
    if (!incident) return { pass: 'no open incident' };
    if (level === 'HIGH') return { pass: 'incident active; HIGH risk is judged by rule 10' };
    const why =
      input.incidents.length > 0
        ? `open incident ${input.incidents.map((i) => `#${i.number}`).join(', ')}`
        : 'production is degraded';
    if (wholeDiffApproved) return { pass: `${why}; approved`, cleared: true };
    return applies(
      `${why}; no approval covers this change`,
      soft(input, 'incident_active', {
        uncovered: uncoveredPaths(input.approvals, input.risk.paths),
        summary: `Active incident (${why}): an approval is required.`,
      }),
    );
  },
};

const ruleHighRiskApproved: Rule<DecisionInput> = {
  id: 'high_risk',
  check: (input, { noApprovals, level }) => {
    if (noApprovals) return { pass: `risk ${level}; ${noApprovals}` };
    if (level !== 'HIGH') return { pass: `risk ${level}` };
    const { risk, approvals } = input;
    // An incomplete diff hides paths no pull request approval can vouch for: only a
    // whole-diff approval (the SHA in the variable, or a commit comment on the head) clears it.
    const needsWhole = risk.incomplete && !approvals.coversAll;
    const uncovered = needsWhole ? risk.highPaths : uncoveredPaths(approvals, risk.highPaths);
    if (!needsWhole && uncovered.length === 0)
      return { pass: 'every HIGH-risk path is covered by a valid approval' };
    return applies(
      needsWhole
        ? `the diff could not be fully assessed (${risk.incompleteReason}); only an approval of the whole diff clears it`
        : `${uncovered.length} HIGH-risk path(s) without a valid approval`,
      soft(input, 'high_risk_no_approval', {
        uncovered,
        summary: `HIGH risk: ${uncovered.length} path(s) need an approval.`,
      }),
    );
  },
};

/** Rules 4–10, in order, after rules 1–3c. */
const RULES: readonly Rule<DecisionInput>[] = [
  ruleDeployConfigured,
  ruleNotDegradedHigh,
  ruleFirstDeploy,
  ruleCooldown,
  ruleRateLimit,
  ruleFreeze,
  ruleSoaked,
  ruleStageFree,
  ruleNotRolledBack,
  ruleDependencies,
  ruleNoIncident,
  ruleHighRiskApproved,
];

// ------------------------------------------------------------------------ the runner

function context(input: EarlyInput, late?: DecisionInput): Context {
  const stage = input.stage ?? null;
  return {
    here: stage?.name ?? 'production',
    level: late?.risk.risk ?? 'LOW',
    wholeDiffApproved: late
      ? late.approvals.coversAll ||
        (!late.risk.incomplete && coversPaths(late.approvals, late.risk.paths))
      : false,
    noApprovals: stage?.approvals === 'none' ? `approvals: none in ${stage.name}` : null,
  };
}

interface Run {
  rules: RuleVerdict[];
  /** The first rule that applied and was not bypassed, and how it stops the decision. */
  stop: Stop | null;
  cleared: boolean;
  bypassed: ReasonCode[];
}

/**
 * Evaluates rules in order until one applies. With break-glass (§16, already authorised by the
 * caller) a soft or wait hold is recorded as bypassed and the next rule is evaluated; a SKIP or
 * a hard hold stops as always.
 */
function evaluateRules<I>(
  rules: readonly Rule<I>[],
  input: I,
  { at, run, breakGlass }: { at: Context; run: Run; breakGlass?: { actor: string } | null },
): Run {
  for (const rule of rules) {
    const step = rule.check(input, at);
    if (step === null) continue;
    const title = TITLES[rule.id];
    if ('pass' in step) {
      run.rules.push({ rule: rule.id, title, verdict: 'pass', detail: step.pass });
      if (step.cleared) run.cleared = true;
      continue;
    }
    const { stop } = step;
    if (breakGlass && stop.outcome === 'HOLD' && stop.unblock.kind !== 'hard') {
      run.bypassed.push(stop.unblock.reason);
      run.rules.push({
        rule: rule.id,
        title,
        verdict: 'pass',
        detail: `bypassed by break-glass (@${breakGlass.actor}): ${step.applies}`,
      });
      continue;
    }
    run.rules.push({ rule: rule.id, title, verdict: 'applies', detail: step.applies });
    return { ...run, stop };
  }
  return run;
}

function stopped(run: Run, stop: Stop, risk: Risk | null): Decision {
  if (stop.outcome === 'SKIP')
    return {
      outcome: 'SKIP',
      reason: stop.reason,
      holdKind: null,
      risk: null,
      rules: run.rules,
      unblock: null,
      summary: stop.summary,
    };
  return {
    outcome: 'HOLD',
    reason: stop.unblock.reason,
    holdKind: stop.unblock.kind,
    risk,
    rules: run.rules,
    unblock: stop.unblock,
    summary: stop.summary,
  };
}

/** Rules 1–3c: a SKIP or a hard HOLD decidable before any diff is fetched, else null. */
export function decideEarly(input: EarlyInput): Decision | null {
  const run = evaluateRules(EARLY_RULES, input, {
    at: context(input),
    run: { rules: [], stop: null, cleared: false, bypassed: [] },
  });
  return run.stop ? stopped(run, run.stop, null) : null;
}

/** Every rule of SPEC §6 in order; the first that applies decides, else ALLOW (rule 11). */
export function decide(input: DecisionInput): Decision {
  const at = context(input, input);
  const early = evaluateRules(EARLY_RULES, input, {
    at,
    run: { rules: [], stop: null, cleared: false, bypassed: [] },
  });
  if (early.stop) return stopped(early, early.stop, null);
  const run = evaluateRules(RULES, input, { at, run: early, breakGlass: input.breakGlass });
  if (run.stop) return stopped(run, run.stop, at.level);
  const level = at.level;
  const reason: ReasonCode = input.breakGlass
    ? 'allow_break_glass'
    : run.cleared
      ? 'allow_approved'
      : level === 'HIGH'
        ? 'allow_high_approved'
        : level === 'MEDIUM'
          ? 'allow_medium'
          : 'allow_low';
  const allowed: Decision = {
    outcome: 'ALLOW',
    reason,
    holdKind: null,
    risk: level,
    rules: [
      ...run.rules,
      { rule: 'allow', title: TITLES.allow, verdict: 'applies', detail: reason },
    ],
    unblock: null,
    summary: input.breakGlass
      ? `Break-glass deploy of ${short(input.sha)} (${level}) by @${input.breakGlass.actor}${run.bypassed.length ? `, bypassing ${run.bypassed.join(', ')}` : ''}.`
      : `Deploy ${short(input.sha)} (${level}).`,
  };
  return input.breakGlass ? { ...allowed, bypassed: run.bypassed } : allowed;
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
  currentSha: string | null;
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
  if ((f.currentSha === null || f.adopted) && f.config.require_approval_for_first_deploy)
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
