/** Redis: data bounded by maxmemory, fragmentation on top, fork copy-on-write while persisting (memory-model.md). */
import type { ServiceOf } from '../schema.ts';
import type { Traffic, Usage } from '../report.ts';
import { component, fixed, usageOf } from './usage.ts';

/** An empty instance is ~3 MB (Redis FAQ). */
const BASE_MIB = 3;
/** Client output/query buffers. Assumed: a few app connections, 1–8 MiB. */
const CLIENTS_MIB = { low: 1, typical: 2, high: 8 } as const;
/** RSS / used_memory: 1.03 low, 1.1 typical (measured here: 1.05–1.12 at maxmemory 128–256 MB, 1.35–1.4 at 32 MB where the binary weighs more, calibration/redis.json), 1.5 high (> 1.4 is "high" in MEMORY DOCTOR). */
const FRAGMENTATION = { low: 1.03, typical: 1.1, high: 1.5 } as const;
/** Fork copy-on-write during BGSAVE / AOF rewrite, as a share of used memory. Measured here
 * (calibration/redis.json, 128 MB of data): 0.04–0.14 under 500 writes/s (typical 0.09, their
 * mean), 0.65 under 5,000/s, up to 0.91 flat out; high 1.0 (Redis admin docs: can double). */
const COW = { low: 0.02, typical: 0.09, high: 1.0 } as const;
/** AOF buffers, not counted in maxmemory (redis src/evict.c). Assumed: 1 / 4 / 32 MiB. */
const AOF_BUFFER_MIB = { low: 1, typical: 4, high: 32 } as const;
/** A cache near maxmemory can overshoot it before eviction catches up (Redis docs, eviction). Assumed: 2%. */
const OVERSHOOT = 1.02;

/** The largest maxmemory whose high usage (overshoot, clients, fragmentation and, with
 * persistence, a full copy-on-write) still fits `limit`: the model solved for maxmemory. */
export function redisSafeMaxmemory(limit: number, persistence: 'none' | 'rdb' | 'aof'): number {
  const factor = FRAGMENTATION.high + (persistence === 'none' ? 0 : COW.high);
  const fixedHigh = BASE_MIB + CLIENTS_MIB.high;
  const aof = persistence === 'aof' ? AOF_BUFFER_MIB.high : 0;
  return Math.max(0, ((limit - aof) / factor - fixedHigh) / OVERSHOOT);
}

export function redisUsage(s: ServiceOf<'redis'>, traffic: Traffic, cacheShare: number): Usage {
  const { maxmemory, persistence, policy, appData } = s.settings;
  const cache = traffic.cacheMiB;
  const evicts = policy !== 'noeviction';
  // Without maxmemory the data grows with demand; with it, a cache fills up to maxmemory.
  const bound = (v: number, allowOvershoot: boolean) => (maxmemory > 0 ? Math.min(v, maxmemory * (allowOvershoot && evicts ? OVERSHOOT : 1)) : v);
  const dataLow = bound(appData * 0.5 + cache.low * cacheShare, false);
  const dataTyp = bound(appData + cache.typical * cacheShare, false);
  // High: an LRU cache with enough writes sits at maxmemory; otherwise twice the expected data.
  const dataHigh = maxmemory > 0 && evicts ? maxmemory * OVERSHOOT : bound(2 * (appData + cache.high * cacheShare), true);
  const used = { low: BASE_MIB + dataLow + CLIENTS_MIB.low, typical: BASE_MIB + dataTyp + CLIENTS_MIB.typical, high: BASE_MIB + dataHigh + CLIENTS_MIB.high };
  const components = [
    component('data', dataLow, dataTyp, dataHigh, maxmemory > 0 ? `maxmemory ${maxmemory} MiB` : 'no maxmemory: unbounded'),
    fixed('base', BASE_MIB),
    component('client buffers', CLIENTS_MIB.low, CLIENTS_MIB.typical, CLIENTS_MIB.high),
    component('fragmentation', used.low * (FRAGMENTATION.low - 1), used.typical * (FRAGMENTATION.typical - 1), used.high * (FRAGMENTATION.high - 1)),
  ];
  if (persistence !== 'none') {
    components.push(component('fork copy-on-write', used.low * COW.low, used.typical * COW.typical, used.high * COW.high, `${persistence} persistence forks a child`));
  }
  if (persistence === 'aof') components.push(component('aof buffers', AOF_BUFFER_MIB.low, AOF_BUFFER_MIB.typical, AOF_BUFFER_MIB.high));
  return usageOf(components);
}
