import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first: the deployment test (its floor is the export's healthchecks and alert timers), then the swarm, then the quick ones. */
const ORDER = ['stack.test.ts', 'swarm.test.ts', 'observe.test.ts', 'toolkit.test.ts'];
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = ORDER.findIndex((n) => f.moduleId.endsWith(n));
      return i < 0 ? ORDER.length : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

// The tests with a real Docker engine (test/docker): every file at once, each with its own
// dockerd. They spend most of their time waiting (healthcheck intervals, Prometheus's `for: 1m`,
// swarm convergence: the stack test used about 1 CPU-minute in 10, measured), so on 2 cores they
// overlap instead of queueing; what they assert does not depend on an idle machine (latency is
// judged only when the CPU was not saturated, scripts/stack-test/saturation.ts). The image
// archive is made once (test/docker/global-setup.ts) and shared through its cache and lock.
export default defineConfig({
  test: {
    include: ['test/docker/**/*.test.ts'],
    environment: 'node',
    fileParallelism: true,
    maxWorkers: 4,
    globalSetup: ['test/docker/global-setup.ts'],
    sequence: { sequencer: LongestFirst },
    testTimeout: 120_000,
    hookTimeout: 15 * 60_000,
  },
});
