import { describe, expect, it } from 'vitest';
import { planOf } from '../testing.ts';
import { trafficOf } from '../traffic.ts';
import { serviceUsage } from './index.ts';
import { redisSafeMaxmemory } from './redis.ts';
import { walBuffersFor } from './postgres/settings.ts';
import { planParse, type PlanInput, type ServiceKind } from '../schema.ts';
import { evaluate } from '../evaluate.ts';
import { sizeParse } from '../units.ts';

/** Usage of the first service in a plan of these services, on 4 GiB, 1000 users. */
function usage(services: PlanInput['services'], extra: Partial<PlanInput> = {}) {
  const plan = planOf({ host: { ram: '4GiB' }, services, ...extra });
  const traffic = trafficOf(plan, 1);
  const count = (k: ServiceKind) => plan.services.filter((s) => s.kind === k).length || 1;
  return serviceUsage(plan.services[0]!, { plan, traffic, countOf: count });
}

const part = (u: ReturnType<typeof usage>, name: string) => u.components.find((c) => c.name === name);

describe('every model', () => {
  it.each<[string, PlanInput['services'][number]]>([
    ['fastapi', { name: 'a', kind: 'fastapi' }],
    ['postgres', { name: 'a', kind: 'postgres' }],
    ['redis', { name: 'a', kind: 'redis', settings: { maxmemory: '100m' } }],
    ['pgbouncer', { name: 'a', kind: 'pgbouncer' }],
    ['prometheus', { name: 'a', kind: 'prometheus' }],
    ['grafana', { name: 'a', kind: 'grafana' }],
    ['alertmanager', { name: 'a', kind: 'alertmanager' }],
    ['generic', { name: 'a', kind: 'generic' }],
  ])('%s: low ≤ typical ≤ high, and the components add up', (_kind, service) => {
    const u = usage([service]);
    expect(u.low).toBeLessThanOrEqual(u.typical);
    expect(u.typical).toBeLessThanOrEqual(u.high);
    expect(u.low).toBeGreaterThan(0);
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

describe('fastapi', () => {
  it.each([
    // workers, perWorker, preload → typical workers part
    [1, 100, false, 100],
    [3, 110, false, 330],
    [4, 131, true, 4 * 131], // --preload saves nothing typically (measured: calibration/fastapi.json); only the low end shares
  ])('%s workers × %s MiB (preload %s) → %s MiB of workers', (workers, perWorker, preload, expected) => {
    const u = usage([{ name: 'a', kind: 'fastapi', settings: { workers, perWorker, preload } }]);
    expect(part(u, 'workers')!.MiB).toBeCloseTo(expected, 0);
  });

  it('grows with replicas', () => {
    const one = usage([{ name: 'a', kind: 'fastapi', settings: { replicas: 1 } }]);
    const two = usage([{ name: 'a', kind: 'fastapi', settings: { replicas: 2 } }]);
    expect(part(two, 'workers')!.MiB).toBeCloseTo(2 * part(one, 'workers')!.MiB, 6);
  });
});

describe('postgres', () => {
  it.each([
    [128, 4],
    [200, 6.25],
    [1024, 16],
    [1, 64 / 1024],
  ])('wal_buffers for shared_buffers %s MiB is %s MiB (xlog.c)', (sb, wal) => expect(walBuffersFor(sb)).toBeCloseTo(wal, 6));

  it("TimescaleDB's background workers: the launcher and a scheduler at rest, one job typically, every worker busy at high; none without them", () => {
    const plain = usage([{ name: 'db', kind: 'postgres' }]);
    expect(part(plain, 'extension workers')).toBeUndefined();
    const ts = usage([{ name: 'db', kind: 'postgres', settings: { backgroundWorkers: 16 } }]);
    const w = ts.components.find((c) => c.name === 'extension workers')!;
    expect(w.low).toBeCloseTo(2 * 1, 6);
    expect(w.MiB).toBeCloseTo(3 * 1.2 + 4 * 0.02, 6);
    expect(w.high).toBeCloseTo(17 * (12 + 4 * 6), 6); // 16 workers and the launcher, each a backend with 3 × hash_mem_multiplier work_mem nodes
    expect(ts.high - plain.high).toBeCloseTo(w.high, 6);
    // Monotone in the setting.
    const more = usage([{ name: 'db', kind: 'postgres', settings: { backgroundWorkers: 17 } }]);
    expect(more.high).toBeGreaterThan(ts.high);
  });

  it('charges shared_buffers with its descriptors (8400 bytes per 8 kB page)', () => {
    const u = usage([{ name: 'db', kind: 'postgres', settings: { sharedBuffers: '200MiB' } }]);
    expect(part(u, 'shared_buffers')!.MiB).toBeCloseTo(200 * (8400 / 8192), 6);
  });

  it('prices backends at 1 / 1.2 / 12 MiB each from the app pools', () => {
    const u = usage([
      { name: 'db', kind: 'postgres', settings: { maxConnections: 50 } },
      { name: 'api', kind: 'fastapi', settings: { workers: 3, poolSize: 5, maxOverflow: 10 } },
    ]);
    const b = part(u, 'backends')!;
    expect(b.high).toBe(45 * 12); // every pool and overflow: 3 × 15
    expect(b.low).toBe(3 * 1); // one connection per worker
  });

  it('caps backends at max_connections minus the reserved', () => {
    const u = usage([
      { name: 'db', kind: 'postgres', settings: { maxConnections: 20 } },
      { name: 'api', kind: 'fastapi', settings: { workers: 4, poolSize: 10, maxOverflow: 10 } },
    ]);
    expect(part(u, 'backends')!.high).toBe(17 * 12);
  });

  it('budgets autovacuum at workers × maintenance_work_mem at the high end', () => {
    const u = usage([{ name: 'db', kind: 'postgres', settings: { autovacuumMaxWorkers: 3, maintenanceWorkMem: '64MiB' } }]);
    expect(part(u, 'autovacuum')).toMatchObject({ low: 0, high: 192 });
  });
});

describe('redis', () => {
  it('bounds an LRU cache at maxmemory (plus a small overshoot) at the high end', () => {
    const u = usage([{ name: 'r', kind: 'redis', settings: { maxmemory: '256MiB', policy: 'allkeys-lru', persistence: 'none' } }]);
    expect(part(u, 'data')!.high).toBeCloseTo(256 * 1.02, 6);
    expect(part(u, 'fork copy-on-write')).toBeUndefined();
  });

  it('adds the fork copy-on-write only with persistence', () => {
    const rdb = usage([{ name: 'r', kind: 'redis', settings: { maxmemory: '256MiB', persistence: 'rdb', policy: 'allkeys-lru' } }]);
    expect(part(rdb, 'fork copy-on-write')!.high).toBeGreaterThan(256);
    const aof = usage([{ name: 'r', kind: 'redis', settings: { maxmemory: '256MiB', persistence: 'aof' } }]);
    expect(part(aof, 'aof buffers')).toBeDefined();
  });

  it('holds semantic-cache entries: misses × TTL × entry size', () => {
    const without = usage([{ name: 'r', kind: 'redis', settings: { maxmemory: '2GiB' } }]);
    const withCache = usage([{ name: 'r', kind: 'redis', settings: { maxmemory: '2GiB' } }], { features: { semanticCache: true } });
    // 1000 users × 6/min = 100 req/s; 50% misses × 600 s × 4 KiB = 117 MiB
    expect(part(withCache, 'data')!.MiB - part(without, 'data')!.MiB).toBeCloseTo((100 * 0.5 * 600 * 4) / 1024, 3);
  });

  it.each([
    [300, 'rdb'], [300, 'none'], [1024, 'aof'], [64, 'rdb'],
  ] as const)('redisSafeMaxmemory(%s, %s) makes the high usage fit the limit exactly', (limit, persistence) => {
    const mm = redisSafeMaxmemory(limit, persistence);
    const u = usage([{ name: 'r', kind: 'redis', limit, settings: { maxmemory: mm, persistence, policy: 'allkeys-lru' } }]);
    expect(u.high).toBeCloseTo(limit, 3);
  });

  it("redis-stack's modules add their reported resident memory at rest (RediSearch#3088: 14.5, #3006: 20.8 MiB), beside the data", () => {
    const base = { maxmemory: '256MiB', policy: 'allkeys-lru' as const };
    const plain = usage([{ name: 'r', kind: 'redis', settings: base }]);
    const stack = usage([{ name: 'r', kind: 'redis', settings: { ...base, modules: true } }]);
    const m = part(stack, 'modules (RediSearch, RedisJSON…)')!;
    expect([m.low, m.high]).toEqual([14.5, 20.8]);
    expect(m.MiB).toBeCloseTo((14.5 + 20.8) / 2, 1);
    expect(stack.high - plain.high).toBeCloseTo(20.8, 6);
    expect(part(plain, 'modules (RediSearch, RedisJSON…)')).toBeUndefined();
  });

  it("KeyDB's server threads: each beyond the first adds 1.97 MiB (KeyDB#103), 4.47 at the high end (KeyDB#271); usage is monotone in the count", () => {
    const at = (serverThreads?: number) => usage([{ name: 'r', kind: 'redis', settings: { maxmemory: '128MiB', ...(serverThreads ? { serverThreads } : {}) } }]);
    expect(part(at(1), 'server threads')).toBeUndefined();
    expect(at(1).typical).toBeCloseTo(at().typical, 9);
    const t4 = part(at(4), 'server threads')!;
    expect(t4.MiB).toBeCloseTo(3 * 1.97, 6);
    expect(t4.high).toBeCloseTo(3 * 4.47, 6);
    for (let n = 1; n < 16; n++) {
      expect(at(n + 1).typical).toBeGreaterThan(at(n).typical);
      expect(at(n + 1).high).toBeGreaterThan(at(n).high);
    }
    expect(() => usage([{ name: 'r', kind: 'redis', settings: { serverThreads: 0 } }])).toThrow(/serverThreads/);
  });

  it('the safe maxmemory leaves room for the modules and the threads: the tuned high fits the limit exactly', () => {
    for (const settings of [{ modules: true }, { serverThreads: 4 }, { modules: true, insight: true }] as const) {
      for (const limit of [300, 1024]) {
        const probe = usage([{ name: 'r', kind: 'redis', limit, settings: { maxmemory: '64MiB', persistence: 'rdb', policy: 'allkeys-lru', ...settings } }]);
        const beside = probe.components.filter((c) => /modules|server threads|Redis Insight/.test(c.name)).reduce((n, c) => n + c.high, 0);
        const mm = redisSafeMaxmemory(limit, 'rdb', beside);
        const u = usage([{ name: 'r', kind: 'redis', limit, settings: { maxmemory: mm, persistence: 'rdb', policy: 'allkeys-lru', ...settings } }]);
        expect(u.high).toBeCloseTo(limit, 3);
      }
    }
  });

  it("redis/redis-stack's Redis Insight (a Node.js app beside the server) counts at the node kind's default, and the safe maxmemory leaves room for it", () => {
    const plain = usage([{ name: 'r', kind: 'redis', settings: { maxmemory: '256MiB', policy: 'allkeys-lru' } }]);
    const stack = usage([{ name: 'r', kind: 'redis', settings: { maxmemory: '256MiB', policy: 'allkeys-lru', insight: true } }]);
    const insight = part(stack, 'Redis Insight (Node.js)')!;
    expect([insight.low, insight.MiB, insight.high].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([64, 80, 112]);
    expect(stack.high - plain.high).toBeCloseTo(112, 6);
    for (const limit of [300, 1024]) {
      const mm = redisSafeMaxmemory(limit, 'rdb', 112);
      const u = usage([{ name: 'r', kind: 'redis', limit, settings: { maxmemory: mm, persistence: 'rdb', policy: 'allkeys-lru', insight: true } }]);
      expect(u.high).toBeCloseTo(limit, 3);
    }
    // The finding's fix leaves room for Redis Insight: applying it clears the finding, and the high fits the limit.
    const svc = { name: 'r', kind: 'redis' as const, limit: '512MiB', settings: { maxmemory: '300MiB', policy: 'allkeys-lru' as const, persistence: 'none' as const, insight: true } };
    const f = evaluate(planOf({ host: { ram: '4GiB' }, services: [svc] })).findings.find((x) => x.id === 'redis-maxmemory-headroom')!;
    expect(f).toBeDefined();
    const parsed = sizeParse(f.fix.changes[0]!.value as string);
    if (!parsed.ok) throw new Error('the fix is not a size');
    const fixed = parsed.value;
    expect(fixed).toBeLessThan(redisSafeMaxmemory(512, 'none'));
    const after = { ...svc, settings: { ...svc.settings, maxmemory: fixed } };
    expect(evaluate(planOf({ host: { ram: '4GiB' }, services: [after] })).findings.map((x) => x.id)).not.toContain('redis-maxmemory-headroom');
    expect(usage([after]).high).toBeLessThanOrEqual(512);
  });
});

describe('pgbouncer, prometheus, the fixed ones', () => {
  it('pgbouncer costs about 7 KiB per connection (measured, calibration/pgbouncer.json)', () => {
    const u = usage([{ name: 'b', kind: 'pgbouncer', settings: { maxClientConn: 1000 } }]);
    expect(part(u, 'client connections')!.high).toBeCloseTo(1000 * 7 / 1024, 6);
  });

  it.each([[10_000, 3 * 10_000 / 1024], [50_000, 3 * 50_000 / 1024]])('prometheus with %s series holds %s MiB of head series typically', (series, mib) => {
    const u = usage([{ name: 'p', kind: 'prometheus', settings: { series } }]);
    expect(part(u, 'head series')!.MiB).toBeCloseTo(mib, 6);
  });

  it('a faster scrape holds more samples; a longer retention costs more at query time', () => {
    const slow = usage([{ name: 'p', kind: 'prometheus', settings: { scrapeInterval: '30s', retention: '7d' } }]);
    const fast = usage([{ name: 'p', kind: 'prometheus', settings: { scrapeInterval: '15s', retention: '30d' } }]);
    expect(part(fast, 'head samples')!.MiB).toBeCloseTo(2 * part(slow, 'head samples')!.MiB, 6);
    expect(part(fast, 'queries')!.high).toBeGreaterThan(part(slow, 'queries')!.high);
  });

  it('a generic service uses what the plan says; low above high is refused with its path (issue 17)', () => {
    const u = usage([{ name: 'g', kind: 'generic', settings: { usage: { low: '100m', typical: '200m', high: '300m' } } }]);
    expect([u.low, u.typical, u.high]).toEqual([100, 200, 300]);
    const r = planParse({ host: { ram: '4GiB' }, services: [{ name: 'g', kind: 'generic', settings: { usage: { low: '300m', typical: '100m', high: '200m' } } }] });
    expect(r.ok ? [] : r.issues).toEqual([{ path: 'services[0].settings.usage.low', message: 'expected low ≤ typical ≤ high' }]);
  });
});
