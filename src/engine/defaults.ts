/**
 * Every default the engine applies when a plan leaves a setting out, in one place.
 * Sizes in MiB, durations in seconds. Each value names its source.
 */
import { KRR_MARGIN } from './policy.ts';

export const APP_DEFAULTS = {
  replicas: 1, // assumed: one app container, as in the seed
  workers: 2, // assumed: small hosts have 1–2 cores; gunicorn's rule is 2 × cores + 1
  perWorker: 120, // memory-model.md: 82–171 MB per uvicorn/gunicorn worker in public reports
  preload: false, // gunicorn default (--preload off)
  poolSize: 5, // SQLAlchemy QueuePool default pool_size
  maxOverflow: 10, // SQLAlchemy QueuePool default max_overflow
} as const;

export const POSTGRES_DEFAULTS = {
  sharedBuffers: 128, // PostgreSQL default shared_buffers = 128MB
  maxConnections: 100, // PostgreSQL default max_connections
  workMem: 4, // PostgreSQL default work_mem = 4MB
  maintenanceWorkMem: 64, // PostgreSQL default maintenance_work_mem = 64MB
  autovacuumMaxWorkers: 3, // PostgreSQL default autovacuum_max_workers
  superuserReservedConnections: 3, // PostgreSQL default superuser_reserved_connections
  maxParallelWorkersPerGather: 2, // PostgreSQL default max_parallel_workers_per_gather
  hashMemMultiplier: 2, // PostgreSQL 15 default hash_mem_multiplier (1.0 in 13–14)
  shmSize: 64, // Docker's default /dev/shm size (docker-library/postgres#416)
} as const;

export const REDIS_DEFAULTS = {
  maxmemory: 0, // Redis default on 64-bit: no limit (Redis docs, eviction)
  policy: 'noeviction', // Redis default maxmemory-policy
  persistence: 'rdb', // the official image runs with Redis's built-in `save` schedule (Redis 7 redis.conf)
  appData: 64, // assumed: sessions, rate limits and small app keys on a 1k-user app
} as const;

export const PGBOUNCER_DEFAULTS = {
  poolMode: 'session', // pgbouncer.org config: pool_mode default session
  maxClientConn: 100, // pgbouncer.org config default
  defaultPoolSize: 20, // pgbouncer.org config default
  reservePoolSize: 0, // pgbouncer.org config default
  pools: 1, // assumed: one user/database pair, the app's
  maxPreparedStatements: 0, // pgbouncer default before 1.22 and in most images
} as const;

export const PROMETHEUS_DEFAULTS = {
  scrapeInterval: 15, // the interval in Prometheus's shipped example config (built-in default is 1m)
  retention: 15 * 86400, // --storage.tsdb.retention.time default 15d (Prometheus docs)
  series: 10_000, // assumed: node_exporter ~1–2k, cAdvisor ~200 per container, exporters, app metrics
} as const;

export const WORKLOAD_DEFAULTS = {
  activeUsers: 1000, // the seed's example
  spike: 5, // the seed: "traffic spike (5x normal)"
  requestsPerUserPerMinute: 6, // assumed: one API call per active user every 10 s
  requestTimeMs: 100, // assumed: app time per request, the seed's 80 ms uncached query rounded up
  dbTimePerRequestMs: 20, // assumed: time a request holds a database connection
  cacheHitRate: 0.5, // the seed: semantic cache hit rate 40–60% at steady state
  cacheTtlSeconds: 600, // the seed: setex ttl=600
  cacheEntrySize: 4 / 1024, // assumed: 4 KiB per cached result (hashed key + JSON), in MiB
  observedMargin: KRR_MARGIN, // krr: limit = observed peak × 1.15 (policy.ts)
} as const;

export const HOST_DEFAULTS = {
  swap: 0, // most cloud images ship without swap
} as const;

/** Limits the engine gives a service a feature toggle adds (the seed's figures). */
export const FEATURE_SERVICES = {
  pgbouncer: { name: 'pgbouncer', limit: 20 }, // the seed: "limits: 20M"
  alertmanager: { name: 'alertmanager', limit: 50 }, // the seed: "30-50MB overhead"
} as const;
