// Versions and releases (SPEC §18): the next version of an ALLOWed release, its annotated tag
// created and read back before the dispatch, and the GitHub release once the deploy is verified.
import type { Config } from '../domain/config.js';
import { pipelineOf, versioningOf, type StageContext } from '../domain/pipeline.js';
import { shortSha } from '../domain/types.js';
import { releaseNotes, type Tag, type VersionPlan, type VersionPull } from '../domain/version.js';
import { isRefused, isUnanswered } from '../adapters/api-error.js';
import type { CompareResult, StateSnapshot } from '../ports.js';
import { serviceFiles } from '../domain/services.js';
import { type GovernorDeps, GovernorError, type Remarks } from './deps.js';

/** Tags whose ancestry one decision may ask GitHub about (one compare each). */
const MAX_ANCESTRY_CHECKS = 10;

/**
 * The version `sha` is released as: a tag of ours already at it (a re-run, or one made by
 * hand), else the next after the highest of our tags below it. A computed name that is taken by
 * another commit fails here, before anything is claimed.
 */
export async function planVersion(
  deps: GovernorDeps,
  config: Config,
  range: { sha: string; current: string | null; compare: CompareResult | null },
): Promise<VersionPlan> {
  const { sha, current, compare } = range;
  const v = versioningOf(config, pipelineOf(config))!;
  // semver and the commit parser load only here, when versioning is on (start-up: SPEC §13).
  const { nextVersion, versionTags } = await import('../domain/version-plan.js');
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
      problem: `The next version's tag, ${plan.tag}, is already on ${shortSha(taken.commit)}, not on ${shortSha(sha)}: a real run would stop before claiming anything, until ${shortSha(sha)} has the tag of the version it should be released as (docs: Versions, tags made by hand).`,
    };
  if (taken) throw conflict(plan.tag, taken.commit, sha);
  return problem ? { ...plan, problem } : plan;
}

/**
 * The highest of our tags that is an ancestor of `sha`: one known to be (at the stage's current
 * SHA, or on a commit of the range), else one compare each for at most MAX_ANCESTRY_CHECKS.
 * With no release on the stage yet, the range it was counted over (tag..sha) comes along.
 */
async function versionBelow(
  deps: GovernorDeps,
  config: Config,
  r: {
    sha: string;
    current: string | null;
    compare: CompareResult | null;
    ours: (Tag & { version: string })[];
    prefix: string;
  },
): Promise<{
  previous: (Tag & { version: string }) | null;
  problem?: string;
  messages?: string[];
  pulls?: VersionPull[];
}> {
  const { sha, current } = r;
  const inRange = new Set((r.compare?.commits ?? []).map((c) => c.sha));
  let checks = 0;
  for (const t of r.ours) {
    if (t.commit === sha) continue;
    if (t.commit === current || inRange.has(t.commit)) return { previous: t };
    if (++checks > MAX_ANCESTRY_CHECKS) {
      const lost = `Could not find the version below ${shortSha(sha)}: the ${MAX_ANCESTRY_CHECKS} highest ${r.prefix}X.Y.Z tags are not its ancestors.`;
      // A what-if dispatches nothing: it says what a real run would meet, and goes on.
      if (deps.dryRun)
        return {
          previous: null,
          problem: `${lost} A real run stops here before claiming anything; the version shown is counted as if no tag were below.`,
        };
      throw new GovernorError(
        lost,
        `Delete tags made on other branches, or tag the release below ${shortSha(sha)} by hand with its version; then re-run.`,
      );
    }
    const c = await deps.gh.compare(t.commit, sha);
    if (c.status !== 'ahead' && c.status !== 'identical') continue;
    if (current) return { previous: t };
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
function serviceRange(
  config: Config,
  range: {
    commits: { sha: string; message: string }[];
    pulls: VersionPull[];
    commitPulls?: Record<string, number[]> | undefined;
  },
): { messages: string[]; pulls: VersionPull[] } {
  const { commits, pulls, commitPulls } = range;
  if (!config.service) return { messages: commits.map((c) => c.message), pulls };
  const touches = (p: VersionPull) =>
    !p.files ||
    serviceFiles(
      config,
      p.files.map((path) => ({ path, status: 'modified' as const })),
    ).length > 0;
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

function conflict(tag: string, other: string, sha: string): GovernorError {
  return new GovernorError(
    `The tag ${tag} exists on ${other}, not on ${sha}, the commit to release as ${tag}. Nothing was dispatched.`,
    `A tag of the next version was made by hand on another commit. Delete it (git push --delete origin ${tag}) if it is wrong, or tag ${shortSha(sha)} by hand with the version it should have; then re-run the governor.`,
  );
}

/**
 * Creates the annotated tag at exactly `sha` and reads it back; a tag that exists already
 * (a re-run, a lost response, a person) must resolve to `sha`.
 */
export async function ensureTag(
  deps: GovernorDeps,
  plan: VersionPlan,
  sha: string,
  stage: string,
): Promise<void> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    if (!plan.existing) {
      try {
        await deps.gh.createTag(
          plan.tag,
          sha,
          `Release ${plan.tag}\n\n${plan.why}.\nTagged by Release Governor before dispatching the deploy of ${sha} to ${stage}.`,
        );
      } catch (e) {
        // Refused because it exists, or no answer: reading it back tells which.
        if (!isUnanswered(e) && !(isRefused(e) && e.status === 422)) throw e;
        deps.log(`Creating the tag ${plan.tag}: ${(e as Error).message}; reading it back.`);
      }
    }
    const at = await deps.gh.tagTarget(plan.tag);
    if (at === sha) {
      deps.log(`The tag ${plan.tag} resolves to ${sha}.`);
      return;
    }
    if (at !== null) throw conflict(plan.tag, at, sha);
    if (plan.existing) break;
  }
  throw new GovernorError(
    `The tag ${plan.tag} for ${sha} could not be created (it does not exist after two attempts). Nothing was dispatched.`,
    'Re-run the governor: the claim was withdrawn, and the next run creates the tag again.',
  );
}

/**
 * The stage runs `sha` verified: when it is the versioned stage and the deploy carried a tag,
 * publish the GitHub release of that tag (once: an existing release is left as it is). Returns
 * the tag (the run's `version`), or null when there is none to publish.
 */
export async function publishRelease(
  on: { deps: GovernorDeps; ctx: StageContext; said: Remarks },
  sha: string,
  known?: StateSnapshot,
): Promise<string | null> {
  const { deps, ctx, said } = on;
  const v = versioningOf(ctx.config, pipelineOf(ctx.config));
  if (!v?.github_release || v.stage.name !== ctx.stage.name || deps.dryRun) return null;
  const snap =
    known?.decision?.sha === sha && known.head !== null ? known : await deps.store.read(sha);
  const entry = snap.release.deploy_history.find((h) => h.sha === sha && h.version);
  if (!entry?.version) return null;
  const tag = entry.version;
  try {
    const existing = await deps.gh.releaseOf(tag);
    if (existing) {
      said.note(`The release ${tag} exists already: ${existing.url}`);
      return tag;
    }
    const record = snap.decision as
      (NonNullable<StateSnapshot['decision']> & { version?: Partial<VersionPlan> }) | null;
    const valid = (record?.approvals.valid ?? []) as {
      actor?: string | null;
      source?: string;
      pull?: number | null;
      at?: string | null;
    }[];
    const whole = snap.pipeline ?? snap.release;
    const body = releaseNotes({
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
    said.note(
      r.created ? `Published the release ${tag}: ${r.url}` : `The release ${tag} exists: ${r.url}`,
    );
  } catch (e) {
    // The deploy is recorded and verified either way: a missing release is a warning.
    said.warn(
      `The GitHub release ${tag} could not be published: ${(e as Error).message}. Re-running the governor on the deploy's event publishes it.`,
    );
  }
  return tag;
}
