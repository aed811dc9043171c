/** The charts' data, shaped from the report: the host as one stack, each service's limit against its usage, normal against spike. */
import type { Report } from '../../engine/index.ts';
import { SERVICE_COLOURS } from './views.ts';

export type HostStack = { row: Record<string, number | string>; keys: Array<{ key: string; label: string; colour: string }>; typicalMiB: number; ramMiB: number; scaleMiB: number };

/** One row with a column per segment, for a stacked bar: reserve, each service's limit, unallocated. */
export function hostStack(report: Report): HostStack {
  const h = report.host;
  const row: Record<string, number | string> = { name: 'host', reserve: h.reserveMiB };
  const keys = [{ key: 'reserve', label: 'reserve', colour: 'reserve' }];
  let committed = h.reserveMiB;
  report.services.forEach((s, i) => {
    const key = `s${i}`;
    row[key] = s.limitMiB ?? s.usageMiB.high;
    committed += row[key] as number;
    keys.push({ key, label: s.limitMiB === null ? `${s.name} (no limit: high usage)` : s.name, colour: `svc-${i % SERVICE_COLOURS}` });
  });
  if (h.ramMiB > committed) {
    row.free = h.ramMiB - committed;
    keys.push({ key: 'free', label: 'unallocated', colour: 'free' });
  }
  return { row, keys, typicalMiB: h.usageMiB.typical, ramMiB: h.ramMiB, scaleMiB: Math.max(h.ramMiB, committed) };
}

export type ServiceBar = { name: string; limit: number | null; usage: [number, number]; typical: number; normalHigh: number; spikeHigh: number };

/** Per service: limit, usage range, typical, and high usage in the normal and the spike scenario. */
export function serviceBars(report: Report): ServiceBar[] {
  const spike = new Map(report.spike.services.map((s) => [s.name, s.usageMiB.high]));
  return report.services.map((s) => ({
    name: s.name,
    limit: s.limitMiB,
    usage: [s.usageMiB.low, s.usageMiB.high],
    typical: s.usageMiB.typical,
    normalHigh: s.usageMiB.high,
    spikeHigh: spike.get(s.name) ?? s.usageMiB.high,
  }));
}
