/** What every finding rule sees, and small helpers to state fixes in plan-file terms. */
import type { Plan, ServiceOf } from '../schema.ts';
import type { Change, Finding, Scenario, Severity } from '../report.ts';
import { budgetLimitOfAll } from '../report.ts';
import { percentFormat, sizeFormat, sizeToPlan } from '../units.ts';

export type FindingContext = { plan: Plan; normal: Scenario; spike: Scenario };
export type Rule = (ctx: FindingContext) => Finding[];

export function finding(id: string, severity: Severity, service: string | null, message: string, summary: string, changes: Change[] = []): Finding {
  return { id, severity, service, message, fix: { summary, changes } };
}

/** A setting change on a service; sizes are written back as plan-file sizes. */
export function setSize(service: string, key: string, mib: number): Change {
  return { service, key, value: sizeToPlan(mib) };
}

export const fmt = sizeFormat;

/** The likelihood that `name` goes over its limit in a scenario (policy.ts severityOf's input). */
export function overLimit(sc: Scenario, name: string): { p: number; typicalOver: boolean } {
  const s = sc.services.find((x) => x.name === name);
  if (!s || s.limitMiB === null) return { p: 0, typicalOver: false };
  return { p: s.risk.pOverLimit, typicalOver: s.usageMiB.typical > budgetLimitOfAll(s)! };
}
export const pct = percentFormat;

export function servicesOf<K extends Plan['services'][number]['kind']>(plan: Plan, kind: K): ServiceOf<K>[] {
  return plan.services.filter((s): s is ServiceOf<K> => s.kind === kind);
}
