// Readiness gates (SPEC §22) through dist/index.js: a verification too old to trust, figures of
// the verification read from its artifact (downloaded by @actions/artifact from the simulator's
// signed blob URL) against their bounds, and release blockers — each a hard HOLD saying what
// clears it, each passing gate shown with what it measured.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import {
  deployRuns,
  deployWorkflowText,
  inProduction,
  setupRepo,
  stateFile,
  verified,
  type Scenario,
} from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';
import { zipOf } from '../support/zip.js';

let sim: GitHubSimulator;
useSimulator((s) => (sim = s));

let nextRunId = 9900;
const runId = () => nextRunId++;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

const SUMMARY = JSON.stringify({
  warm_run: { improvement_pct: 72.5 },
  shared_cache: { site_count: 3, row_count: 1500 },
  assertions: { skipped: 0 },
  label: 'nightly',
});

function readiness(lines: string[]): string {
  return ['release_governor:', '  cooldown_minutes: 0', '  readiness:', ...lines, ''].join('\n');
}

const PLAN_G = readiness([
  '    evidence_thresholds:',
  '      - { artifact: verification-summary, file: verification-summary.json, value: /warm_run/improvement_pct, min: 60 }',
  '      - { artifact: verification-summary, file: verification-summary.json, value: /shared_cache/site_count, min: 2 }',
]);

/** A verified commit whose verification run uploaded `files` as the artifact `name`. */
function verifiedWith(
  s: Scenario,
  files: Record<string, string> | null,
  opts: { completedMinutesAgo?: number; name?: string; size?: number } = {},
) {
  const sha = sim.commit({ files: { 'src/app.ts': `v${nextRunId}` } });
  const event = verified(sim, s, sha, {
    workflow_run: { updated_at: minutesAgo(opts.completedMinutesAgo ?? 1) },
  }) as { workflow_run: { id: number } };
  if (files)
    sim.artifact(event.workflow_run.id, {
      name: opts.name ?? 'verification-summary',
      zip: zipOf(files),
      ...(opts.size ? { size: opts.size } : {}),
    });
  return { sha, event };
}

const decide = (event: unknown) =>
  runAction({ sim, eventName: 'workflow_run', event, runId: runId() });

const artifactRequests = (r: { requests: { path: string }[] }) =>
  r.requests.filter((q) => /\/artifacts/.test(q.path));

describe('readiness: a fresh verification', () => {
  it('a verification 20 minutes old against a 15-minute limit → HOLD verification_stale; a re-run of the verification → ALLOW', async () => {
    const s = setupRepo(sim, { config: readiness(['    max_verification_age_minutes: 15']) });
    inProduction(sim, s.base);
    const { sha, event } = verifiedWith(s, null, { completedMinutesAgo: 20 });
    const held = await decide(event);
    expect(held.exitCode, held.stdout).toBe(0);
    expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'verification_stale' });
    expect(held.summary).toContain('Re-run the verification workflow');
    expect(held.summary).toMatch(/\| Verification at most 15 minute\(s\) old \| \*\*fail\*\* \|/);
    expect(artifactRequests(held)).toEqual([]);

    const again = verified(sim, s, sha, { workflow_run: { updated_at: minutesAgo(1) } });
    const r = await decide(again);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', sha });
    expect(r.summary).toMatch(/\| Verification at most 15 minute\(s\) old \| pass \|/);
  });
});

describe('readiness: thresholds on the figures of the verification', () => {
  it('thresholds met → ALLOW, the values and the sha256 of the file in the evidence record', async () => {
    const s = setupRepo(sim, { config: PLAN_G });
    inProduction(sim, s.base);
    const { event } = verifiedWith(s, { 'verification-summary.json': SUMMARY });
    const r = await decide(event);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs.decision, r.stdout).toBe('ALLOW');
    // The artifact list and one download, nothing more.
    expect(artifactRequests(r).map((q) => q.path.replace(/\d+/g, 'N'))).toEqual([
      '/repos/acme/shop/actions/runs/N/artifacts',
      '/repos/acme/shop/actions/artifacts/N/zip',
    ]);
    const head = sim.git.readRef('refs/heads/booty-state')!;
    const evidence = JSON.parse(
      sim.git.fileAt(head, 'evidence/000001.json')!.content.toString('utf8'),
    ) as { readiness: { files: unknown[]; thresholds: { found: unknown; verdict: string }[] } };
    expect(evidence.readiness.files).toEqual([
      {
        artifact: 'verification-summary',
        name: 'verification-summary.json',
        size: Buffer.byteLength(SUMMARY),
        sha256: createHash('sha256').update(SUMMARY).digest('hex'),
      },
    ]);
    expect(evidence.readiness.thresholds.map((t) => [t.found, t.verdict])).toEqual([
      [72.5, 'pass'],
      [3, 'pass'],
    ]);
    expect(r.summary).toContain(
      '<code>/warm_run/improvement_pct</code> ≥ 60 | pass | <code>72.5</code> |',
    );
  });

  it.each([
    [
      'a value under its bound',
      { 'verification-summary.json': SUMMARY.replace('72.5', '41') },
      {},
      /\/warm\\?_run\/improvement\\?_pct ≥ 60: 41 is below 60/,
    ],
    [
      'a missing file',
      { 'other.json': '{}' },
      {},
      /the artifact verification-summary has no file verification-summary\.json/,
    ],
    [
      'a string under a numeric bound',
      { 'verification-summary.json': SUMMARY.replace('72.5', '"72.5"') },
      {},
      /&quot;72\.5&quot; is not a number/,
    ],
    [
      'a file that is not JSON',
      { 'verification-summary.json': 'warm: 72.5' },
      {},
      /verification-summary\.json in verification-summary is not JSON/,
    ],
    [
      'an artifact over the size limit',
      { 'verification-summary.json': SUMMARY },
      { size: 60 * 1024 * 1024 },
      /the artifact verification-summary is 60\.0 MB, over the 50 MB the governor reads/,
    ],
    [
      'an artifact the run does not have',
      { 'verification-summary.json': SUMMARY },
      { name: 'other-artifact' },
      /the verification run has no artifact verification-summary/,
    ],
  ] as const)('%s → HOLD evidence_threshold saying which', async (_, files, opts, why) => {
    const s = setupRepo(sim, { config: PLAN_G });
    inProduction(sim, s.base);
    const { event } = verifiedWith(s, { ...files }, { ...opts });
    const r = await decide(event);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ decision: 'HOLD', reason: 'evidence_threshold' });
    expect(r.summary).toMatch(why);
    expect(deployRuns(sim, s)).toEqual([]);
  });

  it('readiness unset → no artifact request at all', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const { event } = verifiedWith(s, { 'verification-summary.json': SUMMARY });
    const r = await decide(event);
    expect(r.outputs.decision).toBe('ALLOW');
    expect(artifactRequests(r)).toEqual([]);
  });
});

describe('readiness: release blockers', () => {
  it('an open issue labelled release-blocker → HOLD with its link; closed → ALLOW; a pull request counts too', async () => {
    const s = setupRepo(sim);
    inProduction(sim, s.base);
    const n = sim.openIssue({ title: 'Data loss in export', labels: ['release-blocker'] });
    const { sha, event } = verifiedWith(s, null);
    const held = await decide(event);
    expect(held.exitCode, held.stdout).toBe(0);
    expect(held.outputs).toMatchObject({ decision: 'HOLD', reason: 'release_blocked' });
    // A link to the issue (the summary escapes a leading #).
    expect(held.summary).toContain(
      `[\\#${n} Data loss in export](${sim.serverUrl}/acme/shop/issues/${n})`,
    );
    sim.issue(n)!.state = 'closed';
    const pr = sim.openPullRequest({ title: 'Revert the exporter', labels: ['release-blocker'] });
    const byPull = await decide(verified(sim, s, sha));
    expect(byPull.outputs).toMatchObject({ decision: 'HOLD', reason: 'release_blocked' });
    expect(byPull.summary).toContain(
      `[\\#${pr} Revert the exporter](${sim.serverUrl}/acme/shop/pull/${pr})`,
    );
    sim.issue(pr)!.state = 'closed';
    const r = await decide(verified(sim, s, sha));
    expect(r.outputs).toMatchObject({ decision: 'ALLOW', sha });
    // The blockers came with the state read: no search.
    expect(r.requests.some((q) => q.path.startsWith('/search'))).toBe(false);
  });

  it('a blocker labelled service:web holds web only', async () => {
    const s = setupRepo(sim, {
      config: [
        'release_governor:',
        '  cooldown_minutes: 0',
        '  services:',
        '    - { name: api, paths: [services/api/] }',
        '    - { name: web, paths: [apps/web/] }',
        '',
      ].join('\n'),
      deployFile: deployWorkflowText({ sha: true, service: true }),
    });
    s.deploy.runName = 'Deploy ${{ inputs.service }} ${{ inputs.sha }}';
    s.deploy.dispatchInputs = { sha: { required: true }, service: { required: true } };
    inProduction(sim, s.base);
    sim.openIssue({ title: 'Broken checkout page', labels: ['release-blocker', 'service:web'] });
    const sha = sim.commit({ files: { 'services/api/a.ts': '1', 'apps/web/b.ts': '1' } });
    const r = await decide(verified(sim, s, sha));
    expect(r.exitCode, r.stdout).toBe(0);
    const byService = Object.fromEntries(
      (JSON.parse(r.outputs.decisions!) as { service: string; reason: string }[]).map((d) => [
        d.service,
        d.reason,
      ]),
    );
    expect(byService).toEqual({ api: 'allow_low', web: 'release_blocked' });
    expect(
      (stateFile(sim, `decisions/web/production/${sha}.json`) as { decision: unknown }).decision,
    ).toMatchObject({ outcome: 'HOLD', reason: 'release_blocked' });
  });
});
