// A bare git repository driven with the git CLI. Everything the simulator answers about
// commits, trees, diffs and refs comes from here, so fast-forward checks, merge bases and
// renames are git's own, not a model of them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size?: number;
}

export interface DiffEntry {
  status: 'added' | 'modified' | 'removed' | 'renamed' | 'copied' | 'changed';
  filename: string;
  previous_filename?: string;
}

export interface Person {
  name: string;
  email: string;
  date: string; // ISO 8601
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: Person;
  committer: Person;
}

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export class GitRepo {
  readonly dir: string;
  // Objects are immutable once they exist, so what git said about one is said once: fewer git
  // processes per request keep the suite's CPU time down (refs are never cached).
  private readonly types = new Map<string, string>();
  private readonly commits = new Map<string, CommitInfo>();

  constructor(dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'gh-sim-'));
    this.run(['init', '--bare', '-q', '-b', 'main']);
    this.run(['config', 'core.logAllRefUpdates', 'false']);
    this.run(['config', 'gc.auto', '0']);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  run(
    args: string[],
    opts: { input?: string | Buffer; env?: Record<string, string> } = {},
  ): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      input: opts.input,
      env: { ...process.env, GIT_DIR: this.dir, ...opts.env },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /** Like run, but returns null instead of throwing when git exits non-zero. */
  tryRun(
    args: string[],
    opts: { input?: string | Buffer; env?: Record<string, string> } = {},
  ): string | null {
    try {
      return this.run(args, opts);
    } catch {
      return null;
    }
  }

  isEmpty(): boolean {
    return (
      this.tryRun(['rev-parse', '--verify', '-q', 'HEAD^{commit}']) === null &&
      this.listRefs('refs/heads/').length === 0
    );
  }

  hashBlob(content: Buffer | string): string {
    return this.run(['hash-object', '-w', '--no-filters', '--stdin'], { input: content }).trim();
  }

  hashBlobs(contents: (Buffer | string)[]): string[] {
    if (contents.length === 0) return [];
    const dir = mkdtempSync(join(tmpdir(), 'gh-sim-blobs-'));
    try {
      const paths = contents.map((c, i) => {
        const p = join(dir, String(i));
        writeFileSync(p, c);
        return p;
      });
      return this.run(['hash-object', '-w', '--no-filters', '--stdin-paths'], {
        input: paths.join('\n') + '\n',
      })
        .trim()
        .split('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  readBlob(sha: string): Buffer | null {
    try {
      return execFileSync('git', ['cat-file', 'blob', sha], {
        cwd: this.dir,
        env: { ...process.env, GIT_DIR: this.dir },
        maxBuffer: 256 * 1024 * 1024,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch {
      return null;
    }
  }

  objectType(sha: string): string | null {
    if (!/^[0-9a-f]{40}$/.test(sha)) return null;
    const known = this.types.get(sha);
    if (known) return known;
    const type = this.tryRun(['cat-file', '-t', sha])?.trim() ?? null;
    if (type) this.types.set(sha, type);
    return type;
  }

  /**
   * Builds a tree: start from base (or empty), then apply entries (sha null deletes).
   * Nested paths create intermediate trees, as GitHub's create-tree does.
   */
  buildTree(
    base: string | null,
    entries: { path: string; mode: string; sha: string | null }[],
  ): string {
    const indexDir = mkdtempSync(join(tmpdir(), 'gh-sim-index-'));
    const env = { GIT_INDEX_FILE: join(indexDir, 'index') };
    try {
      this.run(['read-tree', base ?? EMPTY_TREE], { env });
      // --index-info removes a path given mode 0 and the null SHA; no work tree needed.
      if (entries.length > 0) {
        this.run(['update-index', '--add', '-z', '--index-info'], {
          env,
          input: entries
            .map((e) =>
              e.sha === null
                ? `0 ${'0'.repeat(40)}\t${e.path}\0`
                : `${e.mode} ${e.sha}\t${e.path}\0`,
            )
            .join(''),
        });
      }
      return this.run(['write-tree'], { env }).trim();
    } finally {
      rmSync(indexDir, { recursive: true, force: true });
    }
  }

  commitTree(
    tree: string,
    parents: string[],
    message: string,
    author: Person,
    committer: Person = author,
  ): string {
    const args = ['commit-tree', tree];
    for (const p of parents) args.push('-p', p);
    return this.run(args, {
      input: message,
      env: {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_AUTHOR_DATE: author.date,
        GIT_COMMITTER_NAME: committer.name,
        GIT_COMMITTER_EMAIL: committer.email,
        GIT_COMMITTER_DATE: committer.date,
      },
    }).trim();
  }

  readCommit(sha: string): CommitInfo | null {
    if (this.objectType(sha) !== 'commit') return null;
    const known = this.commits.get(sha);
    if (known) return structuredClone(known);
    const sep = '\x1f';
    const out = this.run([
      'show',
      '-s',
      `--format=%H${sep}%T${sep}%P${sep}%an${sep}%ae${sep}%aI${sep}%cn${sep}%ce${sep}%cI${sep}%B`,
      sha,
    ]);
    const [h, t, p, an, ae, ad, cn, ce, cd, ...msg] = out.split(sep);
    const info: CommitInfo = {
      sha: h!,
      tree: t!,
      parents: p ? p.split(' ').filter(Boolean) : [],
      author: { name: an!, email: ae!, date: new Date(ad!).toISOString().replace('.000Z', 'Z') },
      committer: { name: cn!, email: ce!, date: new Date(cd!).toISOString().replace('.000Z', 'Z') },
      message: msg.join(sep).replace(/\n+$/, ''),
    };
    this.commits.set(sha, info);
    return structuredClone(info);
  }

  /** Resolves a branch name, tag or SHA to a commit SHA. */
  resolveCommit(ref: string): string | null {
    if (/^[0-9a-f]{40}$/.test(ref)) return this.objectType(ref) === 'commit' ? ref : null;
    for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`]) {
      const sha = this.tryRun(['rev-parse', '--verify', '-q', `${candidate}^{commit}`]);
      if (sha) return sha.trim();
    }
    return null;
  }

  readRef(fullRef: string): string | null {
    return this.tryRun(['rev-parse', '--verify', '-q', fullRef])?.trim() ?? null;
  }

  listRefs(prefix: string): { ref: string; sha: string }[] {
    const out = this.run(['for-each-ref', '--format=%(refname) %(objectname)', prefix]).trim();
    if (!out) return [];
    return out.split('\n').map((l) => {
      const [ref, sha] = l.split(' ');
      return { ref: ref!, sha: sha! };
    });
  }

  /** Compare-and-swap on a ref: succeeds only if the ref still points at `expected` (null: must not exist). */
  casRef(fullRef: string, next: string, expected: string | null): boolean {
    const args = [
      'update-ref',
      fullRef,
      next,
      expected ?? '0000000000000000000000000000000000000000',
    ];
    return this.tryRun(args) !== null;
  }

  deleteRef(fullRef: string): void {
    this.run(['update-ref', '-d', fullRef]);
  }

  isAncestor(ancestor: string, descendant: string): boolean {
    return this.tryRun(['merge-base', '--is-ancestor', ancestor, descendant]) !== null;
  }

  mergeBase(a: string, b: string): string | null {
    return this.tryRun(['merge-base', a, b])?.trim() || null;
  }

  countCommits(range: string): number {
    return Number.parseInt(this.run(['rev-list', '--count', range]).trim(), 10);
  }

  /** Commits in base..head, oldest first. */
  commitsBetween(base: string, head: string, limit?: number): string[] {
    const out = this.run(['rev-list', '--reverse', `${base}..${head}`]).trim();
    const all = out ? out.split('\n') : [];
    return limit === undefined ? all : all.slice(0, limit);
  }

  /** git diff with rename detection, in git's order. */
  diff(from: string | null, to: string): DiffEntry[] {
    const out = this.run([
      'diff-tree',
      '-r',
      '-z',
      '--no-commit-id',
      '-M',
      '--name-status',
      from ?? EMPTY_TREE,
      to,
    ]);
    const parts = out.split('\0').filter((p) => p !== '');
    const entries: DiffEntry[] = [];
    for (let i = 0; i < parts.length;) {
      const code = parts[i++]!;
      const kind = code[0];
      if (kind === 'R' || kind === 'C') {
        const previous = parts[i++]!;
        const filename = parts[i++]!;
        entries.push({
          status: kind === 'R' ? 'renamed' : 'copied',
          filename,
          previous_filename: previous,
        });
      } else {
        const filename = parts[i++]!;
        const status =
          kind === 'A' ? 'added' : kind === 'D' ? 'removed' : kind === 'M' ? 'modified' : 'changed';
        entries.push({ status, filename });
      }
    }
    return entries;
  }

  lsTree(treeish: string, recursive: boolean): TreeEntry[] {
    const args = ['ls-tree', '-z', '-l'];
    if (recursive) args.push('-r', '-t');
    args.push(treeish);
    const out = this.run(args);
    return out
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf('\t');
        const [mode, type, sha, size] = line.slice(0, tab).split(/\s+/);
        const entry: TreeEntry = {
          path: line.slice(tab + 1),
          mode: mode!,
          type: type as TreeEntry['type'],
          sha: sha!,
        };
        if (type === 'blob') entry.size = Number.parseInt(size!, 10);
        return entry;
      });
  }

  /** The blob at path in a commit, or null. */
  fileAt(commit: string, path: string): { sha: string; content: Buffer } | null {
    const sha = this.tryRun(['rev-parse', '--verify', '-q', `${commit}:${path}`])?.trim();
    if (!sha || this.objectType(sha) !== 'blob') return null;
    return { sha, content: this.readBlob(sha)! };
  }

  treeAt(commit: string, path: string): string | null {
    const sha = this.tryRun(['rev-parse', '--verify', '-q', `${commit}:${path}`])?.trim();
    return sha && this.objectType(sha) === 'tree' ? sha : null;
  }
}

export { EMPTY_TREE };
