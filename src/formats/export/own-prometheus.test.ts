/**
 * Issue 11: "A compose file that runs node-exporter and cAdvisor and mounts a prometheus.yml
 * scraping them is told they are missing, and the exported prometheus.yml drops those jobs."
 * The reproduction is the compose corpus's 15-own-prometheus.yml (its prometheus.yml under
 * corpus/files/): imported as the CLI does, its findings, its alert coverage, and its export
 * checked by the real `promtool check config`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { composeImport } from '../compose-import/index.ts';
import { evaluate } from '../../engine/evaluate.ts';
import type { Plan } from '../../engine/schema.ts';
import { alertCoverage, exportFiles } from './index.ts';
import { requireTool, runOk, tempDir } from '../../../test/real-tools.ts';

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '../compose-import/corpus');

/** A compose text imported as the CLI does: mounted files read beside it (the corpus folder). */
function imported(text: string): Plan {
  const r = composeImport(text, { readFile: (p) => (existsSync(join(CORPUS, p)) ? readFileSync(join(CORPUS, p), 'utf8') : undefined) });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.plan;
}

const plan = imported(readFileSync(join(CORPUS, '15-own-prometheus.yml'), 'utf8'));
const userYml = parse(readFileSync(join(CORPUS, 'files/prometheus.yml'), 'utf8')) as { scrape_configs: Array<Record<string, unknown>> };
type Relabel = { source_labels?: string[]; target_label?: string; regex?: string; replacement?: string };
type PromYml = { scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }>; relabel_configs?: Relabel[] }> };

/** The relabel rules the export adds to a user's job: they fill an empty `service` label for one address. */
const isFill = (r: Relabel) => r.target_label === 'service' && r.source_labels?.join() === 'service,__address__';
/** A job of the exported file without the rules the export added: the job as the user wrote it. */
function asWritten(job: Record<string, unknown>): Record<string, unknown> {
  const relabel = ((job.relabel_configs ?? []) as Relabel[]).filter((r) => !isFill(r));
  const { relabel_configs: _r, ...rest } = job;
  return relabel.length ? { ...rest, relabel_configs: relabel } : rest;
}

describe('a stack with its own exporters and prometheus.yml (15-own-prometheus)', () => {
  it('is not told its exporters are missing, nor that nothing scrapes them', () => {
    const findings = evaluate(plan).findings;
    expect(findings.map((f) => f.id)).not.toContain('alerts-blind');
    expect(findings.map((f) => f.id)).not.toContain('service-down-blind');
  });

  it('reports the job whose target names no service', () => {
    const unknown = evaluate(plan).findings.filter((f) => f.id === 'scrape-target-unknown');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.service).toBe('prometheus');
    expect(unknown[0]!.message).toContain('"old-host" scrapes 10.0.0.7:9100');
  });

  it('alert coverage counts the exporters it runs', () => {
    const cov = alertCoverage(plan);
    expect(cov.filter((c) => c.blind)).toEqual([]);
    for (const s of ['node-exporter', 'cadvisor', 'redis-exporter', 'pushgateway']) {
      // Exporters are not themselves ServiceDown records unless Headroom does not know them: the Pushgateway is scraped by the user's job.
      for (const c of cov.filter((x) => x.rule === 'ServiceDown' && x.service === s)) expect(c.blind, s).toBe(false);
    }
  });

  it.each([false, true])('keeps every job of the user\'s prometheus.yml in the export (tuned: %s), adding only what they do not scrape', (tuned) => {
    const files = new Map(exportFiles(plan, { tuned }).map((f) => [f.path, f.content]));
    const out = parse(files.get('prometheus.yml')!) as PromYml;
    // Every user job, as written, first (plus the rules that fill the service label the alert rules select on).
    expect(out.scrape_configs.slice(0, userYml.scrape_configs.length).map(asWritten)).toEqual(userYml.scrape_configs);
    const redis = out.scrape_configs.find((j) => j.job_name === 'redis')!;
    // The redis_exporter's series carry service="redis", the Redis it reads, as Headroom's own job would set (RedisMemoryHigh selects on it).
    expect(redis.relabel_configs).toEqual([{ source_labels: ['service', '__address__'], separator: ';', regex: ';redis-exporter:9121', target_label: 'service', replacement: 'redis' }]);
    expect(out.scrape_configs.find((j) => j.job_name === 'old-host')!.relabel_configs).toBeUndefined();
    const names = out.scrape_configs.map((j) => j.job_name);
    expect(new Set(names).size).toBe(names.length);
    // Nothing the user already scrapes is scraped twice under Headroom's job names.
    const added = out.scrape_configs.slice(userYml.scrape_configs.length).flatMap((j) => j.static_configs?.flatMap((g) => g.targets) ?? []);
    expect(added).not.toContain('node-exporter:9100');
    expect(added).not.toContain('cadvisor:8080');
    expect(added).not.toContain('redis-exporter:9121');
    expect(added).not.toContain('localhost:9090');
  });

  it('a job whose name Headroom would also use keeps the user\'s; Headroom\'s is renamed', () => {
    const text = `services:
  prometheus:
    image: prom/prometheus
    configs: [{source: p, target: /etc/prometheus/prometheus.yml}]
  grafana:
    image: grafana/grafana
configs:
  p:
    content: |
      scrape_configs:
        - job_name: grafana
          metrics_path: /other
          static_configs: [{targets: ['grafana:3001']}]
`;
    const p = imported(text);
    const out = parse(exportFiles(p).find((f) => f.path === 'prometheus.yml')!.content) as PromYml & { scrape_configs: Array<{ metrics_path?: string }> };
    expect(out.scrape_configs[0]).toEqual({ job_name: 'grafana', metrics_path: '/other', static_configs: [{ targets: ['grafana:3001'] }] });
    expect(out.scrape_configs.map((j) => j.job_name)).toContain('grafana-headroom');
  });

  it('a probe job (blackbox) scrapes the exporter its relabelling names, not the probed URLs', () => {
    const text = `services:
  prometheus:
    image: prom/prometheus
    configs: [{source: p, target: /etc/prometheus/prometheus.yml}]
  blackbox:
    image: prom/blackbox-exporter:v0.25.0
configs:
  p:
    content: |
      scrape_configs:
        - job_name: probes
          metrics_path: /probe
          params: {module: [http_2xx]}
          static_configs: [{targets: ['https://example.org']}]
          relabel_configs:
            - {source_labels: [__address__], target_label: __param_target}
            - {target_label: __address__, replacement: 'blackbox:9115'}
`;
    const p = imported(text);
    const ids = evaluate(p).findings.map((f) => `${f.id} ${f.service ?? ''}`);
    expect(ids).not.toContain('scrape-target-unknown prometheus');
    expect(ids.filter((i) => i.startsWith('service-down-blind'))).toEqual([]);
  });

  it('without its exporters, alerts-blind names only the missing ones', () => {
    const text = `services:
  prometheus: {image: prom/prometheus}
  node-exporter: {image: prom/node-exporter}
`;
    const blind = evaluate(imported(text)).findings.find((f) => f.id === 'alerts-blind');
    expect(blind?.message).toContain('read cAdvisor, which this plan does not run (it runs node_exporter)');
    expect(blind?.message).not.toMatch(/RedisMemoryHigh|HighDatabaseConnections/);
  });
});

describe('the merged prometheus.yml, checked by the real promtool', () => {
  let dir: { path: string; remove: () => void };
  beforeAll(() => {
    requireTool('promtool');
    dir = tempDir('own-prometheus');
  });
  afterAll(() => dir?.remove());

  it.each([false, true])('promtool check config accepts it (tuned: %s)', async (tuned) => {
    for (const f of exportFiles(plan, { tuned })) writeFileSync(join(dir.path, f.path), f.content);
    const r = await runOk('promtool', ['check', 'config', join(dir.path, 'prometheus.yml')]);
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
  });
});
