/** The PostgreSQL and pgBouncer runs: one temp cluster, every case against it, two data files. */
import { join } from 'node:path';
import type { CalibrationCase } from '../../src/engine/calibration.ts';
import { toolVersion } from './machine.ts';
import { PG_BIN, PgServer } from './pg.ts';
import { PG_SCALE, pgCase, pgCaseId, pgPrepare, type PgSpec } from './postgres.ts';
import { pgbouncerCase } from './pgbouncer.ts';
import { writeCalibration } from './record.ts';

/** Clients 5–100 read-only and read-write at the defaults; shared_buffers 32 and 256 MB; a sort
 * at work_mem 1, 4 and 16 MB, and at 5 and 50 clients (stress); a VACUUM. */
export const PG_SPECS: PgSpec[] = [
  ...[5, 20, 50, 100].flatMap((clients) => (['ro', 'rw'] as const).map((mode) => ({ clients, mode, sharedBuffers: 128, workMem: 4 }))),
  { clients: 20, mode: 'ro', sharedBuffers: 32, workMem: 4 },
  { clients: 20, mode: 'ro', sharedBuffers: 256, workMem: 4 },
  ...[1, 4, 16].map((workMem) => ({ clients: 20, mode: 'sort' as const, sharedBuffers: 128, workMem })),
  { clients: 5, mode: 'sort', sharedBuffers: 128, workMem: 4 },
  { clients: 50, mode: 'sort', sharedBuffers: 128, workMem: 4 },
  // Last: it changes the table.
  { clients: 5, mode: 'vacuum', sharedBuffers: 128, workMem: 4 },
];
export const PGBOUNCER_CLIENTS = [10, 100, 1000];

export async function calibratePostgres(only: (id: string) => boolean = () => true): Promise<void> {
  const pg = new PgServer();
  const recordedAt = new Date().toISOString();
  try {
    await pgPrepare(pg);
    const pgCases: CalibrationCase[] = [];
    for (const spec of PG_SPECS.filter((s) => only(pgCaseId(s)))) {
      const c = await pgCase(pg, spec);
      console.log(`  ${c.id}: ${c.measured.typicalMiB} MiB typical, ${c.measured.peakMiB} peak (${c.load.tps} tps, ${c.load.activeMean} active, load ${c.load.loadavg1End})`);
      pgCases.push(c);
    }
    const pgTools = { postgres: toolVersion(join(PG_BIN, 'postgres')), pgbench: toolVersion(join(PG_BIN, 'pgbench')) };
    if (pgCases.length) {
      writeCalibration('calibration/postgres.json', {
        kind: 'postgres',
        recordedAt,
        method: `initdb in a temp dir; each case includes the postgresql.conf Headroom exports for its plan (only listen_addresses and the unix socket are set on the command line), restarts, warms shared_buffers with pg_prewarm (the data set, pgbench scale ${PG_SCALE}, is larger than every shared_buffers measured), runs pgbench for a few seconds and samples every 0.4 s, once all clients are connected, the sum of PSS over the postmaster and all its children from /proc/PID/smaps_rollup. Typical is the median sample, peak the largest. The plan's workload is the load pgbench applied: requests/s = its tps, and each holds a backend for the measured mean number of active backends / tps (Little's law).`,
        tools: pgTools,
      }, pgCases);
    }
    const bCases: CalibrationCase[] = [];
    for (const clients of PGBOUNCER_CLIENTS.filter((n) => only(`pgbouncer-c${n}`))) {
      const c = await pgbouncerCase(pg, clients);
      console.log(`  ${c.id}: ${c.measured.typicalMiB} MiB typical, ${c.measured.peakMiB} peak`);
      bCases.push(c);
    }
    if (bCases.length) {
      writeCalibration('calibration/pgbouncer.json', {
        kind: 'pgbouncer',
        recordedAt,
        method: 'pgBouncer started with the pgbouncer.ini Headroom exports for the plan (pool mode and sizes as exported; listen address, port, auth and the upstream replaced for a loopback test), in front of the harness PostgreSQL; pgbench holds the client connections open, each running SELECT 1 once a second; pgBouncer\'s RSS is sampled every 0.4 s once every client is connected. Typical is the median sample, peak the largest.',
        tools: { ...pgTools, pgbouncer: toolVersion('/usr/sbin/pgbouncer') },
      }, bCases);
    }
  } finally {
    await pg.dispose();
  }
}
