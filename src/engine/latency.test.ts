/** CPU and latency (issue 15): the model's closed forms, its defaults, and its invariants. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitraryPlan } from './arbitrary.ts';
import { planOf } from './testing.ts';
import { evaluate } from './evaluate.ts';
import { hostLoadOf, loadKeyOf, scenarioOf } from './budget.ts';
import { planWithFeatures } from './features.ts';
import { capacity } from './capacity.ts';
import { presetGet } from './presets.ts';
import { defaultCpus, hostCpus } from './cpu.ts';
import type { Latency } from './report.ts';
import type { PlanInput } from './schema.ts';

const RUNS = { numRuns: 60, seed: 20261215 };
const p95 = (l: Latency | null) => (l === null ? 0 : l.p95 ?? Infinity);
const p99 = (l: Latency | null) => (l === null ? 0 : l.p99 ?? Infinity);
const withCpus = (p: PlanInput, cpus: number): PlanInput => ({ ...p, host: { ...p.host, cpus } });
const withUsers = (p: PlanInput, activeUsers: number): PlanInput => ({ ...p, workload: { ...p.workload, activeUsers } });

describe('host vCPUs', () => {
  it('default to the published plans\' 1 per 2 GiB, at least 1; a plan\'s own cpus win', () => {
    expect([1024, 2048, 4096, 8192, 16384].map(defaultCpus)).toEqual([1, 1, 2, 4, 8]);
    expect(hostCpus({ ram: 4096 })).toBe(2);
    expect(hostCpus({ ram: 4096, cpus: 3 })).toBe(3);
  });
});

describe('latency', () => {
  const app = (users: number, extra: Partial<PlanInput> = {}): PlanInput => ({
    host: { ram: '4GiB', cpus: 2 },
    workload: { activeUsers: users, requestTimeMs: 100 },
    services: [{ name: 'api', kind: 'fastapi', limit: '1GiB', settings: { workers: 2, cpuPerRequestMs: 2.5 } }],
    ...extra,
  });

  it('is the request\'s own fixed time when nothing queues (calibration/latency.json): p50 = p95 = p99 = requestTimeMs', () => {
    const l = evaluate(planOf(app(1))).latency!;
    expect(l.p50!).toBeCloseTo(100, 1);
    expect(l.p95!).toBeCloseTo(100, 1);
    expect(l.p99!).toBeCloseTo(100, 1);
    expect(l).toMatchObject({ service: 'api', saturated: null, workers: 2, basis: 'modelled' });
  });

  it('grows without bound when requests need more CPU than the workers\' cores: null percentiles, saturated cpu', () => {
    // 8,000 users × 6 a minute = 800 rps × 2.5 ms = 2 cores > the 2 workers' 2 cores.
    const r = evaluate(planOf(app(8000)));
    expect(r.latency).toMatchObject({ p50: null, p95: null, p99: null, saturated: 'cpu' });
    expect(r.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['cpu-saturated', 'latency-over-criterion']));
    const f = r.findings.find((x) => x.id === 'cpu-saturated')!;
    expect(f.fix.changes).toEqual([{ key: 'host.cpus', value: expect.any(Number) }]);
  });

  it('the semantic cache cuts both the app\'s CPU and the request\'s time', () => {
    const plain = evaluate(planOf(app(3000)));
    const cached = evaluate(planOf(app(3000, { features: { semanticCache: true }, services: [...app(0).services, { name: 'redis', kind: 'redis', limit: '256MiB' }] })));
    expect(cached.services.find((s) => s.name === 'api')!.cpu!.typical).toBeLessThan(plain.services[0]!.cpu!.typical);
    expect(cached.latency!.p50!).toBeLessThan(plain.latency!.p50!);
  });

  it('gives a plan the same percentiles whatever was evaluated before it (the percentiles\' memo is keyed by every number of the mix)', () => {
    const plan = planOf(app(400, { workload: { activeUsers: 400, requestTimeMs: 120 } }));
    const first = evaluate(plan).latency;
    // Far more other mixes than the memo holds (it is cleared when full), then near neighbours of this one.
    for (let users = 1; users <= 600; users += 1) evaluate(planOf(app(users, { workload: { activeUsers: users, requestTimeMs: 120 } })));
    for (const requestTimeMs of [119, 121]) evaluate(planOf(app(400, { workload: { activeUsers: 400, requestTimeMs } })));
    expect(evaluate(plan).latency).toEqual(first);
    expect(evaluate(planOf(app(400, { workload: { activeUsers: 400, requestTimeMs: 121 } }))).latency!.p95).not.toBe(first!.p95);
  });

  it('reports each modelled service\'s CPU and leaves the others null', () => {
    const r = evaluate(planOf({ host: { ram: '4GiB' }, services: [{ name: 'api', kind: 'fastapi', limit: '1GiB' }, { name: 'g', kind: 'grafana', limit: '256MiB' }, { name: 'db', kind: 'postgres', limit: '1GiB' }] }));
    expect(r.services.map((s) => s.cpu === null)).toEqual([false, true, false]);
    expect(r.host.cpus).toBe(2);
    expect(r.host.cpu.typical).toBeCloseTo(r.services.reduce((t, s) => t + (s.cpu?.typical ?? 0), 0), 12);
    expect(r.host.cpu.high).toBeGreaterThan(r.host.cpu.typical);
  });
});

describe('CPU and latency invariants (fast-check, seeded)', () => {
  it('more cores never raise latency', () => {
    fc.assert(fc.property(arbitraryPlan(), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 16 }), (p, cpus, more) => {
      const a = evaluate(planOf(withCpus(p, cpus)));
      const b = evaluate(planOf(withCpus(p, cpus + more)));
      for (const [x, y] of [[a.latency, b.latency], [a.spike.latency, b.spike.latency]] as const) {
        expect(p95(y)).toBeLessThanOrEqual(p95(x) + 1e-6);
        expect(p99(y)).toBeLessThanOrEqual(p99(x) + 1e-6);
      }
    }), RUNS);
  });

  it('hostLoadOf gives scenarioOf\'s vCPUs, CPU and latency without the memory models (the latency fix search asks it)', () => {
    fc.assert(fc.property(arbitraryPlan(), fc.constantFrom(1, 3, 5), (p, m) => {
      const whole = planWithFeatures(planOf(p));
      const sc = scenarioOf(whole, m, whole.implied);
      const load = hostLoadOf(whole, m);
      expect(load.host.cpus).toBe(sc.host.cpus);
      expect(load.host.cpu).toEqual(sc.host.cpu);
      expect(load.latency).toEqual(sc.latency);
    }), RUNS);
  });

  it('no memory limit enters a scenario\'s load: hostLoadOf and loadKeyOf are the same whatever the limits (the latency fix\'s memo rests on it)', () => {
    fc.assert(fc.property(arbitraryPlan(), fc.array(fc.option(fc.integer({ min: 16, max: 16_384 }), { nil: null }), { minLength: 8, maxLength: 8 }), fc.constantFrom(1, 3, 5), (p, limits, m) => {
      const a = planWithFeatures(planOf(p));
      const b = planWithFeatures(planOf({ ...p, services: p.services.map((s, i) => ({ ...s, limit: limits[i] === null ? undefined : `${limits[i]}MiB` })) }));
      expect(loadKeyOf(b)).toBe(loadKeyOf(a));
      expect(hostLoadOf(b, m)).toEqual(hostLoadOf(a, m));
    }), RUNS);
  });

  it('a latency finding\'s fix is the same after a limit edit, and each evaluation has its own copy of it', () => {
    const seed = planOf(presetGet('4gb'));
    const first = evaluate(seed).findings.find((f) => f.id.endsWith('latency-over-criterion'));
    expect(first?.fix.changes.length).toBeGreaterThan(0);
    const edited = { ...seed, services: seed.services.map((s) => (s.name === first!.service ? { ...s, limit: s.limit! + 1 } : s)) };
    const again = evaluate(edited).findings.find((f) => f.id === first!.id)!;
    expect(again.fix).toEqual(first!.fix);
    expect(again.fix.changes).not.toBe(first!.fix.changes);
    expect(again.fix.changes[0]).not.toBe(first!.fix.changes[0]);
  });

  it('more users never lower latency', () => {
    fc.assert(fc.property(arbitraryPlan(), fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 1, max: 50_000 }), (p, users, more) => {
      const a = evaluate(planOf(withUsers(p, users)));
      const b = evaluate(planOf(withUsers(p, users + more)));
      expect(p95(b.latency)).toBeGreaterThanOrEqual(p95(a.latency) - 1e-6);
      expect(p99(b.latency)).toBeGreaterThanOrEqual(p99(a.latency) - 1e-6);
      expect(b.host.cpu.typical).toBeGreaterThanOrEqual(a.host.cpu.typical - 1e-9);
    }), RUNS);
  });

  it('more cores never lower capacity', () => {
    fc.assert(fc.property(arbitraryPlan({ maxServices: 2 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), (p, cpus, more) => {
      const a = capacity(planOf(withCpus(p, cpus)), undefined, false);
      const b = capacity(planOf(withCpus(p, cpus + more)), undefined, false);
      expect(b.users ?? Infinity).toBeGreaterThanOrEqual(a.users ?? Infinity);
      expect(b.spike.users ?? Infinity).toBeGreaterThanOrEqual(a.spike.users ?? Infinity);
    }), { numRuns: 30, seed: 20261215 });
  });
});
