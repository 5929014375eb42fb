// A bare git repository. The repository's skeleton, objects (blobs, trees, commits) and refs
// are read and written in this process as git's own files — the same bytes `git init`,
// `hash-object`, `mktree`, `commit-tree` and `update-ref` would write, so git reads them —
// because a git process per object or ref made the simulator spend most of its time spawning
// (a fault-matrix case made about 20). Everything that is git's logic rather than its
// storage — merge bases, ancestry, commit ranges, diffs with rename detection, tree listings —
// still comes from the git CLI, so fast-forward checks and renames are git's own.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  type Dirent,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';

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
  // Objects are immutable once they exist: what was read of one is kept (refs never are).
  private readonly objects = new Map<string, { type: string; body: Buffer }>();
  private readonly commits = new Map<string, CommitInfo>();
  private readonly listings = new Map<string, TreeEntry[]>();
  private tmp = 0;

  constructor(dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'gh-sim-'));
    // What `git init --bare -b main` writes that git needs to recognise a bare repository,
    // with reflogs and automatic gc off (refs stay loose files: see readRef).
    for (const sub of ['objects', 'refs/heads', 'refs/tags'])
      mkdirSync(join(this.dir, sub), { recursive: true });
    writeFileSync(join(this.dir, 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(
      join(this.dir, 'config'),
      '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n\tlogallrefupdates = false\n[gc]\n\tauto = 0\n',
    );
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
    const head = /^ref: (refs\/\S+)/.exec(readFileSync(join(this.dir, 'HEAD'), 'utf8'))?.[1];
    const sha = head ? this.readRef(head) : null;
    return (
      (sha === null || this.objectType(sha) !== 'commit') &&
      this.listRefs('refs/heads/').length === 0
    );
  }

  hashBlob(content: Buffer | string): string {
    return this.writeObject('blob', Buffer.from(content));
  }

  hashBlobs(contents: (Buffer | string)[]): string[] {
    return contents.map((c) => this.hashBlob(c));
  }

  // ------------------------------------------------------------- loose objects, in process

  private objectFile(sha: string): string {
    return join(this.dir, 'objects', sha.slice(0, 2), sha.slice(2));
  }

  /** Writes `<type> <size>\0<body>` deflated under objects/, as git does; returns its SHA-1. */
  private writeObject(type: string, body: Buffer): string {
    const raw = Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]);
    const sha = createHash('sha1').update(raw).digest('hex');
    const file = this.objectFile(sha);
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      const temp = join(this.dir, 'objects', `tmp-${process.pid}-${this.tmp++}`);
      writeFileSync(temp, deflateSync(raw));
      renameSync(temp, file);
    }
    this.objects.set(sha, { type, body });
    return sha;
  }

  /** An annotated tag object, byte for byte what `git mktag` writes; returns its SHA. */
  writeTag(t: {
    object: string;
    type: string;
    tag: string;
    message: string;
    tagger: Person;
  }): string {
    const when = Math.floor(Date.parse(t.tagger.date) / 1000);
    const message = t.message.endsWith('\n') ? t.message : `${t.message}\n`;
    const body = `object ${t.object}\ntype ${t.type}\ntag ${t.tag}\ntagger ${t.tagger.name} <${t.tagger.email}> ${when} +0000\n\n${message}`;
    return this.writeObject('tag', Buffer.from(body));
  }

  /** A tag object's fields; null when `sha` is not a tag object. */
  readTag(
    sha: string,
  ): { object: string; type: string; tag: string; tagger: string; message: string } | null {
    const o = this.readObject(sha);
    if (o?.type !== 'tag') return null;
    const text = o.body.toString('utf8');
    const split = text.indexOf('\n\n');
    const head = split === -1 ? text : text.slice(0, split);
    const field = (k: string) => new RegExp(`^${k} (.*)$`, 'm').exec(head)?.[1] ?? '';
    return {
      object: field('object'),
      type: field('type'),
      tag: field('tag'),
      tagger: field('tagger'),
      message: split === -1 ? '' : text.slice(split + 2),
    };
  }

  /** A loose object's type and body; null when there is none (the simulator never packs). */
  private readObject(sha: string): { type: string; body: Buffer } | null {
    if (!/^[0-9a-f]{40}$/.test(sha)) return null;
    const known = this.objects.get(sha);
    if (known) return known;
    let raw: Buffer;
    try {
      raw = inflateSync(readFileSync(this.objectFile(sha)));
    } catch {
      return null;
    }
    const nul = raw.indexOf(0);
    const [type] = raw.subarray(0, nul).toString('latin1').split(' ');
    const object = { type: type!, body: raw.subarray(nul + 1) };
    this.objects.set(sha, object);
    return object;
  }

  /** A tree's entries in git's format: mode (no leading zero), name, SHA. */
  private readTree(sha: string): { mode: string; name: string; sha: string }[] {
    const o = this.readObject(sha);
    if (!o || o.type !== 'tree') throw new Error(`${sha} is not a tree`);
    const entries: { mode: string; name: string; sha: string }[] = [];
    for (let i = 0; i < o.body.length;) {
      const space = o.body.indexOf(0x20, i);
      const nul = o.body.indexOf(0, space);
      entries.push({
        mode: o.body.subarray(i, space).toString('latin1'),
        name: o.body.subarray(space + 1, nul).toString('utf8'),
        sha: o.body.subarray(nul + 1, nul + 21).toString('hex'),
      });
      i = nul + 21;
    }
    return entries;
  }

  private writeTree(entries: Map<string, { mode: string; sha: string }>): string {
    // Git's order: by name, a tree's name compared as if it ended in '/'.
    const key = (name: string, mode: string) => Buffer.from(mode === '40000' ? `${name}/` : name);
    const sorted = [...entries].sort(([a, x], [b, y]) =>
      Buffer.compare(key(a, x.mode), key(b, y.mode)),
    );
    return this.writeObject(
      'tree',
      Buffer.concat(
        sorted.map(([name, e]) =>
          Buffer.concat([Buffer.from(`${e.mode} ${name}\0`), Buffer.from(e.sha, 'hex')]),
        ),
      ),
    );
  }

  /** The object a path names inside a tree, or null. */
  private lookup(tree: string, path: string): { mode: string; sha: string } | null {
    let current: { mode: string; sha: string } = { mode: '40000', sha: tree };
    for (const part of path.split('/').filter(Boolean)) {
      if (current.mode !== '40000') return null;
      const next = this.readTree(current.sha).find((e) => e.name === part);
      if (!next) return null;
      current = next;
    }
    return current;
  }

  readBlob(sha: string): Buffer | null {
    const o = this.readObject(sha);
    return o && o.type === 'blob' ? o.body : null;
  }

  objectType(sha: string): string | null {
    return this.readObject(sha)?.type ?? null;
  }

  /**
   * Builds a tree: start from base (or empty), then apply entries (sha null deletes).
   * Nested paths create intermediate trees, as GitHub's create-tree does.
   */
  buildTree(
    base: string | null,
    entries: { path: string; mode: string; sha: string | null }[],
  ): string {
    const changes = entries.map((e) => ({
      parts: e.path.split('/').filter(Boolean),
      mode: e.mode.replace(/^0+/, ''),
      sha: e.sha,
    }));
    return this.applyToTree(base, changes) ?? this.writeTree(new Map());
  }

  /** The tree after the changes (in order, the last one of a path wins); null when empty. */
  private applyToTree(
    tree: string | null,
    changes: { parts: string[]; mode: string; sha: string | null }[],
  ): string | null {
    const entries = new Map<string, { mode: string; sha: string }>(
      (tree ? this.readTree(tree) : []).map((e) => [e.name, { mode: e.mode, sha: e.sha }]),
    );
    const below = new Map<string, typeof changes>();
    for (const c of changes) {
      const [name, ...rest] = c.parts;
      if (!name) continue;
      if (rest.length === 0) {
        below.delete(name);
        if (c.sha === null) entries.delete(name);
        else entries.set(name, { mode: c.mode, sha: c.sha });
      } else {
        const list = below.get(name) ?? [];
        list.push({ ...c, parts: rest });
        below.set(name, list);
      }
    }
    for (const [name, sub] of below) {
      const existing = entries.get(name);
      const next = this.applyToTree(existing?.mode === '40000' ? existing.sha : null, sub);
      if (next === null) entries.delete(name);
      else entries.set(name, { mode: '40000', sha: next });
    }
    return entries.size === 0 ? null : this.writeTree(entries);
  }

  commitTree(
    tree: string,
    parents: string[],
    message: string,
    author: Person,
    committer: Person = author,
  ): string {
    const who = (p: Person) => {
      const clean = (x: string) => x.replace(/[<>\n]/g, '');
      return `${clean(p.name)} <${clean(p.email)}> ${Math.floor(Date.parse(p.date) / 1000)} +0000`;
    };
    const text = [
      `tree ${tree}`,
      ...parents.map((p) => `parent ${p}`),
      `author ${who(author)}`,
      `committer ${who(committer)}`,
      '',
      message.endsWith('\n') ? message : `${message}\n`,
    ].join('\n');
    return this.writeObject('commit', Buffer.from(text, 'utf8'));
  }

  readCommit(sha: string): CommitInfo | null {
    const known = this.commits.get(sha);
    if (known) return structuredClone(known);
    const o = this.readObject(sha);
    if (!o || o.type !== 'commit') return null;
    const text = o.body.toString('utf8');
    const split = text.indexOf('\n\n');
    const headers = (split === -1 ? text : text.slice(0, split)).split('\n');
    const person = (line: string): Person => {
      const m = /^(.*) <(.*)> (\d+) [+-]\d{4}$/.exec(line)!;
      const date = new Date(Number(m[3]) * 1000).toISOString().replace('.000Z', 'Z');
      return { name: m[1]!, email: m[2]!, date };
    };
    const field = (name: string) =>
      headers.filter((h) => h.startsWith(`${name} `)).map((h) => h.slice(name.length + 1));
    const info: CommitInfo = {
      sha,
      tree: field('tree')[0]!,
      parents: field('parent'),
      author: person(field('author')[0]!),
      committer: person(field('committer')[0]!),
      message: split === -1 ? '' : text.slice(split + 2).replace(/\n+$/, ''),
    };
    this.commits.set(sha, info);
    return structuredClone(info);
  }

  /** Resolves a branch name, tag or SHA to a commit SHA. */
  resolveCommit(ref: string): string | null {
    if (/^[0-9a-f]{40}$/.test(ref)) return this.objectType(ref) === 'commit' ? ref : null;
    for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`]) {
      let sha = this.readRef(candidate);
      // An annotated tag points at a tag object: follow it to the commit.
      for (let hops = 0; sha && hops < 10; hops++) {
        const o = this.readObject(sha);
        if (o?.type !== 'tag') break;
        sha = /^object ([0-9a-f]{40})$/m.exec(o.body.toString('utf8'))?.[1] ?? null;
      }
      if (sha && this.objectType(sha) === 'commit') return sha;
    }
    return null;
  }

  /**
   * What `git rev-parse --verify` answers for GraphQL's `object(expression:)`: a SHA, a branch
   * or tag, or `<rev>:<path>` (the blob or tree at path). Other revision syntax goes to git.
   */
  revParse(expression: string): string | null {
    const colon = expression.indexOf(':');
    const rev = colon === -1 ? expression : expression.slice(0, colon);
    if (!/^[\w./-]+$/.test(rev) || rev.includes('..'))
      return this.tryRun(['rev-parse', '--verify', '-q', expression])?.trim() || null;
    if (colon === -1)
      return /^[0-9a-f]{40}$/.test(rev)
        ? this.objectType(rev)
          ? rev
          : null
        : this.resolveCommit(rev);
    const commit = this.resolveCommit(rev);
    const c = commit ? this.readCommit(commit) : null;
    if (!c) return null;
    const path = expression.slice(colon + 1).replace(/\/+$/, '');
    return path === '' ? c.tree : (this.lookup(c.tree, path)?.sha ?? null);
  }

  /** A ref's SHA: its loose file, else its line in packed-refs (git's own lookup order). */
  readRef(fullRef: string): string | null {
    if (!/^refs\/[\w./-]+$/.test(fullRef) || fullRef.includes('..')) return null;
    try {
      return readFileSync(join(this.dir, fullRef), 'utf8').trim();
    } catch {
      // The simulator never packs refs; a test's git command might have.
      return this.packedRefs().get(fullRef) ?? null;
    }
  }

  private packedRefs(): Map<string, string> {
    const refs = new Map<string, string>();
    let text: string;
    try {
      text = readFileSync(join(this.dir, 'packed-refs'), 'utf8');
    } catch {
      return refs;
    }
    for (const line of text.split('\n')) {
      const m = /^([0-9a-f]{40}) (refs\/\S+)$/.exec(line);
      if (m) refs.set(m[2]!, m[1]!);
    }
    return refs;
  }

  /** Every ref under prefix (`refs/heads/`), sorted by name as for-each-ref lists them. */
  listRefs(prefix: string): { ref: string; sha: string }[] {
    const found = new Map<string, string>();
    for (const [ref, sha] of this.packedRefs()) if (ref.startsWith(prefix)) found.set(ref, sha);
    const walk = (rel: string): void => {
      let names: Dirent[];
      try {
        names = readdirSync(join(this.dir, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const d of names) {
        const ref = `${rel}/${d.name}`;
        if (d.isDirectory()) walk(ref);
        else if (!d.name.endsWith('.lock') && ref.startsWith(prefix))
          found.set(ref, readFileSync(join(this.dir, ref), 'utf8').trim());
      }
    };
    walk('refs');
    return [...found]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([ref, sha]) => ({ ref, sha }));
  }

  /** Points a ref at a commit unconditionally (`git update-ref`). */
  setRef(fullRef: string, sha: string): void {
    if (!this.casRef(fullRef, sha, this.readRef(fullRef)))
      throw new Error(`cannot set ${fullRef} to ${sha}: not a ref name or not an object`);
  }

  /** Compare-and-swap on a ref: succeeds only if the ref still points at `expected` (null: must not exist). */
  casRef(fullRef: string, next: string, expected: string | null): boolean {
    if (!/^refs\/[\w./-]+$/.test(fullRef) || fullRef.includes('..') || !this.readObject(next))
      return false;
    // The simulator answers one request at a time, in one process: read, compare and write
    // cannot interleave with another writer.
    if (this.readRef(fullRef) !== expected) return false;
    const file = join(this.dir, fullRef);
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.lock`;
    writeFileSync(temp, `${next}\n`);
    renameSync(temp, file);
    return true;
  }

  deleteRef(fullRef: string): void {
    if (this.packedRefs().has(fullRef)) this.run(['update-ref', '-d', fullRef]);
    else rmSync(join(this.dir, fullRef), { force: true });
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
    // A listing of a SHA never changes.
    const key = /^[0-9a-f]{40}$/.test(treeish) ? `${recursive}:${treeish}` : null;
    const known = key ? this.listings.get(key) : undefined;
    if (known) return structuredClone(known);
    const entries = this.listTree(treeish, recursive);
    if (key) this.listings.set(key, entries);
    return structuredClone(entries);
  }

  private listTree(treeish: string, recursive: boolean): TreeEntry[] {
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
    const entry = this.entryAt(commit, path);
    const content = entry ? this.readBlob(entry.sha) : null;
    return entry && content ? { sha: entry.sha, content } : null;
  }

  treeAt(commit: string, path: string): string | null {
    const entry = this.entryAt(commit, path);
    return entry && this.objectType(entry.sha) === 'tree' ? entry.sha : null;
  }

  private entryAt(commit: string, path: string): { mode: string; sha: string } | null {
    const sha = this.resolveCommit(commit);
    const c = sha ? this.readCommit(sha) : null;
    return c ? this.lookup(c.tree, path) : null;
  }
}

export { EMPTY_TREE };
