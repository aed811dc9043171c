/**
 * The seed's success criteria ("Deployment is successful if…"), judged for this plan where the
 * engine can judge them. The rest need a running system and say so instead of guessing.
 */
import { sizeFormat, type Plan, type Report } from '../../engine/index.ts';
import type { Latency, Scenario } from '../../engine/report.ts';
import { hostLoadChecks } from '../../engine/host-fit.ts';
import { coresFormat, freeCoresFormat } from '../../engine/units.ts';
import { FREE_CRITERION_WORDS, LATENCY_P95_CRITERION_MS, connectionsLine, connectionsNearMax, exceedsLimit, freeUnderCriterion } from '../../engine/policy.ts';
import { countText, percentText } from '../format.ts';
import { clientsOf, unknownClientsText } from '../../engine/clients.ts';

export type CriterionStatus = 'pass' | 'fail' | 'unknown';
export type Criterion = { id: string; label: string; status: CriterionStatus; detail: string };

/** The free-memory target in words, from the policy's line: the seed's "500MB (12%)", with MB read as MiB (README, "Sizes"). */
const FREE_TARGET = FREE_CRITERION_WORDS;

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
  const counted = `Up to ${countText(normal)} backends normally and ${countText(spike)} in a ×${report.spike.multiplier} spike; 90% of max_connections ${countText(max)} is ${countText(bound)}.`;
  // A pass counts only the clients Headroom models: with others that may connect (an imported
  // Rails app, a worker it does not know) it is not a pass but not judged; a fail stays a fail.
  const clients = clientsOf(plan);
  if (ok && !clients.known) {
    return { id: 'connections', label, status: 'unknown', detail: `${counted} Headroom counts only the clients it models: ${unknownClientsText(clients)} may connect too, and it cannot count them (SELECT count(*) FROM pg_stat_activity on the running server can).` };
  }
  return { id: 'connections', label, status: ok ? 'pass' : 'fail', detail: counted };
}

/** The vCPUs of the host the slowest app runs on (in a multi-host plan, its own host's). */
function appHostCpus(report: Report, sc: Pick<Scenario, 'host' | 'services'>, l: Latency): number {
  const on = sc.services.find((s) => s.name === l.service)?.host;
  return report.hosts?.find((h) => h.name === on)?.cpus ?? sc.host.cpus;
}

/** One scenario's modelled p95 in words: `p95 300 ms at 100 req/s on 2 vCPUs`, or which queue grows without bound. */
function latencyText(report: Report, sc: Pick<Scenario, 'host' | 'services' | 'traffic'>, l: Latency): string {
  const cpus = appHostCpus(report, sc, l);
  const at = `at ${countText(Math.round(sc.traffic.requestsPerSecond))} req/s on ${coresFormat(cpus)} vCPU${cpus === 1 ? '' : 's'}`;
  if (l.saturated === 'cpu') return `no p95 ${at}: the requests need more CPU than ${l.service}'s ${l.workers} workers get on ${freeCoresFormat(l.cores)}, the queue grows without bound`;
  if (l.saturated === 'pool') return `no p95 ${at}: the queries need more database connections than the pool has, the wait grows without bound`;
  return `p95 ${countText(Math.round(l.p95 ?? 0))} ms ${at}`;
}

/**
 * The seed's "API latency P95 < 500 ms", judged on the engine's modelled p95 (latency.ts) in normal
 * traffic and in the spike, by the check the CLI's finding and capacity use (host-fit.ts hostLoadChecks).
 */
function latencyCriterion(report: Report): Criterion {
  const id = 'latency';
  const label = `API latency P95 under ${LATENCY_P95_CRITERION_MS} ms`;
  const normal = report.latency;
  const spike = report.spike.latency;
  if (!normal || !spike) return { id, label, status: 'unknown', detail: 'The plan has no app (fastapi) service: there is no API latency to model.' };
  const over = (sc: Pick<Scenario, 'host' | 'latency'>) => hostLoadChecks(sc).some((c) => c.id === 'latency-over-criterion' && c.fails);
  const ok = !over(report) && !over(report.spike);
  return {
    id,
    label,
    status: ok ? 'pass' : 'fail',
    detail: `Modelled, not measured: ${latencyText(report, report, normal)}; in a ×${report.spike.multiplier} spike ${latencyText(report, report.spike, spike)} (M/M/c queues over ${normal.service}'s ${normal.workers} workers on the cores and over its database pool; CPU per request and request time calibrated on one measured sweep: calibration/latency.json). Needs p95 under ${LATENCY_P95_CRITERION_MS} ms in both.`,
  };
}

/** Criteria the planner cannot judge: they need measurements from the running stack. */
const UNJUDGED: ReadonlyArray<[string, string]> = [
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
    latencyCriterion(report),
    {
      id: 'alertmanager',
      label: 'AlertManager configured (ready for production)',
      status: hasAlertmanager ? 'pass' : 'fail',
      detail: hasAlertmanager ? 'Alerts have somewhere to go.' : 'Prometheus alerts reach no one: turn on AlertManager.',
    },
    ...UNJUDGED.map(([id, label]) => ({ id, label, status: 'unknown' as const, detail: 'Needs measurements from the running stack; the planner cannot judge it.' })),
  ];
}
