/**
 * Evidence in the engine: the summary of a window of working-set samples (percentiles, peak,
 * steady growth) and the limit planned from it. Pure; formats/evidence turns files into samples.
 */
import type { Plan } from './schema.ts';

/** The percentiles a limit may be planned from; `peak` is krr's default (its max × 1.15). */
export const OBSERVED_PERCENTILES = ['p50', 'p95', 'p99', 'peak'] as const;
export type ObservedPercentile = (typeof OBSERVED_PERCENTILES)[number];

/**
 * The q-quantile of sorted values, interpolated between the two nearest ranks: Prometheus's
 * quantile_over_time (and numpy's default), so a percentile here matches one in Grafana.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** Growth below this share of the median over the window is noise, not a trend. Assumed: 10%. */
export const GROWTH_SHARE = 0.1;
/** A fit this straight (Pearson r) is a steady climb, not a few bursts. Assumed: 0.8. */
export const GROWTH_MIN_R = 0.8;
/** Windows shorter than this say nothing about a leak. Assumed: one hour (a warm-up is minutes). */
export const GROWTH_MIN_WINDOW_SECONDS = 3600;

export type ObservedSummary = {
  p50: number;
  p95: number;
  p99: number;
  peak: number;
  samples: number;
  windowSeconds: number;
  /** MiB per hour of a steady climb (least squares, r ≥ GROWTH_MIN_R, rise ≥ GROWTH_SHARE of
   * the median over a window ≥ GROWTH_MIN_WINDOW_SECONDS); 0 when the window shows none. */
  growthPerHour: number;
};

/** Summarises [unix seconds, MiB] samples (any order; several per time for replicas). Null when empty. */
export function observedSummarize(samples: ReadonlyArray<readonly [number, number]>): ObservedSummary | null {
  const values = samples.map((s) => s[1]).filter(Number.isFinite);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const times = samples.map((s) => s[0]);
  const windowSeconds = Math.max(...times) - Math.min(...times);
  const p50 = quantile(sorted, 0.5);
  return { p50, p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99), peak: sorted[sorted.length - 1]!, samples: values.length, windowSeconds, growthPerHour: steadyGrowth(samples, windowSeconds, p50) };
}

function steadyGrowth(samples: ReadonlyArray<readonly [number, number]>, windowSeconds: number, median: number): number {
  if (windowSeconds < GROWTH_MIN_WINDOW_SECONDS || samples.length < 3) return 0;
  const n = samples.length;
  const mt = samples.reduce((a, s) => a + s[0], 0) / n;
  const mv = samples.reduce((a, s) => a + s[1], 0) / n;
  let stv = 0;
  let stt = 0;
  let svv = 0;
  for (const [t, v] of samples) {
    stv += (t - mt) * (v - mv);
    stt += (t - mt) ** 2;
    svv += (v - mv) ** 2;
  }
  if (stt === 0 || svv === 0) return 0;
  const slope = stv / stt; // MiB per second
  const r = stv / Math.sqrt(stt * svv);
  const rise = slope * windowSeconds;
  return r >= GROWTH_MIN_R && rise >= GROWTH_SHARE * median ? slope * 3600 : 0;
}

/** The observed figures of a service as the plan carries them (engine/schema.ts `observed`). */
type ObservedInput = NonNullable<Plan['services'][number]['observed']>;

/** The report's observed figures: p50 is the median (or the `typical` a person wrote). */
export function observedFigures(o: ObservedInput): { typical: number | null; p50: number | null; p95: number | null; p99: number | null; peak: number } {
  const p50 = o.p50 ?? o.typical ?? null;
  return { typical: o.typical ?? p50, p50, p95: o.p95 ?? null, p99: o.p99 ?? null, peak: o.peak };
}

/** What the limit planned from evidence rests on (the report's `observedLimit`). */
export type ObservedLimit = {
  limitMiB: number;
  /** The percentile it was planned from; `peak` when the evidence has only a peak. */
  percentile: ObservedPercentile;
  fromObservedMiB: number;
  margin: number;
  /** The model's high it may not go below (what the window did not see); null without a model. */
  modelHighMiB: number | null;
  reason: string;
};

/**
 * The limit planned from evidence: the chosen percentile × the margin (krr: max × 1.15), never
 * below the model's high (`modelHigh`, null for a service without a model), because a window
 * that saw no spike, no save and no vacuum says nothing about them. `fmt` writes sizes for the reason.
 */
export function observedLimitOf(o: ObservedInput, workload: Plan['workload'], modelHigh: number | null, fmt: (mib: number) => string): ObservedLimit {
  const figures = observedFigures(o);
  const chosen = workload.observedPercentile;
  const value = figures[chosen];
  const percentile: ObservedPercentile = value === null ? 'peak' : chosen;
  const base = value ?? figures.peak;
  const margin = workload.observedMargin;
  const fromObserved = base * margin;
  const held = modelHigh !== null && modelHigh > fromObserved;
  const limitMiB = held ? modelHigh : fromObserved;
  const what = `${percentile === 'peak' ? 'observed peak' : `observed ${percentile}`} ${fmt(base)} × ${margin}`;
  const reason = held
    ? `the model's high ${fmt(modelHigh)}, above ${what} = ${fmt(fromObserved)}: the window did not see what the model plans for, such as a spike or a save`
    : `${what}${percentile !== chosen ? ` (the evidence has no ${chosen})` : ''}`;
  return { limitMiB, percentile, fromObservedMiB: fromObserved, margin, modelHighMiB: modelHigh, reason };
}
