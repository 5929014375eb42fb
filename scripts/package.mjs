// `npm run package`: builds the two bundles with ncc.
//   dist/index.js      the action (action.yml: runs.main)
//   dist/cli/index.js  the `release-governor` CLI (package.json: bin)
// Usage: node scripts/package.mjs [outDir]   (check-dist builds into a temp dir)
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const out = resolve(process.argv[2] ?? 'dist');
const ncc = resolve('node_modules/@vercel/ncc/dist/ncc/cli.js');

function build(entry, dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync(
    process.execPath,
    [ncc, 'build', entry, '-o', dir, '--license', 'licenses.txt', '-q'],
    {
      stdio: 'inherit',
    },
  );
}

build('src/index.ts', out);
build('src/cli-entry.ts', join(out, 'cli'));

const cli = join(out, 'cli', 'index.js');
const text = readFileSync(cli, 'utf8');
if (!text.startsWith('#!')) writeFileSync(cli, `#!/usr/bin/env node\n${text}`);
chmodSync(cli, 0o755);

// ncc turns an unresolvable import into a stub that throws at run time; refuse to ship one, in
// the bundles and in the chunks of their dynamic imports (the artifact client's).
const bundles = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? bundles(join(dir, e.name))
      : e.name.endsWith('.js')
        ? [join(dir, e.name)]
        : [],
  );
for (const file of bundles(out)) {
  if (readFileSync(file, 'utf8').includes('webpackMissingModule')) {
    console.error(`${file} contains webpackMissingModule: a dependency failed to bundle.`);
    process.exit(1);
  }
}
