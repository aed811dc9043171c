/** The upgrade-path tab: the tiers the engine re-tunes for 4, 8 and 16 GiB, their prices and costs, the chart and the before/after table. */
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect } from './fixtures.ts';
import { UpgradePage } from './pages/upgrade.ts';
import { upgradePath } from '../src/engine/tiers.ts';
import { capacity } from '../src/engine/capacity.ts';
import { changesText } from '../src/engine/changeText.ts';
import { presetPlan } from '../src/engine/testing.ts';

const test = base.extend<{ upgrade: UpgradePage }>({
  upgrade: async ({ page }, use) => {
    await use(new UpgradePage(page));
  },
});

const RAMS = ['4 GiB', '8 GiB', '16 GiB'];
/** The engine's own answer for the page's default plan (the 4gb preset). */
const expected = upgradePath(presetPlan('4gb'));
const users = (n: number) => n.toLocaleString('en-US');
const money = (n: number) => `$${n.toFixed(2)}`;

test('shows three tiers side by side with the engine’s users, prices, costs and break points', async ({ upgrade }) => {
  await upgrade.open();
  await expect(upgrade.tiers).toHaveCount(3);
  for (const [i, ram] of RAMS.entries()) {
    const t = expected.tiers[i]!;
    await expect(upgrade.users(ram)).toHaveText(users(t.users!));
    await expect(upgrade.price(ram)).toHaveValue(String(t.pricePerMonth));
    await expect(upgrade.cost(ram)).toHaveText(money(t.costPer1000Users!));
    await expect(upgrade.tier(ram)).toContainText(`${users(t.moveUpAt!)} users`);
    await expect(upgrade.tier(ram)).toContainText(t.binding!.message);
    // Its vCPUs, and the CPU its stack uses at the users it carries (modelled).
    await expect(upgrade.cpus(ram)).toHaveText(`· ${t.cpus} vCPUs`);
    await expect(upgrade.cpu(ram)).toHaveText(new RegExp(`^[\\d.]+ typical / [\\d.]+ high of ${t.cpus} vCPUs at ${users(t.users!)} users$`));
    // A bigger tier runs the app a worker per vCPU, and says so under its CPU (tiers.ts re-tune).
    await expect(upgrade.tier(ram).getByTestId('tier-retuned')).toHaveText(t.workers.map((w) => `${w.service}: ${w.to} workers on ${t.cpus} vCPUs (re-tuned from ${w.from})`));
  }
  // Side by side: the three cards share one row on a laptop-wide screen.
  const tops = await Promise.all(RAMS.map(async (r) => (await upgrade.tier(r).boundingBox())!.y));
  expect(new Set(tops).size).toBe(1);
  await expect(upgrade.tier('4 GiB')).toContainText(/for 1,000 users/);
  await expect(upgrade.capacitySummary).toContainText(/As planned/);
  await expect(upgrade.page.locator('body')).not.toContainText('NaN');
});

test('what must be fixed before any user is said in an operator’s words, the fixes’ own', async ({ upgrade }) => {
  const fixes = capacity(presetPlan('4gb')).fixedFirst!.changes;
  expect(fixes.length).toBeGreaterThan(0);
  await upgrade.open();
  const fixedFirst = upgrade.capacitySummary.getByTestId('fixed-first');
  // One sentence: "Set Redis maxmemory to 104 MiB; set the Grafana memory limit to …" (no capital after a semicolon).
  await expect(fixedFirst).toContainText(changesText(fixes));
  await expect(fixedFirst).not.toContainText(/; (Set|Remove|Turn|Move) /);
  // Not the plan file's keys (issue 16: "features.pgbouncer = true", "redis.settings.maxmemory = 104MiB").
  await expect(fixedFirst).not.toContainText(/settings\.|features\.|\d(MiB|GiB)/);
});

test('the chart draws each host’s line, its usable memory and its break point', async ({ upgrade }) => {
  await upgrade.open();
  await expect(upgrade.chart).toBeVisible();
  const lines = upgrade.chart.locator('.recharts-line path.recharts-curve');
  await expect(lines).toHaveCount(3);
  for (const d of await lines.evaluateAll((els) => els.map((e) => e.getAttribute('d') ?? ''))) expect(d.length).toBeGreaterThan(50);
  await expect(upgrade.chart.locator('.recharts-reference-dot')).toHaveCount(3);
  for (const [i, ram] of RAMS.entries()) {
    await expect(upgrade.chart.getByText(`${ram} host`, { exact: true })).toBeVisible();
    await expect(upgrade.chart.getByText(`${ram} breaks: ${users(expected.tiers[i]!.users!)}`)).toBeVisible();
  }
});

test('changing a tier’s price changes its cost per 1,000 users; a bad price is refused and explained', async ({ upgrade }) => {
  await upgrade.open();
  const t = expected.tiers[1]!;
  await expect(upgrade.cost('8 GiB')).toHaveText(money(t.costPer1000Users!));
  await upgrade.setPrice('8 GiB', '80');
  await expect(upgrade.cost('8 GiB')).toHaveText(money((80 / t.users!) * 1000));
  // The other tiers keep theirs.
  await expect(upgrade.cost('4 GiB')).toHaveText(money(expected.tiers[0]!.costPer1000Users!));
  await upgrade.setPrice('8 GiB', 'lots');
  await expect(upgrade.price('8 GiB')).toHaveAttribute('aria-invalid', 'true');
  await expect(upgrade.price('8 GiB')).toHaveAccessibleDescription(/8 GiB price: expected a price in USD per month/);
  await upgrade.setPrice('8 GiB', '');
  await expect(upgrade.cost('8 GiB')).toHaveText('—');
  // Kept while another tab is shown.
  await upgrade.setPrice('8 GiB', '60');
  await upgrade.planner.openTab('Plan');
  await upgrade.planner.openTab('Upgrade path');
  await expect(upgrade.price('8 GiB')).toHaveValue('60');
  await expect(upgrade.cost('8 GiB')).toHaveText(money((60 / t.users!) * 1000));
});

test('a tier’s vCPUs are editable: more carry more users at once; bad text is refused and the card keeps its figures', async ({ upgrade }) => {
  await upgrade.open();
  const t = expected.tiers[0]!;
  // The engine's answer for 4 GiB with 4 vCPUs (as `headroom capacity --tiers 4GiB:25:4`).
  const four = upgradePath(presetPlan('4gb'), { tiers: [{ ramMiB: 4096, pricePerMonth: 25, cpus: 4 }] }).tiers[0]!;
  expect(four.users!).toBeGreaterThan(t.users!);
  await expect(upgrade.cpusInput('4 GiB')).toHaveValue(String(t.cpus));
  await expect(upgrade.cpusInput('4 GiB')).toHaveAccessibleDescription('2 (default: 1 vCPU per 2 GiB)');
  await upgrade.setCpus('4 GiB', '4');
  await expect(upgrade.users('4 GiB')).toHaveText(users(four.users!));
  await expect(upgrade.cpus('4 GiB')).toHaveText('· 4 vCPUs');
  await expect(upgrade.cpu('4 GiB')).toHaveText(new RegExp(` high of 4 vCPUs at ${users(four.users!)} users$`));
  await expect(upgrade.tier('4 GiB')).toContainText(four.binding!.message);
  // The other tiers keep theirs.
  await expect(upgrade.users('8 GiB')).toHaveText(users(expected.tiers[1]!.users!));
  // Refused: the message names the field and what is expected; the card keeps the last figures.
  await upgrade.setCpus('4 GiB', 'abc');
  await expect(upgrade.cpusInput('4 GiB')).toHaveAttribute('aria-invalid', 'true');
  await expect(upgrade.cpusInput('4 GiB')).toHaveAccessibleDescription(/4 GiB vCPUs: expected vCPUs from 0\.1 to 1024, like 4, got "abc"; the tier keeps 4 vCPUs/);
  await expect(upgrade.users('4 GiB')).toHaveText(users(four.users!));
  await expect(upgrade.cpus('4 GiB')).toHaveText('· 4 vCPUs');
  await expect(upgrade.page.locator('body')).not.toContainText('NaN');
  // Back to the default.
  await upgrade.cpusDefault('4 GiB').click();
  await expect(upgrade.cpusInput('4 GiB')).toHaveValue(String(t.cpus));
  await expect(upgrade.users('4 GiB')).toHaveText(users(t.users!));
  await expect(upgrade.cpusDefault('4 GiB')).toHaveCount(0);
});

test('the move-up point follows the share typed', async ({ upgrade }) => {
  await upgrade.open();
  await upgrade.moveUp.fill('50');
  await expect(upgrade.tier('4 GiB')).toContainText(`${users(Math.floor(expected.tiers[0]!.users! * 0.5))} users`);
});

test('the before/after table compares a preset with this plan, full by default', async ({ upgrade }) => {
  await upgrade.open();
  await expect(upgrade.beforePreset).toHaveValue('full');
  expect(await upgrade.compareRow('Total services')).toEqual(['8', '5', '−37.5%']);
  expect(await upgrade.compareRow('Monthly cost')).toEqual(['$50', '$25', '−50%']);
  await upgrade.beforePreset.selectOption('4gb');
  await expect.poll(() => upgrade.compareRow('Total services')).toEqual(['5', '5', 'same']);
});

test('follows the plan: a larger redis limit moves the current capacity', async ({ upgrade }) => {
  await upgrade.open();
  const before = await upgrade.capacitySummary.textContent();
  await upgrade.planner.openTab('Plan');
  await upgrade.planner.setLimit('redis', '1g');
  await upgrade.planner.openTab('Upgrade path');
  await expect(upgrade.capacitySummary).not.toHaveText(before!);
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe finds no serious violation and the tab is drawn (${scheme})`, async ({ upgrade, page }) => {
    // A full-page axe scan: ~9 s on this 2-core machine at load 6 (measured), more when it is busy.
    test.slow();
    await page.emulateMedia({ colorScheme: scheme });
    await upgrade.open();
    await expect(upgrade.chart.locator('.recharts-reference-dot')).toHaveCount(3);
    await upgrade.setPrice('16 GiB', 'x');
    const { violations } = await new AxeBuilder({ page }).analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    await upgrade.setPrice('16 GiB', '100');
    await upgrade.screenshot(`upgrade-${scheme}`);
  });
}
