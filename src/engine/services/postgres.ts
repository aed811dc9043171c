/** PostgreSQL: shared memory, one process per connection, work_mem per sort/hash node (memory-model.md). */
import type { ServiceOf } from '../schema.ts';
import type { Traffic, Usage } from '../report.ts';
import { POSTGRES_DEFAULTS } from '../defaults.ts';
import { component, fixed, usageOf } from './usage.ts';

/** Each shared buffer costs ~8400 bytes with its descriptors for 8192 of data (PG docs kernel-resources). */
const BUFFER_OVERHEAD = 8400 / 8192;
/** Lock table and per-slot shared memory: (1800 + 270 × 64) bytes ≈ 19 kB per slot (PG docs kernel-resources). */
const SLOT_MIB = 19 / 1024;
/** Slots beyond max_connections: autovacuum workers + launcher, 8 background workers, 10 WAL
 * senders (PG 15 defaults for max_worker_processes and max_wal_senders). */
const EXTRA_SLOTS = 1 + 8 + 10;
/** Other fixed shared memory (CLOG, subtrans, stats...). Starting formula's "~10" (memory-model.md). */
const SHARED_OTHER_MIB = 10;
/** Private memory per client backend: < 2 MiB idle (Freund 2020), ~6.3 MiB in a field report
 * (nbari/pg_exporter#36), 12 high after caches fill (memory-model.md starting formula). */
const BACKEND_MIB = { low: 2, typical: 6, high: 12 } as const;
/** work_mem nodes per active query: 1 low, 2 typical, 3 × hash_mem_multiplier high (memory-model.md). */
const WORK_MEM_NODES = { low: 1, typical: 2, high: 3 * POSTGRES_DEFAULTS.hashMemMultiplier } as const;
/** Postmaster, checkpointer, bgwriter, walwriter, launchers: 23 MB RSS postmaster measured on
 * PG 15.18 here (memory-model.md), mostly shared pages; private ~3 MiB per process, 6 processes. */
const BACKGROUND_MIB = { low: 12, typical: 18, high: 30 } as const;
/** A cold cache has touched about half of shared_buffers. Assumed: data set ≥ shared_buffers in production. */
const SHARED_BUFFERS_COLD = 0.5;
/** Autovacuum typically has one worker busy with half its memory. Assumed: PG ≤ 16 sizes the
 * dead-tuple array by min(autovacuum_work_mem, table size). */
const AUTOVACUUM_TYPICAL_SHARE = 0.5;

/** wal_buffers at its default -1: shared_buffers/32, at least 64 kB, at most 16 MB (xlog.c). */
export function walBuffersMiB(sharedBuffers: number): number {
  return Math.min(16, Math.max(64 / 1024, sharedBuffers / 32));
}

export function postgresUsage(s: ServiceOf<'postgres'>, traffic: Traffic): Usage {
  const { sharedBuffers, maxConnections, workMem, maintenanceWorkMem, autovacuumMaxWorkers } = s.settings;
  const sb = sharedBuffers * BUFFER_OVERHEAD;
  const otherShared = walBuffersMiB(sharedBuffers) + (maxConnections + autovacuumMaxWorkers + EXTRA_SLOTS) * SLOT_MIB + SHARED_OTHER_MIB;
  const b = traffic.backends;
  const a = traffic.activeQueries;
  return usageOf([
    component('shared_buffers', sb * SHARED_BUFFERS_COLD, sb, sb),
    fixed('shared (wal, locks, other)', otherShared),
    component('backends', b.low * BACKEND_MIB.low, b.typical * BACKEND_MIB.typical, b.high * BACKEND_MIB.high, `${b.typical} typical, ${b.high} at most`),
    component('work_mem in flight', Math.min(a.low, b.low) * workMem * WORK_MEM_NODES.low, Math.min(a.typical, b.typical) * workMem * WORK_MEM_NODES.typical, Math.min(a.high, b.high) * workMem * WORK_MEM_NODES.high),
    component('autovacuum', 0, maintenanceWorkMem * AUTOVACUUM_TYPICAL_SHARE, autovacuumMaxWorkers * maintenanceWorkMem),
    component('background processes', BACKGROUND_MIB.low, BACKGROUND_MIB.typical, BACKGROUND_MIB.high),
  ]);
}
