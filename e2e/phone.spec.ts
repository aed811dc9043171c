/** The page on a phone (390 × 844): every view usable without scrolling the page sideways, nothing cut off. */
import { test, expect } from './fixtures.ts';
import { clippedBoxes, pageWidth, rightEdge } from './pages/layout.ts';
import { SEED_SERVICES } from './pages/planner.ts';

const PHONE = { width: 390, height: 844 };
const TABS = ['Plan', 'Upgrade path', 'Export', 'Success criteria'] as const;

test.use({ viewport: PHONE });

for (const scheme of ['light', 'dark'] as const) {
  test(`every tab fits 390 px: no sideways scrolling, nothing cut off (${scheme})`, async ({ planner, page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await planner.open();
    for (const name of TABS) {
      await planner.openTab(name);
      await expect(planner.tab(name)).toHaveAttribute('aria-selected', 'true');
      await expect(planner.tabPanel.getByText(/^Loading /)).toHaveCount(0); // the tab's code is in
      if (name === 'Plan') await expect(page.getByRole('figure').first()).toBeVisible();
      const { scrollWidth, viewport } = await pageWidth(page);
      expect(scrollWidth, `${name}: the page scrolls sideways`).toBeLessThanOrEqual(viewport);
      expect(await clippedBoxes(page), `${name}: content cut off by its box`).toEqual([]);
      // One minus sign (U+2212) for negative numbers, and never NaN; files shown as they are exported keep theirs.
      const hyphens = await page.evaluate(() => {
        const found: string[] = [];
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
          if (n.parentElement?.closest('pre, textarea, script, style')) continue;
          if (/(^|[\s(:])-\d|NaN/.test(n.textContent ?? '')) found.push(n.textContent!.trim().slice(0, 60));
        }
        return found;
      });
      expect(hyphens, `${name}: a hyphen used as a minus sign, or NaN`).toEqual([]);
      await planner.screenshot(`phone-${name.toLowerCase().replace(/ /g, '-')}-${scheme}`);
    }
  });
}

test('services are cards: every row’s limit, usage, headroom and risk on screen', async ({ planner }) => {
  await planner.open();
  for (const name of SEED_SERVICES) {
    for (const cell of [planner.limit(name), planner.usage(name), planner.page.getByTestId(`headroom-${name}`), planner.risk(name)]) {
      await expect(cell).toBeVisible();
      expect(await rightEdge(cell)).toBeLessThanOrEqual(PHONE.width);
    }
  }
  // The column headers still sort.
  await planner.page.getByRole('button', { name: /^Risk/ }).click();
  await expect(planner.rows().first()).toHaveAttribute('data-testid', 'service-row-redis');
});

test('the per-service charts are stacked, full width, each service named', async ({ planner, page }) => {
  await planner.open();
  const range = page.getByRole('figure', { name: /limit against its usage range/ });
  const spike = page.getByRole('figure', { name: /normal traffic against/ });
  await expect(spike).toBeVisible();
  const [a, b] = [await range.boundingBox(), await spike.boundingBox()];
  expect(b!.y).toBeGreaterThanOrEqual(a!.y + a!.height);
  expect(a!.width).toBeGreaterThan(PHONE.width * 0.8);
  for (const name of SEED_SERVICES) await expect(range.getByText(name, { exact: true })).toBeVisible();
});

test('the before/after table keeps every column on screen', async ({ planner, page }) => {
  await planner.open();
  await planner.openTab('Upgrade path');
  const table = page.getByTestId('compare-table');
  await expect(table).toBeVisible();
  for (const cell of await table.getByRole('cell').all()) expect(await rightEdge(cell)).toBeLessThanOrEqual(PHONE.width);
  await expect(page.getByTestId('compare-services').getByRole('cell').nth(2)).toBeVisible(); // the Change column
});
