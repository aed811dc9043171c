/** The export tab: every file previewed, copied, downloaded one by one and as a zip; tuned values and their refusals. */
import AxeBuilder from '@axe-core/playwright';
import { parse } from 'yaml';
import { test as base, expect } from './fixtures.ts';
import { ExportPage } from './pages/export.ts';
import { ImportDialogPage } from './pages/importDialog.ts';
import { EvidencePage } from './pages/evidence.ts';

const test = base.extend<{ exporter: ExportPage }>({
  exporter: async ({ page }, use) => {
    await use(new ExportPage(page));
  },
});

/** The 4gb preset's limits (the seed's table), in Docker's notation. */
const LIMITS: Record<string, string> = { fastapi: '500m', postgres: '800m', redis: '300m', prometheus: '200m', grafana: '150m' };

test('previews docker-compose-4gb.yml with each service’s limit, and every config', async ({ exporter }) => {
  await exporter.open();
  expect(await exporter.paths()).toEqual(['docker-compose-4gb.yml', 'postgresql.conf', 'redis.conf', 'prometheus.yml', 'alerts.yml', 'alerts.test.yml', 'RUNBOOK.md']);
  await expect(exporter.preview).toHaveAttribute('data-path', 'docker-compose-4gb.yml');
  const compose = parse((await exporter.preview.textContent())!);
  for (const [name, limit] of Object.entries(LIMITS)) {
    expect(compose.services[name].mem_limit, name).toBe(limit);
    expect(compose.services[name].deploy.resources.limits.memory, name).toBe(limit);
  }
  expect(await exporter.show('redis.conf')).toMatch(/^maxmemory \d+/m);
});

test('after an import the compose file is the user’s own, edited (as `headroom export docker-compose.yml`), until a preset replaces the plan', async ({ exporter, page }) => {
  const importer = new ImportDialogPage(page);
  const text = ['services:', '  search:', '    image: elasticsearch:8.15.0 # pinned', '    environment:', '      - discovery.type=single-node', '      - ES_JAVA_OPTS=-Xms512m -Xmx512m', '  db:', '    image: postgres:16', '    mem_limit: 512m', ''].join('\n');
  await exporter.planner.open();
  await importer.open();
  await importer.fileInput.setInputFiles({ name: 'docker-compose.yml', mimeType: 'application/yaml', buffer: Buffer.from(text) });
  await expect(importer.status).toHaveText(/Recognised 2 services/);
  await importer.confirmButton.click();
  await exporter.planner.setLimit('db', '768m');
  await exporter.planner.openTab('Export');
  await expect(page.locator('.export-intro')).toContainText('The compose file you imported (docker-compose.yml)');
  // The export follows the settled plan (a moment after the last key).
  await expect(exporter.preview).toContainText('mem_limit: 768m');
  const compose = await exporter.show('docker-compose-4gb.yml');
  // What the plan does not model is kept, byte for byte: the pinned image and its comment, the environment.
  expect(compose).toContain('image: elasticsearch:8.15.0 # pinned');
  expect(compose).toContain('discovery.type=single-node');
  expect(parse(compose).services.db.mem_limit).toBe('768m');
  const edits = page.getByTestId('export-edits');
  await expect(edits).toContainText('1 line of changes to docker-compose.yml');
  await edits.locator('summary').click();
  await expect(edits).toContainText('changed services.db.mem_limit: 512m → 768m');
  // Swarm is written from the plan: the tab says what it does not carry over from the user's file.
  await page.getByRole('radio', { name: 'Docker Swarm' }).check();
  await expect(page.getByTestId('export-from-plan')).toContainText('The Swarm stack file is written from the plan, not from docker-compose.yml');
  await expect(page.locator('.export-intro')).not.toContainText('The compose file you imported');
  await expect(page.getByTestId('export-edits')).toHaveCount(0);
  await page.getByRole('radio', { name: 'Docker Compose' }).check();
  await expect(page.getByTestId('export-from-plan')).toHaveCount(0);
  // Evidence added to the imported plan keeps its file: the export still edits it.
  const MIB = 1_048_576;
  await new EvidencePage(page).add('observe.json', JSON.stringify({
    format: 'headroom-evidence', version: 1, source: 'observe', collectedAt: '2026-12-02T05:30:00Z', durationSeconds: 600, intervalSeconds: 5, host: null,
    services: [{ service: 'db', containers: ['shop-db-1'], samples: Array.from({ length: 120 }, (_, i) => [1_764_650_000 + i * 5, (150 + (i % 40)) * MIB]), limitBytes: null, peakBytes: null, anonBytes: null, fileBytes: null, oomKills: [], restarts: 0 }],
  }));
  await expect(exporter.planner.notices.last()).toContainText('Evidence from observe.json');
  await expect(page.getByTestId('export-edits')).toBeVisible();
  await expect(exporter.preview).toContainText('discovery.type=single-node');
  // A preset is not that file: the export writes its own again.
  await exporter.planner.loadPreset('4gb');
  await exporter.planner.openTab('Export');
  await expect(page.getByTestId('export-edits')).toHaveCount(0);
  expect(await exporter.show('docker-compose-4gb.yml')).not.toContain('discovery.type');
  // Undo brings back the imported plan, and its file.
  await exporter.planner.undoButton.click();
  await expect(page.getByTestId('export-edits')).toBeVisible();
});

test('“Runs on” Kubernetes or Docker Swarm previews that stack file in place of the compose file (issue 14)', async ({ exporter, page }) => {
  await exporter.open();
  await page.getByRole('radio', { name: 'Kubernetes' }).check();
  await expect(exporter.preview).toHaveAttribute('data-path', 'kubernetes-4gb.yaml');
  expect(await exporter.paths()).toEqual(['kubernetes-4gb.yaml', 'postgresql.conf', 'redis.conf', 'prometheus.yml', 'alerts.yml', 'alerts.test.yml', 'RUNBOOK.md']);
  expect(await exporter.preview.textContent()).toContain('kind: StatefulSet');
  await page.getByRole('radio', { name: 'Docker Swarm' }).check();
  await expect(exporter.preview).toHaveAttribute('data-path', 'docker-stack-4gb.yml');
  const stack = parse((await exporter.preview.textContent())!);
  expect(stack.services.postgres.deploy.resources.limits.memory).toBe(LIMITS.postgres);
  expect(stack.services.postgres.mem_limit).toBeUndefined();
  await page.getByRole('radio', { name: 'Docker Compose' }).check();
  await expect(exporter.preview).toHaveAttribute('data-path', 'docker-compose-4gb.yml');
});

test('download all gives a zip whose entries are the previews; download one gives that file', async ({ exporter }) => {
  await exporter.open();
  const previews = await exporter.previews();
  const zip = await exporter.downloadAll();
  expect(zip.name).toBe('headroom-4gb.zip');
  expect(Object.keys(zip.entries).sort()).toEqual(Object.keys(previews).sort());
  for (const [path, text] of Object.entries(previews)) expect(zip.entries[path], path).toBe(text);
  await expect(exporter.status).toHaveText('Saved headroom-4gb.zip: 7 files.');
  const one = await exporter.downloadOne('postgresql.conf');
  expect(one).toEqual({ name: 'postgresql.conf', text: previews['postgresql.conf'] });
});

test('copy puts the file on the clipboard', async ({ exporter, page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await exporter.open();
  const text = await exporter.show('redis.conf');
  await page.getByRole('button', { name: 'Copy redis.conf', exact: true }).click();
  await expect(exporter.status).toHaveText('Copied redis.conf to the clipboard.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);
});

test('tuned values change postgresql.conf, and the zip follows', async ({ exporter }) => {
  await exporter.open();
  const plain = await exporter.show('postgresql.conf');
  await exporter.tuned.check();
  await expect(exporter.preview).not.toHaveText(plain);
  const tuned = (await exporter.preview.textContent())!;
  const setting = (conf: string, key: string) => conf.match(new RegExp(`^${key} = (.+)$`, 'm'))?.[1];
  expect(setting(tuned, 'max_connections')).toBeDefined();
  expect(['shared_buffers', 'work_mem', 'max_connections', 'maintenance_work_mem'].some((k) => setting(tuned, k) !== setting(plain, k))).toBe(true);
  const zip = await exporter.downloadAll();
  expect(zip.entries['postgresql.conf']).toBe(tuned);
  await exporter.tuned.uncheck();
  await expect(exporter.preview).toHaveText(plain);
});

test('a limit no tuned setting fits is named with the smallest that does, and one click sets it', async ({ exporter }) => {
  await exporter.planner.open();
  await exporter.planner.setLimit('postgres', '60m');
  await exporter.planner.openTab('Export');
  await expect(exporter.preview).toBeVisible();
  await exporter.tuned.check();
  await expect(exporter.refused).toBeVisible();
  await expect(exporter.refused).toContainText(/postgres: its 60 MiB limit is too small for any tuned settings; the smallest limit that fits is [\d.]+ (MiB|GiB)\./);
  await expect(exporter.downloadAllButton).toBeDisabled();
  await exporter.screenshot('export-refused-light');
  await exporter.refused.getByRole('button', { name: /^Set the PostgreSQL memory limit to \d/ }).click();
  await expect(exporter.refused).toHaveCount(0);
  await expect(exporter.preview).toBeVisible();
  // The button is gone with the refusal: the focus is on the tab's heading, not on the page's body.
  await expect(exporter.page.getByRole('heading', { name: 'Export', exact: true })).toBeFocused();
  await expect(exporter.page.locator('body')).not.toContainText('NaN');
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe finds no serious violation and the tab is drawn (${scheme})`, async ({ exporter, page }) => {
    // Two axe scans (~9 s each on this 2-core machine at load 6, measured; more when it is busy).
    test.slow();
    await page.emulateMedia({ colorScheme: scheme });
    await exporter.open();
    const { violations } = await new AxeBuilder({ page }).analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    await exporter.screenshot(`export-${scheme}`);
    await exporter.tuned.check();
    await expect(exporter.preview).toBeVisible();
    // Only the tab's panel changed: the second scan covers it.
    const tuned = await new AxeBuilder({ page }).include('[role="tabpanel"]').analyze();
    expect(tuned.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  });
}
