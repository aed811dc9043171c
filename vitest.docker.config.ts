import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The toolkit's tests first: they need no image from the archive, which is made meanwhile (test/docker/global-setup.ts). */
class ToolkitFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => (f.moduleId.endsWith('toolkit.test.ts') ? 0 : 1);
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

// The tests with a real Docker engine (test/docker): one file at a time (each starts its own
// dockerd; two at once on 2 cores would measure each other), after the unit tests.
export default defineConfig({
  test: {
    include: ['test/docker/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    globalSetup: ['test/docker/global-setup.ts'],
    sequence: { sequencer: ToolkitFirst },
    testTimeout: 120_000,
    hookTimeout: 15 * 60_000,
  },
});
