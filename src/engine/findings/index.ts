/** Every finding rule, run over a plan's normal and spike scenarios. */
import type { Basis, Finding, ReportFinding, ServiceBudget } from '../report.ts';
import type { FindingContext, Rule } from './context.ts';
import { freeBelowCriterion, hostOom, limitsOverRam, noLimit, usageOverLimit } from './memory.ts';
import { alertsBlind, alertsNowhere, findingsSort, singleHost } from './operations.ts';
import { observedUsage } from './observed.ts';
import { cpuOverLimitRule, cpuSaturated, latencyOverCriterion, workersBeyondCores } from './load.ts';
import { kindsRegistered } from '../kinds/registry.ts';

/**
 * The shared rules (memory, the host, operations, observed usage), and each kind's own (kinds/),
 * in the registry's order. Only the loaded kinds' rules: a plan's kinds are loaded before it is
 * evaluated (kinds/registry.ts), and a kind's rules are about services of that kind.
 */
function rulesOf(): Rule[] {
  const kinds = kindsRegistered();
  if (rules.kinds !== kinds.length) {
    rules.kinds = kinds.length;
    rules.list = [
      usageOverLimit, noLimit, limitsOverRam, hostOom, freeBelowCriterion,
      cpuSaturated, latencyOverCriterion, workersBeyondCores, cpuOverLimitRule,
      ...kinds.flatMap((k): readonly Rule[] => k.findings ?? []),
      alertsNowhere, alertsBlind, singleHost,
      observedUsage, // usage seen by docker stats, when the plan has it
    ];
  }
  return rules.list;
}
const rules: { kinds: number; list: Rule[] } = { kinds: -1, list: [] };

/** Findings whose more specific twin names a better fix for the same service. */
const SUPERSEDED_BY: Record<string, string[]> = {
  'usage-over-limit': ['redis-fork-headroom', 'redis-maxmemory-headroom', 'redis-no-maxmemory'],
};

/** The ids a finding id stands in for (its more general twins it supersedes), itself included. */
export function findingCovers(id: string): string[] {
  return [id, ...Object.entries(SUPERSEDED_BY).filter(([, by]) => by.includes(id)).map(([general]) => general)];
}

function rulesRun(ctx: FindingContext): Finding[] {
  const all = rulesOf().flatMap((rule) => rule(ctx));
  return all.filter((f) => !(SUPERSEDED_BY[f.id] ?? []).some((id) => all.some((g) => g.id === id && g.service === f.service)));
}

/**
 * What the figures of the services that are not guessed rest on: `observed` when all of them are
 * observed, else `modelled` (also for a plan of guesses only: the rule itself is the model).
 */
function knownBasis(services: readonly ServiceBudget[]): Basis {
  const known = services.filter((s) => s.basis !== 'assumed');
  return known.length > 0 && known.every((s) => s.basis === 'observed') ? 'observed' : 'modelled';
}

/**
 * `known` is the same plan with every guessed service's usage taken as zero (evaluate.ts; absent
 * when nothing is guessed). A finding rests on the guesses (basis `assumed`) when it is about a
 * guessed service, or when it is not raised without them; else on its service's basis (or, for the
 * host, on what the known services rest on). A rule may set a basis of its own.
 */
export function findingsOf(ctx: FindingContext, known?: FindingContext): ReportFinding[] {
  const found = rulesRun(ctx);
  const withoutGuesses = known ? rulesRun(known) : found;
  const byName = new Map(ctx.normal.services.map((s) => [s.name, s]));
  const hostBasis = knownBasis(ctx.normal.services);
  const basisOf = (f: Finding): Basis => {
    if (f.basis) return f.basis;
    const service = f.service === null ? undefined : byName.get(f.service);
    if (service?.basis === 'assumed') return 'assumed';
    if (!withoutGuesses.some((g) => g.id === f.id && g.service === f.service)) return 'assumed';
    return service?.basis ?? hostBasis;
  };
  return findingsSort(found.map((f) => ({ ...f, basis: basisOf(f) })));
}
export type { FindingContext } from './context.ts';
