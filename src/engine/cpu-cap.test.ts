/** A service's CPU cap (`cpus`, compose's cpus / deploy.resources.limits.cpus): the schema, the cores it caps, its finding. */
import { describe, expect, it } from 'vitest';
import { planOf } from './testing.ts';
import { evaluate } from './evaluate.ts';
import { applyChange } from './change.ts';
import { planParse, PLAN_VERSION, type PlanInput } from './schema.ts';
import { cpuCapOf } from './cpu.ts';
import { cpuOverLimit, cpusLimitFor } from './policy.ts';

/** One app on a 4 GiB host of `hostCpus` vCPUs, 3 workers; `cpus` its cap (absent: none). */
const app = (users: number, cpus?: number, hostCpus = 2, replicas = 1): PlanInput => ({
  host: { ram: '4GiB', cpus: hostCpus },
  workload: { activeUsers: users, requestTimeMs: 100 },
  services: [{ name: 'api', kind: 'fastapi', limit: '1GiB', ...(cpus === undefined ? {} : { cpus }), settings: { workers: 3, replicas, cpuPerRequestMs: 10 } }],
});

describe('a service\'s cpus in the plan', () => {
  it('is optional: a plan without it stays valid at the same version, and one with it keeps it', () => {
    expect(PLAN_VERSION).toBe(3);
    const without = planParse(app(100));
    expect(without.ok && without.plan.services[0]!.cpus).toBe(undefined);
    const withCap = planParse(app(100, 0.5));
    expect(withCap.ok && withCap.plan.services[0]!.cpus).toBe(0.5);
  });

  it.each([
    [0, 'at least 0.01 CPU'],
    [-1, 'at least 0.01 CPU'],
    [2000, 'at most 1024 CPUs'],
    ['two', 'expected a number of CPUs'],
  ])('refuses cpus %j naming the field and what it expects', (cpus, message) => {
    const input = app(100) as { services: Array<Record<string, unknown>> };
    input.services[0]!.cpus = cpus;
    const r = planParse(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]!.path).toBe('services[0].cpus');
    expect(r.issues[0]!.message).toContain(message);
  });
});

describe('the cap on the cores a service uses', () => {
  it('is replicas × cpus', () => {
    const p = planOf(app(100, 0.5, 2, 3));
    expect(cpuCapOf(p.services[0]!)).toBe(1.5);
    expect(cpuCapOf(planOf(app(100)).services[0]!)).toBeNull();
  });

  it('an app capped at 0.5 CPU with 3 workers queues on 0.5 core: the same latency as on a host of 0.5 vCPU', () => {
    const capped = evaluate(planOf(app(300, 0.5, 2))).latency!;
    const small = evaluate(planOf(app(300, undefined, 0.5))).latency!;
    const free = evaluate(planOf(app(300, undefined, 2))).latency!;
    expect(capped.cores).toBe(0.5);
    expect(capped.p95).not.toBeNull();
    expect(capped.p95!).toBeCloseTo(small.p95!, 6);
    expect(capped.cpuUtilisation).toBeCloseTo(small.cpuUtilisation, 9);
    // Without the cap the same app has 2 cores and waits less.
    expect(free.cores).toBe(2);
    expect(free.p95!).toBeLessThan(capped.p95!);
  });

  it('saturates the capped app where the host has room', () => {
    // 600 users × the default requests a minute at 10 ms each: more than 0.5 core, well under 2.
    const capped = evaluate(planOf(app(600, 0.5, 2)));
    const free = evaluate(planOf(app(600, undefined, 2)));
    expect(capped.services[0]!.cpu!.typical).toBeGreaterThan(0.5);
    expect(capped.latency!.saturated).toBe('cpu');
    expect(free.latency!.saturated).toBeNull();
    expect(capped.findings.map((f) => f.id)).toContain('latency-over-criterion');
  });

  it('counts a capped service on its host at its cap, and reports what it asks', () => {
    const capped = evaluate(planOf(app(600, 0.5, 2)));
    const free = evaluate(planOf(app(600, undefined, 2)));
    expect(capped.services[0]!.cpu).toEqual(free.services[0]!.cpu);
    expect(capped.host.cpu.typical).toBeCloseTo(free.host.cpu.typical - (free.services[0]!.cpu!.typical - 0.5), 9);
    expect(capped.host.cpu.high).toBeCloseTo(free.host.cpu.high - (free.services[0]!.cpu!.high - 0.5), 9);
  });

  it('more cpus never raise the p95', () => {
    let last = Infinity;
    for (const cpus of [0.2, 0.3, 0.5, 0.8, 1, 1.5, 2, 4]) {
      const p95 = evaluate(planOf(app(250, cpus, 2))).latency!.p95 ?? Infinity;
      expect(p95).toBeLessThanOrEqual(last);
      last = p95;
    }
    expect(Number.isFinite(last)).toBe(true);
  });
});

describe('cpu-over-limit', () => {
  it('is raised when a service asks more than its cap at the mean, with a cap that covers its busiest minute', () => {
    const input = app(600, 0.5, 4, 1);
    const r = evaluate(planOf(input));
    const f = r.findings.find((x) => x.id === 'cpu-over-limit');
    expect(f).toBeDefined();
    expect(f!.service).toBe('api');
    expect(f!.severity).toBe('warning');
    const demand = r.services[0]!.cpu!;
    expect(f!.message).toContain('its cpus cap gives it 0.5');
    const change = f!.fix.changes[0]!;
    expect(change).toMatchObject({ service: 'api', key: 'cpus' });
    expect(cpuOverLimit(demand.high, change.value as number)).toBe(false);
    const fixed = evaluate(planOf(applyChange(input, change)));
    expect(fixed.findings.map((x) => x.id)).not.toContain('cpu-over-limit');
  });

  it('the latency finding of a capped app raises its cap, and that clears it in normal traffic and the spike', () => {
    // 300 users under a 0.3 cap: a higher cap alone does it; 600 under 0.5: the cap goes with a worker per core.
    for (const [users, cap, alone] of [[300, 0.3, true], [600, 0.5, false]] as const) {
      const input = app(users, cap, 4, 1);
      const f = evaluate(planOf(input)).findings.find((x) => x.id === 'latency-over-criterion');
      expect(f).toBeDefined();
      if (alone) expect(f!.fix.summary).toContain('Raise api\'s CPU cap to cpus');
      const change = f!.fix.changes.find((c) => c.key === 'cpus')!;
      expect(change).toMatchObject({ service: 'api' });
      expect(change.value as number).toBeGreaterThan(cap);
      const fixed = evaluate(planOf(f!.fix.changes.reduce(applyChange, input)));
      expect(fixed.findings.map((x) => x.id).filter((id) => id.includes('latency-over-criterion'))).toEqual([]);
    }
  });

  it('counts each replica\'s cap', () => {
    // 2 replicas × 0.5: a cap of 1 core over the service.
    const two = evaluate(planOf(app(600, 0.5, 4, 2)));
    const demand = two.services[0]!.cpu!.typical;
    expect(two.findings.some((x) => x.id === 'cpu-over-limit')).toBe(cpuOverLimit(demand, 1));
  });

  it('is not raised without a cap, or under it', () => {
    expect(evaluate(planOf(app(600, undefined, 4))).findings.map((f) => f.id)).not.toContain('cpu-over-limit');
    expect(evaluate(planOf(app(100, 2, 4))).findings.map((f) => f.id)).not.toContain('cpu-over-limit');
  });

  it('cpusLimitFor: a tenth of a CPU per container that covers the cores', () => {
    expect(cpusLimitFor(0.73, 1)).toBe(0.8);
    expect(cpusLimitFor(1.5, 2)).toBe(0.8);
    expect(cpusLimitFor(0.01, 1)).toBe(0.1);
    for (const [c, n] of [[0.3, 1], [2.4, 3], [1.05, 1], [7, 2]] as const) expect(cpuOverLimit(c, cpusLimitFor(c, n) * n)).toBe(false);
  });
});
