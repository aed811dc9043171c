// The engine counts one docker-proxy per port the export publishes (src/engine/host.ts,
// publishedPorts); the export decides which ports it publishes (src/formats/export/compose.ts).
// The two rules live apart (the engine cannot import the formats), so this test holds them together.
import { describe, expect, it } from 'vitest';
import { planParse, planWithFeatures, PRESET_NAMES, presetGet, type Plan, type PlanInput } from '../src/engine/index.ts';
import { hostReserve, publishedPorts } from '../src/engine/host.ts';
import { composeModel } from '../src/formats/export/compose.ts';
import { stackOf } from '../src/formats/export/stack.ts';

/** Host ports of one compose `ports` entry: "8000:8000" → 1, "8000-8002:8000" → 3. */
function hostPortsOf(entry: string): number {
  const parts = entry.split(':');
  const host = parts.length === 3 ? parts[1]! : parts[0]!;
  const m = /^(\d+)-(\d+)$/.exec(host);
  return m ? Number(m[2]) - Number(m[1]) + 1 : 1;
}

function exportedPorts(plan: Plan): number {
  return Object.values(composeModel(stackOf(plan)).services).reduce((n, s) => n + ((s.ports as string[] | undefined) ?? []).reduce((t, p) => t + hostPortsOf(p), 0), 0);
}

const parse = (input: PlanInput): Plan => {
  const r = planParse(input);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  return r.plan;
};

const threeReplicas = (): PlanInput => {
  const p = presetGet('4gb');
  return { ...p, services: p.services!.map((s) => (s.kind === 'fastapi' ? { ...s, settings: { ...s.settings, replicas: 3 } } : s)) };
};
const noMonitoring = (): PlanInput => {
  const p = presetGet('4gb');
  return { ...p, features: {}, services: p.services!.filter((s) => s.kind !== 'prometheus' && s.kind !== 'grafana') };
};

const cases: [string, PlanInput][] = [...PRESET_NAMES.map((n): [string, PlanInput] => [`preset ${n}`, presetGet(n)]), ['4gb with 3 app replicas', threeReplicas()], ['4gb without monitoring', noMonitoring()]];

describe('docker-proxy in the host reserve: one per port the export publishes', () => {
  it.each(cases)('%s', (_name, input) => {
    const plan = parse(input);
    const n = exportedPorts(plan);
    expect(n).toBeGreaterThan(0);
    const featured = planWithFeatures(plan);
    expect(publishedPorts(featured)).toBe(n);
    const proxy = hostReserve(featured, featured.services.length).components.find((c) => c.name === 'docker-proxy');
    expect(proxy?.note).toBe(`${n} published ports`);
  });
});
