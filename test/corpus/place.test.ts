/**
 * place() over the public compose corpus (issue 14): every corpus plan that imports, on several
 * sets of hosts, either gets a placement that fits — each host holding what it runs by host-fit.ts's
 * rule on the engine's own budget of it, every replica of every service placed once — or a clear
 * "none fits" naming the service with no room and how much it needs. Nothing throws, nothing prints
 * NaN. On one host, place() agrees with the single-host engine's budget (the one rule).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.ts';
import { hostFits, placedHostChecks } from '../../src/engine/host-fit.ts';
import { place, type Placement } from '../../src/engine/place.ts';
import { replicasOf, type NamedHost, type Plan } from '../../src/engine/schema.ts';
import { importCorpus, type Imported } from './survey.ts';

/** Host sets, RAM in MiB: the upgrade path's two-host split, a spread of small hosts, an uneven pair, one tiny host, four large. */
const HOST_SETS: Readonly<Record<string, readonly number[]>> = {
  '2 × 4 GiB': [4096, 4096],
  '3 × 2 GiB': [2048, 2048, 2048],
  '2 GiB + 8 GiB': [2048, 8192],
  '1 × 512 MiB': [512],
  '1 × 4 GiB': [4096],
  '4 × 16 GiB': [16384, 16384, 16384, 16384],
};

const hostsFor = (plan: Plan, rams: readonly number[]): NamedHost[] =>
  rams.map((ram, i) => ({ name: `h${i + 1}`, ram, reserve: plan.host.reserve, swap: plan.host.swap, labels: [] }));

let corpus: Imported[] = [];
const results = new Map<string, Array<{ id: string; plan: Plan; hosts: NamedHost[]; placed: Placement }>>();

beforeAll(() => {
  corpus = importCorpus();
  for (const [set, rams] of Object.entries(HOST_SETS)) {
    results.set(set, corpus.map(({ entry, plan }) => {
      const hosts = hostsFor(plan, rams);
      // Nothing throws: a throw fails the whole file here, naming the project and the hosts.
      try {
        return { id: entry.id, plan, hosts, placed: place(plan, hosts) };
      } catch (e) {
        throw new Error(`place() threw on ${entry.id} with ${set}: ${(e as Error).stack}`, { cause: e });
      }
    }));
  }
  const table = [...results].map(([set, rs]) => `${set.padEnd(14)} ${rs.filter((r) => r.placed.fits).length} of ${rs.length} placed`);
  console.log(`place() over the corpus:\n${table.join('\n')}`);
}, 600_000);

describe.each(Object.keys(HOST_SETS))('place() over the corpus on %s', (set) => {
  it('places every plan so that each host holds what it runs, or says which service found no room', () => {
    const rs = results.get(set)!;
    expect(rs.length).toBeGreaterThan(30);
    for (const { id, plan, hosts, placed } of rs) {
      if (!placed.fits) {
        // A clear "none fits": the service and what it needs, a figure, no NaN.
        expect(placed.reason, id).toMatch(/^no placement fits: (\S+) needs \d+(\.\d+)? (KiB|MiB|GiB)(, more than any host offers \(\d+(\.\d+)? (KiB|MiB|GiB) after its reserve and free-memory criterion\)| and no host has that much room left beside the others)$/);
        const named = /^no placement fits: (\S+) needs/.exec(placed.reason)![1]!;
        expect(evaluate(plan).services.map((s) => s.name), `${id}: the reason names a service of the plan`).toContain(named);
        continue;
      }
      // Each host holds by host-fit.ts's rule on the engine's own budget of the placed plan.
      for (const h of placedHostChecks(placed.plan)) {
        for (const c of h.checks) expect(c.fails, `${id} on ${set}: ${h.host} ${c.id} ${c.demand} > ${c.allowed}`).toBe(false);
      }
      for (const h of evaluate(placed.plan).hosts!) expect(hostFits(h), `${id}: ${h.name}`).toBe(true);
      // Every replica of every service (the toggles' and exporters' written out) placed once, on the given hosts.
      expect(placed.plan.hosts!.map((h) => h.name)).toEqual(hosts.map((h) => h.name));
      for (const s of placed.plan.services) {
        const n = placed.hosts.reduce((t, h) => t + (h.services.find((x) => x.name === s.name)?.replicas ?? 0), 0);
        expect(n, `${id}: ${s.name}'s replicas`).toBe(replicasOf(s));
        expect(s.host!.every((h) => hosts.some((x) => x.name === h)), `${id}: ${s.name} on ${s.host!.join(',')}`).toBe(true);
      }
      for (const name of evaluate(plan).services.map((s) => s.name)) expect(placed.plan.services.map((s) => s.name), id).toContain(name);
      // Figures, never NaN.
      expect(JSON.stringify(placed.hosts), id).not.toMatch(/null|NaN/);
    }
  });
});

describe('place() over the corpus against one host', () => {
  it('on one host places exactly the plans the single-host budget says fit (the one rule)', () => {
    const rs = results.get('1 × 4 GiB')!;
    for (const { id, plan, hosts, placed } of rs) {
      const h = hosts[0]!;
      const alone = evaluate({ ...plan, host: { ram: h.ram, reserve: h.reserve, swap: h.swap } }).host;
      expect(placed.fits, `${id}: place ${placed.fits ? 'fits' : 'none'}, the budget says ${hostFits(alone) ? 'fits' : 'not'}`).toBe(hostFits(alone));
    }
  });

  it('is not vacuous: some plans are placed on two 4 GiB hosts, and some find no room on 512 MiB', () => {
    expect(results.get('2 × 4 GiB')!.filter((r) => r.placed.fits).length).toBeGreaterThan(10);
    expect(results.get('1 × 512 MiB')!.filter((r) => !r.placed.fits).length).toBeGreaterThan(10);
  });

  it('places on more hosts whatever it placed on fewer: 2 × 4 GiB is within 4 × 16 GiB', () => {
    const big = new Map(results.get('4 × 16 GiB')!.map((r) => [r.id, r.placed.fits]));
    for (const r of results.get('2 × 4 GiB')!) if (r.placed.fits) expect(big.get(r.id), r.id).toBe(true);
  });
});
