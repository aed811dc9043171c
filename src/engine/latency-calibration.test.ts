/**
 * The latency calibration check (issue 15's proof): the stack test's recorded sweep
 * (calibration/latency.json) replayed through the engine as it is now, no Docker. A model change
 * the measurements contradict fails here; the fix is the model, not the tolerance.
 */
import { describe, expect, it } from 'vitest';
import { LATENCY_CALIBRATION_TOLERANCE, latencyCalibration, latencyRecord, measuredCrossing, predictedAt, predictedCrossing, recordPlan, type LatencyPoint } from './latency-calibration.ts';
import { LATENCY_P95_CRITERION_MS } from './policy.ts';

const cal = latencyCalibration();
const r1 = (v: number) => Math.round(v * 10) / 10;

describe('calibration/latency.json', () => {
  it('has the normal load and points on both sides of the 500 ms crossing, each with its rate, percentiles and CPU', () => {
    const pts = latencyRecord.points;
    expect(pts.length).toBeGreaterThanOrEqual(3);
    expect(pts.some((p) => p.phase === latencyRecord.normal)).toBe(true);
    expect(pts.some((p) => p.latencyMs.p95 < LATENCY_P95_CRITERION_MS)).toBe(true);
    expect(pts.some((p) => p.latencyMs.p95 >= LATENCY_P95_CRITERION_MS || p.dropped > 0)).toBe(true);
    for (const p of pts) {
      expect(p.achievedRps).toBeGreaterThan(0);
      expect(p.latencyMs.p50).toBeLessThanOrEqual(p.latencyMs.p95);
      expect(p.latencyMs.p95).toBeLessThanOrEqual(p.latencyMs.p99);
    }
    // The model is told the cores the stack was given.
    expect(recordPlan().host.cpus).toBe((latencyRecord as unknown as { stack: { cores: number } }).stack.cores);
  });

  it('the normal load was not disturbed (the p95 check rests on it)', () => {
    expect(latencyRecord.points.find((p) => p.phase === latencyRecord.normal)!.disturbed).toBeNull();
  });
});

describe(`the engine against the sweep, within ${LATENCY_CALIBRATION_TOLERANCE * 100}%`, () => {
  it('p95 at the plan\'s normal load', () => {
    const n = cal.normal;
    expect(Math.abs(n.errorPercent), `predicted p95 ${r1(n.predictedP95)} ms, measured ${n.measuredP95} ms at ${n.rps} req/s (${n.errorPercent}%)`).toBeLessThanOrEqual(LATENCY_CALIBRATION_TOLERANCE * 100);
  });

  it('the saturation point: the rate at which p95 crosses 500 ms', () => {
    const c = cal.crossing!;
    expect(c, 'the sweep never reached 500 ms').not.toBeNull();
    expect(Math.abs(c.errorPercent), `predicted ${r1(c.predictedRps)} req/s, measured ${r1(c.measuredRps)} req/s (between the points at ${c.between.join(' and ')}; ${c.errorPercent}%)`).toBeLessThanOrEqual(LATENCY_CALIBRATION_TOLERANCE * 100);
  });
});

describe('the check\'s own arithmetic', () => {
  const pt = (rps: number, p95: number, dropped = 0): LatencyPoint => ({ phase: `p${rps}`, targetRps: rps, achievedRps: rps, errors: 0, dropped, latencyMs: { p50: p95 / 2, p95, p99: p95 * 2 }, disturbed: null });

  it('interpolates the measured crossing between the last point under 500 ms and the first of those over it from there on', () => {
    expect(measuredCrossing([pt(100, 100), pt(200, 300), pt(300, 700)])!.rps).toBeCloseTo(250, 6);
    // A point that dropped requests is over, whatever the p95 of those it served.
    expect(measuredCrossing([pt(100, 100), pt(200, 300, 5)])!.rps).toBeCloseTo(200, 6);
    expect(measuredCrossing([pt(100, 100), pt(200, 300)])).toBeNull();
    expect(measuredCrossing([pt(100, 600)])).toBeNull();
    // An over point below the sustained crossing (a stall) is listed, not taken.
    const m = measuredCrossing([pt(100, 100), pt(150, 800), pt(200, 300), pt(300, 700), pt(400, 900)])!;
    expect(m.rps).toBeCloseTo(250, 6);
    expect(m.earlier.map((p) => p.targetRps)).toEqual([150]);
  });

  it('the engine\'s crossing is where its own p95 passes 500 ms', () => {
    const plan = recordPlan();
    const x = predictedCrossing(plan);
    expect(predictedAt(plan, x * 0.99).p95).toBeLessThan(LATENCY_P95_CRITERION_MS);
    expect(predictedAt(plan, x * 1.01).p95).toBeGreaterThanOrEqual(LATENCY_P95_CRITERION_MS);
  });
});
