/** Test helpers for the engine: build validated plans from short literals. Used only by tests. */
import { planParse, type Plan, type PlanInput } from './schema.ts';
import { presetGet, type PresetName } from './presets.ts';

export function planOf(input: PlanInput): Plan {
  const r = planParse(input);
  if (!r.ok) throw new Error(`test plan is invalid: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return r.plan;
}

export function presetPlan(name: PresetName, edit?: (p: PlanInput) => void): Plan {
  const input = presetGet(name);
  edit?.(input);
  return planOf(input);
}
