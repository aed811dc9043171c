/**
 * PostgreSQL's settings: the schema, its defaults and the server's own derived values. A leaf
 * module (no model, no tuning), so that traffic.ts and pgBouncer can read the defaults.
 */
import { count, settingsObject, sizeSchema, sizeWithin, withDefault } from '../../schema-blocks.ts';
import * as z from 'zod/mini';

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

/** PostgreSQL 15 src/backend/utils/misc/postinit.c / guc_tables: max_connections + autovacuum_max_workers
 * + 1 + max_worker_processes + max_wal_senders may not pass MAX_BACKENDS (0x3FFFF = 262143); with
 * the defaults of the others (3, 8, 10) max_connections is at most 262143 − 22 = 262121
 * (`postgres -C max_connections` with 262143 refuses to start: "invalid value for parameter"). */
export const MAX_CONNECTIONS_MAX = 262_143 - (3 + 1 + 8 + 10);

/** The same check hook binds the two together (check_maxconnections and
 * check_autovacuum_max_workers): max_connections + autovacuum_max_workers may not pass
 * MAX_BACKENDS − 1 − max_worker_processes − max_wal_senders = 262143 − 19 = 262124 with the
 * defaults of the others (found by src/formats/export/bounds-real.test.ts: autovacuum_max_workers
 * 262143, which the schema accepted, and 9 beside max_connections 262121, were refused by
 * `postgres -C`: "invalid value for parameter"). */
export const CONNECTIONS_AND_AUTOVACUUM_MAX = 262_143 - (1 + 8 + 10);

/** Bounds PostgreSQL 15 enforces (guc_tables.c, 64-bit build), in MiB: shared_buffers 16 to
 * INT_MAX/2 pages of 8 kB (128kB to ~8 TiB); work_mem 64 kB and maintenance_work_mem 1 MB up to
 * MAX_KILOBYTES = INT_MAX kB (~2 TiB). */
const PG_SHARED_BUFFERS_MIN = 128 / 1024;
const PG_SHARED_BUFFERS_MAX = (Math.floor(2147483647 / 2) * 8) / 1024;
const PG_WORK_MEM_MIN = 64 / 1024;
const PG_MAINTENANCE_WORK_MEM_MIN = 1;
const PG_MAX_KILOBYTES_MIB = 2147483647 / 1024;

export const postgresSettings = settingsObject({
  sharedBuffers: withDefault(sizeWithin(PG_SHARED_BUFFERS_MIN, PG_SHARED_BUFFERS_MAX, "PostgreSQL's shared_buffers"), POSTGRES_DEFAULTS.sharedBuffers),
  maxConnections: withDefault(count(1, MAX_CONNECTIONS_MAX), POSTGRES_DEFAULTS.maxConnections),
  workMem: withDefault(sizeWithin(PG_WORK_MEM_MIN, PG_MAX_KILOBYTES_MIB, "PostgreSQL's work_mem"), POSTGRES_DEFAULTS.workMem),
  maintenanceWorkMem: withDefault(sizeWithin(PG_MAINTENANCE_WORK_MEM_MIN, PG_MAX_KILOBYTES_MIB, "PostgreSQL's maintenance_work_mem"), POSTGRES_DEFAULTS.maintenanceWorkMem),
  autovacuumMaxWorkers: withDefault(count(1, 262_143), POSTGRES_DEFAULTS.autovacuumMaxWorkers),
  maxParallelWorkersPerGather: withDefault(count(0, 1024), POSTGRES_DEFAULTS.maxParallelWorkersPerGather),
  shmSize: withDefault(sizeSchema, POSTGRES_DEFAULTS.shmSize),
  /** An extension's background workers the server may run beside its connections: TimescaleDB's
   * timescaledb.max_background_workers (16 by default on its images: TimescaleDB docs, "Configuration";
   * read from the image and -c flags). Absent: none (plain PostgreSQL). */
  backgroundWorkers: z.optional(count(0, 262_143)),
  /** The role and database the image creates (POSTGRES_USER / POSTGRES_DB, imported from compose): the runbook's psql commands and the exported compose use them. Absent: Headroom's own `app`. */
  user: z.optional(z.string({ error: 'expected a role name (text)' }).check(z.minLength(1), z.maxLength(63, 'expected at most 63 characters (PostgreSQL\'s NAMEDATALEN)'))),
  database: z.optional(z.string({ error: 'expected a database name (text)' }).check(z.minLength(1), z.maxLength(63, 'expected at most 63 characters (PostgreSQL\'s NAMEDATALEN)'))),
}).check(
  // Checked only when max_connections is itself in range (else its own issue says what is wrong).
  z.refine((s) => !(Number.isInteger(s.maxConnections) && s.maxConnections <= MAX_CONNECTIONS_MAX && Number.isInteger(s.autovacuumMaxWorkers)) || s.maxConnections + s.autovacuumMaxWorkers <= CONNECTIONS_AND_AUTOVACUUM_MAX, {
    message: `expected maxConnections + autovacuumMaxWorkers at most ${CONNECTIONS_AND_AUTOVACUUM_MAX} (PostgreSQL's MAX_BACKENDS with its other workers; it refuses to start past it)`,
    path: ['autovacuumMaxWorkers'],
  }),
);

/** PG docs (runtime-config-resource): shared_buffers at ~25% of the memory PostgreSQL may use is
 * the usual start; over 40% rarely helps. The tuner's share and the finding's line. */
export const SHARED_BUFFERS_SHARE = { usual: 0.25, max: 0.4 } as const;

/** Connections besides the app's that max_connections must hold. */
export const OTHER_CONNECTIONS = {
  /** assumed: psql sessions, migrations and a backup at the same time. */
  admin: 5,
  /** assumed: postgres_exporter keeps one connection open per scrape target. */
  exporter: 1,
} as const;

/** Client backends PostgreSQL accepts: max_connections less the superuser-reserved ones. */
export function usableConnections(maxConnections: number): number {
  return maxConnections - POSTGRES_DEFAULTS.superuserReservedConnections;
}

/** wal_buffers as PostgreSQL picks it for -1: shared_buffers/32, at least 64kB, at most 16MB
 * (xlog.c), in whole 8 kB pages. What the model counts and what postgresql.conf writes. */
export function walBuffersFor(sharedBuffers: number): number {
  const v = Math.min(16, Math.max(64 / 1024, sharedBuffers / 32));
  return (Math.floor((v * 1024) / 8) * 8) / 1024;
}
