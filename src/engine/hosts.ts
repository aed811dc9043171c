/**
 * A multi-host plan (`hosts:`, issue 14) as one single-host plan per host: each host's part has
 * that host and the services (or the replicas of a spread service) that run on it, so the
 * single-host engine (budget.ts, findings/) budgets each host on its own. The load stays the whole
 * stack's: evaluate.ts passes the whole plan as the traffic context (scenarioOf's `whole`).
 */
import type { NamedHost, Plan, Service } from './schema.ts';
import { replicasOf } from './plan-schema.ts';
import { kindCountsReplicas } from './kinds/registry.ts';

export type HostPart = {
  name: string;
  host: NamedHost;
  plan: Plan;
  /** Service name → its replicas here against all of them, for the services spread over several hosts. */
  spread: ReadonlyMap<string, ReplicaShare>;
};

/** `total` replicas over `hosts` hosts, round-robin: the first hosts get one more when it does not divide. */
export function replicaShares(total: number, hosts: number): number[] {
  return Array.from({ length: hosts }, (_, i) => Math.floor(total / hosts) + (i < total % hosts ? 1 : 0));
}

/**
 * A spread service's share on one host: `replicas` of its replicas, each with the service's limit.
 * A service's limit is per container, as Docker means it (report.ts limitOfAll): n of its N
 * replicas on a host count n × the limit there, and the limits over its hosts sum to N × the limit.
 */
export function withReplicas(s: Service, replicas: number): Service {
  const total = replicasOf(s);
  if (total === replicas) return s;
  // The app kinds count theirs in their settings; the others in the service's `replicas` (plan-schema.ts).
  if (kindCountsReplicas(s.kind)) return { ...s, settings: { ...s.settings, replicas } } as Service;
  const { replicas: _all, ...rest } = s;
  return (replicas === 1 ? rest : { ...rest, replicas }) as Service;
}

/** A spread service's share on one host, against the whole service: `replicas` of `total` (1 of 1 for one not spread). */
export type ReplicaShare = { replicas: number; total: number };

/**
 * Where a service without a `host:` runs: the services a toggle or the exporters add (features.ts).
 * Assumed: pgBouncer beside PostgreSQL (it pools the database's connections on its host), and
 * everything else on the first host (the plan's first is where people put the app and its
 * monitoring); a plan that wants them elsewhere lists them with a host.
 */
export function impliedHost(plan: Plan, s: Service): string {
  const hosts = plan.hosts!;
  if (s.kind === 'pgbouncer') {
    const db = plan.services.find((x) => x.kind === 'postgres' && x.host);
    if (db) return db.host![0]!;
  }
  return hosts[0]!.name;
}

/** Each host's part of a multi-host plan, in the order of `hosts:`; a single-host plan has none. */
export function hostPartsOf(plan: Plan): HostPart[] {
  if (!plan.hosts) return [];
  const on = new Map<string, Service[]>(plan.hosts.map((h) => [h.name, []]));
  const spread = new Map<string, Map<string, ReplicaShare>>(plan.hosts.map((h) => [h.name, new Map()]));
  for (const s of plan.services) {
    const names = s.host ?? [impliedHost(plan, s)];
    const total = replicasOf(s);
    const shares = replicaShares(total, names.length);
    names.forEach((h, i) => {
      if (shares[i]! === 0) return;
      on.get(h)!.push(withReplicas(s, shares[i]!));
      if (shares[i]! < total) spread.get(h)!.set(s.name, { replicas: shares[i]!, total });
    });
  }
  return plan.hosts.map((h) => {
    const { name: _name, labels: _labels, ...host } = h;
    return { name: h.name, host: h, plan: { ...plan, host, services: on.get(h.name)! }, spread: spread.get(h.name)! };
  });
}

/** Service name → the names of the hosts it runs on (the services a toggle adds included); empty for a single-host plan. */
export function hostsOfServices(plan: Plan): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of hostPartsOf(plan)) for (const s of part.plan.services) out.set(s.name, [...(out.get(s.name) ?? []), part.name]);
  return out;
}
