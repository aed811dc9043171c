/** Property tests: no input crashes the importer; every failure is a typed, readable issue. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { composeImport, type ComposeImportResult } from './index.ts';
import { evaluate } from '../../engine/evaluate.ts';

const RUNS = { numRuns: 300, seed: 20261127 };

function readable(r: ComposeImportResult): void {
  if (r.ok) {
    const report = evaluate(r.plan);
    expect(JSON.stringify(report)).not.toMatch(/NaN/);
    for (const s of r.services) expect(s.why).toMatch(/\w/);
    return;
  }
  expect(r.issues.length).toBeGreaterThan(0);
  for (const i of r.issues) {
    expect(typeof i.path).toBe('string');
    expect(i.message).toMatch(/\w/);
    expect(`${i.path} ${i.message}`).not.toMatch(/undefined|NaN|\[object Object\]/);
    // A YAML syntax error says where it is.
    if (i.path.startsWith('line ')) expect(i).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  }
}

const size = fc.oneof(
  fc.constantFrom('512m', '1g', '1.5gb', '1GiB', '512 MB', '0', '64k', '12Q', '-5m', '', 'lots', '${MEM:-256m}', '${MEM:?no}', '${'),
  fc.integer({ min: -10, max: 2 ** 40 }),
  fc.double({ noNaN: false }),
  fc.constant(null),
);
const image = fc.constantFrom('postgres:16', 'redis:7', 'valkey/valkey', 'bitnami/redis', 'bitnami/postgresql', 'edoburu/pgbouncer', 'prom/prometheus', 'grafana/grafana', 'prom/alertmanager', 'nginx', 'prom/node-exporter', '', '${IMG}', 'a:b:c@d');
const word = fc.constantFrom('uvicorn', 'gunicorn', '--workers', '-w', '3', 'x', 'redis-server', '--maxmemory', '256mb', '--save', '', '--appendonly', 'yes', 'postgres', '-c', 'shared_buffers=1GB', 'work_mem=-1', 'max_connections=abc', 'sh', '-c', '--storage.tsdb.retention.time=7d', '--storage.tsdb.retention.time', 'forever', '--preload', '"', "'", '${X}');
const command = fc.oneof(fc.array(word, { maxLength: 8 }), fc.array(word, { maxLength: 8 }).map((w) => w.join(' ')), fc.integer(), fc.constant(null));
const service = fc.record({
  image,
  command,
  entrypoint: fc.oneof(fc.constant(undefined), command),
  mem_limit: size,
  mem_reservation: size,
  memswap_limit: size,
  shm_size: size,
  scale: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant('many')),
  deploy: fc.oneof(fc.constant(undefined), fc.record({ replicas: fc.oneof(fc.integer({ min: -1, max: 4 }), fc.string()), resources: fc.oneof(fc.constant('x'), fc.record({ limits: fc.oneof(fc.constant(null), fc.record({ memory: size })), reservations: fc.record({ memory: size }) })) }, { requiredKeys: [] })),
  environment: fc.oneof(fc.dictionary(fc.constantFrom('WEB_CONCURRENCY', 'POOL_MODE', 'MAX_CLIENT_CONN', 'REDIS_AOF_ENABLED', 'POSTGRESQL_EXTRA_FLAGS', 'X'), fc.oneof(fc.string(), fc.integer(), fc.constant(null))), fc.array(fc.string(), { maxLength: 3 }), fc.integer()),
  profiles: fc.oneof(fc.constant(undefined), fc.array(fc.constantFrom('a', 'b', '*'), { maxLength: 2 })),
  extends: fc.oneof(fc.constant(undefined), fc.constantFrom('s0', 's1', 's2'), fc.record({ service: fc.constantFrom('s0', 's1', 'zz'), file: fc.constantFrom(undefined, 'x.yml') }, { requiredKeys: ['service'] })),
  'x-headroom': fc.oneof(fc.constant(undefined), fc.record({ kind: fc.constantFrom('fastapi', 'redis', 'generic', 'mysql', 3), settings: fc.oneof(fc.constant('no'), fc.dictionary(fc.constantFrom('workers', 'maxmemory', 'usage', 'bogus'), fc.oneof(fc.integer(), fc.string()))) }, { requiredKeys: [] })),
  volumes: fc.array(fc.constantFrom('./redis.conf:/usr/local/etc/redis/redis.conf', 'data:/data', './x', ':'), { maxLength: 2 }),
}, { requiredKeys: [] });
const composeDoc = fc.record({
  version: fc.constantFrom(undefined, '3.8', 2.4),
  name: fc.oneof(fc.constant(undefined), fc.string()),
  services: fc.dictionary(fc.constantFrom('s0', 's1', 's2', 'web', 'db', '_x', 'a.b', 'UPPER'), fc.oneof(service, fc.constant(null), fc.string())),
  configs: fc.constant({ c: { content: 'maxmemory 1mb' } }),
}, { requiredKeys: ['services'] });

describe('compose import never crashes (fast-check, seeded)', () => {
  it('on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => readable(composeImport(text))), RUNS);
  });

  it('on random YAML-looking text', () => {
    const token = fc.constantFrom('services:', '\n', '  ', 'a:', '- ', '&x ', '*x', '<<: ', '{', '}', '[', ']', ',', '"', "'", '#c', 'mem_limit: ', '512m', '${V}', '!!str ', '? ', '|', '---', '...');
    fc.assert(fc.property(fc.array(token, { maxLength: 60 }), (tokens) => readable(composeImport(tokens.join('')))), RUNS);
  });

  it('on any YAML value', () => {
    fc.assert(fc.property(fc.anything(), (value) => readable(composeImport(stringify(value)))), RUNS);
  });

  it('on random compose-like documents, with random .env and environment', () => {
    const env = fc.dictionary(fc.constantFrom('MEM', 'IMG', 'X', 'COMPOSE_PROFILES'), fc.constantFrom('', '1g', 'a,b', 'nginx', '${MEM}'));
    fc.assert(fc.property(composeDoc, env, fc.string({ maxLength: 80 }), (doc, environment, envText) => {
      const r = composeImport(stringify(doc), { environment, envText, readFile: (p) => (p.endsWith('.conf') ? 'maxmemory 12mb\nsave ""' : undefined), host: '2GiB' });
      readable(r);
    }), RUNS);
  });
});
