// The notice marker is written and read in one module: which notices a new held commit
// supersedes is decided from the marker's state, never from the notice's wording.
import { describe, expect, it } from 'vitest';
import { noticeEdits, noticeMarker, parseNotice } from '../../src/report/notice.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

describe('notice markers', () => {
  it.each([
    [`${noticeMarker(A, 'held')}\nanything`, { sha: A, state: 'held' }],
    [`${noticeMarker(A, 'approved')}\nreworded entirely`, { sha: A, state: 'approved' }],
    [
      `<!-- release-governor:notice ${A} -->\n**Release Governor: approved by @x**`,
      { sha: A, state: 'approved' },
    ],
    [`<!-- release-governor:notice ${A} -->\nheld`, { sha: A, state: 'held' }],
    ['a person’s comment', null],
  ])('%j', (body, parsed) => {
    expect(parseNotice(body)).toEqual(parsed);
  });

  it('a held notice for B supersedes the held notice for A, never an approved one', () => {
    const comments = [
      { id: 1, body: `${noticeMarker(A, 'held')}\nheld` },
      { id: 2, body: `${noticeMarker(C, 'approved')}\nwhatever the words` },
      { id: 3, body: 'a person’s comment' },
    ];
    const e = noticeEdits(comments, { sha: B, state: 'held', body: 'held B', create: true });
    expect(e.superseded.map((x) => x.id)).toEqual([1]);
    expect(parseNotice(e.superseded[0]!.body)).toEqual({ sha: A, state: 'superseded' });
    expect(e.write).toEqual({ id: null, body: `${noticeMarker(B, 'held')}\nheld B` });
  });

  it('its own notice is edited in place, or left alone when the text is the same', () => {
    const body = `${noticeMarker(B, 'approved')}\nok`;
    const comments = [{ id: 7, body: `${noticeMarker(B, 'held')}\nheld` }];
    expect(
      noticeEdits(comments, { sha: B, state: 'approved', body: 'ok', create: false }).write,
    ).toEqual({ id: 7, body });
    expect(
      noticeEdits([{ id: 7, body }], { sha: B, state: 'approved', body: 'ok', create: false })
        .write,
    ).toBeNull();
    expect(
      noticeEdits([], { sha: B, state: 'approved', body: 'ok', create: false }).write,
    ).toBeNull();
  });
});
