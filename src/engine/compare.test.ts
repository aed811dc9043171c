import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compare } from './compare.ts';
import { evaluate } from './evaluate.ts';
import { sizeFormat } from './units.ts';
import { arbitraryPlan } from './arbitrary.ts';
import { planOf, presetPlan } from './testing.ts';

const rowOf = (c: ReturnType<typeof compare>, id: string) => c.rows.find((r) => r.id === id)!;

describe('compare: the seed’s before/after table for any two plans', () => {
  const c = compare(presetPlan('full'), presetPlan('4gb'));

  it.each([
    // id, A, B, change as the seed's table prints it
    ['services', 8, 5, '−37.5%'],
    ['scrape-interval', 15, 30, '+100%'],
    ['retention', 30 * 86400, 7 * 86400, '−76.7%'],
    ['cost', 50, 25, '−50%'],
    ['host-ram', 8192, 4096, '−50%'],
  ])('%s: %s → %s (%s)', (id, a, b, change) => {
    expect(rowOf(c, id)).toMatchObject({ a, b, text: { change } });
  });

  it('derives memory from the engine rather than the seed’s guesses', () => {
    expect(rowOf(c, 'limits')).toMatchObject({ a: 5952, b: 1950 });
    // Every service of both presets has a limit: nothing beside the limits.
    expect(rowOf(c, 'unlimited')).toMatchObject({ a: 0, b: 0, text: { a: 'none', b: 'none', change: 'same' } });
    const high = rowOf(c, 'usage-high');
    expect(high.b as number).toBeLessThan(high.a as number);
    expect(high.text.b).toMatch(/GiB$/);
  });

  it('keeps the limits a plan sets apart from what its services without a limit can take (an imported stack sets none)', () => {
    const none = planOf({ host: { ram: '4GiB' }, services: [{ name: 'db', kind: 'postgres', limit: null }, { name: 'cache', kind: 'redis', limit: '256MiB' }] });
    const d = compare(presetPlan('4gb'), none);
    const r = evaluate(none);
    expect(rowOf(d, 'limits')).toMatchObject({ a: 1950, b: 256 });
    const db = r.services.find((x) => x.name === 'db')!.usageMiB.high;
    // From none, a difference: a share of 0 means nothing.
    expect(rowOf(d, 'unlimited')).toMatchObject({ a: 0, b: db, change: null, text: { a: 'none', change: `+${sizeFormat(db)}` } });
  });

  it('gives a difference, not a share, where free memory crosses 0 (−481 MiB to 1.33 GiB is not "−383%")', () => {
    const short = planOf({ host: { ram: '1GiB' }, services: [{ name: 'app', kind: 'generic', limit: '1GiB', settings: { usage: { low: '900MiB', typical: '950MiB', high: '1GiB' } } }] });
    const d = compare(short, presetPlan('4gb'));
    const [a, b] = [evaluate(short).host.freeMiB.low, evaluate(presetPlan('4gb')).host.freeMiB.low];
    expect(a).toBeLessThan(0);
    expect(rowOf(d, 'free-worst')).toMatchObject({ change: null, text: { change: `+${sizeFormat(b - a)}` } });
    expect(rowOf(compare(presetPlan('4gb'), short), 'free-worst').text.change).toBe(`−${sizeFormat(b - a)}`);
  });

  it('says "fails idle" rather than a bare 0 for capacity, and — for what neither plan has', () => {
    expect(rowOf(c, 'capacity').text).toEqual({ a: '0 (fails idle)', b: '0 (fails idle)', change: 'same' });
    expect(rowOf(c, 'cost-per-1000')).toMatchObject({ a: null, b: null, change: null, text: { a: '—', change: '—' } });
  });

  it('gives capacity and cost per 1,000 users when a plan carries users', () => {
    const d = compare(presetPlan('4gb'), presetPlan('8gb'));
    // The 8gb preset's API p95 on 4 vCPUs binds at 10,303 users (issue 15, calibrated: calibration/latency.json; its memory alone carried 19,566).
    expect(rowOf(d, 'capacity')).toMatchObject({ a: 0, b: 10_303 });
    expect(rowOf(d, 'cost-per-1000').b).toBeCloseTo((50 / 10_303) * 1000, 9);
    expect(rowOf(d, 'alertmanager')).toMatchObject({ a: false, b: true, text: { a: 'no', b: 'yes', change: 'changed' } });
  });

  it('leaves Prometheus rows empty when a plan has none', () => {
    const none = planOf({ host: { ram: '4GiB' }, services: [] });
    expect(rowOf(compare(none, presetPlan('4gb')), 'scrape-interval')).toMatchObject({ a: null, b: 30, change: null, text: { a: '—', b: '30s', change: 'n/a' } });
  });

  it('compares any two valid plans with finite numbers and no "NaN" (fast-check, seeded)', () => {
    fc.assert(fc.property(arbitraryPlan(), arbitraryPlan(), (x, y) => {
      const d = compare(planOf(x), planOf(y));
      for (const r of d.rows) {
        for (const v of [r.a, r.b, r.change]) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
        expect(`${r.text.a} ${r.text.b} ${r.text.change}`).not.toMatch(/NaN|undefined|Infinity/);
      }
    }), { numRuns: 60, seed: 20261208 });
  });
});
