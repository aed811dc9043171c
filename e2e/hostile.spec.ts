/**
 * The page never throws on hostile input (issue 17): plan files uploaded, compose files chosen in
 * the import dialog and share links opened, each built to break a parser (billion laughs, an
 * unresolved alias, 100,000 nested `[`, 5 MiB, `__proto__` keys, bidi names, NaN and 1e309
 * sizes, an inflate bomb, a truncated link, a future version, a 1 MB link). For each: a visible
 * notice or problem naming the field (or the bound crossed, for a file refused as a whole), the
 * plan shown before still shown, and not one uncaught page error or console error.
 */
import { deflateSync, strToU8 } from 'fflate';
import type { ConsoleMessage, Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { ImportDialogPage } from './pages/importDialog.ts';
import { base64urlEncode } from '../src/app/state/share.ts';
import { PLAN_VERSION } from '../src/engine/plan-schema.ts';
import { aliasBombCompose, billionLaughs, nestedBrackets } from '../test/hostile-inputs.ts';

/** Every uncaught error and console error the page reports, from now on. */
function errorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('crash', () => errors.push('the page crashed'));
  return errors;
}

/**
 * Hands the page's file input a file made in the page: `fill` MiB of `[`, or bigListPlan's
 * text for `list` items. Sending megabytes over Playwright's pipe costs more than the check, and
 * its setInputFiles builds the file on the page's main thread (measured: one 6.7 s task for the
 * 2 MB list at load average 36), which would hide what the page itself does.
 */
async function chooseMadeInPage(page: Page, label: string, name: string, made: { fill: number } | { list: number }) {
  await page.getByLabel(label).evaluate(
    (input: HTMLInputElement, [n, m]) => {
      const body = 'fill' in m ? new Uint8Array(m.fill * 1024 * 1024).fill(0x5b) : `host: {ram: 4GiB}\nservices:\n  - {name: db, kind: postgres, limit: 512MiB}\nx: [${new Array(m.list).fill('1').join(',')}]\n`;
      const dt = new DataTransfer();
      dt.items.add(new File([body], n, { type: 'application/yaml' }));
      (window as unknown as { longest: number }).longest = 0;
      input.files = dt.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    [name, made] as const,
  );
}

const RLO = '\u202e';
const plan = (services: string) => `host: {ram: 4GiB}\nservices:\n${services}`;

/** Hostile plan files: [file name, text, what the notice says after "NAME was not loaded: "]. */
const PLAN_FILES: Array<[string, string, string | RegExp]> = [
  ['laughs.yaml', billionLaughs(), 'its aliases (*name) expand to more than 200,000 nodes'],
  ['unresolved.yaml', plan('  - {name: db, kind: postgres, limit: *nope}\n'), 'line 3, column 39: the alias *nope names no anchor set before it'],
  ['nested.yaml', nestedBrackets(100_000), 'nested more than 64 levels deep'],
  ['proto.yaml', plan('  - name: db\n    kind: postgres\n    limit: 1GiB\n    settings: {__proto__: {maxConnections: 5}}\n'), 'services[0].settings.__proto__: unknown key'],
  ['proto.json', '{"__proto__": {"ram": "64GiB"}, "host": {"ram": "4GiB"}, "services": []}', '__proto__: unknown key'],
  [`bidi${RLO}lmay.yaml`, plan(`  - {name: "db${RLO}evil", kind: postgres, limit: 1GiB}\n`), 'services[0].name: expected letters, digits'],
  ['nan.yaml', plan('  - {name: db, kind: postgres, limit: .nan}\n'), 'services[0].limit: expected a size'],
  ['inf.yaml', 'host: {ram: 1e309}\nservices:\n  - {name: db, kind: postgres, limit: 1GiB}\n', 'host.ram: expected a size'],
];

test('hostile plan files uploaded: each a notice naming the field, the plan kept, no page error', async ({ planner, page }) => {
  test.slow(); // eleven uploads, one of them a 2 MB file parsed (and refused) in the worker
  const errors = errorsOf(page);
  await planner.open();
  await planner.setLimit('grafana', '384MiB');
  const before = await planner.table();
  await planner.watchLongTasks();
  for (const [name, text, said] of PLAN_FILES) {
    await page.getByLabel('Plan file to upload').setInputFiles({ name, mimeType: 'application/yaml', buffer: Buffer.from(text) });
    const notice = planner.notices.last();
    await expect(notice, name).toContainText(`${name.replace(RLO, '\\u{202e}')} was not loaded: `);
    await expect(notice, name).toContainText(said);
    expect(await planner.table(), name).toEqual(before);
  }
  // issue 17's one-million-item list (2 MB, bigListPlan), made in the page: the worker refuses it
  // by the token count while no task holds the page for long (a parse on the main thread shows as
  // one task of seconds; the line is the import spec's, 1 s, whose own longest task measured
  // 261-439 ms at load average 18-30 on this 2-core machine).
  await chooseMadeInPage(page, 'Plan file to upload', 'list.yaml', { list: 1_000_000 });
  await expect(planner.notices.last()).toContainText('list.yaml was not loaded: expected at most 200,000 YAML nodes', { timeout: 15_000 });
  expect(await planner.longestTask()).toBeLessThan(1000);
  expect(await planner.table()).toEqual(before);
  await chooseMadeInPage(page, 'Plan file to upload', 'big.yaml', { fill: 5 });
  await expect(planner.notices.last()).toContainText('big.yaml was not loaded: it is 5.0 MiB; a plan file is at most 4 MiB');
  expect(await planner.table()).toEqual(before);
  // No notice carries a bidi control: the file name's U+202E is shown as an escape.
  for (const text of await planner.notices.allTextContents()) expect(text).not.toContain(RLO);
  expect(errors).toEqual([]);
});

/** Hostile compose files: [file name, text, the first problem the dialog lists]. */
const COMPOSE_FILES: Array<[string, string, string | RegExp]> = [
  ['laughs.yml', `services:\n  db: {image: postgres:16}\n${billionLaughs('x-')}`, 'its aliases (*name) expand to more than 200,000 nodes'],
  ['alias-bomb.yml', aliasBombCompose(), 'expected at most 200,000 YAML nodes'],
  ['unresolved.yml', 'services:\n  db:\n    image: postgres:16\n    mem_limit: *nope\n', 'line 4, column 16: the alias *nope names no anchor set before it'],
  ['nested.yml', nestedBrackets(100_000), 'nested more than 64 levels deep'],
  ['proto.yml', 'services:\n  __proto__:\n    image: postgres:16\n    mem_limit: 3g\n', 'line 3, column 5: name: expected letters, digits'],
  ['bidi.yml', `services:\n  "db${RLO}evil":\n    image: postgres:16\n    mem_limit: 1g\n`, 'line 3, column 5: name: expected letters, digits'],
  ['nan.yml', 'services:\n  db:\n    image: postgres:16\n    mem_limit: .nan\n', 'line 4, column 16: expected a size ≥ 0 like 512m or 1g, got NaN'],
  ['inf.yml', 'services:\n  db:\n    image: postgres:16\n    mem_limit: 1e309\n', 'line 4, column 16: expected a size ≥ 0 like 512m or 1g, got Infinity'],
];

test('hostile compose files chosen in the import dialog: each refused with where, the plan kept, no page error', async ({ planner, page }) => {
  test.slow(); // nine files read in the worker, one of them 200 kB of aliases
  const errors = errorsOf(page);
  const importer = new ImportDialogPage(page);
  await planner.open();
  await planner.setLimit('grafana', '384MiB');
  const before = await planner.table();
  await importer.open();
  for (const [name, text, said] of COMPOSE_FILES) {
    await importer.fileInput.setInputFiles({ name, mimeType: 'application/yaml', buffer: Buffer.from(text) });
    await expect(importer.status, name).toHaveText(/not read/);
    await expect(importer.issues.first(), name).toContainText(said);
    await expect(importer.confirmButton, name).toBeDisabled();
  }
  // The bidi service name is shown escaped in the problem's path.
  for (const text of await importer.issues.allTextContents()) expect(text).not.toContain(RLO);
  await chooseMadeInPage(page, 'Compose file to import', 'huge.yml', { fill: 5 });
  await expect(importer.refusal).toHaveText('huge.yml is 5 MiB: the import reads at most 4 MiB. Nothing was read.');
  await importer.cancelButton.click();
  await expect(importer.dialog).toBeHidden();
  expect(await planner.table()).toEqual(before);
  expect(errors).toEqual([]);
});

const link = (json: string, level: 0 | 9 = 9) => base64urlEncode(deflateSync(strToU8(json), { level }));
const VALID = link(JSON.stringify({ host: { ram: '8GiB' }, services: [{ name: 'db', kind: 'postgres', limit: '1GiB' }] }));
/** Text no compressor shrinks much (a fixed pseudo-random walk, so every run gets the same link). */
function noise(n: number): string {
  let x = 0x9e3779b9;
  let out = '';
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out += String.fromCharCode(97 + ((x >>> 0) % 26));
  }
  return out;
}

/** Hostile share links: [what, the hash's plan parameter, what the notice says in its brackets]. */
const SHARE_LINKS: Array<[string, string, string]> = [
  // 64 MiB of spaces deflate to ~64 kB: the 1 GB bomb's shape at 1/16 the size; stopped at 4 MiB.
  ['inflate bomb', link(`{"x":"${' '.repeat(64 * 1024 * 1024)}"}`), 'the link holds more than 4 MiB of plan once unpacked'],
  ['truncated', VALID.slice(0, VALID.length >> 1), 'the link is cut short or damaged'],
  ['future version', link(JSON.stringify({ version: 99, host: { ram: '4GiB' }, services: [] })), `version: expected version ${PLAN_VERSION}`],
  // 256 kB of noise stored: a 340 kB link. A 1.3 MB one is Chromium's to carry, not ours: setting
  // location.hash to it took 41 s here (load average 36) before the page saw a hashchange.
  ['340 kB link', link(JSON.stringify({ host: { ram: '4GiB' }, services: [], notes: noise(256 * 1024) }), 0), 'notes: unknown key'],
  ['100,000 nested [', link(`{"host":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), "the link's plan: nested more than 64 levels deep"],
  ['__proto__', link('{"__proto__": {"ram": "64GiB"}, "host": {"ram": "4GiB"}, "services": []}'), '__proto__: unknown key'],
  ['1e309 size', link('{"host": {"ram": 1e309}, "services": []}'), 'host.ram: expected a size'],
  ['not base64', 'AAAA-not-a-plan!', 'the link contains characters a share link never has'],
];

test('hostile share links opened in an open page: each a notice saying why, the plan kept, no page error', async ({ planner, page }) => {
  test.slow(); // eight links, one of them inflated to 4 MiB (in the import's worker)
  const errors = errorsOf(page);
  await planner.open();
  await planner.setLimit('grafana', '384MiB');
  const before = await planner.table();
  for (const [what, param, said] of SHARE_LINKS) {
    // As a link pasted into the address bar of the open tab: a hashchange.
    await page.evaluate((p) => (window.location.hash = `plan=${p}`), param);
    // The bomb's 4 MiB (stopped there) took up to 4.2 s to inflate here at load average 36
    // (~0.3 s unloaded), now in the import's worker; this one wait still gets 15 s.
    await expect(planner.notices.last(), what).toContainText(`The share link could not be opened (${said}`, { timeout: 15_000 });
    expect(await planner.table(), what).toEqual(before);
  }
  expect(errors).toEqual([]);
});

test('a share link is unpacked off the page\'s thread: the inflate bomb holds no task of the page for long', async ({ planner, page }) => {
  const errors = errorsOf(page);
  await planner.open();
  const before = await planner.table();
  await planner.watchLongTasks();
  // The bomb is stopped at the 4 MiB cap, which took up to 4.2 s on the page's thread at load
  // average 36 before issue 17's worker: the import worker inflates it now, and the page's
  // longest task stays under the import spec's line of 1 s.
  const bomb = SHARE_LINKS.find(([w]) => w === 'inflate bomb')![1];
  await page.evaluate((p) => (window.location.hash = `plan=${p}`), bomb);
  await expect(planner.notices.last()).toContainText('The share link could not be opened (the link holds more than 4 MiB of plan once unpacked', { timeout: 15_000 });
  expect(await planner.longestTask()).toBeLessThan(1000);
  expect(await planner.table()).toEqual(before);
  expect(errors).toEqual([]);
});

for (const [what, param, said] of SHARE_LINKS.filter(([w]) => w === 'inflate bomb' || w === '100,000 nested [')) {
  test(`a page opened on a hostile share link (${what}) shows the preset and says why, with no page error`, async ({ planner, page }) => {
    const errors = errorsOf(page);
    await planner.open(`/#plan=${param}`);
    await expect(planner.notices.last()).toContainText(`The share link could not be opened (${said}`);
    expect((await planner.table()).length).toBe(5); // the seed's preset
    expect(errors).toEqual([]);
  });
}
