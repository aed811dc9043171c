/**
 * Every value the engine accepts is one the real server accepts (issue 17): plans whose
 * PostgreSQL, Redis and Prometheus settings sit at and near each bound of the schema (fast-check,
 * fixed seed, a bounded number of runs), exported, and read by the real servers:
 * `postgres -C` (PostgreSQL 15 parses and checks the whole postgresql.conf, check hooks included,
 * without allocating shared_buffers), redis-server started with the redis.conf on a unix socket
 * (CONFIG GET maxmemory), and `promtool check config`.
 *
 * A missing tool fails the test with the apt command that installs it (test/real-tools.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { planParse, type PlanInput } from '../../engine/schema.ts';
import { CONNECTIONS_AND_AUTOVACUUM_MAX, MAX_CONNECTIONS_MAX } from '../../engine/kinds/postgres/settings.ts';
import { exportFiles } from './index.ts';
import { stackOf } from './stack.ts';
import { background, PG_BIN, PgCluster, requireTool, run, runOk, stopAll, tempDir, waitFor } from '../../../test/real-tools.ts';

/** Fixed seed and run count: the same plans every run (fast-check prints the seed on a failure). */
const SEED = 170_017;
const RUNS = 12;

/** A value at a bound, or just inside it: min, max, or within 1% of either. */
const nearBounds = (min: number, max: number) =>
  fc.oneof(fc.constant(min), fc.constant(max), fc.double({ min, max: min + (max - min) / 100, noNaN: true }), fc.double({ min: max - (max - min) / 100, max, noNaN: true }));
const countNear = (min: number, max: number) => fc.oneof(fc.constant(min), fc.constant(max), fc.integer({ min, max: Math.min(max, min + 10) }), fc.integer({ min: Math.max(min, max - 10), max }));

/** The schema's bounds, in MiB, seconds or counts (src/engine/kinds/postgres/settings.ts, prometheus.ts, redis.ts). */
const PG = { sharedBuffers: [128 / 1024, (Math.floor(2147483647 / 2) * 8) / 1024], workMem: [64 / 1024, 2147483647 / 1024], maintenanceWorkMem: [1, 2147483647 / 1024] } as const;

/** max_connections at and near its bounds, and autovacuum_max_workers at and near the bound the pair shares. */
const connections = countNear(1, MAX_CONNECTIONS_MAX).chain((maxConnections) => countNear(1, CONNECTIONS_AND_AUTOVACUUM_MAX - maxConnections).map((autovacuumMaxWorkers) => ({ maxConnections, autovacuumMaxWorkers })));

const planAtBounds = fc.record({
  connections,
  sharedBuffers: nearBounds(...PG.sharedBuffers),
  workMem: nearBounds(...PG.workMem),
  maintenanceWorkMem: nearBounds(...PG.maintenanceWorkMem),
  maxParallelWorkersPerGather: countNear(0, 1024),
  maxmemory: fc.oneof(fc.constant(0), fc.constant(64 * 1048576), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 1, max: 64 * 1048576, noNaN: true })),
  scrapeInterval: nearBounds(0.001, 86400),
  retention: fc.oneof(fc.constant(1), fc.constant(86400), fc.integer({ min: 1, max: 10 * 365 * 86400 })),
});

type Drawn = typeof planAtBounds extends fc.Arbitrary<infer T> ? T : never;

function planOf(d: Drawn): PlanInput {
  return {
    host: { ram: '64GiB' },
    services: [
      { name: 'db', kind: 'postgres', limit: '16GiB', settings: { sharedBuffers: d.sharedBuffers, workMem: d.workMem, maintenanceWorkMem: d.maintenanceWorkMem, ...d.connections, maxParallelWorkersPerGather: d.maxParallelWorkersPerGather } },
      { name: 'cache', kind: 'redis', limit: '1GiB', settings: { maxmemory: d.maxmemory } },
      { name: 'prom', kind: 'prometheus', limit: '1GiB', settings: { scrapeInterval: d.scrapeInterval, retention: d.retention } },
    ],
  } as PlanInput;
}

let root: { path: string; remove: () => void };
let pgDir: { path: string; remove: () => void };
let pg: PgCluster;

beforeAll(async () => {
  for (const t of ['promtool', 'redis-server', 'redis-cli'] as const) requireTool(t);
  requireTool(`${PG_BIN}/postgres`);
  root = tempDir('bounds');
  pgDir = tempDir('bounds-pg', true);
  pg = new PgCluster(pgDir.path);
  await pg.init();
}, 120_000);

afterAll(async () => {
  await stopAll();
  root?.remove();
  pgDir?.remove();
});

describe('every value the schema accepts, at and near its bounds, is one the real server accepts', () => {
  it('the schema refuses max_connections + autovacuum_max_workers past the bound PostgreSQL enforces, naming the field', () => {
    const pair = (maxConnections: number, autovacuumMaxWorkers: number) => planParse(planOf({ ...fc.sample(planAtBounds, { seed: SEED, numRuns: 1 })[0]!, connections: { maxConnections, autovacuumMaxWorkers } }));
    expect(pair(MAX_CONNECTIONS_MAX, 3).ok).toBe(true);
    const refused = pair(MAX_CONNECTIONS_MAX, 4);
    expect(refused.ok ? [] : refused.issues.map((i) => i.path)).toEqual(['services[0].settings.autovacuumMaxWorkers']);
    expect(pair(100, 262_143).ok).toBe(false);
  });

  it(`${RUNS} plans (seed ${SEED}): postgres -C, redis-server and promtool accept each exported file`, async () => {
    const t0 = performance.now();
    const drawn = fc.sample(planAtBounds, { seed: SEED, numRuns: RUNS });
    const failures: string[] = [];
    let accepted = 0;
    for (const [i, d] of drawn.entries()) {
      const parsed = planParse(planOf(d));
      if (!parsed.ok) {
        failures.push(`plan ${i} ${JSON.stringify(d)}: the schema refused a value inside its bounds: ${JSON.stringify(parsed.issues)}`);
        continue;
      }
      accepted++;
      const plan = parsed.plan;
      const stack = stackOf(plan);
      const dir = join(root.path, `plan-${i}`);
      mkdirSync(dir, { mode: 0o755 });
      for (const f of exportFiles(plan)) writeFileSync(join(dir, f.path), f.content, { mode: 0o644 });
      const what = `plan ${i} ${JSON.stringify(d)}`;
      // PostgreSQL: the whole file parsed and checked; -C prints one setting and exits.
      const conf = join(dir, stack.configPath(stack.postgres[0]!, 'conf'));
      const pgr = await run(`${PG_BIN}/postgres`, ['-D', pg.data, '-c', `config_file=${conf}`, '-C', 'shared_buffers'], { asPostgres: true });
      if (pgr.code !== 0) failures.push(`${what}: postgres -C refused postgresql.conf: ${pgr.stderr.trim()}`);
      // Redis: started with the file, then asked.
      const d2 = tempDir('bounds-redis');
      const sock = join(d2.path, 'redis.sock');
      const server = background('redis-server', [join(dir, stack.configPath(stack.redis[0]!, 'conf')), '--port', '0', '--unixsocket', sock, '--dir', d2.path, '--daemonize', 'no', '--logfile', '']);
      try {
        await waitFor('redis-server start', async () => (await run('redis-cli', ['-s', sock, 'PING'])).stdout.trim() === 'PONG', 10_000, server);
        const got = (await runOk('redis-cli', ['-s', sock, 'CONFIG', 'GET', 'maxmemory'])).stdout.split('\n')[1];
        expect(Number(got), `${what}: maxmemory`).toBeGreaterThanOrEqual(0);
        await run('redis-cli', ['-s', sock, 'SHUTDOWN', 'NOSAVE']);
      } catch (e) {
        failures.push(`${what}: redis-server: ${(e as Error).message.split('\n').slice(0, 4).join(' ')}`);
      } finally {
        await server.stop();
        d2.remove();
      }
      // Prometheus.
      const prom = await run('promtool', ['check', 'config', join(dir, stack.configPath(stack.prometheus[0]!, 'yml'))]);
      if (prom.code !== 0) failures.push(`${what}: promtool refused prometheus.yml: ${(prom.stdout + prom.stderr).trim().split('\n').slice(-2).join(' ')}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(`bounds-real: ${accepted} of ${RUNS} drawn plans accepted by the schema and exported, read by the real servers in ${seconds.toFixed(1)} s`);
    expect(failures).toEqual([]);
    expect(accepted).toBe(RUNS); // every draw is inside the bounds: the schema accepts each
  }, 120_000);
});
