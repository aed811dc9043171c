/**
 * MinIO: a Go server whose memory is its base plus ~2 MiB per request in flight; by default it
 * sizes its request pool from the memory it sees (AIStor memory requirements: up to 75% of it).
 * No Debian package here: the constants are MinIO's docs' and assumed, none measured.
 */
import * as z from 'zod/mini';
import type { ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { count, settingsObject, withDefault } from '../schema-blocks.ts';
import { component, usageOf } from '../usage.ts';
import { finding, fmt, servicesOf, type Rule } from '../findings/context.ts';
import { field, type KindEngine } from './kind.ts';
import { roundUpSize } from '../policy.ts';

export const MINIO_DEFAULTS = {
  drives: 1, // a compose file's single /data
  clients: 4, // assumed: requests in flight on a small self-hosted stack
} as const;

const settings = settingsObject({
  drives: withDefault(count(1, 1024), MINIO_DEFAULTS.drives),
  // MINIO_API_REQUESTS_MAX: absent = MinIO's automatic value from its memory.
  requestsMax: z.optional(count(1, 1_000_000)),
  clients: withDefault(count(0, 1_000_000), MINIO_DEFAULTS.clients),
});

/** Per request in flight: "ramPerRequest is typically 2MiB, which is two times the default erasure block size" (MinIO AIStor docs, memory requirements). */
export const MINIO_REQUEST_MIB = 2;
/** MinIO allocates up to 75% of the memory it sees to requests (same page). */
const AUTO_REQUEST_SHARE = 0.75;
/** The server idle, a single drive: assumed 80 / 120 / 250 MiB (a Go server with its metacache); per extra drive assumed 8 MiB. */
const BASE_MIB = { low: 80, typical: 120, high: 250 } as const;
const PER_DRIVE_MIB = 8;

/** The requests in flight MinIO allows: MINIO_API_REQUESTS_MAX, else 75% of its memory / 2 MiB. */
export function minioRequestsMax(s: ServiceOf<'minio'>, hostRam: number): number {
  return s.settings.requestsMax ?? Math.floor((AUTO_REQUEST_SHARE * (s.limit ?? hostRam)) / MINIO_REQUEST_MIB);
}

export function minioUsage(s: ServiceOf<'minio'>, hostRam: number): Usage {
  const max = minioRequestsMax(s, hostRam);
  const clients = Math.min(s.settings.clients, max);
  const drives = (s.settings.drives - 1) * PER_DRIVE_MIB;
  return usageOf([
    component('server', BASE_MIB.low + drives, BASE_MIB.typical + drives, BASE_MIB.high + drives, `${s.settings.drives} drive(s)`),
    component('requests', 0, clients * MINIO_REQUEST_MIB, max * MINIO_REQUEST_MIB, `2 MiB each, at most ${max} at once`),
  ]);
}

/** The most requests whose buffers fit the limit beside the server's high end. */
export function minioRequestsFor(s: ServiceOf<'minio'>, limit: number): number {
  const server = minioUsage({ ...s, settings: { ...s.settings, requestsMax: 1 } }, limit).components[0]!.high;
  return Math.max(1, Math.floor((limit - server) / MINIO_REQUEST_MIB));
}

export const minioMemory: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const m of servicesOf(plan, 'minio')) {
    if (m.limit === null) continue;
    const u = minioUsage(m, plan.host.ram);
    if (u.high <= m.limit) continue;
    const n = minioRequestsFor(m, m.limit);
    out.push(finding('minio-requests-over-limit', 'warning', m.name,
      `${m.name} admits ${minioRequestsMax(m, plan.host.ram)} requests at once (${m.settings.requestsMax === undefined ? 'MinIO sizes its pool from 75% of the memory it sees' : 'MINIO_API_REQUESTS_MAX'}), ~2 MiB each: with the server that is ${fmt(u.high)}, over its ${fmt(m.limit)} limit.`,
      `Set ${m.name} MINIO_API_REQUESTS_MAX to ${n}.`, [{ service: m.name, key: 'settings.requestsMax', value: n }]));
  }
  return out;
};

/** The tuning: the requests in flight a limit holds (MinIO's own pool sized from the limit can pass it: 75% of it beside the server). */
export type MinioTune = { limit: number | null; plannedRequests: number; recommendedRequests: number | null };

/** The server's high end alone, without a request buffer. */
const serverHigh = (s: ServiceOf<'minio'>) => minioUsage({ ...s, settings: { ...s.settings, requestsMax: 1 } }, 0).components[0]!.high;

export const minio: KindEngine<'minio', typeof settings, MinioTune> = {
  kind: 'minio',
  settings,
  usage: (s, ctx) => minioUsage(s, ctx.plan.host.ram),
  starter: { limit: '512MiB', settings: { requestsMax: 64 } },
  summary: (s) => `${s.settings.drives} drive(s) · ${s.settings.requestsMax === undefined ? 'requests: automatic' : `at most ${s.settings.requestsMax} requests`}`,
  fields: [field.count('requestsMax', 'MINIO_API_REQUESTS_MAX'), field.count('clients', 'requests in flight'), field.count('drives', 'drives')],
  findings: [minioMemory],
  tuning: {
    tune: (plan, s) => ({ limit: s.limit, plannedRequests: minioRequestsMax(s, plan.host.ram), recommendedRequests: s.limit === null ? null : minioRequestsFor(s, s.limit) }),
    // Pinned only where the pool MinIO would size itself is more than the limit holds (an explicit smaller one stays).
    apply: (s, t) => (t.recommendedRequests === null || t.plannedRequests <= t.recommendedRequests ? s : { ...s, settings: { ...s.settings, requestsMax: t.recommendedRequests } }),
    unfit: () => [],
    settle: (plan, s, t) => ({ ...t, plannedRequests: minioRequestsMax(s, plan.host.ram) }),
    // The server's high end and the requests its clients keep in flight (at least one).
    minLimit: (s) => roundUpSize(serverHigh(s) + Math.max(1, s.settings.clients) * MINIO_REQUEST_MIB),
  },
};
