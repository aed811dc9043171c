/** evaluate(plan): the whole report, normal and spike, with findings. */
import type { Plan } from './schema.ts';
import type { Report } from './report.ts';
import { planWithFeatures } from './features.ts';
import { scenarioOf } from './budget.ts';
import { findingsOf } from './findings/index.ts';

export function evaluate(input: Plan): Report {
  const plan = planWithFeatures(input);
  const normal = scenarioOf(plan, 1, plan.implied);
  const spike = scenarioOf(plan, plan.workload.spike, plan.implied);
  return {
    name: plan.name ?? null,
    host: normal.host,
    services: normal.services,
    traffic: normal.traffic,
    features: plan.features,
    spike,
    findings: findingsOf({ plan, normal, spike }),
  };
}
