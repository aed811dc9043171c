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
    if (input > MAX_SIZE_MIB) return { ok: false, error: `expected a size up to 64 TiB, got ${input} MiB` };
    return { ok: true, value: input };
  }
  const text = input.trim();
  const m = SIZE_RE.exec(text);
  if (!m) return { ok: false, error: `expected a size like 512MiB, 512m, 1.5GiB or 4g, got "${input}"` };
  const unit = SIZE_UNITS[(m[2] ?? '').toLowerCase() || 'mib'];
  if (unit === undefined) return { ok: false, error: `unknown size unit "${m[2]}" in "${input}" (use b, k, m, g, t, KiB, MiB, GiB, TiB)` };
  const value = Number(m[1]) * unit;
  if (!Number.isFinite(value) || value > MAX_SIZE_MIB) return { ok: false, error: `expected a size up to 64 TiB, got "${input}"` };
  return { ok: true, value };
}

/**
 * Sizes for people, one rule everywhere (page, CLI, exported comments): whole MiB under 1 GiB
 * (`800 MiB`), GiB with two decimals above, trailing zeros dropped (`1.95 GiB`, `1.9 GiB`,
 * `4 GiB`), whole KiB under 1 MiB (`512 KiB`); one minus sign (U+2212); `—` for a number that is
 * not finite. `extra` adds decimals beyond the rule (sizesFormat uses it for sizes under 1 MiB).
 */
export function sizeFormat(mib: number, extra = 0): string {
  if (!Number.isFinite(mib)) return '—';
  const a = Math.abs(mib);
  let text: string;
  if (roundTo(a, extra) >= 1024) text = `${trim(a / 1024, 2 + extra)} GiB`;
  else if (roundTo(a * 1024, extra) >= 1024 || roundTo(a * 1024, extra) === 0) text = `${trim(a, extra)} MiB`;
  else text = `${trim(a * 1024, extra)} KiB`;
  // No "−0 MiB": a size that rounds to zero has no sign.
  return mib < 0 && /[1-9]/.test(text) ? `\u2212${text}` : text;
}

/** A share as a whole percent for people (`-0.24` gives `−24%`): one minus sign (U+2212), as sizeFormat; `—` when not finite. */
export function percentFormat(share: number): string {
  if (!Number.isFinite(share)) return '—';
  const n = Math.round(share * 100);
  return n < 0 ? `\u2212${-n}%` : `${n === 0 ? 0 : n}%`;
}

/** The most decimals sizesFormat adds to tell sizes apart (0.001 MiB is 1 KiB). */
const SEPARATING_DIGITS_MAX = 3;

const MIB_COUNT = [0, 1, 2, 3].map((d) => new Intl.NumberFormat('en-US', { maximumFractionDigits: d }));

/** A size in whole MiB (or with `extra` decimals), thousands separated: `2,241 MiB`; KiB under 1 MiB as sizeFormat. */
function mibText(mib: number, extra: number): string {
  if (!Number.isFinite(mib) || Math.abs(mib) < 1) return sizeFormat(mib, extra);
  const text = `${MIB_COUNT[extra]!.format(Math.abs(mib))} MiB`;
  return mib < 0 ? `\u2212${text}` : text;
}

/**
 * Several sizes written so that different sizes read differently: sizeFormat's rule when it tells
 * them apart, else all of them in MiB with the fewest decimals that do ([2240, 2241] gives
 * `2,240 MiB`, `2,241 MiB`; [752.6, 753.2] gives `752.6 MiB`, `753.2 MiB`), so a sentence never
 * says "1.25 GiB exceeds its 1.25 GiB limit". Equal sizes stay equal.
 */
export function sizesFormat(values: readonly number[]): string[] {
  const plain = values.map((v) => sizeFormat(v));
  if (separated(values, plain)) return plain;
  let texts = plain;
  for (let extra = 0; extra <= SEPARATING_DIGITS_MAX; extra++) {
    texts = values.map((v) => mibText(v, extra));
    if (separated(values, texts)) break;
  }
  return texts;
}

/** Two sizes told apart (sizesFormat of a pair): `[mine, theirs]`. */
export function sizePairFormat(a: number, b: number): [string, string] {
  const [x, y] = sizesFormat([a, b]);
  return [x!, y!];
}

/** Whether every pair of different values has different texts. */
function separated(values: readonly number[], texts: readonly string[]): boolean {
  const byText = new Map<string, number>();
  return values.every((v, i) => {
    const seen = byText.get(texts[i]!);
    if (seen !== undefined && seen !== v) return false;
    byText.set(texts[i]!, v);
    return true;
  });
}

function roundTo(n: number, digits: number): number {
  return Number(n.toFixed(digits));
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

/**
 * A size as PostgreSQL reads it on a postgresql.conf line (its kB/MB/GB are binary): `200MB`,
 * `1GB`, `6400kB`. Only for a value the server reads (a setting, or a comment saying what to write
 * on its line); every other size in words is sizeFormat's (`800 MiB`).
 */
export function pgSizeText(mib: number): string {
  const kb = Math.round(mib * 1024);
  if (kb % (1024 * 1024) === 0) return `${kb / (1024 * 1024)}GB`;
  if (kb % 1024 === 0) return `${kb / 1024}MB`;
  return `${kb}kB`;
}

/**
 * A size as Redis reads it on a redis.conf line (its mb/kb are binary, whole numbers only):
 * `104mb`, `1536kb`. Only for a value the server reads, as pgSizeText.
 */
export function redisSizeText(mib: number): string {
  if (Number.isInteger(mib)) return `${mib}mb`;
  return `${Math.max(1, Math.round(mib * 1024))}kb`;
}

/**
 * "a" or "an" before a word as it is spoken: `an 8 GiB host`, `an 11 GiB host`, `an 800 MiB
 * limit`, `a 16 GiB host`, `a 1.5 GiB host`, `an AlertManager`. Every "a ${size}" in a text goes
 * through it (withArticle).
 */
export function indefiniteArticle(word: string): 'a' | 'an' {
  const w = word.trim();
  const digits = /^\d+/.exec(w.replace(/,/g, ''))?.[0];
  if (digits !== undefined) {
    // Spoken numbers that start with a vowel: eight, eleven, eighteen, eighty…, eight hundred…;
    // 11 and 18 only as themselves or in groups of three (11,000 "eleven thousand").
    if (digits.startsWith('8')) return 'an';
    const lead = digits.length % 3 === 0 ? digits.slice(0, 3) : digits.slice(0, digits.length % 3);
    return lead === '11' || lead === '18' ? 'an' : 'a';
  }
  return /^[aeiou]/i.test(w) ? 'an' : 'a';
}

/** A word with its indefinite article: `an 8 GiB`, `a 4 GiB`, `an 11%`. */
export function withArticle(word: string): string {
  return `${indefiniteArticle(word)} ${word}`;
}

/** Cores as people read them: 2, 1.5, 0.35 (whole from 10 up). */
export function coresFormat(n: number): string {
  return String(+n.toFixed(n >= 10 ? 0 : 2));
}

/** The cores an app's workers are left, in words: "0.9 free cores", or none when its other
 * services take the host's whole usable share (latency.ts appFreeCores can be 0). */
export function freeCoresFormat(n: number): string {
  return n > 0.005 ? `${coresFormat(n)} free core${coresFormat(n) === '1' ? '' : 's'}` : 'no free core (the other services take the usable share)';
}

/**
 * Cores asked against the line they cross, as people read them: "1.75" against 1.6, and "just over
 * 1.6" when the two round alike (a capacity search stops a hair past the line: 1.60003 told no one anything).
 */
export function coresAskedFormat(demand: number, line: number): string {
  return demand > line && coresFormat(demand) === coresFormat(line) ? `just over ${coresFormat(line)}` : coresFormat(demand);
}

/** A service's limits in all, with each container's: "3 × 1 GiB = 3 GiB" for 3 replicas, "1 GiB" for one (report.ts limitOfAll). */
export function limitsOfAllFormat(perContainerMiB: number, replicas: number, fmt: (mib: number) => string = sizeFormat): string {
  return replicas > 1 ? `${perContainerFormat(perContainerMiB, replicas, fmt)} = ${fmt(perContainerMiB * replicas)}` : fmt(perContainerMiB);
}

/** A per-container limit as the service's containers take it: "3 × 1 GiB" for 3 replicas, "1 GiB" for one (report.ts limitOfAll). */
export function perContainerFormat(limitMiB: number, replicas: number, fmt: (mib: number) => string = sizeFormat): string {
  return replicas > 1 ? `${replicas} × ${fmt(limitMiB)}` : fmt(limitMiB);
}

/**
 * A duration in milliseconds as every output writes it: whole milliseconds with a space
 * ("300 ms"), "<1 ms" under one, "unbounded" for a queue that grows without bound (Infinity).
 * One format for the findings, the CLI and the page (issue 16).
 */
export function msFormat(ms: number): string {
  if (!Number.isFinite(ms)) return 'unbounded';
  if (ms > 0 && ms < 0.5) return '<1 ms';
  return `${countFormat(ms)} ms`;
}
