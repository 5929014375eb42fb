// Fails when the committed dist/ differs from a fresh build of src/, or when a bundle
// contains webpackMissingModule (ncc's silent stub for a module it could not resolve).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function files(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(join(dir, prefix))) {
    const rel = join(prefix, name);
    if (statSync(join(dir, rel)).isDirectory()) out.push(...files(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

const fresh = mkdtempSync(join(tmpdir(), 'rg-dist-'));
try {
  execFileSync(process.execPath, ['scripts/package.mjs', fresh], { stdio: 'inherit' });
  const problems = [];
  const committed = files('dist');
  const built = files(fresh);
  for (const f of new Set([...committed, ...built])) {
    if (!committed.includes(f)) problems.push(`missing from dist/: ${f}`);
    else if (!built.includes(f)) problems.push(`stale file in dist/: ${f}`);
    else if (!readFileSync(join('dist', f)).equals(readFileSync(join(fresh, f))))
      problems.push(`differs: dist/${f}`);
  }
  for (const f of committed.filter((f) => f.endsWith('.js'))) {
    if (readFileSync(join('dist', f), 'utf8').includes('webpackMissingModule'))
      problems.push(`dist/${f} contains webpackMissingModule`);
  }
  if (problems.length > 0) {
    console.error('dist/ does not match the source. Run `npm run package` and commit dist/.');
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log('dist/ matches a fresh build.');
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
