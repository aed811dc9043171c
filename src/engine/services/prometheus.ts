/** Prometheus: head series, chunks for the scrape interval, queries over the retention (memory-model.md). */
import type { ServiceOf } from '../schema.ts';
import type { Usage } from '../report.ts';
import { component, usageOf } from './usage.ts';

/** Go runtime, TSDB, web UI, rule evaluation. Assumed 40 / 60 / 90 MiB (idle ~204 MB measured
 * RSS in memory-model.md includes page cache and the default series). */
const BASE_MIB = { low: 40, typical: 60, high: 90 } as const;
/** Head memory per active series: ~3 kB rule of thumb since 2.20 (Robust Perception), up to 8 kB
 * quoted by maintainers (prometheus#4553); 2 kB low. */
const PER_SERIES_KB = { low: 2, typical: 3, high: 8 } as const;
/** The head keeps about 3 h of samples at ~1.4 bytes each compressed (Prometheus TSDB docs: 1–2 bytes/sample). */
const HEAD_SECONDS = 3 * 3600;
const BYTES_PER_SAMPLE = 1.4;
/** Query memory: dashboards over a longer retention load more chunks. Assumed: 16 MiB typical,
 * 32 + 4 MiB per retention day at the high end, at most 512. */
const QUERY_MIB = { low: 0, typical: 16, highBase: 32, highPerDay: 4, highMax: 512 } as const;

export function prometheusUsage(s: ServiceOf<'prometheus'>): Usage {
  const { series, scrapeInterval, retention } = s.settings;
  const kb = 1 / 1024;
  const samplesMiB = (series * (HEAD_SECONDS / scrapeInterval) * BYTES_PER_SAMPLE) / 1048576;
  const days = retention / 86400;
  return usageOf([
    component('base', BASE_MIB.low, BASE_MIB.typical, BASE_MIB.high),
    component('head series', series * PER_SERIES_KB.low * kb, series * PER_SERIES_KB.typical * kb, series * PER_SERIES_KB.high * kb, `${series} series`),
    component('head samples', samplesMiB * 0.5, samplesMiB, samplesMiB * 1.5, `every ${scrapeInterval}s`),
    component('queries', QUERY_MIB.low, QUERY_MIB.typical, Math.min(QUERY_MIB.highMax, QUERY_MIB.highBase + QUERY_MIB.highPerDay * days)),
  ]);
}
