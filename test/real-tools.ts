/**
 * Starting, stopping and calling the real tools the exported files are for. Test-only. A missing
 * tool fails loudly with the apt command that installs it; nothing here skips.
 *
 * PostgreSQL and pgBouncer refuse to run as root: they are spawned with the uid/gid of the
 * `postgres` user directly (not through runuser), so that the PID we hold is the server's own
 * and stopping it by PID works.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export { freePort };

export const PG_BIN = '/usr/lib/postgresql/15/bin';

/** The tools and the Debian package of each. */
export const TOOLS = {
  'docker-compose': 'docker-compose',
  promtool: 'prometheus',
  prometheus: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'redis-server': 'redis-server',
  'redis-cli': 'redis-server',
  pgbouncer: 'pgbouncer',
  psql: 'postgresql-client-15',
  [`${PG_BIN}/postgres`]: 'postgresql-15',
  [`${PG_BIN}/initdb`]: 'postgresql-15',
  [`${PG_BIN}/pg_ctl`]: 'postgresql-15',
  java: 'openjdk-17-jre-headless',
  nginx: 'nginx',
} as const;

/** Throws, naming the apt command, when a tool is not installed. */
export function requireTool(tool: keyof typeof TOOLS): string {
  const path = tool.startsWith('/') ? tool : (spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim() || null);
  try {
    if (!path) throw new Error('missing');
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    throw new Error(`${tool} is not installed: apt-get update && apt-get install -y --no-install-recommends ${TOOLS[tool]}`);
  }
}

export type RunResult = { code: number | null; stdout: string; stderr: string };

export type RunOptions = { asPostgres?: boolean; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string };

let pgIds: { uid: number; gid: number } | null = null;
/** The uid and gid of the `postgres` user (created by the postgresql-15 package). */
export function postgresIds(): { uid: number; gid: number } {
  if (pgIds) return pgIds;
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('no postgres user: apt-get install -y --no-install-recommends postgresql-15');
  pgIds = { uid, gid };
  return pgIds;
}

/** Runs a command to completion and returns its output (never throws on a non-zero exit). */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const ids = opts.asPostgres ? postgresIds() : {};
    const child = spawn(cmd, args, { ...ids, cwd: opts.cwd, env: opts.env ?? process.env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // a tool that exits without reading its input
      child.stdin.end(opts.input);
    }
  });
}

/** Runs and throws with the tool's own output when it exits non-zero. */
export async function runOk(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** A long-running process we started, stopped by its PID. */
export type Background = { child: ChildProcess; output: () => string; stop: (signal?: NodeJS.Signals) => Promise<void> };

const running = new Set<Background>();

/** Synchronous last resort when the test process ends: SIGKILL every server still running. */
function killRunningSync(): void {
  for (const b of running) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
}

let exitHandlers = false;
/**
 * afterAll's stopAll does not run when the test process itself is stopped (a cancelled CI run,
 * vitest ending its workers, Ctrl-C): a postgres and a redis-server from a stopped run outlived
 * it (2026-12-03). On exit and on those signals, every server still running is killed first,
 * as the calibration harness does (scripts/calibrate/proc.ts installCleanup).
 */
function installExitHandlers(): void {
  if (exitHandlers) return;
  exitHandlers = true;
  process.on('exit', killRunningSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killRunningSync();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

export function background(cmd: string, args: string[], opts: RunOptions = {}): Background {
  installExitHandlers();
  const ids = opts.asPostgres ? postgresIds() : {};
  const child = spawn(cmd, args, { ...ids, cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const bg: Background = {
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      running.delete(bg);
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        child.kill(signal);
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
  running.add(bg);
  return bg;
}

/** Stops every background process still running (for afterAll, also after a failure). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((b) => b.stop()));
}

/** Polls until `check` returns true or the time is up. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000, bg?: Background): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    if (bg && bg.child.exitCode !== null) throw new Error(`${what}: the process exited ${bg.child.exitCode}\n${bg.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: timed out after ${timeoutMs} ms${bg ? `\n${bg.output()}` : ''}`);
}


/** A temporary folder the postgres user can read (and own, when `ownedByPostgres`). */
export function tempDir(prefix: string, ownedByPostgres = false): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `headroom-${prefix}-`));
  chmodSync(path, 0o755);
  if (ownedByPostgres) {
    const { uid, gid } = postgresIds();
    chownSync(path, uid, gid);
  }
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** One PostgreSQL data directory for a test file: initdb once, then single-user checks or a real start. */
export class PgCluster {
  readonly data: string;
  readonly socketDir: string;
  private server: Background | null = null;
  port = 0;

  constructor(dir: string) {
    this.data = join(dir, 'data');
    this.socketDir = dir;
  }

  async init(): Promise<void> {
    requireTool(`${PG_BIN}/initdb`);
    await runOk(`${PG_BIN}/initdb`, ['-D', this.data, '-U', 'postgres', '--auth=trust', '-N', '-E', 'UTF8', '--locale=C'], { asPostgres: true, timeoutMs: 60_000 });
  }

  /**
   * Reads pg_settings in single-user mode with `confFile` as the configuration file: the
   * server parses the file and allocates its shared memory, without a postmaster or a port.
   */
  async settings(confFile: string, names: string[]): Promise<Map<string, { setting: string; unit: string }>> {
    const sql = `SELECT string_agg(name || '=' || setting || '=' || coalesce(unit, ''), ';' ORDER BY name) FROM pg_settings WHERE name IN (${names.map((n) => `'${n}'`).join(', ')});\n`;
    const r = await run(`${PG_BIN}/postgres`, ['--single', '-D', this.data, '-c', `config_file=${confFile}`, '-c', 'listen_addresses=', 'postgres'], { asPostgres: true, input: sql });
    const m = /string_agg = "([^"]*)"/.exec(r.stdout);
    if (r.code !== 0 || !m) throw new Error(`postgres --single with ${confFile} failed (exit ${r.code})\n${r.stdout}\n${r.stderr}`);
    const out = new Map<string, { setting: string; unit: string }>();
    for (const part of m[1]!.split(';')) {
      const [name, setting, unit] = part.split('=');
      out.set(name!, { setting: setting ?? '', unit: unit ?? '' });
    }
    return out;
  }

  /** Starts a real postmaster with `confFile`, on a unix socket and a free TCP port on loopback. */
  async start(confFile: string): Promise<void> {
    requireTool(`${PG_BIN}/postgres`);
    this.port = await freePort();
    this.server = background(`${PG_BIN}/postgres`, ['-D', this.data, '-c', `config_file=${confFile}`, '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${this.socketDir}`, '-p', String(this.port)], { asPostgres: true });
    await waitFor('postgres start', async () => (await run('psql', ['-h', this.socketDir, '-p', String(this.port), '-U', 'postgres', '-Atc', 'SELECT 1'])).code === 0, 30_000, this.server);
  }

  async sql(query: string, db = 'postgres'): Promise<string> {
    return (await runOk('psql', ['-h', this.socketDir, '-p', String(this.port), '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-Atc', query])).stdout.trim();
  }

  async stop(): Promise<void> {
    if (this.server) await this.server.stop('SIGINT'); // PostgreSQL's fast shutdown; SIGKILL after 5 s
    this.server = null;
  }
}
