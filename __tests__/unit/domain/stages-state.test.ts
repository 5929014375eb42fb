import { describe, expect, it } from 'vitest';
import {
  emptyRelease,
  parseRelease,
  stageDecisionPath,
  stageView,
  withStage,
  type Release,
} from '../../../src/domain/state.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const NOW = new Date('2026-11-22T12:00:00Z');
const v1: Release = {
  ...emptyRelease(),
  schema_version: 1,
  production_sha_current: A,
  deploy_history: [
    { sha: A, time: '2026-11-01T00:00:00.000Z', result: 'success', run_id: 1, run_url: null },
  ],
};
delete v1.stages;

describe('state: one stage at a time (schema 2)', () => {
  it('a version-1 file is the last stage; other stages start empty', () => {
    expect(stageView(v1, 'production', true)).toMatchObject({
      production_sha_current: A,
      deploy_history: v1.deploy_history,
    });
    expect(stageView(v1, 'staging', false)).toMatchObject({
      production_sha_current: null,
      deploy_history: [],
    });
  });

  it('writing a stage keeps the others, mirrors the last at the top, and times a new SHA', () => {
    const staging = { ...stageView(v1, 'staging', false), production_sha_current: B };
    const afterStaging = withStage(v1, 'staging', false, staging, NOW);
    expect(afterStaging.schema_version).toBe(2);
    expect(afterStaging.stages!.staging).toMatchObject({
      current_sha: B,
      live_since: NOW.toISOString(),
      verified_at: NOW.toISOString(),
    });
    // The top level still describes the last stage, untouched.
    expect(afterStaging.production_sha_current).toBe(A);
    const production = {
      ...stageView(afterStaging, 'production', true),
      production_sha_current: B,
      production_sha_previous: A,
    };
    const later = new Date('2026-11-22T13:00:00Z');
    const both = withStage(afterStaging, 'production', true, production, later);
    expect(both.production_sha_current).toBe(B);
    expect(both.stages!.staging!.live_since).toBe(NOW.toISOString());
    expect(both.stages!.production).toMatchObject({
      current_sha: B,
      previous_sha: A,
      live_since: later.toISOString(),
    });
    // The same SHA again keeps its times.
    const again = withStage(
      both,
      'production',
      true,
      stageView(both, 'production', true),
      new Date('2026-11-23T00:00:00Z'),
    );
    expect(again.stages!.production!.live_since).toBe(later.toISOString());
    // What is written parses back.
    expect(parseRelease(JSON.stringify(again))).toEqual(again);
  });

  it.each([
    ['production', true, `decisions/${A}.json`],
    ['staging', false, `decisions/staging/${A}.json`],
  ])('the record of a SHA in %s lives at its own path', (stage, last, path) => {
    expect(stageDecisionPath(A, stage, last)).toBe(path);
  });
});
