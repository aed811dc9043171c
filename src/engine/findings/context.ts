/** What every finding rule sees, and small helpers to state fixes in plan-file terms. */
import type { Plan, ServiceOf } from '../schema.ts';
import type { Change, Finding, Scenario, Severity } from '../report.ts';
import { sizeFormat, sizeToPlan } from '../units.ts';

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
export const pct = (v: number) => `${Math.round(v * 100)}%`;

export function servicesOf<K extends Plan['services'][number]['kind']>(plan: Plan, kind: K): ServiceOf<K>[] {
  return plan.services.filter((s): s is ServiceOf<K> => s.kind === kind);
}
