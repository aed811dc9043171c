/**
 * MongoDB: the WiredTiger cache (by default half of the memory mongod detects beyond 1 GB, at
 * least 256 MB), mongod itself, its allocator's slack, and ~1 MB per connection. No Debian
 * package: every constant is from MongoDB's docs and tickets, none measured here.
 */
import * as z from 'zod/mini';
import type { ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { count, oneOf, settingsObject, withDefault } from '../schema-blocks.ts';
import { component, usageOf } from '../usage.ts';
import { sizeFormat } from '../units.ts';
import { finding, fmt, servicesOf, setSize, type Rule } from '../findings/context.ts';
import { field, type KindEngine } from './kind.ts';
import { sizeWithin } from './bounds.ts';
import { limitTooSmall, settingTuning, tuneSetting, type SettingModel, type SettingTune } from './memory-setting.ts';

/** What mongod sizes its default cache from: the container's limit (3.6.13+/4.0.9+ read the
 * cgroup limit, SERVER-16571; cgroup v2 from SERVER-60412) or, in older versions, the host's RAM. */
export const MONGODB_ENUMS = { memorySource: ['limit', 'host'] } as const;

export const MONGODB_DEFAULTS = {
  memorySource: 'limit', // current images read the cgroup limit (SERVER-16571, SERVER-60412)
  clients: 20, // assumed: an app's driver pool (the drivers' maxPoolSize is 100, rarely all open)
} as const;

/** --wiredTigerCacheSizeGB accepts 0.25 to 10000 (MongoDB docs, mongod options). */
const CACHE_MIN_MIB = 256;
const CACHE_MAX_MIB = 10000 * 1024;

const settings = settingsObject({
  cacheSize: z.optional(sizeWithin(CACHE_MIN_MIB, CACHE_MAX_MIB, '--wiredTigerCacheSizeGB')),
  memorySource: withDefault(oneOf(MONGODB_ENUMS.memorySource), MONGODB_DEFAULTS.memorySource),
  clients: withDefault(count(0, 1_000_000), MONGODB_DEFAULTS.clients),
});

// ---------------------------------------------------------------------------------------------
// The model

/** mongod without its cache: assumed 60 / 100 / 200 MiB (no Debian package to measure; the
 * MongoDB docs count connections, sorts and the filesystem cache outside the WiredTiger cache). */
const BASE_MIB = { low: 60, typical: 100, high: 200 } as const;
/** "Each connection can use up to 1 megabyte of RAM" (MongoDB docs, production notes / connection pool FAQ). */
const CONNECTION_MIB = 1;
/** WiredTiger keeps its cache near eviction_target 80% and lets application threads evict past
 * eviction_trigger 95% (WiredTiger docs, cache eviction); low assumed 30% (cold). */
const CACHE_FILL = { low: 0.3, typical: 0.8, high: 1 } as const;
/** tcmalloc's free pages held by mongod, as a share of the cache. Assumed 5% / 20%. */
const ALLOCATOR = { typical: 0.05, high: 0.2 } as const;
/** Connections at the high end: assumed 3 × the usual open ones (a burst of new pools). */
const CLIENTS_HIGH = 3;

/** The WiredTiger cache, MiB: as set, else max(50% of (RAM − 1 GB), 256 MB) of the memory mongod detects (MongoDB docs, WiredTiger memory use). */
export function mongodbCacheMib(s: ServiceOf<'mongodb'>, hostRam: number): number {
  if (s.settings.cacheSize !== undefined) return s.settings.cacheSize;
  const ram = s.settings.memorySource === 'limit' && s.limit !== null ? s.limit : hostRam;
  return Math.max(0.5 * (ram - 1024), CACHE_MIN_MIB);
}

export function mongodbUsage(s: ServiceOf<'mongodb'>, hostRam: number): Usage {
  const cache = mongodbCacheMib(s, hostRam);
  const c = s.settings.clients;
  return usageOf([
    component('WiredTiger cache', cache * CACHE_FILL.low, cache * CACHE_FILL.typical, cache * CACHE_FILL.high, `${sizeFormat(cache)}${s.settings.cacheSize === undefined ? ' (the default)' : ''}`),
    component('mongod', BASE_MIB.low, BASE_MIB.typical, BASE_MIB.high),
    component('allocator', 0, cache * ALLOCATOR.typical, cache * ALLOCATOR.high, 'tcmalloc free pages'),
    component('connections', (c / 2) * CONNECTION_MIB, c * CONNECTION_MIB, c * CLIENTS_HIGH * CONNECTION_MIB, `${c} open`),
  ]);
}

export const MONGODB_CACHE: SettingModel<'mongodb'> = {
  kind: 'mongodb',
  key: 'cacheSize',
  label: '--wiredTigerCacheSizeGB',
  min: () => CACHE_MIN_MIB,
  max: CACHE_MAX_MIB,
  planned: (s) => (s.settings.cacheSize !== undefined ? s.settings.cacheSize : s.limit === null ? null : mongodbCacheMib(s, s.limit)),
  high: (s, v) => mongodbUsage({ ...s, settings: { ...s.settings, cacheSize: v } }, 0).high,
  why: 'the cache full, mongod, tcmalloc\'s slack and a burst of connections',
};

export const mongodbMemory: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const m of servicesOf(plan, 'mongodb')) {
    const cache = mongodbCacheMib(m, plan.host.ram);
    if (m.limit === null) {
      if (m.settings.cacheSize === undefined) {
        out.push(finding('mongodb-cache-host-ram', 'warning', m.name,
          `${m.name} has no limit and no --wiredTigerCacheSizeGB: its cache takes half of the host's RAM beyond 1 GB (${fmt(cache)} on ${fmt(plan.host.ram)}), beside every other service.`,
          `Give ${m.name} a limit, and set its WiredTiger cache (--wiredTigerCacheSizeGB) from it.`));
      }
      continue;
    }
    const t = tuneSetting(MONGODB_CACHE, { ...m, settings: { ...m.settings, cacheSize: cache } });
    out.push(...limitTooSmall(MONGODB_CACHE, m, t));
    if (t.recommended === null || (t.safe !== null && cache <= t.safe)) continue;
    const source = m.settings.cacheSize !== undefined
      ? `--wiredTigerCacheSizeGB ${+(cache / 1024).toFixed(3)}`
      : m.settings.memorySource === 'host'
        ? `the default cache, sized from the host's ${fmt(plan.host.ram)} (this mongod does not read its container's limit: SERVER-16571)`
        : `the default cache, max(50% of (${fmt(m.limit)} − 1 GB), 256 MB)`;
    out.push(finding('mongodb-cache-over-limit', cache >= m.limit ? 'critical' : 'warning', m.name,
      `${m.name}'s WiredTiger cache is ${fmt(cache)} (${source}): with mongod itself, tcmalloc's slack and its connections it does not fit the ${fmt(m.limit)} limit.`,
      `Set ${m.name} --wiredTigerCacheSizeGB to ${fmt(t.recommended)}.`, [setSize(m.name, 'settings.cacheSize', t.recommended)]));
  }
  return out;
};

export const mongodb: KindEngine<'mongodb', typeof settings, SettingTune> = {
  kind: 'mongodb',
  settings,
  enums: MONGODB_ENUMS,
  usage: (s, ctx) => mongodbUsage(s, ctx.plan.host.ram),
  starter: { limit: '1GiB', settings: { cacheSize: '256MiB' } },
  summary: (s) => `WiredTiger cache ${s.settings.cacheSize !== undefined ? sizeFormat(s.settings.cacheSize) : 'default'} · ${s.settings.clients} connections`,
  fields: [field.size('cacheSize', 'wiredTigerCacheSizeGB'), field.count('clients', 'open connections'), field.choice('memorySource', 'cache sized from')],
  findings: [mongodbMemory],
  tuning: settingTuning(MONGODB_CACHE),
};
