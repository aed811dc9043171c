/**
 * API latency (issue 15; the seed's criterion "API latency P95 < 500 ms", policy.ts): a request's
 * time is its own service time, plus its wait for a CPU in the app, plus its wait for a database
 * connection.
 *
 * - The app's workers on their cores: an M/M/c queue (erlang.ts) of c = min(workers on the host,
 *   the cores its other services leave the app of the host's usable share, CPU_SATURATION_SHARE:
 *   measured here, rounded up) servers, each request needing the
 *   app's CPU time (fastapi `cpuPerRequestMs`, less on a semantic-cache hit: cpu.ts); servers
 *   share the free cores when there are fewer (1.5 free cores, 2 workers: each at 0.75). A worker
 *   runs one request's Python at a time (the GIL), so workers beyond the cores add no CPU.
 * - The database pool: an M/M/c queue of the app's connections (replicas × workers ×
 *   (pool_size + max_overflow); behind pgBouncer in transaction mode at most its server pool),
 *   the queries that reach PostgreSQL (after the cache) each holding one for workload.dbTimePerRequestMs.
 * - The request's own time: fixed, workload.requestTimeMs on a cache miss and HIT_TIME_MS on a
 *   hit. Measured here (calibration/latency.json): with the stack alone on its core, p95 at a
 *   quarter of the saturating rate was 1.1 × the requests' own time, where an exponential own time
 *   (M/M/c's service assumption, this model's first form) put it at 3×; the spread is in the waits.
 * p50/p95/p99 of the sum are read off its survival function (the own time plus a sum of
 * independent exponential waits, each with its chance of not waiting at all). Pure; calibrated
 * against the stack test's latency sweep (calibration/latency.json, src/engine/latency-calibration.test.ts).
 */
import type { Plan, Service, ServiceOf } from './schema.ts';
import type { Latency, Traffic } from './report.ts';
import { appConnections } from './traffic.ts';
import { appCpuPerRequestMs, appRequestsPerSecond, cpuCapOf, hitRateOf, hostCpuOf, type HostCpu } from './cpu.ts';
import { erlangC, meanWait, unstable, waitRate, type Queue } from './erlang.ts';
import { replicasOf } from './plan-schema.ts';
import { CPU_SATURATION_SHARE } from './policy.ts';

/** The cores of a host of `cpus` vCPUs its app can be served from, after `others` (its other services' CPU): the usable share (policy.ts, measured here) less theirs. */
export function appFreeCores(cpus: number, others: number): number {
  return cpus * CPU_SATURATION_SHARE - others;
}

/** The cores `app` is served from: the host's free usable cores, and no more than the usable share of its own `cpus` cap (cpu.ts cpuCapOf; a CFS quota throttles bursts as a busy core does). */
function appCores(app: ServiceOf<'fastapi'>, cpus: number, others: number): number {
  return Math.min(appFreeCores(cpus, others), (cpuCapOf(app) ?? Infinity) * CPU_SATURATION_SHARE);
}

/** A semantic-cache hit's own time, ms. Assumed: a Redis round trip and the cached JSON (the
 * seed's cache is a Redis GET before the query), 10 ms with the lookup's own work. */
export const HIT_TIME_MS = 10;

const PERCENTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

/** The app's database pool as a queue, or null without a database or without queries. */
export function poolQueue(whole: Plan, traffic: Traffic): Queue | null {
  if (!whole.services.some((s) => s.kind === 'postgres')) return null;
  let c = appConnections(whole);
  const bouncer = whole.services.find((s): s is ServiceOf<'pgbouncer'> => s.kind === 'pgbouncer');
  if (bouncer && bouncer.settings.poolMode !== 'session') c = Math.min(c, bouncer.settings.pools * (bouncer.settings.defaultPoolSize + bouncer.settings.reservePoolSize));
  const serviceMs = whole.workload.dbTimePerRequestMs;
  if (c <= 0 || serviceMs <= 0 || traffic.dbQueriesPerSecond <= 0) return null;
  return { c, a: (traffic.dbQueriesPerSecond / 1000) * serviceMs, serviceMs };
}

/** The app's CPU queue on its host: `cpus` the host's vCPUs, `others` the cores its other services take. */
export function cpuQueue(app: ServiceOf<'fastapi'>, traffic: Traffic, whole: Plan, cpus: number, others: number): Queue | null {
  const rps = appRequestsPerSecond(app, traffic, whole);
  const cpuMs = appCpuPerRequestMs(app.settings.cpuPerRequestMs, hitRateOf(traffic));
  if (rps <= 0 || cpuMs <= 0) return null;
  // Its own `cpus` caps the cores it gets (cpu.ts cpuCapOf), at the same usable share as a host's
  // cores (a CFS quota throttles bursts as a busy core does): 3 workers under a 0.5 CPU cap queue on 0.4 core.
  const free = appCores(app, cpus, others);
  const workers = replicasOf(app) * app.settings.workers;
  if (free <= 0) return { c: 1, a: Infinity, serviceMs: cpuMs };
  // As many servers as workers can use the free cores, each at its share when they are fewer
  // than the servers (1.5 cores for 2 workers: two at 0.75); at the same total speed more
  // servers only shorten the wait (an M/M/c's queueing time falls with c), never lengthen it.
  const c = Math.min(workers, Math.max(1, Math.ceil(free - 1e-9)));
  const serviceMs = cpuMs / Math.min(1, free / c);
  return { c, a: (rps / 1000) * serviceMs, serviceMs };
}

/** One part of a sum: 0 with chance 1 − p, else exponential at `rate` per ms. */
type Part = { p: number; rate: number };

/** An exponential term of a survival function: weight × e^(−rate·t). */
type Term = { w: number; rate: number };

/**
 * P(Σ independent exponentials > t) for distinct rates is Σ_i e^(−r_i t) Π_{j≠i} r_j / (r_j − r_i):
 * its terms, each weighted by `weight`. No rates: the sum is 0, nothing above any t ≥ 0.
 */
function hypoTerms(rates: number[], weight: number): Term[] {
  // Equal rates make the formula divide by 0: spread them by 0.1% (a change far under the model's own spread).
  const r = [...rates].sort((a, b) => a - b);
  for (let i = 1; i < r.length; i++) if (r[i]! < r[i - 1]! * 1.001) r[i] = r[i - 1]! * 1.001;
  return r.map((ri, i) => {
    let coef = 1;
    for (let j = 0; j < r.length; j++) if (j !== i) coef *= r[j]! / (r[j]! - ri);
    return { w: weight * coef, rate: ri };
  });
}

/** The terms of P(sum of the parts > t), over every subset of the parts that are non-zero, weighted by `w`. */
function sumTerms(parts: readonly Part[], w: number): Term[] {
  const out: Term[] = [];
  const n = parts.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    let p = w;
    const rates: number[] = [];
    for (let i = 0; i < n; i++) {
      const on = (mask >> i) & 1;
      p *= on ? parts[i]!.p : 1 - parts[i]!.p;
      if (on) rates.push(parts[i]!.rate);
    }
    if (p > 0 && rates.length > 0) out.push(...hypoTerms(rates, p));
  }
  return out;
}

type Mix = ReadonlyArray<{ w: number; fixed: number; parts: Part[] }>;
/** A mix's parts with their survival terms built once. */
type Built = ReadonlyArray<{ w: number; fixed: number; terms: Term[] }>;

/** P(latency > t) of a mixture (each part with its weight) of a fixed time plus a sum of waits:
 * below its fixed time a part's whole weight is above. */
function survival(each: Built, t: number): number {
  let sum = 0;
  for (const m of each) {
    if (t < m.fixed) sum += m.w;
    else for (const k of m.terms) sum += k.w * Math.exp(-k.rate * (t - m.fixed));
  }
  return Math.min(1, Math.max(0, sum));
}

/** The t at which the mixture has `tail` of its mass above: by bisection to 0.01%. */
function percentileOf(each: Built, tail: number): number {
  const s = (t: number) => survival(each, t);
  if (s(0) <= tail) return 0;
  let hi = 1;
  while (s(hi) > tail && hi < 1e9) hi *= 2;
  let lo = hi / 2 > 1 ? hi / 2 : 0;
  while (hi - lo > 1e-4 * hi) {
    const mid = (lo + hi) / 2;
    if (s(mid) > tail) lo = mid;
    else hi = mid;
  }
  return hi;
}

type Percentiles = { p50: number; p95: number; p99: number };

/**
 * The mixes whose percentiles were asked last, by their numbers: a limit edited on the page, or a
 * host size tried by a finding's search, leaves the traffic and the queues as they were, and each
 * evaluation asks the same mixes again (four scenarios, each its three percentiles by bisection:
 * a quarter of an evaluation's time in a profile of the `4gb` preset). The key is every number of
 * the mix, so a hit is the same computation; bounded, cleared when full.
 */
const percentilesMemo = new Map<string, Percentiles>();
const PERCENTILES_MEMO_MAX = 256; // assumed: far more mixes than one plan's evaluations ask, small beside a plan

/** p50, p95 and p99 of a mixture of sums of exponentials (the terms built once for the three). */
function percentilesOf(mix: Mix): Percentiles {
  const key = mix.map((m) => `${m.w}:${m.fixed}:${m.parts.map((p) => `${p.p}/${p.rate}`).join(',')}`).join(';');
  let r = percentilesMemo.get(key);
  if (!r) {
    const each: Built = mix.map((m) => ({ w: m.w, fixed: m.fixed, terms: sumTerms(m.parts, m.w) }));
    r = { p50: percentileOf(each, 1 - PERCENTILES.p50), p95: percentileOf(each, 1 - PERCENTILES.p95), p99: percentileOf(each, 1 - PERCENTILES.p99) };
    if (percentilesMemo.size >= PERCENTILES_MEMO_MAX) percentilesMemo.clear();
    percentilesMemo.set(key, r);
  }
  return r;
}

/** A queue's wait as a part of the sum: waits with chance C, exponentially at (c − a)/s. */
const waitPart = (q: Queue | null): Part[] => (q && q.a > 0 ? [{ p: erlangC(q.c, q.a), rate: waitRate(q) }] : []);

/**
 * The latency of one app service on its host (`plan`: that host's services; `whole`: the whole
 * stack, features applied, whose `traffic` it is; `cpus`: the host's vCPUs).
 */
export function appLatency(app: ServiceOf<'fastapi'>, plan: Plan, traffic: Traffic, whole: Plan, cpus: number, demand: HostCpu = hostCpuOf(plan, traffic, whole)): Latency {
  const index = plan.services.indexOf(app as Service);
  const mine = index >= 0 ? demand.taken[index]?.typical ?? 0 : 0;
  const others = demand.total.typical - mine;
  const cpu = cpuQueue(app, traffic, whole, cpus, others);
  const pool = poolQueue(whole, traffic);
  const workers = replicasOf(app) * app.settings.workers;
  const base = {
    service: app.name,
    workers,
    cores: Math.max(0, Math.min(workers, appCores(app, cpus, others))),
    cpuUtilisation: cpu ? Math.min(1, cpu.a / cpu.c) : 0,
    poolUtilisation: pool ? Math.min(1, pool.a / pool.c) : null,
    basis: 'modelled' as const,
  };
  const saturated = cpu && unstable(cpu) ? 'cpu' : pool && unstable(pool) ? 'pool' : null;
  if (saturated) return { ...base, p50: null, p95: null, p99: null, saturated, cpuWaitMs: null, poolWaitMs: null };
  const hit = hitRateOf(traffic);
  const missMs = whole.workload.requestTimeMs;
  const waits = [...waitPart(cpu), ...waitPart(pool)];
  const mix = [
    { w: 1 - hit, fixed: missMs, parts: waits },
    { w: hit, fixed: HIT_TIME_MS, parts: waits },
  ].filter((m) => m.w > 0);
  const { p50, p95, p99 } = percentilesOf(mix);
  return {
    ...base,
    p50,
    p95,
    p99,
    saturated: null,
    cpuWaitMs: cpu ? meanWait(cpu) : 0,
    poolWaitMs: pool ? meanWait(pool) : 0,
  };
}

/** The host's latency: its slowest app's (the highest p95, a saturated one first); null without an app on it. */
export function hostLatency(plan: Plan, traffic: Traffic, whole: Plan, cpus: number, demand: HostCpu = hostCpuOf(plan, traffic, whole)): Latency | null {
  let worst: Latency | null = null;
  for (const s of plan.services) {
    if (s.kind !== 'fastapi') continue;
    const l = appLatency(s, plan, traffic, whole, cpus, demand);
    if (!worst || latencyRank(l) > latencyRank(worst)) worst = l;
  }
  return worst;
}

/** p95 as a number to compare by: a saturated queue is past any latency. */
export function p95Of(l: Latency): number {
  return l.p95 ?? Infinity;
}
const latencyRank = p95Of;
