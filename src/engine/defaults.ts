/**
 * The defaults of the plan's own sections (workload, host) and of the services a feature toggle
 * adds. Each kind's setting defaults live in its module (kinds/). Sizes in MiB, durations in
 * seconds. Each value names its source.
 */
import { KRR_MARGIN } from './policy.ts';

export const WORKLOAD_DEFAULTS = {
  activeUsers: 1000, // the seed's example
  spike: 5, // the seed: "traffic spike (5x normal)"
  requestsPerUserPerMinute: 6, // assumed: one API call per active user every 10 s
  requestTimeMs: 100, // assumed: app time per request, the seed's 80 ms uncached query rounded up
  dbTimePerRequestMs: 20, // assumed: time a request holds a database connection
  cacheHitRate: 0.5, // the seed: semantic cache hit rate 40–60% at steady state
  cacheTtlSeconds: 600, // the seed: setex ttl=600
  cacheEntrySize: 4 / 1024, // assumed: 4 KiB per cached result (hashed key + JSON), in MiB
  observedMargin: KRR_MARGIN, // krr: limit = observed peak × 1.15 (policy.ts)
  observedPercentile: 'peak', // krr's simple strategy plans memory from the max (issue 12)
} as const;

export const HOST_DEFAULTS = {
  swap: 0, // most cloud images ship without swap
} as const;

/** Limits the engine gives a service a feature toggle adds (the seed's figures). */
export const FEATURE_SERVICES = {
  pgbouncer: { name: 'pgbouncer', limit: 20 }, // the seed: "limits: 20M"
  alertmanager: { name: 'alertmanager', limit: 50 }, // the seed: "30-50MB overhead"
} as const;
