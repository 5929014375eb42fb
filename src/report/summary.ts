// The job summary and the commit status text: data in, markdown out.
import type { ApprovalResult } from '../domain/approvals.js';
import type { Decision, EarlyInput } from '../domain/decide.js';
import { describeResult, type HealthResult } from '../domain/health.js';
import type { PipelineRow } from '../domain/pipeline.js';
import type { RiskAssessment } from '../domain/risk.js';
import { shortSha, type Outcome, type ReasonCode, type Risk } from '../domain/types.js';
import type { Band } from '../domain/metrics.js';
import type { DigestRow } from './dashboard.js';
import { durationText, percentText } from './figures.js';
import { cell, code, link, md, table } from './markdown.js';
import { unblockMarkdown, unblockSteps } from './unblock.js';

/**
 * What one run of the governor says: the outputs, the annotations and the job summary are
 * rendered from it. A value: built by buildReport (at the end of a flow, from what its steps
 * returned) and never changed; read-only to the type checker.
 */
export interface RunReport {
  /** ROLLBACK: this run rolled a stage back (§15, §16). */
  readonly outcome: Outcome | 'ROLLBACK' | 'ERROR';
  /** `multiple`: a run of several services where more than one share the run-wide outcome. */
  readonly reason: ReasonCode | 'multiple' | null;
  readonly sha: string | null;
  readonly productionSha: string | null;
  readonly risk: Risk | null;
  /** One line: why. */
  readonly headline: string;
  readonly decision: Decision | null;
  readonly assessment: RiskAssessment | null;
  readonly approvals: ApprovalResult | null;
  /** Notes worth a reader's attention (approvals not fetched, local mode...). */
  readonly notes: readonly string[];
  /** Something went wrong that does not change the outcome (a status GitHub did not take). */
  readonly warnings: readonly string[];
  readonly deployRunUrl: string | null;
  readonly stateCommit: string | null;
  /** This governor run, to re-run after approving. */
  readonly runUrl: string | null;
  readonly dryRun: boolean;
  readonly error: string | null;
  /** For the error section: what to do. */
  readonly advice: string | null;
  readonly environmentName: string;
  /** The configured release branch, when the config was read. */
  readonly releaseBranch: string | null;
  /** The stage the decision is about (the `stage` output). */
  readonly stage: string | null;
  /** Every stage of a configured pipeline (SPEC §14); null with a single stage. */
  readonly pipeline: readonly PipelineRow[] | null;
  /** The post-deploy health check this run ran or concluded (§15). */
  readonly healthCheck: HealthResult | null;
  /** Shown above everything (break-glass: who and why). */
  readonly banner: string | null;
  /** The hash of the last evidence record this run committed (§17). */
  readonly evidenceHash: string | null;
  /** The release's version tag (§18): dispatched with, or published. */
  readonly version: string | null;
  /** How the version was counted (the bump and what decided it). */
  readonly versionWhy: string | null;
  /** Readiness gates (§22): what each gate found (null: not evaluated). */
  readonly readiness: NonNullable<EarlyInput['readiness']> | null;
  /** Services (§20): the service this report is about, or `multiple` for a run-wide report. */
  readonly service: string | null;
  /** Services: the report of every service and stage the run considered (null without). */
  readonly services: readonly RunReport[] | null;
  /** A reconcile's compact readiness section (§23): every stage, its gates, its 30 days. */
  readonly digest: readonly DigestRow[] | null;
}

/**
 * The one constructor of a RunReport: every field not given takes its default (outcome ERROR
 * until a flow says otherwise). A report is a value: nothing changes it once built; a flow
 * that knows more builds a new one.
 */
export function buildReport(over: Partial<RunReport> = {}): RunReport {
  return {
    outcome: 'ERROR',
    reason: null,
    sha: null,
    productionSha: null,
    risk: null,
    headline: '',
    decision: null,
    assessment: null,
    approvals: null,
    notes: [],
    warnings: [],
    deployRunUrl: null,
    stateCommit: null,
    runUrl: null,
    dryRun: false,
    error: null,
    advice: null,
    environmentName: 'production',
    releaseBranch: null,
    stage: null,
    pipeline: null,
    healthCheck: null,
    banner: null,
    evidenceHash: null,
    version: null,
    versionWhy: null,
    service: null,
    services: null,
    readiness: null,
    digest: null,
    ...over,
  };
}

const ICON: Record<RunReport['outcome'], string> = {
  ALLOW: '✅',
  HOLD: '⏸️',
  ROLLBACK: '⏪',
  SKIP: '⏭️',
  ERROR: '❌',
};
const PATHS_SHOWN = 20;

function sha(s: string | null): string {
  return s ? code(shortSha(s)) : '—';
}

/**
 * A run of several services (SPEC §20): the run-wide verdict, a table of every service, then a
 * section per service the commit affects (each as one deployable's summary).
 */
function renderServices(r: RunReport, services: readonly RunReport[]): string {
  const out: string[] = [];
  const title =
    r.outcome === 'ERROR'
      ? 'Release Governor failed'
      : `Release Governor: ${r.outcome}${r.sha ? ` ${shortSha(r.sha)}` : ''}`;
  out.push(`## ${ICON[r.outcome]} ${md(title)}${r.dryRun ? ' (dry run)' : ''}`);
  if (r.headline) out.push(md(r.headline));
  out.push(
    table(
      ['Service', 'Decision', 'Reason', 'Risk', 'Stage', 'SHA', 'Deploy run'],
      services.map((x) => [
        md(x.service ?? ''),
        `${ICON[x.outcome]} ${x.outcome}`,
        x.reason ? code(x.reason) : '—',
        x.risk ?? '—',
        x.stage ? md(x.stage) : '—',
        sha(x.sha),
        x.deployRunUrl ? link('run', x.deployRunUrl) : '—',
      ]),
    ),
  );
  if (r.error) {
    out.push(`### What went wrong\n\n${md(r.error)}`);
    if (r.advice) out.push(`**What to do:** ${md(r.advice)}`);
  }
  for (const x of services) {
    if (x.reason === 'not_affected') continue;
    const body = renderSummary({ ...x, services: null, runUrl: x.runUrl ?? r.runUrl });
    // Each service's summary, one heading level down, under the service's name.
    out.push(
      body
        .replace(/^## (\S+) Release Governor: /, `## $1 ${md(x.service ?? '')}: `)
        .replace(/^##/gm, '###'),
    );
  }
  if (r.warnings.length > 0)
    out.push(r.warnings.map((w) => `> [!WARNING]\n> ${md(w)}`).join('\n\n'));
  if (r.stateCommit) out.push(`<sub>State commit ${code(r.stateCommit)}</sub>`);
  return `${out.join('\n\n')}\n`;
}

export function renderSummary(r: RunReport): string {
  if (r.services) return renderServices(r, r.services);
  const out: string[] = [];
  const title =
    r.outcome === 'ERROR'
      ? 'Release Governor failed'
      : `Release Governor: ${r.outcome}${r.sha ? ` ${shortSha(r.sha)}` : ''}`;
  if (r.banner) out.push(`> [!CAUTION]\n> ${md(r.banner)}`);
  out.push(`## ${ICON[r.outcome]} ${md(title)}${r.dryRun ? ' (dry run)' : ''}`);
  if (r.headline) out.push(md(r.headline));
  out.push(
    table(
      ['Decision', 'SHA', 'Risk', 'Reason', 'Production SHA'],
      [
        [
          r.outcome === 'ERROR' ? 'ERROR' : r.outcome,
          sha(r.sha),
          r.risk ?? '—',
          r.reason ? code(r.reason) : '—',
          sha(r.productionSha),
        ],
      ],
    ),
  );
  if (r.error) {
    out.push(`### What went wrong\n\n${md(r.error)}`);
    if (r.advice) out.push(`**What to do:** ${md(r.advice)}`);
    out.push('Nothing was deployed.');
  }
  if (r.outcome === 'ALLOW' && r.deployRunUrl)
    out.push(`**Triggered:** deploy workflow run ${link(r.deployRunUrl, r.deployRunUrl)}`);
  if (r.outcome === 'ROLLBACK' && r.deployRunUrl)
    out.push(`**Rollback:** deploy workflow run ${link(r.deployRunUrl, r.deployRunUrl)}`);
  if (r.version)
    out.push(
      `**Version:** ${code(r.version)}${r.versionWhy ? ` — ${md(r.versionWhy)}` : ''}${r.dryRun ? ' (would be tagged)' : ''}`,
    );
  if (r.outcome === 'ALLOW' && r.dryRun)
    out.push('Dry run: nothing was claimed, dispatched or written.');
  if (r.pipeline) out.push(pipelineTable(r.pipeline));
  if (r.healthCheck) out.push(healthSection(r.healthCheck));
  if (r.decision?.unblock) {
    out.push(
      `### How to unblock\n\n${unblockMarkdown(
        unblockSteps(r.decision.unblock, { runUrl: r.runUrl, environmentName: r.environmentName }),
        r.runUrl,
      )}`,
    );
  }
  if (r.readiness) {
    const rows = readinessRows(r.readiness);
    if (rows.length) out.push(`### Readiness\n\n${table(['Gate', 'Verdict', 'Measured'], rows)}`);
  }
  if (r.decision) {
    out.push(
      `### Rules evaluated\n\n${table(
        ['Rule', 'Verdict', 'Detail'],
        r.decision.rules.map((x) => [
          cell(x.title),
          x.verdict === 'applies' ? '**applies**' : 'pass',
          cell(x.detail),
        ]),
      )}`,
    );
  }
  if (r.assessment && (r.assessment.matches.length > 0 || r.assessment.incomplete)) {
    const parts: string[] = ['### Paths that drove the risk'];
    if (r.assessment.incomplete)
      parts.push(
        `⚠️ The diff could not be fully assessed: ${md(r.assessment.incompleteReason ?? '')}. Risk is HIGH.`,
      );
    for (const m of r.assessment.matches) {
      const rest = m.count - m.paths.length;
      parts.push(
        `**${m.level}** · ${md(m.source)} ${code(m.pattern)} — ${m.count} path(s)\n${m.paths
          .slice(0, PATHS_SHOWN)
          .map((p) => `- ${code(p)}`)
          .join('\n')}${rest > 0 ? `\n- … and ${rest} more` : ''}`,
      );
    }
    out.push(parts.join('\n\n'));
  }
  if (r.approvals && (r.approvals.valid.length > 0 || r.approvals.ignored.length > 0)) {
    const rows = [
      ...r.approvals.valid.map((a) => [
        'counted',
        md(a.source),
        a.actor ? md(`@${a.actor}`) : '—',
        a.pull ? `#${a.pull}` : '—',
        a.covers === 'all' ? 'the whole change' : `${a.covers.length} path(s)`,
      ]),
      ...r.approvals.ignored.map((a) => [
        'ignored',
        md(a.source),
        a.actor ? md(`@${a.actor}`) : '—',
        a.pull ? `#${a.pull}` : '—',
        md(a.detail),
      ]),
    ];
    const count =
      r.approvals.required > 1
        ? `**${approvalCount(r.approvals)}**${r.approvals.approvers.length ? ` (by ${r.approvals.approvers.map((a) => (a === 'environment' ? 'the variable' : `@${a}`)).join(', ')})` : ''}; each path needs ${r.approvals.required} distinct approvers.\n\n`
        : '';
    out.push(
      `### Approvals\n\n${count}${table(['', 'Source', 'By', 'Pull request', 'Covers / why ignored'], rows)}`,
    );
  }
  if (r.digest?.length) out.push(digestSection(r.digest));
  if (r.warnings.length > 0)
    out.push(r.warnings.map((w) => `> [!WARNING]\n> ${md(w)}`).join('\n\n'));
  if (r.notes.length > 0) out.push(r.notes.map((n) => `> ${md(n)}`).join('\n>\n'));
  if (r.stateCommit) out.push(`<sub>State commit ${code(r.stateCommit)}</sub>`);
  return `${out.join('\n\n')}\n`;
}

/** Every readiness gate (§22) with its verdict and what it measured, passing ones included. */
function readinessRows(r: NonNullable<EarlyInput['readiness']>): string[][] {
  const verdict = (ok: boolean) => (ok ? 'pass' : '**fail**');
  const rows: string[][] = [];
  if (r.fresh)
    rows.push([
      `Verification at most ${r.fresh.limitMinutes} minute(s) old`,
      verdict(r.fresh.ageMinutes !== null && r.fresh.ageMinutes <= r.fresh.limitMinutes),
      r.fresh.completedAt
        ? `completed ${md(r.fresh.completedAt)}, ${r.fresh.ageMinutes} minute(s) ago`
        : 'completion time unknown',
    ]);
  for (const t of r.thresholds ?? [])
    rows.push([
      `${code(`${t.artifact}/${t.file}`)} ${code(t.pointer)} ${md(t.bound)}`,
      verdict(t.pass),
      t.pass ? code(JSON.stringify(t.found)) : md(t.why ?? ''),
    ]);
  if (r.blockers)
    rows.push([
      `No open ${r.blockers.labels.map(code).join(' / ')}`,
      verdict(r.blockers.open.length === 0),
      r.blockers.open.length
        ? r.blockers.open
            .map((b) =>
              b.url ? link(`#${b.number} ${b.title}`, b.url) : `#${b.number} ${md(b.title)}`,
            )
            .join(', ')
        : 'none open',
    ]);
  return rows;
}

/** The post-deploy health check: the figures against the thresholds, the first failures. */
export function healthSection(h: HealthResult): string {
  const t = h.thresholds;
  const verdict =
    h.verdict === 'pending' ? 'running' : h.verdict === 'pass' ? '**passed**' : '**failed**';
  const parts = [`### Health check (${md(h.mode)}): ${verdict}\n\n${md(describeResult(h))}`];
  if (h.mode === 'url' && h.verdict !== 'pending')
    parts.push(
      table(
        ['', 'Measured', 'Threshold'],
        [
          [
            'Error rate',
            h.error_rate === null
              ? '—'
              : `${(h.error_rate * 100).toFixed(1)} % (${h.errors} of ${h.probes})`,
            `${(t.max_error_rate * 100).toFixed(1)} %`,
          ],
          [
            'p95 latency',
            h.p95_ms === null ? '—' : `${Math.round(h.p95_ms)} ms`,
            `${t.max_latency_ms} ms`,
          ],
          ['p50 latency', h.p50_ms === null ? '—' : `${Math.round(h.p50_ms)} ms`, '—'],
          [
            'Probes',
            `${h.probes}`,
            `every ${t.interval_seconds} s for ${t.duration_seconds} s, timeout ${t.timeout_ms} ms, expect ${md(t.expect_status)}`,
          ],
        ],
      ),
    );
  if (h.reasons.length > 0) parts.push(`**Why it failed:** ${md(h.reasons.join('; '))}`);
  if (h.first_failures.length > 0)
    parts.push(
      `First failures:\n${h.first_failures.map((f) => `- ${code(f.at)} ${md(f.error ?? '')} (${Math.round(f.ms)} ms)`).join('\n')}`,
    );
  return parts.join('\n\n');
}

function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—';
}

/** The pipeline: each stage, what it runs and since when, its soak, what is in flight, what is next. */
export function pipelineTable(rows: readonly PipelineRow[]): string {
  return `### Pipeline\n\n${table(
    ['Stage', 'Current SHA', 'Since', 'Health', 'Soak ends', 'In flight', 'Next'],
    rows.map((r) => [
      md(r.stage),
      sha(r.currentSha),
      when(r.liveSince),
      r.verifiedAt
        ? `verified ${when(r.verifiedAt)}`
        : r.lastResult === 'failure'
          ? 'last deploy failed'
          : '—',
      when(r.soakEnd),
      r.inFlight
        ? r.inFlight.runUrl
          ? link(shortSha(r.inFlight.sha), r.inFlight.runUrl)
          : sha(r.inFlight.sha)
        : '—',
      r.next ? `${sha(r.next.sha)}${r.next.at ? ` at ${when(r.next.at)}` : ' (ready)'}` : '—',
    ]),
  )}`;
}

/** "1 of 2 approvals": distinct approvers who counted, against required_approvals. */
export function approvalCount(a: ApprovalResult): string {
  return `${Math.min(a.approvers.length, a.required)} of ${a.required} approvals`;
}

/** The commit status description: at most 140 characters, as GitHub requires. */
export function statusDescription(r: RunReport): string {
  const u = r.decision?.unblock;
  const until =
    u?.kind === 'wait' &&
    (u.reason === 'soaking' || u.reason === 'stage_busy' || u.reason === 'freeze_window')
      ? `until ${u.until.slice(11, 16)} UTC`
      : '';
  const needed =
    u?.kind === 'soft' && r.approvals && r.approvals.required > 1 ? approvalCount(r.approvals) : '';
  const parts = [
    r.outcome,
    r.reason ?? '',
    r.risk ?? '',
    r.sha ? shortSha(r.sha) : '',
    until,
    needed,
  ].filter(Boolean);
  const text = parts.join(' · ');
  return text.length <= 140 ? text : `${text.slice(0, 139)}…`;
}

const bandWord = (b: Band) => (b === 'insufficient_data' ? 'few deploys' : b);
/**
 * A reconcile's readiness section (§23): every service's every stage, the gates it applies and
 * its four key metrics over 30 days, from release.json alone (no request; `metrics` is exact).
 */
function digestSection(rows: readonly DigestRow[]): string {
  const services = rows.some((x) => x.service !== null);
  const body = rows.map((x) => {
    const m = x.metrics;
    const cfr = m.change_failure_rate;
    return [
      ...(services ? [md(x.service ?? '—')] : []),
      md(x.stage),
      x.currentSha ? code(shortSha(x.currentSha)) : '—',
      md(x.liveSince ?? '—'),
      md(x.health ?? '—'),
      x.inFlight ? code(shortSha(x.inFlight)) : '—',
      md(x.gates),
      `${m.deployment_frequency.per_day}/day (${bandWord(m.deployment_frequency.band)})`,
      `${durationText(m.lead_time.median_seconds)} (${bandWord(m.lead_time.band)})`,
      `${percentText(cfr.rate)} of ${cfr.deploys} (${bandWord(cfr.band)})`,
      `${durationText(m.recovery_time.median_seconds)} (${bandWord(m.recovery_time.band)})`,
    ];
  });
  return `### Readiness and delivery, last 30 days\n\n${table(
    [
      ...(services ? ['Service'] : []),
      'Stage',
      'Current',
      'Since',
      'Health',
      'In flight',
      'Gates',
      'Deploys',
      'Lead time (median)',
      'Change failure rate',
      'Recovery (median)',
    ],
    body,
  )}\n\n<sub>From release.json as this run read it, at no request: each stage's last 100 deploys, lead time from the newest 20 commits of each; \`release-governor metrics\` and \`report\` read the evidence for the exact figures.</sub>`;
}
