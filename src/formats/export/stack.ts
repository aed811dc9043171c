/**
 * The stack every exporter writes about: the plan with its feature services, the exporters, and
 * the file each service's configuration goes to. Built once, read by each format.
 */
import { planWithFeatures } from '../../engine/features.ts';
import type { Plan, Service, ServiceOf } from '../../engine/schema.ts';
import { hostTag } from './common.ts';
import { exporterKindOf, exportersFor, type Exporter } from './exporters.ts';

/** assumed: the app's database role and database; the compose file creates both. */
export const APP_DB = { user: 'app', database: 'app' } as const;

/** The ports each kind listens on inside the compose network (each image's default, pgBouncer's 6432). */
export const PORTS = {
  fastapi: 8000,
  postgres: 5432,
  redis: 6379,
  pgbouncer: 6432,
  prometheus: 9090,
  grafana: 3000,
  alertmanager: 9093,
} as const;

/** Images, pinned; the operator should move the pins deliberately. */
export const IMAGES = {
  postgres: 'postgres:15', // memory-model.md measured PostgreSQL 15
  redis: 'redis:7.2',
  pgbouncer: 'edoburu/pgbouncer:v1.25.2-p0',
  prometheus: 'prom/prometheus:v2.53.0',
  grafana: 'grafana/grafana:11.1.0',
  alertmanager: 'prom/alertmanager:v0.27.0',
  fastapi: 'app:latest', // the operator's own image
} as const;

/** Files in the container where each config is mounted. */
export const MOUNTS = {
  postgresConf: '/etc/postgresql/postgresql.conf',
  redisConf: '/usr/local/etc/redis/redis.conf',
  pgbouncerIni: '/etc/pgbouncer/pgbouncer.ini',
  pgbouncerUserlist: '/etc/pgbouncer/userlist.txt',
  prometheusYml: '/etc/prometheus/prometheus.yml',
  alertsYml: '/etc/prometheus/alerts.yml',
  alertmanagerYml: '/etc/alertmanager/alertmanager.yml',
} as const;

/** Secrets, as files beside the compose file (never written by the export). */
export const SECRETS = {
  postgresPassword: { name: 'postgres_password', file: './secrets/postgres_password' },
  grafanaAdminPassword: { name: 'grafana_admin_password', file: './secrets/grafana_admin_password' },
  slackWebhook: { name: 'slack_webhook_url', file: './secrets/slack_webhook_url' },
} as const;

export type Stack = {
  /** The plan with the services its feature toggles imply. */
  plan: Plan;
  implied: ReadonlySet<string>;
  tag: string;
  app: ServiceOf<'fastapi'>[];
  postgres: ServiceOf<'postgres'>[];
  redis: ServiceOf<'redis'>[];
  pgbouncer: ServiceOf<'pgbouncer'>[];
  prometheus: ServiceOf<'prometheus'>[];
  grafana: ServiceOf<'grafana'>[];
  alertmanager: ServiceOf<'alertmanager'>[];
  /** Generic services that are not exporters. */
  generic: ServiceOf<'generic'>[];
  /** Every exporter, listed in the plan or added. */
  exporters: Exporter[];
  files: {
    compose: string;
    postgresConf: (name: string) => string;
    redisConf: (name: string) => string;
    pgbouncerIni: (name: string) => string;
    userlist: (name: string) => string;
    prometheusYml: (name: string) => string;
    alertmanagerYml: (name: string) => string;
    alerts: string;
    alertsTest: string;
    runbook: string;
  };
};

const ofKind = <K extends Service['kind']>(services: Service[], kind: K) => services.filter((s): s is ServiceOf<K> => s.kind === kind);

/** `base.ext` when the plan has one service of that kind, `base-NAME.ext` for each when it has several. */
function perService(count: number, base: string, ext: string) {
  return (name: string) => (count <= 1 ? `${base}.${ext}` : `${base}-${name}.${ext}`);
}

export function stackOf(input: Plan): Stack {
  const plan = planWithFeatures(input);
  const s = plan.services;
  const postgres = ofKind(s, 'postgres');
  const redis = ofKind(s, 'redis');
  const pgbouncer = ofKind(s, 'pgbouncer');
  const prometheus = ofKind(s, 'prometheus');
  const alertmanager = ofKind(s, 'alertmanager');
  const tag = hostTag(plan.host.ram);
  return {
    plan,
    implied: plan.implied,
    tag,
    app: ofKind(s, 'fastapi'),
    postgres,
    redis,
    pgbouncer,
    prometheus,
    grafana: ofKind(s, 'grafana'),
    alertmanager,
    generic: ofKind(s, 'generic').filter((g) => exporterKindOf(g) === null),
    exporters: exportersFor(plan),
    files: {
      compose: `docker-compose-${tag}.yml`,
      postgresConf: perService(postgres.length, 'postgresql', 'conf'),
      redisConf: perService(redis.length, 'redis', 'conf'),
      pgbouncerIni: perService(pgbouncer.length, 'pgbouncer', 'ini'),
      userlist: perService(pgbouncer.length, 'userlist', 'txt'),
      prometheusYml: perService(prometheus.length, 'prometheus', 'yml'),
      alertmanagerYml: perService(alertmanager.length, 'alertmanager', 'yml'),
      alerts: 'alerts.yml',
      alertsTest: 'alerts.test.yml',
      runbook: 'RUNBOOK.md',
    },
  };
}

/** Where the app's database connections go: the first pgBouncer when there is one, else the first Postgres. */
export function appDatabaseHost(stack: Stack): { host: string; port: number; via: 'pgbouncer' | 'postgres' } | null {
  const b = stack.pgbouncer[0];
  if (b) return { host: b.name, port: PORTS.pgbouncer, via: 'pgbouncer' };
  const pg = stack.postgres[0];
  return pg ? { host: pg.name, port: PORTS.postgres, via: 'postgres' } : null;
}
