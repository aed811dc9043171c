/**
 * The scrape jobs of the user's own prometheus.yml (a Prometheus service's `scrapeJobs`, read on
 * compose import): which plan services they scrape, and which targets name no service. The
 * findings (service-down-blind, scrape-target-unknown) and the export (formats/kinds/prometheus.ts)
 * read them here, so they agree.
 */
import type { Plan, ServiceKind, ServiceOf } from './schema.ts';
import { EXPORTER_SPECS, knownExporterOfService } from './exporters.ts';
import { kindOf } from './kinds/registry.ts';

export type ScrapeJob = NonNullable<ServiceOf<'prometheus'>['settings']['scrapeJobs']>[number];

/** Every user scrape job of the plan's Prometheus services, with the Prometheus that runs it. */
export function userScrapeJobs(plan: Plan): Array<{ prometheus: string; job: ScrapeJob }> {
  return plan.services.flatMap((s) => (s.kind === 'prometheus' ? (s.settings.scrapeJobs ?? []).map((job) => ({ prometheus: s.name, job })) : []));
}

/** The plan services a user's job scrapes (a target naming them). */
export function servicesScrapedByUser(plan: Plan): Set<string> {
  const out = new Set<string>();
  for (const { job } of userScrapeJobs(plan)) for (const t of job.targets) if (t.service !== null) out.add(t.service);
  return out;
}

/** `host:port` of a target address (`http://a:1/x` → `a:1`); the host alone when it has no port. */
export function targetHostPort(address: string): { host: string; port: number | null } {
  const bare = address.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/[/?#].*$/, '').replace(/^[^@]*@/, '');
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(bare);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : null };
  const m = /^([\s\S]*?)(?::(\d+))?$/.exec(bare);
  return { host: (m?.[1] ?? bare).toLowerCase(), port: m?.[2] ? Number(m[2]) : null };
}

/**
 * The services Prometheus sees, so that ServiceDown can fire for them: a kind with its own
 * /metrics (Headroom's prometheus.yml scrapes it), one of the four exporters the alert rules read
 * (listed or added: Headroom's prometheus.yml scrapes them), a service a user's job scrapes, and
 * the services of a kind an exporter that is scraped reads (postgres_exporter → PostgreSQL; an
 * exporter is taken to read every service of its kind: Headroom cannot tell which one from the compose file).
 * None without Prometheus. The service-down-blind finding and the export's alertCoverage both ask it.
 */
export function servicesSeen(plan: Plan): Set<string> {
  const seen = new Set<string>();
  if (!plan.services.some((s) => s.kind === 'prometheus')) return seen;
  const user = servicesScrapedByUser(plan);
  const watched = new Set<ServiceKind>();
  for (const s of plan.services) {
    const known = knownExporterOfService(s);
    if (kindOf(s.kind).scraped === true || user.has(s.name) || known?.exporter !== undefined) {
      seen.add(s.name);
      if (known?.watches) watched.add(known.watches);
    }
  }
  if (plan.features.exporters) for (const e of Object.values(EXPORTER_SPECS)) if (e.watches) watched.add(e.watches);
  for (const s of plan.services) if (watched.has(s.kind)) seen.add(s.name);
  return seen;
}

/** The targets of the user's jobs that name no service of the plan, by job. */
export function unknownScrapeTargets(plan: Plan): Array<{ prometheus: string; job: string; addresses: string[] }> {
  return userScrapeJobs(plan)
    .map(({ prometheus, job }) => ({ prometheus, job: job.job, addresses: job.targets.filter((t) => t.service === null).map((t) => t.address) }))
    .filter((j) => j.addresses.length > 0);
}
