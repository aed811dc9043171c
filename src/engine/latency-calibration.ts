/**
 * The latency calibration (issue 15): the stack test's latency sweep (calibration/latency.json,
 * `npm run stack-test -- --sweep --record`: the exported stack alone on its cores, the plan's mix
 * at several request rates) against the engine as it is now. Two figures, each within
 * LATENCY_CALIBRATION_TOLERANCE:
 * - p95 at the plan's normal load: the engine's, with the plan as run (its host's vCPUs the
 *   cores the stack was pinned to), against the measured;
 * - the saturation point: the request rate at which p95 crosses the seed's 500 ms (policy.ts),
 *   measured (interpolated between the two sweep points either side) against the engine's (the
 *   rate at which its p95 crosses it, by bisection).
 * Pure: the record is imported data; no I/O, no Docker.
 */
import record from '../../calibration/latency.json';
import { planParse, type Plan } from './schema.ts';
import { planWithFeatures } from './features.ts';
import { scenarioOf } from './budget.ts';
import { p95Of } from './latency.ts';
import { LATENCY_P95_CRITERION_MS } from './policy.ts';

/** The proof: predicted within 30% of measured, at the normal load and at the saturation point. */
export const LATENCY_CALIBRATION_TOLERANCE = 0.3;

export type LatencyPoint = {
  phase: string;
  targetRps: number;
  achievedRps: number;
  errors: number;
  dropped: number;
  latencyMs: { p50: number; p95: number; p99: number };
  disturbed: string | null;
};

export type LatencyRecord = { plan: unknown; normal: string; points: LatencyPoint[] };

/** The recorded sweep. */
export const latencyRecord = record as unknown as LatencyRecord;

/** The plan as run, parsed (an error naming the record when it no longer parses). */
export function recordPlan(r: LatencyRecord = latencyRecord): Plan {
  const parsed = planParse(r.plan);
  if (!parsed.ok) throw new Error(`calibration/latency.json: its plan does not parse: ${parsed.issues.map((i) => i.message).join('; ')}`);
  return parsed.plan;
}

/** The engine's p50/p95/p99 (ms; Infinity when a queue is unstable) for `plan` at `rps` requests a second. */
export function predictedAt(plan: Plan, rps: number): { p50: number; p95: number; p99: number } {
  // The users that send `rps`: the workload's own rate per user, read off the engine at the plan's users.
  const perUser = scenarioOf(planWithFeatures(plan), 1, planWithFeatures(plan).implied).traffic.requestsPerSecond / plan.workload.activeUsers;
  const p = planWithFeatures({ ...plan, workload: { ...plan.workload, activeUsers: rps / perUser } });
  const l = scenarioOf(p, 1, p.implied).latency;
  if (!l) throw new Error('calibration/latency.json: the plan has no app to model the latency of');
  return { p50: l.p50 ?? Infinity, p95: p95Of(l), p99: l.p99 ?? Infinity };
}

/** The rate at which the engine's p95 crosses the criterion: bisection to 0.1 req/s (p95 rises with the rate). */
export function predictedCrossing(plan: Plan, criterion = LATENCY_P95_CRITERION_MS): number {
  let lo = 0;
  let hi = 1;
  while (predictedAt(plan, hi).p95 < criterion) {
    lo = hi;
    hi *= 2;
    if (hi > 1e7) return Infinity;
  }
  while (hi - lo > 0.1) {
    const mid = (lo + hi) / 2;
    if (predictedAt(plan, mid).p95 < criterion) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The measured crossing, where p95 stays over the criterion: between the last point under it and
 * the first of the points at or over it from there on (by the rate asked; a point that dropped
 * requests counts as over: its queue was full), linear in the rate; null when no point is over at
 * the top of the sweep. A point over it below that (a stall at a lower rate: its windowsP95 in the
 * record say so) is listed in `earlier`, not taken as the crossing.
 */
export function measuredCrossing(points: readonly LatencyPoint[], criterion = LATENCY_P95_CRITERION_MS): { rps: number; below: LatencyPoint; above: LatencyPoint; earlier: LatencyPoint[] } | null {
  const sorted = [...points].sort((a, b) => a.targetRps - b.targetRps);
  const over = (p: LatencyPoint) => p.latencyMs.p95 >= criterion || p.dropped > 0;
  let i = sorted.length;
  while (i > 0 && over(sorted[i - 1]!)) i--;
  if (i === sorted.length || i === 0) return null;
  const below = sorted[i - 1]!;
  const above = sorted[i]!;
  const y0 = below.latencyMs.p95;
  const y1 = Math.max(above.latencyMs.p95, criterion);
  const t = y1 > y0 ? (criterion - y0) / (y1 - y0) : 1;
  return { rps: below.targetRps + t * (above.targetRps - below.targetRps), below, above, earlier: sorted.slice(0, i).filter(over) };
}

export type LatencyCalibration = {
  normal: { rps: number; measuredP95: number; predictedP95: number; errorPercent: number; measuredP50: number; predictedP50: number };
  crossing: { measuredRps: number; predictedRps: number; errorPercent: number; between: [number, number]; earlierOver: string[] } | null;
  points: Array<{ phase: string; rps: number; measured: { p50: number; p95: number; p99: number }; predicted: { p50: number; p95: number; p99: number }; disturbed: string | null }>;
};

const pct = (predicted: number, measured: number) => Math.round(((predicted - measured) / measured) * 1000) / 10;

/** The record against the engine. */
export function latencyCalibration(r: LatencyRecord = latencyRecord): LatencyCalibration {
  const plan = recordPlan(r);
  const normal = r.points.find((p) => p.phase === r.normal);
  if (!normal) throw new Error(`calibration/latency.json: no point named ${r.normal} (its normal load)`);
  const atNormal = predictedAt(plan, normal.achievedRps);
  const m = measuredCrossing(r.points);
  const predictedRps = predictedCrossing(plan);
  return {
    normal: { rps: normal.achievedRps, measuredP95: normal.latencyMs.p95, predictedP95: atNormal.p95, errorPercent: pct(atNormal.p95, normal.latencyMs.p95), measuredP50: normal.latencyMs.p50, predictedP50: atNormal.p50 },
    crossing: m ? { measuredRps: m.rps, predictedRps, errorPercent: pct(predictedRps, m.rps), between: [m.below.targetRps, m.above.targetRps], earlierOver: m.earlier.map((p) => p.phase) } : null,
    points: r.points.map((p) => ({ phase: p.phase, rps: p.targetRps, measured: p.latencyMs, predicted: predictedAt(plan, p.targetRps), disturbed: p.disturbed })),
  };
}
