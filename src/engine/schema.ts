/**
 * The plan file: one zod schema, the types inferred from it, a version and its migrations.
 * Input is what a person writes (sizes as `800MiB`); output is normalised (sizes in MiB,
 * durations in seconds, every default filled in from defaults.ts).
 */
import { z } from 'zod';
import { durationParse, sizeParse } from './units.ts';
import {
  APP_DEFAULTS, HOST_DEFAULTS, PGBOUNCER_DEFAULTS, POSTGRES_DEFAULTS, PROMETHEUS_DEFAULTS, REDIS_DEFAULTS, WORKLOAD_DEFAULTS,
} from './defaults.ts';

export const PLAN_VERSION = 1;

export const SERVICE_KINDS = ['fastapi', 'postgres', 'redis', 'pgbouncer', 'prometheus', 'grafana', 'alertmanager', 'generic'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** A size in MiB, written as `800MiB`, `800m`, `1.5GiB`, `4g` or a bare number of MiB. */
export const sizeSchema = z.union([z.number(), z.string()], { error: 'expected a size like 512MiB, 1.5GiB or a number of MiB' }).transform((v, ctx) => {
  const r = sizeParse(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.value;
});

/** A duration in seconds, written as `30s`, `1m`, `7d` or a bare number of seconds. */
export const durationSchema = z.union([z.number(), z.string()], { error: 'expected a duration like 30s, 1m or 7d, or a number of seconds' }).transform((v, ctx) => {
  const r = durationParse(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.value;
});

const count = (min: number, max: number) =>
  z.number({ error: `expected a whole number from ${min} to ${max}` }).int(`expected a whole number from ${min} to ${max}`).min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`);

/** Compose's rule for service names, which also keeps them safe in every exported file. */
export const SERVICE_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const serviceName = z
  .string({ error: 'expected a service name' })
  .min(1, 'expected a service name')
  .max(63, 'expected a service name of at most 63 characters')
  .regex(SERVICE_NAME_RE, 'expected letters, digits, ".", "_" or "-" (the compose rule), starting with a letter or digit');

const fastapiSettings = z.strictObject({
  replicas: count(1, 64).default(APP_DEFAULTS.replicas),
  workers: count(1, 256).default(APP_DEFAULTS.workers),
  perWorker: sizeSchema.default(APP_DEFAULTS.perWorker),
  preload: z.boolean().default(APP_DEFAULTS.preload),
  poolSize: count(0, 10_000).default(APP_DEFAULTS.poolSize),
  maxOverflow: count(0, 10_000).default(APP_DEFAULTS.maxOverflow),
});

const postgresSettings = z.strictObject({
  sharedBuffers: sizeSchema.default(POSTGRES_DEFAULTS.sharedBuffers),
  maxConnections: count(1, 262_143).default(POSTGRES_DEFAULTS.maxConnections), // PG's upper bound
  workMem: sizeSchema.default(POSTGRES_DEFAULTS.workMem),
  maintenanceWorkMem: sizeSchema.default(POSTGRES_DEFAULTS.maintenanceWorkMem),
  autovacuumMaxWorkers: count(1, 262_143).default(POSTGRES_DEFAULTS.autovacuumMaxWorkers),
  maxParallelWorkersPerGather: count(0, 1024).default(POSTGRES_DEFAULTS.maxParallelWorkersPerGather),
  shmSize: sizeSchema.default(POSTGRES_DEFAULTS.shmSize),
});

const redisSettings = z.strictObject({
  maxmemory: sizeSchema.default(REDIS_DEFAULTS.maxmemory),
  policy: z
    .enum(['noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'])
    .default(REDIS_DEFAULTS.policy),
  persistence: z.enum(['none', 'rdb', 'aof']).default(REDIS_DEFAULTS.persistence),
  appData: sizeSchema.default(REDIS_DEFAULTS.appData),
});

const pgbouncerSettings = z.strictObject({
  poolMode: z.enum(['session', 'transaction', 'statement']).default(PGBOUNCER_DEFAULTS.poolMode),
  maxClientConn: count(1, 1_000_000).default(PGBOUNCER_DEFAULTS.maxClientConn),
  defaultPoolSize: count(1, 100_000).default(PGBOUNCER_DEFAULTS.defaultPoolSize),
  reservePoolSize: count(0, 100_000).default(PGBOUNCER_DEFAULTS.reservePoolSize),
  pools: count(1, 10_000).default(PGBOUNCER_DEFAULTS.pools),
  maxPreparedStatements: count(0, 100_000).default(PGBOUNCER_DEFAULTS.maxPreparedStatements),
});

const prometheusSettings = z.strictObject({
  scrapeInterval: durationSchema.default(PROMETHEUS_DEFAULTS.scrapeInterval),
  retention: durationSchema.default(PROMETHEUS_DEFAULTS.retention),
  series: count(0, 100_000_000).default(PROMETHEUS_DEFAULTS.series),
});

const usageSchema = z.strictObject({ low: sizeSchema, typical: sizeSchema, high: sizeSchema });

const genericSettings = z.strictObject({
  usage: usageSchema.optional(),
  image: z.string().max(200).optional(),
});

const emptySettings = z.strictObject({});

/** The settings schema of each kind; adding a kind adds one entry here. */
export const SETTINGS_SCHEMAS = {
  fastapi: fastapiSettings,
  postgres: postgresSettings,
  redis: redisSettings,
  pgbouncer: pgbouncerSettings,
  prometheus: prometheusSettings,
  grafana: emptySettings,
  alertmanager: emptySettings,
  generic: genericSettings,
} as const satisfies Record<ServiceKind, z.ZodType>;

export type SettingsOf<K extends ServiceKind> = z.output<(typeof SETTINGS_SCHEMAS)[K]>;

/**
 * Memory a running container was seen to use (`docker stats`), beside the model's estimate:
 * `peak` is the highest sample, `typical` the usual one (the median of several samples).
 * A limit planned from it is peak × workload.observedMargin (krr's rule).
 */
const observedSchema = z.strictObject({
  typical: sizeSchema.optional(),
  peak: sizeSchema,
});
export type Observed = z.output<typeof observedSchema>;

export type Service = { [K in ServiceKind]: { name: string; kind: K; limit: number | null; settings: SettingsOf<K>; observed?: Observed } }[ServiceKind];
export type ServiceOf<K extends ServiceKind> = Extract<Service, { kind: K }>;

const serviceSchema = z
  .strictObject({
    name: serviceName,
    kind: z.enum(SERVICE_KINDS, { error: `expected one of ${SERVICE_KINDS.join(' | ')}` }),
    limit: sizeSchema.nullable().optional(),
    settings: z.record(z.string(), z.unknown(), { error: 'expected a map of settings' }).optional(),
    observed: observedSchema.optional(),
  })
  .transform((s, ctx): Service => {
    const parsed = SETTINGS_SCHEMAS[s.kind].safeParse(s.settings ?? {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
        for (const key of keys) {
          const path = ['settings', ...issue.path, ...(key === undefined ? [] : [key])];
          const message = key === undefined ? issue.message : `unknown setting for kind ${s.kind}`;
          ctx.addIssue({ code: 'custom', message, path });
        }
      }
      return z.NEVER;
    }
    // `observed` is only present when the plan has it, so plans without it keep their shape.
    return { name: s.name, kind: s.kind, limit: s.limit ?? null, settings: parsed.data, ...(s.observed ? { observed: s.observed } : {}) } as Service;
  });

const hostSchema = z.strictObject({
  ram: sizeSchema.refine((v) => v >= 64, 'expected a host of at least 64MiB'),
  reserve: z.union([z.literal('auto'), sizeSchema]).default('auto'),
  swap: sizeSchema.default(HOST_DEFAULTS.swap),
  pricePerMonth: z.number().min(0, 'expected a price ≥ 0').max(1_000_000).optional(),
});

const fraction = z.number().min(0, 'expected a fraction from 0 to 1').max(1, 'expected a fraction from 0 to 1');
const positive = (max: number) => z.number().min(0, `expected a number from 0 to ${max}`).max(max, `expected a number from 0 to ${max}`);

const workloadSchema = z.strictObject({
  activeUsers: positive(100_000_000).default(WORKLOAD_DEFAULTS.activeUsers),
  spike: z.number().min(1, 'expected a multiplier ≥ 1').max(1000, 'expected a multiplier up to 1000').default(WORKLOAD_DEFAULTS.spike),
  requestsPerUserPerMinute: positive(100_000).default(WORKLOAD_DEFAULTS.requestsPerUserPerMinute),
  requestTimeMs: positive(600_000).default(WORKLOAD_DEFAULTS.requestTimeMs),
  dbTimePerRequestMs: positive(600_000).default(WORKLOAD_DEFAULTS.dbTimePerRequestMs),
  cacheHitRate: fraction.default(WORKLOAD_DEFAULTS.cacheHitRate),
  cacheTtlSeconds: positive(31_536_000).default(WORKLOAD_DEFAULTS.cacheTtlSeconds),
  cacheEntrySize: sizeSchema.default(WORKLOAD_DEFAULTS.cacheEntrySize),
  /** A limit planned from observed usage is peak × this (krr: 1.15). */
  observedMargin: z.number().min(1, 'expected a margin ≥ 1 (1.15 = peak + 15%)').max(10, 'expected a margin up to 10').default(WORKLOAD_DEFAULTS.observedMargin),
});

const featuresSchema = z.strictObject({
  pgbouncer: z.boolean().default(false),
  semanticCache: z.boolean().default(false),
  alertmanager: z.boolean().default(false),
  // The exporters the alert rules read (node_exporter, cAdvisor, postgres/redis exporters),
  // added beside Prometheus and budgeted. Off by default, as the plan was written: the
  // alerts-blind finding says what that costs the alert rules.
  exporters: z.boolean().default(false),
});

export const planSchema = z
  .strictObject({
    version: z.literal(PLAN_VERSION, { error: `expected version ${PLAN_VERSION}` }).default(PLAN_VERSION),
    name: z.string().max(200, 'expected a name of at most 200 characters').optional(),
    host: hostSchema,
    workload: workloadSchema.default(() => workloadSchema.parse({})),
    features: featuresSchema.default(() => featuresSchema.parse({})),
    services: z.array(serviceSchema).max(2000, 'expected at most 2000 services'),
  })
  .superRefine((plan, ctx) => {
    const seen = new Map<string, number>();
    plan.services.forEach((s, i) => {
      const lower = s.name.toLowerCase();
      if (seen.has(lower)) ctx.addIssue({ code: 'custom', message: `duplicate service name "${s.name}" (also services[${seen.get(lower)}])`, path: ['services', i, 'name'] });
      else seen.set(lower, i);
    });
  });

/** The plan as a person writes it. */
export type PlanInput = z.input<typeof planSchema>;
/** The plan after validation: sizes in MiB, durations in seconds, defaults filled in. */
export type Plan = z.output<typeof planSchema>;
export type Workload = Plan['workload'];
export type Features = Plan['features'];

/** One problem with an input, with its path as a person reads it (`services[2].limit`). */
export type InputIssue = { path: string; message: string };

export function pathFormat(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '') || '(plan)';
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = doc;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Migrations from older plan versions; index n upgrades version n to n + 1. None before v1. */
const MIGRATIONS: Array<(doc: Record<string, unknown>) => Record<string, unknown>> = [
  // v0 (no `version` key) is the same shape as v1.
  (doc) => ({ ...doc, version: 1 }),
];

/** Brings any older plan document up to PLAN_VERSION; an unknown future version is left for the schema to refuse. */
export function planMigrate(doc: unknown): unknown {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return doc;
  let current = doc as Record<string, unknown>;
  let version = current.version === undefined ? 0 : current.version;
  while (typeof version === 'number' && Number.isInteger(version) && version >= 0 && version < PLAN_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) break;
    current = step(current);
    version = current.version as number;
  }
  return current;
}

/** Validates a parsed document (from YAML, JSON, the URL or storage) into a Plan. */
export function planParse(doc: unknown): { ok: true; plan: Plan } | { ok: false; issues: InputIssue[] } {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, issues: [{ path: '(plan)', message: 'expected a mapping with host and services' }] };
  }
  const migrated = planMigrate(doc);
  const r = planSchema.safeParse(migrated);
  if (r.success) return { ok: true, plan: r.data };
  const issues: InputIssue[] = [];
  for (const issue of r.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: pathFormat([...issue.path, key]), message: 'unknown key' });
    } else if (valueAt(migrated, issue.path) === undefined) {
      issues.push({ path: pathFormat(issue.path), message: `required: ${issue.message.replace(/^Invalid input: /, '')}` });
    } else {
      issues.push({ path: pathFormat(issue.path), message: issue.message.replace(/^Invalid input: /, '') });
    }
  }
  return { ok: false, issues };
}
