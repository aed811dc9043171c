/** Every finding rule, run over a plan's normal and spike scenarios. */
import type { Finding } from '../report.ts';
import type { FindingContext, Rule } from './context.ts';
import { freeBelowCriterion, hostOom, limitsOverRam, noLimit, usageOverLimit } from './memory.ts';
import { appConnections, connectionsNearMax, pgbouncerPools, postgresSettings } from './database.ts';
import { redisMemory } from './redis.ts';
import { alertsBlind, alertsNowhere, findingsSort, genericGuesses, singleHost } from './operations.ts';
import { observedUsage } from './observed.ts';

const RULES: Rule[] = [
  usageOverLimit, noLimit, limitsOverRam, hostOom, freeBelowCriterion,
  appConnections, connectionsNearMax, pgbouncerPools, postgresSettings,
  redisMemory, alertsNowhere, alertsBlind, genericGuesses, singleHost,
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
