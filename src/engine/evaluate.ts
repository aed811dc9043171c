/** evaluate(plan): the whole report, normal and spike, with findings. */
import type { Plan } from './schema.ts';
import type { NamedHostBudget, Range, Report, ReportFinding, Scenario } from './report.ts';
import { planWithFeatures } from './features.ts';
import { scenarioOf, type UsageOverride } from './budget.ts';
import { findingsOf } from './findings/index.ts';
import { basisOf } from './kinds/registry.ts';
import { hostPartsOf, type ReplicaShare } from './hosts.ts';
import { p95Of } from './latency.ts';
import type { Latency } from './report.ts';

/** The slowest of the hosts' latencies (the highest p95; a saturated queue first); null without an app. */
function slowest(all: ReadonlyArray<Latency | null>): Latency | null {
  return all.reduce<Latency | null>((w, l) => (l && (!w || p95Of(l) > p95Of(w)) ? l : w), null);
}

const ZERO: Range = { low: 0, typical: 0, high: 0 };

/** The services whose usage is Headroom's guess (basis `assumed`), each taken at zero. */
export function guessesAtZero(plan: Plan): UsageOverride {
  return new Map(plan.services.filter((s) => basisOf(s) === 'assumed').map((s) => [s.name, ZERO]));
}

export function evaluate(input: Plan): Report {
  if (input.hosts) return evaluateHosts(input);
  const plan = planWithFeatures(input);
  const normal = scenarioOf(plan, 1, plan.implied);
  const spike = scenarioOf(plan, plan.workload.spike, plan.implied);
  // Findings are worked out when first read, then kept: the page paints a keystroke's numbers
  // first and its verdict and findings a frame later (the findings were over half of a
  // keystroke's evaluation: 0.44 of 0.8 ms in a profile, 2026-12-03); the CLI reads them at once
  // and gets the same array either way.
  let findings: ReportFinding[] | undefined;
  return {
    name: plan.name ?? null,
    host: normal.host,
    services: normal.services,
    traffic: normal.traffic,
    latency: normal.latency,
    features: plan.features,
    spike,
    get findings() {
      return (findings ??= findingsOf({ plan, normal, spike }, knownOf(plan, plan.implied)));
    },
  };
}

/**
 * The same plan without the guesses: what the findings still say there does not rest on them. A
 * multi-host plan's part passes the whole stack's implied services and the whole plan (scenarioOf).
 */
function knownOf(plan: Plan, implied: ReadonlySet<string>, whole?: Plan) {
  const zero = guessesAtZero(plan);
  return zero.size === 0 ? undefined : {
    plan,
    normal: scenarioOf(plan, 1, implied, zero, whole),
    spike: scenarioOf(plan, plan.workload.spike, implied, zero, whole),
  };
}

/**
 * A finding about a spread service's share on one host (hosts.ts: n of its N replicas, each with
 * its limit): the message says which replicas it read. A `limit` change is per container
 * (report.ts limitOfAll), the plan file's own `limit`, so it stands as the finding wrote it.
 */
function wholeService(f: ReportFinding, host: string, spread: ReadonlyMap<string, ReplicaShare>): ReportFinding {
  const share = f.service === null ? undefined : spread.get(f.service);
  if (!share) return f;
  return { ...f, message: `On ${host}, ${share.replicas} of ${f.service}'s ${share.total} replicas: ${f.message}` };
}

/**
 * A multi-host plan: each host's part (hosts.ts) through the single-host engine — its own budget,
 * reserve, free memory, risk and findings — with the whole stack's traffic. The report's `host` is
 * the tightest host, `hosts` all of them; services and findings carry their host.
 */
function evaluateHosts(input: Plan): Report {
  const whole = planWithFeatures(input);
  const parts = hostPartsOf(whole).map((part) => {
    const plan = part.plan;
    const normal = scenarioOf(plan, 1, whole.implied, undefined, whole);
    const spike = scenarioOf(plan, plan.workload.spike, whole.implied, undefined, whole);
    const known = knownOf(plan, whole.implied, whole);
    // 'single-host' (everything on one machine) is the finding a multi-host plan answers.
    const findings = findingsOf({ plan, normal, spike }, known).filter((f) => f.id !== 'single-host').map((f) => ({ ...wholeService(f, part.name, part.spread), host: part.name }));
    return { part, normal, spike, findings };
  });
  const budget = (p: (typeof parts)[number]): NamedHostBudget => ({
    name: p.part.name,
    ...p.normal.host,
    labels: [...p.part.host.labels],
    pricePerMonth: p.part.host.pricePerMonth ?? null,
    services: p.part.plan.services.map((s) => s.name),
    spikeRisk: p.spike.host.risk,
  });
  const tightest = parts.reduce((a, b) => (b.normal.host.freeMiB.low < a.normal.host.freeMiB.low ? b : a));
  const onHost = (sc: Scenario, name: string) => sc.services.map((s) => ({ ...s, host: name }));
  return {
    name: whole.name ?? null,
    host: tightest.normal.host,
    hosts: parts.map(budget),
    services: parts.flatMap((p) => onHost(p.normal, p.part.name)),
    traffic: tightest.normal.traffic,
    latency: slowest(parts.map((p) => p.normal.latency)),
    features: whole.features,
    spike: { ...tightest.spike, services: parts.flatMap((p) => onHost(p.spike, p.part.name)), latency: slowest(parts.map((p) => p.spike.latency)) },
    findings: parts.flatMap((p) => p.findings),
  };
}
