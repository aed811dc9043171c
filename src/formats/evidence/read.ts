/**
 * Any evidence input → evidence, told apart by content: an evidence file (headroom observe),
 * a Prometheus range-query response, a cgroup bundle, `docker stats --format json` lines, a
 * `docker stats` table, `free -m` / `free -h`, /proc/meminfo. Every failure is issues with a path
 * (and a line where the input has lines). Pure: the caller reads the file (under its size cap).
 */
import type { InputIssue } from '../../engine/schema.ts';
import type { ServiceRef } from './build.ts';
import { cgroupToEvidence, isCgroupBundle } from './cgroup.ts';
import { dockerStatsJsonToEvidence, dockerStatsTableToEvidence, isDockerStatsJson, isDockerStatsTable } from './docker-stats.ts';
import { EVIDENCE_FORMAT, evidenceParse, jsonErrorText, jsonErrorWhere, type EvidenceParse } from './file.ts';
import { freeToEvidence, isFree, isMeminfo, meminfoToEvidence } from './meminfo.ts';
import { isPrometheusResponse, prometheusToEvidence } from './prometheus.ts';

export type EvidenceKind = 'evidence' | 'prometheus' | 'cgroup' | 'docker-stats-json' | 'docker-stats-table' | 'free' | 'meminfo';

/** What the inputs look like, for the message when none fits. */
const EXPECTED = 'expected an evidence file (headroom observe), a Prometheus /api/v1/query_range response, a cgroup bundle, docker stats (table or --format json), free -m or /proc/meminfo';

export type EvidenceRead = (EvidenceParse & { ok: true; kind: EvidenceKind }) | { ok: false; issues: InputIssue[]; kind: EvidenceKind | null };

/**
 * `collectedAt` is when the input was taken, for the inputs that carry no time (docker stats,
 * free, meminfo): the file's modification time in the CLI, the dropped file's on the page.
 */
export function evidenceRead(text: string, services: readonly ServiceRef[], collectedAt: string): EvidenceRead {
  const tag = (kind: EvidenceKind, r: EvidenceParse): EvidenceRead => (r.ok ? { ...r, kind } : { ...r, kind });
  const body = text.replace(/^\uFEFF/, '');
  const start = body.trimStart();
  if (start === '') return { ok: false, kind: null, issues: [{ path: '(evidence)', message: `the file is empty: ${EXPECTED}` }] };
  if (isDockerStatsJson(body)) return tag('docker-stats-json', dockerStatsJsonToEvidence(body, services, collectedAt));
  if (start.startsWith('{') || start.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch (e) {
      return { ok: false, kind: null, issues: [{ path: jsonErrorWhere(body, e), message: `expected JSON: ${jsonErrorText(body, e)}` }] };
    }
    if (doc !== null && typeof doc === 'object' && (doc as Record<string, unknown>).format === EVIDENCE_FORMAT) return tag('evidence', evidenceParse(doc));
    if (isPrometheusResponse(doc)) return tag('prometheus', prometheusToEvidence(doc, services));
    if (isCgroupBundle(doc)) return tag('cgroup', cgroupToEvidence(doc, services));
    return { ok: false, kind: null, issues: [{ path: '(evidence)', message: `JSON of an unknown kind: ${EXPECTED}` }] };
  }
  if (isMeminfo(body)) return tag('meminfo', meminfoToEvidence(body, collectedAt));
  if (isFree(body)) return tag('free', freeToEvidence(body, collectedAt));
  if (isDockerStatsTable(body)) return tag('docker-stats-table', dockerStatsTableToEvidence(body, services, collectedAt));
  return { ok: false, kind: null, issues: [{ path: 'line 1', message: `not evidence Headroom reads: ${EXPECTED}` }] };
}
