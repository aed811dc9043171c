import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitraryPlan } from './arbitrary.ts';
import { planOf } from './testing.ts';
import { evaluate } from './evaluate.ts';
import { RISK_LEVELS, type Range, type Report } from './report.ts';
import type { PlanInput } from './schema.ts';

const RUNS = { numRuns: 200, seed: 20261127 };
const points = ['low', 'typical', 'high'] as const;
const run = (p: PlanInput) => evaluate(planOf(p));

function noLower(a: Range, b: Range): boolean {
  return points.every((k) => b[k] >= a[k] - 1e-9);
}

function scenarios(r: Report) {
  return [r, r.spike] as const;
}

describe('engine invariants (fast-check, seeded)', () => {
  it('evaluates every valid plan to finite numbers', () => {
    fc.assert(fc.property(arbitraryPlan(), (p) => {
      const r = run(p);
      const bad: string[] = [];
      JSON.stringify(r, (k, v) => {
        if (typeof v === 'number' && !Number.isFinite(v)) bad.push(k);
        return v;
      });
      expect(bad).toEqual([]);
    }), RUNS);
  });

  it('more users never lower any usage', () => {
    fc.assert(fc.property(arbitraryPlan(), fc.integer({ min: 1, max: 20_000 }), (p, more) => {
      const a = run(p);
      const b = run({ ...p, workload: { ...p.workload, activeUsers: (p.workload?.activeUsers ?? 0) + more } });
      for (const [sa, sb] of [[a, b], [a.spike, b.spike]] as const) {
        sa.services.forEach((s, i) => expect(noLower(s.usageMiB, sb.services[i]!.usageMiB), s.name).toBe(true));
        expect(noLower(sa.host.usageMiB, sb.host.usageMiB)).toBe(true);
      }
    }), RUNS);
  });

  it('a bigger spike never lowers any spike usage', () => {
    fc.assert(fc.property(arbitraryPlan(), fc.integer({ min: 1, max: 10 }), (p, more) => {
      const a = run(p).spike;
      const b = run({ ...p, workload: { ...p.workload, spike: (p.workload?.spike ?? 5) + more } }).spike;
      a.services.forEach((s, i) => expect(noLower(s.usageMiB, b.services[i]!.usageMiB), s.name).toBe(true));
    }), RUNS);
  });

  it('the spike never uses less than normal traffic', () => {
    fc.assert(fc.property(arbitraryPlan(), (p) => {
      const r = run(p);
      r.services.forEach((s, i) => expect(noLower(s.usageMiB, r.spike.services[i]!.usageMiB)).toBe(true));
    }), RUNS);
  });

  it('pgBouncer never raises the number of Postgres backends', () => {
    fc.assert(fc.property(arbitraryPlan({ pgbouncer: false }), (p) => {
      const off = run({ ...p, features: { ...p.features, pgbouncer: false } });
      const on = run({ ...p, features: { ...p.features, pgbouncer: true } });
      for (const [a, b] of [[off.traffic, on.traffic], [off.spike.traffic, on.spike.traffic]] as const) {
        for (const k of points) expect(b.backends[k]).toBeLessThanOrEqual(a.backends[k]);
      }
    }), RUNS);
  });

  it('host totals equal the sum of their parts', () => {
    fc.assert(fc.property(arbitraryPlan(), (p) => {
      for (const sc of scenarios(run(p))) {
        const h = sc.host;
        for (const k of points) {
          // Each service capped at its containers' limits: replicas × its per-container limit.
          const services = sc.services.reduce((s, x) => s + Math.min(x.usageMiB[k], x.limitMiB === null ? Infinity : x.replicas * x.limitMiB), 0);
          expect(h.usageMiB[k]).toBeCloseTo(services + h.reserveRangeMiB[k], 6);
        }
        expect(h.freeMiB.typical).toBeCloseTo(h.ramMiB - h.usageMiB.typical, 6);
        expect(h.freeMiB.low).toBeCloseTo(h.ramMiB - h.usageMiB.high, 6);
        expect(h.limitsMiB).toBeCloseTo(sc.services.reduce((s, x) => s + (x.limitMiB === null ? x.usageMiB.high : x.replicas * x.limitMiB), 0), 6);
        for (const s of sc.services) {
          const sum = s.components.reduce((t, c) => t + c.MiB, 0);
          expect(sum).toBeCloseTo(s.usageMiB.typical, 6);
        }
      }
    }), RUNS);
  });

  it('a larger limit never raises that service’s risk', () => {
    fc.assert(fc.property(arbitraryPlan(), fc.nat(), fc.integer({ min: 1, max: 4096 }), (p, pick, extra) => {
      const i = pick % p.services.length;
      const before = run(p);
      const bigger = structuredClone(p);
      const svc = bigger.services[i]!;
      const was = Number(String(svc.limit).replace('MiB', ''));
      svc.limit = `${was + extra}MiB`;
      const after = run(bigger);
      for (const [a, b] of [[before.services[i]!, after.services[i]!], [before.spike.services[i]!, after.spike.services[i]!]] as const) {
        expect(b.risk.pOverLimit).toBeLessThanOrEqual(a.risk.pOverLimit);
        expect(RISK_LEVELS.indexOf(b.risk.level)).toBeLessThanOrEqual(RISK_LEVELS.indexOf(a.risk.level));
      }
    }), RUNS);
  });
});
