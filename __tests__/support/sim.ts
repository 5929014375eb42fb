// Test helpers around the simulator: start one per test, assert the contract held.
import { getOctokit } from '@actions/github';
import { afterEach, beforeEach, expect } from 'vitest';
import { GitHubSimulator, type SimulatorOptions } from './github-simulator/server.js';

export async function startSimulator(options: SimulatorOptions = {}): Promise<GitHubSimulator> {
  const sim = new GitHubSimulator(options);
  await sim.start();
  return sim;
}

export function expectNoContractViolations(sim: GitHubSimulator): void {
  expect(sim.violations, 'requests that GitHub would not accept').toEqual([]);
}

/** A plain Octokit (no retries) pointed at the simulator. */
export function client(sim: GitHubSimulator) {
  return getOctokit(sim.token, { baseUrl: sim.apiUrl, request: { retries: 0 } });
}

/**
 * One simulator per test, stopped afterwards, with the contract asserted after every test.
 * `onStart` receives it: `let sim; useSimulator((s) => (sim = s));`
 */
export function useSimulator(
  onStart: (sim: GitHubSimulator) => void,
  options: SimulatorOptions = {},
): void {
  let current: GitHubSimulator | null = null;
  beforeEach(async () => {
    current = await startSimulator(options);
    onStart(current);
  });
  afterEach(async () => {
    const sim = current!;
    current = null;
    try {
      expectNoContractViolations(sim);
    } finally {
      await sim.stop();
    }
  });
}
