/**
 * What the application runtimes share (python, node): a number of processes of about the same
 * size, told by a process count and the typical memory of one process, plus a master where the
 * server has one. A catalogue entry for a project's image says "this app's process uses N MiB,
 * M processes" in exactly these settings.
 */
import type { Component } from '../report.ts';
import { component } from '../usage.ts';

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
