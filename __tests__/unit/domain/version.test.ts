// Versions (SPEC §18): the bump of a commit, the next version, our tags among others, the
// notes, and the versioning block of the config.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/domain/config.js';
import { ConfigError } from '../../../src/domain/config-base.js';
import { pipelineOf, versioningOf } from '../../../src/domain/pipeline.js';
import {
  commitBump,
  nextVersion,
  tagVersion,
  versionTags,
} from '../../../src/domain/version-plan.js';
import { releaseNotes, type VersionInput } from '../../../src/domain/version.js';

describe('commitBump', () => {
  it.each([
    ['fix: rounding', 'patch'],
    ['feat: wishlist', 'minor'],
    ['FEAT(ui): upper case type', 'minor'],
    ['feat(api)!: drop v1', 'major'],
    ['fix!: breaking fix', 'major'],
    ['refactor: x\n\nBREAKING CHANGE: the config moved', 'major'],
    ['fix: x\n\nBREAKING-CHANGE: hyphenated', 'major'],
    ['chore: deps', 'patch'],
    ['Update README', 'patch'],
    ['feat wishlist (no colon)', 'patch'],
    ['Merge pull request #5 from acme/wishlist\n\nfeat: wishlist', 'minor'],
    ['docs: mention BREAKING CHANGE in prose', 'patch'],
  ])('%j → %s', (message, bump) => {
    expect(commitBump(message)).toBe(bump);
  });
});

describe('tagVersion and versionTags', () => {
  it.each([
    ['v1.2.3', 'v', '1.2.3'],
    ['v1.2', 'v', null],
    ['v1.2.3-rc.1', 'v', null],
    ['1.2.3', 'v', null],
    ['1.2.3', '', '1.2.3'],
    ['app/v2.0.0', 'app/v', '2.0.0'],
    ['v01.2.3', 'v', null],
  ])('%s with prefix %j → %s', (name, prefix, version) => {
    expect(tagVersion(name, prefix)).toBe(version);
  });

  it('orders ours highest first (semver, not text) and leaves the others out', () => {
    const tags = ['v1.9.0', 'v1.10.0', 'latest', 'v2.0.0-rc.1', 'v1.2.3'].map((name) => ({
      name,
      commit: 'c'.repeat(40),
    }));
    expect(versionTags(tags, 'v').map((t) => t.name)).toEqual(['v1.10.0', 'v1.9.0', 'v1.2.3']);
  });
});

const base: VersionInput = {
  prefix: 'v',
  initial: '0.1.0',
  previous: { name: 'v1.2.0', commit: 'a'.repeat(40), version: '1.2.0' },
  messages: [],
  pulls: [],
};
const pull = (number: number, labels: string[]) => ({
  number,
  title: `PR ${number}`,
  author: 'dev',
  labels,
});

describe('nextVersion', () => {
  it.each([
    { name: 'patch', input: { messages: ['fix: a'] }, tag: 'v1.2.1' },
    { name: 'no commits → patch', input: {}, tag: 'v1.2.1' },
    { name: 'minor', input: { messages: ['fix: a', 'feat: b'] }, tag: 'v1.3.0' },
    { name: 'major', input: { messages: ['feat!: b', 'feat: c'] }, tag: 'v2.0.0' },
    {
      name: '0.x breaking → minor',
      input: {
        previous: { name: 'v0.3.4', commit: 'a'.repeat(40), version: '0.3.4' },
        messages: ['feat!: b'],
      },
      tag: 'v0.4.0',
    },
    {
      name: 'label release:major on 0.x → 1.0.0 (a label is explicit)',
      input: {
        previous: { name: 'v0.3.4', commit: 'a'.repeat(40), version: '0.3.4' },
        pulls: [pull(1, ['release:major'])],
      },
      tag: 'v1.0.0',
    },
    {
      name: 'a label overrides the commits, also downwards',
      input: { messages: ['feat!: b'], pulls: [pull(1, ['release:patch'])] },
      tag: 'v1.2.1',
    },
    {
      name: 'the highest label wins',
      input: { pulls: [pull(1, ['release:patch']), pull(2, ['Release:Minor', 'bug'])] },
      tag: 'v1.3.0',
    },
    {
      name: 'other labels do not count',
      input: { messages: ['feat: x'], pulls: [pull(1, ['release:huge', 'release'])] },
      tag: 'v1.3.0',
    },
    { name: 'first release', input: { previous: null, messages: ['feat!: x'] }, tag: 'v0.1.0' },
    {
      name: 'first release, own prefix and initial',
      input: { previous: null, prefix: 'shop-', initial: '3.0.0' },
      tag: 'shop-3.0.0',
    },
  ])('$name → $tag', ({ input, tag }) => {
    const plan = nextVersion({ ...base, ...input });
    expect(plan.tag).toBe(tag);
    expect(plan.existing).toBe(false);
  });

  it('says why', () => {
    expect(nextVersion({ ...base, messages: ['feat: x', 'fix: y'] }).why).toBe(
      'minor from 2 commits (a feat: commit), after v1.2.0',
    );
  });
});

describe('releaseNotes', () => {
  it('lists the pull requests, the risk, the approvals and the evidence hash', () => {
    const notes = releaseNotes({
      tag: 'v1.3.0',
      sha: 'b'.repeat(40),
      stage: 'production',
      why: 'minor from 1 commit',
      pulls: [{ number: 12, title: 'feat: wishlist', author: 'dev' }],
      risk: 'HIGH',
      approvals: [{ actor: 'releng', source: 'label', pull: 12, at: '2026-11-22T10:00:00Z' }],
      evidenceHash: 'f'.repeat(64),
      deployRunUrl: 'https://github.com/acme/shop/actions/runs/1',
      commitsCapped: false,
    });
    expect(notes).toContain('- #12 feat: wishlist (@dev)');
    expect(notes).toContain('- Risk: HIGH');
    expect(notes).toContain('- @releng: label on #12 at 2026-11-22T10:00:00Z');
    expect(notes).toContain(`audit --expect-head ${'f'.repeat(64)}`);
  });
});

describe('the versioning block', () => {
  const load = (text: string) =>
    loadConfig({ text, path: '.booty.yml', env: {}, defaultBranch: 'main' });
  const problems = (text: string) => {
    try {
      load(text);
    } catch (e) {
      if (e instanceof ConfigError)
        return e.problems.map((p) => `${p.where} ${p.key}: ${p.message}`);
      throw e;
    }
    throw new Error('expected a ConfigError');
  };

  it('is off unless enabled; the stage defaults to the last', () => {
    const off = load('release_governor:\n  versioning:\n    tag_prefix: v\n');
    expect(off.enabled && versioningOf(off.config, pipelineOf(off.config))).toBeNull();
    const on = load(
      'release_governor:\n  stages:\n    - name: staging\n    - name: production\n  versioning:\n    enabled: true\n',
    );
    if (!on.enabled) throw new Error('expected on');
    expect(versioningOf(on.config, pipelineOf(on.config))).toMatchObject({
      enabled: true,
      tag_prefix: 'v',
      initial_version: '0.1.0',
      github_release: true,
      stage: { name: 'production' },
    });
  });

  it.each([
    [
      'release_governor:\n  versioning:\n    enabled: true\n    stage: staging\n',
      '.booty.yml:4 release_governor.versioning.stage: staging is not a stage (the stages are production)',
    ],
    [
      'release_governor:\n  versioning:\n    initial_version: v1.0.0\n',
      '.booty.yml:3 release_governor.versioning.initial_version: must be a version X.Y.Z (no "v", no pre-release), such as 0.1.0; got "v1.0.0"',
    ],
    [
      'release_governor:\n  versioning:\n    tag_prefix: "v 1"\n',
      '.booty.yml:3 release_governor.versioning.tag_prefix: must be letters, digits, ".", "_", "-" or "/" (a prefix of a git tag name), such as "v" or "app/v"; got "v 1"',
    ],
    [
      'release_governor:\n  versioning:\n    prefix: v\n',
      '.booty.yml:3 release_governor.versioning.prefix: unknown key (allowed: enabled, tag_prefix, initial_version, stage, github_release)',
    ],
  ])('refuses %j', (text, problem) => {
    expect(problems(text)).toEqual([problem]);
  });

  it('is a structure: the file only, never an environment variable', () => {
    expect(() =>
      loadConfig({
        text: 'release_governor:\n',
        path: '.booty.yml',
        env: { RELEASE_GOVERNOR_VERSIONING: 'true' },
        defaultBranch: 'main',
      }),
    ).toThrow(/RELEASE_GOVERNOR_VERSIONING/);
  });
});
