/**
 * The exported files, read by the real tools: docker-compose (and the compose-spec schema),
 * promtool, amtool, redis-server, PostgreSQL 15 and pgBouncer, started and stopped here.
 *
 * Plans: the three presets, the seed's stack with every feature toggle combination, and 25
 * generated plans (fast-check, fixed seed). One PostgreSQL data directory serves the whole file:
 * single-user mode reads every plan's postgresql.conf without a postmaster, one real start per
 * preset checks SHOW, and pgBouncer runs in front of the last one.
 *
 * A missing tool fails the test with the apt command that installs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import { parse as yamlParse } from 'yaml';
import { arbitraryPlan } from '../../engine/arbitrary.ts';
import { planParse, type Plan, type PlanInput, type ServiceOf } from '../../engine/schema.ts';
import { presetGet, PRESET_NAMES } from '../../engine/presets.ts';
import { planTune, tuningsOf, type Tunings } from '../../engine/tune.ts';
import { sizeParse } from '../../engine/units.ts';
import { bytes, MIB } from './common.ts';
import { exportFiles } from './index.ts';
import { stackOf, type Stack } from './stack.ts';
import { postgresLines } from '../kinds/postgres.ts';
import { redisDirectives } from '../kinds/redis.ts';
import { pgbouncerSettings } from '../kinds/pgbouncer.ts';
import { SLACK_RECEIVER } from '../kinds/alertmanager.ts';
import { background, freePort, PgCluster, requireTool, run, runOk, stopAll, tempDir, waitFor } from '../../../test/real-tools.ts';

type Case = { id: string; plan: Plan; tuned: boolean; stack: Stack; tunings: Tunings; dir: string; files: Map<string, string> };

function parsePlan(input: PlanInput): Plan {
  const r = planParse(input);
  if (!r.ok) throw new Error(`invalid plan: ${JSON.stringify(r.issues)}`);
  return r.plan;
}

/** The plans under test. */
function plans(): Array<{ id: string; plan: Plan; tuned?: boolean }> {
  const out: Array<{ id: string; plan: Plan; tuned?: boolean }> = PRESET_NAMES.map((n) => ({ id: `preset-${n}`, plan: parsePlan(presetGet(n)) }));
  // The presets again with Headroom's recommended values (exportFiles(plan, { tuned: true })).
  for (const n of PRESET_NAMES) out.push({ id: `tuned-${n}`, plan: parsePlan(presetGet(n)), tuned: true });
  for (let mask = 0; mask < 8; mask++) {
    const input = presetGet('4gb');
    input.features = { pgbouncer: !!(mask & 1), semanticCache: !!(mask & 2), alertmanager: !!(mask & 4) };
    out.push({ id: `seed-toggles-${mask}`, plan: parsePlan(input) });
  }
  const generated = fc.sample(arbitraryPlan(), { seed: 20260, numRuns: 25 });
  generated.forEach((input, i) => {
    // Every other generated plan gets a Prometheus, so that the alert files are generated often.
    if (i % 2 === 0 && !input.services.some((s) => s.kind === 'prometheus')) {
      input.services.push({ name: `prom-${i}`, kind: 'prometheus', limit: '256MiB', settings: { scrapeInterval: '15s', retention: '7d' } });
    }
    out.push({ id: `generated-${i}`, plan: parsePlan(input) });
  });
  return out;
}

/** Runs `f` over `items` with at most `n` at a time; collects every failure instead of stopping at the first. */
async function eachLimited<T>(items: T[], n: number, f: (item: T) => Promise<void>, name: (item: T) => string): Promise<void> {
  const errors: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        try {
          await f(item);
        } catch (e) {
          errors.push(`${name(item)}: ${(e as Error).message}`);
        }
      }
    }),
  );
  if (errors.length) throw new Error(`${errors.length} failure(s):\n${errors.join('\n\n')}`);
}

const mib = (docker: unknown) => {
  const r = sizeParse(String(docker));
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

/** pg_settings' setting × unit in bytes (or the number itself for unit-less settings). */
function pgValue(setting: string, unit: string): number {
  const units: Record<string, number> = { '': 1, kB: 1024, '8kB': 8192, MB: MIB, '16MB': 16 * MIB };
  const m = units[unit];
  if (m === undefined) throw new Error(`unexpected unit ${unit}`);
  return Number(setting) * m;
}

/** What we wrote, in the same terms: `200MB` → bytes, `'*'` → *, numbers as numbers. */
function writtenValue(v: string): number | string {
  const m = /^(\d+)(kB|MB|GB)$/.exec(v);
  if (m) return Number(m[1]) * { kB: 1024, MB: MIB, GB: 1024 * MIB }[m[2] as 'kB' | 'MB' | 'GB'];
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v.replace(/^'(.*)'$/, '$1');
}

let root: { path: string; remove: () => void };
let pgDir: { path: string; remove: () => void };
let pg: PgCluster;
const cases: Case[] = [];

beforeAll(async () => {
  for (const t of ['docker-compose', 'promtool', 'amtool', 'redis-server', 'redis-cli', 'pgbouncer', 'psql'] as const) requireTool(t);
  root = tempDir('export');
  for (const { id, plan: input, tuned = false } of plans()) {
    const plan = tuned ? planTune(input) : input;
    const dir = join(root.path, id);
    mkdirSync(dir, { mode: 0o755 });
    const files = new Map<string, string>();
    for (const f of exportFiles(input, { tuned })) {
      writeFileSync(join(dir, f.path), f.content, { mode: 0o644 });
      files.set(f.path, f.content);
    }
    const stack = stackOf(plan);
    cases.push({ id, plan, tuned, stack, tunings: tuningsOf(stack.plan), dir, files });
  }
  pgDir = tempDir('pg', true);
  pg = new PgCluster(pgDir.path);
  await pg.init();
}, 120_000);

afterAll(async () => {
  await pg?.stop();
  await stopAll();
  root?.remove();
  pgDir?.remove();
});

/** Each test below runs one tool over every plan; on 2 busy cores that can take a while. */
const SLOW = 240_000;

describe('real tools read the exported files', () => {
  it('covers presets (as planned and tuned), every toggle of the seed stack and 25 generated plans', () => {
    expect(cases.length).toBe(3 + 3 + 8 + 25);
    expect(cases.filter((c) => c.stack.prometheus.length).length).toBeGreaterThan(20);
    expect(cases.filter((c) => c.stack.pgbouncer.length).length).toBeGreaterThan(5);
    expect(cases.filter((c) => c.stack.alertmanager.length).length).toBeGreaterThan(5);
  });

  it('docker-compose config accepts every compose file, and it has exactly the planned services and limits', async () => {
    const schema = JSON.parse(readFileSync('node_modules/dclint/schemas/compose.schema.json', 'utf8')) as Record<string, unknown>;
    delete schema.$schema;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    await eachLimited(cases, 4, async (c) => {
      const file = c.stack.files.compose;
      const own = yamlParse(c.files.get(file)!) as Record<string, unknown>;
      if (!validate(own)) throw new Error(`compose-spec schema: ${JSON.stringify(validate.errors)}`);
      const r = await runOk('docker-compose', ['-f', file, 'config'], { cwd: c.dir, timeoutMs: 60_000 });
      const out = yamlParse(r.stdout) as { services: Record<string, Record<string, unknown>> };
      const expected = new Map<string, number | null>(c.stack.plan.services.map((s) => [s.name, s.limit]));
      for (const e of c.stack.exporters) if (!e.present) expected.set(e.name, e.limit);
      expect(Object.keys(out.services).sort()).toEqual([...expected.keys()].sort());
      for (const [name, limit] of expected) {
        const svc = out.services[name]!;
        const deploy = svc.deploy as { resources?: { limits?: { memory?: string }; reservations?: { memory?: string } } } | undefined;
        if (limit === null) {
          expect(svc.mem_limit, name).toBeUndefined();
          continue;
        }
        // Docker's minimum is 6m (memory-model.md); compose v1 does not check values, so we do.
        expect(limit, name).toBeGreaterThanOrEqual(6);
        expect(mib(svc.mem_limit), name).toBeCloseTo(limit, 2);
        expect(mib(svc.memswap_limit), name).toBeCloseTo(limit, 2);
        expect(mib(deploy?.resources?.limits?.memory), name).toBeCloseTo(limit, 2);
        const reservation = mib(svc.mem_reservation);
        expect(mib(deploy?.resources?.reservations?.memory), name).toBe(reservation);
        expect(reservation, name).toBeLessThanOrEqual(limit);
        expect(Number(svc.oom_score_adj)).toBeGreaterThanOrEqual(-1000);
        expect(Number(svc.oom_score_adj)).toBeLessThanOrEqual(1000);
      }
      // With pgBouncer on, the app's DATABASE_URL points at it.
      for (const a of c.stack.app) {
        const url = (out.services[a.name]!.environment as Record<string, string> | undefined)?.DATABASE_URL;
        if (c.stack.pgbouncer[0]) expect(url).toContain(`@${c.stack.pgbouncer[0].name}:6432/`);
        else if (c.stack.postgres[0]) expect(url).toContain(`@${c.stack.postgres[0].name}:5432/`);
      }
      // No secret value is ever written: only files under ./secrets.
      expect(c.files.get(file)).not.toMatch(/PASSWORD:|api_url:/);
    }, (c) => c.id);
  }, SLOW);

  it('promtool checks every prometheus.yml and alerts.yml, and every alerts.test.yml passes', async () => {
    const withProm = cases.filter((c) => c.stack.prometheus.length);
    const configs = withProm.flatMap((c) => c.stack.prometheus.map((p) => join(c.dir, c.stack.configPath(p, 'yml'))));
    await runOk('promtool', ['check', 'config', ...configs]);
    await runOk('promtool', ['check', 'rules', ...withProm.map((c) => join(c.dir, c.stack.files.alerts))]);
    // A budget that matches the work: one alerts.test.yml costs ~0.9 s of CPU (5.9 s wall at load
    // 35, measured 2026-12-02); at load 40 the 31 files ran past the default 60 s (CI the same day).
    // 6 s a file, inside the test's SLOW.
    const testFiles = withProm.map((c) => join(c.dir, c.stack.files.alertsTest));
    const tested = await runOk('promtool', ['test', 'rules', ...testFiles], { timeoutMs: Math.min(6_000 * testFiles.length, SLOW - 30_000) });
    expect(tested.stdout + tested.stderr).not.toMatch(/FAILED/);
    // The ten rules, where their services exist.
    for (const c of withProm) {
      const names = (yamlParse(c.files.get(c.stack.files.alerts)!) as { groups: Array<{ rules: Array<{ alert: string }> }> }).groups[0]!.rules.map((r) => r.alert);
      expect(names).toEqual(expect.arrayContaining(['ServiceDown', 'HighMemoryUsage', 'ContainerOOMKills', 'LowDiskSpace', 'HighNetworkIO']));
      if (c.stack.redis.length) expect(names).toContain('RedisMemoryHigh');
      if (c.stack.postgres.length) expect(names).toEqual(expect.arrayContaining(['HighDatabaseConnections', 'SlowDatabaseQueries']));
      if (c.stack.app.length) expect(names).toContain('HighAPILatency');
    }
  }, SLOW);

  it('a broken rule makes promtool test rules fail (the test file really tests)', async () => {
    const c = cases.find((x) => x.id === 'preset-4gb')!;
    const dir = join(root.path, 'broken');
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, 'alerts.yml'), c.files.get('alerts.yml')!.replace('{service="postgres"}) > 45', '{service="postgres"}) > 4500'));
    writeFileSync(join(dir, 'alerts.test.yml'), c.files.get('alerts.test.yml')!);
    const r = await run('promtool', ['test', 'rules', join(dir, 'alerts.test.yml')]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/HighDatabaseConnections/);
  }, SLOW);

  it('amtool checks every alertmanager.yml and routes critical alerts to Slack', async () => {
    const files = cases.flatMap((c) => c.stack.alertmanager.map((a) => join(c.dir, c.stack.configPath(a, 'yml'))));
    expect(files.length).toBeGreaterThan(0);
    await runOk('amtool', ['check-config', ...files]);
    const r = await runOk('amtool', ['config', 'routes', 'test', `--config.file=${files[0]}`, `--verify.receivers=${SLACK_RECEIVER}`, 'severity=critical', 'alertname=ServiceDown']);
    expect(r.stdout).toContain(SLACK_RECEIVER);
  }, SLOW);

  it('redis-server starts with every redis.conf and CONFIG GET returns the planned values', async () => {
    const items = cases.flatMap((c) => c.stack.redis.map((r) => ({ c, r })));
    await eachLimited(items, 6, async ({ c, r }) => {
      const d = tempDir('redis');
      const sock = join(d.path, 'redis.sock');
      const server = background('redis-server', [join(c.dir, c.stack.configPath(r, 'conf')), '--port', '0', '--unixsocket', sock, '--dir', d.path, '--daemonize', 'no', '--logfile', '']);
      try {
        await waitFor('redis-server start', async () => (await run('redis-cli', ['-s', sock, 'PING'])).stdout.trim() === 'PONG', 10_000, server);
        const expected = redisDirectives(r);
        expect(expected.maxmemory).toBe(String(bytes(r.settings.maxmemory)));
        for (const [key, value] of Object.entries(expected)) {
          const got = (await runOk('redis-cli', ['-s', sock, '--no-raw', 'CONFIG', 'GET', key])).stdout;
          const lines = (await runOk('redis-cli', ['-s', sock, 'CONFIG', 'GET', key])).stdout.split('\n');
          expect(lines[1] ?? '', `${key} (${got})`).toBe(value);
        }
        await run('redis-cli', ['-s', sock, 'SHUTDOWN', 'NOSAVE']);
      } finally {
        await server.stop();
        d.remove();
      }
    }, ({ c, r }) => `${c.id}/${r.name}`);
  }, SLOW);

  it('PostgreSQL reads every postgresql.conf: each written setting, and the planned values, in pg_settings', async () => {
    const items = cases.flatMap((c) => c.stack.postgres.map((p) => ({ c, p })));
    expect(items.length).toBeGreaterThan(15);
    // Single-user mode takes the data directory's lock: one at a time.
    await eachLimited(items, 1, async ({ c, p }) => {
      await checkPgSettings(c, p, (names) => pg.settings(join(c.dir, c.stack.configPath(p, 'conf')), names));
    }, ({ c, p }) => `${c.id}/${p.name}`);
  }, SLOW);

  it('PostgreSQL starts with each preset\'s postgresql.conf and SHOW returns each planned value', async () => {
    for (const c of cases.filter((x) => x.id.startsWith('preset-') || x.id.startsWith('tuned-'))) {
      for (const p of c.stack.postgres) {
        await pg.start(join(c.dir, c.stack.configPath(p, 'conf')));
        try {
          await checkPgSettings(c, p, async (names) => {
            const rows = await pg.sql(`SELECT name || '=' || setting || '=' || coalesce(unit, '') FROM pg_settings WHERE name IN (${names.map((n) => `'${n}'`).join(', ')})`);
            return new Map(rows.split('\n').map((l) => {
              const [name, setting, unit] = l.split('=');
              return [name!, { setting: setting!, unit: unit ?? '' }];
            }));
          });
          // SHOW as an operator types it.
          expect(await pg.sql('SHOW shared_buffers')).toBe(c.files.get(c.stack.configPath(p, 'conf'))!.match(/^shared_buffers = (.*)$/m)![1]);
        } finally {
          await pg.stop();
        }
      }
    }
  }, SLOW);

  it('pgBouncer starts with every pgbouncer.ini and a query through it reaches PostgreSQL', async () => {
    const items = cases.flatMap((c) => c.stack.pgbouncer.map((b) => ({ c, b })));
    expect(items.length).toBeGreaterThan(5);
    const host = cases.find((x) => x.id === 'preset-8gb')!;
    await pg.start(join(host.dir, host.stack.configPath(host.stack.postgres[0]!, 'conf')));
    try {
      await pg.sql(`CREATE ROLE app LOGIN PASSWORD 'headroom-test'`);
      await pg.sql('CREATE DATABASE app OWNER app');
      const auth = tempDir('pgbouncer-auth');
      writeFileSync(join(auth.path, 'userlist.txt'), '"app" "headroom-test"\n', { mode: 0o644 });
      await eachLimited(items, 4, async ({ c, b }) => {
        const port = await freePort();
        const wrapper = join(auth.path, `${c.id}-${b.name}.ini`);
        // Only what differs outside a compose network changes: where Postgres is, where to listen,
        // the user list, no log/pid files. Each replaced key must exist once; the rest is the
        // generated file as written. (pgBouncer's %include cannot override: a second [pgbouncer]
        // section resets the first.)
        const replace: Record<string, string> = { listen_addr: '127.0.0.1', listen_port: String(port), auth_file: join(auth.path, 'userlist.txt'), app: `host=${pg.socketDir} port=${pg.port} dbname=app` };
        const seen = new Set<string>();
        const ini = c.files.get(c.stack.configPath(b, 'ini'))!.split('\n').map((line) => {
          const m = /^([a-z_]+) = /.exec(line);
          if (!m || !(m[1]! in replace)) return line;
          seen.add(m[1]!);
          return `${m[1]} = ${replace[m[1]!]}`;
        });
        // A plan without Postgres leaves [databases] for the operator: the test adds its own.
        if (!c.stack.postgres.length) {
          ini.splice(ini.indexOf('[databases]') + 1, 0, `app = ${replace.app}`);
          seen.add('app');
        }
        expect([...seen].sort()).toEqual(Object.keys(replace).sort());
        expect(ini.at(-1)).toBe('');
        expect(ini.some((l) => /^(unix_socket_dir|logfile|pidfile) /.test(l))).toBe(false);
        writeFileSync(wrapper, [...ini.slice(0, -1), 'unix_socket_dir =', 'logfile =', 'pidfile =', ''].join('\n'), { mode: 0o644 });
        const bouncer = background('pgbouncer', [wrapper], { asPostgres: true });
        const env = { ...process.env, PGPASSWORD: 'headroom-test' };
        try {
          await waitFor('pgbouncer start', async () => (await run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'app', '-d', 'app', '-Atc', 'SELECT 1'], { env })).stdout.trim() === '1', 10_000, bouncer);
          const show = await runOk('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'app', '-d', 'pgbouncer', '-Atc', 'SHOW CONFIG'], { env });
          const config = new Map(show.stdout.trim().split('\n').map((l) => l.split('|') as [string, string]));
          const expected = pgbouncerSettings(b, c.tunings.of(b));
          for (const key of ['pool_mode', 'max_client_conn', 'default_pool_size', 'reserve_pool_size', 'max_db_connections', 'auth_type', 'ignore_startup_parameters', 'stats_users'] as const) {
            expect(config.get(key), key).toBe(expected[key]);
          }
          expect(Number(expected.default_pool_size)).toBe(b.settings.defaultPoolSize);
          expect(expected.pool_mode).toBe(b.settings.poolMode);
        } finally {
          await bouncer.stop();
        }
      }, ({ c, b }) => `${c.id}/${b.name}`);
      auth.remove();
    } finally {
      await pg.stop();
    }
  }, SLOW);
});

/** Compares every line written to postgresql.conf, and the plan's own numbers, with what PostgreSQL reports. */
async function checkPgSettings(c: Case, p: ServiceOf<'postgres'>, read: (names: string[]) => Promise<Map<string, { setting: string; unit: string }>>) {
  const lines = postgresLines(c.tunings.of(p));
  // listen_addresses is the one setting the test overrides (loopback or none instead of '*').
  expect(lines.find((l) => l.name === 'listen_addresses')?.value).toBe("'*'");
  const checked = lines.filter((l) => l.name !== 'listen_addresses');
  const got = await read(checked.map((l) => l.name));
  for (const line of checked) {
    const g = got.get(line.name);
    expect(g, line.name).toBeDefined();
    const want = writtenValue(line.value);
    if (typeof want === 'number' && g!.unit !== '') {
      // shared_buffers and wal_buffers are kept in whole 8 kB pages.
      expect(Math.abs(pgValue(g!.setting, g!.unit) - want), `${line.name}: wrote ${line.value}, got ${g!.setting}${g!.unit}`).toBeLessThan(8192);
    } else if (typeof want === 'number') {
      expect(Number(g!.setting), line.name).toBeCloseTo(want, 6);
    } else {
      expect(g!.setting, line.name).toBe(want);
    }
  }
  const s = p.settings;
  const value = (name: string) => pgValue(got.get(name)!.setting, got.get(name)!.unit);
  expect(value('max_connections')).toBe(s.maxConnections);
  expect(Math.abs(value('shared_buffers') - s.sharedBuffers * MIB)).toBeLessThan(8192);
  expect(Math.abs(value('work_mem') - s.workMem * MIB)).toBeLessThan(1024);
  expect(Math.abs(value('maintenance_work_mem') - s.maintenanceWorkMem * MIB)).toBeLessThan(1024);
  expect(value('autovacuum_max_workers')).toBe(s.autovacuumMaxWorkers);
  expect(value('max_parallel_workers_per_gather')).toBe(s.maxParallelWorkersPerGather);
}
