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
import { limitTooSmall, settingTuning, tuneSetting, type SettingModel, type SettingTune } from './memory-setting.ts';

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

/** The process without items: 4 MiB measured here (memcached 1.6.18 at -m 32/64/128, RSS less
 * items, hash table and threads: 4.0–4.3 MiB; calibration/memcached.json); low and high assumed around it. */
const BASE_MIB = { low: 3, typical: 4, high: 8 } as const;
/** Per worker thread: its stats, caches and the touched part of its stack (assumed; inside the measured 4–5 MiB at -t 4). */
const THREAD_MIB = 0.25;
/** Per open connection: ~0.5 KiB idle (measured here: 200 connections cost 0.1 MiB more than 10,
 * calibration/memcached.json); at the high end each slot busy with a 16 KiB read buffer (memcached 1.6 proto_text.c READ_BUFFER_SIZE). */
const CONNECTION_MIB = { typical: 0.5 / 1024, high: 16 / 1024 } as const;
/** The hash table: 8 bytes per bucket, doubled when items reach 1.5 × buckets (memcached assoc.c),
 * from 2^16 buckets (hashpower 16). */
const HASH_START_BUCKETS = 65536;
/** Slab classes: chunks from 96 bytes, each class 1.25 × the last (memcached -f 1.25, -n 48; `memcached -vv` lists them);
 * an item takes the smallest chunk that holds it, so -m holds -m / chunk items (measured here: 349,504 items of 170 bytes in -m 64 = 192-byte chunks). */
const SMALLEST_CHUNK_BYTES = 96;
const CHUNK_FACTOR = 1.25;
/** The share of -m resident right after start: assumed (slab pages of 1 MiB are taken as items arrive). */
const FILL_LOW = 0.25;

/** Bytes of the hash table for `items` items. */
export function hashTableMib(items: number): number {
  let buckets = HASH_START_BUCKETS;
  while (items > buckets * 1.5) buckets *= 2;
  return (buckets * 8) / 1048576;
}

/** The slab chunk an item of `bytes` takes (chunk sizes aligned to 8 bytes, as memcached's slabs_init). */
export function chunkBytes(bytes: number): number {
  let size = SMALLEST_CHUNK_BYTES;
  while (size < bytes) size = Math.ceil((size * CHUNK_FACTOR) / 8) * 8;
  return size;
}

export function memcachedUsage(s: ServiceOf<'memcached'>): Usage {
  const { memory, maxConnections, threads, clients, itemSize } = s.settings;
  const itemsTyp = (memory * 1048576) / chunkBytes(itemSize * 1048576);
  const itemsHigh = (memory * 1048576) / SMALLEST_CHUNK_BYTES;
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
    out.push(...limitTooSmall(MEMCACHED_MEMORY, m, t));
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
