import { describe, expect, it } from 'vitest';
import { planWithFeatures } from '../../engine/index.ts';
import { scenarioAt } from '../../engine/capacity.ts';
import { upgradePath } from '../../engine/tiers.ts';
import { presetPlan } from '../../engine/testing.ts';
import { capacityOf, comparisonOf, costPer1000, DEFAULT_CPUS_TEXT, niceCeil, priceParse, pricedOf, sharePercentParse, tierCpusSource, tierCpusTextParse, tierViews, upgradeModelOf, usersText } from './upgrade.ts';
import { DEFAULT_TIERS } from '../../engine/tiers.ts';

describe('upgradeModelOf', () => {
  const plan = presetPlan('4gb');

  it('is the engine’s upgrade path, memoised per plan and share', () => {
    const m = upgradeModelOf(plan, 0.7);
    expect(upgradeModelOf(plan, 0.7)).toBe(m);
    const half = upgradeModelOf(plan, 0.5);
    expect(half).not.toBe(m);
    // The share moves only the move-up points; the chart is the same one.
    expect(half.chart).toBe(m.chart);
    expect(half.tiers.map((t) => t.moveUpAt)).toEqual(m.tiers.map((t) => Math.floor(t.users! * 0.5)));
    const path = upgradePath(plan, { moveUpShare: 0.7 });
    expect(m.tiers.map((t) => [t.ramMiB, t.users, t.moveUpAt])).toEqual(path.tiers.map((t) => [t.ramMiB, t.users, t.moveUpAt]));
    expect(m.tiers.map((t) => t.ramMiB)).toEqual([4096, 8192, 16384]);
  });

  it('shows each tier\'s vCPUs and the CPU its re-tuned stack asks at the users it carries (the engine\'s scenario)', () => {
    const m = upgradeModelOf(plan, 0.7);
    const views = tierViews(m, []);
    m.tiers.forEach((t, i) => {
      expect(t.cpuAt.users).toBe(t.users);
      const cpu = scenarioAt(planWithFeatures(t.plan), t.users!, 1).host.cpu;
      expect(t.cpuAt.cpu).toEqual(cpu);
      expect(cpu.typical).toBeGreaterThan(0);
      expect(views[i]!.cpusText).toBe(`${t.cpus} vCPUs`);
      expect(views[i]!.cpuText).toContain(` of ${t.cpus} vCPUs at `);
    });
    // The published plans' vCPUs: 2, 4 and 8 for 4, 8 and 16 GiB (engine/cpu.ts).
    expect(m.tiers.map((t) => t.cpus)).toEqual([2, 4, 8]);
  });

  it('gives each breaking tier its binding check and at least one after it, none repeated', () => {
    for (const t of upgradeModelOf(plan, 0.7).tiers) {
      expect(t.binding).not.toBeNull();
      expect(t.after.length).toBeGreaterThanOrEqual(1);
      expect(t.after.length).toBeLessThanOrEqual(2);
      const keys = [t.binding!, ...t.after].map((c) => `${c.id}/${c.service}/${c.host}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it('charts each tier’s memory with the engine’s scenario, rising with users, break points included', () => {
    const m = upgradeModelOf(plan, 0.7);
    const { points, series, xMax } = m.chart;
    expect(series).toHaveLength(3);
    expect(points[0]!.users).toBe(0);
    expect(points[points.length - 1]!.users).toBe(xMax);
    m.tiers.forEach((t, i) => {
      const s = series[i]!;
      expect(s.breakAt?.users).toBe(t.users);
      expect(xMax).toBeGreaterThan(t.users!);
      const at = points.find((p) => p.users === t.users)!;
      expect(at[s.key]).toBeCloseTo(scenarioAt(planWithFeatures(t.plan), t.users!, 1).host.usageMiB.high, 0);
      // the tier breaks where its stack reaches the usable memory (or earlier, on another check)
      expect(s.breakAt!.usageMiB).toBeLessThanOrEqual(s.ceilingMiB + 1);
      // The line runs from 0 users to the break point, rising, and stops there.
      const drawn = points.filter((p) => p[s.key] !== undefined);
      expect(drawn.map((p) => p.users)).toEqual(points.filter((p) => p.users <= t.users!).map((p) => p.users));
      const ys = drawn.map((p) => p[s.key]!);
      ys.slice(1).forEach((y, j) => expect(y).toBeGreaterThanOrEqual(ys[j]! - 1e-6));
    });
    expect(m.chart.yTicks).toEqual([0, 4096, 8192, 12288, 16384]);
    expect(JSON.stringify(m.chart)).not.toMatch(/NaN|null|Infinity/);
  });

  it('has a tier that fails idle for the full preset on 4 GiB, with no cost and no break dot', () => {
    const m = upgradeModelOf(presetPlan('full'), 0.7);
    const small = m.tiers[0]!;
    expect(small.status).toBe('fails-at-zero');
    expect(m.chart.series[0]!.breakAt).toBeNull();
    // The chart's caption says it fails idle, not that it has no break point (which reads as "holds").
    expect(m.chart.series[0]!.failsIdle).toBe(true);
    expect(m.chart.series.slice(1).every((s) => !s.failsIdle)).toBe(true);
    expect(m.chart.points.every((p) => p.t0 === undefined)).toBe(true);
    const [v] = tierViews(m, []);
    expect(v!.usersText).toBe('0 (fails even idle)');
    expect(v!.costText).toBe('—');
    expect(v!.moveUpText).toBe('—');
  });
});

describe('a tier\'s vCPUs as edited', () => {
  const plan = presetPlan('4gb');

  it('reach the engine: the tier is re-planned on the typed vCPUs, as `capacity --tiers` does', () => {
    const m = upgradeModelOf(plan, 0.7, [4]);
    expect(m.tiers.map((t) => t.cpus)).toEqual([4, 4, 8]);
    const engine = upgradePath(plan, { tiers: [{ ...DEFAULT_TIERS[0]!, cpus: 4 }, ...DEFAULT_TIERS.slice(1)], moveUpShare: 0.7 });
    expect(m.tiers.map((t) => [t.cpus, t.users, t.binding?.id])).toEqual(engine.tiers.map((t) => [t.cpus, t.users, t.binding?.id]));
    // The card's CPU line and vCPUs follow (its stack's CPU at the users it now carries).
    const [v] = tierViews(m, []);
    expect(v!.cpusText).toBe('4 vCPUs');
    expect(v!.cpuText).toMatch(new RegExp(` of 4 vCPUs at ${m.tiers[0]!.users!.toLocaleString('en-US')} users$`));
    expect(m.tiers[0]!.cpuAt.cpu).toEqual(scenarioAt(planWithFeatures(m.tiers[0]!.plan), m.tiers[0]!.users!, 1).host.cpu);
  });

  it('are part of the memo key: other vCPUs are another model; the default figure typed is the default', () => {
    const byDefault = upgradeModelOf(plan, 0.7);
    expect(upgradeModelOf(plan, 0.7, [2, 4, 8])).toBe(byDefault);
    expect(upgradeModelOf(plan, 0.7, [undefined, undefined, undefined])).toBe(byDefault);
    const four = upgradeModelOf(plan, 0.7, [4]);
    expect(four).not.toBe(byDefault);
    expect(four.chart).not.toBe(byDefault.chart);
    expect(upgradeModelOf(plan, 0.5, [4]).chart).toBe(four.chart);
  });

  it('never carry fewer users when there are more of them (4 GiB with 4 vCPUs carries more than with 2)', () => {
    const carried = [1, 2, 3, 4, 8].map((c) => upgradeModelOf(plan, 0.7, [c]).tiers[0]!.users!);
    carried.slice(1).forEach((u, i) => expect(u).toBeGreaterThanOrEqual(carried[i]!));
    expect(carried[3]).toBeGreaterThan(carried[1]!);
  });

  it('are read by the CLI\'s --tiers rule: blank is the default, bad text is refused with what was expected', () => {
    expect(tierCpusTextParse('4')).toEqual({ ok: true, value: 4 });
    expect(tierCpusTextParse(' 0.5 ')).toEqual({ ok: true, value: 0.5 });
    expect(tierCpusTextParse('')).toEqual({ ok: true, value: undefined });
    for (const bad of ['abc', '0', '-2', '2000', '4e1', 'NaN', '1,5']) {
      const r = tierCpusTextParse(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toBe(`expected vCPUs from 0.1 to 1024, like 4, got "${bad}"`);
    }
  });

  it('start at each tier\'s published default, with where it comes from', () => {
    expect(DEFAULT_CPUS_TEXT).toEqual(['2', '4', '8']);
    expect(tierCpusSource(4096)).toBe('2 (default: 1 vCPU per 2 GiB)');
  });
});

describe('tierViews', () => {
  const m = upgradeModelOf(presetPlan('4gb'), 0.7);

  it('uses the default prices until one is typed, and the typed price for cost per 1,000 users', () => {
    const [a, b] = tierViews(m, []);
    expect(a!.price).toBe(25);
    expect(a!.costPer1000).toBeCloseTo((25 / a!.users!) * 1000, 6);
    expect(a!.costPer1000).toBeCloseTo(m.tiers[0]!.costPer1000Users!, 6);
    const edited = tierViews(m, [undefined, 80]);
    expect(edited[1]!.price).toBe(80);
    expect(edited[1]!.costPer1000).toBeCloseTo((80 / b!.users!) * 1000, 6);
    expect(tierViews(m, [null])[0]!.costText).toBe('—');
  });

  it('prices the multi-host rows from the same typed prices as the tier cards', () => {
    const typed = [30, 45.5, undefined];
    const path = pricedOf(m, typed);
    const views = tierViews(m, typed);
    expect(path.multiHost.map((x) => [x.hostRamMiB, x.pricePerMonth, x.against.pricePerMonth])).toEqual([[4096, 60, 45.5], [8192, 91, 100]]);
    // The card and the row against it read one price.
    expect(views[1]!.price).toBe(path.multiHost[0]!.against.pricePerMonth);
    expect(views[1]!.costPer1000).toBeCloseTo(path.multiHost[0]!.against.costPer1000Users!, 9);
  });

  it('marks exactly the engine’s recommended tier', () => {
    const views = tierViews(m, []);
    expect(views.filter((v) => v.recommended)).toHaveLength(1);
    expect(views.findIndex((v) => v.recommended)).toBe(m.path.recommended);
  });

  it('lists each tier’s limits, largest first', () => {
    for (const v of tierViews(m, [])) {
      expect(v.limits.length).toBeGreaterThan(0);
      expect(v.limits.map((l) => l.limitMiB)).toEqual([...v.limits.map((l) => l.limitMiB)].sort((x, y) => y - x));
    }
  });
});

describe('parsing what the user types', () => {
  it.each([
    ['25', 25],
    ['$49.99', 49.99],
    [' 1,200 ', 1200],
    ['', null],
  ])('price %j → %j', (text, value) => expect(priceParse(text)).toEqual({ ok: true, value }));

  it.each(['abc', '-5', '1e3', '$', '12.5.1', '99999999'])('refuses price %j with a message', (text) => {
    const r = priceParse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/expected a price in USD per month/);
  });

  it.each([
    ['70', 0.7],
    ['50%', 0.5],
    ['100', 1],
  ])('move-up %j → %j', (text, value) => expect(sharePercentParse(text)).toEqual({ ok: true, value }));

  it.each(['0', '101', '', 'x', '-10'])('refuses move-up %j', (text) => expect(sharePercentParse(text).ok).toBe(false));
});

describe('small helpers', () => {
  it('rounds the axis up to a round number', () => {
    expect([niceCeil(0), niceCeil(7), niceCeil(64_975), niceCeil(2_100), niceCeil(1000), niceCeil(1_150)]).toEqual([1, 8, 80_000, 2_500, 1000, 1_200]);
  });
  it('puts memory ticks at whole steps', () => {
    const chart = upgradeModelOf(presetPlan('4gb'), 0.7).chart;
    expect(chart.yTicks).toEqual([0, 4096, 8192, 12288, 16384]);
  });
  it('writes capacities and costs without NaN', () => {
    expect(usersText(8400, 'breaks')).toBe('8,400');
    expect(usersText(null, 'holds')).toBe('no limit found');
    expect(costPer1000(25, 0)).toBeNull();
    expect(costPer1000(null, 100)).toBeNull();
  });
});

describe('capacityOf and comparisonOf', () => {
  const plan = presetPlan('4gb');
  it('memoise the engine’s capacity and compare per plan', () => {
    expect(capacityOf(plan, 0)).toBe(capacityOf(plan, 0));
    const c = comparisonOf(plan, 'full');
    expect(comparisonOf(plan, 'full')).toBe(c);
    // The seed's before/after: the full stack (8 services, $50) before, the 4gb plan (5, $25) after.
    const row = (id: string) => c.rows.find((r) => r.id === id)!;
    expect(row('services').text).toEqual({ a: '8', b: '5', change: '−37.5%' });
    expect(row('cost').text).toEqual({ a: '$50', b: '$25', change: '−50%' });
  });
});
