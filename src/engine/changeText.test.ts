import { describe, expect, it } from 'vitest';
import { changeText, changesText, changeValueText } from './changeText.ts';
import type { Change } from './report.ts';

describe('changeText', () => {
  it.each<[Change, string]>([
    // The example: not "Apply redis settings.maxmemory = 104MiB".
    [{ service: 'redis', key: 'settings.maxmemory', value: '104MiB' }, 'Set Redis maxmemory to 104 MiB'],
    [{ service: 'cache', key: 'settings.maxmemory', value: '1152MiB' }, 'Set cache maxmemory to 1.13 GiB'],
    [{ service: 'fastapi', key: 'limit', value: '528MiB' }, 'Set the FastAPI memory limit to 528 MiB'],
    [{ service: 'worker-3', key: 'limit', value: '1.5GiB' }, 'Set the worker-3 memory limit to 1.5 GiB'],
    [{ service: 'postgres', key: 'settings.maxConnections', value: 60 }, 'Set PostgreSQL max_connections to 60'],
    [{ service: 'postgres', key: 'settings.shmSize', value: '256MiB' }, 'Set PostgreSQL shm_size to 256 MiB'],
    [{ service: 'pgbouncer', key: 'settings.poolMode', value: 'transaction' }, 'Set pgBouncer pool_mode to transaction'],
    [{ service: 'pgbouncer', key: 'settings.maxClientConn', value: 1200 }, 'Set pgBouncer max_client_conn to 1,200'],
    [{ service: 'redis', key: 'settings.policy', value: 'allkeys-lru' }, 'Set Redis maxmemory-policy to allkeys-lru'],
    [{ service: 'prometheus', key: 'settings.retention', value: '7d' }, 'Set Prometheus retention to 7d'],
    [{ key: 'features.pgbouncer', value: true }, 'Turn on pgBouncer'],
    [{ key: 'features.exporters', value: true }, 'Turn on the exporters'],
    [{ key: 'features.semanticCache', value: false }, 'Turn off the semantic cache'],
    [{ key: 'host.ram', value: '8GiB' }, 'Move to an 8 GiB host'],
    [{ key: 'host.ram', value: '16GiB' }, 'Move to a 16 GiB host'],
    [{ key: 'host.pricePerMonth', value: 50 }, 'Set the monthly price to $50'],
    [{ key: 'workload.cacheHitRate', value: 0.5 }, 'Set the cache hit rate to 50%'],
    [{ key: 'something.else', value: 3 }, 'Set something.else to 3'],
    // the runtime and proxy kinds' fixes
    [{ service: 'kafka', key: 'settings.heap', value: '640MiB' }, 'Set kafka -Xmx to 640 MiB'],
    [{ service: 'web', key: 'settings.maxOldSpace', value: '128MiB' }, 'Set web --max-old-space-size to 128 MiB'],
    [{ service: 'worker', key: 'settings.processes', value: 3 }, 'Set worker processes to 3'],
    [{ service: 'nginx', key: 'settings.workerConnections', value: 1024 }, 'Set nginx worker_connections to 1,024'],
    [{ service: 'gitea', key: 'settings.goMemLimit', value: '180MiB' }, 'Set gitea GOMEMLIMIT to 180 MiB'],
  ])('%j reads "%s"', (change, text) => {
    expect(changeText(change)).toBe(text);
    // Every change text starts with one of the verbs changesText lowers after a semicolon.
    expect(changeText(change)).toMatch(/^(Set|Remove|Turn|Move) /);
  });

  it('never shows a plan-file key or an unformatted size for the settings the findings change', () => {
    const values: Record<string, string | number> = { maxmemory: '491.52MiB', sharedBuffers: '1128.66MiB', shmSize: '491.52MiB', maxConnections: 45, defaultPoolSize: 20, maxClientConn: 100, poolMode: 'transaction', policy: 'allkeys-lru', heap: '640.25MiB', maxOldSpace: '128.5MiB', processes: 3, workerConnections: 1024, goMemLimit: '180.33MiB' };
    for (const [k, value] of Object.entries(values)) {
      const text = changeText({ service: 'db', key: `settings.${k}`, value });
      expect(text).not.toMatch(/settings\.|\d\.\d\dMiB|\d{3}\.\d+ MiB/);
      if (k !== k.toLowerCase()) expect(text).not.toContain(k);
      expect(text).toMatch(/^(Set|Remove|Turn|Move) /);
    }
  });
});

describe('changeValueText', () => {
  it.each([
    [{ service: 'redis', key: 'limit', value: '300MiB' }, '300 MiB'],
    [{ service: 'redis', key: 'limit', value: 'none' }, 'none'],
    [{ service: 'postgres', key: 'settings.sharedBuffers', value: '1152MiB' }, '1.13 GiB'],
    [{ service: 'postgres', key: 'settings.maxConnections', value: 1000 }, '1,000'],
    [{ service: 'pgbouncer', key: 'settings.poolMode', value: 'session' }, 'session'],
    [{ key: 'host.ram', value: '8GiB' }, '8 GiB'],
  ])('%j reads "%s", the way changeText writes the same value', (change, text) => {
    expect(changeValueText(change)).toBe(text);
    if (text !== 'none') expect(changeText(change)).toContain(text);
  });
});

describe('changesText', () => {
  it('joins changes as one sentence: the first verb capitalised, each after a semicolon in lower case, names kept', () => {
    const changes: Change[] = [
      { service: 'redis', key: 'settings.maxmemory', value: '104MiB' },
      { service: 'grafana', key: 'limit', value: '96MiB' },
      { key: 'features.pgbouncer', value: true },
      { key: 'host.ram', value: '8GiB' },
    ];
    expect(changesText(changes)).toBe(`${changeText(changes[0]!)}; set the Grafana memory limit to 96 MiB; turn on pgBouncer; move to an 8 GiB host`);
    expect(changesText(changes.slice(0, 1))).toBe(changeText(changes[0]!));
    expect(changesText([])).toBe('');
  });
});
