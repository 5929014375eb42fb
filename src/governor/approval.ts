// An approval may have landed (SPEC §7): a label on a pull request, a comment on one, a comment
// on a commit. The event only says "look again": the governor never checks out or runs code from
// it, and reads the approvals themselves from the API. What cannot approve anything ends at once
// with SKIP not_an_approval and no write; otherwise the held commit is decided again by the same
// rules and claim protocol, so an approval and a re-run at the same moment still dispatch once.
import { policyShaOf } from '../domain/state.js';
import type { ApprovalEvent } from '../domain/events.js';
import { shortSha } from '../domain/types.js';
import { buildReport, type RunReport } from '../report/summary.js';
import { decideAndAct } from './act.js';
import type { GovernorDeps } from './deps.js';
import { readConfig } from './policy.js';

export async function approvalLanded(deps: GovernorDeps, ev: ApprovalEvent): Promise<RunReport> {
  const snapshot = await deps.store.read();
  const production = policyShaOf(snapshot.pipeline ?? snapshot.release);
  const read = await readConfig(deps, production, deps.defaultBranch);
  const skip = (reason: 'disabled' | 'not_an_approval', headline: string) =>
    buildReport({
      outcome: 'SKIP',
      reason,
      productionSha: production,
      headline,
      runUrl: deps.run.url,
      dryRun: deps.dryRun,
    });
  if (read.disabled || !read.config)
    return skip('disabled', read.why ?? 'The governor is disabled for this repository.');
  const c = read.config;
  const where = ev.pull !== null ? `#${ev.pull}` : ev.commit ? shortSha(ev.commit) : 'an issue';
  const mode = ev.source === 'label' ? 'label' : 'comment';
  if (ev.source === 'label' && ev.text !== c.approval_label)
    return skip(
      'not_an_approval',
      `The label ${JSON.stringify(ev.text)} on ${where} is not the approval label (${c.approval_label}); nothing to look at again.`,
    );
  if (ev.source !== 'label' && ev.text !== c.approval_command)
    return skip(
      'not_an_approval',
      `The comment on ${where} does not start with ${c.approval_command}; nothing to look at again.`,
    );
  if (!c.approval_mode.includes(mode))
    return skip(
      'not_an_approval',
      `approval_mode does not include ${mode}: a ${mode} on ${where} approves nothing.`,
    );
  if (ev.source === 'comment' && ev.pull === null)
    return skip(
      'not_an_approval',
      'A comment on an issue that is not a pull request approves nothing.',
    );
  if (ev.merged === false)
    return skip(
      'not_an_approval',
      `Pull request ${where} is not merged: an approval counts only after the merge (the content could still change before it).`,
    );
  // The held commit: the one commented on, else the newest verified commit of the release
  // branch (it contains every merged pull request; if this one is not in its range, its
  // approval does not count there and the hold stands, quietly).
  const sha = ev.commit ?? (await deps.gh.newestVerified(c.verification_workflow, c.branch));
  if (!sha)
    return skip(
      'not_an_approval',
      `No successful push run of ${c.verification_workflow} on ${c.branch}: nothing is held.`,
    );
  const report = await decideAndAct(
    deps,
    { sha, manual: ev.commit !== null, approval: true, quiet: true },
    read,
  );
  return buildReport({
    ...report,
    headline: `${ev.source === 'label' ? 'Label' : 'Comment'} by @${ev.actor ?? 'someone'} on ${where}: ${report.headline}`,
  });
}
