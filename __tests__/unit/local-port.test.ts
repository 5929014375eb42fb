// Local mode's port: the clone answers what it can; what only GitHub answers, and what acts,
// is refused with the reason — not eleven hand-written stubs that could drift.
import { describe, expect, it } from 'vitest';
import { localPort } from '../../src/adapters/local-git.js';
import type { RepoReader } from '../../src/ports.js';

class Reader {
  readonly seesRuns = false;
  private readonly text = 'release_governor: {}\n';
  async readFile(): Promise<string | null> {
    // Uses `this`: the port must call the reader's methods on the reader.
    return this.text;
  }
}

describe('localPort', () => {
  const port = localPort(new Reader() as unknown as RepoReader);

  it('answers reads through the clone', async () => {
    await expect(port.readFile('main', '.booty.yml')).resolves.toBe('release_governor: {}\n');
    expect(port.seesRuns).toBe(false);
  });

  it.each(['dispatch', 'createTag', 'setStatus', 'openIssue', 'writeComment'] as const)(
    '%s is refused: it acts on GitHub',
    async (name) => {
      await expect((port[name] as () => Promise<unknown>)()).rejects.toThrow(
        new RegExp(`^${name}: it acts on GitHub\\. The local backend only evaluates`),
      );
    },
  );

  it('what only GitHub answers is refused with where it lives', async () => {
    await expect(port.run(1)).rejects.toThrow(/^run: workflow runs live on GitHub/);
    await expect(port.person('dev')).rejects.toThrow(/^person: repository roles live on GitHub/);
  });
});
