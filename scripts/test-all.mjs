#!/usr/bin/env node
// Runs every check CI runs, in order, and ends with one line: `N passed, M failed`.
// Steps: typecheck, lint, build (app + CLI), unit and real-tool tests (vitest), browser tests
// (Playwright), and beside the unit tests the tests with a real Docker engine (vitest.docker.config.ts:
// the toolkit, observe, swarm and the short deployment test of the exported 4gb stack, in two
// lanes; mostly waiting on containers, so it runs in the background from the end of the build; it is
// counted, its output printed, before the browser tests start, which must not see its network changes). Each static step counts as one test;
// vitest and Playwright report their own counts.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const bin = (name) => `./node_modules/.bin/${name}`;
mkdirSync('test-results', { recursive: true });
let passed = 0;
let failed = 0;
const failures = [];

function run(label, cmd, args) {
  process.stdout.write(`\n=== ${label}: ${[cmd, ...args].join(' ')}\n`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  process.stdout.write(`=== ${label}: exit ${r.status ?? r.signal} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return r.status === 0;
}

function step(label, cmd, args) {
  if (run(label, cmd, args)) passed++;
  else {
    failed++;
    failures.push(label);
  }
}

function countReport(label, ok, jsonFile, count) {
  if (!existsSync(jsonFile)) {
    failed++;
    failures.push(`${label} (no report: the runner did not finish)`);
    return;
  }
  const [p, f] = count(JSON.parse(readFileSync(jsonFile, 'utf8')));
  passed += p;
  failed += f;
  if (f > 0 || !ok) failures.push(`${label} (${f} failed)`);
  if (!ok && f === 0) {
    failed++;
  }
}

function counted(label, cmd, args, jsonFile, count) {
  rmSync(jsonFile, { force: true });
  countReport(label, run(label, cmd, args), jsonFile, count);
}

/**
 * A step started now and counted later (its output kept in a log and printed when it is
 * counted). For the Docker step: it spends most of its minutes waiting on containers (about one
 * minute of CPU in ten, measured before its files ran in two lanes), so it runs beside the unit
 * and browser tests.
 */
function background(label, cmd, args, jsonFile, logFile) {
  rmSync(jsonFile, { force: true });
  process.stdout.write(`\n=== ${label}: ${[cmd, ...args].join(' ')} (in the background, log ${logFile})\n`);
  const t0 = Date.now();
  const out = openSync(logFile, 'w');
  const child = spawn(cmd, args, { stdio: ['ignore', out, out], env: process.env });
  closeSync(out);
  const done = new Promise((resolve) => {
    child.on('error', () => resolve(null));
    child.on('exit', (code, signal) => resolve(code ?? signal));
  });
  return async (count) => {
    const status = await done;
    process.stdout.write(`\n=== ${label} (log ${logFile}):\n${readFileSync(logFile, 'utf8')}`);
    process.stdout.write(`=== ${label}: exit ${status} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    countReport(label, status === 0, jsonFile, count);
  };
}

// The Docker tests' image archive (mmdebstrap, minutes on a cold machine) is made in the
// background from the start, while the steps before them run; they wait for it if it is not done.
// Only where those tests can run (root, mmdebstrap installed); they report anything missing.
let prebuild = null;
if (process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v mmdebstrap'], { stdio: 'ignore' }).status === 0) {
  const out = openSync('test-results/docker-images.log', 'w');
  prebuild = spawn(bin('tsx'), ['test/docker/prebuild.ts'], { stdio: ['ignore', out, out], env: process.env });
  closeSync(out);
  prebuild.on('error', () => {});
  process.stdout.write(`\n=== docker images: made in the background (pid ${prebuild.pid}, log test-results/docker-images.log)\n`);
}

step('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
step('lint', bin('eslint'), ['.', '--max-warnings=0']);
const built = run('build', 'npm', ['run', '--silent', 'build']);
if (built) passed++;
else {
  failed++;
  failures.push('build');
}

const vitestCount = (j) => [j.numPassedTests ?? 0, (j.numFailedTests ?? 0) + (j.numRuntimeErrorTests ?? 0)];
const docker = built
  ? background('docker', bin('vitest'), ['run', '--config', 'vitest.docker.config.ts', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/docker.json'], 'test-results/docker.json', 'test-results/docker.log')
  : null;

// Vitest's default is one worker fewer than the cores: one worker on this project's 2-core machine,
// where the unit files then ran one at a time (635.9 s in CI on 45d73c9). Two workers, measured
// 2026-12-03 on the same machine with nothing beside them: 353 s, the same 2084 tests passing; in
// CI on a clean clone, beside the Docker step: 520 s, and the whole run 18 min 41 s against
// 20 min 38 s (the Docker step 417 s against 357 s). The browser tests wait for the Docker step (below).
// The real-tool tests take free ports and their own temp dirs, so two files can run at once.
const unitWorkers = Math.max(2, availableParallelism() - 1);
counted('unit', bin('vitest'), ['run', `--maxWorkers=${unitWorkers}`, '--reporter=default', '--reporter=json', '--outputFile.json=test-results/unit.json'], 'test-results/unit.json', vitestCount);

// The browser tests start once the Docker step is done: its engine makes and removes bridges,
// veths and Swarm's ingress network, and Chromium aborts the loads in flight when an interface
// changes (net::ERR_NETWORK_CHANGED: CI14b on 24a2b48 failed a hostile-link test with 21 of them,
// the unit files having ended in 263 s while the Docker step ran 347 s). Waiting costs the gap
// between the two, 0–90 s measured.
if (docker) await docker(vitestCount);

if (built && existsSync('playwright.config.ts')) {
  counted('e2e', bin('playwright'), ['test'], 'test-results/e2e.json', (j) => {
    const s = j.stats ?? {};
    return [(s.expected ?? 0) + (s.flaky ?? 0), (s.unexpected ?? 0)];
  });
}

// A build still running (the Docker step did not run): stopped, and waited for.
if (prebuild && prebuild.exitCode === null && prebuild.signalCode === null) {
  prebuild.kill('SIGTERM');
  await new Promise((r) => prebuild.once('exit', r));
}

if (failures.length) process.stdout.write(`\nfailed: ${failures.join('; ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
