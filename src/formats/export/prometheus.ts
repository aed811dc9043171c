/**
 * prometheus.yml: the plan's scrape interval, one job per target (the app, Prometheus itself,
 * Grafana, AlertManager, each exporter), every target labelled `service` with the plan service it
 * speaks for, so that the alert rules can name it. Retention is a flag in the compose command.
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { durationFormat } from '../../engine/units.ts';
import { GENERATED_BY, yamlDocument } from './common.ts';
import { PORTS, type Stack } from './stack.ts';

/** A scrape target and the service label it carries. */
export type ScrapeTarget = { job: string; service: string; target: string; dns?: boolean; path?: string };

/** Every target a Prometheus of this stack scrapes. */
export function scrapeTargets(stack: Stack, prom: ServiceOf<'prometheus'>): ScrapeTarget[] {
  const out: ScrapeTarget[] = [{ job: prom.name, service: prom.name, target: `localhost:${PORTS.prometheus}` }];
  // prometheus-fastapi-instrumentator serves /metrics on the app's port; DNS finds every replica.
  for (const a of stack.app) out.push({ job: a.name, service: a.name, target: a.name, dns: true, path: '/metrics' });
  for (const g of stack.grafana) out.push({ job: g.name, service: g.name, target: `${g.name}:${PORTS.grafana}` });
  for (const am of stack.alertmanager) out.push({ job: am.name, service: am.name, target: `${am.name}:${PORTS.alertmanager}` });
  for (const e of stack.exporters) out.push({ job: e.name, service: e.watches ?? e.name, target: `${e.name}:${e.port}` });
  return out;
}

export function prometheusYml(stack: Stack, prom: ServiceOf<'prometheus'>): string {
  const interval = prom.settings.scrapeInterval;
  const config: Record<string, unknown> = {
    global: {
      scrape_interval: durationFormat(interval),
      // Prometheus refuses a timeout longer than the interval; 10s is its default.
      scrape_timeout: durationFormat(Math.min(10, interval)),
      evaluation_interval: durationFormat(interval),
    },
    rule_files: [stack.files.alerts],
  };
  if (stack.alertmanager.length) {
    config.alerting = { alertmanagers: [{ static_configs: [{ targets: stack.alertmanager.map((a) => `${a.name}:${PORTS.alertmanager}`) }] }] };
  }
  config.scrape_configs = scrapeTargets(stack, prom).map((t) =>
    t.dns
      ? { job_name: t.job, metrics_path: t.path, dns_sd_configs: [{ names: [t.target], type: 'A', port: PORTS.fastapi }], relabel_configs: [{ target_label: 'service', replacement: t.service }] }
      : { job_name: t.job, static_configs: [{ targets: [t.target], labels: { service: t.service } }] },
  );
  return yamlDocument(config, [
    `prometheus.yml for the service "${prom.name}". ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`,
    `Scrape every ${durationFormat(interval)}; retention ${durationFormat(prom.settings.retention)} is the --storage.tsdb.retention.time flag in the compose file.`,
    `Memory: about ${prom.settings.series} active series x 3-8 kB each in the head block (memory-model.md).`,
  ]);
}
