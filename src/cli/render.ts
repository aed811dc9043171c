/** The report as a terminal table, and as JSON with numbers rounded for reading. */
import { perContainerFormat, sizeFormat, sizesFormat, type HostBudget, type Report, type ReportFinding, type ServiceBudget } from '../engine/index.ts';
import { findingGroups, type FindingGroup } from '../engine/findings/group.ts';
import { findingWords } from '../engine/finding-words.ts';
import type { Checked } from './checked.ts';
import { composeWritesText, planChangesText } from './fix-words.ts';

export { planChangeText, planChangesText } from './fix-words.ts';
import { chanceText, cpuAllowed, LATENCY_P95_CRITERION_MS, unlimitedHighMiB } from '../engine/policy.ts';
import { coresFormat, freeCoresFormat, msFormat, percentFormat } from '../engine/units.ts';
import type { Latency } from '../engine/report.ts';
import { verdictText } from './verdict.ts';
import { ONE_SHOT_TEXT, startupText } from '../engine/finding-words.ts';

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

function riskCell(s: { risk: { level: string; pOverLimit: number } }): string {
  const p = s.risk.pOverLimit;
  return `${s.risk.level}${p > 0 ? ` (${chanceText(p)})` : ''}`;
}

/** A service's risk: against its limit, or (without one) the host's, said so. */
function serviceRiskCell(s: ServiceBudget): string {
  return s.limitMiB === null ? `host's: ${riskCell(s)}` : riskCell(s);
}

export function servicesTable(services: ServiceBudget[]): string[] {
  const head = ['SERVICE', 'KIND', 'BASIS', 'LIMIT', 'LOW', 'TYPICAL', 'HIGH', 'HEADROOM', 'RISK'];
  const rows = services.map((s) => [
    s.name + (s.implied ? '*' : '') + (s.oneShot ? '†' : ''),
    s.kind,
    s.basis,
    s.limitMiB === null ? 'none' : perContainerFormat(s.limitMiB, s.replicas),
    ...sizesFormat([s.usageMiB.low, s.usageMiB.typical, s.usageMiB.high]),
    s.headroomMiB === null ? '—' : sizeFormat(s.headroomMiB),
    serviceRiskCell(s),
  ]);
  return [...table([head, ...rows]), ...(services.some((s) => s.oneShot) ? [`† ${ONE_SHOT_TEXT} (its high is checked at startup)`] : [])];
}

export function hostLines(h: HostBudget): string[] {
  const pct = (v: number) => percentFormat(v / h.ramMiB);
  const unlimited = unlimitedHighMiB(h);
  return [
    `host ${sizeFormat(h.ramMiB)}${h.swapMiB ? ` + ${sizeFormat(h.swapMiB)} swap` : ''}: limits ${sizeFormat(h.setLimitsMiB)} + reserve ${sizeFormat(h.reserveMiB)} = ${sizeFormat(h.setLimitsMiB + h.reserveMiB)} (${pct(h.setLimitsMiB + h.reserveMiB)})${unlimited > 0 ? `; services without a limit: up to ${sizeFormat(unlimited)} more (their high usage)` : ''}`,
    `usage ${sizesFormat([h.usageMiB.low, h.usageMiB.typical, h.usageMiB.high]).join(' / ')} (low/typical/high, reserve included)`,
    `free  ${sizeFormat(h.freeMiB.low)} (${pct(h.freeMiB.low)}) at worst, ${sizeFormat(h.freeMiB.typical)} (${pct(h.freeMiB.typical)}) typical; criterion ${sizeFormat(h.freeCriterionMiB)}`,
    `host OOM risk: ${riskCell(h)}`,
    ...(h.startup ? [startupText(h.startup, h.ramMiB, sizeFormat)] : []),
    `cpu   ${coresFormat(h.cpu.typical)} of ${coresFormat(h.cpus)} vCPUs typical, ${coresFormat(h.cpu.high)} in the busiest minute (modelled kinds only; saturated over ${coresFormat(cpuAllowed(h.cpus))})`,
  ];
}

/** The API's latency line (engine/latency.ts), or none without an app. */
export function latencyLines(l: Latency | null): string[] {
  if (!l) return [];
  if (l.saturated) {
    const what = l.saturated === 'cpu' ? `its requests need more CPU than ${l.workers} workers get on ${freeCoresFormat(l.cores)}` : 'its queries need more database connections than its pool has';
    return [`latency ${l.service}: saturated, ${what}; p95 grows without bound (criterion ${msFormat(LATENCY_P95_CRITERION_MS)})`];
  }
  const ms = (v: number | null) => msFormat(v ?? 0);
  return [`latency ${l.service}: p50 ${ms(l.p50)} / p95 ${ms(l.p95)} / p99 ${ms(l.p99)} (criterion p95 < ${msFormat(LATENCY_P95_CRITERION_MS)}; modelled, calibrated on one measured sweep)`];
}

const MARK = { critical: '✖', warning: '▲', info: '·' } as const;

/** Changes written out in a fix line: all of them up to a dozen, then a count. */
const CHANGES_SHOWN = 12;

/**
 * The lines of the file that hold a group's fix (`compose.yml line 27`, `lines 4, 23, …`), the
 * first `max` of them; '' without a file. `text` escapes the file's name (Markdown).
 */
export function fixLinesText(c: Pick<Checked, 'source' | 'label' | 'where'>, g: Pick<FindingGroup, 'findings'>, max: number, text: (s: string) => string = (s) => s): string {
  if (!c.source) return '';
  const lines = [...new Set(g.findings.flatMap((f) => c.where(f).map((w) => w.line)))].sort((a, b) => a - b);
  if (lines.length === 0) return '';
  return `${text(c.label)} line${lines.length > 1 ? 's' : ''} ${lines.slice(0, max).join(', ')}${lines.length > max ? ', …' : ''}`;
}

/**
 * A finding group as people read it: its words (finding-words.ts), with its service or the
 * services it repeats over: `redis: no room to fork for a snapshot`, `no memory limit (3 services)`.
 * The id stays in the JSON, SARIF and JUnit.
 */
export function groupWords(g: Pick<FindingGroup, 'id' | 'services' | 'findings'>): string {
  if (g.findings.length > 1) return `${findingWords({ id: g.id, service: null })} (${g.services.length} services)`;
  return findingWords({ id: g.id, service: g.services[0] ?? null });
}

/**
 * The findings, those repeated over many services as one (findings/group.ts), each with the basis
 * it rests on and its fix; with `c`, the fix's changes in the file's own terms (a compose file's
 * keys, not the plan file's) and the lines that hold them, and for a compose file what writes them.
 */
export function findingLines(findings: readonly ReportFinding[], c?: Pick<Checked, 'source' | 'label' | 'where' | 'changesText'>): string[] {
  if (findings.length === 0) return ['no findings'];
  const say = c?.changesText ?? planChangesText;
  const groups = findingGroups(findings);
  return [
    ...groups.flatMap((g) => {
      const changes = say(g.changes, CHANGES_SHOWN, undefined, c ? fixLinesText(c, g, CHANGES_SHOWN) : '');
      return [
        `${MARK[g.severity]} ${g.severity.padEnd(8)} ${groupWords(g)} · ${g.basis}`,
        `    ${g.message}`,
        `    fix: ${g.fixSummary}`,
        ...(changes ? [`         ${changes}`] : []),
      ];
    }),
    ...(c?.source?.kind === 'compose' && groups.some((g) => g.changes.length > 0) ? [composeWritesText(c.label)] : []),
  ];
}

/** The stack's verdict, as `check` would give it without --assume (engine/verdict.ts). */
function verdictLine(r: Report): string {
  return `verdict: ${verdictText(r).headline}`;
}

export function reportText(r: Report, label: string, c?: Pick<Checked, 'source' | 'label' | 'where' | 'changesText'>): string {
  const lines = [
    `Headroom plan: ${r.name ?? label}`,
    '',
    ...servicesTable(r.services),
    ...(r.services.some((s) => s.implied) ? ['* added by Headroom: a feature toggle, or an exporter the alert rules read'] : []),
    '',
    ...hostLines(r.host),
    ...latencyLines(r.latency),
    '',
    `spike ×${r.spike.multiplier} (${Math.round(r.spike.traffic.activeUsers)} active users):`,
    ...servicesTable(r.spike.services).map((l) => `  ${l}`),
    ...hostLines(r.spike.host).map((l) => `  ${l}`),
    ...latencyLines(r.spike.latency).map((l) => `  ${l}`),
    '',
    `findings (${r.findings.length}):`,
    ...findingLines(r.findings, c),
    '',
    verdictLine(r),
  ];
  return `${lines.join('\n')}\n`;
}

/** JSON with numbers to 2 decimals: the engine keeps full precision, people do not need it. */
export function reportJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 100) / 100 : v), 2)}\n`;
}
