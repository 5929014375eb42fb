import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two test files at once: most e2e time is child processes and the simulator waiting.
    maxWorkers: 2,
    // The reliability matrix's cases run concurrently: they mostly wait on retry backoff.
    maxConcurrency: 10,
    reporters: ['default'],
  },
});
