/** evaluate's report: its findings are worked out when first read, once, and read like any field. */
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('./findings/index.ts', async (actual) => {
  const m = await actual<typeof import('./findings/index.ts')>();
  return { ...m, findingsOf: vi.fn(m.findingsOf) };
});
// The test setup loaded the engine with the real findingsOf: load it again over the counted one,
// with every kind, as the setup does.
vi.resetModules();
const { engineLoad } = await import('../app/derive/schema.ts');
await (await engineLoad()).kindsLoadAll();
const { evaluate } = await import('./evaluate.ts');
const { findingsOf } = await import('./findings/index.ts');
const { presetGet } = await import('./presets.ts');
const { planOf } = await import('./testing.ts');

afterEach(() => vi.mocked(findingsOf).mockClear());

describe('evaluate: findings on first read', () => {
  it('works the findings out when they are first read, and only once', () => {
    const r = evaluate(planOf(presetGet('4gb')));
    // The page paints these before it reads a finding.
    expect(r.host.freeMiB.typical).toBeGreaterThan(0);
    expect(r.services.length).toBe(5);
    expect(findingsOf).not.toHaveBeenCalled();
    const first = r.findings;
    expect(first.length).toBeGreaterThan(0);
    expect(r.findings).toBe(first);
    expect(findingsOf).toHaveBeenCalledTimes(1);
  });

  it('gives the same findings to a copy, to JSON and to a second evaluation', () => {
    const plan = planOf(presetGet('4gb'));
    const r = evaluate(plan);
    const ids = r.findings.map((f) => f.id);
    expect({ ...r }.findings.map((f) => f.id)).toEqual(ids);
    expect((JSON.parse(JSON.stringify(r)) as { findings: { id: string }[] }).findings.map((f) => f.id)).toEqual(ids);
    expect(evaluate(plan).findings).toEqual(r.findings);
    expect(Object.keys(r)).toContain('findings');
  });

  it('reads the guesses-at-zero scenarios only for findings: a guessed service still gets its basis on them', () => {
    const r = evaluate(planOf({ host: { ram: '1GiB', reserve: '100MiB', swap: 0 }, services: [{ name: 'mystery', kind: 'generic', limit: '64MiB' }] }));
    expect(findingsOf).not.toHaveBeenCalled();
    expect(r.services[0]!.basis).toBe('assumed');
    expect(r.findings.every((f) => f.basis !== undefined)).toBe(true);
    expect(vi.mocked(findingsOf).mock.calls[0]![1]).toBeDefined(); // the known-only scenarios went with it
  });
});
