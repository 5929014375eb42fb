// The readiness report as one self-contained HTML page (SPEC §23): no script, no external font,
// style sheet or image — it opens from a file or an artifact with no network. Light and dark
// colour schemes follow the reader's setting; every chart has a text alternative and a table of
// its numbers. Pure: the dashboard and the rendered charts come in.
import type { Band, Metrics } from '../domain/metrics.js';
import { MIN_DEPLOYS } from '../domain/metrics.js';
import type { Chart } from './charts.js';
import type { Dashboard, GateRow, ServiceMetrics, StageRow } from './dashboard.js';
import { durationText, percentText } from './figures.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
const short = (sha: string | null) => (sha ? sha.slice(0, 7) : '—');
const when = (iso: string | null) =>
  iso ? iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC') : '—';

function table(head: string[], rows: string[][], caption?: string): string {
  return `<table>${caption ? `<caption>${caption}</caption>` : ''}<thead><tr>${head
    .map((h) => `<th scope="col">${esc(h)}</th>`)
    .join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const verdict = (v: 'pass' | 'fail') =>
  `<span class="verdict ${v}">${v === 'pass' ? '✓ pass' : '✗ fail'}</span>`;

function gates(gs: GateRow[]): string {
  if (gs.length === 0) return '<p class="muted">No readiness gate was in force.</p>';
  return table(
    ['Gate', 'Verdict', 'Measured'],
    gs.map((g) => [esc(g.gate), verdict(g.verdict), esc(g.measured)]),
  );
}

function stageBlock(st: StageRow): string {
  const c = st.candidate;
  return `<h4>${esc(st.stage)}: newest candidate ${c ? `<code>${short(c.sha)}</code> — ${esc(c.outcome)} <code>${esc(c.reason)}</code> at ${esc(when(c.time))}` : 'none decided yet'}</h4>${c ? gates(c.gates) : ''}`;
}

function readinessSection(d: Dashboard): string {
  return d.readiness
    .map((svc) => {
      const rows = svc.stages.map((st) => [
        esc(st.stage),
        st.currentSha ? `<code title="${esc(st.currentSha)}">${short(st.currentSha)}</code>` : '—',
        esc(st.version ?? '—'),
        esc(when(st.liveSince)),
        esc(st.health ?? '—'),
        esc(when(st.soakEnd)),
        st.inFlight ? `<code>${short(st.inFlight)}</code>` : 'nothing',
        esc(st.lastResult ?? '—'),
      ]);
      return `<section aria-labelledby="svc-${esc(svc.service ?? 'all')}"><h3 id="svc-${esc(svc.service ?? 'all')}">${svc.service ? `Service ${esc(svc.service)}` : 'Stages'}</h3>${table(
        ['Stage', 'Current', 'Version', 'Since', 'Health', 'Soak ends', 'In flight', 'Last deploy'],
        rows,
      )}${svc.stages.map(stageBlock).join('')}</section>`;
    })
    .join('');
}

const band = (b: Band) =>
  b === 'insufficient_data'
    ? `<span class="band none">too few deploys (under ${MIN_DEPLOYS})</span>`
    : `<span class="band ${b}">${b}</span>`;

function metricRows(m: Metrics): string[][] {
  const f = m.deployment_frequency;
  return [
    [
      'Deployment frequency',
      esc(`${f.per_day} per day (${f.deploys} successful, ${f.days_with_deploy} day(s) with one)`),
      band(f.band),
    ],
    [
      'Lead time for changes',
      esc(
        `median ${durationText(m.lead_time.median_seconds)}, p90 ${durationText(m.lead_time.p90_seconds)} (${m.lead_time.commits} commits)`,
      ),
      band(m.lead_time.band),
    ],
    [
      'Change failure rate',
      esc(
        `${percentText(m.change_failure_rate.rate)} (${m.change_failure_rate.failed} of ${m.change_failure_rate.deploys})`,
      ),
      band(m.change_failure_rate.band),
    ],
    [
      'Failed deployment recovery time',
      esc(
        `median ${durationText(m.recovery_time.median_seconds)}, p90 ${durationText(m.recovery_time.p90_seconds)} (${m.recovery_time.failures} failure(s))`,
      ),
      band(m.recovery_time.band),
    ],
    [
      'Deployment rework rate',
      esc(
        `${percentText(m.rework_rate.rate)} (${m.rework_rate.rework} of ${m.rework_rate.deploys})`,
      ),
      '<span class="muted">no band</span>',
    ],
  ];
}

function metricsSection(ms: ServiceMetrics[]): string {
  return ms
    .map(
      (m) =>
        `<h3>${m.service ? `${esc(m.service)} ` : ''}${esc(m.stage)}</h3>${table(['Metric', 'Value', 'DORA band'], metricRows(m.period))}`,
    )
    .join('');
}

function chartFigure(c: Chart): string {
  const series = [...new Set(c.rows.map((r) => r.series))];
  const weeks = [...new Set(c.rows.map((r) => r.week))];
  const value = (w: string, s: string) => {
    const v = c.rows.find((r) => r.week === w && r.series === s)?.value;
    return v === null || v === undefined ? '—' : String(v);
  };
  return `<figure id="chart-${c.id}" class="chart-figure"><figcaption><strong>${esc(c.title)}</strong> by week (${esc(c.unit)})</figcaption><div class="chart" role="img" aria-label="${esc(c.description)}">${c.svg}</div><details><summary>The numbers of this chart</summary>${table(
    ['Week of', ...series],
    weeks.map((w) => [esc(w), ...series.map((s) => esc(value(w, s)))]),
  )}</details></figure>`;
}

function releasesSection(d: Dashboard): string {
  if (d.releases.length === 0) return '<p class="muted">No deploy was dispatched yet.</p>';
  return table(
    [
      'Claimed',
      'Service',
      'Stage',
      'SHA',
      'Kind',
      'Version',
      'Approved by',
      'Risk',
      'Outcome',
      'Evidence',
    ],
    d.releases.map((r) => [
      esc(when(r.time)),
      esc(r.service ?? '—'),
      esc(r.stage ?? '—'),
      `<code title="${esc(r.sha)}">${short(r.sha)}</code>`,
      esc(r.kind.replace('_', '-')),
      esc(r.version ?? '—'),
      esc(r.approvers.length ? r.approvers.map((a) => `@${a}`).join(', ') : '—'),
      esc(r.risk ?? '—'),
      `<span class="outcome ${r.outcome.replace(' ', '-')}">${esc(r.outcome)}</span>`,
      r.hash ? `<code title="${esc(r.hash)}">${esc(r.hash.slice(0, 12))}</code>` : '—',
    ]),
  );
}

const STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0;
  --pass: #1a7f37; --fail: #cf222e; --card: #f6f8fa; --grid: #e6e9ec; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --pass: #3fb950;
    --fail: #f85149; --card: #151b23; --grid: #262c36; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 1.5rem; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { margin-top: 2rem; border-bottom: 1px solid var(--line); }
h4 { font-weight: 600; margin: 1rem 0 .25rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--card); }
caption { text-align: left; color: var(--muted); }
code { font: .85rem ui-monospace, SFMono-Regular, Menlo, monospace; }
.muted { color: var(--muted); }
.verdict.pass, .outcome.succeeded, .band.elite, .band.high { color: var(--pass); font-weight: 600; }
.verdict.fail, .outcome.failed, .band.low { color: var(--fail); font-weight: 600; }
.band.none { color: var(--muted); }
.chain { padding: .75rem 1rem; border-radius: 6px; border: 1px solid var(--line); background: var(--card); }
.chain.broken { border-color: var(--fail); }
.charts { display: grid; gap: 1rem; }
figure { margin: 0; padding: .75rem; border: 1px solid var(--line); border-radius: 6px; background: var(--card); }
.chart svg { max-width: 100%; height: auto; }
.chart svg text { fill: var(--fg); }
.chart svg .role-axis-domain line, .chart svg .role-axis-tick line { stroke: var(--muted); }
.chart svg .role-axis-grid line { stroke: var(--grid); }
summary { cursor: pointer; color: var(--muted); }
`;

/** The whole page. */
export function renderPage(d: Dashboard, charts: readonly Chart[]): string {
  const chain = d.chain.intact
    ? `<p class="chain intact"><strong>Evidence chain intact</strong>: ${d.chain.records} record(s)${d.chain.head ? `, state branch at <code>${short(d.chain.head)}</code>` : ''}. Every hash and link was recomputed, as <code>release-governor audit</code> does.</p>`
    : `<p class="chain broken"><strong>Evidence chain BROKEN</strong> at ${esc(d.chain.problem ?? '?')}. Run <code>release-governor audit</code> for the details; figures below rest on the records before the break.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Release readiness — ${esc(d.repository)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Release readiness — ${esc(d.repository)}</h1>
<p class="muted">Written ${esc(when(d.generatedAt))} by release-governor report, from the state branch alone. Metrics of ${esc(when(d.since))} to ${esc(when(d.until))}.</p>
</header>
<main>
${chain}
<h2>Readiness</h2>
${readinessSection(d)}
<h2>Delivery metrics</h2>
<p class="muted">DORA's four keys and the rework rate, of the last stage, exactly as the governor recorded every deploy (see docs/metrics.md for the definitions and the bands).</p>
${metricsSection(d.metrics)}
<div class="charts">
${charts.map(chartFigure).join('\n')}
</div>
<h2>Recent releases</h2>
${releasesSection(d)}
</main>
</body>
</html>
`;
}
