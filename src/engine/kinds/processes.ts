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
