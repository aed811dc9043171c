/**
 * Tuning: the settings a service's limit and the connection plan imply.
 *
 * Pure and self-contained (no import of the engine's index), so that the engine can use it for
 * the values of its fixes and the exporters for the values they write. Every constant names its
 * source: memory-model.md (with the source it quotes) or "assumed" with the reason.
 *
 * The shape of each tuner: `planned` completes the plan's own values with what the plan does not
 * say (effective_cache_size, wal_buffers...) and checks them against the limit; `recommended` is
 * what we would set from the limit and the workload alone. The exporters write `planned` and show
 * `recommended` beside it when they differ; `planTune(plan)` applies `recommended` to a plan.
 */
import type { Plan, ServiceOf } from './schema.ts';
import { POSTGRES_DEFAULTS } from './defaults.ts';

// ---------------------------------------------------------------------------------------------
// Constants

export const PG_TUNE = {
  /** memory-model.md: shared_buffers ≈ 25% of the memory PostgreSQL may use (PG docs runtime-config-resource). */
  sharedBuffersShare: 0.25,
  /** memory-model.md: over 40% rarely helps (PG docs). */
  sharedBuffersMaxShare: 0.4,
  /** PG docs: shared_buffers must be at least 128kB; assumed: below 16MB it is not worth tuning. */
  sharedBuffersMin: 16,
  /** memory-model.md: each 8 kB shared buffer costs ~8400 bytes including descriptors. */
  sharedBufferOverhead: 8400 / 8192,
  /** memory-model.md: (1800 + 270 × max_locks_per_transaction) bytes per slot, ~19 kB at the default 64. */
  slotMiB: (1800 + 270 * 64) / 1048576,
  /** memory-model.md starting formula: ~10 MiB of other shared memory. */
  sharedFixed: 10,
  /** memory-model.md: backends = N × 6 typical (field report 6.3 MiB each, nbari/pg_exporter#36). */
  privatePerBackend: 6,
  /** memory-model.md: hash nodes use work_mem × hash_mem_multiplier, 2.0 since PG 15. */
  hashMemMultiplier: POSTGRES_DEFAULTS.hashMemMultiplier,
  /** PG docs: max_parallel_workers default 8 (also bounded by max_worker_processes, default 8). */
  maxParallelWorkers: 8,
  /** memory-model.md: PGTune's effective_cache_size = 3/4 RAM; here of the container limit, because the page cache is charged to the container's cgroup. A planner hint, it allocates nothing. */
  effectiveCacheShare: 0.75,
  /** memory-model.md: PGTune maintenance_work_mem = RAM/16; here of the container limit. */
  maintenanceShare: 1 / 16,
  /** memory-model.md: timescaledb-tune caps maintenance_work_mem at 2047 MB. */
  maintenanceMax: 2047,
  /** assumed: below 16MB index builds spill constantly; PG's own default is 64MB. */
  maintenanceMin: 16,
  /** assumed: each autovacuum worker gets half of one maintenance_work_mem share, so 3 workers together stay under 10% of the limit. */
  autovacuumShare: 1 / 32,
  /** assumed: autovacuum below 8MB rescans indexes far too often. */
  autovacuumMin: 8,
  /** PG docs (before 17): autovacuum never uses more than 1GB for dead tuples. */
  autovacuumMax: 1024,
  /** assumed: 10% of the limit left for the page cache the container needs, allocator slack and one maintenance_work_mem operation (L/16) at a time. */
  safetyShare: 0.1,
  /** PG docs: work_mem minimum is 64kB; assumed: we never advise below 1MB, where most sorts spill. */
  workMemMin: 1,
  /** PG default superuser_reserved_connections (defaults.ts). */
  superuserReserved: POSTGRES_DEFAULTS.superuserReservedConnections,
  /** assumed: psql sessions, migrations and a backup at the same time. */
  adminConnections: 5,
  /** assumed: postgres_exporter keeps one connection open per scrape target. */
  exporterConnections: 1,
  /** memory-model.md: wal_buffers -1 = shared_buffers/32, at least 64kB, at most 16MB (xlog.c). */
  walBuffersMin: 64 / 1024,
  walBuffersMax: 16,
} as const;

export const REDIS_TUNE = {
  /** memory-model.md: safe maxmemory ≈ 0.8 × limit without persistence. */
  shareWithoutPersistence: 0.8,
  /** memory-model.md: ≈ 0.45 × limit with RDB/AOF: the forked child's copy-on-write is charged to the same cgroup (Redis docs, admin). */
  shareWithPersistence: 0.45,
} as const;

export const PGBOUNCER_TUNE = {
  /** assumed: 1.5 × the spike's concurrent transactions, so a burst rarely waits for a server connection. */
  poolPerActive: 1.5,
  /** assumed: small pools below 5 starve on a single slow query. */
  poolMin: 5,
  /** assumed: a reserve of a quarter of the pool (at least 2) for bursts, used after reserve_pool_timeout. */
  reserveShare: 0.25,
  reserveMin: 2,
  /** assumed: 20% more client slots than the app can open, for admin tools and restarts that overlap. */
  clientMargin: 1.2,
  /** pgbouncer.org config: max_client_conn default 100; never advise fewer. */
  clientMin: 100,
} as const;

// ---------------------------------------------------------------------------------------------
// The workload, as far as tuning needs it

/** Connections the app can open: replicas × workers × (pool_size + max_overflow) (memory-model.md, SQLAlchemy QueuePool). */
export function appConnectionsOf(plan: Plan): number {
  let total = 0;
  for (const s of plan.services) {
    if (s.kind === 'fastapi') total += s.settings.replicas * s.settings.workers * (s.settings.poolSize + s.settings.maxOverflow);
  }
  return total;
}

/**
 * Concurrent database transactions at the plan's spike (Little's law, memory-model.md: busy
 * connections = transactions/s × seconds each holds one), after the semantic cache, at least 1,
 * and at most the connections the app can open when it has an app.
 */
export function activeAtSpike(plan: Plan): number {
  const w = plan.workload;
  const hit = plan.features.semanticCache ? w.cacheHitRate : 0;
  const tps = ((w.activeUsers * w.spike * w.requestsPerUserPerMinute) / 60) * (1 - hit);
  const active = Math.max(1, Math.ceil(tps * (w.dbTimePerRequestMs / 1000)));
  const conns = appConnectionsOf(plan);
  return plan.services.some((s) => s.kind === 'fastapi') ? Math.max(1, Math.min(active, conns)) : active;
}

const firstOf = <K extends 'postgres' | 'pgbouncer' | 'redis'>(plan: Plan, kind: K) =>
  plan.services.find((s): s is ServiceOf<K> => s.kind === kind);

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** Every postgresql.conf value we write, sizes in MiB. */
export type PgSettings = {
  maxConnections: number;
  superuserReservedConnections: number;
  sharedBuffers: number;
  effectiveCacheSize: number;
  workMem: number;
  hashMemMultiplier: number;
  maintenanceWorkMem: number;
  autovacuumWorkMem: number;
  autovacuumMaxWorkers: number;
  maxParallelWorkersPerGather: number;
  walBuffers: number;
};

/** How the settings spend the limit at the spike, MiB (memory-model.md's starting formula). */
export type PgBudget = {
  limit: number;
  /** shared_buffers × 1.03 + wal_buffers + slots × 19 kB + ~10. */
  shared: number;
  /** Open backends × private memory each. */
  backends: number;
  backendCount: number;
  /** Query processes (active + parallel workers) × work_mem × hash_mem_multiplier. */
  queries: number;
  queryProcesses: number;
  /** autovacuum_max_workers × autovacuum_work_mem. */
  autovacuum: number;
  /** Page cache, allocator slack, one maintenance operation. */
  safety: number;
  /** limit − everything above; negative when the settings do not fit. */
  free: number;
  fits: boolean;
};

/** Where the connection numbers come from. */
export type PgConnections = {
  /** Connections the app can open (all replicas, workers and pools). */
  app: number;
  /** Through pgBouncer: its server connections; else the app's own. */
  server: number;
  viaPgbouncer: boolean;
  exporter: number;
  admin: number;
  reserved: number;
  /** Concurrent transactions at the spike. */
  active: number;
};

export type PgTune = {
  limit: number;
  /** True when the service has no limit and the host's RAM was used instead. */
  limitFromHost: boolean;
  connections: PgConnections;
  planned: PgSettings;
  plannedBudget: PgBudget;
  recommended: PgSettings;
  recommendedBudget: PgBudget;
  /** How each recommended value was reached, one line each, for comments and the UI. */
  explain: Record<keyof PgSettings, string>;
};

const floorMiB = (v: number) => Math.max(0, Math.floor(v));
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round2 = (v: number) => Math.round(v * 100) / 100;

/** wal_buffers as PostgreSQL picks it for -1: shared_buffers/32 within [64kB, 16MB], in whole 8 kB pages. */
export function walBuffersFor(sharedBuffers: number): number {
  const v = clamp(sharedBuffers / 32, PG_TUNE.walBuffersMin, PG_TUNE.walBuffersMax);
  return Math.floor((v * 1024) / 8) * 8 / 1024;
}

/** Server connections pgBouncer opens to Postgres at most: pools × (pool + reserve). */
export function pgbouncerServerConnections(b: ServiceOf<'pgbouncer'>): number {
  return b.settings.pools * (b.settings.defaultPoolSize + b.settings.reservePoolSize);
}

export function pgConnections(plan: Plan, bouncerServer?: number): PgConnections {
  const app = appConnectionsOf(plan);
  const bouncer = firstOf(plan, 'pgbouncer');
  const server = bouncer ? Math.min(app || Infinity, bouncerServer ?? pgbouncerServerConnections(bouncer)) : app;
  return {
    app,
    server: Number.isFinite(server) ? server : 0,
    viaPgbouncer: !!bouncer,
    exporter: plan.services.some((s) => s.kind === 'prometheus') ? PG_TUNE.exporterConnections : 0,
    admin: PG_TUNE.adminConnections,
    reserved: PG_TUNE.superuserReserved,
    active: activeAtSpike(plan),
  };
}

/** memory-model.md's formula for the spike, with typical private memory per backend. */
export function pgBudget(limit: number, s: PgSettings, c: PgConnections): PgBudget {
  const shared = s.sharedBuffers * PG_TUNE.sharedBufferOverhead + s.walBuffers + s.maxConnections * PG_TUNE.slotMiB + PG_TUNE.sharedFixed;
  // Open backends: what the app (or pgBouncer) and the exporter hold, never more than the slots.
  const backendCount = Math.min(s.maxConnections, c.server + c.exporter);
  const backends = backendCount * PG_TUNE.privatePerBackend;
  const active = Math.min(c.active, Math.max(1, backendCount));
  const parallel = Math.min(PG_TUNE.maxParallelWorkers, active * s.maxParallelWorkersPerGather);
  const queryProcesses = active + parallel;
  const queries = queryProcesses * s.workMem * s.hashMemMultiplier;
  const autovacuum = s.autovacuumMaxWorkers * s.autovacuumWorkMem;
  const safety = limit * PG_TUNE.safetyShare;
  const free = limit - shared - backends - queries - autovacuum - safety;
  return {
    limit,
    shared: round2(shared),
    backends: round2(backends),
    backendCount,
    queries: round2(queries),
    queryProcesses,
    autovacuum: round2(autovacuum),
    safety: round2(safety),
    free: round2(free),
    fits: free >= 0,
  };
}

/** Tunes one Postgres service of the plan. */
export function tunePostgres(plan: Plan, pg: ServiceOf<'postgres'>): PgTune {
  const limitFromHost = pg.limit === null;
  const limit = pg.limit ?? plan.host.ram;
  const p = pg.settings;

  // pgBouncer's server side, as this plan sets it and as we would set it.
  const bouncer = firstOf(plan, 'pgbouncer');
  const bTune = bouncer ? tunePgbouncer(plan, bouncer) : null;
  const connections = pgConnections(plan);
  const recConnections = bTune ? pgConnections(plan, bTune.recommended.maxDbConnections) : connections;

  // Completing the plan's own values with what it does not say.
  const planned: PgSettings = {
    maxConnections: p.maxConnections,
    superuserReservedConnections: Math.min(PG_TUNE.superuserReserved, Math.max(0, p.maxConnections - 1)),
    sharedBuffers: p.sharedBuffers,
    effectiveCacheSize: Math.max(p.sharedBuffers, floorMiB(limit * PG_TUNE.effectiveCacheShare)),
    workMem: p.workMem,
    hashMemMultiplier: PG_TUNE.hashMemMultiplier,
    maintenanceWorkMem: p.maintenanceWorkMem,
    autovacuumWorkMem: Math.min(p.maintenanceWorkMem, autovacuumFor(limit)),
    autovacuumMaxWorkers: p.autovacuumMaxWorkers,
    maxParallelWorkersPerGather: p.maxParallelWorkersPerGather,
    walBuffers: walBuffersFor(p.sharedBuffers),
  };

  // From the limit and the connections alone.
  const maxConnections = Math.max(
    PG_TUNE.superuserReserved + 1,
    recConnections.server + recConnections.exporter + recConnections.admin + recConnections.reserved,
  );
  const sharedBuffers = Math.max(Math.min(PG_TUNE.sharedBuffersMin, limit / 4), floorMiB(limit * PG_TUNE.sharedBuffersShare));
  const maintenanceWorkMem = clamp(floorMiB(limit * PG_TUNE.maintenanceShare), PG_TUNE.maintenanceMin, PG_TUNE.maintenanceMax);
  const rec: PgSettings = {
    maxConnections,
    superuserReservedConnections: PG_TUNE.superuserReserved,
    sharedBuffers,
    effectiveCacheSize: Math.max(sharedBuffers, floorMiB(limit * PG_TUNE.effectiveCacheShare)),
    workMem: 0,
    hashMemMultiplier: PG_TUNE.hashMemMultiplier,
    maintenanceWorkMem,
    autovacuumWorkMem: Math.min(maintenanceWorkMem, autovacuumFor(limit)),
    autovacuumMaxWorkers: p.autovacuumMaxWorkers,
    maxParallelWorkersPerGather: p.maxParallelWorkersPerGather,
    walBuffers: walBuffersFor(sharedBuffers),
  };
  // work_mem: what is left after shared memory, backends, autovacuum and the safety share, split
  // over every query process's hash nodes. Unlike PGTune, the backends and autovacuum come first.
  const before = pgBudget(limit, rec, recConnections);
  const left = before.free + before.queries; // queries is 0 with workMem 0
  const perNode = left / (before.queryProcesses * rec.hashMemMultiplier);
  rec.workMem = Math.max(PG_TUNE.workMemMin, floorMiB(perNode));

  const explain: Record<keyof PgSettings, string> = {
    maxConnections: `${recConnections.server} ${recConnections.viaPgbouncer ? 'pgBouncer server' : 'app'} + ${recConnections.exporter} exporter + ${recConnections.admin} admin + ${recConnections.reserved} superuser-reserved`,
    superuserReservedConnections: 'PostgreSQL default',
    sharedBuffers: `25% of the ${fmt(limit)} limit`,
    effectiveCacheSize: `75% of the ${fmt(limit)} limit (a planner hint: allocates nothing)`,
    workMem: `(${fmt(limit)} − shared ${fmt(before.shared)} − ${before.backendCount} backends × ${PG_TUNE.privatePerBackend}MB − autovacuum ${fmt(before.autovacuum)} − safety ${fmt(before.safety)}) / (${before.queryProcesses} query processes × hash_mem_multiplier ${rec.hashMemMultiplier})`,
    hashMemMultiplier: 'PostgreSQL 15 default',
    maintenanceWorkMem: `limit/16 within [${PG_TUNE.maintenanceMin}MB, ${PG_TUNE.maintenanceMax}MB]`,
    autovacuumWorkMem: `limit/32 within [${PG_TUNE.autovacuumMin}MB, ${PG_TUNE.autovacuumMax}MB], at most maintenance_work_mem`,
    autovacuumMaxWorkers: 'as planned (PostgreSQL default 3)',
    maxParallelWorkersPerGather: 'as planned (PostgreSQL default 2)',
    walBuffers: 'shared_buffers/32 within [64kB, 16MB], as PostgreSQL picks for -1',
  };

  return {
    limit,
    limitFromHost,
    connections,
    planned,
    plannedBudget: pgBudget(limit, planned, connections),
    recommended: rec,
    recommendedBudget: pgBudget(limit, rec, recConnections),
    explain,
  };
}

function autovacuumFor(limit: number): number {
  return clamp(floorMiB(limit * PG_TUNE.autovacuumShare), PG_TUNE.autovacuumMin, PG_TUNE.autovacuumMax);
}

function fmt(mib: number): string {
  return Number.isInteger(mib) ? `${mib}MB` : `${round2(mib)}MB`;
}

// ---------------------------------------------------------------------------------------------
// Redis

export type RedisTune = {
  limit: number | null;
  /** The share of the limit that is safe for maxmemory with this persistence. */
  safeShare: number;
  /** The largest safe maxmemory in MiB (null without a limit: nothing to derive it from). */
  recommendedMaxmemory: number | null;
  /** The plan's maxmemory in MiB (0 = unbounded). */
  plannedMaxmemory: number;
  /** False when the planned maxmemory is unbounded or above the safe value. */
  plannedSafe: boolean;
  explain: string;
};

export function tuneRedis(redis: ServiceOf<'redis'>): RedisTune {
  const persistent = redis.settings.persistence !== 'none';
  const safeShare = persistent ? REDIS_TUNE.shareWithPersistence : REDIS_TUNE.shareWithoutPersistence;
  const rec = redis.limit === null ? null : floorMiB(redis.limit * safeShare);
  const planned = redis.settings.maxmemory;
  return {
    limit: redis.limit,
    safeShare,
    recommendedMaxmemory: rec,
    plannedMaxmemory: planned,
    plannedSafe: rec === null ? planned > 0 : planned > 0 && planned <= rec,
    explain:
      rec === null
        ? 'no container limit: maxmemory cannot be derived'
        : `${safeShare} × the ${fmt(redis.limit ?? 0)} limit (${persistent ? `${redis.settings.persistence.toUpperCase()} forks a child whose copy-on-write pages count in the same cgroup` : 'no persistence, so no fork'})`,
  };
}

// ---------------------------------------------------------------------------------------------
// pgBouncer

export type PgbouncerSettings = {
  poolMode: 'session' | 'transaction' | 'statement';
  maxClientConn: number;
  defaultPoolSize: number;
  reservePoolSize: number;
  /** The cap on server connections to the database: what saves Postgres memory (memory-model.md). */
  maxDbConnections: number;
};

export type PgbouncerTune = {
  planned: PgbouncerSettings;
  recommended: PgbouncerSettings;
  /** Server connections the app could hold through this pgBouncer as planned. */
  plannedServer: number;
  explain: Record<keyof PgbouncerSettings, string>;
};

export function tunePgbouncer(plan: Plan, b: ServiceOf<'pgbouncer'>): PgbouncerTune {
  const app = appConnectionsOf(plan);
  const active = activeAtSpike(plan);
  const pg = firstOf(plan, 'postgres');
  // Postgres slots pgBouncer may use: all but superuser-reserved, admin and exporter ones.
  const pgRoom = pg ? Math.max(1, pg.settings.maxConnections - PG_TUNE.superuserReserved - PG_TUNE.adminConnections - PG_TUNE.exporterConnections) : Infinity;
  const s = b.settings;
  const plannedPools = s.pools * (s.defaultPoolSize + s.reservePoolSize);
  const planned: PgbouncerSettings = {
    poolMode: s.poolMode,
    maxClientConn: s.maxClientConn,
    defaultPoolSize: s.defaultPoolSize,
    reservePoolSize: s.reservePoolSize,
    maxDbConnections: Math.max(1, Math.min(plannedPools, pgRoom)),
  };
  // Per user/database pair: the app's transactions are spread over the plan's pools.
  // Never more server connections per pair than the app can open as clients (transaction mode
  // needs at most one per client); app 0 means no app in the plan: no cap.
  const perPairClients = app > 0 ? Math.max(1, Math.ceil(app / s.pools)) : Infinity;
  const pool = Math.min(perPairClients, Math.max(PGBOUNCER_TUNE.poolMin, Math.ceil((active * PGBOUNCER_TUNE.poolPerActive) / s.pools)));
  const reserve = Math.min(Math.max(0, perPairClients - pool), Math.max(PGBOUNCER_TUNE.reserveMin, Math.ceil(pool * PGBOUNCER_TUNE.reserveShare)));
  const recommended: PgbouncerSettings = {
    poolMode: 'transaction',
    maxClientConn: Math.max(PGBOUNCER_TUNE.clientMin, Math.ceil(app * PGBOUNCER_TUNE.clientMargin)),
    defaultPoolSize: pool,
    reservePoolSize: reserve,
    maxDbConnections: s.pools * (pool + reserve),
  };
  return {
    planned,
    recommended,
    plannedServer: planned.poolMode === 'session' ? Math.min(app, planned.maxDbConnections) : Math.min(active, planned.maxDbConnections),
    explain: {
      poolMode: 'transaction: a server connection returns to the pool at the end of each transaction (pgbouncer.org)',
      maxClientConn: `${app} app connections × ${PGBOUNCER_TUNE.clientMargin}, at least ${PGBOUNCER_TUNE.clientMin}`,
      defaultPoolSize: `${active} concurrent transactions at the spike × ${PGBOUNCER_TUNE.poolPerActive} / ${s.pools} pool(s), at least ${PGBOUNCER_TUNE.poolMin}, at most the app's connections`,
      reservePoolSize: `a quarter of the pool, at least ${PGBOUNCER_TUNE.reserveMin}`,
      maxDbConnections: `${s.pools} pool(s) × (pool + reserve): the cap that saves Postgres memory`,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The whole plan

/**
 * The plan with every recommended value applied: Postgres sizes and connections, Redis
 * maxmemory, pgBouncer pools. Limits, workload and features stay as they are. Pure: returns a
 * new plan.
 */
export function planTune(plan: Plan): Plan {
  // pgBouncer first: Postgres's max_connections follows its server side.
  let services = plan.services.map((s) => {
    if (s.kind !== 'pgbouncer') return s;
    const r = tunePgbouncer(plan, s).recommended;
    return { ...s, settings: { ...s.settings, poolMode: r.poolMode, maxClientConn: r.maxClientConn, defaultPoolSize: r.defaultPoolSize, reservePoolSize: r.reservePoolSize } };
  });
  const withBouncer: Plan = { ...plan, services };
  services = services.map((s) => {
    if (s.kind === 'postgres') {
      const r = tunePostgres(withBouncer, s).recommended;
      return {
        ...s,
        settings: { ...s.settings, maxConnections: r.maxConnections, sharedBuffers: r.sharedBuffers, workMem: r.workMem, maintenanceWorkMem: r.maintenanceWorkMem },
      };
    }
    if (s.kind === 'redis') {
      const r = tuneRedis(s).recommendedMaxmemory;
      return r === null ? s : { ...s, settings: { ...s.settings, maxmemory: r } };
    }
    return s;
  });
  return { ...plan, services };
}
