/**
 * A service's limit is per container (engine report.ts limitOfAll), as Docker means it: the
 * compose export writes it on each replica (mem_limit and deploy.resources.limits.memory) with
 * deploy.replicas, and importing that file gives back the same per-container limit and count. Every
 * kind counts its containers (issue 16): the app kinds in settings.replicas, the others in the
 * service's `replicas`, so budget, risk, placement and capacity count N containers.
 */
import { describe, expect, it } from 'vitest';
import { parse as yamlParse, stringify as yamlStringify } from 'yaml';
import { planParse, replicasOf, type Plan } from '../../engine/schema.ts';
import { evaluate } from '../../engine/index.ts';
import { planToInput, planToText, planTextParse } from '../plan-file.ts';
import { readFileSync } from 'node:fs';
import { exportOf } from './index.ts';
import { composeImport } from '../compose-import/index.ts';

const parse = (input: unknown): Plan => {
  const r = planParse(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.plan;
};

describe('replicas round trip', () => {
  it.each([1, 3])('a fastapi service with %i replica(s) and a 768 MiB limit exports its per-container limit on each replica and imports back with the same limit', (replicas) => {
    const plan = parse({ host: { ram: '8GiB' }, services: [{ name: 'api', kind: 'fastapi', limit: '768MiB', settings: { replicas } }] });
    const out = exportOf(plan);
    const file = out.files.find((f) => /compose.*\.ya?ml$/.test(f.path))!;
    const api = (yamlParse(file.content) as { services: Record<string, { mem_limit?: unknown; deploy?: { replicas?: number; resources?: { limits?: { memory?: unknown } } } }> }).services.api!;
    // Each replica's limit, as Docker applies it: the plan's own, not 1/N of it, and the replicas.
    expect(String(api.mem_limit)).toBe('768m');
    expect(String(api.deploy!.resources!.limits!.memory)).toBe('768m');
    expect(api.deploy?.replicas ?? 1).toBe(replicas);
    const back = composeImport(file.content);
    if (!back.ok) throw new Error(JSON.stringify(back));
    const s = back.plan.services.find((x) => x.name === 'api')!;
    expect(s.limit).toBe(768);
    // The exported app (image app:latest) imports as a generic service: its replicas come back all the same.
    expect(replicasOf(s)).toBe(replicas);
  });
});

type ComposeSvc = { container_name?: string; deploy?: { replicas?: number } };
const composeOf = (plan: Plan) => yamlParse(exportOf(plan).files.find((f) => /compose.*\.ya?ml$/.test(f.path))!.content) as { services: Record<string, ComposeSvc> };

describe('replicas of every kind', () => {
  const compose = (replicas: string) => `services:
  worker:
    image: example/worker:1
    mem_limit: 256m
    deploy:
      replicas: ${replicas}
    x-headroom: {settings: {usage: {low: 60MiB, typical: 100MiB, high: 150MiB}}}
  cache:
    image: redis:7
    mem_limit: 300m
    scale: 2
`;

  it('imports deploy.replicas and scale for kinds without a replicas setting, and budgets N containers', () => {
    const one = composeImport(compose('1'));
    const three = composeImport(compose('3'));
    if (!one.ok || !three.ok) throw new Error('import failed');
    const w1 = one.plan.services.find((s) => s.name === 'worker')!;
    const w3 = three.plan.services.find((s) => s.name === 'worker')!;
    expect([w1.kind, replicasOf(w1), w3.kind, replicasOf(w3)]).toEqual(['generic', 1, 'generic', 3]);
    expect(replicasOf(three.plan.services.find((s) => s.name === 'cache')!)).toBe(2);
    expect(three.services.find((n) => n.service === 'worker')!.read).toContain('replicas 3 from deploy.replicas');
    const r1 = evaluate(one.plan).services.find((s) => s.name === 'worker')!;
    const r3 = evaluate(three.plan);
    const b3 = r3.services.find((s) => s.name === 'worker')!;
    // Three containers use three times one's memory; each is still held to its own 256 MiB limit.
    expect(b3.replicas).toBe(3);
    expect(b3.usageMiB.typical).toBeCloseTo(3 * r1.usageMiB.typical, 6);
    expect(b3.headroomMiB).toBeCloseTo(3 * 256 - 3 * 100, 6);
    expect(b3.risk.pOverLimit).toBeCloseTo(r1.risk.pOverLimit, 9);
    // The host counts every container's limit.
    expect(r3.host.setLimitsMiB - evaluate(one.plan).host.setLimitsMiB).toBe(2 * 256);
  });

  it('writes them back: compose deploy.replicas without container_name, and the plan file', () => {
    const r = composeImport(compose('3'));
    if (!r.ok) throw new Error('import failed');
    const out = composeOf(r.plan).services;
    expect(out.worker!.deploy?.replicas).toBe(3);
    expect(out.worker!.container_name).toBeUndefined();
    expect(out.cache!.deploy?.replicas).toBe(2);
    const back = composeImport(stringifyCompose(out));
    if (!back.ok) throw new Error(JSON.stringify(back.issues));
    expect(back.plan.services.map((s) => [s.name, replicasOf(s)])).toEqual([['worker', 3], ['cache', 2]]);
    const text = planToText(planToInput(r.plan));
    expect(text).toMatch(/name: worker\n(.*\n)*?\s+replicas: 3\n/);
    const again = planTextParse(text);
    if (!again.ok) throw new Error('plan file did not parse');
    expect(again.plan.services.map((s) => [s.name, replicasOf(s)])).toEqual([['worker', 3], ['cache', 2]]);
  });

  it("puts a plan's replicas on an app kind into its settings, and refuses two counts that disagree", () => {
    const app = parse({ host: { ram: '8GiB' }, services: [{ name: 'api', kind: 'fastapi', replicas: 2 }] });
    expect(app.services[0]!.settings).toMatchObject({ replicas: 2 });
    expect(app.services[0]!.replicas).toBeUndefined();
    const both = planParse({ host: { ram: '8GiB' }, services: [{ name: 'api', kind: 'fastapi', replicas: 2, settings: { replicas: 3 } }] });
    expect(both.ok).toBe(false);
    if (!both.ok) expect(both.issues[0]).toMatchObject({ path: 'services[0].replicas' });
    const tooMany = planParse({ host: { ram: '8GiB' }, services: [{ name: 'w', kind: 'generic', replicas: 65 }] });
    expect(tooMany.ok).toBe(false);
  });

  it('plane (test/corpus) with WEB_REPLICAS=3 budgets three web containers and exports them', () => {
    const text = readFileSync('test/corpus/plane/deployments/cli/community/docker-compose.yml', 'utf8');
    const base = composeImport(text);
    const scaled = composeImport(text, { environment: { WEB_REPLICAS: '3', WORKER_REPLICAS: '2' } });
    if (!base.ok || !scaled.ok) throw new Error('import failed');
    const web = scaled.plan.services.find((s) => s.name === 'web')!;
    expect(replicasOf(web)).toBe(3);
    expect(replicasOf(scaled.plan.services.find((s) => s.name === 'worker')!)).toBe(2);
    const b0 = evaluate(base.plan).services.find((s) => s.name === 'web')!;
    const b3 = evaluate(scaled.plan).services.find((s) => s.name === 'web')!;
    expect(b3.usageMiB.high).toBeCloseTo(3 * b0.usageMiB.high, 6);
    const out = composeOf(scaled.plan).services;
    expect(out.web!.deploy?.replicas).toBe(3);
    const back = composeImport(stringifyCompose(out));
    if (!back.ok) throw new Error(JSON.stringify(back.issues));
    expect(replicasOf(back.plan.services.find((s) => s.name === 'web')!)).toBe(3);
  });
});

function stringifyCompose(services: Record<string, ComposeSvc>): string {
  return yamlStringify({ services });
}

describe('capacity says a replicated service’s figures are one container’s', () => {
  it('usage over the limit per container, each of its N', async () => {
    const { capacity } = await import('../../engine/capacity.ts');
    const plan = parse({ host: { ram: '8GiB' }, services: [{ name: 'worker', kind: 'generic', limit: '120MiB', replicas: 3, settings: { usage: { low: '60MiB', typical: '100MiB', high: '150MiB' } } }] });
    const c = capacity(plan);
    const over = [c.binding, ...c.next, ...c.constraints].find((k) => k?.id === 'usage-over-limit' && k.service === 'worker')!;
    expect(over.message).toMatch(/^worker's high usage per container \(150 MiB, each of its 3 containers\) exceeds its 120 MiB limit even with no users/);
  });
});
