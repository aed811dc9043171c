/** Feature toggles: each hint's numbers are the engine's (the plan with and without the toggle), and the host chart stacks what a toggle adds before the free space. */
import { evaluate, planParse, presetGet, sizeFormat, type PlanInput } from '../src/engine/index.ts';
import { test, expect } from './fixtures.ts';

const FEATURES = { pgbouncer: 'pgBouncer', semanticCache: 'Semantic cache', alertmanager: 'AlertManager', exporters: 'Exporters' } as const;

/** The engine's report for a plan input (the test's own evaluation, not the page's). */
function report(input: PlanInput) {
  const p = planParse(input);
  if (!p.ok) throw new Error(JSON.stringify(p.issues));
  return evaluate(p.plan);
}

/** A signed size as the page writes it: one minus sign, sizeFormat's rule; ±0 for rounding. */
const signed = (mib: number) => (Math.abs(mib) < 0.5 ? '±0 MiB' : mib > 0 ? `+${sizeFormat(mib)}` : sizeFormat(mib));

test('each toggle’s hint gives the engine’s net change in free memory and every service it moves', async ({ planner }) => {
  await planner.open();
  const base = presetGet('4gb');
  const off = report(base);
  for (const [id, label] of Object.entries(FEATURES)) {
    const on = report({ ...base, features: { ...base.features, [id]: true } });
    const hint = planner.toggleEffect(id);
    const freeTypical = on.host.freeMiB.typical - off.host.freeMiB.typical;
    const freeHigh = on.host.freeMiB.low - off.host.freeMiB.low;
    await expect(hint).toHaveAttribute('data-free-typical-mib', String(freeTypical));
    await expect(hint).toHaveAttribute('data-free-high-mib', String(freeHigh));
    await expect(hint).toContainText(`free memory ${signed(freeTypical)} typical, ${signed(freeHigh)} at high load`);
    const before = new Map(off.services.map((s) => [s.name, s.usageMiB]));
    for (const s of on.services) {
      const d = { typical: s.usageMiB.typical - (before.get(s.name)?.typical ?? 0), high: s.usageMiB.high - (before.get(s.name)?.high ?? 0) };
      if (Math.abs(d.typical) < 0.5 && Math.abs(d.high) < 0.5) continue;
      await expect(hint, `${label}: ${s.name}`).toContainText(s.name);
      if (Math.abs(d.typical) >= 0.5) await expect(hint).toContainText(`${signed(d.typical)} typical`);
      if (Math.abs(d.high) >= 0.5) await expect(hint).toContainText(`${signed(d.high)} high`);
    }
    await expect(planner.toggle(label)).toHaveAccessibleDescription(/free memory/);
  }
  // The semantic cache: Redis grows (typical) as Postgres shrinks; the net is a cost.
  await expect(planner.toggleEffect('semanticCache')).toContainText(/redis \+\d+ MiB typical/);
});

test('a toggle that is on says what it costs over off', async ({ planner }) => {
  await planner.open();
  await planner.toggle('AlertManager').check();
  const base = presetGet('4gb');
  const off = report(base);
  const on = report({ ...base, features: { ...base.features, alertmanager: true } });
  const hint = planner.toggleEffect('alertmanager');
  await expect(hint).toHaveAttribute('data-free-high-mib', String(on.host.freeMiB.low - off.host.freeMiB.low));
  await expect(hint).toContainText(/^On: free memory −\d+ MiB typical/);
});

test('the host chart stacks the services a toggle adds before the free space, as the host bar does', async ({ planner, page }) => {
  await planner.open();
  await planner.toggle('AlertManager').check();
  await planner.toggle('Exporters').check();
  await expect(planner.row('alertmanager')).toBeVisible();
  const chart = page.getByRole('figure', { name: /^Host:/ });
  await chart.scrollIntoViewIfNeeded();
  const free = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--free').trim());
  // The rightmost segment of the stacked bar is the free space.
  await expect
    .poll(async () => {
      const rects = await chart.locator('path.recharts-rectangle').evaluateAll((els) => els.map((e) => ({ x: (e as SVGGraphicsElement).getBBox().x, fill: e.getAttribute('fill') })));
      return rects.sort((a, b) => a.x - b.x).at(-1)?.fill;
    })
    .toBe(free);
  // The host bar above does the same.
  const segments = await page.locator('.host-bar .seg').evaluateAll((els) => els.map((e) => e.className));
  expect(segments.at(-1)).toContain('seg-free');
});

test('the marks on a row’s usage bar are explained', async ({ planner, page }) => {
  await planner.open();
  const legend = page.getByTestId('gauge-legend');
  await expect(legend).toBeVisible();
  await expect(legend).toContainText('low to high usage');
  await expect(legend).toContainText('typical usage');
  await expect(legend).toContainText('the limit');
});
