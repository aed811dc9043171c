/**
 * An Elixir or Erlang release on the BEAM (Plausible, Supabase Realtime, Logflare, Supavisor,
 * RabbitMQ aside: it has its own kind): one OS process whose memory is its Erlang processes' heaps,
 * ETS tables, reference-counted binaries and the loaded code. The BEAM has no heap cap to tune
 * (max_heap_size is per Erlang process, and off by default: Erlang docs, erlang:system_flag/2), so
 * this kind has a model and no tuning: its limit is sized from the model like any fixed footprint.
 */
import * as z from 'zod/mini';
import type { ServiceOf } from '../schema.ts';
import type { Usage } from '../report.ts';
import { oneOf, settingsObject, sizeSchema, withDefault } from '../schema-blocks.ts';
import { sizeFormat } from '../units.ts';
import { field, type KindEngine } from './kind.ts';
import { footprintUsage } from './native.ts';
import { catalogueBasis, CATALOGUE_IDS } from '../catalogue.ts';

export const BEAM_ENUMS = { language: ['elixir', 'erlang'] } as const;

export const BEAM_DEFAULTS = {
  language: 'elixir',
  // assumed: a Phoenix release at rest with a few connections. Field reports: beam.smp at 90 MiB RSS
  // (phusion/baseimage-docker#556), 200 MB for Plausible with its lookup tables loaded
  // (plausible/analytics#1802); the BEAM's own code and allocators take ~30–50 MB before the app.
  memory: 100,
} as const;

const settings = settingsObject({
  language: withDefault(oneOf(BEAM_ENUMS.language), BEAM_DEFAULTS.language),
  memory: withDefault(sizeSchema, BEAM_DEFAULTS.memory),
  // The application image in Headroom's catalogue (engine/catalogue.ts) its footprint comes from.
  app: z.optional(oneOf(CATALOGUE_IDS)),
});

/** High: 2× typical. Assumed: the BEAM's allocators keep freed carriers mapped (erts_alloc's
 * multiblock carriers, released lazily), and large binaries are freed only when every process that
 * saw them has collected, so bursts of large messages (a log ingest, a replication stream) leave
 * the footprint up for a while; reports of Logflare and Realtime under load at several times their
 * rest size (supabase/realtime issues) are not a figure to cite, so 2× stands for it. */
const HIGH_FACTOR = 2;

export function beamUsage(s: ServiceOf<'beam'>): Usage {
  const m = s.settings.memory;
  // At rest FOOTPRINT_LOW_SHARE of typical, as every footprint kind (native.ts).
  return footprintUsage('BEAM', m, m * HIGH_FACTOR, `${s.settings.language} release: process heaps, ETS, binaries and code; no heap cap`);
}

export const beam: KindEngine<'beam', typeof settings> = {
  kind: 'beam',
  settings,
  enums: BEAM_ENUMS,
  usage: beamUsage,
  // assumed: a small Phoenix app
  starter: { name: 'beam', limit: '512MiB', settings: {} },
  summary: ({ settings: st }) => `${st.language} · ${sizeFormat(st.memory)}`,
  fields: [field.size('memory', 'memory (typical)'), field.choice('language', 'language')],
  // The catalogue's figure is documented, its missing figure assumed (catalogue.ts); any other value is the plan's own.
  basis: (s) => (s.observed ? 'observed' : catalogueBasis(s.settings.app, s.settings.memory, BEAM_DEFAULTS.memory) ?? 'modelled'),
};
