/**
 * Risk: each usage is a triangular distribution over [low, high] with its mode at typical. A
 * service's risk is P(usage > limit). The host sums its services comonotonically (the same
 * traffic drives them all, so they peak together: the q-quantile of the sum is the sum of
 * q-quantiles), each capped at its limit, plus the reserve; host risk is P(sum > RAM + swap).
 */
import type { Range, Risk } from './report.ts';
import { riskLevel } from './policy.ts';

/** P(X > x) for X triangular over [low, high] with mode typical. */
export function triangularExceed(r: Range, x: number): number {
  const { low: a, typical: c, high: b } = r;
  if (x >= b) return 0;
  if (x < a) return 1;
  if (b - a <= 0) return 0;
  if (x <= c) return 1 - (c - a <= 0 ? 1 : ((x - a) * (x - a)) / ((b - a) * (c - a)));
  return ((b - x) * (b - x)) / ((b - a) * (b - c));
}

/** The q-quantile of a triangular distribution over [low, high] with mode typical. */
export function triangularQuantile(r: Range, q: number): number {
  const { low: a, typical: c, high: b } = r;
  if (b - a <= 0) return a;
  const split = (c - a) / (b - a);
  return q <= split ? a + Math.sqrt(q * (b - a) * (c - a)) : b - Math.sqrt((1 - q) * (b - a) * (b - c));
}

/** P(Σ Qᵢ(U) > threshold) for comonotonic parts, each capped at its cap. */
export function comonotonicExceed(parts: ReadonlyArray<{ range: Range; cap: number }>, threshold: number): number {
  const total = (q: number) => parts.reduce((s, p) => s + Math.min(p.cap, triangularQuantile(p.range, q)), 0);
  if (total(1) <= threshold) return 0;
  if (total(0) > threshold) return 1;
  let lo = 0;
  let hi = 1;
  // 40 halvings resolve q to 1e-12, far below the 0.1% we report.
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (total(mid) > threshold) hi = mid;
    else lo = mid;
  }
  return 1 - lo;
}

/** The risk of one budget: usage range against the bound it must stay under (levels: policy.ts). */
export function riskOf(usage: Range, bound: number, p: number): Risk {
  return { level: riskLevel(usage, bound, p), score: Math.round(p * 100), pOverLimit: round(p, 4) };
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
