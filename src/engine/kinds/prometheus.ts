/** Prometheus: head series, chunks for the scrape interval, queries over the retention (memory-model.md). */
import type { ServiceOf } from '../schema.ts';
import type { Usage } from '../report.ts';
import * as z from 'zod/mini';
import { count, durationSchema, durationWithin, settingsObject, withDefault } from '../schema-blocks.ts';
import { component, usageOf } from '../usage.ts';
import { countFormat, durationFormat } from '../units.ts';
import { field, type KindEngine } from './kind.ts';

export const PROMETHEUS_DEFAULTS = {
  scrapeInterval: 15, // the interval in Prometheus's shipped example config (built-in default is 1m)
  retention: 15 * 86400, // --storage.tsdb.retention.time default 15d (Prometheus docs)
  series: 10_000, // assumed: node_exporter ~1–2k, cAdvisor ~200 per container, exporters, app metrics
} as const;

const text = (what: string, max: number) => z.string({ error: `expected ${what} (text)` }).check(z.maxLength(max, `expected ${what} of at most ${max} characters`));

/** One target of a user's scrape job: its address as written, and the plan service it names (null: none). */
const scrapeTargetSchema = z.strictObject({
  address: text('a target address', 500),
  service: z.nullable(text('a service name', 200)),
});

/**
 * A scrape job of the user's own prometheus.yml (compose import reads it from the mounted file):
 * its name, its static targets matched to the plan's services, and the job as written, which the
 * export keeps. Assumed bounds: 500 jobs of 1,000 targets each, far beyond real configs.
 */
const scrapeJobSchema = z.strictObject({
  job: text('a job name', 200),
  targets: z.array(scrapeTargetSchema, { error: 'expected a list of targets' }).check(z.maxLength(1000, 'expected at most 1000 targets')),
  /** The job as the user wrote it (scrape_configs[i]): kept, never interpreted beyond its targets. */
  config: z.record(z.string(), z.unknown(), { error: 'expected the job as a mapping' }),
});

const settings = settingsObject({
  // Prometheus keeps durations in milliseconds; `0ms` means "the default" (1m), so 1ms is the
  // least it takes (prometheus/common model.Duration; issue 17: 1e-7 s was written `0ms`).
  // Assumed upper bound: a day (a scrape is meant to be seconds to minutes apart).
  scrapeInterval: withDefault(durationWithin(0.001, 86400, "Prometheus's scrape_interval"), PROMETHEUS_DEFAULTS.scrapeInterval),
  retention: withDefault(durationSchema, PROMETHEUS_DEFAULTS.retention),
  series: withDefault(count(0, 100_000_000), PROMETHEUS_DEFAULTS.series),
  scrapeJobs: z.optional(z.array(scrapeJobSchema, { error: 'expected a list of scrape jobs' }).check(z.maxLength(500, 'expected at most 500 scrape jobs'))),
});

/** Go runtime, TSDB, web UI: measured here 43 MiB RSS ingesting 1k series with no queries, less
 * 3 kB a series (Prometheus 2.42, calibration/prometheus.json); 40 low, 90 high. */
const BASE_MIB = { low: 40, typical: 43, high: 90 } as const;
/** Head memory per active series: ~3 kB rule of thumb since 2.20 (Robust Perception; measured here
 * 3.0–3.4 KiB from 1k to 50k series, calibration/prometheus.json), up to 8 kB quoted by
 * maintainers (prometheus#4553); 2 kB low. */
const PER_SERIES_KB = { low: 2, typical: 3, high: 8 } as const;
/** The head keeps about 3 h of samples at ~1.4 bytes each compressed (Prometheus TSDB docs: 1–2 bytes/sample). */
const HEAD_SECONDS = 3 * 3600;
const BYTES_PER_SAMPLE = 1.4;
/** Query memory: measured here 9 MiB for alert-rule queries on a few series every second
 * (calibration/prometheus.json). Dashboards over a longer retention load more chunks: assumed
 * 32 + 4 MiB per retention day at the high end, at most 512 (a dashboard over all 50k series held its peak under it). */
const QUERY_MIB = { low: 0, typical: 9, highBase: 32, highPerDay: 4, highMax: 512 } as const;

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

export const prometheus: KindEngine<'prometheus', typeof settings> = {
  kind: 'prometheus',
  settings,
  usage: prometheusUsage,
  // the seed: Prometheus 200MB
  starter: { limit: '200MiB', settings: {} },
  summary: ({ settings: st }) => `scrape ${durationFormat(st.scrapeInterval)} · retention ${durationFormat(st.retention)} · ${countFormat(st.series)} series`,
  fields: [field.duration('scrapeInterval', 'scrape_interval'), field.duration('retention', 'retention'), field.count('series', 'active series')],
  scraped: true, // itself, on localhost:9090
  connections: 'none', // it scrapes; the postgres_exporter's one connection is counted as the exporter's
};
