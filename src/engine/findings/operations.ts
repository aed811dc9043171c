/** Findings about operating the stack: alert routing, single points of failure, unknown services. */
import { finding, servicesOf, type Rule } from './context.ts';
import type { Plan } from '../schema.ts';
import type { Finding } from '../report.ts';
import { exporterKindOf, exporterWatching } from '../exporters.ts';
import { kindOf } from '../kinds/index.ts';
import { severityOf } from '../policy.ts';

export const alertsNowhere: Rule = ({ plan }) => {
  const prom = servicesOf(plan, 'prometheus')[0];
  if (!prom) {
    return [finding('no-monitoring', severityOf({ p: 1 }, 'degraded'), null,
      'No Prometheus in this plan: nothing watches memory, so the first sign of an OOM kill is an outage.',
      'Add a prometheus service (about 100–200 MiB) with the exported alert rules.')];
  }
  if (plan.features.alertmanager) return [];
  return [finding('alerts-nowhere', severityOf({ p: 1 }, 'degraded'), prom.name,
    `${prom.name} evaluates alert rules but there is no AlertManager: alerts fire into a web page nobody watches, and critical ones may go unnoticed for hours (the seed's risk #2).`,
    'Turn on AlertManager (features.alertmanager: true, about 16–32 MiB) with a Slack or e-mail receiver.',
    [{ key: 'features.alertmanager', value: true }])];
};

export const singleHost: Rule = ({ plan }) => {
  const db = servicesOf(plan, 'postgres')[0];
  return [finding('single-host', severityOf({ p: 1 }, 'advice'), null,
    `Every service runs on this one host: a hardware or provider failure is a complete outage${db ? `, and ${db.name}'s data lives only here` : ''}.`,
    'Add external uptime monitoring, ship daily database dumps off the host and test a restore; later, stream PostgreSQL to a replica on a second host.')];
};

/** Order: most severe first, then host before services, then by id. */
export function findingsSort<F extends Finding>(findings: F[]): F[] {
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  return [...findings].sort((a, b) => rank[a.severity] - rank[b.severity] || (a.service ?? '').localeCompare(b.service ?? '') || a.id.localeCompare(b.id));
}

export const alertsBlind: Rule = ({ plan }) => {
  const prom = servicesOf(plan, 'prometheus')[0];
  if (!prom) return [];
  const out: Finding[] = [];
  if (!plan.features.exporters) {
    out.push(finding('alerts-blind', severityOf({ p: 1 }, 'degraded'), prom.name,
      `${prom.name}'s alert rules read node_exporter, cAdvisor and the Postgres and Redis exporters, which this plan does not run: HighMemoryUsage, ContainerOOMKills, LowDiskSpace, RedisMemoryHigh, HighDatabaseConnections, SlowDatabaseQueries, LowCacheHitRate and HighNetworkIO can never fire (the export's alertCoverage agrees, tested).`,
      'Turn the exporters on (features.exporters: true): Headroom adds and budgets them, about 110 MiB typical, 130–230 MiB of limits.',
      [{ key: 'features.exporters', value: true }]));
  }
  const seen = (s: Plan['services'][number]) =>
    // Scraped directly (the kind's own /metrics), or through an exporter (Postgres, Redis, the exporters themselves).
    kindOf(s.kind).scraped === true || (plan.features.exporters && (exporterWatching(s.kind) !== null || exporterKindOf(s) !== null));
  const blind = plan.services.filter((s) => !seen(s));
  if (blind.length > 0) {
    out.push(finding('service-down-blind', severityOf({ p: 1 }, 'advice'), null,
      `ServiceDown cannot see ${blind.map((s) => s.name).join(', ')}: nothing scrapes ${blind.length === 1 ? 'it' : 'them'}, so a stopped container shows only through its dependants.`,
      'Add an exporter or a /metrics endpoint for each (pgbouncer_exporter for pgBouncer), or an external HTTP check.'));
  }
  return out;
};
