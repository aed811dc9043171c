/** Every finding rule, run over a plan's normal and spike scenarios. */
import type { Finding } from '../report.ts';
import type { FindingContext, Rule } from './context.ts';
import { freeBelowCriterion, hostOom, limitsOverRam, noLimit, usageOverLimit } from './memory.ts';
import { alertsBlind, alertsNowhere, findingsSort, singleHost } from './operations.ts';
import { observedUsage } from './observed.ts';
import { KINDS } from '../kinds/index.ts';

/** The shared rules (memory, the host, operations, observed usage), and each kind's own (kinds/). */
const RULES: Rule[] = [
  usageOverLimit, noLimit, limitsOverRam, hostOom, freeBelowCriterion,
  ...Object.values(KINDS).flatMap((k): readonly Rule[] => k.findings ?? []),
  alertsNowhere, alertsBlind, singleHost,
  observedUsage, // usage seen by docker stats, when the plan has it
];

/** Findings whose more specific twin names a better fix for the same service. */
const SUPERSEDED_BY: Record<string, string[]> = {
  'usage-over-limit': ['redis-fork-headroom', 'redis-maxmemory-headroom', 'redis-no-maxmemory'],
};

export function findingsOf(ctx: FindingContext): Finding[] {
  const all = RULES.flatMap((rule) => rule(ctx));
  const kept = all.filter((f) => !(SUPERSEDED_BY[f.id] ?? []).some((id) => all.some((g) => g.id === id && g.service === f.service)));
  return findingsSort(kept);
}

export type { FindingContext } from './context.ts';
