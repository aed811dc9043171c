/**
 * PostgreSQL cases: the exported postgresql.conf for a plan, pgbench at 5–100 clients (read-only,
 * read-write, and a sort-heavy script for work_mem), and the sum of PSS, private and shared
 * memory over every postgres process, sampled from /proc/PID/smaps_rollup while pgbench runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CalibrationCase, CalibrationPlan } from '../../src/engine/calibration.ts';
import { exportedFile } from './record.ts';
import { loadWatch } from './machine.ts';
import { PG_BIN, PgServer } from './pg.ts';
import { max, median, mib, parentsOf, privateKiB, round2, sleep, smapsAdd, smapsOf, smapsZero, startGroup, stopGroup, titleOf, treeOf, type Smaps, type Started } from './proc.ts';

/** pgbench scale: 20 × 100,000 accounts ≈ 300 MB, more than the largest shared_buffers measured,
 * so that the buffers fill as they do on a production database larger than its cache. */
export const PG_SCALE = 20;
/** Seconds of pgbench per case: 8, plus time for many clients to connect on a busy machine. */
const runSeconds = (clients: number) => 8 + Math.ceil(clients / 10);
/** Sampling period. */
const SAMPLE_MS = 400;
/** A VACUUM takes a few seconds: sample it more often. */
const VACUUM_SAMPLE_MS = 100;
/** The container limit the plans give Postgres (the 4gb preset's). */
const PG_LIMIT = '800MiB';
/** Room above 100 clients for the harness's own connections and the reserved ones. */
const MAX_CONNECTIONS = 120;

/** A query with one sort node that wants ~10 MB for 50,000 rows: work_mem decides how much it gets. */
const SORT_SCRIPT = `\\set a random(1, ${PG_SCALE * 100000 - 50000})
SELECT aid, abalance, filler FROM pgbench_accounts WHERE aid BETWEEN :a AND :a + 49999 ORDER BY filler, abalance OFFSET 49990;
`;

/** ro: pgbench -S; rw: TPC-B; sort: SORT_SCRIPT (stress: every transaction sorts 50k rows);
 * vacuum: VACUUM of pgbench_accounts after updating VACUUM_SHARE of its rows. */
export type PgMode = 'ro' | 'rw' | 'sort' | 'vacuum';
/** Autovacuum's default trigger: 20% of a table's rows dead (autovacuum_vacuum_scale_factor 0.2). */
const VACUUM_SHARE = 0.2;
/** pgbench runs this much longer in the vacuum case, to outlast the VACUUM. */
const VACUUM_EXTRA_SECONDS = 40;

/** Client backends of a case: pgbench's clients, and the VACUUM's. */
const backendsOf = (s: PgSpec) => s.clients + (s.mode === 'vacuum' ? 1 : 0);
export type PgSpec = { clients: number; mode: PgMode; sharedBuffers: number; workMem: number };

const MODE_LABEL: Record<PgMode, string> = {
  ro: 'pgbench read-only (-S)',
  rw: 'pgbench read-write (TPC-B)',
  sort: 'pgbench sorting 50k rows in every transaction',
  vacuum: `VACUUM of ${PG_SCALE * 100000 * VACUUM_SHARE} dead tuples (${VACUUM_SHARE * 100}% of pgbench_accounts) beside pgbench read-only`,
};

export function pgCaseId(s: PgSpec): string {
  return `pgbench-${s.mode}-c${s.clients}-sb${s.sharedBuffers}-wm${s.workMem}`;
}

/** The plan of a case: Postgres as measured, and an app stand-in whose pools open exactly the
 * pgbench clients (one worker per client, pool 1, no overflow), so the engine sees `clients`
 * backends. The workload is the load pgbench applied: its transactions per second as requests per
 * second, each holding a backend for the measured active time (Little's law: active = tps × time). */
export function pgPlan(s: PgSpec, tps = 100, activeMean = 1): CalibrationPlan {
  const dbTimeMs = Math.max(0.01, (activeMean / Math.max(tps, 0.01)) * 1000);
  return {
    name: `calibration ${pgCaseId(s)}`,
    host: { ram: '4GiB' },
    workload: { activeUsers: round2(Math.max(tps, 0.01)), requestsPerUserPerMinute: 60, dbTimePerRequestMs: Math.round(dbTimeMs * 1000) / 1000, spike: 1 },
    services: [
      { name: 'postgres', kind: 'postgres', limit: PG_LIMIT, settings: { sharedBuffers: `${s.sharedBuffers}MiB`, workMem: `${s.workMem}MiB`, maxConnections: MAX_CONNECTIONS } },
      { name: 'pgbench', kind: 'fastapi', limit: '1GiB', settings: { workers: backendsOf(s), poolSize: 1, maxOverflow: 0, perWorker: '8MiB' } },
    ],
  };
}

/** Process groups under the postmaster, by their process title. */
const GROUPS = ['backends', 'parallel', 'autovacuum', 'background'] as const;
type Group = (typeof GROUPS)[number];
type Sample = { total: Smaps; groups: Record<Group, Smaps>; backendCount: number; active: number; processes: number };

/** Client backends are titled "postgres: USER DB [local] STATE"; parallel workers "postgres: parallel
 * worker for PID N"; "postgres: autovacuum worker"; the rest are the postmaster and background
 * processes (checkpointer, background writer, walwriter, launchers). */
function groupOf(title: string): Group {
  if (/^postgres: postgres postgres /.test(title)) return 'backends';
  if (/^postgres: parallel worker/.test(title)) return 'parallel';
  if (/^postgres: autovacuum worker/.test(title)) return 'autovacuum';
  return 'background';
}

/** One sample of every process under the postmaster. */
function samplePg(postmaster: number): Sample {
  const pids = treeOf(postmaster, parentsOf());
  let total = smapsZero();
  const groups = { backends: smapsZero(), parallel: smapsZero(), autovacuum: smapsZero(), background: smapsZero() };
  let backendCount = 0;
  let active = 0;
  for (const pid of pids) {
    const m = smapsOf(pid);
    if (!m) continue;
    total = smapsAdd(total, m);
    const title = titleOf(pid);
    const g = groupOf(title);
    groups[g] = smapsAdd(groups[g], m);
    if (g === 'backends') {
      backendCount++;
      if (!/ idle$/.test(title)) active++; // running a statement, or inside a transaction
    }
  }
  return { total, groups, backendCount, active, processes: pids.length };
}

function parsePgbench(out: string): { tps: number; latencyMs: number; transactions: number } {
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1] ?? NaN);
  const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1] ?? NaN);
  const transactions = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1] ?? NaN);
  if (!Number.isFinite(tps)) throw new Error(`could not read pgbench's result:\n${out.slice(-2000)}`);
  return { tps, latencyMs, transactions };
}

/** Initialises the data set once (the cases reuse it), with the exported conf of the default case. */
export async function pgPrepare(pg: PgServer): Promise<void> {
  pg.initdb();
  pg.writeConf(exportedFile(pgPlan({ clients: 5, mode: 'ro', sharedBuffers: 128, workMem: 4 }), 'postgresql.conf'));
  await pg.start();
  try {
    pg.psql('CREATE EXTENSION pg_prewarm; CREATE EXTENSION pg_buffercache;');
    console.log(`  pgbench -i -s ${PG_SCALE} (server-side generation)…`);
    const t0 = Date.now();
    pg.asPostgres('pgbench', ['-i', '-s', String(PG_SCALE), '-I', 'dtGvp', '-q', ...pg.connArgs()], 300_000);
    console.log(`  initialised in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    pg.writeFile('sort.sql', SORT_SCRIPT);
  } finally {
    await pg.stop();
  }
}

/** One case: restart with the case's exported conf, warm the buffers, run pgbench, sample. */
export async function pgCase(pg: PgServer, s: PgSpec): Promise<CalibrationCase> {
  const id = pgCaseId(s);
  pg.writeConf(exportedFile(pgPlan(s), 'postgresql.conf'));
  const sharedMemorySize = pg.showStopped('shared_memory_size');
  await pg.start();
  const watch = loadWatch();
  try {
    const settings: Record<string, string> = {};
    for (const name of ['shared_buffers', 'work_mem', 'hash_mem_multiplier', 'max_connections', 'maintenance_work_mem', 'autovacuum_work_mem', 'wal_buffers', 'max_parallel_workers_per_gather', 'huge_pages', 'server_version']) {
      settings[name] = pg.psql(`SHOW ${name}`);
    }
    settings.shared_memory_size = sharedMemorySize;
    // A production server has run long enough for its buffers to hold its hot data: warm them.
    pg.psql("SELECT pg_prewarm('pgbench_accounts'), pg_prewarm('pgbench_accounts_pkey')");
    const buffersUsed = Number(pg.psql('SELECT count(*) FROM pg_buffercache WHERE relfilenode IS NOT NULL'));
    const buffersTotal = Number(pg.psql('SELECT count(*) FROM pg_buffercache'));

    const postmaster = pg.postmasterPid();
    if (!postmaster) throw new Error('no postmaster.pid');
    if (s.mode === 'vacuum') {
      // Dead tuples as autovacuum would find them at its default threshold.
      pg.psql(`UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid % ${Math.round(1 / VACUUM_SHARE)} = 0`, 300_000);
    }
    const modeArgs = s.mode === 'ro' || s.mode === 'vacuum' ? ['-S'] : s.mode === 'rw' ? [] : ['-f', join(pg.dir, 'sort.sql')];
    // VACUUM runs beside read-only traffic, as autovacuum does (and the live backends keep the
    // shared buffers they touch mapped, so PSS sees them).
    const bench = startGroup('pgbench', join(PG_BIN, 'pgbench'), ['-n', '-c', String(s.clients), '-j', '2', '-T', String(runSeconds(s.clients) + (s.mode === 'vacuum' ? VACUUM_EXTRA_SECONDS : 0)), ...modeArgs, ...pg.connArgs()], join(pg.dir, `${id}.pgbench.log`));
    let vacuum: Started | null = null;
    const samples: Sample[] = [];
    let vacuumSeconds = 0;
    try {
      const end = Date.now() + (runSeconds(s.clients) + VACUUM_EXTRA_SECONDS + 10) * 1000;
      // The sampled phase: pgbench's run, or the VACUUM's.
      let done = false;
      if (s.mode === 'vacuum') {
        await sleep(2000);
        vacuum = startGroup('vacuum', join(PG_BIN, 'psql'), [...pg.connArgs(), '-X', '-v', 'ON_ERROR_STOP=1', '-c', 'VACUUM pgbench_accounts'], join(pg.dir, `${id}.vacuum.log`));
        const v0 = Date.now();
        void vacuum.exited.then(() => ((done = true), (vacuumSeconds = (Date.now() - v0) / 1000)));
      } else void bench.exited.then(() => (done = true));
      const want = backendsOf(s);
      while (!done && Date.now() < end) {
        const smp = samplePg(postmaster);
        // Steady state: every client connected (and the VACUUM's backend).
        if (smp.backendCount >= want) samples.push(smp);
        await sleep(s.mode === 'vacuum' ? VACUUM_SAMPLE_MS : SAMPLE_MS);
      }
      if (vacuum && (await vacuum.exited) !== 0) throw new Error(`VACUUM failed: see ${vacuum.logFile}`);
      const code = await bench.exited;
      if (code !== 0) throw new Error(`pgbench exited ${code}: see ${bench.logFile}`);
    } finally {
      if (vacuum) await stopGroup(vacuum, 'SIGINT', 3000);
      await stopGroup(bench, 'SIGINT', 3000);
    }
    // Drop the last sample: clients may be disconnecting.
    const steady = samples.slice(0, -1);
    if (steady.length < 3) throw new Error(`${id}: only ${steady.length} steady samples`);
    const result = parsePgbench(readFileSync(bench.logFile, 'utf8'));
    const load = watch();
    const pss = steady.map((x) => x.total.pss);
    const medOf = (f: (x: Sample) => number) => mib(median(steady.map(f)));
    const activeMean = steady.reduce((a, x) => a + x.active, 0) / steady.length;
    const plan = pgPlan(s, result.tps, Math.max(activeMean, 0.01));
    return {
      id,
      label: `${MODE_LABEL[s.mode]}, ${s.clients} clients, shared_buffers ${s.sharedBuffers}MB, work_mem ${s.workMem}MB`,
      role: s.mode === 'sort' ? 'stress' : 'typical',
      plan,
      service: 'postgres',
      settings,
      load: {
        tool: s.mode === 'vacuum' ? 'pgbench and psql' : 'pgbench',
        script: { ro: 'select-only', rw: 'tpcb-like', sort: 'sort.sql', vacuum: `select-only, and VACUUM after updating ${VACUUM_SHARE * 100}% of rows` }[s.mode],
        deadTuples: s.mode === 'vacuum' ? PG_SCALE * 100000 * VACUUM_SHARE : 0,
        vacuumSeconds: round2(vacuumSeconds),
        clients: s.clients,
        threads: 2,
        scale: PG_SCALE,
        seconds: runSeconds(s.clients),
        tps: round2(result.tps),
        latencyMs: round2(result.latencyMs),
        transactions: result.transactions,
        activeMean: round2(activeMean),
        buffersUsed,
        buffersTotal,
        ...load,
      },
      measured: {
        metric: 'sum of PSS over the postmaster and all its children (/proc/PID/smaps_rollup)',
        typicalMiB: mib(median(pss)),
        peakMiB: mib(max(pss)),
        samples: steady.length,
        detail: {
          pssShmem: medOf((x) => x.total.pssShmem),
          pssAnon: medOf((x) => x.total.pssAnon),
          pssFile: medOf((x) => x.total.pssFile),
          private: medOf((x) => privateKiB(x.total)),
          rss: medOf((x) => x.total.rss),
          // Each group's PSS without its share of shared memory: what its processes add.
          ...Object.fromEntries(GROUPS.map((g) => [`${g}PssNotShmem`, medOf((x) => x.groups[g].pss - x.groups[g].pssShmem)])),
          ...Object.fromEntries(GROUPS.map((g) => [`${g}Private`, medOf((x) => privateKiB(x.groups[g]))])),
          privatePerBackend: round2(median(steady.map((x) => privateKiB(x.groups.backends) / 1024 / Math.max(1, x.backendCount)))),
          backends: median(steady.map((x) => x.backendCount)),
          processes: median(steady.map((x) => x.processes)),
        },
      },
    };
  } finally {
    await pg.stop();
  }
}
