// Vocabulary shared by the rules, the state and the reports. Reason codes and their spelling
// are public interface (SPEC §6): users' workflows branch on them.

export type Risk = 'LOW' | 'MEDIUM' | 'HIGH';
export type Outcome = 'ALLOW' | 'HOLD' | 'SKIP';

export const REASON_CODES = [
  'disabled',
  'not_a_release_candidate',
  'verification_not_successful',
  'not_an_approval',
  'already_deployed',
  'already_in_production',
  'superseded',
  'diverged_from_production',
  'not_verified',
  'not_promoted',
  'evidence_missing',
  'deploy_not_configured',
  'degraded_high_risk',
  'first_deploy_required',
  'cooldown',
  'rate_limit',
  'freeze_window',
  'soaking',
  'stage_busy',
  'previously_rolled_back',
  'incident_active',
  'high_risk_no_approval',
  'allow_low',
  'allow_medium',
  'allow_high_approved',
  'allow_approved',
  'allow_break_glass',
  'manual_rollback',
  'health_check_failed',
  'config_invalid',
  'state_corrupt',
  'not_affected',
  'waiting_for_dependency',
  'verification_stale',
  'evidence_threshold',
  'release_blocked',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** hard: cannot be approved away; soft: clears with an approval; wait: clears with time. */
export type HoldKind = 'hard' | 'soft' | 'wait';

export const RISK_ORDER: Record<Risk, number> = { LOW: 0, MEDIUM: 1, HIGH: 2 };

export function maxRisk(a: Risk, b: Risk): Risk {
  return RISK_ORDER[a] >= RISK_ORDER[b] ? a : b;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

export function isFullSha(value: string): boolean {
  return FULL_SHA.test(value);
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

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

/**
 * What a decision, a deploy, a health check or a rollback is about: one stage (SPEC §14) of one
 * deployable. `service` is that deployable's name with services (SPEC §20), null without: the
 * repository is then the one deployable. `isLast`: the stage is production (the last stage),
 * whose state is also release.json's top-level fields.
 */
export interface ReleaseTarget {
  readonly service: string | null;
  readonly stage: string;
  readonly isLast: boolean;
}
