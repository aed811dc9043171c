import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Two lanes: the deployment test alone in one (the longest: its floor is the export's
 * healthchecks and alert timers, and on a cold run the image build before it); the others one
 * after another in the second, the two that need no image from the archive first (they run while
 * it is made), then the swarm.
 */
const ORDER = ['stack.test.ts', 'toolkit.test.ts', 'observe.test.ts', 'swarm.test.ts'];
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = ORDER.findIndex((n) => f.moduleId.endsWith(n));
      return i < 0 ? ORDER.length : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

// The tests with a real Docker engine (test/docker): two files at a time, each with its own
// dockerd. They spend most of their time waiting (healthcheck intervals, Prometheus's `for: 1m`,
// swarm convergence: the stack test used about 1 CPU-minute in 10, measured), so the second lane
// overlaps the deployment test instead of queueing before it; what they assert does not depend on
// an idle machine (latency is judged only when the CPU was not saturated,
// scripts/stack-test/saturation.ts). Four at once was tried: at load average 40 the toolkit's
// engine start-and-stop test went past its 120 s (14 s alone). The image archive is made once
// (test/docker/global-setup.ts) and shared through its cache and lock.
export default defineConfig({
  test: {
    include: ['test/docker/**/*.test.ts'],
    environment: 'node',
    fileParallelism: true,
    maxWorkers: 2,
    globalSetup: ['test/docker/global-setup.ts'],
    sequence: { sequencer: LongestFirst },
    testTimeout: 120_000,
    hookTimeout: 15 * 60_000,
  },
});
