/**
 * One model of hosts (issue 14): the upgrade path's tiers — one host or several — and place.ts
 * decide what fits on a host by the same rule (host-fit.ts). A tier that says its hosts carry U
 * users does so exactly when place() finds a placement of the stack tuned for U on those hosts
 * (and the checks that do not depend on hosts pass). These tests compute the right-hand side
 * from place() and capacity.ts directly, so a tier with its own host rule would fail them.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_TIERS, hostsOf, minimalPlan, splitPlan, tierOf, upgradePath, type TierSpec } from './tiers.ts';
import { checksOf, scenarioAt, type CapacityStatus } from './capacity.ts';
import { place } from './place.ts';
import { planWithFeatures } from './features.ts';
import { evaluate } from './evaluate.ts';
import { hostFits } from './host-fit.ts';
import { arbitraryPlan } from './arbitrary.ts';
import { planOf, presetPlan } from './testing.ts';
import type { NamedHost, Plan } from './schema.ts';
import { defaultCpus } from './cpu.ts';

/** The checks that depend on where services run: what fits (host-fit.ts) and a host's load (CPU, latency: issue 15). */
const HOST_IDS = new Set(['free-below-criterion', 'limits-exceed-ram', 'cpu-saturated', 'latency-over-criterion']);

/** The checks of the tuned stack that do not depend on where its services run, at `users`. */
function loadOk(tuned: Plan, users: number): boolean {
  const e = planWithFeatures(tuned);
  return checksOf(e, scenarioAt(e, users, 1)).every((c) => !c.fails || HOST_IDS.has(c.id));
}

/** The right-hand side: the stack tuned for `users`, placed by place() on `hosts`. */
function placedAt(plan: Plan, users: number, hosts: readonly NamedHost[]): boolean {
  // Tuned as the tiers tune it: the app a worker per core of the hosts' vCPUs (tiers.ts step 0).
  const tuned = minimalPlan(plan, users, hosts[0]!.cpus ?? defaultCpus(hosts[0]!.ram));
  const onFirst = { ...tuned, host: { ram: hosts[0]!.ram, reserve: hosts[0]!.reserve, swap: hosts[0]!.swap } };
  if (!loadOk(onFirst, users)) return false;
  const placed = place(onFirst, hosts);
  if (!placed.fits) return false;
  // Placed by memory; each placed host's CPU and latency, as the engine evaluates that plan, must hold too.
  const e = evaluate(placed.plan);
  return !e.findings.some((f) => f.id === 'cpu-saturated' || f.id === 'latency-over-criterion');
}

const oneHost = (plan: Plan, spec: TierSpec): NamedHost[] => [{ name: 'host', ram: spec.ramMiB, reserve: plan.host.reserve, swap: plan.host.swap, labels: [] }];

/** Users to probe around a capacity T: below, at, just past (and past the cap when none breaks). */
const around = (t: number | null) => (t === null ? [0, 1000, 1_000_000] : [0, Math.floor(t / 2), Math.max(0, t - 1), t, t + 1, t * 2 + 2]);

describe('tiers and place() agree on what fits (issue 14)', () => {
  const plan = presetPlan('4gb');
  const path = upgradePath(plan);

  it('each one-host tier of the 4gb preset carries U users ⇔ place() places the stack tuned for U on that one host', () => {
    for (const t of path.tiers) {
      expect(t.status).toBe('breaks');
      for (const u of around(t.users)) expect([t.ramMiB, u, placedAt(plan, u, oneHost(plan, t))]).toEqual([t.ramMiB, u, t.users === null || u <= t.users]);
    }
  });

  it('each two-host option carries U users ⇔ place() places the stack tuned for U on its two hosts', () => {
    expect(path.multiHost.length).toBeGreaterThan(0);
    for (const m of path.multiHost) {
      expect(m.status).toBe('breaks');
      const hosts = hostsOf(plan, { ramMiB: m.hostRamMiB, pricePerMonth: null }, 2);
      for (const u of around(m.users)) expect([m.hostRamMiB, u, placedAt(plan, u, hosts)]).toEqual([m.hostRamMiB, u, m.users === null || u <= m.users]);
      // The placement the option shows is place()'s, and every host of it holds by the engine's own budget.
      const e = evaluate(m.split.plan!);
      expect(e.hosts!.map((h) => h.name).sort()).toEqual(hosts.map((h) => h.name));
      for (const h of e.hosts!) expect(hostFits(h)).toBe(true);
      expect(e.findings.filter((f) => f.id === 'limits-exceed-ram' || f.id === 'host-oom' || f.id === 'free-below-criterion')).toEqual([]);
    }
  });

  it('property: for random plans, a tier (one host) and a split (two hosts) say they carry U ⇔ place() places it', () => {
    let breaks = 0;
    fc.assert(
      fc.property(arbitraryPlan({ maxServices: 2 }), fc.integer({ min: 1, max: 8 }), fc.double({ min: 0, max: 1.5, noNaN: true }), (input, gib, share) => {
        const p = planOf(input);
        const spec: TierSpec = { ramMiB: gib * 1024, pricePerMonth: null };
        const tier = tierOf(p, spec);
        const split = splitPlan(p, spec);
        const cases: Array<[CapacityStatus, number | null, NamedHost[]]> = [[tier.status, tier.users, oneHost(p, spec)]];
        if (split) cases.push([split.status, split.users, hostsOf(p, spec, 2)]);
        for (const [status, t, hosts] of cases) {
          if (status === 'breaks' && t! > 0) breaks++;
          const u = t === null ? Math.round(share * 1e6) : Math.round(share * (t + 1));
          // holds: carried at any count; fails-at-zero: at none; breaks: up to t and not at t + 1.
          expect(placedAt(p, u, hosts)).toBe(status === 'holds' || (status === 'breaks' && u <= t!));
          if (status === 'breaks') expect(placedAt(p, t! + 1, hosts)).toBe(false);
        }
      }),
      { numRuns: 24, seed: 20261202 },
    );
    // Not vacuous: some generated plans break at a positive user count.
    expect(breaks).toBeGreaterThan(3);
  });

  it('a tier no host rule admits is not carried: limits over the RAM bind even when usage is low', () => {
    // A service whose limit is far over its usage: the free-memory criterion holds, the limits do not fit the RAM.
    const p = planOf({ host: { ram: '4GiB' }, services: [{ name: 'g', kind: 'generic', limit: '6GiB', settings: { usage: { low: '64MiB', typical: '64MiB', high: '64MiB' } } }] });
    expect(place(p, oneHost(p, DEFAULT_TIERS[0]!)).fits).toBe(false);
  });
});
