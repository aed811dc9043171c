/**
 * A reverse proxy (nginx, Traefik, Caddy, HAProxy, Envoy, Kong): a base per process, buffers per
 * connection, and shared memory zones. nginx and Kong run `worker_processes` workers of up to
 * `worker_connections` connections each, a proxied request holding its header and proxy buffers;
 * HAProxy holds two buffers of tune.bufsize per connection up to maxconn; the Go and C++ proxies
 * (Traefik, Caddy, Envoy) have reported footprints.
 */
import type { ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { count, oneOf, settingsObject, sizeSchema, withDefault } from '../schema-blocks.ts';
import { component, fixed, usageOf } from '../usage.ts';
import { countFormat, sizeFormat } from '../units.ts';
import { finding, fmt, servicesOf, type Rule } from '../findings/context.ts';
import { field, type KindEngine, type ModelContext } from './kind.ts';

export const PROXY_ENUMS = { server: ['nginx', 'traefik', 'caddy', 'haproxy', 'envoy', 'kong'] } as const;
export type ProxyServer = (typeof PROXY_ENUMS.server)[number];

export const PROXY_DEFAULTS = {
  server: 'nginx',
  workers: 0, // worker_processes: 0 = auto, one per core (nginx docs; the official image's nginx.conf says auto); HAProxy's nbthread and Envoy's --concurrency default to the cores too
  cores: 2, // assumed: the small host these stacks run on
  workerConnections: 512, // nginx worker_connections default 512 (nginx docs, events module); HAProxy's maxconn when the proxy is HAProxy
  connections: 0, // 0: from the workload (below)
  bufferPerConnection: 0, // 0: the server's default (below)
  sharedZones: 0, // proxy_cache keys_zone and limit_req_zone sizes (nginx); Kong's mem_cache_size is added by default
} as const;

const settings = settingsObject({
  server: withDefault(oneOf(PROXY_ENUMS.server), PROXY_DEFAULTS.server),
  workers: withDefault(count(0, 1024), PROXY_DEFAULTS.workers),
  cores: withDefault(count(1, 1024), PROXY_DEFAULTS.cores),
  // nginx accepts any positive count (bounded by the open-file limit); HAProxy's maxconn likewise.
  workerConnections: withDefault(count(1, 1_048_576), PROXY_DEFAULTS.workerConnections),
  connections: withDefault(count(0, 10_000_000), PROXY_DEFAULTS.connections),
  bufferPerConnection: withDefault(sizeSchema, PROXY_DEFAULTS.bufferPerConnection),
  sharedZones: withDefault(sizeSchema, PROXY_DEFAULTS.sharedZones),
});

// ---------------------------------------------------------------------------------------------
// The model

/** Per-server footprint without connections: the master (nginx, Kong) and each worker, or the one
 * process of the Go/C++ proxies. nginx: measured here (calibration/proxy.json, Debian's nginx 1.22.1,
 * PSS): 4.6 MiB for the master and one worker at rest, +2.1 MiB per further worker, so the master
 * ~2.5 and a worker ~2.1 (low 1.5: a worker that has served nothing; high 4 assumed for large configs). Kong: an nginx worker with LuaJIT and its plugins,
 * ~60–120 MiB reported per worker (Kong docs, "Performance testing" / field reports; assumed 80).
 * Traefik ~40 MiB idle, 100+ with many routers (traefik/traefik issues; assumed), Caddy ~20–40
 * (assumed), Envoy ~30–60 (envoy docs, overload manager examples; assumed), HAProxy ~8 MiB
 * (assumed; its buffers are counted per connection). */
const BASE_MIB: Record<ProxyServer, { master: number; worker: { low: number; typical: number; high: number } }> = {
  nginx: { master: 2.5, worker: { low: 1.5, typical: 2.1, high: 4 } },
  kong: { master: 20, worker: { low: 50, typical: 80, high: 150 } },
  traefik: { master: 0, worker: { low: 30, typical: 45, high: 120 } },
  caddy: { master: 0, worker: { low: 15, typical: 30, high: 80 } },
  envoy: { master: 0, worker: { low: 25, typical: 40, high: 100 } },
  haproxy: { master: 2, worker: { low: 6, typical: 8, high: 16 } },
};
/** Buffers a proxied request in flight holds, KiB. nginx: client_header_buffer_size 1k +
 * proxy_buffer_size 4k + proxy_buffers 8 × 4k = 37 KiB at most (nginx docs, http_core and
 * http_proxy: one memory page each on x86-64); HAProxy: two buffers of tune.bufsize 16384 per
 * connection (HAProxy configuration manual, tune.bufsize); Go proxies: two 32 KiB copy buffers
 * (Go's io.Copy / httputil.ReverseProxy). */
const BUFFER_KIB: Record<ProxyServer, number> = { nginx: 37, kong: 37, haproxy: 32, traefik: 64, caddy: 64, envoy: 64 };
/** Share of those buffers a busy connection holds on average: measured here (calibration/proxy.json:
 * 400 busy connections add ~4.1 MiB at 1 and 2 workers, ~10.5 KiB each of nginx's 37, since
 * proxy_buffers are taken only as a response needs them and freed between requests); low 0.15
 * assumed, high 1: every buffer allocated (slow clients of large responses). */
const ACTIVE_BUFFER_SHARE = { low: 0.15, typical: 0.28, high: 1 } as const;
/** An idle keep-alive connection: nginx frees its buffers and keeps ~0.5 KiB (nginx docs,
 * keepalive / lingering; assumed 1 KiB with the connection and event structures). */
const IDLE_KIB = 1;
/** Kong's mem_cache_size default 128m: a shared dict sized at start (Kong configuration reference). */
const KONG_CACHE_MIB = 128;
/** Each browser session keeps one keep-alive connection open (nginx keepalive_timeout 75 s is
 * longer than a user's 10 s between requests); assumed 0.5 / 1 / 2 per active user. */
const KEEPALIVE_PER_USER = { low: 0.5, typical: 1, high: 2 } as const;

/** The worker count: workers, or one per core for `auto` (0). Go and C++ proxies are one process. */
export function proxyWorkers(s: ServiceOf<'proxy'>): number {
  if (s.settings.server === 'traefik' || s.settings.server === 'caddy' || s.settings.server === 'envoy') return 1;
  return s.settings.workers > 0 ? s.settings.workers : s.settings.cores;
}

/** The most connections the proxy takes: workers × worker_connections (nginx, Kong), maxconn (HAProxy). */
export function proxyConnectionCap(s: ServiceOf<'proxy'>): number {
  const st = s.settings;
  if (st.server === 'nginx' || st.server === 'kong') return proxyWorkers(s) * st.workerConnections;
  return st.workerConnections;
}

export function proxyBufferKiB(s: ServiceOf<'proxy'>): number {
  return s.settings.bufferPerConnection > 0 ? s.settings.bufferPerConnection * 1024 : BUFFER_KIB[s.settings.server];
}

export function proxyUsage(s: ServiceOf<'proxy'>, ctx: ModelContext): Usage {
  const st = s.settings;
  const base = BASE_MIB[st.server];
  const workers = proxyWorkers(s);
  const cap = proxyConnectionCap(s);
  const share = 1 / ctx.countOf('proxy');
  const inFlight = ctx.traffic.inFlightRequests;
  // Connections with a request in flight (client side and upstream side), and idle keep-alive ones.
  const active = st.connections > 0
    ? { low: st.connections, typical: st.connections, high: st.connections }
    : { low: inFlight.low * share * 2, typical: inFlight.typical * share * 2, high: inFlight.high * share * 2 };
  const users = ctx.traffic.activeUsers * share;
  const idle = st.connections > 0 ? { low: 0, typical: 0, high: 0 } : { low: users * KEEPALIVE_PER_USER.low, typical: users * KEEPALIVE_PER_USER.typical, high: users * KEEPALIVE_PER_USER.high };
  const clamp = (v: number) => Math.min(v, cap);
  const buf = proxyBufferKiB(s) / 1024;
  const zones = st.sharedZones + (st.server === 'kong' ? KONG_CACHE_MIB : 0);
  const parts = [
    component('workers', workers * base.worker.low, workers * base.worker.typical, workers * base.worker.high, `${workers} × ${base.worker.typical} MiB`),
    component('active connections', clamp(active.low) * buf * ACTIVE_BUFFER_SHARE.low, clamp(active.typical) * buf * ACTIVE_BUFFER_SHARE.typical, clamp(active.high) * buf * ACTIVE_BUFFER_SHARE.high,
      `${countFormat(Math.round(clamp(active.typical)))} × up to ${Math.round(proxyBufferKiB(s))} KiB of buffers, at most ${countFormat(cap)} connections`),
    component('idle connections', clamp(idle.low) * IDLE_KIB / 1024, clamp(idle.typical) * IDLE_KIB / 1024, clamp(idle.high) * IDLE_KIB / 1024),
  ];
  if (base.master > 0) parts.push(fixed('master', base.master));
  if (zones > 0) parts.push(fixed('shared zones', zones, st.server === 'kong' ? `mem_cache_size ${KONG_CACHE_MIB}m${st.sharedZones > 0 ? ' and zones' : ''}` : 'keys_zone / limit_req_zone'));
  return usageOf(parts);
}

/** Every connection the proxy accepts with its buffers full: what worker_connections (maxconn) allows. */
export function proxyFullMiB(s: ServiceOf<'proxy'>): number {
  const base = BASE_MIB[s.settings.server];
  return base.master + proxyWorkers(s) * base.worker.high + proxyConnectionCap(s) * (proxyBufferKiB(s) / 1024) + s.settings.sharedZones + (s.settings.server === 'kong' ? KONG_CACHE_MIB : 0);
}

/** The connections cap whose full buffers fit `limit`. */
export function proxySafeConnections(s: ServiceOf<'proxy'>, limit: number): number {
  const base = BASE_MIB[s.settings.server];
  const room = limit - base.master - proxyWorkers(s) * base.worker.high - s.settings.sharedZones - (s.settings.server === 'kong' ? KONG_CACHE_MIB : 0);
  return Math.max(0, Math.floor(room / (proxyBufferKiB(s) / 1024)));
}

/** worker_connections × buffers against the limit: a flood the proxy accepts by its settings must fit. */
export const proxyConnections: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const s of servicesOf(plan, 'proxy')) {
    if (s.limit === null) continue;
    const full = proxyFullMiB(s);
    if (full <= s.limit) continue;
    const workers = proxyWorkers(s);
    const perWorker = s.settings.server === 'nginx' || s.settings.server === 'kong';
    const safeTotal = proxySafeConnections(s, s.limit);
    const value = perWorker ? Math.floor(safeTotal / workers) : safeTotal;
    const name = perWorker ? 'worker_connections' : s.settings.server === 'haproxy' ? 'maxconn' : 'its connection limit';
    out.push(finding('proxy-connections-over-limit', 'warning', s.name,
      `${s.name} (${s.settings.server}) accepts ${countFormat(proxyConnectionCap(s))} connections${perWorker ? ` (${workers} workers × worker_connections ${s.settings.workerConnections})` : ''}; with ${Math.round(proxyBufferKiB(s))} KiB of buffers each that is ${fmt(full)}, over its ${fmt(s.limit)} limit: a burst of slow clients gets it OOM-killed instead of refused.`,
      value >= 1 ? `Set ${s.name}'s ${name} to ${value}, or raise its limit to ${fmt(Math.ceil(full))}.` : `Raise ${s.name}'s limit to ${fmt(Math.ceil(full))}.`,
      value >= 1 ? [{ service: s.name, key: 'settings.workerConnections', value }] : []));
  }
  return out;
};

export const proxy: KindEngine<'proxy', typeof settings> = {
  kind: 'proxy',
  settings,
  enums: PROXY_ENUMS,
  usage: proxyUsage,
  // assumed: nginx in front of the app
  starter: { name: 'proxy', limit: '64MiB', settings: { server: 'nginx' } },
  summary: (s) => `${s.settings.server} · ${proxyWorkers(s)} worker${proxyWorkers(s) === 1 ? '' : 's'} · ${countFormat(proxyConnectionCap(s))} connections${s.settings.sharedZones > 0 ? ` · zones ${sizeFormat(s.settings.sharedZones)}` : ''}`,
  fields: [field.choice('server', 'server'), field.count('workers', 'worker_processes (0 = auto)'), field.count('workerConnections', 'worker_connections / maxconn'), field.size('sharedZones', 'shared zones'), field.count('cores', 'cores'), field.count('connections', 'connections (0 = from traffic)')],
  findings: [proxyConnections],
};
