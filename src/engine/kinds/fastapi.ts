/** The app: a FastAPI app under gunicorn/uvicorn, memory linear in workers (memory-model.md). */
import type { ServiceOf } from '../schema.ts';
import type { Usage } from '../report.ts';
import { between, bool, count, settingsObject, sizeSchema, withDefault } from '../schema-blocks.ts';
import { component, usageOf } from '../usage.ts';
import { sizeFormat } from '../units.ts';
import { field, type KindEngine, type ModelContext } from './kind.ts';
import { GUNICORN_MASTER_MIB, PRELOAD_LOW_SHARE } from './processes.ts';

export const APP_DEFAULTS = {
  replicas: 1, // assumed: one app container, as in the seed
  workers: 2, // assumed: small hosts have 1–2 cores; gunicorn's rule is 2 × cores + 1
  perWorker: 120, // memory-model.md: 82–171 MB per uvicorn/gunicorn worker in public reports, for apps with their ORM and libraries; a bare FastAPI app measured 21.5 MiB PSS per worker here (calibration/fastapi.json), the floor
  preload: false, // gunicorn default (--preload off)
  poolSize: 5, // SQLAlchemy QueuePool default pool_size
  maxOverflow: 10, // SQLAlchemy QueuePool default max_overflow
  cpuPerRequestMs: 2.7, // measured here (calibration/latency.json): the stack test's app (FastAPI, SQLAlchemy, redis-py under gunicorn/uvicorn) used 1.86 CPU-ms a request at 234 req/s with 50% cache hits, the last rate under the 500 ms crossing; a miss at that mix (cpu.ts HIT_CPU_SHARE) is 2.7 ms
} as const;

const settings = settingsObject({
  replicas: withDefault(count(1, 64), APP_DEFAULTS.replicas),
  workers: withDefault(count(1, 256), APP_DEFAULTS.workers),
  perWorker: withDefault(sizeSchema, APP_DEFAULTS.perWorker),
  preload: withDefault(bool, APP_DEFAULTS.preload),
  poolSize: withDefault(count(0, 10_000), APP_DEFAULTS.poolSize),
  maxOverflow: withDefault(count(0, 10_000), APP_DEFAULTS.maxOverflow),
  cpuPerRequestMs: withDefault(between(0, 60_000, 'expected CPU ms per request from 0 to 60000'), APP_DEFAULTS.cpuPerRequestMs),
});

/** Gunicorn's arbiter (processes.ts, measured here). */
const MASTER_MIB = GUNICORN_MASTER_MIB;
/** Spread of one worker's footprint. Assumed: 0.8× right after start, 1.4× after fragmentation
 * and large responses (public reports range 82–171 MB, memory-model.md). */
const WORKER_LOW = 0.8;
const WORKER_HIGH = 1.4;
/** Memory a request in flight holds (request body, ORM objects, JSON response). Assumed: 1 MiB for
 * an app's request with its database objects. Measured here 0.4 MiB for a bare app's 20-item JSON
 * lists (calibration/fastapi.json: 2 workers at rest 69.2 MiB, under 16 busy connections 75.6), the
 * floor; kept at 1 since the seed's capacity figures rest on it and a real request holds more. */
const PER_REQUEST_MIB = 1;

/** The app's memory; several app services in one plan split the traffic evenly. */
export function fastapiUsage(s: ServiceOf<'fastapi'>, ctx: ModelContext): Usage {
  const { replicas, workers, perWorker, preload } = s.settings;
  // A spread service's replicas on one host serve their share of its requests: ctx.plan is the
  // whole stack (budget.ts), where the service has all its replicas (hosts.ts: this host has some).
  const all = ctx.plan.services.find((x) => x.name === s.name);
  const spread = all?.kind === 'fastapi' ? replicas / all.settings.replicas : 1;
  const share = spread / ctx.countOf('fastapi');
  const procs = replicas * workers;
  const lowShare = preload ? PRELOAD_LOW_SHARE : 1;
  const master = replicas * MASTER_MIB;
  const inFlight = ctx.traffic.inFlightRequests;
  return usageOf([
    component('workers', procs * perWorker * WORKER_LOW * lowShare, procs * perWorker, procs * perWorker * WORKER_HIGH, `${procs} × ${Math.round(perWorker)} MiB${preload ? ' (--preload)' : ''}`),
    component('master', master, master, master),
    component('requests in flight', inFlight.low * share * PER_REQUEST_MIB, inFlight.typical * share * PER_REQUEST_MIB, inFlight.high * share * PER_REQUEST_MIB),
  ]);
}

export const fastapi: KindEngine<'fastapi', typeof settings> = {
  kind: 'fastapi',
  settings,
  usage: fastapiUsage,
  // the seed: FastAPI Backend 500MB
  starter: { limit: '500MiB', settings: {} },
  summary: ({ settings: st }) => `${st.replicas > 1 ? `${st.replicas} × ` : ''}${st.workers} workers × ${sizeFormat(st.perWorker)} · pool ${st.poolSize}+${st.maxOverflow}`,
  fields: [
    field.count('workers', 'workers'), field.size('perWorker', 'memory per worker'), field.count('poolSize', 'pool_size'),
    field.count('maxOverflow', 'max_overflow'), field.count('replicas', 'replicas'), field.bool('preload', 'preload app'),
    { key: 'cpuPerRequestMs', label: 'CPU ms per request', type: 'number', optional: true },
  ],
  scraped: true, // prometheus-fastapi-instrumentator's /metrics on the app's port
  connections: 'counted', // replicas × workers × (poolSize + maxOverflow): traffic.ts
};
