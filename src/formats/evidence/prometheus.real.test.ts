/**
 * A real Prometheus (Debian's `prometheus`) scraping a cAdvisor-style /metrics endpoint served by
 * this test, then asked /api/v1/query_range: its answer goes through the same path as a user's
 * file (evidence/read.ts), and its values are the ones served. With RECORD_PROMETHEUS=1 the answer
 * is written to fixtures/prometheus-query-range.json (how the checked-in fixture was made);
 * the fixture itself is read below, without Prometheus.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { background, freePort, requireTool, stopAll, tempDir, waitFor } from '../../../test/real-tools.ts';
import { evidenceRead } from './read.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'prometheus-query-range.json');
const SERVICES = [{ name: 'api' }, { name: 'db', containerName: 'shop-db' }];
const MIB = 1_048_576;

/** What the endpoint serves at its n-th scrape: api climbs by 1 MiB a scrape, db cycles. */
const apiBytes = (n: number) => (180 + n) * MIB;
const dbBytes = (n: number) => (300 + (n % 5) * 10) * MIB;

function metricsAt(n: number): string {
  return [
    '# HELP container_memory_working_set_bytes Current working set of the container in bytes',
    '# TYPE container_memory_working_set_bytes gauge',
    `container_memory_working_set_bytes{container_label_com_docker_compose_project="shop",container_label_com_docker_compose_service="api",id="/system.slice/docker-0a1b.scope",image="acme/api:1",name="shop-api-1"} ${apiBytes(n)}`,
    `container_memory_working_set_bytes{id="/system.slice/docker-9f8e.scope",image="postgres:16",name="shop-db"} ${dbBytes(n)}`,
    // The host's own cgroups, as cAdvisor exports them: no name, not a container.
    `container_memory_working_set_bytes{id="/"} ${2000 * MIB}`,
    '',
  ].join('\n');
}

afterAll(async () => {
  await stopAll();
});

describe('a recorded Prometheus response', () => {
  it('real Prometheus scraping a cAdvisor-style endpoint: query_range read as evidence, values as served', async () => {
    const bin = requireTool('prometheus');
    let scrapes = 0;
    const server: Server = createServer((req, res) => {
      if (req.url !== '/metrics') res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metricsAt(scrapes++));
    });
    const metricsPort = await freePort();
    await new Promise<void>((r) => server.listen(metricsPort, '127.0.0.1', () => r()));
    const promPort = await freePort();
    const dir = tempDir('headroom-prom-');
    try {
      const config = join(dir.path, 'prometheus.yml');
      writeFileSync(config, `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: cadvisor\n    static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']\n`);
      const prom = background(bin, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`]);
      const start = Math.floor(Date.now() / 1000);
      await waitFor('Prometheus scraped 8 times', () => scrapes >= 8, 60_000, prom);
      const end = Math.floor(Date.now() / 1000);
      const url = `http://127.0.0.1:${promPort}/api/v1/query_range?query=${encodeURIComponent('container_memory_working_set_bytes')}&start=${start}&end=${end}&step=1`;
      let text = '';
      await waitFor('query_range answers with both containers', async () => {
        text = await (await fetch(url)).text();
        const r = JSON.parse(text) as { data?: { result?: Array<{ values: unknown[] }> } };
        return (r.data?.result ?? []).length >= 3 && r.data!.result!.every((s) => s.values.length >= 5);
      }, 30_000, prom);
      await prom.stop();
      if (process.env.RECORD_PROMETHEUS === '1') writeFileSync(FIXTURE, `${JSON.stringify(JSON.parse(text), null, 1)}\n`);
      const r = evidenceRead(text, SERVICES, new Date(end * 1000).toISOString());
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      expect(r.kind).toBe('prometheus');
      const served = (f: (n: number) => number) => new Set(Array.from({ length: scrapes }, (_, n) => f(n)));
      const [api, db] = [r.evidence.services.find((s) => s.service === 'api')!, r.evidence.services.find((s) => s.service === 'db')!];
      expect(api.containers).toEqual(['shop-api-1']);
      expect(db.containers).toEqual(['shop-db']);
      // Every point is a value the endpoint served (Prometheus repeats the last one at steps between scrapes).
      for (const [s, f] of [[api, apiBytes], [db, dbBytes]] as const) {
        expect(s.samples.length).toBeGreaterThanOrEqual(5);
        for (const [, v] of s.samples) expect(served(f).has(v)).toBe(true);
      }
      expect(r.evidence.intervalSeconds).toBe(1);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      dir.remove();
    }
  }, 120_000);

  it('the checked-in recording reads as evidence', () => {
    const r = evidenceRead(readFileSync(FIXTURE, 'utf8'), SERVICES, '2026-12-02T06:00:00Z');
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.evidence.services.map((s) => [s.service, s.containers])).toEqual([['api', ['shop-api-1']], ['db', ['shop-db']]]);
    const api = r.evidence.services[0]!.samples.map((s) => s[1] / MIB);
    expect(api.every((v) => Number.isInteger(v) && v >= 180)).toBe(true);
    expect(api).toEqual([...api].sort((a, b) => a - b)); // the served climb
  });
});
