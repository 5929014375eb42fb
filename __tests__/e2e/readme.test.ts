// The README shows a real HOLD summary and a real ALLOW summary: rendered here, by the built
// action against the simulator, and compared with the README. `UPDATE_README=1 npm test`
// rewrites them after an intended change.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import type { GitHubSimulator } from '../support/github-simulator/server.js';
import { inProduction, setupRepo, verified } from '../support/scenario.js';
import { useSimulator } from '../support/sim.js';

const FIXED = new Date('2026-11-20T10:00:00Z');
let sim: GitHubSimulator;
useSimulator((s) => (sim = s), { clock: () => FIXED });

/** The state commit depends on the wall clock (evaluation times); everything else is fixed. */
function stable(summary: string): string {
  return summary
    .replace(/State commit <code>[0-9a-f]{40}<\/code>/, 'State commit <code>…</code>')
    .trim();
}

function check(name: string, summary: string): void {
  const readme = readFileSync('README.md', 'utf8');
  const re = new RegExp(
    `(<!-- summary:${name}:start -->)([\\s\\S]*?)(<!-- summary:${name}:end -->)`,
  );
  const m = re.exec(readme);
  if (!m) throw new Error(`README.md has no summary:${name} section`);
  const rendered = stable(summary);
  if (process.env.UPDATE_README === '1')
    writeFileSync(
      'README.md',
      readme.replace(re, (_m, a: string, _b: string, c: string) => `${a}\n${rendered}\n${c}`),
    );
  else
    expect(m[2]!.trim(), `README summary:${name} is stale: run UPDATE_README=1 npm test`).toBe(
      rendered,
    );
}

/** A HIGH-risk pull request (a migration), merged, then labelled by `labelledBy` after merge. */
async function migrationLabelledBy(labelledBy: string) {
  const s = setupRepo(sim);
  inProduction(sim, s.base);
  const pr = sim.mergedPullRequest({
    author: 'dev',
    title: 'Add orders index',
    files: {
      'db/migrations/20261120_orders_index.sql': 'create index on orders (created_at);\n',
      'src/orders.ts': 'export {};\n',
    },
    mergedAt: new Date('2026-11-20T09:00:00Z'),
  });
  sim.label(pr.number, 'release:approved', labelledBy, new Date('2026-11-20T09:30:00Z'));
  return runAction({ sim, eventName: 'workflow_run', event: verified(sim, s, pr.sha) });
}

describe('README summaries', () => {
  it('HOLD: labelled by its own author, so the approval is ignored', async () => {
    const r = await migrationLabelledBy('dev');
    expect(r.outputs.decision).toBe('HOLD');
    check('hold', r.summary);
  });

  it('ALLOW: the same change labelled by a maintainer', async () => {
    const r = await migrationLabelledBy('releng');
    expect(r.outputs.decision).toBe('ALLOW');
    check('allow', r.summary);
  });
});
