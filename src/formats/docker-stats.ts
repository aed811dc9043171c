/**
 * `docker stats --no-stream` output → observed usage per plan service.
 *
 * Reads the default table (CONTAINER ID, NAME, CPU %, MEM USAGE / LIMIT, …), the seed's
 * `--format "table {{.Container}}\t{{.MemUsage}}\t{{.MemPerc}}"`, and headerless `--format`
 * lines. Several pasted snapshots give several samples per container: the peak is the highest,
 * the typical the median. Containers are matched to services by name: `container_name`, the
 * service name itself, or compose's `<project>-<service>-<n>` (v2) / `<project>_<service>_<n>` (v1).
 */
import type { PlanFileInput } from '../engine/schema.ts';
import { sizeToPlan } from '../engine/units.ts';
import { INPUT_LIMITS } from './input-limits.ts';

export type StatsIssue = { path: string; message: string };

/** One container in one snapshot. */
export type StatsSample = { container: string; usedMiB: number; limitMiB: number | null; line: number };

export type StatsParse = { ok: true; samples: StatsSample[]; snapshots: number } | { ok: false; issues: StatsIssue[] };

/** docker prints memory with go-units: binary KiB/MiB/GiB; older releases decimal kB/MB/GB. */
const UNIT_MIB: Record<string, number> = {
  b: 1 / 1048576,
  kib: 1 / 1024, mib: 1, gib: 1024, tib: 1048576,
  kb: 1e3 / 1048576, mb: 1e6 / 1048576, gb: 1e9 / 1048576, tb: 1e12 / 1048576,
};
const AMOUNT = String.raw`(\d+(?:\.\d+)?)\s*([KMGT]i?B|B|kB)`;
const MEM_USAGE_RE = new RegExp(String.raw`${AMOUNT}\s*\/\s*${AMOUNT}`, 'i');
/** Terminal escape sequences (ESC [ … letter). */
const ANSI_RE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');
/** A short or long container ID: 12 or 64 hex digits. */
const ID_RE = /^[0-9a-f]{12}(?:[0-9a-f]{52})?$/;

function mib(amount: string, unit: string): number {
  return Number(amount) * (UNIT_MIB[unit.toLowerCase()] ?? NaN);
}

/** One MEM USAGE / LIMIT cell (`245.3MiB / 800MiB`) in MiB; null when it is not one. */
export function memUsageParse(cell: string): { usedMiB: number; limitMiB: number | null } | null {
  const m = MEM_USAGE_RE.exec(cell);
  if (!m) return null;
  const used = mib(m[1]!, m[2]!);
  const limit = mib(m[3]!, m[4]!);
  return Number.isFinite(used) ? { usedMiB: used, limitMiB: Number.isFinite(limit) ? limit : null } : null;
}

/** Parses pasted `docker stats` text; every line that is neither a header nor a row is an issue. */
export function dockerStatsParse(text: string): StatsParse {
  if (typeof text !== 'string') return { ok: false, issues: [{ path: '(stats)', message: 'expected the text of docker stats' }] };
  // Evidence, under the evidence cap (input-limits.ts: a streamed `docker stats` runs past the plan's 4 MiB).
  if (text.length > INPUT_LIMITS.maxEvidenceBytes) return { ok: false, issues: [{ path: '(stats)', message: `expected at most ${INPUT_LIMITS.maxEvidenceBytes / 1048576} MiB of docker stats output` }] };
  const samples: StatsSample[] = [];
  const issues: StatsIssue[] = [];
  let header: string[] | null = null;
  let snapshots = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    // `docker stats` without --no-stream clears the screen with escape codes between snapshots.
    const line = raw.replace(ANSI_RE, '').trim();
    if (!line) return;
    if (/MEM USAGE/i.test(line)) {
      header = line.split(/\t+|\s{2,}/).map((h) => h.trim().toUpperCase());
      snapshots++;
      return;
    }
    const m = MEM_USAGE_RE.exec(line);
    if (!m) {
      issues.push({ path: `line ${i + 1}`, message: `expected a container and its MEM USAGE / LIMIT like "postgres  245.3MiB / 800MiB", got "${line.length > 60 ? `${line.slice(0, 60)}…` : line}"` });
      return;
    }
    const used = mib(m[1]!, m[2]!);
    const limit = mib(m[3]!, m[4]!);
    const cells = line.split(/\t+|\s{2,}/).map((c) => c.trim());
    const h = header as string[] | null;
    const nameAt = h ? h.indexOf('NAME') : -1;
    const container = (nameAt >= 0 && cells.length === h!.length ? cells[nameAt] : cells[0]!.split(/\s+/)[0]) ?? '';
    if (!Number.isFinite(used) || !container || MEM_USAGE_RE.test(container)) {
      issues.push({ path: `line ${i + 1}`, message: 'expected a container name before MEM USAGE / LIMIT' });
      return;
    }
    samples.push({ container, usedMiB: used, limitMiB: Number.isFinite(limit) ? limit : null, line: i + 1 });
  });
  if (issues.length > 0) return { ok: false, issues };
  if (samples.length === 0) return { ok: false, issues: [{ path: '(stats)', message: 'no container rows found: paste the output of docker stats --no-stream' }] };
  return { ok: true, samples, snapshots: Math.max(1, snapshots) };
}

/** What the matching did, for people. */
export type StatsMatch = {
  /** Per matched service: its containers, samples and the usage taken from them (MiB). */
  matched: Array<{ service: string; containers: string[]; samples: number; typicalMiB: number; peakMiB: number }>;
  /** Containers no service claims (IDs among them: use {{.Name}} in --format). */
  unmatched: string[];
  /** Plan services with no container in the stats. */
  missing: string[];
  notes: string[];
};

/** The service a container belongs to, preferring the longest service name that fits. */
export function containerService(container: string, services: ReadonlyArray<{ name: string; containerName?: string }>): string | null {
  const c = container.replace(/^\//, '');
  let best: string | null = null;
  for (const s of services) {
    const exact = s.containerName === c || s.name === c;
    // compose v2 `<project>-<service>-<n>` and v1 `<project>_<service>_<n>`.
    const composed = new RegExp(`[-_]${escape(s.name)}[-_]\\d+$`).test(c);
    if (exact) return s.name;
    if (composed && (best === null || s.name.length > best.length)) best = s.name;
  }
  return best;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Matches samples to services (by `name`, or `containerName` from compose's container_name). */
export function dockerStatsMatch(samples: StatsSample[], services: ReadonlyArray<{ name: string; containerName?: string }>): StatsMatch {
  const byService = new Map<string, { containers: Set<string>; values: number[] }>();
  const unmatched = new Set<string>();
  for (const s of samples) {
    const name = containerService(s.container, services);
    if (name === null) {
      unmatched.add(s.container);
      continue;
    }
    const entry = byService.get(name) ?? { containers: new Set<string>(), values: [] };
    entry.containers.add(s.container);
    entry.values.push(s.usedMiB);
    byService.set(name, entry);
  }
  const matched = services.filter((s) => byService.has(s.name)).map((s) => {
    const e = byService.get(s.name)!;
    return { service: s.name, containers: [...e.containers], samples: e.values.length, typicalMiB: median(e.values), peakMiB: Math.max(...e.values) };
  });
  const notes: string[] = [];
  const ids = [...unmatched].filter((c) => ID_RE.test(c));
  if (ids.length > 0) notes.push(`${ids.length} container${ids.length > 1 ? 's are' : ' is'} named only by ID (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}): {{.Container}} prints IDs for all containers; run docker stats --no-stream --format "table {{.Name}}\\t{{.MemUsage}}\\t{{.MemPerc}}"`);
  if (matched.some((m) => m.samples === 1)) notes.push('one sample per container: typical and peak are that one moment; paste several snapshots taken at busy times for a real peak');
  return { matched, unmatched: [...unmatched], missing: services.filter((s) => !byService.has(s.name)).map((s) => s.name), notes };
}

/**
 * The plan with each matched service's `observed` usage set from the stats text, ready for the
 * engine (which then reports it beside the model and plans limits from it). Pure.
 */
export function dockerStatsApply<T extends PlanFileInput>(input: T, text: string, containerNames: Readonly<Record<string, string>> = {}): { ok: true; input: T; match: StatsMatch } | { ok: false; issues: StatsIssue[] } {
  const parsed = dockerStatsParse(text);
  if (!parsed.ok) return parsed;
  const services = input.services.map((s) => ({ name: s.name, ...(containerNames[s.name] ? { containerName: containerNames[s.name] } : {}) }));
  const match = dockerStatsMatch(parsed.samples, services);
  const out = structuredClone(input);
  for (const m of match.matched) {
    const s = out.services.find((x) => x.name === m.service)!;
    s.observed = { typical: sizeToPlan(round(m.typicalMiB)), peak: sizeToPlan(round(m.peakMiB)) };
  }
  return { ok: true, input: out, match };
}

/** To 0.001 MiB: docker prints three or four significant digits, no more is known. */
function round(mib: number): number {
  return Math.round(mib * 1000) / 1000;
}
