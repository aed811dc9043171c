/**
 * A PostgreSQL 15 server for the harness: initdb in a temp dir owned by user postgres (it refuses
 * root), started in the foreground in its own process group with Headroom's exported
 * postgresql.conf included, on a unix socket only.
 */
import { chownSync, mkdtempSync, readFileSync, rmSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitReason, requireTool, run, startGroup, stopGroup, waitFor, type Started } from './proc.ts';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
const PG_APT = 'postgresql-15';

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('user postgres is missing: apt-get install -y --no-install-recommends postgresql-15');
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

export class PgServer {
  readonly dir: string;
  readonly data: string;
  readonly port = 5432 + 1000 + Math.floor(Math.random() * 1000);
  private server: Started | null = null;
  private ids = postgresIds();

  constructor() {
    for (const b of ['initdb', 'postgres', 'pgbench', 'psql']) requireTool(join(PG_BIN, b), PG_APT);
    this.dir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-pg-'));
    chownSync(this.dir, this.ids.uid, this.ids.gid);
    this.data = join(this.dir, 'data');
  }

  /** Runs a PostgreSQL binary as user postgres. */
  asPostgres(bin: string, args: string[], timeoutMs = 120_000): string {
    return run('runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args], { timeoutMs });
  }

  initdb(): void {
    this.asPostgres('initdb', ['-D', this.data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    appendFileSync(join(this.data, 'postgresql.conf'), `\ninclude '${join(this.dir, 'headroom.conf')}'\n`);
    this.writeConf('# empty until a case writes its exported postgresql.conf\n');
  }

  /** A file in the temp dir, readable by postgres. */
  writeFile(name: string, text: string): string {
    const p = join(this.dir, name);
    writeFileSync(p, text);
    chownSync(p, this.ids.uid, this.ids.gid);
    return p;
  }

  writeConf(text: string): void {
    this.writeFile('headroom.conf', text);
  }

  /** `postgres -C NAME` on the stopped cluster (shared_memory_size is computed only then). */
  showStopped(name: string): string {
    return this.asPostgres('postgres', ['-D', this.data, '-C', name], 30_000).trim();
  }

  async start(): Promise<void> {
    // Loopback only: no TCP at all, a unix socket in our temp dir.
    this.server = startGroup('postgres', 'runuser', ['-u', 'postgres', '--', join(PG_BIN, 'postgres'), '-D', this.data, '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses='], join(this.dir, 'postgres.log'));
    const server = this.server;
    await waitFor('postgres to accept connections', () => {
      this.psql('SELECT 1', 5000);
      return true;
    }, 30_000, () => exitReason(server)).catch((e: Error) => {
      throw new Error(`${e.message}\n--- postgres.log ---\n${this.log().slice(-3000)}`);
    });
  }

  /** Fast shutdown (SIGINT to the postmaster), then the whole group. */
  async stop(): Promise<void> {
    const pid = this.postmasterPid();
    if (pid) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
      await waitFor('postgres to stop', () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, 30_000).catch(() => undefined);
    }
    if (this.server) await stopGroup(this.server, 'SIGINT', 10_000);
    this.server = null;
  }

  postmasterPid(): number | null {
    try {
      return Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
    } catch {
      return null;
    }
  }

  /** Connection arguments for psql and pgbench. */
  connArgs(db = 'postgres'): string[] {
    return ['-h', this.dir, '-p', String(this.port), '-U', 'postgres', db];
  }

  psql(sql: string, timeoutMs = 120_000): string {
    return run(join(PG_BIN, 'psql'), [...this.connArgs(), '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], { timeoutMs }).trim();
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'postgres.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
