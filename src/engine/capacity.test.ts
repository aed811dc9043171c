import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { capacity, checksOf, CHECK_IDS, scenarioAt, type Capacity } from './capacity.ts';
import { planWithFeatures } from './features.ts';
import { evaluate } from './evaluate.ts';
import { arbitraryPlan } from './arbitrary.ts';
import { planOf, presetPlan } from './testing.ts';
import type { Plan, PlanInput } from './schema.ts';

const RUNS = { numRuns: 120, seed: 20261206 };

/** The 4gb preset with its static failures fixed, so that users are what breaks it. */
function fixed4gb(edit?: (p: PlanInput) => void): Plan {
  return presetPlan('4gb', (p) => {
    const svc = (n: string) => p.services.find((s) => s.name === n)!;
    svc('grafana').limit = '256MiB';
    svc('prometheus').limit = '256MiB';
    svc('postgres').limit = '1100MiB';
    svc('fastapi').limit = '1GiB';
    p.host.ram = '3.5GiB';
    p.host.cpus = 2; // the 4 GiB host's 2 vCPUs (3.5 GiB alone would default to 1)
    svc('postgres').settings = { ...svc('postgres').settings, maxConnections: 60 };
    svc('redis').settings = { ...svc('redis').settings, maxmemory: '100MiB' };
    edit?.(p);
  });
}

/** Pass/fail of every check at `users` × `multiplier`, from a fresh scenario (no memo). */
function failing(plan: Plan, users: number, multiplier = 1): string[] {
  const expanded = planWithFeatures(plan);
  return checksOf(expanded, scenarioAt(expanded, users, multiplier)).filter((c) => c.fails).map((c) => `${c.id} ${c.service ?? 'host'}`);
}

/**
 * Random plans mostly fail at 0 users (a random limit under a fixed footprint). This one lifts
 * every limit to its high usage at 0 users × 1–3 and the connection limits out of the way, so
 * that users are what breaks it, and the search has work to do.
 */
const feasiblePlan = fc.tuple(arbitraryPlan(), fc.array(fc.double({ min: 1, max: 3, noNaN: true }), { minLength: 16, maxLength: 16 })).map(([input, factors]) => {
  const out = structuredClone(input);
  for (const s of out.services) {
    if (s.kind === 'postgres') s.settings = { ...s.settings, maxConnections: 5000 };
    if (s.kind === 'pgbouncer') s.settings = { ...s.settings, maxClientConn: 100_000 };
  }
  const idle = evaluate(planOf({ ...out, workload: { ...out.workload, activeUsers: 0 } }));
  out.services.forEach((s, i) => {
    const high = idle.services.find((x) => x.name === s.name)!.usageMiB.high;
    s.limit = `${Math.ceil(high * factors[i]!) + 1}MiB`;
  });
  return out;
});
const plans = fc.oneof(arbitraryPlan(), feasiblePlan);

const withUsers = (plan: Plan, users: number, spike = plan.workload.spike): Plan => ({ ...plan, workload: { ...plan.workload, activeUsers: users, spike } });
const usersOrInf = (c: { users: number | null }) => c.users ?? Infinity;

describe('capacity', () => {
  it('the 4gb preset as the seed wrote it fails even at 0 users, the worst overrun first', () => {
    const c = capacity(presetPlan('4gb'));
    expect(c).toMatchObject({ users: 0, status: 'fails-at-zero', spike: { users: 0, status: 'fails-at-zero' } });
    // Redis's fork doubles a 256 MiB maxmemory in a 300 MiB container: the furthest over.
    expect(c.binding).toMatchObject({ id: 'usage-over-limit', service: 'redis' });
    expect(c.binding!.message).toMatch(/redis's high usage \(680 MiB\) exceeds its 300 MiB limit even with no users/);
    expect(c.next.map((n) => n.service)).toEqual(['grafana', 'postgres']);
    // The app is the one check that users break.
    expect(c.constraints.find((k) => k.service === 'fastapi')).toMatchObject({ status: 'breaks', users: 433 });
    expect(c.constraints.find((k) => k.id === 'connections-near-max')).toMatchObject({ status: 'fails-at-zero', demand: 45, allowed: 45 });
  });

  it('the 8gb preset carries 10,303 users, 2,060 in its ×5 spike; its API p95 on 4 vCPUs binds before the app\'s memory', () => {
    const c = capacity(presetPlan('8gb'));
    expect(c.users).toBe(10_303);
    // The app's queue serves from 80% of the host's cores (calibration/latency.json), so its p95
    // crosses 500 ms just before the host's CPU reaches the 80% line.
    expect(c.binding).toMatchObject({ id: 'latency-over-criterion', service: null, status: 'breaks', unit: 'ms', allowed: 500 });
    expect(c.binding!.message).toContain('at 10,304 active users');
    // Then the host's CPU at 80% of its 4 vCPUs, then the app's memory (19,566 before issue 15).
    expect(c.next.map((n) => [n.id, n.service, n.users])).toEqual([['cpu-saturated', null, 10_345], ['usage-over-limit', 'fastapi', 19_566]]);
    expect(c.next[0]!.message).toMatch(/of the host's 4 vCPUs, over 80% \(3\.2\)/);
    expect(c.spike).toMatchObject({ multiplier: 5, users: 2060 });
    expect(c.spike.binding!.message).toContain('in the ×5 spike');
    expect(c.current).toEqual({ users: 10_000, share: 10_000 / 10_303 });
  });

  it('names the binding constraint and the next two, in the order they break', () => {
    const c = capacity(fixed4gb());
    expect(c.status).toBe('breaks');
    expect(c.next).toHaveLength(2);
    const order = [c.binding!, ...c.next].map((k) => k.users!);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(c.users).toBe(order[0]);
    // PostgreSQL's limit first (the 667th user), then the host's free memory (the kernel and system
    // measured in VMs: ~410 MiB typical on 3.5 GiB), then the API's p95 on the host's 2 vCPUs
    // (issue 15: its queue serves from 80% of them), before the app's memory.
    expect([c.binding!, ...c.next].map((k) => [k.id, k.service])).toEqual([['usage-over-limit', 'postgres'], ['free-below-criterion', null], ['latency-over-criterion', null]]);
    expect(failing(fixed4gb(), c.users!)).toEqual([]);
    expect(failing(fixed4gb(), c.users! + 1)).toContain(`${c.binding!.id} ${c.binding!.service ?? 'host'}`);
  });

  it.each<[string, (p: PlanInput) => void, string, string | null]>([
    ['a service limit', (p) => { p.services.find((s) => s.name === 'fastapi')!.limit = '490MiB'; }, 'usage-over-limit', 'fastapi'],
    ['PostgreSQL\'s limit', () => {}, 'usage-over-limit', 'postgres'],
    ['free host memory', (p) => { p.host.ram = '3.1GiB'; }, 'free-below-criterion', null],
    ['a Redis without maxmemory', (p) => { p.features = { semanticCache: true }; p.services.find((s) => s.name === 'redis')!.settings!.maxmemory = 0; }, 'usage-over-limit', 'redis'],
    ['connections at 90% of max_connections', (p) => { p.services.find((s) => s.name === 'postgres')!.settings!.maxConnections = 50; }, 'connections-near-max', 'postgres'],
    ['pgBouncer max_client_conn', (p) => { p.features = { pgbouncer: true }; p.services.find((s) => s.name === 'fastapi')!.settings!.maxOverflow = 40; }, 'app-connections-exceed-max-client-conn', 'pgbouncer'],
    ['max_connections without pgBouncer', (p) => { p.services.find((s) => s.name === 'postgres')!.settings!.maxConnections = 8; }, 'app-connections-exceed-max-connections', 'postgres'],
  ])('binds on %s', (_label, edit, id, service) => {
    const c = capacity(fixed4gb(edit));
    expect([c.binding, ...c.next].some((k) => k?.id === id && k.service === service)).toBe(true);
    expect(c.binding!.message.length).toBeGreaterThan(30);
  });

  it('says so when nothing breaks up to the cap', () => {
    const c = capacity(planOf({ host: { ram: '4GiB' }, services: [{ name: 'grafana', kind: 'grafana', limit: '512MiB' }] }));
    expect(c).toMatchObject({ users: null, status: 'holds', binding: null, next: [], spike: { users: null, status: 'holds' } });
    expect(c.current.share).toBeNull();
    expect(c.constraints.every((k) => k.status === 'holds' && /up to 100,000,000 users/.test(k.message))).toBe(true);
  });

  it('an empty plan holds too, and a plan with only the reserve over RAM fails at 0', () => {
    expect(capacity(planOf({ host: { ram: '4GiB' }, services: [] })).status).toBe('holds');
    const tiny = capacity(planOf({ host: { ram: '256MiB' }, services: [{ name: 'g', kind: 'grafana', limit: '64MiB' }] }));
    expect(tiny.status).toBe('fails-at-zero');
    expect(tiny.constraints.find((k) => k.id === 'free-below-criterion')).toMatchObject({ status: 'fails-at-zero', service: null });
  });

  it('keeps the JSON names stable', () => {
    const j = JSON.parse(JSON.stringify(capacity(presetPlan('8gb')))) as Capacity;
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['users', 'binding', 'next', 'spike', 'constraints', 'current', 'cap', 'status', 'multiplier']));
    expect(Object.keys(j.binding!)).toEqual(expect.arrayContaining(['id', 'service', 'message', 'users', 'status']));
    expect(j.spike).toHaveProperty('users');
    for (const k of j.constraints) expect(CHECK_IDS).toContain(k.id);
  });
});

describe('capacity invariants (fast-check, seeded)', () => {
  it('the break point really is one: at capacity every check passes, one user more one fails', () => {
    fc.assert(fc.property(plans, (input) => {
      const plan = planOf(input);
      const c = capacity(plan);
      for (const sc of [c, c.spike]) {
        if (sc.status !== 'breaks') continue;
        expect(failing(plan, sc.users!, sc.multiplier)).toEqual([]);
        expect(failing(plan, sc.users! + 1, sc.multiplier).length).toBeGreaterThan(0);
      }
      if (c.status === 'fails-at-zero') expect(failing(plan, 0).length).toBeGreaterThan(0);
      if (c.status === 'holds') expect(failing(plan, c.cap)).toEqual([]);
    }), RUNS);
  });

  it('agrees with the engine’s own findings at the break point', () => {
    // The same checks, raised by findings/: none at capacity, one at capacity + 1 (spike 1 so
    // that the findings' spike checks look at the same traffic). Redis's own findings replace
    // usage-over-limit for Redis (findings/index.ts).
    const ids = new Set<string>([...CHECK_IDS, 'redis-fork-headroom', 'redis-maxmemory-headroom', 'redis-no-maxmemory']);
    fc.assert(fc.property(plans, (input) => {
      const plan = withUsers(planOf(input), 0, 1);
      const c = capacity(plan);
      if (c.status !== 'breaks') return;
      const at = (u: number) => evaluate(withUsers(plan, u, 1)).findings.filter((f) => ids.has(f.id));
      expect(at(c.users!).filter((f) => (CHECK_IDS as readonly string[]).includes(f.id))).toEqual([]);
      expect(at(c.users! + 1).length).toBeGreaterThan(0);
    }), RUNS);
  });

  it('the checks are monotone in users: what fails at n still fails at m > n', () => {
    fc.assert(fc.property(plans, fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: 200_000 }), (input, n, more) => {
      const plan = planOf(input);
      const a = failing(plan, n);
      const b = failing(plan, n + more);
      for (const f of a) expect(b).toContain(f);
    }), RUNS);
  });

  it('capacity never rises when a limit falls', () => {
    fc.assert(fc.property(plans, fc.nat(), fc.double({ min: 0.05, max: 0.99, noNaN: true }), (input, pick, share) => {
      const i = pick % input.services.length;
      const lower = structuredClone(input);
      const svc = lower.services[i]!;
      svc.limit = `${Math.max(6, Math.floor(Number(String(svc.limit).replace('MiB', '')) * share))}MiB`;
      // A lower limit relieves the sum of limits: where that sum is over RAM even idle (more likely
      // now that a limit counts once per replica, report.ts limitOfAll), lowering one may lift capacity.
      fc.pre(!failing(planOf(input), 0).includes('limits-exceed-ram host'));
      const before = capacity(planOf(input));
      const after = capacity(planOf(lower));
      expect(usersOrInf(after)).toBeLessThanOrEqual(usersOrInf(before));
      expect(usersOrInf(after.spike)).toBeLessThanOrEqual(usersOrInf(before.spike));
    }), RUNS);
  });

  it('spike capacity never rises when the spike rises, and never exceeds normal capacity', () => {
    fc.assert(fc.property(plans, fc.integer({ min: 1, max: 10 }), (input, more) => {
      const plan = planOf(input);
      const a = capacity(plan);
      const b = capacity(withUsers(plan, plan.workload.activeUsers, plan.workload.spike + more));
      expect(usersOrInf(b.spike)).toBeLessThanOrEqual(usersOrInf(a.spike));
      expect(usersOrInf(a.spike)).toBeLessThanOrEqual(usersOrInf(a));
      expect(b.users).toBe(a.users); // the spike does not touch normal traffic
    }), RUNS);
  });
});
