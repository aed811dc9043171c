/**
 * MySQL and MariaDB: the InnoDB buffer pool, the server's own base, performance_schema's fixed
 * cost, the log and key buffers, and what each connection holds (its thread, and the per-thread
 * buffers a query allocates: sort, join, read, read_rnd, an in-memory temporary table).
 */
import type { ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { bool, count, oneOf, settingsObject, withDefault } from '../schema-blocks.ts';
import * as z from 'zod/mini';
import { component, fixed, usageOf } from '../usage.ts';
import { sizeFormat, withArticle } from '../units.ts';
import { connectionsNearMax, maxConnectionsFor, PERFORMANCE_SCHEMA_LIMIT_MIB } from '../policy.ts';
import { finding, fmt, servicesOf, setSize, type Rule } from '../findings/context.ts';
import { field, type KindEngine } from './kind.ts';
import { sizeWithin } from './bounds.ts';
import { limitTooSmall, settingTuning, tuneSetting, type SettingModel, type SettingTune } from './memory-setting.ts';

export const MYSQL_ENUMS = { flavor: ['mysql', 'mariadb'] } as const;
export type MysqlFlavor = (typeof MYSQL_ENUMS.flavor)[number];

/**
 * Server defaults, MiB, per flavor (MySQL 8.0/8.4 and MariaDB 10.11 server system variable
 * references). Where they differ: MariaDB's sort_buffer_size is 2M (MySQL 256K), its
 * key_buffer_size 128M (MySQL 8M), its thread_stack 292K (MySQL 1M), and performance_schema is
 * OFF by default in MariaDB since 10.0.12 (MariaDB KB, performance_schema) but ON in MySQL since 5.6.
 */
export const MYSQL_SERVER_DEFAULTS = {
  mysql: { sortBuffer: 0.25, joinBuffer: 0.25, readBuffer: 0.125, readRndBuffer: 0.25, tmpTableSize: 16, keyBuffer: 8, threadStack: 1, performanceSchema: true },
  mariadb: { sortBuffer: 2, joinBuffer: 0.25, readBuffer: 0.125, readRndBuffer: 0.25, tmpTableSize: 16, keyBuffer: 128, threadStack: 292 / 1024, performanceSchema: false },
} as const satisfies Record<MysqlFlavor, Record<string, number | boolean>>;

export const MYSQL_DEFAULTS = {
  flavor: 'mysql', // the official `mysql` image; compose import says mariadb when the image is
  bufferPool: 128, // innodb_buffer_pool_size 134217728 in MySQL 8.0/8.4 and MariaDB (their references)
  maxConnections: 151, // max_connections 151 in MySQL and MariaDB (their references)
  clients: 10, // assumed: an app's pool of ~10 connections open at a time
  logBuffer: 16, // innodb_log_buffer_size 16M in MySQL 8 and MariaDB 10.11 (their references)
} as const;

const optionalSize = (min: number, max: number, what: string) => z.optional(sizeWithin(min, max, what));

const settings = settingsObject({
  flavor: withDefault(oneOf(MYSQL_ENUMS.flavor), MYSQL_DEFAULTS.flavor),
  // MySQL: innodb_buffer_pool_size min 5M (MariaDB accepts 2M), max 2^64−1 (64 TiB here).
  bufferPool: withDefault(sizeWithin(5, 64 * 1048576, 'innodb_buffer_pool_size'), MYSQL_DEFAULTS.bufferPool),
  // max_connections: 1–100000 (MySQL; MariaDB's minimum is 10).
  maxConnections: withDefault(count(1, 100_000), MYSQL_DEFAULTS.maxConnections),
  clients: withDefault(count(0, 100_000), MYSQL_DEFAULTS.clients),
  performanceSchema: z.optional(bool),
  // Per-thread buffers; absent: the flavor's default. Ranges: MySQL 8.4 and MariaDB references.
  sortBuffer: optionalSize(32 / 1024, 4096, 'sort_buffer_size'),
  joinBuffer: optionalSize(128 / 1048576, 4096, 'join_buffer_size'),
  readBuffer: optionalSize(8 / 1024, 2047, 'read_buffer_size'),
  readRndBuffer: optionalSize(1 / 1024, 2047, 'read_rnd_buffer_size'),
  tmpTableSize: optionalSize(1 / 1024, 64 * 1048576, 'tmp_table_size'),
  keyBuffer: optionalSize(0, 64 * 1048576, 'key_buffer_size'),
  // innodb_log_buffer_size: 1M–4095M (MySQL 8.4 reference; MariaDB 256K–…).
  logBuffer: withDefault(sizeWithin(1, 4095, 'innodb_log_buffer_size'), MYSQL_DEFAULTS.logBuffer),
});

export type MysqlService = ServiceOf<'mysql'>;

/** Every setting the model reads, the flavor's defaults filled in. */
export function mysqlEffective(s: MysqlService) {
  const st = s.settings;
  const d = MYSQL_SERVER_DEFAULTS[st.flavor];
  return {
    ...st,
    performanceSchema: st.performanceSchema ?? d.performanceSchema,
    sortBuffer: st.sortBuffer ?? d.sortBuffer,
    joinBuffer: st.joinBuffer ?? d.joinBuffer,
    readBuffer: st.readBuffer ?? d.readBuffer,
    readRndBuffer: st.readRndBuffer ?? d.readRndBuffer,
    tmpTableSize: st.tmpTableSize ?? d.tmpTableSize,
    keyBuffer: st.keyBuffer ?? d.keyBuffer,
    threadStack: d.threadStack,
  };
}

// ---------------------------------------------------------------------------------------------
// The model

/** The server without its buffer pool, log buffer or connections: binary, dictionary, caches.
 * Typical measured here: mariadbd 10.11 under load, RSS less pool, log buffer and connections is
 * 75 MiB at pools of 32, 64 and 128 MiB (calibration/mysql.json); low and high assumed around it.
 * MySQL 8's binary is larger: assumed the same, unmeasured (no Debian package). */
export const MYSQL_BASE_MIB = { low: 60, typical: 75, high: 110 } as const;
/** The buffer pool's resident cost beyond innodb_buffer_pool_size, by flavor. MySQL: its
 * control structures add ~10% (MySQL 5.7 reference, innodb_buffer_pool_size: "approximately 10%
 * greater than the specified buffer pool size"). MariaDB 10.11: none measured here (RSS grows
 * 1.0 MiB per MiB of pool from 32 to 128 MiB, calibration/mysql.json). */
export const BUFFER_POOL_OVERHEAD = { mysql: 0.1, mariadb: 0 } as const satisfies Record<MysqlFlavor, number>;
/** The share of the pool resident right after a cold start (assumed: pages are touched as data is read). */
const POOL_WARM_LOW = 0.25;
/** What one open connection holds while the app uses it (its THD, net buffers, touched stack and
 * the per-thread buffers its queries take and give back): 0.26 MiB measured here (40 more
 * mysqlslap clients, +10.4 MiB; calibration/mysql.json). */
export const CONNECTION_MIB = 0.26;
/** A connection slot at the high end: assumed twice the measured one (net buffers grown by larger rows, a thread stack touched deeper). */
const CONNECTION_HIGH_MIB = 0.5;
/** Share of open connections running a query that fills an in-memory temporary table at the high end (assumed: a report or a GROUP BY at a time, not every client). */
const ACTIVE_SHARE = 0.2;
/** The share of key_buffer_size (MyISAM's key cache, allocated as blocks are read) touched at the
 * high end. Assumed a quarter: apps' tables are InnoDB (the default engine), and the system
 * tables are InnoDB in MySQL 8 and Aria in MariaDB 10.4+, so few MyISAM indexes are read. */
const KEY_BUFFER_HIGH_SHARE = 0.25;
/** performance_schema, MiB = base + per max_connections slot. MySQL 8 autosizes it from
 * max_connections: ~250 MB on a small instance (apecloud/kubeblocks#3238), ~400 MB for an idle
 * 8.0 container (laradock/laradock#3496): an assumed split fitted to those reports. MariaDB's
 * (off by default) is the 5.6 code, allocated at start: 102 MiB measured here at
 * max_connections 151 (calibration/mysql.json, the same case with and without it), split assumed. */
const PERFORMANCE_SCHEMA = {
  mysql: { base: { low: 80, typical: 120, high: 200 }, perConnection: { low: 0.3, typical: 0.6, high: 1.3 } },
  mariadb: { base: { low: 40, typical: 55, high: 100 }, perConnection: { low: 0.2, typical: 0.31, high: 0.6 } },
} as const;

/** performance_schema's memory at a point. */
function performanceSchemaMib(flavor: MysqlFlavor, maxConnections: number, at: 'low' | 'typical' | 'high'): number {
  const p = PERFORMANCE_SCHEMA[flavor];
  return p.base[at] + p.perConnection[at] * maxConnections;
}

/** The buffers one thread may hold while running a query: sort, join, read, read_rnd. */
export function perQueryBuffersMib(s: MysqlService): number {
  const e = mysqlEffective(s);
  return e.sortBuffer + e.joinBuffer + e.readBuffer + e.readRndBuffer;
}

/** The worst case of one connection (mysqltuner's per-thread buffers, plus an in-memory temporary table). */
export function perConnectionWorstMib(s: MysqlService): number {
  const e = mysqlEffective(s);
  return perQueryBuffersMib(s) + e.threadStack + CONNECTION_HIGH_MIB + e.tmpTableSize;
}

export function mysqlUsage(s: MysqlService): Usage {
  const e = mysqlEffective(s);
  const overhead = BUFFER_POOL_OVERHEAD[e.flavor];
  const pool = e.bufferPool * (1 + overhead);
  const clients = Math.min(e.clients, e.maxConnections);
  const perQuery = perQueryBuffersMib(s);
  const parts = [
    component('buffer pool', pool * POOL_WARM_LOW, pool, pool, `innodb_buffer_pool_size ${sizeFormat(e.bufferPool)}${overhead ? ` + ~${overhead * 100}% control structures` : ''}`),
    component('server', MYSQL_BASE_MIB.low, MYSQL_BASE_MIB.typical, MYSQL_BASE_MIB.high),
    fixed('log buffer', e.logBuffer),
    // Connections: half the pool / the pool (with the buffers their queries take and give back) / every slot open (a connection storm).
    component('connections', (clients / 2) * CONNECTION_MIB, clients * CONNECTION_MIB, e.maxConnections * CONNECTION_HIGH_MIB, `${clients} open, max_connections ${e.maxConnections}`),
    // At the high end every open client runs a query that fills its sort, join, read and read_rnd
    // buffers at once, and a share of them an in-memory temporary table (tmp_table_size).
    component('query buffers', 0, 0, clients * perQuery + Math.ceil(clients * ACTIVE_SHARE) * e.tmpTableSize, 'sort, join, read, read_rnd buffers per query, tmp_table_size for a share of them'),
    // MyISAM key cache: allocated as MyISAM indexes are read.
    component('key buffer', 0, 0, e.keyBuffer * KEY_BUFFER_HIGH_SHARE, `key_buffer_size ${sizeFormat(e.keyBuffer)}`),
  ];
  if (e.performanceSchema) {
    parts.push(component('performance_schema', performanceSchemaMib(e.flavor, e.maxConnections, 'low'), performanceSchemaMib(e.flavor, e.maxConnections, 'typical'), performanceSchemaMib(e.flavor, e.maxConnections, 'high'), `sized from max_connections ${e.maxConnections}`));
  }
  return usageOf(parts);
}

/** mysqltuner's "maximum possible memory" with `slots` connections: the high usage with every slot
 * running a query that fills each per-thread buffer and an in-memory temporary table. */
export function mysqlWorstCase(s: MysqlService, slots: number): number {
  const e = mysqlEffective(s);
  const u = mysqlUsage({ ...s, settings: { ...s.settings, maxConnections: Math.max(1, slots), clients: Math.min(e.clients, Math.max(1, slots)) } });
  const queries = u.components.find((c) => c.name === 'query buffers')!.high;
  return u.high - queries + slots * (perQueryBuffersMib(s) + e.tmpTableSize);
}

// ---------------------------------------------------------------------------------------------
// Tuning: innodb_buffer_pool_size from the limit, by the model

export const MYSQL_BUFFER_POOL: SettingModel<'mysql'> = {
  kind: 'mysql',
  key: 'bufferPool',
  label: 'innodb_buffer_pool_size',
  min: () => 5,
  max: 64 * 1048576,
  planned: (s) => s.settings.bufferPool,
  high: (s, v) => mysqlUsage({ ...s, settings: { ...s.settings, bufferPool: v } }).high,
  why: 'the pool and its control structures, the server, performance_schema when on, every connection slot and the per-thread buffers of the open clients',
};

// ---------------------------------------------------------------------------------------------
// Findings

export const mysqlMemory: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const m of servicesOf(plan, 'mysql')) {
    const e = mysqlEffective(m);
    const t = tuneSetting(MYSQL_BUFFER_POOL, m);
    out.push(...limitTooSmall(MYSQL_BUFFER_POOL, m, t));
    if (m.limit !== null && t.recommended !== null && !t.plannedSafe) {
      out.push(finding('mysql-buffer-pool-over-limit', e.bufferPool * (1 + BUFFER_POOL_OVERHEAD[e.flavor]) >= m.limit ? 'critical' : 'warning', m.name,
        `${m.name}'s innodb_buffer_pool_size ${fmt(e.bufferPool)} leaves no room in its ${fmt(m.limit)} limit for the rest of the server at its high end (the pool's ~10% control structures, performance_schema, every connection and its query buffers).`,
        `Set ${m.name} innodb_buffer_pool_size to ${fmt(t.recommended)}.`, [setSize(m.name, 'settings.bufferPool', t.recommended)]));
    }
    if (m.limit !== null && e.performanceSchema && m.limit < PERFORMANCE_SCHEMA_LIMIT_MIB) {
      const ps = performanceSchemaMib(e.flavor, e.maxConnections, 'typical');
      out.push(finding('mysql-performance-schema-small-limit', 'warning', m.name,
        `${m.name} runs performance_schema (${e.flavor === 'mysql' ? 'on by default in MySQL' : 'turned on'}), ~${fmt(ps)} sized from max_connections ${e.maxConnections}, in ${withArticle(fmt(m.limit))} limit.`,
        `Turn ${m.name} performance_schema off (--performance-schema=0), or lower max_connections.`, [{ service: m.name, key: 'settings.performanceSchema', value: false }]));
    }
    if (m.limit !== null && mysqlWorstCase(m, e.maxConnections) > m.limit) {
      const worst = mysqlWorstCase(m, e.maxConnections);
      // The most slots whose worst case fits (bisection: the worst case grows with every slot).
      let lo = 0;
      let hi = e.maxConnections;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (mysqlWorstCase(m, mid) <= m.limit) lo = mid;
        else hi = mid;
      }
      const fix = lo >= Math.max(1, e.clients) && !connectionsNearMax(e.clients, lo) ? [{ service: m.name, key: 'settings.maxConnections', value: lo }] : [];
      out.push(finding('mysql-connections-worst-case', 'info', m.name,
        `${m.name}: max_connections ${e.maxConnections} × ${fmt(perConnectionWorstMib(m))} per connection at worst (sort ${fmt(e.sortBuffer)}, join ${fmt(e.joinBuffer)}, read ${fmt(e.readBuffer)}, read_rnd ${fmt(e.readRndBuffer)}, thread stack, tmp_table_size ${fmt(e.tmpTableSize)}) comes to ${fmt(worst)} with the pool: over its ${fmt(m.limit)} limit if every slot ran a large query at once.`,
        fix.length ? `Set ${m.name} max_connections to ${lo} (the most whose worst case fits), or lower tmp_table_size.` : `Lower ${m.name}'s tmp_table_size or sort_buffer_size, or raise its limit: ${lo} slots fit, fewer than its clients need.`, fix));
    }
    if (e.clients > 0 && connectionsNearMax(e.clients, e.maxConnections)) {
      const target = maxConnectionsFor(e.clients, e.maxConnections);
      out.push(finding('mysql-connections-near-max', e.clients >= e.maxConnections ? 'critical' : 'warning', m.name,
        `${m.name}'s clients open ${e.clients} connections, at or over 90% of max_connections ${e.maxConnections}: new connections fail with "Too many connections".`,
        `Set ${m.name} max_connections to ${target}.`, [{ service: m.name, key: 'settings.maxConnections', value: target }]));
    }
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// The kind

export const mysql: KindEngine<'mysql', typeof settings, SettingTune> = {
  kind: 'mysql',
  settings,
  enums: MYSQL_ENUMS,
  usage: (s) => mysqlUsage(s),
  starter: { limit: '1GiB', settings: { bufferPool: '512MiB' } },
  summary: (s) => {
    const e = mysqlEffective(s);
    return `${e.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} · buffer pool ${sizeFormat(e.bufferPool)} · max_connections ${e.maxConnections}${e.performanceSchema ? ' · performance_schema on' : ''}`;
  },
  fields: [
    field.size('bufferPool', 'innodb_buffer_pool_size'), field.count('maxConnections', 'max_connections'), field.count('clients', 'open connections'),
    field.bool('performanceSchema', 'performance_schema'), field.size('sortBuffer', 'sort_buffer_size'), field.size('joinBuffer', 'join_buffer_size'),
    field.size('tmpTableSize', 'tmp_table_size'), field.size('keyBuffer', 'key_buffer_size'), field.choice('flavor', 'server'),
  ],
  findings: [mysqlMemory],
  tuning: settingTuning(MYSQL_BUFFER_POOL),
};
