// Issue 17: bidi controls and other invisible formatting characters in a plan's free text (its
// name) reach exported headers, comments and the runbook title only as visible \u{..} escapes.
import { describe, expect, it } from 'vitest';
import { exportFiles } from './index.ts';
import { commentText, mdCode } from './common.ts';
import { presetPlan } from '../../engine/testing.ts';

const INVISIBLE = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c', '\u200b', '\u2060'];

describe('invisible formatting characters in exported text', () => {
  it('commentText and mdCode escape every bidi control and zero-width character', () => {
    for (const ch of INVISIBLE) {
      expect(commentText(`a${ch}b`)).toBe(`a\\u{${ch.codePointAt(0)!.toString(16)}}b`);
      expect(mdCode(`a${ch}b`)).not.toContain(ch);
    }
    expect(commentText('plain name é ü 東京')).toBe('plain name é ü 東京');
  });

  it('a plan named with U+202E and U+2066 exports files that carry neither', () => {
    const plan = { ...presetPlan('4gb'), name: 'prod\u202e\u2066evil\u2069 stack\u200f' };
    const files = exportFiles(plan);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) for (const ch of INVISIBLE) expect(f.content.includes(ch), `${f.path} carries U+${ch.codePointAt(0)!.toString(16)}`).toBe(false);
    const runbook = files.find((f) => f.path.endsWith('.md'))!;
    expect(runbook.content.split('\n')[0]).toContain('\\u{202e}');
  });
});
