/**
 * place(plan, hosts): which host each service (each replica) runs on, so that every host holds
 * what it runs (issue 14). A service needs its limit (its high usage when it has none: what
 * budget.ts counts in `limitsMiB`); a host offers its RAM less its reserve at the high end
 * (host.ts, with the containers placed on it). The databases go first, on hosts of their own when
 * that fits (a database beside the app competes with it for the page cache and the OOM killer);
 * replicas of a service go to different hosts while another host has room. When the heuristic
 * finds nothing it tries every subset of the hosts, so a placement found with fewer hosts is found
 * with more; when none fits it says which service had no room.
 */
import type { NamedHost, Plan, Service, ServiceKind } from './schema.ts';
import { replicasOf } from './schema.ts';
import { evaluate } from './evaluate.ts';
import { planWithFeatures } from './features.ts';
import { hostReserve } from './host.ts';
import { hostExceedsRam, limitsExceedRam } from './policy.ts';
import { sizeFormat } from './units.ts';

/** The kinds whose data is the stack's state: a host of their own when it fits. Assumed from the
 * issue's "the database on its own host"; caches (redis, memcached) are not databases here. */
export const DATABASE_KINDS: ReadonlySet<ServiceKind> = new Set<ServiceKind>(['postgres', 'mysql', 'mongodb', 'clickhouse']);

/** Above this many hosts the subset search is skipped (2^8 = 256 heuristic runs at most). */
const SUBSET_SEARCH_MAX_HOSTS = 8;

type Unit = { service: string; demandMiB: number; database: boolean };

export type HostLoad = {
  name: string;
  ramMiB: number;
  /** The reserve at its high end with these containers (host.ts). */
  reserveMiB: number;
  /** The services' needs: each one's limit, or its high usage without one. */
  demandMiB: number;
  /** Service name → replicas placed here. */
  services: Array<{ name: string; replicas: number }>;
};

export type Placement =
  | { fits: true; hosts: HostLoad[]; databaseAlone: boolean; replicasTogether: string[]; plan: Plan }
  | { fits: false; reason: string };

/** What each service (toggles' and exporters' included) needs, per replica. */
function unitsOf(plan: Plan): { units: Unit[]; services: Service[] } {
  const whole = planWithFeatures({ ...plan, hosts: undefined, services: plan.services.map(({ host: _h, ...s }) => s as Service) });
  const report = evaluate({ ...whole, features: { ...whole.features, pgbouncer: false, alertmanager: false, exporters: false } });
  const units: Unit[] = [];
  for (const s of whole.services) {
    const b = report.services.find((x) => x.name === s.name)!;
    const n = replicasOf(s);
    const demand = b.limitMiB ?? b.usageMiB.high;
    for (let i = 0; i < n; i++) units.push({ service: s.name, demandMiB: demand / n, database: DATABASE_KINDS.has(s.kind) });
  }
  return { units, services: whole.services };
}

function reserveHigh(plan: Plan, host: NamedHost, containers: number): number {
  return hostReserve({ ...plan, host: { ram: host.ram, reserve: host.reserve, swap: host.swap } }, containers).high;
}

type Load = { host: NamedHost; units: Unit[]; demand: number };

function greedy(plan: Plan, units: readonly Unit[], hosts: readonly NamedHost[], databaseAlone: boolean): { loads: Load[]; together: string[] } | { failed: Unit } {
  const loads: Load[] = hosts.map((host) => ({ host, units: [], demand: 0 }));
  const room = (l: Load, u: Unit) => l.host.ram - reserveHigh(plan, l.host, l.units.length + 1) - l.demand - u.demandMiB;
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
  return { ...plan, host: { ram: hosts[0]!.ram, reserve: hosts[0]!.reserve, swap: hosts[0]!.swap }, hosts: [...hosts], services: placed };
}

/** Every host of the placed plan holds its services by the engine's own budget. */
function engineHolds(plan: Plan): boolean {
  return (evaluate(plan).hosts ?? []).every((h) => !limitsExceedRam(h) && !hostExceedsRam(h));
}

function attempt(plan: Plan, units: readonly Unit[], services: readonly Service[], hosts: readonly NamedHost[]): Placement | { failed: Unit } {
  let failed: Unit | undefined;
  for (const alone of [true, false]) {
    if (alone && !units.some((u) => u.database)) continue;
    const g = greedy(plan, units, hosts, alone);
    if ('failed' in g) { failed ??= g.failed; continue; }
    const p = placedPlan(plan, services, g.loads, hosts);
    if (!engineHolds(p)) continue;
    return {
      fits: true,
      databaseAlone: alone,
      replicasTogether: g.together,
      plan: p,
      hosts: g.loads.map((l) => ({
        name: l.host.name,
        ramMiB: l.host.ram,
        reserveMiB: reserveHigh(plan, l.host, l.units.length),
        demandMiB: l.demand,
        services: [...new Set(l.units.map((u) => u.service))].map((name) => ({ name, replicas: l.units.filter((u) => u.service === name).length })),
      })),
    };
  }
  return { failed: failed ?? units[0]! };
}

/** A placement of `plan`'s services on `hosts` that fits, or why none does. */
export function place(plan: Plan, hosts: readonly NamedHost[]): Placement {
  if (hosts.length === 0) return { fits: false, reason: 'no hosts to place on' };
  const { units, services } = unitsOf(plan);
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
        const empty = hosts.filter((h) => !sub.includes(h)).map((h) => ({ name: h.name, ramMiB: h.ram, reserveMiB: reserveHigh(plan, h, 0), demandMiB: 0, services: [] }));
        return { ...r, plan: { ...r.plan, hosts: [...hosts] }, hosts: [...r.hosts, ...empty] };
      }
    }
  }
  const u = first.failed;
  const largest = Math.max(...hosts.map((h) => h.ram - reserveHigh(plan, h, 1)));
  return {
    fits: false,
    reason: `no placement fits: ${u.service} needs ${sizeFormat(u.demandMiB)}${u.demandMiB > largest ? `, more than any host offers (${sizeFormat(largest)} after its reserve)` : ' and no host has that much room left beside the others'}`,
  };
}
