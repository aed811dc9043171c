/**
 * An export tunes once: every service whose kind tunes is tuned exactly once per export, plain or
 * tuned, and every writer reads that one tuning. With `tuned`, the pass that tuned the plan is
 * reused (its planned parts settled onto the tuned plan): checked here to equal a fresh tuning of
 * the tuned plan, so that nothing is lost by not tuning twice.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { KINDS } from '../../engine/kinds/index.ts';
import { arbitraryPlan } from '../../engine/arbitrary.ts';
import { planOf, presetPlan } from '../../engine/testing.ts';
import { PRESET_NAMES } from '../../engine/presets.ts';
import { tunePlan, tuningsOf, tuningsSettled } from '../../engine/tune.ts';
import type { Plan } from '../../engine/schema.ts';
import { exportFiles } from './index.ts';
import { stackOf } from './stack.ts';

/** A spy on every kind's tuner, entered through the registry as the export does. */
function spyTuners() {
  const spies = Object.values(KINDS).flatMap((k) => (k.tuning ? [[k.kind, vi.spyOn(k.tuning, 'tune')] as const] : []));
  return {
    /** Calls per kind, and the services each call was for. */
    calls: () => Object.fromEntries(spies.map(([kind, spy]) => [kind, spy.mock.calls.map((c) => (c[1] as { name: string }).name).sort()])),
  };
}

/** The services of `plan` (features applied) whose kind tunes, by kind. */
function tunable(plan: Plan): Record<string, string[]> {
  const services = stackOf(plan).plan.services;
  return Object.fromEntries(Object.values(KINDS).filter((k) => k.tuning).map((k) => [k.kind, services.filter((s) => s.kind === k.kind).map((s) => s.name).sort()]));
}

afterEach(() => vi.restoreAllMocks());

describe('an export tunes once', () => {
  it.each(PRESET_NAMES)('%s: a plain export tunes each Postgres, Redis and pgBouncer exactly once', (name) => {
    const plan = presetPlan(name, (p) => { p.features = { ...p.features, pgbouncer: true }; });
    const spy = spyTuners();
    exportFiles(plan);
    expect(spy.calls()).toEqual(tunable(plan));
  });

  it.each(PRESET_NAMES)('%s: a tuned export tunes each of them exactly once too (tuneRedis ran 3 times before)', (name) => {
    const plan = presetPlan(name, (p) => { p.features = { ...p.features, pgbouncer: true }; });
    const tuned = tunePlan(plan);
    expect(tuned.unfit).toEqual([]);
    const spy = spyTuners();
    exportFiles(plan, { tuned: true });
    expect(spy.calls()).toEqual(tunable(tuned.plan));
    expect(Object.values(spy.calls()).flat().length).toBeGreaterThanOrEqual(3);
  });

  it('the tuning pass, settled onto the tuned plan, is what tuning the tuned plan again gives (fast-check, seeded)', () => {
    fc.assert(
      fc.property(arbitraryPlan(), fc.boolean(), (input, bouncer) => {
        const plan = planOf({ ...input, features: { ...input.features, pgbouncer: bouncer } });
        const r = tunePlan(plan);
        const stack = stackOf(r.plan);
        const settled = tuningsSettled(stack.plan, r.tunings);
        const fresh = tuningsOf(stack.plan);
        expect(settled.size).toBe(fresh.size);
        for (const s of stack.plan.services) {
          if (KINDS[s.kind].tuning) expect(settled.of(s as never)).toEqual(fresh.of(s as never));
        }
      }),
      { seed: 20261202, numRuns: 120 },
    );
  });
});
