import { defineConfig } from 'vitest/config';

// The tests with a real Docker engine (test/docker): one file at a time (each starts its own
// dockerd; two at once on 2 cores would measure each other), after the unit tests.
export default defineConfig({
  test: {
    include: ['test/docker/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 15 * 60_000,
  },
});
