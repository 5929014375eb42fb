// Rule 4 reads the deploy workflow: what GitHub would refuse at the dispatch is a HOLD before it.
import { describe, expect, it } from 'vitest';
import { deployWorkflowProblem, workflowFileName } from '../../../src/domain/deploy-workflow.js';

const at = { path: '.github/workflows/deploy.yml', ref: 'main' };
const declares = (inputs: string) =>
  `name: Deploy\non:\n  workflow_dispatch:\n    inputs:\n${inputs}jobs: {}\n`;

describe('deployWorkflowProblem', () => {
  it.each([
    ['sha declared', declares('      sha:\n        required: true\n'), ['sha'], null],
    [
      'sha, environment and version declared',
      declares('      sha: {}\n      environment: {}\n      version: { required: false }\n'),
      ['sha', 'environment', 'version'],
      null,
    ],
    [
      'a required input with a default',
      declares('      sha: {}\n      region: { required: true, default: eu }\n'),
      ['sha'],
      null,
    ],
    ['no file', null, ['sha'], 'does not exist'],
    [
      'no workflow_dispatch',
      'name: Deploy\non: push\njobs: {}\n',
      ['sha'],
      'has no workflow_dispatch trigger',
    ],
    [
      'dispatch without inputs',
      'name: Deploy\non: workflow_dispatch\n',
      ['sha'],
      'does not declare the input sha',
    ],
    [
      'dispatch in a list',
      'on: [push, workflow_dispatch]\n',
      ['sha'],
      'does not declare the input sha',
    ],
    [
      'environment missing in a pipeline',
      declares('      sha: {}\n'),
      ['sha', 'environment'],
      'does not declare the input environment under workflow_dispatch (the governor sends sha, environment)',
    ],
    [
      'version missing when versioning is on',
      declares('      sha: {}\n'),
      ['sha', 'version'],
      'does not declare the input version',
    ],
    [
      'a required input the governor does not send',
      declares('      sha: {}\n      ticket: { required: true }\n'),
      ['sha'],
      'requires the input ticket, which the governor does not send',
    ],
    ['not YAML', 'on: [unclosed\n', ['sha'], 'is not valid YAML'],
  ])('%s', async (_name, text, sends, problem) => {
    const p = await deployWorkflowProblem(text, { ...at, sends });
    if (problem === null) expect(p).toBeNull();
    else {
      expect(p).toContain(problem);
      expect(p).toContain('.github/workflows/deploy.yml on main');
    }
  });
});

describe('workflowFileName', () => {
  it.each([
    ['deploy.yml', 'deploy.yml'],
    ['.github/workflows/deploy.yaml', 'deploy.yaml'],
    ['./.github/workflows/deploy.yml', 'deploy.yml'],
    ['12345', null],
    ['other/dir/deploy.yml', null],
  ])('%s → %s', (configured, name) => {
    expect(workflowFileName(configured)).toBe(name);
  });
});
