import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planTextParse, planToInput, planToText } from './plan-file.ts';
import { arbitraryPlan } from '../engine/arbitrary.ts';
import { planOf } from '../engine/testing.ts';
import { PRESET_NAMES, presetGet } from '../engine/presets.ts';

describe('plan file text', () => {
  it.each(PRESET_NAMES)('the %s preset survives YAML and JSON round trips', (name) => {
    const plan = planOf(presetGet(name));
    for (const format of ['yaml', 'json'] as const) {
      const back = planTextParse(planToText(planToInput(plan), format));
      expect(back.ok && back.plan).toEqual(plan);
    }
  });

  it('round-trips generated plans exactly (fast-check, seeded)', () => {
    fc.assert(fc.property(arbitraryPlan(), (input) => {
      const plan = planOf(input);
      const back = planTextParse(planToText(planToInput(plan)));
      expect(back.ok && back.plan).toEqual(plan);
    }), { numRuns: 100, seed: 7 });
  });

  it('writes sizes and durations as a person would', () => {
    const text = planToText(planToInput(planOf(presetGet('4gb'))));
    expect(text).toContain('ram: 4GiB');
    expect(text).toContain('limit: 800MiB');
    expect(text).toContain('scrapeInterval: 30s');
    expect(text).toContain('retention: 7d');
  });

  it.each([
    ['host:\n  ram: 4g\nservices: [\n', /^line \d+, column \d+$/],
    ['host: {ram: 4g}\nhost: {ram: 2g}\nservices: []\n', /^line 2, column 1$/],
    ['- just\n- a list\n', /^\(plan\)$/],
    ['', /^\(plan\)$/],
  ])('gives a located error for %j', (text, path) => {
    const r = planTextParse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.path).toMatch(path);
  });

  it('refuses a billion-laughs alias bomb without hanging', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
    const t0 = Date.now();
    const r = planTextParse(bomb);
    expect(r.ok).toBe(false);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
