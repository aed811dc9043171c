/**
 * The registry of service kinds, loaded by need. Each kind's module (its settings schema, model,
 * findings and tuning) is reached through KIND_LOADERS, one dynamic import per kind, checked by
 * the compiler against KindEngine; a module registers itself here once loaded, and shared code asks
 * kindOf() for it. The CLI, the formats and the tests import kinds/index.ts, which loads and
 * registers every kind at once (engine/schema.ts does so too); the page loads only the kinds its
 * plan uses before it first draws the numbers (kindsLoad), then the rest (kindsLoadAll). Same
 * engine, same modules: only when they are loaded differs.
 */
import type { Plan, ServiceOf } from '../plan-schema.ts';
import type { Basis, Usage } from '../report.ts';
import type { KindEngine, KindTuning, ModelContext } from './kind.ts';
// pgBouncer is always loaded: the toggles' model (features.ts) starts a pgBouncer from its defaults.
import { pgbouncer } from './pgbouncer.ts';
// Types only: these imports load nothing.
import type { fastapi } from './fastapi.ts';
import type { postgres } from './postgres/index.ts';
import type { redis } from './redis.ts';
import type { prometheus } from './prometheus.ts';
import type { grafana } from './grafana.ts';
import type { alertmanager } from './alertmanager.ts';
import type { mysql } from './mysql.ts';
import type { mongodb } from './mongodb.ts';
import type { clickhouse } from './clickhouse.ts';
import type { rabbitmq } from './rabbitmq.ts';
import type { memcached } from './memcached.ts';
import type { minio } from './minio.ts';
import type { dragonfly } from './dragonfly.ts';
import type { generic } from './generic.ts';
import type { jvm } from './jvm.ts';
import type { python } from './python.ts';
import type { node } from './node.ts';
import type { native } from './native.ts';
import type { proxy } from './proxy.ts';
import type { ruby } from './ruby.ts';
import type { php } from './php.ts';
import type { beam } from './beam.ts';

/** Each kind's module by its kind: the service kinds of the plan file are these keys. */
export type KindModules = {
  fastapi: typeof fastapi; postgres: typeof postgres; redis: typeof redis; pgbouncer: typeof pgbouncer; prometheus: typeof prometheus; grafana: typeof grafana; alertmanager: typeof alertmanager;
  generic: typeof generic; jvm: typeof jvm; python: typeof python; node: typeof node; native: typeof native; proxy: typeof proxy;
  mysql: typeof mysql; mongodb: typeof mongodb; clickhouse: typeof clickhouse; rabbitmq: typeof rabbitmq; memcached: typeof memcached; minio: typeof minio; dragonfly: typeof dragonfly;
  ruby: typeof ruby; php: typeof php; beam: typeof beam;
};
export type ServiceKind = keyof KindModules;

/**
 * How each kind's module is loaded, in the registry's order (the page's pickers and the error
 * messages list kinds so). The compiler checks that every kind has one and that each returns its
 * own kind's complete module.
 */
export const KIND_LOADERS = {
  fastapi: async () => (await import('./fastapi.ts')).fastapi,
  postgres: async () => (await import('./postgres/index.ts')).postgres,
  redis: async () => (await import('./redis.ts')).redis,
  pgbouncer: async () => pgbouncer,
  prometheus: async () => (await import('./prometheus.ts')).prometheus,
  grafana: async () => (await import('./grafana.ts')).grafana,
  alertmanager: async () => (await import('./alertmanager.ts')).alertmanager,
  generic: async () => (await import('./generic.ts')).generic,
  jvm: async () => (await import('./jvm.ts')).jvm,
  python: async () => (await import('./python.ts')).python,
  node: async () => (await import('./node.ts')).node,
  native: async () => (await import('./native.ts')).native,
  proxy: async () => (await import('./proxy.ts')).proxy,
  mysql: async () => (await import('./mysql.ts')).mysql,
  mongodb: async () => (await import('./mongodb.ts')).mongodb,
  clickhouse: async () => (await import('./clickhouse.ts')).clickhouse,
  rabbitmq: async () => (await import('./rabbitmq.ts')).rabbitmq,
  memcached: async () => (await import('./memcached.ts')).memcached,
  minio: async () => (await import('./minio.ts')).minio,
  dragonfly: async () => (await import('./dragonfly.ts')).dragonfly,
  ruby: async () => (await import('./ruby.ts')).ruby,
  php: async () => (await import('./php.ts')).php,
  beam: async () => (await import('./beam.ts')).beam,
} satisfies { readonly [K in ServiceKind]: () => Promise<KindModules[K] & KindEngine<K>> };

/** The service kinds, in the registry's order. */
export const SERVICE_KINDS = Object.keys(KIND_LOADERS) as [ServiceKind, ...ServiceKind[]];

/**
 * The kinds every plan may need besides its services' own: the feature toggles add pgBouncer,
 * AlertManager and the exporters (generic services) to a plan (features.ts), and the page
 * evaluates each toggle's what-if.
 */
export const FEATURE_KINDS: readonly ServiceKind[] = ['pgbouncer', 'alertmanager', 'generic'];

const registered: { [K in ServiceKind]?: KindModules[K] } = { pgbouncer };

/** Registers loaded kind modules (kinds/index.ts registers every kind; kindsLoad the ones asked for). */
export function kindsRegister(modules: { [K in ServiceKind]?: KindModules[K] }): void {
  Object.assign(registered, modules);
}

export function kindLoaded(kind: ServiceKind): boolean {
  return registered[kind] !== undefined;
}

/** The kinds a plan needs loaded: its services' kinds (a document's, unvalidated) and the feature toggles' (FEATURE_KINDS). */
export function kindsNeeded(doc: unknown): ServiceKind[] {
  const services = (doc as { services?: unknown } | null)?.services;
  const own = Array.isArray(services) ? services.map((s) => (s as { kind?: unknown } | null)?.kind) : [];
  return SERVICE_KINDS.filter((k) => own.includes(k) || FEATURE_KINDS.includes(k));
}

/** True when every kind the document needs is loaded (kindsNeeded). */
export function kindsReady(doc: unknown): boolean {
  return kindsNeeded(doc).every(kindLoaded);
}

/** Loads and registers the given kinds' modules (in parallel; the ones already loaded are skipped). */
export async function kindsLoad(kinds: Iterable<ServiceKind>): Promise<void> {
  const missing = [...new Set(kinds)].filter((k) => !kindLoaded(k));
  const modules = await Promise.all(missing.map(async (k) => [k, await KIND_LOADERS[k]()] as const));
  kindsRegister(Object.fromEntries(modules));
}

/** Loads every kind not yet loaded. */
export function kindsLoadAll(): Promise<void> {
  return kindsLoad(SERVICE_KINDS);
}

/** The registered kinds' modules, in the registry's order. */
export function kindsRegistered(): Array<KindModules[ServiceKind]> {
  return SERVICE_KINDS.flatMap((k) => registered[k] ?? []);
}

/** The tuning result type of a kind (never for kinds without tuning). */
export type TuningOf<K extends ServiceKind> = KindModules[K] extends KindEngine<K, infer _S, infer T> ? T : never;

/**
 * A kind's module, typed by its kind. Asking for a kind that is not loaded is a programming error
 * (a plan reached the engine before its kinds were loaded), never a user's: it says so.
 */
export function kindOf<K extends ServiceKind>(kind: K): KindEngine<K, KindModules[K]['settings'], TuningOf<K>> {
  const k = registered[kind];
  if (k === undefined) throw new Error(`the model of kind ${kind} is not loaded: import engine/kinds/index.ts, or await kindsLoad first`);
  return k as unknown as KindEngine<K, KindModules[K]['settings'], TuningOf<K>>;
}

/** The tuning of a service's kind, when it has one. */
export function tuningOf<K extends ServiceKind>(s: ServiceOf<K>): KindTuning<K, TuningOf<K>> | undefined {
  return kindOf(s.kind as K).tuning;
}

/**
 * Whether a kind counts its containers in its own settings (`settings.replicas`: the app kinds,
 * whose model multiplies workers and pools by them); every other kind models one container, and a
 * service of several says so in `services[].replicas` (plan-schema.ts).
 */
export function kindCountsReplicas(kind: ServiceKind): boolean {
  return 'replicas' in (kindOf(kind).settings as unknown as { shape: object }).shape;
}

/**
 * The memory of one service in one scenario, by its kind's model: all its containers'. A kind
 * that counts its own replicas models them all; for the others the model is one container's, and
 * a service of N (`services[].replicas`, compose's deploy.replicas or scale) runs N alike.
 */
export function serviceUsage(s: Plan['services'][number], ctx: ModelContext): Usage {
  const u = kindOf(s.kind).usage(s as never, ctx);
  const n = s.replicas ?? 1;
  if (n === 1 || kindCountsReplicas(s.kind)) return u;
  return {
    low: u.low * n,
    typical: u.typical * n,
    high: u.high * n,
    components: u.components.map((c) => ({ ...c, MiB: c.MiB * n, low: c.low * n, high: c.high * n, note: `${c.note ? `${c.note}; ` : ''}× ${n} containers` })),
  };
}

/** What a service's usage rests on: its kind's say (KindEngine.basis), else evidence when the plan carries it, else the model. */
export function basisOf(s: Plan['services'][number]): Basis {
  return kindOf(s.kind).basis?.(s as never) ?? (s.observed ? 'observed' : 'modelled');
}
