/**
 * The charts' data, shaped from the report: the host as one stack, each service's limit against
 * its usage, normal against spike. Big plans are cut to their largest services (the rest summed
 * as one "other" entry): a bar per service stops being readable, and costs a render, long before 100.
 */
import type { Report, ServiceBudget } from '../../engine/index.ts';
import { budgetLimitOfAll } from '../../engine/report.ts';
import { hostClaimMiB, SERVICE_COLOURS } from './views.ts';

/** Services drawn one by one in the charts; the rest are summed. */
export const CHART_SERVICES = 12;

const weight = (s: ServiceBudget) => Math.max(budgetLimitOfAll(s) ?? 0, s.usageMiB.high);

/** The largest `CHART_SERVICES` services by limit or high usage, in plan order, and the rest. */
export function chartSplit(services: readonly ServiceBudget[]): { shown: ServiceBudget[]; rest: ServiceBudget[] } {
  if (services.length <= CHART_SERVICES) return { shown: [...services], rest: [] };
  const keep = new Set([...services].sort((a, b) => weight(b) - weight(a)).slice(0, CHART_SERVICES));
  return { shown: services.filter((s) => keep.has(s)), rest: services.filter((s) => !keep.has(s)) };
}

export type HostStack = { row: Record<string, number | string>; keys: Array<{ key: string; label: string; colour: string }>; typicalMiB: number; ramMiB: number; scaleMiB: number };

/** One row with a column per segment, for a stacked bar: reserve, each service's claim (views.ts hostClaimMiB, as the host bar), unallocated. */
export function hostStack(report: Report): HostStack {
  const h = report.host;
  const row: Record<string, number | string> = { name: 'host', reserve: h.reserveMiB };
  const keys = [{ key: 'reserve', label: 'reserve', colour: 'reserve' }];
  let committed = h.reserveMiB;
  const { rest } = chartSplit(report.services.filter((s) => hostClaimMiB(s) !== null));
  const others = new Set(rest);
  report.services.forEach((s, i) => {
    const claim = hostClaimMiB(s);
    if (claim === null || others.has(s)) return;
    const key = `s${i}`;
    row[key] = claim;
    committed += claim;
    keys.push({ key, label: s.limitMiB === null ? `${s.name} (no limit: high usage)` : s.name, colour: `svc-${i % SERVICE_COLOURS}` });
  });
  if (rest.length) {
    row.other = rest.reduce((sum, s) => sum + hostClaimMiB(s)!, 0);
    committed += row.other;
    keys.push({ key: 'other', label: `${rest.length} other services`, colour: 'reserve' });
  }
  if (h.ramMiB > committed) {
    row.free = h.ramMiB - committed;
    keys.push({ key: 'free', label: 'unallocated', colour: 'free' });
  }
  return { row, keys, typicalMiB: h.usageMiB.typical, ramMiB: h.ramMiB, scaleMiB: Math.max(h.ramMiB, committed) };
}

export type ServiceBar = { name: string; limit: number | null; usage: [number, number]; typical: number; normalHigh: number; spikeHigh: number };

/** Per service (the largest, when there are many): limit, usage range, typical, and high usage in the normal and the spike scenario. */
export function serviceBars(report: Report): ServiceBar[] {
  const spike = new Map(report.spike.services.map((s) => [s.name, s.usageMiB.high]));
  return chartSplit(report.services).shown.map((s) => ({
    name: s.name,
    limit: budgetLimitOfAll(s), // all its containers', as the usage is
    usage: [s.usageMiB.low, s.usageMiB.high],
    typical: s.usageMiB.typical,
    normalHigh: s.usageMiB.high,
    spikeHigh: spike.get(s.name) ?? s.usageMiB.high,
  }));
}
