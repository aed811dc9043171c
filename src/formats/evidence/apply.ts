/**
 * Evidence → the plan: each service's window summarised by the engine (engine/observed.ts:
 * p50/p95/p99/peak, samples, growth) into its `observed` block, OOM kills and restarts with it,
 * and the host's real RAM in place of the nominal size. Several evidence files add up (samples
 * and kills of one service from two files are one window). Pure; the input is not modified, and
 * on any issue nothing is applied.
 */
import type { InputIssue, PlanFileInput, PlanInput } from '../../engine/schema.ts';
import { observedSummarize } from '../../engine/observed.ts';
import { sizeParse, sizeToPlan } from '../../engine/units.ts';
import type { Evidence, EvidenceService } from './file.ts';

const MIB = 1048576;

/** What was applied, for people (CLI lines, the page's notice). */
export type EvidenceApplied = {
  services: Array<{ service: string; containers: string[]; samples: number; oomKills: number; sources: string[] }>;
  /** Plan services no evidence covers. */
  missing: string[];
  /** The host's RAM from free/meminfo: the nominal size it replaced. */
  host: { from: string; toMiB: number; source: string } | null;
};

export type EvidenceApply<T extends PlanFileInput = PlanInput> = { ok: true; input: T; applied: EvidenceApplied } | { ok: false; issues: InputIssue[] };

/** To 0.001 MiB: finer than any reading. */
const round = (mib: number) => Math.round(mib * 1000) / 1000;

export function evidenceApply<T extends PlanFileInput = PlanInput>(input: T, evidences: readonly Evidence[]): EvidenceApply<T> {
  const names = new Set(input.services.map((s) => s.name));
  const issues: InputIssue[] = [];
  const byService = new Map<string, Array<{ e: Evidence; s: EvidenceService }>>();
  evidences.forEach((e, i) => {
    e.services.forEach((s, j) => {
      if (!names.has(s.service)) issues.push({ path: `${evidences.length > 1 ? `evidence ${i + 1}: ` : ''}services[${j}].service`, message: `unknown service "${s.service}": expected one of the plan's services (${[...names].join(', ')})` });
      else byService.set(s.service, [...(byService.get(s.service) ?? []), { e, s }]);
    });
  });
  if (issues.length > 0) return { ok: false, issues };
  const out = structuredClone(input);
  const applied: EvidenceApplied = { services: [], missing: [], host: null };
  for (const svc of out.services) {
    const parts = byService.get(svc.name);
    if (!parts) {
      applied.missing.push(svc.name);
      continue;
    }
    const samples = parts.flatMap(({ s }) => s.samples.map(([t, b]) => [t, b / MIB] as const));
    const summary = observedSummarize(samples);
    const oomKills = parts.flatMap(({ s }) => s.oomKills);
    const peakBytes = Math.max(...parts.map(({ s }) => s.peakBytes ?? -1));
    const limit = svc.limit === undefined || svc.limit === null ? null : sizeParse(svc.limit);
    // Without samples: the kernel's peak, or (killed, nothing else known) the limit it was killed at.
    const peak = summary?.peak ?? (peakBytes >= 0 ? peakBytes / MIB : oomKills.length > 0 && limit?.ok ? limit.value : null);
    if (peak === null) {
      applied.missing.push(svc.name);
      continue;
    }
    // docker stats and cgroup files carry no window (durationSeconds 0): their sample times are ordinals.
    const window = Math.min(summary?.windowSeconds ?? 0, Math.max(...parts.map(({ e }) => e.durationSeconds)));
    svc.observed = {
      ...(summary ? { p50: sizeToPlan(round(summary.p50)), p95: sizeToPlan(round(summary.p95)), p99: sizeToPlan(round(summary.p99)) } : {}),
      peak: sizeToPlan(round(peak)),
      samples: summary?.samples ?? 0,
      ...(window > 0 ? { windowSeconds: Math.round(window) } : {}),
      ...(summary && window === summary.windowSeconds && summary.growthPerHour > 0 ? { growthPerHour: round(summary.growthPerHour) } : {}),
      ...(peakBytes >= 0 ? { kernelPeak: sizeToPlan(round(peakBytes / MIB)) } : {}),
      source: [...new Set(parts.map(({ e }) => e.source))].join(', '),
      ...(oomKills.length > 0 ? { oomKills: oomKills.map((k) => ({ at: k.at, container: k.container })) } : {}),
      restarts: parts.reduce((a, { s }) => a + s.restarts, 0),
    };
    applied.services.push({ service: svc.name, containers: [...new Set(parts.flatMap(({ s }) => s.containers))], samples: summary?.samples ?? 0, oomKills: oomKills.length, sources: [...new Set(parts.map(({ e }) => e.source))] });
  }
  const host = [...evidences].reverse().find((e) => e.host !== null)?.host;
  if (host && out.host) { // a multi-host plan (hosts:) keeps each host's ram: one host's /proc/meminfo does not say which
    const mib = Math.floor(host.memTotalBytes / MIB);
    applied.host = { from: String(out.host.ram), toMiB: mib, source: host.source };
    out.host = { ...out.host, ram: sizeToPlan(mib) };
  }
  return { ok: true, input: out, applied };
}
