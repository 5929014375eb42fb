// The `release_governor` block of .booty.yml: one zod schema with the spec's defaults, file
// values and RELEASE_GOVERNOR_* overrides merged before a single parse, and errors that name
// the key and where it came from (file line, or the environment variable).
import { isMap, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import {
  CONFIG_BLOCK,
  ConfigError,
  DEFAULT_HIGH_RISK_PATHS,
  DEFAULT_MEDIUM_RISK_PATHS,
  ENV_PREFIX,
  envVarFor,
  normalizePath,
  RETRY_BASE_VARIABLE,
  APPROVAL_VARIABLE,
  type ConfigProblem,
} from './config-base.js';
import { freezeWindowSchema } from './freeze.js';
import { healthCheckSchema } from './health.js';
import { patternProblem } from './patterns.js';
import { versioningSchema } from './version.js';

export const APPROVAL_MODES = ['label', 'comment', 'environment'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];
export const APPROVER_PERMISSIONS = ['write', 'maintain', 'admin'] as const;
export type ApproverPermission = (typeof APPROVER_PERMISSIONS)[number];

const glob = z.string().superRefine((p, ctx) => {
  const problem = patternProblem(p);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const label = z
  .string()
  .min(1, 'a label must not be empty')
  .max(50, 'GitHub labels are at most 50 characters');
const approvalMode = z.enum(APPROVAL_MODES);

export const STAGE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** An environment's address on the Deployments page (§21): http(s), no credentials. */
const environmentUrl = z.string().superRefine((u, ctx) => {
  const url = URL.canParse(u) ? new URL(u) : null;
  if (!url || !/^https?:$/.test(url.protocol))
    ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL' });
  else if (url.username || url.password)
    ctx.addIssue({
      code: 'custom',
      message: 'must not carry credentials: it is shown on the Deployments page',
    });
});
export const STAGE_APPROVALS = ['none', 'required'] as const;

/** A JSON Pointer (RFC 6901): empty (the whole document), or `/`-separated, `~` only as ~0/~1. */
export function pointerProblem(p: string): string | null {
  if (p !== '' && !p.startsWith('/'))
    return 'must be a JSON Pointer: empty, or starting with / (such as /warm_run/improvement_pct)';
  if (/~(?![01])/.test(p)) return 'must be a JSON Pointer: ~ only as ~0 (for ~) or ~1 (for /)';
  return null;
}

const threshold = z
  .strictObject({
    artifact: z.string().min(1).describe('The artifact of the verification run holding the file.'),
    file: z
      .string()
      .min(1)
      .refine(
        (f) => !f.startsWith('/') && !f.split('/').includes('..'),
        'must be a path inside the artifact (no leading /, no ..)',
      )
      .describe('The JSON file inside the artifact.'),
    value: z
      .string()
      .superRefine((v, ctx) => {
        const p = pointerProblem(v);
        if (p) ctx.addIssue({ code: 'custom', message: p });
      })
      .describe('A JSON Pointer to the value in the file.'),
    min: z.number().optional().describe('The value must be a number at least this.'),
    max: z.number().optional().describe('The value must be a number at most this.'),
    equals: z
      .union([z.number(), z.string(), z.boolean()])
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
export type EvidenceThreshold = z.output<typeof threshold>;

/** Readiness gates (SPEC §22): top level, per service and per stage. */
export const readinessSchema = z
  .strictObject({
    max_verification_age_minutes: z
      .number()
      .positive()
      .max(525_600)
      .optional()
      .describe(
        'The verification run must have completed within this many minutes of the decision.',
      ),
    evidence_thresholds: z
      .array(threshold)
      .default([])
      .describe('Figures of the verification run (JSON files in its artifacts) and their bounds.'),
    release_blocker_labels: z
      .array(label)
      .default(['release-blocker'])
      .describe('An open issue or pull request with one of these labels blocks the release.'),
  })
  .describe('Readiness gates (SPEC §22).');
export type Readiness = z.output<typeof readinessSchema>;

/** One stage of the pipeline (SPEC §14); unset keys are resolved by domain/pipeline.ts. */
export const stageSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        STAGE_NAME,
        'must be lower-case letters, digits and dashes, starting with a letter or digit',
      )
      .max(40)
      .describe('Used in state, statuses and messages.'),
    environment: z
      .string()
      .min(1)
      .optional()
      .describe('Passed to the deploy workflow as the input `environment`. Default: the name.'),
    deploy_workflow: z
      .string()
      .optional()
      .describe(
        'Workflow file to dispatch for this stage. Default: the top-level deploy_workflow.',
      ),
    deploy_workflow_ref: z
      .string()
      .min(1)
      .optional()
      .describe('Ref the dispatch runs on. Default: the top-level deploy_workflow_ref.'),
    soak_minutes: z
      .number()
      .min(0)
      .max(43_200)
      .default(0)
      .describe(
        'How long a SHA must have been live and verified here, without being replaced, before the next stage may take it (fractions allowed).',
      ),
    hold_while_soaking: z
      .boolean()
      .optional()
      .describe(
        'Take no newer SHA while the current one soaks and has not reached the next stage (a release train). Default: true when soak_minutes > 0.',
      ),
    environment_url: environmentUrl
      .optional()
      .describe('Where this stage is reached, shown on its deployments (SPEC §21).'),
    approvals: z
      .enum(STAGE_APPROVALS)
      .optional()
      .describe(
        'none: rules 6, 9 and 10 (first deploy, incident, HIGH risk) do not apply here. Default: required on the last stage, none before it.',
      ),
    health_check: healthCheckSchema.optional(),
    readiness: readinessSchema
      .optional()
      .describe("This stage's readiness gates. Default: the service's, else the top level's."),
  })
  .describe('A stage of the release pipeline.');
export type StageInput = z.output<typeof stageSchema>;

export const SERVICE_NAME = STAGE_NAME;

/**
 * One deployable of a repository that holds several (SPEC §20). Unset keys take the top-level
 * value (domain/services.ts resolves them); the risk lists add to the top-level ones.
 */
export const serviceSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        SERVICE_NAME,
        'must be lower-case letters, digits and dashes, starting with a letter or digit',
      )
      .max(40)
      .describe('Used in state, statuses, messages, tags and the dispatch (`inputs.service`).'),
    paths: z
      .array(glob)
      .min(1, 'must list at least one path pattern (the files that belong to the service)')
      .describe(
        'Patterns (§5 syntax) of the files that belong to the service; a path may belong to several.',
      ),
    depends_on: z
      .array(z.string().min(1))
      .default([])
      .describe('Services that must release a commit first when the commit affects both.'),
    deploy_workflow: z
      .string()
      .optional()
      .describe('Workflow file to dispatch for this service. Default: the top-level one.'),
    deploy_workflow_ref: z
      .string()
      .min(1)
      .optional()
      .describe('Ref the dispatch runs on. Default: the top-level deploy_workflow_ref.'),
    stages: z
      .array(stageSchema)
      .min(1, 'must list at least one stage (or leave stages out for the top-level ones)')
      .max(10)
      .optional()
      .describe("This service's pipeline. Default: the top-level stages."),
    health_check: healthCheckSchema
      .optional()
      .describe('Post-deploy verification (without stages). Default: the top-level one.'),
    approvers: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/, 'must be a user login or an org/team slug'),
      )
      .optional()
      .describe("Who may approve this service's paths. Default: the top-level approvers."),
    required_approvals: z
      .number()
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe('Distinct approvers per path for this service. Default: the top-level value.'),
    high_risk_paths: z
      .array(glob)
      .default([])
      .describe('HIGH-risk patterns of this service, added to the top-level ones.'),
    medium_risk_paths: z
      .array(glob)
      .default([])
      .describe('MEDIUM-risk patterns of this service, added to the top-level ones.'),
    versioning: versioningSchema
      .optional()
      .describe("This service's versioning. Default: the top-level block, tags `<name>/v…`."),
    readiness: readinessSchema
      .optional()
      .describe("This service's readiness gates. Default: the top-level block."),
  })
  .describe('A service (SPEC §20).');
export type ServiceInput = z.output<typeof serviceSchema>;

/** The parts of a parsed config that the services block is checked against. */
interface ServicesShape {
  services?: ServiceInput[] | undefined;
  stages?: StageInput[] | undefined;
  freeze_windows: { services?: string[] | undefined }[];
}

/**
 * What the services block cannot be (SPEC §20): a name listed twice, a dependency that is not a
 * service or that closes a cycle, a stage listed twice, a health check beside stages, a window
 * naming a service that does not exist.
 */
function servicesProblems(c: ServicesShape, ctx: z.core.$RefinementCtx<unknown>): void {
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
  if (!services) return;
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
        message:
          'with stages, health_check is a key of each stage (move it under the stage it checks)',
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
      path: ['services', names.indexOf(cycle[0]!), 'depends_on'],
      message: `depends_on forms a cycle: ${cycle.join(' → ')}`,
    });
}

/** A cycle of depends_on, as the names along it (the first repeated at the end), or null. */
export function dependencyCycle(
  services: readonly { name: string; depends_on: readonly string[] }[],
): string[] | null {
  const byName = new Map(services.map((s) => [s.name, s]));
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): string[] | null => {
    if (path.includes(name)) return [...path.slice(path.indexOf(name)), name];
    if (done.has(name)) return null;
    path.push(name);
    for (const d of byName.get(name)?.depends_on ?? [])
      if (d !== name && byName.has(d)) {
        const found = visit(d);
        if (found) return found;
      }
    path.pop();
    done.add(name);
    return null;
  };
  for (const s of services) {
    const found = visit(s.name);
    if (found) return found;
  }
  return null;
}

export const configSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Master switch. false → every run is SKIP disabled.'),
    branch: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The release branch; only runs on it are candidates. Default: the repository default branch.',
      ),
    verification_workflow: z
      .string()
      .min(1)
      .default('Verify main')
      .describe('Name or file path of the workflow whose success triggers a decision.'),
    deploy_workflow: z
      .string()
      .default('deploy.yml')
      .describe('Workflow file to dispatch. Empty → HOLD deploy_not_configured.'),
    deploy_workflow_ref: z
      .string()
      .min(1)
      .optional()
      .describe('Ref the dispatch runs on. Default: the release branch.'),
    production_environment_name: z
      .string()
      .min(1)
      .default('production')
      .describe('Shown in messages and deploy-failure issues.'),
    require_approval_for_first_deploy: z
      .boolean()
      .default(true)
      .describe('With no production SHA yet, an approval is required.'),
    default_risk_paths: z
      .boolean()
      .default(true)
      .describe(
        'false drops both default lists (HIGH and MEDIUM), for a team that wants only its own patterns; the protected paths stay.',
      ),
    high_risk_paths: z
      .array(glob)
      .default([])
      .describe(
        `Path patterns (CODEOWNERS/.gitignore conventions) that make a change HIGH risk, added to the defaults: ${DEFAULT_HIGH_RISK_PATHS.join(', ')}.`,
      ),
    medium_risk_paths: z
      .array(glob)
      .default([])
      .describe(
        `Path patterns that make a change MEDIUM risk, added to the defaults: ${DEFAULT_MEDIUM_RISK_PATHS.join(', ')}.`,
      ),
    cooldown_minutes: z
      .number()
      .int()
      .min(0)
      .max(10_080)
      .default(30)
      .describe('After a failed deploy of a SHA, that SHA is not redeployed for this long.'),
    max_deploys_per_hour: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(6)
      .describe('Dispatches counted over the last 60 minutes, claims included.'),
    approval_mode: z
      .union([approvalMode, z.array(approvalMode).min(1)])
      .default([...APPROVAL_MODES])
      .describe(
        'Which approval sources count: label, comment, environment (a list, or one string).',
      ),
    approval_label: label
      .default('release:approved')
      .describe('Label mode: the label on a merged pull request.'),
    approval_command: z
      .string()
      .min(1)
      .default('/approve-release')
      .describe('Comment mode: the first line of the comment.'),
    approver_permission: z
      .enum(APPROVER_PERMISSIONS)
      .default('write')
      .describe('Minimum repository role of an approver.'),
    approvers: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/, 'must be a user login or an org/team slug'),
      )
      .default([])
      .describe(
        'Who may approve, besides the role: user logins and org/team slugs (a team needs a token that can read the organization). Empty: anyone with approver_permission.',
      ),
    required_approvals: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(1)
      .describe(
        'How many distinct valid approvers must cover a path before it counts as approved.',
      ),
    notify_pull_requests: z
      .boolean()
      .default(true)
      .describe(
        'On a soft HOLD, comment on each merged pull request whose paths need approval (one comment, edited in place).',
      ),
    prevent_self_approval: z
      .boolean()
      .default(true)
      .describe('An approver may not approve their own change.'),
    allow_blanket_approval: z
      .boolean()
      .default(false)
      .describe('Whether RELEASE_GOVERNOR_APPROVED=true (not scoped to a SHA) counts.'),
    incident_labels: z
      .array(label)
      .default(['incident', 'deploy-failure'])
      .describe('An open issue with any of these labels is an active incident.'),
    state_branch: z
      .string()
      .min(1)
      .default('booty-state')
      .describe('Branch holding release state.'),
    status_context: z
      .string()
      .min(1)
      .default('booty/release-governor')
      .describe('Commit status context.'),
    deploy_failure_labels: z
      .array(label)
      .min(1)
      .default(['deploy-failure', 'severity:high'])
      .describe('Labels of the deploy-failure issue.'),
    health_check: healthCheckSchema
      .optional()
      .describe('Post-deploy verification of the one stage (with stages: a key of each stage).'),
    rollback_labels: z
      .array(label)
      .min(1)
      .default(['incident', 'rollback'])
      .describe('Labels of the automatic-rollback issue (incident: rule 9 holds further deploys).'),
    freeze_windows: z
      .array(freezeWindowSchema)
      .default([])
      .describe(
        'Windows in which deploys are held (HOLD freeze_window); rollbacks are never frozen.',
      ),
    required_artifacts: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Artifacts the verification run must have uploaded (test-results, sbom); missing → HOLD evidence_missing.',
      ),
    evidence_retention_days: z
      .number()
      .int()
      .min(1)
      .max(400)
      .default(90)
      .describe('How long each run’s evidence artifact is kept.'),
    break_glass_permission: z
      .enum(APPROVER_PERMISSIONS)
      .default('admin')
      .describe('Minimum repository role of the person who dispatches a break-glass deploy.'),
    versioning: versioningSchema.optional(),
    readiness: readinessSchema
      .optional()
      .describe(
        'Readiness gates (SPEC §22): fresh verification, thresholds on its figures, release blockers.',
      ),
    github_deployments: z
      .boolean()
      .default(true)
      .describe(
        'Record a GitHub deployment of the exact SHA for every deploy dispatched, with its statuses (SPEC §21).',
      ),
    environment_url: environmentUrl
      .optional()
      .describe(
        'Where production is reached, shown on its deployments (without stages; with stages, a key of each stage).',
      ),
    stages: z
      .array(stageSchema)
      .min(1, 'must list at least one stage (or leave stages out for a single stage)')
      .max(10)
      .superRefine((stages, ctx) => {
        const seen = new Set<string>();
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
      .describe(
        'The release pipeline, in order (staging first). Absent: one stage named after production_environment_name.',
      ),
    services: z
      .array(serviceSchema)
      .min(1, 'must list at least one service (or leave services out for one deployable)')
      .max(100)
      .optional()
      .describe(
        'The deployables of the repository (SPEC §20), each decided on its own paths. Absent: the repository is one deployable.',
      ),
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
        message:
          'with stages, environment_url is a key of each stage (move it under the stage it names)',
      });
    if (c.stages && c.health_check)
      ctx.addIssue({
        code: 'custom',
        path: ['health_check'],
        message:
          'with stages, health_check is a key of each stage (move it under the stage it checks)',
      });
  })
  .describe('The release_governor block of .booty.yml');

export type ConfigInput = z.input<typeof configSchema>;
type ParsedConfig = z.output<typeof configSchema>;

/** The configuration with every default resolved: what the rules read. */
export interface Config extends Omit<
  ParsedConfig,
  'branch' | 'deploy_workflow_ref' | 'approval_mode'
> {
  branch: string;
  deploy_workflow_ref: string;
  approval_mode: ApprovalMode[];
  /** The file the config came from: a change to it is always HIGH risk. */
  config_path: string;
  /**
   * Set on the config a service is judged with (domain/services.ts `serviceConfig`), never on
   * the config as read: the service, its paths and what it waits for.
   */
  service?: { name: string; paths: string[]; depends_on: string[] };
}

export type ConfigResult =
  | {
      enabled: false;
      reason: 'absent' | 'disabled';
      config: Config | null;
      /** Why it is off, in words a person can act on (the file, its keys, a likely typo). */
      why: string;
      /** A top-level key that looks like a misspelt `release_governor`, if any. */
      typo: string | null;
    }
  | { enabled: true; config: Config };

const KEYS = Object.keys(configSchema.shape) as (keyof typeof configSchema.shape)[];
const STAGE_KEYS = Object.keys(stageSchema.shape);
const SERVICE_KEYS = Object.keys(serviceSchema.shape);
const HEALTH_KEYS = Object.keys(healthCheckSchema.shape);
const FREEZE_KEYS = Object.keys(freezeWindowSchema.shape);
const VERSIONING_KEYS = Object.keys(versioningSchema.shape);
const READINESS_KEYS = Object.keys(readinessSchema.shape);
const THRESHOLD_KEYS = ['artifact', 'file', 'value', 'min', 'max', 'equals'];

/**
 * How an override's text becomes a value, read off the schema so no key's type can drift: a
 * structure (a mapping, or a list of mappings) is set in the file only.
 */
type OverrideKind = 'list' | 'boolean' | 'number' | 'text' | 'structure';

function kindOfSchema(schema: z.core.$ZodType): OverrideKind {
  const def = schema._zod.def as {
    type: string;
    innerType?: z.core.$ZodType;
    options?: z.core.$ZodType[];
  };
  switch (def.type) {
    case 'default':
    case 'optional':
    case 'prefault':
    case 'nullable':
      return kindOfSchema(def.innerType!);
    case 'object':
      return 'structure';
    case 'array': {
      const element = (def as unknown as { element: z.core.$ZodType }).element;
      return kindOfSchema(element) === 'structure' ? 'structure' : 'list';
    }
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'union':
      return def.options!.some((o) => kindOfSchema(o) === 'list') ? 'list' : 'text';
    default:
      return 'text';
  }
}

const KINDS = new Map(KEYS.map((k) => [k, kindOfSchema(configSchema.shape[k])]));
/** Keys that are structures, not scalars or lists: the file only, never an environment variable. */
export const FILE_ONLY_KEYS: ReadonlySet<string> = new Set(
  KEYS.filter((k) => KINDS.get(k) === 'structure'),
);
/** Every key a RELEASE_GOVERNOR_* variable may set, with how its text is read. */
export const OVERRIDE_KINDS: ReadonlyMap<string, Exclude<OverrideKind, 'structure'>> = new Map(
  [...KINDS].filter(
    (e): e is [(typeof KEYS)[number], Exclude<OverrideKind, 'structure'>] => e[1] !== 'structure',
  ),
);

const RUNTIME_VARIABLES = new Set([APPROVAL_VARIABLE, RETRY_BASE_VARIABLE]);

function envValue(key: string, raw: string): unknown {
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
function readOverrides(env: Record<string, string | undefined>): {
  values: Record<string, unknown>;
  problems: ConfigProblem[];
} {
  const values: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  const known = new Map([...OVERRIDE_KINDS.keys()].map((k) => [envVarFor(k), k]));
  for (const [name, raw] of Object.entries(env)) {
    if (
      !name.startsWith(ENV_PREFIX) ||
      RUNTIME_VARIABLES.has(name) ||
      raw === undefined ||
      raw === ''
    )
      continue;
    const key = known.get(name);
    if (!key && FILE_ONLY_KEYS.has(name.slice(ENV_PREFIX.length).toLowerCase())) {
      problems.push({
        key: '',
        where: `env ${name}`,
        message: `${name.slice(ENV_PREFIX.length).toLowerCase()} is a structure and is set in the config file only`,
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

function lineOf(doc: Document, counter: LineCounter, path: (string | number)[]): number | null {
  for (let i = path.length; i >= 0; i--) {
    const node = doc.getIn(path.slice(0, i), true) as YamlNode | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range)
      return counter.linePos(node.range[0]).line;
  }
  return null;
}

function keyLine(
  doc: Document,
  counter: LineCounter,
  mapPath: (string | number)[],
  key: string,
): number | null {
  const map = mapPath.length === 0 ? doc.contents : doc.getIn(mapPath, true);
  if (isMap(map)) {
    for (const pair of map.items) {
      const k = pair.key as YamlNode | null;
      if (k && typeof k === 'object' && 'value' in k && k.value === key && k.range)
        return counter.linePos(k.range[0]).line;
    }
  }
  return lineOf(doc, counter, mapPath);
}

const TYPE_WORDS: Record<string, string> = {
  array: 'a list',
  object: 'a mapping',
  boolean: 'true or false',
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
};

/** A value as an error quotes it: JSON, cut to a readable length. */
export function quoteValue(value: unknown): string {
  // A URL's user:password is never repeated into a log.
  const text = (JSON.stringify(value) ?? String(value)).replace(/(:\/\/)[^/@\s"]*@/, '$1***@');
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** The value at a path of the merged input, or undefined when the path does not exist. */
function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** One problem in words: what is wrong, then the offending value when there is one. */
function issueMessage(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'invalid_type' && value === undefined) return 'is missing (it is required)';
  let message: string;
  if (issue.code === 'invalid_union')
    message = 'must be one of label, comment, environment, or a list of them';
  else if (issue.code === 'invalid_type')
    message = `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
  else if (issue.code === 'invalid_value')
    message = `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
  else message = issue.message;
  if (value === undefined || (value !== null && typeof value === 'object')) return message;
  if (typeof value === 'string' && value !== '' && message.includes(value)) return message;
  return `${message}; got ${quoteValue(value)}`;
}

/**
 * A key path as people read it: list entries count from 1, as decisions count freeze windows
 * ("freeze window 1" is `freeze_windows.1`).
 */
function keyPath(path: (string | number)[]): string {
  return [CONFIG_BLOCK, ...path.map((p) => (typeof p === 'number' ? String(p + 1) : p))].join('.');
}

export interface LoadConfigOptions {
  /** The text of the config file; null when the file does not exist at that commit. */
  text: string | null;
  /** The config file's path in the repository (`config-path`); messages cite `path:line`. */
  path: string;
  env: Record<string, string | undefined>;
  defaultBranch: string;
}

/** The edit distance of two short strings (for "did you mean release_governor?"). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[b.length]!;
}

function absentWhy(
  opts: LoadConfigOptions,
  doc: Document | null,
): { why: string; typo: string | null } {
  if (opts.text === null)
    return {
      why: `There is no ${opts.path}: the governor is off for this repository. Commit a ${opts.path} with a ${CONFIG_BLOCK}: block to turn it on.`,
      typo: null,
    };
  const root: unknown = doc?.toJS();
  const keys = root && typeof root === 'object' ? Object.keys(root) : [];
  const typo =
    keys
      .map((k) => ({ k, d: distance(k.toLowerCase().replace(/-/g, '_'), CONFIG_BLOCK) }))
      .filter((x) => x.d <= 3)
      .sort((x, y) => x.d - y.d)[0]?.k ?? null;
  const listed = keys.length
    ? ` (its top-level keys: ${keys.slice(0, 10).join(', ')})`
    : ' (it is empty)';
  return {
    why: `${opts.path} has no ${CONFIG_BLOCK} block${listed}, so the governor is off.${typo ? ` Did you mean ${CONFIG_BLOCK}? "${typo}" looks like a misspelling.` : ''}`,
    typo,
  };
}

/**
 * Parses and validates the configuration. Throws ConfigError naming every problem.
 * Absent block (or absent file) → disabled; environment overrides still apply and can enable it.
 */
export function loadConfig(opts: LoadConfigOptions): ConfigResult {
  const problems: ConfigProblem[] = [];
  let block: Record<string, unknown> | null = null;
  let doc: Document | null = null;
  const counter = new LineCounter();
  if (opts.text !== null) {
    doc = parseDocument(opts.text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new ConfigError(
        doc.errors.map((e) => ({
          key: '',
          where: `${opts.path}:${e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line}`,
          message: `YAML syntax: ${e.message.split('\n')[0]}`,
        })),
      );
    }
    const root: unknown = doc.toJS();
    if (root !== null && root !== undefined && (typeof root !== 'object' || Array.isArray(root))) {
      throw new ConfigError([
        {
          key: '',
          where: `${opts.path}:1`,
          message: 'the file must be a YAML mapping with a release_governor key',
        },
      ]);
    }
    const raw = (root as Record<string, unknown> | null)?.[CONFIG_BLOCK];
    if (raw !== undefined) {
      if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
        throw new ConfigError([
          {
            key: CONFIG_BLOCK,
            where: `${opts.path}:${lineOf(doc, counter, [CONFIG_BLOCK]) ?? '?'}`,
            message: 'must be a mapping of settings',
          },
        ]);
      }
      // An empty `release_governor:` block means "on, with defaults".
      block = (raw as Record<string, unknown> | null) ?? {};
    }
  }

  const overrides = readOverrides(opts.env);
  problems.push(...overrides.problems);
  if (block === null && Object.keys(overrides.values).length === 0) {
    if (problems.length > 0) throw new ConfigError(problems);
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
        let where: string;
        if (fromEnv) where = `env ${envVarFor(top)}`;
        else if (doc) {
          const line =
            unknownKey === null
              ? lineOf(doc, counter, [CONFIG_BLOCK, ...path])
              : keyLine(doc, counter, [CONFIG_BLOCK, ...at], unknownKey);
          where = `${opts.path}:${line ?? '?'}`;
        } else where = opts.path;
        const allowed =
          at.at(-1) === 'health_check'
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
        const message =
          unknownKey === null
            ? issueMessage(issue, valueAt(merged, path))
            : `unknown key (allowed: ${allowed.join(', ')})`;
        problems.push({ key: keyPath(path), where, message });
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const parsed = result.data!;
  const branch = parsed.branch ?? opts.defaultBranch;
  const config: Config = {
    ...parsed,
    branch,
    deploy_workflow_ref: parsed.deploy_workflow_ref ?? branch,
    approval_mode:
      typeof parsed.approval_mode === 'string'
        ? [parsed.approval_mode]
        : [...new Set(parsed.approval_mode)],
    config_path: normalizePath(opts.path),
    ...(parsed.services ? { services: withServiceTags(parsed.services, parsed, merged) } : {}),
  };
  return config.enabled
    ? { enabled: true, config }
    : {
        enabled: false,
        reason: 'disabled',
        config,
        why: `${CONFIG_BLOCK}.enabled is false in ${opts.path}, so the governor is off.`,
        typo: null,
      };
}

/**
 * Each service's versioning resolved (SPEC §20): its own block, else the top-level one, with
 * the tag prefix its own block names, else `<name>/v` (services never share a tag name).
 */
function withServiceTags(
  services: ServiceInput[],
  parsed: ParsedConfig,
  raw: Record<string, unknown>,
): ServiceInput[] {
  const rawServices = Array.isArray(raw.services) ? (raw.services as unknown[]) : [];
  return services.map((s, i) => {
    const versioning = s.versioning ?? parsed.versioning;
    if (!versioning) return s;
    const own = (rawServices[i] as { versioning?: { tag_prefix?: unknown } } | undefined)
      ?.versioning?.tag_prefix;
    return {
      ...s,
      versioning: { ...versioning, tag_prefix: typeof own === 'string' ? own : `${s.name}/v` },
    };
  });
}

/** The JSON Schema editors use to validate .booty.yml (the block, wrapped in its key). */
export function configJsonSchema(): Record<string, unknown> {
  const block = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  delete block.$schema;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/org/release-governor/schema/release-governor.schema.json',
    title: '.booty.yml (release_governor)',
    type: 'object',
    properties: { [CONFIG_BLOCK]: block },
  };
}
