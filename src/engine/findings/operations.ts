/** Findings about operating the stack: alert routing, single points of failure, unknown services. */
import { finding, servicesOf, type Rule } from './context.ts';
import type { Finding } from '../report.ts';
import { ALERT_NAMES, EXPORTER_SPECS, exporterKindOf, KNOWN_EXPORTERS, RULE_SOURCES, type ExporterKind } from '../exporters.ts';
import { servicesSeen, unknownScrapeTargets } from '../scrape-jobs.ts';
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
    `${prom.name} evaluates alert rules but there is no AlertManager: alerts fire into a web page nobody watches, and critical ones may go unnoticed for hours.`,
    'Turn on AlertManager (about 16–32 MiB) with a Slack or e-mail receiver.',
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
  // The exporters the alert rules read that this plan needs (one per host, or for a kind it runs) and does not run.
  const listed = new Set(plan.services.map(exporterKindOf).filter((k) => k !== null));
  const missing = Object.values(EXPORTER_SPECS)
    .filter((e) => (!e.watches || plan.services.some((s) => s.kind === e.watches)) && !listed.has(e.exporter))
    .map((e) => e.exporter);
  if (!plan.features.exporters && missing.length > 0) {
    const label = (k: ExporterKind) => KNOWN_EXPORTERS.find((x) => x.exporter === k)!.label;
    const blind = ALERT_NAMES.filter((r) => RULE_SOURCES[r].some((src) => (missing as string[]).includes(src)));
    const ran = [...listed].map(label);
    out.push(finding('alerts-blind', severityOf({ p: 1 }, 'degraded'), prom.name,
      `${prom.name}'s alert rules read ${missing.map(label).join(', ')}, which this plan does not run${ran.length ? ` (it runs ${ran.join(', ')})` : ''}: ${blind.join(', ')} cannot see what they watch.`,
      `Turn the exporters on: Headroom adds and budgets the missing ${missing.length === 1 ? 'one' : missing.length}, reusing those the stack runs.`,
      [{ key: 'features.exporters', value: true }]));
  }
  const seen = servicesSeen(plan);
  const blind = plan.services.filter((s) => !seen.has(s.name));
  if (blind.length > 0) {
    out.push(finding('service-down-blind', severityOf({ p: 1 }, 'advice'), null,
      `ServiceDown cannot see ${blind.map((s) => s.name).join(', ')}: nothing scrapes ${blind.length === 1 ? 'it' : 'them'}, so a stopped container shows only through its dependants.`,
      'Add an exporter or a /metrics endpoint for each (pgbouncer_exporter for pgBouncer) and a scrape job for it, or an external HTTP check.'));
  }
  for (const u of unknownScrapeTargets(plan)) {
    out.push(finding('scrape-target-unknown', severityOf({ p: 1 }, 'advice'), u.prometheus,
      `${u.prometheus}'s own scrape job "${u.job}" scrapes ${u.addresses.join(', ')}, which ${u.addresses.length === 1 ? 'names' : 'name'} no service of this stack: a host outside the compose file, or a name that is not a service (inside a container, localhost is the container itself). Headroom keeps the job as written.`,
      'Point the target at a service name (or its container_name or network alias) and port, or remove the job if it scrapes nothing.'));
  }
  return out;
};
