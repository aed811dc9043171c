/** Each finding's fix points at the line that holds its setting, in compose and plan files. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { evaluate, type Change, type Finding } from '../engine/index.ts';
import { composeImport } from '../formats/compose-import/index.ts';
import { planTextParse } from '../formats/plan-file.ts';
import { SourceLocator } from './locations.ts';

/** The compose text, its locator (with the import's notes) and its findings. */
function compose(text: string) {
  const r = composeImport(text, {});
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  const locator = new SourceLocator(text, 'compose', r.services);
  return { locator, findings: evaluate(r.plan).findings };
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
const at = (locator: SourceLocator, change: Change) => locator.change(change);

describe('SourceLocator on compose files', () => {
  const seed = readFileSync('src/formats/compose-import/corpus/02-seed-4gb.yml', 'utf8');

  it('the seed: limits at deploy.resources.limits.memory, maxmemory at the flag in the command, absent keys at the service', () => {
    const { locator, findings } = compose(seed);
    expect(at(locator, { service: 'postgres', key: 'limit', value: '1GiB' })).toMatchObject({ line: lineOf(seed, 'memory: 800M'), what: 'services.postgres.deploy.resources.limits.memory' });
    const fork = findings.find((f) => f.id === 'redis-fork-headroom')!;
    const cmd = lineOf(seed, 'redis-server --maxmemory');
    expect(locator.finding(fork)).toEqual([{ line: cmd, column: seed.split('\n')[cmd - 1]!.indexOf('--maxmemory') + 1, what: 'services.redis: --maxmemory 256mb' }]);
    // shm_size is not written: the postgres service's own line.
    expect(at(locator, { service: 'postgres', key: 'settings.shmSize', value: '128MiB' })).toMatchObject({ line: lineOf(seed, '  postgres:'), column: 3 });
    // max_connections is a -c flag in a one-line command.
    expect(at(locator, { service: 'postgres', key: 'settings.maxConnections', value: 60 })).toMatchObject({ line: lineOf(seed, 'max_connections=50') });
  });

  it('a change the compose file cannot hold points at the finding\'s service, else at services:', () => {
    const { locator } = compose(seed);
    const f = (service: string | null, key: string): Finding => ({ id: 'x', severity: 'warning', service, message: 'm', fix: { summary: 's', changes: [{ key, value: true }] } });
    expect(locator.finding(f('prometheus', 'features.alertmanager'))).toMatchObject([{ line: lineOf(seed, '  prometheus:'), what: 'services.prometheus' }]);
    expect(locator.finding(f(null, 'host.ram'))).toMatchObject([{ line: lineOf(seed, 'services:'), column: 1, what: 'services' }]);
    expect(locator.finding({ ...f(null, 'x'), fix: { summary: 's', changes: [] } })).toMatchObject([{ line: lineOf(seed, 'services:') }]);
  });

  it.each<[string, string, { service: string; key: string }, string]>([
    ['mem_limit', 'services:\n  db:\n    image: postgres:16\n    mem_limit: 512m\n', { service: 'db', key: 'limit' }, 'mem_limit: 512m'],
    ['a limit from a merge key (the anchor\'s line)', 'x-lim: &lim\n  mem_limit: 256m\nservices:\n  cache:\n    <<: *lim\n    image: redis:7\n', { service: 'cache', key: 'limit' }, 'mem_limit: 256m'],
    ['a flag on its own line of a folded command', 'services:\n  db:\n    image: postgres:16\n    command: >\n      postgres\n      -c max_connections=60\n      -c shared_buffers=256MB\n    mem_limit: 1g\n', { service: 'db', key: 'settings.sharedBuffers' }, 'shared_buffers=256MB'],
    ['a flag in a block list command', 'services:\n  cache:\n    image: redis:7\n    command:\n      - redis-server\n      - --maxmemory-policy\n      - allkeys-lru\n      - --maxmemory\n      - 96mb\n    mem_limit: 256m\n', { service: 'cache', key: 'settings.maxmemory' }, '- --maxmemory\n'],
    ['pgBouncer\'s environment map', 'services:\n  db:\n    image: postgres:16\n    mem_limit: 1g\n  pool:\n    image: edoburu/pgbouncer\n    environment:\n      POOL_MODE: session\n      MAX_CLIENT_CONN: 100\n    mem_limit: 64m\n', { service: 'pool', key: 'settings.maxClientConn' }, 'MAX_CLIENT_CONN'],
    ['pgBouncer\'s environment list', 'services:\n  db:\n    image: postgres:16\n    mem_limit: 1g\n  pool:\n    image: bitnami/pgbouncer\n    environment:\n      - PGBOUNCER_POOL_MODE=session\n      - PGBOUNCER_DEFAULT_POOL_SIZE=20\n    mem_limit: 64m\n', { service: 'pool', key: 'settings.defaultPoolSize' }, 'PGBOUNCER_DEFAULT_POOL_SIZE'],
    ['uvicorn --workers', 'services:\n  api:\n    image: acme/api\n    command: uvicorn app:app\n      --host 0.0.0.0\n      --workers 4\n    mem_limit: 512m\n', { service: 'api', key: 'settings.workers' }, '--workers 4'],
    ['a setting the file does not write: the service\'s line', 'services:\n  cache:\n    image: redis:7\n    mem_limit: 256m\n', { service: 'cache', key: 'settings.maxmemory' }, '  cache:'],
    ['no limit at all: the service\'s line', 'services:\n  cache:\n    image: redis:7\n', { service: 'cache', key: 'limit' }, '  cache:'],
  ])('%s', (_label, text, change, needle) => {
    const { locator } = compose(text);
    const w = at(locator, { ...change, value: 1 } as Change)!;
    const offset = text.indexOf(needle.replace(/^- /, '').replace(/\n$/, ''));
    const before = text.slice(0, offset);
    expect(w.line).toBe(before.split('\n').length);
    // The column is where the setting (or the service's key) starts on that line.
    if (!needle.startsWith('  ')) expect(w.column).toBe(offset - before.lastIndexOf('\n'));
  });
});

describe('SourceLocator on plan files', () => {
  const yaml = 'host:\n  ram: 4GiB\nservices:\n  - name: api\n    kind: fastapi\n    limit: 512MiB\n  - name: cache\n    kind: redis\n    limit: 300MiB\n    settings:\n      maxmemory: 256MiB\n';

  it.each([
    [{ service: 'cache', key: 'settings.maxmemory' }, 'maxmemory: 256MiB', 'services.cache.settings.maxmemory'],
    [{ service: 'api', key: 'limit' }, 'limit: 512MiB', 'services.api.limit'],
    [{ key: 'host.ram' }, 'ram: 4GiB', 'host.ram'],
    // Not written: the deepest part of the path the file has (the service's entry).
    [{ service: 'api', key: 'settings.workers' }, 'name: api', 'services.api.settings.workers'],
  ])('%j', (change, needle, what) => {
    const locator = new SourceLocator(yaml, 'plan');
    const w = locator.change({ ...change, value: 1 } as Change)!;
    expect(w).toMatchObject({ line: lineOf(yaml, needle), what });
  });

  it('a feature toggle the plan does not write points at the finding\'s service; a JSON plan has lines too', () => {
    const locator = new SourceLocator(yaml, 'plan');
    const f: Finding = { id: 'alerts-nowhere', severity: 'warning', service: 'cache', message: 'm', fix: { summary: 's', changes: [{ key: 'features.alertmanager', value: true }] } };
    expect(locator.finding(f)).toMatchObject([{ line: lineOf(yaml, 'name: cache') }]);
    const json = JSON.stringify({ host: { ram: '4GiB' }, services: [{ name: 'cache', kind: 'redis', limit: '300MiB' }] }, null, 2);
    expect(planTextParse(json).ok).toBe(true);
    expect(new SourceLocator(json, 'plan').change({ service: 'cache', key: 'limit', value: '1GiB' })).toMatchObject({ line: lineOf(json, '"limit"') });
  });
});
