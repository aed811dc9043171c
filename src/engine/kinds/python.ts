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
import { component, usageOf } from '../usage.ts';
import { mbText as mb, sizeFormat } from '../units.ts';
import { roundUpSize } from '../policy.ts';
import { finding, fmt, servicesOf, type Rule } from '../findings/context.ts';
import { GUNICORN_MASTER_MIB, PRELOAD_LOW_SHARE, PROCESS_SPREAD, processesPart } from './processes.ts';
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
/** The master's memory: none, the arbiter, or (Celery, RQ) a process that imports the app. */
function masterMiB(s: ServiceOf<'python'>): number {
  const st = s.settings;
  if (!st.master) return 0;
  if (st.server === 'celery' || st.server === 'dramatiq' || st.server === 'huey') return st.perProcess;
  return MASTER_MIB;
}

/** The typical memory of one worker (--preload saves nothing typically: processes.ts). */
function workerMiB(s: ServiceOf<'python'>): number {
  return s.settings.perProcess;
}

/** Every container's processes and masters: replicas × (processes × one process + the master), as fastapi counts its replicas. */
export function pythonUsage(s: ServiceOf<'python'>): Usage {
  const replicas = s.settings.replicas;
  const master = replicas * masterMiB(s);
  const part = processesPart('processes', replicas * s.settings.processes, workerMiB(s));
  const parts = [s.settings.preload ? { ...part, low: part.low * PRELOAD_LOW_SHARE } : part];
  if (master > 0) parts.push(component(replicas > 1 ? `${replicas} masters` : 'master', master, master, master * (s.settings.server === 'celery' ? PROCESS_SPREAD.high : 1)));
  return usageOf(parts);
}

/** One container's high usage with `processes` workers: what its limit (per container, report.ts limitOfAll) must hold. */
function pythonHigh(s: ServiceOf<'python'>, processes: number): number {
  return pythonUsage({ ...s, settings: { ...s.settings, replicas: 1, processes } }).high;
}

// ---------------------------------------------------------------------------------------------
// Tuning: workers from the limit (never more than the plan runs)

export type PythonTune = {
  limit: number | null;
  plannedProcesses: number;
  /** The most processes whose high usage fits the limit; null without a limit. */
  safeProcesses: number | null;
  /** min(planned, safe): the tuner lowers the count, never raises it; null when none fits. */
  recommendedProcesses: number | null;
  fits: boolean;
  minLimit: number | null;
  explain: string;
};

export function pythonSafeProcesses(s: ServiceOf<'python'>, limit: number): number {
  let n = 0;
  while (n < 1024 && pythonHigh(s, n + 1) <= limit) n++;
  return n;
}

export function pythonLimitFor(s: ServiceOf<'python'>, processes: number): number {
  return roundUpSize(pythonHigh(s, processes));
}

export function tunePython(_plan: Plan, s: ServiceOf<'python'>): PythonTune {
  const planned = s.settings.processes;
  if (s.limit === null) return { limit: null, plannedProcesses: planned, safeProcesses: null, recommendedProcesses: null, fits: true, minLimit: null, explain: 'no container limit: the process count cannot be derived from it' };
  const safe = pythonSafeProcesses(s, s.limit);
  const fits = safe >= 1;
  const rec = fits ? Math.min(planned, safe) : null;
  return {
    limit: s.limit, plannedProcesses: planned, safeProcesses: safe, recommendedProcesses: rec, fits, minLimit: fits ? null : pythonLimitFor(s, 1),
    explain: rec !== null
      ? `${rec} × ${mb(workerMiB(s))} processes at up to ${PROCESS_SPREAD.high}× their typical size${masterMiB(s) > 0 ? ' and the master' : ''} fit the ${mb(s.limit)} limit`
      : `the ${mb(s.limit)} limit cannot hold one ${mb(s.settings.perProcess)} process at its high end: the limit needs to be at least ${mb(pythonLimitFor(s, 1))}`,
  };
}

function pythonUnfit(s: ServiceOf<'python'>, t: PythonTune): TuneUnfit[] {
  return t.fits ? [] : [{ service: s.name, kind: 'python', reason: 'limit', limitMiB: s.limit, minLimitMiB: t.minLimit, message: `${s.name}: ${t.explain}` }];
}

// ---------------------------------------------------------------------------------------------
// Findings

/** workers × per-process memory against the limit. */
export const pythonWorkers: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const s of servicesOf(plan, 'python')) {
    if (s.limit === null) continue;
    const t = tunePython(plan, s);
    const n = s.settings.processes;
    if (t.safeProcesses === null || t.safeProcesses >= n) continue;
    const typical = pythonUsage({ ...s, settings: { ...s.settings, replicas: 1 } }).typical; // one container's, against its limit
    const severity = typical > s.limit ? 'critical' : 'warning';
    const many = s.settings.replicas > 1;
    out.push(finding('python-workers-over-limit', severity, s.name,
      `${s.name} runs ${n} ${s.settings.server} processes × ${fmt(workerMiB(s))}${masterMiB(s) > 0 ? ' plus its master' : ''}${many ? ` in each of its ${s.settings.replicas} containers` : ''}: ${fmt(typical)} typically and up to ${fmt(pythonHigh(s, n))} as processes grow, against ${many ? 'each one’s' : 'a'} ${fmt(s.limit)} limit.`,
      t.safeProcesses >= 1
        ? `Set ${s.name}'s processes to ${t.safeProcesses}, or raise its limit to ${fmt(pythonLimitFor(s, n))}.`
        : `Raise ${s.name}'s limit to at least ${fmt(pythonLimitFor(s, 1))}.`,
      t.safeProcesses >= 1 ? [{ service: s.name, key: 'settings.processes', value: t.safeProcesses }] : []));
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// The kind

export const python: KindEngine<'python', typeof settings, PythonTune> = {
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
    minLimit: (s) => pythonLimitFor(s, s.settings.processes),
  },
};
