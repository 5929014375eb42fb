// Readiness gates (SPEC §22), the pure parts: the config's errors, JSON Pointers, and a figure
// judged against its bound.
import { describe, expect, it } from 'vitest';
import { loadConfig, type EvidenceThreshold } from '../../../src/domain/config.js';
import { pipelineOf } from '../../../src/domain/pipeline.js';
import { judgeThreshold, resolvePointer } from '../../../src/domain/readiness.js';
import { configProblems } from '../../support/config.js';

const problems = configProblems;

const gate = (entry: string) =>
  ['release_governor:', '  readiness:', '    evidence_thresholds:', `      - ${entry}`, ''].join(
    '\n',
  );

describe('readiness: the config', () => {
  it.each([
    [
      'a value that is not a JSON Pointer',
      gate('{ artifact: a, file: f.json, value: warm_run.pct, min: 1 }'),
      /^\.booty\.yml:4 release_governor\.readiness\.evidence_thresholds\.1\.value: must be a JSON Pointer: empty, or starting with \//,
    ],
    [
      'a ~ that is not ~0 or ~1',
      gate('{ artifact: a, file: f.json, value: /a~2b, min: 1 }'),
      /value: must be a JSON Pointer: ~ only as ~0/,
    ],
    [
      'no bound',
      gate('{ artifact: a, file: f.json, value: /x }'),
      /evidence_thresholds\.1: needs a bound: min, max or equals/,
    ],
    [
      'min above max',
      gate('{ artifact: a, file: f.json, value: /x, min: 5, max: 2 }'),
      /evidence_thresholds\.1\.min: is 5, above max 2: no value can pass/,
    ],
    [
      'a file outside the artifact',
      gate('{ artifact: a, file: ../f.json, value: /x, min: 1 }'),
      /file: must be a path inside the artifact/,
    ],
    [
      'an unknown key, with the keys a threshold takes',
      gate('{ artifact: a, file: f.json, value: /x, minimum: 1 }'),
      /minimum: unknown key \(allowed: artifact, file, value, min, max, equals\)/,
    ],
  ])('%s is config_invalid, named with its line', (_, text, message) => {
    const found = problems(text);
    expect(
      found.some((p) => message.test(p)),
      found.join('\n'),
    ).toBe(true);
  });

  it('a stage applies its own block, else the top level; without any, release-blocker blocks', () => {
    const r = loadConfig({
      text: [
        'release_governor:',
        '  readiness: { max_verification_age_minutes: 60 }',
        '  stages:',
        '    - { name: staging }',
        '    - { name: production, readiness: { max_verification_age_minutes: 15, release_blocker_labels: [] } }',
        '',
      ].join('\n'),
      path: '.booty.yml',
      env: {},
      defaultBranch: 'main',
    });
    const [staging, production] = pipelineOf(r.config!).stages;
    expect(staging!.readiness).toMatchObject({
      max_verification_age_minutes: 60,
      release_blocker_labels: ['release-blocker'],
    });
    expect(production!.readiness).toMatchObject({
      max_verification_age_minutes: 15,
      release_blocker_labels: [],
    });
    const none = loadConfig({
      text: 'release_governor:\n',
      path: '.booty.yml',
      env: {},
      defaultBranch: 'main',
    });
    expect(pipelineOf(none.config!).stages[0]!.readiness).toEqual({
      evidence_thresholds: [],
      release_blocker_labels: ['release-blocker'],
    });
  });
});

describe('readiness: JSON Pointers (RFC 6901)', () => {
  const doc = { a: { 'b/c': 1, 'd~e': 2, list: [10, 20] }, '': 3 };
  it.each([
    ['', doc],
    ['/a/b~1c', 1],
    ['/a/d~0e', 2],
    ['/a/list/1', 20],
    ['/', 3],
  ] as const)('%s resolves', (pointer, value) => {
    expect(resolvePointer(doc, pointer)).toEqual({ found: true, value });
  });
  it.each(['/a/x', '/a/list/2', '/a/list/01', '/a/list/-'])('%s names nothing', (pointer) => {
    expect(resolvePointer(doc, pointer).found).toBe(false);
  });
});

describe('readiness: a figure against its bound', () => {
  const t = (over: Partial<EvidenceThreshold>): EvidenceThreshold => ({
    artifact: 'summary',
    file: 's.json',
    value: '/pct',
    ...over,
  });
  it.each([
    [{ min: 60 }, '{"pct": 72.5}', true, null],
    [{ min: 60 }, '{"pct": 60}', true, null],
    [{ min: 60 }, '{"pct": 59.9}', false, '59.9 is below 60'],
    [{ max: 0 }, '{"pct": 1}', false, '1 is above 0'],
    [{ min: 1, max: 2 }, '{"pct": 1.5}', true, null],
    [{ equals: 0 }, '{"pct": 0}', true, null],
    [{ equals: 'ok' }, '{"pct": "nok"}', false, '"nok" is not "ok"'],
    [{ min: 60 }, '{"pct": "72"}', false, '"72" is not a number (the bound is ≥ 60)'],
    [{ min: 60 }, '{"other": 1}', false, '/pct names nothing in s.json'],
    [{ min: 60 }, 'pct: 72', false, 's.json in summary is not JSON'],
  ] as const)('%j on %s → pass %s', (bound, text, pass, why) => {
    const r = judgeThreshold(t(bound), { text });
    expect(r.pass).toBe(pass);
    if (why) expect(r.why).toContain(why);
  });
  it('a missing file says which', () => {
    expect(
      judgeThreshold(t({ min: 1 }), { missing: 'the artifact summary has no file s.json' }),
    ).toMatchObject({ pass: false, why: 'the artifact summary has no file s.json', found: null });
  });
});
