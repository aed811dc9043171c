/**
 * A service's CPU cap (`cpus`, per container) through the exports: the compose file writes it as
 * `cpus` and an equal deploy.resources.limits.cpus, importing that file gives the same cap back;
 * Swarm keeps deploy.resources only, Kubernetes writes a CPU limit in millicores.
 */
import { describe, expect, it } from 'vitest';
import { parse as yamlParse, parseAllDocuments } from 'yaml';
import { planParse, type Plan } from '../../engine/schema.ts';
import { presetGet } from '../../engine/presets.ts';
import { exportOf } from './index.ts';
import { composeImport } from '../compose-import/index.ts';
import { planToInput } from '../plan-file.ts';

const parse = (input: unknown): Plan => {
  const r = planParse(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.plan;
};

/** The 4 GB seed with the app capped at 1.5 CPUs and PostgreSQL at 0.75; the host says its vCPUs. */
function capped(): Plan {
  const p = presetGet('4gb');
  const caps: Record<string, number> = { fastapi: 1.5, postgres: 0.75 };
  return parse({ ...p, host: { ...p.host, cpus: 3 }, services: p.services.map((s) => (caps[s.kind] === undefined ? s : { ...s, cpus: caps[s.kind] })) });
}

type ComposeSvc = { cpus?: unknown; deploy?: { resources?: { limits?: { cpus?: unknown; memory?: unknown } } } };

describe('cpus through the exports', () => {
  const plan = capped();
  const caps = new Map(plan.services.map((s) => [s.name, s.cpus]));

  it('the compose file writes each cap as cpus and an equal deploy.resources.limits.cpus, and nothing for a service without one', () => {
    const file = exportOf(plan).files.find((f) => /compose.*\.ya?ml$/.test(f.path))!;
    const services = (yamlParse(file.content) as { services: Record<string, ComposeSvc> }).services;
    for (const [name, cpus] of caps) {
      const svc = services[name]!;
      if (cpus === undefined) {
        expect(svc.cpus, name).toBeUndefined();
        expect(svc.deploy?.resources?.limits?.cpus, name).toBeUndefined();
      } else {
        expect(svc.cpus, name).toBe(cpus);
        expect(Number(svc.deploy!.resources!.limits!.cpus), name).toBe(cpus);
        // The memory limit beside it stays.
        expect(svc.deploy!.resources!.limits!.memory, name).toBeDefined();
      }
    }
    expect(file.content).toContain('at most 1.5 CPUs per container (cpus)');
  });

  it('export → import keeps every service\'s cpus', () => {
    const file = exportOf(plan).files.find((f) => /compose.*\.ya?ml$/.test(f.path))!;
    const back = composeImport(file.content);
    if (!back.ok) throw new Error(JSON.stringify(back.issues));
    for (const [name, cpus] of caps) expect(back.plan.services.find((s) => s.name === name)?.cpus, name).toBe(cpus);
    expect(back.services.find((n) => n.service === 'fastapi')!.read).toContain('cpus 1.5 from deploy.resources.limits.cpus (and cpus, equal)');
  });

  it('the plan file keeps the services\' cpus and the host\'s', () => {
    const again = parse(planToInput(plan));
    expect(again.host.cpus).toBe(3);
    expect(again.services.map((s) => s.cpus)).toEqual(plan.services.map((s) => s.cpus));
  });

  it('Swarm keeps deploy.resources.limits.cpus and drops the short cpus key', () => {
    const file = exportOf(plan, { target: 'swarm' }).files.find((f) => /\.ya?ml$/.test(f.path) && /services:/.test(f.content))!;
    const services = (yamlParse(file.content) as { services: Record<string, ComposeSvc> }).services;
    expect(services.fastapi!.cpus).toBeUndefined();
    expect(Number(services.fastapi!.deploy!.resources!.limits!.cpus)).toBe(1.5);
    expect(services.redis!.deploy?.resources?.limits?.cpus).toBeUndefined();
  });

  it('Kubernetes writes the cap as a CPU limit in millicores', () => {
    const text = exportOf(plan, { target: 'kubernetes' }).files[0]!.content;
    const containers = parseAllDocuments(text)
      .map((d) => d.toJS() as { kind: string; spec?: { template?: { spec?: { containers?: Array<{ name: string; resources?: { limits?: Record<string, string> } }> } } } })
      .flatMap((o) => o.spec?.template?.spec?.containers ?? []);
    const limitOf = (name: string) => containers.find((c) => c.name === name)?.resources?.limits;
    expect(limitOf('fastapi')?.cpu).toBe('1500m');
    expect(limitOf('postgres')?.cpu).toBe('750m');
    expect(limitOf('redis')?.cpu).toBeUndefined();
  });
});
