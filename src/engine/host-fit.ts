/**
 * What fits on one host: the one rule that the placement (place.ts) and the upgrade path's tiers
 * (tiers.ts, through capacity.ts's host checks) both apply, so that "this host carries the stack"
 * means the same thing to both (issue 14). A host holds its services when
 * - its high usage (each service capped at its limit, plus the reserve at its high end) leaves the
 *   free-memory criterion (policy.ts freeUnderCriterion: the seed's max(500 MB, 12% of RAM)), and
 * - the limits it sets plus its reserve stay within its RAM (policy.ts limitsExceedRam: limits must
 *   not promise memory that is not there; the engine's critical `limits-exceed-ram`).
 * Both are read off the host's budget as budget.ts computes it (scenarioOf), so a multi-host plan's
 * hosts are judged here exactly as evaluate.ts budgets them (hosts.ts's parts, the whole stack's traffic).
 *
 * Beside what fits, what a host's load does to it (hostLoadChecks, issue 15): its services' CPU
 * against its vCPUs (policy.ts cpuSaturated: 80% at the mean) and its app's p95 latency against the
 * seed's 500 ms (latency.ts, policy.ts latencyOverCriterion). Capacity and the tiers check both on
 * each host; placement (place.ts) places by memory and the tiers then check the placed hosts' load.
 */
import type { Plan } from './schema.ts';
import type { HostBudget, Scenario } from './report.ts';
import { planWithFeatures } from './features.ts';
import { scenarioOf } from './budget.ts';
import { hostPartsOf } from './hosts.ts';
import { cpuAllowed, cpuSaturated, freeUnderCriterion, LATENCY_P95_CRITERION_MS, latencyOverCriterion, limitsExceedRam } from './policy.ts';

export type HostFitId = 'free-below-criterion' | 'limits-exceed-ram';

/** One of the two sums of a host against its bound, in MiB. */
export type HostFitCheck = { id: HostFitId; demand: number; allowed: number; fails: boolean };

type Figures = Pick<HostBudget, 'ramMiB' | 'usageMiB' | 'setLimitsMiB' | 'reserveMiB' | 'freeCriterionMiB'>;

/** The host's two checks from its budget. */
export function hostFitChecks(h: Figures): HostFitCheck[] {
  return [
    // free.low < criterion ⟺ high usage > RAM − criterion.
    { id: 'free-below-criterion', demand: h.usageMiB.high, allowed: h.ramMiB - h.freeCriterionMiB, fails: freeUnderCriterion(h.ramMiB - h.usageMiB.high, h.ramMiB) },
    { id: 'limits-exceed-ram', demand: h.setLimitsMiB + h.reserveMiB, allowed: h.ramMiB, fails: limitsExceedRam(h) },
  ];
}

/** True when the host holds what its budget counts. */
export function hostFits(h: Figures): boolean {
  return hostFitChecks(h).every((c) => !c.fails);
}

/**
 * Each host of a multi-host plan (`hosts:`, its services naming their hosts) with its checks, at the
 * plan's own users × `multiplier`: each host's part budgeted as evaluate.ts budgets it.
 */
export function placedHostChecks(plan: Plan, multiplier = 1): Array<{ host: string; ramMiB: number; checks: HostFitCheck[] }> {
  const whole = planWithFeatures(plan);
  return hostPartsOf(whole).map((part) => {
    const budget = scenarioOf(part.plan, multiplier, whole.implied, undefined, whole).host;
    return { host: part.name, ramMiB: budget.ramMiB, checks: hostFitChecks(budget) };
  });
}

/** True when every host of a multi-host plan holds its services. */
export function placementHolds(plan: Plan, multiplier = 1): boolean {
  return placedHostChecks(plan, multiplier).every((h) => h.checks.every((c) => !c.fails));
}

export type HostLoadId = 'cpu-saturated' | 'latency-over-criterion';

/** One of a host's load checks: cores against its saturation line, or the app's p95 (ms) against the criterion. */
export type HostLoadCheck = { id: HostLoadId; unit: 'cores' | 'ms'; demand: number; allowed: number; fails: boolean };

/** The host's load checks from its scenario: CPU always, latency when an app runs on it (a saturated queue's p95 is Infinity). */
export function hostLoadChecks(sc: Pick<Scenario, 'latency'> & { host: Pick<Scenario['host'], 'cpus' | 'cpu'> }): HostLoadCheck[] {
  const out: HostLoadCheck[] = [
    { id: 'cpu-saturated', unit: 'cores', demand: sc.host.cpu.typical, allowed: cpuAllowed(sc.host.cpus), fails: cpuSaturated(sc.host.cpu.typical, sc.host.cpus) },
  ];
  if (sc.latency) out.push({ id: 'latency-over-criterion', unit: 'ms', demand: sc.latency.p95 ?? Infinity, allowed: LATENCY_P95_CRITERION_MS, fails: latencyOverCriterion(sc.latency.p95) });
  return out;
}

/** Each host of a multi-host plan with its load checks, at the plan's own users × `multiplier`. */
export function placedLoadChecks(plan: Plan, multiplier = 1): Array<{ host: string; cpus: number; checks: HostLoadCheck[] }> {
  const whole = planWithFeatures(plan);
  return hostPartsOf(whole).map((part) => {
    const sc = scenarioOf(part.plan, multiplier, whole.implied, undefined, whole);
    return { host: part.name, cpus: sc.host.cpus, checks: hostLoadChecks(sc) };
  });
}
