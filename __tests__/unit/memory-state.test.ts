// The in-memory twin of the state branch keeps the compare-and-swap semantics the protocol
// relies on, so protocol code can be exercised without a server.
import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../src/adapters/state-branch.js';
import { claim, serialize, RELEASE_FILE } from '../../src/domain/state.js';

const SHA = 'a'.repeat(40);

describe('MemoryStateStore', () => {
  it('first write creates the branch with README.md and release.json; a stale head conflicts', async () => {
    const store = new MemoryStateStore();
    const empty = await store.read();
    expect(empty.head).toBeNull();
    const first = await store.write(empty, { 'decisions/x.json': '{}' }, 'decide');
    expect(first.kind).toBe('written');
    expect([...store.files!.keys()].sort()).toEqual([
      'README.md',
      'decisions/x.json',
      RELEASE_FILE,
    ]);
    // A second writer that read before the first write loses.
    expect((await store.write(empty, { 'decisions/y.json': '{}' }, 'late')).kind).toBe('conflict');
    const fresh = await store.read(SHA);
    const next = claim(fresh.release, SHA, new Date('2026-11-21T00:00:00Z'), 'action:1/1');
    expect((await store.write(fresh, { [RELEASE_FILE]: serialize(next) }, 'claim')).kind).toBe(
      'written',
    );
    expect((await store.read()).release.deploy_history[0]).toMatchObject({
      sha: SHA,
      result: 'pending',
      claimed_by: 'action:1/1',
    });
    // Unrelated files survive.
    expect(store.files!.has('decisions/x.json')).toBe(true);
  });
});
