/**
 * What the engine returns. The CLI's `--json` output is exactly a Report, so these names are a
 * public format: keep them stable.
 */
import type { ServiceKind } from './schema.ts';
import type { ObservedLimit } from './observed.ts';

/** Three points of a quantity: low, typical and high (MiB unless said). */
export type Range = { low: number; typical: number; high: number };

/** A named part of a service's memory; `MiB` is the typical figure. */
export type Component = { name: string; MiB: number; low: number; high: number; note?: string };

/** What a service kind's model returns. */
export type Usage = Range & { components: Component[] };

export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';
export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

/**
 * What a service's figures rest on: `modelled` (its kind's model, from its settings), `observed`
 * (evidence imported: docker stats today), `documented` (its kind's model of the figure the
 * project's docs or a user's published report give for its image: engine/catalogue.ts), or
 * `assumed` (none of these: Headroom's guess, such as a generic service without usage). A finding
 * carries the basis of the figures it rests on.
 */
export type Basis = 'modelled' | 'observed' | 'documented' | 'assumed';
export const BASES: readonly Basis[] = ['modelled', 'observed', 'documented', 'assumed'];

/** score is 0–100 (100 × the probability of the failure it scores). */
export type Risk = { level: RiskLevel; score: number; pOverLimit: number };

export type ServiceBudget = {
  name: string;
  kind: ServiceKind;
  /** Each container's limit (per container, as Docker's mem_limit); null when the plan sets none (then only the host bounds it). */
  limitMiB: number | null;
  /** Its containers (on this host, in a multi-host plan): their limits together are replicas × limitMiB (budgetLimitOfAll). */
  replicas: number;
  /** All its containers' usage (replicas × one container's). */
  usageMiB: Range;
  /** What the usage rests on: its kind's model, observed evidence, or Headroom's guess. */
  basis: Basis;
  /** Its containers' limits (replicas × limit) minus their typical usage; null without a limit (no limit, no headroom: its risk is the host's). */
  headroomMiB: number | null;
  /** P(one container's usage > its limit); without a limit, the host's risk (the host is what bounds it). */
  risk: Risk;
  components: Component[];
  /** Added by a feature toggle rather than listed in the plan. */
  implied: boolean;
  /**
   * Usage seen on the running host (evidence: observe, Prometheus, docker stats, cgroup files),
   * beside the model's; null when none was given. p50/p95/p99 over the window's working-set
   * samples (null when the evidence had only a peak); `typical` is p50, or the typical a person wrote.
   */
  observedMiB: {
    typical: number | null; p50: number | null; p95: number | null; p99: number | null; peak: number;
    samples: number | null; windowSeconds: number | null;
    /** A steady climb, MiB per hour (0: none seen). */
    growthPerHour: number;
    /** memory.peak / memory.max_usage_in_bytes (page cache included), when read. */
    kernelPeak: number | null;
    source: string | null;
  } | null;
  /** The limit planned from it: workload.observedPercentile × observedMargin (krr: max × 1.15),
   * never below the model's high; null without evidence. `observedLimit` says why. */
  observedLimitMiB: number | null;
  observedLimit: ObservedLimit | null;
  /** OOM kills the evidence recorded (at: ISO-8601, or null when only counted); empty without. */
  oomKills: Array<{ at: string | null; container: string }>;
  /** The host it runs on, in a multi-host plan (a spread service appears once per host, with that host's replicas, each with its limit: hosts.ts). */
  host?: string;
  /** Cores it asks of the host at the scenario's mean (typical) and busiest minute (high), engine/cpu.ts; null when its kind's CPU is not modelled. */
  cpu: { typical: number; high: number } | null;
  /** A one-shot container (plan oneShot): it runs once at startup, not counted in the host's steady-state sums. */
  oneShot?: true;
};

export type HostBudget = {
  ramMiB: number;
  swapMiB: number;
  /** Typical memory outside every container (kernel, dockerd, containerd, shims, docker-proxy). */
  reserveMiB: number;
  reserveRangeMiB: Range;
  /** Sum of the services' limits (a service without a limit counts its high usage). */
  limitsMiB: number;
  /** Sum of the limits the plan sets (a service without one counts nothing): what the limits promise. */
  setLimitsMiB: number;
  /** Services plus reserve. */
  usageMiB: Range;
  /** RAM minus usage: `low` is the least free (at high usage), `high` the most. */
  freeMiB: Range;
  /** The seed's success criterion: free memory above max(500 MB, 12% of RAM). */
  freeCriterionMiB: number;
  risk: Risk;
  /** vCPUs: the plan's `cpus`, else 1 per 2 GiB of RAM (engine/cpu.ts). */
  cpus: number;
  /** Cores the services whose CPU is modelled take, summed (typical: the mean; high: the busiest minute); a service with `cpus` takes at most its cap (cpu.ts cpuCapOf). */
  cpu: { typical: number; high: number };
  /** At startup, while the one-shot containers run (budget.ts startupOf): their names, their highs together, and
   * the host's usage then (the steady services at typical, the reserve, the one-shots at high); null without one. */
  startup: { services: string[]; highMiB: number; usageMiB: number } | null;
};

/**
 * API latency (engine/latency.ts), ms, of the slowest app: p50/p95/p99 of a request's time
 * with its waits for a CPU and a database connection; null percentiles when a queue is saturated
 * (`saturated` says which: its wait grows without bound).
 */
export type Latency = {
  service: string;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  saturated: 'cpu' | 'pool' | null;
  /** The app's workers, and the cores the host leaves it (after its other services' CPU), at most one a worker. */
  workers: number;
  cores: number;
  /** Busy share of those cores, and of the database pool (null without one). */
  cpuUtilisation: number;
  poolUtilisation: number | null;
  /** Mean waits, ms (null when saturated). */
  cpuWaitMs: number | null;
  poolWaitMs: number | null;
  basis: 'modelled';
};

/** Derived traffic figures the models share (per scenario). */
export type Traffic = {
  activeUsers: number;
  requestsPerSecond: number;
  /** Queries that reach Postgres per second, after the semantic cache. */
  dbQueriesPerSecond: number;
  /** Connections the app can open: replicas × workers × (poolSize + maxOverflow). */
  appConnections: number;
  /** Concurrent database transactions (Little's law). */
  activeQueries: Range;
  /** Postgres client backends that exist. */
  backends: Range;
  /** Concurrent requests inside the app. */
  inFlightRequests: Range;
  /** Semantic-cache data in Redis, MiB. */
  cacheMiB: Range;
};

export type Scenario = {
  multiplier: number;
  host: HostBudget;
  services: ServiceBudget[];
  traffic: Traffic;
  /** The API's latency on this host; null without an app. */
  latency: Latency | null;
};

export type Severity = 'info' | 'warning' | 'critical';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** One setting change, in plan-file terms: `value` is what to write in the plan file. */
export type Change = {
  /** The service the setting belongs to; absent for host, workload and feature settings. */
  service?: string;
  /** `limit`, `settings.maxConnections`, `host.ram`, `features.pgbouncer`… */
  key: string;
  value: string | number | boolean;
};

export type Fix = {
  /** What to do, with the value, for people. */
  summary: string;
  /** The setting changes that carry it out; empty for advice no one setting covers. */
  changes: Change[];
};

export type Finding = {
  id: string;
  severity: Severity;
  /** The service concerned, or null for the host. */
  service: string | null;
  message: string;
  fix: Fix;
  /** What the finding rests on; a rule may leave it out and the engine fills it in (findings/index.ts). */
  basis?: Basis;
  /** The host it is about, in a multi-host plan. */
  host?: string;
};

/** A finding as the report carries it: always with its basis. */
export type ReportFinding = Finding & { basis: Basis };

/** One host of a multi-host plan: its budget (today's `host`) with its name and what runs on it. */
export type NamedHostBudget = HostBudget & { name: string; labels: string[]; pricePerMonth: number | null; services: string[]; spikeRisk: Risk };

export type Report = {
  name: string | null;
  /** The host; in a multi-host plan, the tightest of `hosts` (the least free memory at high usage). */
  host: HostBudget;
  /** Every host of a multi-host plan, each budgeted on its own; absent for a single-host plan. */
  hosts?: NamedHostBudget[];
  services: ServiceBudget[];
  traffic: Traffic;
  /** The API's latency at normal traffic (the slowest app, of every host); null without an app. */
  latency: Latency | null;
  features: { pgbouncer: boolean; semanticCache: boolean; alertmanager: boolean };
  spike: Scenario;
  /** Worked out when first read (a single-host report: evaluate.ts), then the same array. */
  readonly findings: ReportFinding[];
};

/**
 * The memory a service's containers may take together: `replicas` containers × its limit. A
 * service's `limit` (and reservation) is per container, as Docker means it (compose's mem_limit,
 * deploy.resources.limits.memory and Kubernetes' limits apply to each replica): the one rule every
 * sum of limits reads (budget.ts, place.ts, tiers.ts, the page and the CLI); null without a limit.
 */
export function limitOfAll(limit: number | null, replicas: number): number | null {
  return limit === null ? null : limit * replicas;
}

/** A service budget's limits over all its containers: replicas × its per-container limit (limitOfAll); null without one. */
export function budgetLimitOfAll(s: Pick<ServiceBudget, 'limitMiB' | 'replicas'>): number | null {
  return limitOfAll(s.limitMiB, s.replicas);
}
