#!/usr/bin/env node
// The planner page's two budgets (issues 3 and 16):
//   1. first-load JavaScript: every script the browser has fetched by the time the first numbers
//      (the host's total) are painted, gzipped (≤ 100 kB): the entry and its preloads, and what the
//      boot loads before it renders (the engine's chunk, the opening plan's kinds). The entry alone
//      is printed too, but it is not the budgeted figure: moving code the numbers need behind a
//      dynamic import must not make the first load look smaller;
//   2. keystroke → updated numbers painted in a limit cell, over ≥ 100 edits, in headless
//      Chromium: on the 4gb preset p50 ≤ 8 ms and p95 ≤ 16 ms, on a 100-service plan p95 ≤ 50 ms.
// Builds the app (unless --no-build; --load-only skips the keystroke cases), starts its own `vite preview` on a port the OS says is free
// (two runs on one machine never share a server), and stops it at the end.
//
// Latency method: each keystroke's `keydown` timeStamp is the start; a MutationObserver on the host
// total notices React's commit; a requestAnimationFrame callback (the frame that will show it) then
// posts a user-blocking task that runs once that frame has painted, and its time is the end.
// Chromium runs with --disable-gpu-vsync --disable-frame-rate-limit, so a frame is produced as soon
// as the page has one instead of at the next 60 Hz tick: what is measured is the page's work, not
// where in the display's cycle the key happened to land (that wait adds 0–16.7 ms on a real screen).
// The flip side: anything animating would be redrawn flat out and starve the page, so the page
// must not animate while typing (it does not). Timings are wall clock: on a shared machine other
// processes show in them, so the load average is printed beside them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { chromium } from '@playwright/test';

const DIST = 'dist/app';
const EDITS = Number(process.env.BENCH_UI_EDITS ?? 120);
const WARMUP = 20;
const TYPING_MS = 100;
const BUDGET = { firstLoadKB: 100, preset: { p50: 8, p95: 16 }, large: { p95: 50 } };
const STORAGE_KEY = 'headroom:plan:v1';

function build() {
  const r = spawnSync('./node_modules/.bin/vite', ['build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build failed');
}

/** JS the browser fetches before the page can run: the entry module and its modulepreloads. */
function firstLoad() {
  const html = readFileSync(`${DIST}/index.html`, 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\/?([^"]+\.js)"/g)].map((m) => m[1]);
  const sized = files.map((f) => {
    const raw = readFileSync(`${DIST}/${f}`);
    return { file: f, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  });
  return { files: sized, gzip: sized.reduce((s, f) => s + f.gzip, 0) };
}

const kB = (bytes) => (bytes / 1000).toFixed(1);

/**
 * JS the browser has fetched when the host's numbers are painted (the budgeted figure): the entry,
 * its preloads, and everything the boot loads before it renders (the engine's chunk, the opening
 * plan's kinds), with nothing stored (a first visit: the `4gb` preset).
 */
async function beforeNumbers(browser, base) {
  const context = await browser.newContext();
  // Once the frame that first shows the host's total has been painted (the first animation frame
  // after it is in the document, then a task after that frame), the scripts whose responses have
  // completed (resource timing) and the entry itself: what the numbers needed. Chunks requested
  // later (the table, the charts, the other kinds) are not in yet.
  await context.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (!document.querySelector('[data-testid="host-limits"]')) return;
      observer.disconnect();
      requestAnimationFrame(() =>
        setTimeout(() => {
          const urls = [...performance.getEntriesByType('resource').map((e) => e.name), ...[...document.querySelectorAll('script[src]')].map((s) => s.src)];
          window.__scripts = [...new Set(urls.map((u) => new URL(u).pathname).filter((p) => p.endsWith('.js')))];
        }, 0),
      );
    }).observe(document, { childList: true, subtree: true });
  });
  const page = await context.newPage();
  await page.goto(base);
  await page.waitForFunction(() => window.__scripts);
  const files = await page.evaluate(() => window.__scripts.map((p) => p.replace(/^\//, '')));
  await context.close();
  const sized = files.map((f) => ({ file: f, gzip: gzipSync(readFileSync(`${DIST}/${f}`), { level: 9 }).length }));
  return { files: sized, gzip: sized.reduce((s, f) => s + f.gzip, 0) };
}

/** A port nothing listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function serve() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/`;
  const server = spawn('./node_modules/.bin/vite', ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: ['ignore', 'pipe', 'pipe'] });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base)).ok) return { server, base };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error(`vite preview did not answer on ${base}`);
}

/** The 4gb preset with generic services added up to `count` (names and limits vary, all valid). */
function largePlan(count) {
  const services = [
    { name: 'fastapi', kind: 'fastapi', limit: '500MiB', settings: { workers: 3 } },
    { name: 'postgres', kind: 'postgres', limit: '800MiB', settings: { maxConnections: 50 } },
    { name: 'redis', kind: 'redis', limit: '300MiB', settings: { maxmemory: '256MiB' } },
    { name: 'prometheus', kind: 'prometheus', limit: '200MiB', settings: {} },
    { name: 'grafana', kind: 'grafana', limit: '150MiB', settings: {} },
  ];
  for (let i = services.length; i < count; i++) {
    const typical = 16 + ((i * 37) % 200);
    services.push({ name: `worker-${i}`, kind: 'generic', limit: `${typical * 2}MiB`, settings: { usage: { low: `${Math.round(typical / 2)}MiB`, typical: `${typical}MiB`, high: `${Math.round(typical * 1.6)}MiB` } } });
  }
  return { name: `bench-${count}`, host: { ram: '64GiB', reserve: 'auto', swap: 0 }, workload: { activeUsers: 1000, spike: 5 }, services };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Times `EDITS` keystrokes in the fastapi limit cell; returns the sorted latencies in ms. */
async function measure(browser, base, plan) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  if (plan) await context.addInitScript(([key, value]) => localStorage.setItem(key, value), [STORAGE_KEY, JSON.stringify({ version: 1, savedAt: new Date().toISOString(), plan })]);
  const page = await context.newPage();
  await page.goto(base);
  const cell = page.getByRole('textbox', { name: 'fastapi limit', exact: true });
  await cell.waitFor();
  await page.getByRole('figure').first().waitFor(); // charts loaded: measure the page as it stays
  await page.evaluate(() => {
    const w = window;
    w.__latencies = [];
    let start = null;
    const input = document.querySelector('input[aria-label="fastapi limit"]');
    input.addEventListener('keydown', (e) => (start = e.timeStamp), { capture: true });
    // A user-blocking task posted from the frame's rAF runs right after that frame, ahead of
    // React's own queued background work (a plain message would wait behind it).
    const afterFrame = (cb) => (globalThis.scheduler?.postTask ? globalThis.scheduler.postTask(cb, { priority: 'user-blocking' }) : setTimeout(cb, 0));
    new MutationObserver(() => {
      if (start === null) return;
      const s = start;
      start = null;
      requestAnimationFrame(() =>
        afterFrame(() => {
          w.__latencies.push(performance.now() - s);
          if (w.__waiter && w.__latencies.length >= w.__waiter.n) w.__waiter.resolve();
        }),
      );
    }).observe(document.querySelector('[data-testid="host-limits"]'), { characterData: true, childList: true, subtree: true });
  });
  await cell.fill('500'); // fill sends no keydown, so it is not timed
  await cell.press('End'); // focus stays in the cell; the keys below go straight to it
  // Backspace then a digit: 500 → 50 → 501 → 50 → 502 …; every key changes the host total.
  // Keys come at most every TYPING_MS, a fast typist's pace: work a keystroke leaves behind
  // (charts catching up) has that long before the next key, as it would with a person.
  for (let i = 0; i < WARMUP + EDITS; i++) {
    const key = i % 2 === 0 ? 'Backspace' : String((i >> 1) % 9 + 1);
    await page.keyboard.press(key);
    // Wait without polling: a requestAnimationFrame poll (waitForFunction's default) would keep
    // the page drawing frames and skew what is measured.
    await page.evaluate(
      ([n, ms]) =>
        new Promise((resolve) => {
          const done = () => setTimeout(resolve, ms);
          if (window.__latencies.length >= n) done();
          else window.__waiter = { n, resolve: done };
        }),
      [i + 1, TYPING_MS],
    );
  }
  const all = await page.evaluate(() => window.__latencies);
  await context.close();
  return all.slice(WARMUP).sort((a, b) => a - b);
}

const load1 = () => loadavg()[0].toFixed(1);

function summary(label, ms, budget, loadBefore) {
  const p50 = percentile(ms, 50);
  const p95 = percentile(ms, 95);
  const ok = p95 <= budget.p95 && (budget.p50 === undefined || p50 <= budget.p50);
  const limits = [budget.p50 !== undefined && `p50 ≤ ${budget.p50}`, `p95 ≤ ${budget.p95}`].filter(Boolean).join(', ');
  console.log(`${label.padEnd(28)} p50 ${p50.toFixed(1).padStart(5)} ms  p95 ${p95.toFixed(1).padStart(5)} ms  max ${ms[ms.length - 1].toFixed(1).padStart(5)} ms  (n=${ms.length}, budget ${limits} ms; load ${loadBefore} → ${load1()}) ${ok ? 'ok' : 'OVER'}`);
  return ok;
}

async function main() {
  if (!process.argv.includes('--no-build') || !existsSync(`${DIST}/index.html`)) build();
  const load = firstLoad();
  console.log('The entry and its preloads (gzip -9, 1 kB = 1000 bytes; not the budgeted figure, see below):');
  for (const f of load.files) console.log(`  ${f.file.padEnd(40)} ${kB(f.raw).padStart(7)} kB raw  ${kB(f.gzip).padStart(6)} kB gzip`);
  console.log(`  ${'total'.padEnd(40)} ${' '.repeat(15)} ${kB(load.gzip).padStart(6)} kB gzip`);

  const { server, base } = await serve();
  const system = '/usr/bin/chromium';
  const browser = await chromium.launch({
    ...(existsSync(system) ? { executablePath: system } : {}),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-gpu-vsync', '--disable-frame-rate-limit'],
  });
  let ok;
  try {
    const numbers = await beforeNumbers(browser, base);
    const later = numbers.files.filter((f) => !load.files.some((l) => l.file === f.file));
    ok = numbers.gzip / 1000 <= BUDGET.firstLoadKB;
    console.log('First-load JavaScript: every script fetched when the first numbers are painted (the entry and what the boot loads before it renders):');
    for (const f of later) console.log(`  + ${f.file.padEnd(38)} ${kB(f.gzip).padStart(6)} kB gzip`);
    console.log(`  ${'total'.padEnd(40)} ${kB(numbers.gzip).padStart(6)} kB gzip  (budget ≤ ${BUDGET.firstLoadKB} kB) ${ok ? 'ok' : 'OVER'}`);
    if (process.argv.includes('--load-only')) {
      if (!ok) process.exitCode = 1;
      return;
    }
    console.log(`Keystroke → numbers painted, fastapi limit cell, ${EDITS} edits after ${WARMUP} warm-up, keys ≥ ${TYPING_MS} ms apart (1-minute load average before → after each case, ${cpus().length} cores):`);
    let before = load1();
    ok = summary('4gb preset (5 services)', await measure(browser, base, null), BUDGET.preset, before) && ok;
    before = load1();
    ok = summary('100-service plan', await measure(browser, base, largePlan(100)), BUDGET.large, before) && ok;
  } finally {
    await browser.close();
    server.kill();
  }
  if (!ok) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
