/**
 * What the import dialog shows, from the importer's notes and the engine's report: one row per
 * service (what was recognised, why, and what the model predicts), the observed usage beside the
 * model, and issues as people read them (line and column first).
 */
import type { ServiceNote } from '../../formats/compose-import/index.ts';
import type { StatsMatch } from '../../formats/docker-stats.ts';
import type { Range, Report, ServiceKind } from '../../engine/index.ts';
import { sizeFormat } from '../../engine/units.ts';

export type ImportRow = {
  service: string;
  kind: ServiceKind;
  why: string;
  /** The limit as imported (`512MiB`), null when the compose file sets none. */
  limit: string | null;
  read: string[];
  warnings: string[];
  /** The model's low / typical / high for it, MiB (null if the report lacks the service). */
  usageMiB: Range | null;
};

/** The importer's notes, each with the engine's prediction for the service. */
export function importRows(notes: readonly ServiceNote[], report: Report | null): ImportRow[] {
  const usage = new Map(report?.services.map((s) => [s.name, s.usageMiB]) ?? []);
  return notes.map((n) => ({ service: n.service, kind: n.kind, why: n.why, limit: n.limit, read: n.read, warnings: n.warnings, usageMiB: usage.get(n.service) ?? null }));
}

export type ObservedRow = {
  service: string;
  containers: string[];
  samples: number;
  /** Observed (docker stats), MiB: typical is the median sample, peak the largest. */
  observed: { typical: number | null; peak: number };
  /** The model's low / typical / high. */
  model: Range;
  limitMiB: number | null;
  /** Peak × workload.observedMargin (krr's rule). */
  observedLimitMiB: number | null;
};

/** The matched services with the usage docker stats saw, beside the model's, in the plan's order. */
export function observedRows(report: Report, match: StatsMatch): ObservedRow[] {
  const byService = new Map(match.matched.map((m) => [m.service, m]));
  return report.services.flatMap((s) => {
    const m = byService.get(s.name);
    if (!m || !s.observedMiB) return [];
    return [{ service: s.name, containers: m.containers, samples: m.samples, observed: s.observedMiB, model: s.usageMiB, limitMiB: s.limitMiB, observedLimitMiB: s.observedLimitMiB }];
  });
}

/** compose's container_name per service: `docker stats` names containers by it. */
export function containerNamesOf(notes: readonly ServiceNote[]): Record<string, string> {
  return Object.fromEntries(notes.flatMap((n) => (n.containerName ? [[n.service, n.containerName] as const] : [])));
}

/** An issue as one line: `line 4, column 3: …`, `services.db.mem_limit: …`; the host option is the dialog's Host RAM field. */
export function issueText(i: { path: string; message: string; line?: number; column?: number }): string {
  if (i.line !== undefined && i.column !== undefined) return `line ${i.line}, column ${i.column}: ${i.message}`;
  return `${i.path === '--host' ? 'Host RAM' : i.path}: ${i.message}`;
}

/** `10 MiB`, `512 KiB`: a file's size before it is read, written as every other size (sizeFormat). */
export function bytesText(bytes: number): string {
  return bytes >= 1024 ? sizeFormat(bytes / 1048576) : `${bytes} bytes`;
}
