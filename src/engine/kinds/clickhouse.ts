/**
 * ClickHouse: a server that lets itself use max_server_memory_usage (by default 0.9 of the
 * memory it detects), a mark cache sized for a large host (5 GiB by default), and a large binary.
 * No Debian package here: every constant is from ClickHouse's docs and issues, none measured.
 */
import * as z from 'zod/mini';
import type { ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { oneOf, settingsObject, withDefault } from '../schema-blocks.ts';
import { component, usageOf } from '../usage.ts';
import { sizeFormat } from '../units.ts';
import { CACHE_LIMIT_SHARE, CLICKHOUSE_SMALL_LIMIT_MIB, roundDownSize } from '../policy.ts';
import { finding, fmt, servicesOf, setSize, type Rule } from '../findings/context.ts';
import { field, type KindEngine } from './kind.ts';
import { numberWithin, sizeWithin } from './bounds.ts';
import { limitTooSmall, settingTuning, tuneSetting, type SettingModel, type SettingTune } from './memory-setting.ts';

/** What ClickHouse sizes max_server_memory_usage from: the cgroup's limit (recent versions read
 * it: docs, max_server_memory_usage_to_ram_ratio) or the host's RAM (older ones). */
export const CLICKHOUSE_ENUMS = { memorySource: ['limit', 'host'] } as const;

export const CLICKHOUSE_DEFAULTS = {
  ratio: 0.9, // max_server_memory_usage_to_ram_ratio 0.9 (ClickHouse docs, server settings)
  markCache: 5120, // mark_cache_size 5368709120 in the shipped config.xml (ClickHouse#31437, #12563)
  memorySource: 'limit',
} as const;

const settings = settingsObject({
  // max_server_memory_usage: 0 (the default) means "from the ratio" (ClickHouse docs). Absent here = 0.
  maxServerMemory: z.optional(sizeWithin(1, 64 * 1048576, 'max_server_memory_usage')),
  // The ratio: 0 turns the cap off; above 1 is allowed on hosts with swap (ClickHouse docs).
  ratio: withDefault(numberWithin(0, 100, 'max_server_memory_usage_to_ram_ratio'), CLICKHOUSE_DEFAULTS.ratio),
  markCache: withDefault(sizeWithin(0, 64 * 1048576, 'mark_cache_size'), CLICKHOUSE_DEFAULTS.markCache),
  memorySource: withDefault(oneOf(CLICKHOUSE_ENUMS.memorySource), CLICKHOUSE_DEFAULTS.memorySource),
});

// ---------------------------------------------------------------------------------------------
// The model

/** The server idle: its resident code alone is ~434 MiB (MemoryCode in ClickHouse#35351), plus
 * the system tables' logs and background pools. Assumed 300 / 450 / 700 MiB around that. */
const BASE_MIB = { low: 300, typical: 450, high: 700 } as const;
/** Marks held typically on a small data set: assumed 64 MiB (the cache fills with the parts read). */
const MARKS_TYPICAL_MIB = 64;
/** Inserts and merges on a small host: each inserted column takes ~2 MB of buffers (ClickHouse#7207); assumed 150 MiB typical. */
const QUERIES_TYPICAL_MIB = 150;
/** Memory outside the server's own tracker (allocator slack, code): assumed 10% over its cap (ClickHouse#12563: RSS above the caches' sizes). */
const UNTRACKED = 0.1;

/** The server's cap, MiB: max_server_memory_usage, else the ratio of the memory it detects; null when off. */
export function clickhouseCapMib(s: ServiceOf<'clickhouse'>, hostRam: number): number | null {
  const st = s.settings;
  const ram = st.memorySource === 'limit' && s.limit !== null ? s.limit : hostRam;
  const fromRatio = st.ratio > 0 ? st.ratio * ram : null;
  if (st.maxServerMemory !== undefined) return fromRatio === null ? st.maxServerMemory : Math.min(st.maxServerMemory, fromRatio);
  return fromRatio;
}

export function clickhouseUsage(s: ServiceOf<'clickhouse'>, hostRam: number): Usage {
  const cap = clickhouseCapMib(s, hostRam) ?? hostRam;
  const marksHigh = Math.min(s.settings.markCache, Math.max(0, cap - BASE_MIB.high));
  const queriesHigh = Math.max(QUERIES_TYPICAL_MIB, cap - BASE_MIB.high - marksHigh);
  return usageOf([
    component('server', BASE_MIB.low, BASE_MIB.typical, BASE_MIB.high, 'code, system logs, background pools'),
    component('mark cache', 0, Math.min(MARKS_TYPICAL_MIB, s.settings.markCache), marksHigh, `mark_cache_size ${sizeFormat(s.settings.markCache)}`),
    component('queries and merges', QUERIES_TYPICAL_MIB / 3, QUERIES_TYPICAL_MIB, queriesHigh, `up to the server's cap ${sizeFormat(cap)}`),
    component('untracked', 0, (BASE_MIB.typical + QUERIES_TYPICAL_MIB) * UNTRACKED, (BASE_MIB.high + marksHigh + queriesHigh) * UNTRACKED),
  ]);
}

export const CLICKHOUSE_SERVER_MEMORY: SettingModel<'clickhouse'> = {
  kind: 'clickhouse',
  key: 'maxServerMemory',
  label: 'max_server_memory_usage',
  // Assumed: under the idle server's high end plus a query, every insert fails with MEMORY_LIMIT_EXCEEDED.
  min: () => BASE_MIB.high + QUERIES_TYPICAL_MIB,
  max: 64 * 1048576,
  planned: (s) => (s.limit === null ? (s.settings.maxServerMemory ?? null) : clickhouseCapMib(s, s.limit)),
  high: (s, v) => clickhouseUsage({ ...s, settings: { ...s.settings, maxServerMemory: v, ratio: 0 } }, 0).high,
  why: 'the server, its caches and queries up to its cap, and what its tracker does not see',
};

export const clickhouseMemory: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const c of servicesOf(plan, 'clickhouse')) {
    const cap = clickhouseCapMib(c, plan.host.ram);
    const ram = c.limit ?? plan.host.ram;
    if (c.limit === null) {
      out.push(finding('clickhouse-sized-for-host', 'warning', c.name,
        `${c.name} has no limit: ClickHouse lets itself use ${cap === null ? 'all' : fmt(cap)} of the host's ${fmt(plan.host.ram)} (max_server_memory_usage_to_ram_ratio ${c.settings.ratio}).`,
        `Give ${c.name} a limit, and set its max_server_memory_usage from it.`));
    } else {
      const t = tuneSetting(CLICKHOUSE_SERVER_MEMORY, c);
      out.push(...limitTooSmall(CLICKHOUSE_SERVER_MEMORY, c, t));
      if (t.recommended !== null && !t.plannedSafe) {
        out.push(finding('clickhouse-server-memory-over-limit', cap === null || cap >= c.limit ? 'critical' : 'warning', c.name,
          `${c.name} lets itself use ${cap === null ? 'all the memory it sees' : fmt(cap)} (${c.settings.maxServerMemory !== undefined ? 'max_server_memory_usage' : `${c.settings.ratio} of ${c.settings.memorySource === 'host' ? `the host's ${fmt(plan.host.ram)}: this version does not read its container's limit` : `its ${fmt(c.limit)} limit`}`}): with what its tracker does not count, a heavy merge or query reaches the ${fmt(c.limit)} limit before ClickHouse refuses it.`,
          `Set ${c.name} max_server_memory_usage to ${fmt(t.recommended)}.`, [setSize(c.name, 'settings.maxServerMemory', t.recommended)]));
      }
      if (c.limit < CLICKHOUSE_SMALL_LIMIT_MIB) {
        out.push(finding('clickhouse-small-limit', 'info', c.name,
          `${c.name} runs in ${fmt(c.limit)}: ClickHouse's docs warn of memory exceptions with default settings under 16 GB of RAM, and its idle server alone is ~${fmt(BASE_MIB.typical)}.`,
          `Keep ${c.name}'s caches small and cap max_server_memory_usage; give it ${fmt(CLICKHOUSE_SMALL_LIMIT_MIB)} or more if its inserts fail with MEMORY_LIMIT_EXCEEDED.`));
      }
    }
    const markMax = roundDownSize(CACHE_LIMIT_SHARE * ram);
    if (c.settings.markCache > CACHE_LIMIT_SHARE * ram) {
      out.push(finding('clickhouse-mark-cache-large', 'warning', c.name,
        `${c.name}'s mark_cache_size ${fmt(c.settings.markCache)} is sized for a large host: it can hold ${Math.round((c.settings.markCache / ram) * 100)}% of ${c.limit === null ? "the host's RAM" : 'its limit'} in marks and squeeze queries and merges out.`,
        `Set ${c.name} mark_cache_size to ${fmt(markMax)}.`, [setSize(c.name, 'settings.markCache', markMax)]));
    }
  }
  return out;
};

export const clickhouse: KindEngine<'clickhouse', typeof settings, SettingTune> = {
  kind: 'clickhouse',
  settings,
  enums: CLICKHOUSE_ENUMS,
  usage: (s, ctx) => clickhouseUsage(s, ctx.plan.host.ram),
  starter: { limit: '2GiB', settings: { maxServerMemory: '1536MiB', markCache: '256MiB' } },
  summary: (s) => `max_server_memory_usage ${s.settings.maxServerMemory !== undefined ? sizeFormat(s.settings.maxServerMemory) : `${s.settings.ratio} of ${s.limit === null ? 'the host' : 'the limit'}`} · mark cache ${sizeFormat(s.settings.markCache)}`,
  fields: [
    field.size('maxServerMemory', 'max_server_memory_usage'), { key: 'ratio', label: 'max_server_memory_usage_to_ram_ratio', type: 'number', optional: true },
    field.size('markCache', 'mark_cache_size'), field.choice('memorySource', 'memory detected from'),
  ],
  findings: [clickhouseMemory],
  tuning: settingTuning(CLICKHOUSE_SERVER_MEMORY),
};
