/** PostgreSQL and Redis under other names (issue 10): recognised as postgres / redis, settings read as for the official images. */
import { describe, expect, it } from 'vitest';
import { composeImport } from '../compose-import/index.ts';

function one(service: string) {
  const r = composeImport(`services:\n  s:\n${service.replace(/^/gm, '    ')}\n`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const n = r.services[0]!;
  return { kind: n.kind, why: n.why, warnings: n.warnings, read: n.read, settings: r.input.services[0]!.settings ?? {} };
}

describe('PostgreSQL under other names', () => {
  it.each([
    'timescale/timescaledb:2.17.2-pg16', 'timescale/timescaledb-ha:pg16', 'postgis/postgis:16-3.4', 'pgvector/pgvector:pg16',
    'supabase/postgres:15.8.1.060', 'zulip/zulip-postgresql:14', 'ghcr.io/cloudnative-pg/postgresql:16.4',
    'ghcr.io/immich-app/postgres:14-vectorchord0.4.3-pgvectors0.2.0', 'tensorchord/pgvecto-rs:pg14-v0.2.0',
    'pgautoupgrade/pgautoupgrade:17-alpine', 'bitnami/postgresql:16', 'getlago/postgres-partman:15.0-alpine',
  ])('%s is postgres, its -c flags read as for the official image', (image) => {
    const s = one(`image: "${image}"\ncommand: ["postgres", "-c", "shared_buffers=256MB", "-c", "max_connections=50"]`);
    expect(s.kind).toBe('postgres');
    expect(s.settings).toMatchObject({ sharedBuffers: '256MiB', maxConnections: 50 });
  });

  it("bitnami/postgresql's POSTGRESQL_* environment: max connections, extra flags, user and database", () => {
    const s = one('image: bitnami/postgresql:16\nenvironment:\n  POSTGRESQL_MAX_CONNECTIONS: "300"\n  POSTGRESQL_EXTRA_FLAGS: "-c shared_buffers=512MB"\n  POSTGRESQL_USERNAME: app\n  POSTGRESQL_DATABASE: appdb');
    expect(s.kind).toBe('postgres');
    expect(s.settings).toMatchObject({ maxConnections: 300, sharedBuffers: '512MiB', user: 'app', database: 'appdb' });
  });

  it("TimescaleDB's background workers are read (16 by default, or its -c flag) and modelled; plain PostgreSQL has none", () => {
    const ts = one('image: timescale/timescaledb:latest-pg16');
    expect(ts.settings).toMatchObject({ backgroundWorkers: 16 });
    expect(ts.read.join('\n')).toMatch(/backgroundWorkers 16: TimescaleDB's timescaledb.max_background_workers default/);
    expect(one('image: timescale/timescaledb-ha:pg16\ncommand: ["postgres", "-c", "timescaledb.max_background_workers=4"]').settings).toMatchObject({ backgroundWorkers: 4 });
    expect(one('image: postgres:16').settings).not.toHaveProperty('backgroundWorkers');
  });
});

describe('Redis under other names', () => {
  it.each(['redis:7', 'valkey/valkey:8', 'eqalpha/keydb:latest', 'redis/redis-stack:7.4.0-v1', 'redis/redis-stack-server:7.2.0-v9', 'bitnami/redis:7.4', 'bitnami/valkey:8'])('%s is redis, its flags read as for the official image', (image) => {
    const s = one(`image: "${image}"\ncommand: ["redis-server", "--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"]`);
    expect(s.kind).toBe('redis');
    expect(s.settings).toMatchObject({ maxmemory: '100MiB', policy: 'allkeys-lru' });
  });

  it('keydb-server and valkey-server commands are read as redis-server', () => {
    expect(one('image: eqalpha/keydb\ncommand: keydb-server --maxmemory 64mb').settings).toMatchObject({ maxmemory: '64MiB' });
    expect(one('image: valkey/valkey\ncommand: valkey-server --maxmemory 64mb').settings).toMatchObject({ maxmemory: '64MiB' });
  });

  it("bitnami/redis's environment: REDIS_EXTRA_FLAGS and AOF on by default", () => {
    const s = one('image: bitnami/redis:7.4\nenvironment:\n  REDIS_EXTRA_FLAGS: "--maxmemory 200mb"');
    expect(s.settings).toMatchObject({ maxmemory: '200MiB', persistence: 'aof' });
  });

  it('redis/redis-stack runs Redis Insight beside the server (modelled); redis-stack-server is the server alone', () => {
    const stack = one('image: redis/redis-stack:7.4.0-v1');
    expect(stack.settings).toMatchObject({ insight: true });
    expect(stack.read.join('\n')).toMatch(/Redis Insight .*Run Redis Stack on Docker/);
    expect(one('image: redis/redis-stack-server:7.2.0-v9').settings).not.toHaveProperty('insight');
  });

  it("redis-stack's modules and KeyDB's server-threads are read into the model, each with its source", () => {
    for (const image of ['redis/redis-stack:7.4.0-v1', 'redis/redis-stack-server:7.2.0-v9']) {
      const s = one(`image: ${image}`);
      expect(s.settings).toMatchObject({ modules: true });
      expect(s.read.join('\n')).toMatch(/modules true: .*RediSearch#3088/);
    }
    expect(one('image: redis:7').settings).not.toHaveProperty('modules');
    // No command: the image starts with keydb.conf, which sets server-threads 2.
    expect(one('image: eqalpha/keydb').settings).toMatchObject({ serverThreads: 2 });
    // keydb-server with flags only: no config file, the binary's default 1.
    expect(one('image: eqalpha/keydb\ncommand: keydb-server --maxmemory 64mb').settings).toMatchObject({ serverThreads: 1 });
    const flag = one('image: eqalpha/keydb:x86_64_v5.3.3\ncommand: keydb-server /etc/keydb/keydb.conf --server-threads 4');
    expect(flag.settings).toMatchObject({ serverThreads: 4 });
    expect(flag.read.join('\n')).toMatch(/serverThreads 4 from command server-threads 4/);
    expect(one('image: eqalpha/keydb\ncommand: keydb-server --server-threads lots').warnings.join('\n')).toMatch(/server-threads "lots" .* not a whole number 1–64/);
    expect(one('image: redis:7\ncommand: redis-server --maxmemory 64mb').settings).not.toHaveProperty('serverThreads');
  });
});
