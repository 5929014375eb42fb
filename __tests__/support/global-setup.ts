// One temporary folder for the whole run: every simulator repository, index file and runner
// directory is made inside it (os.tmpdir() reads TMPDIR, which the test workers inherit), and
// it is removed at the end whether the tests passed, failed or timed out. Two suites running
// at once on one machine each have their own, so neither cleans up the other's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'rg-suite-'));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
