/**
 * RabbitMQ: an Erlang VM whose memory alarm (vm_memory_high_watermark, relative to the memory it
 * detects or absolute) blocks publishers; connections, queues and the messages they hold, and
 * the garbage collector's overshoot past the watermark.
 */
import * as z from 'zod/mini';
import type { ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { count, oneOf, settingsObject, sizeSchema, withDefault } from '../schema-blocks.ts';
import { component, usageOf } from '../usage.ts';
import { sizeFormat } from '../units.ts';
import { finding, fmt, pct, servicesOf, setSize, type Rule } from '../findings/context.ts';
import { field, type KindEngine } from './kind.ts';
import { numberWithin, sizeWithin } from './bounds.ts';
import { limitTooSmall, settingTuning, tuneSetting, type SettingModel, type SettingTune } from './memory-setting.ts';

export const RABBITMQ_ENUMS = { version: ['3', '4'] } as const;

/** vm_memory_high_watermark.relative by major version: 0.4 in 3.x (RabbitMQ 3.13 memory guide:
 * "about 40% of the available RAM"), 0.6 in 4.x (RabbitMQ 4.2 memory guide: "about 60%"). */
export const RABBITMQ_RELATIVE_DEFAULT = { '3': 0.4, '4': 0.6 } as const;

export const RABBITMQ_DEFAULTS = {
  version: '4', // the official image's current major (rabbitmq:4.x)
  connections: 20, // assumed: a few app processes with a connection each, and their consumers
  queues: 20, // assumed: a task queue per worker type and their reply queues
  backlog: 4, // assumed: messages waiting at a time, MiB of payload (a few thousand small tasks)
} as const;

const settings = settingsObject({
  version: withDefault(oneOf(RABBITMQ_ENUMS.version), RABBITMQ_DEFAULTS.version),
  // relative: 0 blocks every publisher; above 1 RabbitMQ uses all the memory it sees (rabbitmq-common#213). Absent: the version's default.
  watermark: z.optional(numberWithin(0, 1, 'a relative vm_memory_high_watermark')),
  // absolute: wins over relative (RabbitMQ memory guide).
  watermarkAbsolute: z.optional(sizeWithin(1, 64 * 1048576, 'vm_memory_high_watermark.absolute')),
  connections: withDefault(count(0, 1_000_000), RABBITMQ_DEFAULTS.connections),
  queues: withDefault(count(0, 1_000_000), RABBITMQ_DEFAULTS.queues),
  backlog: withDefault(sizeSchema, RABBITMQ_DEFAULTS.backlog),
});

// ---------------------------------------------------------------------------------------------
// The model

/** The node idle: the Erlang VM with RabbitMQ's apps loaded, no plugins. Typical 129 MiB measured
 * here (RSS of RabbitMQ 3.10.8 on Erlang/OTP 25, calibration/rabbitmq.json); low and high assumed
 * around it (the management plugin, which the -management images enable, adds more: unmeasured). */
const BASE_MIB = { low: 100, typical: 129, high: 170 } as const;
/** Per client connection with a channel, and per idle classic queue: 0.13 MiB the pair measured
 * here (20, 100 and 300 connections with a queue each, calibration/rabbitmq.json); the split
 * between them assumed (the networking guide's ~100 KB per connection is its TCP buffers' upper end). */
const CONNECTION_MIB = 0.1;
const QUEUE_MIB = 0.03;
/** Erlang's garbage collector "can, in the worst case, cause double the amount of memory to be
 * used" past the watermark (RabbitMQ memory guide, 3.x: why the default was 40%, worst case 80%). */
const GC_WORST = 2;
/** What a MiB of messages waiting in classic queues takes in the node: 3.3 MiB measured here for
 * 1 KiB messages (32 MiB of them, +105 MiB of RSS; calibration/rabbitmq.json): each message carries
 * its properties, its queue index entry and the publish path's copies. Smaller messages cost more per byte (unmeasured). */
const MESSAGE_FACTOR = 3.3;

/** The memory the node measures its relative watermark against: the limit it detects, else the host's RAM. */
export function rabbitmqWatermarkMib(s: ServiceOf<'rabbitmq'>, hostRam: number): number {
  const st = s.settings;
  if (st.watermarkAbsolute !== undefined) return st.watermarkAbsolute;
  return (st.watermark ?? RABBITMQ_RELATIVE_DEFAULT[st.version]) * (s.limit ?? hostRam);
}

export function rabbitmqUsage(s: ServiceOf<'rabbitmq'>, hostRam: number): Usage {
  const st = s.settings;
  const watermark = rabbitmqWatermarkMib(s, hostRam);
  const conns = st.connections * CONNECTION_MIB;
  const queues = st.queues * QUEUE_MIB;
  const rest = { high: BASE_MIB.high + conns + queues };
  // Publishers are blocked at the watermark: messages fill memory up to it, not past it.
  const messagesHigh = Math.max(st.backlog * MESSAGE_FACTOR, watermark - rest.high);
  return usageOf([
    component('Erlang VM', BASE_MIB.low, BASE_MIB.typical, BASE_MIB.high),
    component('connections', conns / 2, conns, conns, `${st.connections} connections`),
    component('queues', queues, queues, queues, `${st.queues} queues`),
    component('messages', 0, st.backlog * MESSAGE_FACTOR, messagesHigh, `${sizeFormat(st.backlog)} waiting; up to the watermark ${sizeFormat(watermark)}`),
    // The idle node's garbage is inside its measured base; past the watermark the collector can double what it holds.
    component('garbage', 0, 0, (rest.high + messagesHigh) * (GC_WORST - 1), 'the collector can double memory past the watermark'),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Tuning: an absolute watermark from the limit (the memory guide recommends absolute in containers)

export const RABBITMQ_WATERMARK: SettingModel<'rabbitmq'> = {
  kind: 'rabbitmq',
  key: 'watermarkAbsolute',
  label: 'vm_memory_high_watermark.absolute',
  // Assumed: a watermark under the idle node's high end (with room for a few connections) keeps the alarm on from the start.
  min: () => 160,
  max: 64 * 1048576,
  planned: (s) => (s.settings.watermarkAbsolute ?? (s.limit === null ? null : rabbitmqWatermarkMib(s, s.limit))),
  // No host RAM in the tuner: with an absolute watermark the model does not read it.
  high: (s, v) => rabbitmqUsage({ ...s, settings: { ...s.settings, watermarkAbsolute: v } }, 0).high,
  why: 'the node and its connections and queues, messages up to the watermark, and the garbage collector doubling it',
};

export const rabbitmqMemory: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const r of servicesOf(plan, 'rabbitmq')) {
    const t = tuneSetting(RABBITMQ_WATERMARK, r);
    out.push(...limitTooSmall(RABBITMQ_WATERMARK, r, t));
    if (r.limit === null || t.recommended === null || t.plannedSafe) continue;
    const w = rabbitmqWatermarkMib(r, plan.host.ram);
    const how = r.settings.watermarkAbsolute !== undefined ? `vm_memory_high_watermark.absolute ${fmt(w)}` : `vm_memory_high_watermark ${r.settings.watermark ?? RABBITMQ_RELATIVE_DEFAULT[r.settings.version]}${r.settings.watermark === undefined ? ` (RabbitMQ ${r.settings.version}.x's default)` : ''} of its ${fmt(r.limit)} limit = ${fmt(w)}`;
    out.push(finding('rabbitmq-watermark-over-limit', w >= r.limit ? 'critical' : 'warning', r.name,
      `${r.name}'s memory alarm is at ${how}: publishers are only blocked there, and the garbage collector can take the node to twice that (${pct((2 * w) / r.limit)} of the limit) before it is OOM-killed.`,
      `Set ${r.name} vm_memory_high_watermark.absolute to ${fmt(t.recommended)}.`, [setSize(r.name, 'settings.watermarkAbsolute', t.recommended)]));
  }
  return out;
};

export const rabbitmq: KindEngine<'rabbitmq', typeof settings, SettingTune> = {
  kind: 'rabbitmq',
  settings,
  enums: RABBITMQ_ENUMS,
  usage: (s, ctx) => rabbitmqUsage(s, ctx.plan.host.ram),
  starter: { limit: '512MiB', settings: { watermarkAbsolute: '256MiB' } },
  summary: (s) => `watermark ${s.settings.watermarkAbsolute !== undefined ? sizeFormat(s.settings.watermarkAbsolute) : `${s.settings.watermark ?? RABBITMQ_RELATIVE_DEFAULT[s.settings.version]} of ${s.limit === null ? 'the host' : 'the limit'}`} · ${s.settings.connections} connections · ${s.settings.queues} queues`,
  fields: [
    field.size('watermarkAbsolute', 'vm_memory_high_watermark.absolute'), { key: 'watermark', label: 'vm_memory_high_watermark (relative)', type: 'number', optional: true },
    field.count('connections', 'connections'), field.count('queues', 'queues'), field.size('backlog', 'messages in memory'), field.choice('version', 'version'),
  ],
  findings: [rabbitmqMemory],
  tuning: settingTuning(RABBITMQ_WATERMARK),
};
