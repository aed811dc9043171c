/**
 * The workload links the services: users → requests → database transactions (Little's law:
 * concurrency = rate × time held) → Postgres backends, after the semantic cache and pgBouncer.
 */
import type { Plan, ServiceOf } from './schema.ts';
import type { Range, Traffic } from './report.ts';
import { POSTGRES_DEFAULTS } from './kinds/postgres/settings.ts';

/** Burst factor from mean to "high" concurrency. Assumed: Poisson arrivals at these rates put the
 * p99 of concurrent requests near 3× the mean once the mean is a few requests. */
const BURST_HIGH = 3;
/** Quiet periods: half the mean. Assumed, as the low end of a daily cycle. */
const BURST_LOW = 0.5;

/** Connections the app can open: replicas × workers × (pool_size + max_overflow) (memory-model.md, SQLAlchemy QueuePool). */
export function appConnections(plan: Plan): number {
  let total = 0;
  for (const s of plan.services) {
    if (s.kind === 'fastapi') total += s.settings.replicas * s.settings.workers * (s.settings.poolSize + s.settings.maxOverflow);
  }
  return total;
}

/** Connections the app keeps open once warm: QueuePool retains up to pool_size per worker. */
function appPersistentConnections(plan: Plan): number {
  let total = 0;
  for (const s of plan.services) {
    if (s.kind === 'fastapi') total += s.settings.replicas * s.settings.workers * s.settings.poolSize;
  }
  return total;
}

function appWorkers(plan: Plan): number {
  let total = 0;
  for (const s of plan.services) if (s.kind === 'fastapi') total += s.settings.replicas * s.settings.workers;
  return total;
}

type Point = keyof Range;
const range = (low: number, typical: number, high: number): Range => ({ low, typical, high });
/** A range computed point by point. */
const byPoint = (f: (point: Point) => number): Range => range(f('low'), f('typical'), f('high'));
const mapRange = (r: Range, f: (v: number) => number): Range => byPoint((p) => f(r[p]));
/** A count of things in flight: at least one once there is any traffic. */
const atLeastOne = (raw: number) => (raw > 0 ? Math.max(1, Math.ceil(raw)) : 0);

/** The traffic of one scenario: `multiplier` scales the active users (1 normal, spike × for the spike). */
export function trafficOf(plan: Plan, multiplier: number): Traffic {
  const w = plan.workload;
  const activeUsers = w.activeUsers * multiplier;
  const rps = (activeUsers * w.requestsPerUserPerMinute) / 60;
  const hit = plan.features.semanticCache ? w.cacheHitRate : 0;
  // The seed's 40–60% hit rate: the low usage end meets the better hit rate.
  const hitRange = plan.features.semanticCache ? range(Math.min(1, hit + 0.1), hit, Math.max(0, hit - 0.1)) : range(0, 0, 0);
  const dbQps = rps * (1 - hit);
  const connections = appConnections(plan);
  const hasApp = plan.services.some((s) => s.kind === 'fastapi');
  const pg = plan.services.find((s): s is ServiceOf<'postgres'> => s.kind === 'postgres');
  const pgCap = pg ? Math.max(0, pg.settings.maxConnections - POSTGRES_DEFAULTS.superuserReservedConnections) : 0;

  // Little's law: concurrent transactions = arrival rate × time each holds a connection.
  const meanActive = (point: Point) => rps * (1 - hitRange[point]) * (w.dbTimePerRequestMs / 1000);
  const burst = { low: BURST_LOW, typical: 1, high: BURST_HIGH } as const;
  // The app cannot run more transactions than it has connections (when it has an app at all).
  const activeQueries = byPoint((p) => {
    const a = atLeastOne(meanActive(p) * burst[p]);
    return hasApp ? Math.min(a, connections) : a;
  });

  const backends = backendsOf(plan, activeQueries, connections, pgCap);
  const inFlight = byPoint((p) => atLeastOne(rps * (w.requestTimeMs / 1000) * burst[p]));
  // Semantic cache: every miss writes one entry that lives for the TTL (the seed: setex ttl=600).
  const cacheMiB = plan.features.semanticCache
    ? mapRange(hitRange, (h) => rps * (1 - h) * w.cacheTtlSeconds * w.cacheEntrySize)
    : range(0, 0, 0);

  return {
    activeUsers,
    requestsPerSecond: rps,
    dbQueriesPerSecond: dbQps,
    appConnections: connections,
    activeQueries,
    backends,
    inFlightRequests: inFlight,
    cacheMiB,
  };
}

/** How many Postgres client backends exist, directly or behind pgBouncer (memory-model.md). */
function backendsOf(plan: Plan, active: Range, connections: number, pgCap: number): Range {
  const workers = appWorkers(plan);
  const persistent = appPersistentConnections(plan);
  const capped = (n: number) => Math.min(n, pgCap);
  // Direct: each worker holds at least one connection once warm; pools keep up to pool_size
  // after a busy moment; a slow-query pile-up opens every overflow connection (the seed's trigger).
  const direct = range(
    capped(Math.min(connections, Math.max(workers, active.low))),
    capped(Math.min(connections, Math.max(workers, Math.min(persistent, active.high)))),
    capped(connections),
  );
  const bouncer = plan.services.find((s): s is ServiceOf<'pgbouncer'> => s.kind === 'pgbouncer');
  if (!bouncer) return direct;
  const b = bouncer.settings;
  const poolCap = b.pools * (b.defaultPoolSize + b.reservePoolSize);
  if (b.poolMode === 'session') {
    // Session mode: one server connection per client connection, up to the pool.
    return mapRange(direct, (v) => Math.min(v, capped(poolCap)));
  }
  // Transaction/statement mode: a server connection per concurrent transaction; idle ones stay
  // open until server_idle_timeout, so the pool fills to the busiest moment (pgbouncer.org config).
  return range(
    capped(Math.min(poolCap, active.low, direct.low)),
    capped(Math.min(poolCap, active.high, direct.typical)),
    capped(Math.min(poolCap, direct.high)),
  );
}

/**
 * Concurrent database transactions at the plan's spike: the typical concurrency (Little's law,
 * after the semantic cache, at most the app's connections) at active users × spike, at least 1.
 * What the tuners size pools and work_mem for.
 */
export function activeAtSpike(plan: Plan): number {
  return Math.max(1, trafficOf(plan, plan.workload.spike).activeQueries.typical);
}
