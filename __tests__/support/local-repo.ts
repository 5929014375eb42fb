// Temporary git clones for the CLI's local backend.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { productionRelease } from './scenario.js';

export class TempRepo {
  readonly dir = mkdtempSync(join(tmpdir(), 'rg-local-'));

  constructor() {
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.email', 'dev@example.com');
    this.git('config', 'user.name', 'dev');
    this.git('config', 'commit.gpgsign', 'false');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  }

  write(files: Record<string, string | null>): void {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      if (content === null) rmSync(full, { force: true });
      else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    }
  }

  commit(files: Record<string, string | null>, message = 'change'): string {
    this.write(files);
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  /** A booty-state branch whose release.json puts `sha` in production (the work tree stays on main). */
  production(sha: string): void {
    const release = productionRelease(sha);
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], {
      cwd: this.dir,
      input: JSON.stringify(release),
      encoding: 'utf8',
    }).trim();
    const tree = execFileSync('git', ['mktree'], {
      cwd: this.dir,
      input: `100644 blob ${blob}\trelease.json\n`,
      encoding: 'utf8',
    }).trim();
    const commit = this.git('commit-tree', tree, '-m', 'state');
    this.git('update-ref', 'refs/heads/booty-state', commit);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
