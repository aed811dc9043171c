/**
 * `headroom check COMPOSE|PLAN [--host 4GiB] [--stats FILE] [--json]`: the CI gate. Exit 1 when
 * the stack does not fit the host (limits plus the reserve outside containers over its RAM, or a
 * host OOM in normal traffic) or has a critical finding; 0 otherwise; 2 on bad input.
 * `--stats` adds observed usage from pasted `docker stats --no-stream` output.
 */
import { evaluate, planParse, sizeFormat, sizesFormat, type Finding, type Plan, type Report } from '../engine/index.ts';
import { dockerStatsApply, type StatsMatch } from '../formats/docker-stats.ts';
import { planToInput } from '../formats/plan-file.ts';
import type { ComposeInfo } from './compose.ts';
import { issuesToLines, loadPlan, readText, UsageError } from './io.ts';
import { findingLines, hostLines, reportJson, servicesTable } from './render.ts';

type Args = { positionals: string[]; values: Record<string, string | boolean | undefined> };

/** Why a stack passes or fails, in a form both the text and the JSON output use. */
export type Verdict = { pass: boolean; fits: boolean; critical: string[]; reasons: string[] };

export function verdictOf(r: Report): Verdict {
  const h = r.host;
  const committed = h.limitsMiB + h.reserveMiB;
  const reasons: string[] = [];
  if (committed > h.ramMiB) reasons.push(`limits ${sizeFormat(h.limitsMiB)} + reserve ${sizeFormat(h.reserveMiB)} = ${sizeFormat(committed)} > ${sizeFormat(h.ramMiB)} of RAM`);
  if (h.usageMiB.high > h.ramMiB + h.swapMiB) reasons.push(`high usage ${sizeFormat(h.usageMiB.high)} > ${sizeFormat(h.ramMiB + h.swapMiB)} (host OOM in normal traffic)`);
  const fits = reasons.length === 0;
  const critical = r.findings.filter((f: Finding) => f.severity === 'critical').map((f) => `${f.id}${f.service ? ` [${f.service}]` : ''}`);
  if (critical.length > 0) reasons.push(`${critical.length} critical finding${critical.length > 1 ? 's' : ''}: ${critical.join(', ')}`);
  return { pass: fits && critical.length === 0, fits, critical, reasons };
}

function importLines(info: ComposeInfo): string[] {
  const rows = info.services.map((s) => [s.service, s.kind, s.limit ?? 'none', s.why]);
  const widths = [0, 1, 2].map((c) => Math.max(...['SERVICE', 'KIND', 'LIMIT'].map((h, i) => (i === c ? h.length : 0)), ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ').trimEnd();
  const out = ['imported from compose:', line(['SERVICE', 'KIND', 'LIMIT', 'WHY'])];
  for (const [i, s] of info.services.entries()) {
    out.push(line(rows[i]!));
    for (const w of s.warnings) out.push(`    note: ${w}`);
  }
  for (const n of info.notes) out.push(`note: ${n}`);
  return out;
}

/** The plan with observed usage from a `docker stats` file; containers matched by name. */
function withStats(plan: Plan, file: string, compose: ComposeInfo | undefined): { plan: Plan; match: StatsMatch } {
  const names = Object.fromEntries((compose?.services ?? []).filter((s) => s.containerName).map((s) => [s.service, s.containerName!]));
  const label = file === '-' ? 'stdin' : file;
  const r = dockerStatsApply(planToInput(plan), readText(file), names);
  if (!r.ok) throw new UsageError(issuesToLines(`--stats ${label}`, r.issues));
  const parsed = planParse(r.input);
  if (!parsed.ok) throw new UsageError(issuesToLines(`--stats ${label}`, parsed.issues));
  return { plan: parsed.plan, match: r.match };
}

function observedLines(r: Report, match: StatsMatch): string[] {
  const rows = r.services.filter((s) => s.observedMiB).map((s) => [
    s.name, s.limitMiB === null ? 'none' : sizeFormat(s.limitMiB), sizesFormat([s.usageMiB.typical, s.usageMiB.high]).join(' / '),
    `${s.observedMiB!.typical === null ? '—' : sizeFormat(s.observedMiB!.typical)} / ${sizeFormat(s.observedMiB!.peak)}`, sizeFormat(s.observedLimitMiB!),
  ]);
  const head = ['SERVICE', 'LIMIT', 'MODEL TYP/HIGH', 'SEEN TYP/PEAK', 'PEAK × MARGIN'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((x) => x[c]!.length)));
  const line = (x: string[]) => x.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return [
    'observed (docker stats) beside the model:',
    line(head), ...rows.map(line),
    ...(match.unmatched.length ? [`note: no service for container${match.unmatched.length > 1 ? 's' : ''} ${match.unmatched.join(', ')}`] : []),
    ...(match.missing.length ? [`note: no stats for ${match.missing.join(', ')}`] : []),
    ...match.notes.map((n) => `note: ${n}`),
  ];
}

export const checkCommand = {
  usage: 'check COMPOSE|PLAN [--host 4GiB] [--stats FILE] [--json]',
  summary: 'CI gate: exit 1 if the stack does not fit the host or has a critical finding',
  options: { host: { type: 'string' }, json: { type: 'boolean' }, stats: { type: 'string' } } as Record<string, { type: 'string' | 'boolean' }>,
  run: ({ positionals, values }: Args): number => {
    const file = positionals[0];
    if (file === undefined) throw new UsageError(['error: check needs a compose file or a plan file ("-" reads stdin)', 'usage: headroom check COMPOSE|PLAN [--host 4GiB] [--json]']);
    if (positionals.length > 1) throw new UsageError([`error: check takes one file, got ${positionals.length}`]);
    const source = loadPlan(file, undefined, values.host as string | undefined);
    const stats = typeof values.stats === 'string' ? withStats(source.plan, values.stats, source.compose) : null;
    const report = evaluate(stats?.plan ?? source.plan);
    const verdict = verdictOf(report);
    if (values.json) {
      const imported = source.compose ? { services: source.compose.services, notes: source.compose.notes } : null;
      process.stdout.write(reportJson({ ...report, check: verdict, import: imported, stats: stats?.match ?? null }));
    } else {
      const lines = [
        `Headroom check: ${source.label}${source.compose ? ` (compose file, ${source.compose.services.length} services)` : ''}, host ${sizeFormat(report.host.ramMiB)}`,
        '',
        ...(source.compose ? [...importLines(source.compose), ''] : []),
        ...servicesTable(report.services),
        '',
        ...hostLines(report.host),
        '',
        ...(stats ? [...observedLines(report, stats.match), ''] : []),
        `findings (${report.findings.length}):`,
        ...findingLines(report.findings),
        '',
        verdict.pass ? `PASS: the stack fits ${sizeFormat(report.host.ramMiB)} with no critical finding` : `FAIL: ${verdict.reasons.join('; ')}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return verdict.pass ? 0 : 1;
  },
};
