/**
 * MariaDB cases (the mysql kind, flavor mariadb): Debian's mariadbd started with the my.cnf
 * Headroom exports for the plan (a unix socket, no TCP, a temp datadir given on the command
 * line), its buffer pool warmed by a full scan of a table larger than every pool measured, then
 * mysqlslap's clients running point selects and small sorts. Memory: mariadbd's RSS (one process,
 * one thread per connection), sampled every 0.4 s while the clients run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CalibrationCase, CalibrationPlan } from '../../src/engine/calibration.ts';
import { exportedFile } from './record.ts';
import { loadWatch, toolVersion } from './machine.ts';
import { writeCalibration } from './record.ts';
import { exitReason, max, median, mib, requireTool, run, sleep, smapsOf, startGroup, stopGroup, waitFor, type Started } from './proc.ts';

const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';
const CLIENT = '/usr/bin/mariadb';
const SLAP = '/usr/bin/mysqlslap';
const SAMPLE_MS = 400;
/** Rows of ~300 bytes: ~300 MiB of table, larger than every pool measured. */
const ROWS_LOG2 = 20;

type DbSpec = { pool: number; clients: number; ps: boolean; load: boolean };
export const MARIADB_SPECS: DbSpec[] = [
  { pool: 128, clients: 0, ps: false, load: false },
  ...[32, 64, 128].map((pool) => ({ pool, clients: 10, ps: false, load: true })),
  { pool: 128, clients: 50, ps: false, load: true },
  { pool: 64, clients: 10, ps: true, load: true },
];
const caseId = (s: DbSpec) => `mariadb-bp${s.pool}-c${s.clients}${s.ps ? '-ps' : ''}${s.load ? '' : '-idle'}`;

export function mariadbPlan(s: DbSpec): CalibrationPlan {
  return {
    name: `calibration ${caseId(s)}`,
    host: { ram: '4GiB' },
    services: [{ name: 'db', kind: 'mysql', limit: `${s.pool * 2 + 512}MiB`, settings: { flavor: 'mariadb', bufferPool: `${s.pool}MiB`, clients: s.clients, performanceSchema: s.ps } }],
  };
}

class MariaDb {
  readonly dir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-mariadb-'));
  readonly data = join(this.dir, 'data');
  readonly sock = join(this.dir, 'mysqld.sock');
  server: Started | null = null;

  install(): void {
    run(INSTALL_DB, ['--no-defaults', `--datadir=${this.data}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { timeoutMs: 180_000 });
  }

  async start(cnf: string): Promise<void> {
    const path = join(this.dir, 'headroom.cnf');
    writeFileSync(path, cnf);
    // The exported file as the only option file; where it runs (datadir, socket, no TCP) on the command line.
    this.server = startGroup('mariadbd', MARIADBD, [`--defaults-file=${path}`, `--datadir=${this.data}`, `--socket=${this.sock}`, '--skip-networking', '--user=root', `--pid-file=${join(this.dir, 'mariadbd.pid')}`, `--log-error=${join(this.dir, 'error.log')}`], join(this.dir, 'mariadbd.out'));
    const s = this.server;
    await waitFor('mariadbd to answer', () => this.sql('SELECT 1') === '1', 120_000, () => exitReason(s));
  }

  sql(q: string, timeoutMs = 600_000): string {
    return run(CLIENT, ['--no-defaults', '-S', this.sock, '-uroot', '-N', '-B', '-e', q], { timeoutMs }).trim();
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    try {
      run('/usr/bin/mariadb-admin', ['--no-defaults', '-S', this.sock, '-uroot', 'shutdown'], { timeoutMs: 60_000 });
    } catch {
      // the group is stopped below
    }
    await stopGroup(this.server, 'SIGTERM', 30_000);
    this.server = null;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The table the load reads: 2^ROWS_LOG2 rows of ~300 bytes, built by doubling. */
function prepare(db: MariaDb): void {
  db.sql('CREATE DATABASE cal');
  db.sql("CREATE TABLE cal.t (id INT AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, pad CHAR(255) NOT NULL, KEY (k)) ENGINE=InnoDB");
  db.sql("INSERT INTO cal.t (k, pad) VALUES (1, REPEAT('a', 255))");
  for (let i = 0; i < ROWS_LOG2; i++) db.sql("INSERT INTO cal.t (k, pad) SELECT FLOOR(RAND() * 1000000), MD5(RAND()) FROM cal.t");
}

async function mariadbCase(db: MariaDb, s: DbSpec): Promise<CalibrationCase> {
  const id = caseId(s);
  const plan = mariadbPlan(s);
  await db.start(exportedFile(plan, 'my.cnf'));
  const watch = loadWatch();
  let slap: Started | null = null;
  try {
    const settings: Record<string, string> = {};
    for (const v of ['innodb_buffer_pool_size', 'max_connections', 'performance_schema', 'innodb_log_buffer_size', 'sort_buffer_size', 'key_buffer_size', 'version']) settings[v] = db.sql(`SELECT @@${v}`);
    const samples: number[] = [];
    let rows = 0;
    let qps = 0;
    if (s.load) {
      // Warm the pool: a full scan reads every page (the table is larger than the pool).
      db.sql("SELECT COUNT(*) FROM cal.t WHERE pad LIKE '%zz%'");
      rows = Number(db.sql('SELECT COUNT(*) FROM cal.t'));
      const q0 = Number(db.sql("SHOW GLOBAL STATUS LIKE 'Queries'").split('\t')[1]);
      const t0 = Date.now();
      // An OLTP mix: point selects by key, and a small sort over a range.
      // (RAND() goes through a variable: in a WHERE clause it would be evaluated per row, a full scan.)
      const query = 'SET @i = FLOOR(1 + RAND() * 1000000);SELECT pad FROM cal.t WHERE id = @i;SET @k = FLOOR(RAND() * 999000);SELECT k, pad FROM cal.t WHERE k BETWEEN @k AND @k + 500 ORDER BY pad LIMIT 20;SELECT COUNT(*) FROM cal.t WHERE id BETWEEN @i AND @i + 200';
      slap = startGroup('mysqlslap', SLAP, ['--no-defaults', '-S', db.sock, '-uroot', '--create-schema=cal', `--concurrency=${s.clients}`, '--iterations=1', `--number-of-queries=${s.clients * 20000}`, `--query=${query}`, '--delimiter=;'], join(db.dir, 'slap.log'));
      const sl = slap;
      await waitFor('mysqlslap clients to connect', () => Number(db.sql("SHOW GLOBAL STATUS LIKE 'Threads_connected'").split('\t')[1]) > s.clients, 30_000, () => exitReason(sl));
      const end = Date.now() + 8000;
      while (Date.now() < end && !exitReason(sl)) {
        const m = smapsOf(db.server!.pgid);
        if (m) samples.push(m.rss);
        await sleep(SAMPLE_MS);
      }
      qps = Math.round((Number(db.sql("SHOW GLOBAL STATUS LIKE 'Queries'").split('\t')[1]) - q0) / ((Date.now() - t0) / 1000));
    } else {
      for (let i = 0; i < 10; i++) {
        const m = smapsOf(db.server!.pgid);
        if (m) samples.push(m.rss);
        await sleep(SAMPLE_MS);
      }
    }
    if (samples.length < 3) throw new Error(`${id}: only ${samples.length} samples (mysqlslap ended early? log: ${join(db.dir, 'slap.log')})`);
    const status = (name: string) => Number(db.sql(`SHOW GLOBAL STATUS LIKE '${name}'`).split('\t')[1] ?? NaN);
    const pageSize = Number(db.sql('SELECT @@innodb_page_size'));
    return {
      id,
      label: `MariaDB innodb_buffer_pool_size ${s.pool}MB${s.ps ? ', performance_schema on' : ''}, ${s.load ? `pool warmed, ${s.clients} mysqlslap clients (point selects, small sorts)` : 'idle after a restart (its pool reloaded from the dump the last shutdown wrote, MariaDB\'s default)'}`,
      role: s.load ? 'typical' : 'light',
      plan,
      service: 'db',
      settings,
      load: { tool: s.load ? 'mysqlslap' : 'none', clients: s.clients, tableRows: rows, queriesPerSecond: qps, ...watch() },
      measured: {
        metric: s.load ? 'RSS of mariadbd while the clients run' : 'RSS of mariadbd, idle after start',
        typicalMiB: mib(median(samples)),
        peakMiB: mib(max(samples)),
        samples: samples.length,
        detail: {
          bufferPoolDataMiB: Math.round(((status('Innodb_buffer_pool_pages_data') * pageSize) / 1048576) * 100) / 100,
          bufferPoolPages: status('Innodb_buffer_pool_pages_total'),
          threadsConnected: status('Threads_connected'),
          memoryUsedMiB: Math.round((status('Memory_used') / 1048576) * 100) / 100,
        },
      },
    };
  } finally {
    if (slap) await stopGroup(slap, 'SIGTERM', 5000);
    await db.stop();
  }
}

export async function calibrateMariadb(only: (id: string) => boolean = () => true): Promise<void> {
  for (const [path, pkg] of [[MARIADBD, 'mariadb-server'], [INSTALL_DB, 'mariadb-server'], [CLIENT, 'mariadb-client'], [SLAP, 'mariadb-client']] as const) requireTool(path, pkg);
  const recordedAt = new Date().toISOString();
  const db = new MariaDb();
  const cases: CalibrationCase[] = [];
  try {
    db.install();
    await db.start('[mysqld]\ninnodb_buffer_pool_size = 256M\n');
    prepare(db);
    await db.stop();
    for (const s of MARIADB_SPECS.filter((x) => only(caseId(x)))) {
      const c = await mariadbCase(db, s);
      console.log(`  ${c.id}: ${c.measured.typicalMiB} MiB typical, ${c.measured.peakMiB} peak (pool data ${c.measured.detail.bufferPoolDataMiB} MiB, ${c.load.queriesPerSecond} q/s, Memory_used ${c.measured.detail.memoryUsedMiB})`);
      cases.push(c);
    }
  } finally {
    await db.dispose();
  }
  writeCalibration('calibration/mysql.json', {
    kind: 'mysql',
    recordedAt,
    method: `mariadb-install-db in a temp dir, a table of 2^${ROWS_LOG2} rows (~300 bytes each, larger than every pool measured); each case starts mariadbd with the my.cnf Headroom exports for its plan as its only option file (datadir, unix socket, no TCP on the command line), warms the buffer pool with a full scan, then runs mysqlslap with the plan's clients (point selects, a small sort, a range count) and samples mariadbd's RSS every ${SAMPLE_MS / 1000} s for 8 s once every client is connected. Typical is the median sample, peak the largest. The idle case samples right after a restart, once the pool dump of the previous run is loaded (innodb_buffer_pool_load_at_startup, on by default).`,
    tools: { mariadbd: toolVersion(MARIADBD), mysqlslap: toolVersion(SLAP) },
  }, cases);
}
