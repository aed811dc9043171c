/**
 * A JVM service (Kafka, ZooKeeper, Elasticsearch / OpenSearch, Keycloak, Logstash, any `java -jar`):
 * the Java heap (-Xmx, or -XX:MaxRAMPercentage of the container's memory) plus what lives outside
 * it — class metadata, the JIT's code cache, thread stacks, direct buffers, the garbage collector's
 * own structures and the VM's internals. A heap at or over the limit can never run; heap plus the
 * rest over the limit is an OOM kill waiting for the heap to fill.
 */
import * as z from 'zod/mini';
import type { Plan, ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { between, count, settingsObject, sizeSchema, withDefault } from '../schema-blocks.ts';
import { component, usageOf } from '../usage.ts';
import { sizeFormat, withArticle } from '../units.ts';
import { roundDownSize, roundUpSize, smallestTidy } from '../policy.ts';
import { finding, fmt, servicesOf, setSize, type Rule } from '../findings/context.ts';
import { field, type KindEngine, type ModelContext, type TuneUnfit } from './kind.ts';

export const JVM_DEFAULTS = {
  heap: 0, // -Xmx unset: the JVM sizes the heap from -XX:MaxRAMPercentage of the memory it sees (java command docs, "Ergonomics")
  initialHeap: 0, // -Xms unset (java command docs)
  maxRamPercentage: 25, // -XX:MaxRAMPercentage default 25 (java command docs); checked here with -XX:MaxRAM and -XX:+PrintFlagsFinal (runtimes-real.test.ts)
  maxRam: 0, // -XX:MaxRAM unset: the container's limit (JDK 10+ UseContainerSupport), else the host's RAM
  metaspace: 32, // class metadata in use, CDS archive included: assumed for a server app (Kafka, Keycloak load tens of thousands of classes); measured here 15 MiB for a small HTTP server (NMT: 2.7 metaspace + 12 shared class space; calibration/jvm.json's plans say so)
  threads: 50, // assumed: request pools, GC and compiler threads of a small server (measured 39 for a 16-thread HTTP server here)
  directMemory: 0, // -XX:MaxDirectMemorySize unset: as large as the heap max (java command docs)
  directBuffers: 8, // direct (NIO) buffers in use: assumed for a server app; Kafka and Netty-based servers use more
  codeCache: 240, // -XX:ReservedCodeCacheSize default with tiered compilation: 240 MiB (read here: -XX:+PrintFlagsFinal, JDK 17; runtimes-real.test.ts)
} as const;

/** HotSpot's flag bounds: -XX:MaxRAMPercentage is a percentage in [0, 100] (globals.hpp); -Xmx
 * under 2 MiB is refused ("Too small maximum heap", measured here); ReservedCodeCacheSize at most
 * 2 GiB (globals.hpp, "Invalid ReservedCodeCacheSize"). Thread counts past 32,768 exceed Linux's
 * default pid_max. */
const heapSchema = z.pipe(sizeSchema, z.number().check(z.refine((v) => v === 0 || v >= 2, 'expected 0 (unset) or a heap of at least 2 MiB (the JVM refuses a smaller -Xmx)')));
const codeCacheSchema = z.pipe(sizeSchema, z.number().check(z.refine((v) => v >= 2.4 && v <= 2048, 'expected a code cache from 2.4 MiB to 2 GiB (HotSpot\'s bounds for -XX:ReservedCodeCacheSize)')));

const settings = settingsObject({
  heap: withDefault(heapSchema, JVM_DEFAULTS.heap),
  initialHeap: withDefault(heapSchema, JVM_DEFAULTS.initialHeap),
  maxRamPercentage: withDefault(between(0, 100, 'expected a percentage from 0 to 100 (-XX:MaxRAMPercentage)'), JVM_DEFAULTS.maxRamPercentage),
  maxRam: withDefault(sizeSchema, JVM_DEFAULTS.maxRam),
  metaspace: withDefault(sizeSchema, JVM_DEFAULTS.metaspace),
  threads: withDefault(count(1, 32_768), JVM_DEFAULTS.threads),
  directMemory: withDefault(sizeSchema, JVM_DEFAULTS.directMemory),
  directBuffers: withDefault(sizeSchema, JVM_DEFAULTS.directBuffers),
  codeCache: withDefault(codeCacheSchema, JVM_DEFAULTS.codeCache),
});

// ---------------------------------------------------------------------------------------------
// Ergonomics: the heap the JVM picks

/** HotSpot's default MaxHeapSize before the RAM percentages: 96 MiB scaled for 64-bit words (×1.3 =
 * 124.8, globals.hpp), aligned up to 126 MiB (measured here: -XX:MaxRAM=250m…400m all give 126 MiB, JDK 17). */
const ERGONOMIC_MAX_HEAP_MIB = { raw: 96 * 1.3, aligned: 126 } as const;
/** -XX:MinRAMPercentage default 50: the share used when half the memory is under that default (java command docs; arguments.cpp). */
const MIN_RAM_PERCENTAGE = 50;

/** The memory the JVM sizes itself from: -XX:MaxRAM, else the container's limit, else the host's RAM. */
export function jvmVisibleRam(s: ServiceOf<'jvm'>, hostRam: number): number {
  return s.settings.maxRam > 0 ? s.settings.maxRam : (s.limit ?? hostRam);
}

/**
 * The heap's maximum: -Xmx when set; else HotSpot's ergonomics (arguments.cpp, JDK 17): half the
 * memory when that is under the 126 MiB default, else MaxRAMPercentage of it but at least 126 MiB.
 * Checked against `java -XX:+PrintFlagsFinal` in jvm.test.ts.
 */
export function jvmMaxHeap(s: ServiceOf<'jvm'>, hostRam: number): number {
  if (s.settings.heap > 0) return s.settings.heap;
  const ram = jvmVisibleRam(s, hostRam);
  const min = (ram * MIN_RAM_PERCENTAGE) / 100;
  if (min < ERGONOMIC_MAX_HEAP_MIB.raw) return min;
  return Math.max((ram * s.settings.maxRamPercentage) / 100, ERGONOMIC_MAX_HEAP_MIB.aligned);
}

/** Where the heap size comes from, in words. */
export function jvmHeapSource(s: ServiceOf<'jvm'>): string {
  if (s.settings.heap > 0) return `-Xmx${sizeFormat(s.settings.heap)}`;
  const of = s.settings.maxRam > 0 ? `-XX:MaxRAM=${sizeFormat(s.settings.maxRam)}` : s.limit !== null ? 'the container limit' : "the host's RAM (no limit)";
  return `${s.settings.maxRamPercentage}% of ${of}`;
}

// ---------------------------------------------------------------------------------------------
// The model

/** Resident share of the heap's maximum. Measured here (calibration/jvm.json: an HTTP server with a
 * quarter of its heap retained, G1, under wrk, -Xmx 64/128/256m): PSS grows by 0.9 × the heap
 * between the cases, of which the garbage collector's share below is 0.03; the heap grows towards
 * -Xmx under steady allocation (G1's adaptive sizing, GCTimeRatio). Low: a JVM at rest with a
 * quarter of its heap in use (measured 77 MiB at rest for -Xmx128m). */
const HEAP_SHARE = { low: 0.25, typical: 0.87, high: 1 } as const;
/** G1's own structures (card table, mark bitmaps, remembered sets). NativeMemoryTracking here
 * (-Xmx128m) shows 41 MiB committed, 37 of it fixed; only the touched part is resident: fitted
 * here to the measured totals (calibration/jvm.json) as 10 MiB + 3% of the heap. High: all of it
 * touched, plus remembered sets of a pointer-heavy old generation at 10% of the heap (Oracle's G1
 * tuning guide names remembered sets as G1's main footprint cost; assumed). */
const GC_FIXED_MIB = { low: 6, typical: 10, high: 37 } as const;
const GC_SHARE = { low: 0.02, typical: 0.03, high: 0.1 } as const;
/** Symbols, the libjvm text, compiler arenas, malloc arenas: fitted here to the measured totals
 * (calibration/jvm.json; NMT lists 2 MiB of symbols and compiler memory, the rest is libjvm's
 * pages and glibc's arenas); high 48 assumed for a large app. */
const VM_INTERNAL_MIB = { low: 8, typical: 11, high: 48 } as const;
/** Code cache in use: measured here 7.5 MiB committed for a small server (NMT); large apps reach
 * 30–60 (assumed); the reservation (240 MiB) bounds it. */
const CODE_MIB = { low: 6, typical: 8, high: 64 } as const;
/** A thread's stack: 1 MiB reserved (-Xss default on Linux x64, java command docs), ~80 KiB
 * committed measured here (NMT: 39 threads, 2.9 MiB committed). */
const STACK_MIB = { low: 0.06, typical: 0.1, high: 1 } as const;
/** Metaspace spread around its typical: assumed 0.7× at rest, 1.5× after class loading peaks. */
const METASPACE_SPREAD = { low: 0.7, high: 1.5 } as const;
/** Direct buffers: none at rest, the set value typically, up to 4× in a burst (assumed), never past MaxDirectMemorySize. */
const DIRECT_HIGH = 4;

/** The direct-memory cap: -XX:MaxDirectMemorySize, else the heap's maximum (java command docs). */
export function jvmDirectCap(s: ServiceOf<'jvm'>, heap: number): number {
  return s.settings.directMemory > 0 ? s.settings.directMemory : heap;
}

/** Memory outside the heap at each point, for a heap of `heap` MiB. */
function nonHeap(s: ServiceOf<'jvm'>, heap: number) {
  const st = s.settings;
  const code = { low: Math.min(CODE_MIB.low, st.codeCache), typical: Math.min(CODE_MIB.typical, st.codeCache), high: Math.min(CODE_MIB.high, st.codeCache) };
  const directCap = jvmDirectCap(s, heap);
  const direct = { low: 0, typical: Math.min(st.directBuffers, directCap), high: Math.min(st.directBuffers * DIRECT_HIGH, directCap) };
  return {
    metaspace: { low: st.metaspace * METASPACE_SPREAD.low, typical: st.metaspace, high: st.metaspace * METASPACE_SPREAD.high },
    code,
    stacks: { low: st.threads * STACK_MIB.low, typical: st.threads * STACK_MIB.typical, high: st.threads * STACK_MIB.high },
    direct,
    gc: { low: GC_FIXED_MIB.low + heap * GC_SHARE.low, typical: GC_FIXED_MIB.typical + heap * GC_SHARE.typical, high: GC_FIXED_MIB.high + heap * GC_SHARE.high },
    internal: VM_INTERNAL_MIB,
  };
}

export function jvmUsage(s: ServiceOf<'jvm'>, ctx: ModelContext): Usage {
  const heap = jvmMaxHeap(s, ctx.plan.host.ram);
  const initial = Math.min(s.settings.initialHeap, heap);
  const n = nonHeap(s, heap);
  const heapLow = Math.max(initial, heap * HEAP_SHARE.low);
  return usageOf([
    component('heap', heapLow, Math.max(heapLow, heap * HEAP_SHARE.typical), heap * HEAP_SHARE.high, `max ${Math.round(heap)} MiB: ${jvmHeapSource(s)}`),
    component('metaspace', n.metaspace.low, n.metaspace.typical, n.metaspace.high),
    component('code cache', n.code.low, n.code.typical, n.code.high, `${Math.round(s.settings.codeCache)} MiB reserved`),
    component('thread stacks', n.stacks.low, n.stacks.typical, n.stacks.high, `${s.settings.threads} threads × 1 MiB reserved`),
    component('direct buffers', n.direct.low, n.direct.typical, n.direct.high, `up to ${Math.round(jvmDirectCap(s, heap))} MiB (MaxDirectMemorySize)`),
    component('garbage collector', n.gc.low, n.gc.typical, n.gc.high),
    component('vm internals', n.internal.low, n.internal.typical, n.internal.high),
  ]);
}

/** The model's high usage outside the heap for a heap of `heap` MiB (direct buffers included). */
function nonHeapHigh(s: ServiceOf<'jvm'>, heap: number): number {
  const n = nonHeap(s, heap);
  return n.metaspace.high + n.code.high + n.stacks.high + n.direct.high + n.gc.high + n.internal.high;
}

// ---------------------------------------------------------------------------------------------
// Tuning: the heap from the limit

/** The largest heap whose high usage (the heap full, and everything outside it) fits `limit`: the model solved for the heap. */
export function jvmSafeHeap(s: ServiceOf<'jvm'>, limit: number): number {
  // nonHeapHigh grows with the heap (the GC's share; direct buffers when capped by the heap), so search.
  let lo = 0;
  let hi = limit;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (mid * HEAP_SHARE.high + nonHeapHigh(s, mid) <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The smallest heap worth running: 16 MiB. Assumed: below it even a small server spends its time in GC. */
export const JVM_MIN_HEAP = 16;

export type JvmTune = {
  limit: number | null;
  /** The heap the plan runs with (its -Xmx or the ergonomic size), MiB. */
  plannedHeap: number;
  /** The largest heap the model fits in the limit at the high end; null without a limit. */
  safeHeap: number | null;
  /** That value rounded down to a tidy size, as the finding advises; null without a limit or when none fits. */
  recommendedHeap: number | null;
  fits: boolean;
  minLimit: number | null;
  explain: string;
};

function jvmPlanned(plan: Plan, s: ServiceOf<'jvm'>): number {
  return jvmMaxHeap(s, plan.host.ram);
}

export function tuneJvm(plan: Plan, s: ServiceOf<'jvm'>): JvmTune {
  const plannedHeap = jvmPlanned(plan, s);
  if (s.limit === null) return { limit: null, plannedHeap, safeHeap: null, recommendedHeap: null, fits: true, minLimit: null, explain: 'no container limit: the heap cannot be derived from it' };
  const safe = jvmSafeHeap(s, s.limit);
  const fits = safe >= JVM_MIN_HEAP;
  const rec = fits ? roundDownSize(safe) : null;
  const minLimit = fits ? null : jvmLimitFor(s, JVM_MIN_HEAP);
  return {
    limit: s.limit, plannedHeap, safeHeap: safe, recommendedHeap: rec, fits, minLimit,
    explain: rec !== null
      ? `-Xmx${Math.round(rec)}m leaves ${sizeFormat(s.limit - rec)} of the ${sizeFormat(s.limit)} limit for metaspace, code cache, ${s.settings.threads} thread stacks, direct buffers and the garbage collector at their high end`
      : `the ${sizeFormat(s.limit)} limit leaves no room for ${withArticle(sizeFormat(JVM_MIN_HEAP))} heap beside the JVM's own memory: the limit needs to be at least ${sizeFormat(minLimit ?? 0)}`,
  };
}

/** The smallest tidy limit whose safe heap reaches `heap`. */
export function jvmLimitFor(s: ServiceOf<'jvm'>, heap: number): number {
  return smallestTidy(roundUpSize(heap * HEAP_SHARE.high + nonHeapHigh(s, heap)), (limit) => jvmSafeHeap(s, limit) >= heap);
}

function jvmUnfit(s: ServiceOf<'jvm'>, t: JvmTune): TuneUnfit[] {
  return t.fits ? [] : [{ service: s.name, kind: 'jvm', reason: 'limit', limitMiB: s.limit, minLimitMiB: t.minLimit, message: `${s.name}: ${t.explain}` }];
}

// ---------------------------------------------------------------------------------------------
// Findings

/** The heap against the limit: at or over it the JVM is killed as the heap fills; heap plus the rest over it at high load. */
export const jvmMemory: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const s of servicesOf(plan, 'jvm')) {
    const heap = jvmMaxHeap(s, plan.host.ram);
    if (s.limit === null) {
      if (s.settings.heap === 0 && s.settings.maxRam === 0) {
        out.push(finding('jvm-heap-from-host', 'warning', s.name,
          `${s.name} has no memory limit and no -Xmx: the JVM sizes its heap from the host's ${fmt(plan.host.ram)} (${s.settings.maxRamPercentage}% = ${fmt(heap)}), not from what the stack can give it.`,
          `Set a memory limit for ${s.name} and a heap that fits it (-Xmx, through the image's JAVA_OPTS-style variable).`));
      }
      continue;
    }
    const safe = jvmSafeHeap(s, s.limit);
    const rec = safe >= JVM_MIN_HEAP ? roundDownSize(safe) : null;
    const fix = rec !== null ? [setSize(s.name, 'settings.heap', rec)] : [];
    const fixText = rec !== null ? `Set ${s.name}'s heap to ${fmt(rec)} (-Xmx${Math.round(rec)}m), or raise its limit to ${fmt(jvmLimitFor(s, heap))}.` : `Raise ${s.name}'s limit to at least ${fmt(jvmLimitFor(s, JVM_MIN_HEAP))}.`;
    if (heap >= s.limit) {
      out.push(finding('jvm-heap-over-limit', 'critical', s.name,
        `${s.name}'s heap (${fmt(heap)}, ${jvmHeapSource(s)}) is at or over its ${fmt(s.limit)} limit: the container is OOM-killed before the heap is full, with metaspace, code cache, threads and the garbage collector on top.`,
        fixText, fix));
    } else if (heap > safe + 0.5) {
      out.push(finding('jvm-nonheap-room', 'warning', s.name,
        `${s.name}'s heap (${fmt(heap)}, ${jvmHeapSource(s)}) leaves ${fmt(s.limit - heap)} of its ${fmt(s.limit)} limit for everything outside the heap, which can reach ${fmt(nonHeapHigh(s, heap))} (metaspace, code cache, ${s.settings.threads} thread stacks, direct buffers, the garbage collector): an OOM kill once the heap fills.`,
        fixText, fix));
    }
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// The kind

export const jvm: KindEngine<'jvm', typeof settings, JvmTune> = {
  kind: 'jvm',
  settings,
  usage: jvmUsage,
  // assumed: a small JVM service with a 256 MiB heap
  starter: { name: 'jvm', limit: '512MiB', settings: { heap: '256MiB' } },
  summary: (s) => `heap ${s.settings.heap > 0 ? sizeFormat(s.settings.heap) : `${s.settings.maxRamPercentage}% of ${s.settings.maxRam > 0 ? sizeFormat(s.settings.maxRam) : 'the limit'}`} · ${s.settings.threads} threads`,
  fields: [
    field.size('heap', 'heap (-Xmx)'), field.size('initialHeap', 'initial heap (-Xms)'), { key: 'maxRamPercentage', label: 'MaxRAMPercentage', type: 'number', optional: true },
    field.size('metaspace', 'metaspace in use'), field.count('threads', 'threads'), field.size('directBuffers', 'direct buffers in use'),
    field.size('directMemory', 'MaxDirectMemorySize'), field.size('codeCache', 'ReservedCodeCacheSize'), field.size('maxRam', 'MaxRAM'),
  ],
  findings: [jvmMemory],
  tuning: {
    tune: tuneJvm,
    apply: (s, t) => (t.recommendedHeap === null ? s : { ...s, settings: { ...s.settings, heap: t.recommendedHeap, initialHeap: Math.min(s.settings.initialHeap, t.recommendedHeap) } }),
    unfit: jvmUnfit,
    settle: (plan, s, t) => ({ ...t, plannedHeap: jvmPlanned(plan, s) }),
    minLimit: (s) => jvmLimitFor(s, s.settings.heap > 0 ? s.settings.heap : JVM_MIN_HEAP),
  },
};
