/**
 * pgBouncer cases: the exported pgbouncer.ini (pool settings as planned), in front of the
 * harness's PostgreSQL, with 10, 100 and 1,000 client connections held open by pgbench
 * (each client runs SELECT 1 once a second), and pgBouncer's RSS sampled meanwhile.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { CalibrationCase, CalibrationPlan } from '../../src/engine/calibration.ts';
import { exportedFile } from './record.ts';
import { loadWatch } from './machine.ts';
import { PG_BIN, type PgServer } from './pg.ts';
import { exitReason, freePort, max, median, mib, parentsOf, privateKiB, requireTool, round2, run, sleep, smapsOf, startGroup, stopGroup, commOf, treeOf, waitFor } from './proc.ts';

const PGBOUNCER = '/usr/sbin/pgbouncer';
const RUN_SECONDS = 8;
const SAMPLE_MS = 400;
/** Each client runs SELECT 1 and sleeps a second: connections held open, little traffic. */
const CLIENT_SCRIPT = '\\sleep 1000 ms\nSELECT 1;\n';

/** The app stand-in opens `clients` connections (pool 1, no overflow; at most 250 workers a replica). */
export function pgbouncerPlan(clients: number, tps = 1, activeMean = 0.01): CalibrationPlan {
  const replicas = Math.ceil(clients / 250);
  return {
    name: `calibration pgbouncer-c${clients}`,
    host: { ram: '4GiB' },
    workload: { activeUsers: round2(Math.max(tps, 0.01)), requestsPerUserPerMinute: 60, dbTimePerRequestMs: Math.round((Math.max(activeMean, 0.001) / Math.max(tps, 0.01)) * 1e6) / 1000, spike: 1 },
    services: [
      { name: 'postgres', kind: 'postgres', limit: '800MiB', settings: { maxConnections: 120 } },
      // The seed's pgBouncer: transaction mode, pool 20; max_client_conn as the pgBouncer tuner (src/engine/kinds/pgbouncer.ts) would set it (app × 1.2, at least 100).
      { name: 'pgbouncer', kind: 'pgbouncer', limit: '64MiB', settings: { poolMode: 'transaction', defaultPoolSize: 20, maxClientConn: Math.max(100, Math.ceil(clients * 1.2)) } },
      { name: 'pgbench', kind: 'fastapi', limit: '1GiB', settings: { replicas, workers: clients / replicas, poolSize: 1, maxOverflow: 0, perWorker: '8MiB' } },
    ],
  };
}

/** The exported ini with what only a container has replaced: loopback, a free port, trust auth
 * from a temp userlist, the upstream on the harness's unix socket. Pool settings stay as exported. */
function iniForHarness(exported: string, pg: PgServer, port: number): { text: string; overrides: Record<string, string> } {
  const overrides: Record<string, string> = {
    listen_addr: '127.0.0.1',
    listen_port: String(port),
    unix_socket_dir: pg.dir,
    auth_type: 'trust',
    auth_file: join(pg.dir, 'userlist.txt'),
    admin_users: 'postgres',
  };
  let section = '';
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of exported.split('\n')) {
    const sec = /^\[(\w+)\]/.exec(line);
    if (sec) section = sec[1]!;
    const kv = /^([a-z_]+)\s*=/.exec(line);
    if (section === 'databases' && kv) {
      out.push(`${kv[1]} = host=${pg.dir} port=${pg.port} dbname=postgres user=postgres`);
      overrides[`databases.${kv[1]}`] = 'the harness server, unix socket';
    } else if (section === 'pgbouncer' && kv && overrides[kv[1]!] !== undefined) {
      out.push(`${kv[1]} = ${overrides[kv[1]!]}`);
      seen.add(kv[1]!);
    } else out.push(line);
  }
  const idx = out.findIndex((l) => l.startsWith('[pgbouncer]'));
  const missing = Object.entries(overrides).filter(([k]) => !k.includes('.') && !seen.has(k)).map(([k, v]) => `${k} = ${v}`);
  out.splice(idx + 1, 0, ...missing);
  return { text: out.join('\n'), overrides };
}

/** Open sockets of a process (its client and server connections, and listeners). */
function socketCount(pid: number): number {
  let n = 0;
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // exited
  }
  return n;
}

export async function pgbouncerCase(pg: PgServer, clients: number): Promise<CalibrationCase> {
  requireTool(PGBOUNCER, 'pgbouncer');
  const id = `pgbouncer-c${clients}`;
  const port = await freePort();
  const exported = exportedFile(pgbouncerPlan(clients), 'pgbouncer.ini');
  const { text, overrides } = iniForHarness(exported, pg, port);
  const ini = pg.writeFile(`${id}.ini`, text);
  pg.writeFile('userlist.txt', '"postgres" ""\n');
  pg.writeFile('client.sql', CLIENT_SCRIPT);
  await pg.start();
  const bouncer = startGroup('pgbouncer', 'runuser', ['-u', 'postgres', '--', PGBOUNCER, ini], join(pg.dir, `${id}.log`));
  const watch = loadWatch();
  try {
    const psqlBouncer = (sql: string) => run(join(PG_BIN, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-X', '-At', '-c', sql, 'pgbouncer'], { timeoutMs: 10_000 }).trim();
    await waitFor('pgbouncer to listen', () => psqlBouncer('SHOW VERSION').length > 0, 15_000, () => exitReason(bouncer));
    const settings: Record<string, string> = {};
    for (const row of psqlBouncer('SHOW CONFIG').split('\n')) {
      const [key, value] = row.split('|');
      if (key && ['pool_mode', 'max_client_conn', 'default_pool_size', 'reserve_pool_size', 'max_db_connections', 'pkt_buf', 'max_prepared_statements'].includes(key)) settings[key] = value ?? '';
    }
    settings.version = psqlBouncer('SHOW VERSION');
    const pid = treeOf(bouncer.pgid, parentsOf()).find((p) => commOf(p) === 'pgbouncer');
    if (!pid) throw new Error('pgbouncer process not found');
    const idle = smapsOf(pid);

    const bench = startGroup('pgbench', join(PG_BIN, 'pgbench'), ['-n', '-c', String(clients), '-j', '2', '-T', String(RUN_SECONDS), '-f', join(pg.dir, 'client.sql'), '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'app'], join(pg.dir, `${id}.pgbench.log`));
    const rss: number[] = [];
    const pss: number[] = [];
    const priv: number[] = [];
    let sockets = 0;
    try {
      let exited = false;
      void bench.exited.then(() => (exited = true));
      const end = Date.now() + (RUN_SECONDS + 10) * 1000;
      while (!exited && Date.now() < end) {
        const n = socketCount(pid);
        const m = smapsOf(pid);
        // Steady state: every client connected (plus the listeners and server connections).
        if (m && n >= clients) {
          rss.push(m.rss);
          pss.push(m.pss);
          priv.push(privateKiB(m));
          sockets = Math.max(sockets, n);
        }
        await sleep(SAMPLE_MS);
      }
      const code = await bench.exited;
      if (code !== 0) throw new Error(`pgbench exited ${code}: see ${bench.logFile}`);
    } finally {
      await stopGroup(bench, 'SIGINT', 3000);
    }
    const steady = rss.slice(0, -1);
    if (steady.length < 3) throw new Error(`${id}: only ${steady.length} samples with every client connected`);
    const out = readFileSync(bench.logFile, 'utf8');
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1] ?? NaN);
    const load = watch();
    return {
      id,
      label: `pgBouncer ${settings.pool_mode} mode, pool ${settings.default_pool_size}, ${clients} client connections (pgbench, SELECT 1 a second each)`,
      role: 'typical',
      plan: pgbouncerPlan(clients, tps, 0.01),
      service: 'pgbouncer',
      settings: { ...settings, ...Object.fromEntries(Object.entries(overrides).map(([k, v]) => [`harness override ${k}`, v.replaceAll(pg.dir, '$TMPDIR').replace(/^\d{4,5}$/, '(free port)')])) },
      load: { tool: 'pgbench', script: 'sleep 1 s; SELECT 1', clients, seconds: RUN_SECONDS, tps: round2(tps), socketsMax: sockets, ...load },
      measured: {
        metric: 'RSS of the pgbouncer process (/proc/PID/smaps_rollup)',
        typicalMiB: mib(median(steady)),
        peakMiB: mib(max(rss)),
        samples: steady.length,
        detail: {
          pss: mib(median(pss)),
          private: mib(median(priv)),
          idleRss: mib(idle?.rss ?? 0),
          idlePrivate: mib(idle ? privateKiB(idle) : 0),
          perClientKiB: round2(idle ? (median(priv) - privateKiB(idle)) / clients : 0),
        },
      },
    };
  } finally {
    await stopGroup(bouncer, 'SIGINT', 5000);
    await pg.stop();
  }
}
