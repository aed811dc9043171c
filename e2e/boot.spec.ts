/** The boot when a chunk does not load: one dropped request costs nothing, a chunk that never comes is said, and the saved plan is kept. */
import { test, expect } from './fixtures.ts';
import { STORAGE_KEY } from './pages/planner.ts';

const GENERIC_CHUNK = /\/assets\/generic-[^/]+\.js$/;

test('a chunk request dropped once: the boot tries again and the page opens', async ({ planner, page }) => {
  let requests = 0;
  await page.route(GENERIC_CHUNK, (route) => (requests++ === 0 ? route.abort('connectionreset') : route.continue()));
  await planner.open();
  await expect(page.getByRole('alert')).toHaveCount(0);
  // Fetched again, not served from a cached failure (whatwg/html#10327, as Chromium does it here).
  expect(requests).toBe(2);
});

test('a chunk that never loads: the page says which and to reload, and the saved plan stays', async ({ page }) => {
  const saved = JSON.stringify({ version: 1, plan: { name: 'mine', host: { ram: '2GiB' }, services: [{ name: 'app', kind: 'generic', limit: '256MiB', settings: {} }] } });
  await page.addInitScript(([key, value]) => {
    if (!localStorage.getItem(key)) localStorage.setItem(key, value);
  }, [STORAGE_KEY, saved] as const);
  await page.route(GENERIC_CHUNK, (route) => route.abort('connectionreset'));
  await page.goto('/');
  await expect(page.getByRole('alert')).toHaveText(/^Headroom could not load its engine \(.*generic-[^/]+\.js\)\. Reload the page to try again; your saved plan is kept\.$/);
  expect(await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY)).toBe(saved);
});

test('a later chunk dropped once (the services table): loaded again, the table is drawn, no error', async ({ planner, page }) => {
  let requests = 0;
  await page.route(/\/assets\/ServicesTable-[^/]+\.js$/, (route) => (requests++ === 0 ? route.abort('connectionreset') : route.continue()));
  await planner.open();
  await expect(planner.limit('fastapi')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(requests).toBe(2);
});
