/** Importing a compose file and docker stats: what was recognised, errors with position, nothing lost until confirmed. */
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect } from './fixtures.ts';
import { corpusFile, ImportDialogPage } from './pages/importDialog.ts';

const test = base.extend<{ importer: ImportDialogPage }>({
  importer: async ({ page }, use) => {
    await use(new ImportDialogPage(page));
  },
});

const SEED = corpusFile('02-seed-4gb.yml');
const SELFHOSTED = corpusFile('03-selfhosted-app.yml');
const SEED_KINDS = [
  ['fastapi', 'fastapi'],
  ['postgres', 'postgres'],
  ['redis', 'redis'],
  ['prometheus', 'prometheus'],
  ['grafana', 'grafana'],
];
const SEED_TABLE = [
  ['fastapi', '500MiB'],
  ['postgres', '800MiB'],
  ['redis', '300MiB'],
  ['prometheus', '200MiB'],
  ['grafana', '150MiB'],
];
// The seed's `docker stats --no-stream --format "table {{.Container}}\t{{.MemUsage}}\t{{.MemPerc}}"`, by name.
const STATS = ['NAME\tMEM USAGE / LIMIT\tMEM %', 'fastapi-backend\t310MiB / 500MiB\t62.00%', 'postgres\t420.5MiB / 800MiB\t52.56%', 'redis-cache\t120MiB / 300MiB\t40.00%', 'prometheus\t190MiB / 200MiB\t95.00%', 'grafana\t95MiB / 150MiB\t63.33%'].join('\n');
const BROKEN = 'services:\n  db:\n    image: postgres:16\n    command: [postgres, -c\n    mem_limit: 1g\n';

test('the seed’s compose: the dialog lists services and kinds, confirm replaces the plan, undo restores it', async ({ planner, importer }) => {
  await planner.open();
  // A plan that differs from the compose file, so the import is visible in the table.
  await planner.setLimit('grafana', '1g');
  await importer.open();
  await importer.paste(SEED);
  await expect(importer.status).toHaveText(/Recognised 5 services/);
  expect(await importer.kinds()).toEqual(SEED_KINDS);
  await expect(importer.row('postgres')).toContainText(/shared_buffers/);
  await expect(importer.row('fastapi')).toContainText(/uvicorn|workers/);
  await importer.screenshot('import-seed-light');
  // Nothing changed behind the dialog yet.
  await expect(planner.limit('grafana')).toHaveValue('1g');
  await importer.confirmButton.click();
  await expect(importer.dialog).toBeHidden();
  expect(await planner.table()).toEqual(SEED_TABLE);
  await expect(planner.notices.last()).toContainText('Imported the compose file: 5 services');
  await expect(importer.openButton).toBeFocused();
  // One undo step brings back the plan from before the import.
  await planner.undoButton.click();
  await expect(planner.limit('grafana')).toHaveValue('1g');
});

test('a compose file without limits: the host line says limits 0 and what the services without one can take, as the CLI does, never "limits exceed RAM"', async ({ planner, importer, page }) => {
  await planner.open();
  await importer.open();
  await importer.paste('services:\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7\n');
  await importer.host.fill('512MiB');
  await expect(importer.status).toHaveText(/Recognised 2 services/);
  await importer.confirmButton.click();
  await expect(planner.hostLimits).toHaveText('0 MiB');
  // postgres and redis at their high (their kinds' models), beside the limits, not inside them.
  const unlimited = page.getByTestId('host-unlimited');
  await expect(unlimited).toHaveText(/^7\d\d MiB$/);
  const legend = page.getByRole('list', { name: 'Bar legend' });
  await expect(legend).toContainText(new RegExp(`2 services without a limit can take ${await unlimited.textContent()} at high usage, more than the \\d+ MiB the limits and reserve leave`));
  await expect(legend).not.toContainText('limits exceed RAM');
});

test('a chosen file replaces the plan with its services', async ({ planner, importer }) => {
  await planner.open();
  await importer.open();
  await importer.fileInput.setInputFiles({ name: 'docker-compose.yml', mimeType: 'application/yaml', buffer: Buffer.from(SELFHOSTED) });
  await expect(importer.status).toHaveText(/Recognised 4 services/);
  expect(await importer.kinds()).toEqual([
    ['web', 'generic'],
    ['worker', 'node'],
    ['postgres', 'postgres'],
    ['redis', 'redis'],
  ]);
  await importer.confirmButton.click();
  expect(await planner.table()).toEqual([
    ['web', '1.5GiB'],
    ['worker', '512MiB'],
    ['postgres', '1GiB'],
    ['redis', '256MiB'],
  ]);
  await expect(planner.notices.last()).toContainText('Imported docker-compose.yml: 4 services');
});

test('a dropped file is read like a chosen one', async ({ planner, importer }) => {
  await planner.open();
  await importer.open();
  await importer.drop('selfhosted.yml', SELFHOSTED);
  await expect(importer.status).toHaveText(/Recognised 4 services/);
  await expect(importer.kind('web')).toHaveText('generic');
});

test('broken YAML shows line and column and keeps the plan', async ({ planner, importer }) => {
  await planner.open();
  await importer.open();
  await importer.paste(BROKEN);
  await expect(importer.status).toContainText('The current plan is unchanged');
  await expect(importer.issues.first()).toHaveText(/line \d+, column \d+: /);
  await expect(importer.confirmButton).toBeDisabled();
  await importer.screenshot('import-broken-light');
  await importer.cancelButton.click();
  await expect(importer.dialog).toBeHidden();
  expect(await planner.table()).toEqual(SEED_TABLE);
  await expect(planner.undoButton).toBeDisabled();
});

test('a plan file or other YAML is not taken for a compose file', async ({ planner, importer }) => {
  await planner.open();
  await importer.open();
  await importer.paste('host:\n  ram: 4GiB\nservices:\n  - name: db\n    kind: postgres\n');
  await expect(importer.status).toContainText('looks like a Headroom plan file');
  await expect(importer.confirmButton).toBeDisabled();
});

test('cancel and Escape keep the plan', async ({ planner, importer, page }) => {
  await planner.open();
  await importer.open();
  await importer.paste(SELFHOSTED);
  await expect(importer.row('web')).toBeVisible();
  await importer.cancelButton.click();
  await expect(importer.dialog).toBeHidden();
  expect(await planner.table()).toEqual(SEED_TABLE);
  await importer.open();
  await importer.paste(SELFHOSTED);
  await page.keyboard.press('Escape');
  await expect(importer.dialog).toBeHidden();
  expect(await planner.table()).toEqual(SEED_TABLE);
  await expect(planner.undoButton).toBeDisabled();
});

test('Ctrl+Z in the dialog edits its text, not the plan behind it', async ({ planner, importer, page }) => {
  await planner.open();
  await planner.setLimit('grafana', '1g');
  await importer.open();
  await importer.composeText.pressSequentially('services:');
  await page.keyboard.press('Control+z');
  await importer.cancelButton.click();
  await expect(planner.limit('grafana')).toHaveValue('1g');
});

test('docker stats beside the compose file show observed usage and the limit planned from it', async ({ planner, importer }) => {
  await planner.open();
  await importer.open();
  await importer.paste(SEED);
  await importer.statsText.fill(STATS);
  await expect(importer.statsStatus).toHaveText('Observed usage for 5 services.');
  // container_name (fastapi-backend, redis-cache) matches the services.
  await expect(importer.observed('fastapi')).toHaveText('310 MiB / 310 MiB');
  await expect(importer.observed('postgres')).toHaveText('421 MiB / 421 MiB');
  // krr's rule, peak × 1.15 = 356.5 MiB, but never below the model's high for what one snapshot
  // did not see (issue 12, src/engine/observed.ts): 559 MiB, the model's high.
  await expect(importer.dialog.getByTestId('observed-row-fastapi')).toContainText('318–395–559 MiB');
  await expect(importer.dialog.getByTestId('observed-row-fastapi')).toContainText(/500 MiB\s*559 MiB$/);
  await importer.dialog.getByRole('region', { name: 'Observed usage beside the model' }).scrollIntoViewIfNeeded();
  await importer.screenshot('import-stats-light');
  await importer.confirmButton.click();
  await expect(planner.notices.last()).toContainText('with observed usage');
});

test('docker stats alone add observed usage to the current plan, as one undo step', async ({ planner, importer }) => {
  await planner.open();
  await importer.open();
  await importer.statsText.fill('CONTAINER ID   NAME       CPU %     MEM USAGE / LIMIT   MEM %\n0123456789ab   postgres   1.2%      245.3MiB / 800MiB   30.66%\nabcdef012345   myapp-redis-1   0.4%   88MiB / 300MiB   29.3%\n');
  await expect(importer.statsStatus).toHaveText('Observed usage for 2 services.');
  await expect(importer.observed('redis')).toHaveText('88 MiB / 88 MiB');
  await expect(importer.confirmButton).toHaveText('Add the observed usage to the plan');
  await importer.confirmButton.click();
  await expect(planner.notices.last()).toContainText('Added observed usage from docker stats to 2 services');
  // The table shows what was seen beside the model's range; undo takes it away again.
  await expect(planner.page.getByTestId('observed-postgres')).toHaveText(/seen .*peak 245/);
  await expect(planner.undoButton).toBeEnabled();
  await planner.undoButton.click();
  await expect(planner.page.getByTestId('observed-postgres')).toHaveCount(0);
});

test('docker stats that do not read say which line', async ({ planner, importer }) => {
  await planner.open();
  await importer.open();
  await importer.statsText.fill('NAME  MEM USAGE / LIMIT\npostgres  lots\n');
  await expect(importer.dialog.getByTestId('stats-issue').first()).toHaveText(/line 2: /);
  await expect(importer.confirmButton).toBeDisabled();
});

test('a 3.4 MiB compose file is read off the main thread; over the 4 MiB input cap is refused', async ({ planner, importer, page }) => {
  // Its work is a 3.4 MiB parse, just under the input policy's 4 MiB cap
  // (src/formats/input-limits.ts), in the browser's worker on a busy 2-core machine, and the page
  // making 8 MiB of files: a tripled budget for this test alone.
  test.slow();
  await planner.open();
  await importer.open();
  // The file is made in the page, so that handing it over is not part of what is timed: 3.4 MiB
  // in 3,400 long labels.
  const file = await page.evaluateHandle(() => {
    const labels = Array.from({ length: 3_400 }, (_, i) => `      - com.example.label-${i}=${'v'.repeat(1020)}`).join('\n');
    const text = `services:\n  app:\n    image: nginx:1.27\n    mem_limit: 256m\n    labels:\n${labels}\n  cache:\n    image: redis:7\n    mem_limit: 128m\n`;
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'big.yml', { type: 'application/yaml' }));
    return dt;
  });
  await planner.watchLongTasks();
  await importer.dropZone.dispatchEvent('drop', { dataTransfer: file });
  await expect(importer.dialog.getByTestId('import-file')).toContainText(/big\.yml.*\(3 MiB\)/);
  await expect(importer.status).toHaveText('Reading the compose file…');
  await expect(importer.status).toHaveText(/Recognised 2 services/, { timeout: 20_000 });
  // The parse runs in the worker: no task held the main thread for long. The line is 1 s: the
  // page's own longest task measured 261-439 ms of wall time at load average 18-30 on this 2-core
  // machine with a 10 MiB file (before the 4 MiB cap); a parse on the main thread shows as one task
  // of seconds.
  expect(await planner.longestTask()).toBeLessThan(1000);

  // 5 MiB made in the page and handed to the file chooser there: sending it over Playwright's
  // pipe (base64) took longer than the check itself, which reads only the file's size.
  await importer.fileInput.evaluate((input: HTMLInputElement) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(5 * 1024 * 1024)], 'huge.yml', { type: 'application/yaml' }));
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await expect(importer.refusal).toHaveText('huge.yml is 5 MiB: the import reads at most 4 MiB. Nothing was read.');
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe: the open dialog has no serious or critical violations (${scheme})`, async ({ planner, importer, page }) => {
    // Two whole-dialog axe scans (~10 s each on this 2-core machine under load, like the per-tab scans).
    test.slow();
    await page.emulateMedia({ colorScheme: scheme });
    await planner.open();
    await importer.open();
    await importer.paste(SEED);
    await importer.statsText.fill(STATS);
    await expect(importer.statsStatus).toHaveText(/Observed usage/);
    const { violations } = await new AxeBuilder({ page }).include('dialog').analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    await importer.screenshot(`import-dialog-${scheme}`);
    await importer.paste(BROKEN, /not read/);
    const broken = await new AxeBuilder({ page }).include('dialog').analyze();
    expect(broken.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join(', ')})`)).toEqual([]);
    if (scheme === 'dark') await importer.screenshot('import-broken-dark');
  });
}
