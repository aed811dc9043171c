import { describe, expect, it } from 'vitest';
import { presetGet } from '../../engine/index.ts';
import { bootPlan, searchWithTab, sharedPlan, tabFromSearch } from './boot.ts';
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

describe('the tab in the URL', () => {
  it.each([
    ['', 'plan'],
    ['?tab=export', 'export'],
    ['?x=1&tab=upgrade', 'upgrade'],
    ['?tab=criteria', 'criteria'],
    ['?tab=nonsense', 'plan'],
  ] as const)('%j opens %s', (search, tab) => expect(tabFromSearch(search)).toBe(tab));

  it('writes the tab into the query and leaves other parameters alone; Plan needs none', () => {
    expect(searchWithTab('', 'export')).toBe('?tab=export');
    expect(searchWithTab('?x=1&tab=export', 'upgrade')).toBe('?x=1&tab=upgrade');
    expect(searchWithTab('?tab=export', 'plan')).toBe('');
    expect(tabFromSearch(searchWithTab('', 'criteria'))).toBe('criteria');
  });

  it('boot carries the tab', async () => {
    expect((await bootPlan('', { status: 'empty' }, 'upgrade')).tab).toBe('upgrade');
  });
});

describe('a share link pasted into an open page', () => {
  it('brings nothing when the hash carries no plan', async () => {
    expect(await sharedPlan('')).toBeNull();
    expect(await sharedPlan('#other=1')).toBeNull();
  });
  it('brings the plan, or why it cannot be opened', async () => {
    expect(await sharedPlan(`#${await shareEncode(presetGet('8gb'))}`)).toMatchObject({ ok: true, input: { name: 'production-8gb' } });
    expect(await sharedPlan('#plan=AAAA')).toMatchObject({ ok: false });
  });
});
