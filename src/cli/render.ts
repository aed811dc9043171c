/** The report as a terminal table, and as JSON with numbers rounded for reading. */
import { sizeFormat, sizesFormat, type Finding, type HostBudget, type Report, type ServiceBudget } from '../engine/index.ts';

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

function riskCell(s: { risk: { level: string; pOverLimit: number } }): string {
  const p = s.risk.pOverLimit;
  return `${s.risk.level}${p > 0 ? ` (${p < 0.01 ? '<1' : Math.round(p * 100)}%)` : ''}`;
}

export function servicesTable(services: ServiceBudget[]): string[] {
  const head = ['SERVICE', 'KIND', 'LIMIT', 'LOW', 'TYPICAL', 'HIGH', 'HEADROOM', 'RISK'];
  const rows = services.map((s) => [
    s.name + (s.implied ? '*' : ''),
    s.kind,
    s.limitMiB === null ? 'none' : sizeFormat(s.limitMiB),
    ...sizesFormat([s.usageMiB.low, s.usageMiB.typical, s.usageMiB.high]),
    sizeFormat(s.headroomMiB),
    riskCell(s),
  ]);
  return table([head, ...rows]);
}

export function hostLines(h: HostBudget): string[] {
  const pct = (v: number) => `${Math.round((v / h.ramMiB) * 100)}%`;
  return [
    `host ${sizeFormat(h.ramMiB)}${h.swapMiB ? ` + ${sizeFormat(h.swapMiB)} swap` : ''}: limits ${sizeFormat(h.limitsMiB)} + reserve ${sizeFormat(h.reserveMiB)} = ${sizeFormat(h.limitsMiB + h.reserveMiB)} (${pct(h.limitsMiB + h.reserveMiB)})`,
    `usage ${sizesFormat([h.usageMiB.low, h.usageMiB.typical, h.usageMiB.high]).join(' / ')} (low/typical/high, reserve included)`,
    `free  ${sizeFormat(h.freeMiB.low)} (${pct(h.freeMiB.low)}) at worst, ${sizeFormat(h.freeMiB.typical)} (${pct(h.freeMiB.typical)}) typical; criterion ${sizeFormat(h.freeCriterionMiB)}`,
    `host OOM risk: ${riskCell(h)}`,
  ];
}

const MARK = { critical: '✖', warning: '▲', info: '·' } as const;

export function findingLines(findings: Finding[]): string[] {
  if (findings.length === 0) return ['no findings'];
  return findings.flatMap((f) => [
    `${MARK[f.severity]} ${f.severity.padEnd(8)} ${f.id}${f.service ? ` [${f.service}]` : ''}`,
    `    ${f.message}`,
    `    fix: ${f.fix.summary}${f.fix.changes.length ? `  (${f.fix.changes.map((c) => `${c.service ? `${c.service}.` : ''}${c.key} = ${String(c.value)}`).join(', ')})` : ''}`,
  ]);
}

export function reportText(r: Report, label: string): string {
  const lines = [
    `Headroom plan: ${r.name ?? label}`,
    '',
    ...servicesTable(r.services),
    ...(r.services.some((s) => s.implied) ? ['* added by Headroom: a feature toggle, or an exporter the alert rules read'] : []),
    '',
    ...hostLines(r.host),
    '',
    `spike ×${r.spike.multiplier} (${Math.round(r.spike.traffic.activeUsers)} active users):`,
    ...servicesTable(r.spike.services).map((l) => `  ${l}`),
    ...hostLines(r.spike.host).map((l) => `  ${l}`),
    '',
    `findings (${r.findings.length}):`,
    ...findingLines(r.findings),
  ];
  return `${lines.join('\n')}\n`;
}

/** JSON with numbers to 2 decimals: the engine keeps full precision, people do not need it. */
export function reportJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 100) / 100 : v), 2)}\n`;
}
