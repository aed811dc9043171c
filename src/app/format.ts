/**
 * Numbers for people. Every size on the page goes through the engine's sizeFormat, so the table,
 * the host bar and the charts never disagree by a rounding; nothing here ever prints NaN.
 */
import { countFormat, sizeFormat } from '../engine/units.ts';
import type { Range } from '../engine/report.ts';

/** A size in MiB as `800 MiB` / `1.95 GiB`; `—` for a missing or non-finite number. */
export function sizeText(mib: number | null | undefined): string {
  return mib === null || mib === undefined ? '—' : sizeFormat(mib);
}

/** low–typical–high with the unit written once when all three share it: `250–380–500 MiB`. */
export function rangeText(r: Range): string {
  const parts = [sizeFormat(r.low), sizeFormat(r.typical), sizeFormat(r.high)];
  const unit = parts[0]?.split(' ')[1];
  if (unit && parts.every((p) => p.split(' ')[1] === unit)) return `${parts.map((p) => p.split(' ')[0]).join('–')} ${unit}`;
  return parts.join(' – ');
}

/** A share as a whole percent (`29%`); `—` when the base is zero or either number is not finite. */
export function percentText(part: number, whole: number): string {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole === 0) return '—';
  return `${Math.round((part / whole) * 100)}%`;
}

/** A probability 0–1 as a percent with one decimal under 10% (`0.4%`, `12%`). */
export function probabilityText(p: number): string {
  if (!Number.isFinite(p)) return '—';
  const pct = p * 100;
  return `${pct > 0 && pct < 10 ? +pct.toFixed(1) : Math.round(pct)}%`;
}

/** A count with thousands separators; `—` when not finite (the engine's countFormat). */
export const countText = countFormat;

/** A signed size change: `+12 MiB`, `−180 MiB` (sizeFormat already writes the minus sign). */
export function deltaText(mib: number): string {
  if (!Number.isFinite(mib)) return '—';
  return mib > 0 ? `+${sizeFormat(mib)}` : sizeFormat(mib);
}
