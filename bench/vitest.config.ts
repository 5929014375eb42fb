// `npm run bench` runs these suites one at a time, in one process, so that they do not compete
// for the two cores; see scripts/bench.mjs.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/*.bench.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
