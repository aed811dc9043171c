import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    // The tests with a real Docker engine run on their own, one file at a time (vitest.docker.config.ts).
    exclude: ['**/node_modules/**', 'test/docker/**'],
    environment: 'node',
    // The page loads its plan schema on demand (src/app/derive/schema.ts); its tests start with it loaded.
    setupFiles: ['test/setup-schema.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
