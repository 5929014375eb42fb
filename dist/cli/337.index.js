export const id = 337;
export const ids = [337];
export const modules = {

/***/ 43337:
/***/ ((module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   renderCharts: () => (/* binding */ renderCharts)
/* harmony export */ });
/* unused harmony export METRIC_CHARTS */
/* harmony import */ var vega_lite__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(10994);
/* harmony import */ var vega__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(33972);
var __webpack_async_dependencies__ = __webpack_handle_async_dependencies__([vega_lite__WEBPACK_IMPORTED_MODULE_0__, vega__WEBPACK_IMPORTED_MODULE_1__]);
([vega_lite__WEBPACK_IMPORTED_MODULE_0__, vega__WEBPACK_IMPORTED_MODULE_1__] = __webpack_async_dependencies__.then ? (await __webpack_async_dependencies__)() : __webpack_async_dependencies__);
// The report's charts (SPEC §23): one per metric, by week, drawn by Vega-Lite and rendered to SVG
// here, when the report is written — the page carries the SVG and no script. This module is the
// only one that loads vega and vega-lite; the CLI imports it for `report` alone, so neither the
// action nor the CLI's other commands pay for it (a lazy chunk of the CLI bundle).


const hours = (s) => (s === null ? null : Math.round((s / 3600) * 100) / 100);
const percent = (r) => (r === null ? null : Math.round(r * 1000) / 10);
/** The five figures of §23, each a chart by week. */
const METRIC_CHARTS = [
    {
        id: 'deployment-frequency',
        title: 'Deployment frequency',
        unit: 'successful deploys',
        mark: 'bar',
        value: (m) => m.deployment_frequency.deploys,
    },
    {
        id: 'lead-time',
        title: 'Lead time for changes (median)',
        unit: 'hours',
        mark: 'line',
        value: (m) => hours(m.lead_time.median_seconds),
    },
    {
        id: 'change-failure-rate',
        title: 'Change failure rate',
        unit: '% of deploys',
        mark: 'bar',
        value: (m) => percent(m.change_failure_rate.rate),
    },
    {
        id: 'recovery-time',
        title: 'Failed deployment recovery time (median)',
        unit: 'hours',
        mark: 'line',
        value: (m) => hours(m.recovery_time.median_seconds),
    },
    {
        id: 'rework-rate',
        title: 'Deployment rework rate',
        unit: '% of deploys',
        mark: 'bar',
        value: (m) => percent(m.rework_rate.rate),
    },
];
const seriesName = (m) => (m.service ? `${m.service} ${m.stage}` : m.stage);
function specOf(c, rows, several) {
    // Copies: vega tags the objects it is given (a symbol per datum), and the rows are the table's.
    const data = rows.filter((r) => r.value !== null).map((r) => ({ ...r }));
    const x = {
        field: 'week',
        type: 'ordinal',
        title: 'Week of (UTC)',
        sort: null,
        axis: { labelAngle: 0 },
        scale: { domain: [...new Set(rows.map((r) => r.week))] },
    };
    const y = { field: 'value', type: 'quantitative', title: c.unit };
    const color = several
        ? { color: { field: 'series', type: 'nominal', title: 'Service' } }
        : {};
    return {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        description: `${c.title} by week`,
        background: null,
        width: 900,
        height: 200,
        data: { values: data },
        mark: c.mark === 'bar'
            ? { type: 'bar', tooltip: false }
            : { type: 'line', point: true, tooltip: false },
        encoding: {
            x,
            y,
            ...color,
            ...(several && c.mark === 'bar' ? { xOffset: { field: 'series' } } : {}),
        },
        config: {
            font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
            view: { stroke: null },
            range: { category: ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2'] },
        },
    };
}
/** Renders one chart of every metric, a series per service. */
async function renderCharts(metrics) {
    const several = metrics.length > 1;
    const charts = [];
    for (const c of METRIC_CHARTS) {
        const rows = metrics.flatMap((m) => m.weeks.map((w) => ({ week: w.week, series: seriesName(m), value: c.value(w.metrics) })));
        const view = new vega__WEBPACK_IMPORTED_MODULE_1__/* .View */ .Ss2((0,vega__WEBPACK_IMPORTED_MODULE_1__/* .parse */ .qgA)((0,vega_lite__WEBPACK_IMPORTED_MODULE_0__/* .compile */ .wE)(specOf(c, rows, several)).spec), { renderer: 'none' });
        const svg = await view.toSVG();
        view.finalize();
        const measured = rows.filter((r) => r.value !== null);
        charts.push({
            id: c.id,
            title: c.title,
            unit: c.unit,
            description: `${c.title} by week, in ${c.unit}${several ? ', one series per service' : ''}: ${measured.length
                ? measured
                    .map((r) => `${several ? `${r.series} ` : ''}week of ${r.week} ${r.value}`)
                    .join('; ')
                : 'no week had anything to measure'}.`,
            rows,
            svg,
        });
    }
    return charts;
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } });

/***/ })

};
