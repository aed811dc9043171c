import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitraryPlan } from './arbitrary.ts';
import { planOf } from './testing.ts';
import { evaluate } from './evaluate.ts';
import { OBSERVED_PERCENTILES, observedSummarize, quantile } from './observed.ts';
import type { PlanInput } from './schema.ts';
import { presetGet } from './presets.ts';

const RUNS = { numRuns: 150, seed: 20261202 };

describe('observed summary', () => {
  it('interpolates percentiles between ranks, as Prometheus quantile_over_time does', () => {
    const sorted = Array.from({ length: 101 }, (_, i) => i); // 0..100
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.95)).toBe(95);
    expect(quantile([10, 20], 0.5)).toBe(15);
    expect(quantile([7], 0.99)).toBe(7);
  });

  it('summarises a window: p50 ≤ p95 ≤ p99 ≤ peak, samples, window length', () => {
    const samples = Array.from({ length: 200 }, (_, i) => [1_764_650_000 + i * 5, 100 + (i % 10)] as const);
    const s = observedSummarize(samples)!;
    expect(s).toMatchObject({ peak: 109, samples: 200, windowSeconds: 995, growthPerHour: 0 });
    expect(s.p50).toBeCloseTo(104.5, 9);
    expect(s.p95).toBeLessThanOrEqual(s.p99);
    expect(observedSummarize([])).toBeNull();
  });

  it('sees a steady climb over hours (a leak), not noise nor a short window', () => {
    const leak = Array.from({ length: 120 }, (_, i) => [i * 60, 200 + i * 0.5 + (i % 3)] as const); // +30 MiB/h for 2 h
    expect(observedSummarize(leak)!.growthPerHour).toBeCloseTo(30, 0);
    const flat = Array.from({ length: 120 }, (_, i) => [i * 60, 200 + (i % 7) * 5] as const);
    expect(observedSummarize(flat)!.growthPerHour).toBe(0);
    const short = Array.from({ length: 20 }, (_, i) => [i * 60, 200 + i * 5] as const); // 19 minutes
    expect(observedSummarize(short)!.growthPerHour).toBe(0);
  });
});

/** The 4gb preset with evidence on postgres and a generic worker. */
function withEvidence(peak: number, margin: number, percentile: (typeof OBSERVED_PERCENTILES)[number]): PlanInput {
  const p = presetGet('4gb');
  p.workload = { ...p.workload, observedMargin: margin, observedPercentile: percentile };
  const pg = p.services.find((s) => s.name === 'postgres')!;
  pg.observed = { p50: `${peak * 0.6}MiB`, p95: `${peak * 0.8}MiB`, p99: `${peak * 0.9}MiB`, peak: `${peak}MiB`, samples: 120, windowSeconds: '10m' };
  p.services.push({ name: 'worker', kind: 'generic', limit: '1GiB', observed: { p50: `${peak * 0.6}MiB`, p95: `${peak * 0.8}MiB`, p99: `${peak * 0.9}MiB`, peak: `${peak}MiB` } });
  return p;
}

describe('limits planned from evidence', () => {
  it('plans from the chosen percentile × margin, and says so', () => {
    const r = evaluate(planOf(withEvidence(2000, 1.2, 'p95')));
    const pg = r.services.find((s) => s.name === 'postgres')!;
    expect(pg.basis).toBe('observed');
    expect(pg.observedMiB).toMatchObject({ p50: 1200, p95: 1600, p99: 1800, peak: 2000, samples: 120, windowSeconds: 600 });
    expect(pg.observedLimit).toMatchObject({ percentile: 'p95', margin: 1.2 });
    expect(pg.observedLimitMiB).toBeCloseTo(1920, 9);
    expect(pg.observedLimit!.reason).toBe('observed p95 1.56 GiB × 1.2');
  });

  it('a generic service has no model to hold it up: its limit is the observation alone', () => {
    const r = evaluate(planOf(withEvidence(100, 1.15, 'peak')));
    const w = r.services.find((s) => s.name === 'worker')!;
    expect(w.observedLimit!.modelHighMiB).toBeNull();
    expect(w.observedLimitMiB).toBeCloseTo(115, 9);
  });

  it('property: a limit planned from evidence is never below the model\'s high', () => {
    fc.assert(fc.property(arbitraryPlan({ maxServices: 4 }), fc.double({ min: 1, max: 8000, noNaN: true }), fc.double({ min: 1, max: 3, noNaN: true }), fc.constantFrom(...OBSERVED_PERCENTILES), (p, peak, margin, percentile) => {
      const q = { ...p, workload: { ...p.workload, observedMargin: margin, observedPercentile: percentile }, services: p.services.map((s) => ({ ...s, observed: { p50: peak / 3, p95: peak / 2, p99: peak / 1.5, peak } })) } as PlanInput;
      const r = evaluate(planOf(q));
      for (const s of r.services) {
        if (s.observedLimit === null) continue;
        if (s.observedLimit.modelHighMiB !== null) {
          expect(s.observedLimitMiB!).toBeGreaterThanOrEqual(s.usageMiB.high - 1e-9);
          expect(s.observedLimit.modelHighMiB).toBe(s.usageMiB.high);
        }
        expect(s.observedLimitMiB!).toBeGreaterThanOrEqual(s.observedLimit.fromObservedMiB - 1e-9);
      }
    }), RUNS);
  });

  it('property: more margin never lowers a limit', () => {
    fc.assert(fc.property(arbitraryPlan({ maxServices: 4 }), fc.double({ min: 1, max: 8000, noNaN: true }), fc.double({ min: 1, max: 5, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), fc.constantFrom(...OBSERVED_PERCENTILES), (p, peak, margin, more, percentile) => {
      const at = (m: number) => evaluate(planOf({ ...p, workload: { ...p.workload, observedMargin: m, observedPercentile: percentile }, services: p.services.map((s) => ({ ...s, observed: { p50: peak / 3, p95: peak / 2, p99: peak / 1.5, peak } })) } as PlanInput));
      const a = at(margin);
      const b = at(Math.min(10, margin + more));
      a.services.forEach((s, i) => {
        if (s.observedLimitMiB === null) return; // a service a feature adds carries no evidence
        expect(b.services[i]!.observedLimitMiB!).toBeGreaterThanOrEqual(s.observedLimitMiB - 1e-9);
      });
    }), RUNS);
  });
});

describe('findings from evidence', () => {
  it('an OOM kill is critical, with its time and container', () => {
    const p = withEvidence(500, 1.15, 'peak');
    const pg = p.services.find((s) => s.name === 'postgres')!;
    pg.observed = { ...pg.observed!, oomKills: [{ at: '2026-12-02T05:21:13Z', container: 'shop-postgres-1' }, { at: null, container: 'shop-postgres-1' }] };
    const r = evaluate(planOf(p));
    expect(r.services.find((s) => s.name === 'postgres')!.oomKills).toHaveLength(2);
    const f = r.findings.find((x) => x.id === 'observed-oom-kill')!;
    expect(f).toMatchObject({ severity: 'critical', service: 'postgres', basis: 'observed' });
    expect(f.message).toMatch(/OOM-killed 2 times .* at 2026-12-02 05:21:13 UTC \(shop-postgres-1\), at a time the evidence does not record/);
    expect(f.fix.changes[0]).toMatchObject({ service: 'postgres', key: 'limit' });
  });

  it('a steady climb is a finding, a warning when it meets the limit within a week', () => {
    const p = withEvidence(300, 1.15, 'peak');
    const w = p.services.find((s) => s.name === 'worker')!;
    w.observed = { ...w.observed!, growthPerHour: 20 };
    const f = evaluate(planOf(p)).findings.find((x) => x.id === 'observed-growing' && x.service === 'worker')!;
    expect(f.severity).toBe('warning'); // (1024 − 300) / 20 = 36 hours
    expect(f.message).toMatch(/climbing steadily by 20 MiB an hour; at this rate it reaches its 1 GiB limit in about 36 hours/);
  });

  it('a measurement below the model\'s range is a finding (a setting the import missed)', () => {
    const p = withEvidence(5, 1.15, 'peak');
    const ids = evaluate(planOf(p)).findings.filter((f) => f.service === 'postgres').map((f) => f.id);
    expect(ids).toContain('observed-below-model');
  });
});
