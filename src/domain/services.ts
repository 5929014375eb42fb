// Services (SPEC §20): the deployables of one repository, each with its own paths, config and
// state. Which services a diff affects, the config each is judged with, and the order in which
// they go. Pure.
import type { Config, ServiceInput } from './config.js';
import { patternSource } from './patterns.js';
import { protectedPaths, type ChangedFile } from './risk.js';

/** The services of a config in the order they are listed; empty without `services`. */
export function servicesOf(config: Config): ServiceInput[] {
  return config.services ?? [];
}

/**
 * The config a service is judged with: each per-service key of §20 over the top-level one (the
 * risk lists added to the top-level lists), freeze windows that name it or no service, and its
 * commit status context `<status_context>/<service>`.
 */
export function serviceConfig(config: Config, name: string): Config {
  const s = config.services?.find((x) => x.name === name);
  if (!s) throw new Error(`serviceConfig: ${name} is not a service of the config`);
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
function compilePaths(patterns: readonly string[]): RegExp {
  const parts = patterns.map((p) => {
    const s = patternSource(p);
    if (!s) throw new Error(`invalid glob ${JSON.stringify(p)} in services.paths`);
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
export function dependencyOrder(config: Config): string[] {
  const services = servicesOf(config);
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: string[] = [];
  const visit = (name: string) => {
    if (out.includes(name)) return;
    for (const d of byName.get(name)?.depends_on ?? []) if (byName.has(d)) visit(d);
    out.push(name);
  };
  for (const s of services) visit(s.name);
  return out;
}

const compiledPaths = new WeakMap<object, (path: string) => boolean>();

/**
 * The files of a diff that belong to the service a config is judged with (its `service` set by
 * serviceConfig): its paths and the protected paths; every file without services.
 */
export function serviceFiles(config: Config, files: readonly ChangedFile[]): ChangedFile[] {
  const service = config.service;
  if (!service) return [...files];
  let belongs = compiledPaths.get(service);
  if (!belongs) {
    const isProtected = protectedPaths(config.config_path);
    const re = compilePaths(service.paths);
    belongs = (path) => isProtected(path) || re.test(path);
    compiledPaths.set(service, belongs);
  }
  const test = belongs;
  return files.filter(
    (f) => test(f.path) || (f.previousPath !== undefined && test(f.previousPath)),
  );
}

/** An open issue concerns a service unless it names others only (`service:<name>` labels). */
export function concernsService(labels: readonly string[], service: string | null): boolean {
  if (service === null) return true;
  const named = labels
    .map((l) => /^service:(.+)$/i.exec(l.trim())?.[1]?.toLowerCase())
    .filter((n): n is string => n !== undefined);
  return named.length === 0 || named.includes(service.toLowerCase());
}

/**
 * An issue the governor opens about one service (a failed deploy, a failed health check): its
 * title names the service, and a `service:<name>` label scopes it, so the incident it is holds
 * that service only (SPEC §20). Unchanged without services.
 */
export function serviceIssue(
  config: Config,
  issue: { title: string; labels: string[] },
): { title: string; labels: string[] } {
  const service = config.service?.name;
  if (!service) return issue;
  return {
    title: `${service}: ${issue.title}`,
    labels: [...new Set([...issue.labels, `service:${service}`])],
  };
}
