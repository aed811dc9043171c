/** Findings about operating the stack: alert routing, single points of failure, unknown services. */
import { finding, servicesOf, type Rule } from './context.ts';
import type { Finding } from '../report.ts';

export const alertsNowhere: Rule = ({ plan }) => {
  const prom = servicesOf(plan, 'prometheus')[0];
  if (!prom) {
    return [finding('no-monitoring', 'warning', null,
      'No Prometheus in this plan: nothing watches memory, so the first sign of an OOM kill is an outage.',
      'Add a prometheus service (about 100–200 MiB) with the exported alert rules.')];
  }
  if (plan.features.alertmanager) return [];
  return [finding('alerts-nowhere', 'warning', prom.name,
    `${prom.name} evaluates alert rules but there is no AlertManager: alerts fire into a web page nobody watches, and critical ones may go unnoticed for hours (the seed's risk #2).`,
    'Turn on AlertManager (features.alertmanager: true, about 16–32 MiB) with a Slack or e-mail receiver.',
    [{ key: 'features.alertmanager', value: true }])];
};

export const singleHost: Rule = ({ plan }) => {
  const db = servicesOf(plan, 'postgres')[0];
  return [finding('single-host', 'info', null,
    `Every service runs on this one host: a hardware or provider failure is a complete outage${db ? `, and ${db.name}'s data lives only here` : ''}.`,
    'Add external uptime monitoring, ship daily database dumps off the host and test a restore; later, stream PostgreSQL to a replica on a second host.')];
};

export const genericGuesses: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const g of servicesOf(plan, 'generic')) {
    if (g.settings.usage || g.observed) continue; // measured: set in the plan, or observed by docker stats
    out.push(finding('generic-usage-assumed', 'info', g.name,
      `${g.name} is a generic service without measured usage: the plan assumes 32–128 MiB.`,
      `Set ${g.name}'s usage (low/typical/high) from \`docker stats\` on the running host.`));
  }
  return out;
};

/** Order: most severe first, then host before services, then by id. */
export function findingsSort(findings: Finding[]): Finding[] {
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  return [...findings].sort((a, b) => rank[a.severity] - rank[b.severity] || (a.service ?? '').localeCompare(b.service ?? '') || a.id.localeCompare(b.id));
}
