/**
 * `--evidence FILE` (repeatable) for plan, check, capacity and fit: each file read under the input
 * policy's evidence byte cap (io.ts readCapped, the reader of every CLI input), told apart by
 * content (formats/evidence/read.ts) and applied to the plan (formats/evidence/apply.ts) with
 * `--percentile` and `--margin`. A bad file stops the command with exit 2 and the plan file is
 * left as it was (nothing is written from here).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { planParse, sizeFormat, type Plan, type Report } from '../engine/index.ts';
import { OBSERVED_PERCENTILES, type ObservedPercentile } from '../engine/observed.ts';
import { planToInput } from '../formats/plan-file.ts';
import { evidenceRead, type EvidenceKind } from '../formats/evidence/read.ts';
import { evidenceApply, type EvidenceApplied } from '../formats/evidence/apply.ts';
import { CGROUP_BUNDLE_FORMAT, CGROUP_FILES } from '../formats/evidence/cgroup.ts';
import type { Evidence } from '../formats/evidence/file.ts';
import type { ComposeInfo } from './compose.ts';
import { issuesToLines, readCapped, UsageError } from './io.ts';

export const EVIDENCE_OPTIONS = {
  evidence: { type: 'string', multiple: true },
  percentile: { type: 'string' },
  margin: { type: 'string' },
} as const;

export const EVIDENCE_USAGE = '[--evidence FILE…] [--percentile peak|p99|p95|p50] [--margin 1.15]';

/** A folder of cgroup files, one subfolder per container (named after it), as the cgroup bundle. */
function cgroupFolderText(dir: string): { text: string; mtime: Date } {
  const containers = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => {
    const files: Record<string, string> = {};
    for (const name of CGROUP_FILES) {
      const path = join(dir, d.name, name);
      try {
        files[name] = readCapped(path, 'side', '--evidence').text;
      } catch (e) {
        if (!(e instanceof UsageError) || !/no such file/.test(e.message)) throw e;
      }
    }
    return { container: d.name, files };
  });
  if (containers.length === 0) throw new UsageError([`error: --evidence ${dir}: a folder of cgroup files needs one subfolder per container (named after it) holding memory.current, memory.stat, … (see the README)`]);
  const mtime = statSync(dir).mtime;
  return { text: JSON.stringify({ format: CGROUP_BUNDLE_FORMAT, collectedAt: mtime.toISOString(), containers }), mtime };
}

export type EvidenceUsed = { files: Array<{ file: string; kind: EvidenceKind }>; applied: EvidenceApplied; percentile: ObservedPercentile; margin: number };

function percentileOf(v: unknown): ObservedPercentile | undefined {
  if (v === undefined) return undefined;
  const s = String(v).toLowerCase().replace(/^max$/, 'peak').replace(/^(\d+)$/, 'p$1');
  if (!OBSERVED_PERCENTILES.includes(s as ObservedPercentile)) throw new UsageError([`error: --percentile: expected one of ${OBSERVED_PERCENTILES.join(', ')} (peak is krr's max), got "${String(v)}"`]);
  return s as ObservedPercentile;
}

function marginOf(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const text = String(v).trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text);
  const m = pct ? 1 + Number(pct[1]) / 100 : Number(text);
  if (!Number.isFinite(m) || m < 1 || m > 10 || text === '') throw new UsageError([`error: --margin: expected a multiplier from 1 to 10 (1.15 = the observed figure + 15%, krr's) or a percentage like 15%, got "${text}"`]);
  return m;
}

/**
 * The plan with the evidence files applied, or the plan as it was when none is given. Any bad
 * file is a UsageError naming the file, the path (and line) and what was expected.
 */
export function withEvidence(plan: Plan, values: Record<string, unknown>, compose?: ComposeInfo): { plan: Plan; used: EvidenceUsed | null } {
  const files = (values.evidence as string[] | undefined) ?? [];
  const percentile = percentileOf(values.percentile);
  const margin = marginOf(values.margin);
  if (files.length === 0 && percentile === undefined && margin === undefined) return { plan, used: null };
  const containerNames = new Map((compose?.services ?? []).filter((s) => s.containerName).map((s) => [s.service, s.containerName!]));
  const refs = plan.services.map((s) => ({ name: s.name, ...(containerNames.has(s.name) ? { containerName: containerNames.get(s.name)! } : {}) }));
  const evidences: Evidence[] = [];
  const kinds: EvidenceUsed['files'] = [];
  for (const file of files) {
    let isDir = false;
    try {
      isDir = file !== '-' && statSync(file).isDirectory();
    } catch {
      // readCapped says why it cannot be read
    }
    const { text, mtime } = isDir ? cgroupFolderText(file) : readCapped(file, 'evidence', '--evidence');
    const r = evidenceRead(text, refs, mtime.toISOString().replace(/\.\d+Z$/, 'Z'));
    if (!r.ok) throw new UsageError(issuesToLines(`--evidence ${file === '-' ? 'stdin' : file}${r.kind ? ` (${r.kind})` : ''}`, r.issues));
    evidences.push(r.evidence);
    kinds.push({ file, kind: r.kind });
  }
  const input = planToInput(plan);
  input.workload = { ...input.workload, ...(percentile ? { observedPercentile: percentile } : {}), ...(margin ? { observedMargin: margin } : {}) };
  const applied = evidenceApply(input, evidences);
  if (!applied.ok) throw new UsageError(issuesToLines(`--evidence ${files.join(', ')}`, applied.issues));
  const parsed = planParse(applied.input);
  if (!parsed.ok) throw new UsageError(issuesToLines(`--evidence ${files.join(', ')}`, parsed.issues));
  return { plan: parsed.plan, used: { files: kinds, applied: applied.applied, percentile: parsed.plan.workload.observedPercentile, margin: parsed.plan.workload.observedMargin } };
}

/** What the evidence added, and each observed service beside its model and limit, for the text output. */
export function evidenceLines(used: EvidenceUsed, report: Report): string[] {
  const a = used.applied;
  const rows = report.services.filter((s) => s.observedMiB).map((s) => {
    const o = s.observedMiB!;
    const seen = [o.p50, o.p95, o.p99].map((v) => (v === null ? '—' : sizeFormat(v))).join(' / ');
    return [s.name, s.limitMiB === null ? 'none' : sizeFormat(s.limitMiB), `${sizeFormat(s.usageMiB.low)}–${sizeFormat(s.usageMiB.high)}`, seen, sizeFormat(o.peak), s.oomKills.length ? String(s.oomKills.length) : '0', sizeFormat(s.observedLimitMiB!)];
  });
  const head = ['SERVICE', 'LIMIT', 'MODEL LOW–HIGH', 'SEEN P50 / P95 / P99', 'PEAK', 'OOM', 'PLANNED LIMIT'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((x) => x[c]!.length)));
  const line = (x: string[]) => x.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  const why = report.services.filter((s) => s.observedLimit).map((s) => `  ${s.name}: planned limit ${sizeFormat(s.observedLimitMiB!)} = ${s.observedLimit!.reason}`);
  return [
    `evidence: ${used.files.map((f) => `${f.file} (${f.kind})`).join(', ') || 'none'}; limits from ${used.percentile} × ${used.margin}, never below the model's high`,
    ...a.services.map((s) => `  ${s.service}: ${s.samples} sample${s.samples === 1 ? '' : 's'} from ${s.containers.join(', ')}${s.oomKills ? `, ${s.oomKills} OOM kill${s.oomKills > 1 ? 's' : ''}` : ''}`),
    ...(a.host ? [`  host RAM ${a.host.from} → ${sizeFormat(a.host.toMiB)} (${a.host.source})`] : []),
    ...(a.missing.length && used.files.length ? [`  no evidence for ${a.missing.join(', ')}: modelled`] : []),
    ...(rows.length ? [line(head), ...rows.map(line), ...why] : []),
  ];
}
