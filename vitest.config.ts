import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Sized to the machine: test files in parallel up to the cores, and inside a file (the
// reliability matrix) twice that many cases at once. With the matrix's short retry base the
// cases are CPU-bound, so more concurrency only makes each one slower on a busy machine.
const cores = Math.max(1, availableParallelism());

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    globalSetup: ['__tests__/support/global-setup.ts'],
    // A safety net, not a budget: nothing in the suite waits on wall-clock speed.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: Math.min(cores, 4),
    maxConcurrency: 2 * cores,
    reporters: ['default'],
  },
});
