/**
 * What the Swarm and Kubernetes targets share: the tuned export's compose model (compose.ts, the
 * same one the compose target writes: one tuning, one set of limits and reservations) and where
 * each service runs (engine/hosts.ts). Each target turns these into its own format; neither
 * re-derives a limit.
 */
import { planWithFeatures } from '../../engine/features.ts';
import { hostsOfServices } from '../../engine/hosts.ts';
import { DATABASE_KINDS } from '../../engine/place.ts';
import type { NamedHost, ServiceKind } from '../../engine/schema.ts';
import { composeModel, type ComposeMemory } from './compose.ts';
import type { ExportFile } from './common.ts';
import type { Stack } from './stack.ts';

export const TARGETS = ['compose', 'swarm', 'kubernetes'] as const;
export type Target = (typeof TARGETS)[number];

export type OrchestratedService = {
  name: string;
  kind: ServiceKind | null;
  /** The compose service as the compose target writes it. */
  svc: Record<string, unknown>;
  memory: ComposeMemory;
  /** The hosts it runs on (a multi-host plan); empty: any node. */
  hosts: NamedHost[];
  /** Containers to run. */
  replicas: number;
  database: boolean;
  /** The config files it mounts from the export: the file, where, and its content. */
  configs: Array<{ file: string; target: string; content: string }>;
  /** Its named data volume's mount path, when it has one (stateful). */
  dataPath: string | null;
  /** /dev/shm's size in MiB, when compose set shm_size. */
  shmMiB: number | null;
};

/** compose's `512m` / `6400k` back to MiB (dockerSize's output, common.ts). */
export function mibOfDockerSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmg])$/.exec(v);
  if (!m) throw new Error(`not a compose size: ${v}`);
  const n = Number(m[1]);
  return m[2] === 'k' ? n / 1024 : m[2] === 'g' ? n * 1024 : n;
}

/** The export's services with what an orchestrator needs; `files` are the tuned export's files. */
export function orchestratedServices(stack: Stack, files: readonly ExportFile[]): OrchestratedService[] {
  const model = composeModel(stack);
  const whole = planWithFeatures(stack.plan);
  const placed = hostsOfServices(whole);
  const hostsByName = new Map((stack.plan.hosts ?? []).map((h) => [h.name, h]));
  const kinds = new Map(whole.services.map((s) => [s.name, s.kind]));
  const content = new Map(files.map((f) => [f.path, f.content]));
  return model.memory.map((memory) => {
    const svc = model.services[memory.name]!;
    const volumes = (svc.volumes as string[] | undefined) ?? [];
    const configs: OrchestratedService['configs'] = [];
    let dataPath: string | null = null;
    for (const v of volumes) {
      const [source, target] = v.split(':');
      if (source === undefined || target === undefined) continue;
      if (source.startsWith('./') && content.has(source.slice(2))) configs.push({ file: source.slice(2), target, content: content.get(source.slice(2))! });
      else if (source === `${memory.name}-data`) dataPath = target;
    }
    const kind = kinds.get(memory.name) ?? null;
    const deploy = svc.deploy as { replicas?: number } | undefined;
    return {
      name: memory.name,
      kind,
      svc,
      memory,
      hosts: (placed.get(memory.name) ?? []).map((h) => hostsByName.get(h)!),
      replicas: deploy?.replicas ?? 1,
      database: kind !== null && DATABASE_KINDS.has(kind),
      configs,
      dataPath,
      shmMiB: typeof svc.shm_size === 'string' ? mibOfDockerSize(svc.shm_size) : null,
    };
  });
}

/** The labels every host of `hosts` has: what a constraint (Swarm) or nodeSelector (Kubernetes) can require of all of them. */
export function commonLabels(hosts: readonly NamedHost[]): Array<{ key: string; value: string }> {
  if (hosts.length === 0) return [];
  const first = hosts[0]!.labels.filter((l) => hosts.every((h) => h.labels.includes(l)));
  return first.map((l) => {
    const i = l.indexOf('=');
    return { key: l.slice(0, i), value: l.slice(i + 1) };
  });
}

/** A config or secret name as both orchestrators accept it: lower case, digits, '-' and '.'. */
export function objectName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 253) || 'x';
}
