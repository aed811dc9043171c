/**
 * The Swarm and Kubernetes targets (issue 14): built from the same tuned export as the compose
 * file, and the Kubernetes manifests validated offline against the official API schemas by a
 * maintained library (kubernetes-models: the Kubernetes 1.27 OpenAPI schemas compiled to ajv
 * validators, shipped in the npm package, so no network is needed), on every preset and on
 * fast-check plans; each container's requests and limits read back and compared with the plan.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as yamlParse, parseAllDocuments } from 'yaml';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { planParse, type Plan, type PlanFileInput } from '../../engine/schema.ts';
import { PRESET_NAMES, presetGet } from '../../engine/presets.ts';
import { arbitraryPlan } from '../../engine/arbitrary.ts';
import { exportOf, stackOf } from './index.ts';
import { composeMemory } from './compose.ts';
import { orchestratedServices } from './orchestrators.ts';
import { dnsLabel } from './kubernetes.ts';
import { DATABASE_KINDS } from '../../engine/place.ts';

const parse = (input: unknown): Plan => {
  const r = planParse(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.plan;
};

/** The 4gb preset on two hosts: the database alone on one. */
function split(): PlanFileInput {
  const { host: _h, ...rest } = presetGet('4gb');
  return {
    ...rest,
    hosts: [{ name: 'app', ram: '4GiB', labels: ['role=app'] }, { name: 'db', ram: '4GiB', labels: ['role=db', 'disk=ssd'] }],
    services: rest.services.map((s) => ({ ...s, host: s.kind === 'postgres' ? 'db' : 'app' })),
  };
}

const MODELS: Record<string, { new (data: never): { validate(): void } }> = { Deployment, StatefulSet, ConfigMap, Service } as never;
type Obj = { kind: string; metadata: { name: string }; spec?: Record<string, unknown>; data?: Record<string, string> };
type Container = { name: string; resources: { requests?: { memory: string }; limits?: { memory: string } }; volumeMounts?: Array<{ name: string; mountPath: string }> };

/** Every object of the manifests, each validated against its official schema (throws with the path on the first error). */
function manifests(text: string): Obj[] {
  const docs = parseAllDocuments(text);
  return docs.map((d) => {
    expect(d.errors).toEqual([]);
    const o = d.toJS() as Obj;
    const Model = MODELS[o.kind];
    if (!Model) throw new Error(`unexpected kind ${o.kind}`);
    new Model(o as never).validate();
    return o;
  });
}

const mi = (q: string) => {
  const m = /^(\d+)Mi$/.exec(q);
  if (!m) throw new Error(`not a whole Mi quantity: ${q}`);
  return Number(m[1]);
};

function kubernetesOf(plan: Plan, tuned = false) {
  const out = exportOf(plan, { target: 'kubernetes', tuned });
  return { objects: manifests(out.files[0]!.content), exported: out };
}

/** Reads each workload's container memory back and compares it with the compose target's (the plan's limits, reservations at typical usage). */
function expectMemoryMatches(plan: Plan, objects: Obj[], tuned = false) {
  const described = exportOf(plan, { tuned }).plan;
  const stack = stackOf(described);
  const planned = new Map(composeMemory(stack).map((m) => [m.name, m]));
  const services = orchestratedServices(stack, exportOf(plan, { tuned }).files);
  const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  expect(workloads.length).toBe(planned.size);
  for (const s of services) {
    const w = workloads.find((o) => (o.spec!.template as { spec: { containers: Container[] } }).spec.containers[0]!.name === dnsLabel(s.name));
    expect(w, s.name).toBeDefined();
    const pod = (w!.spec!.template as { spec: { containers: Container[]; volumes?: Array<{ name: string; emptyDir?: { medium: string; sizeLimit: string } }>; nodeSelector?: Record<string, string> } }).spec;
    const c = pod.containers[0]!;
    const m = planned.get(s.name)!;
    // The limit: the plan's, in whole Mi, never lower.
    if (m.limit === null) expect(c.resources.limits).toBeUndefined();
    else {
      expect(mi(c.resources.limits!.memory)).toBe(Math.ceil(m.limit));
    }
    // The request: the limit for a database (Guaranteed QoS), else the typical usage the compose file reserves.
    const database = s.kind !== null && DATABASE_KINDS.has(s.kind);
    const request = database && m.limit !== null ? m.limit : m.reservation;
    if (request === null) expect(c.resources.requests).toBeUndefined();
    else expect(mi(c.resources.requests!.memory)).toBe(Math.ceil(request));
    if (database && m.limit !== null) expect(c.resources.requests).toEqual(c.resources.limits);
    // Stateful kinds keep their data in a claim; the others are Deployments.
    expect(w!.kind).toBe(s.dataPath ? 'StatefulSet' : 'Deployment');
    // /dev/shm: a memory-backed emptyDir of compose's shm_size, inside the container's limit.
    const shm = pod.volumes?.find((v) => v.emptyDir?.medium === 'Memory');
    if (s.shmMiB === null) expect(shm).toBeUndefined();
    else {
      // Counted inside the limit: never above it.
      expect(mi(shm!.emptyDir!.sizeLimit)).toBe(Math.ceil(m.limit === null ? s.shmMiB : Math.min(s.shmMiB, m.limit)));
      expect(c.volumeMounts!.find((v) => v.name === shm!.name)!.mountPath).toBe('/dev/shm');
    }
  }
}

describe('kubernetes target', () => {
  it.each(PRESET_NAMES)('the %s preset: every object valid against the Kubernetes API schemas, memory as planned (plain and tuned)', (name) => {
    const plan = parse(presetGet(name));
    for (const tuned of [false, true]) {
      const { objects } = kubernetesOf(plan, tuned);
      expectMemoryMatches(plan, objects, tuned);
    }
  });

  it('writes the 4gb stack as the issue asks: StatefulSet + claim for PostgreSQL, Guaranteed QoS, ConfigMap, Secret by reference, a Service per port, nodeSelector from the placement', () => {
    const plan = parse(split());
    const { objects } = kubernetesOf(plan);
    const pg = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'postgres')!;
    expect(pg).toBeDefined();
    const spec = pg.spec as { volumeClaimTemplates: unknown[]; template: { spec: { nodeSelector: Record<string, string>; containers: Container[]; volumes: Array<Record<string, unknown>> } } };
    expect(spec.volumeClaimTemplates).toHaveLength(1);
    expect(spec.template.spec.nodeSelector).toEqual({ role: 'db', disk: 'ssd' });
    const c = spec.template.spec.containers[0]!;
    expect(c.resources.requests).toEqual(c.resources.limits);
    expect(spec.template.spec.volumes.some((v) => (v.secret as { secretName?: string } | undefined)?.secretName === 'postgres-password')).toBe(true);
    expect(objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === 'postgres-config' && o.data!['postgresql.conf']!.includes('shared_buffers'))).toBe(true);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    const services = objects.filter((o) => o.kind === 'Service');
    expect(services.find((o) => o.metadata.name === 'postgres')!.spec!.ports).toEqual([{ name: 'p5432', port: 5432, targetPort: 5432 }]);
    const app = objects.find((o) => o.kind === 'Deployment' && (o.spec!.template as { spec: { nodeSelector?: Record<string, string> } }).spec.nodeSelector?.role === 'app');
    expect(app).toBeDefined();
  });

  it('fast-check plans: valid manifests, memory as planned', () => {
    fc.assert(
      fc.property(arbitraryPlan({ maxServices: 3 }), (input) => {
        const plan = parse(input);
        const { objects } = kubernetesOf(plan);
        expectMemoryMatches(plan, objects);
      }),
      { numRuns: 15 },
    );
  });

  it('the validator is not a rubber stamp: a quantity in MiB words fails', () => {
    const { exported } = kubernetesOf(parse(presetGet('4gb')));
    expect(() => manifests(exported.files[0]!.content.replace(/memory: (\d+)Mi/, 'memory: $1 MiB'))).toThrow(/memory/);
  });
});

type SwarmService = { deploy: { replicas: number; resources: { limits?: { memory: string }; reservations?: { memory: string } }; placement?: { constraints: string[] } }; volumes?: unknown[]; configs?: Array<{ source: string; target: string }>; secrets?: string[]; mem_limit?: unknown; shm_size?: unknown };

describe('swarm target', () => {
  it('writes deploy.resources, replicas, constraints from the labels, a /dev/shm tmpfs, configs and external secrets', () => {
    const plan = parse(split());
    const out = exportOf(plan, { target: 'swarm' });
    expect(out.files[0]!.path).toBe('docker-stack-4gb.yml');
    const doc = yamlParse(out.files[0]!.content) as { version: string; services: Record<string, SwarmService>; configs: Record<string, { file: string }>; secrets: Record<string, { external: boolean }> };
    expect(doc.version).toBe('3.8');
    const planned = new Map(composeMemory(stackOf(plan)).map((m) => [m.name, m]));
    for (const [name, svc] of Object.entries(doc.services)) {
      const m = planned.get(name)!;
      expect(svc.mem_limit).toBeUndefined();
      expect(svc.shm_size).toBeUndefined();
      if (m.limit !== null) expect(svc.deploy.resources.limits!.memory).toBe(`${m.limit}m`);
      if (m.reservation !== null) expect(svc.deploy.resources.reservations!.memory).toBe(`${m.reservation}m`);
    }
    const pg = doc.services.postgres!;
    expect(pg.deploy.placement!.constraints).toEqual(['node.labels.role==db', 'node.labels.disk==ssd']);
    expect(doc.services.fastapi!.deploy.placement!.constraints).toEqual(['node.labels.role==app']);
    const shmMiB = (plan.services.find((s) => s.kind === 'postgres')!.settings as { shmSize: number }).shmSize;
    expect(pg.volumes).toContainEqual({ type: 'tmpfs', target: '/dev/shm', tmpfs: { size: shmMiB * 1024 * 1024 } });
    expect(pg.configs).toEqual([{ source: 'postgresql.conf', target: '/etc/postgresql/postgresql.conf' }]);
    expect(doc.configs['postgresql.conf']).toEqual({ file: './postgresql.conf' });
    expect(doc.secrets.postgres_password).toEqual({ external: true });
    // The .conf files a config names are written beside it.
    for (const c of Object.values(doc.configs)) expect(out.files.some((f) => `./${f.path}` === c.file)).toBe(true);
  });

  it('a single-host plan has no constraints', () => {
    const out = exportOf(parse(presetGet('full')), { target: 'swarm' });
    const doc = yamlParse(out.files[0]!.content) as { services: Record<string, SwarmService> };
    for (const svc of Object.values(doc.services)) expect(svc.deploy.placement).toBeUndefined();
  });
});
