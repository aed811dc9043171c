import { describe, expect, it } from 'vitest';
import { erlangB, erlangC, meanWait, waitPercentile, waitSurvival } from './erlang.ts';

/** The textbook formula with factorials, for small c only: C = (a^c/c!)·(c/(c−a)) / (Σ_{k<c} a^k/k! + (a^c/c!)·(c/(c−a))). */
function erlangCDirect(c: number, a: number): number {
  let term = 1;
  let sum = 0;
  for (let k = 0; k < c; k++) {
    sum += term;
    term = (term * a) / (k + 1);
  }
  const top = term * (c / (c - a));
  return top / (sum + top);
}

describe('Erlang C', () => {
  it('is M/M/1\'s ρ with one server', () => {
    for (const rho of [0.1, 0.5, 0.9]) expect(erlangC(1, rho)).toBeCloseTo(rho, 12);
  });

  it('gives the textbook values', () => {
    // M/M/2 at a = 1 Erlang (ρ = 0.5): C = 1/3 (Kleinrock §3.5).
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    // The call-centre example: 10 agents, 8 Erlangs offered: P(wait) ≈ 0.409.
    expect(erlangC(10, 8)).toBeCloseTo(0.4092, 3);
    // Erlang B, 10 servers, 5 Erlangs: 0.01838 (the Erlang B table).
    expect(erlangB(10, 5)).toBeCloseTo(0.01838, 4);
  });

  it('matches the factorial formula where that formula still computes', () => {
    for (const c of [1, 2, 3, 5, 8, 13, 20, 50]) {
      for (const rho of [0.05, 0.3, 0.7, 0.95, 0.999]) expect(erlangC(c, c * rho)).toBeCloseTo(erlangCDirect(c, c * rho), 9);
    }
  });

  it('stays finite and in [0, 1] where factorials overflow', () => {
    for (const c of [200, 1000, 100_000]) {
      const v = erlangC(c, c * 0.97);
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
    // A pool far larger than its load: nobody waits, and it returns fast.
    expect(erlangC(10_000_000, 3)).toBe(0);
  });

  it('is 1 when the load reaches the servers, 0 with no load', () => {
    expect(erlangC(4, 4)).toBe(1);
    expect(erlangC(4, 9)).toBe(1);
    expect(erlangC(4, 0)).toBe(0);
  });

  it('falls as servers are added at the same load', () => {
    let last = 1;
    for (let c = 3; c < 30; c++) {
      const v = erlangC(c, 2.5);
      expect(v).toBeLessThan(last);
      last = v;
    }
  });
});

describe('waits', () => {
  const q = { c: 2, a: 1, serviceMs: 10 };
  it('mean wait is C·s/(c−a)', () => {
    expect(meanWait(q)).toBeCloseTo((1 / 3) * 10, 9); // M/M/2, ρ = 0.5: Wq = s/3
    expect(meanWait({ c: 1, a: 0.5, serviceMs: 10 })).toBeCloseTo(10, 9); // M/M/1: ρ/(1−ρ)·s
    expect(meanWait({ c: 2, a: 2, serviceMs: 10 })).toBe(Infinity);
  });

  it('the percentile is where the survival function reaches the tail', () => {
    const t95 = waitPercentile({ c: 1, a: 0.9, serviceMs: 10 }, 0.95);
    expect(waitSurvival({ c: 1, a: 0.9, serviceMs: 10 }, t95)).toBeCloseTo(0.05, 9);
    // M/M/1 at ρ = 0.9, s = 10 ms: P(W > t) = 0.9·e^(−t/100) → t95 = 100·ln(18).
    expect(t95).toBeCloseTo(100 * Math.log(18), 6);
    // Fewer than 5% wait at all: the p95 wait is 0.
    expect(waitPercentile({ c: 4, a: 0.4, serviceMs: 10 }, 0.95)).toBe(0);
  });
});
