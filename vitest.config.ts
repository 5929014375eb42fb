import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The reliability matrix's cases run concurrently: they mostly wait on retry backoff.
    maxConcurrency: 10,
    reporters: ['default'],
  },
});
