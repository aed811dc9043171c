/** The page on a phone (390 × 844): every view usable without scrolling the page sideways, nothing cut off. */
import { test, expect } from './fixtures.ts';
import { clippedBoxes, pageWidth, rightEdge } from './pages/layout.ts';
import { SEED_SERVICES } from './pages/planner.ts';
import { HostsPage } from './pages/hosts.ts';

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

test('a service’s CPU cap and replicas fit the card: typed in, their line on screen, no sideways scrolling', async ({ planner, page }) => {
  await planner.open();
  await planner.openSettings('grafana');
  for (const field of [planner.serviceCpus('grafana'), planner.replicas('grafana')]) {
    await expect(field).toBeVisible();
    expect(await rightEdge(field)).toBeLessThanOrEqual(PHONE.width);
  }
  await planner.replicas('grafana').fill('2');
  await planner.serviceCpus('grafana').fill('0.5');
  await expect(planner.containers('grafana')).toHaveText('2 containers × 150 MiB = 300 MiB · CPU cap 0.5 each');
  expect(await rightEdge(planner.containers('grafana'))).toBeLessThanOrEqual(PHONE.width);
  await planner.replicas('grafana').fill('x');
  await expect(page.getByText('grafana replicas: expected a number, got "x"')).toBeVisible();
  const { scrollWidth, viewport } = await pageWidth(page);
  expect(scrollWidth).toBeLessThanOrEqual(viewport);
  expect(await clippedBoxes(page)).toEqual([]);
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

/** A hosts: plan with long host names and labels, a spread service and findings on each host (PostgreSQL at 1408 MiB on its 2 GiB host: with the measured reserve, 560 MiB high there, 1536 left it −16 MiB at worst, as in multihost.spec.ts). */
const HOSTS_PLAN = `name: phone-hosts
hosts:
  - { name: application-server-eu-west-1a.internal, ram: 4GiB, pricePerMonth: 25, labels: [role=application-server, topology.kubernetes.io/zone=eu-west-1a] }
  - { name: database-primary-eu-west-1b.internal, ram: 2GiB, pricePerMonth: 15, labels: [role=database] }
services:
  - { name: api, kind: fastapi, limit: 1GiB, host: [application-server-eu-west-1a.internal, database-primary-eu-west-1b.internal], settings: { replicas: 2, workers: 4 } }
  - { name: redis, kind: redis, limit: 256MiB, host: application-server-eu-west-1a.internal, settings: { maxmemory: 128MiB } }
  - { name: postgres, kind: postgres, limit: 1408MiB, host: database-primary-eu-west-1b.internal, settings: { sharedBuffers: 384MiB } }
`;

test('host cards fit 390 px: no sideways scrolling, each card on screen and readable', async ({ page }) => {
  const hosts = new HostsPage(page);
  await hosts.upload(HOSTS_PLAN);
  await expect(hosts.cards).toHaveCount(2);
  const { scrollWidth, viewport } = await pageWidth(page);
  expect(scrollWidth, 'the page scrolls sideways').toBeLessThanOrEqual(viewport);
  expect(await clippedBoxes(page), 'content cut off by its box').toEqual([]);
  for (const name of ['application-server-eu-west-1a.internal', 'database-primary-eu-west-1b.internal']) {
    const card = hosts.card(name);
    const box = (await card.boundingBox())!;
    // On screen, and wide enough to read: most of the phone's width, not a sliver.
    expect(box.x, `${name}: left edge`).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, `${name}: right edge`).toBeLessThanOrEqual(PHONE.width);
    expect(box.width, `${name}: width`).toBeGreaterThan(PHONE.width * 0.75);
    // Each figure and line of the card inside the card (none spilling past it), in text no smaller than 12 px.
    for (const id of ['host-card-free', 'host-card-free-least', 'host-card-risk', 'host-card-services', 'host-card-findings']) {
      const part = card.getByTestId(id);
      await expect(part, `${name}: ${id}`).toBeVisible();
      const b = (await part.boundingBox())!;
      expect(b.x + b.width, `${name}: ${id} past the card`).toBeLessThanOrEqual(box.x + box.width + 0.5);
    }
    const tooSmall = await card.evaluate((el) => [...el.querySelectorAll<HTMLElement>('*')].filter((e) => e.textContent?.trim() && parseFloat(getComputedStyle(e).fontSize) < 12).map((e) => e.tagName));
    expect(tooSmall, `${name}: text under 12 px`).toEqual([]);
    // Every line of the card's own text is inside the card: its name and labels wrap rather than run off.
    const overflowing = await card.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const out: string[] = [];
      const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const rect of range.getClientRects()) if (rect.right > r.right + 0.5 || rect.left < r.left - 0.5) out.push((n.textContent ?? '').trim().slice(0, 40));
      }
      return out;
    });
    expect(overflowing, `${name}: text running past the card`).toEqual([]);
    // Negative figures (this plan's database host can fall below zero free) with one minus sign, never NaN.
    expect(await card.textContent(), `${name}: a hyphen used as a minus sign, or NaN`).not.toMatch(/(^|[\s(:])-\d|NaN/);
  }
  await expect(hosts.card('application-server-eu-west-1a.internal').locator('h3')).toContainText('4 GiB');
  // The other tabs with this plan (the Upgrade path's multi-host rows, the Export tab's targets) fit too.
  for (const name of TABS.slice(1)) {
    await hosts.planner.openTab(name);
    await expect(hosts.planner.tabPanel.getByText(/^Loading /)).toHaveCount(0);
    if (name === 'Upgrade path') await expect(hosts.multiHost).toBeVisible({ timeout: 30_000 });
    const w = await pageWidth(page);
    expect(w.scrollWidth, `${name}: the page scrolls sideways`).toBeLessThanOrEqual(w.viewport);
    expect(await clippedBoxes(page), `${name}: content cut off by its box`).toEqual([]);
  }
});
