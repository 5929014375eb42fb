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
  execFileSync(process.execPath, [ncc, 'build', entry, '-o', dir, '-q'], {
    stdio: 'inherit',
  });
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

// The licenses of everything the bundles may contain: every production dependency in the lock,
// sorted by name. ncc's own --license listing depends on the order its (parallel) build finishes
// in, and on a busy machine it came out different from one build to the next; this is the same
// every time.
function licenses() {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
  const blocks = [];
  for (const [path, pkg] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/') || pkg.dev || pkg.optional) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    let text = '';
    try {
      const file = readdirSync(path).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
      // LF only: the repository stores text with LF (.gitattributes), so must the build.
      if (file) text = readFileSync(join(path, file), 'utf8').replace(/\r\n?/g, '\n').trim();
    } catch {
      // Not installed here (another platform's optional package): named without its text.
    }
    blocks.push({
      key: `${name}@${pkg.version}`,
      text: `${name}@${pkg.version}\n${pkg.license ?? 'UNKNOWN'}\n${text}`,
    });
  }
  blocks.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return `${[...new Map(blocks.map((b) => [b.key, b.text])).values()].join('\n\n')}\n`;
}
const listing = licenses();
writeFileSync(join(out, 'licenses.txt'), listing);
writeFileSync(join(out, 'cli', 'licenses.txt'), listing);
