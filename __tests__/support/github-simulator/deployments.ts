// GitHub Deployments (SPEC §21), as the REST API documents them: a deployment names a ref
// (branch, tag or SHA) resolved to a commit; `auto_merge` (default true) refuses to deploy a
// ref behind the default branch (GitHub merges the default branch into it instead, answering
// 202 with no deployment); `required_contexts` (default: every context submitted) must be
// `success` on the commit, else 409; statuses move through queued, in_progress, success, failure,
// error, inactive; a `success` with `auto_inactive` (default true) marks the earlier successful
// deployments of the same environment inactive — only non-transient, non-production ones, as
// the OpenAPI description of `auto_inactive` says, so production deployments stay active until
// someone marks them inactive.
import type { GitRepo } from './git.js';
import { HttpError } from './errors.js';

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: unknown;
  environment: string;
  original_environment: string;
  description: string | null;
  creator: string;
  created_at: string;
  updated_at: string;
  transient_environment: boolean;
  production_environment: boolean;
  /** Newest first, as GitHub lists them. */
  statuses: DeploymentStatusRecord[];
}

export interface DeploymentStatusRecord {
  id: number;
  state: string;
  description: string;
  environment: string;
  log_url: string;
  environment_url: string;
  creator: string;
  created_at: string;
}

const STATES = new Set([
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
]);
const DESCRIPTION_MAX = 140;

/** What the deployments need from the simulator that holds them. */
export interface DeploymentsHost {
  git: GitRepo;
  defaultBranch: string;
  apiUrl: string;
  fullName: string;
  tokenUser: string;
  clock: () => Date;
  id(): number;
  /** The commit statuses of a SHA, newest first. */
  statusesFor(sha: string): { state: string; context: string }[];
  userJson(login: string): Record<string, unknown>;
}

export class Deployments {
  readonly list: DeploymentRecord[] = [];

  constructor(private readonly host: DeploymentsHost) {}

  /** POST /repos/{owner}/{repo}/deployments: 201 with the deployment, 202 merged, 409, 422. */
  create(body: Record<string, unknown>): { status: number; body: unknown } {
    const h = this.host;
    const ref = String(body.ref ?? '');
    const sha = h.git.resolveCommit(ref);
    if (!sha) throw new HttpError(422, `No ref found for: ${ref}`);
    const defaultHead = h.git.resolveCommit(h.defaultBranch);
    if (body.auto_merge !== false && defaultHead && !h.git.isAncestor(defaultHead, sha))
      return {
        status: 202,
        body: { message: `Auto-merged ${h.defaultBranch} into ${ref} on deployment.` },
      };
    const failed = this.failedContexts(sha, body.required_contexts);
    if (failed.length > 0)
      throw new HttpError(409, `Conflict: Commit status checks failed for ${ref}.`, {
        errors: [
          { contexts: failed, resource: 'Deployment', field: 'required_contexts', code: 'invalid' },
        ],
      });
    const environment = typeof body.environment === 'string' ? body.environment : 'production';
    const now = h.clock().toISOString();
    const d: DeploymentRecord = {
      id: h.id(),
      sha,
      ref,
      task: typeof body.task === 'string' ? body.task : 'deploy',
      payload: parsePayload(body.payload),
      environment,
      original_environment: environment,
      description: typeof body.description === 'string' ? body.description : null,
      creator: h.tokenUser,
      created_at: now,
      updated_at: now,
      transient_environment: body.transient_environment === true,
      production_environment:
        typeof body.production_environment === 'boolean'
          ? body.production_environment
          : environment === 'production',
      statuses: [],
    };
    this.list.unshift(d);
    return { status: 201, body: this.json(d) };
  }

  /** GET /repos/{owner}/{repo}/deployments, filtered by sha, ref, task and environment. */
  find(query: URLSearchParams): DeploymentRecord[] {
    return this.list.filter(
      (d) =>
        (!query.get('sha') || d.sha === query.get('sha')) &&
        (!query.get('ref') || d.ref === query.get('ref')) &&
        (!query.get('task') || d.task === query.get('task')) &&
        (!query.get('environment') || d.environment === query.get('environment')),
    );
  }

  get(id: number): DeploymentRecord {
    const d = this.list.find((x) => x.id === id);
    if (!d) throw new HttpError(404, 'Not Found');
    return d;
  }

  /** POST …/deployments/{id}/statuses: 201 with the status; 422 for a bad state or description. */
  addStatus(id: number, body: Record<string, unknown>): { status: number; body: unknown } {
    const h = this.host;
    const d = this.get(id);
    const state = String(body.state ?? '');
    if (!STATES.has(state)) throw new HttpError(422, `Invalid state: ${state}`);
    const description = typeof body.description === 'string' ? body.description : '';
    if (description.length > DESCRIPTION_MAX)
      throw new HttpError(422, 'Validation Failed', {
        errors: [
          {
            resource: 'DeploymentStatus',
            code: 'custom',
            field: 'description',
            message: `description is too long (maximum is ${DESCRIPTION_MAX} characters)`,
          },
        ],
      });
    if (typeof body.environment === 'string') d.environment = body.environment;
    const logUrl =
      typeof body.log_url === 'string'
        ? body.log_url
        : typeof body.target_url === 'string'
          ? body.target_url
          : '';
    const s: DeploymentStatusRecord = {
      id: h.id(),
      state,
      description,
      environment: d.environment,
      log_url: logUrl,
      environment_url: typeof body.environment_url === 'string' ? body.environment_url : '',
      creator: h.tokenUser,
      created_at: h.clock().toISOString(),
    };
    d.statuses.unshift(s);
    d.updated_at = s.created_at;
    if (state === 'success' && body.auto_inactive !== false) this.inactivateBefore(d);
    return { status: 201, body: this.statusJson(d, s) };
  }

  /** The state of a deployment: its newest status, or `pending` before any. */
  stateOf(d: DeploymentRecord): string {
    return d.statuses[0]?.state ?? 'pending';
  }

  json(d: DeploymentRecord): Record<string, unknown> {
    const h = this.host;
    const url = `${h.apiUrl}/repos/${h.fullName}/deployments/${d.id}`;
    return {
      url,
      id: d.id,
      node_id: `DE_${d.id}`,
      sha: d.sha,
      ref: d.ref,
      task: d.task,
      payload: d.payload,
      original_environment: d.original_environment,
      environment: d.environment,
      description: d.description,
      creator: h.userJson(d.creator),
      created_at: d.created_at,
      updated_at: d.updated_at,
      statuses_url: `${url}/statuses`,
      repository_url: `${h.apiUrl}/repos/${h.fullName}`,
      transient_environment: d.transient_environment,
      production_environment: d.production_environment,
    };
  }

  statusJson(d: DeploymentRecord, s: DeploymentStatusRecord): Record<string, unknown> {
    const h = this.host;
    const deployment = `${h.apiUrl}/repos/${h.fullName}/deployments/${d.id}`;
    return {
      url: `${deployment}/statuses/${s.id}`,
      id: s.id,
      node_id: `DES_${s.id}`,
      state: s.state,
      creator: h.userJson(s.creator),
      description: s.description,
      environment: s.environment,
      target_url: s.log_url,
      log_url: s.log_url,
      environment_url: s.environment_url,
      created_at: s.created_at,
      updated_at: s.created_at,
      deployment_url: deployment,
      repository_url: `${h.apiUrl}/repos/${h.fullName}`,
    };
  }

  /** Contexts that are required and not `success` on the commit (latest status per context). */
  private failedContexts(sha: string, required: unknown): string[] {
    const latest = new Map<string, string>();
    for (const s of this.host.statusesFor(sha))
      if (!latest.has(s.context)) latest.set(s.context, s.state);
    const contexts = Array.isArray(required) ? required.map(String) : [...latest.keys()];
    return contexts.filter((c) => latest.get(c) !== 'success');
  }

  private inactivateBefore(current: DeploymentRecord): void {
    for (const d of this.list) {
      if (d === current || d.environment !== current.environment) continue;
      if (d.transient_environment || d.production_environment) continue;
      if (this.stateOf(d) !== 'success') continue;
      d.statuses.unshift({
        ...d.statuses[0]!,
        id: this.host.id(),
        state: 'inactive',
        created_at: this.host.clock().toISOString(),
      });
    }
  }
}

/** `payload` is an object or a JSON string; GitHub answers it as an object when it parses. */
function parsePayload(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw ?? {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
