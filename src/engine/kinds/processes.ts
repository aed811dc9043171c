/**
 * What the application runtimes share (python, node): a number of processes of about the same
 * size, told by a process count and the typical memory of one process, plus a master where the
 * server has one. A catalogue entry for a project's image says "this app's process uses N MiB,
 * M processes" in exactly these settings.
 */
import type { Component, Finding, Usage } from '../report.ts';
import { component, usageOf } from '../usage.ts';
import { sizeFormat, withArticle } from '../units.ts';
import { roundUpSize } from '../policy.ts';
import { finding, fmt } from '../findings/context.ts';

/** Spread of one process around its typical size. Assumed: 0.8× right after start, 1.4× after
 * fragmentation and large responses (public reports of Python workers range 82–171 MB for the same
 * app, memory-model.md); CPython and V8 both keep freed memory mapped. */
export const PROCESS_SPREAD = { low: 0.8, high: 1.4 } as const;

/** `processes` × `perProcess` with the spread, as one component. */
export function processesPart(name: string, processes: number, perProcess: number, high = perProcess * PROCESS_SPREAD.high): Component {
  return component(name, processes * perProcess * PROCESS_SPREAD.low, processes * perProcess, processes * Math.max(high, perProcess), `${processes} × ${Math.round(perProcess)} MiB`);
}

/** gunicorn's --preload: workers share the imported app with the master until they write to it.
 * Measured here (calibration/fastapi.json): no saving in PSS for a small FastAPI app (2 and 4
 * workers within 1% with and without --preload: CPython's reference counts write to the shared
 * objects). A large app keeps more read-only pages shared: 82 vs 131 MB per worker
 * (langflow#12778). So the typical is the measured (no saving) and the low end the reported share. */
export const PRELOAD_LOW_SHARE = 82 / 131;

/** Gunicorn's arbiter with the interpreter's pages it shares with its workers: measured here
 * 25.6–28.8 MiB PSS (calibration/fastapi.json: total − workers × their marginal size − requests in
 * flight, at 1, 2 and 4 uvicorn workers; Debian's python3.11, gunicorn 20.1, FastAPI 0.92), which
 * confirms the 25 MiB assumed before (the seed's figures rest on it). */
export const GUNICORN_MASTER_MIB = 25;

// ---------------------------------------------------------------------------------------------
// A pool of worker processes (ruby, php): one model, its tuning and its finding, shared

/**
 * A pool of processes of about the same size in each of `replicas` containers: Puma's or Unicorn's
 * workers, a Sidekiq process, PHP-FPM's children, Apache's prefork children, Swoole's workers. At
 * rest `idle` of them run (a dynamic PHP pool's start_servers; the whole pool otherwise), at the
 * typical point `busy`, at the high point all `processes` grown to `highPerProcess`; each
 * container adds its `master` (Puma's or Unicorn's master with the booted app, FPM's master).
 */
export type Pool = {
  replicas: number;
  processes: number;
  perProcess: number;
  /** Processes at rest; the whole pool when omitted. */
  idle?: number;
  /** Processes at the typical point; the whole pool when omitted. */
  busy?: number;
  /** One process at its high end; perProcess × PROCESS_SPREAD.high when omitted. */
  highPerProcess?: number;
  /** The master's memory in each container (0: none). */
  master: number;
  /** The master at its high end (Celery's main process grows as a worker does); `master` when omitted. */
  masterHigh?: number;
  /** The share of the processes' low end they hold (gunicorn's --preload shares pages at rest: PRELOAD_LOW_SHARE); 1 when omitted. */
  lowShare?: number;
};

/** The pool's memory: its processes (idle at low, busy typically, all at high) and the masters. */
export function poolUsage(p: Pool, name = 'processes'): Usage {
  const idle = Math.min(p.idle ?? p.processes, p.processes);
  const busy = Math.min(Math.max(p.busy ?? p.processes, idle), p.processes);
  const high = Math.max(p.highPerProcess ?? p.perProcess * PROCESS_SPREAD.high, p.perProcess);
  const n = p.replicas;
  const note = `${n > 1 ? `${n} × ` : ''}${idle === p.processes ? p.processes : `${idle}–${p.processes}`} × ${Math.round(p.perProcess)} MiB`;
  const parts = [component(name, n * idle * p.perProcess * PROCESS_SPREAD.low * (p.lowShare ?? 1), n * busy * p.perProcess, n * p.processes * high, note)];
  if (p.master > 0) parts.push(component(n > 1 ? `${n} masters` : 'master', n * p.master, n * p.master, n * Math.max(p.masterHigh ?? p.master, p.master)));
  return usageOf(parts);
}

/** One container's high usage with `processes` in it: what its limit (per container, report.ts limitOfAll) must hold. */
export function poolHigh(p: Pool, processes: number): number {
  return poolUsage({ ...p, replicas: 1, processes, idle: Math.min(p.idle ?? processes, processes), busy: Math.min(p.busy ?? processes, processes) }).high;
}

/** The most processes per container whose high usage fits `limit` (0 when not even one does). */
export function poolSafeProcesses(p: Pool, limit: number): number {
  let n = 0;
  while (n < 4096 && poolHigh(p, n + 1) <= limit) n++;
  return n;
}

/** The smallest tidy limit that holds `processes` at their high end. */
export function poolLimitFor(p: Pool, processes: number): number {
  return roundUpSize(poolHigh(p, processes));
}

export type PoolTune = {
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

/** The process count from the limit (never more than the plan runs), as python's tuner does. */
export function tunePool(p: Pool, limit: number | null, what: string): PoolTune {
  const planned = p.processes;
  if (limit === null) return { limit: null, plannedProcesses: planned, safeProcesses: null, recommendedProcesses: null, fits: true, minLimit: null, explain: `no container limit: the ${what} count cannot be derived from it` };
  const safe = poolSafeProcesses(p, limit);
  const fits = safe >= 1;
  const rec = fits ? Math.min(planned, safe) : null;
  return {
    limit, plannedProcesses: planned, safeProcesses: safe, recommendedProcesses: rec, fits, minLimit: fits ? null : poolLimitFor(p, 1),
    explain: rec !== null
      ? `${rec} ${what}${rec === 1 ? '' : 'es'} × ${sizeFormat(p.perProcess)} at their high end${p.master > 0 ? ' and the master' : ''} fit the ${sizeFormat(limit)} limit`
      : `the ${sizeFormat(limit)} limit cannot hold one ${sizeFormat(p.perProcess)} ${what} at its high end: the limit needs to be at least ${sizeFormat(poolLimitFor(p, 1))}`,
  };
}

/** The finding when the pool's processes outgrow the limit: `key` is the setting the fix lowers. */
export function poolFinding(id: string, service: string, p: Pool, limit: number, t: PoolTune, what: string, key = 'settings.processes'): Finding | null {
  if (t.safeProcesses === null || t.safeProcesses >= p.processes) return null;
  const u = poolUsage({ ...p, replicas: 1 }); // one container's, against its limit
  const severity = u.typical > limit ? 'critical' : 'warning';
  return finding(id, severity, service,
    `${service} runs up to ${p.processes} ${what}es × ${fmt(p.perProcess)}${p.master > 0 ? ' plus its master' : ''}${p.replicas > 1 ? ` in each of its ${p.replicas} containers` : ''}: ${fmt(u.typical)} typically and up to ${fmt(u.high)} when every one is busy and grown, against ${p.replicas > 1 ? `each one’s ${fmt(limit)}` : withArticle(fmt(limit))} limit.`,
    t.safeProcesses >= 1 ? `Set ${service}'s ${what} count to ${t.safeProcesses}, or raise its limit to ${fmt(poolLimitFor(p, p.processes))}.` : `Raise ${service}'s limit to at least ${fmt(poolLimitFor(p, 1))}.`,
    t.safeProcesses >= 1 ? [{ service, key, value: t.safeProcesses }] : []);
}
