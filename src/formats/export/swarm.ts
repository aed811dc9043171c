/**
 * The Docker Swarm stack file (`docker stack deploy -c FILE NAME`), from the same tuned export as
 * the compose target (orchestrators.ts): each service's limit and reservation in
 * deploy.resources (the only memory settings Swarm reads: it ignores mem_limit, mem_reservation
 * and oom_score_adj), its replicas, placement constraints from its hosts' labels, a memory-backed
 * tmpfs at /dev/shm where compose had shm_size (Swarm has none: moby#26714), the exported .conf
 * files as Swarm configs, and the secrets by reference (external: created with
 * `docker secret create`, never written here). Built as data, written by the yaml library.
 */
import { Document } from 'yaml';
import { commentText, composeLiteral, GENERATED_BY } from './common.ts';
import { commonLabels, objectName, type OrchestratedService } from './orchestrators.ts';
import type { Stack } from './stack.ts';
import { sizeFormat, withArticle } from '../../engine/units.ts';

/** Compose keys `docker stack deploy` does not apply (it warns "Ignoring unsupported options"), or that deploy.* replaces. */
const SWARM_DROPS = ['mem_limit', 'cpus', 'memswap_limit', 'mem_reservation', 'oom_score_adj', 'container_name', 'restart', 'depends_on', 'shm_size', 'privileged', 'devices', 'pid', 'network_mode'] as const;
/** What a dropped key costs, said in the service's comment. */
const DROP_NOTES: Partial<Record<(typeof SWARM_DROPS)[number], string>> = {
  oom_score_adj: 'Swarm sets no oom_score_adj: the OOM order of the compose file does not carry over (the limits still bound each service)',
  privileged: 'Swarm runs no privileged service: this one reads less of the host than under compose',
  devices: 'Swarm maps no devices',
  pid: 'Swarm has no pid: host',
  network_mode: 'Swarm has no network_mode: host; it runs on the stack network',
  depends_on: 'Swarm has no start order: the service retries until what it needs is up (restart_policy any)',
};

export type SwarmMemory = { name: string; limitMiB: number | null; reservationMiB: number | null; replicas: number; constraints: string[]; shmMiB: number | null };

/** The stack file as data, and what each service's memory is (for the tests). */
export function swarmModel(services: readonly OrchestratedService[]): { data: Record<string, unknown>; memory: SwarmMemory[]; comments: Map<string, string[]> } {
  const out: Record<string, Record<string, unknown>> = {};
  const configs = new Map<string, { file: string }>();
  const secrets = new Set<string>();
  const volumes = new Set<string>();
  const memory: SwarmMemory[] = [];
  const comments = new Map<string, string[]>();
  for (const s of services) {
    const svc: Record<string, unknown> = { ...s.svc };
    const notes: string[] = [];
    for (const key of SWARM_DROPS) {
      if (svc[key] === undefined) continue;
      const note = DROP_NOTES[key];
      if (note && !notes.includes(note)) notes.push(note);
      delete svc[key];
    }
    const constraints = commonLabels(s.hosts).map((l) => `node.labels.${l.key}==${l.value}`);
    const deploy: Record<string, unknown> = {
      replicas: s.replicas,
      resources: (s.svc.deploy as { resources?: unknown } | undefined)?.resources ?? {},
      restart_policy: { condition: 'any' },
    };
    if (constraints.length) deploy.placement = { constraints };
    else if (s.hosts.length > 0) notes.push(`its hosts (${s.hosts.map((h) => h.name).join(', ')}) share no label: no constraint, any node`);
    svc.deploy = deploy;
    // Volumes: the data volume stays; config bind mounts become Swarm configs; /dev/shm a tmpfs.
    const keep: unknown[] = [];
    for (const v of (s.svc.volumes as string[] | undefined) ?? []) {
      const source = v.split(':')[0]!;
      const config = s.configs.find((c) => `./${c.file}` === source);
      if (config) continue;
      if (source === `${s.name}-data`) volumes.add(source);
      keep.push(v);
    }
    if (s.shmMiB !== null) {
      // A memory-backed tmpfs: its pages are charged to the container's memory cgroup, inside its limit (as shm_size's are under compose).
      keep.push({ type: 'tmpfs', target: '/dev/shm', tmpfs: { size: Math.round(s.shmMiB * 1024 * 1024) } });
      notes.push(`/dev/shm: ${withArticle(sizeFormat(s.shmMiB))} tmpfs in place of shm_size (Swarm has none, moby#26714), counted inside its limit`);
    }
    if (keep.length) svc.volumes = keep;
    else delete svc.volumes;
    if (s.configs.length) {
      svc.configs = s.configs.map((c) => {
        const name = objectName(c.file);
        configs.set(name, { file: `./${c.file}` });
        return { source: name, target: c.target };
      });
    }
    for (const x of (svc.secrets as string[] | undefined) ?? []) secrets.add(x);
    // A port bound to one address (127.0.0.1) cannot be published so by Swarm's ingress, which
    // listens on every interface: left out rather than opened wider than the plan said.
    const ports = (svc.ports as string[] | undefined) ?? [];
    const open = ports.filter((p) => p.split(':').length < 3);
    if (open.length < ports.length) notes.push(`not published: ${ports.filter((p) => !open.includes(p)).join(', ')} (Swarm cannot bind one address; reach it through the stack network or docker exec)`);
    if (open.length) svc.ports = open;
    else delete svc.ports;
    out[s.name] = svc;
    memory.push({ name: s.name, limitMiB: s.memory.limit, reservationMiB: s.memory.reservation, replicas: s.replicas, constraints, shmMiB: s.shmMiB });
    comments.set(s.name, [s.memory.limit === null ? 'no memory limit: only the node bounds it' : `limit ${sizeFormat(s.memory.limit)}${s.memory.reservation !== null ? `, reserved ${sizeFormat(s.memory.reservation)}` : ''}`, ...notes]);
  }
  const data: Record<string, unknown> = { version: '3.8', services: literal(out) };
  if (volumes.size) data.volumes = Object.fromEntries([...volumes].map((v) => [v, {}]));
  if (configs.size) data.configs = Object.fromEntries(configs);
  if (secrets.size) data.secrets = Object.fromEntries([...secrets].map((x) => [x, { external: true }]));
  return { data, memory, comments };
}

/** Every string value with `$` doubled (compose interpolation), as compose.ts writes them. */
function literal(v: unknown): unknown {
  if (typeof v === 'string') return composeLiteral(v);
  if (Array.isArray(v)) return v.map(literal);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, literal(x)]));
  return v;
}

export function swarmFileName(stack: Stack): string {
  return stack.files.compose.replace(/^docker-compose-/, 'docker-stack-');
}

export function swarmYml(stack: Stack, services: readonly OrchestratedService[]): string {
  const m = swarmModel(services);
  const doc = new Document(m.data, { version: '1.2' });
  const header = [
    `${swarmFileName(stack)}. ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}: the Docker Swarm stack.`,
    `Run: docker stack deploy -c ${swarmFileName(stack)} NAME, after docker secret create for each secret below (from ./secrets/*, RUNBOOK.md).`,
    ...(stack.plan.hosts ? [`Label each node first: ${stack.plan.hosts.map((h) => (h.labels.length ? `${h.name}: ${h.labels.map((l) => `--label-add ${l}`).join(' ')}` : `${h.name}: no labels`)).join('; ')} (docker node update).`] : []),
  ];
  doc.commentBefore = header.map((l) => ` ${commentText(l)}`).join('\n');
  const servicesNode = doc.get('services', true) as { items?: Array<{ key: { value?: unknown; commentBefore?: string } }> } | undefined;
  for (const pair of servicesNode?.items ?? []) {
    const lines = typeof pair.key.value === 'string' ? m.comments.get(pair.key.value) : undefined;
    if (lines?.length) pair.key.commentBefore = lines.map((l) => ` ${commentText(l)}`).join('\n');
  }
  return doc.toString({ lineWidth: 0, indentSeq: true });
}
