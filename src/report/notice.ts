// The governor's notice on a pull request (SPEC §7): one comment per pull request and held SHA,
// found again by a hidden marker that also says what the notice is now — held, approved, or
// superseded by a newer held commit. The marker is written and read here only, so rewording a
// notice cannot change which notices the governor edits.
export type NoticeState = 'held' | 'approved' | 'superseded';

const MARKER = /^<!-- release-governor:notice ([0-9a-f]{40})(?: (held|approved|superseded))? -->/;

export function noticeMarker(sha: string, state: NoticeState): string {
  return `<!-- release-governor:notice ${sha} ${state} -->`;
}

/** A comment's notice: the held SHA it is about and its state; null when it is not a notice. */
export function parseNotice(body: string): { sha: string; state: NoticeState } | null {
  const m = MARKER.exec(body);
  if (!m) return null;
  return { sha: m[1]!, state: (m[2] as NoticeState | undefined) ?? legacyState(body) };
}

/** Notices written before the state was in the marker: their wording tells, once. */
function legacyState(body: string): NoticeState {
  if (body.includes('**Release Governor: superseded')) return 'superseded';
  return body.includes('approved by @') ? 'approved' : 'held';
}

/** What to write on one pull request: its notice for `sha`, and older held notices it supersedes. */
export interface NoticeEdits {
  /** The notice's comment id, or null: create it (only when `create`). */
  write: { id: number | null; body: string } | null;
  superseded: { id: number; body: string }[];
}

/**
 * Given the pull request's comments, the edits that put the notice for `sha` in `state`: the
 * notice itself (unchanged text → nothing), and every other held notice, which a newer held
 * commit containing the same pull request supersedes.
 */
export function noticeEdits(
  comments: { id: number; body: string }[],
  notice: { sha: string; state: NoticeState; body: string; create: boolean },
): NoticeEdits {
  const text = `${noticeMarker(notice.sha, notice.state)}\n${notice.body}`;
  let mine: { id: number; body: string } | null = null;
  const superseded: NoticeEdits['superseded'] = [];
  for (const c of comments) {
    const n = parseNotice(c.body);
    if (!n) continue;
    if (n.sha === notice.sha) mine ??= c;
    else if (n.state === 'held')
      superseded.push({
        id: c.id,
        body: `${noticeMarker(n.sha, 'superseded')}\n**Release Governor: superseded by \`${notice.sha.slice(0, 7)}\`**, a newer commit that contains this pull request; its notice follows.`,
      });
  }
  const write =
    mine !== null
      ? mine.body === text
        ? null
        : { id: mine.id, body: text }
      : notice.create
        ? { id: null, body: text }
        : null;
  return { write, superseded };
}
