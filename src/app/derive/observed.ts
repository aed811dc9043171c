/**
 * A service row's observed line: observed memory (p50–p99 and the peak) against its limit and
 * the model's band, positions scaled to the line's width, and its OOM kills. Pure; read from the
 * engine's report (engine/observed.ts made the figures).
 */
import type { ServiceBudget } from '../../engine/report.ts';
import { sizeText } from '../format.ts';

export type ObservedLineView = {
  /** Percent positions on the line. */
  bandLow: number;
  bandHigh: number;
  seenLow: number;
  seenHigh: number;
  peak: number;
  limit: number | null;
  /** For people (title and screen readers). */
  text: string;
  oomKills: number;
  /** When the first kill was, or null when the evidence only counted them. */
  oomText: string | null;
};

const pct = (v: number, scale: number) => (scale > 0 && Number.isFinite(v) ? Math.max(0, Math.min(100, (v / scale) * 100)) : 0);

export function observedLineOf(b: ServiceBudget): ObservedLineView | null {
  const o = b.observedMiB;
  if (!o) return null;
  const scale = Math.max(b.limitMiB ?? 0, b.usageMiB.high, o.peak) * 1.1;
  const low = o.p50 ?? o.peak;
  const high = o.p99 ?? o.peak;
  const first = b.oomKills.find((k) => k.at !== null)?.at ?? null;
  const seen = o.p50 === null ? `peak ${sizeText(o.peak)}` : `p50 ${sizeText(o.p50)}, p99 ${sizeText(high)}, peak ${sizeText(o.peak)}`;
  return {
    bandLow: pct(b.usageMiB.low, scale),
    bandHigh: pct(b.usageMiB.high, scale),
    seenLow: pct(low, scale),
    seenHigh: pct(high, scale),
    peak: pct(o.peak, scale),
    limit: b.limitMiB === null ? null : pct(b.limitMiB, scale),
    text: `observed ${seen}${o.samples ? ` (${o.samples} samples)` : ''}; model ${sizeText(b.usageMiB.low)}–${sizeText(b.usageMiB.high)}; limit ${b.limitMiB === null ? 'none' : sizeText(b.limitMiB)}`,
    oomKills: b.oomKills.length,
    oomText: first === null ? null : first.replace('T', ' ').replace(/\.\d+/, '').replace(/Z$/, ' UTC'),
  };
}
