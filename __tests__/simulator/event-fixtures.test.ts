// Every event fixture is a payload GitHub could send: validated against @octokit/webhooks-schemas.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { workflowRunEvent } from '../support/events.js';

const require = createRequire(import.meta.url);
const schema = require('@octokit/webhooks-schemas') as { definitions: Record<string, unknown> };
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ ...schema, $id: 'webhooks' });
const validateRun = ajv.getSchema('webhooks#/definitions/workflow_run$completed')!;

const runFixtures = readdirSync('__fixtures__/events').filter((f) => f.startsWith('workflow_run.'));

describe('workflow_run completed fixtures', () => {
  it.each(runFixtures)('%s matches workflow_run$completed', (file) => {
    const payload = JSON.parse(readFileSync(`__fixtures__/events/${file}`, 'utf8')) as unknown;
    const ok = validateRun(payload);
    expect(validateRun.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('stays valid after a scenario points it at a simulator commit', () => {
    const payload = workflowRunEvent('workflow_run.verify-success-push', {
      headSha: 'a'.repeat(40),
      repoId: 99,
    });
    expect(validateRun(payload)).toBe(true);
  });
});
