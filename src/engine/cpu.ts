/**
 * CPU (issue 15): a host's vCPUs and what each service asks of them, in cores, at a scenario's
 * traffic (traffic.ts). Memory is budgeted per container; CPU is shared by the host's services,
 * so these demands sum per host (host-fit.ts hostLoadChecks) and the app's share of what is left
 * sets how many of its workers run at once (latency.ts).
 *
 * Modelled kinds: the app (fastapi: CPU per request), PostgreSQL (per query), Redis (per
 * operation), pgBouncer (per transaction), Prometheus (per sample scraped). Every other kind's CPU
 * is not modelled: its `cpu` is null and it counts nothing on the host (said so in the report).
 * Each constant is an assumption until calibrated on the stack test (calibration/, README).
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
 * PostgreSQL CPU per query reaching it, ms. Assumed: pgbench's TPC-B-like transaction runs at
 * about 1,000–2,000 tps per core on cloud vCPUs (0.5–1 ms each, postgresql.org/docs/current/pgbench.html
 * for the workload; published runs vary), an app's indexed queries about as much: 1 ms.
 */
export const PG_CPU_PER_QUERY_MS = 1;

/** Redis CPU per command, ms. redis.io's benchmarks page reports ~100,000+ simple GET/SET a
 * second on one core (redis.io/docs/latest/operate/oss_and_stack/management/optimization/benchmarks): 0.01 ms. */
export const REDIS_CPU_PER_OP_MS = 0.01;

/** pgBouncer CPU per transaction it forwards, ms. Assumed: its one process forwards some 20,000
 * short transactions a second per core in published comparisons (pgbouncer.org: single-threaded): 0.05 ms. */
export const PGBOUNCER_CPU_PER_TXN_MS = 0.05;

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
  const same = whole.services.filter((x) => x.kind === s.kind);
  const all = same.find((x) => x.name === s.name);
  const replicas = all ? replicasOf(all) : replicasOf(s);
  return (1 / Math.max(1, same.length)) * (replicasOf(s) / Math.max(1, replicas));
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

/**
 * The CPU of a host's services: each one's demand (null: not modelled), what each takes of the
 * host (its demand capped at its `cpus`: a throttled service waits, it takes no more) and the sum
 * of what they take, in cores.
 */
export function hostCpuOf(plan: Plan, traffic: Traffic, whole: Plan): { services: Array<CpuDemand | null>; taken: Array<CpuDemand | null>; total: CpuDemand } {
  const services = plan.services.map((s) => serviceCpu(s, traffic, whole));
  const taken = services.map((d, i) => (d ? cpuTaken(d, cpuCapOf(plan.services[i]!)) : null));
  const total = taken.reduce<CpuDemand>((t, d) => (d ? { typical: t.typical + d.typical, high: t.high + d.high } : t), { typical: 0, high: 0 });
  return { services, taken, total };
}
