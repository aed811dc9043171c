/**
 * The data stores' exported files, read by the real servers (Debian's packages): MariaDB starts
 * with every my.cnf and reports the planned values; RabbitMQ starts with the rabbitmq.conf and
 * reports the planned watermark; memcached starts with the exported command and reports its
 * -m, -c and -t. Each server runs on a unix socket or loopback in a temp dir and is stopped,
 * also on failure. A missing server fails, naming the package to install.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { parse as yamlParse } from 'yaml';
import { planParse, type Plan, type PlanInput, type ServiceOf } from '../../engine/schema.ts';
import { exportFiles } from '../export/index.ts';
import { mysqlOptions } from './mysql.ts';
import { rabbitmqConfEntries } from './rabbitmq.ts';
import { background, freePort, run, runOk, stopAll, tempDir, waitFor } from '../../../test/real-tools.ts';

/** A server binary, or a failure naming the apt command. */
function need(path: string, pkg: string): string {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    throw new Error(`${path} is not installed: apt-get update && apt-get install -y --no-install-recommends ${pkg}`);
  }
}

function planOf(input: PlanInput): Plan {
  const r = planParse(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.plan;
}
const fileOf = (plan: Plan, path: string) => {
  const f = exportFiles(plan).find((x) => x.path === path);
  if (!f) throw new Error(`the export has no ${path}`);
  return f.content;
};

/** memcached's `stats settings` over its unix socket. */
function statsSettings(sock: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(sock, () => c.write('stats settings\r\n'));
    let text = '';
    c.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.endsWith('END\r\n')) {
        c.destroy();
        resolve(text);
      }
    });
    c.once('error', reject);
    setTimeout(() => (c.destroy(), reject(new Error('memcached: no answer in 5 s'))), 5000).unref();
  });
}

const SLOW = 240_000;
afterAll(stopAll);

describe('real servers read the data stores\' exported files', () => {
  it('mariadbd starts with each exported my.cnf and reports the planned values', async () => {
    const mariadbd = need('/usr/sbin/mariadbd', 'mariadb-server');
    const installDb = need('/usr/bin/mariadb-install-db', 'mariadb-server');
    const client = need('/usr/bin/mariadb', 'mariadb-client');
    const plans = [
      planOf({ host: { ram: '4GiB' }, services: [{ name: 'db', kind: 'mysql', limit: '1GiB', settings: { flavor: 'mariadb', bufferPool: '384MiB', maxConnections: 60 } }] }),
      planOf({ host: { ram: '4GiB' }, services: [{ name: 'db', kind: 'mysql', limit: '2GiB', settings: { flavor: 'mariadb', bufferPool: '200MiB', maxConnections: 300, performanceSchema: true, sortBuffer: '1MiB', joinBuffer: '512KiB', tmpTableSize: '32MiB', keyBuffer: '16MiB', logBuffer: '8MiB' } }] }),
    ];
    const d = tempDir('mariadb');
    try {
      await runOk(installDb, ['--no-defaults', `--datadir=${join(d.path, 'data')}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { timeoutMs: 180_000 });
      for (const plan of plans) {
        const cnf = join(d.path, 'my.cnf');
        writeFileSync(cnf, fileOf(plan, 'my.cnf'));
        const sock = join(d.path, 'mysqld.sock');
        const server = background(mariadbd, [`--defaults-file=${cnf}`, `--datadir=${join(d.path, 'data')}`, `--socket=${sock}`, '--skip-networking', '--user=root', `--pid-file=${join(d.path, 'pid')}`]);
        const sql = async (q: string) => (await run(client, ['--no-defaults', '-S', sock, '-uroot', '-N', '-B', '-e', q])).stdout.trim();
        try {
          await waitFor('mariadbd start', async () => (await sql('SELECT 1')) === '1', 120_000, server);
          const expected = mysqlOptions(plan.services[0] as ServiceOf<'mysql'>);
          expect(Object.keys(expected)).toContain('innodb_buffer_pool_size');
          for (const [name, value] of Object.entries(expected)) expect(`${name} = ${await sql(`SELECT @@${name}`)}`).toBe(`${name} = ${value === 'ON' ? '1' : value === 'OFF' ? '0' : value}`);
        } finally {
          await run(need('/usr/bin/mariadb-admin', 'mariadb-client'), ['--no-defaults', '-S', sock, '-uroot', 'shutdown'], { timeoutMs: 60_000 });
          await server.stop();
        }
      }
    } finally {
      d.remove();
    }
  }, SLOW);

  it('rabbitmq-server starts with the exported rabbitmq.conf and runs with the planned watermark', async () => {
    const server = need('/usr/lib/rabbitmq/bin/rabbitmq-server', 'rabbitmq-server');
    const ctl = need('/usr/lib/rabbitmq/bin/rabbitmqctl', 'rabbitmq-server');
    const plan = planOf({ host: { ram: '4GiB' }, services: [{ name: 'mq', kind: 'rabbitmq', limit: '768MiB', settings: { version: '3', watermarkAbsolute: '300MiB' } }] });
    const conf = fileOf(plan, 'rabbitmq.conf');
    expect(conf).toContain('vm_memory_high_watermark.absolute = 300MiB');
    const d = tempDir('rabbitmq');
    const epmdPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: d.path,
      RABBITMQ_NODENAME: 'headroomtest@localhost',
      RABBITMQ_CONFIG_FILE: join(d.path, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(d.path, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(d.path, 'mnesia'),
      RABBITMQ_LOG_BASE: join(d.path, 'log'),
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(await freePort()),
      RABBITMQ_DIST_PORT: String(await freePort()),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      ERL_EPMD_PORT: String(epmdPort),
    };
    writeFileSync(join(d.path, 'rabbitmq.conf'), conf);
    writeFileSync(join(d.path, 'enabled_plugins'), '[].\n');
    const node = background(server, [], { env, cwd: d.path });
    const rabbitmqctl = (args: string[]) => run(ctl, ['-n', 'headroomtest@localhost', ...args], { env, cwd: d.path, timeoutMs: 60_000 });
    try {
      await waitFor('rabbitmq start', async () => (await rabbitmqctl(['await_startup', '--timeout', '5'])).code === 0, 180_000, node);
      const limit = Number((await rabbitmqctl(['eval', 'vm_memory_monitor:get_memory_limit().'])).stdout.trim());
      const [key, value] = Object.entries(rabbitmqConfEntries(plan.services[0] as ServiceOf<'rabbitmq'>))[0]!;
      expect(key).toBe('vm_memory_high_watermark.absolute');
      expect(limit).toBe(Number(value.replace('MiB', '')) * 1048576);
    } finally {
      await rabbitmqctl(['stop']);
      await node.stop();
      // The node started epmd as a daemon on our port: stop it through its own command.
      await run('epmd', ['-port', String(epmdPort), '-kill']);
      d.remove();
    }
  }, SLOW);

  it('memcached runs the exported command with the planned -m, -c and -t', async () => {
    const memcached = need('/usr/bin/memcached', 'memcached');
    const plan = planOf({ host: { ram: '4GiB' }, services: [{ name: 'cache', kind: 'memcached', limit: '256MiB', settings: { memory: '150MiB', maxConnections: 500, threads: 2 } }] });
    const compose = yamlParse(fileOf(plan, exportFiles(plan).find((f) => /^docker-compose/.test(f.path))!.path)) as { services: Record<string, { command: string[] }> };
    const [, ...args] = compose.services.cache!.command;
    const d = tempDir('memcached');
    const sock = join(d.path, 'mc.sock');
    const server = background(memcached, [...args, '-s', sock, '-u', 'root']);
    try {
      const stats = () => statsSettings(sock);
      await waitFor('memcached start', async () => (await stats().catch(() => '')).includes('STAT maxbytes'), 15_000, server);
      const out = await stats();
      expect(out).toContain(`STAT maxbytes ${150 * 1048576}\r`);
      expect(out).toContain('STAT maxconns 500\r');
      expect(out).toContain('STAT num_threads 2\r');
    } finally {
      await server.stop();
      d.remove();
    }
  }, SLOW);
});
