/**
 * Dragonfly: a multi-threaded Redis-compatible store. Its data is bounded by --maxmemory, which
 * defaults to the memory it detects (the container's limit); each proactor thread needs 256 MiB
 * of it; its snapshots do not fork. No Debian package here: constants from its docs, none measured.
 */
import * as z from 'zod/mini';
import type { ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { bool, count, settingsObject, sizeSchema, withDefault } from '../schema-blocks.ts';
import { component, usageOf } from '../usage.ts';
import { sizeFormat } from '../units.ts';
import { finding, fmt, servicesOf, setSize, type Rule } from '../findings/context.ts';
import { field, type KindEngine } from './kind.ts';
import { sizeWithin } from './bounds.ts';
import { limitTooSmall, settingTuning, tuneSetting, type SettingModel, type SettingTune } from './memory-setting.ts';

export const DRAGONFLY_DEFAULTS = {
  cores: 2, // assumed: --proactor_threads defaults to the host's cores; a small host has 2
  cacheMode: false, // --cache_mode=false (Dragonfly docs, flags)
  appData: 64, // assumed: as Redis's (kinds/redis.ts)
} as const;

/** "maxmemory ... needs at least 256MiB per thread": Dragonfly refuses to start below it (its startup check, dragonfly docs). */
export const DRAGONFLY_PER_THREAD_MIB = 256;

const settings = settingsObject({
  // --maxmemory: absent or 0 = the memory Dragonfly detects (the container's limit, else the host's RAM).
  maxmemory: z.optional(sizeWithin(0, 64 * 1048576, '--maxmemory')),
  threads: z.optional(count(1, 1024)),
  cores: withDefault(count(1, 1024), DRAGONFLY_DEFAULTS.cores),
  cacheMode: withDefault(bool, DRAGONFLY_DEFAULTS.cacheMode),
  appData: withDefault(sizeSchema, DRAGONFLY_DEFAULTS.appData),
});

/** The process and each thread's shard and fibers: assumed 20 / 30 / 60 MiB plus 4 / 8 / 16 per thread. */
const BASE_MIB = { low: 20, typical: 30, high: 60 } as const;
const THREAD_MIB = { low: 4, typical: 8, high: 16 } as const;
/** Data over maxmemory before eviction or OOM errors catch up: assumed 2%, as for Redis. No fork
 * for snapshots (Dragonfly README: no visible memory increase while snapshotting), so no copy-on-write. */
const OVERSHOOT = 1.02;

export const dragonflyThreads = (s: ServiceOf<'dragonfly'>) => s.settings.threads ?? s.settings.cores;

/** maxmemory in effect, MiB. */
export function dragonflyMaxmemory(s: ServiceOf<'dragonfly'>, hostRam: number): number {
  const mm = s.settings.maxmemory;
  return mm !== undefined && mm > 0 ? mm : (s.limit ?? hostRam);
}

export function dragonflyUsage(s: ServiceOf<'dragonfly'>, hostRam: number): Usage {
  const mm = dragonflyMaxmemory(s, hostRam);
  const threads = dragonflyThreads(s);
  const data = s.settings.cacheMode ? mm : Math.min(mm, s.settings.appData);
  return usageOf([
    component('data', Math.min(mm, s.settings.appData * 0.5), data, mm * OVERSHOOT, `maxmemory ${sizeFormat(mm)}${s.settings.maxmemory ? '' : ' (the memory it detects)'}`),
    component('process', BASE_MIB.low, BASE_MIB.typical, BASE_MIB.high),
    component('threads', threads * THREAD_MIB.low, threads * THREAD_MIB.typical, threads * THREAD_MIB.high, `${threads} proactor threads`),
  ]);
}

export const DRAGONFLY_MAXMEMORY: SettingModel<'dragonfly'> = {
  kind: 'dragonfly',
  key: 'maxmemory',
  label: '--maxmemory',
  min: (s) => DRAGONFLY_PER_THREAD_MIB * dragonflyThreads(s),
  max: 64 * 1048576,
  planned: (s) => (s.limit === null ? (s.settings.maxmemory || null) : dragonflyMaxmemory(s, s.limit)),
  high: (s, v) => dragonflyUsage({ ...s, settings: { ...s.settings, maxmemory: v } }, 0).high,
  why: 'data at maxmemory, the process and its threads',
};

export const dragonflyMemory: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const d of servicesOf(plan, 'dragonfly')) {
    const mm = dragonflyMaxmemory(d, plan.host.ram);
    const threads = dragonflyThreads(d);
    if (mm < DRAGONFLY_PER_THREAD_MIB * threads) {
      const fits = Math.max(1, Math.floor(mm / DRAGONFLY_PER_THREAD_MIB));
      out.push(finding('dragonfly-maxmemory-per-thread', 'critical', d.name,
        `${d.name}: maxmemory ${fmt(mm)} is under 256 MiB for each of its ${threads} threads: Dragonfly refuses to start.`,
        `Set ${d.name} --proactor_threads to ${fits}${mm < DRAGONFLY_PER_THREAD_MIB ? ' and its limit to at least 256 MiB more than its overhead' : ''}.`, [{ service: d.name, key: 'settings.threads', value: fits }]));
      continue;
    }
    if (d.limit === null) continue;
    const t = tuneSetting(DRAGONFLY_MAXMEMORY, d);
    out.push(...limitTooSmall(DRAGONFLY_MAXMEMORY, d, t));
    if (t.recommended !== null && !t.plannedSafe) {
      out.push(finding('dragonfly-maxmemory-over-limit', 'critical', d.name,
        `${d.name}'s maxmemory is ${fmt(mm)}${d.settings.maxmemory ? '' : ' (by default, the whole limit it detects)'}: data can grow to it, and the process and its ${threads} threads come on top of the ${fmt(d.limit)} limit.`,
        `Set ${d.name} maxmemory (--maxmemory) to ${fmt(t.recommended)}.`, [setSize(d.name, 'settings.maxmemory', t.recommended)]));
    }
  }
  return out;
};

export const dragonfly: KindEngine<'dragonfly', typeof settings, SettingTune> = {
  kind: 'dragonfly',
  settings,
  usage: (s, ctx) => dragonflyUsage(s, ctx.plan.host.ram),
  starter: { limit: '768MiB', settings: { maxmemory: '512MiB', threads: 2 } },
  summary: (s) => `maxmemory ${s.settings.maxmemory ? sizeFormat(s.settings.maxmemory) : 'auto'} · ${dragonflyThreads(s)} threads${s.settings.cacheMode ? ' · cache mode' : ''}`,
  fields: [field.size('maxmemory', '--maxmemory'), field.count('threads', '--proactor_threads'), field.count('cores', 'host cores'), field.bool('cacheMode', '--cache_mode'), field.size('appData', 'data')],
  findings: [dragonflyMemory],
  tuning: settingTuning(DRAGONFLY_MAXMEMORY),
};
