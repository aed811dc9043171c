/**
 * Sizes as compose, PostgreSQL and Redis write them, each in its own convention, to MiB.
 *
 * Compose reads byte values with docker/go-units RAMInBytes: a bare number is BYTES (unlike
 * Headroom's plan file, where a bare number is MiB), and k/m/g/t/p with optional `i` and `b` are
 * binary (`512m`, `1.5gb`, `1GiB`, `512 MB`). PostgreSQL and Redis each have their own rules.
 */
import { redisSizeText, type Result } from '../../engine/units.ts';

const KIB = 1 / 1024;
const BYTE = 1 / 1048576;

/** Binary multipliers in MiB (go-units RAMInBytes: `[kKmMgGtTpP]?[iI]?[bB]?`). */
const COMPOSE_UNITS: Record<string, number> = { '': BYTE, b: BYTE, k: KIB, m: 1, g: 1024, t: 1048576, p: 1073741824 };

/** go-units RAMInBytes, stricter on the number: `^(\d+(\.\d+)?) ?([kmgtp])?i?b?$`, case-insensitive. */
const COMPOSE_SIZE_RE = /^(\d+(?:\.\d+)?|\.\d+) ?([kmgtp])?(i)?(b)?$/i;

/** A compose byte value (`mem_limit`, `memory`, `shm_size`...) in MiB; a bare number is bytes. */
export function composeSizeParse(value: unknown): Result<number> {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return { ok: false, error: `expected a size ≥ 0 like 512m or 1g, got ${value}` };
    return { ok: true, value: value * BYTE };
  }
  if (typeof value !== 'string') return { ok: false, error: `expected a size like 512m, 1.5gb or a number of bytes, got ${describe(value)}` };
  const m = COMPOSE_SIZE_RE.exec(value.trim());
  // `1i` without a unit letter is not a size; go-units would also refuse it.
  if (!m || (m[3] && !m[2])) return { ok: false, error: `expected a size like 512m, 1.5gb, 1GiB or a number of bytes, got "${value}"` };
  const mib = Number(m[1]) * COMPOSE_UNITS[(m[2] ?? '').toLowerCase()]!;
  if (!Number.isFinite(mib)) return { ok: false, error: `expected a finite size, got "${value}"` };
  return { ok: true, value: mib };
}

/** PostgreSQL memory units (runtime-config: B, kB, MB, GB, TB, multiples of 1024). A bare
 * number is in the setting's own unit: 8 kB pages for shared_buffers, kB for work_mem. */
const PG_UNITS: Record<string, number> = { b: BYTE, kb: KIB, mb: 1, gb: 1024, tb: 1048576 };

export function postgresSizeParse(value: string, bareUnitMiB: number): Result<number> {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(value.trim().replace(/^'(.*)'$/, '$1'));
  if (!m) return { ok: false, error: `expected a PostgreSQL size like 256MB or 4096 (its own unit), got "${value}"` };
  const unit = m[2] ? PG_UNITS[m[2].toLowerCase()] : bareUnitMiB;
  if (unit === undefined) return { ok: false, error: `unknown PostgreSQL unit "${m[2]}" in "${value}" (use kB, MB, GB, TB)` };
  return { ok: true, value: Number(m[1]) * unit };
}

/** Redis sizes (redis.conf header): k = 1000, kb = 1024, m = 10^6, mb = 2^20, g = 10^9, gb = 2^30;
 * a bare number is bytes. */
const REDIS_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1048576, g: 1e9, gb: 1073741824,
};

export function redisSizeParse(value: string): Result<number> {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(value.trim());
  const bytes = m ? REDIS_UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || bytes === undefined) return { ok: false, error: `expected a Redis size like 256mb, 1gb or a number of bytes, got "${value}"` };
  return { ok: true, value: (Number(m[1]) * bytes) / 1048576 };
}

/** A compose size written back: whole MiB as `768m`, whole GiB as `2g`, else KiB. */
export function composeSizeFormat(mib: number): string {
  if (mib >= 1024 && Number.isInteger(mib / 1024)) return `${mib / 1024}g`;
  if (Number.isInteger(mib)) return `${mib}m`;
  return `${Math.round(mib * 1024)}k`;
}

/** A Redis size written back in binary units (`104mb`), which Redis reads as 2^20 bytes: units.ts redisSizeText, the one rule. */
export const redisSizeFormat = redisSizeText;

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return String(v);
}
