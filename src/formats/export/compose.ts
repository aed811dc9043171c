/**
 * docker-compose-<host>.yml: every service with its memory limit (both `mem_limit` and an equal
 * `deploy.resources.limits.memory`, so Compose v1 and v2 enforce it alike), a reservation at its
 * typical usage, no swap, an OOM order that kills the app first and the database last, healthchecks,
 * restart policy, named volumes, the config files mounted read-only, secrets from files, and the
 * exporters the alert rules read.
 *
 * Built as data and written by the yaml library; every string value goes through composeLiteral
 * so that a `$` in a name or image can never become an interpolation.
 */
import { Document, isMap, isScalar, YAMLMap } from 'yaml';
import { evaluate } from '../../engine/index.ts';
import type { Service } from '../../engine/schema.ts';
import { durationFormat } from '../../engine/units.ts';
import { GOMEMLIMIT_SHARE } from '../../engine/policy.ts';
import { commentText, composeLiteral, dockerSize, GENERATED_BY, goMemLimit, human } from './common.ts';
import type { Exporter } from './exporters.ts';
import { APP_DB, appDatabaseHost, IMAGES, MOUNTS, PORTS, SECRETS, type Stack } from './stack.ts';

/**
 * oom_score_adj per kind: the issue's order, app first and database last; PG docs
 * (kernel-resources) advise protecting the postmaster. Values assumed, spaced so that a kind's
 * size does not override its rank.
 */
export const OOM_SCORE_ADJ: Record<Service['kind'] | 'exporter', number> = {
  postgres: -800,
  pgbouncer: -600,
  redis: -400,
  alertmanager: -200,
  prometheus: -100,
  grafana: 100,
  generic: 200,
  exporter: 300,
  fastapi: 500,
};

/** What the compose file says about one service's memory, for the tests and the runbook. */
export type ComposeMemory = { name: string; limit: number | null; reservation: number | null; oomScoreAdj: number };

type Svc = Record<string, unknown>;

const healthcheck = (test: string[], start = '30s') => ({ test, interval: '30s', timeout: '5s', retries: 5, start_period: start });
const wget = (url: string) => healthcheck(['CMD', 'wget', '-q', '--spider', url]);

function memory(svc: Svc, limit: number | null, reservation: number | null, oom: number) {
  if (limit !== null) {
    svc.mem_limit = dockerSize(limit);
    // memory-model.md: memswap_limit equal to the limit means no swap for the container.
    svc.memswap_limit = dockerSize(limit);
  }
  if (reservation !== null) svc.mem_reservation = dockerSize(reservation);
  svc.oom_score_adj = oom;
  const resources: Record<string, unknown> = {};
  if (limit !== null) resources.limits = { memory: dockerSize(limit) };
  if (reservation !== null) resources.reservations = { memory: dockerSize(reservation) };
  if (Object.keys(resources).length) svc.deploy = { ...((svc.deploy as object) ?? {}), resources };
}

/** Every string in the tree (not the keys) with `$` doubled. */
function literal(v: unknown): unknown {
  if (typeof v === 'string') return composeLiteral(v);
  if (Array.isArray(v)) return v.map(literal);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, literal(x)]));
  return v;
}

export function composeModel(stack: Stack): { services: Record<string, Svc>; memory: ComposeMemory[]; comments: Map<string, string[]>; volumes: string[]; secrets: Set<keyof typeof SECRETS> } {
  const report = evaluate(stack.plan);
  const typical = new Map(report.services.map((s) => [s.name, s.usageMiB.typical]));
  const services: Record<string, Svc> = {};
  const mem: ComposeMemory[] = [];
  const comments = new Map<string, string[]>();
  const volumes: string[] = [];
  const secrets = new Set<keyof typeof SECRETS>();
  const db = appDatabaseHost(stack);
  const redis = stack.redis[0];
  const reservationOf = (name: string, limit: number | null) => {
    const t = typical.get(name);
    if (t === undefined) return null;
    const r = Math.max(1, Math.round(t));
    return limit === null ? r : Math.min(limit, r);
  };
  const add = (s: Service | null, name: string, svc: Svc, limit: number | null, reservation: number | null, oom: number, note: string[]) => {
    memory(svc, limit, reservation, oom);
    svc.restart = 'unless-stopped';
    services[name] = svc;
    mem.push({ name, limit, reservation, oomScoreAdj: oom });
    const head = limit === null ? 'no memory limit: only the host bounds it' : `limit ${human(limit)}`;
    comments.set(name, [`${head}${reservation !== null ? `, reserved ${human(reservation)} (typical usage)` : ''}${s && stack.implied.has(s.name) ? '; added by a feature toggle' : ''}`, ...note]);
  };
  const volume = (name: string, path: string) => {
    volumes.push(`${name}-data`);
    return `${name}-data:${path}`;
  };
  const goEnv = (limit: number | null): Record<string, string> => (limit === null ? {} : { GOMEMLIMIT: goMemLimit(limit * GOMEMLIMIT_SHARE) });
  const healthy = (names: string[]) => Object.fromEntries(names.map((n) => [n, { condition: 'service_healthy' }]));

  for (const s of stack.plan.services) {
    const svc: Svc = {};
    const note: string[] = [];
    switch (s.kind) {
      case 'fastapi': {
        const a = s.settings;
        svc.image = IMAGES.fastapi;
        note.push('Your application image. It reads the variables below (gunicorn and uvicorn both read WEB_CONCURRENCY).');
        if (a.replicas === 1) svc.container_name = s.name;
        else svc.deploy = { replicas: a.replicas };
        svc.ports = [a.replicas === 1 ? `${PORTS.fastapi}:${PORTS.fastapi}` : `${PORTS.fastapi}-${PORTS.fastapi + a.replicas - 1}:${PORTS.fastapi}`];
        const env: Record<string, string> = {
          WEB_CONCURRENCY: String(a.workers),
          DB_POOL_SIZE: String(a.poolSize),
          DB_MAX_OVERFLOW: String(a.maxOverflow),
        };
        if (a.preload) env.GUNICORN_CMD_ARGS = '--preload';
        const deps: string[] = [];
        if (db) {
          env.DATABASE_URL = `postgresql://${APP_DB.user}@${db.host}:${db.port}/${APP_DB.database}`;
          env.DATABASE_PASSWORD_FILE = `/run/secrets/${SECRETS.postgresPassword.name}`;
          svc.secrets = [SECRETS.postgresPassword.name];
          secrets.add('postgresPassword');
          deps.push(db.host);
          if (db.via === 'pgbouncer') note.push('DATABASE_URL points at pgBouncer (transaction pooling: no session state across transactions).');
        }
        if (redis) {
          env.REDIS_URL = `redis://${redis.name}:${PORTS.redis}/0`;
          deps.push(redis.name);
        }
        svc.environment = env;
        if (deps.length) svc.depends_on = healthy(deps);
        svc.healthcheck = healthcheck(['CMD', 'python', '-c', `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${PORTS.fastapi}/health', timeout=4)`]);
        break;
      }
      case 'postgres': {
        svc.image = IMAGES.postgres;
        svc.container_name = s.name;
        svc.command = ['postgres', '-c', `config_file=${MOUNTS.postgresConf}`];
        svc.environment = {
          POSTGRES_USER: APP_DB.user,
          POSTGRES_DB: APP_DB.database,
          POSTGRES_PASSWORD_FILE: `/run/secrets/${SECRETS.postgresPassword.name}`,
        };
        svc.secrets = [SECRETS.postgresPassword.name];
        secrets.add('postgresPassword');
        svc.volumes = [volume(s.name, '/var/lib/postgresql/data'), `./${stack.files.postgresConf(s.name)}:${MOUNTS.postgresConf}:ro`];
        // memory-model.md: Docker's /dev/shm is 64MB; parallel queries need more (docker-library/postgres#416).
        svc.shm_size = dockerSize(s.settings.shmSize);
        svc.healthcheck = healthcheck(['CMD', 'pg_isready', '-U', APP_DB.user, '-d', APP_DB.database]);
        svc.stop_grace_period = '1m';
        note.push(`Settings in ${stack.files.postgresConf(s.name)}; shm_size for parallel queries' dynamic shared memory.`);
        break;
      }
      case 'redis': {
        svc.image = IMAGES.redis;
        svc.container_name = s.name;
        svc.command = ['redis-server', MOUNTS.redisConf];
        svc.volumes = [volume(s.name, '/data'), `./${stack.files.redisConf(s.name)}:${MOUNTS.redisConf}:ro`];
        svc.healthcheck = healthcheck(['CMD', 'redis-cli', 'ping']);
        svc.stop_grace_period = '1m';
        note.push(`maxmemory ${human(s.settings.maxmemory)}, ${s.settings.policy}, persistence ${s.settings.persistence}: ${stack.files.redisConf(s.name)}.`);
        break;
      }
      case 'pgbouncer': {
        svc.image = IMAGES.pgbouncer;
        svc.container_name = s.name;
        svc.volumes = [`./${stack.files.pgbouncerIni(s.name)}:${MOUNTS.pgbouncerIni}:ro`, `./${stack.files.userlist(s.name)}:${MOUNTS.pgbouncerUserlist}:ro`];
        const pg = stack.postgres[0];
        if (pg) svc.depends_on = healthy([pg.name]);
        svc.healthcheck = healthcheck(['CMD', 'pg_isready', '-h', '127.0.0.1', '-p', String(PORTS.pgbouncer)]);
        note.push(`Pools in ${stack.files.pgbouncerIni(s.name)}; fill in ${stack.files.userlist(s.name)} first.`);
        break;
      }
      case 'prometheus': {
        svc.image = IMAGES.prometheus;
        svc.container_name = s.name;
        svc.command = [
          `--config.file=${MOUNTS.prometheusYml}`,
          '--storage.tsdb.path=/prometheus',
          `--storage.tsdb.retention.time=${durationFormat(s.settings.retention)}`,
        ];
        svc.environment = goEnv(s.limit);
        svc.volumes = [volume(s.name, '/prometheus'), `./${stack.files.prometheusYml(s.name)}:${MOUNTS.prometheusYml}:ro`, `./${stack.files.alerts}:${MOUNTS.alertsYml}:ro`];
        svc.ports = [`127.0.0.1:${PORTS.prometheus}:${PORTS.prometheus}`];
        svc.healthcheck = wget(`http://127.0.0.1:${PORTS.prometheus}/-/healthy`);
        note.push(`Retention ${durationFormat(s.settings.retention)}, scrape every ${durationFormat(s.settings.scrapeInterval)}; GOMEMLIMIT at 90% of the limit.`);
        break;
      }
      case 'grafana': {
        svc.image = IMAGES.grafana;
        svc.container_name = s.name;
        svc.environment = { GF_SECURITY_ADMIN_PASSWORD__FILE: `/run/secrets/${SECRETS.grafanaAdminPassword.name}`, ...goEnv(s.limit) };
        svc.secrets = [SECRETS.grafanaAdminPassword.name];
        secrets.add('grafanaAdminPassword');
        svc.volumes = [volume(s.name, '/var/lib/grafana')];
        svc.ports = [`127.0.0.1:${PORTS.grafana}:${PORTS.grafana}`];
        svc.healthcheck = wget(`http://127.0.0.1:${PORTS.grafana}/api/health`);
        break;
      }
      case 'alertmanager': {
        svc.image = IMAGES.alertmanager;
        svc.container_name = s.name;
        svc.command = [`--config.file=${MOUNTS.alertmanagerYml}`, '--storage.path=/alertmanager'];
        svc.environment = goEnv(s.limit);
        svc.secrets = [SECRETS.slackWebhook.name];
        secrets.add('slackWebhook');
        svc.volumes = [volume(s.name, '/alertmanager'), `./${stack.files.alertmanagerYml(s.name)}:${MOUNTS.alertmanagerYml}:ro`];
        svc.ports = [`127.0.0.1:${PORTS.alertmanager}:${PORTS.alertmanager}`];
        svc.healthcheck = wget(`http://127.0.0.1:${PORTS.alertmanager}/-/healthy`);
        break;
      }
      case 'generic': {
        const e = stack.exporters.find((x) => x.present && x.name === s.name);
        if (e) {
          exporterService(svc, e, stack, secrets);
          const origin = stack.implied.has(s.name) ? `added for the alert rules, ${e.source}` : 'listed in the plan';
          add(s, s.name, svc, s.limit, reservationOf(s.name, s.limit), OOM_SCORE_ADJ.exporter, [`The ${e.exporter} the alert rules read (${origin}).`]);
          continue;
        }
        svc.image = s.settings.image ?? `${s.name.toLowerCase()}:latest`;
        svc.container_name = s.name;
        if (!s.settings.image) note.push('No image in the plan: replace this one.');
        break;
      }
    }
    add(s, s.name, svc, s.limit, reservationOf(s.name, s.limit), OOM_SCORE_ADJ[s.kind], note);
  }
  for (const e of stack.exporters.filter((x) => !x.present)) {
    const svc: Svc = {};
    exporterService(svc, e, stack, secrets);
    add(null, e.name, svc, e.limit, Math.min(e.limit, Math.round(e.usage.typical)), OOM_SCORE_ADJ.exporter, [
      `Added for the alert rules: ${e.exporter}${e.watches ? ` for ${e.watches}` : ''} (${e.source}).`,
    ]);
  }
  return { services, memory: mem, comments, volumes, secrets };
}

function exporterService(svc: Svc, e: Exporter, stack: Stack, secrets: Set<keyof typeof SECRETS>) {
  svc.image = e.image;
  svc.container_name = e.name;
  const env: Record<string, string> = { GOMEMLIMIT: goMemLimit(e.limit * GOMEMLIMIT_SHARE) };
  switch (e.exporter) {
    case 'node-exporter':
      // Host metrics from the host's /proc, /sys and /; memory, disk and vmstat are host-wide.
      svc.command = ['--path.rootfs=/host', '--collector.filesystem.mount-points-exclude=^/(dev|proc|run|sys|var/lib/docker/.+)($|/)'];
      svc.pid = 'host';
      svc.volumes = ['/:/host:ro,rslave'];
      break;
    case 'cadvisor':
      // memory-model.md: cAdvisor takes 40–90 MB only when tuned: fewer metrics, slower housekeeping.
      svc.command = [
        '--docker_only=true',
        '--housekeeping_interval=30s',
        '--store_container_labels=false',
        '--whitelisted_container_labels=com.docker.compose.service',
        '--disable_metrics=accelerator,advtcp,app,cpu_topology,cpuLoad,cpuset,disk,diskIO,hugetlb,memory_numa,percpu,perf_event,process,referenced_memory,resctrl,sched,tcp,udp',
      ];
      svc.privileged = true;
      svc.devices = ['/dev/kmsg'];
      svc.volumes = ['/:/rootfs:ro', '/var/run:/var/run:ro', '/sys:/sys:ro', '/var/lib/docker/:/var/lib/docker:ro', '/dev/disk/:/dev/disk:ro'];
      break;
    case 'postgres-exporter': {
      const pg = stack.postgres.find((p) => p.name === e.watches) ?? stack.postgres[0];
      if (pg) {
        env.DATA_SOURCE_URI = `${pg.name}:${PORTS.postgres}/${APP_DB.database}?sslmode=disable`;
        env.DATA_SOURCE_USER = APP_DB.user;
        env.DATA_SOURCE_PASS_FILE = `/run/secrets/${SECRETS.postgresPassword.name}`;
        svc.secrets = [SECRETS.postgresPassword.name];
        secrets.add('postgresPassword');
        svc.depends_on = { [pg.name]: { condition: 'service_healthy' } };
      }
      break;
    }
    case 'redis-exporter': {
      const r = stack.redis.find((x) => x.name === e.watches) ?? stack.redis[0];
      if (r) {
        env.REDIS_ADDR = `redis://${r.name}:${PORTS.redis}`;
        svc.depends_on = { [r.name]: { condition: 'service_healthy' } };
      }
      break;
    }
  }
  svc.environment = env;
}

export function composeYml(stack: Stack): string {
  const m = composeModel(stack);
  const data: Record<string, unknown> = { services: literal(m.services) };
  if (m.volumes.length) data.volumes = Object.fromEntries(m.volumes.map((v) => [v, {}]));
  if (m.secrets.size) data.secrets = Object.fromEntries([...m.secrets].map((k) => [SECRETS[k].name, { file: SECRETS[k].file }]));
  const doc = new Document(data, { version: '1.2' });
  const total = m.memory.reduce((sum, x) => sum + (x.limit ?? 0), 0);
  const unlimited = m.memory.filter((x) => x.limit === null).length;
  const header = [
    `${stack.files.compose}. ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`,
    `Host ${human(stack.plan.host.ram)}; the limits below add up to ${human(total)}${unlimited ? ` (+ ${unlimited} service(s) without a limit)` : ''}.`,
    `Run: docker compose -f ${stack.files.compose} up -d  (Compose v2 applies deploy.resources; v1 applies mem_limit, and needs --compatibility for replicas).`,
    'Secrets are read from ./secrets/*: create those files (chmod 600) before the first start; they are never written here.',
  ];
  doc.commentBefore = header.map((l) => ` ${commentText(l)}`).join('\n');
  const servicesNode = doc.get('services', true);
  if (isMap(servicesNode)) {
    for (const pair of (servicesNode as YAMLMap).items) {
      const key = pair.key;
      if (isScalar(key) && typeof key.value === 'string') {
        const lines = m.comments.get(key.value);
        if (lines?.length) key.commentBefore = lines.map((l) => ` ${commentText(l)}`).join('\n');
      }
    }
  }
  return doc.toString({ lineWidth: 0, indentSeq: true });
}

/** The memory lines of a compose file, for callers that want numbers rather than text. */
export function composeMemory(stack: Stack): ComposeMemory[] {
  return composeModel(stack).memory;
}

