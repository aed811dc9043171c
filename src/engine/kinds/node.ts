/**
 * A Node.js service (`node`, `npm start`, `next start`, pm2-runtime, images FROM node): one or more
 * processes (cluster / pm2 instances), each a baseline plus its V8 heap. V8 grows the heap with its
 * live set (processHigh below), and its heap limit is the ceiling: a heap limit the container
 * cannot hold turns a growing live set into an OOM kill instead of a JavaScript heap error.
 */
import * as z from 'zod/mini';
import type { Plan, ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { count, oneOf, settingsObject, sizeSchema, withDefault } from '../schema-blocks.ts';
import { usageOf } from '../usage.ts';
import { sizeFormat, withArticle } from '../units.ts';
import { roundDownSize, roundUpSize } from '../policy.ts';
import { finding, fmt, servicesOf, setSize, type Rule } from '../findings/context.ts';
import { PROCESS_SPREAD, processesPart } from './processes.ts';
import { field, type KindEngine, type ModelContext, type TuneUnfit } from './kind.ts';
import { catalogueBasis, CATALOGUE_IDS } from '../catalogue.ts';
import { NODE_DEFAULTS } from './node-defaults.ts';

export { NODE_DEFAULTS };

const settings = settingsObject({
  processes: withDefault(count(1, 1024), NODE_DEFAULTS.processes),
  perProcess: withDefault(sizeSchema, NODE_DEFAULTS.perProcess),
  maxOldSpace: withDefault(sizeSchema, NODE_DEFAULTS.maxOldSpace),
  // The application image in Headroom's catalogue (engine/catalogue.ts) its memory per process comes from.
  app: z.optional(oneOf(CATALOGUE_IDS)),
});

// ---------------------------------------------------------------------------------------------
// V8's heap limit

/** V8's default old-space limit: a quarter of the memory it sees (Heap::HeapSizeFromPhysicalMemory,
 * kPhysicalMemoryToMaxOldGenerationRatio 4), at least 256 MiB and at most 4 GiB on 64-bit without
 * pointer compression, as Node builds it. Measured here: 4096 MiB on a 24 GiB host (Node 20.20);
 * a 256 MiB container reports 262 MiB (nodejs/node#64646). Node reads the container's limit
 * (nodejs/node#27508, cgroup v1 since Node 12; cgroup v2 since libuv 1.45, Node 20: nodejs/node#47259). */
const DEFAULT_OLD_SPACE = { share: 1 / 4, min: 256, max: 4096 } as const;
/** The young generation on top of the old space: heap_size_limit = --max-old-space-size + 48 MiB,
 * measured here (Node 20.20, 128…2048 MiB). */
export const NODE_YOUNG_MIB = 48;
/** A process's memory outside the V8 heap (code, the binary, libuv, OpenSSL, buffers): measured here
 * 44 MiB RSS at rest with a ~4 MiB heap (calibration/node.json, Node 20.20), so ~40; high 70 for
 * Buffers and native modules (assumed). */
export const NODE_NONHEAP_MIB = { low: 35, typical: 40, high: 70 } as const;
/** Node's own memory under load beside what the app keeps: measured here 57.6 MiB RSS for an HTTP
 * server with nothing retained under wrk (calibration/node.json): the ~40 above plus a young
 * generation in use and V8's heap slack; rounded to 56. Memory per process = this + the app's heap. */
export const NODE_BASELINE_MIB = 56;
/** Resident memory per MiB the app keeps live on the V8 heap (heapUsed after a full GC): V8 commits
 * old space ahead of use (its heap growing factor). Measured here 2.0 at 28 MiB live and 1.5 at
 * 87 MiB (calibration/node.json); 1.7 between. Memory per process ≈ NODE_BASELINE_MIB + live heap × this. */
export const NODE_HEAP_RESIDENT_PER_LIVE = 1.7;
/** What load adds to a process at rest (the young generation in use): measured here 57.6 − 43.7 ≈ 14 MiB. */
const NODE_LOAD_MIB = 14;

/** The memory Node sees: the container's limit, else the host's RAM. */
function nodeVisibleRam(s: ServiceOf<'node'>, hostRam: number): number {
  return s.limit ?? hostRam;
}

/** The old-space limit of one process: --max-old-space-size, or V8's default from the memory it sees. */
export function nodeOldSpace(s: ServiceOf<'node'>, hostRam: number): number {
  if (s.settings.maxOldSpace > 0) return s.settings.maxOldSpace;
  const ram = nodeVisibleRam(s, hostRam);
  return Math.min(DEFAULT_OLD_SPACE.max, Math.max(DEFAULT_OLD_SPACE.min, ram * DEFAULT_OLD_SPACE.share));
}

/** V8's heap_size_limit of one process: old space plus the young generation. */
export function nodeHeapLimit(s: ServiceOf<'node'>, hostRam: number): number {
  return nodeOldSpace(s, hostRam) + NODE_YOUNG_MIB;
}

/** The heap limit's ceiling on one process: its memory outside the heap plus a heap at its limit. */
function processCeiling(oldSpace: number): number {
  return NODE_NONHEAP_MIB.high + oldSpace + NODE_YOUNG_MIB;
}

/**
 * The most one process reaches: its typical size grown by the spread every process kind uses
 * (processes.ts, 1.4×), never past the ceiling its heap limit sets. The heap limit is a ceiling,
 * not where the heap goes: V8 sets the next full GC from the live heap × a growing factor
 * (v8 src/heap/heap-controller.cc: 1.1–4), so a process with a small live set stays small on a
 * large host. Measured here: Node 20.20 with no --max-old-space-size on a 24 GiB host (heap limit
 * 4144 MiB) allocating 4000 MiB of garbage over a live set of 40–86 MiB peaked at 290 MiB RSS
 * (2026-12-02); an HTTP server under wrk held 57.6 MiB (calibration/node.json). A live set that
 * grows (a leak, a cache without bound) does reach the limit: the findings name that, not the usage.
 */
function processHigh(s: ServiceOf<'node'>, oldSpace: number): number {
  return Math.max(s.settings.perProcess, Math.min(s.settings.perProcess * PROCESS_SPREAD.high, processCeiling(oldSpace)));
}

export function nodeUsage(s: ServiceOf<'node'>, ctx: ModelContext): Usage {
  const oldSpace = nodeOldSpace(s, ctx.plan.host.ram);
  const src = s.settings.maxOldSpace > 0 ? `--max-old-space-size=${Math.round(oldSpace)}` : `V8's default from ${s.limit !== null ? 'the limit' : "the host's RAM"}`;
  const high = processHigh(s, oldSpace);
  const part = processesPart('processes', s.settings.processes, s.settings.perProcess, high);
  // At rest a process lacks the young generation's load share (measured), or 0.8× its size if less.
  const lowPer = Math.min(s.settings.perProcess * 0.8, Math.max(s.settings.perProcess - NODE_LOAD_MIB, NODE_NONHEAP_MIB.low));
  part.low = Math.min(part.low, s.settings.processes * lowPer);
  return usageOf([{ ...part, note: `${part.note}; heap limit ${Math.round(oldSpace)} MiB old space (${src}) + ${NODE_YOUNG_MIB} MiB young generation per process: a ceiling, reached only by a live set that grows` }]);
}

// ---------------------------------------------------------------------------------------------
// Tuning: --max-old-space-size from the limit

/** The smallest old space worth running: 32 MiB. Assumed: under it an app's own code and caches barely fit. */
export const NODE_MIN_OLD_SPACE = 32;

/** The largest old space whose processes at their high end fit `limit`: the model solved for it. */
export function nodeSafeOldSpace(s: ServiceOf<'node'>, limit: number): number {
  return limit / s.settings.processes - NODE_NONHEAP_MIB.high - NODE_YOUNG_MIB;
}

export function nodeLimitFor(s: ServiceOf<'node'>, oldSpace: number): number {
  return roundUpSize(s.settings.processes * Math.max(s.settings.perProcess * 1.4, NODE_NONHEAP_MIB.high + oldSpace + NODE_YOUNG_MIB));
}

export type NodeTune = {
  limit: number | null;
  plannedOldSpace: number;
  safeOldSpace: number | null;
  recommendedOldSpace: number | null;
  fits: boolean;
  minLimit: number | null;
  explain: string;
};

export function tuneNode(plan: Plan, s: ServiceOf<'node'>): NodeTune {
  const plannedOldSpace = nodeOldSpace(s, plan.host.ram);
  if (s.limit === null) return { limit: null, plannedOldSpace, safeOldSpace: null, recommendedOldSpace: null, fits: true, minLimit: null, explain: 'no container limit: the heap limit cannot be derived from it' };
  const safe = nodeSafeOldSpace(s, s.limit);
  // The heap must also hold what a process typically keeps (its size past the baseline).
  const need = Math.max(NODE_MIN_OLD_SPACE, s.settings.perProcess - NODE_NONHEAP_MIB.typical);
  const fits = safe >= need;
  const rec = fits ? roundDownSize(safe) : null;
  const minLimit = fits ? null : nodeLimitFor(s, need);
  const per = s.settings.processes > 1 ? ` each of ${s.settings.processes} processes` : '';
  return {
    limit: s.limit, plannedOldSpace, safeOldSpace: safe, recommendedOldSpace: rec, fits, minLimit,
    explain: rec !== null
      ? `--max-old-space-size=${Math.round(rec)} keeps${per} a heap grown to its limit, the young generation (${sizeFormat(NODE_YOUNG_MIB)}) and up to ${sizeFormat(NODE_NONHEAP_MIB.high)} outside the heap within the ${sizeFormat(s.limit)} limit`
      : `the ${sizeFormat(s.limit)} limit cannot hold ${s.settings.processes} process(es) with a heap of at least ${sizeFormat(need)}: the limit needs to be at least ${sizeFormat(minLimit ?? 0)}`,
  };
}

function nodeUnfit(s: ServiceOf<'node'>, t: NodeTune): TuneUnfit[] {
  return t.fits ? [] : [{ service: s.name, kind: 'node', reason: 'limit', limitMiB: s.limit, minLimitMiB: t.minLimit, message: `${s.name}: ${t.explain}` }];
}

// ---------------------------------------------------------------------------------------------
// Findings

/** V8's heap limit against the container's: a heap allowed past the limit grows into an OOM kill. */
export const nodeHeapLimitRule: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const s of servicesOf(plan, 'node')) {
    const t = tuneNode(plan, s);
    const heapLimit = nodeHeapLimit(s, plan.host.ram);
    const n = s.settings.processes;
    if (s.limit === null) {
      if (s.settings.maxOldSpace === 0) {
        out.push(finding('node-heap-from-host', 'warning', s.name,
          `${s.name} has no memory limit and no --max-old-space-size: V8 lets each process's heap grow to ${fmt(heapLimit)} (a quarter of the host's ${fmt(plan.host.ram)}) before collecting hard.`,
          `Set a memory limit for ${s.name} and --max-old-space-size in NODE_OPTIONS.`));
      }
      continue;
    }
    if (t.safeOldSpace === null || t.plannedOldSpace <= t.safeOldSpace + 0.5) continue;
    const total = n * (NODE_NONHEAP_MIB.typical + heapLimit);
    const severity = n * heapLimit >= s.limit ? 'critical' : 'warning';
    const fix = t.recommendedOldSpace !== null ? [setSize(s.name, 'settings.maxOldSpace', t.recommendedOldSpace)] : [];
    out.push(finding('node-heap-over-limit', severity, s.name,
      `${s.name}'s V8 heap may grow to ${fmt(heapLimit)}${n > 1 ? ` in each of ${n} processes` : ''} (${s.settings.maxOldSpace > 0 ? `--max-old-space-size=${Math.round(s.settings.maxOldSpace)}` : 'the default from the container limit'}): with the process's own ${fmt(NODE_NONHEAP_MIB.typical)} that is ${fmt(total)} against ${withArticle(fmt(s.limit))} limit, so the kernel kills it before V8 collects hard.`,
      t.recommendedOldSpace !== null
        ? `Set ${s.name}'s --max-old-space-size to ${Math.round(t.recommendedOldSpace)} (NODE_OPTIONS), or raise its limit to ${fmt(nodeLimitFor(s, t.plannedOldSpace))}.`
        : `Raise ${s.name}'s limit to at least ${fmt(t.minLimit ?? 0)}.`,
      fix));
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// The kind

export const node: KindEngine<'node', typeof settings, NodeTune> = {
  kind: 'node',
  settings,
  usage: nodeUsage,
  // assumed: one small Node process
  starter: { name: 'node', limit: '256MiB', settings: { maxOldSpace: '128MiB' } },
  summary: ({ settings: st }) => `${st.processes > 1 ? `${st.processes} × ` : ''}${sizeFormat(st.perProcess)} · heap ${st.maxOldSpace > 0 ? sizeFormat(st.maxOldSpace) : 'default'}`,
  fields: [field.size('maxOldSpace', '--max-old-space-size'), field.count('processes', 'processes'), field.size('perProcess', 'memory per process')],
  findings: [nodeHeapLimitRule],
  // The catalogue's figure is documented, its missing figure assumed (catalogue.ts); any other value is the plan's own.
  basis: (s) => (s.observed ? 'observed' : catalogueBasis(s.settings.app, s.settings.perProcess, NODE_DEFAULTS.perProcess) ?? 'modelled'),
  tuning: {
    tune: tuneNode,
    apply: (s, t) => (t.recommendedOldSpace === null ? s : { ...s, settings: { ...s.settings, maxOldSpace: t.recommendedOldSpace } }),
    unfit: nodeUnfit,
    settle: (plan, s, t) => ({ ...t, plannedOldSpace: nodeOldSpace(s, plan.host.ram) }),
    minLimit: (s) => nodeLimitFor(s, s.settings.maxOldSpace > 0 ? s.settings.maxOldSpace : Math.max(NODE_MIN_OLD_SPACE, s.settings.perProcess - NODE_NONHEAP_MIB.typical)),
  },
};
