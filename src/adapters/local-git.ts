// The local backend: a clone on disk, no network, no token. The diff comes from git (renames
// detected), the state from the local booty-state branch (or origin/booty-state), the config
// from the file at the production SHA, approvals from the environment only. It can evaluate;
// it refuses to act.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { ApprovalFacts } from '../domain/approvals.js';
import type { Tag, VersionPull } from '../domain/version.js';
import type { CompareStatus } from '../domain/types.js';
import type { ChangedFile } from '../domain/risk.js';
import {
  decisionPath,
  emptyRelease,
  parseDecisionRecord,
  parseRecordIndex,
  parseRelease,
  RELEASE_FILE,
  StateCorruptError,
} from '../domain/state.js';
import type {
  CompareResult,
  EvidenceSnapshot,
  GitHubReader,
  RepoActor,
  RepoPort,
  RepoReader,
  RunInfo,
  StateSnapshot,
  StateStore,
  WriteResult,
  ReadExtras,
} from '../ports.js';

export class LocalGitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalGitError';
  }
}

export class LocalGit {
  constructor(readonly dir: string) {}

  run(args: string[]): string {
    try {
      return execFileSync('git', args, {
        cwd: this.dir,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      const stderr = (e as { stderr?: string }).stderr?.trim() ?? '';
      throw new LocalGitError(
        `git ${args.slice(0, 2).join(' ')} failed in ${this.dir}: ${stderr || (e as Error).message}`,
      );
    }
  }

  /** The contents of many blobs in one `git cat-file --batch` (in the order asked). */
  blobs(shas: string[]): string[] {
    if (shas.length === 0) return [];
    const out = execFileSync('git', ['cat-file', '--batch'], {
      cwd: this.dir,
      input: `${shas.join('\n')}\n`,
      maxBuffer: 1024 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const texts: string[] = [];
    let at = 0;
    for (const sha of shas) {
      const nl = out.indexOf(10, at);
      const header = out.subarray(at, nl).toString('utf8');
      const m = /^([0-9a-f]{40}) blob (\d+)$/.exec(header);
      if (!m || m[1] !== sha) throw new LocalGitError(`git cat-file --batch: unexpected ${header}`);
      const size = Number(m[2]);
      texts.push(out.subarray(nl + 1, nl + 1 + size).toString('utf8'));
      at = nl + 1 + size + 1;
    }
    return texts;
  }

  tryRun(args: string[]): string | null {
    try {
      return this.run(args);
    } catch {
      return null;
    }
  }

  /** Fails with a clear message when the directory is not inside a git work tree or repository. */
  check(): void {
    if (this.tryRun(['rev-parse', '--git-dir']) === null)
      throw new LocalGitError(
        `${this.dir} is not a git repository (run the CLI inside a clone, or pass --local <path>).`,
      );
  }

  resolve(rev: string): string {
    const sha = this.tryRun(['rev-parse', '--verify', '-q', `${rev}^{commit}`])?.trim();
    if (!sha)
      throw new LocalGitError(
        `Unknown commit ${JSON.stringify(rev)} in the clone at ${resolve(this.dir)}.`,
      );
    return sha;
  }

  defaultBranch(): string {
    const origin = this.tryRun(['symbolic-ref', '--short', 'refs/remotes/origin/HEAD'])?.trim();
    if (origin) return origin.replace(/^origin\//, '');
    return this.tryRun(['symbolic-ref', '--short', 'HEAD'])?.trim() || 'main';
  }

  originRepo(): string | null {
    const url = this.tryRun(['remote', 'get-url', 'origin'])?.trim();
    const m = url?.match(/github[^/:]*[/:]([^/]+)\/([^/]+?)(?:\.git)?$/);
    return m ? `${m[1]}/${m[2]}` : null;
  }
}

function statusOf(code: string): ChangedFile['status'] {
  switch (code[0]) {
    case 'A':
      return 'added';
    case 'D':
      return 'removed';
    case 'M':
      return 'modified';
    case 'R':
      return 'renamed';
    case 'C':
      return 'copied';
    default:
      return 'changed';
  }
}

/**
 * The clone as a RepoReader: files, history and tags; what it cannot see (pull requests,
 * runs, issues) it answers as absent, and `seesRuns` says so.
 */
export class LocalRepo implements RepoReader {
  constructor(private readonly git: LocalGit) {}

  async readFile(ref: string, path: string): Promise<string | null> {
    // A branch the clone has only as origin/<branch> is read there.
    const at = [ref, `origin/${ref}`].find(
      (r) => this.git.tryRun(['cat-file', '-e', `${r}^{commit}`]) !== null,
    );
    // A commit missing from the clone (shallow, or not fetched) is not "no config": say so.
    if (at === undefined)
      throw new LocalGitError(
        `The commit ${ref} (reading ${path}) is not in the clone at ${resolve(this.git.dir)}: it is missing from a shallow or partial clone. Fetch more history (git fetch --unshallow, or git fetch origin ${ref}) and run again.`,
      );
    return this.git.tryRun(['cat-file', '-p', `${at}:${path}`]);
  }

  async compare(base: string, head: string): Promise<CompareResult> {
    const mb = this.git.tryRun(['merge-base', base, head])?.trim();
    if (!mb)
      throw new LocalGitError(`${base.slice(0, 7)} and ${head.slice(0, 7)} share no history.`);
    const ahead = Number(this.git.run(['rev-list', '--count', `${mb}..${head}`]).trim());
    const behind = Number(this.git.run(['rev-list', '--count', `${mb}..${base}`]).trim());
    const status: CompareStatus =
      base === head ? 'identical' : behind === 0 ? 'ahead' : ahead === 0 ? 'behind' : 'diverged';
    const parts = this.git
      .run(['diff', '--no-ext-diff', '--name-status', '-M', '-z', mb, head])
      .split('\0')
      .filter((p) => p !== '');
    const files: ChangedFile[] = [];
    for (let i = 0; i < parts.length;) {
      const code = parts[i++]!;
      if (code.startsWith('R') || code.startsWith('C')) {
        const previousPath = parts[i++]!;
        files.push({ path: parts[i++]!, status: statusOf(code), previousPath });
      } else files.push({ path: parts[i++]!, status: statusOf(code) });
    }
    const commits = this.git
      .run(['rev-list', '--reverse', `${mb}..${head}`])
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((sha) => ({
        sha,
        author: null,
        message: this.git.run(['log', '-1', '--format=%B', sha]).replace(/\n+$/, ''),
      }));
    return {
      status,
      files,
      capped: false,
      commits,
      totalCommits: commits.length,
    };
  }

  async treeFiles(commit: string): Promise<{ files: Map<string, string>; truncated: boolean }> {
    const files = new Map<string, string>();
    for (const line of this.git.run(['ls-tree', '-r', '-z', commit]).split('\0')) {
      if (!line) continue;
      const tab = line.indexOf('\t');
      const [mode, , sha] = line.slice(0, tab).split(' ');
      files.set(line.slice(tab + 1), `${mode}:${sha}`);
    }
    return { files, truncated: false };
  }

  async commitAuthor(): Promise<string | null> {
    return null;
  }

  async onBranch(sha: string, branch: string): Promise<boolean> {
    // The local branch, or the remote one when the clone has no local branch of that name.
    for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
      if (this.git.tryRun(['rev-parse', '--verify', '-q', ref]) === null) continue;
      return this.git.tryRun(['merge-base', '--is-ancestor', sha, ref]) !== null;
    }
    throw new LocalGitError(`No branch ${branch} (nor origin/${branch}) in this clone.`);
  }

  /** Issues live on GitHub: the local backend cannot see incidents (the output says so). */
  async openIncidents(): Promise<
    { number: number; title: string; labels: string[]; pull: boolean }[]
  > {
    return [];
  }

  async approvalFacts(f: {
    headSha: string;
    headAuthor: string | null;
    environment: string | undefined;
  }): Promise<ApprovalFacts> {
    return {
      headSha: f.headSha,
      headAuthor: f.headAuthor,
      environment: f.environment,
      pulls: [],
      commitComments: [],
      actors: {},
    };
  }

  async findDeployRuns(): Promise<RunInfo[]> {
    return [];
  }

  /** Workflow runs live on GitHub: rules that need them say "not checked in local mode". */
  readonly seesRuns = false;

  async verified(): Promise<null> {
    return null;
  }

  /** The clone's tags (pull requests live on GitHub: none are known here). */
  async releaseRange(f: { withTags: boolean }): Promise<{ tags: Tag[]; pulls: VersionPull[] }> {
    if (!f.withTags) return { tags: [], pulls: [] };
    // An annotated tag's peeled object (*) is what it points at; a lightweight tag is the object.
    const out = this.git
      .run([
        'for-each-ref',
        '--format=%(refname:strip=2) %(objecttype) %(objectname) %(*objecttype) %(*objectname)',
        'refs/tags/',
      ])
      .trim();
    const tags: Tag[] = [];
    for (const line of out ? out.split('\n') : []) {
      const [name, type, object, peeledType, peeled] = line.split(' ');
      if (type === 'commit') tags.push({ name: name!, commit: object! });
      else if (type === 'tag' && peeledType === 'commit')
        tags.push({ name: name!, commit: peeled! });
    }
    return { tags, pulls: [] };
  }

  async tagTarget(name: string): Promise<string | null> {
    return (
      this.git.tryRun(['rev-parse', '--verify', '-q', `refs/tags/${name}^{commit}`])?.trim() ?? null
    );
  }

  async releaseOf(): Promise<null> {
    return null;
  }
}

/** What local mode cannot do, each with the one reason it cannot. */
const GITHUB_ONLY: Record<keyof GitHubReader, string> = {
  person: 'repository roles live on GitHub',
  run: 'workflow runs live on GitHub',
  verificationRun: 'verification runs and their artifacts live on GitHub',
  runArtifacts: 'verification runs and their artifacts live on GitHub',
  newestVerified: 'verification runs live on GitHub',
  findOpenIssue: 'issues live on GitHub',
  comments: 'pull-request comments live on GitHub',
  findDeployments: 'deployments live on GitHub',
  artifactFiles: 'artifacts live on GitHub',
};
const ACTS: readonly (keyof RepoActor)[] = [
  'dispatch',
  'createTag',
  'createRelease',
  'setStatus',
  'openIssue',
  'commentIssue',
  'writeComment',
  'createDeployment',
  'deploymentStatus',
];

/**
 * Local mode's RepoPort: the clone answers what it can (RepoReader); everything GitHub alone
 * answers, and everything that acts, is refused with why. The governor never asks for those
 * in local mode (it only evaluates); a refusal here is a defect, said plainly.
 */
export function localPort(reader: RepoReader): RepoPort {
  const refuse = (what: string, why: string) => async (): Promise<never> => {
    throw new LocalGitError(
      `${what}: ${why}. The local backend only evaluates; use --repo owner/name and a token.`,
    );
  };
  const githubOnly = Object.fromEntries(
    Object.entries(GITHUB_ONLY).map(([name, why]) => [name, refuse(name, why)]),
  ) as unknown as GitHubReader;
  const acts = Object.fromEntries(
    ACTS.map((name) => [name, refuse(name, 'it acts on GitHub')]),
  ) as unknown as RepoActor;
  return Object.assign(Object.create(reader) as RepoReader, githubOnly, acts);
}

/** State from the local branch, or the remote-tracking one; read-only. */
export class LocalStateStore implements StateStore {
  readonly ref: string | null;

  constructor(
    private readonly git: LocalGit,
    branch: string,
  ) {
    this.ref =
      [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`].find(
        (r) => git.tryRun(['rev-parse', '--verify', '-q', r]) !== null,
      ) ?? null;
  }

  async read(sha?: string, decisionFile?: string, extras?: ReadExtras): Promise<StateSnapshot> {
    if (!this.ref) return { head: null, release: emptyRelease(), decision: null };
    const head = this.git.run(['rev-parse', this.ref]).trim();
    const text = this.git.tryRun(['cat-file', '-p', `${head}:${RELEASE_FILE}`]);
    if (text === null)
      throw new StateCorruptError(
        `${this.ref}:${RELEASE_FILE}`,
        'the state branch has no release.json',
      );
    const release = parseRelease(text, `${this.ref}:${RELEASE_FILE}`);
    const file = sha ? (decisionFile ?? decisionPath(sha)) : null;
    const d = file ? this.git.tryRun(['cat-file', '-p', `${head}:${file}`]) : null;
    const more = extras?.decisionFiles ?? [];
    const decisions = Object.fromEntries(
      more.map((p) => {
        const t = this.git.tryRun(['cat-file', '-p', `${head}:${p}`]);
        return [p, t === null ? null : parseDecisionRecord(t, `${this.ref}:${p}`)];
      }),
    );
    const index = extras?.recordIndex;
    const indexText = index ? this.git.tryRun(['cat-file', '-p', `${head}:${index}`]) : null;
    return {
      head,
      release,
      decision: file && d !== null ? parseDecisionRecord(d, `${this.ref}:${file}`) : null,
      ...(more.length ? { decisions } : {}),
      ...(index
        ? {
            recordIndex:
              indexText === null ? null : parseRecordIndex(indexText, `${this.ref}:${index}`),
          }
        : {}),
    };
  }

  async write(): Promise<WriteResult> {
    throw new LocalGitError('The local backend never writes the state branch.');
  }

  /** release.json and every `evidence/*.json` at the branch's head (two git processes). */
  async readEvidence(): Promise<EvidenceSnapshot> {
    if (!this.ref) return { head: null, release: null, files: [] };
    const head = this.git.run(['rev-parse', this.ref]).trim();
    const { release } = await this.read();
    const listing = this.git.tryRun(['ls-tree', '-z', `${head}:evidence`]) ?? '';
    const entries = listing
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf('\t');
        return { sha: line.slice(0, tab).split(/\s+/)[2]!, name: line.slice(tab + 1) };
      });
    const texts = this.git.blobs(entries.map((e) => e.sha));
    return {
      head,
      release,
      files: entries.map((e, i) => ({ path: `evidence/${e.name}`, text: texts[i]! })),
    };
  }

  /** Every decision record on the branch (for `history`). */
  decisions(): string[] {
    if (!this.ref) return [];
    return this.git
      .run(['ls-tree', '--name-only', `${this.ref}:decisions`])
      .split('\n')
      .filter((n) => n.endsWith('.json'));
  }
}
