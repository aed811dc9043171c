/**
 * place(plan, hosts): which host each service (each replica) runs on, so that every host holds
 * what it runs (issue 14) by host-fit.ts's rule — the one the upgrade path's tiers check hosts
 * with: each host's high usage (services capped at their limits, plus its reserve) leaves the
 * free-memory criterion, and the limits it sets plus its reserve stay within its RAM. The search
 * packs the two sums per replica (its high usage capped at its limit; its limit); a placement is
 * only returned once each host's budget, as evaluate.ts computes it, passes that rule. On one
 * host the only placement is everything on it. The databases go first, on hosts of their own when
 * that fits (a database beside the app competes with it for the page cache and the OOM killer);
 * replicas of a service go to different hosts while another host has room. When the heuristic
 * finds nothing it tries every subset of the hosts, so a placement found with fewer hosts is found
 * with more; when none fits it says which service had no room.
 */
import type { NamedHost, Plan, Service, ServiceKind } from './schema.ts';
import { containersOf, replicasOf } from './schema.ts';
import { planWithFeatures } from './features.ts';
import { scenarioOf } from './budget.ts';
import { hostReserve } from './host.ts';
import { withReplicas } from './hosts.ts';
import { placementHolds } from './host-fit.ts';
import { freeCriterion } from './policy.ts';
import { sizeFormat } from './units.ts';

/** The kinds whose data is the stack's state: a host of their own when it fits. Assumed from the
 * issue's "the database on its own host"; caches (redis, memcached) are not databases here. */
export const DATABASE_KINDS: ReadonlySet<ServiceKind> = new Set<ServiceKind>(['postgres', 'mysql', 'mongodb', 'clickhouse']);

/** Above this many hosts the subset search is skipped (2^8 = 256 heuristic runs at most). */
const SUBSET_SEARCH_MAX_HOSTS = 8;

/** One replica: its high usage capped at its limit (`demandMiB`) and the limit it sets (`limitMiB`, 0 without one). */
type Unit = { service: string; demandMiB: number; limitMiB: number; database: boolean };

export type HostLoad = {
  name: string;
  ramMiB: number;
  /** The reserve at its high end with these containers (host.ts). */
  reserveMiB: number;
  /** The services' high usage, each capped at its limit. */
  demandMiB: number;
  /** The limits they set. */
  limitsMiB: number;
  /** Service name → replicas placed here. */
  services: Array<{ name: string; replicas: number }>;
};

export type Placement =
  | { fits: true; hosts: HostLoad[]; databaseAlone: boolean; replicasTogether: string[]; plan: Plan }
  | { fits: false; reason: string };

/** What each service (toggles' and exporters' included) needs, per replica. */
function unitsOf(plan: Plan): { units: Unit[]; services: Service[] } {
  const whole = planWithFeatures({ ...plan, hosts: undefined, services: plan.services.map(({ host: _h, ...s }) => s as Service) });
  const sc = scenarioOf(whole, 1, whole.implied);
  const units: Unit[] = [];
  whole.services.forEach((s, i) => {
    const b = sc.services[i]!;
    const n = replicasOf(s);
    // Each replica: its Nth of the service's usage, capped at its own limit (per container: report.ts limitOfAll).
    // A one-shot container (an init) has exited in the steady state the rule judges: it asks nothing there (budget.ts).
    const once = s.oneShot === true;
    const demand = once ? 0 : Math.min(b.usageMiB.high / n, b.limitMiB ?? Infinity);
    for (let k = 0; k < n; k++) units.push({ service: s.name, demandMiB: demand, limitMiB: once ? 0 : (b.limitMiB ?? 0), database: DATABASE_KINDS.has(s.kind) });
  });
  return { units, services: whole.services };
}

/**
 * The reserve of a host with these replicas on it, as budget.ts counts it for the host's part
 * (hosts.ts): its containers (the replicas placed there) and their published ports.
 */
function reserveOf(plan: Plan, host: NamedHost, units: readonly Unit[]) {
  const n = new Map<string, number>();
  for (const u of units) n.set(u.service, (n.get(u.service) ?? 0) + 1);
  const services = plan.services.filter((s) => n.has(s.name) && s.oneShot !== true).map((s) => withReplicas(s, n.get(s.name)!));
  return hostReserve({ ...plan, host: { ram: host.ram, reserve: host.reserve, swap: host.swap }, services }, containersOf(services));
}
const reserveHigh = (plan: Plan, host: NamedHost, units: readonly Unit[]) => reserveOf(plan, host, units).high;

type Load = { host: NamedHost; units: Unit[]; demand: number; limits: number };

/** The room a host keeps with `u` added, by host-fit.ts's two sums (the lesser). */
function roomWith(plan: Plan, l: Load, u: Unit): number {
  const r = reserveOf(plan, l.host, [...l.units, u]);
  const usage = l.host.ram - freeCriterion(l.host.ram) - r.high - l.demand - u.demandMiB;
  const promise = l.host.ram - r.typical - l.limits - u.limitMiB;
  return Math.min(usage, promise);
}

function greedy(plan: Plan, units: readonly Unit[], hosts: readonly NamedHost[], databaseAlone: boolean): { loads: Load[]; together: string[] } | { failed: Unit } {
  const loads: Load[] = hosts.map((host) => ({ host, units: [], demand: 0, limits: 0 }));
  const room = (l: Load, u: Unit) => roomWith(plan, l, u);
  const order = [...units].sort((a, b) => Number(b.database) - Number(a.database) || b.demandMiB - a.demandMiB || a.service.localeCompare(b.service));
  const together: string[] = [];
  for (const u of order) {
    const allowed = loads.filter((l) => room(l, u) >= 0 && (!databaseAlone || (u.database ? l.units.length === 0 : !l.units.some((x) => x.database))));
    const apart = allowed.filter((l) => !l.units.some((x) => x.service === u.service));
    const pool = apart.length > 0 ? apart : allowed;
    if (pool.length === 0) return { failed: u };
    if (apart.length === 0 && !together.includes(u.service)) together.push(u.service);
    // The host with the most room left: spreads the load and keeps room for what comes next.
    const best = pool.reduce((a, b) => (room(b, u) > room(a, u) ? b : a));
    best.units.push(u);
    best.demand += u.demandMiB;
    best.limits += u.limitMiB;
  }
  return { loads, together };
}

/** The plan with every service (the implied ones written out) on its placed hosts. */
function placedPlan(plan: Plan, services: readonly Service[], loads: readonly Load[], hosts: readonly NamedHost[]): Plan {
  const placed = services.map((s) => {
    const on = loads.map((l) => ({ name: l.host.name, n: l.units.filter((u) => u.service === s.name).length })).filter((x) => x.n > 0);
    // Most replicas first: hosts.ts gives the first hosts the extra replicas.
    on.sort((a, b) => b.n - a.n);
    return { ...s, host: on.map((x) => x.name) } as Service;
  });
  const first = hosts[0]!;
  return { ...plan, host: { ram: first.ram, reserve: first.reserve, swap: first.swap, ...(first.cpus === undefined ? {} : { cpus: first.cpus }) }, hosts: [...hosts], services: placed };
}

function attempt(plan: Plan, units: readonly Unit[], services: readonly Service[], hosts: readonly NamedHost[]): Placement | { failed: Unit } {
  let failed: Unit | undefined;
  // One host: the only placement is everything on it, judged by the rule alone.
  const tries: Array<{ loads: Load[]; together: string[]; alone: boolean } | { failed: Unit }> = hosts.length === 1
    ? [{ loads: [{ host: hosts[0]!, units: [...units], demand: units.reduce((t, u) => t + u.demandMiB, 0), limits: units.reduce((t, u) => t + u.limitMiB, 0) }], together: [...new Set(units.map((u) => u.service))].filter((n) => units.filter((u) => u.service === n).length > 1), alone: false }]
    : [true, false].filter((alone) => !alone || units.some((u) => u.database)).map((alone) => {
      const g = greedy(plan, units, hosts, alone);
      return 'failed' in g ? g : { ...g, alone };
    });
  for (const g of tries) {
    if ('failed' in g) { failed ??= g.failed; continue; }
    const p = placedPlan(plan, services, g.loads, hosts);
    if (!placementHolds(p)) {
      failed ??= [...units].sort((a, b) => b.demandMiB - a.demandMiB)[0]!;
      continue;
    }
    return {
      fits: true,
      databaseAlone: g.alone,
      replicasTogether: g.together,
      plan: p,
      hosts: g.loads.map((l) => ({
        name: l.host.name,
        ramMiB: l.host.ram,
        reserveMiB: reserveHigh(plan, l.host, l.units),
        demandMiB: l.demand,
        limitsMiB: l.limits,
        services: [...new Set(l.units.map((u) => u.service))].map((name) => ({ name, replicas: l.units.filter((u) => u.service === name).length })),
      })),
    };
  }
  return { failed: failed ?? units[0]! };
}

/** A placement of `plan`'s services on `hosts` that fits, or why none does. */
export function place(plan: Plan, hosts: readonly NamedHost[]): Placement {
  if (hosts.length === 0) return { fits: false, reason: 'no hosts to place on' };
  const unitsAndServices = unitsOf(plan);
  const { units, services } = unitsAndServices;
  // The implied services (toggles', exporters') written out: the reserve counts their containers and ports.
  plan = { ...plan, services };
  const first = attempt(plan, units, services, hosts);
  if ('fits' in first) return first;
  if (hosts.length <= SUBSET_SEARCH_MAX_HOSTS) {
    // Fewer hosts can succeed where the heuristic did not with all of them: try each subset,
    // largest first, so that adding a host never loses a placement.
    const subsets: NamedHost[][] = [];
    for (let mask = (1 << hosts.length) - 2; mask > 0; mask--) subsets.push(hosts.filter((_, i) => mask & (1 << i)));
    subsets.sort((a, b) => b.length - a.length);
    for (const sub of subsets) {
      const r = attempt(plan, units, services, sub);
      if ('fits' in r && r.fits) {
        const empty = hosts.filter((h) => !sub.includes(h)).map((h) => ({ name: h.name, ramMiB: h.ram, reserveMiB: reserveHigh(plan, h, []), demandMiB: 0, limitsMiB: 0, services: [] }));
        return { ...r, plan: { ...r.plan, hosts: [...hosts] }, hosts: [...r.hosts, ...empty] };
      }
    }
  }
  const u = first.failed;
  const need = Math.max(u.demandMiB, u.limitMiB);
  const largest = Math.max(...hosts.map((h) => roomWith(plan, { host: h, units: [], demand: 0, limits: 0 }, { ...u, demandMiB: 0, limitMiB: 0 })));
  return {
    fits: false,
    reason: `no placement fits: ${u.service} needs ${sizeFormat(need)}${need > largest ? `, more than any host offers (${sizeFormat(Math.max(0, largest))} after its reserve and free-memory criterion)` : ' and no host has that much room left beside the others'}`,
  };
}
