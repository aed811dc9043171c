/** Evidence dropped on the page: the observed line per row, an OOM kill as a critical finding with its time, a bad file as a notice with the plan kept. */
import { test as base, expect } from './fixtures.ts';
import { EvidencePage } from './pages/evidence.ts';

const test = base.extend<{ evidence: EvidencePage }>({
  evidence: async ({ page }, use) => {
    await use(new EvidencePage(page));
  },
});

const MIB = 1_048_576;
const T0 = 1_764_650_000;
/** headroom observe's file for the 4gb preset's redis: 10 minutes at 5 s, killed once. */
const OBSERVED = JSON.stringify({
  format: 'headroom-evidence', version: 1, source: 'observe', collectedAt: '2026-12-02T05:30:00Z', durationSeconds: 600, intervalSeconds: 5, host: null,
  services: [{ service: 'redis', containers: ['shop-redis-1'], samples: Array.from({ length: 120 }, (_, i) => [T0 + i * 5, (150 + (i % 40)) * MIB]), limitBytes: null, peakBytes: null, anonBytes: null, fileBytes: null, oomKills: [{ at: '2026-12-02T05:21:13Z', container: 'shop-redis-1' }], restarts: 1 }],
});

test('an evidence file: each observed row gets its line, an OOM kill is critical with its time', async ({ planner, evidence }) => {
  await planner.open();
  await expect(evidence.line('redis')).toHaveCount(0);
  await evidence.add('observe.json', OBSERVED);
  await expect(planner.notices.last()).toContainText('Evidence from observe.json (evidence): observed redis; 1 OOM kill.');
  await expect(evidence.line('redis')).toBeVisible();
  await expect(evidence.line('redis').getByRole('img')).toHaveAttribute('aria-label', /^observed p50 .*, p99 .*, peak 189 MiB \(120 samples\); model .*; limit /);
  await expect(evidence.oom('redis')).toHaveText('✖ OOM-killed 2026-12-02 05:21:13 UTC');
  await expect(evidence.line('postgres')).toHaveCount(0);
  const finding = planner.page.getByTestId('finding-observed-oom-kill');
  await expect(finding).toContainText('redis was OOM-killed once');
  await expect(finding).toContainText('at 2026-12-02 05:21:13 UTC (shop-redis-1)');
  await expect(finding).toContainText(/critical/i);
});

test('a bad evidence file is a notice, and the plan stays as it was', async ({ planner, evidence }) => {
  await planner.open();
  const before = await planner.highUsage('postgres');
  await evidence.add('vector.json', JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
  await expect(planner.notices.last()).toContainText('vector.json was not applied (prometheus): data.resultType: expected "matrix"');
  await evidence.add('trunc.json', OBSERVED.slice(0, 200));
  await expect(planner.notices.last()).toContainText('trunc.json was not applied: line 1, column');
  await expect(planner.notices.last()).toContainText('truncated');
  await expect(planner.notices.last()).toContainText('The plan is as it was.');
  expect(await planner.highUsage('postgres')).toBe(before);
  await expect(planner.page.getByTestId('observed-line-redis')).toHaveCount(0);
  await expect(planner.undoButton).toBeDisabled();
});
