/**
 * `docker stats` → evidence: the `--format json` stream (one JSON object a line, many snapshots
 * when run without --no-stream, screen-clearing escapes between them) and the tables the older
 * path reads (formats/docker-stats.ts). docker stats prints no times: a container's k-th line is
 * its k-th snapshot, the samples are numbered from `collectedAt` in seconds, and the window and
 * interval are unknown (durationSeconds 0, intervalSeconds null).
 */
import type { InputIssue } from '../../engine/schema.ts';
import { dockerStatsParse, memUsageParse } from '../docker-stats.ts';
import { evidenceBuild, type ContainerEvidence, type ServiceRef } from './build.ts';
import type { EvidenceParse } from './file.ts';

const MIB = 1048576;
const ANSI_RE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

/** True when the first non-empty line is one `docker stats --format json` object. */
export function isDockerStatsJson(text: string): boolean {
  const first = text.replace(ANSI_RE, '').split(/\r?\n/).find((l) => l.trim() !== '');
  if (!first) return false;
  try {
    const o = JSON.parse(first) as unknown;
    return o !== null && typeof o === 'object' && 'MemUsage' in o;
  } catch {
    return false;
  }
}

/** True when the text looks like a docker stats table. */
export function isDockerStatsTable(text: string): boolean {
  return /MEM USAGE/i.test(text.slice(0, 4096)) || /\d\s*[KMGT]i?B\s*\/\s*\d/.test(text.slice(0, 4096));
}

function build(rows: Array<{ container: string; usedMiB: number; limitMiB: number | null }>, services: readonly ServiceRef[], collectedAt: string): EvidenceParse {
  const t0 = Date.parse(collectedAt) / 1000;
  const byContainer = new Map<string, ContainerEvidence>();
  for (const r of rows) {
    const c = byContainer.get(r.container) ?? { container: r.container, samples: [], limitBytes: null };
    c.samples.push([t0 + c.samples.length, Math.round(r.usedMiB * MIB)]);
    if (r.limitMiB !== null) c.limitBytes = Math.round(r.limitMiB * MIB);
    byContainer.set(r.container, c);
  }
  return evidenceBuild('docker-stats', [...byContainer.values()], services, { collectedAt, intervalSeconds: null, durationSeconds: 0 });
}

/** `docker stats --format json` (one object a line). */
export function dockerStatsJsonToEvidence(text: string, services: readonly ServiceRef[], collectedAt: string): EvidenceParse {
  const issues: InputIssue[] = [];
  const rows: Array<{ container: string; usedMiB: number; limitMiB: number | null }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(ANSI_RE, '').trim();
    if (!line || issues.length >= 20) return;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      issues.push({ path: `line ${i + 1}`, message: `expected one docker stats JSON object a line, got "${line.length > 60 ? `${line.slice(0, 60)}…` : line}"${i > 0 ? ' (a truncated last line?)' : ''}` });
      return;
    }
    const r = o as Record<string, unknown>;
    const name = typeof r.Name === 'string' && r.Name !== '' && r.Name !== '--' ? r.Name : typeof r.Container === 'string' ? r.Container : '';
    const mem = typeof r.MemUsage === 'string' ? memUsageParse(r.MemUsage) : null;
    if (!name) {
      issues.push({ path: `line ${i + 1}: Name`, message: 'expected the container name (docker stats --format json prints Name)' });
      return;
    }
    // A container that stopped between snapshots prints "-- / --" (docker stats): no sample.
    if (typeof r.MemUsage === 'string' && /^\s*-+\s*\/\s*-+\s*$/.test(r.MemUsage)) return;
    if (!mem) {
      issues.push({ path: `line ${i + 1}: MemUsage`, message: `expected MEM USAGE / LIMIT like "245.3MiB / 800MiB", got ${JSON.stringify(r.MemUsage)}` });
      return;
    }
    rows.push({ container: name.replace(/^\//, ''), usedMiB: mem.usedMiB, limitMiB: mem.limitMiB });
  });
  if (issues.length > 0) return { ok: false, issues };
  if (rows.length === 0) return { ok: false, issues: [{ path: '(docker stats)', message: 'no containers: expected lines of docker stats --format json' }] };
  return build(rows, services, collectedAt);
}

/** The `docker stats` tables (default, --no-stream, several snapshots). */
export function dockerStatsTableToEvidence(text: string, services: readonly ServiceRef[], collectedAt: string): EvidenceParse {
  const r = dockerStatsParse(text);
  if (!r.ok) return r;
  return build(r.samples, services, collectedAt);
}
