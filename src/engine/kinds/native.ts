/**
 * A small native binary (Go, Rust, C: Gitea, Traefik-like servers, exporters, sidecars): a footprint
 * that barely follows the workload. For Go, the heap grows to live × (1 + GOGC/100) between
 * collections, and GOMEMLIMIT is a soft cap the runtime collects harder to stay under.
 */
import * as z from 'zod/mini';
import type { ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { count, oneOf, settingsObject, sizeSchema, withDefault } from '../schema-blocks.ts';
import { component, usageOf } from '../usage.ts';
import { sizeFormat } from '../units.ts';
import { GOMEMLIMIT_SHARE, roundDownSize } from '../policy.ts';
import { finding, fmt, servicesOf, setSize, type Rule } from '../findings/context.ts';
import { field, type KindEngine } from './kind.ts';
import { catalogueBasis, CATALOGUE_IDS } from '../catalogue.ts';

export const NATIVE_ENUMS = { language: ['go', 'rust', 'c'] } as const;

export const NATIVE_DEFAULTS = {
  language: 'go', // most small self-hosted servers and sidecars are Go
  memory: 32, // assumed: a small Go or Rust server at rest with a few connections (node_exporter 8–21 MB, Traefik ~30–50 MB: memory-model.md and field reports)
  goMemLimit: 0, // GOMEMLIMIT unset: no soft limit (Go runtime docs, "A Guide to the Go Garbage Collector")
  gogc: 100, // GOGC default 100 (Go runtime docs); -1 stands for GOGC=off
} as const;

const settings = settingsObject({
  language: withDefault(oneOf(NATIVE_ENUMS.language), NATIVE_DEFAULTS.language),
  memory: withDefault(sizeSchema, NATIVE_DEFAULTS.memory),
  goMemLimit: withDefault(sizeSchema, NATIVE_DEFAULTS.goMemLimit),
  // Go accepts any integer percentage; "off" disables the proportional trigger (runtime docs).
  gogc: withDefault(count(-1, 1_000_000), NATIVE_DEFAULTS.gogc),
  // The application image in Headroom's catalogue (engine/catalogue.ts) its footprint comes from.
  app: z.optional(oneOf(CATALOGUE_IDS)),
});

/** At rest: 0.6× the typical footprint (assumed: before caches and connection buffers fill). One
 * rule for every single-process footprint kind: native here, beam (beam.ts) reads it. */
export const FOOTPRINT_LOW_SHARE = 0.6;

/** One process's footprint: `memory` typical, FOOTPRINT_LOW_SHARE of it at rest, `high` at its high end. */
export function footprintUsage(name: string, memory: number, high: number, note: string): Usage {
  return usageOf([component(name, memory * FOOTPRINT_LOW_SHARE, memory, Math.max(high, memory), note)]);
}
/** Rust and C: no collector; high 1.5× typical for allocator fragmentation and bursts (assumed). */
const NON_GC_HIGH = 1.5;
/** Go with GOGC=off and no GOMEMLIMIT grows without bound: 4× typical stands for that (assumed). */
const GOGC_OFF_HIGH = 4;
/** Memory a Go program holds beyond what GOMEMLIMIT counts (stacks and the runtime are counted, but
 * not memory mapped by cgo or outside the runtime): assumed 10%, as policy.ts's GOMEMLIMIT share. */
const OVER_GOMEMLIMIT = 1 / GOMEMLIMIT_SHARE;

/** The most the program reaches: Go's heap target live × (1 + GOGC/100), under a GOMEMLIMIT when set. */
export function nativeHigh(s: ServiceOf<'native'>): number {
  const st = s.settings;
  if (st.language !== 'go') return st.memory * NON_GC_HIGH;
  const byGogc = st.gogc < 0 ? st.memory * GOGC_OFF_HIGH : st.memory * (1 + st.gogc / 100);
  return st.goMemLimit > 0 ? Math.max(st.memory, Math.min(byGogc, st.goMemLimit * OVER_GOMEMLIMIT)) : byGogc;
}

export function nativeUsage(s: ServiceOf<'native'>): Usage {
  const st = s.settings;
  const note = st.language !== 'go' ? `${st.language}: no garbage collector` : `GOGC=${st.gogc < 0 ? 'off' : st.gogc}${st.goMemLimit > 0 ? `, GOMEMLIMIT ${sizeFormat(st.goMemLimit)} (a soft cap)` : ''}`;
  return footprintUsage('process', st.memory, nativeHigh(s), note);
}

/** GOMEMLIMIT against what the program needs and the container's limit. */
export const nativeGoMemLimit: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const s of servicesOf(plan, 'native')) {
    const st = s.settings;
    if (st.language !== 'go' || st.goMemLimit === 0) continue;
    if (s.limit !== null && st.goMemLimit > s.limit * GOMEMLIMIT_SHARE) {
      const v = roundDownSize(s.limit * GOMEMLIMIT_SHARE);
      out.push(finding('go-memlimit-over-limit', 'warning', s.name,
        `${s.name}'s GOMEMLIMIT (${fmt(st.goMemLimit)}) leaves under ${Math.round((1 - GOMEMLIMIT_SHARE) * 100)}% of its ${fmt(s.limit)} limit for memory the Go runtime does not count: the kernel kills it before the runtime collects.`,
        `Set ${s.name}'s GOMEMLIMIT to ${fmt(v)}.`, [setSize(s.name, 'settings.goMemLimit', v)]));
    } else if (st.goMemLimit < st.memory) {
      out.push(finding('go-memlimit-under-usage', 'warning', s.name,
        `${s.name}'s GOMEMLIMIT (${fmt(st.goMemLimit)}) is under its typical ${fmt(st.memory)}: the Go runtime collects continuously to stay under it (a death spiral of GC CPU, Go GC guide).`,
        `Raise ${s.name}'s GOMEMLIMIT to at least ${fmt(st.memory * 1.25)}.`, [setSize(s.name, 'settings.goMemLimit', Math.ceil(st.memory * 1.25))]));
    }
  }
  return out;
};

export const native: KindEngine<'native', typeof settings> = {
  kind: 'native',
  settings,
  enums: NATIVE_ENUMS,
  usage: nativeUsage,
  // assumed: a small Go binary
  starter: { name: 'native', limit: '128MiB', settings: {} },
  summary: ({ settings: st }) => `${st.language} · ${sizeFormat(st.memory)}${st.language === 'go' && st.goMemLimit > 0 ? ` · GOMEMLIMIT ${sizeFormat(st.goMemLimit)}` : ''}`,
  fields: [field.size('memory', 'memory (typical)'), field.choice('language', 'language'), field.size('goMemLimit', 'GOMEMLIMIT'), field.count('gogc', 'GOGC')],
  findings: [nativeGoMemLimit],
  // The catalogue's figure is documented, its missing figure assumed (catalogue.ts); any other value is the plan's own.
  basis: (s) => (s.observed ? 'observed' : catalogueBasis(s.settings.app, s.settings.memory, NATIVE_DEFAULTS.memory) ?? 'modelled'),
};
