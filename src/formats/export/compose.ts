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
import { GOMEMLIMIT_SHARE } from '../../engine/policy.ts';
import { appDbOf, commentText, composeLiteral, dockerSize, GENERATED_BY, goMemLimit } from './common.ts';
import type { Exporter } from './exporters.ts';
import type { Stack } from './stack.ts';
import { formatOf } from '../kinds/index.ts';
import type { ComposeContext, Secret } from '../kinds/kind.ts';
import { POSTGRES_PASSWORD, POSTGRES_PORT } from '../kinds/postgres.ts';
import { REDIS_PORT } from '../kinds/redis.ts';
import { reachOf } from './exposure.ts';
import { sizeFormat } from '../../engine/units.ts';

/**
 * oom_score_adj of the exporters the alert rules read: after the app, before everything else
 * (each kind's own rank is in its module: the issue's order, app first and database last; PG docs
 * (kernel-resources) advise protecting the postmaster). Values assumed, spaced so that a kind's
 * size does not override its rank.
 */
export const EXPORTER_OOM_SCORE_ADJ = 700; // non-negative like every kind's (kinds/kind.ts)

/** What the compose file says about one service's memory, for the tests and the runbook. */
export type ComposeMemory = { name: string; limit: number | null; reservation: number | null; oomScoreAdj: number };

type Svc = Record<string, unknown>;

const healthcheck = (test: string[], start = '30s') => ({ test, interval: '30s', timeout: '5s', retries: 5, start_period: start });
const goEnv = (limit: number | null): Record<string, string> => (limit === null ? {} : { GOMEMLIMIT: goMemLimit(limit * GOMEMLIMIT_SHARE) });

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

/**
 * The plan's CPU cap per container, as the memory limit is written: the short `cpus` (a number) and
 * an equal deploy.resources.limits.cpus (a string, as the compose spec writes it), so that Compose
 * v1 and v2 apply it alike (compose refuses the two when they differ).
 */
function cpuCap(svc: Svc, cpus: number) {
  svc.cpus = cpus;
  const deploy = (svc.deploy as Record<string, unknown> | undefined) ?? {};
  const resources = (deploy.resources as Record<string, unknown> | undefined) ?? {};
  const limits = (resources.limits as Record<string, unknown> | undefined) ?? {};
  svc.deploy = { ...deploy, resources: { ...resources, limits: { ...limits, cpus: String(cpus) } } };
}

/** Every string in the tree (not the keys) with `$` doubled. */
function literal(v: unknown): unknown {
  if (typeof v === 'string') return composeLiteral(v);
  if (Array.isArray(v)) return v.map(literal);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, literal(x)]));
  return v;
}

export function composeModel(stack: Stack): { services: Record<string, Svc>; memory: ComposeMemory[]; comments: Map<string, string[]>; volumes: string[]; secrets: Secret[] } {
  const report = evaluate(stack.plan);
  const typical = new Map(report.services.map((s) => [s.name, s.usageMiB.typical]));
  const services: Record<string, Svc> = {};
  const mem: ComposeMemory[] = [];
  const comments = new Map<string, string[]>();
  const volumes: string[] = [];
  const secrets = new Map<string, Secret>();
  const secret = (x: Secret) => {
    secrets.set(x.name, x);
    return x.name;
  };
  const reservationOf = (name: string, limit: number | null) => {
    const t = typical.get(name);
    if (t === undefined) return null;
    const r = Math.max(1, Math.round(t));
    return limit === null ? r : Math.min(limit, r);
  };
  const add = (s: Service | null, name: string, svc: Svc, limit: number | null, reservation: number | null, oom: number, note: string[]) => {
    memory(svc, limit, reservation, oom);
    if (s?.cpus !== undefined) cpuCap(svc, s.cpus);
    svc.restart = 'unless-stopped';
    services[name] = svc;
    mem.push({ name, limit, reservation, oomScoreAdj: oom });
    const head = limit === null ? 'no memory limit: only the host bounds it' : `limit ${sizeFormat(limit)}`;
    const cpus = s?.cpus === undefined ? '' : `; at most ${s.cpus} CPU${s.cpus > 1 ? 's' : ''} per container (cpus)`;
    comments.set(name, [`${head}${reservation !== null ? `, reserved ${sizeFormat(reservation)} (typical usage)` : ''}${cpus}${s && stack.implied.has(s.name) ? '; added by a feature toggle' : ''}`, ...note]);
  };
  const healthy = (names: string[]) => Object.fromEntries(names.map((n) => [n, { condition: 'service_healthy' }]));

  for (const s of stack.plan.services) {
    const svc: Svc = {};
    const note: string[] = [];
    // A service the plan lists that the alert rules read (an exporter): written as that exporter.
    const e = stack.exporters.find((x) => x.present && x.name === s.name);
    if (e) {
      exporterService(svc, e, stack, secret);
      const origin = stack.implied.has(s.name) ? `added for the alert rules, ${e.source}` : 'listed in the plan';
      add(s, s.name, svc, s.limit, reservationOf(s.name, s.limit), EXPORTER_OOM_SCORE_ADJ, [`The ${e.exporter} the alert rules read (${origin}).`]);
      continue;
    }
    const format = formatOf(s.kind);
    const ctx: ComposeContext<typeof s.kind> = {
      stack,
      service: s,
      svc,
      note,
      volume: (path) => {
        volumes.push(`${s.name}-data`);
        return `${s.name}-data:${path}`;
      },
      secret,
      healthy,
      goEnv: () => goEnv(s.limit),
      healthcheck: (test) => healthcheck(test),
    };
    format.compose(ctx as never);
    replicated(s, svc);
    exposed(stack, s, svc, note);
    add(s, s.name, svc, s.limit, reservationOf(s.name, s.limit), format.oomScoreAdj, note);
  }
  for (const e of stack.exporters.filter((x) => !x.present)) {
    const svc: Svc = {};
    exporterService(svc, e, stack, secret);
    add(null, e.name, svc, e.limit, Math.min(e.limit, Math.round(e.usage.typical)), EXPORTER_OOM_SCORE_ADJ, [
      `Added for the alert rules: ${e.exporter}${e.watches ? ` for ${e.watches}` : ''} (${e.source}).`,
    ]);
  }
  return { services, memory: mem, comments, volumes, secrets: [...secrets.values()] };
}

/**
 * The plan's exposure (the compose file's own ports and network_mode) written back, and how the
 * service is reached said in its comment (export/exposure.ts), for the servers and every service
 * the compose file exposed.
 */
function exposed(stack: Stack, s: Service, svc: Svc, note: string[]) {
  const e = s.exposure;
  if (e?.hostNetwork) {
    svc.network_mode = 'host';
    delete svc.ports; // compose ignores ports on the host network
  } else if (e?.published) {
    svc.ports = e.published.map((p) => {
      const address = p.address.includes(':') ? `[${p.address}]` : p.address;
      return p.address === '0.0.0.0' ? (p.port ? `${p.port}:${p.target}` : p.target) : `${address}:${p.port}:${p.target}`;
    });
  }
  if (e || LISTENERS.has(s.kind)) note.push(`How it is reached: ${reachOf(stack, s).text}.`);
}

/**
 * A service of several containers whose kind models one (the plan's `replicas`; the app kinds
 * write their own settings.replicas): `deploy.replicas`, and no container_name, which Compose
 * refuses on a service of several containers (it names each one itself).
 */
function replicated(s: Service, svc: Svc) {
  if (s.replicas === undefined || s.replicas === 1) return;
  delete svc.container_name;
  svc.deploy = { ...((svc.deploy as object) ?? {}), replicas: s.replicas };
}

/** The kinds whose exported config says how they are reached (bind, password): their compose comment says it too. */
const LISTENERS = new Set(['postgres', 'redis', 'pgbouncer']);

function exporterService(svc: Svc, e: Exporter, stack: Stack, secret: (x: Secret) => string) {
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
        env.DATA_SOURCE_URI = `${pg.name}:${POSTGRES_PORT}/${encodeURIComponent(appDbOf(pg).database)}?sslmode=disable`;
        env.DATA_SOURCE_USER = appDbOf(pg).user;
        env.DATA_SOURCE_PASS_FILE = `/run/secrets/${POSTGRES_PASSWORD.name}`;
        svc.secrets = [secret(POSTGRES_PASSWORD)];
        svc.depends_on = { [pg.name]: { condition: 'service_healthy' } };
      }
      break;
    }
    case 'redis-exporter': {
      const r = stack.redis.find((x) => x.name === e.watches) ?? stack.redis[0];
      if (r) {
        env.REDIS_ADDR = `redis://${r.name}:${REDIS_PORT}`;
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
  if (m.secrets.length) data.secrets = Object.fromEntries(m.secrets.map((x) => [x.name, { file: x.file }]));
  const doc = new Document(data, { version: '1.2' });
  const total = m.memory.reduce((sum, x) => sum + (x.limit ?? 0), 0);
  const unlimited = m.memory.filter((x) => x.limit === null).length;
  const header = [
    `${stack.files.compose}. ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`,
    `Host ${sizeFormat(stack.plan.host.ram)}; the limits below add up to ${sizeFormat(total)}${unlimited ? ` (+ ${unlimited} service(s) without a limit)` : ''}.`,
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

