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
  // The suite starts the bundles hundreds of times: V8's on-disk compile cache saves about a
  // quarter of each start's CPU. The runners pass it on (the benchmarks, which time start-up,
  // do not run this setup and so start cold).
  process.env.RG_TEST_COMPILE_CACHE = join(dir, 'compile-cache');
  return () => rmSync(dir, { recursive: true, force: true });
}
