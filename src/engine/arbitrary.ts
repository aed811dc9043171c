/** fast-check generators of valid plan inputs, for property tests (engine, export, UI). Test-only. */
import fc from 'fast-check';
import type { PlanInput } from './schema.ts';

const mib = (min: number, max: number) => fc.integer({ min, max }).map((v) => `${v}MiB`);
const name = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,14}$/);

const fastapi = fc.record({
  kind: fc.constant('fastapi' as const),
  limit: mib(64, 4096),
  settings: fc.record({
    replicas: fc.integer({ min: 1, max: 3 }),
    workers: fc.integer({ min: 1, max: 8 }),
    perWorker: mib(40, 300),
    preload: fc.boolean(),
    poolSize: fc.integer({ min: 0, max: 20 }),
    maxOverflow: fc.integer({ min: 0, max: 20 }),
  }),
});
const postgres = fc.record({
  kind: fc.constant('postgres' as const),
  limit: mib(128, 8192),
  settings: fc.record({
    sharedBuffers: mib(16, 2048),
    maxConnections: fc.integer({ min: 5, max: 300 }),
    workMem: mib(1, 64),
    maintenanceWorkMem: mib(16, 512),
    autovacuumMaxWorkers: fc.integer({ min: 1, max: 6 }),
    maxParallelWorkersPerGather: fc.integer({ min: 0, max: 4 }),
    shmSize: mib(64, 1024),
  }),
});
const redis = fc.record({
  kind: fc.constant('redis' as const),
  limit: mib(32, 4096),
  settings: fc.record({
    maxmemory: mib(0, 2048),
    policy: fc.constantFrom('noeviction', 'allkeys-lru', 'allkeys-lfu', 'volatile-lru'),
    persistence: fc.constantFrom('none', 'rdb', 'aof'),
    appData: mib(0, 512),
  }),
});
const prometheus = fc.record({
  kind: fc.constant('prometheus' as const),
  limit: mib(64, 4096),
  settings: fc.record({
    scrapeInterval: fc.constantFrom('10s', '15s', '30s', '1m'),
    retention: fc.constantFrom('1d', '7d', '15d', '30d'),
    series: fc.integer({ min: 0, max: 200_000 }),
  }),
});
const simple = fc.record({
  kind: fc.constantFrom('grafana' as const, 'alertmanager' as const),
  limit: mib(16, 1024),
  settings: fc.constant({}),
});
const generic = fc.record({
  kind: fc.constant('generic' as const),
  limit: mib(16, 2048),
  settings: fc.tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }))
    .map(([a, b, c]) => ({ usage: { low: `${a}MiB`, typical: `${a + b}MiB`, high: `${a + b + c}MiB` } })),
});
const pgbouncer = fc.record({
  kind: fc.constant('pgbouncer' as const),
  limit: mib(8, 128),
  settings: fc.record({
    poolMode: fc.constantFrom('session', 'transaction'),
    maxClientConn: fc.integer({ min: 10, max: 2000 }),
    defaultPoolSize: fc.integer({ min: 1, max: 100 }),
  }),
});

// The runtime and proxy kinds, within their schemas' bounds.
const jvm = fc.record({
  kind: fc.constant('jvm' as const),
  limit: mib(64, 8192),
  settings: fc.record({
    heap: fc.oneof(fc.constant('0'), mib(16, 4096)),
    maxRamPercentage: fc.integer({ min: 1, max: 90 }),
    metaspace: mib(8, 256),
    threads: fc.integer({ min: 1, max: 400 }),
    directBuffers: mib(0, 128),
  }),
});
const python = fc.record({
  kind: fc.constant('python' as const),
  limit: mib(64, 4096),
  settings: fc.record({
    server: fc.constantFrom('gunicorn', 'uvicorn', 'celery', 'rq', 'dramatiq', 'huey', 'django', 'python'),
    processes: fc.integer({ min: 1, max: 16 }),
    perProcess: mib(20, 400),
    master: fc.boolean(),
    preload: fc.boolean(),
  }),
});
const node = fc.record({
  kind: fc.constant('node' as const),
  limit: mib(64, 4096),
  settings: fc.record({ processes: fc.integer({ min: 1, max: 8 }), perProcess: mib(30, 600), maxOldSpace: fc.oneof(fc.constant('0'), mib(32, 4096)) }),
});
const native = fc.record({
  kind: fc.constant('native' as const),
  limit: mib(16, 2048),
  settings: fc.record({ language: fc.constantFrom('go', 'rust', 'c'), memory: mib(4, 512), goMemLimit: fc.oneof(fc.constant('0'), mib(8, 1024)), gogc: fc.integer({ min: -1, max: 400 }) }),
});
const proxy = fc.record({
  kind: fc.constant('proxy' as const),
  limit: mib(16, 1024),
  settings: fc.record({
    server: fc.constantFrom('nginx', 'traefik', 'caddy', 'haproxy', 'envoy', 'kong'),
    workers: fc.integer({ min: 0, max: 8 }),
    workerConnections: fc.integer({ min: 1, max: 8192 }),
    sharedZones: mib(0, 64),
  }),
});
/** One service of a runtime or proxy kind. */
export const arbitraryRuntimeService = fc.oneof(jvm, python, node, native, proxy);

export type ArbitraryOptions = { pgbouncer?: boolean; maxServices?: number };

/** A valid plan: one of each core kind (maybe), a few extras, random host and workload. */
export function arbitraryPlan(opts: ArbitraryOptions = {}): fc.Arbitrary<PlanInput> {
  const extras = fc.array(fc.oneof(fastapi, redis, simple, generic, prometheus, arbitraryRuntimeService), { maxLength: opts.maxServices ?? 4 });
  return fc
    .record({
      ram: fc.integer({ min: 1, max: 64 }).map((g) => `${g}GiB`),
      swap: fc.constantFrom('0', '1GiB'),
      activeUsers: fc.integer({ min: 0, max: 50_000 }),
      spike: fc.integer({ min: 1, max: 10 }),
      semanticCache: fc.boolean(),
      alertmanager: fc.boolean(),
      app: fastapi,
      db: fc.option(postgres, { nil: undefined }),
      bouncer: opts.pgbouncer === false ? fc.constant(undefined) : fc.option(pgbouncer, { nil: undefined }),
      extras,
      names: fc.uniqueArray(name, { minLength: 16, maxLength: 16, comparator: (a, b) => a.toLowerCase() === b.toLowerCase() }),
    })
    .map((r) => {
      const list = [r.app, r.db, r.bouncer, ...r.extras].filter((s) => s !== undefined);
      return {
        name: 'generated',
        host: { ram: r.ram, swap: r.swap },
        workload: { activeUsers: r.activeUsers, spike: r.spike },
        features: { semanticCache: r.semanticCache, alertmanager: r.alertmanager },
        services: list.map((s, i) => ({ ...s, name: `${r.names[i]}-${i}` })),
      } as PlanInput;
    });
}
