/**
 * Kubernetes manifests from the same tuned export as the compose target (orchestrators.ts): a
 * StatefulSet with a volume claim for each service that keeps data, a Deployment for each one
 * that does not; memory requests and limits in Mi (requests = limits for the databases:
 * Guaranteed QoS when they are the pod's only container, as here); /dev/shm as an emptyDir
 * {medium: Memory, sizeLimit} — its pages count inside the container's limit, as shm_size's do
 * under Docker — a ConfigMap for each service's config files, Secrets by reference (created by
 * `kubectl create secret`, never written here), nodeSelector from the placement's labels, and a
 * Service per port. Converters get this wrong (kompose writes raw bytes and drops /dev/shm,
 * kompose#2042). Built as data, written by the yaml library, one document per object.
 */
import { Document } from 'yaml';
import { commentText, GENERATED_BY } from './common.ts';
import { commonLabels, type OrchestratedService } from './orchestrators.ts';
import type { Stack } from './stack.ts';
import { formatOf } from '../kinds/index.ts';
import { withArticle } from '../../engine/units.ts';

/** The claim each stateful service asks for. Assumed: the plan does not size disks; 10 GiB is a
 * starting point the operator resizes (the runbook's disk checks say when). */
export const VOLUME_CLAIM = '10Gi';

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: unknown };

/** A DNS-1035 label (Service, container and volume names): lower case, digits, '-', starting with a letter, at most 63. */
export function dnsLabel(s: string): string {
  const base = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 63).replace(/-+$/, '');
  return base || 'svc';
}

/** MiB as a Kubernetes quantity, whole Mi rounded up (a limit is never written lower than planned). */
export const mi = (mib: number): string => `${Math.ceil(mib)}Mi`;

/** The container ports: the compose ports' targets and the kind's own port. */
function portsOf(s: OrchestratedService): number[] {
  const out = new Set<number>();
  for (const p of (s.svc.ports as string[] | undefined) ?? []) {
    const target = Number(String(p).split(':').at(-1));
    if (Number.isInteger(target) && target > 0) out.add(target);
  }
  const own = s.kind ? formatOf(s.kind).port : undefined;
  if (own) out.add(own);
  return [...out].sort((a, b) => a - b);
}

export type K8sMemory = { name: string; workload: 'StatefulSet' | 'Deployment'; requestMiB: number | null; limitMiB: number | null; shmMiB: number | null; nodeSelector: Record<string, string> };

/** Every object, and each workload's memory (for the tests). */
export function kubernetesModel(services: readonly OrchestratedService[]): { objects: K8sObject[]; memory: K8sMemory[]; notes: Map<string, string[]> } {
  const objects: K8sObject[] = [];
  const memory: K8sMemory[] = [];
  const notes = new Map<string, string[]>();
  const taken = new Set<string>();
  const unique = (base: string) => {
    let n = dnsLabel(base);
    for (let i = 2; taken.has(n); i++) n = `${dnsLabel(base).slice(0, 58)}-${i}`;
    taken.add(n);
    return n;
  };
  for (const s of services) {
    const name = unique(s.name);
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'headroom' };
    const note: string[] = [];
    const limit = s.memory.limit;
    // Databases: request = limit (Guaranteed QoS: evicted last, never over-committed); others reserve their typical usage.
    const request = s.database && limit !== null ? limit : s.memory.reservation;
    const resources: Record<string, unknown> = {};
    if (request !== null) resources.requests = { memory: mi(request) };
    if (limit !== null) resources.limits = { memory: mi(limit) };
    // The plan's CPU cap (compose's deploy.resources.limits.cpus) as a CPU limit in millicores.
    const cpus = Number(((s.svc.deploy as { resources?: { limits?: { cpus?: unknown } } } | undefined)?.resources?.limits?.cpus) ?? NaN);
    if (Number.isFinite(cpus) && cpus > 0) resources.limits = { ...((resources.limits as object | undefined) ?? {}), cpu: `${Math.max(1, Math.round(cpus * 1000))}m` };
    const volumes: unknown[] = [];
    const mounts: unknown[] = [];
    if (s.dataPath) mounts.push({ name: 'data', mountPath: s.dataPath });
    if (s.shmMiB !== null) {
      // Its pages count inside the container's limit: a sizeLimit above the limit could never be reached.
      const shm = limit === null ? s.shmMiB : Math.min(s.shmMiB, limit);
      volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: mi(shm) } });
      mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
      note.push(`/dev/shm: ${withArticle(mi(shm))} memory-backed emptyDir, counted inside the ${limit === null ? 'node' : mi(limit)} limit${shm < s.shmMiB ? ` (the plan's shm_size ${mi(s.shmMiB)} is over the limit)` : ''}`);
    }
    if (s.configs.length) {
      const cm = `${name}-config`;
      objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cm, labels }, data: Object.fromEntries(s.configs.map((c) => [configKey(c.file), c.content])) });
      volumes.push({ name: 'config', configMap: { name: cm } });
      for (const c of s.configs) mounts.push({ name: 'config', mountPath: c.target, subPath: configKey(c.file), readOnly: true });
    }
    for (const secret of (s.svc.secrets as string[] | undefined) ?? []) {
      const vol = dnsLabel(`secret-${secret}`);
      volumes.push({ name: vol, secret: { secretName: dnsLabel(secret) } });
      mounts.push({ name: vol, mountPath: `/run/secrets/${secret}`, subPath: secret, readOnly: true });
      note.push(`secret ${dnsLabel(secret)} by reference: kubectl create secret generic ${dnsLabel(secret)} --from-file=${secret}=./secrets/${secret}`);
    }
    const others = ((s.svc.volumes as string[] | undefined) ?? []).filter((v) => {
      const source = v.split(':')[0]!;
      return source !== `${s.name}-data` && !s.configs.some((c) => `./${c.file}` === source);
    });
    if (others.length) note.push(`host mounts left out (${others.join(', ')}): a DaemonSet with hostPath volumes is the Kubernetes way, not written here`);
    const container: Record<string, unknown> = { name: dnsLabel(s.name), image: String(s.svc.image ?? 'busybox') };
    const command = s.svc.command;
    if (Array.isArray(command)) container.args = command.map(String);
    else if (typeof command === 'string') container.command = ['/bin/sh', '-c', command];
    const env = s.svc.environment as Record<string, string> | undefined;
    if (env && Object.keys(env).length) container.env = Object.entries(env).map(([k, v]) => ({ name: k, value: String(v) }));
    const ports = portsOf(s);
    if (ports.length) container.ports = ports.map((p) => ({ containerPort: p }));
    container.resources = resources;
    if (mounts.length) container.volumeMounts = mounts;
    const nodeSelector = Object.fromEntries(commonLabels(s.hosts).map((l) => [l.key, l.value]));
    const pod: Record<string, unknown> = { containers: [container] };
    if (Object.keys(nodeSelector).length) pod.nodeSelector = nodeSelector;
    if (volumes.length) pod.volumes = volumes;
    const template = { metadata: { labels }, spec: pod };
    const selector = { matchLabels: labels };
    // A Service per port: name-PORT when it has several.
    const serviceNames = ports.map((p) => (ports.length === 1 ? name : unique(`${name}-${p}`)));
    ports.forEach((p, i) => objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: serviceNames[i]!, labels }, spec: { selector: labels, ports: [{ name: `p${p}`, port: p, targetPort: p }] } }));
    if (s.dataPath) {
      let serviceName = serviceNames[0];
      if (!serviceName) {
        serviceName = name;
        objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec: { clusterIP: 'None', selector: labels } });
      }
      objects.push({
        apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, labels },
        spec: { serviceName, replicas: s.replicas, selector, template, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: VOLUME_CLAIM } } } }] },
      });
    } else {
      objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels }, spec: { replicas: s.replicas, selector, template } });
    }
    memory.push({ name: s.name, workload: s.dataPath ? 'StatefulSet' : 'Deployment', requestMiB: request, limitMiB: limit, shmMiB: s.shmMiB, nodeSelector });
    notes.set(name, note);
  }
  return { objects, memory, notes };
}

/** A ConfigMap key: the file name (keys allow letters, digits, '-', '_' and '.'). */
function configKey(file: string): string {
  return file.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function kubernetesFileName(stack: Stack): string {
  return stack.files.compose.replace(/^docker-compose-/, 'kubernetes-').replace(/\.yml$/, '.yaml');
}

export function kubernetesYaml(stack: Stack, services: readonly OrchestratedService[]): string {
  const m = kubernetesModel(services);
  const header = [
    `${kubernetesFileName(stack)}. ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}: Kubernetes manifests.`,
    'Run: create each Secret named below (kubectl create secret generic NAME --from-file=KEY=./secrets/KEY), then kubectl apply -f this file.',
    ...(stack.plan.hosts ? [`Label each node first: ${stack.plan.hosts.map((h) => `${h.name}: ${h.labels.join(' ') || 'no labels'}`).join('; ')} (kubectl label node NODE key=value).`] : []),
  ];
  return m.objects
    .map((o, i) => {
      const doc = new Document(o, { version: '1.2' });
      const lines = [...(i === 0 ? header : []), ...(o.kind === 'StatefulSet' || o.kind === 'Deployment' ? (m.notes.get(o.metadata.name) ?? []) : [])];
      if (lines.length) doc.commentBefore = lines.map((l) => ` ${commentText(l)}`).join('\n');
      return doc.toString({ lineWidth: 0, indentSeq: true });
    })
    .join('---\n');
}
