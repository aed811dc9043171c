/** Multi-host plans (issue 14): the schema, each host budgeted on its own, the verdict over hosts, place(). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planParse, type NamedHost, type Plan, type PlanFileInput } from './schema.ts';
import { evaluate } from './evaluate.ts';
import { verdictOf } from './verdict.ts';
import { place } from './place.ts';
import { hostReserve } from './host.ts';
import { replicaShares } from './hosts.ts';
import { presetGet } from './presets.ts';
import { arbitraryPlan } from './arbitrary.ts';
import { planToInput } from '../formats/plan-file.ts';

function parse(input: unknown): Plan {
  const r = planParse(input);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  return r.plan;
}

/** The 4gb preset split: the database on a host of its own, the app and the rest on the other. */
function split(appRam = '4GiB', dbRam = '4GiB'): PlanFileInput {
  const p = presetGet('4gb');
  const { host: _host, ...rest } = p;
  return {
    ...rest,
    hosts: [
      { name: 'app', ram: appRam, pricePerMonth: 25, labels: ['role=app'] },
      { name: 'db', ram: dbRam, pricePerMonth: 25, labels: ['role=db'] },
    ],
    services: p.services.map((s) => ({ ...s, host: s.kind === 'postgres' ? 'db' : 'app' })),
  };
}

describe('the plan format', () => {
  it('keeps a single-host plan valid and unchanged, and migrates v1 to the current version', () => {
    const v1 = { ...presetGet('4gb'), version: 1 };
    const r = planParse(v1);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.version).toBe(3);
    expect(r.plan.hosts).toBeUndefined();
    expect(evaluate(r.plan).hosts).toBeUndefined();
  });

  it('reads hosts: and each service host:, and writes them back', () => {
    const plan = parse(split());
    expect(plan.hosts!.map((h) => [h.name, h.ram, h.labels])).toEqual([['app', 4096, ['role=app']], ['db', 4096, ['role=db']]]);
    const again = parse(planToInput(plan));
    expect(again).toEqual(plan);
  });

  it.each([
    [{ services: [] }, 'host', 'expected host (one host) or hosts'],
    [{ host: { ram: '4GiB' }, hosts: [{ name: 'a', ram: '4GiB' }], services: [] }, 'hosts', 'not both'],
    [{ hosts: [{ name: 'a', ram: '4GiB' }], services: [{ name: 'x', kind: 'redis' }] }, 'services[0].host', 'expected the host it runs on, one of a'],
    [{ hosts: [{ name: 'a', ram: '4GiB' }], services: [{ name: 'x', kind: 'redis', host: 'b' }] }, 'services[0].host', 'got "b"'],
    [{ hosts: [{ name: 'a', ram: '4GiB' }, { name: 'b', ram: '4GiB' }], services: [{ name: 'x', kind: 'redis', host: ['a', 'b'] }] }, 'services[0].host', 'at most as many hosts as it has replicas'],
    [{ hosts: [{ name: 'a', ram: '4GiB' }, { name: 'A', ram: '4GiB' }], services: [] }, 'hosts[1].name', 'duplicate host name'],
    [{ hosts: [{ name: 'a', ram: '4GiB', labels: ['no label'] }], services: [] }, 'hosts[0].labels[0]', 'key=value'],
    [{ host: { ram: '4GiB' }, services: [{ name: 'x', kind: 'redis', host: 'a' }] }, 'services[0].host', 'only in a plan with hosts'],
  ])('refuses %j at %s', (doc, path, message) => {
    const r = planParse(doc);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.find((i) => i.path === path)?.message).toContain(message);
  });
});

describe('evaluate over hosts', () => {
  it('budgets each host on its own with the single-host engine, the load the whole stack’s', () => {
    const plan = parse(split());
    const r = evaluate(plan);
    expect(r.hosts!.map((h) => h.name)).toEqual(['app', 'db']);
    const db = r.hosts!.find((h) => h.name === 'db')!;
    expect(db.services).toEqual(['postgres']);
    // Each host's reserve counts its own containers (one shim for the database host's one container).
    expect(db.reserveMiB).toBe(hostReserve({ ...plan, services: [plan.services.find((s) => s.kind === 'postgres')!] }, 1).typical);
    // Its services add up to its usage, with its reserve.
    const dbServices = r.services.filter((s) => s.host === 'db');
    expect(db.usageMiB.typical).toBeCloseTo(dbServices.reduce((a, s) => a + Math.min(s.usageMiB.typical, s.limitMiB ?? Infinity), db.reserveMiB), 6);
    // The database's memory follows the whole stack's traffic, not only its host's (no app on the db host).
    const single = evaluate(parse(presetGet('4gb')));
    expect(dbServices[0]!.usageMiB).toEqual(single.services.find((s) => s.kind === 'postgres')!.usageMiB);
    // Every finding of a multi-host plan names its host; 'single-host' is answered.
    expect(r.findings.every((f) => f.host === 'app' || f.host === 'db')).toBe(true);
    expect(r.findings.some((f) => f.id === 'single-host')).toBe(false);
    // `host` is the tightest host.
    expect(r.host.freeMiB.low).toBe(Math.min(...r.hosts!.map((h) => h.freeMiB.low)));
  });

  it('spreads replicas over the hosts a service names', () => {
    expect(replicaShares(3, 2)).toEqual([2, 1]);
    const doc = split();
    const app = doc.services.find((s) => s.kind === 'fastapi')!;
    app.host = ['app', 'db'];
    (app.settings as Record<string, unknown>).replicas = 2;
    const r = evaluate(parse(doc));
    const copies = r.services.filter((s) => s.kind === 'fastapi');
    expect(copies.map((s) => s.host)).toEqual(['app', 'db']);
  });

  it('counts n × the per-container limit for n replicas on a host, as Docker applies mem_limit to each', () => {
    const three = (host: string[], replicas = 3): Plan => parse({
      hosts: ['a', 'b', 'c'].map((name) => ({ name, ram: '4GiB' })),
      services: [{ name: 'api', kind: 'fastapi', limit: '1GiB', host, settings: { replicas } }],
    });
    const limitsOn = (plan: Plan) => Object.fromEntries(evaluate(plan).hosts!.map((h) => [h.name, h.setLimitsMiB]));
    // One replica per host: its own 1 GiB limit on each, 3 GiB in all (716b36d's n/N share gave 1/3 GiB each for a 1 GiB limit).
    expect(limitsOn(three(['a', 'b', 'c']))).toEqual({ a: 1024, b: 1024, c: 1024 });
    // Two of the three share a host: 2 × the limit there.
    expect(limitsOn(three(['a', 'b']))).toEqual({ a: 2048, b: 1024, c: 0 });
    // All on one host: 3 × the limit, as the single-host engine counts it.
    expect(limitsOn(three(['a']))).toEqual({ a: 3072, b: 0, c: 0 });
    const single = evaluate(parse({ host: { ram: '4GiB' }, services: [{ name: 'api', kind: 'fastapi', limit: '1GiB', settings: { replicas: 3 } }] }));
    expect(single.host.setLimitsMiB).toBe(3072);
    expect(single.services[0]).toMatchObject({ limitMiB: 1024, replicas: 3 });
    // Per host: the limit stays the container's, the replicas and their usage are those there.
    const r = evaluate(three(['a', 'b', 'c']));
    expect(r.services.map((s) => [s.limitMiB, s.replicas])).toEqual([[1024, 1], [1024, 1], [1024, 1]]);
    const whole = single.services[0]!;
    for (const s of r.services) {
      expect(s.usageMiB.high).toBeCloseTo(whole.usageMiB.high / 3, 6);
      expect(s.headroomMiB!).toBeCloseTo(whole.headroomMiB! / 3, 6);
      // One container's risk against its limit: the same on its own host as among three on one.
      expect(s.risk.pOverLimit).toBeCloseTo(whole.risk.pOverLimit, 6);
    }
  });

  it('a replica over its limit: the fix is the per-container limit, says so, and holds on one host and on several', () => {
    // 2 replicas × 4 workers × 200 MiB each (~1.1 GiB high per container) under a 600 MiB per-container limit.
    const doc = { hosts: [{ name: 'a', ram: '8GiB' }, { name: 'b', ram: '8GiB' }], services: [{ name: 'api', kind: 'fastapi', limit: '600MiB', host: ['a', 'b'], settings: { replicas: 2, workers: 4, perWorker: '200MiB' } }] };
    const over = evaluate(parse(doc)).findings.filter((f) => f.id === 'usage-over-limit');
    expect(over.map((f) => f.host)).toEqual(['a', 'b']);
    const f = over[0]!;
    expect(f.message).toMatch(/^On a, 1 of api's 2 replicas: api can use up to /);
    const change = f.fix.changes.find((c) => c.key === 'limit')!;
    const fixed = parse({ ...doc, services: [{ ...doc.services[0]!, limit: change.value }] });
    expect(evaluate(fixed).findings.filter((x) => x.id === 'usage-over-limit')).toEqual([]);
    // One host with both replicas: the same per-container limit, and the message names each container.
    const oneHostDoc = { host: { ram: '8GiB' }, services: [{ ...doc.services[0]!, host: undefined }] };
    const one = evaluate(parse(oneHostDoc)).findings.find((x) => x.id === 'usage-over-limit')!;
    expect(one.message).toMatch(/in each of its 2 containers against its 600 MiB limit/);
    expect(one.fix.summary).toMatch(/limit \(each of its 2 containers\) to /);
    // The spread fix holds both replicas on one host too, and the one-host fix holds there.
    for (const limit of [change.value, one.fix.changes.find((c) => c.key === 'limit')!.value]) {
      const oneHost = parse({ ...oneHostDoc, services: [{ ...oneHostDoc.services[0]!, limit }] });
      expect(evaluate(oneHost).findings.filter((x) => x.id === 'usage-over-limit')).toEqual([]);
    }
  });

  it('models a service that sizes itself from the host on the host it runs on', () => {
    // A JVM without -Xmx or a limit takes 25% of the RAM it sees: 512 MiB on a 2 GiB host, whatever the first host's RAM.
    const jvm = { name: 'search', kind: 'jvm', settings: { heap: '0' } };
    const multi = evaluate(parse({ hosts: [{ name: 'big', ram: '16GiB' }, { name: 'small', ram: '2GiB' }], services: [{ ...jvm, host: 'small' }] }));
    const alone = evaluate(parse({ host: { ram: '2GiB' }, services: [jvm] }));
    expect(multi.services[0]!.usageMiB).toEqual(alone.services[0]!.usageMiB);
    const onBig = evaluate(parse({ host: { ram: '16GiB' }, services: [jvm] }));
    expect(onBig.services[0]!.usageMiB.high).toBeGreaterThan(alone.services[0]!.usageMiB.high);
  });

  it('takes the worst host for the verdict', () => {
    // The 4gb preset's own critical finding (redis-fork-headroom) stays, on the app host.
    const good = verdictOf(evaluate(parse(split('4GiB', '4GiB'))));
    expect(good.fits).toBe(true);
    expect(good.critical).toEqual(['app: redis-fork-headroom [redis]']);
    // The database's limit is over a 512 MiB host: that host fails on its own, and the plan with it.
    const bad = verdictOf(evaluate(parse(split('4GiB', '512MiB'))));
    expect(bad.outcome).toBe('fail');
    expect(bad.fits).toBe(false);
    expect(bad.critical).toContain('db: limits-exceed-ram');
    expect(bad.critical.filter((c) => c.startsWith('app:'))).toEqual(good.critical);
  });
});

const hostArb = fc.record({ ram: fc.integer({ min: 1, max: 8 }), price: fc.integer({ min: 5, max: 80 }) });
const hostsArb = fc.array(hostArb, { minLength: 1, maxLength: 4 }).map((hs) => hs.map((h, i): NamedHost => ({ name: `h${i}`, ram: h.ram * 1024, reserve: 'auto', swap: 0, pricePerMonth: h.price, labels: [] })));

describe('place', () => {
  it('puts the database on its own host when that fits (the 4gb stack on two 4 GiB hosts)', () => {
    const plan = parse(presetGet('4gb'));
    const hosts = parse(split()).hosts!;
    const p = place(plan, hosts);
    expect(p.fits).toBe(true);
    if (!p.fits) return;
    expect(p.databaseAlone).toBe(true);
    const db = p.hosts.find((h) => h.services.some((s) => s.name === 'postgres'))!;
    expect(db.services.map((s) => s.name)).toEqual(['postgres']);
    expect(verdictOf(evaluate(p.plan)).fits).toBe(true);
  });

  it('says when none fits', () => {
    const plan = parse(presetGet('4gb'));
    const p = place(plan, [{ name: 'tiny', ram: 256, reserve: 'auto', swap: 0, labels: [] }]);
    expect(p.fits).toBe(false);
    if (p.fits) return;
    expect(p.reason).toMatch(/^no placement fits: \S+ needs/);
  });

  it('never puts more on a host than fits (property)', () => {
    let placed = 0;
    fc.assert(
      fc.property(arbitraryPlan({ maxServices: 3 }), hostsArb, (input, hosts) => {
        const p = place(parse(input), hosts);
        if (!p.fits) return;
        placed++;
        // Each host holds by host-fit.ts's rule on the engine's own budget of it: the free-memory
        // criterion at high usage, and the limits set plus the reserve within its RAM.
        for (const h of evaluate(p.plan).hosts!) {
          expect(h.usageMiB.high).toBeLessThanOrEqual(h.ramMiB - h.freeCriterionMiB + 1e-6);
          expect(h.setLimitsMiB + h.reserveMiB).toBeLessThanOrEqual(h.ramMiB + 1e-6);
        }
        // Every replica is placed.
        const replicas = p.hosts.flatMap((h) => h.services).reduce((a, s) => a + s.replicas, 0);
        expect(replicas).toBeGreaterThanOrEqual(p.plan.services.length);
      }),
      { numRuns: 40 },
    );
    // Not vacuous: some of the generated plans were placed.
    expect(placed).toBeGreaterThan(3);
  });

  it('spreading replicas never raises any host’s total; the limits over the hosts sum to replicas × limit (property)', () => {
    // A plan's fastapi services with 2–3 replicas: all of them on one host, against spread over the hosts.
    let spread = 0;
    fc.assert(
      fc.property(arbitraryPlan({ maxServices: 3 }), fc.integer({ min: 2, max: 3 }), (input, hostCount) => {
        const plan = parse(input);
        const hosts: NamedHost[] = Array.from({ length: hostCount }, (_, i) => ({ name: `h${i}`, ram: 8192, reserve: 'auto', swap: 0, labels: [] }));
        const names = hosts.map((h) => h.name);
        const on = (spreadOver: (s: Plan['services'][number]) => string[]): Plan => ({
          ...plan, hosts, services: plan.services.map((s) => ({ ...s, host: spreadOver(s) }) as Plan['services'][number]),
        });
        const replicas = (s: Plan['services'][number]) => (s.settings as { replicas?: number }).replicas ?? 1;
        fc.pre(plan.services.some((s) => replicas(s) > 1));
        spread++;
        const spreadPlan = on((s) => (replicas(s) > 1 ? names.slice(0, Math.min(replicas(s), names.length)) : [names[0]!]));
        const spreadHosts = evaluate(spreadPlan).hosts!;
        // Each host against the same host with every replica of the spread services on it.
        spreadHosts.forEach((h, i) => {
          const together = evaluate(on((s) => (replicas(s) > 1 ? [names[i]!] : [names[0]!]))).hosts![i]!;
          expect(h.setLimitsMiB).toBeLessThanOrEqual(together.setLimitsMiB + 1e-6);
          expect(h.usageMiB.high - h.reserveMiB).toBeLessThanOrEqual(together.usageMiB.high - together.reserveMiB + 1e-6);
        });
        // The limits set over all hosts are the plan's own, and so is the services' high usage (each
        // capped at its limit): each counted once, whatever the spread.
        // The limit is per container (report.ts limitOfAll): over the hosts they sum to replicas × limit.
        const singleReport = evaluate(plan);
        const single = singleReport.host;
        expect(spreadHosts.reduce((a, h) => a + h.setLimitsMiB, 0)).toBeCloseTo(single.setLimitsMiB, 6);
        expect(single.setLimitsMiB).toBeCloseTo(singleReport.services.reduce((a, s) => a + (s.limitMiB === null ? 0 : s.replicas * s.limitMiB), 0), 6);
        for (const s of plan.services) if (s.limit !== null) expect(singleReport.services.find((x) => x.name === s.name)).toMatchObject({ limitMiB: s.limit, replicas: replicas(s) });
        const services = (h: { usageMiB: { high: number }; reserveRangeMiB: { high: number } }) => h.usageMiB.high - h.reserveRangeMiB.high;
        expect(spreadHosts.reduce((a, h) => a + services(h), 0)).toBeCloseTo(services(single), 6);
      }),
      { numRuns: 40 },
    );
    expect(spread).toBeGreaterThan(3);
  });

  it('removing a host never makes a failing plan pass (property)', () => {
    fc.assert(
      fc.property(arbitraryPlan({ maxServices: 3 }), hostsArb, fc.nat(), (input, hosts, k) => {
        fc.pre(hosts.length > 1);
        const plan = parse(input);
        const fewer = hosts.filter((_, i) => i !== k % hosts.length);
        if (!place(plan, hosts).fits) expect(place(plan, fewer).fits).toBe(false);
      }),
      { numRuns: 30 },
    );
  });
});
