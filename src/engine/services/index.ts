/** One model per service kind; adding a kind adds one module and one entry here. */
import type { Plan, Service, ServiceKind, ServiceOf } from '../schema.ts';
import type { Traffic, Usage } from '../report.ts';
import { fastapiUsage } from './fastapi.ts';
import { postgresUsage } from './postgres.ts';
import { redisUsage } from './redis.ts';
import { pgbouncerUsage } from './pgbouncer.ts';
import { prometheusUsage } from './prometheus.ts';
import { alertmanagerUsage, genericUsage, grafanaUsage } from './fixed.ts';

/** What a model sees besides its own service: the scenario's traffic and how it splits. */
export type ModelContext = { plan: Plan; traffic: Traffic; countOf: (kind: ServiceKind) => number };

type Model<K extends ServiceKind> = (s: ServiceOf<K>, ctx: ModelContext) => Usage;

const MODELS: { [K in ServiceKind]: Model<K> } = {
  // Several app services split the traffic evenly; several Redis split the semantic cache.
  fastapi: (s, ctx) => fastapiUsage(s, ctx.traffic, 1 / ctx.countOf('fastapi')),
  postgres: (s, ctx) => postgresUsage(s, ctx.traffic),
  redis: (s, ctx) => redisUsage(s, ctx.traffic, 1 / ctx.countOf('redis')),
  pgbouncer: (s, ctx) => pgbouncerUsage(s, ctx.traffic),
  prometheus: (s) => prometheusUsage(s),
  grafana: () => grafanaUsage(),
  alertmanager: () => alertmanagerUsage(),
  generic: (s) => genericUsage(s),
};

/** The memory of one service in one scenario. */
export function serviceUsage(s: Service, ctx: ModelContext): Usage {
  return (MODELS[s.kind] as Model<typeof s.kind>)(s as never, ctx);
}
