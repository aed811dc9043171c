import { describe, expect, it } from 'vitest';
import { evaluate, planParse, presetGet, type PlanInput } from '../../engine/index.ts';
import { deriveOf } from './engine.ts';
import { effectText, hasMemoryEffect, moveText, toggleViews } from './toggles.ts';

/** The engine's report of a plan input, evaluated from scratch (not through the page's memo). */
function engineReport(input: PlanInput) {
  const p = planParse(input);
  if (!p.ok) throw new Error(JSON.stringify(p.issues));
  return evaluate(p.plan);
}

const FEATURES = ['pgbouncer', 'semanticCache', 'alertmanager', 'exporters'] as const;

describe('toggle hints', () => {
  const input = presetGet('4gb');
  const d = deriveOf(input);
  if (d.status !== 'ok') throw new Error('the preset does not evaluate');
  const views = toggleViews(input, d.report);

  it.each(FEATURES)('%s: the net change in free memory is the engine’s, with the feature off and on', (id) => {
    const off = engineReport(input);
    const on = engineReport({ ...input, features: { ...input.features, [id]: true } });
    const effect = views.find((v) => v.id === id)!.effect!;
    expect(effect.freeTypicalMiB).toBeCloseTo(on.host.freeMiB.typical - off.host.freeMiB.typical, 9);
    expect(effect.freeHighMiB).toBeCloseTo(on.host.freeMiB.low - off.host.freeMiB.low, 9);
    // Every service whose usage moves is listed, with the engine's numbers.
    const before = new Map(off.services.map((s) => [s.name, s.usageMiB]));
    const moved = on.services.filter((s) => Math.abs(s.usageMiB.typical - (before.get(s.name)?.typical ?? 0)) >= 0.5 || Math.abs(s.usageMiB.high - (before.get(s.name)?.high ?? 0)) >= 0.5);
    expect(effect.services.map((m) => m.name).sort()).toEqual(moved.map((s) => s.name).sort());
  });

  it('the semantic cache names Redis, which grows, not only Postgres, which shrinks (the issue’s 74 MiB)', () => {
    const cache = views.find((v) => v.id === 'semanticCache')!.effect!;
    expect(cache.services.map((m) => m.name)).toEqual(expect.arrayContaining(['redis', 'postgres']));
    expect(cache.freeTypicalMiB).toBeLessThan(-1);
    const { free, moves } = effectText(cache);
    expect(free).toMatch(/^free memory −\d+ MiB typical, ±0 MiB at high load$/);
    expect(moves).toMatch(/redis \+\d+ MiB typical/);
    expect(moves).toMatch(/postgres −\d+ MiB typical, −48 MiB high/);
  });

  it('pgBouncer: added with its own memory, Postgres’s high end and the backends drop', () => {
    const pgb = views.find((v) => v.id === 'pgbouncer')!;
    expect(pgb.on).toBe(false);
    const { moves } = effectText(pgb.effect!);
    expect(moves).toMatch(/pgbouncer \(added\) \+\d+ MiB typical, \+\d+ MiB high/);
    expect(moves).toMatch(/postgres −300 MiB high/);
    expect(moves).toMatch(/backends 45 → 20/);
  });

  it('a toggle that is on reports what it costs over off', () => {
    const on = { ...input, features: { ...input.features, alertmanager: true } };
    const dOn = deriveOf(on);
    if (dOn.status !== 'ok') throw new Error('no report');
    const am = toggleViews(on, dOn.report).find((v) => v.id === 'alertmanager')!;
    expect(am.on).toBe(true);
    expect(am.effect!.freeHighMiB).toBeLessThan(0);
    expect(moveText(am.effect!.services[0]!)).toMatch(/^alertmanager \(added\) \+16 MiB typical, \+32 MiB high$/);
  });
});

describe('a toggle with nothing to act on', () => {
  it('has no memory effect: the exporters and the semantic cache in a plan with no Prometheus, database or cache', () => {
    const input: PlanInput = { host: { ram: '4GiB' }, services: [{ name: 'grafana', kind: 'grafana', limit: '256MiB' }] };
    const d = deriveOf(input);
    if (d.status !== 'ok') throw new Error('no report');
    const views = toggleViews(input, d.report);
    expect(hasMemoryEffect(views.find((v) => v.id === 'exporters')!.effect!)).toBe(false);
    expect(hasMemoryEffect(views.find((v) => v.id === 'semanticCache')!.effect!)).toBe(false);
    expect(hasMemoryEffect(views.find((v) => v.id === 'pgbouncer')!.effect!)).toBe(true); // it adds a container
  });
});
