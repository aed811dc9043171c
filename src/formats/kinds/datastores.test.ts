import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeEdit, composeImport } from '../compose-import/index.ts';
import { planParse, type PlanInput } from '../../engine/schema.ts';
import { rabbitmqSizeParse } from './rabbitmq.ts';
import { iniEntries, readOptions, suffixedSize, type Found } from './options.ts';

/** Imports `text` and returns each service's kind, settings and what was read. */
function imported(text: string, files: Record<string, string> = {}) {
  const r = composeImport(text, { readFile: (p) => files[p.replace(/^\.\//, '')] });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return Object.fromEntries(r.services.map((n) => [n.service, { kind: n.kind, why: n.why, read: n.read, warnings: n.warnings, settings: r.input.services.find((s) => s.name === n.service)!.settings ?? {} }]));
}

/** Imports, changes the plan, writes the edit, and imports the result again. */
function edited(text: string, change: (p: PlanInput) => void) {
  const r = composeImport(text);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const input = structuredClone(r.input);
  change(input);
  const parsed = planParse(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const e = composeEdit(text, parsed.plan);
  if (!e.ok) throw new Error(JSON.stringify(e.issues));
  const again = composeImport(e.text);
  if (!again.ok) throw new Error(JSON.stringify(again.issues));
  return { text: e.text, changes: e.changes, notes: e.notes, again: again.input };
}
const svcOf = (p: PlanInput, name: string) => p.services.find((s) => s.name === name)!;

describe('recognition on the corpus\'s own services', () => {
  it('sentry (test/corpus/sentry/docker-compose.yml): memcached with flags only as its command', () => {
    const s = imported('services:\n  memcached:\n    image: "memcached:1.6.45-alpine"\n    command: ["-I", "1M"]\n').memcached!;
    expect(s.kind).toBe('memcached');
  });

  it('huginn (test/corpus/huginn/docker/single-process): a data-only container on mysql:8.0 is not a server', () => {
    const s = imported('services:\n  mysqldata:\n    image: mysql:8.0\n    command: /bin/true\n  mysql:\n    image: mysql:8.0\n    restart: always\n');
    expect(s.mysqldata!.kind).toBe('generic');
    expect(s.mysqldata!.why).toMatch(/image mysql:8\.0 is MySQL, but its command runs true, not the server: true exits at once/);
    // It stops as it starts: no memory, from the command (not the generic guess).
    expect(s.mysqldata!.settings).toEqual({ image: 'mysql:8.0', usage: { low: 0, typical: 0, high: 0 } });
    expect(s.mysql!.kind).toBe('mysql');
  });

  it('a container whose whole command is true or : holds no memory; one that keeps running keeps the guess', () => {
    const s = imported('services:\n  data:\n    image: busybox\n    command: ["true"]\n  colon:\n    image: busybox\n    entrypoint: [":"]\n  sleeper:\n    image: busybox\n    command: ["sleep", "infinity"]\n  script:\n    image: busybox\n    command: ["true", "&&", "httpd"]\n');
    expect(s.data!.settings).toEqual({ image: 'busybox', usage: { low: 0, typical: 0, high: 0 } });
    expect(s.data!.why).toMatch(/image busybox: true exits at once/);
    expect(s.colon!.settings).toMatchObject({ usage: { low: 0, typical: 0, high: 0 } });
    expect(s.sleeper!.settings).toEqual({ image: 'busybox' });
    expect(s.script!.settings).toEqual({ image: 'busybox' });
  });

  it('appwrite (test/corpus/appwrite/docker-compose.yml): mariadb:10.11 running mysqld is MariaDB', () => {
    const s = imported('services:\n  mariadb:\n    image: mariadb:10.11\n    command:\n      - mysqld\n      - --innodb-flush-method=fsync\n').mariadb!;
    expect(s.kind).toBe('mysql');
    expect(s.settings).toEqual({ flavor: 'mariadb' });
  });

  it('rocketchat (test/corpus/rocketchat/generated): helpers on the MongoDB image are not servers; the exporter is not MongoDB', () => {
    const text = [
      'services:',
      '  mongodb:',
      '    image: docker.io/mongodb/mongodb-community-server:8.2-ubi8',
      '  mongodb-init-container:',
      '    image: docker.io/mongodb/mongodb-community-server:8.2-ubi8',
      '    entrypoint: |',
      "      sh -xc 'until mongosh \"$$MONGODB_URI\" --eval \"db.adminCommand(\\\"ping\\\")\"; do sleep 5; done'",
      '  mongodb-exporter:',
      '    image: docker.io/percona/mongodb_exporter:0.44.0',
    ].join('\n');
    const s = imported(text);
    expect(s.mongodb!.kind).toBe('mongodb');
    // appwrite (test/corpus/appwrite/docker-compose.yml): its own entrypoint script, unseen, may start mongod.
    expect(imported('services:\n  mongodb:\n    image: mongo:8.2.5\n    entrypoint:\n      - /bin/bash\n      - /mongo-entrypoint.sh\n').mongodb!.kind).toBe('mongodb');
    expect(s['mongodb-init-container']!.kind).toBe('generic');
    expect(s['mongodb-exporter']!.kind).not.toBe('mongodb');
  });

  it('signoz (test/corpus/signoz/deploy/docker): the init job on the ClickHouse image is not the server; clickhouse-keeper is not ClickHouse', () => {
    const s = imported('services:\n  clickhouse:\n    image: clickhouse/clickhouse-server:25.5.6\n  init-clickhouse:\n    image: clickhouse/clickhouse-server:25.5.6\n    command:\n      - bash\n      - -c\n      - |\n        cd /tmp\n        wget -O h.tar.gz "https://example.invalid/h.tar.gz"\n  keeper:\n    image: clickhouse/clickhouse-keeper:latest-alpine\n');
    expect(s.clickhouse!.kind).toBe('clickhouse');
    expect(s['init-clickhouse']!.kind).toBe('generic');
    expect(s.keeper!.kind).not.toBe('clickhouse');
  });

  it('zulip (test/corpus/zulip/compose.yaml): rabbitmq:4.2 started through a script that execs the entrypoint', () => {
    const s = imported('services:\n  rabbitmq:\n    image: "rabbitmq:4.2"\n    command:\n      - "sh"\n      - "-euc"\n      - |\n        export RABBITMQ_DEFAULT_PASS="$$(cat $$RABBITMQ_PASSWORD_FILE)"\n        exec docker-entrypoint.sh rabbitmq-server\n').rabbitmq!;
    expect(s.kind).toBe('rabbitmq');
    expect(s.settings).toEqual({ version: '4' });
  });

  it('plane (test/corpus/plane/deployments/cli/community): rabbitmq:3.13.6-management-alpine is RabbitMQ 3 (watermark 0.4)', () => {
    const s = imported('services:\n  plane-mq:\n    image: rabbitmq:3.13.6-management-alpine\n')['plane-mq']!;
    expect(s.settings).toEqual({ version: '3' });
    expect(s.read.join()).toMatch(/default watermark 0\.4/);
  });
});

describe('settings read from commands, environment and mounted files', () => {
  it('mysql: a mounted my.cnf, then the command line over it; MySQL sizes with suffixes, bare numbers in bytes', () => {
    const cnf = '[client]\nport = 3306\n[mysqld]\ninnodb_buffer_pool_size = 1G\nmax_connections=300\nperformance-schema = OFF\nsort_buffer_size = 262144\n';
    const s = imported('services:\n  db:\n    image: mysql:8.4\n    volumes:\n      - ./my.cnf:/etc/mysql/conf.d/my.cnf:ro\n    command: --innodb-buffer-pool-size=512M --max_connections 200\n', { 'my.cnf': cnf }).db!;
    expect(s.settings).toEqual({ bufferPool: '512MiB', maxConnections: 200, performanceSchema: false, sortBuffer: '256KiB' });
    expect(s.read.join('\n')).toMatch(/innodb_buffer_pool_size 512MiB from command --innodb-buffer-pool-size=512M/);
  });

  it('mysql: Bitnami\'s MARIADB_EXTRA_FLAGS, and --skip-performance-schema', () => {
    const s = imported('services:\n  db:\n    image: bitnami/mariadb:11.4\n    environment:\n      MARIADB_EXTRA_FLAGS: "--innodb_buffer_pool_size=256M --max-connections=80"\n  my:\n    image: mysql:8.0\n    command: mysqld --skip-performance-schema\n');
    expect(s.db!.settings).toEqual({ flavor: 'mariadb', bufferPool: '256MiB', maxConnections: 80 });
    expect(s.my!.settings).toEqual({ performanceSchema: false });
  });

  it('memcached: -m, -c and -t from the command, Bitnami\'s environment', () => {
    const s = imported('services:\n  a:\n    image: memcached:alpine\n    command: memcached -m 256 -c 2048 -t 2\n  b:\n    image: bitnami/memcached:1\n    environment:\n      MEMCACHED_CACHE_SIZE: "128"\n');
    expect(s.a!.settings).toEqual({ memory: '256MiB', maxConnections: 2048, threads: 2 });
    expect(s.b!.settings).toEqual({ memory: '128MiB' });
  });

  it('rabbitmq: the watermark from a mounted rabbitmq.conf (relative and absolute) and Bitnami\'s environment', () => {
    const s = imported('services:\n  a:\n    image: rabbitmq:3.13\n    volumes: ["./rabbitmq.conf:/etc/rabbitmq/rabbitmq.conf:ro"]\n  b:\n    image: rabbitmq:4.1\n    volumes: ["./abs.conf:/etc/rabbitmq/conf.d/20-memory.conf"]\n  c:\n    image: bitnami/rabbitmq:3.13\n    environment:\n      RABBITMQ_VM_MEMORY_HIGH_WATERMARK: "0.5"\n', {
      'rabbitmq.conf': 'vm_memory_high_watermark.relative = 0.7\n',
      'abs.conf': 'vm_memory_high_watermark.absolute = 1GB\n',
    });
    expect(s.a!.settings).toEqual({ version: '3', watermark: 0.7 });
    expect(s.b!.settings).toEqual({ version: '4', watermarkAbsolute: '976563KiB' }); // 1 GB decimal, to the KiB
    expect(s.c!.settings).toMatchObject({ watermark: 0.5 });
  });

  it.each([
    ['512MiB', 512], ['1GB', 1e9 / 1048576], ['1G', 1024], ['2gb', 2e9 / 1048576], ['1073741824', 1024], ['100kB', 1e5 / 1048576],
  ] as const)('rabbitmq reads %s as %s MiB (its information units: binary K/M/G and *iB, decimal kB/MB/GB)', (text, mib) => {
    expect(rabbitmqSizeParse(text)).toBeCloseTo(mib, 6);
  });

  it('reads GNU options in every form, and ini sections', () => {
    const found = new Map<string, Found>();
    readOptions(['-m', '64', '-c2048', '--threads=4', '--memory-limit', '128'], { m: 'memory', 'memory-limit': 'memory', c: 'conns', threads: 'threads' }, 'command', found);
    expect(Object.fromEntries([...found].map(([k, v]) => [k, v.value]))).toEqual({ memory: '128', conns: '2048', threads: '4' });
    expect(iniEntries('[client]\nx=1\n[mysqld]\n# c\nKey-Buffer-Size = 8M # note\nskip-name-resolve\n', ['mysqld'])).toEqual([['key_buffer_size', '8M'], ['skip_name_resolve', '']]);
    expect(suffixedSize('1.5G', 1)).toEqual({ ok: true, value: 1536 });
    expect(suffixedSize('lots', 1).ok).toBe(false);
  });
});

describe('compose edit round trips', () => {
  it('mysql: edits the option where it stands and appends the others', () => {
    const e = edited('services:\n  mariadb:\n    image: mariadb:10.11\n    command:\n      - mysqld\n      - --innodb-flush-method=fsync\n      - --innodb_buffer_pool_size=1G\n    mem_limit: 2g\n', (p) => {
      Object.assign(svcOf(p, 'mariadb').settings!, { bufferPool: '768MiB', maxConnections: 60 });
    });
    expect(e.text).toContain('      - --innodb_buffer_pool_size=768M\n      - --max-connections=60\n');
    expect(svcOf(e.again, 'mariadb').settings).toEqual({ flavor: 'mariadb', bufferPool: '768MiB', maxConnections: 60 });
  });

  it('mysql: the official image gets its server as the command when it had none', () => {
    const e = edited('services:\n  db:\n    image: mysql:8.4\n    mem_limit: 1g\n', (p) => {
      Object.assign(svcOf(p, 'db').settings ??= {}, { performanceSchema: false });
    });
    expect(e.text).toContain('command: mysqld --performance-schema=OFF');
    expect(svcOf(e.again, 'db').settings).toEqual({ performanceSchema: false });
  });

  it('memcached: -m edited in place (a short option), and Bitnami\'s variable', () => {
    const e = edited('services:\n  cache:\n    image: memcached:alpine\n    command: memcached -m 512 -v\n    mem_limit: 256m\n  b:\n    image: bitnami/memcached:1\n    environment:\n      - MEMCACHED_CACHE_SIZE=512\n    mem_limit: 256m\n', (p) => {
      Object.assign(svcOf(p, 'cache').settings!, { memory: '200MiB' });
      Object.assign(svcOf(p, 'b').settings!, { memory: '200MiB' });
    });
    expect(e.text).toContain('command: memcached -m 200 -v');
    expect(e.text).toContain('      - MEMCACHED_CACHE_SIZE=200\n');
    expect(svcOf(e.again, 'cache').settings).toEqual({ memory: '200MiB' });
    expect(svcOf(e.again, 'b').settings).toEqual({ memory: '200MiB' });
  });

  it('rabbitmq: Bitnami\'s image gets the variable; the official one a note (its watermark lives in rabbitmq.conf)', () => {
    const e = edited('services:\n  q:\n    image: bitnami/rabbitmq:3.13\n    mem_limit: 512m\n  r:\n    image: rabbitmq:4.2\n    mem_limit: 512m\n', (p) => {
      Object.assign(svcOf(p, 'q').settings!, { watermarkAbsolute: '160MiB' });
      Object.assign(svcOf(p, 'r').settings!, { watermarkAbsolute: '160MiB' });
    });
    expect(e.text).toContain('RABBITMQ_VM_MEMORY_HIGH_WATERMARK: 160MiB');
    expect(svcOf(e.again, 'q').settings).toMatchObject({ watermarkAbsolute: '160MiB' });
    expect(e.notes.join('\n')).toMatch(/r: set vm_memory_high_watermark\.absolute = 160MiB in a rabbitmq\.conf/);
  });
});

describe('clickhouse, mongodb, minio and dragonfly: settings read', () => {
  const corpus = (path: string) => readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../test/corpus', path), 'utf8');

  it('signoz (test/corpus/signoz/deploy/common/clickhouse/config.xml): the shipped 5 GiB mark cache, ratio 0.9, and max_server_memory_usage 0 read as "from the ratio"', () => {
    const s = imported('services:\n  clickhouse:\n    image: clickhouse/clickhouse-server:25.5.6\n    volumes:\n      - ./config.xml:/etc/clickhouse-server/config.xml\n', { 'config.xml': corpus('signoz/deploy/common/clickhouse/config.xml') }).clickhouse!;
    expect(s.settings).toEqual({ markCache: '5GiB', ratio: 0.9 });
    expect(s.read.join('\n')).toMatch(/maxServerMemory 0 \(from the ratio\)/);
  });

  it('sentry (test/corpus/sentry/clickhouse/config.xml): the ratio from_env="MAX_MEMORY_USAGE_RATIO", read from the service\'s environment', () => {
    const s = imported('services:\n  clickhouse:\n    image: clickhouse-self-hosted-local\n    volumes:\n      - type: bind\n        read_only: true\n        source: ./config.xml\n        target: /etc/clickhouse-server/config.d/sentry.xml\n    environment:\n      MAX_MEMORY_USAGE_RATIO: "0.3"\n', { 'config.xml': corpus('sentry/clickhouse/config.xml') }).clickhouse!;
    expect(s.kind).toBe('clickhouse');
    expect(s.settings).toEqual({ ratio: 0.3 });
    expect(s.read.join('\n')).toMatch(/from_env="MAX_MEMORY_USAGE_RATIO"/);
  });

  it('clickhouse: a YAML config.d file, and broken XML warned about, not thrown', () => {
    const s = imported('services:\n  a:\n    image: clickhouse/clickhouse-server:24.8\n    volumes: ["./m.yaml:/etc/clickhouse-server/config.d/m.yaml"]\n  b:\n    image: clickhouse/clickhouse-server:24.8\n    volumes: ["./bad.xml:/etc/clickhouse-server/config.d/bad.xml"]\n', {
      'm.yaml': 'max_server_memory_usage: 2147483648\nmark_cache_size: 268435456\n',
      'bad.xml': '<clickhouse><mark_cache_size>1</clickhouse>',
    });
    expect(s.a!.settings).toEqual({ maxServerMemory: '2GiB', markCache: '256MiB' });
    expect(s.b!.warnings.join('\n')).toMatch(/bad\.xml: not valid XML/);
  });

  it('mongodb: --wiredTigerCacheSizeGB on the command line; an old tag sizes its cache from the host', () => {
    const s = imported('services:\n  a:\n    image: mongo:8.2.5\n    command: mongod --wiredTigerCacheSizeGB 0.5 --replSet rs0\n  b:\n    image: mongo:3.4\n');
    expect(s.a!.settings).toEqual({ cacheSize: '512MiB' });
    expect(s.b!.settings).toEqual({ memorySource: 'host' });
  });

  it('minio: MINIO_API_REQUESTS_MAX; dragonfly: --maxmemory and --proactor_threads', () => {
    const s = imported('services:\n  m:\n    image: minio/minio:latest\n    command: server /data\n    environment:\n      MINIO_API_REQUESTS_MAX: "64"\n  d:\n    image: docker.dragonflydb.io/dragonflydb/dragonfly\n    command: ["--maxmemory=1gb", "--proactor_threads=2"]\n');
    expect(s.m!.settings).toEqual({ requestsMax: 64 });
    expect(s.d!.kind).toBe('dragonfly');
    expect(s.d!.settings).toEqual({ maxmemory: '1GiB', threads: 2 });
  });
});
