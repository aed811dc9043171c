/**
 * What every evidence input shares: containers matched to the plan's services (by the compose
 * service label, else by name: formats/docker-stats.ts containerService), grouped into one
 * evidence entry per service, and the window they span. Pure.
 */
import type { InputIssue } from '../../engine/schema.ts';
import { containerService } from '../docker-stats.ts';
import { EVIDENCE_FORMAT, EVIDENCE_VERSION, type Evidence, type EvidenceHost, type EvidenceService, type EvidenceSource } from './file.ts';

/** A plan service as matching sees it: its name and compose's container_name, if any. */
export type ServiceRef = { name: string; containerName?: string };

/** One container's evidence before it is matched to a service. */
export type ContainerEvidence = {
  container: string;
  /** The compose service label (com.docker.compose.service), when the input carries it. */
  composeService?: string;
  samples: Array<[number, number]>;
  limitBytes?: number | null;
  peakBytes?: number | null;
  anonBytes?: number | null;
  fileBytes?: number | null;
  oomKills?: EvidenceService['oomKills'];
  restarts?: number;
};

/** The plan service a container belongs to: its compose label when the plan has that service, else its name. */
export function serviceOfContainer(c: Pick<ContainerEvidence, 'container' | 'composeService'>, services: readonly ServiceRef[]): string | null {
  if (c.composeService !== undefined && services.some((s) => s.name === c.composeService)) return c.composeService;
  return containerService(c.container, services);
}

const sumOrNull = (values: Array<number | null | undefined>): number | null => (values.every((v) => v === null || v === undefined) ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0));
const maxOrNull = (values: Array<number | null | undefined>): number | null => {
  const known = values.filter((v): v is number => typeof v === 'number');
  return known.length === 0 ? null : Math.max(...known);
};

/**
 * Groups containers into services of the plan. A container no service claims is an issue (the
 * evidence is of another stack, or names the plan does not use); `where` names the input for it.
 */
export function evidenceBuild(
  source: EvidenceSource,
  containers: readonly ContainerEvidence[],
  services: readonly ServiceRef[],
  meta: { collectedAt: string; intervalSeconds: number | null; host?: EvidenceHost | null; durationSeconds?: number },
): { ok: true; evidence: Evidence } | { ok: false; issues: InputIssue[] } {
  const groups = new Map<string, ContainerEvidence[]>();
  const unknown: string[] = [];
  for (const c of containers) {
    const name = serviceOfContainer(c, services);
    if (name === null) unknown.push(c.composeService !== undefined ? `${c.container} (compose service ${c.composeService})` : c.container);
    else groups.set(name, [...(groups.get(name) ?? []), c]);
  }
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 8).join(', ') + (unknown.length > 8 ? `, and ${unknown.length - 8} more` : '');
    return { ok: false, issues: [{ path: '(containers)', message: `unknown container${unknown.length > 1 ? 's' : ''} ${shown}: expected containers of the plan's services (${services.map((s) => s.name).join(', ')}), matched by the compose service label, container_name or <project>-<service>-<n>; keep only this stack's containers in the evidence` }] };
  }
  const out: EvidenceService[] = [...groups].map(([service, cs]) => ({
    service,
    containers: [...new Set(cs.map((c) => c.container))],
    samples: cs.flatMap((c) => c.samples).sort((a, b) => a[0] - b[0]),
    // Per container, so the highest of them: a limit is per container.
    limitBytes: maxOrNull(cs.map((c) => c.limitBytes)),
    peakBytes: maxOrNull(cs.map((c) => c.peakBytes)),
    anonBytes: maxOrNull(cs.map((c) => c.anonBytes)),
    fileBytes: maxOrNull(cs.map((c) => c.fileBytes)),
    oomKills: cs.flatMap((c) => c.oomKills ?? []),
    restarts: sumOrNull(cs.map((c) => c.restarts)) ?? 0,
  }));
  const times = out.flatMap((s) => s.samples.map((x) => x[0]));
  const durationSeconds = meta.durationSeconds ?? (times.length > 1 ? Math.max(...times) - Math.min(...times) : 0);
  return {
    ok: true,
    evidence: { format: EVIDENCE_FORMAT, version: EVIDENCE_VERSION, source, collectedAt: meta.collectedAt, durationSeconds, intervalSeconds: meta.intervalSeconds, host: meta.host ?? null, services: out },
  };
}

/** Unix seconds as ISO-8601 (UTC, whole seconds). */
export function isoOf(unixSeconds: number): string {
  return new Date(Math.round(unixSeconds) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The most common gap between consecutive times (a scrape or sampling interval); null with fewer than two. */
export function intervalOf(times: readonly number[]): number | null {
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  if (sorted.length < 2) return null;
  const counts = new Map<number, number>();
  for (let i = 1; i < sorted.length; i++) {
    const gap = Math.round((sorted[i]! - sorted[i - 1]!) * 1000) / 1000;
    counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
}
