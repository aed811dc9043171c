/** Keyboard focus after Enter and Apply, charts out of the tab order, and what lives in the URL: the tab and a share link. */
import { test, expect } from './fixtures.ts';
import { PlannerPage, SEED_SERVICES } from './pages/planner.ts';

test.describe('focus', () => {
  test('Enter in a limit field applies the value and keeps the focus there', async ({ planner, page }) => {
    await planner.open();
    const limit = planner.limit('grafana');
    await limit.focus();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('1g');
    await page.keyboard.press('Enter');
    await expect(planner.hostLimits).toHaveText('2.76 GiB');
    await expect(limit).toBeFocused();
    // The typing run ended: one Undo takes back the whole value.
    await page.keyboard.type('x');
    await expect(limit).toHaveAttribute('aria-invalid', 'true');
    await page.keyboard.press('Escape');
    await expect(limit).toHaveValue('1g');
    await expect(limit).toBeFocused();
  });

  test('Enter on refused text keeps the focus and the reason', async ({ planner }) => {
    await planner.open();
    const limit = planner.limit('fastapi');
    await limit.fill('abc');
    await limit.press('Enter');
    await expect(limit).toBeFocused();
    await expect(limit).toHaveAccessibleDescription(/expected a size/);
  });

  test('an Apply button, used from the keyboard, moves the focus to the next finding, never to the page', async ({ planner, page }) => {
    await planner.open();
    const first = planner.findings.first();
    await expect(first).toHaveAttribute('data-testid', 'finding-redis-fork-headroom');
    const second = await planner.findings.nth(1).getAttribute('data-testid');
    const apply = planner.applyButton('redis-fork-headroom');
    await expect(apply).toHaveText('Set Redis maxmemory to 104 MiB');
    await apply.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('finding-redis-fork-headroom')).toHaveCount(0);
    // The finding that moved up into its place has the focus.
    await expect.poll(() => planner.focused()).toBe(`li ${second}`);
    await expect(planner.findings.first()).toBeFocused();
    // Tab goes on from there, into that finding's own button.
    await page.keyboard.press('Tab');
    await expect(planner.findings.first().getByRole('button')).toBeFocused();
  });

  test('the charts are not tab stops: nothing in a figure takes the focus', async ({ planner, page }) => {
    await planner.open();
    await expect(page.getByRole('figure')).toHaveCount(3);
    const focusable = await page.getByRole('figure').evaluateAll((figs) => figs.flatMap((f) => [...f.querySelectorAll<HTMLElement | SVGElement>('*')].filter((el) => el.tabIndex >= 0)).length);
    expect(focusable).toBe(0);
    for (const fig of await page.getByRole('figure').all()) await expect(fig).toHaveAccessibleName(/\S/);
  });
});

test.describe('the URL', () => {
  test('the open tab lives in the URL and survives a reload', async ({ planner, page }) => {
    await planner.open();
    await planner.openTab('Export');
    await expect(page).toHaveURL(/\?tab=export$/);
    await page.reload();
    await planner.loaded();
    await expect(planner.tab('Export')).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('heading', { name: 'Export', exact: true })).toBeVisible();
    await planner.openTab('Plan');
    await expect(page).toHaveURL(/\/$/);
  });

  test('a link to a tab opens it', async ({ planner, page }) => {
    await planner.open('/?tab=upgrade');
    await expect(planner.tab('Upgrade path')).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('heading', { name: 'Upgrade path' })).toBeVisible();
  });

  test('a share link pasted into a tab that has the page open loads it, as one undo step', async ({ planner, page, browser }) => {
    // The link: the 8gb preset with one limit changed, made in another page.
    const context = await browser.newContext();
    const other = new PlannerPage(await context.newPage());
    await other.open();
    await other.loadPreset('8gb');
    await other.setLimit('grafana', '384MiB');
    const link = await other.shareLink();
    const shared = await other.table();
    await context.close();

    await planner.open();
    await planner.setLimit('postgres', '1GiB');
    const mine = await planner.table();
    await page.goto(link); // same page, new hash: the browser does not reload
    await expect.poll(() => planner.table()).toEqual(shared);
    await expect(planner.notices.last()).toContainText('Opened the plan from the share link');
    await expect(page).toHaveURL(/\/$/);
    await planner.undoButton.click();
    expect(await planner.table()).toEqual(mine);
  });

  test('a damaged share link pasted into an open page leaves the plan and says why', async ({ planner, page }) => {
    await planner.open();
    await page.goto('/#plan=AAAA-not-a-plan');
    await expect(planner.notices.last()).toContainText('share link could not be opened');
    expect((await planner.table()).map(([n]) => n)).toEqual([...SEED_SERVICES]);
  });
});

test.describe('the preset menu follows the plan', () => {
  test('a preset while it is one, “Custom” with the plan’s name once edited, imported or shared', async ({ planner, page }) => {
    await planner.open();
    await expect(planner.presetMenu).toHaveValue('4gb');
    await expect(planner.loadPresetButton).toBeDisabled();
    await planner.setLimit('grafana', '256MiB');
    await expect(planner.presetMenu).toHaveValue('custom');
    await expect(planner.presetMenu.locator('option:checked')).toHaveText('Custom: production-4gb');
    await planner.undoButton.click();
    await expect(planner.presetMenu).toHaveValue('4gb');
    // A choice made in the menu holds until loaded…
    await planner.presetMenu.selectOption('full');
    await expect(planner.presetMenu).toHaveValue('full');
    await expect(planner.loadPresetButton).toBeEnabled();
    // …or until the plan changes another way (here a plan file), which the menu then shows.
    const file = 'name: my-stack\nhost:\n  ram: 4GiB\nservices:\n  - name: db\n    kind: postgres\n    limit: 1GiB\n';
    await page.getByLabel('Plan file to upload').setInputFiles({ name: 'mine.yaml', mimeType: 'application/yaml', buffer: Buffer.from(file) });
    await expect(planner.presetMenu).toHaveValue('custom');
    await expect(planner.presetMenu.locator('option:checked')).toHaveText('Custom: my-stack');
    await planner.loadPreset('8gb');
    await expect(planner.presetMenu.locator('option:checked')).toHaveText('10,000 users on 8 GiB');
  });
});
