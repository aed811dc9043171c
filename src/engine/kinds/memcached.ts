/**
 * memcached: item memory bounded by -m (a cache in service fills it and evicts), the hash table
 * over its items, worker threads and connections, and the process itself.
 */
import type { ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { count, settingsObject, withDefault } from '../schema-blocks.ts';
import { component, usageOf } from '../usage.ts';
import { sizeFormat } from '../units.ts';
import { finding, fmt, servicesOf, setSize, type Rule } from '../findings/context.ts';
import { field, type KindEngine } from './kind.ts';
import { sizeWithin } from './bounds.ts';
import { settingTuning, tuneSetting, type SettingModel, type SettingTune } from './memory-setting.ts';

export const MEMCACHED_DEFAULTS = {
  memory: 64, // -m 64 (memcached -h: "item memory in megabytes (default: 64)")
  maxConnections: 1024, // -c 1024 (memcached -h)
  threads: 4, // -t 4 (memcached -h)
  clients: 10, // assumed: an app's pool of ~10 connections
  itemSize: 1, // assumed: 1 KiB per item on average (a session, a rendered fragment), in KiB
} as const;

const settings = settingsObject({
  // -m: memcached takes whole megabytes; 1 is the least it accepts (assumed; it refuses 0 as "no memory").
  memory: withDefault(sizeWithin(1, 64 * 1048576, '-m (item memory)'), MEMCACHED_DEFAULTS.memory),
  maxConnections: withDefault(count(1, 1_000_000), MEMCACHED_DEFAULTS.maxConnections),
  threads: withDefault(count(1, 256), MEMCACHED_DEFAULTS.threads),
  clients: withDefault(count(0, 1_000_000), MEMCACHED_DEFAULTS.clients),
  // The average item (key + value + ~50-byte header), KiB: from 48 bytes to the 1 MiB default -I.
  itemSize: withDefault(sizeWithin(48 / 1048576, 1024 / 1024, 'average item size'), MEMCACHED_DEFAULTS.itemSize / 1024),
});

// ---------------------------------------------------------------------------------------------
// The model

/** The process without items: measured here, memcached 1.6 idle (calibration/memcached.json). */
const BASE_MIB = { low: 2, typical: 3, high: 6 } as const;
/** Per worker thread: its stats, caches and the touched part of its stack (measured here). */
const THREAD_MIB = 0.25;
/** Per open connection: the conn struct and its read buffer (measured here). */
const CONNECTION_MIB = { typical: 0.02, high: 0.06 } as const;
/** The hash table: 8 bytes per bucket, doubled when items reach 1.5 × buckets (memcached assoc.c),
 * from 2^16 buckets (hashpower 16); the smallest item chunk is 96 bytes (memcached -vv slab classes). */
const HASH_START_BUCKETS = 65536;
const SMALLEST_ITEM_BYTES = 96;
/** Slab pages of 1 MiB each; part of -m's item memory sits in partly filled pages of other slab
 * classes, counted inside -m (memcached protocol docs). The share of -m resident right after start: assumed. */
const FILL_LOW = 0.25;

/** Bytes of the hash table for `items` items. */
export function hashTableMib(items: number): number {
  let buckets = HASH_START_BUCKETS;
  while (items > buckets * 1.5) buckets *= 2;
  return (buckets * 8) / 1048576;
}

export function memcachedUsage(s: ServiceOf<'memcached'>): Usage {
  const { memory, maxConnections, threads, clients, itemSize } = s.settings;
  const itemsTyp = (memory * 1048576) / (itemSize * 1048576);
  const itemsHigh = (memory * 1048576) / SMALLEST_ITEM_BYTES;
  const open = Math.min(clients, maxConnections);
  return usageOf([
    component('items', memory * FILL_LOW, memory, memory, `-m ${sizeFormat(memory)}: a cache in service fills it`),
    component('hash table', hashTableMib(itemsTyp * FILL_LOW), hashTableMib(itemsTyp), hashTableMib(itemsHigh), 'grows with the number of items'),
    component('process', BASE_MIB.low, BASE_MIB.typical, BASE_MIB.high),
    component('threads', threads * THREAD_MIB, threads * THREAD_MIB, threads * THREAD_MIB, `-t ${threads}`),
    component('connections', (open / 2) * CONNECTION_MIB.typical, open * CONNECTION_MIB.typical, maxConnections * CONNECTION_MIB.high, `${open} open, -c ${maxConnections}`),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Tuning: -m from the limit

export const MEMCACHED_MEMORY: SettingModel<'memcached'> = {
  kind: 'memcached',
  key: 'memory',
  label: '-m',
  min: () => 1,
  max: 64 * 1048576,
  planned: (s) => s.settings.memory,
  high: (s, v) => memcachedUsage({ ...s, settings: { ...s.settings, memory: v } }).high,
  why: 'items at -m, the hash table of the smallest items, threads and every connection slot',
};

export const memcachedMemory: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const m of servicesOf(plan, 'memcached')) {
    const t = tuneSetting(MEMCACHED_MEMORY, m);
    if (m.limit === null || t.recommended === null || t.plannedSafe) continue;
    out.push(finding('memcached-memory-over-limit', m.settings.memory >= m.limit ? 'critical' : 'warning', m.name,
      `${m.name}'s -m ${fmt(m.settings.memory)} is item memory alone: with its hash table, threads and connections it does not fit its ${fmt(m.limit)} limit once the cache is full.`,
      `Set ${m.name} memory (-m) to ${fmt(t.recommended)}.`, [setSize(m.name, 'settings.memory', t.recommended)]));
  }
  return out;
};

export const memcached: KindEngine<'memcached', typeof settings, SettingTune> = {
  kind: 'memcached',
  settings,
  usage: (s) => memcachedUsage(s),
  starter: { limit: '128MiB', settings: { memory: '64MiB' } },
  summary: ({ settings: st }) => `-m ${sizeFormat(st.memory)} · -c ${st.maxConnections} · -t ${st.threads}`,
  fields: [field.size('memory', '-m (item memory)'), field.count('maxConnections', '-c (max connections)'), field.count('threads', '-t (threads)'), field.count('clients', 'open connections'), field.size('itemSize', 'average item size')],
  findings: [memcachedMemory],
  tuning: settingTuning(MEMCACHED_MEMORY),
};
