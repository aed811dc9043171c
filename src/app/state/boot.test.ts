import { describe, expect, it } from 'vitest';
import { presetGet } from '../../engine/index.ts';
import { bootPlan } from './boot.ts';
import { shareEncode } from './share.ts';

const saved = { status: 'ok' as const, input: presetGet('full') };

describe('which plan the page opens with', () => {
  it('the 4gb preset on a first visit, without a notice', async () => {
    const b = await bootPlan('', { status: 'empty' });
    expect(b.input).toEqual(presetGet('4gb'));
    expect(b.notices).toEqual([]);
  });

  it('the saved plan when there is one', async () => {
    expect((await bootPlan('', saved)).input).toBe(saved.input);
  });

  it('a share link wins, and undo can go back to the saved plan', async () => {
    const b = await bootPlan(`#${await shareEncode(presetGet('8gb'))}`, saved);
    expect(b.input.name).toBe('production-8gb');
    expect(b.past).toEqual([saved.input]);
    expect(b.clearHash).toBe(true);
    expect(b.notices[0]?.tone).toBe('info');
  });

  it('a damaged link falls back to the saved plan with a warning', async () => {
    const b = await bootPlan('#plan=AAAA', saved);
    expect(b.input).toBe(saved.input);
    expect(b.notices).toMatchObject([{ tone: 'warning', text: expect.stringContaining('Showing your saved plan') }]);
  });

  it('a corrupt saved plan falls back to the preset, set aside, with a warning', async () => {
    const b = await bootPlan('', { status: 'corrupt', reason: 'it is not valid JSON' });
    expect(b.input).toEqual(presetGet('4gb'));
    expect(b.setAside).toBe(true);
    expect(b.notices[0]?.text).toContain('not valid JSON');
  });
});
