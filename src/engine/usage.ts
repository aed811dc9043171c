/** Helpers the kinds' models (kinds/) and the host share to build a Usage from named components. */
import type { Component, Usage } from './report.ts';

/** A named component from its low, typical and high MiB. */
export function component(name: string, low: number, typical: number, high: number, note?: string): Component {
  return note === undefined ? { name, MiB: typical, low, high } : { name, MiB: typical, low, high, note };
}

/** A component that is the same at every point. */
export function fixed(name: string, mib: number, note?: string): Component {
  return component(name, mib, mib, mib, note);
}

/** The usage that is the sum of its components. */
export function usageOf(components: Component[]): Usage {
  let low = 0;
  let typical = 0;
  let high = 0;
  for (const c of components) {
    low += c.low;
    typical += c.MiB;
    high += c.high;
  }
  return { low, typical, high, components };
}

/** The usage of a service whose memory does not follow the workload: one process at these three points. */
export function processUsage(mib: { low: number; typical: number; high: number }, note?: string): Usage {
  return usageOf([component('process', mib.low, mib.typical, mib.high, note)]);
}
