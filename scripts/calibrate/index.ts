// npm run calibrate [-- postgres pgbouncer redis prometheus memcached mysql rabbitmq host]: measures real servers started with
// Headroom's exported configs and records calibration/<kind>.json. Takes a few minutes; not part
// of CI (the CI test reads the recorded files). Every process it starts is stopped, also on failure.
import { spawnSync } from 'node:child_process';
import { installCleanup, stopAll } from './proc.ts';
import { calibratePostgres } from './run-postgres.ts';
import { calibrateRedis } from './run-redis.ts';
import { calibratePrometheus } from './run-prometheus.ts';
import { calibrateNginx } from './run-nginx.ts';
import { calibrateJvm } from './run-jvm.ts';
import { calibrateNode } from './run-node.ts';
import { calibrateFastapi } from './run-fastapi.ts';

import { calibrateMemcached } from './run-memcached.ts';
import { calibrateMariadb } from './run-mariadb.ts';
import { calibrateRabbitmq } from './run-rabbitmq.ts';
import { calibrateHost } from './run-host-vm.ts';

const KINDS = ['postgres', 'redis', 'prometheus', 'nginx', 'jvm', 'node', 'fastapi', 'memcached', 'mysql', 'rabbitmq', 'host'] as const;
type Kind = (typeof KINDS)[number];
const RUNNERS: Record<Kind, () => Promise<void>> = {
  // pgBouncer runs in front of the same PostgreSQL, so the postgres run records both files.
  postgres: calibratePostgres,
  redis: calibrateRedis,
  prometheus: calibratePrometheus,
  nginx: calibrateNginx,
  jvm: calibrateJvm,
  node: calibrateNode,
  fastapi: calibrateFastapi,
  memcached: calibrateMemcached,
  // MariaDB (Debian's mariadb-server) measures the mysql kind.
  mysql: calibrateMariadb,
  rabbitmq: calibrateRabbitmq,
  // The host reserve's kernel and system part, in virtual machines of 512 MiB to 8 GiB (calibration/kernel.json).
  host: calibrateHost,
};

function kindsFrom(args: string[]): Kind[] {
  if (!args.length) return [...KINDS];
  const out: Kind[] = [];
  for (const a of args) {
    const k = a === 'pgbouncer' ? 'postgres' : a === 'mariadb' ? 'mysql' : a;
    if (!(KINDS as readonly string[]).includes(k)) {
      console.error(`unknown kind "${a}": expected one of postgres, pgbouncer, redis, prometheus, nginx, jvm, node, fastapi, memcached, mysql (mariadb), rabbitmq, host`);
      process.exit(2);
    }
    if (!out.includes(k as Kind)) out.push(k as Kind);
  }
  return out;
}

installCleanup();
const kinds = kindsFrom(process.argv.slice(2));
let failed = false;
for (const k of kinds) {
  const t0 = Date.now();
  console.log(`\n== ${k}`);
  try {
    await RUNNERS[k]();
    console.log(`== ${k}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } catch (e) {
    failed = true;
    console.error(`== ${k}: FAILED: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await stopAll();
  }
}
if (!failed) {
  // A fresh process: this one imported the data files as they were before the run.
  console.log('\nThe calibration table (scripts/calibrate/table.ts), for the README:\n');
  spawnSync(process.execPath, [...process.execArgv, 'scripts/calibrate/table.ts'], { stdio: 'inherit' });
}
process.exitCode = failed ? 1 : 0;
