export const id = 912;
export const ids = [912];
export const modules = {

/***/ 912:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   loadConfig: () => (/* binding */ loadConfig)
/* harmony export */ });
/* unused harmony exports APPROVAL_MODES, APPROVER_PERMISSIONS, STAGE_NAME, STAGE_APPROVALS, pointerProblem, readinessSchema, stageSchema, SERVICE_NAME, serviceSchema, dependencyCycle, configSchema, FILE_ONLY_KEYS, OVERRIDE_KINDS, quoteValue, configJsonSchema */
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(38815);
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(38816);
/* harmony import */ var _config_base_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(58016);
/* harmony import */ var _freeze_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(96301);
/* harmony import */ var _health_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(85876);
/* harmony import */ var _patterns_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3073);
/* harmony import */ var _version_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(43356);
// The `release_governor` block of .booty.yml: one zod schema with the spec's defaults, file
// values and RELEASE_GOVERNOR_* overrides merged before a single parse, and errors that name
// the key and where it came from (file line, or the environment variable).







const APPROVAL_MODES = ['label', 'comment', 'environment'];
const APPROVER_PERMISSIONS = ['write', 'maintain', 'admin'];
const glob = zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP().superRefine((p, ctx) => {
    const problem = (0,_patterns_js__WEBPACK_IMPORTED_MODULE_4__/* .patternProblem */ .AL)(p);
    if (problem)
        ctx.addIssue({ code: 'custom', message: problem });
});
const label = zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
    .min(1, 'a label must not be empty')
    .max(50, 'GitHub labels are at most 50 characters');
const approvalMode = zod__WEBPACK_IMPORTED_MODULE_6__/* ["enum"] */ .k5n(APPROVAL_MODES);
const STAGE_NAME = /^[a-z0-9][a-z0-9-]*$/;
/** An environment's address on the Deployments page (§21): http(s), no credentials. */
const environmentUrl = zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP().superRefine((u, ctx) => {
    const url = URL.canParse(u) ? new URL(u) : null;
    if (!url || !/^https?:$/.test(url.protocol))
        ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL' });
    else if (url.username || url.password)
        ctx.addIssue({
            code: 'custom',
            message: 'must not carry credentials: it is shown on the Deployments page',
        });
});
const STAGE_APPROVALS = ['none', 'required'];
/** A JSON Pointer (RFC 6901): empty (the whole document), or `/`-separated, `~` only as ~0/~1. */
function pointerProblem(p) {
    if (p !== '' && !p.startsWith('/'))
        return 'must be a JSON Pointer: empty, or starting with / (such as /warm_run/improvement_pct)';
    if (/~(?![01])/.test(p))
        return 'must be a JSON Pointer: ~ only as ~0 (for ~) or ~1 (for /)';
    return null;
}
const threshold = zod__WEBPACK_IMPORTED_MODULE_6__/* .strictObject */ .rej({
    artifact: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP().min(1).describe('The artifact of the verification run holding the file.'),
    file: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .min(1)
        .refine((f) => !f.startsWith('/') && !f.split('/').includes('..'), 'must be a path inside the artifact (no leading /, no ..)')
        .describe('The JSON file inside the artifact.'),
    value: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .superRefine((v, ctx) => {
        const p = pointerProblem(v);
        if (p)
            ctx.addIssue({ code: 'custom', message: p });
    })
        .describe('A JSON Pointer to the value in the file.'),
    min: zod__WEBPACK_IMPORTED_MODULE_6__/* .number */ .aig().optional().describe('The value must be a number at least this.'),
    max: zod__WEBPACK_IMPORTED_MODULE_6__/* .number */ .aig().optional().describe('The value must be a number at most this.'),
    equals: zod__WEBPACK_IMPORTED_MODULE_6__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_6__/* .number */ .aig(), zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_6__/* .boolean */ .zMY()])
        .optional()
        .describe('The value must be exactly this.'),
})
    .superRefine((t, ctx) => {
    if (t.min === undefined && t.max === undefined && t.equals === undefined)
        ctx.addIssue({ code: 'custom', message: 'needs a bound: min, max or equals' });
    if (t.min !== undefined && t.max !== undefined && t.min > t.max)
        ctx.addIssue({
            code: 'custom',
            path: ['min'],
            message: `is ${t.min}, above max ${t.max}: no value can pass`,
        });
})
    .describe('A figure of the verification run and its bound (SPEC §22).');
/** Readiness gates (SPEC §22): top level, per service and per stage. */
const readinessSchema = zod__WEBPACK_IMPORTED_MODULE_6__/* .strictObject */ .rej({
    max_verification_age_minutes: zod__WEBPACK_IMPORTED_MODULE_6__/* .number */ .aig()
        .positive()
        .max(525_600)
        .optional()
        .describe('The verification run must have completed within this many minutes of the decision.'),
    evidence_thresholds: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(threshold)
        .default([])
        .describe('Figures of the verification run (JSON files in its artifacts) and their bounds.'),
    release_blocker_labels: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(label)
        .default(['release-blocker'])
        .describe('An open issue or pull request with one of these labels blocks the release.'),
})
    .describe('Readiness gates (SPEC §22).');
/** One stage of the pipeline (SPEC §14); unset keys are resolved by domain/pipeline.ts. */
const stageSchema = zod__WEBPACK_IMPORTED_MODULE_6__/* .strictObject */ .rej({
    name: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .regex(STAGE_NAME, 'must be lower-case letters, digits and dashes, starting with a letter or digit')
        .max(40)
        .describe('Used in state, statuses and messages.'),
    environment: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .min(1)
        .optional()
        .describe('Passed to the deploy workflow as the input `environment`. Default: the name.'),
    deploy_workflow: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .optional()
        .describe('Workflow file to dispatch for this stage. Default: the top-level deploy_workflow.'),
    deploy_workflow_ref: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .min(1)
        .optional()
        .describe('Ref the dispatch runs on. Default: the top-level deploy_workflow_ref.'),
    soak_minutes: zod__WEBPACK_IMPORTED_MODULE_6__/* .number */ .aig()
        .min(0)
        .max(43_200)
        .default(0)
        .describe('How long a SHA must have been live and verified here, without being replaced, before the next stage may take it (fractions allowed).'),
    hold_while_soaking: zod__WEBPACK_IMPORTED_MODULE_6__/* .boolean */ .zMY()
        .optional()
        .describe('Take no newer SHA while the current one soaks and has not reached the next stage (a release train). Default: true when soak_minutes > 0.'),
    environment_url: environmentUrl
        .optional()
        .describe('Where this stage is reached, shown on its deployments (SPEC §21).'),
    approvals: zod__WEBPACK_IMPORTED_MODULE_6__/* ["enum"] */ .k5n(STAGE_APPROVALS)
        .optional()
        .describe('none: rules 6, 9 and 10 (first deploy, incident, HIGH risk) do not apply here. Default: required on the last stage, none before it.'),
    health_check: _health_js__WEBPACK_IMPORTED_MODULE_3__/* .healthCheckSchema */ .KR.optional(),
    readiness: readinessSchema
        .optional()
        .describe("This stage's readiness gates. Default: the service's, else the top level's."),
})
    .describe('A stage of the release pipeline.');
const SERVICE_NAME = STAGE_NAME;
/**
 * One deployable of a repository that holds several (SPEC §20). Unset keys take the top-level
 * value (domain/services.ts resolves them); the risk lists add to the top-level ones.
 */
const serviceSchema = zod__WEBPACK_IMPORTED_MODULE_6__/* .strictObject */ .rej({
    name: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .regex(SERVICE_NAME, 'must be lower-case letters, digits and dashes, starting with a letter or digit')
        .max(40)
        .describe('Used in state, statuses, messages, tags and the dispatch (`inputs.service`).'),
    paths: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(glob)
        .min(1, 'must list at least one path pattern (the files that belong to the service)')
        .describe('Patterns (§5 syntax) of the files that belong to the service; a path may belong to several.'),
    depends_on: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP().min(1))
        .default([])
        .describe('Services that must release a commit first when the commit affects both.'),
    deploy_workflow: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .optional()
        .describe('Workflow file to dispatch for this service. Default: the top-level one.'),
    deploy_workflow_ref: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .min(1)
        .optional()
        .describe('Ref the dispatch runs on. Default: the top-level deploy_workflow_ref.'),
    stages: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(stageSchema)
        .min(1, 'must list at least one stage (or leave stages out for the top-level ones)')
        .max(10)
        .optional()
        .describe("This service's pipeline. Default: the top-level stages."),
    health_check: _health_js__WEBPACK_IMPORTED_MODULE_3__/* .healthCheckSchema */ .KR
        .optional()
        .describe('Post-deploy verification (without stages). Default: the top-level one.'),
    approvers: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .regex(/^[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/, 'must be a user login or an org/team slug'))
        .optional()
        .describe("Who may approve this service's paths. Default: the top-level approvers."),
    required_approvals: zod__WEBPACK_IMPORTED_MODULE_6__/* .number */ .aig()
        .int()
        .min(1)
        .max(10)
        .optional()
        .describe('Distinct approvers per path for this service. Default: the top-level value.'),
    high_risk_paths: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(glob)
        .default([])
        .describe('HIGH-risk patterns of this service, added to the top-level ones.'),
    medium_risk_paths: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(glob)
        .default([])
        .describe('MEDIUM-risk patterns of this service, added to the top-level ones.'),
    versioning: _version_js__WEBPACK_IMPORTED_MODULE_5__/* .versioningSchema */ .y
        .optional()
        .describe("This service's versioning. Default: the top-level block, tags `<name>/v…`."),
    readiness: readinessSchema
        .optional()
        .describe("This service's readiness gates. Default: the top-level block."),
})
    .describe('A service (SPEC §20).');
/**
 * What the services block cannot be (SPEC §20): a name listed twice, a dependency that is not a
 * service or that closes a cycle, a stage listed twice, a health check beside stages, a window
 * naming a service that does not exist.
 */
function servicesProblems(c, ctx) {
    const services = c.services;
    c.freeze_windows.forEach((w, i) => {
        for (const [j, name] of (w.services ?? []).entries())
            if (!services?.some((s) => s.name === name))
                ctx.addIssue({
                    code: 'custom',
                    path: ['freeze_windows', i, 'services', j],
                    message: services
                        ? `${name} is not a service (the services are ${services.map((s) => s.name).join(', ')})`
                        : `${name}: freeze_windows.services needs a services block`,
                });
    });
    if (!services)
        return;
    const names = services.map((s) => s.name);
    services.forEach((s, i) => {
        if (names.indexOf(s.name) !== i)
            ctx.addIssue({
                code: 'custom',
                path: ['services', i, 'name'],
                message: `${s.name} is listed twice; service names must be unique`,
            });
        s.depends_on.forEach((d, j) => {
            if (!names.includes(d))
                ctx.addIssue({
                    code: 'custom',
                    path: ['services', i, 'depends_on', j],
                    message: `${d} is not a service (the services are ${names.join(', ')})`,
                });
            else if (d === s.name)
                ctx.addIssue({
                    code: 'custom',
                    path: ['services', i, 'depends_on', j],
                    message: `a service cannot depend on itself`,
                });
        });
        const stages = s.stages ?? [];
        stages.forEach((t, j) => {
            if (stages.findIndex((x) => x.name === t.name) !== j)
                ctx.addIssue({
                    code: 'custom',
                    path: ['services', i, 'stages', j, 'name'],
                    message: `${t.name} is listed twice; stage names must be unique`,
                });
        });
        if (s.stages && s.health_check)
            ctx.addIssue({
                code: 'custom',
                path: ['services', i, 'health_check'],
                message: 'with stages, health_check is a key of each stage (move it under the stage it checks)',
            });
        const vstage = s.versioning?.stage;
        const own = s.stages ?? c.stages;
        if (vstage !== undefined && own && !own.some((t) => t.name === vstage))
            ctx.addIssue({
                code: 'custom',
                path: ['services', i, 'versioning', 'stage'],
                message: `${vstage} is not a stage of ${s.name} (its stages are ${own.map((t) => t.name).join(', ')})`,
            });
    });
    const cycle = dependencyCycle(services);
    if (cycle)
        ctx.addIssue({
            code: 'custom',
            path: ['services', names.indexOf(cycle[0]), 'depends_on'],
            message: `depends_on forms a cycle: ${cycle.join(' → ')}`,
        });
}
/** A cycle of depends_on, as the names along it (the first repeated at the end), or null. */
function dependencyCycle(services) {
    const byName = new Map(services.map((s) => [s.name, s]));
    const done = new Set();
    const path = [];
    const visit = (name) => {
        if (path.includes(name))
            return [...path.slice(path.indexOf(name)), name];
        if (done.has(name))
            return null;
        path.push(name);
        for (const d of byName.get(name)?.depends_on ?? [])
            if (d !== name && byName.has(d)) {
                const found = visit(d);
                if (found)
                    return found;
            }
        path.pop();
        done.add(name);
        return null;
    };
    for (const s of services) {
        const found = visit(s.name);
        if (found)
            return found;
    }
    return null;
}
const configSchema = zod__WEBPACK_IMPORTED_MODULE_6__/* .strictObject */ .rej({
    enabled: zod__WEBPACK_IMPORTED_MODULE_6__/* .boolean */ .zMY()
        .default(true)
        .describe('Master switch. false → every run is SKIP disabled.'),
    branch: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .min(1)
        .optional()
        .describe('The release branch; only runs on it are candidates. Default: the repository default branch.'),
    verification_workflow: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .min(1)
        .default('Verify main')
        .describe('Name or file path of the workflow whose success triggers a decision.'),
    deploy_workflow: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .default('deploy.yml')
        .describe('Workflow file to dispatch. Empty → HOLD deploy_not_configured.'),
    deploy_workflow_ref: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .min(1)
        .optional()
        .describe('Ref the dispatch runs on. Default: the release branch.'),
    production_environment_name: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .min(1)
        .default('production')
        .describe('Shown in messages and deploy-failure issues.'),
    require_approval_for_first_deploy: zod__WEBPACK_IMPORTED_MODULE_6__/* .boolean */ .zMY()
        .default(true)
        .describe('With no production SHA yet, an approval is required.'),
    default_risk_paths: zod__WEBPACK_IMPORTED_MODULE_6__/* .boolean */ .zMY()
        .default(true)
        .describe('false drops both default lists (HIGH and MEDIUM), for a team that wants only its own patterns; the protected paths stay.'),
    high_risk_paths: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(glob)
        .default([])
        .describe(`Path patterns (CODEOWNERS/.gitignore conventions) that make a change HIGH risk, added to the defaults: ${_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULT_HIGH_RISK_PATHS */ .qi.join(', ')}.`),
    medium_risk_paths: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(glob)
        .default([])
        .describe(`Path patterns that make a change MEDIUM risk, added to the defaults: ${_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULT_MEDIUM_RISK_PATHS */ .RU.join(', ')}.`),
    cooldown_minutes: zod__WEBPACK_IMPORTED_MODULE_6__/* .number */ .aig()
        .int()
        .min(0)
        .max(10_080)
        .default(30)
        .describe('After a failed deploy of a SHA, that SHA is not redeployed for this long.'),
    max_deploys_per_hour: zod__WEBPACK_IMPORTED_MODULE_6__/* .number */ .aig()
        .int()
        .min(1)
        .max(1000)
        .default(6)
        .describe('Dispatches counted over the last 60 minutes, claims included.'),
    approval_mode: zod__WEBPACK_IMPORTED_MODULE_6__/* .union */ .KCZ([approvalMode, zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(approvalMode).min(1)])
        .default([...APPROVAL_MODES])
        .describe('Which approval sources count: label, comment, environment (a list, or one string).'),
    approval_label: label
        .default('release:approved')
        .describe('Label mode: the label on a merged pull request.'),
    approval_command: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .min(1)
        .default('/approve-release')
        .describe('Comment mode: the first line of the comment.'),
    approver_permission: zod__WEBPACK_IMPORTED_MODULE_6__/* ["enum"] */ .k5n(APPROVER_PERMISSIONS)
        .default('write')
        .describe('Minimum repository role of an approver.'),
    approvers: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .regex(/^[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/, 'must be a user login or an org/team slug'))
        .default([])
        .describe('Who may approve, besides the role: user logins and org/team slugs (a team needs a token that can read the organization). Empty: anyone with approver_permission.'),
    required_approvals: zod__WEBPACK_IMPORTED_MODULE_6__/* .number */ .aig()
        .int()
        .min(1)
        .max(10)
        .default(1)
        .describe('How many distinct valid approvers must cover a path before it counts as approved.'),
    notify_pull_requests: zod__WEBPACK_IMPORTED_MODULE_6__/* .boolean */ .zMY()
        .default(true)
        .describe('On a soft HOLD, comment on each merged pull request whose paths need approval (one comment, edited in place).'),
    prevent_self_approval: zod__WEBPACK_IMPORTED_MODULE_6__/* .boolean */ .zMY()
        .default(true)
        .describe('An approver may not approve their own change.'),
    allow_blanket_approval: zod__WEBPACK_IMPORTED_MODULE_6__/* .boolean */ .zMY()
        .default(false)
        .describe('Whether RELEASE_GOVERNOR_APPROVED=true (not scoped to a SHA) counts.'),
    incident_labels: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(label)
        .default(['incident', 'deploy-failure'])
        .describe('An open issue with any of these labels is an active incident.'),
    state_branch: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .min(1)
        .default('booty-state')
        .describe('Branch holding release state.'),
    status_context: zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP()
        .min(1)
        .default('booty/release-governor')
        .describe('Commit status context.'),
    deploy_failure_labels: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(label)
        .min(1)
        .default(['deploy-failure', 'severity:high'])
        .describe('Labels of the deploy-failure issue.'),
    health_check: _health_js__WEBPACK_IMPORTED_MODULE_3__/* .healthCheckSchema */ .KR
        .optional()
        .describe('Post-deploy verification of the one stage (with stages: a key of each stage).'),
    rollback_labels: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(label)
        .min(1)
        .default(['incident', 'rollback'])
        .describe('Labels of the automatic-rollback issue (incident: rule 9 holds further deploys).'),
    freeze_windows: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(_freeze_js__WEBPACK_IMPORTED_MODULE_2__/* .freezeWindowSchema */ .t)
        .default([])
        .describe('Windows in which deploys are held (HOLD freeze_window); rollbacks are never frozen.'),
    required_artifacts: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_6__/* .string */ .YjP().min(1))
        .default([])
        .describe('Artifacts the verification run must have uploaded (test-results, sbom); missing → HOLD evidence_missing.'),
    evidence_retention_days: zod__WEBPACK_IMPORTED_MODULE_6__/* .number */ .aig()
        .int()
        .min(1)
        .max(400)
        .default(90)
        .describe('How long each run’s evidence artifact is kept.'),
    break_glass_permission: zod__WEBPACK_IMPORTED_MODULE_6__/* ["enum"] */ .k5n(APPROVER_PERMISSIONS)
        .default('admin')
        .describe('Minimum repository role of the person who dispatches a break-glass deploy.'),
    versioning: _version_js__WEBPACK_IMPORTED_MODULE_5__/* .versioningSchema */ .y.optional(),
    readiness: readinessSchema
        .optional()
        .describe('Readiness gates (SPEC §22): fresh verification, thresholds on its figures, release blockers.'),
    github_deployments: zod__WEBPACK_IMPORTED_MODULE_6__/* .boolean */ .zMY()
        .default(true)
        .describe('Record a GitHub deployment of the exact SHA for every deploy dispatched, with its statuses (SPEC §21).'),
    environment_url: environmentUrl
        .optional()
        .describe('Where production is reached, shown on its deployments (without stages; with stages, a key of each stage).'),
    stages: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(stageSchema)
        .min(1, 'must list at least one stage (or leave stages out for a single stage)')
        .max(10)
        .superRefine((stages, ctx) => {
        const seen = new Set();
        stages.forEach((stage, i) => {
            if (seen.has(stage.name))
                ctx.addIssue({
                    code: 'custom',
                    path: [i, 'name'],
                    message: `${stage.name} is listed twice; stage names must be unique`,
                });
            seen.add(stage.name);
        });
    })
        .optional()
        .describe('The release pipeline, in order (staging first). Absent: one stage named after production_environment_name.'),
    services: zod__WEBPACK_IMPORTED_MODULE_6__/* .array */ .YOg(serviceSchema)
        .min(1, 'must list at least one service (or leave services out for one deployable)')
        .max(100)
        .optional()
        .describe('The deployables of the repository (SPEC §20), each decided on its own paths. Absent: the repository is one deployable.'),
})
    .superRefine((c, ctx) => {
    servicesProblems(c, ctx);
    const top = c.stages ? c.stages.map((s) => s.name) : [c.production_environment_name];
    // With services, a window or a versioning block may name any service's stage.
    const names = [
        ...new Set([
            ...top,
            ...(c.services ?? []).flatMap((s) => (s.stages ?? []).map((t) => t.name)),
        ]),
    ];
    c.freeze_windows.forEach((w, i) => {
        for (const [j, stage] of (w.stages ?? []).entries())
            if (!names.includes(stage))
                ctx.addIssue({
                    code: 'custom',
                    path: ['freeze_windows', i, 'stages', j],
                    message: `${stage} is not a stage (the stages are ${names.join(', ')})`,
                });
    });
    const vstage = c.versioning?.stage;
    if (vstage !== undefined && !names.includes(vstage))
        ctx.addIssue({
            code: 'custom',
            path: ['versioning', 'stage'],
            message: `${vstage} is not a stage (the stages are ${names.join(', ')})`,
        });
    if (c.stages && c.environment_url)
        ctx.addIssue({
            code: 'custom',
            path: ['environment_url'],
            message: 'with stages, environment_url is a key of each stage (move it under the stage it names)',
        });
    if (c.stages && c.health_check)
        ctx.addIssue({
            code: 'custom',
            path: ['health_check'],
            message: 'with stages, health_check is a key of each stage (move it under the stage it checks)',
        });
})
    .describe('The release_governor block of .booty.yml');
const KEYS = Object.keys(configSchema.shape);
const STAGE_KEYS = Object.keys(stageSchema.shape);
const SERVICE_KEYS = Object.keys(serviceSchema.shape);
const HEALTH_KEYS = Object.keys(_health_js__WEBPACK_IMPORTED_MODULE_3__/* .healthCheckSchema */ .KR.shape);
const FREEZE_KEYS = Object.keys(_freeze_js__WEBPACK_IMPORTED_MODULE_2__/* .freezeWindowSchema */ .t.shape);
const VERSIONING_KEYS = Object.keys(_version_js__WEBPACK_IMPORTED_MODULE_5__/* .versioningSchema */ .y.shape);
const READINESS_KEYS = Object.keys(readinessSchema.shape);
const THRESHOLD_KEYS = ['artifact', 'file', 'value', 'min', 'max', 'equals'];
function kindOfSchema(schema) {
    const def = schema._zod.def;
    switch (def.type) {
        case 'default':
        case 'optional':
        case 'prefault':
        case 'nullable':
            return kindOfSchema(def.innerType);
        case 'object':
            return 'structure';
        case 'array': {
            const element = def.element;
            return kindOfSchema(element) === 'structure' ? 'structure' : 'list';
        }
        case 'boolean':
            return 'boolean';
        case 'number':
            return 'number';
        case 'union':
            return def.options.some((o) => kindOfSchema(o) === 'list') ? 'list' : 'text';
        default:
            return 'text';
    }
}
const KINDS = new Map(KEYS.map((k) => [k, kindOfSchema(configSchema.shape[k])]));
/** Keys that are structures, not scalars or lists: the file only, never an environment variable. */
const FILE_ONLY_KEYS = new Set(KEYS.filter((k) => KINDS.get(k) === 'structure'));
/** Every key a RELEASE_GOVERNOR_* variable may set, with how its text is read. */
const OVERRIDE_KINDS = new Map([...KINDS].filter((e) => e[1] !== 'structure'));
const RUNTIME_VARIABLES = new Set([_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .APPROVAL_VARIABLE */ .Fr, _config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .RETRY_BASE_VARIABLE */ .UB]);
function envValue(key, raw) {
    const v = raw.trim();
    switch (OVERRIDE_KINDS.get(key)) {
        case 'list':
            return v
                .split(',')
                .map((s) => s.trim())
                .filter((s) => s !== '');
        case 'boolean':
            return v === 'true' ? true : v === 'false' ? false : v;
        case 'number':
            return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
        default:
            return raw;
    }
}
/**
 * Reads the overrides from an environment map. An empty variable counts as unset: that is
 * what `${{ vars.X }}` expands to when the variable is not defined.
 */
function readOverrides(env) {
    const values = {};
    const problems = [];
    const known = new Map([...OVERRIDE_KINDS.keys()].map((k) => [(0,_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .envVarFor */ .ai)(k), k]));
    for (const [name, raw] of Object.entries(env)) {
        if (!name.startsWith(_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .ENV_PREFIX */ .N8) ||
            RUNTIME_VARIABLES.has(name) ||
            raw === undefined ||
            raw === '')
            continue;
        const key = known.get(name);
        if (!key && FILE_ONLY_KEYS.has(name.slice(_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .ENV_PREFIX */ .N8.length).toLowerCase())) {
            problems.push({
                key: '',
                where: `env ${name}`,
                message: `${name.slice(_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .ENV_PREFIX */ .N8.length).toLowerCase()} is a structure and is set in the config file only`,
            });
            continue;
        }
        if (!key) {
            problems.push({
                key: '',
                where: `env ${name}`,
                message: `unknown variable; the overrides are ${[...known.keys()].join(', ')}`,
            });
            continue;
        }
        values[key] = envValue(key, raw);
    }
    return { values, problems };
}
function lineOf(doc, counter, path) {
    for (let i = path.length; i >= 0; i--) {
        const node = doc.getIn(path.slice(0, i), true);
        if (node && typeof node === 'object' && 'range' in node && node.range)
            return counter.linePos(node.range[0]).line;
    }
    return null;
}
function keyLine(doc, counter, mapPath, key) {
    const map = mapPath.length === 0 ? doc.contents : doc.getIn(mapPath, true);
    if ((0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isMap */ .jh)(map)) {
        for (const pair of map.items) {
            const k = pair.key;
            if (k && typeof k === 'object' && 'value' in k && k.value === key && k.range)
                return counter.linePos(k.range[0]).line;
        }
    }
    return lineOf(doc, counter, mapPath);
}
const TYPE_WORDS = {
    array: 'a list',
    object: 'a mapping',
    boolean: 'true or false',
    number: 'a number',
    int: 'a whole number',
    string: 'a string',
};
/** A value as an error quotes it: JSON, cut to a readable length. */
function quoteValue(value) {
    // A URL's user:password is never repeated into a log.
    const text = (JSON.stringify(value) ?? String(value)).replace(/(:\/\/)[^/@\s"]*@/, '$1***@');
    return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
/** The value at a path of the merged input, or undefined when the path does not exist. */
function valueAt(root, path) {
    let v = root;
    for (const p of path) {
        if (v === null || typeof v !== 'object')
            return undefined;
        v = v[p];
    }
    return v;
}
/** One problem in words: what is wrong, then the offending value when there is one. */
function issueMessage(issue, value) {
    if (issue.code === 'invalid_type' && value === undefined)
        return 'is missing (it is required)';
    let message;
    if (issue.code === 'invalid_union')
        message = 'must be one of label, comment, environment, or a list of them';
    else if (issue.code === 'invalid_type')
        message = `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    else if (issue.code === 'invalid_value')
        message = `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    else
        message = issue.message;
    if (value === undefined || (value !== null && typeof value === 'object'))
        return message;
    if (typeof value === 'string' && value !== '' && message.includes(value))
        return message;
    return `${message}; got ${quoteValue(value)}`;
}
/**
 * A key path as people read it: list entries count from 1, as decisions count freeze windows
 * ("freeze window 1" is `freeze_windows.1`).
 */
function keyPath(path) {
    return [_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .CONFIG_BLOCK */ .JC, ...path.map((p) => (typeof p === 'number' ? String(p + 1) : p))].join('.');
}
/** The edit distance of two short strings (for "did you mean release_governor?"). */
function distance(a, b) {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const next = [i];
        for (let j = 1; j <= b.length; j++)
            next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        row = next;
    }
    return row[b.length];
}
function absentWhy(opts, doc) {
    if (opts.text === null)
        return {
            why: `There is no ${opts.path}: the governor is off for this repository. Commit a ${opts.path} with a ${_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .CONFIG_BLOCK */ .JC}: block to turn it on.`,
            typo: null,
        };
    const root = doc?.toJS();
    const keys = root && typeof root === 'object' ? Object.keys(root) : [];
    const typo = keys
        .map((k) => ({ k, d: distance(k.toLowerCase().replace(/-/g, '_'), _config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .CONFIG_BLOCK */ .JC) }))
        .filter((x) => x.d <= 3)
        .sort((x, y) => x.d - y.d)[0]?.k ?? null;
    const listed = keys.length
        ? ` (its top-level keys: ${keys.slice(0, 10).join(', ')})`
        : ' (it is empty)';
    return {
        why: `${opts.path} has no ${_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .CONFIG_BLOCK */ .JC} block${listed}, so the governor is off.${typo ? ` Did you mean ${_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .CONFIG_BLOCK */ .JC}? "${typo}" looks like a misspelling.` : ''}`,
        typo,
    };
}
/**
 * Parses and validates the configuration. Throws ConfigError naming every problem.
 * Absent block (or absent file) → disabled; environment overrides still apply and can enable it.
 */
function loadConfig(opts) {
    const problems = [];
    let block = null;
    let doc = null;
    const counter = new yaml__WEBPACK_IMPORTED_MODULE_0__/* .LineCounter */ .HN();
    if (opts.text !== null) {
        doc = (0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .parseDocument */ .Tp)(opts.text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
        if (doc.errors.length > 0) {
            throw new _config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigError */ .xL(doc.errors.map((e) => ({
                key: '',
                where: `${opts.path}:${e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line}`,
                message: `YAML syntax: ${e.message.split('\n')[0]}`,
            })));
        }
        const root = doc.toJS();
        if (root !== null && root !== undefined && (typeof root !== 'object' || Array.isArray(root))) {
            throw new _config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigError */ .xL([
                {
                    key: '',
                    where: `${opts.path}:1`,
                    message: 'the file must be a YAML mapping with a release_governor key',
                },
            ]);
        }
        const raw = root?.[_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .CONFIG_BLOCK */ .JC];
        if (raw !== undefined) {
            if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
                throw new _config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigError */ .xL([
                    {
                        key: _config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .CONFIG_BLOCK */ .JC,
                        where: `${opts.path}:${lineOf(doc, counter, [_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .CONFIG_BLOCK */ .JC]) ?? '?'}`,
                        message: 'must be a mapping of settings',
                    },
                ]);
            }
            // An empty `release_governor:` block means "on, with defaults".
            block = raw ?? {};
        }
    }
    const overrides = readOverrides(opts.env);
    problems.push(...overrides.problems);
    if (block === null && Object.keys(overrides.values).length === 0) {
        if (problems.length > 0)
            throw new _config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigError */ .xL(problems);
        return { enabled: false, reason: 'absent', config: null, ...absentWhy(opts, doc) };
    }
    const merged = { ...(block ?? {}), ...overrides.values };
    const result = configSchema.safeParse(merged);
    if (!result.success) {
        for (const issue of result.error.issues) {
            const keys = issue.code === 'unrecognized_keys' ? issue.keys : [null];
            for (const unknownKey of keys) {
                const at = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
                const path = unknownKey === null ? at : [...at, unknownKey];
                const top = String(path[0] ?? '');
                const fromEnv = top in overrides.values;
                let where;
                if (fromEnv)
                    where = `env ${(0,_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .envVarFor */ .ai)(top)}`;
                else if (doc) {
                    const line = unknownKey === null
                        ? lineOf(doc, counter, [_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .CONFIG_BLOCK */ .JC, ...path])
                        : keyLine(doc, counter, [_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .CONFIG_BLOCK */ .JC, ...at], unknownKey);
                    where = `${opts.path}:${line ?? '?'}`;
                }
                else
                    where = opts.path;
                const allowed = at.at(-1) === 'health_check'
                    ? HEALTH_KEYS
                    : at.includes('evidence_thresholds')
                        ? THRESHOLD_KEYS
                        : at.at(-1) === 'readiness'
                            ? READINESS_KEYS
                            : at[0] === 'freeze_windows'
                                ? FREEZE_KEYS
                                : at[0] === 'versioning' || (at[0] === 'services' && at[2] === 'versioning')
                                    ? VERSIONING_KEYS
                                    : at[0] === 'stages' || (at[0] === 'services' && at[2] === 'stages')
                                        ? STAGE_KEYS
                                        : at[0] === 'services'
                                            ? SERVICE_KEYS
                                            : KEYS;
                const message = unknownKey === null
                    ? issueMessage(issue, valueAt(merged, path))
                    : `unknown key (allowed: ${allowed.join(', ')})`;
                problems.push({ key: keyPath(path), where, message });
            }
        }
    }
    if (problems.length > 0)
        throw new _config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigError */ .xL(problems);
    const parsed = result.data;
    const branch = parsed.branch ?? opts.defaultBranch;
    const config = {
        ...parsed,
        branch,
        deploy_workflow_ref: parsed.deploy_workflow_ref ?? branch,
        approval_mode: typeof parsed.approval_mode === 'string'
            ? [parsed.approval_mode]
            : [...new Set(parsed.approval_mode)],
        config_path: (0,_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .normalizePath */ .Fd)(opts.path),
        ...(parsed.services ? { services: withServiceTags(parsed.services, parsed, merged) } : {}),
    };
    return config.enabled
        ? { enabled: true, config }
        : {
            enabled: false,
            reason: 'disabled',
            config,
            why: `${_config_base_js__WEBPACK_IMPORTED_MODULE_1__/* .CONFIG_BLOCK */ .JC}.enabled is false in ${opts.path}, so the governor is off.`,
            typo: null,
        };
}
/**
 * Each service's versioning resolved (SPEC §20): its own block, else the top-level one, with
 * the tag prefix its own block names, else `<name>/v` (services never share a tag name).
 */
function withServiceTags(services, parsed, raw) {
    const rawServices = Array.isArray(raw.services) ? raw.services : [];
    return services.map((s, i) => {
        const versioning = s.versioning ?? parsed.versioning;
        if (!versioning)
            return s;
        const own = rawServices[i]
            ?.versioning?.tag_prefix;
        return {
            ...s,
            versioning: { ...versioning, tag_prefix: typeof own === 'string' ? own : `${s.name}/v` },
        };
    });
}
/** The JSON Schema editors use to validate .booty.yml (the block, wrapped in its key). */
function configJsonSchema() {
    const block = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
    delete block.$schema;
    return {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: 'https://github.com/org/release-governor/schema/release-governor.schema.json',
        title: '.booty.yml (release_governor)',
        type: 'object',
        properties: { [CONFIG_BLOCK]: block },
    };
}


/***/ })

};
