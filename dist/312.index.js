export const id = 312;
export const ids = [312];
export const modules = {

/***/ 96301:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   W: () => (/* binding */ activeFreeze),
/* harmony export */   t: () => (/* binding */ freezeWindowSchema)
/* harmony export */ });
/* harmony import */ var croner__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(55814);
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(38816);
// Freeze windows (SPEC §16): absolute `{ start, end }` and recurring `{ cron, duration_minutes,
// timezone }` windows. Cron occurrences are computed by croner in the window's IANA time zone
// (Node's ICU), so daylight-saving transitions are the library's and the platform's, not ours;
// a window lasts `duration_minutes` of real time from its start. Pure: the clock is an argument.


const isoWithOffset = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
    .refine((s) => /(?:Z|[+-]\d{2}:?\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time with an offset (2026-12-24T00:00:00+01:00, or Z)');
function zoneProblem(zone) {
    try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return null;
    }
    catch {
        return `${JSON.stringify(zone)} is not an IANA time zone (Europe/Berlin, America/New_York, UTC)`;
    }
}
function cronProblem(pattern) {
    if (pattern.trim().split(/\s+/).length !== 5)
        return 'must be a 5-field cron expression (minute hour day-of-month month day-of-week)';
    try {
        new croner__WEBPACK_IMPORTED_MODULE_1__/* .Cron */ .l4(pattern, { paused: true });
        return null;
    }
    catch (e) {
        return `is not a valid cron expression: ${e.message}`;
    }
}
const freezeWindowSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
    start: isoWithOffset.optional().describe('An absolute window: its start (with an offset).'),
    end: isoWithOffset.optional().describe('An absolute window: its end, after start.'),
    cron: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
        .superRefine((c, ctx) => {
        const p = cronProblem(c);
        if (p)
            ctx.addIssue({ code: 'custom', message: p });
    })
        .optional()
        .describe('A recurring window: every occurrence (5-field cron, in timezone) starts one.'),
    duration_minutes: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig()
        .positive()
        .max(525_600)
        .optional()
        .describe('A recurring window: how long each lasts, in real minutes.'),
    timezone: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
        .superRefine((zone, ctx) => {
        const p = zoneProblem(zone);
        if (p)
            ctx.addIssue({ code: 'custom', message: p });
    })
        .optional()
        .describe('A recurring window: the IANA time zone of cron. Default: UTC.'),
    reason: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1, 'say why (it is shown to everyone the window holds)'),
    services: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1))
        .min(1)
        .optional()
        .describe('With services (SPEC §20): the services it freezes. Default: every service.'),
    stages: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().min(1))
        .min(1)
        .optional()
        .describe('The stages it freezes. Default: the last stage (production).'),
})
    .superRefine((w, ctx) => {
    const absolute = w.start !== undefined || w.end !== undefined;
    const recurring = w.cron !== undefined || w.duration_minutes !== undefined || w.timezone !== undefined;
    if (absolute === recurring) {
        ctx.addIssue({
            code: 'custom',
            message: 'needs either start and end (an absolute window) or cron and duration_minutes, with an optional timezone (a recurring one)',
        });
        return;
    }
    const need = (key, with_) => {
        if (w[key] === undefined)
            ctx.addIssue({ code: 'custom', path: [key], message: `is required with ${with_}` });
    };
    if (absolute) {
        need('start', 'end');
        need('end', 'start');
        if (w.start && w.end && Date.parse(w.end) <= Date.parse(w.start))
            ctx.addIssue({ code: 'custom', path: ['end'], message: `is not after start (${w.start})` });
    }
    else {
        need('cron', 'duration_minutes');
        need('duration_minutes', 'cron');
    }
})
    .describe('A freeze window: { start, end, reason } or { cron, duration_minutes, timezone, reason }.');
const SEARCH_BACK_MS = 26 * 3600_000;
/** A bound on the occurrences looked at (a minute-level cron over a long window). */
const MAX_OCCURRENCES = 50_000;
/** The window `w` holds `stage` at `now` (stages default to the last one). */
function freezes(w, stage, lastStage) {
    return (w.stages ?? [lastStage]).includes(stage);
}
/** When the window that contains `now` ends, or null when `now` is outside it. */
function windowEnd(w, now) {
    if (w.start !== undefined && w.end !== undefined) {
        const start = Date.parse(w.start);
        const end = Date.parse(w.end);
        return now.getTime() >= start && now.getTime() < end ? new Date(end) : null;
    }
    if (w.cron === undefined || w.duration_minutes === undefined)
        return null;
    const length = w.duration_minutes * 60_000;
    const cron = new croner__WEBPACK_IMPORTED_MODULE_1__/* .Cron */ .l4(w.cron, { timezone: w.timezone ?? 'UTC', paused: true });
    // Occurrences in (now − duration, now] contain now; overlapping ones extend the end. The search
    // starts a day and two hours earlier: croner finds an occurrence in a skipped daylight-saving
    // hour (run at the next valid instant) only when it searches from before the gap.
    let end = null;
    let at = cron.nextRun(new Date(now.getTime() - length - SEARCH_BACK_MS));
    for (let i = 0; at && at.getTime() <= now.getTime(); i++) {
        // Too many occurrences to walk (a minute-level cron over a long window): fail closed, frozen.
        if (i >= MAX_OCCURRENCES)
            return new Date(now.getTime() + length);
        if (at.getTime() + length > now.getTime())
            end = Math.max(end ?? 0, at.getTime() + length);
        at = cron.nextRun(at);
    }
    return end === null ? null : new Date(end);
}
/** The freeze holding `stage` at `now`, the one that ends last when several overlap. */
function activeFreeze(windows, stage, lastStage, now) {
    let found = null;
    windows.forEach((w, index) => {
        if (!freezes(w, stage, lastStage))
            return;
        const end = windowEnd(w, now);
        if (!end || (found && Date.parse(found.until) >= end.getTime()))
            return;
        found = {
            reason: w.reason,
            until: end.toISOString(),
            index,
            describe: w.start !== undefined
                ? `${w.start} to ${w.end}`
                : `cron "${w.cron}" (${w.timezone ?? 'UTC'}) for ${w.duration_minutes} minutes`,
        };
    });
    return found;
}


/***/ }),

/***/ 3073:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AL: () => (/* binding */ patternProblem),
/* harmony export */   MP: () => (/* binding */ patternSource)
/* harmony export */ });
/* unused harmony exports parsePattern, toGlob, patternRegExp */
/* harmony import */ var minimatch__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(33581);
// Path patterns as people already write them for GitHub (CODEOWNERS, .gitignore), turned into
// the minimatch globs the classifier compiles (SPEC §5):
// - a slash at the start or in the middle anchors the pattern at the repository root
//   (`/build`, `lib/dialects/**`); the leading slash itself is dropped;
// - no slash, or only a trailing one, matches at any depth (`*.sql`, `Dockerfile`, `migrations/`);
// - a trailing slash means the directory and everything under it;
// - a pattern without a trailing slash matches a file of that name, or a directory of that
//   name and everything under it (`migrations` covers `db/migrations/001.sql`), as in .gitignore.
// Negations and patterns that can never match a path are refused, not silently ignored.

/** Why a pattern can never do what its author meant, or null when it is usable. */
function patternProblem(pattern) {
    if (pattern.trim() === '')
        return 'a pattern must not be empty';
    if (pattern !== pattern.trim())
        return 'has leading or trailing whitespace, which no path in a diff has';
    if (pattern.startsWith('!'))
        return 'negations (!pattern) are not supported: a path is HIGH or MEDIUM when any pattern matches it; narrow the other patterns instead';
    if (pattern.startsWith('./'))
        return 'starts with ./, which no path in a diff has: write it without ./ (a leading / anchors it at the root)';
    if (pattern.includes('//'))
        return 'contains //, which no path in a diff has';
    if (/(^|\/)\.\.?(\/|$)/.test(pattern.replace(/^\//, '')))
        return 'contains a . or .. segment, which no path in a diff has';
    if (pattern === '/')
        return 'is the root itself; use ** for every path';
    const unclosed = unclosedBracket(pattern);
    if (unclosed)
        return `has an unclosed ${unclosed} (minimatch would read it as a literal character): close it, or escape a literal ${unclosed} as \\${unclosed}`;
    if (patternSource(pattern) === null)
        return 'is not a valid glob';
    return null;
}
/** The first `[` or `{` that is never closed, or null (a backslash escapes one character). */
function unclosedBracket(pattern) {
    let inClass = false;
    let braces = 0;
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === '\\')
            i++;
        else if (inClass)
            inClass = c !== ']' || pattern[i - 1] === '[';
        else if (c === '[')
            inClass = true;
        else if (c === '{')
            braces++;
        else if (c === '}' && braces > 0)
            braces--;
    }
    return inClass ? '[' : braces > 0 ? '{' : null;
}
function parsePattern(pattern) {
    const directory = pattern.endsWith('/');
    const trimmed = directory ? pattern.slice(0, -1) : pattern;
    const anchored = trimmed.includes('/');
    let glob = trimmed.replace(/^\//, '');
    let anyDepth = !anchored;
    while (glob.startsWith('**/')) {
        glob = glob.slice(3);
        anyDepth = true;
    }
    if (directory)
        return { glob: `${glob}/**`, anyDepth, orBelow: false };
    // `x/**` is already everything below `x`: nothing to add.
    return { glob, anyDepth, orBelow: !glob.endsWith('/**') && glob !== '**' };
}
/** The same meaning as one minimatch glob (for tools that take a glob, and for comparisons). */
function toGlob(pattern) {
    const { glob, anyDepth, orBelow } = parsePattern(pattern);
    const g = anyDepth && glob !== '**' ? `**/${glob}` : glob;
    return orBelow ? `${g}{,/**}` : g;
}
function patternSource(pattern) {
    const { glob, anyDepth, orBelow } = parsePattern(pattern);
    const re = new minimatch__WEBPACK_IMPORTED_MODULE_0__/* .Minimatch */ .VR(glob, { dot: true }).makeRe();
    if (re === false)
        return null;
    const src = re.source;
    if (!src.startsWith('^') || !src.endsWith('$'))
        return null;
    const core = `(?:${src.slice(1, -1)})${orBelow ? '(?:\\/.*)?' : ''}`;
    return { anyDepth, core, flags: re.flags };
}
/** One pattern's own expression (for attribution: which pattern explains a path). */
function patternRegExp(pattern) {
    const s = patternSource(pattern);
    if (!s)
        return false;
    return new RegExp(`^${s.anyDepth ? '(?:.*\\/)?' : ''}${s.core}$`, s.flags);
}


/***/ }),

/***/ 43356:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   f: () => (/* binding */ releaseNotes),
/* harmony export */   y: () => (/* binding */ versioningSchema)
/* harmony export */ });
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(38816);
// Versions (SPEC §18): the versioning block of the config, the shapes of a version plan, and the
// release notes. Counting the next version (semver, the commit parser) is in version-plan.ts,
// which the governor loads only when versioning is on, so start-up does not pay for it.

// A prefix becomes part of a ref name: refuse what git's check-ref-format refuses.
const tagPrefix = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
    .max(40)
    .regex(/^(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/?)*$/, 'must be letters, digits, ".", "_", "-" or "/" (a prefix of a git tag name), such as "v" or "app/v"')
    .refine((p) => !p.includes('..') && !p.endsWith('.'), 'must not contain ".." or end with "."');
const versioningSchema = zod__WEBPACK_IMPORTED_MODULE_0__/* .strictObject */ .rej({
    enabled: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY().default(false).describe('Tag every release of `stage` (off by default).'),
    tag_prefix: tagPrefix.default('v').describe('Tags are <prefix>X.Y.Z, e.g. v1.2.0.'),
    initial_version: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
        // SemVer 2.0.0's version core: no leading zeros, no "v", no pre-release or build.
        .regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, 'must be a version X.Y.Z (no "v", no pre-release), such as 0.1.0')
        .default('0.1.0')
        .describe('The version of the first release, when no tag with the prefix is below it.'),
    stage: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
        .min(1)
        .optional()
        .describe('The stage whose releases are tagged (default: the last stage, production).'),
    github_release: zod__WEBPACK_IMPORTED_MODULE_0__/* .boolean */ .zMY()
        .default(true)
        .describe('Publish a GitHub release for the tag once its deploy succeeded (and is healthy).'),
})
    .describe('Semantic version tags for releases (SPEC §18).');
/** The release notes of a tag (SPEC §18): what changed, how risky, who approved, the evidence. */
function releaseNotes(r) {
    const lines = [
        `Released to **${r.stage}** by Release Governor: \`${r.sha}\`${r.deployRunUrl ? ` ([deploy run](${r.deployRunUrl}))` : ''}.`,
        '',
        `- Version: ${r.why ?? r.tag}`,
        `- Risk: ${r.risk ?? 'not assessed'}`,
        '',
        '## Pull requests',
        '',
        ...(r.pulls.length
            ? r.pulls.map((p) => `- #${p.number} ${p.title}${p.author ? ` (@${p.author})` : ''}`)
            : ['No merged pull request in this release (direct commits only).']),
        ...(r.commitsCapped
            ? [
                '',
                'The range had more commits than GitHub lists; pull requests of the rest are not listed.',
            ]
            : []),
        '',
        '## Approvals',
        '',
        ...(r.approvals.length
            ? r.approvals.map((a) => `- ${a.actor ? `@${a.actor}` : 'the environment variable'}: ${a.source}${a.pull !== null ? ` on #${a.pull}` : ''}${a.at ? ` at ${a.at}` : ''}`)
            : ['None needed.']),
        '',
        '## Evidence',
        '',
        r.evidenceHash
            ? `The evidence chain's head when this release was published: \`${r.evidenceHash}\`. Check it with \`release-governor audit --expect-head ${r.evidenceHash}\`.`
            : 'No evidence record.',
    ];
    return lines.join('\n');
}


/***/ }),

/***/ 93312:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  route: () => (/* binding */ route)
});

// EXTERNAL MODULE: ./src/domain/state.ts
var domain_state = __webpack_require__(10781);
// EXTERNAL MODULE: ./src/domain/types.ts
var types = __webpack_require__(78593);
// EXTERNAL MODULE: ./src/report/summary.ts + 1 modules
var summary = __webpack_require__(53201);
;// CONCATENATED MODULE: ./src/report/notice.ts
const MARKER = /^<!-- release-governor:notice ([0-9a-f]{40})(?: (held|approved|superseded))? -->/;
function noticeMarker(sha, state) {
    return `<!-- release-governor:notice ${sha} ${state} -->`;
}
/** A comment's notice: the held SHA it is about and its state; null when it is not a notice. */
function parseNotice(body) {
    const m = MARKER.exec(body);
    if (!m)
        return null;
    return { sha: m[1], state: m[2] ?? legacyState(body) };
}
/** Notices written before the state was in the marker: their wording tells, once. */
function legacyState(body) {
    if (body.includes('**Release Governor: superseded'))
        return 'superseded';
    return body.includes('approved by @') ? 'approved' : 'held';
}
/**
 * Given the pull request's comments, the edits that put the notice for `sha` in `state`: the
 * notice itself (unchanged text → nothing), and every other held notice, which a newer held
 * commit containing the same pull request supersedes.
 */
function noticeEdits(comments, notice) {
    const text = `${noticeMarker(notice.sha, notice.state)}\n${notice.body}`;
    let mine = null;
    const superseded = [];
    for (const c of comments) {
        const n = parseNotice(c.body);
        if (!n)
            continue;
        if (n.sha === notice.sha)
            mine ??= c;
        else if (n.state === 'held')
            superseded.push({
                id: c.id,
                body: `${noticeMarker(n.sha, 'superseded')}\n**Release Governor: superseded by \`${notice.sha.slice(0, 7)}\`**, a newer commit that contains this pull request; its notice follows.`,
            });
    }
    const write = mine !== null
        ? mine.body === text
            ? null
            : { id: mine.id, body: text }
        : notice.create
            ? { id: null, body: text }
            : null;
    return { write, superseded };
}

// EXTERNAL MODULE: ./src/report/unblock.ts
var unblock = __webpack_require__(27030);
// EXTERNAL MODULE: ./src/adapters/api-error.ts
var api_error = __webpack_require__(91827);
// EXTERNAL MODULE: ./src/governor/deps.ts
var governor_deps = __webpack_require__(15766);
;// CONCATENATED MODULE: ./src/domain/pipeline.ts

/** Readiness without a block (§22): release blockers labelled release-blocker, nothing else. */
const NO_READINESS = {
    evidence_thresholds: [],
    release_blocker_labels: ['release-blocker'],
};
function pipelineOf(config) {
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
function lastStage(p) {
    return p.stages[p.stages.length - 1];
}
function findStage(p, name) {
    return p.stages.find((s) => s.name === name) ?? null;
}
/**
 * The config a stage is judged with: its deploy workflow and ref, its status context, and its
 * name where messages say which environment (with one stage, the config unchanged).
 */
function stageConfig(config, p, stage) {
    if (!p.configured)
        return config;
    return {
        ...config,
        deploy_workflow: stage.deploy_workflow,
        deploy_workflow_ref: stage.deploy_workflow_ref,
        status_context: stage.statusContext,
        production_environment_name: stage.name,
    };
}
function stageContext(config, p, stage) {
    return {
        stage,
        config: stageConfig(config, p, stage),
        environment: p.configured ? stage.environment : null,
    };
}
/** When the SHA verified in `stage` may leave it: verified_at + soak_minutes; null if unverified. */
function soakEnd(whole, stage) {
    const s = whole.stages?.[stage.name];
    if (!s?.verified_at)
        return null;
    return new Date(Date.parse(s.verified_at) + stage.soak_minutes * 60_000);
}
/** The facts a stage's pipeline rules need (null with one unconfigured stage: no new rules). */
function stageFacts(whole, p, stage) {
    if (!p.configured)
        return null;
    const view = (s) => (0,domain_state/* stageView */.Mh)(whole, s.name, s.isLast);
    const prev = stage.index > 0 ? p.stages[stage.index - 1] : null;
    const next = stage.isLast ? null : p.stages[stage.index + 1];
    let previous = null;
    if (prev) {
        const s = whole.stages?.[prev.name];
        previous = {
            name: prev.name,
            currentSha: view(prev).production_sha_current,
            verifiedAt: s?.verified_at ?? null,
            soakMinutes: prev.soak_minutes,
        };
    }
    let busy = null;
    const here = whole.stages?.[stage.name];
    if (next && stage.hold_while_soaking && here?.current_sha && here.verified_at) {
        const nextView = view(next);
        const lifecycle = (0,domain_state/* lifecycleOf */.o0)(nextView, here.current_sha);
        busy = {
            currentSha: here.current_sha,
            verifiedAt: here.verified_at,
            soakMinutes: stage.soak_minutes,
            next: next.name,
            reachedNext: nextView.production_sha_current === here.current_sha ||
                (lifecycle !== null && lifecycle !== 'failed'),
        };
    }
    return { name: stage.name, approvals: stage.approvals, previous, busy };
}
function pipeline_pipelineRows(whole, p) {
    return p.stages.map((stage) => {
        const prev = stage.index > 0 ? p.stages[stage.index - 1] : null;
        let next = null;
        if (prev) {
            const pv = (0,domain_state/* stageView */.Mh)(whole, prev.name, prev.isLast);
            const cur = (0,domain_state/* stageView */.Mh)(whole, stage.name, stage.isLast);
            const sha = pv.production_sha_current;
            const lifecycle = sha ? (0,domain_state/* lifecycleOf */.o0)(cur, sha) : null;
            const end = soakEnd(whole, prev);
            if (sha &&
                end &&
                sha !== cur.production_sha_current &&
                lifecycle !== 'dispatched' &&
                lifecycle !== 'claimed' &&
                lifecycle !== 'succeeded')
                next = { sha, at: prev.soak_minutes > 0 ? end.toISOString() : null };
        }
        const v = (0,domain_state/* stageView */.Mh)(whole, stage.name, stage.isLast);
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
function versioningOf(config, p) {
    const v = config.versioning;
    if (!v?.enabled)
        return null;
    const stage = v.stage !== undefined ? findStage(p, v.stage) : lastStage(p);
    return stage ? { ...v, stage } : null;
}
/**
 * The version a SHA carries into `stage`: the one its versioned stage recorded, when `stage` is
 * that stage or after it (stages before it deploy before the tag exists).
 */
function recordedVersion(whole, config, p, stage, sha) {
    const v = versioningOf(config, p);
    if (!v || stage.index < v.stage.index)
        return null;
    return (0,domain_state/* versionOf */.E4)((0,domain_state/* stageView */.Mh)(whole, v.stage.name, v.stage.isLast), sha);
}

// EXTERNAL MODULE: ./src/domain/config-base.ts
var config_base = __webpack_require__(58016);
;// CONCATENATED MODULE: ./src/domain/approvals.ts

/** Whether a person has at least `minimum` on the repository (and is a person, not a bot). */
function hasRole(actor, minimum) {
    return (!actor.isBot &&
        !/\[bot\]$/.test(actor.login) &&
        ROLE_RANK[actor.role ?? 'none'] >= ROLE_RANK[minimum]);
}
const ROLE_RANK = {
    none: 0,
    read: 1,
    triage: 2,
    write: 3,
    maintain: 4,
    admin: 5,
};
const BLANKET = new Set(['true', '1', 'yes']);
/** Why an actor cannot approve a change authored by `author` (null: they can). */
function approverProblem(actors, login, author, config) {
    const actor = actors[login];
    if (actor?.isBot || /\[bot\]$/.test(login))
        return { reason: 'bot', detail: `@${login} is a bot; only people approve releases` };
    const role = actor?.role ?? 'none';
    if (ROLE_RANK[role] < ROLE_RANK[config.approver_permission]) {
        return {
            reason: 'insufficient_permission',
            detail: `@${login} has ${role === 'none' ? 'no' : role} access; approvers need ${config.approver_permission} or higher`,
        };
    }
    if (config.approvers.length > 0) {
        const listed = config.approvers.some((a) => !a.includes('/') && a.toLowerCase() === login.toLowerCase());
        const inTeam = (actor?.teams ?? []).length > 0;
        if (!listed && !inTeam)
            return {
                reason: 'not_an_approver',
                detail: `@${login} is not one of the approvers (${config.approvers.join(', ')})`,
            };
    }
    if (config.prevent_self_approval &&
        author !== null &&
        login.toLowerCase() === author.toLowerCase()) {
        return {
            reason: 'self_approval',
            detail: `@${login} is the author of the change and may not approve it (prevent_self_approval)`,
        };
    }
    return null;
}
function firstLine(body) {
    return (body.split(/\r?\n/, 1)[0] ?? '').trim();
}
function enabled(config, mode) {
    return config.approval_mode.includes(mode);
}
/** One label or comment on a pull request: counted (covering its files), or ignored with why. */
function judgePullApproval(a, facts, config) {
    const { pr } = a;
    const base = { source: a.mode, actor: a.actor, pull: pr.number };
    const what = a.mode === 'label' ? `label added by @${a.actor}` : `comment by @${a.actor}`;
    if (!enabled(config, a.mode)) {
        const name = a.mode === 'label' ? `label ${config.approval_label}` : config.approval_command;
        return {
            ...base,
            reason: 'mode_disabled',
            detail: `${name} on #${pr.number}: approval_mode does not include ${a.mode}`,
        };
    }
    if (pr.mergedAt === null || pr.baseRef !== config.branch) {
        return {
            ...base,
            reason: 'not_merged',
            detail: `#${pr.number} is not merged into ${config.branch}`,
        };
    }
    // Before the merge the content could still change: only an approval after it counts.
    if (!(Date.parse(a.at) > Date.parse(pr.mergedAt))) {
        return {
            ...base,
            reason: 'before_merge',
            detail: `${what} at ${a.at}, before #${pr.number} was merged at ${pr.mergedAt}; add it again after merge`,
        };
    }
    if (a.removedBy) {
        return {
            ...base,
            reason: 'label_removed',
            detail: `${what} was removed by @${a.removedBy.actor} at ${a.removedBy.at}`,
        };
    }
    const problem = approverProblem(facts.actors, a.actor, pr.author, config);
    if (problem)
        return {
            ...base,
            reason: problem.reason,
            detail: `${a.mode === 'label' ? 'label added by' : 'comment by'} ${problem.detail}: ignored`,
        };
    return { ...base, at: a.at, covers: [...pr.files] };
}
function evaluateApprovals(facts, config) {
    const valid = [];
    const ignored = [];
    const sort = (a) => {
        if ('reason' in a)
            ignored.push(a);
        else
            valid.push(a);
    };
    // -- environment: full SHAs, or a blanket value when the config allows it
    const tokens = (facts.environment ?? '').split(/[\s,]+/).filter(Boolean);
    for (const token of tokens) {
        const value = token.toLowerCase();
        const base = { source: 'environment', actor: null, pull: null };
        if (!enabled(config, 'environment')) {
            ignored.push({
                ...base,
                reason: 'mode_disabled',
                detail: `${config_base/* APPROVAL_VARIABLE */.Fr} is set but approval_mode does not include environment`,
            });
            break;
        }
        if (BLANKET.has(value)) {
            if (config.allow_blanket_approval)
                valid.push({ ...base, at: null, covers: 'all' });
            else
                ignored.push({
                    ...base,
                    reason: 'blanket_not_allowed',
                    detail: `${config_base/* APPROVAL_VARIABLE */.Fr}=${token} approves no SHA in particular; set it to the full SHA ${facts.headSha} (allow_blanket_approval is false)`,
                });
        }
        else if (value === facts.headSha) {
            valid.push({ ...base, at: null, covers: 'all' });
        }
        else if (/^[0-9a-f]{40}$/.test(value)) {
            ignored.push({
                ...base,
                reason: 'wrong_sha',
                detail: `${config_base/* APPROVAL_VARIABLE */.Fr} lists ${value.slice(0, 12)}…, not this commit ${facts.headSha.slice(0, 12)}…`,
            });
        }
        else if (/^[0-9a-f]{4,39}$/.test(value)) {
            ignored.push({
                ...base,
                reason: 'short_sha',
                detail: `${config_base/* APPROVAL_VARIABLE */.Fr} lists the short SHA ${value}; only a full 40-character SHA counts`,
            });
        }
        else {
            ignored.push({
                ...base,
                reason: 'unrecognized_value',
                detail: `${config_base/* APPROVAL_VARIABLE */.Fr} value ${JSON.stringify(token.slice(0, 60))} is neither a full SHA nor a blanket value`,
            });
        }
    }
    // The variable usually lists several approved SHAs; the others are not for this commit,
    // so they are only worth a mention when nothing in it matched.
    if (valid.some((a) => a.source === 'environment')) {
        for (let i = ignored.length - 1; i >= 0; i--)
            if (ignored[i].reason === 'wrong_sha')
                ignored.splice(i, 1);
    }
    // -- pull requests: labels and comments, after merge, by a valid approver who is not the author
    for (const pr of facts.pulls) {
        const labelEvents = pr.labelEvents.filter((e) => e.label === config.approval_label);
        const last = labelEvents[labelEvents.length - 1];
        for (const e of labelEvents.filter((x) => x.event === 'labeled')) {
            const removed = last && last.event === 'unlabeled' && Date.parse(last.at) >= Date.parse(e.at) ? last : null;
            sort(judgePullApproval({ mode: 'label', actor: e.actor, at: e.at, pr, removedBy: removed }, facts, config));
        }
        for (const c of pr.comments) {
            if (firstLine(c.body) !== config.approval_command)
                continue;
            sort(judgePullApproval({ mode: 'comment', actor: c.author, at: c.at, pr, removedBy: null }, facts, config));
        }
    }
    // -- commit comments on the head: the whole diff production..head
    for (const c of facts.commitComments) {
        if (firstLine(c.body) !== config.approval_command)
            continue;
        const base = { source: 'commit_comment', actor: c.author, pull: null };
        if (!enabled(config, 'comment')) {
            ignored.push({
                ...base,
                reason: 'mode_disabled',
                detail: `${config.approval_command} on the commit: approval_mode does not include comment`,
            });
            continue;
        }
        const problem = approverProblem(facts.actors, c.author, facts.headAuthor, config);
        if (problem)
            ignored.push({
                ...base,
                reason: problem.reason,
                detail: `commit comment by ${problem.detail}: ignored`,
            });
        else
            valid.push({ ...base, at: c.at, covers: 'all' });
    }
    // required_approvals: a path counts as approved when that many distinct people covered it
    // (an approval of the whole change covers every path; the environment counts as one).
    const required = Math.max(1, config.required_approvals);
    const who = (a) => (a.actor ?? 'environment').toLowerCase();
    const allBy = new Set(valid.filter((a) => a.covers === 'all').map(who));
    const byPath = new Map();
    for (const a of valid)
        if (a.covers !== 'all')
            for (const p of a.covers)
                byPath.set(p, (byPath.get(p) ?? new Set()).add(who(a)));
    const covered = new Set();
    for (const [p, people] of byPath)
        if (new Set([...allBy, ...people]).size >= required)
            covered.add(p);
    return {
        valid,
        ignored,
        coversAll: allBy.size >= required,
        covered,
        required,
        approvers: [...new Set(valid.map(who))],
    };
}
/** Whether every path is covered by a valid approval. */
function coversPaths(result, paths) {
    return result.coversAll || paths.every((p) => result.covered.has(p));
}
function uncoveredPaths(result, paths) {
    return result.coversAll ? [] : paths.filter((p) => !result.covered.has(p));
}
/** No approvals: the input for runs that did not need to look (LOW risk, no hold to clear). */
const NO_APPROVALS = {
    required: 1,
    approvers: [],
    valid: [],
    ignored: [],
    coversAll: false,
    covered: new Set(),
};

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
;// CONCATENATED MODULE: ./src/domain/config-digest.ts
// What a decision records and says about its configuration beside the config itself: a digest
// of the effective settings, and the settings that load but do nothing.


/**
 * Settings that load but do nothing, each with why: a warning in the summary and the CLI, never
 * an error (the config is valid).
 */
function configWarnings(c) {
    const stages = c.stages ?? [];
    const last = stages.at(-1);
    if (!last)
        return [];
    const key = `${config_base/* CONFIG_BLOCK */.JC}.stages.${stages.length}`;
    const warnings = [];
    if (last.soak_minutes > 0)
        warnings.push(`${key}.soak_minutes is ${last.soak_minutes} on ${last.name}, the last stage: it has no effect, because a soak is how long a SHA stays in a stage before the next stage may take it, and no stage comes after ${last.name}.`);
    if (last.hold_while_soaking !== undefined)
        warnings.push(`${key}.hold_while_soaking is set on ${last.name}, the last stage: it has no effect, because no stage comes after ${last.name} to wait for.`);
    return warnings;
}
function canonical(value) {
    if (Array.isArray(value))
        return `[${value.map(canonical).join(',')}]`;
    if (value && typeof value === 'object') {
        return `{${Object.keys(value)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
            .join(',')}}`;
    }
    return JSON.stringify(value);
}
/** A stable digest of the effective configuration, recorded with every decision. */
function configDigest(config) {
    return `sha256:${(0,external_node_crypto_.createHash)('sha256').update(canonical(config)).digest('hex')}`;
}

// EXTERNAL MODULE: ./src/domain/freeze.ts
var freeze = __webpack_require__(96301);
;// CONCATENATED MODULE: ./src/domain/decide.ts
// The rules of SPEC §6, in order; the first that applies decides. Pure: every fact, the
// clock included, comes in as an argument, and the verdict says which rules were evaluated
// and what an operator needs to clear a hold. The rules are two ordered tables (EARLY_RULES,
// decidable before the diff is fetched, and RULES); one runner walks them and applies
// break-glass the same way to every soft and wait hold.


const TITLES = {
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
const decide_short = (sha) => sha.slice(0, 7);
const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const skip = (reason, summary) => ({ outcome: 'SKIP', reason, summary });
function hard(reason, detail) {
    return { outcome: 'HOLD', unblock: { kind: 'hard', reason, detail }, summary: detail };
}
function wait(reason, until, { detail, summary }) {
    return {
        outcome: 'HOLD',
        unblock: { kind: 'wait', reason, until: until.toISOString(), detail },
        summary,
    };
}
/** A hold an approval clears: which paths still need one, and where to give it. */
function soft(input, reason, { uncovered, summary, pulls = input.pulls, }) {
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
const applies = (detail, stop) => ({ applies: detail, stop });
// ---------------------------------------------------------------- rules 1–3c (no diff needed)
const ruleEnabled = {
    id: 'disabled',
    check: (input) => input.enabled
        ? { pass: 'enabled' }
        : applies('release_governor is absent or enabled: false', skip('disabled', 'The governor is disabled for this repository.')),
};
/** 1a (services, §20): a commit that changes none of a service's paths is not its release. */
const ruleAffected = {
    id: 'affected',
    check: ({ service, sha }) => {
        if (!service)
            return null;
        if (service.affected)
            return { pass: `${service.files} changed file(s) belong to ${service.name}` };
        const detail = `no changed file belongs to ${service.name}`;
        return applies(detail, skip('not_affected', `${decide_short(sha)} changes none of ${service.name}'s paths.`));
    },
};
const ruleNotDeployed = {
    id: 'already_deployed',
    check: ({ lifecycle, sha }) => {
        if (lifecycle === 'claimed' || lifecycle === 'dispatched' || lifecycle === 'succeeded') {
            const what = lifecycle === 'succeeded'
                ? 'was already deployed successfully'
                : `is already ${lifecycle} for deploy`;
            return applies(`${decide_short(sha)} ${what}`, skip('already_deployed', `${decide_short(sha)} ${what}.`));
        }
        return {
            pass: lifecycle === 'failed'
                ? 'a previous deploy of this SHA failed'
                : lifecycle === 'rolled_back'
                    ? 'this SHA was rolled back from here'
                    : 'no deploy of this SHA recorded',
        };
    },
};
const ruleInOrder = {
    id: 'out_of_order',
    check: (input, { here }) => {
        const sha = decide_short(input.sha);
        if (input.currentSha !== null) {
            const p = decide_short(input.currentSha);
            switch (input.currentCompare) {
                case 'identical':
                    return applies(`${sha} is what ${here} runs`, skip('already_in_production', `${sha} is already in ${here}.`));
                case 'behind':
                    return applies(`${here} ${p} is already past ${sha}; deploying it would roll back`, skip('superseded', `${capital(here)} ${p} already contains ${sha}.`));
                case 'diverged':
                    return applies(`${sha} and ${here} ${p} have diverged`, hard('diverged_from_production', `${sha} does not descend from ${here} ${p}: deploying it would drop commits that are in ${here}.`));
                case 'ahead':
                    break;
                case null:
                    throw new Error('currentCompare is required when there is a current SHA');
            }
        }
        const flight = input.inFlight;
        if (flight?.compare === 'behind')
            return applies(`${decide_short(flight.sha)} is being deployed and already contains ${sha}`, skip('superseded', `${decide_short(flight.sha)}, which contains ${sha}, is already being deployed.`));
        if (flight?.compare === 'diverged')
            return applies(`${sha} and ${decide_short(flight.sha)} (in flight) have diverged`, hard('diverged_from_production', `${sha} does not descend from ${decide_short(flight.sha)}, which is being deployed.`));
        return {
            pass: input.currentSha
                ? `ahead of ${here} ${decide_short(input.currentSha)}${flight ? ` and of ${decide_short(flight.sha)} in flight` : ''}`
                : `no ${here} SHA yet`,
        };
    },
};
const ruleVerified = {
    id: 'verified',
    check: ({ manual, verified, sha }) => {
        if (!manual)
            return null;
        if (verified === null)
            return { pass: 'verification not checked in local mode (workflow runs live on GitHub)' };
        if (verified)
            return { pass: 'a successful verification run exists' };
        return applies(`no successful verification run for ${decide_short(sha)} on the release branch`, hard('not_verified', `${decide_short(sha)} has no successful run of the verification workflow on the release branch.`));
    },
};
const rulePromoted = {
    id: 'promoted',
    check: ({ stage, sha }) => {
        if (!stage)
            return null;
        const prev = stage.previous;
        if (!prev)
            return { pass: `${stage.name} is the first stage` };
        if (prev.currentSha === sha && prev.verifiedAt !== null)
            return { pass: `${decide_short(sha)} runs verified in ${prev.name}` };
        const why = prev.currentSha === sha
            ? `${decide_short(sha)} is in ${prev.name} but not verified there yet`
            : `${prev.name} runs ${prev.currentSha ? decide_short(prev.currentSha) : 'nothing yet'}, not ${decide_short(sha)}`;
        return applies(why, skip('not_promoted', `${decide_short(sha)} has not passed ${prev.name}: ${why}. A SHA reaches ${stage.name} only after its deploy to ${prev.name} succeeded and was verified.`));
    },
};
const ruleEvidence = {
    id: 'evidence',
    check: ({ artifacts: art }) => {
        if (!art)
            return null;
        if (art.unchecked)
            return {
                pass: `not checked in local mode: ${art.required.join(', ')} (workflow runs and artifacts live on GitHub)`,
            };
        if (art.missing.length === 0)
            return { pass: `${art.required.join(', ')} uploaded by run ${art.runId}` };
        const where = art.runId === null
            ? 'no successful verification run was found'
            : `verification run ${art.runId} has not uploaded ${art.missing.join(', ')}${art.expired.length ? ` (expired: ${art.expired.join(', ')})` : ''}`;
        return applies(where, hard('evidence_missing', `Required evidence is missing: ${where}. A new verification run that uploads ${art.missing.join(', ')} clears it.`));
    },
};
/** 3d (§22): the verification completed within max_verification_age_minutes. */
const ruleFresh = {
    id: 'fresh',
    check: ({ readiness }) => {
        const f = readiness?.fresh;
        if (!f)
            return null;
        if (f.completedAt !== null && f.ageMinutes !== null && f.ageMinutes <= f.limitMinutes)
            return { pass: `completed ${f.ageMinutes} minute(s) ago (limit ${f.limitMinutes})` };
        const detail = f.completedAt === null
            ? `when the verification run completed cannot be told; max_verification_age_minutes is ${f.limitMinutes}`
            : `the verification run completed at ${f.completedAt}, ${f.ageMinutes} minutes ago; max_verification_age_minutes is ${f.limitMinutes}`;
        return applies(detail, hard('verification_stale', `The verification is stale: ${detail}. Re-run the verification workflow${f.runUrl ? ` (${f.runUrl})` : ''}; the governor decides again when it succeeds.`));
    },
};
/** 3e (§22): the figures the verification produced, within their bounds. */
const ruleThresholds = {
    id: 'thresholds',
    check: ({ readiness }) => {
        const results = readiness?.thresholds;
        if (!results || results.length === 0)
            return null;
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
        return applies(detail, hard('evidence_threshold', `A figure of the verification is out of bounds: ${detail}. A verification run whose figures meet them clears it.`));
    },
};
/** 3f (§22): no open issue or pull request labelled as a release blocker. */
const ruleBlockers = {
    id: 'blockers',
    check: ({ readiness }) => {
        const b = readiness?.blockers;
        if (!b)
            return null;
        if (b.open.length === 0)
            return { pass: `nothing open labelled ${b.labels.join(', ')}` };
        const list = b.open
            .map((i) => `#${i.number} ${i.title}${i.url ? ` (${i.url})` : ''}`)
            .join(', ');
        return applies(`open release blocker(s): ${list}`, hard('release_blocked', `The release is blocked by ${list} (labelled ${b.labels.join(' or ')}). Close it, or remove the label, then re-run.`));
    },
};
/** Rules 1–3c, in order: decidable before any diff is fetched. */
const EARLY_RULES = [
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
const ruleDeployConfigured = {
    id: 'deploy_configured',
    check: ({ config, deployWorkflow }) => {
        if (config.deploy_workflow.trim() === '')
            return applies('deploy_workflow is empty', hard('deploy_not_configured', 'No deploy workflow is configured (deploy_workflow is empty).'));
        if (deployWorkflow)
            return applies(deployWorkflow, hard('deploy_not_configured', deployWorkflow));
        return {
            pass: `${config.deploy_workflow} on ${config.deploy_workflow_ref}${deployWorkflow === null ? ' takes the dispatch' : ''}`,
        };
    },
};
const ruleNotDegradedHigh = {
    id: 'degraded_high_risk',
    check: ({ degraded }, { level }) => {
        if (degraded === true && level === 'HIGH')
            return applies('production is degraded and this change is HIGH risk', hard('degraded_high_risk', 'Production is degraded; a HIGH-risk change is not deployed until it is healthy.'));
        return {
            pass: degraded === true
                ? `production degraded, risk ${level}`
                : `risk ${level}, production ${degraded === false ? 'healthy' : 'health unknown'}`,
        };
    },
};
const ruleFirstDeploy = {
    id: 'first_deploy',
    check: (input, { noApprovals, wholeDiffApproved }) => {
        const { config, currentSha, adopted } = input;
        if (noApprovals)
            return { pass: noApprovals };
        if ((currentSha !== null && !adopted) || !config.require_approval_for_first_deploy)
            return {
                pass: currentSha === null
                    ? 'first deploy; approval not required by config'
                    : 'not a first deploy',
            };
        // Adoption: production runs a commit from before the config file, so this is the first
        // deploy the governor judges, under the head's own policy.
        const first = adopted
            ? `production ${decide_short(currentSha)} predates ${config.config_path}: the first governed deploy`
            : 'first deploy';
        if (wholeDiffApproved)
            return { pass: `${first}, approved`, cleared: true };
        return applies(adopted
            ? `${first}, judged by the head's config, needs an approval covering the whole diff`
            : 'no production SHA yet and no approval covering the whole first deploy', soft(input, 'first_deploy_required', {
            uncovered: uncoveredPaths(input.approvals, input.risk.paths),
            summary: adopted
                ? `First governed deploy: production ${decide_short(currentSha)} has no ${config.config_path}, so the head's config judges and an approval of the whole diff is required.`
                : 'First deploy: an approval is required.',
        }));
    },
};
const ruleCooldown = {
    id: 'cooldown',
    check: ({ history, sha, config, now }) => {
        const failures = history
            .filter((e) => e.sha === sha && e.result === 'failure')
            .map((e) => Date.parse(e.completed_at ?? e.time))
            .filter((t) => !Number.isNaN(t));
        const lastFailure = failures.length > 0 ? Math.max(...failures) : null;
        if (lastFailure === null)
            return { pass: 'no failed deploy of this SHA' };
        const until = new Date(lastFailure + config.cooldown_minutes * 60_000);
        if (now >= until)
            return { pass: 'cooldown has passed' };
        const detail = `the deploy of ${decide_short(sha)} failed at ${new Date(lastFailure).toISOString()}; cooldown_minutes is ${config.cooldown_minutes}`;
        return applies(detail, wait('cooldown', until, {
            detail,
            summary: `Cooldown after a failed deploy, until ${until.toISOString()}.`,
        }));
    },
};
const HOUR_MS = 3600_000;
const ruleRateLimit = {
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
        const until = new Date(recent[recent.length - max] + HOUR_MS);
        const detail = `${recent.length} deploys in the last 60 minutes; max_deploys_per_hour is ${max}`;
        return applies(detail, wait('rate_limit', until, {
            detail,
            summary: `Rate limit reached, until ${until.toISOString()}.`,
        }));
    },
};
/** 8a: freeze windows (SPEC §16) of this stage. */
const ruleFreeze = {
    id: 'freeze',
    check: ({ config, stage, now }) => {
        if (config.freeze_windows.length === 0)
            return null;
        const stageName = stage?.name ?? config.production_environment_name;
        const last = config.stages?.at(-1)?.name ?? config.production_environment_name;
        const frozen = (0,freeze/* activeFreeze */.W)(config.freeze_windows, stageName, last, now);
        if (!frozen)
            return { pass: `no freeze window holds ${stageName} now` };
        const until = new Date(frozen.until);
        const detail = `freeze window ${frozen.index + 1} (${frozen.describe}): ${frozen.reason}`;
        return applies(detail, wait('freeze_window', until, {
            detail,
            summary: `${stageName} is frozen until ${clock(until, now)} (in ${timeLeft(until, now)}): ${frozen.reason}.`,
        }));
    },
};
/** 8b: the previous stage's soak (SPEC §14). */
const ruleSoaked = {
    id: 'soaked',
    check: ({ stage, sha, now }) => {
        if (!stage)
            return null;
        const prev = stage.previous;
        if (!prev)
            return { pass: `${stage.name} is the first stage` };
        if (!prev.verifiedAt)
            return { pass: 'no soak to wait for' };
        const end = new Date(Date.parse(prev.verifiedAt) + prev.soakMinutes * 60_000);
        if (now >= end)
            return { pass: `verified in ${prev.name} for ${prev.soakMinutes} minute(s) or more` };
        const detail = `${decide_short(sha)} was verified in ${prev.name} at ${prev.verifiedAt}; soak_minutes of ${prev.name} is ${prev.soakMinutes}`;
        return applies(detail, wait('soaking', end, {
            detail,
            summary: `${decide_short(sha)} is soaking in ${prev.name}: ${stage.name} unlocks at ${clock(end, now)}, in ${timeLeft(end, now)}.`,
        }));
    },
};
/** 8c: the release train — a stage holding a soaking release takes no newer SHA. */
const ruleStageFree = {
    id: 'stage_free',
    check: ({ stage, sha, now }) => {
        if (!stage)
            return null;
        const busy = stage.busy;
        const end = busy ? new Date(Date.parse(busy.verifiedAt) + busy.soakMinutes * 60_000) : null;
        if (!busy || !end || busy.currentSha === sha || busy.reachedNext || now >= end)
            return {
                pass: busy
                    ? `${decide_short(busy.currentSha)} has soaked or moved on`
                    : 'no soaking release held here',
            };
        const detail = `${stage.name} holds ${decide_short(busy.currentSha)} while it soaks for ${busy.next} (hold_while_soaking)`;
        return applies(detail, wait('stage_busy', end, {
            detail,
            summary: `${stage.name} is busy: ${decide_short(busy.currentSha)} soaks there until ${clock(end, now)} (in ${timeLeft(end, now)}) and takes no newer SHA before it moves on to ${busy.next}.`,
        }));
    },
};
/** 8d: a SHA rolled back from this stage comes back only with a fresh, SHA-scoped approval. */
const ruleNotRolledBack = {
    id: 'rolled_back',
    check: (input) => {
        if (input.lifecycle !== 'rolled_back')
            return null;
        const since = input.rolledBackAt ?? '';
        const again = input.approvals.valid.find((a) => a.covers === 'all' && (a.at === null || a.at > since));
        if (again)
            return {
                pass: `rolled back, then approved again (${again.source}${again.actor ? ` by @${again.actor}` : ''})`,
                cleared: true,
            };
        return applies(`${decide_short(input.sha)} was rolled back from here at ${since || 'an earlier time'}`, soft(input, 'previously_rolled_back', {
            uncovered: input.risk.paths,
            pulls: [],
            summary: `${decide_short(input.sha)} was rolled back from ${input.stage?.name ?? 'production'}: it goes back only when someone approves it again.`,
        }));
    },
};
/** 8e (services, §20): a service goes after the services it depends on, for a commit of both. */
const ruleDependencies = {
    id: 'dependencies',
    check: ({ waitingFor, stage, config }) => {
        if (waitingFor === undefined)
            return null;
        const here = stage?.name ?? config.production_environment_name;
        if (waitingFor.length === 0)
            return { pass: 'no dependency still to release this commit' };
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
const ruleNoIncident = {
    id: 'incident',
    check: (input, { noApprovals, level, wholeDiffApproved }) => {
        if (noApprovals)
            return { pass: noApprovals };
        const incident = input.incidents.length > 0 || input.degraded === true;
        if (!incident)
            return { pass: 'no open incident' };
        if (level === 'HIGH')
            return { pass: 'incident active; HIGH risk is judged by rule 10' };
        const why = input.incidents.length > 0
            ? `open incident ${input.incidents.map((i) => `#${i.number}`).join(', ')}`
            : 'production is degraded';
        if (wholeDiffApproved)
            return { pass: `${why}; approved`, cleared: true };
        return applies(`${why}; no approval covers this change`, soft(input, 'incident_active', {
            uncovered: uncoveredPaths(input.approvals, input.risk.paths),
            summary: `Active incident (${why}): an approval is required.`,
        }));
    },
};
const ruleHighRiskApproved = {
    id: 'high_risk',
    check: (input, { noApprovals, level }) => {
        if (noApprovals)
            return { pass: `risk ${level}; ${noApprovals}` };
        if (level !== 'HIGH')
            return { pass: `risk ${level}` };
        const { risk, approvals } = input;
        // An incomplete diff hides paths no pull request approval can vouch for: only a
        // whole-diff approval (the SHA in the variable, or a commit comment on the head) clears it.
        const needsWhole = risk.incomplete && !approvals.coversAll;
        const uncovered = needsWhole ? risk.highPaths : uncoveredPaths(approvals, risk.highPaths);
        if (!needsWhole && uncovered.length === 0)
            return { pass: 'every HIGH-risk path is covered by a valid approval' };
        return applies(needsWhole
            ? `the diff could not be fully assessed (${risk.incompleteReason}); only an approval of the whole diff clears it`
            : `${uncovered.length} HIGH-risk path(s) without a valid approval`, soft(input, 'high_risk_no_approval', {
            uncovered,
            summary: `HIGH risk: ${uncovered.length} path(s) need an approval.`,
        }));
    },
};
/** Rules 4–10, in order, after rules 1–3c. */
const RULES = [
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
function context(input, late) {
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
/**
 * Evaluates rules in order until one applies. With break-glass (§16, already authorised by the
 * caller) a soft or wait hold is recorded as bypassed and the next rule is evaluated; a SKIP or
 * a hard hold stops as always.
 */
function evaluateRules(rules, input, { at, run, breakGlass }) {
    for (const rule of rules) {
        const step = rule.check(input, at);
        if (step === null)
            continue;
        const title = TITLES[rule.id];
        if ('pass' in step) {
            run.rules.push({ rule: rule.id, title, verdict: 'pass', detail: step.pass });
            if (step.cleared)
                run.cleared = true;
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
function stopped(run, stop, risk) {
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
function decideEarly(input) {
    const run = evaluateRules(EARLY_RULES, input, {
        at: context(input),
        run: { rules: [], stop: null, cleared: false, bypassed: [] },
    });
    return run.stop ? stopped(run, run.stop, null) : null;
}
/** Every rule of SPEC §6 in order; the first that applies decides, else ALLOW (rule 11). */
function decide(input) {
    const at = context(input, input);
    const early = evaluateRules(EARLY_RULES, input, {
        at,
        run: { rules: [], stop: null, cleared: false, bypassed: [] },
    });
    if (early.stop)
        return stopped(early, early.stop, null);
    const run = evaluateRules(RULES, input, { at, run: early, breakGlass: input.breakGlass });
    if (run.stop)
        return stopped(run, run.stop, at.level);
    const level = at.level;
    const reason = input.breakGlass
        ? 'allow_break_glass'
        : run.cleared
            ? 'allow_approved'
            : level === 'HIGH'
                ? 'allow_high_approved'
                : level === 'MEDIUM'
                    ? 'allow_medium'
                    : 'allow_low';
    const allowed = {
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
            ? `Break-glass deploy of ${decide_short(input.sha)} (${level}) by @${input.breakGlass.actor}${run.bypassed.length ? `, bypassing ${run.bypassed.join(', ')}` : ''}.`
            : `Deploy ${decide_short(input.sha)} (${level}).`,
    };
    return input.breakGlass ? { ...allowed, bypassed: run.bypassed } : allowed;
}
/** The time left until `until`, for people: "9m 45s", "2h 5m". */
function timeLeft(until, now) {
    const s = Math.max(0, Math.ceil((until.getTime() - now.getTime()) / 1000));
    if (s < 60)
        return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60)
        return `${m}m ${s % 60}s`;
    return `${Math.floor(m / 60)}h ${m % 60}m`;
}
/** HH:MM UTC of an instant, with its date when that is not `now`'s (UTC) day. */
function clock(at, now) {
    const iso = at.toISOString();
    const day = iso.slice(0, 10) === now.toISOString().slice(0, 10) ? '' : `${iso.slice(0, 10)} `;
    return `${day}${iso.slice(11, 16)} UTC`;
}
/** Whether approvals can change the verdict, so the adapters know whether to fetch them. */
function approvalsMatter(f) {
    if (f.rolledBack)
        return true;
    if (f.stageApprovals === 'none')
        return false;
    if (f.risk === 'HIGH')
        return true;
    if ((f.currentSha === null || f.adopted) && f.config.require_approval_for_first_deploy)
        return true;
    return f.incidentCount > 0 || f.degraded === true;
}
function owners(uncovered, pulls) {
    const want = new Set(uncovered);
    const out = [];
    const accounted = new Set();
    for (const pr of pulls) {
        const paths = pr.paths.filter((p) => want.has(p));
        if (paths.length > 0) {
            out.push({ number: pr.number, paths });
            for (const p of paths)
                accounted.add(p);
        }
    }
    return { pulls: out, withoutPull: uncovered.filter((p) => !accounted.has(p)) };
}

// EXTERNAL MODULE: ./node_modules/minimatch/dist/esm/index.js + 7 modules
var esm = __webpack_require__(33581);
// EXTERNAL MODULE: ./src/domain/patterns.ts
var domain_patterns = __webpack_require__(3073);
;// CONCATENATED MODULE: ./src/domain/risk.ts
// Risk of a diff (SPEC §5): every changed path, and both names of a rename, against the
// built-in protected paths and the configured globs. Highest wins, and the result explains
// itself: for each rule, the paths it matched.




/** Paths that are HIGH whatever the configuration says, so a commit cannot loosen its own gate. */
const PROTECTED_PATTERNS = ['.github/workflows/**', '.github/actions/**'];
/**
 * `exact`: a path from the root taken as it is (the protected paths); otherwise the pattern
 * follows the CODEOWNERS conventions of patterns.ts.
 */
function compile(source, pattern, level, exact = false) {
    const parts = exact ? exactSource(pattern) : (0,domain_patterns/* patternSource */.MP)(pattern);
    if (!parts)
        throw new Error(`invalid glob ${JSON.stringify(pattern)} in ${source}`);
    const re = new RegExp(`^${parts.anyDepth ? ANY_DIR : ''}${parts.core}$`, parts.flags);
    return { source, pattern, level, re, parts };
}
const ANY_DIR = '(?:.*\\/)?';
function exactSource(glob) {
    const re = new esm/* Minimatch */.VR(glob.replace(/^\.\//, ''), { dot: true }).makeRe();
    if (re === false || !re.source.startsWith('^') || !re.source.endsWith('$'))
        return null;
    return { anyDepth: false, core: `(?:${re.source.slice(1, -1)})`, flags: re.flags };
}
/** One expression per level: the anchored patterns, then all any-depth ones behind one prefix. */
function combine(level, patterns) {
    if (patterns.length === 0)
        return { level, any: null, patterns };
    const flags = new Set(patterns.map((p) => p.parts.flags));
    if (flags.size !== 1)
        return { level, any: null, patterns };
    const group = (ps) => ps.map((p) => p.parts.core).join('|');
    const rooted = patterns.filter((p) => !p.parts.anyDepth);
    const deep = patterns.filter((p) => p.parts.anyDepth);
    const alternatives = [
        ...(rooted.length ? [`^(?:${group(rooted)})$`] : []),
        ...(deep.length ? [`^${ANY_DIR}(?:${group(deep)})$`] : []),
    ];
    return { level, any: new RegExp(alternatives.join('|'), [...flags][0]), patterns };
}
function matchesLevel(level, path) {
    if (level.any)
        return level.any.test(path);
    return level.patterns.some((p) => p.re.test(path));
}
/** The patterns in force: the defaults (unless `default_risk_paths: false`) plus the configured. */
function effectiveRiskPaths(config) {
    const withDefaults = (defaults, configured) => [
        ...new Set([...(config.default_risk_paths ? defaults : []), ...configured]),
    ];
    return {
        high: withDefaults(config_base/* DEFAULT_HIGH_RISK_PATHS */.qi, config.high_risk_paths),
        medium: withDefaults(config_base/* DEFAULT_MEDIUM_RISK_PATHS */.RU, config.medium_risk_paths),
    };
}
/**
 * Whether a path is one of the protected paths (the config file, the workflow folders): HIGH
 * whatever the config says, and, with services, part of every service (SPEC §20).
 */
function protectedPaths(configPath) {
    const level = combine('HIGH', [configPath, ...PROTECTED_PATTERNS].map((p) => compile('protected', p, 'HIGH', true)));
    return (path) => matchesLevel(level, path);
}
function compileRiskRules(config) {
    // Exact paths from the root, not patterns: the config file and the workflow folders.
    const protectedPatterns = [config.config_path, ...PROTECTED_PATTERNS].map((p) => compile('protected', p, 'HIGH', true));
    const paths = effectiveRiskPaths(config);
    const high = [
        ...protectedPatterns,
        ...paths.high.map((p) => compile('high_risk_paths', p, 'HIGH')),
    ];
    const medium = paths.medium.map((p) => compile('medium_risk_paths', p, 'MEDIUM'));
    const levels = [combine('HIGH', high), combine('MEDIUM', medium)];
    return {
        patternCount: high.length + medium.length,
        classify(files, opts = {}) {
            const cap = opts.cap ?? 20;
            const byPattern = new Map();
            const highPaths = [];
            const paths = [];
            let risk = 'LOW';
            const seen = new Set();
            for (const file of files) {
                for (const path of file.previousPath ? [file.path, file.previousPath] : [file.path]) {
                    if (seen.has(path))
                        continue;
                    seen.add(path);
                    paths.push(path);
                    for (const level of levels) {
                        if (!matchesLevel(level, path))
                            continue;
                        // Attribution only for the few paths that matched: every pattern that explains it.
                        for (const p of level.patterns) {
                            if (!p.re.test(path))
                                continue;
                            let m = byPattern.get(p);
                            if (!m)
                                byPattern.set(p, (m = {
                                    source: p.source,
                                    pattern: p.pattern,
                                    level: p.level,
                                    paths: [],
                                    count: 0,
                                }));
                            m.count += 1;
                            if (m.paths.length < cap)
                                m.paths.push(path);
                        }
                        risk = (0,types/* maxRisk */.id)(risk, level.level);
                        if (level.level === 'HIGH')
                            highPaths.push(path);
                        break; // the highest level that matches decides this path
                    }
                }
            }
            const incompleteReason = opts.incompleteReason ?? null;
            if (incompleteReason)
                risk = 'HIGH';
            const order = {
                protected: 0,
                high_risk_paths: 1,
                medium_risk_paths: 2,
            };
            return {
                risk,
                matches: [...byPattern.values()].sort((a, b) => order[a.source] - order[b.source]),
                highPaths,
                paths,
                fileCount: files.length,
                incomplete: incompleteReason !== null,
                incompleteReason,
            };
        },
    };
}

// EXTERNAL MODULE: ./src/domain/evidence.ts + 1 modules
var evidence = __webpack_require__(43094);
// EXTERNAL MODULE: ./src/domain/deploy-workflow.ts
var deploy_workflow = __webpack_require__(63303);
;// CONCATENATED MODULE: ./src/domain/services.ts


/** The services of a config in the order they are listed; empty without `services`. */
function servicesOf(config) {
    return config.services ?? [];
}
/**
 * The config a service is judged with: each per-service key of §20 over the top-level one (the
 * risk lists added to the top-level lists), freeze windows that name it or no service, and its
 * commit status context `<status_context>/<service>`.
 */
function serviceConfig(config, name) {
    const s = config.services?.find((x) => x.name === name);
    if (!s)
        throw new Error(`serviceConfig: ${name} is not a service of the config`);
    // With its own stages a service's health checks are its stages' (a top-level check is for
    // the top-level single stage, and the config refuses one beside stages).
    const { services: _all, health_check: topCheck, ...top } = config;
    const check = s.health_check ?? (s.stages ? undefined : topCheck);
    const versioning = s.versioning ?? top.versioning;
    return {
        ...top,
        deploy_workflow: s.deploy_workflow ?? top.deploy_workflow,
        deploy_workflow_ref: s.deploy_workflow_ref ?? top.deploy_workflow_ref,
        ...(s.stages ? { stages: s.stages } : {}),
        ...(check ? { health_check: check } : {}),
        approvers: s.approvers ?? top.approvers,
        required_approvals: s.required_approvals ?? top.required_approvals,
        high_risk_paths: [...new Set([...top.high_risk_paths, ...s.high_risk_paths])],
        medium_risk_paths: [...new Set([...top.medium_risk_paths, ...s.medium_risk_paths])],
        ...(versioning ? { versioning } : {}),
        ...(s.readiness ? { readiness: s.readiness } : {}),
        freeze_windows: top.freeze_windows.filter((w) => !w.services || w.services.includes(name)),
        status_context: `${top.status_context}/${name}`,
        service: { name, paths: s.paths, depends_on: s.depends_on },
    };
}
/** One alternation of a service's patterns (they were checked when the config loaded). */
function compilePaths(patterns) {
    const parts = patterns.map((p) => {
        const s = (0,domain_patterns/* patternSource */.MP)(p);
        if (!s)
            throw new Error(`invalid glob ${JSON.stringify(p)} in services.paths`);
        return s;
    });
    const flags = [...new Set(parts.map((p) => p.flags))];
    const alternatives = parts.map((p) => `${p.anyDepth ? '(?:.*\\/)?' : ''}${p.core}`);
    return new RegExp(`^(?:${alternatives.join('|')})$`, flags.length === 1 ? flags[0] : '');
}
/**
 * The services in an order that puts every dependency before what depends on it (depends_on has
 * no cycle: the config refused one), otherwise as listed.
 */
function dependencyOrder(config) {
    const services = servicesOf(config);
    const byName = new Map(services.map((s) => [s.name, s]));
    const out = [];
    const visit = (name) => {
        if (out.includes(name))
            return;
        for (const d of byName.get(name)?.depends_on ?? [])
            if (byName.has(d))
                visit(d);
        out.push(name);
    };
    for (const s of services)
        visit(s.name);
    return out;
}
const compiledPaths = new WeakMap();
/**
 * The files of a diff that belong to the service a config is judged with (its `service` set by
 * serviceConfig): its paths and the protected paths; every file without services.
 */
function serviceFiles(config, files) {
    const service = config.service;
    if (!service)
        return [...files];
    let belongs = compiledPaths.get(service);
    if (!belongs) {
        const isProtected = protectedPaths(config.config_path);
        const re = compilePaths(service.paths);
        belongs = (path) => isProtected(path) || re.test(path);
        compiledPaths.set(service, belongs);
    }
    const test = belongs;
    return files.filter((f) => test(f.path) || (f.previousPath !== undefined && test(f.previousPath)));
}
/** An open issue concerns a service unless it names others only (`service:<name>` labels). */
function concernsService(labels, service) {
    if (service === null)
        return true;
    const named = labels
        .map((l) => /^service:(.+)$/i.exec(l.trim())?.[1]?.toLowerCase())
        .filter((n) => n !== undefined);
    return named.length === 0 || named.includes(service.toLowerCase());
}
/**
 * An issue the governor opens about one service (a failed deploy, a failed health check): its
 * title names the service, and a `service:<name>` label scopes it, so the incident it is holds
 * that service only (SPEC §20). Unchanged without services.
 */
function serviceIssue(config, issue) {
    const service = config.service?.name;
    if (!service)
        return issue;
    return {
        title: `${service}: ${issue.title}`,
        labels: [...new Set([...issue.labels, `service:${service}`])],
    };
}

;// CONCATENATED MODULE: ./src/governor/policy.ts





/** Whether a read answers for this production SHA and head (production's policy fits any head). */
function readFits(read, production, head) {
    return (read.production === production &&
        (read.configRef === head || (production !== null && read.configRef === production)));
}
async function fileAt(deps, ref) {
    // Production's copy on the state branch, or the file at the SHA the state read brought along
    // (SPEC §19); else one contents API request (which fails, naming it, for a commit that does
    // not exist: a missing production commit never reads as "no config").
    const known = deps.store.knownFile(ref, deps.configPath);
    if (known !== undefined)
        return known;
    const text = await deps.gh.readFile(ref, deps.configPath);
    deps.store.rememberFile(ref, deps.configPath, text);
    return text;
}
/**
 * The trusted policy (SPEC §3): the config at `production`, or at `head` when nothing is in
 * production yet or production's commit has no config file (then `adopted`).
 */
async function readConfig(deps, production, head) {
    let ref = production ?? head;
    let text = await fileAt(deps, ref);
    const adopted = production !== null && text === null && head !== production;
    if (adopted) {
        ref = head;
        text = await fileAt(deps, head);
    }
    if (text === null && deps.configPathExplicit)
        throw new config_base/* ConfigError */.xL([
            {
                key: '',
                where: deps.configPath,
                message: `the configured config-path does not exist at ${(0,types/* shortSha */.Fu)(ref)} (the commit whose policy applies). Fix config-path, or commit the file.`,
            },
        ]);
    // The schema and the YAML parser load here, after the run's first request (SPEC §13).
    const { loadConfig } = await Promise.all(/* import() */[__webpack_require__.e(815), __webpack_require__.e(912)]).then(__webpack_require__.bind(__webpack_require__, 912));
    const result = loadConfig({
        text,
        path: deps.configPath,
        env: deps.env,
        defaultBranch: deps.defaultBranch,
    });
    // The state is read before the config (the config is read at the production SHA the state
    // names), so the branch cannot come from the file alone; a file that disagrees would split
    // the state in two, and a commit could point the governor at an empty branch.
    if (result.config && result.config.state_branch !== deps.stateBranch) {
        throw new config_base/* ConfigError */.xL([
            {
                key: 'release_governor.state_branch',
                where: deps.configPath,
                message: `is ${result.config.state_branch}, but the state is read from ${deps.stateBranch} before the config. Set RELEASE_GOVERNOR_STATE_BRANCH=${result.config.state_branch} in the governor step's env as well.`,
            },
        ]);
    }
    const blobSha = text === null ? null : (0,evidence/* gitBlobSha */.Ak)(text);
    const where = { production, configRef: ref, adopted, blobSha };
    if (result.enabled)
        return { config: result.config, disabled: false, why: null, typo: null, ...where };
    const at = adopted
        ? `the head, as production ${(0,types/* shortSha */.Fu)(production)} predates ${deps.configPath}`
        : production
            ? 'production commit: its policy judges every change'
            : 'commit being decided, as nothing is in production yet';
    return {
        config: result.config,
        disabled: true,
        why: `${result.why} (Read at ${(0,types/* shortSha */.Fu)(ref)}, ${adopted ? at : `the ${at}`}.)`,
        typo: result.typo,
        ...where,
    };
}
/**
 * The read as a service sees it (SPEC §20): the config that service is judged with; the read
 * unchanged without a service, or when it is narrowed already.
 */
function forService(read, service) {
    const config = read.config;
    if (service === null || !config || config.service)
        return read;
    if (!config.services?.some((s) => s.name === service))
        throw new governor_deps/* GovernorError */.$2(`There is no service named ${JSON.stringify(service)} in the policy in force (${config.services?.length ? `its services: ${config.services.map((s) => s.name).join(', ')}` : 'it has no services'}).`, config.services?.length
            ? 'Pass one of them as the service input, or leave it empty for every service.'
            : 'Without `services` in the config the repository is one deployable; leave the service input empty.');
    return { ...read, config: serviceConfig(config, service) };
}
function sameWorkflow(configured, run) {
    const c = configured.replace(/^\.\//, '');
    if (c === '')
        return false;
    if (/\.ya?ml$/.test(c))
        return run.path === c || run.path.endsWith(`/${c}`);
    return run.name === c;
}

// EXTERNAL MODULE: ./src/domain/version.ts
var version = __webpack_require__(43356);
;// CONCATENATED MODULE: ./src/governor/versions.ts






/** Tags whose ancestry one decision may ask GitHub about (one compare each). */
const MAX_ANCESTRY_CHECKS = 10;
/**
 * The version `sha` is released as: a tag of ours already at it (a re-run, or one made by
 * hand), else the next after the highest of our tags below it. A computed name that is taken by
 * another commit fails here, before anything is claimed.
 */
async function planVersion(deps, config, range) {
    const { sha, current, compare } = range;
    const v = versioningOf(config, pipelineOf(config));
    // semver and the commit parser load only here, when versioning is on (start-up: SPEC §13).
    const { nextVersion, versionTags } = await Promise.all(/* import() */[__webpack_require__.e(847), __webpack_require__.e(362)]).then(__webpack_require__.bind(__webpack_require__, 75362));
    const rangeCommits = compare?.commits ?? [];
    const read = await deps.gh.releaseRange({
        withTags: true,
        commits: current ? rangeCommits.map((c) => c.sha) : [sha],
        branch: config.branch,
    });
    const ours = versionTags(read.tags, v.tag_prefix);
    const below = await versionBelow(deps, config, { ...range, ours, prefix: v.tag_prefix });
    const { previous, problem } = below;
    // With services, the commits and pull requests that changed the service's files (§20).
    const mine = serviceRange(config, {
        commits: current ? rangeCommits : [],
        pulls: read.pulls,
        commitPulls: read.commitPulls,
    });
    const messages = below.messages ?? mine.messages;
    const pulls = below.pulls ?? mine.pulls;
    const plan = nextVersion({
        prefix: v.tag_prefix,
        initial: v.initial_version,
        previous,
        messages,
        pulls,
    });
    plan.capped = compare !== null && compare.totalCommits > compare.commits.length;
    const atSha = ours.find((t) => t.commit === sha);
    if (atSha)
        return atSha.name === plan.tag
            ? { ...plan, existing: true }
            : {
                ...plan,
                tag: atSha.name,
                version: atSha.version,
                bump: null,
                why: `${atSha.name} is at this commit already`,
                existing: true,
            };
    const taken = read.tags.find((t) => t.name === plan.tag);
    if (taken && deps.dryRun)
        return {
            ...plan,
            problem: `The next version's tag, ${plan.tag}, is already on ${(0,types/* shortSha */.Fu)(taken.commit)}, not on ${(0,types/* shortSha */.Fu)(sha)}: a real run would stop before claiming anything, until ${(0,types/* shortSha */.Fu)(sha)} has the tag of the version it should be released as (docs: Versions, tags made by hand).`,
        };
    if (taken)
        throw conflict(plan.tag, taken.commit, sha);
    return problem ? { ...plan, problem } : plan;
}
/**
 * The highest of our tags that is an ancestor of `sha`: one known to be (at the stage's current
 * SHA, or on a commit of the range), else one compare each for at most MAX_ANCESTRY_CHECKS.
 * With no release on the stage yet, the range it was counted over (tag..sha) comes along.
 */
async function versionBelow(deps, config, r) {
    const { sha, current } = r;
    const inRange = new Set((r.compare?.commits ?? []).map((c) => c.sha));
    let checks = 0;
    for (const t of r.ours) {
        if (t.commit === sha)
            continue;
        if (t.commit === current || inRange.has(t.commit))
            return { previous: t };
        if (++checks > MAX_ANCESTRY_CHECKS) {
            const lost = `Could not find the version below ${(0,types/* shortSha */.Fu)(sha)}: the ${MAX_ANCESTRY_CHECKS} highest ${r.prefix}X.Y.Z tags are not its ancestors.`;
            // A what-if dispatches nothing: it says what a real run would meet, and goes on.
            if (deps.dryRun)
                return {
                    previous: null,
                    problem: `${lost} A real run stops here before claiming anything; the version shown is counted as if no tag were below.`,
                };
            throw new governor_deps/* GovernorError */.$2(lost, `Delete tags made on other branches, or tag the release below ${(0,types/* shortSha */.Fu)(sha)} by hand with its version; then re-run.`);
        }
        const c = await deps.gh.compare(t.commit, sha);
        if (c.status !== 'ahead' && c.status !== 'identical')
            continue;
        if (current)
            return { previous: t };
        // No release recorded on this stage yet: the range is the tag..sha.
        const commits = c.commits.map((x) => x.sha);
        const { pulls, commitPulls } = await deps.gh.releaseRange({
            withTags: false,
            commits,
            branch: config.branch,
        });
        return { previous: t, ...serviceRange(config, { commits: c.commits, pulls, commitPulls }) };
    }
    return { previous: null };
}
/**
 * The commit messages and pull requests a version counts (§18): all of them, or with services
 * (§20) those of the service: a pull request that changed one of its files (or whose files are
 * not known whole), and a commit of such a pull request. A commit of no pull request (a direct
 * push) is counted for every service: which files it changed is not read.
 */
function serviceRange(config, range) {
    const { commits, pulls, commitPulls } = range;
    if (!config.service)
        return { messages: commits.map((c) => c.message), pulls };
    const touches = (p) => !p.files ||
        serviceFiles(config, p.files.map((path) => ({ path, status: 'modified' }))).length > 0;
    const mine = pulls.filter(touches);
    const numbers = new Set(mine.map((p) => p.number));
    const messages = commits
        .filter((c) => {
        const of = commitPulls?.[c.sha] ?? [];
        return of.length === 0 || of.some((n) => numbers.has(n));
    })
        .map((c) => c.message);
    return { messages, pulls: mine };
}
function conflict(tag, other, sha) {
    return new governor_deps/* GovernorError */.$2(`The tag ${tag} exists on ${other}, not on ${sha}, the commit to release as ${tag}. Nothing was dispatched.`, `A tag of the next version was made by hand on another commit. Delete it (git push --delete origin ${tag}) if it is wrong, or tag ${(0,types/* shortSha */.Fu)(sha)} by hand with the version it should have; then re-run the governor.`);
}
/**
 * Creates the annotated tag at exactly `sha` and reads it back; a tag that exists already
 * (a re-run, a lost response, a person) must resolve to `sha`.
 */
async function ensureTag(deps, plan, sha, stage) {
    for (let attempt = 1; attempt <= 2; attempt++) {
        if (!plan.existing) {
            try {
                await deps.gh.createTag(plan.tag, sha, `Release ${plan.tag}\n\n${plan.why}.\nTagged by Release Governor before dispatching the deploy of ${sha} to ${stage}.`);
            }
            catch (e) {
                // Refused because it exists, or no answer: reading it back tells which.
                if (!(0,api_error/* isUnanswered */.Ni)(e) && !((0,api_error/* isRefused */.H0)(e) && e.status === 422))
                    throw e;
                deps.log(`Creating the tag ${plan.tag}: ${e.message}; reading it back.`);
            }
        }
        const at = await deps.gh.tagTarget(plan.tag);
        if (at === sha) {
            deps.log(`The tag ${plan.tag} resolves to ${sha}.`);
            return;
        }
        if (at !== null)
            throw conflict(plan.tag, at, sha);
        if (plan.existing)
            break;
    }
    throw new governor_deps/* GovernorError */.$2(`The tag ${plan.tag} for ${sha} could not be created (it does not exist after two attempts). Nothing was dispatched.`, 'Re-run the governor: the claim was withdrawn, and the next run creates the tag again.');
}
/**
 * The stage runs `sha` verified: when it is the versioned stage and the deploy carried a tag,
 * publish the GitHub release of that tag (once: an existing release is left as it is). Returns
 * the tag (the run's `version`), or null when there is none to publish.
 */
async function publishRelease(on, sha, known) {
    const { deps, ctx, said } = on;
    const v = versioningOf(ctx.config, pipelineOf(ctx.config));
    if (!v?.github_release || v.stage.name !== ctx.stage.name || deps.dryRun)
        return null;
    const snap = known?.decision?.sha === sha && known.head !== null ? known : await deps.store.read(sha);
    const entry = snap.release.deploy_history.find((h) => h.sha === sha && h.version);
    if (!entry?.version)
        return null;
    const tag = entry.version;
    try {
        const existing = await deps.gh.releaseOf(tag);
        if (existing) {
            said.note(`The release ${tag} exists already: ${existing.url}`);
            return tag;
        }
        const record = snap.decision;
        const valid = (record?.approvals.valid ?? []);
        const whole = snap.pipeline ?? snap.release;
        const body = (0,version/* releaseNotes */.f)({
            tag,
            sha,
            stage: ctx.stage.name,
            why: record?.version?.why ?? null,
            pulls: record?.version?.pulls ?? [],
            risk: record?.decision.risk ?? null,
            approvals: valid.map((a) => ({
                actor: a.actor ?? null,
                source: a.source ?? 'approval',
                pull: a.pull ?? null,
                at: a.at ?? null,
            })),
            // The newest record: this run's (the deploy or health check it just sealed), else the head read.
            evidenceHash: deps.store.evidenceWritten.at(-1)?.hash ?? whole.evidence_head?.hash ?? null,
            deployRunUrl: entry.run_url ?? null,
            commitsCapped: record?.version?.capped ?? false,
        });
        const r = await deps.gh.createRelease({ tag, name: tag, body });
        said.note(r.created ? `Published the release ${tag}: ${r.url}` : `The release ${tag} exists: ${r.url}`);
    }
    catch (e) {
        // The deploy is recorded and verified either way: a missing release is a warning.
        said.warn(`The GitHub release ${tag} could not be published: ${e.message}. Re-running the governor on the deploy's event publishes it.`);
    }
    return tag;
}

;// CONCATENATED MODULE: ./src/domain/readiness.ts
/** The value a JSON Pointer (RFC 6901) names in `doc`; `found: false` when it names nothing. */
function resolvePointer(doc, pointer) {
    if (pointer === '')
        return { found: true, value: doc };
    let at = doc;
    for (const raw of pointer.slice(1).split('/')) {
        const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
        if (Array.isArray(at)) {
            if (!/^(0|[1-9]\d*)$/.test(key) || Number(key) >= at.length)
                return { found: false, value: undefined };
            at = at[Number(key)];
        }
        else if (at !== null && typeof at === 'object' && Object.hasOwn(at, key)) {
            at = at[key];
        }
        else
            return { found: false, value: undefined };
    }
    return { found: true, value: at };
}
/** A threshold's bound in words: "≥ 60", "between 2 and 10", "= true". */
function boundText(t) {
    const parts = [];
    if (t.equals !== undefined)
        parts.push(`= ${JSON.stringify(t.equals)}`);
    if (t.min !== undefined && t.max !== undefined)
        parts.push(`between ${t.min} and ${t.max}`);
    else if (t.min !== undefined)
        parts.push(`≥ ${t.min}`);
    else if (t.max !== undefined)
        parts.push(`≤ ${t.max}`);
    return parts.join(' and ');
}
/**
 * A threshold judged on the file's text (null: the artifact or the file is not there, `missing`
 * says which). A file that is not JSON, a pointer to nothing, a non-number under a numeric
 * bound: each fails, saying which.
 */
function judgeThreshold(t, file) {
    const base = { artifact: t.artifact, file: t.file, pointer: t.value, bound: boundText(t) };
    const fail = (why, found = null) => ({
        ...base,
        found,
        pass: false,
        why,
    });
    if ('missing' in file)
        return fail(file.missing);
    let doc;
    try {
        doc = JSON.parse(file.text);
    }
    catch (e) {
        return fail(`${t.file} in ${t.artifact} is not JSON (${e.message.slice(0, 80)})`);
    }
    const { found, value } = resolvePointer(doc, t.value);
    if (!found)
        return fail(`${t.value} names nothing in ${t.file}`);
    if (t.equals !== undefined && value !== t.equals)
        return fail(`${JSON.stringify(value)} is not ${JSON.stringify(t.equals)}`, value);
    if (t.min !== undefined || t.max !== undefined) {
        if (typeof value !== 'number' || !Number.isFinite(value))
            return fail(`${JSON.stringify(value)} is not a number (the bound is ${boundText(t)})`, value);
        if (t.min !== undefined && value < t.min)
            return fail(`${value} is below ${t.min}`, value);
        if (t.max !== undefined && value > t.max)
            return fail(`${value} is above ${t.max}`, value);
    }
    return { ...base, found: value, pass: true, why: null };
}
/** Minutes from `completedAt` to `now`, rounded down to a tenth. */
function ageMinutes(completedAt, now) {
    return Math.floor((now.getTime() - Date.parse(completedAt)) / 6_000) / 10;
}

;// CONCATENATED MODULE: ./src/governor/readiness.ts
// Readiness gates (SPEC §22): what a decision needs to judge them. Freshness and release
// blockers cost no request (the verification run's completion time comes with the event or the
// run already looked up; the open issues and pull requests with the state read); thresholds cost
// the verification run's artifact list and one download per artifact they name, and only when
// they are set.



/** The largest artifact the governor downloads to read figures from (SPEC §22). */
const MAX_ARTIFACT_BYTES = 50 * 1024 * 1024;
async function readinessOf(deps, at) {
    const { config, stage, req } = at;
    const r = stage.readiness;
    let looked;
    const run = async () => {
        if (req.verification)
            return {
                id: req.verification.id,
                url: req.verification.url,
                completedAt: req.verification.completed_at ?? null,
            };
        if (looked !== undefined)
            return looked;
        const v = await deps.gh.verificationRun(config.verification_workflow, req.sha, config.branch);
        looked = v ? { id: v.id, url: v.url, completedAt: v.completed_at ?? null } : null;
        return looked;
    };
    const fresh = r.max_verification_age_minutes === undefined || !deps.gh.seesRuns
        ? null
        : await freshness(deps, r.max_verification_age_minutes, run);
    const blockers = r.release_blocker_labels.length
        ? {
            labels: r.release_blocker_labels,
            open: (await blockersOf(deps, r.release_blocker_labels, config.service?.name ?? null)).map((b) => ({ ...b, url: linkOf(deps, b) })),
        }
        : null;
    const judged = r.evidence_thresholds.length && deps.gh.seesRuns
        ? await thresholdsOf(deps, r.evidence_thresholds, run)
        : { results: null, files: [] };
    return { facts: { fresh, thresholds: judged.results, blockers }, files: judged.files };
}
/**
 * The page of an issue or pull request, from the repository this governor run belongs to (its
 * run URL); null where there is none (the CLI), and the number alone is shown.
 */
function linkOf(deps, b) {
    const repo = /^(https?:\/\/[^?#]+?)\/actions\/runs\/\d+/.exec(deps.run.url ?? '')?.[1];
    return repo ? `${repo}/${b.pull ? 'pull' : 'issues'}/${b.number}` : null;
}
async function freshness(deps, limitMinutes, run) {
    const v = await run();
    const completedAt = v?.completedAt ?? null;
    return {
        limitMinutes,
        completedAt,
        ageMinutes: completedAt ? ageMinutes(completedAt, deps.now()) : null,
        runUrl: v?.url ?? null,
    };
}
/** The open issues and pull requests with a blocker label that concern this service. */
async function blockersOf(deps, labels, service) {
    const open = deps.store.openIssuesLabelled(labels, { pulls: true }) ??
        (await deps.gh.openIncidents(labels, { pulls: true }));
    return open
        .filter((i) => concernsService(i.labels, service))
        .map((i) => ({ number: i.number, title: i.title, pull: i.pull }));
}
/** Every threshold judged on the files of the verification run's artifacts. */
async function thresholdsOf(deps, thresholds, run) {
    const v = await run();
    if (!v)
        return {
            results: thresholds.map((t) => judgeThreshold(t, { missing: 'no successful verification run of this SHA was found' })),
            files: [],
        };
    const listed = await deps.gh.runArtifacts(v.id);
    const files = [];
    const contents = new Map();
    for (const name of [...new Set(thresholds.map((t) => t.artifact))])
        contents.set(name, await artifactOf(deps, { name, listed, runId: v.id }));
    const results = thresholds.map((t) => {
        const got = contents.get(t.artifact);
        if (typeof got === 'string')
            return judgeThreshold(t, { missing: got });
        const buffer = got.get(t.file);
        if (!buffer)
            return judgeThreshold(t, { missing: `the artifact ${t.artifact} has no file ${t.file}` });
        if (!files.some((f) => f.artifact === t.artifact && f.name === t.file))
            files.push({
                artifact: t.artifact,
                name: t.file,
                size: buffer.length,
                sha256: (0,external_node_crypto_.createHash)('sha256').update(buffer).digest('hex'),
            });
        return judgeThreshold(t, { text: buffer.toString('utf8') });
    });
    return { results, files };
}
/** An artifact's files, or why they cannot be read (missing, expired, too large). */
async function artifactOf(deps, { name, listed, runId }) {
    const found = listed.filter((a) => a.name === name);
    const live = found.find((a) => !a.expired);
    if (!live)
        return found.length
            ? `the artifact ${name} of the verification run has expired`
            : `the verification run has no artifact ${name}`;
    if (live.size > MAX_ARTIFACT_BYTES)
        return `the artifact ${name} is ${(live.size / 1024 / 1024).toFixed(1)} MB, over the ${MAX_ARTIFACT_BYTES / 1024 / 1024} MB the governor reads`;
    return deps.gh.artifactFiles(live.id, runId);
}

;// CONCATENATED MODULE: ./src/governor/facts.ts
// Gather the facts a decision needs, with as few requests as the verdict allows, and ask the
// pure rules (domain/decide.ts) for the verdict.
















async function changedFiles(deps, productionSha, sha, compare) {
    if (productionSha === null) {
        const head = await deps.gh.treeFiles(sha);
        const files = [...head.files.keys()].map((path) => ({ path, status: 'added' }));
        return {
            files,
            incomplete: head.truncated ? 'the tree listing of the commit was truncated by GitHub' : null,
        };
    }
    if (compare && !compare.capped)
        return { files: compare.files, incomplete: null };
    // The compare API stops at 300 files: diff the two trees instead.
    const [before, after] = await Promise.all([
        deps.gh.treeFiles(productionSha),
        deps.gh.treeFiles(sha),
    ]);
    if (before.truncated || after.truncated)
        return {
            files: compare?.files ?? [],
            incomplete: 'the diff has more files than GitHub lists, and the tree listing was truncated',
        };
    const files = [];
    for (const [path, id] of after.files) {
        const old = before.files.get(path);
        if (old === undefined)
            files.push({ path, status: 'added' });
        else if (old !== id)
            files.push({ path, status: 'modified' });
    }
    for (const path of before.files.keys())
        if (!after.files.has(path))
            files.push({ path, status: 'removed' });
    return { files, incomplete: null };
}
/** The verification run's artifacts against required_artifacts. */
async function requiredArtifacts(deps, config, req) {
    const required = config.required_artifacts;
    if (!deps.gh.seesRuns)
        return {
            facts: { required, missing: [], expired: [], runId: null, unchecked: true },
            found: [],
        };
    const runId = req.verification?.id ??
        (await deps.gh.verificationRun(config.verification_workflow, req.sha, config.branch))?.id ??
        null;
    const listed = runId === null ? [] : await deps.gh.runArtifacts(runId);
    const found = listed.filter((a) => required.includes(a.name) && !a.expired);
    const expired = required.filter((n) => listed.some((a) => a.name === n && a.expired) && !found.some((a) => a.name === n));
    const missing = required.filter((n) => !found.some((a) => a.name === n));
    return { facts: { required, missing, expired, runId }, found };
}
/**
 * Rule 4's look at the deploy workflow (SPEC §6): why it cannot take the dispatch the governor
 * will send (`sends`), or null. The file comes with the state read when the ref is the release
 * branch; else one contents API request.
 */
async function deployWorkflowCheck(deps, config, sends) {
    const name = (0,deploy_workflow/* workflowFileName */.Jo)(config.deploy_workflow);
    // Empty (rule 4 holds anyway), or not a file name (an id): GitHub judges it at the dispatch.
    if (config.deploy_workflow.trim() === '' || name === null)
        return undefined;
    const path = `${deploy_workflow/* WORKFLOWS_DIR */.xs}/${name}`;
    const ref = config.deploy_workflow_ref;
    const known = deps.store.knownWorkflow(ref, name);
    const text = known !== undefined ? known : await deps.gh.readFile(ref, path);
    return await (0,deploy_workflow/* deployWorkflowProblem */.W7)(text, { path, ref, sends });
}
function withoutSnapshot(known) {
    const { snapshot: _used, ...read } = known;
    return read;
}
/** Rule 2's lifecycle of the SHA, with a claim that is this run's own or whose run turned up. */
async function claimOf(deps, { release, sha, workflow, environment, notes, }) {
    const lifecycle = (0,domain_state/* lifecycleOf */.o0)(release, sha);
    const entry = release.deploy_history.find((h) => h.sha === sha) ?? null;
    if (lifecycle !== 'claimed' || !entry)
        return { lifecycle, entry, ownClaim: null, foundRun: null };
    if (entry.claimed_by === (0,governor_deps/* claimedBy */.dl)(deps))
        return { lifecycle: null, entry, ownClaim: entry, foundRun: null };
    // Claimed but never recorded as dispatched: the claimant died, or lost the response.
    const runs = await deps.gh.findDeployRuns(workflow, sha, environment, deps.store.target?.service ?? null);
    const claimTime = Date.parse(entry.time);
    const foundRun = runs.find((r) => Date.parse(r.createdAt) >= claimTime - 60_000) ?? null;
    const stale = deps.now().getTime() - claimTime > governor_deps/* CLAIM_GRACE_MS */.Jq;
    if (!foundRun && (stale || (0,governor_deps/* isEarlierAttempt */.yW)(entry.claimed_by, deps))) {
        notes.push(`${(0,types/* shortSha */.Fu)(sha)} was claimed at ${entry.time} by ${entry.claimed_by ?? 'an earlier run'}${stale ? '' : ', an earlier attempt of this run (it has ended)'}, and no deploy run for it exists: taking the claim over.`);
        return { lifecycle: null, entry, ownClaim: null, foundRun };
    }
    return { lifecycle, entry, ownClaim: null, foundRun };
}
/** The deploy in flight other than this SHA and production, and how this SHA compares to it. */
async function inFlightOf(deps, release, sha) {
    const flying = (0,domain_state/* inFlight */.CC)(release);
    if (!flying || flying.sha === sha || flying.sha === release.production_sha_current)
        return null;
    return { sha: flying.sha, compare: (await deps.gh.compare(flying.sha, sha)).status };
}
/**
 * The approvals of the range, read only when they can change the verdict (`needed`); with the
 * merged pull requests' paths (for "label #N") and the role of everyone who approved.
 */
async function approvalsOf(deps, { needed, sha, config, compare, notes, }) {
    const approvedVariable = deps.env[config_base/* APPROVAL_VARIABLE */.Fr];
    if (!needed) {
        if (approvedVariable)
            notes.push(`${config_base/* APPROVAL_VARIABLE */.Fr} is set but no approval was needed for this change.`);
        return { approvals: NO_APPROVALS, pulls: [], roles: {} };
    }
    const commits = compare?.commits ?? [];
    const headAuthor = commits.find((c) => c.sha === sha)?.author ?? (await deps.gh.commitAuthor(sha));
    const facts = await deps.gh.approvalFacts({
        headSha: sha,
        headAuthor,
        commits: compare ? commits.map((c) => c.sha) : [sha],
        branch: config.branch,
        environment: approvedVariable,
        teams: config.approvers.filter((a) => a.includes('/')),
    });
    if (compare && compare.totalCommits > commits.length) {
        notes.push(`The range has ${compare.totalCommits} commits; pull requests were read for the first ${commits.length} only. Approve with the SHA-scoped variable or a commit comment if a HIGH path is not covered.`);
    }
    return {
        approvals: evaluateApprovals(facts, config),
        // "Label #N" is advice only for a pull request merged into the release branch.
        pulls: facts.pulls
            .filter((p) => p.mergedAt !== null && p.baseRef === config.branch)
            .map((p) => ({ number: p.number, paths: p.files })),
        roles: Object.fromEntries(Object.entries(facts.actors).map(([k, a]) => [k, a.role])),
    };
}
/**
 * The version an ALLOW is dispatched with (§18): at the versioned stage a plan (its tag is
 * created before the dispatch), after it the tag the SHA got there.
 */
async function facts_versionOf(deps, { config, at, versionedHere, sha, current, compare, notes, }) {
    if (versionedHere) {
        const plan = await planVersion(deps, config, {
            sha,
            current,
            compare,
        });
        if (plan.problem)
            notes.push(plan.problem);
        return { tag: plan.tag, plan };
    }
    const tag = recordedVersion(at.whole, config, at.pipeline, at.stage, sha);
    return tag ? { tag, plan: null } : null;
}
async function earlyFacts(at) {
    const { deps, req, config, pipeline, stage, whole, release, notes } = at;
    const productionSha = release.production_sha_current;
    const { lifecycle, entry, ownClaim, foundRun } = await claimOf(deps, {
        release,
        sha: req.sha,
        workflow: config.deploy_workflow,
        environment: pipeline.configured ? stage.environment : null,
        notes,
    });
    const productionCompare = productionSha ? await deps.gh.compare(productionSha, req.sha) : null;
    // Services (§20): rule 1a needs the diff, filtered to the service's paths, before rule 2.
    const changed = config.service
        ? await changedFiles(deps, productionSha, req.sha, productionCompare)
        : null;
    const own = changed ? serviceFiles(config, changed.files) : null;
    // A diff that could not be listed whole may hide the service's files: it is affected.
    const service = config.service && changed && own
        ? {
            name: config.service.name,
            affected: own.length > 0 || changed.incomplete !== null,
            files: own.length,
        }
        : null;
    if (service && !service.affected)
        return {
            early: {
                enabled: true,
                sha: req.sha,
                lifecycle: null,
                currentSha: productionSha,
                currentCompare: productionCompare?.status ?? null,
                inFlight: null,
                manual: req.manual,
                verified: true,
                service,
            },
            changed,
            entry,
            ownClaim,
            foundRun,
            productionCompare,
            artifactsFound: [],
        };
    const inFlightCompare = await inFlightOf(deps, release, req.sha);
    const verified = req.manual
        ? await deps.gh.verified(config.verification_workflow, req.sha, config.branch)
        : true;
    // required_artifacts (§17): one request for the run's artifacts, only when the key is set.
    const artifacts = config.required_artifacts.length
        ? await requiredArtifacts(deps, config, req)
        : null;
    // Readiness gates (§22): freshness and blockers from what was read; thresholds only when set.
    const readiness = await readinessOf(deps, { config, stage, req });
    return {
        early: {
            enabled: true,
            sha: req.sha,
            lifecycle: ownClaim ? null : lifecycle,
            currentSha: productionSha,
            currentCompare: productionCompare?.status ?? null,
            inFlight: inFlightCompare,
            manual: req.manual,
            verified,
            stage: stageFacts(whole, pipeline, stage),
            artifacts: artifacts?.facts ?? null,
            readiness: readiness.facts,
            ...(service ? { service } : {}),
        },
        changed,
        entry,
        ownClaim,
        foundRun,
        productionCompare,
        artifactsFound: artifacts?.found ?? [],
        readiness,
    };
}
/**
 * The open incidents that hold this stage (rule 9): none where the stage needs no approvals.
 * The open issues came with the state read; a precise search only when it could not list all.
 * With services, an incident labelled `service:<name>` holds only the services it names (§20).
 */
async function incidentsOf(deps, config, stage) {
    if (stage.approvals === 'none' || config.incident_labels.length === 0)
        return [];
    const open = deps.store.openIssuesLabelled(config.incident_labels) ??
        (await deps.gh.openIncidents(config.incident_labels));
    return open
        .filter((i) => concernsService(i.labels, config.service?.name ?? null))
        .map((i) => ({ number: i.number, title: i.title }));
}
/** The range a release deploys (§23): its commits and their times, as the compare listed them. */
function rangeOf(compare) {
    if (!compare)
        return null;
    const commits = compare.commits.map((c) => ({ sha: c.sha, time: c.time ?? null }));
    return { commits, total: compare.totalCommits };
}
/** Rules 4–11 on the diff, the incidents and the approvals; the version an ALLOW goes with. */
async function judge(at, { e, adopted }) {
    const { deps, req, config, pipeline, stage, whole, release, notes } = at;
    const { early, productionCompare } = e;
    const productionSha = early.currentSha;
    const versioning = versioningOf(config, pipeline);
    const deployWorkflow = await deployWorkflowCheck(deps, config, [
        'sha',
        ...(pipeline.configured ? ['environment'] : []),
        ...(versioning && stage.index >= versioning.stage.index ? ['version'] : []),
        ...(config.service ? ['service'] : []),
    ]);
    const diff = e.changed ?? (await changedFiles(deps, productionSha, req.sha, productionCompare));
    // With services, the service's own paths (and the protected ones) are its risk (§20).
    const files = serviceFiles(config, diff.files);
    const incomplete = diff.incomplete;
    const assessment = compileRiskRules(config).classify(files, { incompleteReason: incomplete });
    const incidents = await incidentsOf(deps, config, stage);
    const { approvals, pulls, roles } = await approvalsOf(deps, {
        needed: approvalsMatter({
            risk: assessment.risk,
            currentSha: productionSha,
            config,
            incidentCount: incidents.length,
            degraded: deps.degraded,
            stageApprovals: stage.approvals,
            rolledBack: early.lifecycle === 'rolled_back',
            adopted,
        }),
        sha: req.sha,
        config,
        compare: productionSha ? productionCompare : null,
        notes,
    });
    const decision = decide({
        ...early,
        config,
        risk: assessment,
        approvals,
        pulls,
        history: (0,domain_state/* historyForRules */.lI)(release),
        incidents,
        degraded: deps.degraded,
        now: deps.now(),
        rolledBackAt: e.entry?.rolled_back_at ?? null,
        breakGlass: req.breakGlass ?? null,
        adopted,
        deployWorkflow,
        ...(req.waitingFor ? { waitingFor: req.waitingFor } : {}),
    });
    const version = decision.outcome === 'ALLOW'
        ? await facts_versionOf(deps, {
            config,
            at: { whole, pipeline, stage },
            versionedHere: versioning?.stage.name === stage.name,
            sha: req.sha,
            current: productionSha,
            compare: productionCompare,
            notes,
        })
        : null;
    return {
        decision,
        assessment,
        approvals,
        diff: { files: files.length, digest: (0,evidence/* diffDigest */.Ob)(files) },
        roles,
        version,
        range: rangeOf(productionCompare),
    };
}
async function evaluate(deps, req, known) {
    const notes = [];
    const snapshot = known?.snapshot ?? (await deps.store.read(req.sha));
    const release = snapshot.release;
    const whole = snapshot.pipeline ?? release;
    // The policy is production's (the last stage's), whichever stage is decided.
    const policySha = (0,domain_state/* policyShaOf */.gi)(whole);
    // The read without the snapshot it may have come with: that state is used once, here. With
    // services, the config of the service this store presents (§20).
    const cfg = forService(known && readFits(known, policySha, req.sha)
        ? withoutSnapshot(known)
        : await readConfig(deps, policySha, req.sha), deps.store.target?.service ?? null);
    const productionSha = release.production_sha_current;
    const pipeline = cfg.config ? pipelineOf(cfg.config) : null;
    const stage = pipeline
        ? (findStage(pipeline, deps.store.target?.stage ?? '') ?? lastStage(pipeline))
        : null;
    const config = cfg.config && pipeline && stage ? stageConfig(cfg.config, pipeline, stage) : null;
    const common = { snapshot, productionSha, notes, read: cfg, roles: {} };
    const unjudged = { assessment: null, approvals: null, diff: null, version: null };
    if (cfg.disabled || !cfg.config || !config) {
        const off = decideEarly({
            enabled: false,
            sha: req.sha,
            lifecycle: null,
            currentSha: productionSha,
            currentCompare: null,
            inFlight: null,
            manual: req.manual,
            verified: true,
        });
        return {
            kind: 'off',
            ...common,
            ...unjudged,
            config,
            full: cfg.config,
            pipeline,
            stage,
            ownClaim: null,
            foundRun: null,
            artifactsFound: [],
            decision: cfg.why ? { ...off, summary: cfg.why } : off,
        };
    }
    const at = {
        deps,
        req,
        config,
        pipeline: pipeline,
        stage: stage,
        whole,
        release,
        notes,
    };
    const e = await earlyFacts(at);
    const on = {
        ...common,
        config,
        full: cfg.config,
        pipeline: pipeline,
        stage: stage,
        ownClaim: e.ownClaim,
        foundRun: e.foundRun,
        artifactsFound: e.artifactsFound,
        readiness: e.readiness ?? null,
    };
    const earlyDecision = decideEarly(e.early);
    if (earlyDecision)
        return { kind: 'settled', ...on, ...unjudged, decision: earlyDecision };
    return { kind: 'judged', ...on, ...(await judge(at, { e, adopted: cfg.adopted })) };
}
/** The evidence of a decision (SPEC §17): the verdict and everything it was judged on. */
function decisionEvidence(ev, req) {
    const d = ev.decision;
    const a = ev.approvals;
    return {
        outcome: d.outcome,
        reason: d.reason,
        risk: d.risk,
        rules: d.rules.map((r) => ({ rule: r.rule, verdict: r.verdict, detail: r.detail })),
        production_sha: ev.productionSha,
        policy: {
            path: ev.full?.config_path ?? null,
            commit: ev.read.configRef,
            blob_sha: ev.read.blobSha ?? null,
        },
        diff: ev.diff,
        // The deployed range (§23): each commit and its time; past what the compare lists, the count.
        ...(ev.kind === 'judged' && ev.range
            ? {
                range: {
                    commits: ev.range.commits,
                    total: ev.range.total,
                    complete: ev.range.total <= ev.range.commits.length,
                },
            }
            : {}),
        approvals: [
            ...(a?.valid ?? []).map((x) => ({
                source: x.source,
                actor: x.actor,
                role: x.actor ? (ev.roles[x.actor] ?? null) : null,
                time: x.at,
                pull: x.pull,
                valid: true,
                covers: x.covers,
            })),
            ...(a?.ignored ?? []).map((x) => ({
                source: x.source,
                actor: x.actor,
                role: x.actor ? (ev.roles[x.actor] ?? null) : null,
                pull: x.pull,
                valid: false,
                why: x.detail,
            })),
        ],
        verification: req.verification ?? null,
        ...(ev.readiness ? { readiness: readinessEvidence(ev.readiness) } : {}),
        required_artifacts: ev.artifactsFound.map((a) => ({
            name: a.name,
            id: a.id,
            size: a.size,
            digest: a.digest,
        })),
        ...(req.breakGlass ? { break_glass: { ...req.breakGlass, bypassed: d.bypassed ?? [] } } : {}),
    };
}
/** What the readiness gates saw (§22): each gate's figure, and every file read with its sha256. */
function readinessEvidence(r) {
    const { fresh, thresholds, blockers } = r.facts;
    return {
        ...(fresh ? { verification_age: fresh } : {}),
        ...(thresholds
            ? {
                thresholds: thresholds.map((t) => ({
                    artifact: t.artifact,
                    file: t.file,
                    value: t.pointer,
                    bound: t.bound,
                    found: t.found,
                    verdict: t.pass ? 'pass' : 'fail',
                    ...(t.why ? { why: t.why } : {}),
                })),
            }
            : {}),
        ...(blockers ? { release_blockers: blockers.open.map((b) => b.number) } : {}),
        files: r.files,
    };
}
function evaluationRecord(deps, ev, sha) {
    return (0,domain_state/* recordEvaluation */.ix)(ev.snapshot.decision, {
        sha,
        decision: ev.decision,
        productionSha: ev.productionSha,
        assessment: ev.assessment,
        approvals: ev.approvals,
    }, {
        runId: deps.run.id,
        runAttempt: deps.run.attempt,
        now: deps.now(),
        configDigest: ev.config ? configDigest(ev.config) : null,
        source: deps.run.source,
    });
}
/**
 * The report of a decision, built from the evaluation; `extra` adds what carrying it out
 * established (the state commit, the deploy run, the banner) and what the steps said.
 */
function reportOf(deps, ev, sha, extra = {}) {
    const { said, ...over } = extra;
    return (0,summary/* buildReport */.FK)({
        outcome: ev.decision.outcome,
        reason: ev.decision.reason,
        sha,
        productionSha: ev.productionSha,
        risk: ev.decision.risk,
        headline: ev.decision.summary,
        decision: ev.decision,
        assessment: ev.assessment,
        approvals: ev.approvals,
        notes: [...ev.notes, ...(said?.notes ?? [])],
        // A misspelt block silently turns the governor off: say it loudly.
        warnings: [
            ...(ev.read.disabled && ev.read.typo && ev.read.why ? [ev.read.why] : []),
            ...(ev.full ? configWarnings(ev.full) : []),
            ...(said?.warnings ?? []),
        ],
        runUrl: deps.run.url,
        dryRun: deps.dryRun,
        environmentName: ev.config?.production_environment_name ?? 'production',
        releaseBranch: ev.config?.branch ?? null,
        stage: ev.stage?.name ?? null,
        version: ev.version?.tag ?? null,
        versionWhy: ev.version?.plan?.why ?? null,
        readiness: ev.readiness?.facts ?? null,
        banner: null,
        pipeline: ev.pipeline?.configured
            ? pipeline_pipelineRows(ev.snapshot.pipeline ?? ev.snapshot.release, ev.pipeline)
            : null,
        ...over,
    });
}

;// CONCATENATED MODULE: ./src/governor/claim.ts
// The exactly-once steps an ALLOW shares, one deployable or several (services.ts): what a
// claim records, the dispatch (found again when its response is lost), the run recorded, and
// the claim withdrawn when GitHub refused the dispatch.





/** Withdraws this run's claim: nothing was started, so a re-run after the fix decides afresh. */
async function withdrawClaim(deps, sha, why, claimed) {
    await (0,governor_deps/* writeState */.aO)(deps, sha, (s2) => {
        const release = (0,domain_state/* releaseClaim */.qj)(s2.release, sha, (0,governor_deps/* claimedBy */.dl)(deps));
        if (release === s2.release)
            return null;
        const record = s2.decision
            ? (0,domain_state/* withLifecycle */.Tk)(s2.decision, { state: null, claimed_at: null })
            : null;
        return {
            files: {
                [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)(release),
                ...(record ? { [(0,domain_state/* decisionPath */._m)(sha)]: (0,domain_state/* serialize */.lK)(record) } : {}),
            },
            message: `release ${(0,types/* shortSha */.Fu)(sha)}: ${why}`,
        };
    }, claimed);
}
/** The decision record of a versioned release keeps how its version was counted (§18). */
function withVersion(record, plan) {
    if (!plan)
        return record;
    return {
        ...record,
        version: {
            tag: plan.tag,
            previous: plan.previous,
            bump: plan.bump,
            why: plan.why,
            pulls: plan.pulls,
            capped: plan.capped ?? false,
        },
    };
}
/** The decision record keeps who broke the glass, why, and what it bypassed. */
function withBreakGlass(record, req, bypassed, deps) {
    if (!req.breakGlass)
        return record;
    return {
        ...record,
        break_glass: {
            actor: req.breakGlass.actor,
            reason: req.breakGlass.reason,
            bypassed: bypassed ?? [],
            at: deps.now().toISOString(),
            run_url: deps.run.url,
        },
    };
}
/** Dispatch, then make sure we know the run: from the response, or by finding it. */
async function dispatchOnce(deps, config, what) {
    const { sha, environment, version = null } = what;
    let direct = null;
    try {
        direct = await deps.gh.dispatch(config.deploy_workflow, config.deploy_workflow_ref, sha, environment, version, config.service?.name ?? null);
    }
    catch (e) {
        // A 5xx or a broken connection may come after GitHub created the run: look before anything
        // else. Refused, or not GitHub's answer at all: nothing to look for.
        if (!(0,api_error/* isUnanswered */.Ni)(e))
            throw e;
        deps.log(`The dispatch response was lost (${e.message}); looking for the run.`);
    }
    if (direct)
        return { id: direct.runId, url: direct.url };
    for (let i = 0; i < 5; i++) {
        const runs = await deps.gh.findDeployRuns(config.deploy_workflow, sha, environment, config.service?.name ?? null);
        const newest = runs.sort((a, b) => b.id - a.id)[0];
        if (newest)
            return { id: newest.id, url: newest.url };
        // GitHub lists a dispatched run within seconds: 1, 2, … 5 s apart by default.
        await deps.sleep(2 * deps.retryBaseMs * (i + 1));
    }
    throw new governor_deps/* GovernorError */.$2(`Dispatched ${config.deploy_workflow} for ${(0,types/* shortSha */.Fu)(sha)}${environment ? ` to ${environment}` : ''} but could not find its run (no run titled with the SHA${environment ? ' and the environment' : ''}).`, `The claim stays on the state branch, so nothing is dispatched twice. Check the Actions tab for a run of ${config.deploy_workflow}; its run-name must contain the SHA (run-name: Deploy \${{ inputs.sha }}). Re-running the governor after ${governor_deps/* CLAIM_GRACE_MS */.Jq / 60_000} minutes takes the claim over if no run exists.`);
}
async function recordDispatched(deps, sha, run, first) {
    const { id: runId, url } = run;
    const deploymentId = run.deploymentId ?? null;
    const written = await (0,governor_deps/* writeState */.aO)(deps, sha, (snap) => {
        const entry = snap.release.deploy_history.find((h) => h.sha === sha);
        const known = entry?.deployment_id ?? null;
        if (!entry || (entry.run_id === runId && (deploymentId === null || known === deploymentId)))
            return null;
        const record = snap.decision
            ? (0,domain_state/* withLifecycle */.Tk)(snap.decision, {
                state: 'dispatched',
                dispatched_at: deps.now().toISOString(),
                run_id: runId,
                run_url: url,
            })
            : null;
        return {
            files: {
                [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)((0,domain_state/* markDispatched */.be)(snap.release, sha, runId, url, deploymentId)),
                ...(record ? { [(0,domain_state/* decisionPath */._m)(sha)]: (0,domain_state/* serialize */.lK)(record) } : {}),
            },
            message: `dispatched ${(0,types/* shortSha */.Fu)(sha)}: run ${runId}`,
        };
    }, first);
    return written?.head ?? null;
}
/**
 * What a claim writes (§8): the SHA's record, claimed (with who broke the glass and how the
 * version was counted), and the stage's state with the claim on top.
 */
function claimed(deps, ev, req) {
    const record = withVersion((0,domain_state/* withLifecycle */.Tk)(withBreakGlass(evaluationRecord(deps, ev, req.sha), req, ev.decision.bypassed, deps), { state: 'claimed', claimed_at: deps.now().toISOString() }), ev.version?.plan ?? null);
    const range = ev.kind === 'judged' ? ev.range : null;
    const release = (0,domain_state/* claim */.B7)(ev.snapshot.release, req.sha, deps.now(), (0,governor_deps/* claimedBy */.dl)(deps), {
        version: ev.version?.tag ?? null,
        ...(range
            ? {
                commitTimes: range.commits.flatMap((c) => (c.time ? [c.time] : [])),
                commits: range.total,
            }
            : {}),
        breakGlass: !!req.breakGlass,
    });
    return { record, release };
}
/** The stage an evaluation is on, as the steps that act on it take it. */
function contextOf(ev) {
    return {
        stage: ev.stage,
        config: ev.config,
        environment: ev.pipeline.configured ? ev.stage.environment : null,
    };
}

;// CONCATENATED MODULE: ./src/governor/deployments.ts


/**
 * The deployment of a dispatched deploy: found (when it may exist) or created, then `queued`
 * with the deploy run as its log. Null when deployments are off or GitHub did not take it (a
 * warning says why; the deploy goes on).
 */
async function openDeployment(deps, ctx, d, said) {
    if (!ctx.config.github_deployments)
        return null;
    const environment = ctx.stage.environment;
    const find = async () => (await deps.gh.findDeployments({ sha: d.sha, environment, task: d.task })).find((x) => x.payload?.deploy_run_id === d.run.id)?.id ?? null;
    try {
        const found = d.lookFirst ? await find() : null;
        if (found !== null)
            return found;
        let id;
        try {
            id = (await deps.gh.createDeployment({
                sha: d.sha,
                environment,
                production: ctx.stage.isLast,
                task: d.task,
                payload: payloadOf(deps, ctx, d),
                description: `${d.task === 'deploy' ? 'Deploy' : 'Rollback to'} ${(0,types/* shortSha */.Fu)(d.sha)} by the Release Governor`,
            })).id;
        }
        catch (e) {
            // The answer was lost: GitHub may have created it. Look before anything else.
            if (!(0,api_error/* isUnanswered */.Ni)(e))
                throw e;
            const again = await find();
            if (again === null)
                throw e;
            id = again;
        }
        await setState(deps, ctx, { id, state: 'queued', logUrl: d.run.url });
        return id;
    }
    catch (e) {
        said.warn(deploymentProblem(e, `record the deployment of ${(0,types/* shortSha */.Fu)(d.sha)}`));
        return null;
    }
}
/** What the deployment says about itself (§21): the service, stage, version and the runs. */
function payloadOf(deps, ctx, d) {
    return {
        service: ctx.config.service?.name ?? null,
        stage: ctx.stage.name,
        version: d.version,
        governor_run: deps.run.url,
        evidence_hash: deps.store.evidenceWritten.at(-1)?.hash ?? null,
        deploy_run_id: d.run.id,
        deploy_run: d.run.url,
    };
}
const DESCRIPTIONS = {
    queued: 'Dispatched; waiting for the deploy run',
    in_progress: 'Deployed; the health check is running',
    success: 'Deployed and verified',
    failure: 'Failed',
    error: 'The outcome could not be known',
    inactive: 'No longer what the environment runs',
};
/**
 * A later status of a recorded deployment: once per observed outcome (the callers post it only
 * when they recorded that outcome). A failure to post is a warning.
 */
async function deploymentOutcome(deps, ctx, o, said) {
    if (!ctx.config.github_deployments || o.id === null || o.id === undefined)
        return;
    try {
        await setState(deps, ctx, {
            id: o.id,
            state: o.state,
            logUrl: o.logUrl ?? null,
            ...(o.why ? { why: o.why } : {}),
        });
    }
    catch (e) {
        said.warn(deploymentProblem(e, `set deployment ${o.id} to ${o.state}`));
    }
}
async function setState(deps, ctx, s) {
    await deps.gh.deploymentStatus(s.id, {
        state: s.state,
        logUrl: s.logUrl,
        // Where the stage is reached: on the statuses that say it runs there.
        environmentUrl: s.state === 'success' ? ctx.stage.environmentUrl : null,
        description: s.why ?? DESCRIPTIONS[s.state],
    });
}
/** The warning for a deployment GitHub did not take: the permission when that is the cause. */
function deploymentProblem(e, what) {
    const status = e.status;
    if ((0,api_error/* isRefused */.H0)(e) && status === 403)
        return `Could not ${what}: GitHub refused it (403). The governor workflow needs the permission \`deployments: write\` (or set github_deployments: false). The decision and the deploy stand.`;
    return `Could not ${what}: ${e.message}. The decision and the deploy stand; the Deployments page may not show it.`;
}

;// CONCATENATED MODULE: ./src/governor/stages.ts
// Which stage a decision or a deploy run is about, and the governor as seen from that stage:
// its store (the stage's view of the state branch) and its config (its deploy workflow, ref,
// status context). Without `stages` there is one stage and nothing here changes anything.



/** The deps of a stage: the same governor, its store presenting that stage. */
function stageDeps(deps, stage) {
    if (deps.store.target?.stage === stage.name)
        return deps;
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
function sameView(deps, stage, snapshot) {
    return deps.store.presents(stage) ? snapshot : undefined;
}
/** The stage named by the `stage` input, or an error listing the stages there are. */
function namedStage(pipeline, name) {
    const stage = findStage(pipeline, name);
    if (stage)
        return stage;
    throw new governor_deps/* GovernorError */.$2(`There is no stage named ${JSON.stringify(name)}: the stages are ${pipeline.stages.map((s) => s.name).join(', ')}.`, pipeline.configured
        ? 'Pass one of them as the stage input, or leave it empty for the first stage the SHA has not passed.'
        : 'Without `stages` in the config there is one stage, named after production_environment_name; leave the stage input empty.');
}
/** The first stage the SHA has not passed (is not running, nor deployed successfully); else the last. */
function firstNotPassed(whole, pipeline, sha) {
    for (const stage of pipeline.stages) {
        const view = (0,domain_state/* stageView */.Mh)(whole, stage.name, stage.isLast);
        if (view.production_sha_current !== sha && (0,domain_state/* lifecycleOf */.o0)(view, sha) !== 'succeeded')
            return stage;
    }
    return pipeline.stages[pipeline.stages.length - 1];
}
/**
 * The stage a finished deploy run belongs to: the stage whose history records its run id, else
 * the one stage that dispatches this workflow, else the stage whose environment its title names
 * ("Deploy <sha> to <environment>"). Null when it cannot be told.
 */
function stageOfRun(whole, pipeline, run, dispatches) {
    if (!pipeline.configured)
        return pipeline.stages[0];
    for (const stage of pipeline.stages) {
        const view = (0,domain_state/* stageView */.Mh)(whole, stage.name, stage.isLast);
        if (view.deploy_history.some((h) => h.run_id === run.runId))
            return stage;
    }
    const candidates = pipeline.stages.filter(dispatches);
    if (candidates.length === 1)
        return candidates[0];
    const words = run.displayTitle.split(/\s+/);
    const named = candidates.filter((s) => words.includes(s.environment));
    return named.length === 1 ? named[0] : null;
}

;// CONCATENATED MODULE: ./src/governor/services.ts













/** How the state lays the services of a config out: each with its last stage (§20). */
function layoutOf(config) {
    return servicesOf(config).map((s) => ({
        name: s.name,
        lastStage: lastStage(pipelineOf(serviceConfig(config, s.name))).name,
    }));
}
/** The services a run looks at: those asked for, and what they depend on, in dependency order. */
function servicesAt(root, config, req, 
/** The state the stages are chosen from; null when the request names them (no state needed). */
snapshot) {
    if (req.service)
        forService({ config }, req.service);
    const wanted = new Set(req.service ? [req.service] : (req.services ?? servicesOf(config).map((s) => s.name)));
    const looked = new Set(wanted);
    // What they depend on, transitively: their facts decide the waits (§20).
    const byName = new Map(servicesOf(config).map((s) => [s.name, s]));
    const queue = [...looked];
    while (queue.length > 0)
        for (const d of byName.get(queue.pop())?.depends_on ?? [])
            if (!looked.has(d)) {
                looked.add(d);
                queue.push(d);
            }
    const whole = snapshot
        ? (root.store.wholeAt(snapshot.head) ?? snapshot.pipeline ?? snapshot.release)
        : (0,domain_state/* emptyRelease */.vi)();
    const layout = root.store.services ?? [];
    const out = [];
    for (const name of dependencyOrder(config)) {
        if (!looked.has(name))
            continue;
        const own = serviceConfig(config, name);
        const pipeline = pipelineOf(own);
        const view = (0,domain_state/* serviceView */.r5)(whole, layout.find((l) => l.name === name));
        const stage = req.stage !== undefined
            ? pipeline.stages.find((s) => s.name === req.stage)
            : req.manual || req.approval
                ? firstNotPassed(view, pipeline, req.sha)
                : pipeline.stages[0];
        if (!stage) {
            // A stage input that names no stage of a service asked for by name is an error.
            if (req.service === name)
                namedStage(pipeline, req.stage);
            continue;
        }
        const target = { service: name, stage: stage.name, isLast: stage.isLast };
        out.push({
            name,
            config: own,
            pipeline,
            stage,
            target,
            deps: { ...root, store: root.store.forTarget(target) },
            decided: wanted.has(name),
        });
    }
    return out;
}
/**
 * Why `dep` has not yet released `sha` to `stageName` (deployed it, or a descendant, with its
 * health check passed), or null when it has or the commit does not affect it.
 */
async function dependencyWait(root, dep, at) {
    const pipeline = pipelineOf(dep.config);
    const stage = pipeline.stages.find((s) => s.name === at.stage);
    if (!stage)
        return null;
    const whole = root.store.wholeAt(at.snapshot.head);
    const layout = root.store.services.find((l) => l.name === dep.name);
    const view = (0,domain_state/* stageView */.Mh)((0,domain_state/* serviceView */.r5)(whole, layout), stage.name, stage.isLast);
    const lifecycle = (0,domain_state/* lifecycleOf */.o0)(view, at.sha);
    if (lifecycle === 'claimed' || lifecycle === 'dispatched')
        return `its deploy of ${(0,types/* shortSha */.Fu)(at.sha)} to ${stage.name} has not finished`;
    const current = view.production_sha_current;
    const verified = (0,domain_state/* serviceView */.r5)(whole, layout).stages?.[stage.name]?.verified_at ?? null;
    if (current === at.sha)
        return verified
            ? null
            : `its health check of ${(0,types/* shortSha */.Fu)(at.sha)} in ${stage.name} has not passed`;
    const compare = current ? await root.gh.compare(current, at.sha) : null;
    const diff = await changedFiles(root, current, at.sha, compare);
    if (serviceFiles(dep.config, diff.files).length === 0 && diff.incomplete === null)
        return null;
    return `it has not deployed ${(0,types/* shortSha */.Fu)(at.sha)} to ${stage.name} yet`;
}
/** The changes of one state write: each held service's record, each allowed service's claim. */
function writes(root, req, verdicts) {
    const changes = [];
    for (const v of verdicts) {
        const { ev, at } = v;
        if (!at.decided || ev.kind === 'off' || ev.decision.outcome === 'SKIP')
            continue;
        const deps = at.deps;
        const keepDays = at.config.evidence_retention_days;
        const proof = (kind) => (0,governor_deps/* evidence */.MX)(deps, { kind, sha: req.sha, keepDays }, decisionEvidence(ev, req));
        if (ev.decision.outcome === 'HOLD') {
            const recorded = ev.snapshot.decision?.decision;
            // Reconcile: the same hold as recorded writes nothing.
            if (req.quiet && recorded?.outcome === 'HOLD' && recorded.reason === ev.decision.reason)
                continue;
            const record = evaluationRecord(deps, ev, req.sha);
            changes.push({
                target: at.target,
                verdict: v,
                record,
                view: ev.snapshot.release,
                files: { [(0,domain_state/* decisionPath */._m)(req.sha)]: (0,domain_state/* serialize */.lK)(record), ...proof('decision') },
            });
            continue;
        }
        if (ev.ownClaim)
            continue;
        const { record, release: view } = claimed(deps, ev, req);
        changes.push({
            target: at.target,
            verdict: v,
            record,
            view,
            files: {
                [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)(view),
                [(0,domain_state/* decisionPath */._m)(req.sha)]: (0,domain_state/* serialize */.lK)(record),
                ...proof(req.breakGlass ? 'break_glass' : 'decision'),
            },
        });
    }
    return changes;
}
/**
 * The services `sha` does not affect, marked on their stage (`unaffected_sha`) unless they are
 * already: reconcile then knows without a compare that the commit has nothing for them.
 */
function unaffectedMarks(sha, verdicts) {
    return verdicts
        .filter((v) => v.ev.decision.reason === 'not_affected' && v.ev.snapshot.release.unaffected_sha !== sha)
        .map((v) => ({
        target: v.at.target,
        files: { [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)({ ...v.ev.snapshot.release, unaffected_sha: sha }) },
    }));
}
/** Evaluates every service looked at, dependencies first, on one snapshot. */
async function evaluateAll(root, req, known, services) {
    const { list, snapshot } = services;
    const verdicts = [];
    for (const at of list) {
        const s = servicesOf(known.config).find((x) => x.name === at.name);
        const waitingFor = [];
        for (const d of s.depends_on) {
            const dep = list.find((x) => x.name === d);
            if (!dep)
                continue;
            const why = await dependencyWait(root, dep, {
                stage: at.stage.name,
                sha: req.sha,
                snapshot,
            });
            if (why)
                waitingFor.push({ service: d, why });
        }
        const { snapshot: _first, ...read } = known;
        const ev = await evaluate(at.deps, { ...req, stage: at.stage.name, waitingFor }, { ...forService(read, at.name), snapshot: at.deps.store.viewOf(snapshot, req.sha) });
        verdicts.push({ at, ev, said: new governor_deps/* Remarks */.M6() });
    }
    return verdicts;
}
/**
 * Decides every service `req` concerns and carries the verdicts out: one write records every
 * hold and claims every ALLOW (a lost race decides them all again from fresh state), then each
 * claim is dispatched with `inputs.service`, and one write records the runs.
 */
async function decideServices(root, req, known) {
    if (!(0,types/* isFullSha */.Wf)(req.sha))
        throw new governor_deps/* GovernorError */.$2(`${JSON.stringify(req.sha)} is not a full 40-character SHA.`);
    const config = known.config;
    root.store.useServices(layoutOf(config));
    const unconfirmed = new governor_deps/* UnconfirmedWrites */.hr();
    let snapshot = known.snapshot;
    for (let attempt = 1; attempt <= governor_deps/* MAX_WRITE_ATTEMPTS */.Gy; attempt++) {
        // Read the state when nothing was read yet (with every service's record of the commit in
        // the same query, when the stages to decide do not depend on the state).
        const stateless = req.stage !== undefined || !(req.manual || req.approval);
        const first = snapshot ??
            (stateless
                ? await root.store.readFor(req.sha, servicesAt(root, config, req, null).map((s) => s.target))
                : await root.store.read(req.sha));
        snapshot = undefined;
        const list = servicesAt(root, config, req, first);
        let verdicts = await evaluateAll(root, req, known, { list, snapshot: first });
        let fresh = first;
        if (writes(root, req, verdicts).length > 0 && !root.dryRun) {
            // Something to write: the records it adds to come with a second read (none is needed for
            // a commit that affects nothing). A moved head is a new state: decide again from it.
            const withRecords = await recordsOf(root, first, req.sha, list);
            if (withRecords.head !== first.head) {
                snapshot = withRecords;
                continue;
            }
            fresh = withRecords;
            verdicts = verdicts.map((v) => ({
                ...v,
                ev: {
                    ...v.ev,
                    snapshot: {
                        ...v.ev.snapshot,
                        decision: withRecords.decisions?.[v.at.deps.store.decisionFileOf(req.sha)] ?? null,
                    },
                },
            }));
        }
        if (!root.dryRun)
            for (const v of verdicts)
                await recordFound(v, req.sha);
        if (root.dryRun)
            return servicesReport(root, req, verdicts);
        const r = await writeVerdicts(root, req, { verdicts, fresh });
        if (r && r.kind !== 'written') {
            unconfirmed.count(r);
            root.log(`The write deciding ${(0,types/* shortSha */.Fu)(req.sha)} was not confirmed (${r.detail}); deciding again from fresh state.`);
            await (0,governor_deps/* backoff */.JN)(root, attempt);
            continue;
        }
        await dispatchAll(root, req, {
            verdicts,
            claimed: r ? { head: r.head, release: fresh.release, decision: null } : fresh,
        });
        await publishAll(root, req, verdicts);
        return servicesReport(root, req, verdicts);
    }
    throw new governor_deps/* GovernorError */.$2(`Deciding ${(0,types/* shortSha */.Fu)(req.sha)} lost the race for the state branch ${governor_deps/* MAX_WRITE_ATTEMPTS */.Gy} times. Nothing was deployed.`, 'Re-run the job.');
}
/**
 * The one write of a decision: every hold recorded and every ALLOW claimed (and the services
 * the commit leaves alone marked, when written anyway), with a compare-and-swap on `fresh`.
 * Null when there is nothing to write.
 */
async function writeVerdicts(root, req, { verdicts, fresh }) {
    const changes = writes(root, req, verdicts);
    // Which services the commit leaves alone rides along with a write made anyway (reconcile
    // writes it by itself, once, so that its next idle run compares nothing).
    const marks = changes.length > 0 || req.quiet ? unaffectedMarks(req.sha, verdicts) : [];
    if (changes.length === 0 && marks.length === 0)
        return null;
    const decided = changes.map((c) => `${c.target.service}/${c.target.stage} ${c.verdict.ev.decision.outcome}`);
    const untouched = marks.length ? [`not affected: ${marks.map((m) => m.target.service)}`] : [];
    const message = `decide ${(0,types/* shortSha */.Fu)(req.sha)}: ${[...decided, ...untouched].join(', ')} (${(0,governor_deps/* claimedBy */.dl)(root)})`;
    const r = await root.store.writeMany(fresh, [...changes, ...marks], message);
    if (r.kind === 'written')
        for (const c of changes) {
            c.verdict.written = { record: c.record, view: c.view };
            c.verdict.stateCommit = r.head;
        }
    return r;
}
/** A claimed deploy whose run turned up: recorded, with its deployment (found, or created). */
async function recordFound(v, sha) {
    if (v.ev.kind === 'off' || !v.ev.foundRun)
        return;
    const found = v.ev.foundRun;
    const deploymentId = await openDeployment(v.at.deps, contextOf(v.ev), { sha, run: found, task: 'deploy', version: null, lookFirst: true }, v.said);
    await recordDispatched(v.at.deps, sha, { ...found, deploymentId });
    v.said.note(`Found deploy run ${found.url} for the earlier claim and recorded it.`);
}
/** The snapshot with every service's record of `sha`: as read, or read again with them. */
async function recordsOf(root, read, sha, list) {
    const files = list.map((s) => s.deps.store.decisionFileOf(sha));
    if (files.every((f) => read.decisions && f in read.decisions))
        return read;
    // The SHA's record index came with the read: none of these records exists yet (the first
    // decision of a commit), so there is nothing to read.
    const known = root.store.recordsAt(read.head, sha);
    if (known !== undefined && files.every((f) => !known.includes(f)))
        return { ...read, decisions: Object.fromEntries(files.map((f) => [f, null])) };
    return root.store.readFor(sha, list.map((s) => s.target));
}
/** The ALLOWed services this run holds the claim of: their claim written now, or earlier. */
function claimedHere(verdicts) {
    return verdicts.filter((v) => v.at.decided &&
        v.ev.kind !== 'off' &&
        v.ev.decision.outcome === 'ALLOW' &&
        (v.written !== undefined || v.ev.ownClaim !== null));
}
/**
 * Dispatches every claim, each exactly once (a refusal withdraws that claim and fails the job
 * after the others went out), then records every run in one write.
 */
async function dispatchAll(root, req, { verdicts, claimed }) {
    const allowed = claimedHere(verdicts);
    let failure = null;
    for (const v of allowed) {
        const { at, ev } = v;
        if (ev.kind === 'off')
            continue;
        const plan = ev.version?.plan;
        try {
            if (plan) {
                await ensureTag(at.deps, plan, req.sha, at.stage.name);
                v.said.note(plan.existing
                    ? `Version ${plan.tag}: the tag exists at this commit already (${plan.why}).`
                    : `Tagged ${plan.tag} at ${(0,types/* shortSha */.Fu)(req.sha)}: ${plan.why}.`);
            }
            const run = await dispatchOnce(at.deps, ev.config, {
                sha: req.sha,
                environment: at.pipeline.configured ? at.stage.environment : null,
                version: ev.version?.tag ?? null,
            });
            v.run = run;
            // The deployment of this exact SHA (§21), recorded with the run in the one write below.
            const deploymentId = await openDeployment(at.deps, contextOf(ev), {
                sha: req.sha,
                run,
                task: 'deploy',
                version: ev.version?.tag ?? null,
                lookFirst: ev.ownClaim !== null,
            }, v.said);
            v.run = { ...run, deploymentId };
        }
        catch (e) {
            // Refused: nothing started, so this service's claim is withdrawn; unknown keeps it.
            if (e instanceof governor_deps/* GovernorError */.$2 || (0,api_error/* isRefused */.H0)(e))
                await withdrawClaim(at.deps, req.sha, `dispatch refused`, {
                    ...claimed,
                    release: v.written?.view ?? ev.snapshot.release,
                    decision: v.written?.record ?? null,
                });
            failure ??= e;
        }
    }
    const runs = allowed.filter((v) => v.run);
    if (runs.length > 0)
        await recordRuns(root, req.sha, runs);
    if (failure)
        throw failure;
}
/** One write naming every dispatched run; a lost race records each on fresh state instead. */
async function recordRuns(root, sha, runs) {
    const batch = runs.filter((v) => v.written && v.stateCommit);
    let rest = runs.filter((v) => !batch.includes(v));
    if (batch.length > 0) {
        const changes = batch.map((v) => {
            const { view, record } = v.written;
            const run = v.run;
            const dispatched = (0,domain_state/* withLifecycle */.Tk)(record, {
                state: 'dispatched',
                dispatched_at: root.now().toISOString(),
                run_id: run.id,
                run_url: run.url,
            });
            return {
                target: v.at.target,
                files: {
                    [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)((0,domain_state/* markDispatched */.be)(view, sha, run.id, run.url, run.deploymentId ?? null)),
                    [(0,domain_state/* decisionPath */._m)(sha)]: (0,domain_state/* serialize */.lK)(dispatched),
                },
            };
        });
        const r = await root.store.writeMany({ head: batch[0].stateCommit, release: batch[0].written.view, decision: null }, changes, `dispatched ${(0,types/* shortSha */.Fu)(sha)}: ${batch.map((v) => `${v.at.name} run ${v.run.id}`).join(', ')}`);
        if (r.kind === 'written')
            for (const v of batch)
                v.stateCommit = r.head;
        // Someone wrote in between: each on fresh state.
        else
            rest = runs;
    }
    for (const v of rest) {
        const head = await recordDispatched(v.at.deps, sha, v.run);
        if (head)
            v.stateCommit = head;
    }
}
/** Each decided service's commit status: `<status_context>/<service>[/<stage>]`. */
async function publishAll(root, req, verdicts) {
    for (const v of verdicts) {
        const { ev, at } = v;
        if (!at.decided || ev.kind === 'off' || ev.decision.outcome === 'SKIP')
            continue;
        if (ev.decision.outcome === 'HOLD' && !v.written)
            continue;
        if (ev.decision.outcome === 'ALLOW' && !v.run)
            continue;
        const waiting = ['soaking', 'stage_busy', 'freeze_window', 'waiting_for_dependency'].includes(ev.decision.reason);
        const state = ev.decision.outcome === 'ALLOW' ? 'success' : waiting ? 'pending' : 'failure';
        await (0,governor_deps/* publishStatus */.G1)(v.said, at.deps, req.sha, state, (0,summary/* statusDescription */.$U)(reportOf(at.deps, ev, req.sha)), v.run?.url ?? root.run.url, ev.config.status_context);
    }
}
/** The report of every decided service, and the run-wide one built from them. */
function servicesReport(root, req, verdicts) {
    const reports = verdicts
        .filter((v) => v.at.decided)
        .map((v) => (0,summary/* buildReport */.FK)({
        ...reportOf(v.at.deps, v.ev, req.sha, {
            said: v.said,
            stateCommit: v.stateCommit ?? null,
            deployRunUrl: v.run?.url ?? null,
        }),
        service: v.at.name,
    }));
    return combineServices(root, req.sha, reports);
}
const OUTCOME_ORDER = ['ROLLBACK', 'ALLOW', 'HOLD', 'SKIP'];
/**
 * The run as a whole (SPEC §20): ROLLBACK if any, else ALLOW if any, else HOLD, else SKIP; the
 * reason, risk, stage, URL and SHA of the one service that decision names, or `multiple` (the
 * highest risk; no URL, no production SHA) when several share it.
 */
function combineServices(root, sha, reports) {
    const outcome = OUTCOME_ORDER.find((o) => reports.some((r) => r.outcome === o)) ??
        (reports.some((r) => r.outcome === 'ERROR') ? 'ERROR' : 'SKIP');
    const named = reports.filter((r) => r.outcome === outcome);
    const one = named.length === 1 ? named[0] : null;
    const risks = named.map((r) => r.risk).filter((r) => r !== null);
    const risk = risks.sort((a, b) => types/* RISK_ORDER */.pE[b] - types/* RISK_ORDER */.pE[a])[0] ?? null;
    const stages = [...new Set(named.map((r) => r.stage))];
    const headline = reports.length === 0
        ? 'No service was decided.'
        : reports
            .filter((r) => r.reason !== 'not_affected')
            .map((r) => `${r.service}: ${r.outcome} ${r.reason ?? ''}`.trim())
            .join('; ') || `${(0,types/* shortSha */.Fu)(sha ?? '')} affects none of the services.`;
    return (0,summary/* buildReport */.FK)({
        outcome,
        reason: one ? one.reason : named.length ? 'multiple' : null,
        sha,
        productionSha: one?.productionSha ?? null,
        risk: one ? one.risk : risk,
        headline,
        deployRunUrl: one?.deployRunUrl ?? null,
        stateCommit: reports.map((r) => r.stateCommit).findLast((c) => c !== null) ?? null,
        runUrl: root.run.url,
        dryRun: root.dryRun,
        stage: one ? one.stage : stages.length === 1 ? (stages[0] ?? null) : 'multiple',
        service: one ? one.service : named.length ? 'multiple' : null,
        services: reports,
    });
}
/**
 * The service and stage a finished deploy run belongs to: the one whose history records its run
 * id, else the one stage of one service whose deploy workflow it is and whose name (and
 * environment, with stages) its title names. Null when it cannot be told.
 */
function serviceOfRun(whole, config, run, dispatches) {
    const layout = layoutOf(config);
    const all = servicesOf(config).flatMap((s) => {
        const own = serviceConfig(config, s.name);
        const pipeline = pipelineOf(own);
        const view = (0,domain_state/* serviceView */.r5)(whole, layout.find((l) => l.name === s.name));
        return pipeline.stages.map((stage) => ({
            name: s.name,
            config: own,
            pipeline,
            stage,
            history: (0,domain_state/* stageView */.Mh)(view, stage.name, stage.isLast).deploy_history,
        }));
    });
    const byId = all.find((x) => x.history.some((h) => h.run_id === run.runId));
    const pick = (x) => ({
        name: x.name,
        config: x.config,
        pipeline: x.pipeline,
        stage: x.stage,
    });
    if (byId)
        return pick(byId);
    const words = run.displayTitle.split(/\s+/);
    const named = all.filter((x) => dispatches(x.stage.deploy_workflow) &&
        words.includes(x.name) &&
        (!x.pipeline.configured || words.includes(x.stage.environment)));
    return named.length === 1 ? pick(named[0]) : null;
}
/** The services that wait for `name` (depends_on) and have the stage `stage`. */
function dependentsOf(config, name, stage) {
    return servicesOf(config)
        .filter((s) => s.depends_on.includes(name))
        .filter((s) => pipelineOf(serviceConfig(config, s.name)).stages.some((t) => t.name === stage))
        .map((s) => s.name);
}

;// CONCATENATED MODULE: ./src/governor/act.ts
// Carry an ALLOW out exactly once: claim on the state branch, dispatch, record the run; a HOLD
// is recorded and published. A lost race decides again from fresh state.
















/**
 * The governor as seen from the stage the request is about, with what is already known kept
 * when it is that stage's (the snapshot of another stage's view is not).
 */
async function onStage(deps, req, first) {
    const known = forService(first, deps.store.target?.service ?? null);
    if (!known.config || known.disabled)
        return { deps, known };
    const pipeline = pipelineOf(known.config);
    const whole = known.snapshot ? (known.snapshot.pipeline ?? known.snapshot.release) : null;
    const stage = req.stage !== undefined
        ? namedStage(pipeline, req.stage)
        : (req.manual || req.approval) && whole
            ? firstNotPassed(whole, pipeline, req.sha)
            : pipeline.stages[0];
    const sd = stageDeps(deps, stage);
    return { deps: sd, known: { ...known, snapshot: sameView(deps, stage, known.snapshot) } };
}
/** The state and the policy of a decision: what the caller already read, else read here. */
async function knownOf(deps, req, first) {
    if (first?.config || first?.disabled)
        return first;
    const snapshot = first?.snapshot ?? (await deps.store.read(req.sha));
    const production = (0,domain_state/* policyShaOf */.gi)(snapshot.pipeline ?? snapshot.release);
    return { ...(await readConfig(deps, production, req.sha)), snapshot };
}
async function decideAndAct(root, req, first) {
    if (!(0,types/* isFullSha */.Wf)(req.sha))
        throw new governor_deps/* GovernorError */.$2(`${JSON.stringify(req.sha)} is not a full 40-character SHA.`);
    const known0 = await knownOf(root, req, first);
    // Services (§20): one run decides every service the commit affects (governor/services.ts).
    // A store of one service (a promotion, an operator's command) decides that service there,
    // with its dependencies looked at.
    if (known0.config?.services && !known0.disabled)
        return decideServices(root, { ...req, service: req.service ?? root.store.target?.service ?? null }, known0);
    if (req.service && !known0.config?.services)
        throw new governor_deps/* GovernorError */.$2(`The service input is ${JSON.stringify(req.service)}, but the policy in force has no services: the repository is one deployable.`, 'Leave the service input empty, or add `services` to the config (SPEC §20).');
    const on = await onStage(root, req, known0);
    const deps = on.deps;
    let known = on.known;
    const unconfirmed = new governor_deps/* UnconfirmedWrites */.hr();
    for (let attempt = 1; attempt <= governor_deps/* MAX_WRITE_ATTEMPTS */.Gy; attempt++) {
        const ev = await evaluate(deps, req, known);
        known = ev.read;
        const said = new governor_deps/* Remarks */.M6();
        if (ev.kind === 'off')
            return reportOf(deps, ev, req.sha, { said });
        // A claimed SHA whose deploy run exists: record what the claimant could not.
        if (ev.foundRun && !deps.dryRun) {
            const run = ev.foundRun;
            // Its deployment may exist too (the claimant may have died after creating it).
            const deploymentId = await openDeployment(deps, contextOf(ev), { sha: req.sha, run, task: 'deploy', version: ev.version?.tag ?? null, lookFirst: true }, said);
            await recordDispatched(deps, req.sha, { ...run, deploymentId });
            said.note(`Found deploy run ${run.url} for the earlier claim and recorded it.`);
        }
        if (deps.dryRun || ev.decision.outcome === 'SKIP')
            return reportOf(deps, ev, req.sha, { said });
        const step = { deps, req, ev, config: ev.config, said };
        if (ev.decision.outcome === 'HOLD')
            return recordHold(step);
        // ALLOW: claim with a compare-and-swap on the state we decided from. If the branch moved,
        // decide again from fresh state: whoever moved it may have claimed this SHA or a newer one.
        const claimed = await claimOnce(step);
        if (claimed.kind !== 'written') {
            unconfirmed.count(claimed);
            deps.log(`Claim of ${(0,types/* shortSha */.Fu)(req.sha)} not confirmed (${claimed.detail}); deciding again from fresh state.`);
            await (0,governor_deps/* backoff */.JN)(deps, attempt);
            continue;
        }
        return dispatchClaimed(step, claimed.snapshot);
    }
    throw new governor_deps/* GovernorError */.$2(`Deciding ${(0,types/* shortSha */.Fu)(req.sha)} lost the race for the state branch ${governor_deps/* MAX_WRITE_ATTEMPTS */.Gy} times. Nothing was deployed.`, 'Re-run the job.');
}
/** A HOLD: the decision record and evidence, the pull-request notice, the commit status. */
async function recordHold(step) {
    const { deps, req, ev, config, said } = step;
    const recorded = ev.snapshot.decision?.decision;
    if (req.quiet && recorded?.outcome === 'HOLD' && recorded.reason === ev.decision.reason) {
        said.note(`Still HOLD ${ev.decision.reason}, as recorded before: nothing written, no status set.`);
        // An approval that landed and did not count: the notice says why.
        if (req.approval)
            await noticeHeld(step);
        return reportOf(deps, ev, req.sha, { said });
    }
    const written = await (0,governor_deps/* writeState */.aO)(deps, req.sha, 
    // Built from the freshest record, so a conflict never drops another run's evaluation.
    (snap) => ({
        files: {
            [(0,domain_state/* decisionPath */._m)(req.sha)]: (0,domain_state/* serialize */.lK)(evaluationRecord(deps, { ...ev, snapshot: snap }, req.sha)),
            ...(0,governor_deps/* evidence */.MX)(deps, { kind: 'decision', sha: req.sha, keepDays: config.evidence_retention_days }, decisionEvidence(ev, req)),
        },
        message: `decide ${(0,types/* shortSha */.Fu)(req.sha)}: HOLD ${ev.decision.reason}`,
    }), ev.snapshot);
    const stateCommit = written?.head ?? null;
    // A stage that waits for a soak will go on by itself: pending, not a failure.
    const waiting = ['soaking', 'stage_busy', 'freeze_window', 'waiting_for_dependency'].includes(ev.decision.reason);
    await noticeHeld(step);
    await (0,governor_deps/* publishStatus */.G1)(said, deps, req.sha, waiting ? 'pending' : 'failure', (0,summary/* statusDescription */.$U)(reportOf(deps, ev, req.sha)), deps.run.url, config.status_context);
    return reportOf(deps, ev, req.sha, { said, stateCommit });
}
/**
 * The claim: release.json names this SHA as claimed, written with a compare-and-swap on the
 * snapshot the decision was made from. Anything but `written` means: decide again.
 */
async function claimOnce({ deps, req, ev, config, }) {
    const snap = ev.snapshot;
    // This run's own claim from an earlier attempt of the job: claimed already.
    if (ev.ownClaim)
        return { kind: 'written', snapshot: snap };
    const { record, release } = claimed(deps, ev, req);
    const r = await deps.store.write(snap, {
        [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)(release),
        [(0,domain_state/* decisionPath */._m)(req.sha)]: (0,domain_state/* serialize */.lK)(record),
        ...(0,governor_deps/* evidence */.MX)(deps, {
            kind: req.breakGlass ? 'break_glass' : 'decision',
            sha: req.sha,
            keepDays: config.evidence_retention_days,
        }, decisionEvidence(ev, req)),
    }, `claim ${(0,types/* shortSha */.Fu)(req.sha)}: ALLOW ${ev.decision.reason} (${(0,governor_deps/* claimedBy */.dl)(deps)})`);
    if (r.kind !== 'written')
        return r;
    // What we just wrote is the state: the next write builds on it without reading it back.
    return { kind: 'written', snapshot: { head: r.head, release, decision: record } };
}
/**
 * After the claim: the version tag (§18) at exactly this SHA, then one dispatch, the run
 * recorded, the status, the notice. A refusal withdraws the claim; an unknown outcome keeps it.
 */
async function dispatchClaimed(step, claimed) {
    const { deps, req, ev, config, said } = step;
    const stage = ev.stage?.name ?? config.production_environment_name;
    // A name taken by another commit withdraws the claim and fails the job.
    const plan = ev.version?.plan;
    if (plan) {
        try {
            await ensureTag(deps, plan, req.sha, stage);
        }
        catch (e) {
            if (e instanceof governor_deps/* GovernorError */.$2 || (0,api_error/* isRefused */.H0)(e))
                await withdrawClaim(deps, req.sha, `tag ${plan.tag} not created`, claimed);
            throw e;
        }
        said.note(plan.existing
            ? `Version ${plan.tag}: the tag exists at this commit already (${plan.why}).`
            : `Tagged ${plan.tag} at ${(0,types/* shortSha */.Fu)(req.sha)}: ${plan.why}.`);
    }
    let run;
    try {
        run = await dispatchOnce(deps, config, {
            sha: req.sha,
            environment: ev.pipeline?.configured ? ev.stage.environment : null,
            version: ev.version?.tag ?? null,
        });
    }
    catch (e) {
        // GitHub refused the dispatch outright (403, 404, 422): nothing started, so the claim is
        // withdrawn and a re-run after the fix decides afresh. An unknown outcome keeps the claim.
        if ((0,api_error/* isRefused */.H0)(e))
            await withdrawClaim(deps, req.sha, `dispatch refused (HTTP ${e.status})`, claimed);
        throw e;
    }
    // The deployment of this exact SHA (§21): after the claim, recorded with the run.
    const deploymentId = await openDeployment(deps, contextOf(ev), {
        sha: req.sha,
        run,
        task: 'deploy',
        version: ev.version?.tag ?? null,
        lookFirst: ev.ownClaim !== null,
    }, said);
    const recorded = await recordDispatched(deps, req.sha, { ...run, deploymentId }, claimed);
    await (0,governor_deps/* publishStatus */.G1)(said, deps, req.sha, 'success', (0,summary/* statusDescription */.$U)(reportOf(deps, ev, req.sha)), run.url, config.status_context);
    await noticeApproved(step, { sha: req.sha, runUrl: run.url });
    const banner = req.breakGlass
        ? await announceBreakGlass(step, {
            bypassed: ev.decision.bypassed ?? [],
            runUrl: run.url,
            stage,
        })
        : null;
    const dispatched = reportOf(deps, ev, req.sha, {
        said,
        stateCommit: recorded ?? claimed.head,
        deployRunUrl: run.url,
        banner,
    });
    // The pipeline table shows the dispatch in flight on its stage.
    const pipeline = dispatched.pipeline?.map((r) => r.stage === ev.stage?.name ? { ...r, inFlight: { sha: req.sha, runUrl: run.url } } : r) ?? null;
    return (0,summary/* buildReport */.FK)({ ...dispatched, pipeline });
}
/** A notice is a courtesy: whatever goes wrong with it is a warning, never a failed decision. */
async function softly(said, what, call) {
    try {
        await call();
    }
    catch (e) {
        said.warn(`${what} could not be written: ${e.message}`);
    }
}
/**
 * A soft HOLD asks the people who can clear it: one comment on each merged pull request whose
 * paths need approval, edited in place on each re-evaluation (notify_pull_requests).
 */
async function noticeHeld({ deps, req, ev, config, said }) {
    const sha = req.sha;
    const u = ev.decision.unblock;
    if (!config.notify_pull_requests || u?.kind !== 'soft')
        return;
    const approvals = ev.approvals;
    const steps = (0,unblock/* unblockSteps */.OH)(u, {
        runUrl: deps.run.url,
        environmentName: config.production_environment_name,
    });
    for (const pr of u.pulls.slice(0, 10)) {
        const paths = pr.paths.slice(0, 10).map((p) => `\`${p}\``);
        const more = pr.paths.length > 10 ? ` and ${pr.paths.length - 10} more` : '';
        const who = [
            `${config.approver_permission} access or higher`,
            config.approvers.length ? `one of ${config.approvers.join(', ')}` : null,
            config.prevent_self_approval ? 'not the author of this pull request' : null,
        ]
            .filter(Boolean)
            .join(', ');
        const body = [
            `**Release Governor: the deploy of \`${(0,types/* shortSha */.Fu)(sha)}\` is held** (\`${u.reason}\`, risk ${ev.decision.risk ?? '—'}).`,
            '',
            `This pull request changed paths that need an approval: ${paths.join(', ')}${more}.`,
            '',
            `${(0,unblock/* noticeApproveLine */.ic)(steps, pr.number)} An approver needs ${who}.${approvals && approvals.required > 1 ? ` Each path needs ${approvals.required} distinct approvers; ${(0,summary/* approvalCount */.FG)(approvals)} so far.` : ''} The governor then deploys by itself.`,
            '',
            ...ignoredHere(approvals, pr.number),
            deps.run.url ? `[The governor run](${deps.run.url})` : '',
        ].join('\n');
        await softly(said, `the notice on #${pr.number}`, () => postNotice(deps, pr.number, { sha, state: 'held', body, create: true }));
    }
}
/** Puts a pull request's notice in its state, superseding the older held notices there. */
async function postNotice(deps, pull, notice) {
    const edits = noticeEdits(await deps.gh.comments(pull), notice);
    for (const old of edits.superseded)
        await deps.gh.writeComment(pull, old.id, old.body);
    if (edits.write)
        await deps.gh.writeComment(pull, edits.write.id, edits.write.body);
}
/** The approvals on this pull request that did not count, and why (for its notice). */
function ignoredHere(approvals, pull) {
    const here = (approvals?.ignored ?? []).filter((a) => a.pull === pull);
    if (here.length === 0)
        return [];
    return ['Not counted:', ...here.slice(0, 5).map((a) => `- ${a.detail}`), ''];
}
/** The hold cleared: the notices that asked for it say who approved and that it deploys. */
async function noticeApproved({ deps, ev, config, said }, deploy) {
    const { sha, runUrl } = deploy;
    if (!config.notify_pull_requests || !ev.approvals)
        return;
    const byPull = new Map();
    for (const a of ev.approvals.valid)
        if (a.pull !== null && a.actor)
            byPull.set(a.pull, [...(byPull.get(a.pull) ?? []), a.actor]);
    for (const [pull, actors] of byPull) {
        const body = `**Release Governor: approved by ${[...new Set(actors)].map((a) => `@${a}`).join(', ')}; deploying \`${(0,types/* shortSha */.Fu)(sha)}\`**: ${runUrl}`;
        await softly(said, `the notice on #${pull}`, () => postNotice(deps, pull, { sha, state: 'approved', body, create: false }));
    }
}
/** Break-glass leaves a loud trail: an issue labelled break-glass, and the banner returned. */
async function announceBreakGlass({ deps, req, said }, deploy) {
    const { bypassed, runUrl, stage } = deploy;
    const bg = req.breakGlass;
    const banner = `BREAK-GLASS deploy of ${(0,types/* shortSha */.Fu)(req.sha)} to ${stage} by @${bg.actor}: "${bg.reason}". Bypassed: ${bypassed.length ? bypassed.join(', ') : 'nothing (no hold applied)'}.`;
    const title = `Break-glass deploy of ${(0,types/* shortSha */.Fu)(req.sha)} to ${stage} by @${bg.actor}`;
    const body = [
        `@${bg.actor} deployed \`${req.sha}\` to **${stage}** with break-glass.`,
        '',
        `- Why: ${bg.reason}`,
        `- Holds bypassed: ${bypassed.length ? bypassed.map((b) => `\`${b}\``).join(', ') : 'none applied'}`,
        `- Deploy run: ${runUrl}`,
        `- Governor run: ${deps.run.url ?? '(not in Actions)'}`,
        '',
        'Close this issue once the emergency change has been reviewed after the fact.',
    ].join('\n');
    const open = await deps.gh.findOpenIssue(title, ['break-glass']);
    if (open !== null)
        return banner;
    await (0,governor_deps/* bestEffort */.z$)(said, `the break-glass issue`, async () => {
        const n = await deps.gh.openIssue(title, body, ['break-glass']);
        said.note(`Opened #${n}: ${title}.`);
    });
    return banner;
}

;// CONCATENATED MODULE: ./src/governor/approval.ts
// An approval may have landed (SPEC §7): a label on a pull request, a comment on one, a comment
// on a commit. The event only says "look again": the governor never checks out or runs code from
// it, and reads the approvals themselves from the API. What cannot approve anything ends at once
// with SKIP not_an_approval and no write; otherwise the held commit is decided again by the same
// rules and claim protocol, so an approval and a re-run at the same moment still dispatch once.





async function approvalLanded(deps, ev) {
    const snapshot = await deps.store.read();
    const production = (0,domain_state/* policyShaOf */.gi)(snapshot.pipeline ?? snapshot.release);
    const read = await readConfig(deps, production, deps.defaultBranch);
    const skip = (reason, headline) => (0,summary/* buildReport */.FK)({
        outcome: 'SKIP',
        reason,
        productionSha: production,
        headline,
        runUrl: deps.run.url,
        dryRun: deps.dryRun,
    });
    if (read.disabled || !read.config)
        return skip('disabled', read.why ?? 'The governor is disabled for this repository.');
    const c = read.config;
    const where = ev.pull !== null ? `#${ev.pull}` : ev.commit ? (0,types/* shortSha */.Fu)(ev.commit) : 'an issue';
    const mode = ev.source === 'label' ? 'label' : 'comment';
    if (ev.source === 'label' && ev.text !== c.approval_label)
        return skip('not_an_approval', `The label ${JSON.stringify(ev.text)} on ${where} is not the approval label (${c.approval_label}); nothing to look at again.`);
    if (ev.source !== 'label' && ev.text !== c.approval_command)
        return skip('not_an_approval', `The comment on ${where} does not start with ${c.approval_command}; nothing to look at again.`);
    if (!c.approval_mode.includes(mode))
        return skip('not_an_approval', `approval_mode does not include ${mode}: a ${mode} on ${where} approves nothing.`);
    if (ev.source === 'comment' && ev.pull === null)
        return skip('not_an_approval', 'A comment on an issue that is not a pull request approves nothing.');
    if (ev.merged === false)
        return skip('not_an_approval', `Pull request ${where} is not merged: an approval counts only after the merge (the content could still change before it).`);
    // The held commit: the one commented on, else the newest verified commit of the release
    // branch (it contains every merged pull request; if this one is not in its range, its
    // approval does not count there and the hold stands, quietly).
    const sha = ev.commit ?? (await deps.gh.newestVerified(c.verification_workflow, c.branch));
    if (!sha)
        return skip('not_an_approval', `No successful push run of ${c.verification_workflow} on ${c.branch}: nothing is held.`);
    const report = await decideAndAct(deps, { sha, manual: ev.commit !== null, approval: true, quiet: true }, read);
    return (0,summary/* buildReport */.FK)({
        ...report,
        headline: `${ev.source === 'label' ? 'Label' : 'Comment'} by @${ev.actor ?? 'someone'} on ${where}: ${report.headline}`,
    });
}

// EXTERNAL MODULE: ./src/domain/health.ts
var domain_health = __webpack_require__(85876);
;// CONCATENATED MODULE: ./src/governor/verify.ts
// Post-deploy verification and automatic rollback (SPEC §15). A deploy that succeeded on a stage
// with a health check is verified before it counts as live and healthy: its URL is probed (or a
// smoke-test workflow dispatched and its conclusion awaited). A pass verifies the stage; a fail
// marks the deploy failed and, with `rollback`, puts the stage's last healthy SHA back — exactly
// once, through the claim protocol — and opens one issue that holds further deploys (rule 9).









/** The deploy entry of `sha` a health check is about (that run's, else the newest of the SHA). */
function deployEntry(release, sha, runId) {
    return (release.deploy_history.find((h) => h.sha === sha && runId !== null && h.run_id === runId) ??
        release.deploy_history.find((h) => h.sha === sha) ??
        null);
}
/** A pending check whose runner must have died: older than its duration, a minute and the grace. */
function staleCheck(pending, now) {
    const budget = (pending.thresholds.duration_seconds + 60) * 1000 + governor_deps/* CLAIM_GRACE_MS */.Jq;
    return now.getTime() - Date.parse(pending.started_at) > budget;
}
/** Whether this run may run (or take over) a pending check: its own, an earlier attempt's, or stale. */
function mayRun(deps, pending) {
    if (pending.by === (0,governor_deps/* claimedBy */.dl)(deps) || (0,governor_deps/* isEarlierAttempt */.yW)(pending.by, deps))
        return true;
    return staleCheck(pending, deps.now());
}
/**
 * The report fields a check sets, over the caller's `headline`: a failed check's verdict
 * replaces the run's outcome and headline; a pass adds its line to the headline.
 */
function checkedReport(c, headline) {
    return {
        ...(c.healthCheck ? { healthCheck: c.healthCheck } : {}),
        ...(c.stateCommit ? { stateCommit: c.stateCommit } : {}),
        ...(c.deployRunUrl ? { deployRunUrl: c.deployRunUrl } : {}),
        ...(c.version ? { version: c.version } : {}),
        ...(c.verdict
            ? { ...c.verdict }
            : { headline: c.passed ? `${headline} ${c.passed}`.trim() : headline }),
    };
}
const NOTHING_CHECKED = {
    verified: false,
    healthCheck: null,
    verdict: null,
    passed: null,
    stateCommit: null,
    deployRunUrl: null,
    version: null,
};
/**
 * Verifies the stage's deploy of `sha` (run `runId`), whose success was just recorded with its
 * health check pending. Returns what the check found (`verified`: the stage now runs `sha`
 * verified: its check passed, now or before).
 */
async function verifyDeploy(t, 
/** The state as the caller just wrote or read it (with `sha`'s record), to save a read. */
known) {
    const { deps, ctx, sha, runId, said } = t;
    const check = ctx.stage.health;
    const snap = known ?? (await deps.store.read(sha));
    const entry = deployEntry(snap.release, sha, runId);
    const last = (0,domain_health/* asHealthResult */.Q)(snap.release.last_health_check);
    const recorded = last && last.sha === sha ? last : null;
    if (entry?.health_check === 'passed') {
        said.note(`The health check of ${(0,types/* shortSha */.Fu)(sha)} on ${ctx.stage.name} passed already.`);
        const version = await publishRelease(t, sha, snap);
        return { ...NOTHING_CHECKED, verified: true, version };
    }
    // A failed check never verifies the stage (whether it rolled back or not).
    if (entry?.health_check === 'failed' && recorded)
        return { ...(await healthFailed(t, recorded, snap)), verified: false };
    const pending = recorded?.verdict === 'pending'
        ? recorded
        : (0,domain_health/* pendingCheck */.WQ)(sha, check, deps.now(), (0,governor_deps/* claimedBy */.dl)(deps));
    if (!mayRun(deps, pending)) {
        said.note(`The health check of ${(0,types/* shortSha */.Fu)(sha)} on ${ctx.stage.name} is being run by ${pending.by} (since ${pending.started_at}).`);
        return NOTHING_CHECKED;
    }
    if (check.workflow !== undefined)
        return { ...NOTHING_CHECKED, healthCheck: await startSmokeTests(t, pending, snap) };
    deps.log(`Verifying ${ctx.stage.name} at ${(0,types/* shortSha */.Fu)(sha)}: probing ${check.url} every ${check.interval_seconds} s for ${check.duration_seconds} s.`);
    const samples = await deps.probe(check, deps.log);
    const result = (0,domain_health/* judgeProbes */.$K)({ ...pending, by: (0,governor_deps/* claimedBy */.dl)(deps) }, samples, deps.now());
    return concludeCheck(t, result, snap);
}
/** workflow mode: dispatch the smoke tests once and record their run; the verdict comes later. */
async function startSmokeTests(t, pending, snap) {
    const { deps, ctx, sha, runId, said } = t;
    const check = ctx.stage.health;
    const workflow = check.workflow;
    const environment = ctx.environment ?? ctx.stage.environment;
    if (pending.run_id !== null) {
        said.note(`Smoke tests of ${(0,types/* shortSha */.Fu)(sha)} are running: ${pending.run_url}`);
        return null;
    }
    // Claimed by this run first (a re-run then looks for the run instead of dispatching again).
    const mine = { ...pending, by: (0,governor_deps/* claimedBy */.dl)(deps) };
    await (0,governor_deps/* writeState */.aO)(deps, sha, (s) => {
        const cur = (0,domain_health/* asHealthResult */.Q)(s.release.last_health_check);
        if (cur && cur.sha === sha && cur.by === mine.by && cur.verdict === 'pending')
            return null;
        return {
            files: { [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)((0,domain_state/* withHealthCheck */.X5)(s.release, sha, runId, mine)) },
            message: `verify ${(0,types/* shortSha */.Fu)(sha)} on ${ctx.stage.name}: smoke tests`,
        };
    }, snap);
    const run = await dispatchOnce(deps, { ...ctx.config, deploy_workflow: workflow }, { sha, environment });
    const started = { ...mine, run_id: run.id, run_url: run.url };
    await (0,governor_deps/* writeState */.aO)(deps, sha, (s) => {
        const cur = (0,domain_health/* asHealthResult */.Q)(s.release.last_health_check);
        if (cur && cur.sha === sha && cur.run_id === run.id)
            return null;
        return {
            files: { [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)((0,domain_state/* withHealthCheck */.X5)(s.release, sha, runId, started)) },
            message: `verify ${(0,types/* shortSha */.Fu)(sha)} on ${ctx.stage.name}: smoke tests in run ${run.id}`,
        };
    });
    said.note(`Verification of ${(0,types/* shortSha */.Fu)(sha)} on ${ctx.stage.name}: dispatched the smoke tests ${run.url}; their conclusion verifies the stage or rolls it back.`);
    await (0,governor_deps/* publishStatus */.G1)(said, deps, sha, 'pending', `Verifying ${ctx.stage.name}: smoke tests running`, run.url, ctx.config.status_context);
    return started;
}
/**
 * The smoke-test run of a pending check finished: its conclusion is the verdict. Returns the
 * SHA checked (null: the run is no stage's pending check) and what the check found; `headline`
 * when the run concluded nothing new.
 */
async function smokeTestsFinished(on, run, 
/** The stage's state as the caller read it (saves a read). */
known) {
    const { deps, ctx } = on;
    const snap = known ?? (await deps.store.read());
    const pending = (0,domain_health/* asHealthResult */.Q)(snap.release.last_health_check);
    if (!pending || pending.run_id !== run.id)
        return {
            sha: null,
            checked: NOTHING_CHECKED,
            headline: `Smoke-test run ${run.url} finished, but it is not the pending check of ${ctx.stage.name}; nothing recorded.`,
        };
    const entry = deployEntry(snap.release, pending.sha, null);
    const target = { ...on, sha: pending.sha, runId: entry?.run_id ?? null };
    if (pending.verdict !== 'pending') {
        const headline = `The health check of ${(0,types/* shortSha */.Fu)(pending.sha)} on ${ctx.stage.name} was concluded already (${pending.verdict}).`;
        const checked = pending.verdict === 'fail'
            ? await healthFailed(target, pending, snap)
            : { ...NOTHING_CHECKED, verified: pending.verdict === 'pass' };
        return {
            sha: pending.sha,
            checked: { ...checked, verified: pending.verdict === 'pass' },
            headline,
        };
    }
    const result = (0,domain_health/* judgeRun */.Zy)(pending, run, deps.now());
    return { sha: pending.sha, checked: await concludeCheck(target, result, snap), headline: null };
}
/** Records the verdict; a pass verifies the stage, a fail rolls it back. */
async function concludeCheck(t, result, first) {
    const { deps, ctx, sha, runId, said } = t;
    const stage = ctx.stage.name;
    if (result.verdict === 'pass') {
        const written = await (0,governor_deps/* writeState */.aO)(deps, sha, (s) => {
            if (deployEntry(s.release, sha, runId)?.health_check !== 'pending')
                return null;
            return {
                files: {
                    [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)((0,domain_state/* withHealthCheck */.X5)(s.release, sha, runId, result)),
                    ...(0,governor_deps/* evidence */.MX)(deps, { kind: 'health_check', sha, keepDays: ctx.config.evidence_retention_days }, { health_check: result }),
                },
                message: `verified ${(0,types/* shortSha */.Fu)(sha)} on ${stage}: health check passed`,
            };
        }, first);
        // The deploy's deployment (§21): verified, once — by the run that recorded the verdict.
        if (written)
            await deploymentOutcome(deps, ctx, {
                id: deployEntry(written.snapshot.release, sha, runId)?.deployment_id,
                state: 'success',
                logUrl: result.run_url ?? deps.run.url,
            }, said);
        await (0,governor_deps/* publishStatus */.G1)(said, deps, sha, 'success', `Verified on ${stage} · ${(0,types/* shortSha */.Fu)(sha)}`, result.run_url ?? deps.run.url, ctx.config.status_context);
        return {
            ...NOTHING_CHECKED,
            verified: true,
            healthCheck: result,
            passed: `Health check passed: ${(0,domain_health/* describeResult */.dy)(result)}.`,
            stateCommit: written?.head ?? null,
            version: await publishRelease(t, sha),
        };
    }
    return { ...(await healthFailed(t, result, first)), verified: false };
}
/**
 * A failed check: the deploy is failed; with `rollback` and somewhere healthy to go, the stage's
 * last healthy SHA is claimed and dispatched exactly once; one issue says what happened.
 * The verdict is ROLLBACK when the stage was (or is being) rolled back, else HOLD.
 */
async function healthFailed(t, result, first) {
    const { deps, ctx, sha: bad, said } = t;
    const stage = ctx.stage.name;
    const { state, head } = await recordHealthFailure(t, result, first);
    // The bad deploy's deployment (§21): failed, once — by the run that recorded the failure.
    if (head !== null)
        await deploymentOutcome(deps, ctx, {
            id: deployEntry(state, bad, t.runId)?.deployment_id,
            state: 'failure',
            logUrl: result.run_url ?? deps.run.url,
            why: `Health check failed: ${result.reasons.join('; ')}`.slice(0, 140),
        }, said);
    const rb = (0,domain_state/* rollbackOf */.ID)(state, bad);
    const failed = { ...NOTHING_CHECKED, healthCheck: result, stateCommit: head };
    if (!rb)
        return { ...failed, verdict: await notRolledBack(t, result, state) };
    const verdict = {
        outcome: 'ROLLBACK',
        reason: 'health_check_failed',
        sha: bad,
        headline: `ROLLBACK of ${stage} from ${(0,types/* shortSha */.Fu)(bad)} to ${(0,types/* shortSha */.Fu)(rb.sha)}: the health check failed (${result.reasons.join('; ')}).`,
    };
    const runUrl = await dispatchRollback(deps, ctx, rb, said);
    if (runUrl === null)
        return { ...failed, verdict };
    if (!rb.issue_number) {
        const issue = await openOnce(t, {
            title: `Automatic rollback of ${stage} from ${(0,types/* shortSha */.Fu)(bad)} to ${(0,types/* shortSha */.Fu)(rb.sha)}: health check failed`,
            body: issueBody(ctx, result, { bad, target: rb.sha, why: null, rollbackRun: runUrl }),
            recorded: null,
        });
        if (issue !== null)
            await recordIssue(deps, rb.sha, (h) => h.rollback_of === bad && h.sha === rb.sha, issue);
    }
    await (0,governor_deps/* publishStatus */.G1)(said, deps, bad, 'failure', `Health check failed on ${stage}: rolled back to ${(0,types/* shortSha */.Fu)(rb.sha)}`, runUrl ?? deps.run.url, ctx.config.status_context);
    said.note(`Health check: ${(0,domain_health/* describeResult */.dy)(result)}.`);
    return { ...failed, verdict, deployRunUrl: runUrl };
}
/**
 * The failed check on the state branch, and the rollback claimed with it when the stage rolls
 * back and has somewhere to go. Returns the release as it stands after the write.
 */
async function recordHealthFailure(t, result, first) {
    const { deps, ctx, sha: bad, runId } = t;
    const check = ctx.stage.health;
    const keepDays = ctx.config.evidence_retention_days;
    const stage = ctx.stage.name;
    const me = (0,governor_deps/* claimedBy */.dl)(deps);
    let after = null;
    const written = await (0,governor_deps/* writeState */.aO)(deps, bad, (s) => {
        let r = s.release;
        if (deployEntry(r, bad, runId)?.health_check !== 'failed')
            r = (0,domain_state/* withHealthCheck */.X5)(r, bad, runId, result);
        const target = (0,domain_state/* healthyTarget */.n6)(r, bad);
        if (check.rollback && target && !(0,domain_state/* rollbackOf */.ID)(r, bad) && r.production_sha_current === bad)
            r = (0,domain_state/* claimRollback */.Bz)(r, bad, target, deps.now(), me);
        after = r;
        if (r === s.release)
            return null;
        const rb = (0,domain_state/* rollbackOf */.ID)(r, bad);
        const record = s.decision
            ? (0,domain_state/* withLifecycle */.Tk)(s.decision, {
                state: rb ? 'rolled_back' : 'failed',
                finished_at: result.finished_at,
                conclusion: 'health_check_failed',
            })
            : null;
        return {
            files: {
                [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)(r),
                ...(record ? { [(0,domain_state/* decisionPath */._m)(bad)]: (0,domain_state/* serialize */.lK)(record) } : {}),
                ...(rb
                    ? (0,governor_deps/* evidence */.MX)(deps, { kind: 'rollback', sha: bad, keepDays }, {
                        trigger: 'health_check',
                        from: bad,
                        to: rb.sha,
                        health_check: result,
                    })
                    : (0,governor_deps/* evidence */.MX)(deps, { kind: 'health_check', sha: bad, keepDays }, { health_check: result })),
            },
            message: rb
                ? `rollback ${stage} from ${(0,types/* shortSha */.Fu)(bad)} to ${(0,types/* shortSha */.Fu)(rb.sha)}: health check failed`
                : `failed ${(0,types/* shortSha */.Fu)(bad)} on ${stage}: health check failed`,
        };
    }, first);
    return {
        state: after ?? (await deps.store.read(bad)).release,
        head: written?.head ?? null,
    };
}
/** A failed check with no rollback: HOLD, an issue (once), the commit status. */
async function notRolledBack(t, result, state) {
    const { deps, ctx, sha: bad, runId, said } = t;
    const stage = ctx.stage.name;
    const why = !ctx.stage.health.rollback
        ? 'rollback is off for this stage (health_check.rollback: false)'
        : 'there is no earlier SHA whose deploy and health check both passed to return to';
    const issue = await openOnce(t, {
        title: `Health check of ${stage} failed on ${(0,types/* shortSha */.Fu)(bad)}: not rolled back`,
        body: issueBody(ctx, result, { bad, target: null, why, rollbackRun: null }),
        recorded: deployEntry(state, bad, runId)?.issue_number ?? null,
    });
    if (issue !== null)
        await recordIssue(deps, bad, (h) => h.sha === bad, issue);
    await (0,governor_deps/* publishStatus */.G1)(said, deps, bad, 'failure', `Health check failed on ${stage} · ${(0,types/* shortSha */.Fu)(bad)}`, deps.run.url, ctx.config.status_context);
    return {
        outcome: 'HOLD',
        reason: 'health_check_failed',
        sha: bad,
        headline: `Health check of ${(0,types/* shortSha */.Fu)(bad)} on ${stage} failed (${result.reasons.join('; ')}); not rolled back: ${why}.`,
    };
}
/**
 * Dispatches a claimed rollback exactly once: not again when its run is recorded, not when
 * another live run owns the claim. Returns the rollback run's URL, or null (another run's).
 */
async function dispatchRollback(deps, ctx, rb, said) {
    if (rb.run_id !== null) {
        said.note(`The rollback was dispatched already: ${rb.run_url}. Nothing dispatched again.`);
        return rb.run_url;
    }
    const mine = rb.claimed_by === (0,governor_deps/* claimedBy */.dl)(deps) ||
        (0,governor_deps/* isEarlierAttempt */.yW)(rb.claimed_by, deps) ||
        deps.now().getTime() - Date.parse(rb.time) > governor_deps/* CLAIM_GRACE_MS */.Jq;
    if (!mine) {
        said.note(`The rollback was claimed by ${rb.claimed_by}, which dispatches it.`);
        return null;
    }
    const run = await dispatchOnce(deps, ctx.config, {
        sha: rb.sha,
        environment: ctx.environment,
        version: rb.version ?? null,
    });
    // The rollback's own deployment (§21, task deploy:rollback), recorded with its run.
    const deploymentId = await openDeployment(deps, ctx, {
        sha: rb.sha,
        run,
        task: 'deploy:rollback',
        version: rb.version ?? null,
        lookFirst: rb.claimed_by !== (0,governor_deps/* claimedBy */.dl)(deps),
    }, said);
    await recordDispatched(deps, rb.sha, { ...run, deploymentId });
    return run.url;
}
function issueBody(ctx, r, what) {
    const { bad, target, why, rollbackRun } = what;
    const t = r.thresholds;
    const lines = [
        target
            ? `The health check of \`${bad}\` on **${ctx.stage.name}** failed, and the governor rolled ${ctx.stage.name} back to \`${target}\`, its last SHA whose deploy and health check both passed.`
            : `The health check of \`${bad}\` on **${ctx.stage.name}** failed. It was **not** rolled back: ${why}.`,
        '',
        `**Why it failed:** ${r.reasons.join('; ')}.`,
        '',
        '| | measured | threshold |',
        '|---|---|---|',
    ];
    if (r.mode === 'url') {
        lines.push(`| error rate | ${r.error_rate === null ? '—' : `${(r.error_rate * 100).toFixed(1)} % (${r.errors} of ${r.probes} probes)`} | ${(t.max_error_rate * 100).toFixed(1)} % |`, `| p95 latency | ${r.p95_ms === null ? '—' : `${Math.round(r.p95_ms)} ms`} | ${t.max_latency_ms} ms |`, `| p50 latency | ${r.p50_ms === null ? '—' : `${Math.round(r.p50_ms)} ms`} | |`, `| probes | ${r.probes} over ${t.duration_seconds} s, every ${t.interval_seconds} s, timeout ${t.timeout_ms} ms | expect ${t.expect_status} |`);
    }
    else
        lines.push(`| smoke tests | ${r.conclusion ?? '—'} (${r.run_url ?? 'no run'}) | success |`);
    if (r.first_failures.length > 0) {
        lines.push('', '**First failures:**', '');
        for (const f of r.first_failures)
            lines.push(`- ${f.at}: ${f.error} (${Math.round(f.ms)} ms)`);
    }
    lines.push('');
    if (rollbackRun)
        lines.push(`- Rollback deploy: ${rollbackRun}`);
    lines.push('', `While this issue is open it is an active incident (its labels are in \`incident_labels\`): the governor holds further deploys (rule 9) until a person closes it. \`${(0,types/* shortSha */.Fu)(bad)}\` goes back to ${ctx.stage.name} only when someone approves that SHA again (\`previously_rolled_back\`).`);
    return lines.join('\n');
}
/** Opens the issue unless it is recorded or already open (a re-run, or a lost answer). */
async function openOnce(t, issue) {
    const { deps, said } = t;
    const { body, recorded } = issue;
    if (recorded !== null)
        return recorded;
    const { title, labels } = serviceIssue(t.ctx.config, {
        title: issue.title,
        labels: t.ctx.config.rollback_labels,
    });
    const open = await deps.gh.findOpenIssue(title, labels);
    if (open !== null)
        return open;
    try {
        const n = await deps.gh.openIssue(title, body, labels);
        said.note(`Opened #${n}: ${title}.`);
        return n;
    }
    catch (e) {
        if (!(0,api_error/* isUnanswered */.Ni)(e))
            throw e;
        const found = await deps.gh.findOpenIssue(title, labels);
        if (found === null) {
            await (0,governor_deps/* bestEffort */.z$)(said, `the issue "${title}"`, () => Promise.reject(e));
            return null;
        }
        return found;
    }
}
async function recordIssue(deps, sha, match, issue) {
    await (0,governor_deps/* writeState */.aO)(deps, sha, (s) => {
        const e = s.release.deploy_history.find(match);
        if (!e || e.issue_number === issue)
            return null;
        const release = {
            ...s.release,
            deploy_history: s.release.deploy_history.map((h) => h === e ? { ...h, issue_number: issue } : h),
        };
        return {
            files: { [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)(release) },
            message: `issue #${issue} for ${(0,types/* shortSha */.Fu)(sha)}`,
        };
    });
}

;// CONCATENATED MODULE: ./src/governor/controls.ts
// Operator controls (SPEC §16): break-glass deploys and manual rollbacks. Both are asked for by a
// person through workflow_dispatch (or the CLI), both check that person's role before anything is
// written, and both go through the same rules engine and claim protocol as every decision.












/** The exact text the `break-glass` input must hold. */
const BREAK_GLASS_TEXT = 'DEPLOY-NOW';
const NOTHING = 'Nothing was dispatched or written.';
/**
 * Services (§20): an operator's command acts on one named service — its config, and a store
 * presenting its last stage. Without services the governor unchanged (a service named is an
 * error).
 */
function forNamedService(deps, config, { service, what }) {
    if (!config.services) {
        if (service)
            throw new governor_deps/* GovernorError */.$2(`The service input is ${JSON.stringify(service)}, but the policy in force has no services: the repository is one deployable. ${NOTHING}`);
        return { deps, config };
    }
    if (!service)
        throw new governor_deps/* GovernorError */.$2(`With services, ${what} names the service it is for: set the service input to one of ${config.services.map((s) => s.name).join(', ')}. ${NOTHING}`);
    const own = forService({ config }, service).config;
    const layout = layoutOf(config);
    deps.store.useServices(layout);
    const last = layout.find((l) => l.name === service).lastStage;
    const store = deps.store.forTarget({ service, stage: last, isLast: true });
    return { deps: { ...deps, store }, config: own };
}
/** The trusted policy, read at production's SHA (or the SHA, before a first deploy). */
async function policy(deps, sha) {
    const snapshot = await deps.store.read(sha ?? undefined);
    const production = (0,domain_state/* policyShaOf */.gi)(snapshot.pipeline ?? snapshot.release);
    const read = await readConfig(deps, production, sha ?? deps.defaultBranch);
    return { snapshot, read };
}
async function mustHaveRole(deps, actor, need) {
    const { minimum, what, key } = need;
    if (!actor)
        throw new governor_deps/* GovernorError */.$2(`${what} needs to know who asked (triggering_actor or sender), and the event names nobody. ${NOTHING}`);
    const person = await deps.gh.person(actor);
    if (!hasRole(person, minimum))
        throw new governor_deps/* GovernorError */.$2(`@${actor} may not ${what}: it needs ${minimum} access or higher (${key}), and never a bot; @${actor} has ${person.isBot ? 'a bot account' : `${person.role ?? 'no'} access`}. ${NOTHING}`, `Ask someone with ${minimum} access on the repository to run it.`);
    return actor;
}
/**
 * A break-glass deploy: exactly `DEPLOY-NOW`, a reason, and a person with
 * `break_glass_permission`; then the rules, with the soft and wait holds bypassed and recorded.
 */
async function breakGlass(deps, req) {
    if (req.text !== BREAK_GLASS_TEXT)
        throw new governor_deps/* GovernorError */.$2(`The break-glass input must be exactly ${BREAK_GLASS_TEXT}; got ${JSON.stringify(req.text.slice(0, 40))}. ${NOTHING}`, `Type ${BREAK_GLASS_TEXT} (in capitals) to confirm a deploy that bypasses the holds, with a reason.`);
    if (!req.reason.trim())
        throw new governor_deps/* GovernorError */.$2(`A break-glass deploy needs a reason (the reason input): it goes into the issue and the record. ${NOTHING}`);
    if (!(0,types/* isFullSha */.Wf)(req.sha))
        throw new governor_deps/* GovernorError */.$2(`${JSON.stringify(req.sha)} is not a full 40-character SHA.`);
    const { snapshot, read } = await policy(deps, req.sha);
    if (read.config && !read.disabled) {
        forNamedService(deps, read.config, { service: req.service, what: 'a break-glass deploy' });
        await mustHaveRole(deps, req.actor, {
            minimum: read.config.break_glass_permission,
            what: 'break the glass',
            key: 'break_glass_permission',
        });
    }
    return decideAndAct(deps, {
        sha: req.sha,
        manual: true,
        ...(req.stage ? { stage: req.stage } : {}),
        ...(req.service ? { service: req.service } : {}),
        breakGlass: { actor: req.actor ?? '', reason: req.reason.trim() },
    }, { ...read, snapshot });
}
const TAG_NAME = /^[A-Za-z0-9_][A-Za-z0-9._/-]*$/;
/**
 * The SHA a version tag names (§18: `rollback --to v1.4.1`): the stage's own record of the
 * version, else the tag itself (dereferenced to its commit).
 */
async function tagged(deps, release, name, stage) {
    const recorded = release.deploy_history.find((h) => h.version === name)?.sha;
    if (recorded)
        return recorded;
    const sha = await deps.gh.tagTarget(name);
    if (!sha)
        throw new governor_deps/* GovernorError */.$2(`${name} is not a tag of this repository, and no deploy to ${stage} was versioned ${name}. ${NOTHING}`);
    return sha;
}
/**
 * Where a rollback of the stage goes: a rollback already claimed from what it runs, else the
 * SHA or tag named, else the newest earlier SHA whose deploy (and health check) passed — which
 * must have run there successfully and be an ancestor of what the stage runs.
 */
async function rollbackTarget(deps, { release, stage, req }) {
    const current = release.production_sha_current;
    const existing = (0,domain_state/* rollbackOf */.ID)(release, current);
    if (existing)
        return existing.sha;
    const named = req.sha === undefined || (0,types/* isFullSha */.Wf)(req.sha)
        ? req.sha
        : await tagged(deps, release, req.sha, stage);
    const target = named ?? (0,domain_state/* healthyTarget */.n6)(release, current);
    if (!target)
        throw new governor_deps/* GovernorError */.$2(`${stage} has no earlier SHA whose deploy (and health check) passed: name one with the sha input. ${NOTHING}`);
    if (target === current)
        throw new governor_deps/* GovernorError */.$2(`${stage} already runs ${(0,types/* shortSha */.Fu)(target)}. ${NOTHING}`);
    if (!release.deploy_history.some((h) => h.sha === target && h.result === 'success'))
        throw new governor_deps/* GovernorError */.$2(`${(0,types/* shortSha */.Fu)(target)} was never deployed successfully to ${stage}: a rollback returns only to a SHA that ran there. ${NOTHING}`);
    const status = (await deps.gh.compare(target, current)).status;
    if (status !== 'ahead')
        throw new governor_deps/* GovernorError */.$2(`${(0,types/* shortSha */.Fu)(target)} is not an ancestor of ${(0,types/* shortSha */.Fu)(current)}, which ${stage} runs (compare: ${status}): a rollback goes back along the line. ${NOTHING}`);
    return target;
}
/**
 * Claims the rollback on the state branch (once: a rollback already claimed from `current` is
 * taken as it is). Returns the rollback entry that stands, and the state commit written.
 */
async function claimRollbackOnce(sd, { stage, current, target, actor, reason, keepDays, }) {
    let claimedRelease = null;
    const written = await (0,governor_deps/* writeState */.aO)(sd, current, (s) => {
        if ((0,domain_state/* rollbackOf */.ID)(s.release, current))
            return null;
        if (s.release.production_sha_current !== current)
            return null;
        const release = (0,domain_state/* claimRollback */.Bz)(s.release, current, target, sd.now(), (0,governor_deps/* claimedBy */.dl)(sd));
        claimedRelease = release;
        const note = {
            at: sd.now().toISOString(),
            action: 'rollback',
            by: actor,
            reason,
            detail: `${stage} rolled back from ${current} to ${target}`,
        };
        const record = (0,domain_state/* withNote */.dW)(s.decision ? (0,domain_state/* withLifecycle */.Tk)(s.decision, { state: 'rolled_back' }) : null, current, current, note);
        return {
            files: {
                [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)(release),
                [(0,domain_state/* decisionPath */._m)(current)]: (0,domain_state/* serialize */.lK)(record),
                ...(0,governor_deps/* evidence */.MX)(sd, { kind: 'rollback', sha: current, keepDays }, {
                    trigger: 'manual',
                    from: current,
                    to: target,
                    actor,
                    reason,
                }),
            },
            message: `rollback ${stage} from ${(0,types/* shortSha */.Fu)(current)} to ${(0,types/* shortSha */.Fu)(target)} by @${actor}: ${reason.slice(0, 100)}`,
        };
    }, undefined);
    // What this run wrote is the state; else someone else's claim (or a move) is read.
    const after = written && claimedRelease ? claimedRelease : (await sd.store.read()).release;
    const rb = (0,domain_state/* rollbackOf */.ID)(after, current);
    if (!rb)
        throw new governor_deps/* GovernorError */.$2(`${stage} moved on while the rollback was being claimed (it now runs ${(0,types/* shortSha */.Fu)(after.production_sha_current ?? '')}). ${NOTHING}`, 'Look at the state, then ask again.');
    return { rb, head: written?.head ?? null };
}
/**
 * Who rolls back what: the actor (an approver), the service (with services) and its stage (the
 * last unless named), with that stage's deps and context.
 */
async function rollbackScope(deps, policy, req) {
    const { deps: on, config } = forNamedService(deps, policy, {
        service: req.service,
        what: 'a rollback',
    });
    const actor = await mustHaveRole(deps, req.actor, {
        minimum: config.approver_permission,
        what: 'roll back',
        key: 'approver_permission: rollbacks are for approvers',
    });
    const pipeline = pipelineOf(config);
    const stage = req.stage ? namedStage(pipeline, req.stage) : lastStage(pipeline);
    const ctx = stageContext(config, pipeline, stage);
    return { config, actor, stage, sd: stageDeps(on, stage), ctx };
}
/**
 * A manual rollback of a stage, by a valid approver: to a SHA deployed there successfully before
 * and an ancestor of what it runs; claimed and dispatched exactly once; the SHA rolled back from
 * is then held there (previously_rolled_back).
 */
async function manualRollback(deps, req) {
    if (!req.reason.trim())
        throw new governor_deps/* GovernorError */.$2(`A rollback needs a reason (the reason input): it goes into the record. ${NOTHING}`);
    if (req.sha !== undefined && !(0,types/* isFullSha */.Wf)(req.sha) && !TAG_NAME.test(req.sha))
        throw new governor_deps/* GovernorError */.$2(`${JSON.stringify(req.sha)} is neither a full 40-character SHA nor a tag name.`);
    const { read, snapshot } = await policy(deps, null);
    if (!read.config || read.disabled)
        throw new governor_deps/* GovernorError */.$2(`The governor is off for this repository: ${read.why ?? ''} ${NOTHING}`);
    const { config, actor, stage, sd, ctx } = await rollbackScope(deps, read.config, req);
    // The last stage is the view the policy's read presented: no second read for it (a service's
    // view is another one).
    const first = (config.service ? undefined : sameView(deps, stage, snapshot)) ?? (await sd.store.read());
    const current = first.release.production_sha_current;
    if (!current)
        throw new governor_deps/* GovernorError */.$2(`${stage.name} runs nothing yet: there is nothing to roll back. ${NOTHING}`);
    const target = await rollbackTarget(deps, { release: first.release, stage: stage.name, req });
    const said = new governor_deps/* Remarks */.M6();
    const report = (over) => (0,summary/* buildReport */.FK)({
        outcome: 'ROLLBACK',
        reason: 'manual_rollback',
        sha: target,
        productionSha: current,
        stage: stage.name,
        service: config.service?.name ?? null,
        runUrl: deps.run.url,
        dryRun: deps.dryRun,
        environmentName: stage.name,
        ...over,
        notes: said.notes,
        warnings: said.warnings,
    });
    if (deps.dryRun)
        return report({
            headline: `Dry run: would roll ${stage.name} back from ${(0,types/* shortSha */.Fu)(current)} to ${(0,types/* shortSha */.Fu)(target)}.`,
        });
    const { rb, head } = await claimRollbackOnce(sd, {
        stage: stage.name,
        current,
        target,
        actor,
        reason: req.reason.trim(),
        keepDays: config.evidence_retention_days,
    });
    const runUrl = await dispatchRollback(sd, ctx, rb, said);
    if (runUrl !== null && rb.run_id === null)
        await (0,governor_deps/* publishStatus */.G1)(said, sd, current, 'failure', `Rolled back from ${stage.name} by @${actor}`.slice(0, 140), runUrl, ctx.config.status_context);
    return report({
        sha: rb.sha,
        stateCommit: head,
        deployRunUrl: runUrl,
        headline: `ROLLBACK of ${stage.name} from ${(0,types/* shortSha */.Fu)(current)} to ${(0,types/* shortSha */.Fu)(rb.sha)} by @${actor}: ${req.reason.trim()}.`,
    });
}

;// CONCATENATED MODULE: ./src/governor/observe.ts
// A deploy run finished: record its outcome per (run id, attempt), move production forward
// only, and open or comment on the deploy-failure issue.










/**
 * `known.snapshot` is the stage's state read with the decision record of `known.readFor`; when
 * the run deployed another SHA (the ref moved on since the dispatch), that SHA's record is read.
 */
/**
 * Whether a successful deploy of `sha` moves the stage: forward along the line, or back from
 * the SHA a rollback left.
 */
async function movesStage(deps, release, { sha, rollback }) {
    const current = release.production_sha_current;
    if (rollback)
        return current === rollback.rollback_of;
    return (current === null ||
        (current !== sha && (await deps.gh.compare(current, sha)).status === 'ahead'));
}
async function observeDeploy(on, known) {
    const { deps, run, ctx } = on;
    const { snapshot: first, readFor } = known;
    const config = ctx.config;
    let snapshot = first;
    const said = new governor_deps/* Remarks */.M6();
    // The one place this observation's report is built: from what the steps below returned.
    const observed = (over, verified = false) => ({
        report: (0,summary/* buildReport */.FK)({
            outcome: 'SKIP',
            reason: 'not_a_release_candidate',
            runUrl: deps.run.url,
            dryRun: deps.dryRun,
            productionSha: first.release.production_sha_current,
            environmentName: config.production_environment_name,
            stage: deps.store.target?.stage ?? null,
            ...over,
            notes: said.notes,
            warnings: said.warnings,
        }),
        sha: over.sha ?? null,
        verified,
    });
    const byId = snapshot.release.deploy_history.find((h) => h.run_id === run.runId);
    const fromTitle = run.displayTitle.match(/\b[0-9a-f]{40}\b/)?.[0] ?? null;
    const sha = byId?.sha ?? fromTitle;
    if (!sha)
        return observed({
            headline: `Deploy run ${run.runId} finished (${run.conclusion ?? 'unknown'}) but names no commit: its run-name has no full SHA and the governor did not dispatch it. Nothing was recorded; add \`run-name: Deploy \${{ inputs.sha }}\` to the deploy workflow.`,
        });
    if (run.conclusion === null)
        return observed({
            sha,
            headline: `Deploy run ${run.runId} for ${(0,types/* shortSha */.Fu)(sha)} has not finished; nothing to record.`,
        });
    if (readFor !== sha)
        snapshot = await deps.store.read(sha);
    const success = run.conclusion === 'success';
    // Recorded per (run id, attempt): a redelivered event is a no-op, a re-run is a new outcome.
    const already = (0,domain_state/* recordedOutcome */.P0)(snapshot.release, sha, run.runId, run.runAttempt);
    const attempt = run.runAttempt > 1 ? ` (attempt ${run.runAttempt})` : '';
    const url = run.htmlUrl ?? `run ${run.runId}`;
    if (deps.dryRun)
        return observed({
            sha,
            headline: `Deploy of ${(0,types/* shortSha */.Fu)(sha)} ${success ? 'succeeded' : `failed (${run.conclusion})`}; dry run, nothing recorded.`,
        });
    // A rollback (§15) moves the stage back from the SHA it rolled back, on purpose.
    const rollback = snapshot.release.deploy_history.find((h) => h.run_id === run.runId && h.rollback_of) ?? null;
    const movesProduction = success && (await movesStage(deps, snapshot.release, { sha, rollback }));
    const health = success && movesProduction && !rollback && ctx.stage.health
        ? (0,domain_health/* pendingCheck */.WQ)(sha, ctx.stage.health, deps.now(), (0,governor_deps/* claimedBy */.dl)(deps))
        : null;
    const f = { deps, run, ctx, said };
    const recorded = already
        ? { after: snapshot, stateCommit: null }
        : await recordOutcome(f, snapshot, { sha, url, attempt, movesProduction, health });
    const after = recorded.after;
    const common = {
        sha,
        productionSha: after.release.production_sha_current,
        stateCommit: recorded.stateCommit,
    };
    const o = { sha, url, attempt, movesProduction, already: already !== null, after };
    // The deploy's deployment (§21): its outcome, once — by the run that recorded it.
    if (!already)
        await deploymentOfOutcome(f, { o, rollback, checking: health !== null });
    const end = await concluded(f, o, rollback);
    return observed({ ...common, ...end.over, stateCommit: end.stateCommit ?? common.stateCommit }, end.verified);
}
/** GitHub's conclusions that say the deploy ran and failed; any other is not an outcome. */
const FAILED = new Set(['failure', 'timed_out', 'startup_failure']);
/**
 * The status of the deploy's deployment after its outcome: failure (or error when the run was
 * cancelled or skipped: the outcome is not known), in_progress while its health check runs,
 * success when it is live, inactive when a newer deploy was live before it finished.
 */
async function deploymentOfOutcome({ deps, run, ctx, said }, { o, rollback, checking }) {
    const entry = o.after.release.deploy_history.find((h) => h.run_id === run.runId);
    const state = run.conclusion !== 'success'
        ? FAILED.has(run.conclusion ?? '')
            ? 'failure'
            : 'error'
        : checking
            ? 'in_progress'
            : o.movesProduction || rollback
                ? 'success'
                : 'inactive';
    await deploymentOutcome(deps, ctx, {
        id: entry?.deployment_id,
        state,
        logUrl: o.url.startsWith('http') ? o.url : null,
        ...(state === 'error'
            ? { why: `The deploy run ended ${run.conclusion ?? 'without a conclusion'}` }
            : {}),
        ...(state === 'inactive' ? { why: 'A newer deploy was live before this one finished' } : {}),
    }, said);
}
/**
 * After the outcome is recorded: a rollback's end, a failure's issue, or a success and its
 * health check. Returns what the report says and whether the stage runs the SHA verified.
 */
async function concluded(f, o, rollback) {
    const { deps, run, ctx, said } = f;
    const { sha, after } = o;
    if (rollback)
        return {
            over: { headline: await rollbackFinished(f, o, rollback) },
            stateCommit: null,
            verified: false,
        };
    if (run.conclusion !== 'success') {
        const failed = await reportFailure(f, o);
        return {
            over: { headline: failed.headline },
            stateCommit: failed.stateCommit,
            verified: false,
        };
    }
    const runs = after.release.production_sha_current === sha;
    const checked = runs && ctx.stage.health !== null;
    const headline = await announceSuccess(f, o, checked);
    if (!checked) {
        const version = runs ? await publishRelease({ deps, ctx, said }, sha, after) : null;
        return {
            over: { headline, ...(version ? { version } : {}) },
            stateCommit: null,
            verified: runs,
        };
    }
    const c = await verifyDeploy({ deps, ctx, sha, runId: run.runId, said }, after.head !== null ? after : undefined);
    const over = checkedReport(c, headline);
    return { over, stateCommit: over.stateCommit ?? null, verified: c.verified };
}
/** A rollback deploy finished: say so on its issue; if it failed too, stop there (never loop). */
async function rollbackFinished(f, o, entry) {
    const { deps, run, ctx, said } = f;
    const stage = ctx.stage.name;
    const success = run.conclusion === 'success';
    const bad = entry.rollback_of;
    const headline = success
        ? `Rollback of ${stage} to ${(0,types/* shortSha */.Fu)(o.sha)} succeeded${o.attempt}: ${stage} runs ${(0,types/* shortSha */.Fu)(o.after.release.production_sha_current ?? o.sha)} again, away from ${(0,types/* shortSha */.Fu)(bad)}.`
        : `The rollback of ${stage} to ${(0,types/* shortSha */.Fu)(o.sha)} failed (${run.conclusion})${o.attempt}. The governor does nothing more by itself: ${stage} still runs ${(0,types/* shortSha */.Fu)(bad)}, and a person must act.`;
    const issue = o.after.release.deploy_history.find((h) => h.run_id === run.runId)?.issue_number ?? null;
    if (issue !== null && !o.already)
        await (0,governor_deps/* bestEffort */.z$)(said, `the comment on #${issue}`, () => deps.gh.commentIssue(issue, success
            ? `The rollback deploy succeeded${o.attempt}: ${o.url}\n\n${stage} runs \`${o.sha}\` again.`
            : `The rollback deploy **failed** (\`${run.conclusion}\`)${o.attempt}: ${o.url}\n\n${stage} still runs \`${bad}\`. The governor will not retry the rollback by itself (it never loops): fix the cause, then deploy by hand or re-run the rollback run.`));
    await (0,governor_deps/* publishStatus */.G1)(said, deps, o.sha, success ? 'success' : 'failure', success
        ? `Rolled back ${stage} to ${(0,types/* shortSha */.Fu)(o.sha)}`
        : `Rollback of ${stage} failed (${run.conclusion})`.slice(0, 140), o.url.startsWith('http') ? o.url : deps.run.url, ctx.config.status_context);
    return headline;
}
/**
 * Records the outcome (one commit: release.json and the SHA's record) and returns the state
 * after it, built from what was written rather than read back.
 */
async function recordOutcome(f, snapshot, o) {
    const { deps, run, ctx } = f;
    const { sha, url, attempt, movesProduction, health } = o;
    const success = run.conclusion === 'success';
    let after = snapshot;
    const written = await (0,governor_deps/* writeState */.aO)(deps, sha, (snap) => {
        if ((0,domain_state/* recordedOutcome */.P0)(snap.release, sha, run.runId, run.runAttempt))
            return null;
        const release = (0,domain_state/* markFinished */.UI)(snap.release, {
            sha,
            success,
            conclusion: run.conclusion,
            runId: run.runId,
            runAttempt: run.runAttempt,
            runUrl: url,
            now: deps.now(),
            health,
        }, movesProduction &&
            snap.release.production_sha_current === snapshot.release.production_sha_current);
        const record = snap.decision
            ? (0,domain_state/* withLifecycle */.Tk)(snap.decision, {
                state: success ? 'succeeded' : 'failed',
                finished_at: deps.now().toISOString(),
                conclusion: run.conclusion,
                run_id: run.runId,
                run_attempt: run.runAttempt,
                run_url: url,
            })
            : null;
        after = { head: null, release, decision: record };
        return {
            files: {
                [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)(release),
                ...(record ? { [(0,domain_state/* decisionPath */._m)(sha)]: (0,domain_state/* serialize */.lK)(record) } : {}),
                ...(0,governor_deps/* evidence */.MX)(deps, { kind: 'deploy', sha, keepDays: ctx.config.evidence_retention_days }, {
                    deploy_run: {
                        id: run.runId,
                        attempt: run.runAttempt,
                        url,
                        conclusion: run.conclusion,
                        observed_at: deps.now().toISOString(),
                    },
                    moves_stage: movesProduction,
                    stage_sha: release.production_sha_current,
                }),
            },
            message: success
                ? `deployed ${(0,types/* shortSha */.Fu)(sha)}: run ${run.runId}${attempt}`
                : `failed ${(0,types/* shortSha */.Fu)(sha)}: ${run.conclusion} in run ${run.runId}${attempt}`,
        };
    }, snapshot);
    if (written)
        after = { ...after, head: written.head };
    else
        after = await deps.store.read(sha);
    return { after, stateCommit: written?.head ?? null };
}
/** A successful deploy: its headline, the comment on an earlier failure's issue, the status. */
async function announceSuccess(f, o, verifying) {
    const { deps, said } = f;
    const config = f.ctx.config;
    const { sha, url, attempt, movesProduction, already, after } = o;
    // The stage's own word for what moved: "production" with one stage, else the stage's name.
    const where = config.stages ? config.production_environment_name : 'production';
    const headline = `Deploy of ${(0,types/* shortSha */.Fu)(sha)} to ${config.production_environment_name} succeeded${attempt}${movesProduction ? `; ${where} moved` : ` (${where} already contains it)`}.`;
    const issue = (0,domain_state/* failureIssueOf */.lM)(after.release, sha);
    if (issue !== null && !already) {
        // The issue stays open on purpose: it is an incident (rule 9) until a person has looked
        // at why the earlier attempt failed; closing it is that person's acknowledgement.
        await (0,governor_deps/* bestEffort */.z$)(said, `the comment on #${issue}`, () => deps.gh.commentIssue(issue, [
            `The deploy of \`${sha}\` to **${config.production_environment_name}** succeeded${attempt}: ${url}`,
            '',
            movesProduction
                ? `${where === 'production' ? 'Production' : where} is now at \`${sha}\`.`
                : `${where === 'production' ? 'Production' : where} already contained \`${sha}\`; it did not move.`,
            '',
            `This issue stays open: while it is open it counts as an active incident for the governor (rule 9, \`incident_labels\`). Close it once the cause of the earlier failure is understood.`,
        ].join('\n')));
        said.note(`Commented on #${issue}: the deploy succeeded${attempt}.`);
    }
    await (0,governor_deps/* publishStatus */.G1)(said, deps, sha, verifying ? 'pending' : 'success', `Deployed to ${config.production_environment_name}${verifying ? ', verifying' : ''} · ${(0,types/* shortSha */.Fu)(sha)}`, url.startsWith('http') ? url : deps.run.url, config.status_context);
    return headline;
}
/**
 * The SHA's failure issue: the existing one commented on, else one opened — looked for first
 * when an earlier attempt recorded this failure and may have opened it before it died.
 */
async function failureIssue({ deps, ctx, said }, { sha, existing, already, body, }) {
    const config = ctx.config;
    if (existing !== null) {
        await (0,governor_deps/* bestEffort */.z$)(said, `the comment on #${existing}`, () => deps.gh.commentIssue(existing, `Another deploy of \`${sha}\` failed.\n\n${body}`));
        return existing;
    }
    const { title, labels } = serviceIssue(config, {
        title: `Deploy of ${(0,types/* shortSha */.Fu)(sha)} to ${config.production_environment_name} failed`,
        labels: config.deploy_failure_labels,
    });
    const earlier = already ? await deps.gh.findOpenIssue(title, labels) : null;
    if (earlier !== null)
        return earlier;
    try {
        return await deps.gh.openIssue(title, body, labels);
    }
    catch (e) {
        if (!(0,api_error/* isUnanswered */.Ni)(e))
            throw e;
        const found = await deps.gh.findOpenIssue(title, labels);
        if (found === null)
            throw e;
        return found;
    }
}
/** One issue per SHA; later failures of it (a re-run, or a new run) comment on that issue. */
async function reportFailure(f, o) {
    const { deps, run, said } = f;
    const config = f.ctx.config;
    const { sha, url, attempt, already, after } = o;
    // Only this very attempt, already recorded and reported, is a no-op.
    const entry = after.release.deploy_history.find((h) => h.sha === sha && h.run_id === run.runId);
    if (already && entry?.issue_number)
        return {
            headline: `Deploy of ${(0,types/* shortSha */.Fu)(sha)} failed (${run.conclusion})${attempt}; already reported in #${entry.issue_number}.`,
            stateCommit: null,
        };
    const body = [
        `The deploy of \`${sha}\` to **${config.production_environment_name}** failed${attempt}.`,
        '',
        `- Conclusion: \`${run.conclusion}\``,
        `- Run: ${url}`,
        `- Cooldown: the governor will not redeploy this SHA for ${config.cooldown_minutes} minutes.`,
    ].join('\n');
    const existing = (0,domain_state/* failureIssueOf */.lM)(after.release, sha);
    const issue = await failureIssue(f, { sha, existing, already, body });
    const written = await (0,governor_deps/* writeState */.aO)(deps, sha, (snap) => {
        const e = snap.release.deploy_history.find((h) => h.sha === sha && h.run_id === run.runId);
        if (!e || e.issue_number === issue)
            return null;
        const release = {
            ...snap.release,
            deploy_history: snap.release.deploy_history.map((h) => h === e ? { ...h, issue_number: issue } : h),
        };
        const record = snap.decision ? (0,domain_state/* withLifecycle */.Tk)(snap.decision, { issue_number: issue }) : null;
        return {
            files: {
                [domain_state/* RELEASE_FILE */.jn]: (0,domain_state/* serialize */.lK)(release),
                ...(record ? { [(0,domain_state/* decisionPath */._m)(sha)]: (0,domain_state/* serialize */.lK)(record) } : {}),
            },
            message: `failed ${(0,types/* shortSha */.Fu)(sha)}: issue #${issue}`,
        };
    }, after);
    await (0,governor_deps/* publishStatus */.G1)(said, deps, sha, 'failure', `Deploy failed (${run.conclusion}) · ${(0,types/* shortSha */.Fu)(sha)}`.slice(0, 140), url.startsWith('http') ? url : deps.run.url, config.status_context);
    return {
        headline: `Deploy of ${(0,types/* shortSha */.Fu)(sha)} failed (${run.conclusion})${attempt}; ${existing !== null ? `commented on #${issue}` : `opened #${issue}`}. Cooldown ${config.cooldown_minutes} minutes.`,
        stateCommit: written?.head ?? null,
    };
}

;// CONCATENATED MODULE: ./src/governor/service-events.ts
// Services (SPEC §20): a finished workflow run of one service — its deploy, or its smoke tests
// (a stage's health_check.workflow) — recorded on that service and stage; what a verified deploy
// unlocks (the service's next stage, and the services that waited for it there) is decided in
// the same run.












/**
 * A run of a service's deploy workflow or of a stage's smoke tests: recorded on its service;
 * null when the run is neither (a verification run: the caller decides it).
 */
async function serviceRunFinished(event) {
    const config = event.known.config;
    const facts = { path: event.run.workflowPath, name: event.run.workflowName };
    const layout = layoutOf(config);
    event.deps.store.useServices(layout);
    const stages = layout.flatMap((l) => {
        const own = serviceConfig(config, l.name);
        const pipeline = pipelineOf(own);
        return pipeline.stages.map((stage) => ({ name: l.name, config: own, pipeline, stage }));
    });
    if (stages.some((x) => sameWorkflow(x.stage.deploy_workflow, facts)))
        return deployFinished(event, (w) => sameWorkflow(w, facts));
    const smokes = stages.filter((x) => x.stage.health?.workflow !== undefined && sameWorkflow(x.stage.health.workflow, facts));
    if (smokes.length > 0)
        return smokeFinished(event, smokes);
    return null;
}
async function deployFinished(event, dispatches) {
    const { deps, run, known, snapshot } = event;
    const config = known.config;
    const whole = snapshot.pipeline ?? snapshot.release;
    const found = serviceOfRun(whole, config, run, dispatches);
    if (!found)
        return (0,summary/* buildReport */.FK)({
            outcome: 'SKIP',
            reason: 'not_a_release_candidate',
            sha: run.displayTitle.match(/\b[0-9a-f]{40}\b/)?.[0] ?? null,
            headline: `Deploy run ${run.runId} ("${run.displayTitle}") finished, but the governor did not dispatch it and its title does not name one service (and environment) of the config. Nothing was recorded; use \`run-name: Deploy \${{ inputs.service }} \${{ inputs.sha }} to \${{ inputs.environment }}\` in the deploy workflow.`,
            runUrl: deps.run.url,
            dryRun: deps.dryRun,
        });
    const sd = depsOf(deps, found);
    const observed = await observeDeploy({ deps: sd, run, ctx: stageContext(found.config, found.pipeline, found.stage) }, { snapshot: await sd.store.read(run.headSha), readFor: run.headSha });
    return unlocked(event, found, {
        report: (0,summary/* buildReport */.FK)({ ...observed.report, service: found.name }),
        sha: observed.sha,
        verified: observed.verified,
    });
}
/** The smoke-test run a service stage's pending health check recorded finished: its verdict. */
async function smokeFinished(event, smokes) {
    const { deps, run, snapshot } = event;
    const whole = snapshot.pipeline ?? snapshot.release;
    const layout = layoutOf(event.known.config);
    const found = smokes.find((x) => {
        const view = (0,domain_state/* serviceView */.r5)(whole, layout.find((l) => l.name === x.name));
        const check = (0,domain_health/* asHealthResult */.Q)((0,domain_state/* stageView */.Mh)(view, x.stage.name, x.stage.isLast).last_health_check);
        return check?.run_id === run.runId;
    });
    const said = new governor_deps/* Remarks */.M6();
    const report = (over) => (0,summary/* buildReport */.FK)({
        outcome: 'SKIP',
        reason: 'not_a_release_candidate',
        runUrl: deps.run.url,
        dryRun: deps.dryRun,
        ...over,
        notes: said.notes,
        warnings: said.warnings,
    });
    if (!found)
        return report({
            headline: `Smoke-test run ${run.runId} finished, but no service's pending health check recorded it; nothing recorded.`,
        });
    if (run.conclusion === null || deps.dryRun)
        return report({
            service: found.name,
            headline: `Smoke-test run ${run.runId} for ${found.name} on ${found.stage.name}: ${run.conclusion === null ? 'not finished' : 'dry run'}; nothing recorded.`,
        });
    const sd = depsOf(deps, found);
    const ctx = stageContext(found.config, found.pipeline, found.stage);
    const r = await smokeTestsFinished({ deps: sd, ctx, said }, { id: run.runId, url: run.htmlUrl ?? `run ${run.runId}`, conclusion: run.conclusion });
    const parts = checkedReport(r.checked, r.headline ?? '');
    const headline = parts.headline ||
        (r.checked.verified && r.sha
            ? `${found.name}: ${found.stage.name} verified at ${(0,types/* shortSha */.Fu)(r.sha)}.`
            : '');
    return unlocked(event, found, {
        report: report({
            stage: found.stage.name,
            service: found.name,
            sha: r.sha,
            ...parts,
            headline,
        }),
        sha: r.sha,
        verified: r.checked.verified,
    });
}
function depsOf(deps, at) {
    const target = { service: at.name, stage: at.stage.name, isLast: at.stage.isLast };
    return { ...deps, store: deps.store.forTarget(target) };
}
/**
 * A service stage now runs `sha` verified: decide the service's next stage, and the services
 * that wait for it on this stage (depends_on), in this same run.
 */
async function unlocked(event, at, observed) {
    const { deps, known } = event;
    if (!observed.verified || !observed.sha || deps.dryRun)
        return combineServices(deps, observed.sha, [observed.report]);
    const next = at.pipeline.stages[at.stage.index + 1];
    const { snapshot: _old, ...policy } = known;
    const decided = [];
    for (const [service, on] of [
        ...(next ? [[at.name, next.name]] : []),
        ...dependentsOf(known.config, at.name, at.stage.name).map((d) => [d, at.stage.name]),
    ]) {
        const r = await decideAndAct(deps, { sha: observed.sha, manual: false, stage: on, quiet: true, service }, policy);
        decided.push(...(r.services ?? [r]));
    }
    return combineServices(deps, observed.sha, [observed.report, ...decided]);
}

;// CONCATENATED MODULE: ./src/domain/metrics.ts
/** Under this many deploys in the period a figure gets no band (SPEC §23). */
const MIN_DEPLOYS = 5;
const DAY = 86_400_000;
/** Every deploy of one service and stage, from the records (oldest first). */
function metrics_deploysOf(records, where) {
    const mine = records.filter((r) => (r.stage ?? null) === where.stage &&
        (r.service ?? null) === where.service);
    // The records that concern each SHA (its own, and rollbacks from or to it), in order: each
    // deploy looks only at those, so the whole chain is read once.
    const related = new Map();
    const relate = (sha, at, r) => {
        if (typeof sha !== 'string')
            return;
        const list = related.get(sha) ?? [];
        if (list.at(-1)?.r !== r)
            list.push({ at, r });
        related.set(sha, list);
    };
    for (const [i, r] of mine.entries()) {
        relate(r.sha, i, r);
        if (r.kind === 'rollback') {
            relate(r.from, i, r);
            relate(r.to, i, r);
        }
    }
    const deploys = [];
    for (const [i, r] of mine.entries()) {
        const claimedAt = Date.parse(r.time);
        let d = null;
        if (r.kind === 'decision' && r.outcome === 'ALLOW')
            d = {
                sha: r.sha,
                claimedAt,
                kind: 'release',
                claim: r,
                succeededAt: null,
                failedAt: null,
                commitTimes: rangeTimes(r),
            };
        else if (r.kind === 'break_glass' && r.outcome === 'ALLOW')
            d = {
                sha: r.sha,
                claimedAt,
                kind: 'break_glass',
                claim: r,
                succeededAt: null,
                failedAt: null,
                commitTimes: rangeTimes(r),
            };
        else if (r.kind === 'rollback' && typeof r.to === 'string')
            d = {
                sha: r.to,
                claimedAt,
                kind: 'rollback',
                claim: r,
                succeededAt: null,
                failedAt: null,
                commitTimes: [],
            };
        if (!d)
            continue;
        // A rollback away from an earlier deploy fails that deploy.
        if (r.kind === 'rollback' && typeof r.from === 'string') {
            const from = [...deploys].reverse().find((x) => x.sha === r.from);
            if (from && from.failedAt === null)
                from.failedAt = claimedAt;
        }
        settle(d, (related.get(d.sha) ?? []).filter((x) => x.at > i).map((x) => x.r));
        deploys.push(d);
    }
    return deploys;
}
/** The outcome of a deploy from the records after its claim (until the SHA is claimed again). */
function settle(d, later) {
    let ran = null;
    for (const r of later) {
        // The SHA claimed again (a release, a break-glass, or a rollback to it) is another deploy.
        if (r.kind === 'rollback' && r.to === d.sha)
            break;
        if (r.sha !== d.sha && !(r.kind === 'rollback' && r.from === d.sha))
            continue;
        if ((r.kind === 'decision' || r.kind === 'break_glass') && r.outcome === 'ALLOW')
            break;
        if (r.kind === 'deploy') {
            const run = r.deploy_run;
            const at = Date.parse(run?.observed_at ?? r.time);
            if (run?.conclusion === 'success')
                ran ??= at;
            else if (d.failedAt === null)
                d.failedAt = at;
        }
        if (r.kind === 'health_check') {
            const h = r.health_check;
            const at = Date.parse(h?.finished_at ?? r.time);
            if (h?.verdict === 'pass' && d.failedAt === null)
                d.succeededAt = at;
            if (h?.verdict === 'fail' && d.failedAt === null)
                d.failedAt = at;
        }
        if (r.kind === 'rollback' && r.from === d.sha && d.failedAt === null)
            d.failedAt = Date.parse(r.time);
    }
    // Without a health check the run's success is the deploy's.
    if (d.succeededAt === null && ran !== null && d.failedAt === null && !checked(later, d.sha))
        d.succeededAt = ran;
}
/** Whether a health check of `sha` was recorded (then only its pass makes the deploy a success). */
function checked(later, sha) {
    return later.some((r) => (r.kind === 'health_check' && r.sha === sha) ||
        (r.kind === 'rollback' && r.from === sha && r.trigger === 'health_check'));
}
function rangeTimes(r) {
    const range = r.range;
    return (range?.commits ?? [])
        .map((c) => (c.time ? Date.parse(c.time) : Number.NaN))
        .filter((t) => !Number.isNaN(t));
}
/** The median (the mean of the two middle values of an even count); null when empty. */
function median(xs) {
    if (xs.length === 0)
        return null;
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/** The 90th percentile by nearest rank; null when empty. */
function p90(xs) {
    if (xs.length === 0)
        return null;
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.max(0, Math.ceil(0.9 * s.length) - 1)];
}
const HOUR = 3_600_000;
const sorted = (xs) => xs.sort((a, b) => a - b);
/** The index of the first value over `t` in ascending `xs` (xs.length when there is none). */
function firstAfter(xs, t) {
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (xs[mid] > t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}
/** DORA 2023 bands (SPEC §23), on the median for times. */
const BANDS = {
    frequency: (perDay) => perDay >= 1 ? 'elite' : perDay >= 1 / 7 ? 'high' : perDay >= 1 / 30 ? 'medium' : 'low',
    leadTime: (ms) => ms < DAY ? 'elite' : ms < 7 * DAY ? 'high' : ms < 30 * DAY ? 'medium' : 'low',
    failureRate: (rate) => rate <= 0.05 ? 'elite' : rate <= 0.1 ? 'high' : rate <= 0.15 ? 'medium' : 'low',
    recovery: (ms) => ms < HOUR ? 'elite' : ms < DAY ? 'high' : ms < 7 * DAY ? 'medium' : 'low',
};
const round = (x, digits = 3) => Number(x.toFixed(digits));
const seconds = (ms) => (ms === null ? null : Math.round(ms / 1000));
/** The metrics of the deploys claimed in [since, until) (SPEC §23). */
function metrics_metricsOf(all, at) {
    const from = at.since.getTime();
    const to = at.until.getTime();
    const deploys = all.filter((d) => d.claimedAt >= from && d.claimedAt < to);
    const enough = deploys.length >= MIN_DEPLOYS;
    const ok = deploys.filter((d) => d.succeededAt !== null);
    const days = Math.max((to - from) / DAY, 1 / 24);
    const perDay = round(ok.length / days);
    const dates = new Set(ok.map((d) => new Date(d.succeededAt).toISOString().slice(0, 10)));
    const leads = ok
        .filter((d) => d.kind !== 'rollback')
        .flatMap((d) => d.commitTimes.map((t) => Math.max(0, d.succeededAt - t)));
    const leadMedian = median(leads);
    // A deploy failed, or was followed by a break-glass deploy within 24 h.
    const glass = sorted(all.filter((b) => b.kind === 'break_glass').map((b) => b.claimedAt));
    const failed = deploys.filter((d) => {
        if (d.failedAt !== null)
            return true;
        const next = glass[firstAfter(glass, d.claimedAt)];
        return next !== undefined && next - d.claimedAt <= DAY;
    });
    const rate = deploys.length ? round(failed.length / deploys.length) : null;
    // Each failure to the next success of the stage (any deploy's, a rollback's included).
    const successes = sorted(all.flatMap((x) => (x.succeededAt === null ? [] : [x.succeededAt])));
    const recoveries = deploys.flatMap((d) => {
        if (d.failedAt === null)
            return [];
        const next = successes[firstAfter(successes, d.failedAt)];
        return next === undefined ? [] : [next - d.failedAt];
    });
    const recoveryMedian = median(recoveries);
    const rework = deploys.filter((d) => d.kind !== 'release').length;
    return {
        since: at.since.toISOString(),
        until: at.until.toISOString(),
        service: at.service,
        stage: at.stage,
        deployment_frequency: {
            deploys: ok.length,
            per_day: perDay,
            days_with_deploy: dates.size,
            band: enough ? BANDS.frequency(perDay) : 'insufficient_data',
        },
        lead_time: {
            commits: leads.length,
            median_seconds: seconds(leadMedian),
            p90_seconds: seconds(p90(leads)),
            band: enough && leadMedian !== null ? BANDS.leadTime(leadMedian) : 'insufficient_data',
        },
        change_failure_rate: {
            deploys: deploys.length,
            failed: failed.length,
            rate,
            band: enough && rate !== null ? BANDS.failureRate(rate) : 'insufficient_data',
        },
        recovery_time: {
            failures: recoveries.length,
            median_seconds: seconds(recoveryMedian),
            p90_seconds: seconds(p90(recoveries)),
            band: enough && recoveryMedian !== null ? BANDS.recovery(recoveryMedian) : 'insufficient_data',
        },
        rework_rate: {
            deploys: deploys.length,
            rework,
            rate: deploys.length ? round(rework / deploys.length) : null,
        },
    };
}
/**
 * The metrics of each week of [since, until), oldest first, for the report's charts (SPEC §23:
 * "a chart of each over the period, by week"). The first and last weeks are cut to the period;
 * each week's figures follow the same definitions as the period's.
 */
function metrics_weeklyMetrics(all, at) {
    const weeks = [];
    const first = new Date(at.since);
    first.setUTCHours(0, 0, 0, 0);
    // getUTCDay: 0 is Sunday; weeks start on Monday.
    first.setUTCDate(first.getUTCDate() - ((first.getUTCDay() + 6) % 7));
    for (let start = first.getTime(); start < at.until.getTime(); start += 7 * DAY) {
        const since = new Date(Math.max(start, at.since.getTime()));
        const until = new Date(Math.min(start + 7 * DAY, at.until.getTime()));
        weeks.push({
            week: new Date(start).toISOString().slice(0, 10),
            metrics: metrics_metricsOf(all, { ...at, since, until }),
        });
    }
    return weeks;
}
/**
 * The deploys one stage's `deploy_history` in release.json holds (its newest HISTORY_LIMIT),
 * for a reconcile's summary (SPEC §23), which reads no evidence: the deploys the governor
 * dispatched (not those it observed or an operator recorded), each a success at its run's
 * completion unless its health check failed or it was rolled back, a failure at its run's
 * completion or when it was rolled back. Lead time from the commit times the claim kept (the
 * newest COMMIT_TIMES_KEPT of its range). `metrics` reads the evidence and is exact.
 */
function deploysOfHistory(history) {
    const time = (iso) => (iso ? Date.parse(iso) : null);
    return [...history]
        .reverse()
        .filter((h) => /^(action|cli):/.test(h.claimed_by ?? ''))
        .map((h) => {
        const done = time(h.completed_at) ?? time(h.time);
        const failed = h.result === 'failure'
            ? done
            : h.health_check === 'failed' || h.rolled_back_at
                ? (time(h.rolled_back_at) ?? done)
                : null;
        const succeeded = failed === null && h.result === 'success' && h.health_check !== 'pending' ? done : null;
        return {
            sha: h.sha,
            claimedAt: Date.parse(h.time),
            kind: h.rollback_of ? 'rollback' : h.break_glass ? 'break_glass' : 'release',
            succeededAt: succeeded,
            failedAt: failed,
            commitTimes: h.rollback_of ? [] : (h.commit_times ?? []).map((t) => Date.parse(t)),
        };
    });
}

;// CONCATENATED MODULE: ./src/report/dashboard.ts



/** The report shows this many recent releases, newest first. */
const RECENT_RELEASES = 20;
const dashboard_text = (x) => (typeof x === 'string' ? x : null);
function dashboardOf(input) {
    const { targets, chain, since, until } = input;
    const records = chain.records;
    const metrics = targets.map((t) => {
        const stage = t.pipeline.stages.at(-1).name;
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
function stageRows(t, records) {
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
const serviceOf = (r) => dashboard_text(r.service) ?? null;
/** The stage's newest decision record (a release candidate judged, whatever its verdict). */
function newest(records, service, stage) {
    for (let i = records.length - 1; i >= 0; i--) {
        const r = records[i];
        if (r.kind === 'decision' && r.stage === stage && serviceOf(r) === service)
            return r;
    }
    return null;
}
/** The §22 gates a decision was judged on, from its evidence (`readiness`). */
function gatesOf(r) {
    const ready = r.readiness;
    if (!ready)
        return [];
    const rows = [];
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
function recentReleases(targets, records) {
    const rows = [];
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
                    version: r ? dashboard_text(r.version?.tag) : null,
                    approvers: r ? approversOf(r) : [],
                    risk: r ? dashboard_text(r.risk) : null,
                    outcome: d.succeededAt !== null ? 'succeeded' : d.failedAt !== null ? 'failed' : 'in flight',
                    hash: r?.hash ?? '',
                });
            }
    rows.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
    return rows.slice(0, RECENT_RELEASES);
}
/** Who let it through: the valid approvals, or who broke the glass. */
function approversOf(r) {
    const glass = dashboard_text(r.break_glass?.actor);
    if (glass)
        return [`${glass} (break-glass)`];
    if (!Array.isArray(r.approvals))
        return [];
    return r.approvals
        .filter((a) => a.valid && a.actor)
        .map((a) => a.actor);
}
/** The period of the summary's metrics. */
const DIGEST_DAYS = 30;
/** Every service's every stage, its gates and its last 30 days, with no request. */
function readinessDigest(targets, now) {
    const since = new Date(now.getTime() - DIGEST_DAYS * 86_400_000);
    return targets.flatMap((t) => pipeline_pipelineRows(t.release, t.pipeline).map((row, i) => {
        const stage = t.pipeline.stages[i];
        const view = (0,domain_state/* stageView */.Mh)(t.release, stage.name, stage.isLast);
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
            metrics: metrics_metricsOf(deploysOfHistory(view.deploy_history), {
                since,
                until: now,
                service: t.service,
                stage: stage.name,
            }),
        };
    }));
}

;// CONCATENATED MODULE: ./src/governor/reconcile.ts
// Reconcile, on `schedule` or a `workflow_dispatch` without a SHA: GitHub can drop or delay a
// workflow_run event, and a governor job can die, so this looks at what the events should have
// told it. First it settles deploys whose outcome was never observed (their run finished), then
// it decides the newest verified commit of the release branch if nothing has decided it yet.
// Idempotent and safe at any time: every step goes through the same claim protocol, a hold that
// has not changed writes nothing, and with nothing to do it makes 3 requests and no write.

















/**
 * A deploy younger than this is surely still running: its run is not looked at, which keeps
 * a reconcile during a fresh deploy at 3 requests. A lost event is found on the next schedule.
 */
const SETTLE_AFTER_MS = 5 * 60_000;
function factsOf(run, defaultBranch) {
    return {
        runId: run.id,
        runAttempt: run.attempt,
        workflowName: run.name,
        workflowPath: run.path,
        workflowId: run.workflowId,
        headSha: run.headSha,
        headBranch: run.headBranch,
        event: run.event,
        conclusion: run.conclusion,
        displayTitle: run.displayTitle,
        htmlUrl: run.url,
        updatedAt: null,
        // Listed from this repository's own workflow: never a fork.
        sameRepository: true,
        repositoryId: 0,
        defaultBranch,
    };
}
async function reconcile(deps) {
    const snapshot = await deps.store.read();
    const productionSha = (snapshot.pipeline ?? snapshot.release).production_sha_current;
    // The read brought the default branch's head (and its config file): the head a production
    // from before the config is judged by, and the end of the line for the first stage.
    const branchHead = deps.store.branchHead;
    const read = await readConfig(deps, (0,domain_state/* policyShaOf */.gi)(snapshot.pipeline ?? snapshot.release), branchHead?.sha ?? deps.defaultBranch);
    const report = (over) => (0,summary/* buildReport */.FK)({ runUrl: deps.run.url, dryRun: deps.dryRun, productionSha, ...over });
    if (read.disabled || !read.config)
        return report({
            outcome: 'SKIP',
            reason: 'disabled',
            headline: read.why ?? 'The governor is disabled for this repository.',
            warnings: read.typo && read.why ? [read.why] : [],
        });
    const config = read.config;
    if (config.services)
        return reconcileServices({ deps, config, report }, { snapshot, read });
    const pipeline = pipelineOf(config);
    const at = { deps, config, pipeline, report };
    // 1. Deploys in flight, on any stage, whose outcome was never observed; health checks whose
    // verdict never came.
    let whole = snapshot.pipeline ?? snapshot.release;
    const deploys = await settleDeploys(at, whole);
    const checks = await settleHealthChecks(at, whole);
    const fresh = async () => {
        const s = await deps.store.read();
        return s.pipeline ?? s.release;
    };
    if (deploys.settled || checks.settled)
        whole = await fresh();
    // 2. From the last stage to the first, the candidate that is ready. The policy is
    // production's: kept for every decision while production stays put.
    const promoted = await promoteSoaked(at, { whole, known: read });
    // A later stage's decision changed only that stage: the first stage's checks read the same
    // state, except whether the next stage has taken the soaking SHA (the release train).
    if (promoted.decided.length > 0 && firstStageBusy(at, whole))
        whole = await fresh();
    const first = await decideFirstStage(at, { whole, known: read, branchHead });
    const done = oneReport({
        checked: checks.reports,
        decided: [...promoted.decided, ...(first.decided ? [first.report] : [])],
        last: first.report,
        notes: [...deploys.notes, ...checks.notes, ...promoted.notes],
        warnings: [...deploys.warnings, ...checks.warnings],
    });
    return withDigest(done, [{ service: null, pipeline, release: whole }], deps.now());
}
/**
 * The run's report with the compact readiness section of every stage (§23), from the state
 * this run read (no request).
 */
function withDigest(r, targets, now) {
    return (0,summary/* buildReport */.FK)({ ...r, digest: readinessDigest(targets, now) });
}
/**
 * Reconcile with services (§20): each service's deploys and checks settled, its soaked stages
 * promoted, then the newest verified commit decided for the services whose first stage has not
 * seen it (one decision run for them all). With nothing to do: the state read and, unless the
 * release branch's head is where every service is, the newest verified commit — 2 requests,
 * however many services.
 */
async function reconcileServices({ deps, config, report }, { snapshot, read }) {
    const layout = layoutOf(config);
    deps.store.useServices(layout);
    let whole = deps.store.wholeAt(snapshot.head) ?? snapshot.pipeline ?? snapshot.release;
    const each = () => layout.map((l) => {
        const own = serviceConfig(config, l.name);
        const pipeline = pipelineOf(own);
        const target = { service: l.name, stage: l.lastStage, isLast: true };
        const at = {
            deps: { ...deps, store: deps.store.forTarget(target) },
            config: own,
            pipeline,
            report: (over) => report({ service: l.name, ...over }),
        };
        return { at, view: (0,domain_state/* serviceView */.r5)(whole, l) };
    });
    const notes = [];
    const warnings = [];
    const checked = [];
    let settled = false;
    for (const { at, view } of each()) {
        const deploys = await settleDeploys(at, view);
        const checks = await settleHealthChecks(at, view);
        settled ||= deploys.settled || checks.settled;
        notes.push(...deploys.notes, ...checks.notes);
        warnings.push(...deploys.warnings, ...checks.warnings);
        checked.push(...checks.reports);
    }
    if (settled) {
        const s = await deps.store.read();
        whole = deps.store.wholeAt(s.head) ?? s.pipeline ?? s.release;
    }
    const decided = [];
    for (const { at, view } of each()) {
        const promoted = await promoteSoaked(at, {
            whole: view,
            known: forService(read, at.config.service.name),
        });
        decided.push(...promoted.decided);
        notes.push(...promoted.notes);
    }
    if (decided.length > 0) {
        const s = await deps.store.read();
        whole = deps.store.wholeAt(s.head) ?? s.pipeline ?? s.release;
    }
    const first = await decideFirstStages(deps, { config, read, whole, services: each() });
    const targets = each().map(({ at, view }) => ({
        service: at.config.service.name,
        pipeline: at.pipeline,
        release: view,
    }));
    const done = oneReport({
        checked,
        decided: [...decided, ...first.decided],
        last: first.last,
        notes,
        warnings,
    });
    return withDigest(done, targets, deps.now());
}
/**
 * The newest verified commit, for every service whose first stage has not seen it: not its
 * current SHA, not deployed or in flight there, not known to leave it alone (`unaffected_sha`).
 */
async function decideFirstStages(deps, { config, read, whole, services, }) {
    const head = deps.store.branchHead;
    const views = services.map(({ at, view }) => {
        const stage = at.pipeline.stages[0];
        return { name: at.config.service.name, view: (0,domain_state/* stageView */.Mh)(view, stage.name, stage.isLast) };
    });
    const everyoneAtHead = head?.branch === config.branch &&
        views.every((v) => v.view.production_sha_current === head.sha);
    const candidate = everyoneAtHead
        ? head.sha
        : await deps.gh.newestVerified(config.verification_workflow, config.branch);
    const seen = (v) => candidate === v.production_sha_current ||
        candidate === v.unaffected_sha ||
        ['dispatched', 'succeeded'].includes((0,domain_state/* lifecycleOf */.o0)(v, candidate ?? '') ?? '');
    const open = candidate ? views.filter((v) => !seen(v.view)).map((v) => v.name) : [];
    const idle = (0,summary/* buildReport */.FK)({
        outcome: 'SKIP',
        reason: candidate ? 'already_deployed' : 'not_a_release_candidate',
        sha: candidate,
        productionSha: whole.production_sha_current,
        headline: candidate
            ? `Reconcile: every service has seen the newest verified commit ${(0,types/* shortSha */.Fu)(candidate)}; nothing to do.`
            : `Reconcile: no successful push run of ${config.verification_workflow} on ${config.branch}; nothing to decide.`,
        runUrl: deps.run.url,
        dryRun: deps.dryRun,
    });
    if (!candidate || open.length === 0)
        return { decided: [], last: idle };
    const r = await decideAndAct(deps, { sha: candidate, manual: false, quiet: true, services: open }, { ...read, snapshot: undefined });
    return { decided: [r], last: r };
}
/** Deploys in flight, on any stage, whose outcome was never observed. */
async function settleDeploys({ deps, config, pipeline }, whole) {
    const out = { settled: false, notes: [], warnings: [] };
    const now = deps.now().getTime();
    for (const stage of pipeline.stages) {
        const pending = (0,domain_state/* stageView */.Mh)(whole, stage.name, stage.isLast).deploy_history.filter((h) => h.result === 'pending' && now - Date.parse(h.time) > SETTLE_AFTER_MS);
        for (const entry of pending) {
            const r = await reconcile_settle(stageDeps(deps, stage), entry, stageContext(config, pipeline, stage));
            out.settled ||= r.notes.length > 0;
            out.notes.push(...r.notes);
            out.warnings.push(...r.warnings);
        }
    }
    return out;
}
/**
 * Health checks whose verdict never came: a smoke-test run whose event was lost, or a probing
 * job that died. (Healthy pipelines have none: this costs nothing when idle.)
 */
async function settleHealthChecks({ deps, config, pipeline, report }, whole) {
    const out = {
        settled: false,
        notes: [],
        warnings: [],
        reports: [],
    };
    const now = deps.now().getTime();
    for (const stage of pipeline.stages) {
        if (!stage.health)
            continue;
        const view = (0,domain_state/* stageView */.Mh)(whole, stage.name, stage.isLast);
        const pending = (0,domain_health/* asHealthResult */.Q)(view.last_health_check);
        if (pending?.verdict !== 'pending' || pending.sha !== view.production_sha_current)
            continue;
        const ctx = stageContext(config, pipeline, stage);
        const sd = stageDeps(deps, stage);
        const said = new governor_deps/* Remarks */.M6();
        let found;
        if (pending.mode === 'workflow' && pending.run_id !== null) {
            if (now - Date.parse(pending.started_at) < SETTLE_AFTER_MS)
                continue;
            const run = await deps.gh.run(pending.run_id);
            if (run.status !== 'completed')
                continue;
            found = await smokeTestsFinished({ deps: sd, ctx, said }, run);
        }
        else if (staleCheck(pending, deps.now())) {
            const checked = await verifyDeploy({ deps: sd, ctx, sha: pending.sha, runId: null, said });
            found = { checked, headline: null };
        }
        else
            continue;
        const rep = report({
            outcome: 'SKIP',
            reason: null,
            sha: pending.sha,
            stage: stage.name,
            ...checkedReport(found.checked, found.headline ?? ''),
            notes: said.notes,
            warnings: said.warnings,
        });
        out.settled = true;
        out.notes.push(`Settled the health check of ${(0,types/* shortSha */.Fu)(pending.sha)} on ${stage.name}: ${rep.healthCheck?.verdict ?? 'pending'}. ${rep.headline}`.trim());
        out.warnings.push(...rep.warnings);
        if (rep.outcome === 'ROLLBACK' || rep.outcome === 'HOLD')
            out.reports.push(rep);
    }
    return out;
}
/** From the last stage to the second: the previous stage's SHA, once its soak has ended. */
async function promoteSoaked({ deps, pipeline }, { whole, known }) {
    const decided = [];
    const notes = [];
    for (const stage of [...pipeline.stages].reverse()) {
        if (stage.index === 0)
            break;
        const prev = pipeline.stages[stage.index - 1];
        const sha = (0,domain_state/* stageView */.Mh)(whole, prev.name, prev.isLast).production_sha_current;
        const end = soakEnd(whole, prev);
        const here = (0,domain_state/* stageView */.Mh)(whole, stage.name, stage.isLast);
        if (!sha || !end || sha === here.production_sha_current)
            continue;
        const lifecycle = (0,domain_state/* lifecycleOf */.o0)(here, sha);
        if (lifecycle === 'dispatched' || lifecycle === 'succeeded')
            continue;
        if (deps.now() < end) {
            notes.push(`${stage.name} takes ${(0,types/* shortSha */.Fu)(sha)} at ${clock(end, deps.now())} (in ${timeLeft(end, deps.now())}), when its soak in ${prev.name} ends.`);
            continue;
        }
        decided.push(await decideAndAct(deps, { sha, manual: false, stage: stage.name, quiet: true }, known));
    }
    return { decided, notes };
}
/** The first stage holds a soaking release the next stage had not taken when the state was read. */
function firstStageBusy({ pipeline }, whole) {
    const busy = stageFacts(whole, pipeline, pipeline.stages[0])?.busy;
    return !!busy && !busy.reachedNext;
}
/**
 * The first stage: the newest verified commit of the release branch, if nothing decided it yet.
 * When the branch's head is what the stage runs, nothing can be ahead of it: no request.
 */
async function decideFirstStage({ deps, config, pipeline, report }, { whole, known, branchHead, }) {
    const first = pipeline.stages[0];
    const view = (0,domain_state/* stageView */.Mh)(whole, first.name, first.isLast);
    const atHead = branchHead?.branch === config.branch && branchHead.sha === view.production_sha_current;
    const candidate = atHead
        ? branchHead.sha
        : await deps.gh.newestVerified(config.verification_workflow, config.branch);
    const idle = (reason, headline, outcome = 'SKIP') => ({
        decided: false,
        report: report({
            outcome,
            reason,
            sha: candidate,
            productionSha: whole.production_sha_current,
            headline,
            stage: first.name,
            pipeline: pipeline.configured ? pipeline_pipelineRows(whole, pipeline) : null,
        }),
    });
    const where = pipeline.configured ? first.name : 'production';
    const busy = stageFacts(whole, pipeline, first)?.busy;
    const busyUntil = busy ? new Date(Date.parse(busy.verifiedAt) + busy.soakMinutes * 60_000) : null;
    if (!candidate)
        return idle('not_a_release_candidate', `Reconcile: no successful push run of ${config.verification_workflow} on ${config.branch}; nothing to decide.`);
    if (candidate === view.production_sha_current)
        return idle('already_in_production', atHead
            ? `Reconcile: ${where} runs ${(0,types/* shortSha */.Fu)(candidate)}, the head of ${config.branch}; nothing can be ahead of it.`
            : `Reconcile: the newest verified commit ${(0,types/* shortSha */.Fu)(candidate)} is in ${where}; nothing to do.`);
    const lifecycle = (0,domain_state/* lifecycleOf */.o0)(view, candidate);
    if (lifecycle === 'dispatched' || lifecycle === 'succeeded')
        return idle('already_deployed', `Reconcile: the newest verified commit ${(0,types/* shortSha */.Fu)(candidate)} is ${lifecycle === 'succeeded' ? 'deployed' : 'being deployed'}${pipeline.configured ? ` to ${first.name}` : ''}; nothing to do.`);
    if (busy && busyUntil && !busy.reachedNext && deps.now() < busyUntil)
        // The release train: known from the state alone, so nothing is read or written for it.
        return idle('stage_busy', `Reconcile: ${first.name} holds ${(0,types/* shortSha */.Fu)(busy.currentSha)} while it soaks (until ${clock(busyUntil, deps.now())}, in ${timeLeft(busyUntil, deps.now())}); ${(0,types/* shortSha */.Fu)(candidate)} goes to ${first.name} after ${(0,types/* shortSha */.Fu)(busy.currentSha)} moves on to ${busy.next}.`, 'HOLD');
    // Never decided, held (approvals or time may have changed), or claimed by a run that died:
    // the same rules and protocol as its verification event would have run.
    return {
        decided: true,
        report: await decideAndAct(deps, { sha: candidate, manual: false, stage: first.name, quiet: true }, known),
    };
}
/** One report: the first rollback, else the first dispatch, else the first hold, else the last word. */
function oneReport({ checked, decided, last, notes, warnings, }) {
    const primary = checked.find((r) => r.outcome === 'ROLLBACK') ??
        decided.find((r) => r.outcome === 'ALLOW') ??
        decided.find((r) => r.outcome === 'HOLD') ??
        decided[0] ??
        last;
    const others = [...checked, ...decided, last].filter((r, i, all) => r !== primary && all.indexOf(r) === i);
    return (0,summary/* buildReport */.FK)({
        ...primary,
        notes: [
            ...notes,
            ...others.map((r) => `${r.stage ?? 'Reconcile'}: ${r.outcome} ${r.reason ?? ''} — ${r.headline}`),
            ...primary.notes,
        ],
        warnings: [...warnings, ...others.flatMap((r) => r.warnings), ...primary.warnings],
        headline: primary.headline.startsWith('Reconcile:')
            ? primary.headline
            : `Reconcile: ${primary.headline}`,
    });
}
/** Records the outcome of a finished deploy the governor never heard about. */
async function reconcile_settle(deps, entry, ctx) {
    const { config } = ctx;
    let run = null;
    if (entry.run_id !== null)
        run = await deps.gh.run(entry.run_id);
    else if (deps.now().getTime() - Date.parse(entry.time) > governor_deps/* CLAIM_GRACE_MS */.Jq) {
        // A claim whose run was never recorded: its claimant died or lost the dispatch's answer.
        const runs = await deps.gh.findDeployRuns(config.deploy_workflow, entry.sha, ctx.environment, config.service?.name ?? null);
        run = runs.sort((a, b) => b.id - a.id)[0] ?? null;
        if (!run)
            return {
                notes: [
                    `${(0,types/* shortSha */.Fu)(entry.sha)} was claimed at ${entry.time} and has no deploy run: deciding it again takes the claim over.`,
                ],
                warnings: [],
            };
    }
    if (!run || run.status !== 'completed')
        return { notes: [], warnings: [] };
    const observed = await observeDeploy({ deps, run: factsOf(run, deps.defaultBranch), ctx }, { snapshot: await deps.store.read(entry.sha), readFor: entry.sha });
    return {
        notes: [`Settled a deploy whose outcome was never observed: ${observed.report.headline}`],
        warnings: [...observed.report.warnings],
    };
}

;// CONCATENATED MODULE: ./src/governor/index.ts
// The governor: gathers the facts a decision needs, asks the pure rules, and carries the
// verdict out with the state branch as the lock: claim first, dispatch second, record third.
// Shared by the action and the CLI. The files follow the life of a decision: facts.ts, act.ts,
// observe.ts; deps.ts and policy.ts are what they share.













/** A workflow_run event: the deploy workflow's outcome, a release candidate, or neither. */
async function handleWorkflowRun(deps, run) {
    // Read with the head SHA's decision record: for a release candidate it is the one we need.
    const snapshot = await deps.store.read(run.headSha);
    const productionSha = snapshot.release.production_sha_current;
    const read = await readConfig(deps, (0,domain_state/* policyShaOf */.gi)(snapshot.release), run.headSha);
    const { config, disabled } = read;
    const skip = (reason, headline, warnings = []) => (0,summary/* buildReport */.FK)({
        outcome: 'SKIP',
        reason,
        sha: run.headSha,
        productionSha,
        headline,
        warnings,
        runUrl: deps.run.url,
        dryRun: deps.dryRun,
        // A verification run is about the first stage.
        stage: config ? (pipelineOf(config).stages[0]?.name ?? null) : null,
    });
    // A misspelt block silently turns the governor off: say it loudly.
    const loud = read.typo && read.why ? [read.why] : [];
    if (disabled || !config)
        return skip('disabled', read.why ?? 'The governor is disabled for this repository.', loud);
    const facts = { path: run.workflowPath, name: run.workflowName };
    const pipeline = pipelineOf(config);
    const event = { deps, run, known: read, pipeline, snapshot };
    // Services (§20): a deploy or smoke-test run of one of them, recorded on its service.
    if (config.services) {
        const r = await serviceRunFinished(event);
        if (r)
            return r;
    }
    const dispatches = (stage) => sameWorkflow(stage.deploy_workflow, facts);
    if (pipeline.stages.some(dispatches))
        return governor_deployFinished(event, dispatches);
    const smokes = (stage) => stage.health?.workflow !== undefined && sameWorkflow(stage.health.workflow, facts);
    if (pipeline.stages.some(smokes))
        return smokeRunFinished(event, smokes);
    if (!sameWorkflow(config.verification_workflow, facts)) {
        const deploys = [...new Set(pipeline.stages.map((s) => s.deploy_workflow))].join(', ');
        return skip('not_a_release_candidate', `Workflow "${run.workflowName}" is neither the verification workflow (${config.verification_workflow}) nor the deploy workflow (${deploys}).`);
    }
    if (run.conclusion !== 'success')
        return skip('verification_not_successful', `${run.workflowName} concluded ${run.conclusion ?? 'without a conclusion'} on ${(0,types/* shortSha */.Fu)(run.headSha)}; nothing to deploy.`);
    if (run.event !== 'push')
        return skip('not_a_release_candidate', `${run.workflowName} ran for a ${run.event} event, not a push to ${config.branch}.`);
    if (run.headBranch !== config.branch)
        return skip('not_a_release_candidate', `${run.workflowName} ran on ${run.headBranch ?? 'no branch'}, not on the release branch ${config.branch}.`);
    if (!run.sameRepository)
        return skip('not_a_release_candidate', 'The run is for code from another repository.');
    const { runId: id, htmlUrl: url, conclusion, headSha: sha, updatedAt: completed_at } = run;
    const verification = { id, url, conclusion, head_sha: sha, completed_at };
    return decideAndAct(deps, { sha, manual: false, verification }, { ...read, snapshot });
}
/**
 * A deploy run finished: record it on its stage; when that stage now runs the SHA verified,
 * decide the next stage for it in this same run (an ALLOW without a soak, else HOLD soaking).
 */
async function governor_deployFinished(event, dispatches) {
    const { deps, run, known, pipeline, snapshot } = event;
    const config = known.config;
    const whole = snapshot.pipeline ?? snapshot.release;
    const stage = stageOfRun(whole, pipeline, run, dispatches);
    if (!stage) {
        return (0,summary/* buildReport */.FK)({
            outcome: 'SKIP',
            reason: 'not_a_release_candidate',
            sha: run.displayTitle.match(/\b[0-9a-f]{40}\b/)?.[0] ?? null,
            productionSha: whole.production_sha_current,
            headline: `Deploy run ${run.runId} ("${run.displayTitle}") finished, but the governor did not dispatch it and its title names none of the stages' environments (${pipeline.stages.map((s) => s.environment).join(', ')}). Nothing was recorded; use \`run-name: Deploy \${{ inputs.sha }} to \${{ inputs.environment }}\` in the deploy workflow.`,
            runUrl: deps.run.url,
            dryRun: deps.dryRun,
        });
    }
    const sd = stageDeps(deps, stage);
    const observed = await observeDeploy({ deps: sd, run, ctx: stageContext(config, pipeline, stage) }, {
        snapshot: sameView(deps, stage, snapshot) ?? (await sd.store.read(run.headSha)),
        readFor: run.headSha,
    });
    return promote(event, stage, observed);
}
/**
 * A stage now runs `sha` verified: decide the next stage for it in this same run (the same
 * rules and claim protocol as any decision; a soak makes it HOLD soaking).
 */
async function promote(event, stage, observed) {
    const { deps, known, pipeline } = event;
    const next = pipeline.stages[stage.index + 1];
    if (!observed.verified || !observed.sha || !next || deps.dryRun)
        return observed.report;
    const promoted = await decideAndAct(deps, { sha: observed.sha, manual: false, stage: next.name, quiet: true }, { ...known, snapshot: undefined });
    return (0,summary/* buildReport */.FK)({
        ...promoted,
        notes: [observed.report.headline, ...observed.report.notes, ...promoted.notes],
        warnings: [...observed.report.warnings, ...promoted.warnings],
        headline: `${observed.report.headline} ${next.name}: ${promoted.headline}`,
    });
}
/** A smoke-test run (a stage's health_check.workflow) finished: its conclusion is the verdict. */
async function smokeRunFinished(event, runs) {
    const { deps, run, known, pipeline, snapshot } = event;
    const whole = snapshot.pipeline ?? snapshot.release;
    const said = new governor_deps/* Remarks */.M6();
    const report = (over) => (0,summary/* buildReport */.FK)({
        outcome: 'SKIP',
        reason: 'not_a_release_candidate',
        productionSha: whole.production_sha_current,
        runUrl: deps.run.url,
        dryRun: deps.dryRun,
        ...over,
        notes: said.notes,
        warnings: said.warnings,
    });
    // The stage whose pending check recorded this run.
    const stage = pipeline.stages.find((s) => runs(s) &&
        (0,domain_health/* asHealthResult */.Q)((0,domain_state/* stageView */.Mh)(whole, s.name, s.isLast).last_health_check)?.run_id === run.runId);
    if (!stage)
        return report({
            headline: `Smoke-test run ${run.runId} finished, but no stage's pending health check recorded it; nothing recorded.`,
        });
    if (run.conclusion === null || deps.dryRun)
        return report({
            headline: `Smoke-test run ${run.runId} for ${stage.name}: ${run.conclusion === null ? 'not finished' : 'dry run'}; nothing recorded.`,
        });
    const sd = stageDeps(deps, stage);
    const ctx = stageContext(known.config, pipeline, stage);
    const r = await smokeTestsFinished({ deps: sd, ctx, said }, { id: run.runId, url: run.htmlUrl ?? `run ${run.runId}`, conclusion: run.conclusion }, sameView(deps, stage, snapshot));
    const parts = checkedReport(r.checked, r.headline ?? '');
    const headline = parts.headline ||
        (r.checked.verified && r.sha ? `${stage.name} verified at ${(0,types/* shortSha */.Fu)(r.sha)}.` : '');
    const observed = report({ stage: stage.name, sha: r.sha, ...parts, headline });
    return promote(event, stage, { report: observed, sha: r.sha, verified: r.checked.verified });
}






// EXTERNAL MODULE: ./src/inputs.ts
var src_inputs = __webpack_require__(38422);
;// CONCATENATED MODULE: ./src/route.ts




/** What the event and the inputs ask for: decide, observe, reconcile, or an operator control. */
async function route(deps, { inputs, event, eventName, triggeringActor, }) {
    // Operator controls (§16): only by hand, through workflow_dispatch.
    const control = inputs.rollback || inputs.breakGlass !== '';
    if (control && eventName !== 'workflow_dispatch')
        throw new src_inputs/* InputError */.dz(`Inputs rollback and break-glass are for a workflow_dispatch of the governor, not a ${eventName} event. Nothing was dispatched or written.`);
    if (inputs.rollback && inputs.breakGlass)
        throw new src_inputs/* InputError */.dz('Inputs rollback and break-glass were both given: ask for one at a time. Nothing was dispatched or written.');
    if ((event.kind === 'manual' || event.kind === 'reconcile') && control) {
        const actor = triggeringActor || event.sender;
        const stage = {
            ...(inputs.stage ? { stage: inputs.stage } : {}),
            ...(inputs.service ? { service: inputs.service } : {}),
        };
        if (inputs.rollback)
            return manualRollback(deps, {
                reason: inputs.reason,
                actor,
                ...stage,
                ...(event.kind === 'manual' ? { sha: event.sha } : {}),
            });
        if (event.kind !== 'manual')
            throw new src_inputs/* InputError */.dz('A break-glass deploy needs the sha input: the exact commit to deploy. Nothing was dispatched or written.');
        return breakGlass(deps, {
            sha: event.sha,
            text: inputs.breakGlass,
            reason: inputs.reason,
            actor,
            ...stage,
        });
    }
    if (event.kind === 'workflow_run')
        return handleWorkflowRun(deps, event.run);
    if (event.kind === 'approval')
        return approvalLanded(deps, event);
    if (event.kind === 'reconcile') {
        if (inputs.stage)
            throw new src_inputs/* InputError */.dz(`Input stage (${JSON.stringify(inputs.stage)}) needs the input sha: it names the stage to decide that SHA for. Without a sha the governor reconciles every stage.`);
        return reconcile(deps);
    }
    return decideAndAct(deps, {
        sha: event.sha,
        manual: true,
        ...(inputs.stage ? { stage: inputs.stage } : {}),
        ...(inputs.service ? { service: inputs.service } : {}),
    });
}


/***/ })

};
