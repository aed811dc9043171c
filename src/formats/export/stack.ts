/**
 * The stack every writer writes about: the plan with its feature services, the exporters, where
 * each service's config files go and what Prometheus scrapes. Built once per export, read by each
 * format; the kinds' own parts (their config files, their scrape targets) come from their
 * modules (formats/kinds/).
 */
import { planWithFeatures } from '../../engine/features.ts';
import { SERVICE_KINDS, type Plan, type Service, type ServiceKind, type ServiceOf } from '../../engine/schema.ts';
import { hostTag } from './common.ts';
import { clientsOf } from '../../engine/clients.ts';
import { exporterKindOf, exportersFor } from './exporters.ts';
import { formatOf } from '../kinds/index.ts';
import type { ScrapeTarget, Stack } from '../kinds/kind.ts';

export { APP_DB } from './common.ts';
export type { ScrapeTarget, Stack } from '../kinds/kind.ts';


const ofKind = <K extends ServiceKind>(services: Service[], kind: K) => services.filter((s): s is ServiceOf<K> => s.kind === kind);

export function stackOf(input: Plan): Stack {
  const plan = planWithFeatures(input);
  const s = plan.services;
  const of = <K extends ServiceKind>(kind: K) => ofKind(s, kind);
  const exporters = exportersFor(plan);
  const scrapeTargets: ScrapeTarget[] = [];
  for (const kind of SERVICE_KINDS) {
    const target = formatOf(kind).scrapeTarget;
    if (target) for (const svc of of(kind)) scrapeTargets.push(target(svc as never));
  }
  for (const e of exporters) scrapeTargets.push({ job: e.name, service: e.watches ?? e.name, target: `${e.name}:${e.port}` });
  const tag = hostTag(plan.host.ram);
  return {
    plan,
    implied: plan.implied,
    tag,
    app: of('fastapi'),
    postgres: of('postgres'),
    redis: of('redis'),
    pgbouncer: of('pgbouncer'),
    prometheus: of('prometheus'),
    grafana: of('grafana'),
    alertmanager: of('alertmanager'),
    generic: of('generic').filter((g) => exporterKindOf(g) === null),
    of,
    exporters,
    clients: clientsOf(plan),
    scrapeTargets,
    configPath: (svc, key) => {
      const file = formatOf(svc.kind).configs?.[key];
      if (!file) throw new Error(`${svc.kind} writes no config file "${key}"`);
      return of(svc.kind).length <= 1 ? `${file.base}.${file.ext}` : `${file.base}-${svc.name}.${file.ext}`;
    },
    files: {
      compose: `docker-compose-${tag}.yml`,
      alerts: 'alerts.yml',
      alertsTest: 'alerts.test.yml',
      runbook: 'RUNBOOK.md',
    },
  };
}
