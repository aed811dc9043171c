/**
 * Applying any finding's changes removes that finding and its spike twin (issue 11: a fix that
 * clears the normal scenario but raises the spike's is no fix), over the presets and fast-check
 * plans; test/corpus/corpus.test.ts runs the same check over every corpus file.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitraryPlan } from '../arbitrary.ts';
import { PRESET_NAMES, presetGet } from '../presets.ts';
import { fixesThatDoNotClear } from './fixes.ts';

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
