/** The ruby, php and beam kinds (their models, tuning and findings), and Node's high without a limit. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planOf } from '../testing.ts';
import { trafficOf } from '../traffic.ts';
import { evaluate } from '../evaluate.ts';
import { serviceUsage } from './index.ts';
import { tuneRuby } from './ruby.ts';
import { tunePhp } from './php.ts';
import { nodeHeapLimit } from './node.ts';
import type { PlanInput, ServiceKind, ServiceOf } from '../schema.ts';

type Svc = PlanInput['services'][number];
const planWith = (services: Svc[], ram = '4GiB') => planOf({ host: { ram }, services });
function usage(service: Svc, ram = '4GiB') {
  const plan = planWith([service], ram);
  return serviceUsage(plan.services[0]!, { plan, traffic: trafficOf(plan, 1), countOf: () => 1 });
}
const svc = <K extends ServiceKind>(service: Svc, ram = '4GiB') => planWith([service], ram).services[0] as ServiceOf<K>;
const findingsOf = (services: Svc[]) => evaluate(planWith(services)).findings;

describe('ruby', () => {
  it('Puma in cluster mode: workers × per process plus the master that boots the app', () => {
    const u = usage({ name: 'web', kind: 'ruby', settings: { server: 'puma', processes: 2, master: true, perProcess: '220MiB' } });
    expect(u.typical).toBeCloseTo(3 * 220, 6);
    expect(u.low).toBeLessThan(u.typical);
    expect(u.high).toBeCloseTo(2 * 220 * 1.4 + 220, 6);
  });

  it('too many workers for the limit: a finding whose fix is the tuner\'s count, which then fits', () => {
    const s: Svc = { name: 'web', kind: 'ruby', limit: '1GiB', settings: { server: 'puma', processes: 4, master: true } };
    const f = findingsOf([s]).find((x) => x.id === 'ruby-workers-over-limit')!;
    expect(f).toBeDefined();
    const t = tuneRuby(planWith([s]), svc<'ruby'>(s));
    expect(t.recommendedProcesses).toBe(2); // (2 × 256 × 1.4 + 256 = 973 ≤ 1024; 3 workers: 1331)
    expect(f.fix.changes).toEqual([{ service: 'web', key: 'settings.processes', value: 2 }]);
    const tuned = { ...s, settings: { ...s.settings, processes: 2 } };
    expect(usage(tuned).high).toBeLessThanOrEqual(1024);
    expect(findingsOf([tuned]).filter((x) => x.id === 'ruby-workers-over-limit')).toEqual([]);
  });

  it('usage is monotone in workers and memory per process; a tuned count fits its limit (properties)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 50, max: 1000 }), fc.integer({ min: 256, max: 16384 }), fc.boolean(), (n, per, limit, master) => {
      const s: Svc = { name: 'r', kind: 'ruby', limit: `${limit}MiB`, settings: { server: 'puma', processes: n, perProcess: `${per}MiB`, master } };
      const more = usage({ ...s, settings: { ...s.settings, processes: n + 1 } });
      const bigger = usage({ ...s, settings: { ...s.settings, perProcess: `${per + 1}MiB` } });
      const u = usage(s);
      expect(more.high).toBeGreaterThan(u.high);
      expect(bigger.typical).toBeGreaterThan(u.typical);
      const t = tuneRuby(planWith([s]), svc<'ruby'>(s));
      if (t.recommendedProcesses !== null) expect(usage({ ...s, settings: { ...s.settings, processes: t.recommendedProcesses } }).high).toBeLessThanOrEqual(limit + 1e-6);
    }));
  });
});

describe('php', () => {
  it('a dynamic FPM pool: start_servers at rest and typically, every child busy and grown at high; static keeps them all', () => {
    const dyn = usage({ name: 'p', kind: 'php', settings: { processes: 10, idle: 2, perProcess: '50MiB' } });
    expect(dyn.typical).toBeCloseTo(2 * 50 + 10, 6); // two children and the master
    expect(dyn.high).toBeCloseTo(10 * 50 * 1.4 + 10, 6);
    const stat = usage({ name: 'p', kind: 'php', settings: { pm: 'static', processes: 10, idle: 2, perProcess: '50MiB' } });
    expect(stat.typical).toBeCloseTo(10 * 50 + 10, 6);
  });

  it('memory_limit caps a child\'s growth; none (0) leaves the spread', () => {
    expect(usage({ name: 'p', kind: 'php', settings: { processes: 1, perProcess: '100MiB', memoryLimit: '16MiB', master: false } }).high).toBeCloseTo(116, 6);
    expect(usage({ name: 'p', kind: 'php', settings: { processes: 1, perProcess: '100MiB', memoryLimit: 0, master: false } }).high).toBeCloseTo(140, 6);
  });

  it("Apache's default 150 prefork children on a 1 GiB limit: critical only if the typical is over; the fix is the tuned count", () => {
    const s: Svc = { name: 'web', kind: 'php', limit: '1GiB', settings: { server: 'apache', processes: 150, idle: 5 } };
    const f = findingsOf([s]).find((x) => x.id === 'php-children-over-limit')!;
    expect(f.severity).toBe('warning');
    const t = tunePhp(planWith([s]), svc<'php'>(s));
    expect(t.recommendedProcesses).toBe(Math.floor((1024 - 10) / 70)); // 50 MiB × 1.4 per child, 10 MiB parent
    expect(f.fix.changes).toEqual([{ service: 'web', key: 'settings.processes', value: t.recommendedProcesses }]);
  });

  it('children × memory_limit over the limit, when the pool itself fits: an info finding', () => {
    const ids = findingsOf([{ name: 'nc', kind: 'php', limit: '512MiB', settings: { processes: 5, memoryLimit: '512MiB' } }]).map((x) => x.id);
    expect(ids).toContain('php-memory-limit-over-limit');
    expect(ids).not.toContain('php-children-over-limit');
  });
});

describe('beam', () => {
  it('one footprint: 0.6× at rest, 2× at high (assumed), basis documented for the catalogue\'s figure', () => {
    const u = usage({ name: 'b', kind: 'beam', settings: { memory: '200MiB' } });
    expect([u.low, u.typical, u.high]).toEqual([120, 200, 400]);
    const b = evaluate(planWith([{ name: 'plausible', kind: 'beam', settings: { app: 'plausible', memory: '200MiB' } }])).services[0]!;
    expect(b.basis).toBe('documented');
    expect(evaluate(planWith([{ name: 'rt', kind: 'beam', settings: { app: 'supabase-beam' } }])).services[0]!.basis).toBe('assumed');
  });
});

describe('node without a limit: the heap limit is a ceiling, not the usage', () => {
  it('on a 4 GiB and a 32 GiB host the same app has the same high, under its heap limit', () => {
    const s: Svc = { name: 'web', kind: 'node', settings: { perProcess: '150MiB' } };
    const small = usage(s, '4GiB');
    const big = usage(s, '32GiB');
    expect(small.high).toBeCloseTo(150 * 1.4, 6);
    expect(big.high).toBeCloseTo(small.high, 6);
    expect(nodeHeapLimit(svc<'node'>(s, '32GiB'), 32 * 1024)).toBeCloseTo(4096 + 48, 0);
  });

  it('a small --max-old-space-size still caps the high', () => {
    const u = usage({ name: 'web', kind: 'node', settings: { perProcess: '300MiB', maxOldSpace: '128MiB' } });
    expect(u.high).toBeCloseTo(Math.max(300, 70 + 128 + 48), 6);
  });

  it('the heap-from-host warning stays: nothing bounds a live set that grows', () => {
    expect(findingsOf([{ name: 'web', kind: 'node' }]).map((f) => f.id)).toContain('node-heap-from-host');
  });
});
