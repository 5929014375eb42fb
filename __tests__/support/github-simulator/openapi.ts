// Checks every request against GitHub's published OpenAPI description of api.github.com
// (@octokit/openapi). The simulator answers a request only after recording whether GitHub
// would have accepted its shape: an unknown route, a missing required parameter, a wrong
// type or an unknown body field is a contract violation.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export interface MatchedOperation {
  method: string;
  template: string;
  operationId: string;
  params: Record<string, string>;
}

export interface Violation {
  method: string;
  path: string;
  route: string | null;
  problem: string;
}

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  greedyRegex: RegExp;
  names: string[];
  literals: number;
  operation: Obj;
  pathParameters: Json[];
}

let cachedSpec: Obj | null = null;

function loadSpec(): Obj {
  if (cachedSpec) return cachedSpec;
  const require = createRequire(import.meta.url);
  // The package index loads every variant (GHES, GHEC…); read only the one we check against.
  const file = join(
    dirname(require.resolve('@octokit/openapi/package.json')),
    'generated',
    'api.github.com.json',
  );
  cachedSpec = JSON.parse(readFileSync(file, 'utf8')) as Obj;
  return cachedSpec;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class ContractChecker {
  private readonly spec: Obj;
  private readonly routes: Route[] = [];
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  private readonly bodyValidators = new Map<string, ValidateFunction | null>();

  constructor() {
    this.spec = loadSpec();
    const paths = this.spec.paths as Obj;
    for (const [template, item] of Object.entries(paths)) {
      const pathItem = item as Obj;
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        const operation = pathItem[method] as Obj | undefined;
        if (!operation) continue;
        const names: string[] = [];
        const segments = template.split('/');
        const parts = segments.map((seg) =>
          seg.replace(/\{([^}]+)\}|[^{]+/g, (m, name: string | undefined) => {
            if (name) {
              names.push(name);
              return '([^/]+)';
            }
            return escapeRegex(m);
          }),
        );
        const regex = new RegExp(`^${parts.join('/')}$`);
        // A last `path` or `ref` may hold slashes when a client sends them unencoded.
        const greedy = parts.slice();
        const last = names[names.length - 1];
        if (greedy[greedy.length - 1] === '([^/]+)' && (last === 'path' || last === 'ref'))
          greedy[greedy.length - 1] = '(.+)';
        this.routes.push({
          method: method.toUpperCase(),
          template,
          regex,
          greedyRegex: new RegExp(`^${greedy.join('/')}$`),
          names,
          literals: segments.filter((s) => !s.includes('{')).length,
          operation,
          pathParameters: (pathItem.parameters as Json[] | undefined) ?? [],
        });
      }
    }
    // Most specific first: `/git/refs` before `/git/{x}`.
    this.routes.sort((a, b) => b.literals - a.literals);
  }

  match(method: string, rawPath: string): MatchedOperation | null {
    for (const greedy of [false, true]) {
      for (const route of this.routes) {
        if (route.method !== method) continue;
        const m = (greedy ? route.greedyRegex : route.regex).exec(rawPath);
        if (!m) continue;
        const params: Record<string, string> = {};
        route.names.forEach((n, i) => {
          params[n] = decodeURIComponent(m[i + 1]!);
        });
        return {
          method,
          template: route.template,
          operationId: String(route.operation.operationId),
          params,
        };
      }
    }
    return null;
  }

  private resolve(node: Json, stack: string[] = []): Json {
    if (Array.isArray(node)) return node.map((n) => this.resolve(n, stack));
    if (node === null || typeof node !== 'object') return node;
    const ref = node.$ref;
    if (typeof ref === 'string') {
      if (stack.includes(ref)) return {}; // a recursive schema: accept anything below this point
      let target: Json = this.spec;
      for (const key of ref.replace(/^#\//, '').split('/'))
        target = (target as Obj)[key.replace(/~1/g, '/').replace(/~0/g, '~')]!;
      return this.resolve(target, [...stack, ref]);
    }
    const out: Obj = {};
    for (const [k, v] of Object.entries(node)) out[k] = this.resolve(v, stack);
    // OpenAPI 3.0's `nullable` is not JSON Schema: turn it into a null type.
    if (out.nullable === true) {
      if (typeof out.type === 'string') out.type = [out.type, 'null'];
      else if (!out.type) {
        /* untyped nullable: anything already goes */
      }
      delete out.nullable;
    }
    return out;
  }

  private findRoute(op: MatchedOperation): Route {
    return this.routes.find((r) => r.method === op.method && r.template === op.template)!;
  }

  /** Returns the problems with a request already matched to an operation (empty when it conforms). */
  check(op: MatchedOperation, query: URLSearchParams, body: unknown, hasBody: boolean): string[] {
    const route = this.findRoute(op);
    const problems: string[] = [];
    const params = [
      ...route.pathParameters,
      ...((route.operation.parameters as Json[] | undefined) ?? []),
    ].map((p) => this.resolve(p) as Obj);
    const known = new Set<string>();
    for (const p of params) {
      const name = String(p.name);
      const where = String(p.in);
      const schema = (p.schema ?? {}) as Obj;
      if (where === 'path') {
        const value = op.params[name];
        if (value === undefined || value === '') problems.push(`path parameter ${name} is empty`);
        else problems.push(...checkScalar(`path parameter ${name}`, value, schema));
      } else if (where === 'query') {
        known.add(name);
        const value = query.get(name);
        if (value === null) {
          if (p.required === true) problems.push(`query parameter ${name} is required`);
        } else problems.push(...checkScalar(`query parameter ${name}`, value, schema));
      }
    }
    for (const name of query.keys()) {
      if (!known.has(name)) problems.push(`unknown query parameter ${name}`);
    }
    const requestBody = route.operation.requestBody
      ? (this.resolve(route.operation.requestBody) as Obj)
      : null;
    if (!requestBody) {
      if (
        hasBody &&
        body !== null &&
        !(typeof body === 'object' && Object.keys(body as object).length === 0)
      ) {
        problems.push('this operation takes no request body');
      }
      return problems;
    }
    if (!hasBody) {
      if (requestBody.required === true) problems.push('request body is required');
      return problems;
    }
    const validator = this.bodyValidator(op, requestBody);
    if (validator && !validator(body)) {
      for (const e of validator.errors ?? []) {
        problems.push(
          `body${e.instancePath || ''} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
        );
      }
    }
    return problems;
  }

  private bodyValidator(op: MatchedOperation, requestBody: Obj): ValidateFunction | null {
    const key = `${op.method} ${op.template}`;
    if (!this.bodyValidators.has(key)) {
      const content = requestBody.content as Obj | undefined;
      const schema = (content?.['application/json'] as Obj | undefined)?.schema as Obj | undefined;
      if (!schema) this.bodyValidators.set(key, null);
      else this.bodyValidators.set(key, this.ajv.compile(closeTopLevel(schema)));
    }
    return this.bodyValidators.get(key) ?? null;
  }
}

/**
 * GitHub ignores unknown body fields, so a misspelt field silently does nothing. We treat an
 * unknown top-level field as a violation, which catches `return_run_detail` and friends.
 */
function closeTopLevel(schema: Obj): Obj {
  if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) {
    return { ...schema, additionalProperties: false };
  }
  return schema;
}

function checkScalar(label: string, value: string, schema: Obj): string[] {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'integer' && !/^-?\d+$/.test(value))
    return [`${label} must be an integer, got ${JSON.stringify(value)}`];
  if (type === 'number' && Number.isNaN(Number(value)))
    return [`${label} must be a number, got ${JSON.stringify(value)}`];
  if (type === 'boolean' && value !== 'true' && value !== 'false')
    return [`${label} must be a boolean, got ${JSON.stringify(value)}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    return [`${label} must be one of ${schema.enum.join(', ')}, got ${JSON.stringify(value)}`];
  return [];
}
