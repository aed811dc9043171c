/**
 * The upgrade path: the same stack re-tuned for each host size by the engine's own rules, each
 * tier with the users it carries, its price, cost per 1,000 users and the point to move up; and
 * when even the largest tier is not enough, what breaks first and the seed's split (the database
 * on its own host) as a plan per host.
 *
 * Re-tuning for `users` on a host (tierPlan), in order:
 * 0. the app's workers for the host's vCPUs: a worker per core, never fewer than the plan's
 *    (policy.ts workersPerCore, the latency finding's own fix); memory and connections follow.
 *    A tier takes fewer (down to the plan's own) when they carry more users (tierOf): more
 *    workers than its memory holds would make more vCPUs carry fewer;
 * 1. the app's pools carry the high concurrency of database transactions (traffic.ts, Little's
 *    law × 3), never fewer connections than the plan gives them;
 * 2. pgBouncer's pools and max_client_conn from its tuner (kinds/pgbouncer.ts);
 * 3. PostgreSQL's max_connections from its tuner (kinds/postgres/), raised when the backends would reach 90% of it;
 * 4. Redis maxmemory holds the data the model expects at the high end, and its limit fits that
 *    maxmemory with fragmentation and the fork (kinds/redis.ts);
 * 5. every other service's limit is its high usage, rounded up to a tidy size;
 * 6. PostgreSQL gets the rest of the host's budget (RAM − free criterion − reserve − the other
 *    limits), at least the smallest limit its own high usage fits; shared_buffers and
 *    maintenance_work_mem come from its tuner for that limit, work_mem from the tuner too but never
 *    more than the engine's high usage leaves room for.
 * A tier's capacity is the most users for which that re-tuned plan passes every capacity check.
 * Several hosts (multi-host options, the split) are one model with one host: the stack re-tuned
 * for `users` passes the checks that do not depend on where services run (limits, connections)
 * and place.ts finds a placement of it on the hosts, by host-fit.ts's rule of what fits on a host —
 * the same rule capacity.ts's host checks apply to the one host of a tier.
 *
 * Pure: plain data in, plain data out.
 */
import { containersOf, CPUS_MAX, CPUS_MIN, hostCpusSchema, replicasOf, serviceLimitOfAll, type NamedHost, type Plan, type Service, type ServiceOf } from './schema.ts';
import { place } from './place.ts';
import { hostPartsOf } from './hosts.ts';
import { planWithFeatures } from './features.ts';
import { trafficOf } from './traffic.ts';
import { hostReserve } from './host.ts';
import { postgresForLimit, postgresMaxConnections, postgresMinLimit } from './kinds/postgres/tune.ts';
import { pgbouncersTuned } from './kinds/pgbouncer.ts';
import { tuningOf } from './kinds/index.ts';
import { tuneContext } from './tune.ts';
import { evaluate } from './evaluate.ts';
import {
  CAPACITY_CAP, checksOf, constraintsFailingAt, scenarioAt, type CapacityStatus, type Constraint,
} from './capacity.ts';
import { placedLoadChecks, type HostFitId, type HostLoadId } from './host-fit.ts';
import { defaultCpus } from './cpu.ts';
import {
  connectionsNearMax, DOCKER_MIN_LIMIT_MIB, freeCriterion, maxConnectionsAdvised, MOVE_UP_SHARE, REDIS_MAXMEMORY_MIN, roundDownSize, roundUpSize, workersPerCore,
} from './policy.ts';

export { MOVE_UP_SHARE };

/** The checks that depend on where the services run: what fits on a host, and a host's load (host-fit.ts). */
const HOST_IDS: ReadonlySet<string> = new Set<HostFitId | HostLoadId>(['free-below-criterion', 'limits-exceed-ram', 'cpu-saturated', 'latency-over-criterion']);

/** A host size to plan for; the price is USD per month (null: unknown); vCPUs (absent: cpu.ts's default for the RAM). */
export type TierSpec = { ramMiB: number; pricePerMonth: number | null; cpus?: number };

export const DEFAULT_TIERS: readonly TierSpec[] = [
  { ramMiB: 4096, pricePerMonth: 25 }, // the seed: "$25" per month for the 4 GB host; 2 vCPUs (cpu.ts: Hetzner CX22, DigitalOcean's 4 GiB droplet)
  { ramMiB: 8192, pricePerMonth: 50 }, // the seed: the full stack's "$50", an 8 GB host (presets.ts); 4 vCPUs (CX32, the 8 GiB droplet)
  { ramMiB: 16384, pricePerMonth: 100 }, // assumed: the seed gives no 16 GB price; doubling RAM doubled it from 4 to 8 GB; 8 vCPUs (CX42, the 16 GiB droplet)
];

/** A tier's vCPUs: its own, else cpu.ts's default for its RAM. */
export function tierCpus(spec: TierSpec): number {
  return spec.cpus ?? defaultCpus(spec.ramMiB);
}

/**
 * A tier's vCPUs as typed: `headroom capacity --tiers SIZE:PRICE:CPUS` and the page's tier field
 * read them with this one rule, a plain decimal number within the plan schema's host.cpus bounds
 * (plan-schema.ts hostCpusSchema). The message says what was expected; the caller names the field.
 */
export function tierCpusParse(text: string): { ok: true; value: number } | { ok: false; message: string } {
  const t = text.trim();
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(t) ? Number(t) : NaN;
  if (!hostCpusSchema.safeParse(n).success) return { ok: false, message: `expected vCPUs from ${CPUS_MIN} to ${CPUS_MAX}` };
  return { ok: true, value: n };
}

/** The app's pools are opened wide (SQLAlchemy accepts any max_overflow) to read the uncapped
 * demand; the schema's own upper bound. */
const OVERFLOW_OPEN = 10_000;

type Expanded = Plan & { implied: ReadonlySet<string> };

const isKind = <K extends Service['kind']>(kind: K) => (s: Service): s is ServiceOf<K> => s.kind === kind;
const withService = (plan: Plan, name: string, f: (s: Service) => Service): Plan => ({ ...plan, services: plan.services.map((s) => (s.name === name ? f(s) : s)) });

/** Features applied and toggle-implied services made the plan's own: a tier lists every container. */
function explicit(plan: Plan): Plan {
  const { implied: _implied, ...rest } = planWithFeatures(plan);
  return rest;
}

const expand = (plan: Plan): Expanded => planWithFeatures(plan);

/** 0. The app's workers for a host of `cpus` vCPUs (unchanged without: the plan's own host). */
function withAppWorkers(plan: Plan, cpus: number | undefined): Plan {
  if (cpus === undefined) return plan;
  return { ...plan, services: plan.services.map((s) => (s.kind === 'fastapi' ? { ...s, settings: { ...s.settings, workers: workersPerCore(s.settings.workers, cpus, s.settings.replicas) } } : s)) };
}

/**
 * The other vCPU counts step 0 may size the app's workers for on a host of `cpus` (fewer workers,
 * down to the plan's own: undefined), one per distinct set of worker counts, most workers first.
 */
function fewerWorkerCores(plan: Plan, cpus: number): Array<number | undefined> {
  const workersOf = (wc: number | undefined) => withAppWorkers(plan, wc).services.map((s) => (s.kind === 'fastapi' ? s.settings.workers : 0)).join(',');
  const seen = new Set([workersOf(cpus)]);
  const out: Array<number | undefined> = [];
  for (const wc of [...Array.from({ length: Math.max(0, Math.ceil(cpus) - 1) }, (_, i) => Math.ceil(cpus) - 1 - i), undefined]) {
    const key = workersOf(wc);
    if (!seen.has(key)) out.push(wc);
    seen.add(key);
  }
  return out;
}

/** The app services whose workers a tier re-tuned: from the plan's count to the tier's. */
export type WorkersRetuned = { service: string; from: number; to: number };

/** What step 0 changed between `plan` and its re-tuned `tuned`. */
export function workersRetuned(plan: Plan, tuned: Plan): WorkersRetuned[] {
  return plan.services.flatMap((s) => {
    if (s.kind !== 'fastapi') return [];
    const t = tuned.services.find((x) => x.name === s.name);
    return t && t.kind === 'fastapi' && t.settings.workers !== s.settings.workers ? [{ service: s.name, from: s.settings.workers, to: t.settings.workers }] : [];
  });
}

/** 1. App pools wide enough for the high concurrency of transactions at these users. */
function withAppPools(plan: Plan): Plan {
  const apps = plan.services.filter(isKind('fastapi'));
  if (apps.length === 0) return plan;
  const open: Plan = { ...plan, services: plan.services.map((s) => (s.kind === 'fastapi' ? { ...s, settings: { ...s.settings, maxOverflow: OVERFLOW_OPEN } } : s)) };
  const demand = trafficOf(open, 1).activeQueries.high;
  const procs = apps.reduce((t, s) => t + s.settings.replicas * s.settings.workers, 0);
  const perProcess = Math.ceil(demand / procs);
  return { ...plan, services: plan.services.map((s) => (s.kind === 'fastapi' ? { ...s, settings: { ...s.settings, maxOverflow: Math.max(s.settings.maxOverflow, perProcess - s.settings.poolSize) } } : s)) };
}

/** 2. pgBouncer as its tuner recommends for this workload. */
const withPgbouncer = pgbouncersTuned;

/** 3. max_connections from the Postgres tuner, and under the 90% criterion at the high end. */
function withPgConnections(plan: Plan): Plan {
  let out = plan;
  for (const pg of plan.services.filter(isKind('postgres'))) {
    let max = postgresMaxConnections(out, pg);
    // Raising max_connections lifts the cap on backends (max − superuser-reserved): recheck, a
    // few rounds at most (assumed enough: each round only lifts the cap by the slots it adds).
    for (let i = 0; i < 4; i++) {
      out = withService(out, pg.name, (s) => ({ ...s, settings: { ...(s as typeof pg).settings, maxConnections: max } }) as Service);
      const peak = trafficOf(out, 1).backends.high;
      if (!connectionsNearMax(peak, max)) break;
      max = maxConnectionsAdvised(peak); // the connections-near-max finding's own fix
    }
  }
  return out;
}

/**
 * 4a. Redis maxmemory: the data the model expects at the high end (traffic.ts's semantic cache at
 * the high miss rate, split over the Redis services, plus appData). An evicting cache keeps the
 * plan's maxmemory when that is smaller: a smaller cache only lowers the hit rate, which the plan
 * states as an input. Without eviction, twice the data: the model's own bound for data nothing
 * evicts (kinds/redis.ts), since writes fail at maxmemory.
 */
function withRedisData(plan: Plan): Plan {
  const redis = plan.services.filter(isKind('redis'));
  if (redis.length === 0) return plan;
  const cache = trafficOf(plan, 1).cacheMiB.high / redis.length;
  let out = plan;
  for (const r of redis) {
    const data = r.settings.appData + cache;
    const evicts = r.settings.policy !== 'noeviction';
    const wanted = evicts ? Math.min(data, r.settings.maxmemory > 0 ? r.settings.maxmemory : Infinity) : 2 * data;
    out = withService(out, r.name, (s) => ({ ...s, settings: { ...(s as typeof r).settings, maxmemory: Math.max(REDIS_MAXMEMORY_MIN, roundUpSize(wanted)) } }) as Service);
  }
  return out;
}

/** 4b, 5. A service's limit: one container's high usage (the limit is per container: plan-schema.ts
 * limitOfAll; `high` is all its replicas'), tidy, and what its own settings need (its kind's
 * tuning.minLimit: for Redis, room for maxmemory's fragmentation and fork). */
function limitFor(s: Service, high: number): number {
  return Math.max(DOCKER_MIN_LIMIT_MIB, roundUpSize(high / replicasOf(s)), tuningOf(s)?.minLimit?.(s as never) ?? 0);
}

/** One host of a layout: its RAM and the services on it (all of them when absent). */
type HostSpec = { name: string; ramMiB: number; services?: readonly string[] };

/**
 * Steps 0–5 and every PostgreSQL at the smallest limit it fits: what the stack needs at `users`
 * on a host of `cpus` vCPUs (absent: the plan's own workers). A host carries `users` exactly when
 * this plan passes the checks on it (the spare memory step 6 adds can only go where it fits).
 */
export function minimalPlan(plan: Plan, users: number, cpus?: number): Plan {
  let p: Plan = explicit({ ...plan, workload: { ...plan.workload, activeUsers: users } });
  p = withRedisData(withPgConnections(withPgbouncer(withAppPools(withAppWorkers(p, cpus)))));
  return limitsAt(p, users);
}

/**
 * Step 5 alone: every limit re-derived from the plan's own settings at `users` (each PostgreSQL at
 * the smallest limit it fits). For a caller that changes settings after minimalPlan (fit keeps the
 * plan's own connection settings) and needs limits that hold them.
 */
export function limitsAt(p: Plan, users: number): Plan {
  const sc = scenarioAt(expand(p), users, 1);
  const highOf = (name: string) => sc.services.find((s) => s.name === name)!.usageMiB.high;
  const sizedByHost = sizedByTheHost(p, users, sc);
  return {
    ...p,
    services: p.services.map((s) => {
      if (s.kind === 'postgres') return postgresForLimit(p, s, postgresMinLimit(s, sc.traffic), sc.traffic).service;
      if (sizedByHost.has(s.name)) return pinned(p, s);
      return { ...s, limit: limitFor(s, highOf(s.name)) } as Service;
    }),
  };
}

/**
 * The services without a limit whose server sizes its memory from the RAM it sees (RabbitMQ's
 * relative watermark, a JVM's MaxRAMPercentage, MongoDB's and ClickHouse's caches, Dragonfly,
 * MinIO's request pool): their high usage follows the host. Asked of the model, not listed: the
 * same plan on twice the RAM, and the tunable services whose high usage moved with it.
 */
function sizedByTheHost(p: Plan, users: number, sc: ReturnType<typeof scenarioAt>): Set<string> {
  const candidates = p.services.filter((s) => s.limit === null && s.kind !== 'postgres' && tuningOf(s)?.minLimit);
  if (candidates.length === 0) return new Set();
  const twice = scenarioAt(expand({ ...p, host: { ...p.host, ram: p.host.ram * 2 } }), users, 1);
  const high = (r: typeof sc, name: string) => r.services.find((x) => x.name === name)!.usageMiB.high;
  return new Set(candidates.filter((s) => high(twice, s.name) > high(sc, s.name)).map((s) => s.name));
}

/**
 * A service sized by the host, given a limit: the smallest tidy limit its kind's smallest
 * worthwhile setting needs (its tuning's minLimit), and that setting pinned to what the limit
 * holds (the tuning's recommendation). A limit taken from its usage on this host would be
 * re-read by the server as the RAM it sizes from (RabbitMQ's watermark of a 2.94 GiB limit is
 * 1.76 GiB, twice that past it with the collector): over the limit on every host, and a fit
 * that asked for twice the host it started from, whatever that was.
 */
function pinned(p: Plan, s: Service): Service {
  const tuning = tuningOf(s)!;
  const limited = { ...s, limit: Math.max(DOCKER_MIN_LIMIT_MIB, roundUpSize(tuning.minLimit!(s as never))) } as Service;
  return tuning.apply(limited as never, tuning.tune(p, limited as never, tuneContext(p)) as never) as Service;
}

/**
 * 6. The spare memory of each host to its first PostgreSQL, settings re-derived for the new limit;
 * `workMemFloor` (by service name: the fit's plan's own work_mem) is kept where the limit allows
 * (postgresForLimit).
 */
function withSpare(minimal: Plan, hosts: readonly HostSpec[], workMemFloor?: ReadonlyMap<string, number>): Plan {
  let p = minimal;
  const traffic = trafficOf(p, 1);
  for (const h of hosts) {
    const services = p.services.filter((s) => !h.services || h.services.includes(s.name));
    const pg = services.find(isKind('postgres'));
    if (!pg || pg.limit === null) continue;
    // A one-shot container has exited by then: not in the steady state (budget.ts).
    const steady = services.filter((s) => s.oneShot !== true);
    const used = steady.reduce((t, s) => t + (serviceLimitOfAll(s) ?? 0), 0);
    const spare = h.ramMiB - freeCriterion(h.ramMiB) - hostReserve(p, containersOf(steady)).high - used;
    const limit = roundDownSize(pg.limit + spare);
    // The cache turns spare memory into fewer disk reads; the settings follow the limit.
    if (spare > 0 && limit > pg.limit) p = withService(p, pg.name, () => postgresForLimit(p, pg, limit, traffic, workMemFloor?.get(pg.name)).service);
  }
  return p;
}

/**
 * A tier's (and so a fit's) plan with each service that a critical finding names re-tuned at its
 * limit by its kind's tuning, never below the plan's own values (tune.ts's rule): a limit a tier
 * gives a server can make a setting the server derives from it fail (mastodon's Node streaming server:
 * a 160 MiB limit, and V8's default heap for it, 304 MiB, past it; the fit said no host held the
 * stack; the upgrade path's tiers carried it so). PostgreSQL is sized with its limit already
 * (postgresForLimit).
 */
export function retuned(plan: Plan): Plan {
  const named = new Set(evaluate(plan).findings.filter((f) => f.severity === 'critical' && f.service !== null).map((f) => f.service!));
  if (named.size === 0) return plan;
  const ctx = tuneContext(plan);
  let changed = false;
  const services = plan.services.map((s): Service => {
    const tuning = tuningOf(s);
    if (!named.has(s.name) || !tuning || s.limit === null || s.kind === 'postgres') return s;
    const next = ctx.keep(s, tuning.apply(s as never, tuning.tune(plan, s as never, ctx) as never) as Service);
    if (JSON.stringify(next.settings) === JSON.stringify(s.settings)) return s;
    changed = true;
    return next;
  });
  return changed ? { ...plan, services } : plan;
}

/** The plan on a host of `ramMiB` with `cpus` vCPUs (absent: the default for that RAM, whatever the plan's own host had). */
const onHost = (plan: Plan, ramMiB: number, pricePerMonth: number | null, name?: string, cpus?: number): Plan => {
  const { pricePerMonth: _old, cpus: _cpus, ...host } = plan.host;
  const sized = { ...host, ram: ramMiB, ...(cpus === undefined ? {} : { cpus }) };
  return { ...plan, ...(name === undefined ? {} : { name }), host: pricePerMonth === null ? sized : { ...sized, pricePerMonth } };
};

/** The plan re-tuned for `users` active users on a host of `ramMiB` (steps 1–6; its price, when known; PostgreSQL's work_mem kept at `workMemFloor` where the limit allows; `cpus` its vCPUs, absent: the default for the RAM). */
export function tierPlan(plan: Plan, ramMiB: number, users: number, pricePerMonth: number | null = null, minimal = minimalPlan(plan, users), workMemFloor?: ReadonlyMap<string, number>, cpus?: number): Plan {
  const sized = onHost(minimal, ramMiB, pricePerMonth, `${plan.name ?? 'plan'}-${+(ramMiB / 1024).toFixed(2)}gib`, cpus);
  return retuned(withSpare(sized, [{ name: 'host', ramMiB }], workMemFloor));
}

/** Whether a plan on one host passes every capacity check at `users` (the host's: host-fit.ts's rule). */
function passes(plan: Plan, users: number): boolean {
  const e = expand(plan);
  return checksOf(e, scenarioAt(e, users, 1)).every((c) => !c.fails);
}

/** The checks that do not depend on where the services run: each service's limit, the connections. */
function loadChecksPass(plan: Plan, users: number): boolean {
  const e = expand(plan);
  return checksOf(e, scenarioAt(e, users, 1)).every((c) => c.fails === false || HOST_IDS.has(c.id));
}

/** The stack's own host is the first of `hosts` (as place.ts's placed plan says): the models that read the host's RAM read it. */
function onHosts(tuned: Plan, hosts: readonly NamedHost[]): Plan {
  const first = hosts[0]!;
  return { ...tuned, host: { ram: first.ram, reserve: first.reserve, swap: first.swap, ...(first.cpus === undefined ? {} : { cpus: first.cpus }) } };
}

/**
 * Whether the stack tuned for `users` (`tuned`, minimalPlan's) carries them on `hosts`: its load
 * checks pass and place.ts places it (each host by host-fit.ts's rule). The placed plan when it does.
 */
export function carriedOn(tuned: Plan, users: number, hosts: readonly NamedHost[]): Plan | null {
  const onFirst = onHosts(tuned, hosts);
  if (!loadChecksPass(onFirst, users)) return null;
  const p = place(onFirst, hosts);
  // Placed by memory; then each host's load (its CPU, its app's latency) must hold too.
  if (!p.fits || placedLoadChecks(p.plan).some((h) => h.checks.some((c) => c.fails))) return null;
  return p.plan;
}

/** The most users for which `fits` holds, by bisection on whole users (fits is monotone in users). */
function searchUsers(fits: (users: number) => boolean, cap: number): { users: number | null; status: CapacityStatus } {
  if (!fits(0)) return { users: 0, status: 'fails-at-zero' };
  if (fits(cap)) return { users: null, status: 'holds' };
  let lo = 0;
  let hi = cap;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return { users: lo, status: 'breaks' };
}

/** minimalPlan memoised by users and vCPUs: the tiers' searches share their probes. */
type Minimal = (users: number, cpus?: number) => Plan;
function minimalMemo(plan: Plan): Minimal {
  const memo = new Map<string, Plan>();
  return (u, cpus) => {
    const key = `${u}/${cpus ?? ''}`;
    let m = memo.get(key);
    if (!m) {
      m = minimalPlan(plan, u, cpus);
      memo.set(key, m);
    }
    return m;
  };
}

export type Tier = {
  ramMiB: number;
  /** vCPUs: the tier's own, else the published plans' for its RAM (cpu.ts). */
  cpus: number;
  pricePerMonth: number | null;
  /** The most active users the re-tuned stack carries on this host (0: not even idle; null: no limit found up to the cap). */
  users: number | null;
  status: CapacityStatus;
  /** Users whose ×spike peak this host carries when tuned for that peak: users / spike. */
  spikeUsers: number | null;
  /** Move up to the next tier at this many users (moveUpShare × users). */
  moveUpAt: number | null;
  /** USD per month per 1,000 users at capacity. */
  costPer1000Users: number | null;
  /** What breaks first on this host just past its capacity, and the next two. */
  binding: Constraint | null;
  next: Constraint[];
  /** True when the tier carries the plan's own workload.activeUsers. */
  carries: boolean;
  /** The stack tuned for this tier: for its capacity, or for the workload when nothing breaks. */
  plan: Plan;
  /** The app services whose workers this tier re-tuned to its vCPUs (step 0). */
  workers: WorkersRetuned[];
};

/** One host of a multi-host option: its services (placed by place.ts) and its part of the plan as a single-host plan. */
export type SplitHost = { name: string; ramMiB: number; pricePerMonth: number | null; services: string[]; plan: Plan };

/** Several hosts of one size, the stack placed on them by place.ts (the database on its own host when that fits). */
export type Split = {
  /** The users the placement and the tuning are for: the workload when the hosts carry it, else their capacity. */
  tunedFor: number;
  /** Each host with its services; empty when not even idle the stack is placed. */
  hosts: SplitHost[];
  /** The most users the hosts carry (the stack tuned for them, placed anew at each count); as for a tier. */
  users: number | null;
  status: CapacityStatus;
  carries: boolean;
  binding: Constraint | null;
  next: Constraint[];
  pricePerMonth: number | null;
  /** Whether place.ts put each database on a host of its own. */
  databaseAlone: boolean;
  /** The whole stack as one multi-host plan (`hosts:`, each service naming its host), tuned for `tunedFor`; null with no placement. */
  plan: Plan | null;
  note: string;
};

/**
 * A multi-host option (issue 14): two hosts of one tier, the stack placed on them by place.ts,
 * beside the one tier of their combined RAM — two 4 GiB hosts against one 8 GiB — with the
 * prices, the users each carries and what binds each.
 */
export type MultiHostOption = {
  hostRamMiB: number;
  hosts: number;
  pricePerMonth: number | null;
  users: number | null;
  status: CapacityStatus;
  carries: boolean;
  binding: Constraint | null;
  costPer1000Users: number | null;
  /** The tier of the same total RAM on one host. */
  against: { ramMiB: number; pricePerMonth: number | null; users: number | null; binding: Constraint | null; costPer1000Users: number | null };
  split: Split;
};

export type UpgradePath = {
  workload: { users: number; spike: number };
  moveUpShare: number;
  tiers: Tier[];
  /** Two hosts of a tier against the one tier of twice its RAM, where the tiers have both and the plan has a database to split off. */
  multiHost: MultiHostOption[];
  /** Index of the smallest tier that carries the workload under its move-up point (else the smallest that carries it); null when none does. */
  recommended: number | null;
  /** When no tier carries the workload: what breaks first on the largest (past its capacity,
   * and at the workload), where its memory goes, and the split. */
  beyond: null | {
    ramMiB: number;
    users: number | null;
    binding: Constraint | null;
    next: Constraint[];
    /** The checks the largest host fails with the stack tuned for the workload. */
    atWorkload: Constraint[];
    /** The largest limits of the stack tuned for the workload, largest first: all its containers' (`limitMiB`), each one's and how many. */
    heaviest: Array<{ service: string; limitMiB: number; perContainerMiB: number; replicas: number }>;
    split: Split | null;
  };
};

export type UpgradeOptions = { tiers?: readonly TierSpec[]; moveUpShare?: number; cap?: number };

/** USD per month per 1,000 users at capacity; null without a price or a capacity. */
export const per1000 = (price: number | null, users: number | null): number | null => (price === null || !users ? null : (price / users) * 1000);

/** One tier: its capacity, the plan tuned for it, and what breaks first past it. */
export function tierOf(plan: Plan, spec: TierSpec, moveUpShare = MOVE_UP_SHARE, cap = CAPACITY_CAP, minimal: Minimal = minimalMemo(plan)): Tier {
  const cpus = tierCpus(spec);
  // Step 0 sizes the app's workers for `wc` vCPUs: a worker per core, unless fewer (down to the
  // plan's own) carry more users on this host: workers beyond what its memory holds carry fewer,
  // and a tier with more vCPUs must never carry fewer users than with less (issue 15). Another
  // count costs one probe unless it carries one user more than the best so far.
  const onTierWith = (wc: number | undefined) => (u: number) => onHost(minimal(u, wc), spec.ramMiB, spec.pricePerMonth, undefined, cpus);
  let wc: number | undefined = cpus;
  let onTier = onTierWith(wc);
  let found = searchUsers((u) => passes(onTier(u), u), cap);
  for (const fewer of fewerWorkerCores(plan, cpus)) {
    if (found.status === 'holds') break;
    const on = onTierWith(fewer);
    const more = found.status === 'breaks' ? found.users! + 1 : 0;
    if (!passes(on(more), more)) continue;
    [wc, onTier] = [fewer, on];
    found = searchUsers((u) => passes(on(u), u), cap);
  }
  const workload = plan.workload.activeUsers;
  const tunedFor = found.users ?? workload;
  // Past capacity: the stack tuned for one user more does not fit this host; its failing checks say why.
  const past = found.status === 'holds' ? [] : constraintsFailingAt(onTier(found.status === 'breaks' ? found.users! + 1 : 0), found.status === 'breaks' ? found.users! + 1 : 0);
  const tuned = tierPlan(plan, spec.ramMiB, tunedFor, spec.pricePerMonth, minimal(tunedFor, wc), undefined, cpus);
  return {
    ramMiB: spec.ramMiB,
    cpus: tierCpus(spec),
    pricePerMonth: spec.pricePerMonth,
    users: found.users,
    status: found.status,
    spikeUsers: found.users === null ? null : Math.floor(found.users / plan.workload.spike),
    moveUpAt: found.users === null ? null : Math.floor(found.users * moveUpShare),
    costPer1000Users: per1000(spec.pricePerMonth, found.users),
    binding: past[0] ?? null,
    next: past.slice(1, 3),
    carries: found.users === null || found.users >= workload,
    plan: tuned,
    workers: workersRetuned(plan, tuned),
  };
}

/** Hosts in a multi-host option and in the split past the largest tier. Assumed: two, the "two 4 GiB hosts against one 8 GiB". */
const SPLIT_HOSTS = 2;

/** The hosts of a multi-host option: `count` hosts of `spec`'s size with the plan's reserve and swap. */
export function hostsOf(plan: Plan, spec: TierSpec, count: number): NamedHost[] {
  const gib = +(spec.ramMiB / 1024).toFixed(2);
  return Array.from({ length: count }, (_, i): NamedHost => ({
    name: `${gib}gib-${i + 1}`,
    ram: spec.ramMiB,
    reserve: plan.host.reserve,
    swap: plan.host.swap,
    labels: [],
    ...(spec.pricePerMonth === null ? {} : { pricePerMonth: spec.pricePerMonth }),
    cpus: tierCpus(spec),
  }));
}

/** The services of `tuned` on the hosts `placed` gives them (a placement found at other users, for "why not one more"). */
function withPlacement(tuned: Plan, placed: Plan): Plan {
  const on = new Map(placed.services.map((s) => [s.name, s.host]));
  return { ...tuned, hosts: placed.hosts, services: tuned.services.map((s) => (on.get(s.name) ? { ...s, host: on.get(s.name) } : s) as Service) };
}

/**
 * `count` hosts of `spec`'s size (two by default): the most users the stack, re-tuned for them and
 * placed by place.ts, carries there; the placement tuned for the workload (or for that capacity),
 * the spare memory of each host to its PostgreSQL; and what breaks first past it.
 */
export function splitPlan(plan: Plan, spec: TierSpec, cap = CAPACITY_CAP, minimal: Minimal = minimalMemo(plan), count = SPLIT_HOSTS): Split | null {
  if (!explicit(plan).services.some(isKind('postgres'))) return null;
  const hosts = hostsOf(plan, spec, count);
  const cpus = tierCpus(spec);
  const found = searchUsers((u) => carriedOn(minimal(u, cpus), u, hosts) !== null, cap);
  const workload = plan.workload.activeUsers;
  const carries = found.users === null || found.users >= workload;
  const tunedFor = carries ? workload : found.users ?? workload;
  const tunedOn = (u: number) => onHosts(minimal(u, cpus), hosts);
  const placedAt = found.status === 'fails-at-zero' ? null : place(tunedOn(tunedFor), hosts);
  const placed = placedAt?.fits ? placedAt : null;
  // Past capacity: the stack tuned for one user more, on the placement that carried the last count.
  const at = found.status === 'breaks' ? found.users! + 1 : found.status === 'fails-at-zero' ? 0 : null;
  let past: Constraint[] = [];
  if (at !== null) {
    const tunedAt = tunedOn(at);
    const now = place(tunedAt, hosts);
    const last = at > 0 ? place(tunedOn(at - 1), hosts) : null;
    // Placed: its load checks fail. Not placed: the placement of the last count carried, or with
    // none (not even idle) everything on the first host, shows which host runs out and by how much.
    const layout = now.fits ? now.plan : withPlacement(tunedAt, last?.fits ? last.plan : { ...tunedAt, hosts, services: tunedAt.services.map((s) => ({ ...s, host: [hosts[0]!.name] }) as Service) });
    past = constraintsFailingAt(tunedAt, at, 1, layout);
  }
  const tuned = placed ? withSpare(placed.plan, hostPartsOf(placed.plan).map((h) => ({ name: h.name, ramMiB: h.host.ram, services: h.plan.services.map((s) => s.name) }))) : null;
  const parts = tuned ? hostPartsOf(tuned) : [];
  const splitHosts: SplitHost[] = parts.map((h) => ({
    name: h.name,
    ramMiB: h.host.ram,
    pricePerMonth: spec.pricePerMonth,
    services: h.plan.services.map((s) => s.name),
    plan: { ...h.plan, name: `${plan.name ?? 'plan'}-${h.name}`, hosts: undefined, services: h.plan.services.map(({ host: _h, ...s }) => s as Service) },
  }));
  return {
    tunedFor,
    hosts: splitHosts,
    users: found.users,
    status: found.status,
    carries,
    binding: past[0] ?? null,
    next: past.slice(1, 3),
    pricePerMonth: spec.pricePerMonth === null ? null : spec.pricePerMonth * count,
    databaseAlone: placed?.databaseAlone ?? false,
    plan: tuned ? { ...tuned, name: `${plan.name ?? 'plan'}-${count}x${+(spec.ramMiB / 1024).toFixed(2)}gib` } : null,
    note: 'Placed by the same rule as one host (each host keeps the free-memory criterion and its limits within its RAM), with the whole stack\'s traffic on every host; each host plan lists its own services.',
  };
}

/** A plan's host (or, multi-host, each host) at `price` per month: what onHost and hostsOf write. */
function planAtPrice(plan: Plan, price: number | null): Plan {
  const at = <H extends { pricePerMonth?: number }>(h: H): H => {
    const { pricePerMonth: _old, ...rest } = h;
    return (price === null ? rest : { ...rest, pricePerMonth: price }) as H;
  };
  return plan.hosts ? { ...plan, hosts: plan.hosts.map(at) } : { ...plan, host: at(plan.host) };
}

/** A split on `count` hosts of `price` each, as splitPlan prices it. */
function splitAtPrice(split: Split, price: number | null, count: number): Split {
  return {
    ...split,
    pricePerMonth: price === null ? null : price * count,
    hosts: split.hosts.map((h) => ({ ...h, pricePerMonth: price, plan: planAtPrice(h.plan, price) })),
    plan: split.plan && planAtPrice(split.plan, price),
  };
}

/**
 * The upgrade path with each tier's price set to `prices` (by tier, in path.tiers' order; null:
 * unknown): every figure that follows from a price — each tier's price, cost per 1,000 users and
 * re-tuned plan, and the multi-host options' (the hosts' tier's price × the hosts, the single host
 * against them at its own tier's price, the split's plans) — none of which changes what any host
 * carries. The one place prices are applied: upgradePath itself (with the specs' prices) and the
 * page's price fields (tier cards and multi-host rows alike).
 */
export function pricedPath(path: UpgradePath, prices: ReadonlyArray<number | null>): UpgradePath {
  const tiers = path.tiers.map((t, i) => {
    const price = i < prices.length ? prices[i]! : t.pricePerMonth;
    return { ...t, pricePerMonth: price, costPer1000Users: per1000(price, t.users), plan: planAtPrice(t.plan, price) };
  });
  // The multi-host options are hosts of the tiers' sizes: each at its tier's price.
  const priceOf = (ramMiB: number): number | null => tiers.find((t) => t.ramMiB === ramMiB)?.pricePerMonth ?? null;
  const multiHost = path.multiHost.map((m) => {
    const split = splitAtPrice(m.split, priceOf(m.hostRamMiB), m.hosts);
    const against = priceOf(m.against.ramMiB);
    return {
      ...m,
      pricePerMonth: split.pricePerMonth,
      costPer1000Users: per1000(split.pricePerMonth, m.users),
      against: { ...m.against, pricePerMonth: against, costPer1000Users: per1000(against, m.against.users) },
      split,
    };
  });
  const beyond = path.beyond && { ...path.beyond, split: path.beyond.split && splitAtPrice(path.beyond.split, priceOf(path.beyond.ramMiB), SPLIT_HOSTS) };
  return { ...path, tiers, multiHost, beyond };
}

/** upgradePath(plan): every tier re-tuned and measured, the tier to be on, and the way beyond. */
export function upgradePath(plan: Plan, opts: UpgradeOptions = {}): UpgradePath {
  const specs = [...(opts.tiers ?? DEFAULT_TIERS)].sort((a, b) => a.ramMiB - b.ramMiB);
  const share = opts.moveUpShare ?? MOVE_UP_SHARE;
  const cap = opts.cap ?? CAPACITY_CAP;
  const minimal = minimalMemo(plan);
  const tiers = specs.map((s) => tierOf(plan, s, share, cap, minimal));
  const users = plan.workload.activeUsers;
  const comfortable = tiers.findIndex((t) => t.moveUpAt === null || t.moveUpAt >= users);
  const carrying = tiers.findIndex((t) => t.carries);
  const recommended = comfortable >= 0 ? comfortable : carrying >= 0 ? carrying : null;
  let beyond: UpgradePath['beyond'] = null;
  const largest = tiers[tiers.length - 1];
  if (recommended === null && largest) {
    const spec = specs[specs.length - 1]!;
    // What breaks first: the largest tier's own first break, and what fails at the workload.
    const atWorkload = onHost(minimal(users, tierCpus(spec)), spec.ramMiB, spec.pricePerMonth, undefined, tierCpus(spec));
    const heaviest = atWorkload.services
      .filter((s) => s.limit !== null)
      .map((s) => ({ service: s.name, limitMiB: serviceLimitOfAll(s)!, perContainerMiB: s.limit!, replicas: replicasOf(s) })) // all its containers': the memory it takes
      .sort((a, b) => b.limitMiB - a.limitMiB)
      .slice(0, 3);
    beyond = {
      ramMiB: spec.ramMiB,
      users: largest.users,
      binding: largest.binding,
      next: largest.next,
      atWorkload: constraintsFailingAt(atWorkload, users),
      heaviest,
      split: splitPlan(plan, spec, cap, minimal),
    };
  }
  const multiHost: MultiHostOption[] = [];
  specs.forEach((spec) => {
    const against = tiers.find((t) => t.ramMiB === spec.ramMiB * 2);
    if (!against) return;
    const split = splitPlan(plan, spec, cap, minimal);
    if (!split) return;
    multiHost.push({
      hostRamMiB: spec.ramMiB,
      hosts: SPLIT_HOSTS,
      pricePerMonth: split.pricePerMonth,
      users: split.users,
      status: split.status,
      carries: split.carries,
      binding: split.binding,
      costPer1000Users: per1000(split.pricePerMonth, split.users),
      against: { ramMiB: against.ramMiB, pricePerMonth: against.pricePerMonth, users: against.users, binding: against.binding, costPer1000Users: against.costPer1000Users },
      split,
    });
  });
  return { workload: { users, spike: plan.workload.spike }, moveUpShare: share, tiers, recommended, beyond, multiHost };
}
