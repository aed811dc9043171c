/**
 * What each feature toggle changes: the plan evaluated with the feature off and on, compared at
 * high load (where pgBouncer and the cache matter). One extra evaluation per toggle.
 */
import type { PlanInput, Report } from '../../engine/index.ts';
import { countText, deltaText } from '../format.ts';
import { featureSet, type FeatureName } from '../state/planEdit.ts';
import { deriveOf } from './engine.ts';

/** Names on screen; a feature the engine adds later shows under its plan-file key until named here. */
const FEATURE_LABEL: Partial<Record<FeatureName, string>> = {
  pgbouncer: 'pgBouncer',
  semanticCache: 'Semantic cache',
  alertmanager: 'AlertManager',
  exporters: 'Exporters',
};

/** Whether a feature is on in a report (false for one the report does not know). */
export function featureOn(report: Report, id: FeatureName): boolean {
  return (report.features as Partial<Record<FeatureName, boolean>>)[id] === true;
}

/** The toggles for the features a report has, in the engine's order. */
export function featureList(ids: readonly string[]): Array<{ id: FeatureName; label: string }> {
  return (ids as readonly FeatureName[]).map((id) => ({ id, label: FEATURE_LABEL[id] ?? id }));
}

export type ToggleView = { id: FeatureName; label: string; on: boolean; effects: string[] };

/** Below this a difference is rounding, not an effect. */
const NOISE_MIB = 0.5;

function diff(off: Report, on: Report): string[] {
  const before = new Map(off.services.map((s) => [s.name, s.usageMiB.high]));
  const changes: Array<{ text: string; size: number }> = [];
  for (const s of on.services) {
    const d = s.usageMiB.high - (before.get(s.name) ?? 0);
    if (Math.abs(d) >= NOISE_MIB) changes.push({ text: `${s.name} ${deltaText(d)}`, size: Math.abs(d) });
    before.delete(s.name);
  }
  for (const [name, high] of before) if (high >= NOISE_MIB) changes.push({ text: `${name} ${deltaText(-high)}`, size: high });
  changes.sort((a, b) => b.size - a.size);
  const out = changes.map((c) => c.text);
  const [b0, b1] = [off.traffic.backends.high, on.traffic.backends.high];
  if (b0 !== b1) out.push(`backends ${countText(b0)} → ${countText(b1)}`);
  const [q0, q1] = [off.traffic.dbQueriesPerSecond, on.traffic.dbQueriesPerSecond];
  if (Math.round(q0) !== Math.round(q1)) out.push(`DB queries/s ${countText(q0)} → ${countText(q1)}`);
  return out;
}

/** Each toggle with its state in `report` and what turning it on changes. */
export function toggleViews(input: PlanInput, report: Report): ToggleView[] {
  return featureList(Object.keys(report.features)).map(({ id, label }) => {
    const on = featureOn(report, id);
    const other = deriveOf(featureSet(input, id, !on));
    if (other.status !== 'ok') return { id, label, on, effects: [] };
    return { id, label, on, effects: on ? diff(other.report, report) : diff(report, other.report) };
  });
}
