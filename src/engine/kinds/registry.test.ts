import { describe, expect, it, vi } from 'vitest';
import { evaluate } from '../evaluate.ts';
import { planParse } from '../schema.ts';
import { PRESET_NAMES, presetGet } from '../presets.ts';

/** A fresh module graph: a registry with no kind loaded, and the plan schema and model that use it (the page's path). */
async function freshEngine() {
  vi.resetModules();
  const registry = await import('./registry.ts');
  const schema = await import('../plan-schema.ts');
  const model = await import('../evaluate.ts');
  return { ...registry, ...schema, ...model };
}

describe('the kinds registry, loaded by need (the page)', () => {
  it('knows every kind before any is loaded, and refuses to model one that is not loaded', async () => {
    const e = await freshEngine();
    expect(e.SERVICE_KINDS).toContain('mysql');
    expect(e.kindLoaded('mysql')).toBe(false);
    expect(() => e.kindOf('mysql')).toThrow(/kind mysql is not loaded/);
    await e.kindsLoad(['mysql']);
    expect(e.kindOf('mysql').kind).toBe('mysql');
    expect(e.kindLoaded('redis')).toBe(false);
  });

  it('needs a plan’s own kinds and the toggles’ (pgBouncer, AlertManager, the exporters as generic services)', async () => {
    const e = await freshEngine();
    expect(e.kindsNeeded(presetGet('4gb'))).toEqual(['fastapi', 'postgres', 'redis', 'pgbouncer', 'prometheus', 'grafana', 'alertmanager', 'generic']);
    expect(e.kindsNeeded({ services: [{ kind: 'mysql' }, { kind: 'nonsense' }, null] })).toEqual(['pgbouncer', 'alertmanager', 'generic', 'mysql']);
    expect(e.kindsNeeded('not a plan')).toEqual(['pgbouncer', 'alertmanager', 'generic']);
  });

  it.each(PRESET_NAMES)('evaluates preset %s with only its kinds loaded exactly as with every kind (toggles on and off)', async (name) => {
    const e = await freshEngine();
    const input = presetGet(name);
    await e.kindsLoad(e.kindsNeeded(input));
    expect(e.kindsReady(input)).toBe(true);
    expect(e.kindLoaded('clickhouse')).toBe(false);
    for (const features of [{}, { pgbouncer: true, alertmanager: true, exporters: true, semanticCache: true }]) {
      const doc = { ...input, features: { ...input.features, ...features } };
      const lean = e.planParse(doc);
      const full = planParse(doc);
      if (!lean.ok || !full.ok) throw new Error('the preset does not parse');
      expect(lean.plan).toEqual(full.plan);
      expect(e.evaluate(lean.plan)).toEqual(evaluate(full.plan));
    }
  });
});
