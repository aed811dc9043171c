/**
 * A Python web or worker service (gunicorn, uvicorn, Django's runserver, Flask, Celery, RQ,
 * Dramatiq, Huey): processes × the memory of one process, plus the master that forks them where
 * the server has one. `--preload` (gunicorn) shares the app's pages between master and workers
 * until they are written. FastAPI apps stay their own kind (fastapi.ts) with the database pool
 * model; this kind is every other Python process.
 */
import * as z from 'zod/mini';
import type { Plan, ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { bool, count, oneOf, settingsObject, sizeSchema, withDefault } from '../schema-blocks.ts';
import { sizeFormat } from '../units.ts';
import { servicesOf, type Rule } from '../findings/context.ts';
import { GUNICORN_MASTER_MIB, PRELOAD_LOW_SHARE, PROCESS_SPREAD, poolFinding, poolLimitFor, poolUsage, tunePool, type Pool, type PoolTune } from './processes.ts';
import { field, type KindEngine, type TuneUnfit } from './kind.ts';
import { catalogueBasis, CATALOGUE_IDS } from '../catalogue.ts';

export const PYTHON_ENUMS = { server: ['gunicorn', 'uvicorn', 'celery', 'rq', 'dramatiq', 'huey', 'django', 'python'] } as const;
export type PythonServer = (typeof PYTHON_ENUMS.server)[number];

export const PYTHON_DEFAULTS = {
  server: 'python', // what started it, when the compose file says; `python` for a plain script
  processes: 1, // gunicorn's --workers default 1, uvicorn's 1 (their docs); Celery's prefork default is the CPU count (read from compose when set)
  perProcess: 90, // assumed for a Django/Flask worker: public reports range 82–171 MB per worker (memory-model.md); a bare FastAPI worker measured 48 MiB here (calibration/fastapi.json)
  master: true, // gunicorn's arbiter, Celery's main process, uvicorn's supervisor with --workers > 1
  preload: false, // gunicorn default (--preload off)
  replicas: 1, // compose's default: one container (deploy.replicas / scale)
} as const;

const settings = settingsObject({
  server: withDefault(oneOf(PYTHON_ENUMS.server), PYTHON_DEFAULTS.server),
  processes: withDefault(count(1, 1024), PYTHON_DEFAULTS.processes),
  perProcess: withDefault(sizeSchema, PYTHON_DEFAULTS.perProcess),
  master: withDefault(bool, PYTHON_DEFAULTS.master),
  preload: withDefault(bool, PYTHON_DEFAULTS.preload),
  // The service's containers (deploy.replicas, scale), as fastapi counts them: 1–64 as fastapi's schema.
  replicas: withDefault(count(1, 64), PYTHON_DEFAULTS.replicas),
  // The application image in Headroom's catalogue (engine/catalogue.ts) its memory per process comes from.
  app: z.optional(oneOf(CATALOGUE_IDS)),
});

// ---------------------------------------------------------------------------------------------
// The model

/** A master: gunicorn's arbiter, measured here (processes.ts); Celery's main process imports the app (assumed: the same as a worker). */
const MASTER_MIB = GUNICORN_MASTER_MIB;
/** The master's memory: none, the arbiter, or (Celery, Dramatiq, Huey) a process that imports the app. */
function masterMiB(s: ServiceOf<'python'>): number {
  const st = s.settings;
  if (!st.master) return 0;
  if (st.server === 'celery' || st.server === 'dramatiq' || st.server === 'huey') return st.perProcess;
  return MASTER_MIB;
}

/**
 * The service as a pool of processes (processes.ts, the model ruby and php share): every container
 * runs all its processes at rest and typically (a gunicorn or Celery pool is fixed, no spare
 * servers); --preload shares the app's pages at rest (the low end only: processes.ts); Celery's
 * main process imports the app and grows as a worker does (PROCESS_SPREAD.high at the high end).
 */
export function pythonPool(s: ServiceOf<'python'>): Pool {
  const st = s.settings;
  const master = masterMiB(s);
  return {
    replicas: st.replicas, processes: st.processes, perProcess: st.perProcess, master,
    masterHigh: st.server === 'celery' ? master * PROCESS_SPREAD.high : master,
    lowShare: st.preload ? PRELOAD_LOW_SHARE : 1,
  };
}

/** Every container's processes and masters: replicas × (processes × one process + the master), as fastapi counts its replicas. */
export function pythonUsage(s: ServiceOf<'python'>): Usage {
  return poolUsage(pythonPool(s));
}

// ---------------------------------------------------------------------------------------------
// Tuning: processes from the limit (never more than the plan runs), the shared pool tuner

export function tunePython(_plan: Plan, s: ServiceOf<'python'>): PoolTune {
  return tunePool(pythonPool(s), s.limit, `${s.settings.server} process`);
}

function pythonUnfit(s: ServiceOf<'python'>, t: PoolTune): TuneUnfit[] {
  return t.fits ? [] : [{ service: s.name, kind: 'python', reason: 'limit', limitMiB: s.limit, minLimitMiB: t.minLimit, message: `${s.name}: ${t.explain}` }];
}

// ---------------------------------------------------------------------------------------------
// Findings

/** processes × per-process memory against the limit: the shared pool finding. */
export const pythonWorkers: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const s of servicesOf(plan, 'python')) {
    if (s.limit === null) continue;
    const f = poolFinding('python-workers-over-limit', s.name, pythonPool(s), s.limit, tunePython(plan, s), `${s.settings.server} process`);
    if (f) out.push(f);
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// The kind

export const python: KindEngine<'python', typeof settings, PoolTune> = {
  kind: 'python',
  settings,
  enums: PYTHON_ENUMS,
  usage: pythonUsage,
  // assumed: a gunicorn app with two workers
  starter: { name: 'python', limit: '512MiB', settings: { server: 'gunicorn', processes: 2 } },
  summary: ({ settings: st }) => `${st.replicas > 1 ? `${st.replicas} × ` : ''}${st.server} · ${st.processes} × ${sizeFormat(st.perProcess)}${st.preload ? ' · preload' : ''}`,
  fields: [field.count('processes', 'processes (workers)'), field.size('perProcess', 'memory per process'), field.choice('server', 'server'), field.bool('master', 'master process'), field.bool('preload', 'preload app'), field.count('replicas', 'replicas')],
  findings: [pythonWorkers],
  // The catalogue's figure is documented, its missing figure assumed (catalogue.ts); any other value is the plan's own.
  basis: (s) => (s.observed ? 'observed' : catalogueBasis(s.settings.app, s.settings.perProcess, PYTHON_DEFAULTS.perProcess) ?? 'modelled'),
  tuning: {
    tune: tunePython,
    apply: (s, t) => (t.recommendedProcesses === null ? s : { ...s, settings: { ...s.settings, processes: t.recommendedProcesses } }),
    unfit: pythonUnfit,
    settle: (_plan, s, t) => ({ ...t, plannedProcesses: s.settings.processes }),
    minLimit: (s) => poolLimitFor(pythonPool(s), s.settings.processes),
  },
};
