/**
 * Policy: every line Headroom judges a plan by, and the check built on each. Findings, capacity,
 * tuning, the upgrade path, the page's success criteria, the CLI verdict, the alert rules and
 * the runbook all read them here, so a line drawn in one place is the line drawn everywhere.
 * Each number names its source.
 */
import type { HostBudget, Range, RiskLevel, Severity } from './report.ts';
import { indefiniteArticle, sizeFormat } from './units.ts';

// ---------------------------------------------------------------------------------------------
// Free memory on the host

/** The seed's success criterion: "System memory available > 500MB (12%)". MB is read as MiB, as
 * Docker reads `500m`/`500MB` and `free -m` prints (README, "Sizes"); 12% scales it to larger hosts. */
export const FREE_CRITERION = { mib: 500, share: 0.12 } as const;

/** The criterion in words, as every output says it: `500 MiB or 12% of RAM` (MiB, the plan file's MB). */
export const FREE_CRITERION_WORDS = `${sizeFormat(FREE_CRITERION.mib)} or ${FREE_CRITERION.share * 100}% of RAM`;

/** The criterion as a formula: `max(500 MiB, 12% of RAM)`. */
export const FREE_CRITERION_FORMULA = `max(${sizeFormat(FREE_CRITERION.mib)}, ${FREE_CRITERION.share * 100}% of RAM)`;

/** Free memory the seed asks to keep on a host of `ramMiB`: max(500 MiB, 12% of RAM). */
export function freeCriterion(ramMiB: number): number {
  return Math.max(FREE_CRITERION.mib, FREE_CRITERION.share * ramMiB);
}

/** True when `freeMiB` on a host of `ramMiB` is under the free-memory criterion: the one comparison. */
export function freeUnderCriterion(freeMiB: number, ramMiB: number): boolean {
  return freeMiB < freeCriterion(ramMiB);
}

/**
 * Fit's reading of the criterion (engine/fit.ts; issue 10's "free memory above the criterion"):
 * free memory at the stack's typical usage in normal traffic, as the seed's "System memory
 * available > 500MB" reads on a running host. Under it the stack does not fit. At the high end
 * and in the spike the criterion is a warning (findings/memory.ts free-below-criterion), not a
 * misfit: at the high end 4 of the corpus's 11 pairs in the band would move up a size (2×).
 */
export function typicalFreeUnderCriterion(h: Pick<HostBudget, 'freeMiB' | 'ramMiB'>): boolean {
  return freeUnderCriterion(h.freeMiB.typical, h.ramMiB);
}

// ---------------------------------------------------------------------------------------------
// The host's RAM

/** True when the limits the plan sets plus the reserve outside containers promise more than the
 * host's RAM. A service without a limit promises nothing: its memory is the host's risk (hostExceedsRam). */
export function limitsExceedRam(h: Pick<HostBudget, 'setLimitsMiB' | 'reserveMiB' | 'ramMiB'>): boolean {
  return ramLeftByLimitsMiB(h) < 0;
}

/** The high usage of the services without a limit: what they can take beyond the limits the plan
 * sets (HostBudget's `limitsMiB` counts it in, `setLimitsMiB` does not). The host line of the CLI,
 * the Markdown report and the page each say it beside the limits, never inside them. */
export function unlimitedHighMiB(h: Pick<HostBudget, 'limitsMiB' | 'setLimitsMiB'>): number {
  return h.limitsMiB - h.setLimitsMiB;
}

/** The RAM the set limits and the reserve leave (negative when they promise more than the RAM: limitsExceedRam). */
export function ramLeftByLimitsMiB(h: Pick<HostBudget, 'setLimitsMiB' | 'reserveMiB' | 'ramMiB'>): number {
  return h.ramMiB - h.setLimitsMiB - h.reserveMiB;
}

/** True when the host's high usage (services within their limits, plus the reserve) is over RAM + swap: a host-wide OOM. */
export function hostExceedsRam(h: Pick<HostBudget, 'usageMiB' | 'ramMiB' | 'swapMiB'>): boolean {
  return h.usageMiB.high > h.ramMiB + h.swapMiB;
}

// ---------------------------------------------------------------------------------------------
// A service's limit

/** True when a service's high usage is over its limit (an OOM kill inside its cgroup); never without a limit. */
export function exceedsLimit(highMiB: number, limitMiB: number | null): boolean {
  return limitMiB !== null && highMiB > limitMiB;
}

/** Docker's smallest memory limit: 6 MiB (docker docs, resource constraints). */
export const DOCKER_MIN_LIMIT_MIB = 6;

/** True when Docker refuses to start a container with this limit. */
export function belowDockerMinimum(limitMiB: number): boolean {
  return limitMiB < DOCKER_MIN_LIMIT_MIB;
}

/** krr and VPA add 15% to the observed peak when they set a limit (memory-model.md): the default
 * of workload.observedMargin, and the margin the no-limit finding adds to the model's high. */
export const KRR_MARGIN = 1.15;

/** A limit this many times what the model and the observation need is called generous. Assumed: 1.5. */
export const GENEROUS_LIMIT_SHARE = 1.5;

/** Rounds a size up to a tidy step: 8 MiB under 256, 16 under 1 GiB, 64 above. The step every
 * advised size (findings' fixes, tuned values, the upgrade path's limits) is written in. */
export function roundUpSize(mib: number): number {
  const step = tidyStep(mib);
  return Math.ceil(mib / step) * step;
}

/** Rounds a size down to the same tidy steps, never below one step. */
export function roundDownSize(mib: number): number {
  const step = tidyStep(mib);
  return Math.max(step, Math.floor(mib / step) * step);
}

/**
 * The smallest tidy size (roundUpSize's steps), from `from` on, for which `ok` holds — `from`
 * itself first, then tidy sizes above it: what a loop stepping roundUpSize(limit + 1) finds, by
 * doubling then bisection, so its cost is logarithmic in the answer (issue 17: the Redis sizing
 * loop stepped 64 MiB at a time to terabytes). `ok` must be monotone (true stays true above).
 * Past `max` (default: 2^40 MiB, beyond any size the schema accepts) it returns the first tidy
 * size at or above `max`, whether or not `ok` holds there.
 */
export function smallestTidy(from: number, ok: (mib: number) => boolean, max = 2 ** 40): number {
  if (ok(from)) return from;
  const tidy = (x: number) => roundUpSize(x);
  // Doubling: find an x whose tidy size holds (or pass max).
  let lo = from; // tidy(lo) fails or lo === from (which failed)
  let hi = Math.max(from + 1, 1);
  while (!ok(tidy(hi))) {
    if (hi >= max) return tidy(max);
    lo = hi;
    hi = Math.min(max, hi * 2);
  }
  // Bisection on whole MiB over x in (lo, hi]: tidy(x) is monotone, so ok(tidy(x)) is too.
  let a = Math.floor(lo);
  let b = Math.ceil(hi);
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (mid > from && ok(tidy(mid))) b = mid;
    else a = mid;
  }
  return tidy(b);
}

function tidyStep(mib: number): number {
  return mib < 256 ? 8 : mib < 1024 ? 16 : 64;
}

// ---------------------------------------------------------------------------------------------
// Risk levels

/** Thresholds between levels. Assumed: a 5% chance of an OOM kill is already "high" for production. */
export const RISK_P = { critical: 0.25, high: 0.05 } as const;
/** Headroom under 10% of the limit at typical usage is "medium" even when high usage fits. Assumed,
 * close to krr's 15% margin. */
export const THIN_MARGIN = 0.1;

/** The level of a usage range against the bound it must stay under, with p = P(usage > bound). */
export function riskLevel(usage: Range, bound: number, p: number): RiskLevel {
  if (usage.typical > bound || p >= RISK_P.critical) return 'critical';
  if (p >= RISK_P.high) return 'high';
  if (p > 0 || bound - usage.typical < THIN_MARGIN * bound) return 'medium';
  return 'low';
}

// ---------------------------------------------------------------------------------------------
// Severity: one rule for every finding

/**
 * What the failure a finding names costs (its criticality):
 * - `host`: the host runs out of memory, or its limits promise more than it has: the kernel's
 *   OOM killer may pick any service, the database included;
 * - `outage`: one service stops: its container is OOM-killed or refuses to start, or it refuses
 *   clients ("too many clients");
 * - `degraded`: something works worse or goes unseen: a success criterion crossed, isolation or
 *   alerting lost, a feature that fails (parallel queries), a cache that stops caching;
 * - `advice`: nothing fails; a better setting or a practice.
 */
export type Stakes = 'host' | 'outage' | 'degraded' | 'advice';

/** The chance a finding's failure happens: `p` in its scenario (1 when certain: a setting a server
 * refuses, a demand over a fixed capacity, a missing piece), and whether the typical (expected)
 * figure is already past the line, which counts as likely whatever p says. */
export type Likelihood = { p: number; typicalOver?: boolean };

const SEVERITY_STEP: readonly Severity[] = ['info', 'warning', 'critical'];

/**
 * A finding's severity, the same rule for every finding type (issue 11):
 * - `host` stakes: critical at any chance above 0;
 * - `outage`: critical when likely (p ≥ RISK_P.critical, 25%, or the typical figure already
 *   past the line: riskLevel's "critical"), warning when possible (p > 0);
 * - `degraded`: warning when possible;
 * - `advice`, or a chance of 0: info.
 * In the spike scenario (active users × workload.spike) the same rule gives one step less
 * (critical → warning, warning → info): the spike is a what-if the plan is sized against, and
 * `check` gates on normal traffic.
 */
export function severityOf(l: Likelihood, stakes: Stakes, scenario: 'normal' | 'spike' = 'normal'): Severity {
  const likely = l.typicalOver === true || l.p >= RISK_P.critical;
  const base: Severity = l.p <= 0 && !l.typicalOver ? 'info'
    : stakes === 'host' ? 'critical'
      : stakes === 'outage' ? (likely ? 'critical' : 'warning')
        : stakes === 'degraded' ? 'warning'
          : 'info';
  if (scenario === 'normal') return base;
  return SEVERITY_STEP[Math.max(0, SEVERITY_STEP.indexOf(base) - 1)]!;
}

/** "a 5% chance", "an 82% chance": chanceText with its article. */
export function chancePhrase(p: number): string {
  const text = chanceText(p);
  return `${indefiniteArticle(text)} ${text} chance`;
}

/** A chance as people read it: never "0%" for a chance above 0, nor "100%" below 1. */
export function chanceText(p: number): string {
  if (p <= 0) return '0%';
  if (p >= 1) return '100%';
  if (p < 0.01) return '<1%';
  if (p > 0.99) return '>99%';
  return `${Math.round(p * 100)}%`;
}

// ---------------------------------------------------------------------------------------------
// Database connections

/** The seed's success criterion: "Database connections < 45 (90% of max)". */
export const CONNECTIONS_SHARE = 0.9;

/** The line for `maxConnections`: client connections at or over it break the criterion. */
export function connectionsLine(maxConnections: number): number {
  return CONNECTIONS_SHARE * maxConnections;
}

/** True when `connections` client backends reach 90% of max_connections: the one comparison. */
export function connectionsNearMax(connections: number, maxConnections: number): boolean {
  return connections >= connectionsLine(maxConnections);
}

/** The max_connections the connections-near-max finding (and the upgrade path) advise for a peak. */
export function maxConnectionsAdvised(peak: number): number {
  return Math.ceil(peak / CONNECTIONS_SHARE) + 1;
}

/** The smallest max_connections, at least `atLeast`, that keeps `peak` client backends under the line. */
export function maxConnectionsFor(peak: number, atLeast = 1): number {
  let value = Math.max(atLeast, Math.floor(peak / CONNECTIONS_SHARE) + 1);
  while (connectionsNearMax(peak, value)) value++; // the comparison itself, in floating point
  return value;
}

/** HighDatabaseConnections fires above this many connections: the line, in whole connections. */
export function connectionsAlertAbove(maxConnections: number): number {
  return Math.floor(maxConnections * CONNECTIONS_SHARE);
}

// ---------------------------------------------------------------------------------------------
// Redis, alert rules, Go services

/** assumed: a Redis cache under 8MB is not worth running, and maxmemory 0 means "no limit" to
 * Redis; it is also the smallest tidy size (roundDownSize's 8 MiB step), so a smaller safe value
 * could not be advised. */
export const REDIS_MAXMEMORY_MIN = 8;

/** assumed: a container over 90% of its own limit is one allocation burst from the OOM killer. */
export const CONTAINER_ALERT_SHARE = 0.9;
/** The seed's success criterion: Redis at 90% of maxmemory. */
export const REDIS_MEMORY_ALERT_SHARE = 0.9;

/** Go's GOMEMLIMIT as a share of the container limit: assumed 90%, leaving room for non-heap
 * memory (Go runtime docs: a soft limit). */
export const GOMEMLIMIT_SHARE = 0.9;

// ---------------------------------------------------------------------------------------------
// The upgrade path

/** Issue 6: move up to the next tier at 70% of a tier's capacity (editable per call). */
export const MOVE_UP_SHARE = 0.7;

// ---------------------------------------------------------------------------------------------
// Data stores (MySQL, ClickHouse, RabbitMQ)

/** performance_schema under a limit this small is flagged: its ~250 MB fixed cost (apecloud/kubeblocks#3238
 * turns it off below 1 GB, as nextcloud-snap#1842 and dokku-mysql#32 do for small hosts). */
export const PERFORMANCE_SCHEMA_LIMIT_MIB = 1024;

/** ClickHouse under a limit this small is flagged: its docs (operations/tips) warn of memory
 * exceptions with the default settings below 16 GB of RAM; assumed: below 4 GiB a small host
 * needs its caches and server limit set by hand. */
export const CLICKHOUSE_SMALL_LIMIT_MIB = 4096;

/** A cache (ClickHouse's mark cache) larger than this share of the limit is sized for another
 * host. Assumed: a quarter, so queries and merges keep the rest. */
export const CACHE_LIMIT_SHARE = 0.25;

// ---------------------------------------------------------------------------------------------
// CPU and latency (issue 15)

/** The seed's success criterion: "API latency P95 < 500 ms". */
export const LATENCY_P95_CRITERION_MS = 500;

/** True when an API's p95 (ms; Infinity or null when a queue grows without bound) is over the criterion: the one comparison. */
export function latencyOverCriterion(p95Ms: number | null): boolean {
  return p95Ms === null || p95Ms > LATENCY_P95_CRITERION_MS;
}

/**
 * A host whose services ask more than this share of its vCPUs at the mean is saturated: 80%, the
 * usual alerting line for CPU; at 80% busy a single queue's mean wait is already 4 service times
 * (M/M/1: ρ/(1 − ρ)), and the busiest minute (cpu.ts CPU_HIGH, 1.5×) is past 100%. Measured here
 * (calibration/latency.json): the stack test's p95 crossed 500 ms with the stack using between
 * 0.72 and 0.83 of the one core it was given (the scheduler, the host's other work), so the app's
 * CPU queue (latency.ts) has this share of the host's vCPUs to serve from, not all of them.
 */
export const CPU_SATURATION_SHARE = 0.8;

/** The most cores a host of `cpus` vCPUs gives its services before it counts as saturated. */
export function cpuAllowed(cpus: number): number {
  return CPU_SATURATION_SHARE * cpus;
}

/** True when `cores` asked at the mean are over the saturation line of `cpus`: the one comparison. */
export function cpuSaturated(cores: number, cpus: number): boolean {
  return cores > cpuAllowed(cpus);
}

/** The fewest whole vCPUs that keep `cores` under the saturation line. */
export function cpusFor(cores: number): number {
  let cpus = Math.max(1, Math.ceil(cores / CPU_SATURATION_SHARE));
  while (cpuSaturated(cores, cpus)) cpus++; // the comparison itself, in floating point
  return cpus;
}

/** True when a service asks more `cores` than its `cpus` cap (replicas × cpus) gives it: the kernel throttles it (cpu.ts cpuCapOf). The one comparison. */
export function cpuOverLimit(cores: number, capCores: number): boolean {
  return cores > capCores;
}

/**
 * The `cpus` per container that covers `cores` over `replicas`: rounded up to a tenth of a CPU.
 * Assumed: tenths, the steps compose files write (`0.5`, `1.5`); at least 0.1.
 */
export function cpusLimitFor(cores: number, replicas: number): number {
  const per = Math.max(0.1, Math.ceil((cores / Math.max(1, replicas)) * 10 - 1e-9) / 10);
  return cpuOverLimit(cores, per * Math.max(1, replicas)) ? +(per + 0.1).toFixed(1) : +per.toFixed(1);
}

/**
 * Gunicorn's advice for its worker count: (2 × cores) + 1 (docs.gunicorn.org, design, "How Many
 * Workers?"). More workers than that spend memory on processes the cores cannot run.
 */
export function workersForCores(cpus: number): number {
  return 2 * Math.ceil(cpus) + 1;
}

/**
 * The app's workers for a host of `cpus` vCPUs, as the latency fix sets them: a worker per core
 * (a worker runs one request's Python at a time, the GIL: latency.ts), spread over the replicas,
 * never fewer than the plan's own `workers`. The one rule: the latency finding's fix and the
 * upgrade path's tiers (tiers.ts) both call it.
 */
export function workersPerCore(workers: number, cpus: number, replicas: number): number {
  return Math.max(workers, Math.ceil(cpus / Math.max(1, replicas)));
}
