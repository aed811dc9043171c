/** Services whose memory does not follow the workload: Grafana, AlertManager, and generic ones. */
import type { ServiceOf } from '../schema.ts';
import type { Usage } from '../report.ts';
import { component, usageOf } from './usage.ts';

/** Grafana: idle ~33 MB measured; docs recommend 512 MB minimum for rendering and alerting
 * (memory-model.md). Assumed 80 typical with a few dashboards, 200 high while rendering. */
const GRAFANA_MIB = { low: 33, typical: 80, high: 200 } as const;
/** AlertManager idle ~8–16 MB (memory-model.md); the seed budgets 30–50 MB. */
const ALERTMANAGER_MIB = { low: 8, typical: 16, high: 32 } as const;
/** A generic service without measured usage. Assumed: a small sidecar, 32 / 64 / 128 MiB. */
export const GENERIC_DEFAULT_MIB = { low: 32, typical: 64, high: 128 } as const;

export function grafanaUsage(): Usage {
  return usageOf([component('process', GRAFANA_MIB.low, GRAFANA_MIB.typical, GRAFANA_MIB.high)]);
}

export function alertmanagerUsage(): Usage {
  return usageOf([component('process', ALERTMANAGER_MIB.low, ALERTMANAGER_MIB.typical, ALERTMANAGER_MIB.high)]);
}

export function genericUsage(s: ServiceOf<'generic'>): Usage {
  // Usage set in the plan wins; else what docker stats saw (typical, or the peak alone); else the guess.
  const seen = s.observed ? { low: s.observed.typical ?? s.observed.peak, typical: s.observed.typical ?? s.observed.peak, high: s.observed.peak } : null;
  const u = s.settings.usage ?? seen ?? GENERIC_DEFAULT_MIB;
  // Keep the three points ordered even when a user wrote them out of order.
  const [low, typical, high] = [u.low, u.typical, u.high].sort((a, b) => a - b) as [number, number, number];
  const note = s.settings.usage ? 'as set in the plan' : seen ? 'observed (docker stats)' : 'assumed: no usage set';
  return usageOf([component('process', low, typical, high, note)]);
}
