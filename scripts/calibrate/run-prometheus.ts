/**
 * Prometheus cases: Prometheus started as the exported compose file starts it (flags, GOMEMLIMIT)
 * with the exported prometheus.yml's global settings, scraping a tiny HTTP server on 127.0.0.1 that
 * serves 1k, 10k or 50k synthetic series whose values change every scrape. RSS is sampled over
 * the last part of a short run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { CalibrationCase, CalibrationPlan } from '../../src/engine/calibration.ts';
import { exportedFile, writeCalibration } from './record.ts';
import { loadWatch, toolVersion } from './machine.ts';
import { exitReason, freePort, max, median, mib, privateKiB, requireTool, round2, sleep, smapsOf, startGroup, stopGroup, waitFor } from './proc.ts';

const PROMETHEUS = '/usr/bin/prometheus';
/** Scrape every second for RUN_SECONDS; sample RSS every second over the last SAMPLE_SECONDS. */
const SCRAPE_SECONDS = 1;
const RUN_SECONDS = 30;
const SAMPLE_SECONDS = 15;
/** Queries start after the first few scrapes. */
const QUERY_AFTER_SECONDS = 5;
/** The engine counts 3 h of samples in the head (src/engine/kinds/prometheus.ts HEAD_SECONDS). */
const HEAD_SECONDS = 3 * 3600;
export const PROMETHEUS_SERIES = [1000, 10_000, 50_000];
/** Series per metric name: 100 names × N/100 label values, like many targets' worth of a few metrics. */
const METRIC_NAMES = 100;

/**
 * The plan. Its scrape interval is the *equivalent* one: a short run holds RUN/SCRAPE samples per
 * series where the engine counts 3 h of them, so the plan says 3 h ÷ (samples held), the interval
 * at which the engine's head holds as many samples as the measured one.
 */
export function prometheusPlan(series: number, samplesPerSeries = RUN_SECONDS / SCRAPE_SECONDS): CalibrationPlan {
  return {
    name: `calibration prometheus-${series}`,
    host: { ram: '4GiB' },
    services: [{ name: 'prometheus', kind: 'prometheus', limit: '1GiB', settings: { series, scrapeInterval: Math.round(HEAD_SECONDS / Math.max(1, samplesPerSeries)), retention: '15d' } }],
  };
}

/** The exposition text: `series` series, values that change every scrape. */
function metricsText(series: number, tick: number): string {
  const perName = Math.ceil(series / METRIC_NAMES);
  const lines: string[] = [];
  for (let n = 0; n < METRIC_NAMES && n * perName < series; n++) {
    const name = `headroom_synthetic_${n}`;
    lines.push(`# TYPE ${name} gauge`);
    for (let j = 0; j < perName && n * perName + j < series; j++) lines.push(`${name}{instance_id="i-${j}",zone="z${j % 3}"} ${(tick * 7 + j * 13) % 1000}`);
  }
  return lines.join('\n') + '\n';
}

function serveMetrics(series: number, port: number): Promise<Server> {
  let tick = 0;
  const srv = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metricsText(series, tick++));
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

/** The exported prometheus.yml with its scrape targets replaced by the synthetic endpoint and the
 * scrape interval set to the run's; the compose file's flags and environment for the service. */
function configFor(series: number, target: string): { yml: string; flags: string[]; env: Record<string, string> } {
  const plan = prometheusPlan(series);
  const exported = parse(exportedFile(plan, 'prometheus.yml')) as Record<string, unknown>;
  const compose = parse(exportedFile(plan, 'docker-compose-4gb.yml')) as { services: Record<string, { command?: string[]; environment?: Record<string, string> }> };
  const svc = compose.services.prometheus ?? {};
  const global = { ...(exported.global as Record<string, unknown>), scrape_interval: `${SCRAPE_SECONDS}s`, scrape_timeout: `${SCRAPE_SECONDS}s`, evaluation_interval: `${SCRAPE_SECONDS}s` };
  const yml = stringify({ global, scrape_configs: [{ job_name: 'synthetic', static_configs: [{ targets: [target], labels: { service: 'synthetic' } }] }] });
  // Keep the compose flags that are not paths in the container.
  const flags = (svc.command ?? []).filter((f) => f.startsWith('--storage.tsdb.retention'));
  return { yml, flags, env: svc.environment ?? {} };
}

/** `none`: ingestion alone (its base). `rules`: what alert rules ask every evaluation, a few series (typical). `dashboards`: a
 * dashboard refresh aggregating every series, instant and over 30 s (stress: checks the high end). */
type QueryLoad = 'none' | 'rules' | 'dashboards';
const QUERIES: Record<QueryLoad, { every: number; exprs: string[]; range: boolean }> = {
  none: { every: 1, exprs: [], range: false },
  rules: { every: 1, exprs: ['headroom_synthetic_0{zone="z1"} > 900', 'count(headroom_synthetic_1 > 500)', 'up == 0'], range: false },
  dashboards: { every: 5, exprs: ['sum by (zone) ({__name__=~"headroom_synthetic_.+"})'], range: true },
};
const PROMETHEUS_SPECS: { series: number; queries: QueryLoad }[] = [
  { series: 1000, queries: 'none' },
  ...PROMETHEUS_SERIES.map((series) => ({ series, queries: 'rules' as const })),
  { series: 10_000, queries: 'dashboards' },
  { series: 50_000, queries: 'dashboards' },
];

async function prometheusCase(series: number, queryLoad: QueryLoad): Promise<CalibrationCase> {
  const id = `prometheus-${series}-${queryLoad}`;
  const dir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-prom-'));
  const targetPort = await freePort();
  const webPort = await freePort();
  const endpoint = await serveMetrics(series, targetPort);
  const watch = loadWatch();
  let prom: ReturnType<typeof startGroup> | null = null;
  try {
    const { yml, flags, env } = configFor(series, `127.0.0.1:${targetPort}`);
    writeFileSync(join(dir, 'prometheus.yml'), yml);
    prom = startGroup('prometheus', PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${webPort}`, ...flags], join(dir, 'prometheus.log'), { env: { ...process.env, ...env } });
    const p = prom;
    await waitFor('prometheus to be ready', async () => (await fetch(`http://127.0.0.1:${webPort}/-/ready`)).ok, 30_000, () => exitReason(p));
    const t0 = Date.now();
    let queries = 0;
    const ask = async () => {
      const now = Date.now() / 1000;
      const q = QUERIES[queryLoad];
      for (const e of q.exprs) {
        const expr = encodeURIComponent(e);
        const urls = [`/api/v1/query?query=${expr}`, ...(q.range ? [`/api/v1/query_range?query=${expr}&start=${now - 30}&end=${now}&step=1`] : [])];
        for (const url of urls) {
          const r = await fetch(`http://127.0.0.1:${webPort}${url}`);
          if (!r.ok) throw new Error(`prometheus query failed: ${r.status} ${await r.text()}`);
          await r.arrayBuffer();
          queries++;
        }
      }
    };
    const rss: number[] = [];
    const priv: number[] = [];
    while (Date.now() - t0 < RUN_SECONDS * 1000) {
      const why = exitReason(p);
      if (why) throw new Error(why);
      const elapsed = Math.floor((Date.now() - t0) / 1000);
      if (elapsed >= QUERY_AFTER_SECONDS && elapsed % QUERIES[queryLoad].every === 0) await ask();
      if (Date.now() - t0 >= (RUN_SECONDS - SAMPLE_SECONDS) * 1000) {
        const m = smapsOf(p.pgid);
        if (m) {
          rss.push(m.rss);
          priv.push(privateKiB(m));
        }
      }
      await sleep(1000);
    }
    // Prometheus's own metrics, read from its /metrics (it does not scrape itself here).
    const own = await (await fetch(`http://127.0.0.1:${webPort}/metrics`)).text();
    // Summed over label sets (2.42 labels samples_appended_total by type).
    const metric = (name: string) => [...own.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
    const headSeries = metric('prometheus_tsdb_head_series');
    const headSamples = metric('prometheus_tsdb_head_samples_appended_total');
    const heapInuse = metric('go_memstats_heap_inuse_bytes');
    const samplesPerSeries = headSeries > 0 ? headSamples / headSeries : RUN_SECONDS / SCRAPE_SECONDS;
    const load = watch();
    return {
      id,
      label: `Prometheus scraping ${series.toLocaleString('en-US')} synthetic series every ${SCRAPE_SECONDS} s for ${RUN_SECONDS} s, ${{ none: 'no queries', rules: 'alert-rule queries on a few series every second', dashboards: 'a dashboard aggregating every series every 5 s' }[queryLoad]}`,
      role: queryLoad === 'dashboards' ? 'stress' : queryLoad === 'none' ? 'light' : 'typical',
      plan: prometheusPlan(series, samplesPerSeries),
      service: 'prometheus',
      settings: { scrape_interval: `${SCRAPE_SECONDS}s`, ...Object.fromEntries(flags.map((f) => f.replace(/^--/, '').split('=') as [string, string])), ...env },
      load: { tool: 'harness HTTP endpoint on 127.0.0.1', series, scrapeSeconds: SCRAPE_SECONDS, runSeconds: RUN_SECONDS, headSeries, samplesPerSeries: round2(samplesPerSeries), queryLoad, queries, ...load },
      measured: {
        metric: `RSS of the prometheus process over the last ${SAMPLE_SECONDS} s (/proc/PID/smaps_rollup)`,
        typicalMiB: mib(median(rss)),
        peakMiB: mib(max(rss)),
        samples: rss.length,
        detail: { private: mib(median(priv)), goHeapInuse: round2(heapInuse / 1048576), headSeries, headSamples },
      },
    };
  } finally {
    if (prom) await stopGroup(prom, 'SIGTERM', 10_000);
    await new Promise((r) => endpoint.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function calibratePrometheus(only: (id: string) => boolean = () => true): Promise<void> {
  requireTool(PROMETHEUS, 'prometheus');
  const recordedAt = new Date().toISOString();
  const cases: CalibrationCase[] = [];
  for (const spec of PROMETHEUS_SPECS.filter((s) => only(`prometheus-${s.series}-${s.queries}`))) {
    const c = await prometheusCase(spec.series, spec.queries);
    console.log(`  ${c.id}: ${c.measured.typicalMiB} MiB typical, ${c.measured.peakMiB} peak (heap ${c.measured.detail.goHeapInuse})`);
    cases.push(c);
  }
  writeCalibration('calibration/prometheus.json', {
    kind: 'prometheus',
    recordedAt,
    method: `prometheus started with the flags and environment of the exported compose service and the exported prometheus.yml's global section, its scrape targets replaced by one HTTP endpoint on 127.0.0.1 serving N synthetic gauge series (${METRIC_NAMES} metric names, values changing every scrape), scraped every ${SCRAPE_SECONDS} s for ${RUN_SECONDS} s, with queries from the ${QUERY_AFTER_SECONDS}th second: none (one case, for the base), alert-rule-like instant queries on a few series every second (typical cases), or a dashboard aggregating every series, instant and over 30 s, every 5 s (stress cases, compared with the high end); RSS sampled every second over the last ${SAMPLE_SECONDS} s. Typical is the median sample, peak the largest. The plan's scrape interval is the equivalent one: 3 h ÷ the samples per series the head held, so that the engine's 3 h of head samples count as many as were measured.`,
    tools: { prometheus: toolVersion(PROMETHEUS) },
  }, cases);
}
