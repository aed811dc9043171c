/** Redis: data bounded by maxmemory, fragmentation on top, fork copy-on-write while persisting (memory-model.md). */
import * as z from 'zod/mini';
import type { ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { bool, count, oneOf, settingsObject, sizeSchema, withDefault } from '../schema-blocks.ts';
import { component, fixed, usageOf } from '../usage.ts';
import { redisSizeText, sizeFormat } from '../units.ts';
import { REDIS_MAXMEMORY_MIN, roundDownSize, roundUpSize, severityOf, smallestTidy } from '../policy.ts';
import { finding, fmt, overLimit, pct, servicesOf, setSize, type Rule } from '../findings/context.ts';
import { field, type KindEngine, type ModelContext, type TuneUnfit } from './kind.ts';
import { NODE_DEFAULTS } from './node-defaults.ts';
import { processesPart } from './processes.ts';

export const REDIS_ENUMS = {
  policy: ['noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'],
  persistence: ['none', 'rdb', 'aof'],
} as const;
export type RedisPersistence = (typeof REDIS_ENUMS.persistence)[number];

export const REDIS_DEFAULTS = {
  maxmemory: 0, // Redis default on 64-bit: no limit (Redis docs, eviction)
  policy: 'noeviction', // Redis default maxmemory-policy
  persistence: 'rdb', // the official image runs with Redis's built-in `save` schedule (Redis 7 redis.conf)
  appData: 64, // assumed: sessions, rate limits and small app keys on a 1k-user app
} as const;

const settings = settingsObject({
  maxmemory: withDefault(sizeSchema, REDIS_DEFAULTS.maxmemory),
  policy: withDefault(oneOf(REDIS_ENUMS.policy), REDIS_DEFAULTS.policy),
  persistence: withDefault(oneOf(REDIS_ENUMS.persistence), REDIS_DEFAULTS.persistence),
  appData: withDefault(sizeSchema, REDIS_DEFAULTS.appData),
  /** Redis Insight runs in the same container: the redis/redis-stack image "contains both Redis Stack
   * server and Redis Insight" (Redis docs, "Run Redis Stack on Docker"; redis/redis-stack-server is the
   * server alone). Absent: the server alone. */
  insight: z.optional(bool),
  /** Redis Stack's modules are loaded (RediSearch, RedisJSON, RedisTimeSeries, RedisBloom: the
   * redis/redis-stack and redis/redis-stack-server images, Redis docs "Redis Stack"). Absent: none. */
  modules: z.optional(bool),
  /** KeyDB's server-threads (1–64; keydb.conf: "By default this is set 1", the shipped keydb.conf
   * sets 2). Absent: Redis or Valkey, one main thread. */
  serverThreads: z.optional(count(1, 64)),
});

// ---------------------------------------------------------------------------------------------
// The model

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
 * persistence, a full copy-on-write) still fits `limit` beside `besideHigh` (another process in the
 * container at its high end: Redis Insight): the model solved for maxmemory. */
export function redisSafeMaxmemory(limit: number, persistence: RedisPersistence, besideHigh = 0): number {
  const factor = FRAGMENTATION.high + (persistence === 'none' ? 0 : COW.high);
  const fixedHigh = BASE_MIB + CLIENTS_MIB.high;
  const aof = persistence === 'aof' ? AOF_BUFFER_MIB.high : 0;
  return Math.max(0, ((limit - aof - besideHigh) / factor - fixedHigh) / OVERSHOOT);
}

/** The smallest tidy limit, from `from` on, whose safe maxmemory reaches `maxmemory`. */
export function redisLimitFor(maxmemory: number, persistence: RedisPersistence, from = roundUpSize(maxmemory), besideHigh = 0): number {
  return smallestTidy(from, (limit) => redisSafeMaxmemory(limit, persistence, besideHigh) >= maxmemory);
}

/** Redis Insight in the container (redis/redis-stack): a Node.js web app (redis/RedisInsight's API is
 * NestJS on Node.js), at the node kind's default per process (assumed: no published figure) with its spread. */
function insightPart(s: ServiceOf<'redis'>) {
  return s.settings.insight ? [processesPart('Redis Insight (Node.js)', 1, NODE_DEFAULTS.perProcess)] : [];
}

/**
 * Redis Stack's modules at rest: resident memory beyond used_memory (their code, their threads,
 * the allocator's pages) in two reports of redis-stack with a few MB of data: 18.33M RSS for 3.84M
 * used (RediSearch/RediSearch#3088: 14.5 MiB) and 24.30M for 3.52M (RediSearch#3006: 20.8 MiB).
 * Low the smaller, typical their mean, high the larger. Their data is in used_memory, so in the
 * data part and bounded by maxmemory as Redis's is.
 */
const MODULES_MIB = { low: 14.5, typical: 17.6, high: 20.8 } as const;

/**
 * KeyDB's memory per server thread, from used_memory_startup (before any client or key): 9,125,792
 * bytes with 4 threads (Snapchat/KeyDB#103, 5.1.1) and 47,707,832 with 10 (KeyDB#271), less
 * Redis's own ~0.84 MiB at startup (877,224 bytes, RediSearch#2598): 1.97 and 4.47 MiB per thread.
 * Typical the first, high the second (a later release); the first thread is Redis's own (in BASE).
 */
const KEYDB_THREAD_MIB = { typical: 1.97, high: 4.47 } as const;

function modulesPart(s: ServiceOf<'redis'>) {
  return s.settings.modules ? [component('modules (RediSearch, RedisJSON…)', MODULES_MIB.low, MODULES_MIB.typical, MODULES_MIB.high, 'code and threads at rest (RediSearch#3088, #3006)')] : [];
}

function threadsPart(s: ServiceOf<'redis'>) {
  const n = s.settings.serverThreads ?? 1;
  return n > 1 ? [component('server threads', (n - 1) * KEYDB_THREAD_MIB.typical, (n - 1) * KEYDB_THREAD_MIB.typical, (n - 1) * KEYDB_THREAD_MIB.high, `KeyDB server-threads ${n}`)] : [];
}

/** What the container holds beside the data, the base and the clients: Redis Insight, the modules,
 * KeyDB's extra threads. Not scaled by fragmentation or copied by the fork (the model and the safe maxmemory). */
function besideParts(s: ServiceOf<'redis'>) {
  return [...insightPart(s), ...modulesPart(s), ...threadsPart(s)];
}

/** Their high end, beside the server in the limit (0 without any). */
export function redisBesideHigh(s: ServiceOf<'redis'>): number {
  return besideParts(s).reduce((n, c) => n + c.high, 0);
}

/** Redis's memory; several Redis services in one plan split the semantic cache. */
export function redisUsage(s: ServiceOf<'redis'>, ctx: ModelContext): Usage {
  const { maxmemory, persistence, policy, appData } = s.settings;
  const cacheShare = 1 / ctx.countOf('redis');
  const cache = ctx.traffic.cacheMiB;
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
  components.push(...besideParts(s));
  return usageOf(components);
}

// ---------------------------------------------------------------------------------------------
// Tuning

export type RedisTune = {
  limit: number | null;
  /** The recommended maxmemory as a share of the limit (0 without a recommendation). */
  safeShare: number;
  /** The largest maxmemory the model fits in the limit at the high end, MiB; null without a limit. */
  safeMaxmemory: number | null;
  /** That value rounded down as the redis findings round their fix (null without a limit, or when it does not fit). */
  recommendedMaxmemory: number | null;
  /** The plan's maxmemory in MiB (0 = unbounded). */
  plannedMaxmemory: number;
  /** False when the planned maxmemory is unbounded or above the safe value (the redis findings fire). */
  plannedSafe: boolean;
  /** False when the limit is too small for any maxmemory of at least policy.ts's REDIS_MAXMEMORY_MIN. */
  fits: boolean;
  /** When it does not fit: the smallest tidy limit that does; else null. */
  minLimit: number | null;
  explain: string;
};

/**
 * maxmemory from the model itself: redisSafeMaxmemory (the model's high usage, with
 * fragmentation, client buffers and, with persistence, the fork's copy-on-write, solved for
 * maxmemory), rounded down as the redis-fork-headroom / redis-maxmemory-headroom / redis-no-maxmemory
 * findings round their fix, so applying it clears them.
 */
export function tuneRedis(redis: ServiceOf<'redis'>): RedisTune {
  const { persistence } = redis.settings;
  const persistent = persistence !== 'none';
  if (redis.limit === null) {
    return {
      limit: null, safeShare: 0, safeMaxmemory: null, recommendedMaxmemory: null, ...redisPlanned(redis, null),
      fits: true, minLimit: null, explain: 'no container limit: maxmemory cannot be derived',
    };
  }
  const beside = redisBesideHigh(redis);
  const safe = redisSafeMaxmemory(redis.limit, persistence, beside);
  const fits = safe >= REDIS_MAXMEMORY_MIN;
  const rec = fits ? roundDownSize(safe) : null;
  const minLimit = fits ? null : redisLimitFor(REDIS_MAXMEMORY_MIN, persistence, undefined, beside);
  const why = `fragmentation up to 1.5 × used and client buffers${persistent ? `, and ${persistence.toUpperCase()} forks a child whose copy-on-write (up to all of used) counts in the same cgroup` : ', no persistence so no fork'}${persistence === 'aof' ? ', plus AOF buffers' : ''}${beside > 0 ? `, beside ${besideParts(redis).map((c) => c.name).join(', ')}` : ''}`;
  return {
    limit: redis.limit,
    safeShare: rec === null ? 0 : rec / redis.limit,
    safeMaxmemory: safe,
    recommendedMaxmemory: rec,
    ...redisPlanned(redis, safe),
    fits,
    minLimit,
    explain: rec !== null
      ? `${Math.round((rec / redis.limit) * 100)}% of the ${sizeFormat(redis.limit)} limit: the engine's high usage fits (${why})`
      : `the ${sizeFormat(redis.limit)} limit leaves no room for maxmemory ${redisSizeText(REDIS_MAXMEMORY_MIN)} (${why}): the limit needs to be at least ${sizeFormat(minLimit ?? 0)}${persistent ? ', or persistence none' : ''}`,
  };
}

/** The planned part: the plan's maxmemory, and whether it is safe (bounded, and at most the safe value when there is one). */
function redisPlanned(redis: ServiceOf<'redis'>, safe: number | null): Pick<RedisTune, 'plannedMaxmemory' | 'plannedSafe'> {
  const planned = redis.settings.maxmemory;
  return { plannedMaxmemory: planned, plannedSafe: planned > 0 && (safe === null || planned <= safe) };
}

function redisUnfit(redis: ServiceOf<'redis'>, t: RedisTune): TuneUnfit[] {
  return t.fits ? [] : [{ service: redis.name, kind: 'redis', reason: 'limit', limitMiB: redis.limit, minLimitMiB: t.minLimit, message: `${redis.name}: ${t.explain}` }];
}

// ---------------------------------------------------------------------------------------------
// Findings

/** maxmemory against the limit, persistence and eviction policy. */
export const redisMemory: Rule = ({ plan, normal }) => {
  const out: Finding[] = [];
  for (const r of servicesOf(plan, 'redis')) {
    const s = r.settings;
    const persistent = s.persistence !== 'none';
    if (r.limit === null) continue;
    // The model's own high usage decides what is safe, so applying the fix clears the finding.
    // It comes to ~0.35–0.39 × limit with persistence and ~0.6 without, under memory-model.md's
    // rule of thumb (0.45 / 0.8), which leaves out client buffers and a full copy-on-write.
    // The tuner's maxmemory is this same value, rounded down the same way.
    const beside = redisBesideHigh(r);
    const safeExact = redisSafeMaxmemory(r.limit, s.persistence, beside);
    const safe = roundDownSize(safeExact);
    const share = safe / r.limit;
    // A limit too small for Redis's smallest maxmemory even at the safe share: no maxmemory fixes
    // it, the limit must grow (to the smallest that holds that maxmemory), or the fix would leave
    // the finding raised.
    const tooSmall = safeExact < REDIS_MAXMEMORY_MIN;
    const grown = tooSmall ? redisLimitFor(REDIS_MAXMEMORY_MIN, s.persistence, roundUpSize(r.limit + 1), beside) : r.limit;
    const fixChanges = tooSmall
      ? [setSize(r.name, 'settings.maxmemory', REDIS_MAXMEMORY_MIN), setSize(r.name, 'limit', grown)]
      : [setSize(r.name, 'settings.maxmemory', safe)];
    const fixText = tooSmall
      ? `Raise ${r.name}'s limit to ${fmt(grown)} with maxmemory ${fmt(REDIS_MAXMEMORY_MIN)} (Redis's smallest useful maxmemory does not fit ${fmt(r.limit)} with room for fragmentation${persistent ? ' and the fork' : ''})`
      : null;
    // Its chance of an OOM kill is the model's (policy.ts severityOf); without maxmemory nothing
    // bounds its data, which is at least a degraded service whatever the model's high says.
    const likelihood = overLimit(normal, r.name);
    const outage = severityOf(likelihood, 'outage');
    if (s.maxmemory === 0) {
      out.push(finding('redis-no-maxmemory', outage === 'info' ? severityOf({ p: 1 }, 'degraded') : outage, r.name,
        `${r.name} has no maxmemory: its data grows until the ${fmt(r.limit)} limit kills it.`,
        fixText ? `${fixText}.` : `Set ${r.name} maxmemory to ${fmt(safe)} (${pct(share)} of the limit${persistent ? ', leaving room for the fork of ' + s.persistence + ' persistence' : ''}).`,
        fixChanges));
      continue;
    }
    if (s.maxmemory > safeExact) {
      out.push(finding(persistent ? 'redis-fork-headroom' : 'redis-maxmemory-headroom', outage, r.name,
        persistent
          ? `${r.name}'s maxmemory ${fmt(s.maxmemory)} is ${pct(s.maxmemory / r.limit)} of its ${fmt(r.limit)} limit with ${s.persistence} persistence: the forked child's copy-on-write can need up to ${fmt(s.maxmemory)} more during a save, with fragmentation on top.`
          : `${r.name}'s maxmemory ${fmt(s.maxmemory)} is ${pct(s.maxmemory / r.limit)} of its ${fmt(r.limit)} limit: fragmentation (RSS up to 1.5 × used) and client buffers do not fit in the rest.`,
        fixText ? `${fixText}${persistent ? ', or set persistence to none if it is only a cache' : ''}.`
          : persistent
            ? `Set ${r.name} maxmemory to ${fmt(safe)} (${pct(share)} of the limit), or set persistence to none if it is only a cache.`
            : `Set ${r.name} maxmemory to ${fmt(safe)} (${pct(share)} of the limit).`,
        fixChanges));
    }
    if (s.policy === 'noeviction' && plan.features.semanticCache) {
      out.push(finding('redis-noeviction-cache', severityOf({ p: 1 }, 'degraded'), r.name,
        `${r.name} holds the semantic cache with maxmemory-policy noeviction: at maxmemory every write fails instead of evicting an old entry.`,
        `Set ${r.name} maxmemory-policy to allkeys-lru.`, [{ service: r.name, key: 'settings.policy', value: 'allkeys-lru' }]));
    } else if (s.policy.startsWith('volatile-')) {
      out.push(finding('redis-volatile-policy', severityOf({ p: 1 }, 'advice'), r.name,
        `${r.name} uses ${s.policy}: keys without a TTL are never evicted, so it acts like noeviction when the app sets none (Redis docs, eviction).`,
        `Set ${r.name} maxmemory-policy to allkeys-lru if every key is cache.`, [{ service: r.name, key: 'settings.policy', value: 'allkeys-lru' }]));
    }
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// The kind

export const redis: KindEngine<'redis', typeof settings, RedisTune> = {
  kind: 'redis',
  settings,
  enums: REDIS_ENUMS,
  usage: redisUsage,
  // the seed: Redis Cache 300MB, 256MB expected, LRU
  starter: { limit: '300MiB', settings: { maxmemory: '256MiB', policy: 'allkeys-lru' } },
  summary: ({ settings: st }) => `maxmemory ${st.maxmemory > 0 ? sizeFormat(st.maxmemory) : 'unset'} · ${st.policy} · ${st.persistence}`,
  fields: [field.size('maxmemory', 'maxmemory'), field.choice('policy', 'maxmemory-policy'), field.choice('persistence', 'persistence'), field.size('appData', 'app data')],
  findings: [redisMemory],
  connections: 'none', // a server
  tuning: {
    tune: (_plan, s) => tuneRedis(s),
    apply: (s, t) => (t.recommendedMaxmemory === null ? s : { ...s, settings: { ...s.settings, maxmemory: t.recommendedMaxmemory } }),
    unfit: redisUnfit,
    settle: (_plan, s, t) => ({ ...t, ...redisPlanned(s, t.safeMaxmemory) }),
    notes: (s) => (s.limit === null ? [`${s.name}: no memory limit, so maxmemory stays as planned: Headroom derives it from the container's own limit (set a limit to tune it)`] : []),
    // Room for maxmemory with fragmentation and, with persistence, the fork.
    minLimit: (s) => redisLimitFor(s.settings.maxmemory, s.settings.persistence, undefined, redisBesideHigh(s)),
    zeroUnbounded: ['maxmemory'], // Redis docs: maxmemory 0 means no limit
  },
};
