/**
 * The exporters the alert rules read, as containers with their own memory. Pure and free of the
 * engine's index, so that the engine can import it to budget them.
 *
 * A plan with Prometheus gets node_exporter and cAdvisor (host and container metrics), plus one
 * postgres_exporter per Postgres and one redis_exporter per Redis. A generic service the plan
 * already lists (by image or name, like the `full` preset's cadvisor) is recognised and reused.
 */
import type { Range } from './report.ts';
import type { Plan, Service, ServiceKind, ServiceOf } from './schema.ts';
import { nameAllocator } from './names.ts';

export type ExporterKind = 'node-exporter' | 'cadvisor' | 'postgres-exporter' | 'redis-exporter';

export type Exporter = {
  /** The compose service name. */
  name: string;
  exporter: ExporterKind;
  /** The plan service it reads (Postgres/Redis exporters); null for host-wide ones. */
  watches: string | null;
  image: string;
  port: number;
  /** MiB. */
  limit: number;
  usage: Range;
  /** Already a service of the plan (then the plan's limit and usage count, not these). */
  present: boolean;
  /** Where the figures come from. */
  source: string;
};

/** `watches`: the kind each service of which gets one exporter (absent: one per host). */
type ExporterSpec = Omit<Exporter, 'name' | 'watches' | 'present'> & { watches?: ServiceKind };

/** memory-model.md figures; each limit is assumed at ~1.5 × the high figure, rounded up. */
export const EXPORTER_SPECS: Record<ExporterKind, ExporterSpec> = {
  'node-exporter': {
    exporter: 'node-exporter',
    image: 'prom/node-exporter:v1.8.1',
    port: 9100,
    limit: 32,
    usage: { low: 8, typical: 15, high: 21 }, // memory-model.md: node_exporter ~8–21 MB
    source: 'memory-model.md: node_exporter ~8–21 MB',
  },
  cadvisor: {
    exporter: 'cadvisor',
    image: 'gcr.io/cadvisor/cadvisor:v0.49.1',
    port: 8080,
    limit: 128,
    usage: { low: 40, typical: 65, high: 90 }, // memory-model.md: cAdvisor 40–90 MB tuned (the flags below)
    source: 'memory-model.md: cAdvisor 40–90 MB when tuned (flags set in the compose file)',
  },
  'postgres-exporter': {
    exporter: 'postgres-exporter',
    image: 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0',
    port: 9187,
    limit: 32,
    // memory-model.md has no public figure, so measured on our Debian machine: postgres_exporter
    // 0.11.1 against PostgreSQL 15, after 10 scrapes: RSS 15.9 MB, peak 16.3 MB, 14.8 MB private.
    // high assumed at 1.5 × for the newer image's extra collectors.
    usage: { low: 12, typical: 16, high: 24 },
    source: 'measured: postgres_exporter 0.11.1 on PostgreSQL 15, RSS 15.9 MB (peak 16.3 MB) after 10 scrapes',
    watches: 'postgres',
  },
  'redis-exporter': {
    exporter: 'redis-exporter',
    image: 'oliver006/redis_exporter:v1.61.0',
    port: 9121,
    limit: 32,
    usage: { low: 10, typical: 16, high: 24 }, // memory-model.md: redis_exporter ~16 MB
    source: 'memory-model.md: redis_exporter ~16 MB',
    watches: 'redis',
  },
};

/**
 * Every exporter Headroom recognises in a compose file or a plan, by its image repository (or,
 * without an image, its service name): the four the alert rules read (`exporter`: Headroom adds
 * and budgets them) and others users run beside them. The one recognition rule: compose import
 * (formats/kinds/generic.ts), the exporters the export reuses, alert coverage and the findings
 * all ask `knownExporterOf`.
 */
export type KnownExporter = {
  id: string;
  /** What to call it. */
  label: string;
  /** Matches the image repository (registry, tag and digest dropped) or the service name. */
  match: RegExp;
  /** Its default listening port (its docs). */
  port: number;
  /** One of the four the alert rules read, when it is. */
  exporter?: ExporterKind;
  /** The kind of service it reads (its liveness reaches Prometheus through it). */
  watches?: ServiceKind;
  /** Its usage as found in a compose file (untuned), with where the figure comes from; absent: no public figure, measure it. */
  found?: Range;
  source: string;
};

export const KNOWN_EXPORTERS: readonly KnownExporter[] = [
  // memory-model.md: node_exporter ~8–21 MB (typical assumed mid-range).
  { id: 'node-exporter', label: 'node_exporter', match: /(?:^|\/)node[-_]?exporter$/, port: 9100, exporter: 'node-exporter', found: { low: 8, typical: 15, high: 21 }, source: 'memory-model.md: node_exporter ~8–21 MB' },
  // memory-model.md: cAdvisor 40–90 MB tuned, far more untuned (high assumed 2× the tuned top):
  // a compose file's cAdvisor is not known to be tuned.
  { id: 'cadvisor', label: 'cAdvisor', match: /(?:^|\/)cadvisor$/, port: 8080, exporter: 'cadvisor', found: { low: 40, typical: 90, high: 180 }, source: 'memory-model.md: cAdvisor 40–90 MB tuned, more untuned' },
  // memory-model.md: no public figure; measured here (EXPORTER_SPECS['postgres-exporter']).
  { id: 'postgres-exporter', label: 'postgres_exporter', match: /(?:^|\/)postgres(?:ql)?[-_]?exporter$/, port: 9187, exporter: 'postgres-exporter', watches: 'postgres', found: { low: 12, typical: 16, high: 24 }, source: EXPORTER_SPECS['postgres-exporter'].source },
  // memory-model.md: redis_exporter ~16 MB (low/high assumed ±50%).
  { id: 'redis-exporter', label: 'redis_exporter', match: /(?:^|\/)redis[-_]?exporter$/, port: 9121, exporter: 'redis-exporter', watches: 'redis', found: { low: 10, typical: 16, high: 24 }, source: 'memory-model.md: redis_exporter ~16 MB' },
  // The rest: ports from each project's README; no public memory figure, so their usage is left to measure.
  { id: 'mysqld-exporter', label: 'mysqld_exporter', match: /(?:^|\/)mysqld?[-_]?exporter$/, port: 9104, watches: 'mysql', source: 'no public figure; measure it with docker stats' },
  { id: 'mongodb-exporter', label: 'mongodb_exporter', match: /(?:^|\/)mongodb[-_]?exporter$/, port: 9216, watches: 'mongodb', source: 'no public figure; measure it with docker stats' },
  { id: 'pushgateway', label: 'Pushgateway', match: /(?:^|\/)pushgateway$/, port: 9091, source: 'no public figure; measure it with docker stats' },
  { id: 'blackbox-exporter', label: 'blackbox_exporter', match: /(?:^|\/)blackbox[-_]?exporter$/, port: 9115, source: 'no public figure; measure it with docker stats' },
  { id: 'nats-exporter', label: 'prometheus-nats-exporter', match: /(?:^|\/)(?:prometheus-)?nats[-_]?exporter$/, port: 7777, source: 'no public figure; measure it with docker stats' },
];

/** An image's repository: registry, tag and digest dropped, lower case (`gcr.io/cadvisor/cadvisor:v1` → `cadvisor/cadvisor`). */
export function imageRepositoryOf(image: string): string {
  let ref = image.trim().toLowerCase().split('@')[0]!;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) ref = ref.slice(0, colon);
  const parts = ref.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) parts.shift();
  if (parts[0] === 'library' && parts.length === 2) parts.shift();
  return parts.join('/');
}

/** The exporter an image (else a service name) is, if Headroom knows it. */
export function knownExporterOf(image: string | null | undefined, name?: string): KnownExporter | null {
  const text = image ? imageRepositoryOf(image) : name?.toLowerCase();
  if (!text) return null;
  return KNOWN_EXPORTERS.find((k) => k.match.test(text)) ?? null;
}

/** The known exporter a plan service is (generic services only), by its image or else its name. */
export function knownExporterOfService(s: Service): KnownExporter | null {
  return s.kind === 'generic' ? knownExporterOf(s.settings.image, s.name) : null;
}

/** The exporter that reads services of this kind (their liveness and metrics reach Prometheus through it), if one does. */
export function exporterWatching(kind: ServiceKind): ExporterKind | null {
  return Object.values(EXPORTER_SPECS).find((e) => e.watches === kind)?.exporter ?? null;
}

/** Which of the four exporters the alert rules read a plan's generic service is, by its image or else its name. */
export function exporterKindOf(s: Service): ExporterKind | null {
  return knownExporterOfService(s)?.exporter ?? null;
}

/** The exporters the exported stack runs for this plan; `present: false` ones are not in the plan
 * yet (planWithFeatures adds them). None without Prometheus; with `features.exporters: false`, only
 * those the plan lists (the user's own: they count for alert coverage and are scraped). */
export function exportersFor(plan: Plan): Exporter[] {
  if (!plan.services.some((s) => s.kind === 'prometheus')) return [];
  const freeName = nameAllocator(plan);
  const listed = plan.services.map((s) => ({ s, kind: exporterKindOf(s) })).filter((x) => x.kind !== null);
  const out: Exporter[] = [];
  const add = (kind: ExporterKind, watches: Service | null, defaultName: string) => {
    const { watches: _watches, ...spec } = EXPORTER_SPECS[kind];
    // A listed exporter of this kind: host-wide ones are reused once; per-service ones by order.
    const i = listed.findIndex((x) => x.kind === kind);
    if (i >= 0) {
      const { s } = listed.splice(i, 1)[0]!;
      out.push({ ...spec, name: s.name, watches: watches?.name ?? null, present: true, limit: s.limit ?? spec.limit });
      return;
    }
    if (plan.features.exporters) out.push({ ...spec, name: freeName(defaultName), watches: watches?.name ?? null, present: false });
  };
  for (const spec of Object.values(EXPORTER_SPECS)) {
    if (!spec.watches) add(spec.exporter, null, spec.exporter);
    else for (const s of plan.services) if (s.kind === spec.watches) add(spec.exporter, s, `${s.name}-exporter`);
  }
  return out;
}

/** The plan's services plus the exporters it lacks, as generic services with their image and usage. */
export function exporterServices(plan: Plan): ServiceOf<'generic'>[] {
  return exportersFor(plan)
    .filter((e) => !e.present)
    .map((e) => ({ name: e.name, kind: 'generic', limit: e.limit, settings: { image: e.image, usage: { ...e.usage } } }));
}

/** The seed's ten alert rules (export/alerts.ts writes them). */
export const ALERT_NAMES = [
  'ServiceDown',
  'HighMemoryUsage',
  'ContainerOOMKills',
  'LowDiskSpace',
  'RedisMemoryHigh',
  'HighDatabaseConnections',
  'HighAPILatency',
  'SlowDatabaseQueries',
  'LowCacheHitRate',
  'HighNetworkIO',
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

/** Where a rule's metrics come from: an exporter, Prometheus's own `up`, or the app's /metrics. */
export type MetricSource = ExporterKind | 'prometheus' | 'app';

/** What each rule reads (export/alerts.ts's expressions; the alerts-blind finding and alertCoverage name the rules an absent exporter blinds). */
export const RULE_SOURCES: Record<AlertName, MetricSource[]> = {
  ServiceDown: ['prometheus'],
  HighMemoryUsage: ['cadvisor', 'node-exporter'],
  ContainerOOMKills: ['node-exporter', 'cadvisor'],
  LowDiskSpace: ['node-exporter'],
  RedisMemoryHigh: ['redis-exporter'],
  HighDatabaseConnections: ['postgres-exporter'],
  HighAPILatency: ['app'],
  SlowDatabaseQueries: ['postgres-exporter'],
  LowCacheHitRate: ['redis-exporter'],
  HighNetworkIO: ['cadvisor'],
};
