/**
 * Sizes and durations as an operator writes them.
 *
 * Sizes follow Docker's binary convention (docker/go-units RAMInBytes): `m`, `M`, `MB`, `MiB`
 * all mean 2^20 bytes; a bare number is MiB (the unit this project reports in). Hand-written on
 * purpose: the npm size libraries read `MB` as 10^6 or a bare number as bytes, which is the
 * opposite of what a compose user means.
 */

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** MiB per unit suffix, lower-cased. Docker treats k/m/g/t and kb/mb/... as binary. */
const SIZE_UNITS: Record<string, number> = {
  b: 1 / 1048576,
  k: 1 / 1024, kb: 1 / 1024, kib: 1 / 1024,
  m: 1, mb: 1, mib: 1,
  g: 1024, gb: 1024, gib: 1024,
  t: 1048576, tb: 1048576, tib: 1048576,
};

/** The largest size we accept: 64 TiB (assumed: no single host in this niche is larger). */
export const MAX_SIZE_MIB = 64 * 1048576;

const SIZE_RE = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([a-zA-Z]*)$/;

/** Parses `800MiB`, `800m`, `1.5GiB`, `4g`, `512` (MiB) into MiB. */
export function sizeParse(input: string | number): Result<number> {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) return { ok: false, error: `expected a size ≥ 0 (e.g. 512MiB), got ${input}` };
    if (input > MAX_SIZE_MIB) return { ok: false, error: `expected a size up to 64TiB, got ${input} MiB` };
    return { ok: true, value: input };
  }
  const text = input.trim();
  const m = SIZE_RE.exec(text);
  if (!m) return { ok: false, error: `expected a size like 512MiB, 512m, 1.5GiB or 4g, got "${input}"` };
  const unit = SIZE_UNITS[(m[2] ?? '').toLowerCase() || 'mib'];
  if (unit === undefined) return { ok: false, error: `unknown size unit "${m[2]}" in "${input}" (use b, k, m, g, t, KiB, MiB, GiB, TiB)` };
  const value = Number(m[1]) * unit;
  if (!Number.isFinite(value) || value > MAX_SIZE_MIB) return { ok: false, error: `expected a size up to 64TiB, got "${input}"` };
  return { ok: true, value };
}

/** Formats MiB for people: `800 MiB`, `1.95 GiB`, `12 KiB`. */
export function sizeFormat(mib: number): string {
  if (!Number.isFinite(mib)) return '—';
  const sign = mib < 0 ? '−' : '';
  const a = Math.abs(mib);
  if (a >= 1024) return `${sign}${trim(a / 1024, 2)} GiB`;
  if (a >= 1 || a === 0) return `${sign}${trim(a, a < 10 ? 1 : 0)} MiB`;
  return `${sign}${trim(a * 1024, 0)} KiB`;
}

/** Writes MiB back in plan-file form: `800MiB`, `4GiB`, `1.5GiB`, `512KiB`. */
export function sizeToPlan(mib: number): string {
  if (mib >= 1024 && Number.isInteger((mib / 1024) * 100)) return `${+(mib / 1024).toFixed(2)}GiB`;
  if (Number.isInteger(mib)) return `${mib}MiB`;
  if (mib >= 1 && Math.abs(mib * 1000 - Math.round(mib * 1000)) < 1e-6) return `${+mib.toFixed(3)}MiB`;
  return `${Math.round(mib * 1024)}KiB`;
}

function trim(n: number, digits: number): string {
  return String(+n.toFixed(digits));
}

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Parses Prometheus-style durations (`30s`, `1m`, `7d`, `1h30m`) into seconds. */
export function durationParse(input: string | number): Result<number> {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input > 0 ? { ok: true, value: input } : { ok: false, error: `expected a duration > 0 in seconds, got ${input}` };
  }
  const text = input.trim();
  const parts = [...text.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    return { ok: false, error: `expected a duration like 15s, 1m, 7d or 1h30m, got "${input}"` };
  }
  const value = parts.reduce((sum, p) => sum + Number(p[1]) * (DURATION_UNITS[p[2] ?? 's'] ?? 1), 0);
  if (value <= 0 || value > 100 * 31536000) return { ok: false, error: `expected a duration between 1ms and 100y, got "${input}"` };
  return { ok: true, value };
}

/** Writes seconds as the shortest exact Prometheus duration: 30 → `30s`, 604800 → `1w`... we prefer days. */
export function durationFormat(seconds: number): string {
  for (const [unit, s] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (seconds >= s && Number.isInteger(seconds / s)) return `${seconds / s}${unit}`;
  }
  return `${Math.round(seconds * 1000)}ms`;
}

/** One formatter for all counts: toLocaleString builds a new one per call, which shows in a keystroke's budget. */
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count with thousands separators (`10,000`); `—` when not finite. */
export function countFormat(n: number): string {
  return Number.isFinite(n) ? COUNT.format(Math.round(n)) : '—';
}

/** A size in the servers' own notation, for the tuners' reasons: `200MB`, `12.5MB` (MB = MiB to PostgreSQL and Redis). */
export function mbText(mib: number): string {
  return Number.isInteger(mib) ? `${mib}MB` : `${Math.round(mib * 100) / 100}MB`;
}
