import { applyChange } from '../change.ts';
import { evaluate } from '../evaluate.ts';
import { planParse, type PlanInput } from '../schema.ts';

/**
 * A finding's spike twin: the same failure in the ×spike scenario, raised under its own id. A
 * fix's value holds both scenarios (issue 11), so applying it must clear the finding and its twin.
 */
export const SPIKE_TWIN: Readonly<Record<string, string>> = {
  'usage-over-limit': 'spike-over-limit',
  'host-oom': 'spike-host-oom',
};

/** The ids a fix for `id` must clear: itself and its spike twin (either way round). */
export function clearedBy(id: string): string[] {
  const twin = SPIKE_TWIN[id] ?? Object.entries(SPIKE_TWIN).find(([, t]) => t === id)?.[0];
  return twin ? [id, twin] : [id];
}

/** The check of the tests (engine, corpus): each finding with changes whose application leaves it (or its twin) raised: `id [service] → left id`. */
export function fixesThatDoNotClear(input: PlanInput): string[] {
  const parsed = planParse(input);
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  const out: string[] = [];
  for (const f of evaluate(parsed.plan).findings) {
    if (f.fix.changes.length === 0) continue;
    const fixed = planParse(f.fix.changes.reduce(applyChange, input));
    if (!fixed.ok) {
      out.push(`${f.id} [${f.service}]: its changes make an invalid plan (${fixed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`);
      continue;
    }
    const ids = clearedBy(f.id);
    const left = evaluate(fixed.plan).findings.filter((g) => ids.includes(g.id) && g.service === f.service);
    for (const g of left) out.push(`${f.id} [${f.service}] → ${g.id}: ${g.message}`);
  }
  return out;
}
