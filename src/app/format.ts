/**
 * Numbers for people. Every size on the page goes through the engine's sizeFormat, so the table,
 * the host bar and the charts never disagree by a rounding; nothing here ever prints NaN.
 */
import { coresFormat, countFormat, percentFormat, sizeFormat, sizesFormat } from '../engine/units.ts';
import type { Range } from '../engine/report.ts';

/** A size in MiB as `800 MiB` / `1.95 GiB`; `—` for a missing or non-finite number. */
export function sizeText(mib: number | null | undefined): string {
  return mib === null || mib === undefined ? '—' : sizeFormat(mib);
}

/** low–typical–high with the unit written once when all three share it: `250–380–500 MiB`; different sizes never read alike. */
export function rangeText(r: Range): string {
  const parts = sizesFormat([r.low, r.typical, r.high]);
  const unit = parts[0]?.split(' ')[1];
  if (unit && parts.every((p) => p.split(' ')[1] === unit)) return `${parts.map((p) => p.split(' ')[0]).join('–')} ${unit}`;
  return parts.join(' – ');
}

/** A share as a whole percent (`29%`); `—` when the base is zero or either number is not finite. */
export function percentText(part: number, whole: number): string {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole === 0) return '—';
  return percentFormat(part / whole);
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

/** vCPUs for people: `2 vCPUs`, `1 vCPU`, `0.5 vCPU`; `—` when not finite. */
export function vcpusText(n: number): string {
  if (!Number.isFinite(n)) return '—';
  return `${coresFormat(n)} vCPU${n > 1 ? 's' : ''}`;
}

/** The CPU a host's services ask (engine/cpu.ts, modelled kinds only) against its vCPUs: `0.35 typical / 0.53 high of 2 vCPUs`. */
export function cpuInUseText(cpu: { typical: number; high: number }, cpus: number): string {
  const cores = (n: number) => (Number.isFinite(n) ? coresFormat(n) : '—');
  return `${cores(cpu.typical)} typical / ${cores(cpu.high)} high of ${vcpusText(cpus)}`;
}

/** What a host without `cpus` is taken to have, and why: `2 (default: 1 vCPU per 2 GiB)`, from engine/cpu.ts's defaultCpus and GIB_PER_VCPU. */
export function defaultCpusText(cpus: number, gibPerVcpu: number): string {
  return `${Number.isFinite(cpus) ? coresFormat(cpus) : '—'} (default: 1 vCPU per ${Number.isFinite(gibPerVcpu) ? gibPerVcpu : '—'} GiB)`;
}

export type SizeAxis = { ticks: number[]; maxMiB: number; label: (mib: number) => string };

/** Round tick steps, in GiB (quarters and halves below 1, powers of two and decimal rounds above) and in MiB. */
const GIB_STEPS = [0.25, 0.5, 1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, 128, 250, 500, 1000];
const MIB_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250];

/**
 * A size axis from 0 to at least `maxMiB` with round ticks in one unit: GiB when the axis reaches
 * 1 GiB (`1 GiB`, `2 GiB`… or `0.5 GiB` steps), MiB below; the finest round step that needs at
 * most `most` steps; `0` is written
 * without a unit, so a GiB axis never says "0 MiB".
 */
export function sizeAxis(maxMiB: number, most = 4): SizeAxis {
  const top = Number.isFinite(maxMiB) && maxMiB > 0 ? maxMiB : 1;
  const unitMiB = top >= 1024 ? 1024 : 1;
  const unit = unitMiB === 1024 ? 'GiB' : 'MiB';
  const span = top / unitMiB;
  const candidates = unitMiB === 1024 ? GIB_STEPS : MIB_STEPS;
  const step = candidates.find((s) => Math.ceil(span / s - 1e-9) <= most) ?? Math.ceil(span / most);
  const steps = Math.ceil(span / step - 1e-9);
  const ticks = Array.from({ length: steps + 1 }, (_, i) => Math.round(i * step * unitMiB * 1000) / 1000);
  const label = (mib: number) => (mib === 0 ? '0' : `${+(mib / unitMiB).toFixed(2)} ${unit}`);
  return { ticks, maxMiB: steps * step * unitMiB, label };
}
