/**
 * The exported compose file, made runnable in the test's private engine, changing only:
 * - `image`: the local stand-in (test/docker/images.ts) for each exported image;
 * - `ports`: the host side only, re-bound to 127.0.0.1 on a port the engine picks (the export
 *   publishes fastapi on every interface at 8000; the test reaches nothing but loopback, and two
 *   runs on one machine must not collide); the container side stays;
 * - `cgroup_parent`: added, the emulated host's cgroup;
 * - `container_name`: prefixed only when asked (a second stack in the same engine);
 * - `oom_score_adj`: a negative value raised to 0 only when asked, on an engine that cannot lower
 *   it (no CAP_SYS_RESOURCE: the container would not start at all); the run reports it.
 * Services whose image has no local stand-in (Grafana) are left out and listed with the reason;
 * `depends_on` entries naming them are dropped. Extra test services (the webhook receiver) are
 * added under names the export does not use. Limits, commands, configs, healthchecks, shm sizes,
 * volumes, secrets and environment are the exported ones, byte for byte (`diffFromExport` proves it).
 */
import { localImageFor, localTag, notPackagedReason, type ImageName } from '../../test/docker/images.ts';

type Doc = { services: Record<string, Record<string, unknown>>; [k: string]: unknown };

export type LocalCompose = {
  doc: Doc;
  /** service → local image */
  images: Record<string, ImageName>;
  /** services left out, with why */
  skipped: { service: string; image: string; why: string }[];
};

/** "8000:8000", "127.0.0.1:9090:9090", "9090", long form → container port (and protocol). */
function containerPortOf(p: unknown): string {
  if (typeof p === 'number') return String(p);
  if (typeof p === 'string') {
    const [spec, proto] = p.split('/');
    const parts = spec!.split(':');
    const target = parts[parts.length - 1]!;
    return proto ? `${target}/${proto}` : target;
  }
  if (p && typeof p === 'object' && 'target' in p) {
    const o = p as { target: number | string; protocol?: string };
    return o.protocol && o.protocol !== 'tcp' ? `${o.target}/${o.protocol}` : String(o.target);
  }
  throw new Error(`ports entry ${JSON.stringify(p)}: not understood`);
}

export function localCompose(exported: Doc, opts: { cgroupParent: string; namePrefix?: string; extra?: Record<string, Record<string, unknown>>; clampNegativeOomScoreAdj?: boolean }): LocalCompose {
  const doc = structuredClone(exported);
  if (!doc.services || typeof doc.services !== 'object') throw new Error('the exported compose file has no services mapping');
  const images: Record<string, ImageName> = {};
  const skipped: LocalCompose['skipped'] = [];
  for (const [name, svc] of Object.entries(doc.services)) {
    const image = String(svc.image ?? '');
    const local = localImageFor(image);
    if (!local) {
      const why = notPackagedReason(image) ?? `no local image stands in for ${image}`;
      skipped.push({ service: name, image, why });
      delete doc.services[name];
      continue;
    }
    images[name] = local;
    svc.image = localTag(local);
    if (Array.isArray(svc.ports)) svc.ports = svc.ports.map((p) => `127.0.0.1::${containerPortOf(p)}`);
    svc.cgroup_parent = opts.cgroupParent;
    if (opts.clampNegativeOomScoreAdj && typeof svc.oom_score_adj === 'number' && svc.oom_score_adj < 0) svc.oom_score_adj = 0;
    if (opts.namePrefix && typeof svc.container_name === 'string') svc.container_name = `${opts.namePrefix}${svc.container_name}`;
  }
  const gone = new Set(skipped.map((s) => s.service));
  for (const svc of Object.values(doc.services)) {
    const dep = svc.depends_on;
    if (Array.isArray(dep)) svc.depends_on = dep.filter((d) => !gone.has(String(d)));
    else if (dep && typeof dep === 'object') for (const k of Object.keys(dep)) if (gone.has(k)) delete (dep as Record<string, unknown>)[k];
  }
  // Named volumes and secrets of skipped services stay declared: unused declarations are harmless.
  for (const [name, svc] of Object.entries(opts.extra ?? {})) {
    if (name in exported.services) throw new Error(`test service ${name} would replace the exported one`);
    doc.services[name] = { ...svc, cgroup_parent: opts.cgroupParent };
  }
  return { doc, images, skipped };
}

/** Every path where `local` differs from `exported` (for the report and the test that nothing else changed). */
export function diffFromExport(exported: unknown, local: unknown, path = ''): string[] {
  if (JSON.stringify(exported) === JSON.stringify(local)) return [];
  if (exported && local && typeof exported === 'object' && typeof local === 'object' && !Array.isArray(exported) && !Array.isArray(local)) {
    const keys = new Set([...Object.keys(exported), ...Object.keys(local)]);
    return [...keys].flatMap((k) => diffFromExport((exported as Record<string, unknown>)[k], (local as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return [path];
}
