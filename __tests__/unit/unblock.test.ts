// One model of "how to unblock", three renderers: the summary, the CLI and the notice say the
// same steps for the same hold.
import { describe, expect, it } from 'vitest';
import type { Unblock } from '../../src/domain/decide.js';
import {
  noticeApproveLine,
  unblockMarkdown,
  unblockSteps,
  unblockText,
} from '../../src/report/unblock.js';

const SHA = 'a'.repeat(40);
const soft: Unblock = {
  kind: 'soft',
  reason: 'high_risk_no_approval',
  uncovered: ['infra/a.tf', 'scripts/x.sh'],
  pulls: [{ number: 12, paths: ['infra/a.tf'] }],
  withoutPull: ['scripts/x.sh'],
  modes: ['label', 'comment', 'environment'],
  label: 'release:approved',
  command: '/approve-release',
  sha: SHA,
  incidents: [],
  degraded: false,
};
const ctx = {
  runUrl: 'https://github.example/acme/shop/actions/runs/9',
  environmentName: 'production',
};

describe('unblock', () => {
  it('a soft hold: label, comment, variable, the paths without a pull request, re-run', () => {
    const steps = unblockSteps(soft, ctx);
    expect(steps.map((s) => s.step)).toEqual([
      'label',
      'comment',
      'variable',
      'without_pull',
      'rerun',
    ]);
    const md = unblockMarkdown(steps, ctx.runUrl);
    expect(md).toMatch(/^1\. Add the label <code>release:approved<\/code> to pull request #12/);
    expect(md).toContain(`5. Re-run this job: [re-run the governor](${ctx.runUrl})`);
    expect(unblockText(steps)).toEqual([
      '  add label release:approved to #12 (by an approver who did not author it)',
      `  or comment "/approve-release" on commit ${SHA}`,
      `  or set RELEASE_GOVERNOR_APPROVED=${SHA}`,
      '  (1 path(s) came without a pull request: only the comment or the variable covers them)',
      '  then re-run the governor',
    ]);
    expect(noticeApproveLine(steps, 12)).toBe(
      'To approve, add the label `release:approved`, or comment `/approve-release` as the first line — now that it is merged.',
    );
  });

  it('a hard hold says what fixes it, in every medium', () => {
    const hard: Unblock = {
      kind: 'hard',
      reason: 'deploy_not_configured',
      detail: '.github/workflows/deploy.yml on main has no workflow_dispatch trigger.',
    };
    const steps = unblockSteps(hard, ctx);
    expect(unblockMarkdown(steps, null)).toContain('workflow_dispatch` trigger that declares');
    expect(unblockText(steps).join('\n')).toContain('workflow_dispatch` trigger that declares');
  });

  it('soaking clears by itself; a freeze names break-glass', () => {
    const soak = unblockSteps(
      { kind: 'wait', reason: 'soaking', until: '2026-12-02T12:00:00.000Z', detail: 'soak' },
      ctx,
    );
    expect(soak.map((s) => s.step)).toEqual(['wait']);
    const freeze = unblockSteps(
      {
        kind: 'wait',
        reason: 'freeze_window',
        until: '2026-12-27T00:00:00.000Z',
        detail: 'holidays',
      },
      ctx,
    );
    expect(freeze.map((s) => s.step)).toEqual(['frozen', 'break_glass']);
    expect(unblockText(freeze)[0]).toBe(
      '  wait until 2026-12-27T00:00:00.000Z (holidays), then re-run',
    );
  });
});
