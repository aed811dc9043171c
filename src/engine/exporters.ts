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
type ExporterSpec = Omit<Exporter, 'name' | 'watches' | 'present'> & { match: RegExp; watches?: ServiceKind };

/** memory-model.md figures; each limit is assumed at ~1.5 × the high figure, rounded up. */
export const EXPORTER_SPECS: Record<ExporterKind, ExporterSpec> = {
  'node-exporter': {
    exporter: 'node-exporter',
    image: 'prom/node-exporter:v1.8.1',
    port: 9100,
    limit: 32,
    usage: { low: 8, typical: 15, high: 21 }, // memory-model.md: node_exporter ~8–21 MB
    source: 'memory-model.md: node_exporter ~8–21 MB',
    match: /node[-_]?exporter/i,
  },
  cadvisor: {
    exporter: 'cadvisor',
    image: 'gcr.io/cadvisor/cadvisor:v0.49.1',
    port: 8080,
    limit: 128,
    usage: { low: 40, typical: 65, high: 90 }, // memory-model.md: cAdvisor 40–90 MB tuned (the flags below)
    source: 'memory-model.md: cAdvisor 40–90 MB when tuned (flags set in the compose file)',
    match: /cadvisor/i,
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
    match: /postgres(ql)?[-_]?exporter/i,
    watches: 'postgres',
  },
  'redis-exporter': {
    exporter: 'redis-exporter',
    image: 'oliver006/redis_exporter:v1.61.0',
    port: 9121,
    limit: 32,
    usage: { low: 10, typical: 16, high: 24 }, // memory-model.md: redis_exporter ~16 MB
    source: 'memory-model.md: redis_exporter ~16 MB',
    match: /redis[-_]?exporter/i,
    watches: 'redis',
  },
};

/** The exporter that reads services of this kind (their liveness and metrics reach Prometheus through it), if one does. */
export function exporterWatching(kind: ServiceKind): ExporterKind | null {
  return Object.values(EXPORTER_SPECS).find((e) => e.watches === kind)?.exporter ?? null;
}

/** Which exporter a plan's generic service is, by its image or else its name. */
export function exporterKindOf(s: Service): ExporterKind | null {
  if (s.kind !== 'generic') return null;
  const text = s.settings.image ?? s.name;
  for (const spec of Object.values(EXPORTER_SPECS)) if (spec.match.test(text)) return spec.exporter;
  return null;
}

/** The exporters the exported stack runs for this plan; `present: false` ones are not in the plan
 * yet (planWithFeatures adds them). None without Prometheus or with `features.exporters: false`. */
export function exportersFor(plan: Plan): Exporter[] {
  if (!plan.features.exporters || !plan.services.some((s) => s.kind === 'prometheus')) return [];
  const freeName = nameAllocator(plan);
  const listed = plan.services.map((s) => ({ s, kind: exporterKindOf(s) })).filter((x) => x.kind !== null);
  const out: Exporter[] = [];
  const add = (kind: ExporterKind, watches: Service | null, defaultName: string) => {
    const { match: _match, watches: _watches, ...spec } = EXPORTER_SPECS[kind];
    // A listed exporter of this kind: host-wide ones are reused once; per-service ones by order.
    const i = listed.findIndex((x) => x.kind === kind);
    if (i >= 0) {
      const { s } = listed.splice(i, 1)[0]!;
      out.push({ ...spec, name: s.name, watches: watches?.name ?? null, present: true, limit: s.limit ?? spec.limit });
      return;
    }
    out.push({ ...spec, name: freeName(defaultName), watches: watches?.name ?? null, present: false });
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
