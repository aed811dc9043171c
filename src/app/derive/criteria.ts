/**
 * The seed's success criteria ("Deployment is successful if…"), judged for this plan where the
 * engine can judge them. The rest need a running system and say so instead of guessing.
 */
import { sizeFormat, type Plan, type Report } from '../../engine/index.ts';
import { FREE_CRITERION, connectionsLine, connectionsNearMax, exceedsLimit, freeUnderCriterion } from '../../engine/policy.ts';
import { countText, percentText } from '../format.ts';

export type CriterionStatus = 'pass' | 'fail' | 'unknown';
export type Criterion = { id: string; label: string; status: CriterionStatus; detail: string };

/** The free-memory target in words, from the policy's line: the seed's "500MB (12%)", with MB read as MiB (README, "Sizes"). */
const FREE_TARGET = `${FREE_CRITERION.mib} MiB or ${FREE_CRITERION.share * 100}% of RAM`;

function freeCriterion(id: string, label: string, freeMiB: number, report: Report): Criterion {
  const need = report.host.freeCriterionMiB;
  const ok = !freeUnderCriterion(freeMiB, report.host.ramMiB);
  return { id, label, status: ok ? 'pass' : 'fail', detail: `${sizeFormat(freeMiB)} free (${percentText(freeMiB, report.host.ramMiB)} of RAM); needs more than ${sizeFormat(need)}.` };
}

function overLimit(services: Report['services']): string[] {
  // One container's high usage against its limit (per container: report.ts limitOfAll).
  return services.filter((s) => exceedsLimit(s.usageMiB.high / s.replicas, s.limitMiB)).map((s) => s.name);
}

function limitCriterion(id: string, label: string, services: Report['services']): Criterion {
  const over = overLimit(services);
  return over.length === 0
    ? { id, label, status: 'pass', detail: 'Every service’s high usage fits within its limit.' }
    : { id, label, status: 'fail', detail: `High usage exceeds the limit of ${over.join(', ')}: the kernel OOM-kills inside that container.` };
}

function connectionCriterion(plan: Plan, report: Report): Criterion {
  const label = 'Database connections under 90% of max_connections';
  const pg = plan.services.filter((s) => s.kind === 'postgres');
  if (pg.length === 0) return { id: 'connections', label, status: 'unknown', detail: 'The plan has no postgres service.' };
  const max = pg.reduce((sum, s) => sum + (s.kind === 'postgres' ? s.settings.maxConnections : 0), 0);
  const bound = connectionsLine(max);
  const normal = report.traffic.backends.high;
  const spike = report.spike.traffic.backends.high;
  const ok = !connectionsNearMax(normal, max) && !connectionsNearMax(spike, max);
  return {
    id: 'connections',
    label,
    status: ok ? 'pass' : 'fail',
    detail: `Up to ${countText(normal)} backends normally and ${countText(spike)} in a ×${report.spike.multiplier} spike; 90% of max_connections ${countText(max)} is ${countText(bound)}.`,
  };
}

/** Criteria the planner cannot judge: they need measurements from the running stack. */
const UNJUDGED: ReadonlyArray<[string, string]> = [
  ['latency', 'API latency P95 under 500 ms'],
  ['alert-rules', 'All 10 alert rules firing correctly'],
  ['cache-hit', 'Cache hit rate above 70%'],
  ['downtime', 'No unplanned downtime'],
];

/** The seed's criteria for this plan, judged ones first. */
export function criteriaOf(plan: Plan, report: Report): Criterion[] {
  const hasAlertmanager = report.features.alertmanager;
  return [
    freeCriterion('free-typical', `Free memory above ${FREE_TARGET} at typical usage`, report.host.freeMiB.typical, report),
    freeCriterion('free-high', `Free memory above ${FREE_TARGET} at high usage`, report.host.freeMiB.low, report),
    freeCriterion('free-spike', `Free memory above ${FREE_TARGET} in a ×${report.spike.multiplier} spike`, report.spike.host.freeMiB.low, report),
    limitCriterion('no-oom', 'No OOM kills: no service’s usage over its limit', report.services),
    limitCriterion('no-oom-spike', `No OOM kills in a ×${report.spike.multiplier} spike`, report.spike.services),
    connectionCriterion(plan, report),
    {
      id: 'alertmanager',
      label: 'AlertManager configured (ready for production)',
      status: hasAlertmanager ? 'pass' : 'fail',
      detail: hasAlertmanager ? 'Alerts have somewhere to go.' : 'Prometheus alerts reach no one: turn on AlertManager.',
    },
    ...UNJUDGED.map(([id, label]) => ({ id, label, status: 'unknown' as const, detail: 'Needs measurements from the running stack; the planner cannot judge it.' })),
  ];
}
