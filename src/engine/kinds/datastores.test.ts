import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planOf } from '../testing.ts';
import { trafficOf } from '../traffic.ts';
import { evaluate } from '../evaluate.ts';
import { planParse, type PlanInput, type ServiceKind, type ServiceOf } from '../schema.ts';
import { serviceUsage } from './index.ts';
import { BUFFER_POOL_OVERHEAD, MYSQL_BUFFER_POOL, mysqlEffective, perConnectionWorstMib } from './mysql.ts';
import { hashTableMib, MEMCACHED_MEMORY } from './memcached.ts';
import { RABBITMQ_WATERMARK, rabbitmqWatermarkMib } from './rabbitmq.ts';
import { MONGODB_CACHE, mongodbCacheMib } from './mongodb.ts';
import { CLICKHOUSE_SERVER_MEMORY, clickhouseCapMib } from './clickhouse.ts';
import { DRAGONFLY_MAXMEMORY, dragonflyMaxmemory } from './dragonfly.ts';
import { minioRequestsMax } from './minio.ts';
import { tuneSetting, type SettingModel } from './memory-setting.ts';
import { applyChange } from '../change.ts';
import type { Change } from '../report.ts';

type Svc = PlanInput['services'][number];

/** A 4 GiB host, 1000 users, these services. */
const planFor = (services: Svc[]) => planOf({ host: { ram: '4GiB' }, services });

function usage(services: Svc[]) {
  const plan = planFor(services);
  const traffic = trafficOf(plan, 1);
  const count = (k: ServiceKind) => plan.services.filter((s) => s.kind === k).length || 1;
  return serviceUsage(plan.services[0]!, { plan, traffic, countOf: count });
}
const part = (u: ReturnType<typeof usage>, name: string) => u.components.find((c) => c.name === name)!;
const svc = <K extends ServiceKind>(input: Svc) => planFor([input]).services[0] as ServiceOf<K>;
const findingsOf = (services: Svc[]) => evaluate(planFor(services)).findings;

/** The services with one finding's change applied (engine/change.ts, as the page applies it). */
const applied = (services: Svc[], change: Change): Svc[] => applyChange({ host: { ram: '4GiB' }, services }, change).services;

describe('the data stores: every model', () => {
  it.each<[string, Svc]>([
    ['mysql', { name: 'a', kind: 'mysql' }],
    ['mariadb with performance_schema', { name: 'a', kind: 'mysql', limit: '2GiB', settings: { flavor: 'mariadb', performanceSchema: true } }],
    ['mongodb', { name: 'a', kind: 'mongodb', limit: '2GiB' }],
    ['mongodb without a limit', { name: 'a', kind: 'mongodb' }],
    ['clickhouse', { name: 'a', kind: 'clickhouse', limit: '3GiB' }],
    ['rabbitmq', { name: 'a', kind: 'rabbitmq', limit: '1GiB' }],
    ['rabbitmq absolute', { name: 'a', kind: 'rabbitmq', settings: { watermarkAbsolute: '300MiB' } }],
    ['memcached', { name: 'a', kind: 'memcached' }],
    ['minio', { name: 'a', kind: 'minio', limit: '1GiB' }],
    ['dragonfly', { name: 'a', kind: 'dragonfly', limit: '1GiB' }],
  ])('%s: low ≤ typical ≤ high, and the components add up', (_name, service) => {
    const u = usage([service]);
    expect(u.low).toBeGreaterThan(0);
    expect(u.low).toBeLessThanOrEqual(u.typical);
    expect(u.typical).toBeLessThanOrEqual(u.high);
    const sum = (k: 'low' | 'MiB' | 'high') => u.components.reduce((s, c) => s + c[k], 0);
    expect(sum('low')).toBeCloseTo(u.low, 6);
    expect(sum('MiB')).toBeCloseTo(u.typical, 6);
    expect(sum('high')).toBeCloseTo(u.high, 6);
    for (const c of u.components) {
      expect(c.low).toBeLessThanOrEqual(c.MiB + 1e-9);
      expect(c.MiB).toBeLessThanOrEqual(c.high + 1e-9);
    }
  });
});

describe('mysql', () => {
  it.each([['mysql', 0.1], ['mariadb', 0]] as const)('%s: charges the buffer pool with %s of control structures (MySQL reference; MariaDB measured)', (flavor, overhead) => {
    const u = usage([{ name: 'db', kind: 'mysql', settings: { flavor, bufferPool: '512MiB' } }]);
    expect(BUFFER_POOL_OVERHEAD[flavor]).toBe(overhead);
    expect(part(u, 'buffer pool').MiB).toBeCloseTo(512 * (1 + overhead), 6);
  });

  it.each([
    // flavor, the flavor's own per-thread defaults (MiB): sort + join + read + read_rnd + thread_stack + connection + tmp_table_size
    ['mysql', 0.25 + 0.25 + 0.125 + 0.25 + 1 + 0.5 + 16],
    ['mariadb', 2 + 0.25 + 0.125 + 0.25 + 292 / 1024 + 0.5 + 16],
  ] as const)('%s: one connection at worst holds %s MiB with the defaults', (flavor, worst) => {
    expect(perConnectionWorstMib(svc<'mysql'>({ name: 'db', kind: 'mysql', settings: { flavor } }))).toBeCloseTo(worst, 6);
  });

  it('performance_schema: on by default in MySQL, off in MariaDB, and sized from max_connections', () => {
    expect(mysqlEffective(svc<'mysql'>({ name: 'db', kind: 'mysql' })).performanceSchema).toBe(true);
    expect(mysqlEffective(svc<'mysql'>({ name: 'db', kind: 'mysql', settings: { flavor: 'mariadb' } })).performanceSchema).toBe(false);
    const few = part(usage([{ name: 'db', kind: 'mysql', settings: { maxConnections: 50 } }]), 'performance_schema');
    const many = part(usage([{ name: 'db', kind: 'mysql', settings: { maxConnections: 500 } }]), 'performance_schema');
    expect(many.MiB).toBeGreaterThan(few.MiB);
    expect(usage([{ name: 'db', kind: 'mysql', settings: { flavor: 'mariadb' } }]).components.some((c) => c.name === 'performance_schema')).toBe(false);
  });

  it('finds a buffer pool the limit cannot hold, and its fix clears it', () => {
    const services: Svc[] = [{ name: 'db', kind: 'mysql', limit: '512MiB', settings: { bufferPool: '512MiB', performanceSchema: false } }];
    const f = findingsOf(services).find((x) => x.id === 'mysql-buffer-pool-over-limit')!;
    expect(f.severity).toBe('critical');
    expect(f.fix.summary).toMatch(/innodb_buffer_pool_size/);
    expect(findingsOf(applied(services, f.fix.changes[0]!)).some((x) => x.id === 'mysql-buffer-pool-over-limit')).toBe(false);
  });

  it('finds performance_schema on a small limit (MySQL\'s default), not on MariaDB\'s default', () => {
    const mysql = findingsOf([{ name: 'db', kind: 'mysql', limit: '768MiB', settings: { bufferPool: '128MiB' } }]);
    const f = mysql.find((x) => x.id === 'mysql-performance-schema-small-limit')!;
    expect(f.fix.changes[0]).toEqual({ service: 'db', key: 'settings.performanceSchema', value: false });
    expect(f.fix.summary).toMatch(/--performance-schema=0/);
    expect(findingsOf([{ name: 'db', kind: 'mysql', limit: '768MiB', settings: { flavor: 'mariadb', bufferPool: '128MiB' } }]).some((x) => x.id === 'mysql-performance-schema-small-limit')).toBe(false);
    expect(findingsOf([{ name: 'db', kind: 'mysql', limit: '4GiB', settings: { bufferPool: '1GiB' } }]).some((x) => x.id === 'mysql-performance-schema-small-limit')).toBe(false);
  });

  it('finds max_connections too close to the clients, and the fix clears it', () => {
    const services: Svc[] = [{ name: 'db', kind: 'mysql', limit: '2GiB', settings: { maxConnections: 20, clients: 20, performanceSchema: false } }];
    const f = findingsOf(services).find((x) => x.id === 'mysql-connections-near-max')!;
    expect(f.severity).toBe('critical');
    expect(findingsOf(applied(services, f.fix.changes[0]!)).some((x) => x.id === 'mysql-connections-near-max')).toBe(false);
  });

  it('names the per-connection worst case over the limit, with max_connections that fits', () => {
    const services: Svc[] = [{ name: 'db', kind: 'mysql', limit: '1GiB', settings: { bufferPool: '256MiB', performanceSchema: false, clients: 10 } }];
    const f = findingsOf(services).find((x) => x.id === 'mysql-connections-worst-case')!;
    expect(f.message).toMatch(/max_connections 151/);
    const fixed = applied(services, f.fix.changes[0]!);
    expect(findingsOf(fixed).some((x) => x.id === 'mysql-connections-worst-case')).toBe(false);
  });
});

describe('memcached', () => {
  it.each([
    [0, 0.5], // 2^16 buckets × 8 bytes
    [98_304, 0.5], // 1.5 × 2^16 items: not yet grown
    [98_305, 1],
    [1_000_000, 8], // 2^20 buckets
  ])('%s items: a hash table of %s MiB (assoc.c: doubles past 1.5 items per bucket)', (items, mib) => expect(hashTableMib(items)).toBe(mib));

  it('holds -m of items once the cache is full, and grows the hash with smaller items', () => {
    const big = usage([{ name: 'm', kind: 'memcached', settings: { memory: '128MiB', itemSize: '4KiB' } }]);
    const small = usage([{ name: 'm', kind: 'memcached', settings: { memory: '128MiB', itemSize: '100B' } }]);
    expect(part(big, 'items').MiB).toBe(128);
    expect(part(small, 'hash table').MiB).toBeGreaterThan(part(big, 'hash table').MiB);
  });

  it('finds -m at the limit, and the fix clears it', () => {
    const services: Svc[] = [{ name: 'm', kind: 'memcached', limit: '64MiB', settings: { memory: '64MiB' } }];
    const f = findingsOf(services).find((x) => x.id === 'memcached-memory-over-limit')!;
    expect(f.severity).toBe('critical');
    expect(findingsOf(applied(services, f.fix.changes[0]!)).some((x) => x.id === 'memcached-memory-over-limit')).toBe(false);
  });
});

describe('rabbitmq', () => {
  it.each([
    ['3', undefined, '1GiB', undefined, 0.4 * 1024],
    ['4', undefined, '1GiB', undefined, 0.6 * 1024],
    ['4', 0.5, '2GiB', undefined, 1024],
    ['3', 0.4, null, undefined, 0.4 * 4096], // no limit: the host's RAM
    ['4', 0.9, '1GiB', '300MiB', 300], // absolute wins
  ] as const)('version %s, relative %s, limit %s, absolute %s → watermark %s MiB', (version, watermark, limit, watermarkAbsolute, expected) => {
    const s = svc<'rabbitmq'>({ name: 'q', kind: 'rabbitmq', limit, settings: { version, ...(watermark === undefined ? {} : { watermark }), ...(watermarkAbsolute === undefined ? {} : { watermarkAbsolute }) } });
    expect(rabbitmqWatermarkMib(s, 4096)).toBeCloseTo(expected, 6);
  });

  it('finds the default 0.6 watermark on a small limit (the collector can double it), and the fix clears it', () => {
    const services: Svc[] = [{ name: 'q', kind: 'rabbitmq', limit: '512MiB' }];
    const f = findingsOf(services).find((x) => x.id === 'rabbitmq-watermark-over-limit')!;
    expect(f.message).toMatch(/RabbitMQ 4\.x's default/);
    expect(f.fix.changes[0]!.key).toBe('settings.watermarkAbsolute');
    expect(findingsOf(applied(services, f.fix.changes[0]!)).some((x) => x.id === 'rabbitmq-watermark-over-limit')).toBe(false);
  });
});

describe('mongodb', () => {
  it.each([
    ['2GiB', 'limit', 512], // 0.5 × (2048 − 1024)
    ['1GiB', 'limit', 256], // the 256 MB floor
    ['1GiB', 'host', 0.5 * (4096 - 1024)], // an old mongod reads the host's RAM
    [null, 'limit', 0.5 * (4096 - 1024)],
  ] as const)('limit %s, memory from %s: the default cache is %s MiB', (limit, memorySource, cache) => {
    expect(mongodbCacheMib(svc<'mongodb'>({ name: 'm', kind: 'mongodb', limit, settings: { memorySource } }), 4096)).toBeCloseTo(cache, 6);
  });

  it('finds the default cache on a small limit and no limit at all', () => {
    const small: Svc[] = [{ name: 'm', kind: 'mongodb', limit: '1GiB', settings: { memorySource: 'host' } }];
    const f = findingsOf(small).find((x) => x.id === 'mongodb-cache-over-limit')!;
    expect(f.message).toMatch(/SERVER-16571/);
    expect(findingsOf(applied(small, f.fix.changes[0]!)).some((x) => x.id === 'mongodb-cache-over-limit')).toBe(false);
    expect(findingsOf([{ name: 'm', kind: 'mongodb' }]).some((x) => x.id === 'mongodb-cache-host-ram')).toBe(true);
  });
});

describe('clickhouse', () => {
  it.each([
    ['2GiB', 'limit', undefined, 0.9 * 2048],
    [null, 'limit', undefined, 0.9 * 4096],
    ['2GiB', 'host', undefined, 0.9 * 4096],
    ['2GiB', 'limit', '1GiB', 1024],
  ] as const)('limit %s, from %s, max_server_memory_usage %s: the cap is %s MiB', (limit, memorySource, maxServerMemory, cap) => {
    expect(clickhouseCapMib(svc<'clickhouse'>({ name: 'c', kind: 'clickhouse', limit, settings: { memorySource, ...(maxServerMemory ? { maxServerMemory } : {}) } }), 4096)).toBeCloseTo(cap, 6);
  });

  it('finds the 5 GiB mark cache and the default cap on a small host, and their fixes clear them', () => {
    const services: Svc[] = [{ name: 'ch', kind: 'clickhouse', limit: '2GiB' }];
    const found = findingsOf(services);
    for (const id of ['clickhouse-mark-cache-large', 'clickhouse-server-memory-over-limit']) {
      const f = found.find((x) => x.id === id)!;
      expect(f, id).toBeDefined();
      expect(findingsOf(applied(services, f.fix.changes[0]!)).some((x) => x.id === id)).toBe(false);
    }
    expect(found.some((x) => x.id === 'clickhouse-small-limit')).toBe(true);
    expect(findingsOf([{ name: 'ch', kind: 'clickhouse' }]).some((x) => x.id === 'clickhouse-sized-for-host')).toBe(true);
  });
});

describe('dragonfly and minio', () => {
  it('dragonfly: maxmemory defaults to the limit, and each thread needs 256 MiB of it', () => {
    expect(dragonflyMaxmemory(svc<'dragonfly'>({ name: 'd', kind: 'dragonfly', limit: '1GiB' }), 4096)).toBe(1024);
    const f = findingsOf([{ name: 'd', kind: 'dragonfly', limit: '1GiB', settings: { maxmemory: '512MiB', threads: 4 } }]).find((x) => x.id === 'dragonfly-maxmemory-per-thread')!;
    expect(f.fix.changes[0]).toEqual({ service: 'd', key: 'settings.threads', value: 2 });
  });

  it('dragonfly: the default maxmemory (the whole limit) is flagged, and the fix clears it', () => {
    const services: Svc[] = [{ name: 'd', kind: 'dragonfly', limit: '1GiB', settings: { threads: 2 } }];
    const f = findingsOf(services).find((x) => x.id === 'dragonfly-maxmemory-over-limit')!;
    expect(findingsOf(applied(services, f.fix.changes[0]!)).some((x) => x.id === 'dragonfly-maxmemory-over-limit')).toBe(false);
  });

  it('minio: 75% of the limit in 2 MiB requests by default; a request cap that fits clears the finding', () => {
    expect(minioRequestsMax(svc<'minio'>({ name: 'm', kind: 'minio', limit: '1GiB' }), 4096)).toBe(384);
    const services: Svc[] = [{ name: 'm', kind: 'minio', limit: '512MiB' }];
    const f = findingsOf(services).find((x) => x.id === 'minio-requests-over-limit')!;
    expect(findingsOf(applied(services, f.fix.changes[0]!)).some((x) => x.id === 'minio-requests-over-limit')).toBe(false);
  });
});

describe('bounds the servers accept', () => {
  it.each<[string, Svc, RegExp]>([
    ['a zero buffer pool', { name: 'a', kind: 'mysql', settings: { bufferPool: '0' } }, /innodb_buffer_pool_size from 5 MiB/],
    ['a WiredTiger cache under 0.25 GB', { name: 'a', kind: 'mongodb', settings: { cacheSize: '100MiB' } }, /wiredTigerCacheSizeGB from 256 MiB/],
    ['memcached -m 0', { name: 'a', kind: 'memcached', settings: { memory: '0' } }, /-m/],
    ['a relative watermark above 1', { name: 'a', kind: 'rabbitmq', settings: { watermark: 1.5 } }, /relative vm_memory_high_watermark from 0 to 1/],
  ])('refuses %s, naming the range', (_name, service, message) => {
    const r = planParse({ host: { ram: '4GiB' }, services: [service] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.message).join('; ')).toMatch(message);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: usage monotone in each memory setting; the tuned value's high usage fits the limit.

type Case<K extends ServiceKind> = { model: SettingModel<K>; make: (limit: number) => Svc };
const TUNED: Case<ServiceKind>[] = [
  { model: MYSQL_BUFFER_POOL as SettingModel<ServiceKind>, make: (limit) => ({ name: 's', kind: 'mysql', limit, settings: { clients: 10 } }) },
  { model: MEMCACHED_MEMORY as SettingModel<ServiceKind>, make: (limit) => ({ name: 's', kind: 'memcached', limit }) },
  { model: RABBITMQ_WATERMARK as SettingModel<ServiceKind>, make: (limit) => ({ name: 's', kind: 'rabbitmq', limit }) },
  { model: MONGODB_CACHE as SettingModel<ServiceKind>, make: (limit) => ({ name: 's', kind: 'mongodb', limit }) },
  { model: CLICKHOUSE_SERVER_MEMORY as SettingModel<ServiceKind>, make: (limit) => ({ name: 's', kind: 'clickhouse', limit }) },
  { model: DRAGONFLY_MAXMEMORY as SettingModel<ServiceKind>, make: (limit) => ({ name: 's', kind: 'dragonfly', limit, settings: { threads: 1 } }) },
];

describe('properties of the tuned settings', () => {
  it.each(TUNED.map((c) => [c.model.label, c] as const))('%s: the high usage never falls as the setting grows', (_label, c) => {
    fc.assert(fc.property(fc.integer({ min: 64, max: 65536 }), fc.integer({ min: 0, max: 32768 }), fc.integer({ min: 1, max: 32768 }), (limit, a, d) => {
      const s = svc(c.make(limit));
      const lo = c.model.min(s) + a;
      return c.model.high(s, lo) <= c.model.high(s, lo + d) + 1e-9;
    }), { seed: 10, numRuns: 200 });
  });

  it.each(TUNED.map((c) => [c.model.label, c] as const))('%s: the recommended value\'s high usage fits the limit, by the kind\'s own usage', (_label, c) => {
    fc.assert(fc.property(fc.integer({ min: 64, max: 65536 }), (limit) => {
      const s = svc(c.make(limit));
      const t = tuneSetting(c.model, s);
      if (t.recommended === null) return !t.fits && t.minLimit !== null && t.minLimit > limit;
      const tuned = { ...c.make(limit), settings: { ...(c.make(limit).settings ?? {}), [c.model.key]: t.recommended } } as Svc;
      return t.recommended >= c.model.min(s) && usage([tuned]).high <= limit + 1e-6;
    }), { seed: 11, numRuns: 200 });
  });
});
