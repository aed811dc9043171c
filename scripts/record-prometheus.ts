/**
 * Records a real Prometheus range-query response for the evidence tests
 * (src/formats/evidence/fixtures/prometheus-compose-replicas.json): a real Prometheus (Debian's
 * `prometheus`, 2.42 here) scrapes, every second, a cAdvisor-style /metrics endpoint this script
 * serves on 127.0.0.1, then the script asks its `/api/v1/query_range` for
 * `container_memory_working_set_bytes` over the window and writes the answer unchanged.
 *
 * The endpoint speaks cAdvisor's exposition format with cAdvisor's labels (id, image, name, and
 * the container's Docker labels as container_label_*, compose's among them), including the series
 * cAdvisor exports for the host's root cgroup (id="/", no name) and for a container outside the
 * compose project (cAdvisor itself). The VALUES are made up here (stated in the fixture's
 * README): a steady PostgreSQL around 300 MiB, a Redis growing 1 MiB a second, two replicas of a
 * web service, so that tests know what to expect. What is real is Prometheus's side: its JSON,
 * string values, timestamps, step, labels (job, instance added by the scrape).
 *
 *   npx tsx scripts/record-prometheus.ts [--seconds 30] [--out FILE]
 *
 * Needs `prometheus` (apt-get install -y --no-install-recommends prometheus). Everything it starts
 * (the endpoint, Prometheus) it stops, also on failure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const MiB = 1048576;
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '30' }, out: { type: 'string', default: 'src/formats/evidence/fixtures/prometheus-compose-replicas.json' } } });
const seconds = Number(values.seconds);

const which = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).stdout.trim();
if (!which) {
  console.error('prometheus is not installed: apt-get install -y --no-install-recommends prometheus');
  process.exit(2);
}

type Series = { name: string; id: string; image: string; service?: string; bytes: (s: number) => number };
const t0 = Date.now();
const series: Series[] = [
  { name: 'shop-postgres-1', id: '/docker/1f0c9a', image: 'postgres:16', service: 'postgres', bytes: (s) => 300 * MiB + Math.round(4 * MiB * Math.sin(s / 3)) },
  { name: 'shop-redis-1', id: '/docker/2b7e11', image: 'redis:7', service: 'redis', bytes: (s) => 100 * MiB + Math.round(s * MiB) },
  { name: 'shop-web-1', id: '/docker/3c44d0', image: 'shop/web:1.4', service: 'web', bytes: (s) => 150 * MiB + (Math.floor(s) % 10 === 7 ? 40 * MiB : 0) },
  { name: 'shop-web-2', id: '/docker/4d91f2', image: 'shop/web:1.4', service: 'web', bytes: () => 160 * MiB },
  { name: 'cadvisor', id: '/docker/5e02aa', image: 'gcr.io/cadvisor/cadvisor:v0.49.1', bytes: () => 45 * MiB },
];

function metrics(): string {
  const s = (Date.now() - t0) / 1000;
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const lines = [
    '# HELP container_memory_working_set_bytes Current working set of the container in bytes',
    '# TYPE container_memory_working_set_bytes gauge',
    // cAdvisor's root cgroup: the host, no name, no container labels.
    `container_memory_working_set_bytes{id="/",image="",name=""} ${3300 * MiB}`,
  ];
  for (const c of series) {
    const labels: [string, string][] = [
      ...(c.service ? ([['container_label_com_docker_compose_project', 'shop'], ['container_label_com_docker_compose_service', c.service]] as [string, string][]) : []),
      ['id', c.id],
      ['image', c.image],
      ['name', c.name],
    ];
    lines.push(`container_memory_working_set_bytes{${labels.map(([k, v]) => `${k}="${esc(v)}"`).join(',')}} ${c.bytes(s)}`);
  }
  return `${lines.join('\n')}\n`;
}

const fetchJson = (url: string): Promise<unknown> =>
  new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(new Error(`${url}: ${(e as Error).message}: ${body.slice(0, 200)}`));
        }
      });
    }).on('error', reject);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-prom-record-'));
  let server: Server | null = null;
  let prom: ReturnType<typeof spawn> | null = null;
  try {
    server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(metrics());
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const port = 20000 + Math.floor(Math.random() * 20000);
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: cadvisor\n    static_configs:\n      - targets: ['${target}']\n`);
    prom = spawn(which, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let promLog = '';
    prom.stderr!.on('data', (d) => (promLog = (promLog + d).slice(-4000)));
    const api = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        await fetchJson(`${api}/api/v1/status/buildinfo`);
        break;
      } catch {
        if (i > 100) throw new Error(`prometheus did not answer:\n${promLog}`);
        await sleep(200);
      }
    }
    const start = Date.now() / 1000;
    console.log(`prometheus on ${api} scraping ${target} every 1s for ${seconds}s`);
    await sleep(seconds * 1000);
    const end = Date.now() / 1000;
    const q = new URLSearchParams({ query: 'container_memory_working_set_bytes', start: start.toFixed(3), end: end.toFixed(3), step: '1' });
    const answer = (await fetchJson(`${api}/api/v1/query_range?${q}`)) as { status: string; data?: { result: unknown[] } };
    if (answer.status !== 'success' || !answer.data?.result.length) throw new Error(`query_range: ${JSON.stringify(answer).slice(0, 500)}`);
    const build = (await fetchJson(`${api}/api/v1/status/buildinfo`)) as { data: { version: string } };
    writeFileSync(values.out!, `${JSON.stringify(answer)}\n`);
    console.log(`wrote ${values.out}: ${answer.data.result.length} series, Prometheus ${build.data.version}, query_range ${q}`);
  } finally {
    if (prom && prom.exitCode === null) {
      prom.kill('SIGTERM');
      await new Promise((r) => prom!.once('exit', r));
    }
    await new Promise((r) => (server ? server.close(r) : r(null)));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
