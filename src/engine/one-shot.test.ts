/** A one-shot service (plan oneShot: an init, a migration) is budgeted at startup, not in the steady state (budget.ts). */
import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.ts';
import { planOf } from './testing.ts';
import type { PlanInput } from './schema.ts';

const plan = (ram: string, init: { limit?: string; high: string; oneShot?: boolean }): PlanInput => ({
  host: { ram, reserve: '300MiB', swap: 0 },
  services: [
    { name: 'app', kind: 'generic', limit: '1GiB', settings: { usage: { low: '500MiB', typical: '600MiB', high: '900MiB' } } },
    { name: 'init', kind: 'generic', ...(init.limit ? { limit: init.limit } : {}), settings: { usage: { low: '100MiB', typical: '200MiB', high: init.high } }, ...(init.oneShot === false ? {} : { oneShot: true }) },
  ],
});

describe('one-shot services in the engine', () => {
  it('leaves the steady-state sums (usage, limits, risk) and says so on the service', () => {
    const once = evaluate(planOf(plan('4GiB', { limit: '512MiB', high: '400MiB' })));
    const always = evaluate(planOf(plan('4GiB', { limit: '512MiB', high: '400MiB', oneShot: false })));
    // The fixed 300 MiB reserve, app's 900 at high; the init's 400 only when it is counted.
    expect(once.host.usageMiB.high).toBe(1200);
    expect(always.host.usageMiB.high).toBe(1600);
    expect(once.host.setLimitsMiB).toBe(1024);
    expect(always.host.setLimitsMiB).toBe(1024 + 512);
    expect(once.services.find((s) => s.name === 'init')!.oneShot).toBe(true);
    expect(always.services.find((s) => s.name === 'init')!.oneShot).toBeUndefined();
    // Its own figures stay (its limit against its usage), and export keeps its limit.
    expect(once.services.find((s) => s.name === 'init')!.usageMiB.high).toBe(400);
    expect(always.host.startup).toBeNull();
  });

  it('checks it at startup: its high beside the others at typical and the reserve, against RAM', () => {
    const fits = evaluate(planOf(plan('2GiB', { high: '1000MiB' })));
    // 300 reserve + app 600 typical + init 1000 high = 1900 ≤ 2048.
    expect(fits.host.startup).toEqual({ services: ['init'], highMiB: 1000, usageMiB: 1900 });
    expect(fits.findings.map((f) => f.id)).not.toContain('one-shot-startup');
    const tight = evaluate(planOf(plan('2GiB', { high: '1300MiB' })));
    const f = tight.findings.find((x) => x.id === 'one-shot-startup');
    expect(f?.severity).toBe('warning');
    expect(f?.service).toBe('init');
    expect(f?.message).toMatch(/At startup init .* can need 2\.15 GiB against 2 GiB of RAM/);
    // Its limit caps it at startup as in the steady state.
    expect(evaluate(planOf(plan('2GiB', { limit: '1000MiB', high: '1300MiB' }))).host.startup!.highMiB).toBe(1000);
  });
});
