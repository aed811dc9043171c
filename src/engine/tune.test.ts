import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planParse, type Plan, type PlanInput, type ServiceOf } from './schema.ts';
import { planOf } from './testing.ts';
import { presetGet, PRESET_NAMES } from './presets.ts';
import { planTune, TuneError, tuneContext, tunePlan } from './tune.ts';
import { PG_TUNE, tunePostgres } from './kinds/postgres/tune.ts';
import { walBuffersFor } from './kinds/postgres/settings.ts';
import { tunePgbouncer } from './kinds/pgbouncer.ts';
import { tuneRedis } from './kinds/redis.ts';
import { activeAtSpike, trafficOf } from './traffic.ts';
import { arbitraryPlan } from './arbitrary.ts';
import { evaluate } from './evaluate.ts';
import { redisSafeMaxmemory } from './kinds/redis.ts';
import { roundDownSize } from './policy.ts';

const parse = (input: PlanInput): Plan => {
  const r = planParse(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.plan;
};
const pgOf = (p: Plan) => p.services.find((s): s is ServiceOf<'postgres'> => s.kind === 'postgres')!;
const redisOf = (p: Plan) => p.services.find((s): s is ServiceOf<'redis'> => s.kind === 'redis')!;

function stack(o: { pgLimit: number; workers: number; pool: number; overflow: number; users: number; bouncer: boolean; redisLimit: number; persistence: 'none' | 'rdb' | 'aof' }): Plan {
  return parse({
    host: { ram: '16GiB' },
    workload: { activeUsers: o.users },
    features: { pgbouncer: o.bouncer },
    services: [
      { name: 'app', kind: 'fastapi', limit: '1GiB', settings: { workers: o.workers, poolSize: o.pool, maxOverflow: o.overflow } },
      { name: 'db', kind: 'postgres', limit: o.pgLimit },
      { name: 'cache', kind: 'redis', limit: o.redisLimit, settings: { persistence: o.persistence } },
      ...(o.bouncer ? [{ name: 'pgbouncer', kind: 'pgbouncer' as const, limit: 32, settings: { poolMode: 'transaction' as const } }] : []),
    ],
  });
}

const stackArb = fc.record({
  pgLimit: fc.integer({ min: 256, max: 16384 }),
  workers: fc.integer({ min: 1, max: 8 }),
  pool: fc.integer({ min: 1, max: 10 }),
  overflow: fc.integer({ min: 0, max: 10 }),
  users: fc.integer({ min: 10, max: 20000 }),
  bouncer: fc.boolean(),
  redisLimit: fc.integer({ min: 16, max: 4096 }),
  persistence: fc.constantFrom('none' as const, 'rdb' as const, 'aof' as const),
});

describe('tunePostgres', () => {
  it('on the 4gb preset: max_connections from the pools, and settings squeezed until the engine\'s high usage fits 800MB', () => {
    const plan = parse(presetGet('4gb'));
    const t = tunePostgres(plan, pgOf(plan), tuneContext(plan));
    expect(t.limit).toBe(800);
    // 3 workers × (5 + 10) app connections + 1 exporter + 5 admin + 3 superuser-reserved.
    expect(t.recommended.maxConnections).toBe(45 + 1 + 5 + 3);
    // 45 backends × 12 MiB at the high end leave no room for 25% shared_buffers: work_mem goes
    // to 1MB, maintenance_work_mem to 16MB, shared_buffers down from 200MB until it fits.
    expect(t.recommended.workMem).toBe(1);
    expect(t.recommended.maintenanceWorkMem).toBe(16);
    expect(t.recommended.sharedBuffers).toBe(127);
    expect(t.fits).toBe(true);
    expect(t.recommendedHigh).toBeLessThanOrEqual(800);
    expect(t.minLimit).toBe(1152); // where the usual 25% would fit
    // The setting in PostgreSQL's syntax, the limit in words (issue 16: one size format in prose).
    expect(t.explain.sharedBuffers).toContain('lowered from 200MB');
    expect(t.explain.sharedBuffers).toContain('the 800 MiB limit (a 1.13 GiB limit would keep 200MB)');
    // The budget is the model's high end in the ×5 spike: more active queries than in normal
    // traffic put it over 800MB even at work_mem 1MB (what the spike-over-limit warning says).
    expect(t.recommendedBudget.fits).toBe(false);
    expect(t.recommended.effectiveCacheSize).toBe(600);
    expect(t.explain.workMem).toContain('even at 1MB');
    expect(t.explain.workMem).toContain('over the 800 MiB limit');
  });

  it('keeps the usual shares when they fit: 25% shared_buffers on the full preset', () => {
    const plan = parse(presetGet('full'));
    const t = tunePostgres(plan, pgOf(plan), tuneContext(plan));
    expect(t.recommended.sharedBuffers).toBe(512);
    expect(t.recommended.maintenanceWorkMem).toBe(128);
    expect(t.minLimit).toBeNull();
    expect(t.recommendedHigh).toBeLessThanOrEqual(2048);
  });

  it('never lets the recommended settings overrun the limit in the spike unless work_mem is already at its 1MB floor', () => {
    fc.assert(
      fc.property(stackArb, (o) => {
        const plan = stack(o);
        const t = tunePostgres(plan, pgOf(plan), tuneContext(plan));
        const b = t.recommendedBudget;
        // The budget is the model's own high usage in the spike, part by part.
        expect(b.parts.reduce((sum, x) => sum + x.MiB, 0)).toBeCloseTo(b.high, 1);
        if (!b.fits) expect(t.recommended.workMem).toBe(PG_TUNE.workMemMin);
        expect(t.recommended.workMem).toBeGreaterThanOrEqual(PG_TUNE.workMemMin);
        expect(Number.isInteger(t.recommended.workMem)).toBe(true);
        expect(t.recommended.sharedBuffers).toBeLessThanOrEqual(t.limit * PG_TUNE.sharedBuffersMaxShare);
        expect(t.recommended.maxConnections).toBeGreaterThan(t.recommended.superuserReservedConnections);
        expect(t.recommended.autovacuumWorkMem).toBeLessThanOrEqual(t.recommended.maintenanceWorkMem);
      }),
      { seed: 4, numRuns: 300 },
    );
  });

  it('gives more work_mem to a larger limit, all else equal', () => {
    fc.assert(
      fc.property(stackArb, fc.integer({ min: 1, max: 4096 }), (o, extra) => {
        const a = stack(o);
        const b = stack({ ...o, pgLimit: o.pgLimit + extra });
        expect(tunePostgres(b, pgOf(b), tuneContext(b)).recommended.workMem).toBeGreaterThanOrEqual(tunePostgres(a, pgOf(a), tuneContext(a)).recommended.workMem);
      }),
      { seed: 5, numRuns: 200 },
    );
  });

  it('counts pgBouncer server connections instead of the app pools when pgBouncer is on', () => {
    const direct = stack({ pgLimit: 1024, workers: 8, pool: 10, overflow: 10, users: 1000, bouncer: false, redisLimit: 256, persistence: 'none' });
    const pooled = stack({ pgLimit: 1024, workers: 8, pool: 10, overflow: 10, users: 1000, bouncer: true, redisLimit: 256, persistence: 'none' });
    const d = tunePostgres(direct, pgOf(direct), tuneContext(direct));
    const p = tunePostgres(pooled, pgOf(pooled), tuneContext(pooled));
    // 160 app + 0 exporter (no Prometheus) + 5 admin + 3 reserved = 168 would put the 160 backends
    // of a pile-up at 95%: raised to the smallest value with 160 under 90% of it.
    expect(d.recommended.maxConnections).toBe(178);
    expect(d.explain.maxConnections).toContain('raised');
    expect(p.recommended.maxConnections).toBeLessThan(d.recommended.maxConnections);
    expect(p.recommended.workMem).toBeGreaterThan(d.recommended.workMem);
  });

  it('completes the plan with derived values and keeps the planned ones', () => {
    const plan = parse(presetGet('full'));
    const t = tunePostgres(plan, pgOf(plan), tuneContext(plan));
    expect(t.planned.sharedBuffers).toBe(512);
    expect(t.planned.maxConnections).toBe(pgOf(plan).settings.maxConnections);
    expect(t.planned.walBuffers).toBe(16);
    expect(t.planned.effectiveCacheSize).toBe(1536);
  });

  it('uses the host RAM when the service has no limit, and says so', () => {
    const plan = parse({ host: { ram: '2GiB' }, services: [{ name: 'pg', kind: 'postgres' }] });
    const t = tunePostgres(plan, pgOf(plan), tuneContext(plan));
    expect(t.limitFromHost).toBe(true);
    expect(t.limit).toBe(2048);
  });
});

describe('walBuffersFor', () => {
  it('is shared_buffers/32 within [64kB, 16MB] in whole 8kB pages', () => {
    expect(walBuffersFor(128)).toBe(4);
    expect(walBuffersFor(1)).toBe(64 / 1024);
    expect(walBuffersFor(8192)).toBe(16);
    fc.assert(
      fc.property(fc.double({ min: 0.125, max: 65536, noNaN: true }), (sb) => {
        const w = walBuffersFor(sb);
        expect(w).toBeGreaterThanOrEqual(64 / 1024);
        expect(w).toBeLessThanOrEqual(16);
        expect(Number.isInteger((w * 1024) / 8)).toBe(true);
      }),
      { seed: 6 },
    );
  });
});

describe('tuneRedis', () => {
  it('uses the engine\'s own rule (redisSafeMaxmemory, rounded down as the findings do)', () => {
    const p = parse(presetGet('4gb'));
    const t = tuneRedis(redisOf(p));
    // 300MiB with RDB: (300 / 2.5 − 11) / 1.02 = 106.9 → 104, the README's and the finding's figure.
    expect(t.recommendedMaxmemory).toBe(104);
    expect(t.recommendedMaxmemory).toBe(roundDownSize(redisSafeMaxmemory(300, 'rdb')));
    expect(t.plannedSafe).toBe(false); // the seed's 256MB of 300MB with RDB on
    const none = stack({ pgLimit: 512, workers: 1, pool: 1, overflow: 0, users: 10, bouncer: false, redisLimit: 300, persistence: 'none' });
    expect(tuneRedis(redisOf(none)).recommendedMaxmemory).toBe(184); // (300 / 1.5 − 11) / 1.02 = 185.3
    expect(tuneRedis(redisOf(none)).plannedSafe).toBe(false); // maxmemory 0 = unbounded
    const aof = stack({ pgLimit: 512, workers: 1, pool: 1, overflow: 0, users: 10, bouncer: false, redisLimit: 300, persistence: 'aof' });
    expect(tuneRedis(redisOf(aof)).recommendedMaxmemory).toBe(88); // AOF buffers come off first
  });

  it('applying its value clears the redis findings, for any limit that fits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 8192 }), fc.constantFrom('none' as const, 'rdb' as const, 'aof' as const), (limit, persistence) => {
        const plan = stack({ pgLimit: 512, workers: 1, pool: 1, overflow: 0, users: 10, bouncer: false, redisLimit: limit, persistence });
        const t = tuneRedis(redisOf(plan));
        if (!t.fits) {
          expect(t.recommendedMaxmemory).toBeNull();
          expect(t.minLimit!).toBeGreaterThan(limit);
          expect(t.explain).toContain('at least');
          return;
        }
        const tuned = { ...plan, services: plan.services.map((s) => (s.kind === 'redis' ? { ...s, settings: { ...s.settings, maxmemory: t.recommendedMaxmemory! } } : s)) };
        const ids = evaluate(tuned).findings.filter((f) => f.service === 'cache').map((f) => f.id);
        expect(ids).not.toContain('redis-fork-headroom');
        expect(ids).not.toContain('redis-maxmemory-headroom');
        expect(ids).not.toContain('redis-no-maxmemory');
        expect(ids).not.toContain('usage-over-limit');
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('says when a limit is too small for any maxmemory, and the smallest that fits', () => {
    const tiny = stack({ pgLimit: 512, workers: 1, pool: 1, overflow: 0, users: 10, bouncer: false, redisLimit: 32, persistence: 'rdb' });
    const t = tuneRedis(redisOf(tiny));
    expect(t.fits).toBe(false);
    expect(t.minLimit).toBe(48); // (8 × 1.02 + 11) × 2.5 = 47.9
    expect(redisSafeMaxmemory(48, 'rdb')).toBeGreaterThanOrEqual(8);
    expect(redisSafeMaxmemory(40, 'rdb')).toBeLessThan(8);
  });
});

describe('tunePgbouncer', () => {
  it('sizes the pool from the spike, capped by the app, in transaction mode', () => {
    const plan = parse(presetGet('4gb'));
    plan.features.pgbouncer = true;
    plan.services.push({ name: 'pgbouncer', kind: 'pgbouncer', limit: 20, settings: { poolMode: 'session', maxClientConn: 100, defaultPoolSize: 20, reservePoolSize: 0, pools: 1, maxPreparedStatements: 0 } });
    const t = tunePgbouncer(plan, plan.services.at(-1) as ServiceOf<'pgbouncer'>);
    // 1000 users × 5 spike × 6/min / 60 × 20 ms = 10 concurrent transactions → pool 15, reserve 4.
    expect(t.recommended).toEqual({ poolMode: 'transaction', maxClientConn: 100, defaultPoolSize: 15, reservePoolSize: 4, maxDbConnections: 19 });
    expect(t.planned.maxDbConnections).toBe(20);
    expect(t.plannedServer).toBe(20); // session mode: one server connection per client, up to the pool
  });
});

describe('planTune', () => {
  it.each(PRESET_NAMES)('returns a plan whose own settings now equal the recommendations, or the values the rule keeps (%s)', (name) => {
    const r = tunePlan(parse(presetGet(name)));
    const tuned = planTune(parse(presetGet(name)));
    expect(tuned).toEqual(r.plan);
    const kept = (service: string, key: string) => r.kept.find((k) => k.service === service && k.key === key);
    for (const s of tuned.services) {
      if (s.kind === 'postgres') {
        const t = tunePostgres(tuned, s, tuneContext(tuned));
        for (const key of ['maxConnections', 'workMem', 'sharedBuffers', 'maintenanceWorkMem'] as const) {
          if (t.planned[key] !== t.recommended[key]) expect(kept(s.name, key)?.value, `${name}: ${s.name}.${key}`).toBe(t.planned[key]);
        }
        if (!r.kept.some((k) => k.service === s.name)) expect(t.plannedHigh).toBeLessThanOrEqual(t.limit);
      }
      if (s.kind === 'redis' && !kept(s.name, 'maxmemory')) expect(tuneRedis(s).plannedSafe).toBe(true);
    }
  });

  it('keeps the seed\'s own values (4gb preset) and lowers only the defaults, every client being known', () => {
    const r = tunePlan(parse(presetGet('4gb')));
    expect(r.clients).toEqual({ known: true, unknown: [] });
    const pg = pgOf(r.plan);
    // Its own max_connections 50 is raised (54 holds every connection the plan opens); its own
    // shared_buffers 200MB and Redis's maxmemory 256MB stay, though the model would lower them.
    expect(pg.settings.maxConnections).toBe(54);
    expect(pg.settings.sharedBuffers).toBe(200);
    expect(redisOf(r.plan).settings.maxmemory).toBe(256);
    expect(r.kept.map((k) => [k.service, k.key, k.value, k.recommended, k.why])).toEqual([
      ['postgres', 'sharedBuffers', 200, 127, 'own'],
      ['redis', 'maxmemory', 256, 104, 'own'],
    ]);
    expect(r.kept[0]!.message).toBe("postgres: shared_buffers kept at 200 MiB, the plan's own value: a tuned export never lowers it (Headroom's model alone would lower it to 127 MiB)");
    // work_mem and maintenance_work_mem were PostgreSQL's defaults: lowered, since every client is counted.
    expect([pg.settings.workMem, pg.settings.maintenanceWorkMem]).toEqual([1, 16]);
  });
});

describe('the rule: never lower what it cannot see', () => {
  const withWorker = (input: PlanInput): PlanInput => ({ ...input, services: [...input.services, { name: 'worker', kind: 'generic', limit: '256MiB' }] });
  const plane = (): PlanInput => ({
    host: { ram: '4GiB' },
    services: [
      { name: 'api', kind: 'generic', limit: '512MiB', settings: { image: 'makeplane/plane-backend' } },
      { name: 'plane-db', kind: 'postgres', limit: '1GiB', settings: { maxConnections: 1000 } },
      { name: 'cache', kind: 'redis', limit: '512MiB' },
    ],
  });

  it('keeps a user\'s max_connections=1000 and the servers\' defaults when an app is not counted (test/corpus/plane)', () => {
    const r = tunePlan(parse(plane()));
    expect(r.clients).toEqual({ known: false, unknown: ['api'] });
    const pg = pgOf(r.plan);
    expect(pg.settings.maxConnections).toBe(1000);
    expect(pg.settings.workMem).toBe(4); // the default, not raised for queries the model cannot see
    expect(pg.settings.sharedBuffers).toBe(256); // 25% of its own 1 GiB limit: raising is allowed
    expect(redisOf(r.plan).settings.maxmemory).toBe(0); // unbounded is the default, kept
    expect(r.kept.map((k) => [k.key, k.why])).toEqual([['maxConnections', 'own'], ['maxmemory', 'default']]);
    expect(r.kept[1]!.message).toContain('api may connect, and Headroom cannot count its connections');
  });

  it('never sizes a PostgreSQL without a limit from the host\'s RAM', () => {
    const plan = parse({ host: { ram: '4GiB' }, services: [{ name: 'app', kind: 'fastapi', limit: '512MiB' }, { name: 'db', kind: 'postgres', settings: { sharedBuffers: '64MiB' } }] });
    const t = tunePostgres(plan, pgOf(plan), tuneContext(plan));
    expect([t.recommended.sharedBuffers, t.recommended.workMem, t.recommended.maintenanceWorkMem]).toEqual([64, 4, 64]);
    expect(t.recommended.effectiveCacheSize).toBe(4096); // PostgreSQL's default, not 75% of the host
    expect(t.recommended.autovacuumWorkMem).toBe(64); // -1: maintenance_work_mem
    expect(t.explain.sharedBuffers).toContain('never from the host\'s RAM');
    expect(t.recommended.maxConnections).toBe(2 * 15 + 0 + 5 + 3); // connections are still counted
    expect(pgOf(planTune(plan)).settings.sharedBuffers).toBe(64);
  });

  it('does not raise work_mem for clients it cannot count, and says why', () => {
    const known = parse({ host: { ram: '8GiB' }, services: [{ name: 'app', kind: 'fastapi', limit: '512MiB', settings: { workers: 1 } }, { name: 'db', kind: 'postgres', limit: '4GiB' }] });
    const unknown = parse(withWorker({ host: { ram: '8GiB' }, services: [{ name: 'app', kind: 'fastapi', limit: '512MiB', settings: { workers: 1 } }, { name: 'db', kind: 'postgres', limit: '4GiB' }] }));
    expect(tunePostgres(known, pgOf(known), tuneContext(known)).recommended.workMem).toBeGreaterThan(4);
    const t = tunePostgres(unknown, pgOf(unknown), tuneContext(unknown));
    expect(t.recommended.workMem).toBe(4);
    expect(t.explain.workMem).toMatch(/^as planned: worker may run queries Headroom cannot count/);
  });

  it('keeps pgBouncer\'s pool_mode and max_client_conn for clients it cannot count (test/corpus/sentry)', () => {
    const plan = parse(withWorker({
      host: { ram: '4GiB' },
      services: [{ name: 'db', kind: 'postgres', limit: '1GiB' }, { name: 'pgbouncer', kind: 'pgbouncer', limit: '64MiB', settings: { maxClientConn: 10000 } }],
    }));
    const r = tunePlan(plan);
    const b = r.plan.services.find((s): s is ServiceOf<'pgbouncer'> => s.kind === 'pgbouncer')!;
    expect([b.settings.poolMode, b.settings.maxClientConn, b.settings.defaultPoolSize]).toEqual(['session', 10000, 20]);
    expect(r.kept.filter((k) => k.service === 'pgbouncer').map((k) => [k.key, k.why])).toEqual([['poolMode', 'default'], ['maxClientConn', 'own'], ['defaultPoolSize', 'default']]);
  });

  it('over generated plans: a value is lower (or a choice other) only where it was the server\'s default and every client is known', () => {
    let lowered = 0;
    let keptOwn = 0;
    let keptDefault = 0;
    fc.assert(
      fc.property(arbitraryPlan(), (input) => {
        const plan = planOf(input);
        const r = tunePlan(plan);
        for (const s of plan.services) {
          const tuned = r.plan.services.find((x) => x.name === s.name)!;
          const defaults = planOf({ host: { ram: '1GiB' }, services: [{ name: 'x', kind: s.kind }] }).services[0]!.settings as Record<string, unknown>;
          for (const [key, was] of Object.entries(s.settings as Record<string, unknown>)) {
            const now = (tuned.settings as Record<string, unknown>)[key];
            if (JSON.stringify(now) === JSON.stringify(was)) continue;
            const unbounded = s.kind === 'redis' && key === 'maxmemory';
            const rank = (v: unknown) => (unbounded && v === 0 ? Infinity : (v as number));
            const down = typeof was !== 'number' || rank(now) < rank(was);
            if (!down) continue;
            lowered++;
            expect(JSON.stringify(was), `${s.name}.${key}`).toBe(JSON.stringify(defaults[key]));
            expect(r.clients.known, `${s.name}.${key} lowered with clients unknown`).toBe(true);
          }
        }
        keptOwn += r.kept.filter((k) => k.why === 'own').length;
        keptDefault += r.kept.filter((k) => k.why === 'default').length;
        for (const k of r.kept) expect((r.plan.services.find((x) => x.name === k.service)!.settings as Record<string, unknown>)[k.key]).toEqual(k.value);
      }),
      { seed: 20261202, numRuns: 300 },
    );
    // Every branch of the rule is exercised.
    expect(lowered).toBeGreaterThan(20);
    expect(keptOwn).toBeGreaterThan(20);
    expect(keptDefault).toBeGreaterThan(20);
  });
});

/** The findings a tuned plan must not raise: its own limits, Redis's room, the connection lines. */
const TUNED_AWAY = new Set([
  'redis-fork-headroom', 'redis-maxmemory-headroom', 'redis-no-maxmemory',
  'app-connections-exceed-max-connections', 'connections-near-max', 'pgbouncer-pools-exceed-max-connections',
]);
function tripped(plan: Plan): Array<{ id: string; service: string | null }> {
  const r = evaluate(plan);
  const kindOf = new Map(r.services.map((s) => [s.name, s.kind]));
  const tuned = (service: string | null) => service !== null && ['postgres', 'redis'].includes(kindOf.get(service) ?? '');
  return r.findings.filter((f) => TUNED_AWAY.has(f.id) || (f.id === 'usage-over-limit' && tuned(f.service))).map((f) => ({ id: f.id, service: f.service }));
}
const withLimits = (plan: Plan, limits: ReadonlyMap<string, number>): Plan => ({
  ...plan,
  services: plan.services.map((s) => (limits.has(s.name) ? { ...s, limit: limits.get(s.name)! } : s)),
});

describe('a tuned plan and the engine agree (fast-check, seeded)', () => {
  it('planTune(plan) trips none of the findings it tunes for, except on a service whose own value it kept, or tunePlan names the limit that is too small', () => {
    let fit = 0;
    let unfit = 0;
    let clean = 0;
    fc.assert(
      fc.property(arbitraryPlan(), (input) => {
        const plan = planOf(input);
        const r = tunePlan(plan);
        const kept = new Set(r.kept.map((k) => k.service));
        if (r.unfit.length === 0) {
          fit++;
          // A tuned service trips nothing unless the rule kept one of its values (the user's, or
          // a default clients it cannot count rely on): then the finding stays, as it should.
          for (const f of tripped(r.plan)) expect(kept.has(f.service ?? ''), `${f.id} on ${f.service}`).toBe(true);
          if (r.kept.length === 0) {
            clean++;
            expect(tripped(r.plan)).toEqual([]);
          }
          expect(planTune(plan)).toEqual(r.plan);
          return;
        }
        unfit++;
        expect(() => planTune(plan)).toThrow(TuneError);
        // Whatever the tuned plan still trips belongs to a service the tuner named, or kept.
        const named = new Set(r.unfit.map((u) => u.service));
        for (const f of tripped(r.plan)) expect(named.has(f.service ?? '') || kept.has(f.service ?? '')).toBe(true);
        for (const u of r.unfit) {
          expect(u.message).toContain(u.service);
          if (u.reason === 'limit') expect(u.minLimitMiB!).toBeGreaterThan(u.limitMiB!);
        }
        // Given the limits it asks for, the tuner fits and the engine agrees (but for kept values).
        if (r.unfit.every((u) => u.reason === 'limit')) {
          const again = tunePlan(withLimits(plan, new Map(r.unfit.map((u) => [u.service, u.minLimitMiB!]))));
          expect(again.unfit).toEqual([]);
          const keptAgain = new Set(again.kept.map((k) => k.service));
          for (const f of tripped(again.plan)) expect(keptAgain.has(f.service ?? '')).toBe(true);
        }
      }),
      { seed: 20261127, numRuns: 400 },
    );
    // Both branches are exercised, not one by accident.
    expect(fit).toBeGreaterThan(40);
    expect(unfit).toBeGreaterThan(40);
    expect(clean).toBeGreaterThan(5);
  });

  it('is idempotent: tuning a tuned plan changes nothing', () => {
    fc.assert(
      fc.property(arbitraryPlan(), (input) => {
        const once = tunePlan(planOf(input));
        fc.pre(once.unfit.length === 0);
        expect(tunePlan(once.plan).plan).toEqual(once.plan);
      }),
      { seed: 20261128, numRuns: 100 },
    );
  });
});

describe('limits too small for any setting', () => {
  const tiny = () =>
    parse({
      host: { ram: '4GiB' },
      services: [
        { name: 'api', kind: 'fastapi', limit: '1GiB', settings: { workers: 4, poolSize: 10, maxOverflow: 10 } },
        { name: 'db', kind: 'postgres', limit: '256MiB' },
        { name: 'cache', kind: 'redis', limit: '32MiB', settings: { persistence: 'rdb' } },
      ],
    });

  it('names each service, its limit and the smallest limit that fits, and planTune refuses', () => {
    const r = tunePlan(tiny());
    expect(r.unfit.map((u) => [u.service, u.reason, u.limitMiB])).toEqual([
      ['db', 'limit', 256],
      ['cache', 'limit', 32],
    ]);
    const db = r.unfit[0]!;
    // 80 app connections × 12 MiB at the high end are 960 MiB before anything else.
    expect(db.minLimitMiB!).toBeGreaterThan(960);
    expect(db.message).toMatch(/^db: its 256 MiB limit is too small for any settings.*Raise the limit to at least .*pgBouncer/);
    expect(r.unfit[1]!.minLimitMiB).toBe(48);
    expect(r.unfit[1]!.message).toMatch(/^cache: the 32 MiB limit leaves no room for maxmemory 8mb .*at least 48 MiB, or persistence none$/);
    expect(() => planTune(tiny())).toThrow(/db: its 256 MiB limit is too small/);
    const fixed = tunePlan(withLimits(tiny(), new Map([['db', db.minLimitMiB!], ['cache', 48]])));
    expect(fixed.unfit).toEqual([]);
    expect(tripped(fixed.plan)).toEqual([]);
  });

  it.each([
    // limit, fits, shared_buffers, maintenance_work_mem: 80 backends × 12 MiB dominate; between the
    // smallest limit that fits at all and the one where the usual shares fit, the tuner squeezes.
    [1088, false, 272, 68], // refused: even 16MB / 16MB / 1MB is over 1088
    [1152, true, 62, 16], // shared_buffers gives way
    [1536, true, 384, 30], // 25% shared_buffers again, maintenance_work_mem still below limit/16
    [1920, true, 480, 120], // the usual shares fit
  ])('at a %sMiB limit: fits %s, shared_buffers %s, maintenance_work_mem %s', (limit, fits, sb, maint) => {
    const plan = withLimits(tiny(), new Map([['db', limit]]));
    const t = tunePostgres(plan, pgOf(plan), tuneContext(plan));
    expect([t.fits, t.recommended.sharedBuffers, t.recommended.maintenanceWorkMem, t.recommended.workMem]).toEqual([fits, sb, maint, 1]);
    expect(t.minLimit).toBe(limit === 1920 ? null : 1920);
    if (fits) expect(t.recommendedHigh).toBeLessThanOrEqual(limit);
    else expect(t.recommendedHigh).toBeGreaterThan(limit);
  });
});

describe('one model', () => {
  it.each(PRESET_NAMES)('plannedHigh is the engine\'s own high usage of the service (%s)', (name) => {
    const plan = parse(presetGet(name));
    const pg = pgOf(plan);
    const reported = evaluate(plan).services.find((s) => s.name === pg.name)!.usageMiB.high;
    expect(tunePostgres(plan, pg, tuneContext(plan)).plannedHigh).toBeCloseTo(reported, 2);
  });
});

describe('one rule for the workload', () => {
  it('activeAtSpike is traffic.ts\'s typical concurrency in the spike', () => {
    fc.assert(
      fc.property(arbitraryPlan(), (input) => {
        const plan = planOf(input);
        expect(activeAtSpike(plan)).toBe(Math.max(1, trafficOf(plan, plan.workload.spike).activeQueries.typical));
      }),
      { seed: 9, numRuns: 100 },
    );
  });

  it('keeps max_connections over the app\'s connections at the 90% line once the app opens 81 or more', () => {
    for (const workers of [1, 4, 6, 8]) {
      const plan = stack({ pgLimit: 4096, workers, pool: 10, overflow: 10, users: 100, bouncer: false, redisLimit: 256, persistence: 'none' });
      const t = tunePostgres(plan, pgOf(plan), tuneContext(plan));
      const app = workers * 20;
      expect(app).toBeLessThan(0.9 * t.recommended.maxConnections);
      expect(t.recommended.maxConnections).toBe(Math.max(app + 8, Math.floor(app / 0.9) + 1));
    }
  });
});
