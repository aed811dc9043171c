/** PostgreSQL's memory: shared memory, one process per connection, work_mem per sort/hash node (memory-model.md). */
import type { ServiceOf } from '../../schema.ts';
import type { Traffic, Usage } from '../../report.ts';
import { component, usageOf } from '../../usage.ts';
import { POSTGRES_DEFAULTS, walBuffersFor } from './settings.ts';

/** Each shared buffer costs ~8400 bytes with its descriptors for 8192 of data (PG docs kernel-resources). */
const BUFFER_OVERHEAD = 8400 / 8192;
/** Lock table and per-slot shared memory: (1800 + 270 × 64) bytes ≈ 19 kB per slot (PG docs kernel-resources). */
const SLOT_MIB = 19 / 1024;
/** Slots beyond max_connections: autovacuum workers + launcher, 8 background workers, 10 WAL
 * senders (PG 15 defaults for max_worker_processes and max_wal_senders). */
const EXTRA_SLOTS = 1 + 8 + 10;
/** Other fixed shared memory (CLOG, subtrans, stats...): measured here 0.9–2.3 MiB touched (Pss_Shmem
 * beyond shared_buffers, wal_buffers and the slots at shared_buffers 32–256 MB), 5.6–6.9 reserved by
 * shared_memory_size (calibration/postgres.json); high: the starting formula's ~10 (memory-model.md). */
const SHARED_OTHER_MIB = { typical: 2, high: 10 } as const;
/** Private memory per client backend: measured here 1.18 MiB at 5–100 pgbench clients, read-only or
 * TPC-B (calibration/postgres.json; < 2 MiB idle in Freund 2020); a big schema's catalog and plan
 * caches add more: ~6.3 MiB in a field report (nbari/pg_exporter#36), 12 high. */
export const BACKEND_MIB = { low: 1, typical: 1.2, high: 12 } as const;
/** work_mem used per active transaction, in units of work_mem: measured here 0.02 for TPC-B
 * transactions (read-write minus read-only at the same clients) and 0.4–1.7 when every transaction
 * sorts 50k rows (stress cases, calibration/postgres.json); high 3 nodes × hash_mem_multiplier. */
export const WORK_MEM_NODES = { low: 0, typical: 0.02, high: 3 * POSTGRES_DEFAULTS.hashMemMultiplier } as const;
/** Postmaster, checkpointer, bgwriter, walwriter, launchers, with the binary's pages: measured here
 * 16–18 MiB of PSS beyond shared memory and the backends' 1.18 MiB each (calibration/postgres.json). */
const BACKGROUND_MIB = { low: 12, typical: 18, high: 30 } as const;
/** A cold cache has touched about half of shared_buffers. Assumed: data set ≥ shared_buffers in production. */
const SHARED_BUFFERS_COLD = 0.5;
/** Autovacuum at a typical moment, as a share of maintenance_work_mem: measured here a VACUUM of
 * 400k dead tuples (20%, autovacuum's threshold, of a 2M-row table) held 2.3 MiB more than a plain
 * backend = 0.035 × 64 MB (calibration/postgres.json); 6 bytes a dead tuple, so big tables reach the high end. */
const AUTOVACUUM_TYPICAL_SHARE = 0.035;

/**
 * TimescaleDB's background workers (its jobs: compression, retention, continuous aggregates), each a
 * PostgreSQL background worker process with a backend's memory. Always running: its launcher and one
 * scheduler per database with the extension (TimescaleDB docs, "Configuration": max_background_workers
 * must be at least 1 + the databases; assumed one database). Typically one job besides (assumed: jobs
 * run on schedules, minutes apart); at the high end every worker busy, each a backend running a query
 * (BACKEND_MIB and WORK_MEM_NODES, as a client backend's), capped by max_background_workers.
 */
const EXTENSION_WORKERS_AT_REST = 2;
const EXTENSION_JOBS_TYPICAL = 1;

export function extensionWorkers(s: ServiceOf<'postgres'>): { low: number; typical: number; high: number } {
  const n = s.settings.backgroundWorkers ?? 0;
  if (n === 0) return { low: 0, typical: 0, high: 0 };
  const rest = Math.min(EXTENSION_WORKERS_AT_REST, n + 1);
  return { low: rest, typical: Math.min(rest + EXTENSION_JOBS_TYPICAL, n + 1), high: n + 1 };
}

export function postgresUsage(s: ServiceOf<'postgres'>, traffic: Traffic): Usage {
  const { sharedBuffers, maxConnections, workMem, maintenanceWorkMem, autovacuumMaxWorkers } = s.settings;
  const sb = sharedBuffers * BUFFER_OVERHEAD;
  const otherShared = walBuffersFor(sharedBuffers) + (maxConnections + autovacuumMaxWorkers + EXTRA_SLOTS) * SLOT_MIB;
  const b = traffic.backends;
  const a = traffic.activeQueries;
  return usageOf([
    component('shared_buffers', sb * SHARED_BUFFERS_COLD, sb, sb),
    component('shared (wal, locks, other)', otherShared + SHARED_OTHER_MIB.typical, otherShared + SHARED_OTHER_MIB.typical, otherShared + SHARED_OTHER_MIB.high),
    component('backends', b.low * BACKEND_MIB.low, b.typical * BACKEND_MIB.typical, b.high * BACKEND_MIB.high, `${b.typical} typical, ${b.high} at most`),
    component('work_mem in flight', Math.min(a.low, b.low) * workMem * WORK_MEM_NODES.low, Math.min(a.typical, b.typical) * workMem * WORK_MEM_NODES.typical, Math.min(a.high, b.high) * workMem * WORK_MEM_NODES.high),
    component('autovacuum', 0, maintenanceWorkMem * AUTOVACUUM_TYPICAL_SHARE, autovacuumMaxWorkers * maintenanceWorkMem),
    component('background processes', BACKGROUND_MIB.low, BACKGROUND_MIB.typical, BACKGROUND_MIB.high),
    ...extensionPart(s),
  ]);
}

/** The extension's workers as a part of the model (none without them). */
function extensionPart(s: ServiceOf<'postgres'>) {
  const w = extensionWorkers(s);
  if (w.high === 0) return [];
  const workMem = s.settings.workMem;
  return [component('extension workers',
    w.low * BACKEND_MIB.low,
    w.typical * BACKEND_MIB.typical + EXTENSION_JOBS_TYPICAL * workMem * WORK_MEM_NODES.typical,
    w.high * (BACKEND_MIB.high + workMem * WORK_MEM_NODES.high),
    `timescaledb.max_background_workers ${s.settings.backgroundWorkers}: ${w.typical} typical, ${w.high} at most with the launcher`)];
}
