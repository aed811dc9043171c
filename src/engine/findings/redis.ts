/** Findings about Redis: maxmemory against its limit, persistence and eviction policy. */
import type { Finding } from '../report.ts';
import { finding, fmt, pct, servicesOf, setSize, type Rule } from './context.ts';
import { roundDownSize } from '../policy.ts';

import { redisSafeMaxmemory } from '../services/redis.ts';

export const redisMemory: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const r of servicesOf(plan, 'redis')) {
    const s = r.settings;
    const persistent = s.persistence !== 'none';
    if (r.limit === null) continue;
    // The model's own high usage decides what is safe, so applying the fix clears the finding.
    // It comes to ~0.35–0.39 × limit with persistence and ~0.6 without, under memory-model.md's
    // rule of thumb (0.45 / 0.8), which leaves out client buffers and a full copy-on-write.
    // tune.ts's maxmemory is this same value, rounded down the same way.
    const safeExact = redisSafeMaxmemory(r.limit, s.persistence);
    const safe = roundDownSize(safeExact);
    const share = safe / r.limit;
    if (s.maxmemory === 0) {
      out.push(finding('redis-no-maxmemory', 'critical', r.name,
        `${r.name} has no maxmemory: its data grows until the ${fmt(r.limit)} limit kills it.`,
        `Set ${r.name} maxmemory to ${fmt(safe)} (${pct(share)} of the limit${persistent ? ', leaving room for the fork of ' + s.persistence + ' persistence' : ''}).`,
        [setSize(r.name, 'settings.maxmemory', safe)]));
      continue;
    }
    if (s.maxmemory > safeExact) {
      const cow = persistent && s.maxmemory * 2 > r.limit;
      out.push(finding(persistent ? 'redis-fork-headroom' : 'redis-maxmemory-headroom', cow || s.maxmemory >= r.limit ? 'critical' : 'warning', r.name,
        persistent
          ? `${r.name}'s maxmemory ${fmt(s.maxmemory)} is ${pct(s.maxmemory / r.limit)} of its ${fmt(r.limit)} limit with ${s.persistence} persistence: the forked child's copy-on-write can need up to ${fmt(s.maxmemory)} more during a save, with fragmentation on top.`
          : `${r.name}'s maxmemory ${fmt(s.maxmemory)} is ${pct(s.maxmemory / r.limit)} of its ${fmt(r.limit)} limit: fragmentation (RSS up to 1.5 × used) and client buffers do not fit in the rest.`,
        persistent
          ? `Set ${r.name} maxmemory to ${fmt(safe)} (${pct(share)} of the limit), or set persistence to none if it is only a cache.`
          : `Set ${r.name} maxmemory to ${fmt(safe)} (${pct(share)} of the limit).`,
        [setSize(r.name, 'settings.maxmemory', safe)]));
    }
    if (s.policy === 'noeviction' && plan.features.semanticCache) {
      out.push(finding('redis-noeviction-cache', 'warning', r.name,
        `${r.name} holds the semantic cache with maxmemory-policy noeviction: at maxmemory every write fails instead of evicting an old entry.`,
        `Set ${r.name} policy to allkeys-lru.`, [{ service: r.name, key: 'settings.policy', value: 'allkeys-lru' }]));
    } else if (s.policy.startsWith('volatile-')) {
      out.push(finding('redis-volatile-policy', 'info', r.name,
        `${r.name} uses ${s.policy}: keys without a TTL are never evicted, so it acts like noeviction when the app sets none (Redis docs, eviction).`,
        `Set ${r.name} policy to allkeys-lru if every key is cache.`, [{ service: r.name, key: 'settings.policy', value: 'allkeys-lru' }]));
    }
  }
  return out;
};
