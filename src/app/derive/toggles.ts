/**
 * What each feature toggle changes: the plan evaluated by the engine with the feature off and on,
 * compared service by service (typical and high usage) and for the host's free memory (typical,
 * and the least free at high usage), plus the traffic it moves. One extra evaluation per toggle.
 */
import type { Report } from '../../engine/report.ts';
import type { PlanInput } from '../../engine/schema.ts';
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

/** Below this a difference is rounding, not an effect (assumed: sizeFormat shows whole MiB). */
const NOISE_MIB = 0.5;

/** One service the toggle moves: by how much at typical and at high usage (turning the toggle on). */
export type ServiceMove = { name: string; typicalMiB: number; highMiB: number; added: boolean; removed: boolean };

export type ToggleEffect = {
  /** Free host memory, on minus off: at typical usage, and the least free (high usage). */
  freeTypicalMiB: number;
  freeHighMiB: number;
  services: ServiceMove[];
  /** Traffic the toggle moves, in words: `backends 45 → 20`. */
  traffic: string[];
};

export type ToggleView = { id: FeatureName; label: string; on: boolean; effect: ToggleEffect | null };

const moved = (d: number) => Math.abs(d) >= NOISE_MIB;

/** What turning a feature on changes, from the reports without (`off`) and with it (`on`). */
export function toggleEffect(off: Report, on: Report): ToggleEffect {
  const before = new Map(off.services.map((s) => [s.name, s.usageMiB]));
  const services: ServiceMove[] = [];
  for (const s of on.services) {
    const was = before.get(s.name);
    before.delete(s.name);
    const m = { name: s.name, typicalMiB: s.usageMiB.typical - (was?.typical ?? 0), highMiB: s.usageMiB.high - (was?.high ?? 0), added: !was, removed: false };
    if (moved(m.typicalMiB) || moved(m.highMiB)) services.push(m);
  }
  for (const [name, was] of before) services.push({ name, typicalMiB: -was.typical, highMiB: -was.high, added: false, removed: true });
  services.sort((a, b) => Math.max(Math.abs(b.typicalMiB), Math.abs(b.highMiB)) - Math.max(Math.abs(a.typicalMiB), Math.abs(a.highMiB)));
  const traffic: string[] = [];
  const [b0, b1] = [off.traffic.backends.high, on.traffic.backends.high];
  if (b0 !== b1) traffic.push(`backends ${countText(b0)} → ${countText(b1)}`);
  const [q0, q1] = [off.traffic.dbQueriesPerSecond, on.traffic.dbQueriesPerSecond];
  if (Math.round(q0) !== Math.round(q1)) traffic.push(`database queries/s ${countText(q0)} → ${countText(q1)}`);
  return { freeTypicalMiB: on.host.freeMiB.typical - off.host.freeMiB.typical, freeHighMiB: on.host.freeMiB.low - off.host.freeMiB.low, services, traffic };
}

/** Whether a toggle changes memory in this plan: a service's usage or the host's free memory. */
export function hasMemoryEffect(e: ToggleEffect): boolean {
  return e.services.length > 0 || moved(e.freeTypicalMiB) || moved(e.freeHighMiB);
}

/** A signed change for a hint: `+9 MiB`, `−300 MiB`, `±0 MiB` when it is rounding. */
export function changeSizeText(mib: number): string {
  return moved(mib) ? deltaText(mib) : '±0 MiB';
}

/** One service's move in words: `redis +140 MiB typical`, `postgres −2 MiB typical, −48 MiB high`, `pgbouncer (added) +9 MiB typical, +13 MiB high`. */
export function moveText(m: ServiceMove): string {
  const parts = [moved(m.typicalMiB) && `${deltaText(m.typicalMiB)} typical`, moved(m.highMiB) && `${deltaText(m.highMiB)} high`].filter(Boolean);
  return `${m.name}${m.added ? ' (added)' : m.removed ? ' (removed)' : ''} ${parts.join(', ')}`;
}

/** The hint under a toggle: the net change in free memory, then every service it moves, then traffic. */
export function effectText(e: ToggleEffect): { free: string; moves: string } {
  const free = `free memory ${changeSizeText(e.freeTypicalMiB)} typical, ${changeSizeText(e.freeHighMiB)} at high load`;
  const moves = [...e.services.map(moveText), ...e.traffic].join('; ');
  return { free, moves };
}

/** Each toggle with its state in `report` and what turning it on changes (with it on: what it costs over off). */
export function toggleViews(input: PlanInput, report: Report): ToggleView[] {
  return featureList(Object.keys(report.features)).map(({ id, label }) => {
    const on = featureOn(report, id);
    const other = deriveOf(featureSet(input, id, !on));
    if (other.status !== 'ok') return { id, label, on, effect: null };
    return { id, label, on, effect: on ? toggleEffect(other.report, report) : toggleEffect(report, other.report) };
  });
}
