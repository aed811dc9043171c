import { describe, expect, it } from 'vitest';
import { presetGet } from '../../engine/index.ts';
import { HISTORY_LIMIT, historyCommit, historyRedo, historySeal, historyStart, historyUndo } from './history.ts';

const plan = (n: number) => ({ ...presetGet('4gb'), name: `p${n}` });

describe('history', () => {
  it('undo and redo walk back and forth', () => {
    const [a, b, c] = [plan(1), plan(2), plan(3)];
    let h = historyCommit(historyCommit(historyStart(a), b), c);
    h = historyUndo(h);
    expect(h.input).toBe(b);
    h = historyUndo(h);
    expect(h.input).toBe(a);
    expect(historyUndo(h)).toBe(h);
    h = historyRedo(historyRedo(h));
    expect(h.input).toBe(c);
    expect(historyRedo(h)).toBe(h);
  });

  it('a new commit after undo drops the redo branch', () => {
    const h = historyCommit(historyUndo(historyCommit(historyStart(plan(1)), plan(2))), plan(3));
    expect(h.future).toEqual([]);
    expect(h.past.map((p) => p.name)).toEqual(['p1']);
  });

  it('commits with the same field key coalesce into one step until sealed', () => {
    const a = plan(1);
    let h = historyStart(a);
    for (let i = 2; i <= 5; i++) h = historyCommit(h, plan(i), 'services[0].limit');
    expect(h.past).toEqual([a]);
    h = historyCommit(historySeal(h), plan(6), 'services[0].limit');
    expect(h.past.map((p) => p.name)).toEqual(['p1', 'p5']);
    expect(historyUndo(historyUndo(h)).input).toBe(a);
  });

  it('committing the same plan object is not a step', () => {
    const h = historyStart(plan(1));
    expect(historyCommit(h, h.input)).toBe(h);
  });

  it(`keeps at most ${HISTORY_LIMIT} steps`, () => {
    let h = historyStart(plan(0));
    for (let i = 1; i <= HISTORY_LIMIT + 50; i++) h = historyCommit(h, plan(i));
    expect(h.past).toHaveLength(HISTORY_LIMIT);
    expect(h.past[0]?.name).toBe('p50');
  });
});
