/**
 * The host's real RAM from `free -m` (or `free -h`) or /proc/meminfo → evidence with `host`.
 * It replaces the plan's nominal size: a "4 GB" VPS shows 3.7–3.8 GiB, the rest taken by the
 * kernel and firmware before Linux counts it (issue 12).
 */
import type { EvidenceParse } from './file.ts';
import { EVIDENCE_FORMAT, EVIDENCE_VERSION } from './file.ts';

const KIB = 1024;
const MIB = 1048576;
/** free -h's units (binary: free(1) prints Ki/Mi/Gi/Ti). */
const FREE_H_UNIT: Record<string, number> = { B: 1, Ki: KIB, Mi: MIB, Gi: 1024 * MIB, Ti: 1024 * 1024 * MIB, K: KIB, M: MIB, G: 1024 * MIB, T: 1024 * 1024 * MIB };
/** Above this, a `free` figure read as MiB is KiB (plain `free`): 1 TiB of RAM in MiB, far past
 * the small hosts Headroom plans. Assumed; plain `free` on a host under 1 GiB still reads as MiB. */
const MAX_MIB = 1024 * 1024;

export function isMeminfo(text: string): boolean {
  return /^MemTotal:\s/m.test(text.slice(0, 8192));
}

export function isFree(text: string): boolean {
  return /^\s*total\s+used\s+free/m.test(text.slice(0, 4096)) && /^Mem:/m.test(text.slice(0, 4096));
}

function hostEvidence(bytes: number, source: string, collectedAt: string): EvidenceParse {
  return { ok: true, evidence: { format: EVIDENCE_FORMAT, version: EVIDENCE_VERSION, source: 'meminfo', collectedAt, durationSeconds: 0, intervalSeconds: null, host: { memTotalBytes: bytes, source }, services: [] } };
}

export function meminfoToEvidence(text: string, collectedAt: string): EvidenceParse {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => /^MemTotal:/.test(l));
  const m = /^MemTotal:\s+(\d+)\s*kB\s*$/.exec(lines[i] ?? '');
  if (!m) return { ok: false, issues: [{ path: `line ${i + 1}`, message: `expected "MemTotal:  3825680 kB" (/proc/meminfo), got "${(lines[i] ?? '').trim().slice(0, 60)}"` }] };
  const bytes = Number(m[1]) * KIB; // meminfo's "kB" is KiB (proc(5))
  if (bytes < 64 * MIB) return { ok: false, issues: [{ path: `line ${i + 1}`, message: 'expected a host of at least 64 MiB' }] };
  return hostEvidence(bytes, '/proc/meminfo', collectedAt);
}

export function freeToEvidence(text: string, collectedAt: string): EvidenceParse {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => /^Mem:/.test(l));
  const cell = (lines[i] ?? '').trim().split(/\s+/)[1] ?? '';
  const where = `line ${i + 1}`;
  const h = /^(\d+(?:[.,]\d+)?)(B|Ki|Mi|Gi|Ti|K|M|G|T)$/.exec(cell);
  let bytes: number;
  let source: string;
  if (h) {
    bytes = Math.round(Number(h[1]!.replace(',', '.')) * FREE_H_UNIT[h[2]!]!);
    source = 'free -h';
  } else if (/^\d+$/.test(cell)) {
    const mib = Number(cell);
    if (mib > MAX_MIB) return { ok: false, issues: [{ path: where, message: `expected free -m (MiB); ${cell} looks like free's default KiB: run free -m` }] };
    bytes = mib * MIB;
    source = 'free -m';
  } else {
    return { ok: false, issues: [{ path: where, message: `expected the total on the Mem: line of free -m, like "Mem:  3736  1210 …", got "${cell}"` }] };
  }
  if (bytes < 64 * MIB) return { ok: false, issues: [{ path: where, message: `expected a host of at least 64 MiB (is this free without -m? run free -m)` }] };
  return hostEvidence(bytes, source, collectedAt);
}
