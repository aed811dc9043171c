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
import { settingTuning, tuneSetting, type SettingModel, type SettingTune } from './memory-setting.ts';

export const RABBITMQ_ENUMS = { version: ['3', '4'] } as const;

/** vm_memory_high_watermark.relative by major version: 0.4 in 3.x (RabbitMQ 3.13 memory guide:
 * "about 40% of the available RAM"), 0.6 in 4.x (RabbitMQ 4.2 memory guide: "about 60%"). */
export const RABBITMQ_RELATIVE_DEFAULT = { '3': 0.4, '4': 0.6 } as const;

export const RABBITMQ_DEFAULTS = {
  version: '4', // the official image's current major (rabbitmq:4.x)
  connections: 20, // assumed: a few app processes with a connection each, and their consumers
  queues: 20, // assumed: a task queue per worker type and their reply queues
  backlog: 16, // assumed: messages waiting in memory at a time, MiB
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

/** The node idle: the Erlang VM with RabbitMQ's apps loaded. Measured here: RabbitMQ 3.10 on Erlang 25 (calibration/rabbitmq.json). */
const BASE_MIB = { low: 70, typical: 90, high: 130 } as const;
/** Per client connection with a channel: measured here (calibration/rabbitmq.json); the networking guide's ~100 KB is the TCP buffers' upper end. */
const CONNECTION_MIB = 0.12;
/** Per idle classic queue: measured here (calibration/rabbitmq.json). */
const QUEUE_MIB = 0.03;
/** Erlang's garbage collector "can, in the worst case, cause double the amount of memory to be
 * used" past the watermark (RabbitMQ memory guide, 3.x: why the default was 40%, worst case 80%). */
const GC_WORST = 2;
/** Typical garbage not yet collected, as a share of the rest. Assumed. */
const GC_TYPICAL = 0.1;

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
  const rest = { low: BASE_MIB.low + conns / 2 + queues, typical: BASE_MIB.typical + conns + queues, high: BASE_MIB.high + conns + queues };
  // Publishers are blocked at the watermark: messages fill memory up to it, not past it.
  const messagesHigh = Math.max(st.backlog, watermark - rest.high);
  return usageOf([
    component('Erlang VM', BASE_MIB.low, BASE_MIB.typical, BASE_MIB.high),
    component('connections', conns / 2, conns, conns, `${st.connections} connections`),
    component('queues', queues, queues, queues, `${st.queues} queues`),
    component('messages', 0, st.backlog, messagesHigh, `up to the watermark ${sizeFormat(watermark)}`),
    component('garbage', 0, (rest.typical + st.backlog) * GC_TYPICAL, (rest.high + messagesHigh) * (GC_WORST - 1), 'the collector can double memory past the watermark'),
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
    if (r.limit === null || t.recommended === null || t.plannedSafe) continue;
    const w = rabbitmqWatermarkMib(r, plan.host.ram);
    const how = r.settings.watermarkAbsolute !== undefined ? `vm_memory_high_watermark.absolute ${fmt(w)}` : `vm_memory_high_watermark ${r.settings.watermark ?? RABBITMQ_RELATIVE_DEFAULT[r.settings.version]}${r.settings.watermark === undefined ? ` (RabbitMQ ${r.settings.version}.x's default)` : ''} of its ${fmt(r.limit)} limit = ${fmt(w)}`;
    out.push(finding('rabbitmq-watermark-over-limit', w >= r.limit ? 'critical' : 'warning', r.name,
      `${r.name}'s memory alarm is at ${how}: publishers are only blocked there, and the garbage collector can take the node to twice that (${pct((2 * w) / r.limit)} of the limit) before it is OOM-killed.`,
      `Set ${r.name} watermarkAbsolute (vm_memory_high_watermark.absolute) to ${fmt(t.recommended)}.`, [setSize(r.name, 'settings.watermarkAbsolute', t.recommended)]));
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
