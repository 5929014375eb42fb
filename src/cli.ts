// The `release-governor` CLI: the same engine as the action, with a GitHub backend
// (--repo owner/name and a token) or a local one (--local [path]: a clone, no network).
import { policyShaOf } from './domain/state.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiError, UnreachableError } from './adapters/api-error.js';
import { GitHub } from './adapters/github.js';
import {
  LocalGit,
  LocalGitError,
  LocalRepo,
  localPort,
  LocalStateStore,
} from './adapters/local-git.js';
import { createOctokit, RateLimitError } from './adapters/octokit.js';
import { GitHubStateStore } from './adapters/state-branch.js';
import { probeUrl } from './adapters/http-probe.js';
import { configJsonSchema, loadConfig, type Config } from './domain/config.js';
import { ConfigError, envVarFor } from './domain/config-base.js';
import {
  lastStage,
  pipelineOf,
  pipelineRows,
  type Pipeline,
  type PipelineRow,
} from './domain/pipeline.js';
import { verifyChain, type EvidenceRecord } from './domain/evidence.js';
import {
  inFlight,
  serviceView,
  type HistoryEntry,
  StateCorruptError,
  stageView,
  versionOf,
  type Release,
} from './domain/state.js';
import { isFullSha, shortSha } from './domain/types.js';
import {
  decideAndAct,
  GovernorError,
  readConfig,
  retryBaseMs,
  type GovernorDeps,
} from './governor/index.js';
import { forService } from './governor/policy.js';
import { deploysOf, metricsOf, MIN_DEPLOYS } from './domain/metrics.js';
import { serviceConfig } from './domain/services.js';
import { namedStage, stageDeps } from './governor/stages.js';
import { layoutOf } from './governor/services.js';
import { manualRollback } from './governor/controls.js';
import { StageStore } from './governor/stage-store.js';
import { WhatIfStore } from './governor/what-if-store.js';
import { adopt, clearClaim, recordDeploy, type OperatorResult } from './operator.js';
import type { EvidenceSnapshot, StateStore } from './ports.js';
import { buildReport, type RunReport } from './report/summary.js';
import { dashboardOf, type ReportTarget } from './report/dashboard.js';
import { renderPage } from './report/page.js';
import { unblockSteps, unblockText } from './report/unblock.js';

const USAGE = `Usage: release-governor <command> [options]

Commands:
  simulate --sha <sha> [--show-paths] [--stage S] [--production <sha>]
                                        the decision for a commit, without side effects;
                                        --production: as if the stage ran that SHA (no state needed)
  trigger --sha <sha> [--stage S]       decide and, on ALLOW, claim and dispatch (GitHub backend only)
  status                                what is in production, the last deploy, what is in flight,
                                        and with stages every stage of the pipeline
  history [--limit N] [--service S]     recent deploys from the state branch (with --service,
                                        of that service, every stage)
  adopt --sha <sha> [--force --reason <text>]
                                        record what is in production now, without deploying
  record --sha <sha> --result success|failure [--run-url <url>]
                                        a deploy done outside the governor
  rollback --reason <text> [--stage S] [--to <sha|tag>]
                                        roll a stage back (default the last, to its last healthy
                                        SHA), as the token's user, who must be an approver
  clear --sha <sha> --reason <text>     release a claim whose deploy run is absent or finished
                                        (adopt, record, clear: GitHub backend only; --stage S
                                        corrects that stage instead of the last)
  metrics [--since 30d] [--service S] [--stage S]
                                        the delivery metrics (DORA) of a stage, from the
                                        evidence chain alone (default: the last stage)
  report --out DIR [--since 30d]        DIR/index.html: one self-contained page (no network) with
                                        the readiness of every service and stage, the metrics and
                                        their charts by week, the recent releases, the chain's check
  audit [--expect-head HASH]            recompute the evidence chain; exit 0 intact, 1 broken
  (with services, every command takes --service NAME: simulate and trigger decide that service
  only, status shows only it, and rollback, adopt, record and clear need it)
  schema                                the JSON Schema of the release_governor block

Backends:
  --local [path]        a local clone (default: the current directory): no network, no token
  --repo owner/name     GitHub (default: the clone's origin); token from GITHUB_TOKEN or GH_TOKEN,
                        API from GITHUB_API_URL (GitHub Enterprise Server works the same way)

Options:
  --json                machine-readable output (shape in docs/cli.md)
  --config-path <path>  config file in the repository (default .booty.yml)
  --degraded <bool>     production health: true, false (default: unknown)

Exit codes: 0 ALLOW, SKIP or success, 1 HOLD, 2 error (with --json, {"error": {code, message}}).`;

export class CliError extends Error {}

interface Streams {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

interface Backend {
  kind: 'local' | 'github';
  deps: GovernorDeps;
  store: StateStore;
  stateBranch: string;
  describe: string;
}

function backend(
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  env: NodeJS.ProcessEnv,
  dryRun: boolean,
): Backend {
  const stateBranch = env[envVarFor('state_branch')] || 'booty-state';
  const degradedRaw = values.degraded as string | undefined;
  if (degradedRaw !== undefined && degradedRaw !== 'true' && degradedRaw !== 'false')
    throw new CliError('--degraded takes true or false.');
  const common = {
    now: () => new Date(),
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    random: Math.random,
    retryBaseMs: retryBaseMs(env),
    env,
    configPath: (values['config-path'] as string | undefined) ?? '.booty.yml',
    configPathExplicit: values['config-path'] !== undefined,
    stateBranch,
    degraded: degradedRaw === undefined ? null : degradedRaw === 'true',
    dryRun,
    run: {
      id: null,
      attempt: null,
      url: null,
      source: 'cli' as const,
      actor: env.GITHUB_ACTOR || env.USER || env.USERNAME || null,
      event: 'cli',
    },
    log: () => undefined,
    probe: probeUrl,
  };
  const localFlag = values.local;
  if (localFlag !== undefined && values.repo !== undefined)
    throw new CliError(
      '--local and --repo name two different backends (a clone on disk, or GitHub): pass one of them.',
    );
  if (localFlag !== undefined) {
    const dir =
      typeof localFlag === 'string' && localFlag !== '' ? localFlag : (positionals[0] ?? '.');
    const git = new LocalGit(dir);
    git.check();
    const store = new LocalStateStore(git, stateBranch);
    return {
      kind: 'local',
      store,
      stateBranch,
      describe: `local clone ${dir}`,
      deps: {
        ...common,
        gh: localPort(new LocalRepo(git)),
        store: new StageStore(store, { now: common.now, policyPath: common.configPath }),
        defaultBranch: git.defaultBranch(),
      },
    };
  }
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  const repoArg = (values.repo as string | undefined) ?? new LocalGit('.').originRepo();
  if (!repoArg)
    throw new CliError(
      'No repository: pass --repo owner/name (or --local to use this clone without GitHub).',
    );
  const [owner, repo] = repoArg.split('/');
  if (!owner || !repo)
    throw new CliError(`--repo must be owner/name, got ${JSON.stringify(repoArg)}.`);
  if (!token)
    throw new CliError(
      'No token: set GITHUB_TOKEN (or GH_TOKEN) to a token that can read the repository, or use --local.',
    );
  const octokit = createOctokit({
    token,
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    retryBaseMs: common.retryBaseMs,
  });
  const gh = new GitHub(octokit, owner, repo, token);
  const store = new GitHubStateStore(octokit, owner, repo, stateBranch);
  return {
    kind: 'github',
    store,
    stateBranch,
    describe: `${owner}/${repo}`,
    deps: {
      ...common,
      gh,
      store: new StageStore(store, { now: common.now, policyPath: common.configPath }),
      defaultBranch: '',
    },
  };
}

/** The GitHub backend for a command that acts: local mode refuses it, saying why. */
function actingBackend(
  command: string,
  what: string,
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  env: NodeJS.ProcessEnv,
): Backend {
  const b = backend(values, positionals, env, false);
  if (b.kind === 'local')
    throw new CliError(
      `${command} is refused in local mode: it ${what}, which needs --repo owner/name and a token.`,
    );
  return b;
}

/** A SHA that names no commit is an error naming it, not a decision about nothing. */
async function mustExist(b: Backend, sha: string): Promise<void> {
  try {
    await b.deps.gh.commitAuthor(sha);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 422))
      throw new CliError(`There is no commit ${sha} in ${b.describe}.`);
    throw e;
  }
}

/**
 * `simulate --production SHA`: the deps of a what-if in which the decided stage (--stage, else
 * the first) runs SHA. The policy is the one that SHA's production would have.
 */
async function whatIf(
  b: Backend,
  production: string,
  sha: string,
  stageName: string | undefined,
): Promise<GovernorDeps> {
  const read = await readConfig(b.deps, production, sha);
  const pipeline = read.config ? pipelineOf(read.config) : null;
  const stage = !pipeline
    ? { name: 'production', isLast: true }
    : stageName !== undefined
      ? namedStage(pipeline, stageName)
      : pipeline.stages[0]!;
  const store = new WhatIfStore(b.store, production, stage, b.deps.now);
  return {
    ...b.deps,
    store: new StageStore(store, { now: b.deps.now, policyPath: b.deps.configPath }),
  };
}

function resolveSha(
  b: Backend,
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  flag = '--sha',
): string {
  const raw = values.sha as string | undefined;
  if (!raw)
    throw new CliError(
      `${flag} is required (a full SHA, or a revision such as HEAD in a local clone).`,
    );
  if (isFullSha(raw) && b.kind !== 'local') return raw;
  if (b.kind === 'local') {
    const dir =
      typeof values.local === 'string' && values.local !== ''
        ? values.local
        : (positionals[0] ?? '.');
    return new LocalGit(dir).resolve(raw);
  }
  throw new CliError(
    `${flag} ${JSON.stringify(raw)} is not a full 40-character SHA; the GitHub backend takes full SHAs only.`,
  );
}

function reportJson(r: RunReport, b: Backend, showPaths: boolean): Record<string, unknown> {
  return {
    decision: r.outcome,
    reason: r.reason,
    risk: r.risk,
    sha: r.sha,
    production_sha: r.productionSha,
    stage: r.stage,
    version: r.version,
    backend: b.kind,
    rules: r.decision?.rules ?? [],
    risk_paths: (r.assessment?.matches ?? []).map((m) => ({
      source: m.source,
      pattern: m.pattern,
      level: m.level,
      count: m.count,
      paths: m.paths,
    })),
    ...(showPaths ? { changed_paths: r.assessment?.paths ?? [] } : {}),
    risk_incomplete: r.assessment?.incompleteReason ?? null,
    approvals: { valid: r.approvals?.valid ?? [], ignored: r.approvals?.ignored ?? [] },
    unblock: r.decision?.unblock ?? null,
    notes: r.notes,
    warnings: r.warnings,
    deploy_run_url: r.deployRunUrl,
    state_commit: r.stateCommit,
  };
}

function reportText(r: RunReport, b: Backend, showPaths: boolean): string {
  const lines: string[] = [];
  lines.push(
    `${r.outcome} ${r.reason ?? ''} · risk ${r.risk ?? '—'} · ${r.sha ? shortSha(r.sha) : ''} (${r.pipeline && r.stage ? `${r.stage} at` : 'production'} ${r.productionSha ? shortSha(r.productionSha) : 'none'}) · ${b.describe}`,
  );
  if (r.headline) lines.push(r.headline);
  if (r.version) lines.push(`Version: ${r.version}${r.versionWhy ? ` (${r.versionWhy})` : ''}`);
  if (r.decision) {
    lines.push('', 'Rules:');
    for (const x of r.decision.rules)
      lines.push(`  ${x.verdict === 'applies' ? '→' : '✓'} ${x.title}: ${x.detail}`);
  }
  if (r.assessment && r.assessment.matches.length > 0) {
    lines.push('', 'Paths that drove the risk:');
    for (const m of r.assessment.matches) {
      lines.push(`  ${m.level} ${m.source} ${m.pattern} (${m.count})`);
      for (const p of m.paths.slice(0, 10)) lines.push(`    ${JSON.stringify(p).slice(1, -1)}`);
      if (m.count > 10) lines.push(`    … and ${m.count - Math.min(10, m.paths.length)} more`);
    }
  }
  if (showPaths && r.assessment) {
    lines.push('', `Changed paths (${r.assessment.paths.length}):`);
    for (const p of r.assessment.paths) lines.push(`  ${JSON.stringify(p).slice(1, -1)}`);
  }
  if (r.approvals && (r.approvals.valid.length || r.approvals.ignored.length)) {
    lines.push('', 'Approvals:');
    for (const a of r.approvals.valid)
      lines.push(
        `  counted: ${a.source}${a.actor ? ` by @${a.actor}` : ''}${a.pull ? ` on #${a.pull}` : ''}`,
      );
    for (const a of r.approvals.ignored) lines.push(`  ignored: ${a.detail}`);
  }
  const u = r.decision?.unblock;
  if (u)
    lines.push(
      '',
      'How to unblock:',
      ...unblockText(unblockSteps(u, { runUrl: null, environmentName: r.environmentName })),
    );
  for (const w of r.warnings) lines.push('', `Warning: ${w}`);
  for (const n of r.notes) lines.push('', `Note: ${n}`);
  if (r.deployRunUrl) lines.push('', `Triggered: ${r.deployRunUrl}`);
  return `${lines.join('\n')}\n`;
}

async function decideCommand(
  command: 'simulate' | 'trigger',
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  s: Streams,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const b = backend(values, positionals, env, command === 'simulate');
  if (command === 'trigger' && b.kind === 'local')
    throw new CliError(
      'trigger is refused in local mode: it dispatches a deploy, which needs --repo owner/name and a token. Use simulate to see the decision.',
    );
  const sha = resolveSha(b, values, positionals);
  if (b.kind === 'github') {
    b.deps.defaultBranch = (await (b.deps.gh as GitHub).repository()).defaultBranch;
    await mustExist(b, sha);
  }
  const stage = typeof values.stage === 'string' && values.stage !== '' ? values.stage : undefined;
  if (values.production !== undefined) {
    if (command !== 'simulate')
      throw new CliError(
        '--production is a what-if of simulate only: trigger decides from the recorded state.',
      );
    const production = resolveSha(
      b,
      { ...values, sha: values.production },
      positionals,
      '--production',
    );
    if (b.kind === 'github') await mustExist(b, production);
    b.deps = await whatIf(b, production, sha, stage);
  }
  const service = optionText(values.service);
  const decided = await decideAndAct(b.deps, {
    sha,
    manual: command === 'trigger',
    ...(stage ? { stage } : {}),
    ...(service ? { service } : {}),
  });
  // What the CLI adds for the person at the terminal, after the governor's own notes.
  const notes: string[] = [];
  if (decided.releaseBranch && decided.reason !== 'disabled') {
    const on = await b.deps.gh.onBranch(sha, decided.releaseBranch).catch(() => null);
    if (on === false)
      notes.push(
        `${shortSha(sha)} is not on the release branch ${decided.releaseBranch}: the governor decides for it only when asked like this; a verification run of it is never a release candidate.`,
      );
  }
  if (b.kind === 'local') {
    notes.push(
      'Local mode: approvals come from RELEASE_GOVERNOR_APPROVED only, and open incidents are not visible.',
    );
    if (!(b.store as LocalStateStore).ref && decided.reason !== 'disabled' && !values.production)
      notes.push(
        `No ${b.stateBranch} branch in this clone (nor origin/${b.stateBranch}): judged as a first deploy.`,
      );
  }
  if (values.production)
    notes.push(
      `What-if (--production): ${decided.stage ?? 'production'} judged as if it ran ${shortSha(decided.productionSha ?? '')}, with the rest of the state as recorded.`,
    );
  const report = buildReport({ ...decided, notes: [...decided.notes, ...notes] });
  const showPaths = values['show-paths'] === true;
  s.out.write(
    values.json
      ? `${JSON.stringify(reportJson(report, b, showPaths), null, 2)}\n`
      : reportText(report, b, showPaths),
  );
  return report.outcome === 'HOLD' ? 1 : 0;
}

async function statusCommand(
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  s: Streams,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const b = backend(values, positionals, env, true);
  const snap = await b.store.read();
  const r = snap.release;
  const flying = inFlight(r);
  const pipeline = await pipelineOfState(b, r);
  const json = {
    backend: b.kind,
    state_branch: b.stateBranch,
    state_head: snap.head,
    production_sha: r.production_sha_current,
    /** The version tag production runs (§18), when versioning recorded one. */
    production_version: versionOf(r, r.production_sha_current),
    production_sha_previous: r.production_sha_previous,
    last_deploy: {
      sha: r.last_deploy_attempt_sha,
      time: r.last_deploy_time,
      result: r.last_deploy_result,
      run_url: r.last_deploy_run_url,
    },
    in_flight: flying ? { sha: flying.sha, time: flying.time, run_url: flying.run_url } : null,
    /** With stages: each stage, first to last (null with a single stage). */
    stages: pipeline.stages,
    /** With services (§20): every service and each of its stages (null without services). */
    services: pipeline.services,
    warnings: [
      ...(flying ? await inFlightWarnings(b, flying) : []),
      ...(pipeline.warning ? [pipeline.warning] : []),
    ],
  };
  const only = optionText(values.service);
  if (only) {
    if (!json.services?.some((x) => x.name === only))
      throw new CliError(
        `--service ${only}: ${json.services ? `the services are ${json.services.map((x) => x.name).join(', ')}` : 'the policy in force has no services'}.`,
      );
    json.services = json.services.filter((x) => x.name === only);
  }
  if (values.json) s.out.write(`${JSON.stringify(json, null, 2)}\n`);
  else {
    if (snap.head === null)
      s.out.write(
        `No state yet: ${b.stateBranch} does not exist in ${b.describe}. Nothing has been deployed through the governor.\n`,
      );
    else {
      s.out.write(
        `Production: ${r.production_sha_current ?? 'none'}${json.production_version ? ` ${json.production_version}` : ''}${r.production_sha_previous ? ` (previous ${shortSha(r.production_sha_previous)})` : ''}\n`,
      );
      s.out.write(
        `Last deploy: ${r.last_deploy_attempt_sha ? `${shortSha(r.last_deploy_attempt_sha)} ${r.last_deploy_result ?? ''} at ${r.last_deploy_time}` : 'none'}${r.last_deploy_run_url ? ` ${r.last_deploy_run_url}` : ''}\n`,
      );
      s.out.write(
        `In flight: ${flying ? `${shortSha(flying.sha)} since ${flying.time}${flying.run_url ? ` ${flying.run_url}` : ' (claimed, not yet dispatched)'}` : 'nothing'}\n`,
      );
      if (json.services) {
        for (const svc of json.services) {
          s.out.write(`Service ${svc.name}:\n`);
          for (const st of svc.stages) s.out.write(`  ${stageLine(st)}\n`);
        }
      } else if (json.stages) {
        s.out.write('Pipeline:\n');
        for (const st of json.stages) s.out.write(`  ${stageLine(st)}\n`);
      }
      for (const w of json.warnings) s.out.write(`Warning: ${w}\n`);
    }
  }
  return 0;
}

/** A stage of `status --json`. */
interface StageStatus {
  name: string;
  current_sha: string | null;
  version: string | null;
  live_since: string | null;
  verified_at: string | null;
  soak_ends: string | null;
  in_flight: { sha: string; run_url: string | null } | null;
  last_result: string | null;
  next: PipelineRow['next'];
}

/** A stage as `status` prints it. */
function stageLine(st: StageStatus): string {
  return `${st.name}: ${st.current_sha ? shortSha(st.current_sha) : 'none'}${st.version ? ` ${st.version}` : ''}${st.live_since ? ` since ${st.live_since}` : ''}${st.verified_at ? `, verified ${st.verified_at}` : ''}${st.soak_ends ? `, soak ends ${st.soak_ends}` : ''}${st.in_flight ? `, in flight ${shortSha(st.in_flight.sha)}` : ''}${st.last_result === 'failure' ? ', last deploy failed' : ''}${st.next ? `, next ${shortSha(st.next.sha)}${st.next.at ? ` at ${st.next.at}` : ' (ready)'}` : ''}`;
}

/** The stages of a pipeline as `status --json` lists them. */
function stagesStatus(whole: Release, pipeline: Pipeline): StageStatus[] {
  return pipelineRows(whole, pipeline).map((row, i, rows) => ({
    name: row.stage,
    current_sha: row.currentSha,
    version: versionOf(stageView(whole, row.stage, i === rows.length - 1), row.currentSha),
    live_since: row.liveSince,
    verified_at: row.verifiedAt,
    soak_ends: row.soakEnd,
    in_flight: row.inFlight ? { sha: row.inFlight.sha, run_url: row.inFlight.runUrl } : null,
    last_result: row.lastResult,
    next: row.next,
  }));
}

/** One line of what a record says happened. */
function recordSummary(r: EvidenceRecord): Record<string, unknown> {
  const approvers = Array.isArray(r.approvals)
    ? (r.approvals as { valid?: boolean; actor?: string | null }[])
        .filter((a) => a.valid && a.actor)
        .map((a) => a.actor)
    : [];
  const deploy = r.deploy_run as { conclusion?: string | null } | undefined;
  const health = r.health_check as { verdict?: string } | undefined;
  return {
    seq: r.seq,
    time: r.time,
    kind: r.kind,
    sha: r.sha,
    stage: r.stage,
    outcome:
      r.kind === 'decision' || r.kind === 'break_glass'
        ? `${String(r.outcome)} ${String(r.reason)}`
        : r.kind === 'deploy'
          ? `deploy ${deploy?.conclusion ?? '?'}`
          : r.kind === 'health_check'
            ? `health ${health?.verdict ?? '?'}`
            : `rollback to ${String(r.to ?? '?').slice(0, 7)}`,
    approvers,
    // Services (§20) and readiness (§22): which service, and what the release was judged on.
    ...(r.service ? { service: r.service } : {}),
    ...(r.readiness ? { readiness: r.readiness } : {}),
    hash: r.hash,
  };
}

/** release.json and every evidence record at one head: one request (GitHub) or one git process. */
function evidenceOf(b: Backend): Promise<EvidenceSnapshot> {
  return (b.store as StateStore & { readEvidence(): Promise<EvidenceSnapshot> }).readEvidence();
}

/** `--since`: `30d` (days before now), or an ISO date or time. */
function sinceOf(value: string | boolean | undefined, now: Date): Date {
  const text = typeof value === 'string' && value.trim() ? value.trim() : '30d';
  const days = /^(\d+)d$/.exec(text);
  if (days) return new Date(now.getTime() - Number(days[1]) * 86_400_000);
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new CliError(
      `--since takes a number of days (30d) or an ISO date; got ${JSON.stringify(text)}.`,
    );
  return new Date(t);
}

/** The policy `release.json` keeps a copy of (no request), parsed; null when it has none. */
function policyOfState(release: Release | null): Config | null {
  const copy = release?.policy;
  if (!copy) return null;
  return loadConfig({ text: copy.text, path: copy.path, env: {}, defaultBranch: 'main' }).config;
}

/**
 * The last stage of the service (or of the one deployable), from the policy copy the state
 * holds (no request); `production` when the state has none.
 */
function lastStageOf(release: Release | null, service: string | null): string {
  const config = policyOfState(release);
  if (!config) return 'production';
  return lastStage(pipelineOf(service && config.services ? serviceConfig(config, service) : config))
    .name;
}

/** `metrics`: the DORA metrics of one stage from the evidence chain alone (SPEC §23). */
async function metricsCommand(
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  s: Streams,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const b = backend(values, positionals, env, true);
  const now = b.deps.now();
  const since = sinceOf(values.since, now);
  const snap = await evidenceOf(b);
  const records = verifyChain(snap.files, snap.release?.evidence_head ?? null, null).records;
  const service = optionText(values.service) ?? null;
  const stage = optionText(values.stage) ?? lastStageOf(snap.release, service);
  const m = metricsOf(deploysOf(records, { service, stage }), {
    since,
    until: now,
    service,
    stage,
  });
  if (values.json) {
    s.out.write(`${JSON.stringify(m, null, 2)}\n`);
    return 0;
  }
  const hours = (x: number | null) => (x === null ? '—' : `${(x / 3600).toFixed(1)} h`);
  const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
  const f = m.deployment_frequency;
  s.out.write(
    [
      `Delivery metrics of ${service ? `${service} ` : ''}${stage}, ${m.since.slice(0, 10)} to ${m.until.slice(0, 10)}:`,
      `  deployment frequency   ${f.per_day} per day (${f.deploys} successful, ${f.days_with_deploy} day(s) with one)   ${f.band}`,
      `  lead time for changes  median ${hours(m.lead_time.median_seconds)}, p90 ${hours(m.lead_time.p90_seconds)} (${m.lead_time.commits} commits)   ${m.lead_time.band}`,
      `  change failure rate    ${pct(m.change_failure_rate.rate)} (${m.change_failure_rate.failed} of ${m.change_failure_rate.deploys})   ${m.change_failure_rate.band}`,
      `  recovery time          median ${hours(m.recovery_time.median_seconds)}, p90 ${hours(m.recovery_time.p90_seconds)} (${m.recovery_time.failures} failure(s))   ${m.recovery_time.band}`,
      `  rework rate            ${pct(m.rework_rate.rate)} (${m.rework_rate.rework} of ${m.rework_rate.deploys})`,
      ...(m.change_failure_rate.deploys < MIN_DEPLOYS
        ? [`  (too few deploys for a band: ${m.change_failure_rate.deploys}, under ${MIN_DEPLOYS})`]
        : []),
    ].join('\n') + '\n',
  );
  return 0;
}

/**
 * The deployables the report shows, from the policy copy the state holds (no request): every
 * service with its pipeline and its view of release.json, or the one deployable.
 */
function reportTargets(release: Release | null): ReportTarget[] {
  if (!release) return [];
  const config = policyOfState(release);
  if (config?.services)
    return layoutOf(config).map((l) => ({
      service: l.name,
      pipeline: pipelineOf(serviceConfig(config, l.name)),
      release: serviceView(release, l),
    }));
  // Without a copy (a state from before the governor kept one): the one stage of the defaults.
  const pipeline = pipelineOf(
    config ??
      loadConfig({
        text: 'release_governor: {}\n',
        path: '.booty.yml',
        env: {},
        defaultBranch: 'main',
      }).config!,
  );
  return [{ service: null, pipeline, release }];
}

/** `report`: the readiness report, one self-contained HTML page (SPEC §23). */
async function reportCommand(
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  s: Streams,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const out = optionText(values.out);
  if (!out) throw new CliError('report needs --out DIR: the directory index.html is written to.');
  const b = backend(values, positionals, env, true);
  const now = b.deps.now();
  const since = sinceOf(values.since, now);
  const snap = await evidenceOf(b);
  const dashboard = dashboardOf({
    repository: b.describe,
    targets: reportTargets(snap.release),
    chain: verifyChain(snap.files, snap.release?.evidence_head ?? null, null),
    head: snap.head,
    since,
    until: now,
  });
  // Vega and Vega-Lite load here only: a chunk of their own in the CLI bundle.
  const { renderCharts } = await import('./report/charts.js');
  const html = renderPage(dashboard, await renderCharts(dashboard.metrics));
  mkdirSync(out, { recursive: true });
  const file = join(out, 'index.html');
  writeFileSync(file, html);
  s.out.write(
    `Wrote ${file} (${Buffer.byteLength(html)} bytes): ${dashboard.readiness.length} deployable(s), ${dashboard.chain.records} evidence record(s), chain ${dashboard.chain.intact ? 'intact' : 'BROKEN'}.\n`,
  );
  return 0;
}

/** `audit`: recompute every hash and link of the evidence chain (SPEC §17). */
async function auditCommand(
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  s: Streams,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const b = backend(values, positionals, env, true);
  const expect = typeof values['expect-head'] === 'string' ? values['expect-head'] : null;
  if (expect !== null && !/^[0-9a-f]{64}$/.test(expect))
    throw new CliError('--expect-head takes a record hash: 64 lowercase hex characters.');
  const snap = await evidenceOf(b);
  const result = verifyChain(snap.files, snap.release?.evidence_head ?? null, expect);
  const releases = result.records.map(recordSummary);
  const intact = result.problem === null;
  if (values.json)
    s.out.write(
      `${JSON.stringify(
        {
          backend: b.kind,
          state_branch: b.stateBranch,
          state_head: snap.head,
          intact,
          records: result.records.length,
          evidence_head: snap.release?.evidence_head ?? null,
          problem: result.problem,
          releases,
        },
        null,
        2,
      )}\n`,
    );
  else {
    for (const r of releases)
      s.out.write(
        `${String(r.seq).padStart(6)}  ${String(r.time)}  ${String(r.kind).padEnd(12)}  ${String(r.sha).slice(0, 7)}  ${String(r.stage ?? '').padEnd(10)}  ${String(r.outcome)}${(r.approvers as string[]).length ? `  approved by ${(r.approvers as string[]).map((a) => `@${a}`).join(', ')}` : ''}\n`,
      );
    s.out.write(
      intact
        ? `Evidence chain on ${b.stateBranch} intact: ${result.records.length} record(s), head ${snap.release?.evidence_head?.hash ?? 'none'}.\n`
        : `Evidence chain on ${b.stateBranch} BROKEN at ${result.problem!.path}${result.problem!.seq !== null ? ` (seq ${result.problem!.seq})` : ''}: ${result.problem!.kind} — ${result.problem!.detail}\n`,
    );
  }
  return intact ? 0 : 1;
}

/** `rollback`: the manual rollback of SPEC §16, through the same protocol as the action's. */
async function rollbackCommand(
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  s: Streams,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const b = actingBackend('rollback', 'dispatches a deploy', values, positionals, env);
  const reason = typeof values.reason === 'string' ? values.reason : '';
  if (!reason.trim())
    throw new CliError('rollback needs a reason (--reason "…"): it is kept in the record.');
  const gh = b.deps.gh as GitHub;
  b.deps.defaultBranch = (await gh.repository()).defaultBranch;
  const report = await manualRollback(b.deps, {
    reason,
    actor: await gh.whoami(),
    ...(typeof values.stage === 'string' && values.stage ? { stage: values.stage } : {}),
    ...(typeof values.to === 'string' && values.to ? { sha: values.to } : {}),
    ...(optionText(values.service) ? { service: optionText(values.service)! } : {}),
  });
  s.out.write(
    values.json
      ? `${JSON.stringify(reportJson(report, b, false), null, 2)}\n`
      : reportText(report, b, false),
  );
  return 0;
}

/** An option's text, trimmed; undefined when absent or empty. */
function optionText(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * The deps of the stage named by --stage and, with services, of the service named by --service
 * (its last stage without --stage); the config read at the policy in force.
 */
async function onTarget(
  deps: GovernorDeps,
  { stage, service }: { stage: string | undefined; service: string | undefined },
): Promise<GovernorDeps> {
  const snap = await deps.store.read();
  const read = await readConfig(
    deps,
    policyShaOf(snap.pipeline ?? snap.release),
    deps.defaultBranch,
  );
  const asked = [stage ? `--stage ${stage}` : '', service ? `--service ${service}` : '']
    .filter(Boolean)
    .join(' ');
  if (!read.config || read.disabled)
    throw new CliError(`${asked}: the governor is off (${read.why ?? 'no config'}).`);
  const config = read.config;
  if (!config.services) {
    if (service)
      throw new CliError(
        `--service ${service}: the policy in force has no services; the repository is one deployable.`,
      );
    return stage ? stageDeps(deps, namedStage(pipelineOf(config), stage)) : deps;
  }
  if (!service)
    throw new CliError(
      `With services, this command needs --service (one of ${config.services.map((x) => x.name).join(', ')}).`,
    );
  deps.store.useServices(layoutOf(config));
  const pipeline = pipelineOf(forService(read, service).config!);
  const st = stage ? namedStage(pipeline, stage) : lastStage(pipeline);
  return {
    ...deps,
    store: deps.store.forTarget({ service, stage: st.name, isLast: st.isLast }),
  };
}

/** The pipeline rows, when the config (read at production's policy) has stages; else null. */
async function pipelineOfState(
  b: Backend,
  r: Release,
): Promise<{
  stages: StageStatus[] | null;
  services: { name: string; stages: StageStatus[] }[] | null;
  warning: string | null;
}> {
  const none = { stages: null, services: null, warning: null };
  if (!r.stages || Object.keys(r.stages).length === 0) return none;
  try {
    // The head matters only when production has no config (adoption) or there is no production.
    const head =
      b.deps.defaultBranch ||
      (r.production_sha_current ?? (await (b.deps.gh as GitHub).repository()).defaultBranch);
    const read = await readConfig(b.deps, policyShaOf(r), head);
    if (!read.config) return none;
    if (read.config.services) {
      const config = read.config;
      const services = layoutOf(config).map((l) => ({
        name: l.name,
        stages: stagesStatus(serviceView(r, l), pipelineOf(forService(read, l.name).config!)),
      }));
      return { stages: null, services, warning: null };
    }
    const pipeline = pipelineOf(read.config);
    return {
      stages: pipeline.configured ? stagesStatus(r, pipeline) : null,
      services: null,
      warning: null,
    };
  } catch (e) {
    return {
      stages: null,
      services: null,
      warning: `The stages could not be listed: the config did not load (${
        e instanceof ConfigError
          ? e.problems.map((p) => `${p.where}: ${p.key ? `${p.key}: ` : ''}${p.message}`).join('; ')
          : (e as Error).message
      }).`,
    };
  }
}

/** An in-flight entry older than this is suspicious whatever its run says. */
const STALE_IN_FLIGHT_MS = 3 * 60 * 60_000;

/** Why the deploy in flight may never finish by itself, and what to run about it. */
async function inFlightWarnings(
  b: Backend,
  flying: { sha: string; time: string; run_id: number | null },
): Promise<string[]> {
  const warnings: string[] = [];
  const age = b.deps.now().getTime() - Date.parse(flying.time);
  if (age > STALE_IN_FLIGHT_MS)
    warnings.push(
      `${shortSha(flying.sha)} has been in flight since ${flying.time} (${Math.round(age / 3_600_000)} h). If its deploy will never finish, release it: release-governor clear --sha ${flying.sha} --reason "<why>".`,
    );
  if (b.kind === 'github' && flying.run_id !== null) {
    const run = await b.deps.gh.run(flying.run_id);
    if (run.status === 'completed')
      warnings.push(
        `Deploy run ${run.url} of ${shortSha(flying.sha)} finished (${run.conclusion ?? 'no conclusion'}) but its outcome was never recorded (a lost workflow_run event?). Record it: release-governor record --sha ${flying.sha} --result ${run.conclusion === 'success' ? 'success' : 'failure'} --run-url ${run.url}`,
      );
  }
  return warnings;
}

/** adopt, record, clear: hand corrections through the compare-and-swap, GitHub backend only. */
async function operatorCommand(
  command: 'adopt' | 'record' | 'clear',
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  s: Streams,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const b = actingBackend(command, 'writes the state branch on GitHub', values, positionals, env);
  const sha = values.sha as string | undefined;
  if (!sha || !isFullSha(sha)) throw new CliError('--sha takes a full 40-character SHA.');
  b.deps.defaultBranch = (await (b.deps.gh as GitHub).repository()).defaultBranch;
  const reason =
    typeof values.reason === 'string' && values.reason.trim() ? values.reason.trim() : null;
  // Who asked, for the note in the record: the Actions actor, else the local user.
  const by = env.GITHUB_ACTOR || env.USER || env.USERNAME || 'cli';
  const req = { sha, by, reason };
  let result: OperatorResult;
  const target = { stage: optionText(values.stage), service: optionText(values.service) };
  if (target.stage || target.service) b.deps = await onTarget(b.deps, target);
  if (command === 'adopt') {
    result = await adopt(b.deps, { ...req, force: values.force === true });
  } else if (command === 'record') {
    const outcome = values.result;
    if (outcome !== 'success' && outcome !== 'failure')
      throw new CliError('--result takes success or failure.');
    const runUrl = typeof values['run-url'] === 'string' ? values['run-url'] : null;
    result = await recordDeploy(b.deps, { ...req, success: outcome === 'success', runUrl });
  } else result = await clearClaim(b.deps, req);
  if (values.json)
    s.out.write(
      `${JSON.stringify(
        {
          action: result.action,
          sha: result.sha,
          production_sha: result.productionSha,
          state_commit: result.stateCommit,
          message: result.message,
          notes: result.notes,
        },
        null,
        2,
      )}\n`,
    );
  else {
    s.out.write(`${result.message}\n`);
    for (const n of result.notes) s.out.write(`Note: ${n}\n`);
    if (result.stateCommit) s.out.write(`State commit: ${result.stateCommit}\n`);
  }
  return 0;
}

async function historyCommand(
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  s: Streams,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new CliError('--limit takes a positive whole number.');
  const b = backend(values, positionals, env, true);
  const snap = await b.store.read();
  // With services, --service: that service's production history (the top level mirrors the
  // first service listed).
  const service = optionText(values.service);
  const whole = snap.pipeline ?? snap.release;
  let history: (HistoryEntry & { stage?: string })[] = snap.release.deploy_history;
  if (service) {
    const own = whole.services?.[service];
    if (!own)
      throw new CliError(
        `--service ${service}: the state has ${whole.services ? `the services ${Object.keys(whole.services).join(', ')}` : 'no services'}.`,
      );
    history = Object.entries(own.stages)
      .flatMap(([stage, st]) => st.deploy_history.map((h) => ({ ...h, stage })))
      .sort((x, y) => Date.parse(y.time) - Date.parse(x.time));
  }
  const entries = history.slice(0, limit).map((h) => ({
    sha: h.sha,
    time: h.time,
    result: h.result,
    run_id: h.run_id,
    run_url: h.run_url,
    completed_at: h.completed_at ?? null,
    issue_number: h.issue_number ?? null,
    version: h.version ?? null,
    rollback_of: h.rollback_of ?? null,
    ...(h.stage ? { stage: h.stage } : {}),
  }));
  if (values.json) s.out.write(`${JSON.stringify({ backend: b.kind, entries }, null, 2)}\n`);
  else if (entries.length === 0) s.out.write('No deploys recorded.\n');
  else
    for (const e of entries)
      s.out.write(
        `${e.time}  ${e.stage ? `${e.stage.padEnd(10)}  ` : ''}${shortSha(e.sha)}  ${(e.version ?? '').padEnd(9)}  ${(e.result ?? '').padEnd(7)}  ${e.run_url ?? ''}${e.rollback_of ? `  rollback of ${shortSha(e.rollback_of)}` : ''}${e.issue_number ? `  #${e.issue_number}` : ''}\n`,
      );
  return 0;
}

export async function cli(
  argv: string[],
  s: Streams = { out: process.stdout, err: process.stderr },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    (command ? s.out : s.err).write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        sha: { type: 'string' },
        json: { type: 'boolean' },
        'show-paths': { type: 'boolean' },
        limit: { type: 'string' },
        repo: { type: 'string' },
        local: { type: 'string' },
        'config-path': { type: 'string' },
        degraded: { type: 'string' },
        reason: { type: 'string' },
        result: { type: 'string' },
        'run-url': { type: 'string' },
        to: { type: 'string' },
        'expect-head': { type: 'string' },
        stage: { type: 'string' },
        service: { type: 'string' },
        since: { type: 'string' },
        out: { type: 'string' },
        production: { type: 'string' },
        force: { type: 'boolean' },
      },
    });
    switch (command) {
      case 'schema':
        s.out.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
        return 0;
      case 'simulate':
      case 'trigger':
        return await decideCommand(command, values, positionals, s, env);
      case 'status':
        return await statusCommand(values, positionals, s, env);
      case 'history':
        return await historyCommand(values, positionals, s, env);
      case 'adopt':
      case 'record':
      case 'clear':
        return await operatorCommand(command, values, positionals, s, env);
      case 'rollback':
        return await rollbackCommand(values, positionals, s, env);
      case 'metrics':
        return await metricsCommand(values, positionals, s, env);
      case 'report':
        return await reportCommand(values, positionals, s, env);
      case 'audit':
        return await auditCommand(values, positionals, s, env);
      default:
        s.err.write(`release-governor: unknown command "${command}".\n\n${USAGE}\n`);
        return 2;
    }
  } catch (e) {
    const { code, message } = describeCliError(e);
    // A script that asked for JSON gets JSON for every outcome, errors included.
    if (rest.includes('--json'))
      s.out.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
    s.err.write(`release-governor ${command}: ${message}\n`);
    return 2;
  }
}

/** An error as a stable code (for scripts) and a message with the advice a person needs. */
function describeCliError(e: unknown): { code: string; message: string } {
  if (!(e instanceof Error)) return { code: 'internal', message: String(e) };
  const advice = (e instanceof GovernorError || e instanceof ApiError) && e.advice;
  const message = advice ? `${e.message}\n${advice}` : e.message;
  if (e instanceof ConfigError) return { code: 'config_invalid', message };
  if (e instanceof StateCorruptError) return { code: 'state_corrupt', message };
  if (e instanceof CliError) return { code: 'usage', message };
  if (e instanceof LocalGitError) return { code: 'local_git', message };
  if (e instanceof RateLimitError) return { code: 'rate_limited', message };
  if (e instanceof UnreachableError) return { code: 'github_unreachable', message };
  if (e instanceof ApiError) return { code: 'github_api', message };
  if (e instanceof GovernorError) return { code: 'governor', message };
  if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
    return { code: 'usage', message };
  return { code: 'internal', message };
}

/** `--local` may be given without a value: turn it into `--local=` so parseArgs accepts it. */
export function normalizeArgv(argv: string[]): string[] {
  return argv.flatMap((a, i) =>
    a === '--local' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--'))
      ? ['--local=']
      : [a],
  );
}
