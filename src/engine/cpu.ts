/**
 * CPU (issue 15): a host's vCPUs and what each service asks of them, in cores, at a scenario's
 * traffic (traffic.ts). Memory is budgeted per container; CPU is shared by the host's services,
 * so these demands sum per host (host-fit.ts hostLoadChecks) and the app's share of what is left
 * sets how many of its workers run at once (latency.ts).
 *
 * Modelled kinds: the app (fastapi: CPU per request), PostgreSQL (per query), Redis (per
 * operation), pgBouncer (per transaction), Prometheus (per sample scraped). Every other kind's CPU
 * is not modelled: its `cpu` is null and it counts nothing on the host (said so in the report).
 * The app's, PostgreSQL's, Redis's and pgBouncer's constants are measured on the stack test's
 * latency sweep (calibration/latency.json: the per-request CPU of each container at the last rate
 * under the 500 ms crossing, where it matters for capacity; at lower rates each request also
 * carries some of the idle CPU, up to 40% more at the plan's normal load); the rest are assumed.
 *
 * Pure: plain data in, plain data out.
 */
import type { Plan, Service } from './schema.ts';
import type { Traffic } from './report.ts';
import { replicasOf } from './plan-schema.ts';

/**
 * vCPUs a host without `cpus` is taken to have: 1 per 2 GiB of RAM, at least 1. Published VPS
 * plans pair them so: Hetzner Cloud CX22 2 vCPU / 4 GB, CX32 4 / 8 GB, CX42 8 / 16 GB
 * (hetzner.com/cloud, shared vCPU); DigitalOcean Basic droplets 2 vCPU / 4 GiB, 4 / 8 GiB,
 * 8 / 16 GiB (digitalocean.com/pricing/droplets); 1 GiB and 2 GiB droplets have 1 vCPU.
 */
export const GIB_PER_VCPU = 2;

/** A host's vCPUs: its own `cpus`, else the published plans' ratio. */
export function hostCpus(host: { ram: number; cpus?: number | undefined }): number {
  return host.cpus ?? defaultCpus(host.ram);
}

/** The published plans' vCPUs for `ramMiB` of RAM (GIB_PER_VCPU), at least 1. */
export function defaultCpus(ramMiB: number): number {
  return Math.max(1, Math.floor(ramMiB / 1024 / GIB_PER_VCPU));
}

/**
 * The busy minute against the mean: CPU's "high". Assumed: 1.5× (a daily peak hour over the mean
 * hour is 1.5–2× for consumer web traffic; the spike scenario covers the rest).
 */
export const CPU_HIGH = 1.5;

/** A semantic-cache hit costs this share of a miss's CPU in the app. Assumed: the request is still
 * parsed, its key computed and the cached JSON returned; the ORM and the response building are skipped. */
export const HIT_CPU_SHARE = 0.4;

/**
 * PostgreSQL CPU per query reaching it, ms. Measured here (calibration/latency.json): 1.39 ms a
 * transaction (an indexed SELECT of 5 rows and the connection held, through pgBouncer) at 117 a
 * second, the stack test's last rate under the 500 ms crossing, its background work included: 1.4.
 * (pgbench's TPC-B-like transaction: 0.5–1 ms on cloud vCPUs, postgresql.org/docs/current/pgbench.html.)
 */
export const PG_CPU_PER_QUERY_MS = 1.4;

/** Redis CPU per command, ms. Measured here (calibration/latency.json): 0.19 ms a command (GET per
 * request, SETEX per miss, one client connection per app worker, no pipelining, its serverCron
 * included) at 351 a second: 0.2. redis.io's benchmarks (~100,000 GET/SET a second a core, 0.01 ms,
 * redis.io/docs/latest/operate/oss_and_stack/management/optimization/benchmarks) pipeline and use 50 clients. */
export const REDIS_CPU_PER_OP_MS = 0.2;

/** pgBouncer CPU per transaction it forwards, ms. Measured here (calibration/latency.json): 0.41 ms
 * a transaction of four statements (BEGIN, the query, the hold, COMMIT) at 117 a second in
 * transaction mode: 0.4. */
export const PGBOUNCER_CPU_PER_TXN_MS = 0.4;

/** Prometheus CPU per sample ingested, ms. Assumed: about 100,000 samples a second per core
 * (scrape, parse, append to the head, compaction; Prometheus docs' storage page sizes by ingested
 * samples per second), plus its rule evaluation and queries: 0.01 ms. */
export const PROMETHEUS_CPU_PER_SAMPLE_MS = 0.01;

/** Cores a service asks at a scenario's mean (`typical`) and busiest minute (`high`). */
export type CpuDemand = { typical: number; high: number };

/** The semantic cache's hit rate in this traffic (1 − what reaches the database). */
export function hitRateOf(traffic: Traffic): number {
  return traffic.requestsPerSecond > 0 ? Math.max(0, Math.min(1, 1 - traffic.dbQueriesPerSecond / traffic.requestsPerSecond)) : 0;
}

/** The app's mean CPU time per request, ms, after the semantic cache's hits. */
export function appCpuPerRequestMs(cpuPerRequestMs: number, hit: number): number {
  return cpuPerRequestMs * (1 - hit * (1 - HIT_CPU_SHARE));
}

/**
 * The share of the whole stack's traffic a service (as `plan` has it: on one host, a spread
 * service's replicas on that host) serves: split evenly over the services of its kind, and over
 * a service's replicas.
 */
export function trafficShare(s: Service, whole: Plan): number {
  const { kinds, replicas } = stackOf(whole);
  const all = replicas.get(stackKey(s)) ?? replicasOf(s);
  return (1 / Math.max(1, kinds.get(s.kind) ?? 0)) * (replicasOf(s) / Math.max(1, all));
}

/**
 * The whole stack's services by kind (how many) and by name (kind and replicas), read once per
 * plan object: trafficShare asks it for every service of every host at every probe of a search,
 * and scanning the services each time made a 200-service evaluation quadratic (50 ms, bench).
 */
const stacks = new WeakMap<Plan, { kinds: Map<string, number>; replicas: Map<string, number> }>();
const stackKey = (s: Service) => `${s.kind}\u0000${s.name}`;
function stackOf(whole: Plan) {
  let st = stacks.get(whole);
  if (!st) {
    const kinds = new Map<string, number>();
    // By kind and name, the first one as trafficShare's filter-then-find met it.
    const replicas = new Map<string, number>();
    for (const x of whole.services) {
      kinds.set(x.kind, (kinds.get(x.kind) ?? 0) + 1);
      const key = stackKey(x);
      if (!replicas.has(key)) replicas.set(key, replicasOf(x));
    }
    st = { kinds, replicas };
    stacks.set(whole, st);
  }
  return st;
}

/** Requests a second one app service (its replicas on this host) serves. */
export function appRequestsPerSecond(s: Service, traffic: Traffic, whole: Plan): number {
  return traffic.requestsPerSecond * trafficShare(s, whole);
}

/**
 * A service's CPU at `traffic` (the whole stack's, at the scenario's users), or null when its
 * kind's CPU is not modelled. `whole` is the plan the traffic is of (features applied).
 */
export function serviceCpu(s: Service, traffic: Traffic, whole: Plan): CpuDemand | null {
  const cores = (ms: number): CpuDemand => ({ typical: ms / 1000, high: (ms / 1000) * CPU_HIGH });
  const share = trafficShare(s, whole);
  switch (s.kind) {
    case 'fastapi':
      return cores(traffic.requestsPerSecond * share * appCpuPerRequestMs(s.settings.cpuPerRequestMs, hitRateOf(traffic)));
    case 'postgres':
      return cores(traffic.dbQueriesPerSecond * share * PG_CPU_PER_QUERY_MS);
    case 'pgbouncer':
      return cores(traffic.dbQueriesPerSecond * share * PGBOUNCER_CPU_PER_TXN_MS);
    case 'redis': {
      // The semantic cache: a GET per request, a SETEX per miss (the seed's setex); none without it.
      const ops = whole.features.semanticCache ? traffic.requestsPerSecond + traffic.dbQueriesPerSecond : 0;
      return cores(ops * share * REDIS_CPU_PER_OP_MS);
    }
    case 'prometheus': {
      // Its own scrapes: every series once per scrape_interval, whatever the users.
      return cores((s.settings.series / s.settings.scrapeInterval) * PROMETHEUS_CPU_PER_SAMPLE_MS);
    }
    default:
      return null;
  }
}

/**
 * The most cores a service (its replicas on this host) can use: each container's `cpus` (compose's
 * cpus / deploy.resources.limits.cpus, Docker's --cpus) is a CFS quota the kernel throttles it at
 * (docs.docker.com/engine/containers/resource_constraints/#cpu; kernel.org scheduler/sched-bwc),
 * so replicas × cpus; null without one.
 */
export function cpuCapOf(s: Service): number | null {
  return s.cpus === undefined ? null : s.cpus * replicasOf(s);
}

/** What a service takes of its host: its demand, each figure at most its cap (cpuCapOf). */
export function cpuTaken(d: CpuDemand, cap: number | null): CpuDemand {
  return cap === null ? d : { typical: Math.min(d.typical, cap), high: Math.min(d.high, cap) };
}

/** A host's CPU: hostCpuOf's answer. */
export type HostCpu = { services: Array<CpuDemand | null>; taken: Array<CpuDemand | null>; total: CpuDemand };

/**
 * The CPU of a host's services: each one's demand (null: not modelled), what each takes of the
 * host (its demand capped at its `cpus`: a throttled service waits, it takes no more) and the sum
 * of what they take, in cores.
 */
export function hostCpuOf(plan: Plan, traffic: Traffic, whole: Plan): HostCpu {
  const services = plan.services.map((s) => serviceCpu(s, traffic, whole));
  const taken = services.map((d, i) => (d ? cpuTaken(d, cpuCapOf(plan.services[i]!)) : null));
  const total = taken.reduce<CpuDemand>((t, d) => (d ? { typical: t.typical + d.typical, high: t.high + d.high } : t), { typical: 0, high: 0 });
  return { services, taken, total };
}
