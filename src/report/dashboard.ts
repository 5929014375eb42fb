// What the readiness report shows (SPEC §23), from the state branch alone: every service's
// stages as release.json has them, the readiness gates of each stage's newest decision as its
// evidence recorded them, the delivery metrics of each service's last stage for the period and
// by week, the recent releases, and whether the evidence chain is intact. Pure: the state, the
// records and the clock come in; report/page.ts turns it into HTML, report/charts.ts into charts.
import type { ChainResult, EvidenceRecord } from '../domain/evidence.js';
import {
  deploysOf,
  deploysOfHistory,
  metricsOf,
  weeklyMetrics,
  type Deploy,
  type Metrics,
  type WeekMetrics,
} from '../domain/metrics.js';
import { pipelineRows, type Pipeline } from '../domain/pipeline.js';
import { stageView, versionOf, type Release } from '../domain/state.js';

/** One deployable: the service (null: the repository is one) and its pipeline and state. */
export interface ReportTarget {
  service: string | null;
  pipeline: Pipeline;
  /** The service's view of release.json (the whole file without services). */
  release: Release;
}

/** One readiness gate of a stage's newest decision, as its evidence recorded it. */
export interface GateRow {
  gate: string;
  verdict: 'pass' | 'fail';
  measured: string;
}

export interface StageRow {
  stage: string;
  currentSha: string | null;
  version: string | null;
  liveSince: string | null;
  /** passed / failed / pending, from the stage's newest deploy with a health check; null: none. */
  health: string | null;
  soakEnd: string | null;
  inFlight: string | null;
  lastResult: string | null;
  /** The newest decision of the stage: its SHA, verdict, and the gates it was judged on. */
  candidate: {
    sha: string;
    time: string;
    outcome: string;
    reason: string;
    gates: GateRow[];
  } | null;
}

export interface ServiceReadiness {
  service: string | null;
  stages: StageRow[];
}

export interface ServiceMetrics {
  service: string | null;
  stage: string;
  period: Metrics;
  weeks: WeekMetrics[];
}

export interface ReleaseRow {
  time: string;
  service: string | null;
  stage: string | null;
  sha: string;
  kind: Deploy['kind'];
  version: string | null;
  approvers: string[];
  risk: string | null;
  outcome: 'succeeded' | 'failed' | 'in flight';
  hash: string;
}

export interface Dashboard {
  repository: string;
  generatedAt: string;
  since: string;
  until: string;
  readiness: ServiceReadiness[];
  metrics: ServiceMetrics[];
  releases: ReleaseRow[];
  chain: { intact: boolean; records: number; head: string | null; problem: string | null };
}

/** The report shows this many recent releases, newest first. */
export const RECENT_RELEASES = 20;

const text = (x: unknown): string | null => (typeof x === 'string' ? x : null);

export function dashboardOf(input: {
  repository: string;
  targets: readonly ReportTarget[];
  chain: ChainResult;
  head: string | null;
  since: Date;
  until: Date;
}): Dashboard {
  const { targets, chain, since, until } = input;
  const records = chain.records;
  const metrics = targets.map((t) => {
    const stage = t.pipeline.stages.at(-1)!.name;
    const deploys = deploysOf(records, { service: t.service, stage });
    const at = { since, until, service: t.service, stage };
    return {
      service: t.service,
      stage,
      period: metricsOf(deploys, at),
      weeks: weeklyMetrics(deploys, at),
    };
  });
  return {
    repository: input.repository,
    generatedAt: until.toISOString(),
    since: since.toISOString(),
    until: until.toISOString(),
    readiness: targets.map((t) => ({ service: t.service, stages: stageRows(t, records) })),
    metrics,
    releases: recentReleases(targets, records),
    chain: {
      intact: chain.problem === null,
      records: records.length,
      head: input.head,
      problem: chain.problem
        ? `${chain.problem.path}${chain.problem.seq !== null ? ` (seq ${chain.problem.seq})` : ''}: ${chain.problem.kind} — ${chain.problem.detail}`
        : null,
    },
  };
}

function stageRows(t: ReportTarget, records: readonly EvidenceRecord[]): StageRow[] {
  return pipelineRows(t.release, t.pipeline).map((row, i, rows) => {
    const view = stageView(t.release, row.stage, i === rows.length - 1);
    const checked = view.deploy_history.find((h) => h.health_check);
    const decision = newest(records, t.service, row.stage);
    return {
      stage: row.stage,
      currentSha: row.currentSha,
      version: versionOf(view, row.currentSha),
      liveSince: row.liveSince,
      health: checked?.health_check ?? null,
      soakEnd: row.soakEnd,
      inFlight: row.inFlight?.sha ?? null,
      lastResult: row.lastResult,
      candidate: decision
        ? {
            sha: decision.sha,
            time: decision.time,
            outcome: String(decision.outcome),
            reason: String(decision.reason),
            gates: gatesOf(decision),
          }
        : null,
    };
  });
}

const serviceOf = (r: EvidenceRecord): string | null => text(r.service) ?? null;

/** The stage's newest decision record (a release candidate judged, whatever its verdict). */
function newest(
  records: readonly EvidenceRecord[],
  service: string | null,
  stage: string,
): EvidenceRecord | null {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.kind === 'decision' && r.stage === stage && serviceOf(r) === service) return r;
  }
  return null;
}

/** The §22 gates a decision was judged on, from its evidence (`readiness`). */
export function gatesOf(r: EvidenceRecord): GateRow[] {
  const ready = r.readiness as
    | {
        verification_age?: {
          limitMinutes: number;
          ageMinutes: number | null;
          completedAt: string | null;
        };
        thresholds?: {
          artifact: string;
          file: string;
          value: string;
          bound: string;
          found: unknown;
          verdict: 'pass' | 'fail';
          why?: string;
        }[];
        release_blockers?: number[];
      }
    | undefined;
  if (!ready) return [];
  const rows: GateRow[] = [];
  const age = ready.verification_age;
  if (age)
    rows.push({
      gate: `Verification at most ${age.limitMinutes} min old`,
      verdict: age.ageMinutes !== null && age.ageMinutes <= age.limitMinutes ? 'pass' : 'fail',
      measured: age.ageMinutes === null ? 'completion time unknown' : `${age.ageMinutes} min old`,
    });
  for (const t of ready.thresholds ?? [])
    rows.push({
      gate: `${t.artifact}/${t.file} ${t.value} ${t.bound}`,
      verdict: t.verdict,
      measured: t.why ?? `found ${JSON.stringify(t.found)}`,
    });
  if (ready.release_blockers)
    rows.push({
      gate: 'No open release blocker',
      verdict: ready.release_blockers.length ? 'fail' : 'pass',
      measured: ready.release_blockers.length
        ? ready.release_blockers.map((n) => `#${n}`).join(', ')
        : 'none open',
    });
  return rows;
}

/** The newest dispatched deploys of every service and stage, with what became of each. */
function recentReleases(
  targets: readonly ReportTarget[],
  records: readonly EvidenceRecord[],
): ReleaseRow[] {
  const rows: ReleaseRow[] = [];
  for (const t of targets)
    for (const stage of t.pipeline.stages)
      for (const d of deploysOf(records, { service: t.service, stage: stage.name })) {
        const r = d.claim ?? null;
        rows.push({
          time: new Date(d.claimedAt).toISOString(),
          service: t.service,
          stage: stage.name,
          sha: d.sha,
          kind: d.kind,
          version: r ? text((r.version as { tag?: unknown } | undefined)?.tag) : null,
          approvers: r ? approversOf(r) : [],
          risk: r ? text(r.risk) : null,
          outcome:
            d.succeededAt !== null ? 'succeeded' : d.failedAt !== null ? 'failed' : 'in flight',
          hash: r?.hash ?? '',
        });
      }
  rows.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  return rows.slice(0, RECENT_RELEASES);
}

/** Who let it through: the valid approvals, or who broke the glass. */
function approversOf(r: EvidenceRecord): string[] {
  const glass = text((r.break_glass as { actor?: unknown } | undefined)?.actor);
  if (glass) return [`${glass} (break-glass)`];
  if (!Array.isArray(r.approvals)) return [];
  return (r.approvals as { valid?: boolean; actor?: string | null }[])
    .filter((a) => a.valid && a.actor)
    .map((a) => a.actor!);
}

/** One row of a reconcile's compact readiness section (SPEC §23): from release.json alone. */
export interface DigestRow {
  service: string | null;
  stage: string;
  currentSha: string | null;
  liveSince: string | null;
  health: string | null;
  inFlight: string | null;
  /** The readiness gates the stage applies (§22), in words. */
  gates: string;
  /** The last 30 days, from the stage's deploy_history. */
  metrics: Metrics;
}

/** The period of the summary's metrics. */
export const DIGEST_DAYS = 30;

/** Every service's every stage, its gates and its last 30 days, with no request. */
export function readinessDigest(targets: readonly ReportTarget[], now: Date): DigestRow[] {
  const since = new Date(now.getTime() - DIGEST_DAYS * 86_400_000);
  return targets.flatMap((t) =>
    pipelineRows(t.release, t.pipeline).map((row, i) => {
      const stage = t.pipeline.stages[i]!;
      const view = stageView(t.release, stage.name, stage.isLast);
      const r = stage.readiness;
      const gates = [
        ...(r.max_verification_age_minutes !== undefined
          ? [`verification ≤ ${r.max_verification_age_minutes} min`]
          : []),
        ...(r.evidence_thresholds.length
          ? [`${r.evidence_thresholds.length} evidence threshold(s)`]
          : []),
        ...(r.release_blocker_labels.length
          ? [`no open ${r.release_blocker_labels.join(' / ')}`]
          : []),
      ];
      return {
        service: t.service,
        stage: stage.name,
        currentSha: row.currentSha,
        liveSince: row.liveSince,
        health: view.deploy_history.find((h) => h.health_check)?.health_check ?? null,
        inFlight: row.inFlight?.sha ?? null,
        gates: gates.join(', ') || 'none',
        metrics: metricsOf(deploysOfHistory(view.deploy_history), {
          since,
          until: now,
          service: t.service,
          stage: stage.name,
        }),
      };
    }),
  );
}
