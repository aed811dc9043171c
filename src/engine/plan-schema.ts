/**
 * The plan file: one zod schema, the types inferred from it, a version and its migrations.
 * Input is what a person writes (sizes as `800MiB`); output is normalised (sizes in MiB,
 * durations in seconds, every default filled in). Each kind's settings come from its module in
 * kinds/, asked of the registry (kinds/registry.ts) when a service is parsed: the kinds a plan uses
 * must be loaded first. engine/schema.ts is this module with every kind loaded (the CLI, formats,
 * tests); the page imports this one and loads its plan's kinds (kindsLoad) before it parses.
 */
import { limitOfAll } from './report.ts';
import * as z from 'zod/mini';
import { HOST_DEFAULTS, WORKLOAD_DEFAULTS } from './defaults.ts';
import { between, bool, count, durationSchema, oneOf, sizeSchema, withDefault } from './schema-blocks.ts';
import { OBSERVED_PERCENTILES } from './observed.ts';
import { kindCountsReplicas, kindOf, SERVICE_KINDS, type KindModules, type ServiceKind } from './kinds/registry.ts';
import { inputIssues, issueMessage, pathFormat, type InputIssue } from './input-issues.ts';

export { durationSchema, sizeSchema };

/** 3: a host may say its vCPUs (`cpus`, issue 15), and a service its CPU cap (`cpus`, optional: no bump); 2: a plan may list several `hosts:` and name
 * each service's `host:` (issue 14). Older plans are valid v3 plans as they are. */
export const PLAN_VERSION = 3;

/** The service kinds: the registry's keys, in its order. */
export { SERVICE_KINDS, type ServiceKind };

export type SettingsOf<K extends ServiceKind> = z.output<KindModules[K]['settings']>;

/** Compose's rule for service names, which also keeps them safe in every exported file. */
export const SERVICE_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const serviceName = z
  .string({ error: 'expected a service name (text)' })
  .check(
    z.minLength(1, 'expected a service name'),
    z.maxLength(63, 'expected a service name of at most 63 characters'),
    z.regex(SERVICE_NAME_RE, 'expected letters, digits, ".", "_" or "-" (the compose rule), starting with a letter or digit'),
  );

/**
 * Memory a running container was seen to use (`docker stats`), beside the model's estimate:
 * `peak` is the highest sample, `typical` the usual one (the median of several samples).
 * A limit planned from it is peak × workload.observedMargin (krr's rule).
 */
const observedSchema = z.strictObject({
  typical: z.optional(sizeSchema),
  peak: sizeSchema,
  // From an evidence file (formats/evidence: observe, Prometheus, docker stats, cgroup files):
  // the window's percentiles of the working set, its samples and length, and what went wrong.
  p50: z.optional(sizeSchema),
  p95: z.optional(sizeSchema),
  p99: z.optional(sizeSchema),
  samples: z.optional(count(0, Number.MAX_SAFE_INTEGER)),
  windowSeconds: z.optional(durationSchema),
  /** A steady climb over the window, MiB per hour (engine/observed.ts); 0 or absent: none. */
  growthPerHour: z.optional(between(0, 1e9, 'expected MiB per hour (0 or more)')),
  /** The kernel's high-water mark (memory.peak), page cache included. */
  kernelPeak: z.optional(sizeSchema),
  source: z.optional(z.string({ error: 'expected where the evidence came from (text)' }).check(z.maxLength(200, 'expected at most 200 characters'))),
  oomKills: z.optional(z.array(z.strictObject({
    at: z.nullable(z.string({ error: 'expected an ISO-8601 time or null' })),
    container: z.string({ error: 'expected the killed container (text)' }),
  }), { error: 'expected a list of OOM kills { at, container }' }).check(z.maxLength(10_000, 'expected at most 10000 OOM kills'))),
  restarts: z.optional(count(0, Number.MAX_SAFE_INTEGER)),
});
export type Observed = z.output<typeof observedSchema>;

/**
 * How the service is reached from outside the compose network, as its compose file says
 * (imported from `ports` and `network_mode`; absent: only on the compose network). The exported
 * configs state it and set bind, protected-mode and password guidance to match
 * (formats/export/exposure.ts). `published[].address` is the host address Docker binds
 * (`0.0.0.0`, Docker's default, is every interface); `port` the host port (a range, or "" for
 * one Docker picks); `target` the container's port.
 */
const exposureSchema = z.strictObject({
  hostNetwork: z.optional(z.boolean()),
  published: z.optional(z.array(z.strictObject({ address: z.string(), port: z.string(), target: z.string() }))),
});
export type Exposure = z.output<typeof exposureSchema>;

/** The most containers of one service a plan counts: assumed, the app kinds' own bound (kinds/fastapi.ts count(1, 64)). */
export const MAX_REPLICAS = 64;

/**
 * `replicas`: the containers of a service whose kind models one (compose's deploy.replicas or
 * scale); absent is one. The app kinds count theirs in `settings.replicas` (kindCountsReplicas),
 * where a plan's `replicas:` on such a service goes.
 */
export type Service = { [K in ServiceKind]: { name: string; kind: K; limit: number | null; settings: SettingsOf<K>; replicas?: number; observed?: Observed; exposure?: Exposure; host?: string[]; cpus?: number; oneShot?: boolean } }[ServiceKind];
export type ServiceOf<K extends ServiceKind> = Extract<Service, { kind: K }>;

/** Host names follow the service-name rule (they become Swarm node labels and Kubernetes node names' values). */
const hostName = z
  .string({ error: 'expected a host name (text)' })
  .check(
    z.minLength(1, 'expected a host name'),
    z.maxLength(63, 'expected a host name of at most 63 characters'),
    z.regex(SERVICE_NAME_RE, 'expected letters, digits, ".", "_" or "-", starting with a letter or digit'),
  );

/** A node label as Swarm and Kubernetes write it: `key=value` (a list, not a user-keyed map). */
const LABEL_RE = /^[a-zA-Z0-9]([a-zA-Z0-9_./-]{0,61}[a-zA-Z0-9])?=[a-zA-Z0-9]?([a-zA-Z0-9_.-]{0,61}[a-zA-Z0-9])?$/;
const labelSchema = z.string({ error: 'expected a label like role=db' }).check(z.regex(LABEL_RE, 'expected a label like role=db (key=value: letters, digits, ".", "_", "-")'));

const serviceSchema = z.pipe(
  z.strictObject({
    name: serviceName,
    kind: oneOf(SERVICE_KINDS),
    // 0 is "no limit" to Docker (`mem_limit: 0`): a plan says that with no limit (or null), so
    // that no export ever writes `mem_limit: 0m` (issue 17).
    limit: z.optional(z.nullable(sizeSchema.check(z.refine((v: number) => v > 0, 'expected a size above 0; for no limit leave limit out (Docker reads 0 as no limit)')))),
    settings: z.optional(z.record(z.string(), z.unknown(), { error: 'expected a map of settings' })),
    // Its containers (compose's deploy.replicas / scale), within the app kinds' settings.replicas bound.
    replicas: z.optional(count(1, MAX_REPLICAS)),
    observed: z.optional(observedSchema),
    exposure: z.optional(exposureSchema),
    /** CPUs each container may use (compose's `cpus` / deploy.resources.limits.cpus, Docker's --cpus: a CFS quota); absent: no cap. */
    cpus: z.optional(z.number({ error: 'expected a number of CPUs from 0.01 to 1024 (compose\'s cpus)' }).check(z.minimum(0.01, 'expected at least 0.01 CPU (Docker\'s smallest --cpus); for no cap leave cpus out'), z.maximum(1024, 'expected at most 1024 CPUs'))),
    /** The host (of the plan's `hosts:`) it runs on; a list spreads its replicas over them. */
    host: z.optional(z.union([hostName, z.array(hostName).check(z.minLength(1, 'expected at least one host name'), z.maxLength(100, 'expected at most 100 host names'))], { error: 'expected a host name or a list of host names' })),
    /** A one-shot container (an init, a migration): it runs once at startup and exits, so it is
     * budgeted at startup only, not in the steady-state sums (budget.ts). Optional: no version bump. */
    oneShot: z.optional(z.boolean({ error: 'expected true or false (oneShot: true for a container that runs once at startup and exits)' })),
  }),
  z.transform((s, ctx): Service => {
    // A kind that counts its own replicas (the apps: workers × replicas) keeps them in its settings.
    const own = kindCountsReplicas(s.kind);
    const given = (s.settings as { replicas?: unknown } | undefined)?.replicas;
    if (own && s.replicas !== undefined && given !== undefined && given !== s.replicas) {
      ctx.issues.push({ code: 'custom', message: `expected one count of containers: replicas ${s.replicas} and settings.replicas ${String(given)} disagree`, path: ['replicas'], input: s.replicas });
      return z.NEVER;
    }
    const settingsIn = own && s.replicas !== undefined ? { ...s.settings, replicas: s.replicas } : s.settings;
    const settings = (kindOf(s.kind).settings as z.ZodMiniType).safeParse(settingsIn ?? {});
    if (!settings.success) {
      for (const issue of settings.error.issues) {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
        for (const key of keys) {
          const path = ['settings', ...issue.path, ...(key === undefined ? [] : [key])];
          const message = key === undefined ? issueMessage(issue) : `unknown setting for kind ${s.kind}`;
          ctx.issues.push({ code: 'custom', message, path, input: s.settings });
        }
      }
      return z.NEVER;
    }
    // `observed` is only present when the plan has it, so plans without it keep their shape.
    const replicas = !own && s.replicas !== undefined && s.replicas !== 1 ? { replicas: s.replicas } : {};
    return { name: s.name, kind: s.kind, limit: s.limit ?? null, settings: settings.data, ...replicas, ...(s.observed ? { observed: s.observed } : {}), ...(s.exposure ? { exposure: s.exposure } : {}), ...(s.host === undefined ? {} : { host: typeof s.host === 'string' ? [s.host] : s.host }), ...(s.cpus === undefined ? {} : { cpus: s.cpus }), ...(s.oneShot ? { oneShot: true } : {}) } as Service;
  }),
);

/** A host's vCPUs: host.cpus, hosts[].cpus, and a tier's (`headroom capacity --tiers SIZE:PRICE:CPUS`, the
 * page's tier field: engine/tiers.ts tierCpusParse), one rule. Assumed bounds: 0.1 (a tenth of a shared
 * core, below any VPS plan sold) to 1024 (beyond any single host). */
export const CPUS_MIN = 0.1;
export const CPUS_MAX = 1024;
export const hostCpusSchema = z.number({ error: `expected a number of vCPUs from ${CPUS_MIN} to ${CPUS_MAX}` }).check(z.minimum(CPUS_MIN, `expected at least ${CPUS_MIN} vCPU`), z.maximum(CPUS_MAX, `expected at most ${CPUS_MAX} vCPUs`));

const hostSchema = z.strictObject({
  ram: sizeSchema.check(z.refine((v: number) => v >= 64, 'expected a host of at least 64 MiB')),
  reserve: withDefault(z.union([z.literal('auto'), sizeSchema], { error: 'expected auto or a size like 300MiB' }), 'auto'),
  swap: withDefault(sizeSchema, HOST_DEFAULTS.swap),
  pricePerMonth: z.optional(between(0, 1_000_000, 'expected a price from 0 to 1000000')),
  /** vCPUs; absent: engine/cpu.ts's default for the RAM (published VPS plans). */
  cpus: z.optional(hostCpusSchema),
});

/** One host of a multi-host plan: a host with a name and the node labels placement constraints read. */
const namedHostSchema = z.strictObject({
  ...hostSchema.shape,
  name: hostName,
  labels: withDefault(z.array(labelSchema, { error: 'expected a list of labels like role=db' }).check(z.maxLength(50, 'expected at most 50 labels')), []),
});
export type NamedHost = z.output<typeof namedHostSchema>;
export type Host = z.output<typeof hostSchema>;

const fraction = between(0, 1, 'expected a fraction from 0 to 1');
const positive = (max: number) => between(0, max, `expected a number from 0 to ${max}`);

const workloadSchema = z.strictObject({
  activeUsers: withDefault(positive(100_000_000), WORKLOAD_DEFAULTS.activeUsers),
  spike: withDefault(z.number({ error: 'expected a multiplier from 1 to 1000' }).check(z.minimum(1, 'expected a multiplier ≥ 1'), z.maximum(1000, 'expected a multiplier up to 1000')), WORKLOAD_DEFAULTS.spike),
  requestsPerUserPerMinute: withDefault(positive(100_000), WORKLOAD_DEFAULTS.requestsPerUserPerMinute),
  requestTimeMs: withDefault(positive(600_000), WORKLOAD_DEFAULTS.requestTimeMs),
  dbTimePerRequestMs: withDefault(positive(600_000), WORKLOAD_DEFAULTS.dbTimePerRequestMs),
  cacheHitRate: withDefault(fraction, WORKLOAD_DEFAULTS.cacheHitRate),
  cacheTtlSeconds: withDefault(positive(31_536_000), WORKLOAD_DEFAULTS.cacheTtlSeconds),
  cacheEntrySize: withDefault(sizeSchema, WORKLOAD_DEFAULTS.cacheEntrySize),
  /** A limit planned from observed usage is peak × this (krr: 1.15). */
  observedMargin: withDefault(
    z.number({ error: 'expected a margin from 1 to 10' }).check(z.minimum(1, 'expected a margin ≥ 1 (1.15 = peak + 15%)'), z.maximum(10, 'expected a margin up to 10')),
    WORKLOAD_DEFAULTS.observedMargin,
  ),
  /** The observed figure a limit is planned from (× observedMargin): krr's max by default. */
  observedPercentile: withDefault(oneOf(OBSERVED_PERCENTILES), WORKLOAD_DEFAULTS.observedPercentile),
});

const featuresSchema = z.strictObject({
  pgbouncer: withDefault(bool, false),
  semanticCache: withDefault(bool, false),
  alertmanager: withDefault(bool, false),
  // The exporters the alert rules read (node_exporter, cAdvisor, postgres/redis exporters),
  // added beside Prometheus and budgeted. Off by default, as the plan was written: the
  // alerts-blind finding says what that costs the alert rules.
  exporters: withDefault(bool, false),
});

/** One service on its own: its Service, or not (planParse of the whole plan says why). */
export type ServiceParsed = { ok: true; service: Service } | { ok: false };

/** Parses one service of a plan (what the plan's `services:` list runs on each entry). */
export function serviceParse(input: unknown): ServiceParsed {
  const r = serviceSchema.safeParse(input);
  return r.success ? { ok: true, service: r.data } : { ok: false };
}

/** The plan's schema with `service` as the schema of each entry of `services:`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any input: the page's entry schema takes the raw entry as it is
const planSchemaOf = <S extends z.ZodMiniType<Service, any>>(service: S) => z
  .strictObject({
    version: withDefault(z.literal(PLAN_VERSION, { error: `expected version ${PLAN_VERSION}` }), PLAN_VERSION),
    name: z.optional(z.string({ error: 'expected a name (text)' }).check(z.maxLength(200, 'expected a name of at most 200 characters'))),
    /** One host (every plan before issue 14), or… */
    host: z.optional(hostSchema),
    /** …several, each service naming its `host:`. */
    hosts: z.optional(z.array(namedHostSchema, { error: 'expected a list of hosts' }).check(z.minLength(1, 'expected at least one host'), z.maxLength(100, 'expected at most 100 hosts'))),
    workload: z._default(workloadSchema, () => workloadSchema.parse({})),
    features: z._default(featuresSchema, () => featuresSchema.parse({})),
    services: z.array(service, { error: 'expected a list of services' }).check(z.maxLength(2000, 'expected at most 2000 services')),
  })
  .check(
    z.superRefine((plan, ctx) => {
      const seen = new Map<string, number>();
      plan.services.forEach((s, i) => {
        const lower = s.name.toLowerCase();
        if (seen.has(lower)) ctx.addIssue({ code: 'custom', message: `duplicate service name "${s.name}" (also services[${seen.get(lower)}])`, path: ['services', i, 'name'] });
        else seen.set(lower, i);
      });
      if (plan.host === undefined && plan.hosts === undefined) ctx.addIssue({ code: 'custom', message: 'expected host (one host) or hosts (a list)', path: ['host'] });
      if (plan.host !== undefined && plan.hosts !== undefined) ctx.addIssue({ code: 'custom', message: 'expected host or hosts, not both', path: ['hosts'] });
      const hostNames = new Map<string, number>();
      (plan.hosts ?? []).forEach((h, i) => {
        if (hostNames.has(h.name.toLowerCase())) ctx.addIssue({ code: 'custom', message: `duplicate host name "${h.name}" (also hosts[${hostNames.get(h.name.toLowerCase())}])`, path: ['hosts', i, 'name'] });
        else hostNames.set(h.name.toLowerCase(), i);
      });
      const listed = (plan.hosts ?? []).map((h) => h.name);
      plan.services.forEach((s, i) => {
        if (plan.hosts === undefined) {
          if (s.host !== undefined) ctx.addIssue({ code: 'custom', message: 'a service names its host only in a plan with hosts: (a list)', path: ['services', i, 'host'] });
          return;
        }
        if (s.host === undefined) { ctx.addIssue({ code: 'custom', message: `expected the host it runs on, one of ${listed.join(', ')}`, path: ['services', i, 'host'] }); return; }
        for (const h of s.host) if (!listed.includes(h)) ctx.addIssue({ code: 'custom', message: `expected one of the plan's hosts (${listed.join(', ')}), got "${h}"`, path: ['services', i, 'host'] });
        if (new Set(s.host).size !== s.host.length) ctx.addIssue({ code: 'custom', message: 'expected each host once', path: ['services', i, 'host'] });
        if (s.host.length > 1 && replicasOf(s) < s.host.length) ctx.addIssue({ code: 'custom', message: `${s.host.length} hosts for ${replicasOf(s)} replica${replicasOf(s) > 1 ? 's' : ''}: a service spreads over at most as many hosts as it has replicas`, path: ['services', i, 'host'] });
      });
    }),
  );

export const planSchema = planSchemaOf(serviceSchema);

/** How many containers a service runs (its kind's `replicas` setting, else the service's `replicas`, else 1). */
export function replicasOf(s: Service): number {
  const r = (s.settings as { replicas?: unknown }).replicas ?? s.replicas;
  return typeof r === 'number' && r >= 1 ? r : 1;
}

/** The containers of these services together (each one's replicasOf): one containerd-shim each (host.ts). */
export function containersOf(services: readonly Service[]): number {
  return services.reduce((n, s) => n + replicasOf(s), 0);
}

/** A service's limit over all its containers (`replicasOf(s)` × its per-container limit: report.ts limitOfAll). */
export function serviceLimitOfAll(s: Service): number | null {
  return limitOfAll(s.limit, replicasOf(s));
}

/** A plan file as a person writes it: one `host:` or a `hosts:` list. */
export type PlanFileInput = z.input<typeof planSchema>;
/** A single-host plan as a person writes it (what the page edits, presets, compose imports). */
export type PlanInput = Omit<PlanFileInput, 'host' | 'hosts'> & { host: NonNullable<PlanFileInput['host']>; hosts?: undefined };
type ParsedPlan = z.output<typeof planSchema>;
/**
 * The plan after validation: sizes in MiB, durations in seconds, defaults filled in. `host` is
 * always there: in a multi-host plan (`hosts` present) it is the first host, so the single-host
 * commands keep a host to read; evaluate() budgets each host of `hosts` on its own.
 */
export type Plan = Omit<ParsedPlan, 'host'> & { host: Host };
export type Workload = Plan['workload'];
export type Features = Plan['features'];

export type { InputIssue };
export { pathFormat };

/** Migrations from older plan versions; index n upgrades version n to n + 1. None before v1. */
const MIGRATIONS: Array<(doc: Record<string, unknown>) => Record<string, unknown>> = [
  // v0 (no `version` key) is the same shape as v1.
  (doc) => ({ ...doc, version: 1 }),
  // v1 → v2 adds `hosts:` and a service's `host:`; a v1 plan is a valid v2 plan as it is.
  (doc) => ({ ...doc, version: 2 }),
  // v2 → v3 adds a host's `cpus` (optional); a v2 plan is a valid v3 plan as it is.
  (doc) => ({ ...doc, version: 3 }),
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

/**
 * Paths of own `__proto__` keys anywhere in a document (YAML and JSON.parse make them own
 * properties). Refused before the schema sees them: a schema that copies a map by assignment
 * would make such a key the map's prototype, and its contents look like settings (issue 17).
 * Iterative and linear in the document's size: each entry keeps its parent, and a path is spelled
 * out only for a hit (copying the path at every step cost O(depth²): a share link nested 100,000
 * deep hung the page). At most the first 20, at most 1,000,000 values visited.
 */
function protoKeys(doc: object): string[] {
  type Step = { v: unknown; key: string | number | null; up: Step | null };
  const pathOf = (s: Step): Array<string | number> => {
    const path: Array<string | number> = [];
    for (let at: Step | null = s; at && at.key !== null; at = at.up) path.push(at.key);
    return path.reverse();
  };
  const out: string[] = [];
  const stack: Step[] = [{ v: doc, key: null, up: null }];
  let visited = 0;
  while (stack.length > 0 && out.length < 20 && ++visited < 1_000_000) {
    const step = stack.pop()!;
    const v = step.v;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) v.forEach((item, i) => stack.push({ v: item, key: i, up: step }));
    else
      for (const k of Object.keys(v)) {
        if (k === '__proto__') out.push(pathFormat([...pathOf(step), k]));
        else stack.push({ v: (v as Record<string, unknown>)[k], key: k, up: step });
      }
  }
  return out;
}

export type PlanParsed = { ok: true; plan: Plan } | { ok: false; issues: InputIssue[] };

/** Validates a parsed document (from YAML, JSON, the URL or storage) into a Plan. */
export function planParse(doc: unknown): PlanParsed {
  return planParseBy(doc, () => planSchema);
}

/**
 * planParse, with each entry of `services:` parsed by `services` instead: the page passes a memo of
 * serviceParse (one result per service object), so a keystroke parses the one service it changed
 * and the others keep their Service objects. `services` must answer as serviceParse does. The
 * result is planParse's: when every service parses, the plan around them is checked by the same
 * schema (planSchemaOf) with those services; when one does not, the whole document is parsed as
 * planParse parses it, so the issues are word for word its issues, in its order.
 */
export function planParserWith(services: (input: unknown) => ServiceParsed): (doc: unknown) => PlanParsed {
  const parsedEntry = z.pipe(
    z.unknown(),
    z.transform((input): Service => {
      const r = services(input);
      // Unreachable: this schema is used only once every entry has parsed (below).
      if (!r.ok) throw new Error('planParserWith: an entry of services: that does not parse');
      return r.service;
    }),
  );
  const withParsed = planSchemaOf(parsedEntry);
  return (doc) =>
    planParseBy(doc, (migrated) => {
      const list = (migrated as { services?: unknown }).services;
      return Array.isArray(list) && list.every((s) => services(s).ok) ? withParsed : planSchema;
    });
}

function planParseBy(doc: unknown, schemaFor: (migrated: object) => typeof planSchema | ReturnType<typeof planSchemaOf>): PlanParsed {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, issues: [{ path: '(plan)', message: 'expected a mapping with host and services' }] };
  }
  const proto = protoKeys(doc);
  if (proto.length > 0) return { ok: false, issues: proto.map((path) => ({ path, message: 'unknown key (__proto__ is no key of a plan)' })) };
  const migrated = planMigrate(doc) as object;
  const r = schemaFor(migrated).safeParse(migrated);
  if (r.success) {
    const { host, hosts } = r.data as ParsedPlan;
    // The schema's check guarantees one of the two.
    const first = host ?? { ram: hosts![0]!.ram, reserve: hosts![0]!.reserve, swap: hosts![0]!.swap, ...(hosts![0]!.pricePerMonth === undefined ? {} : { pricePerMonth: hosts![0]!.pricePerMonth }), ...(hosts![0]!.cpus === undefined ? {} : { cpus: hosts![0]!.cpus }) };
    return { ok: true, plan: { ...(r.data as ParsedPlan), host: first } };
  }
  return { ok: false, issues: inputIssues(migrated, r.error.issues) };
}
