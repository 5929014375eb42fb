// Event payloads for a scenario: a fixture from __fixtures__/events with the fields the
// scenario needs replaced (the SHA, the repository id, the workflow...).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

type Json = Record<string, unknown>;

export function fixture(name: string): Json {
  return JSON.parse(readFileSync(resolve('__fixtures__/events', `${name}.json`), 'utf8')) as Json;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge<T extends Json>(base: T, patch: Json): T {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Json, v) : v;
  }
  return out as T;
}

/** A workflow_run payload from a fixture, pointed at `headSha` and the simulator's repository. */
export function workflowRunEvent(
  name: string,
  opts: {
    headSha: string;
    repoId?: number;
    owner?: string;
    repo?: string;
    runId?: number;
    workflowId?: number;
    displayTitle?: string;
    patch?: Json;
  },
): Json {
  const base = fixture(name);
  const run = base.workflow_run as Json;
  const patch: Json = {
    workflow_run: {
      head_sha: opts.headSha,
      head_commit: { ...(run.head_commit as Json), id: opts.headSha },
      ...(opts.runId ? { id: opts.runId } : {}),
      ...(opts.workflowId ? { workflow_id: opts.workflowId } : {}),
      ...(opts.displayTitle ? { display_title: opts.displayTitle } : {}),
    },
  };
  if (opts.repoId !== undefined) {
    (patch.workflow_run as Json).repository = { id: opts.repoId };
    patch.repository = { id: opts.repoId };
    const headRepo = run.head_repository as Json;
    if ((headRepo.id as number) === ((base.repository as Json).id as number)) {
      (patch.workflow_run as Json).head_repository = { id: opts.repoId };
    }
  }
  if (opts.workflowId) patch.workflow = { id: opts.workflowId };
  return deepMerge(deepMerge(base, patch), opts.patch ?? {});
}
