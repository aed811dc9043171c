import { describe, expect, it, vi } from 'vitest';

/**
 * The page's first moments: only the opening plan's kinds (and the toggles') are loaded. A plan
 * that needs another kind waits for its model instead of reaching the engine without it.
 */
async function freshPage() {
  vi.resetModules();
  const { engineLoad } = await import('../derive/schema.ts');
  const e = await engineLoad();
  const { presetGet } = await import('../../engine/presets.ts');
  await e.kindsLoad(e.kindsNeeded(presetGet('4gb')));
  const { plannerStoreCreate } = await import('./store.ts');
  return { e, store: plannerStoreCreate({ input: presetGet('4gb'), past: [], notices: [] }) };
}

describe('the store before every kind is loaded', () => {
  it('adds a service of a kind not loaded yet once its model has arrived', async () => {
    const { e, store } = await freshPage();
    expect(e.kindsReady({ services: [{ kind: 'mysql' }] })).toBe(false);
    store.getState().actions.serviceAdd('mysql');
    await vi.waitFor(() => expect(store.getState().input.services.map((s) => s.kind)).toContain('mysql'));
    expect(e.kindsReady({ services: [{ kind: 'mysql' }] })).toBe(true);
    expect(store.getState().past).toHaveLength(1);
    expect(store.getState().notices).toEqual([]);
  });

  it('replaces the plan with one of other kinds once their models have arrived, and refuses a bad one with its reason', async () => {
    const { store } = await freshPage();
    const next = { host: { ram: '2GiB' }, services: [{ name: 'db', kind: 'mongodb', limit: '512MiB' }] } as never;
    expect(store.getState().actions.planReplace(next, { tone: 'info', text: 'Loaded.' })).toBe(true);
    await vi.waitFor(() => expect(store.getState().input).toBe(next));
    const bad = { host: { ram: '2GiB' }, services: [{ name: 'db', kind: 'clickhouse', limit: 'lots' }] } as never;
    store.getState().actions.planReplace(bad);
    await vi.waitFor(() => expect(store.getState().notices.at(-1)?.text).toMatch(/^That plan was not loaded: services\[0\]\.limit: expected a size/));
    expect(store.getState().input).toBe(next);
  });
});
