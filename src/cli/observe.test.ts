/**
 * `headroom observe` without a Docker engine: its pure parts (working set from a stats answer on
 * cgroup v1 and v2, OOM kills from events and inspect, the project name as Compose derives it),
 * and the built bundle against a stand-in Engine API on a unix socket (a cgroup v2 host's answers,
 * shaped as in Docker's API reference: this machine's real engine is cgroup v1, which
 * test/docker/observe.test.ts covers), plus its errors: no socket, permission denied, no
 * containers, bad options. The real engine's test is test/docker/observe.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceTextParse } from '../formats/evidence/file.ts';
import { composeProjectOf, normalizeProjectName } from './compose-project.ts';
import type { ContainerTrack } from './observe-evidence.ts';
import { oomKillsOf, readingOf } from './observe-evidence.ts';
import { cliHarness } from './testing.ts';

const MiB = 1048576;

describe('working set from a stats answer (docker stats\' own arithmetic)', () => {
  it('v1: usage − total_inactive_file; anon/file from total_rss/total_cache; peak from max_usage', () => {
    const r = readingOf({ read: '2026-12-02T05:40:01.5Z', memory_stats: { usage: 300 * MiB, max_usage: 320 * MiB, limit: 512 * MiB, stats: { total_inactive_file: 40 * MiB, inactive_file: 1, total_rss: 200 * MiB, total_cache: 90 * MiB } } });
    expect(r).toEqual({ t: Date.parse('2026-12-02T05:40:01.5Z') / 1000, workingSet: 260 * MiB, usage: 300 * MiB, anon: 200 * MiB, file: 90 * MiB, peak: 320 * MiB });
  });
  it('v2: usage − inactive_file; anon/file; no peak', () => {
    const r = readingOf({ read: '2026-12-02T05:40:01Z', memory_stats: { usage: 300 * MiB, limit: 512 * MiB, stats: { inactive_file: 10 * MiB, anon: 250 * MiB, file: 30 * MiB } } });
    expect(r).toMatchObject({ workingSet: 290 * MiB, anon: 250 * MiB, file: 30 * MiB, peak: null });
  });
  it('usage itself when inactive_file is not below it; null for a stopped container', () => {
    expect(readingOf({ read: '2026-12-02T05:40:01Z', memory_stats: { usage: 5 * MiB, stats: { inactive_file: 9 * MiB } } })!.workingSet).toBe(5 * MiB);
    expect(readingOf({ read: '0001-01-01T00:00:00Z', memory_stats: {} })).toBeNull();
  });
});

const track = (over: Partial<ContainerTrack>): ContainerTrack => ({ id: 'c1', name: 'shop-web-1', service: 'web', limitBytes: 0, readings: [], restartsAtStart: 0, restartsAtEnd: 0, oomKilledAtEnd: false, finishedAt: null, ...over });
const ev = (Action: string, iso: string, id = 'c1') => ({ Type: 'container', Action, Actor: { ID: id, Attributes: {} }, time: Math.floor(Date.parse(iso) / 1000), timeNano: Date.parse(iso) * 1e6 });

describe('OOM kills from Docker\'s events and inspect', () => {
  it('oom events of one run less than a second apart are one kill; a die between them makes two', () => {
    const k = oomKillsOf([track({})], [ev('oom', '2026-12-02T05:00:00.100Z'), ev('oom', '2026-12-02T05:00:00.400Z'), ev('die', '2026-12-02T05:00:00.450Z'), ev('start', '2026-12-02T05:00:00.600Z'), ev('oom', '2026-12-02T05:00:00.900Z'), ev('oom', '2026-12-02T05:00:00.100Z', 'other')]);
    expect(k.get('web')).toEqual([{ at: '2026-12-02T05:00:00.100Z', container: 'shop-web-1' }, { at: '2026-12-02T05:00:00.900Z', container: 'shop-web-1' }]);
  });
  it('an OOMKilled state no event explains is a kill at FinishedAt (one before the window)', () => {
    const k = oomKillsOf([track({ oomKilledAtEnd: true, finishedAt: '2026-12-02T04:00:00.123456789Z' })], []);
    expect(k.get('web')).toEqual([{ at: '2026-12-02T04:00:00.123Z', container: 'shop-web-1' }]);
    const explained = oomKillsOf([track({ oomKilledAtEnd: true, finishedAt: '2026-12-02T05:00:00.200Z' })], [ev('oom', '2026-12-02T05:00:00.100Z')]);
    expect(explained.get('web')).toHaveLength(1);
  });
});

describe('the project name, as Compose derives it', () => {
  const h = cliHarness('observe-project');
  afterAll(() => rmSync(h.dir, { recursive: true, force: true }));
  const compose = 'services:\n  web:\n    image: nginx\n  db:\n    image: postgres\n';
  it('-p, then COMPOSE_PROJECT_NAME, then .env, then name:, then the folder', () => {
    const dir = join(h.dir, 'My_Shop.v2');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'compose.yaml');
    expect(composeProjectOf(compose, file, undefined, {})).toEqual({ name: 'my_shopv2', from: "the folder's name (My_Shop.v2)", alsoTry: ['myshopv2'], services: ['web', 'db'] });
    expect(composeProjectOf(`name: Named\n${compose}`, file, undefined, {}).name).toBe('named');
    writeFileSync(join(dir, '.env'), '# x\nCOMPOSE_PROJECT_NAME="fromenvfile"\n');
    expect(composeProjectOf(`name: Named\n${compose}`, file, undefined, {}).name).toBe('fromenvfile');
    expect(composeProjectOf(compose, file, undefined, { COMPOSE_PROJECT_NAME: 'FromEnv' }).name).toBe('fromenv');
    expect(composeProjectOf(compose, file, 'flag', { COMPOSE_PROJECT_NAME: 'FromEnv' })).toMatchObject({ name: 'flag', from: '-p' });
    expect(normalizeProjectName('_-Foo Bar')).toBe('foobar');
  });
  it('the compose file is parsed under the input policy (issue 17): an alias bomb or a bad alias is refused by its bound, with its name', () => {
    const bomb = `x-a: &a [${Array(1000).fill('1').join(', ')}]\nx-b: &b [${Array(300).fill('*a').join(', ')}]\nservices:\n  web: {image: nginx}\n`;
    expect(() => composeProjectOf(bomb, 'bomb.yml', undefined, {})).toThrow(/^error: bomb\.yml: \(file\): its aliases \(\*name\) expand to more than 200,000 nodes/);
    expect(() => composeProjectOf('services:\n  web: *nothing\n', 'alias.yml', undefined, {})).toThrow(/^error: alias\.yml: line 2, column 8: the alias \*nothing names no anchor set before it/);
  });
  it('a file without services: is refused with its name', () => {
    expect(() => composeProjectOf('x: 1\n', 'plan.yml', undefined, {})).toThrow(/plan\.yml: expected a docker-compose\.yml with a services: mapping/);
  });
});

/** A stand-in Engine API (cgroup v2 host): project "shop", web (2 replicas, one restarted) and db (OOM-killed once in the window). */
/** `onStats` is told of each stats request served (a test can act once the CLI has sampled). */
function fakeDocker(socket: string, onStats: () => void = () => {}): Promise<Server> {
  const now = () => new Date().toISOString();
  const containers = [
    { Id: 'w1', Names: ['/shop-web-1'], State: 'running', Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' } },
    { Id: 'w2', Names: ['/shop-web-2'], State: 'running', Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' } },
    { Id: 'd1', Names: ['/shop-db-1'], State: 'running', Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'db' } },
    { Id: 'x1', Names: ['/shop-migrate-1'], State: 'exited', Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'migrate' } },
  ];
  let inspections = 0;
  const killAt = Date.now() + 1500;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://docker');
    const json = (v: unknown, status = 200) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    if (url.pathname === '/info') return json({ MemTotal: 4_012_345_344, Name: 'fake', ServerVersion: '27.0.0', CgroupVersion: '2' });
    if (url.pathname === '/containers/json') {
      const f = JSON.parse(url.searchParams.get('filters') ?? '{}') as { label?: string[] };
      return json(f.label?.includes('com.docker.compose.project=shop') ? containers : []);
    }
    let m = /^\/containers\/(\w+)\/json$/.exec(url.pathname);
    if (m) {
      const id = m[1]!;
      inspections++;
      const end = inspections > 4; // the end-of-window inspections
      return json({ Id: id, Name: `/x-${id}`, RestartCount: id === 'w2' && end ? 2 : id === 'w2' ? 1 : 0, State: { Status: 'running', Running: true, OOMKilled: id === 'd1' && end, ExitCode: 0, StartedAt: now(), FinishedAt: id === 'd1' && end ? new Date(killAt + 50).toISOString() : '0001-01-01T00:00:00Z' }, HostConfig: { Memory: id === 'd1' ? 512 * MiB : 256 * MiB }, Config: { Labels: {} } });
    }
    m = /^\/containers\/(\w+)\/stats$/.exec(url.pathname);
    if (m) {
      const id = m[1]!;
      onStats();
      const usage = id === 'd1' ? 400 * MiB : id === 'w1' ? 120 * MiB : 100 * MiB;
      return json({ read: now(), memory_stats: { usage, limit: 512 * MiB, stats: { inactive_file: 20 * MiB, anon: usage - 30 * MiB, file: 30 * MiB } } });
    }
    if (url.pathname === '/events') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const e = (Action: string, t: number) => JSON.stringify({ Type: 'container', Action, Actor: { ID: 'd1', Attributes: {} }, time: Math.floor(t / 1000), timeNano: t * 1e6 });
      res.end(`${e('oom', killAt)}\n${e('oom', killAt + 20)}\n${e('die', killAt + 50)}\n`);
      return;
    }
    json({ message: `page not found: ${url.pathname}` }, 404);
  });
  return new Promise((resolve) => server.listen(socket, () => resolve(server)));
}

describe('observe (the bundle) against a stand-in Docker API', () => {
  const h = cliHarness('observe');
  let server: Server;
  let socket = '';
  let composeFile = '';
  beforeAll(async () => {
    h.build();
    socket = join(h.dir, 'docker.sock');
    server = await fakeDocker(socket);
    const dir = join(h.dir, 'shop');
    mkdirSync(dir);
    composeFile = join(dir, 'docker-compose.yml');
    writeFileSync(composeFile, 'services:\n  db:\n    image: postgres\n  web:\n    image: app\n');
  }, 60_000);
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(h.dir, { recursive: true, force: true });
  });

  /** The bundle, run without blocking this process (the stand-in answers from it). */
  const run = (args: string[], env: Record<string, string>, cmd: string[] = ['node']): Promise<{ code: number | null; out: string; err: string }> =>
    new Promise((resolve) => {
      const c = spawn(cmd[0]!, [...cmd.slice(1), h.bundle, 'observe', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: h.dir });
      let out = '';
      let err = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (err += d));
      c.on('close', (code) => resolve({ code, out, err }));
    });

  it('writes evidence the format reads: per-container samples, limits, host RAM, the kill once, restarts in the window', async () => {
    const out = join(h.dir, 'ev.json');
    const r = await run([composeFile, '--duration', '2s', '--interval', '1s', '--out', out], { DOCKER_HOST: `unix://${socket}` });
    expect(r.code, r.err).toBe(0);
    const p = evidenceTextParse(readFileSync(out, 'utf8'));
    if (!p.ok) throw new Error(JSON.stringify(p.issues));
    const e = p.evidence;
    expect(e.host).toEqual({ memTotalBytes: 4_012_345_344, source: expect.stringContaining('MemTotal') });
    expect(e.services.map((s) => s.service)).toEqual(['db', 'web']); // the compose file's order; migrate (exited, not killed) left out
    const [db, web] = e.services;
    expect(db).toMatchObject({ containers: ['shop-db-1'], limitBytes: 512 * MiB, peakBytes: null, anonBytes: 370 * MiB, fileBytes: 30 * MiB, restarts: 0 });
    expect(db!.oomKills).toHaveLength(1);
    expect(new Set(db!.samples.map(([, b]) => b))).toEqual(new Set([380 * MiB]));
    expect(db!.samples.length).toBeGreaterThanOrEqual(2);
    expect(web).toMatchObject({ containers: ['shop-web-1', 'shop-web-2'], limitBytes: 256 * MiB, restarts: 1 });
    expect(new Set(web!.samples.map(([, b]) => b))).toEqual(new Set([100 * MiB, 80 * MiB]));
    expect(r.err).toMatch(/OOM kill: db \(shop-db-1\) at 20/);
    expect(r.err).toMatch(/restarts: web 1/);
  }, 60_000);

  it('Docker going away mid-window: what was sampled is written, then the error (exit 2)', async () => {
    const sock2 = join(h.dir, 'docker2.sock');
    const out = join(h.dir, 'lost.json');
    // Docker goes away once the CLI has sampled the three running containers (not at a fixed
    // time: at load 40 the CLI had not connected 2.5 s after the spawn, and found no socket at all).
    let served = 0;
    let goAway = () => {};
    const closing = new Promise<void>((r) => (goAway = () => s2.close(() => r())));
    const s2: Server = await fakeDocker(sock2, () => {
      if (++served === 3) setTimeout(goAway, 300);
    });
    const r = await run([composeFile, '--duration', '10s', '--interval', '1s', '--out', out], { DOCKER_HOST: `unix://${sock2}` });
    await closing;
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/Docker stopped answering after \d+s: what was sampled until then is written/);
    expect(r.err).toMatch(/cannot reach Docker/);
    const p = evidenceTextParse(readFileSync(out, 'utf8'));
    expect(p.ok && p.evidence.services.find((x) => x.service === 'db')!.samples.length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('a progress bar on stderr when it is a terminal (script(1) gives it one), none otherwise', async () => {
    const script = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).stdout.trim();
    expect(script, 'script(1) is missing: apt-get install -y --no-install-recommends bsdutils').not.toBe('');
    const out = join(h.dir, 'tty.json');
    const line = ['node', h.bundle, 'observe', composeFile, '--duration', '2s', '--interval', '1s', '--out', out].map((a) => `'${a}'`).join(' ');
    // Not spawnSync: the stand-in answers from this process.
    const tty = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const c = spawn(script, ['-qec', line, '/dev/null'], { env: { PATH: process.env.PATH ?? '', DOCKER_HOST: `unix://${socket}` } });
      let stdout = '';
      c.stdout.on('data', (d) => (stdout += d));
      c.on('close', (status) => resolve({ status, stdout }));
    });
    expect(tty.status, tty.stdout).toBe(0);
    expect(tty.stdout).toMatch(/\r\[#+\.*\] \d+s \/ 2s {2}3 containers, \d+ samples/);
    const piped = await run([composeFile, '--duration', '1s', '--interval', '1s', '--out', join(h.dir, 'piped.json')], { DOCKER_HOST: `unix://${socket}` });
    expect(piped.err).not.toMatch(/\[#/);
  }, 60_000);

  it('--out - prints the evidence on stdout', async () => {
    const r = await run([composeFile, '--duration', '1s', '--interval', '1s', '--out', '-'], { DOCKER_HOST: `unix://${socket}` });
    expect(r.code, r.err).toBe(0);
    expect(evidenceTextParse(r.out).ok).toBe(true);
  }, 60_000);

  it('no Docker socket: names DOCKER_HOST and how to start Docker, no stack trace', async () => {
    const r = await run([composeFile, '--duration', '2s', '--interval', '1s'], { DOCKER_HOST: `unix://${h.dir}/none.sock` });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot reach Docker at unix:\/\/.*none\.sock \(no such socket\)/);
    expect(r.err).toMatch(/systemctl start docker/);
    expect(r.err).toMatch(/DOCKER_HOST/);
    expect(r.err).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('no containers of the project: names the project, where its name came from, and the compose file', async () => {
    const r = await run([composeFile, '-p', 'other', '--duration', '2s', '--interval', '1s'], { DOCKER_HOST: `unix://${socket}` });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no running containers of compose project "other" \(the name from -p\) for .*docker-compose\.yml/);
  }, 60_000);

  it('bad options say what was expected', async () => {
    const env = { DOCKER_HOST: `unix://${socket}` };
    expect((await run([composeFile, '--duration', 'ten'], env)).err).toMatch(/--duration: expected a duration like 30s, 10m/);
    expect((await run([composeFile, '--interval', '0.1s'], env)).err).toMatch(/--interval: at least 1s/);
    expect((await run([composeFile, '--duration', '2s', '--interval', '5s'], env)).err).toMatch(/shorter than --interval/);
    expect((await run([], env)).err).toMatch(/give one compose file/);
    const ssh = await run([composeFile], { DOCKER_HOST: 'ssh://me@host' });
    expect(ssh.code).toBe(2);
    expect(ssh.err).toMatch(/DOCKER_HOST=ssh:\/\/me@host: observe reads Docker over unix/);
  }, 60_000);

  it('permission denied on the socket (run as an unprivileged user) says how to get access', async () => {
    const runuser = spawnSync('sh', ['-c', 'command -v runuser'], { encoding: 'utf8' }).stdout.trim();
    const asNobody = process.getuid?.() === 0 && runuser !== '';
    chmodSync(h.dir, 0o755);
    chmodSync(h.bundle, 0o644);
    // Root passes every permission check: the run is as nobody, for whom the root-owned 0600
    // socket is closed; a non-root test run closes the socket to its owner with 0000.
    chmodSync(socket, asNobody ? 0o600 : 0o000);
    const cmd = asNobody ? [runuser, '-u', 'nobody', '--', 'node'] : ['node'];
    const r = await run([composeFile, '--duration', '2s', '--interval', '1s'], { DOCKER_HOST: `unix://${socket}` }, cmd);
    chmodSync(socket, 0o755);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/permission denied on Docker's socket .*docker\.sock/);
    expect(r.err).toMatch(/docker group/);
  }, 60_000);
});
