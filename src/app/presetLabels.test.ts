import { describe, expect, it } from 'vitest';
import { PRESET_CHOICES, PRESET_LABELS, presetInput, presetOf } from './presetLabels.ts';

describe('presetOf', () => {
  it.each(PRESET_CHOICES)('recognises %s, unedited', (choice) => expect(presetOf(presetInput(choice))).toBe(choice));

  it('any edit, even one limit, makes the plan a custom one', () => {
    const p = presetInput('4gb');
    p.services[0]!.limit = '501MiB';
    expect(presetOf(p)).toBeNull();
    expect(presetOf({ ...presetInput('8gb'), name: 'mine' })).toBeNull();
  });

  it('names every choice in words, never by its CLI key alone', () => {
    for (const c of PRESET_CHOICES) {
      expect(PRESET_LABELS[c].short).not.toMatch(/^(4gb|full|8gb|empty)$/);
      expect(PRESET_LABELS[c].long).not.toMatch(/seed/i);
    }
  });
});
