/** The budget of one scenario: each service against its limit, and the host against its RAM. */
import type { Plan, Service, ServiceKind } from './schema.ts';
import type { HostBudget, Range, Scenario, ServiceBudget, Usage } from './report.ts';
import { basisOf, serviceUsage } from './kinds/registry.ts';
import { trafficOf } from './traffic.ts';
import { hostReserve } from './host.ts';
import { freeCriterion } from './policy.ts';
import { comonotonicExceed, riskOf, triangularExceed } from './risk.ts';
import { observedFigures, observedLimitOf } from './observed.ts';
import { sizeFormat } from './units.ts';
import { hostCpuOf, hostCpus } from './cpu.ts';
import { hostLatency } from './latency.ts';
import { containersOf, replicasOf, serviceLimitOfAll } from './plan-schema.ts';

/**
 * Usage put in place of the model's for some services (by name): what the verdict asks when it
 * takes a guessed service at zero ("does it fail without the guess?") or at its whole limit
 * ("does it pass whatever the guessed service uses?"), engine/verdict.ts.
 */
export type UsageOverride = ReadonlyMap<string, Range>;

/**
 * What a scenario's load (hostLoadOf: vCPUs, CPU, latency) is a function of, as a string: the
 * whole plan but its services' memory limits, which no CPU or latency figure reads (a seeded
 * property test in latency.test.ts holds hostLoadOf equal across limits). Two plans with the same
 * key have the same load at every multiplier: a keystroke in a limit field keeps the key.
 */
export function loadKeyOf(plan: Plan): string {
  return JSON.stringify({ ...plan, services: plan.services.map(({ limit: _limit, ...s }) => s) });
}

/**
 * Evaluates the plan with its active users × `multiplier`. `implied` names toggle-added services.
 * `whole` is the plan whose traffic drives the models when `plan` is one host's part of it
 * (hosts.ts): the budget is this host's services against this host, the load is the whole stack's.
 */
export function scenarioOf(plan: Plan, multiplier: number, implied: ReadonlySet<string>, override?: UsageOverride, whole?: Plan): Scenario {
  // The whole stack's traffic and kind counts, this host's RAM: the models that size themselves
  // from the host (a JVM's default heap, ClickHouse's and MongoDB's caches, RabbitMQ's watermark)
  // read the host they run on, not the plan's first or tightest one.
  const ctx = usageContextOf(whole ? { ...whole, host: plan.host } : plan, multiplier);
  const traffic = ctx.traffic;

  // A one-shot container (an init, a migration: plan-schema.ts oneShot) runs once at startup and
  // exits: not in the steady-state sums (usage, limits, risk, the shims of the reserve). Its high
  // is checked at startup instead (`startup` below, findings/memory.ts oneShotStartup).
  const steady = (s: Service) => s.oneShot !== true;
  const reserve = hostReserve(plan, containersOf(plan.services.filter(steady)));
  const oomAt = plan.host.ram + plan.host.swap;
  const usages = plan.services.map((s): Usage => {
    const o = override?.get(s.name);
    return o ? { ...o, components: [{ name: 'taken as', MiB: o.typical, low: o.low, high: o.high }] } : serviceUsage(s, ctx);
  });
  // The host total caps each service at its limit: past it, the kernel kills inside that cgroup.
  // The limit is per container (report.ts limitOfAll): N replicas, each at its usage's Nth,
  // are capped together at N × the limit.
  const capped = (s: Service, r: Range): Range => {
    const all = serviceLimitOfAll(s);
    return all === null ? r : { low: Math.min(r.low, all), typical: Math.min(r.typical, all), high: Math.min(r.high, all) };
  };
  const usage: Range = { low: reserve.low, typical: reserve.typical, high: reserve.high };
  plan.services.forEach((s, i) => {
    if (!steady(s)) return;
    const c = capped(s, usages[i]!);
    usage.low += c.low;
    usage.typical += c.typical;
    usage.high += c.high;
  });
  const ram = plan.host.ram;
  const { cpus, cpu, latency } = loadOf(plan, traffic, whole);
  const free: Range = { low: ram - usage.high, typical: ram - usage.typical, high: ram - usage.low };

  const parts = plan.services.flatMap((s, i) => (steady(s) ? [{ range: usages[i]!, cap: serviceLimitOfAll(s) ?? Infinity }] : []));
  parts.push({ range: reserve, cap: Infinity });
  const hostP = comonotonicExceed(parts, oomAt);
  const host: HostBudget = {
    ramMiB: ram,
    swapMiB: plan.host.swap,
    reserveMiB: reserve.typical,
    reserveRangeMiB: { low: reserve.low, typical: reserve.typical, high: reserve.high },
    limitsMiB: plan.services.reduce((sum, s, i) => sum + (steady(s) ? (serviceLimitOfAll(s) ?? usages[i]!.high) : 0), 0),
    setLimitsMiB: plan.services.reduce((sum, s) => sum + (steady(s) ? (serviceLimitOfAll(s) ?? 0) : 0), 0),
    usageMiB: usage,
    freeMiB: free,
    freeCriterionMiB: freeCriterion(ram),
    risk: riskOf(usage, oomAt, hostP),
    cpus,
    cpu: cpu.total,
    startup: startupOf(plan, usages, usage, capped, reserve),
  };

  const services: ServiceBudget[] = plan.services.map((s, i) => {
    const u = usages[i]!;
    const usageMiB = { low: u.low, typical: u.typical, high: u.high };
    // The usage is all its containers' (the kinds model every replica); the limit is each one's,
    // so the risk is one container's usage (its Nth: the replicas share the load evenly) against it.
    const replicas = replicasOf(s);
    const one = { low: u.low / replicas, typical: u.typical / replicas, high: u.high / replicas };
    return {
      name: s.name,
      kind: s.kind,
      limitMiB: s.limit,
      replicas,
      usageMiB,
      basis: basisOf(s),
      // Without a limit nothing but the host bounds the service: no headroom of its own, and its
      // risk is the host's (never a negative headroom or a "critical (100%)" of its own).
      headroomMiB: s.limit === null ? null : serviceLimitOfAll(s)! - u.typical,
      risk: s.limit === null ? { ...host.risk } : riskOf(one, s.limit, triangularExceed(one, s.limit)),
      components: u.components,
      implied: implied.has(s.name),
      // Observed usage is reported beside the model's; findings/observed.ts plans from it.
      ...observedOf(plan, s, u.high),
      cpu: cpu.services[i] ?? null,
      ...(steady(s) ? {} : { oneShot: true as const }),
    };
  });

  return { multiplier, host, services, traffic, latency };
}

/** The host's vCPUs, the CPU its services ask and the API's latency at this traffic: the part of a scenario no memory figure enters. */
function loadOf(plan: Plan, traffic: Scenario['traffic'], whole?: Plan) {
  const cpus = hostCpus(plan.host);
  const cpu = hostCpuOf(plan, traffic, whole ?? plan);
  return { cpus, cpu, latency: hostLatency(plan, traffic, whole ?? plan, cpus) };
}

/**
 * A scenario's load alone (scenarioOf's `host.cpus`, `host.cpu` and `latency`, the same figures),
 * without the usage models: what the CPU and latency checks read (host-fit.ts hostLoadChecks). The
 * latency finding's fix search (findings/load.ts) asks it for each edit it tries; a limit edit
 * changes none of it, and the memory models were three quarters of that search's time per keystroke.
 */
export function hostLoadOf(plan: Plan, multiplier: number, whole?: Plan): Pick<Scenario, 'latency'> & { host: Pick<HostBudget, 'cpus' | 'cpu'> } {
  const { cpus, cpu, latency } = loadOf(plan, usageContextOf(whole ? { ...whole, host: plan.host } : plan, multiplier).traffic, whole);
  return { host: { cpus, cpu: cpu.total }, latency };
}

/**
 * The host while the one-shot containers run, at startup: the steady-state services at their
 * typical (assumed: starting up, they have not reached their busiest yet; the dependents of an
 * init wait for it to exit, so this over-counts them) plus every one-shot at its high (capped at
 * its limit), all of them together (compose starts the ones with no order between them at once),
 * plus a shim each. Null when the plan has none.
 */
function startupOf(plan: Plan, usages: readonly Usage[], usage: Range, capped: (s: Service, r: Range) => Range, reserve: Range): HostBudget['startup'] {
  const once = plan.services.flatMap((s, i) => (s.oneShot === true ? [{ name: s.name, high: capped(s, usages[i]!).high }] : []));
  if (once.length === 0) return null;
  const shims = hostReserve(plan, plan.services.length).typical - reserve.typical;
  const highMiB = once.reduce((t, o) => t + o.high, 0);
  return { services: once.map((o) => o.name), highMiB, usageMiB: usage.typical + shims + highMiB };
}

/** A service's evidence in the report: its figures, the limit planned from them (never below
 * the model's high when it has a model: observed.ts), and its OOM kills. */
function observedOf(plan: Plan, s: Service, high: number): Pick<ServiceBudget, 'observedMiB' | 'observedLimitMiB' | 'observedLimit' | 'oomKills'> {
  if (!s.observed) return { observedMiB: null, observedLimitMiB: null, observedLimit: null, oomKills: [] };
  const o = s.observed;
  // A model exists when, without the evidence, the service would not be a guess nor the evidence itself.
  const modelled = basisOf({ ...s, observed: undefined } as Service) === 'modelled';
  const limit = observedLimitOf(o, plan.workload, modelled ? high : null, sizeFormat);
  return {
    observedMiB: { ...observedFigures(o), samples: o.samples ?? null, windowSeconds: o.windowSeconds ?? null, growthPerHour: o.growthPerHour ?? 0, kernelPeak: o.kernelPeak ?? null, source: o.source ?? null },
    observedLimitMiB: limit.limitMiB,
    observedLimit: limit,
    oomKills: (o.oomKills ?? []).map((k) => ({ at: k.at, container: k.container })),
  };
}

/**
 * A service's high usage with its limit set to `limit`, the rest of the plan as it is: for the
 * kinds whose usage follows their limit (a JVM without -Xmx sizes its heap from it), so that a fix
 * raising the limit is checked against the usage at the new limit (findings/memory.ts).
 */
export function serviceHighAt(plan: Plan, multiplier: number, name: string, limit: number): number | null {
  const ctx = contextMemo(plan, multiplier);
  const service = ctx.byName.get(name);
  if (!service) return null;
  // Traffic and the kind counts do not read any limit (traffic.ts), and the usage models read only
  // the host from ctx.plan (kinds/*), so the plan's own context serves with this one limit
  // changed: built once per plan and multiplier, not once per service (issue 17: a 2,000-service
  // plan's findings rebuilt it 8,000 times, each time over every service).
  return serviceUsage({ ...service, limit } as Service, ctx.context).high;
}

type Memo = { context: ReturnType<typeof usageContextOf>; byName: Map<string, Service> };
const contexts = new WeakMap<Plan, Map<number, Memo>>();
function contextMemo(plan: Plan, multiplier: number): Memo {
  let byMultiplier = contexts.get(plan);
  if (!byMultiplier) contexts.set(plan, (byMultiplier = new Map()));
  let memo = byMultiplier.get(multiplier);
  if (!memo) byMultiplier.set(multiplier, (memo = { context: usageContextOf(plan, multiplier), byName: new Map(plan.services.map((s) => [s.name, s])) }));
  return memo;
}

/** What a kind's usage model reads: the plan, its traffic at `multiplier`, and how many services share each kind. */
function usageContextOf(plan: Plan, multiplier: number) {
  const counts = new Map<ServiceKind, number>();
  for (const s of plan.services) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  return { plan, traffic: trafficOf(plan, multiplier), countOf: (k: ServiceKind) => counts.get(k) ?? 1 };
}
