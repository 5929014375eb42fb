// "How to unblock" (SPEC §6): one pure model of the steps that clear a hold, and one renderer
// per medium — the job summary (markdown), the CLI (text) and the pull-request notice. A step
// said in one place is said the same way in the others.
import { APPROVAL_VARIABLE } from '../domain/config-base.js';
import type { Unblock } from '../domain/decide.js';
import { code, link, md } from './markdown.js';

/** What a hold's steps depend on besides the hold itself. */
export interface UnblockContext {
  /** The governor run to re-run (null: the CLI, or unknown). */
  runUrl: string | null;
  /** The environment a first deploy goes to. */
  environmentName: string;
}

const HARD_FIX: Record<string, string> = {
  deploy_not_configured:
    'Set `deploy_workflow` in the `release_governor` block of the config file to the workflow file to dispatch (for example `deploy.yml`), and give that workflow on `deploy_workflow_ref` a `workflow_dispatch` trigger that declares the inputs the governor sends (`sha`; `environment` with stages; `version` with versioning).',
  diverged_from_production:
    'Bring the release branch back onto the production line (the production SHA must be an ancestor of the SHA to deploy), then let verification run on the new head.',
  degraded_high_risk:
    'Restore production health first: the `degraded` input must be `false` or empty. Approvals do not clear this hold.',
  not_verified:
    'Run the verification workflow on this SHA on the release branch and wait for it to succeed; the governor then runs on its completion.',
  verification_stale:
    'Re-run the verification workflow on this SHA (the Actions tab, its run, Re-run all jobs); the governor decides again when it succeeds. Approvals and break-glass do not clear this hold.',
  evidence_threshold:
    'Fix what the figure measures and run the verification again, or change the bound in `readiness.evidence_thresholds` through a reviewed change of the config. Approvals and break-glass do not clear this hold.',
  release_blocked:
    'Close the issue or pull request named (or remove its release-blocker label) once what it tracks is resolved, then re-run the governor. Approvals and break-glass do not clear this hold.',
  evidence_missing:
    'Re-run the verification workflow on this SHA so that it uploads the artifacts `required_artifacts` names (they must not have expired); the governor decides again when it succeeds. Approvals and break-glass do not clear this hold.',
};

export type UnblockStep =
  /** A freeze window: its end, after which reconcile decides by itself. */
  | { step: 'frozen'; detail: string; until: string }
  | { step: 'break_glass' }
  /** Services (§20): the dependencies release the commit first, then it goes by itself. */
  | { step: 'dependency'; detail: string; services: string[] }
  /** Time clears it; `byItself`: the scheduled reconcile takes the commit then. */
  | { step: 'wait'; detail: string; until: string; byItself: boolean }
  /** A hard hold: what it is and what fixes it; approvals do not. */
  | { step: 'fix'; detail: string; fix: string }
  | { step: 'incident'; incidents: { number: number; title: string }[] }
  | { step: 'first_deploy'; environment: string }
  | { step: 'label'; label: string; pull: number; paths: string[] }
  | { step: 'comment'; command: string; pulls: number[]; sha: string }
  | { step: 'variable'; name: string; sha: string }
  | { step: 'without_pull'; paths: string[] }
  | { step: 'rerun'; url: string | null };

/** The steps that clear a hold, in the order a person takes them. */
export function unblockSteps(u: Unblock, ctx: UnblockContext): UnblockStep[] {
  const rerun: UnblockStep = { step: 'rerun', url: ctx.runUrl };
  if (u.kind === 'wait') {
    if (u.reason === 'waiting_for_dependency')
      return [{ step: 'dependency', detail: u.detail, services: u.waitingFor }];
    if (u.reason === 'freeze_window')
      return [{ step: 'frozen', detail: u.detail, until: u.until }, { step: 'break_glass' }];
    const byItself = u.reason === 'soaking' || u.reason === 'stage_busy';
    return [
      { step: 'wait', detail: u.detail, until: u.until, byItself },
      ...(byItself ? [] : [rerun]),
    ];
  }
  if (u.kind === 'hard')
    return [
      {
        step: 'fix',
        detail: u.detail,
        fix: HARD_FIX[u.reason] ?? 'This hold cannot be approved away.',
      },
      rerun,
    ];
  const steps: UnblockStep[] = [];
  if (u.reason === 'incident_active') steps.push({ step: 'incident', incidents: u.incidents });
  else if (u.reason === 'first_deploy_required')
    steps.push({ step: 'first_deploy', environment: ctx.environmentName });
  if (u.modes.includes('label'))
    for (const pr of u.pulls.slice(0, 10))
      steps.push({ step: 'label', label: u.label, pull: pr.number, paths: pr.paths });
  if (u.modes.includes('comment'))
    steps.push({
      step: 'comment',
      command: u.command,
      pulls: u.pulls.slice(0, 10).map((p) => p.number),
      sha: u.sha,
    });
  if (u.modes.includes('environment'))
    steps.push({ step: 'variable', name: APPROVAL_VARIABLE, sha: u.sha });
  if (u.withoutPull.length > 0) steps.push({ step: 'without_pull', paths: u.withoutPull });
  steps.push(rerun);
  return steps;
}

/** "re-run this job", a link to this run where there is one. */
function rerunLater(runUrl: string | null): string {
  return runUrl ? link('re-run this job', runUrl) : 're-run the governor job';
}

/** One step as the job summary says it (markdown). */
function stepMarkdown(s: UnblockStep, runUrl: string | null): string[] {
  switch (s.step) {
    case 'frozen':
      return [
        `Frozen: ${md(s.detail)}. The freeze ends at ${code(s.until)}; the governor's scheduled reconcile then decides this commit by itself, or ${rerunLater(runUrl)} after that time.`,
      ];
    case 'dependency':
      return [
        `Nothing to do but wait: ${s.services.map(code).join(', ')} must deploy this commit here first, and pass its health check (${md(s.detail)}).`,
        `The governor run that records that deploy decides this service by itself; the scheduled reconcile is the safety net. If ${s.services.length > 1 ? 'those services are' : 'that service is'} held, clear ${s.services.length > 1 ? 'their' : 'its'} hold first.`,
      ];
    case 'break_glass':
      return [
        'In an emergency, a break-glass deploy (`break-glass: DEPLOY-NOW` with a reason, by someone with `break_glass_permission`) bypasses the freeze: see docs/runbook.md.',
      ];
    case 'wait':
      return s.byItself
        ? [
            `Nothing to do but wait: it clears at ${code(s.until)} (${md(s.detail)}).`,
            `The governor's scheduled reconcile takes it then by itself; or ${rerunLater(runUrl)} after that time.`,
          ]
        : [`Wait until ${code(s.until)} (${md(s.detail)}).`];
    case 'fix':
      return [md(s.detail), s.fix];
    case 'incident': {
      const what =
        s.incidents.length > 0
          ? `open incident ${s.incidents.map((i) => `#${i.number} ${md(i.title)}`).join(', ')}`
          : 'production is reported degraded';
      return [
        `Deploys are held because of ${what}. Resolve it (close the issue), or approve this change explicitly:`,
      ];
    }
    case 'first_deploy':
      return [
        `This is the first deploy to ${md(s.environment)} through the governor: an approval of the whole change is required.`,
      ];
    case 'label':
      return [
        `Add the label ${code(s.label)} to pull request #${s.pull} (covers ${s.paths.slice(0, 3).map(code).join(', ')}${s.paths.length > 3 ? ` and ${s.paths.length - 3} more` : ''}). The label must be added by someone with the approver role who did not author the pull request.`,
      ];
    case 'comment':
      return [
        `Or comment ${code(s.command)} (as the first line) ${
          s.pulls.length > 0 ? `on ${s.pulls.map((p) => `#${p}`).join(', ')} after merge, or ` : ''
        }on commit ${code(s.sha)}, to approve the whole change.`,
      ];
    case 'variable':
      return [
        `Or set the repository variable ${code(s.name)} to ${code(s.sha)} (Settings → Secrets and variables → Actions → Variables).`,
      ];
    case 'without_pull':
      return [
        `${s.paths.length} path(s) came without a merged pull request (${s.paths.slice(0, 3).map(code).join(', ')}${s.paths.length > 3 ? '…' : ''}): only the commit comment or the variable covers them.`,
      ];
    case 'rerun':
      return [
        s.url
          ? `Re-run this job: ${link('re-run the governor', s.url)} (Re-run jobs). The rerun reads approvals fresh from the API.`
          : 'Re-run the governor job; the rerun reads approvals fresh from the API.',
      ];
  }
}

/** The job summary's numbered list. */
export function unblockMarkdown(steps: UnblockStep[], runUrl: string | null): string {
  return steps
    .flatMap((s) => stepMarkdown(s, runUrl))
    .map((line, i) => `${i + 1}. ${line}`)
    .join('\n');
}

/** The CLI's lines (indented, plain text). */
export function unblockText(steps: UnblockStep[]): string[] {
  const lines: string[] = [];
  let ways = 0;
  const way = (text: string) => lines.push(`  ${ways++ === 0 ? '' : 'or '}${text}`);
  for (const s of steps)
    switch (s.step) {
      case 'frozen':
      case 'wait':
        lines.push(`  wait until ${s.until} (${s.detail}), then re-run`);
        break;
      case 'dependency':
        lines.push(
          `  wait for ${s.services.join(', ')} to deploy this commit here first (${s.detail}); it then goes by itself`,
        );
        break;
      case 'break_glass':
        lines.push('  in an emergency: a break-glass deploy (see docs/runbook.md)');
        break;
      case 'fix':
        lines.push(`  ${s.detail} Approvals do not clear this hold.`, `  ${s.fix}`);
        break;
      case 'incident':
      case 'first_deploy':
        break;
      case 'label':
        way(`add label ${s.label} to #${s.pull} (by an approver who did not author it)`);
        break;
      case 'comment':
        way(`comment "${s.command}" on commit ${s.sha}`);
        break;
      case 'variable':
        way(`set ${s.name}=${s.sha}`);
        break;
      case 'without_pull':
        lines.push(
          `  (${s.paths.length} path(s) came without a pull request: only the comment or the variable covers them)`,
        );
        break;
      case 'rerun':
        if (ways > 0) lines.push('  then re-run the governor');
        break;
    }
  return lines;
}

/** The notice on one pull request: how that pull request's approval is given. */
export function noticeApproveLine(steps: UnblockStep[], pull: number): string {
  const label = steps.find(
    (s): s is Extract<UnblockStep, { step: 'label' }> => s.step === 'label' && s.pull === pull,
  );
  const comment = steps.find(
    (s): s is Extract<UnblockStep, { step: 'comment' }> => s.step === 'comment',
  );
  return `To approve${label ? `, add the label \`${label.label}\`` : ''}${label && comment ? ', or' : ''}${comment ? ` comment \`${comment.command}\` as the first line` : ''} — now that it is merged.`;
}
