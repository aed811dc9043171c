/** evaluate(plan): the whole report, normal and spike, with findings. */
import type { Plan } from './schema.ts';
import type { Range, Report } from './report.ts';
import { planWithFeatures } from './features.ts';
import { scenarioOf, type UsageOverride } from './budget.ts';
import { findingsOf } from './findings/index.ts';
import { basisOf } from './kinds/index.ts';

const ZERO: Range = { low: 0, typical: 0, high: 0 };

/** The services whose usage is Headroom's guess (basis `assumed`), each taken at zero. */
export function guessesAtZero(plan: Plan): UsageOverride {
  return new Map(plan.services.filter((s) => basisOf(s) === 'assumed').map((s) => [s.name, ZERO]));
}

export function evaluate(input: Plan): Report {
  const plan = planWithFeatures(input);
  const normal = scenarioOf(plan, 1, plan.implied);
  const spike = scenarioOf(plan, plan.workload.spike, plan.implied);
  // The same plan without the guesses: what the findings still say there does not rest on them.
  const zero = guessesAtZero(plan);
  const known = zero.size === 0 ? undefined : {
    plan,
    normal: scenarioOf(plan, 1, plan.implied, zero),
    spike: scenarioOf(plan, plan.workload.spike, plan.implied, zero),
  };
  return {
    name: plan.name ?? null,
    host: normal.host,
    services: normal.services,
    traffic: normal.traffic,
    features: plan.features,
    spike,
    findings: findingsOf({ plan, normal, spike }, known),
  };
}
