/**
 * Applying any finding's changes removes that finding and its spike twin (issue 11: a fix that
 * clears the normal scenario but raises the spike's is no fix), over the presets and fast-check
 * plans; test/corpus/corpus.test.ts runs the same check over every corpus file.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitraryPlan } from '../arbitrary.ts';
import { applyChange } from '../change.ts';
import { evaluate } from '../evaluate.ts';
import { PRESET_NAMES, presetGet } from '../presets.ts';
import { planParse, type PlanInput } from '../schema.ts';
import { clearedBy } from './fixes.ts';

/** Each finding with changes whose application leaves it (or its twin) raised: `id [service] → left id`. */
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

describe('a fix clears its finding and its spike twin', () => {
  it.each(PRESET_NAMES)('preset %s', (name) => {
    expect(fixesThatDoNotClear(presetGet(name))).toEqual([]);
  });

  it('fast-check plans (seeded)', () => {
    fc.assert(fc.property(arbitraryPlan(), (p) => {
      expect(fixesThatDoNotClear(p)).toEqual([]);
    }), { numRuns: 150, seed: 20261202 });
  });
});
