/**
 * Capacity: the most active users a plan carries before its first check breaks, which check
 * that is, and the next two; the same in the spike. Every number comes from the engine's own
 * scenario (budget.ts): the search only asks it "does this still pass at N users?".
 *
 * The checks (issue 6, the seed's success criteria and the engine's findings):
 * - `usage-over-limit`: a service's high usage over its limit (an OOM kill inside its cgroup);
 * - `free-below-criterion`: free host memory at worst under max(500 MB, 12% of RAM);
 * - `limits-exceed-ram`: the limits the plan sets plus the reserve over the host's RAM (these two
 *   are host-fit.ts's rule of what fits on a host, the one place.ts places by);
 * - `connections-near-max`: Postgres client backends at 90% of max_connections or more;
 * - `app-connections-exceed-max-client-conn`: the app's connections over pgBouncer's max_client_conn;
 * - `app-connections-exceed-max-connections`: without pgBouncer, the app's connections over what
 *   Postgres accepts (the direct twin of the pgBouncer check);
 * - `cpu-saturated`: the host's services ask more than 80% of its vCPUs at the mean (issue 15);
 * - `latency-over-criterion`: the app's p95 over the seed's 500 ms (these two are host-fit.ts's
 *   hostLoadChecks, on the one host or each host of a layout).
 *
 * Pure: plain data in, plain data out, no I/O.
 */
import { planParse, type Plan, type PlanInput, type ServiceOf } from './schema.ts';
import type { Change, Scenario } from './report.ts';
import { evaluate } from './evaluate.ts';
import { applyChanges } from './change.ts';
import { findingCovers } from './findings/index.ts';
import { planWithFeatures } from './features.ts';
import { scenarioOf } from './budget.ts';
import { hostFitChecks, hostLoadChecks, placedHostChecks, placedLoadChecks } from './host-fit.ts';
import { coresAskedFormat, coresFormat, msFormat, sizeFormat, sizePairFormat } from './units.ts';
import { usableConnections } from './kinds/postgres/settings.ts';
import { CONNECTIONS_SHARE, connectionsLine, connectionsNearMax, CPU_SATURATION_SHARE, exceedsLimit, FREE_CRITERION_WORDS } from './policy.ts';

/** The search's ceiling: the plan file's own maximum of workload.activeUsers (schema.ts). */
export const CAPACITY_CAP = 100_000_000;

export const CHECK_IDS = [
  'usage-over-limit',
  'free-below-criterion',
  'limits-exceed-ram',
  'connections-near-max',
  'app-connections-exceed-max-client-conn',
  'app-connections-exceed-max-connections',
  'cpu-saturated',
  'latency-over-criterion',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** One check at one user count: what is measured against what it must stay under. */
export type CheckValue = {
  id: CheckId;
  /** The service concerned, or null for the host (or for a host of a layout: its name in `host`). */
  service: string | null;
  host?: string;
  /** The host's RAM, on the free-memory check (its criterion is RAM − allowed). */
  ramMiB?: number;
  /** The service's containers, on usage-over-limit when it has several: `demand` is one container's. */
  replicas?: number;
  unit: CheckUnit;
  demand: number;
  allowed: number;
  fails: boolean;
};

/** MiB of memory, connections, cores (CPU), ms (latency: Infinity when a queue grows without bound). */
export type CheckUnit = 'MiB' | 'connections' | 'cores' | 'ms';

/** `breaks` at users + 1; `fails-at-zero` even with no users; `holds` up to CAPACITY_CAP. */
export type CapacityStatus = 'breaks' | 'fails-at-zero' | 'holds';

export type Constraint = {
  id: CheckId;
  /** The service concerned; null for a host. */
  service: string | null;
  /** The host's name, on a host check of a multi-host layout (tiers.ts). */
  host?: string;
  message: string;
  /** The most users at which this check passes (0 when it fails even at 0); null when it holds up to the cap. */
  users: number | null;
  status: CapacityStatus;
  unit: CheckUnit;
  /** The measured value and its bound where it breaks (at users + 1; at 0 or at the cap otherwise). */
  demand: number;
  allowed: number;
};

export type CapacityScenario = {
  multiplier: number;
  /** The most active users (the plan's own users, before the multiplier) at which every check passes; 0 when one fails even at 0; null when none breaks up to the cap. */
  users: number | null;
  status: CapacityStatus;
  /** The first check to break; null when none does. */
  binding: Constraint | null;
  /** The next two to break after the binding one. */
  next: Constraint[];
  /** Every check, the first to break first. */
  constraints: Constraint[];
};

/**
 * When the plan fails even with no users: the load-independent fixes (the engine's own findings'
 * changes for the checks that fail at zero, applied until none does) and the users the plan
 * carries once they are applied. Null when nothing fails at zero, or the fixes do not clear it.
 */
export type FixedFirst = {
  changes: Change[];
  /** The users the fixed plan carries; null when none of its checks breaks with users (see `reason`). */
  users: number | null;
  status: CapacityStatus;
  binding: Constraint | null;
  reason: string | null;
};

export type Capacity = CapacityScenario & {
  cap: number;
  /**
   * Why `users` is null (no check breaks with users): the plan's memory does not follow active
   * users (no service's usage changes between 0 and the cap), so a user count would be no
   * capacity at all. Null when `users` is a number.
   */
  reason: string | null;
  /** Does any service's memory or any connection count follow active users? */
  followsUsers: boolean;
  fixedFirst: FixedFirst | null;
  /** The plan's own active users and their share of the capacity (null when the capacity is 0 or unbounded). */
  current: { users: number; share: number | null };
  spike: CapacityScenario;
};

/**
 * A stack placed on several hosts (tiers.ts, from place.ts): a plan with `hosts:` whose services
 * name their hosts, at the same users as the scenario it is checked with; absent = one host.
 */
export type HostLayout = Plan;

type Expanded = Plan & { implied: ReadonlySet<string> };

/** The scenario of `plan` (features applied) at `users` active users × `multiplier`. */
export function scenarioAt(plan: Expanded, users: number, multiplier: number): Scenario {
  return scenarioOf({ ...plan, workload: { ...plan.workload, activeUsers: users } }, multiplier, plan.implied);
}

/** Every capacity check of one scenario. `plan` must have its features applied (planWithFeatures). */
export function checksOf(plan: Plan, sc: Scenario, layout?: HostLayout): CheckValue[] {
  const out: CheckValue[] = [];
  for (const s of sc.services) {
    if (s.limitMiB === null) continue;
    // One container's high usage against its limit (per container: report.ts limitOfAll).
    const one = s.usageMiB.high / s.replicas;
    out.push({ id: 'usage-over-limit', service: s.name, ...(s.replicas > 1 ? { replicas: s.replicas } : {}), unit: 'MiB', demand: one, allowed: s.limitMiB, fails: exceedsLimit(one, s.limitMiB) });
  }
  // The host checks: host-fit.ts's rule, on the one host or on each host of the layout.
  const hosts = layout ? placedHostChecks(layout, sc.multiplier) : [{ host: undefined, ramMiB: sc.host.ramMiB, checks: hostFitChecks(sc.host) }];
  for (const h of hosts) {
    for (const c of h.checks) out.push({ id: c.id, service: null, ...(h.host === undefined ? {} : { host: h.host }), ramMiB: h.ramMiB, unit: 'MiB', demand: c.demand, allowed: c.allowed, fails: c.fails });
  }
  // CPU and latency: host-fit.ts's load checks, on the one host or each host of the layout.
  const loads = layout ? placedLoadChecks(layout, sc.multiplier) : [{ host: undefined, checks: hostLoadChecks(sc) }];
  for (const h of loads) {
    for (const c of h.checks) out.push({ id: c.id, service: null, ...(h.host === undefined ? {} : { host: h.host }), unit: c.unit, demand: c.demand, allowed: c.allowed, fails: c.fails });
  }
  const pg = plan.services.find((s): s is ServiceOf<'postgres'> => s.kind === 'postgres');
  const bouncer = plan.services.find((s): s is ServiceOf<'pgbouncer'> => s.kind === 'pgbouncer');
  const app = sc.traffic.appConnections;
  if (pg) {
    const peak = sc.traffic.backends.high;
    const max = pg.settings.maxConnections;
    out.push({ id: 'connections-near-max', service: pg.name, unit: 'connections', demand: peak, allowed: connectionsLine(max), fails: connectionsNearMax(peak, max) });
    if (app > 0 && bouncer) {
      const max = bouncer.settings.maxClientConn;
      out.push({ id: 'app-connections-exceed-max-client-conn', service: bouncer.name, unit: 'connections', demand: app, allowed: max, fails: app > max });
    } else if (app > 0) {
      const usable = usableConnections(pg.settings.maxConnections);
      out.push({ id: 'app-connections-exceed-max-connections', service: pg.name, unit: 'connections', demand: app, allowed: usable, fails: app > usable });
    }
  }
  return out;
}

/** A memoised probe: the checks at `users` (the same list, in the same order, at every count). */
type Probe = (users: number) => CheckValue[];

/** The probe of a plan in one scenario; tiers.ts passes its own for split layouts. */
export function probeOf(plan: Plan, multiplier: number, layout?: HostLayout): Probe {
  const expanded = planWithFeatures(plan);
  const memo = new Map<number, CheckValue[]>();
  return (users) => {
    let v = memo.get(users);
    if (!v) {
      v = checksOf(expanded, scenarioAt(expanded, users, multiplier), layout);
      memo.set(users, v);
    }
    return v;
  };
}

type Found = { value: CheckValue; users: number | null; status: CapacityStatus };

/**
 * Each check's break point by bisection on whole users: the engine is monotone in users
 * (properties.test.ts), so pass/fail flips once. The probes are shared: checks that have not
 * parted yet probe the same counts, so a plan with k distinct break points costs about k × 27
 * scenarios (log2 of the cap).
 */
export function breakPoints(probe: Probe, cap = CAPACITY_CAP): Found[] {
  const zero = probe(0);
  const top = probe(cap);
  const known = new Map<number, CheckValue[]>([[0, zero], [cap, top]]);
  const at = (u: number) => {
    let v = known.get(u);
    if (!v) {
      v = probe(u);
      known.set(u, v);
    }
    return v;
  };
  return zero.map((z, i) => {
    if (z.fails) return { value: z, users: 0, status: 'fails-at-zero' };
    if (!top[i]!.fails) return { value: top[i]!, users: null, status: 'holds' };
    // The tightest bracket the probes so far give this check: lo passes, hi fails.
    let lo = 0;
    let hi = cap;
    for (const [u, v] of known) {
      if (v[i]!.fails) hi = Math.min(hi, u);
      else if (u < hi) lo = Math.max(lo, u);
    }
    if (lo >= hi) lo = 0; // not monotone between probes: fall back to the full bracket
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (at(mid)[i]!.fails) hi = mid;
      else lo = mid;
    }
    return { value: at(hi)[i]!, users: lo, status: 'breaks' };
  });
}

const usersFmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** One sentence on where a check breaks, for people. */
function messageOf(f: Found, multiplier: number, cap: number): string {
  const v = f.value;
  const where = f.status === 'fails-at-zero' ? 'even with no users'
    : f.status === 'holds' ? `up to ${usersFmt(cap)} users`
      : `at ${usersFmt((f.users ?? 0) + 1)} active users`;
  const inSpike = multiplier === 1 ? '' : ` in the ×${multiplier} spike`;
  const holds = f.status === 'holds';
  switch (v.id) {
    case 'usage-over-limit': {
      // Sizes a rounding would write alike get the decimals that tell them apart (not "1.25 GiB exceeds its 1.25 GiB limit").
      const [demand, allowed] = sizePairFormat(v.demand, v.allowed);
      // A service of several containers: the figures are one container's, against the limit each one has.
      const each = v.replicas ? ' per container' : '';
      const ofN = v.replicas ? `, each of its ${v.replicas} containers` : '';
      return holds
        ? `${v.service}'s high usage${each} stays within its ${sizeFormat(v.allowed)} limit${inSpike} ${where}.`
        : `${v.service}'s high usage${each} (${demand}${ofN}) exceeds its ${allowed} limit${inSpike} ${where}: an OOM kill.`;
    }
    case 'free-below-criterion': {
      const host = v.host ? `the ${v.host} host` : 'the host';
      const ram = v.ramMiB ?? 0;
      const [free, need] = sizePairFormat(ram - v.demand, ram - v.allowed);
      const criterion = (text: string) => `${text} criterion (${FREE_CRITERION_WORDS})`;
      return holds
        ? `Free memory on ${host} stays above the ${criterion(sizeFormat(ram - v.allowed))}${inSpike} ${where}.`
        : `Free memory on ${host} can fall to ${free}, under the ${criterion(need)}${inSpike} ${where}.`;
    }
    case 'limits-exceed-ram': {
      const host = v.host ? `the ${v.host} host` : 'the host';
      return holds
        ? `The limits set plus the reserve stay within ${host}'s ${sizeFormat(v.allowed)} of RAM${inSpike} ${where}.`
        : `The limits set plus the reserve (${sizeFormat(v.demand)}) exceed ${host}'s ${sizeFormat(v.allowed)} of RAM${inSpike} ${where}: they promise memory that is not there.`;
    }
    case 'connections-near-max':
      return holds
        ? `PostgreSQL's client connections stay under 90% of max_connections${inSpike} ${where}.`
        : `PostgreSQL can hold ${Math.round(v.demand)} client connections, ${Math.round((v.demand / v.allowed) * 90)}% of max_connections ${Math.round(v.allowed / CONNECTIONS_SHARE)} (the criterion: under 90%)${inSpike} ${where}.`;
    case 'app-connections-exceed-max-client-conn':
      return holds
        ? `The app's connections fit pgBouncer's max_client_conn ${where}.`
        : `The app can open ${v.demand} connections but ${v.service} accepts ${v.allowed} (max_client_conn) ${where}.`;
    case 'cpu-saturated': {
      const host = v.host ? `the ${v.host} host` : 'the host';
      const cpus = v.allowed / CPU_SATURATION_SHARE;
      return holds
        ? `The services' CPU stays under ${Math.round(CPU_SATURATION_SHARE * 100)}% of ${host}'s ${coresFormat(cpus)} vCPUs${inSpike} ${where}.`
        : `The services ask ${coresAskedFormat(v.demand, v.allowed)} cores of ${host}'s ${coresFormat(cpus)} vCPUs, over ${Math.round(CPU_SATURATION_SHARE * 100)}% (${coresFormat(v.allowed)})${inSpike} ${where}: requests queue for the CPU.`;
    }
    case 'latency-over-criterion': {
      const app = v.host ? `The API on the ${v.host} host` : 'The API';
      if (holds) return `${app}'s p95 latency stays under ${msFormat(v.allowed)}${inSpike} ${where}.`;
      return Number.isFinite(v.demand)
        ? `${app}'s p95 latency reaches ${msFormat(v.demand)}, over the ${msFormat(v.allowed)} criterion${inSpike} ${where}.`
        : `${app}'s requests arrive faster than its workers and cores (or its database pool) serve them${inSpike} ${where}: the queue, and p95, grow without bound (criterion ${msFormat(v.allowed)}).`;
    }
    case 'app-connections-exceed-max-connections':
      return holds
        ? `The app's connections fit PostgreSQL's max_connections ${where}.`
        : `The app can open ${v.demand} connections but PostgreSQL accepts ${v.allowed} (max_connections minus the superuser-reserved) ${where}.`;
  }
}

/**
 * The checks that fail at exactly `users` (× `multiplier`), worst overrun first, as constraints
 * that break there: for a plan tuned for those users (tiers.ts), "why does it not fit".
 */
export function constraintsFailingAt(plan: Plan, users: number, multiplier = 1, layout?: HostLayout): Constraint[] {
  const expanded = planWithFeatures(plan);
  const status: CapacityStatus = users === 0 ? 'fails-at-zero' : 'breaks';
  return checksOf(expanded, scenarioAt(expanded, users, multiplier), layout)
    .filter((v) => v.fails)
    .map((value) => constraintOf({ value, users: Math.max(0, users - 1), status }, multiplier, CAPACITY_CAP))
    .sort((a, b) => overrun(b) - overrun(a));
}

const overrun = (c: { demand: number; allowed: number }) => c.demand / Math.max(c.allowed, 1e-9);

function constraintOf(f: Found, multiplier: number, cap: number): Constraint {
  return {
    id: f.value.id,
    service: f.value.service,
    ...(f.value.host === undefined ? {} : { host: f.value.host }),
    message: messageOf(f, multiplier, cap),
    users: f.users,
    status: f.status,
    unit: f.value.unit,
    demand: f.value.demand,
    allowed: f.value.allowed,
  };
}

/** Orders checks: the first to break first; at a tie, the one furthest over its bound. */
function constraintSort(a: Constraint, b: Constraint): number {
  const ua = a.users ?? Infinity;
  const ub = b.users ?? Infinity;
  if (ua !== ub) return ua - ub;
  return overrun(b) - overrun(a);
}

/** The capacity of one scenario from its probe. */
export function capacityScenario(probe: Probe, multiplier: number, cap = CAPACITY_CAP): CapacityScenario {
  const constraints = breakPoints(probe, cap).map((f) => constraintOf(f, multiplier, cap)).sort(constraintSort);
  const broken = constraints.filter((c) => c.status !== 'holds');
  const binding = broken[0] ?? null;
  return {
    multiplier,
    users: binding ? binding.users : null,
    status: binding ? binding.status : 'holds',
    binding,
    next: broken.slice(1, 3),
    constraints,
  };
}

/**
 * capacity(plan): the most active users the plan carries in normal traffic before a check
 * breaks, and at the spike multiplier (users whose ×spike peak still passes).
 */
export function capacity(plan: Plan, cap = CAPACITY_CAP, withFixes = true): Capacity {
  const probe = probeOf(plan, 1);
  const normal = capacityScenario(probe, 1, cap);
  const spike = capacityScenario(probeOf(plan, plan.workload.spike), plan.workload.spike, cap);
  const users = plan.workload.activeUsers;
  const follows = followsUsers(plan, cap);
  return {
    ...normal,
    cap,
    reason: normal.status === 'holds' ? holdsReason(follows) : null,
    followsUsers: follows,
    current: { users, share: normal.users ? users / normal.users : null },
    spike,
    fixedFirst: withFixes && normal.status === 'fails-at-zero' ? fixedFirstOf(plan, cap) : null,
  };
}

/** Whether any service's usage or the database's connections change between 0 users and the cap. */
function followsUsers(plan: Plan, cap: number): boolean {
  const expanded = planWithFeatures(plan);
  const [a, b] = [scenarioAt(expanded, 0, 1), scenarioAt(expanded, cap, 1)];
  const moved = (x: number, y: number) => Math.abs(x - y) > 1e-6;
  return a.services.some((s, i) => moved(s.usageMiB.high, b.services[i]!.usageMiB.high) || moved(s.usageMiB.typical, b.services[i]!.usageMiB.typical))
    || moved(a.traffic.backends.high, b.traffic.backends.high) || moved(a.traffic.appConnections, b.traffic.appConnections);
}

function holdsReason(follows: boolean): string {
  return follows
    ? 'what follows users in this plan stays within its limits at any count (each part is capped by its settings: workers, pools, max_connections), so users do not bound it; size it by its services\' own usage'
    : 'no service\'s memory follows active users in this plan (no app or database whose usage grows with traffic: generic, monitoring or fixed-size services only), so it has no user capacity to give; size it by its services\' own usage';
}

/** Rounds of fixing at most: each round applies the fixes of the checks still failing at zero. Assumed: a fix rarely uncovers more than one further check. */
const FIX_ROUNDS = 4;

/** The load-independent fixes of a plan that fails at zero, and what it carries once applied. */
function fixedFirstOf(plan: Plan, cap: number): FixedFirst | null {
  let input = { ...plan, workload: { ...plan.workload, activeUsers: 0 } } as unknown as PlanInput;
  const changes: Change[] = [];
  for (let round = 0; round < FIX_ROUNDS; round++) {
    const parsed = planParse(input);
    if (!parsed.ok) return null;
    const failing = new Set(checksOf(planWithFeatures(parsed.plan), scenarioAt(planWithFeatures(parsed.plan), 0, 1)).filter((v) => v.fails).map((v) => `${v.id}\u0000${v.service}`));
    if (failing.size === 0) {
      const fixed = capacity({ ...parsed.plan, workload: plan.workload }, cap, false);
      return { changes, users: fixed.users, status: fixed.status, binding: fixed.binding, reason: fixed.reason };
    }
    // A finding fixes a failing check when it is that check's finding or stands in for it (Redis's
    // own findings supersede usage-over-limit); a host OOM's fix (a bigger host) also lifts free memory.
    const fixes = evaluate(parsed.plan).findings.filter((f) => findingCovers(f.id).some((id) => failing.has(`${id}\u0000${f.service}`)) || (f.id === 'host-oom' && failing.has('free-below-criterion\u0000null')));
    const next = fixes.flatMap((f) => f.fix.changes);
    if (next.length === 0) return null;
    const at = new Map(changes.map((c, i) => [`${c.service}\u0000${c.key}`, i]));
    for (const ch of next) {
      const i = at.get(`${ch.service}\u0000${ch.key}`);
      if (i !== undefined) changes[i] = ch;
      else at.set(`${ch.service}\u0000${ch.key}`, changes.push(ch) - 1);
    }
    input = applyChanges(input, next);
  }
  return null;
}
