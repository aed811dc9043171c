/** Findings about memory: services over their limits, limits over the host, free memory. */
import { finding, fmt, setSize, type Rule } from './context.ts';
import type { Finding, HostBudget, ServiceBudget } from '../report.ts';
import { scenarioOf, serviceHighAt } from '../budget.ts';
import type { Plan } from '../schema.ts';
import { percentFormat, withArticle } from '../units.ts';
import {
  belowDockerMinimum, chancePhrase, DOCKER_MIN_LIMIT_MIB, exceedsLimit, FREE_CRITERION_WORDS, freeCriterion, freeUnderCriterion, hostExceedsRam, KRR_MARGIN, limitsExceedRam, roundUpSize, severityOf,
} from '../policy.ts';

/** A service's usage against its limit, in normal traffic and (its twin) in the spike. A service
 * whose usage is a guess (basis `assumed`) is left to its own finding (generic-usage-assumed): a
 * limit computed from a guess would be presented as certain. Each fix's limit holds the high
 * usage of both scenarios, so applying it clears the finding and its spike twin. */
export const usageOverLimit: Rule = ({ plan, normal, spike }) => {
  const out: Finding[] = [];
  normal.services.forEach((s, i) => {
    if (s.limitMiB === null) return;
    const sp = spike.services[i]!;
    // The limit is per container (report.ts limitOfAll): one container's usage, its Nth, against it.
    const n = s.replicas;
    const one = (mib: number) => mib / n;
    const both = one(Math.max(s.usageMiB.high, sp.usageMiB.high));
    let target = Math.max(DOCKER_MIN_LIMIT_MIB, roundUpSize(both));
    // Where usage follows the limit (a JVM's ergonomic heap), the usage at the new limit decides:
    // raised until it holds (for the other kinds the first round holds; a heap at 59% of the limit
    // plus 400 MiB outside it takes ~30 rounds). No round that holds: no automatic change.
    let holds = false;
    for (let round = 0; round < 64 && !holds; round++) {
      const need = one(Math.max(serviceHighAt(plan, normal.multiplier, s.name, target) ?? 0, serviceHighAt(plan, spike.multiplier, s.name, target) ?? 0));
      if (need <= target) holds = true;
      else target = Math.max(DOCKER_MIN_LIMIT_MIB, roundUpSize(need));
    }
    const forSpike = sp.usageMiB.high > s.usageMiB.high ? ` (its high in the ×${spike.multiplier} spike, so the spike fits too)` : '';
    const each = n > 1 ? ` in each of its ${n} containers` : '';
    const forEach = n > 1 ? ` (each of its ${n} containers)` : '';
    if (belowDockerMinimum(s.limitMiB)) {
      out.push(finding('limit-below-docker-minimum', severityOf({ p: 1 }, 'outage'), s.name,
        `${s.name}'s limit ${fmt(s.limitMiB)} is below Docker's minimum of 6 MiB: the container will not start.`,
        s.basis === 'assumed'
          ? `Set ${s.name}'s limit to at least 6 MiB, from its measured peak (docker stats) plus 15%: its usage is not known.`
          : `Set ${s.name}'s limit to at least ${fmt(target)}.`,
        s.basis === 'assumed' ? [] : [setSize(s.name, 'limit', target)]));
    }
    if (s.basis === 'assumed') return;
    const part = largestPart(s, n);
    if (exceedsLimit(one(s.usageMiB.high), s.limitMiB)) {
      out.push(finding('usage-over-limit', severityOf({ p: s.risk.pOverLimit, typicalOver: one(s.usageMiB.typical) > s.limitMiB }, 'outage'), s.name,
        `${s.name} can use up to ${fmt(one(s.usageMiB.high))} (typical ${fmt(one(s.usageMiB.typical))})${each} against its ${fmt(s.limitMiB)} limit: ${chancePhrase(s.risk.pOverLimit)} of an OOM kill.`,
        holds
          ? `Raise ${s.name}'s limit${forEach} to ${fmt(target)}${forSpike}${part ? `, or lower its ${part}` : ''}.`
          : part ? `Lower ${s.name}'s ${part}: its usage grows with its limit, so no limit holds it.` : `${s.name}'s usage grows with its limit, so no limit holds it: lower what it runs.`,
        holds ? [setSize(s.name, 'limit', target)] : []));
    } else if (exceedsLimit(one(sp.usageMiB.high), s.limitMiB)) {
      out.push(finding('spike-over-limit', severityOf({ p: sp.risk.pOverLimit, typicalOver: one(sp.usageMiB.typical) > s.limitMiB }, 'outage', 'spike'), s.name,
        `In the ×${spike.multiplier} spike ${s.name} can reach ${fmt(one(sp.usageMiB.high))}${each} against its ${fmt(s.limitMiB)} limit: ${chancePhrase(sp.risk.pOverLimit)} of an OOM kill in the spike.`,
        holds ? `Raise ${s.name}'s limit${forEach} to ${fmt(target)} or cap its connections and workers for the spike.` : `Cap ${s.name}'s connections and workers for the spike: its usage grows with its limit.`,
        holds ? [setSize(s.name, 'limit', target)] : []));
    }
  });
  return out;
};

/** The limit a no-limit fix advises: the high usage of both scenarios, normal with krr's margin,
 * and the observed peak with the plan's margin when there is one. */
function limitAdvised(s: ServiceBudget, spikeHigh: number): number {
  // Per container (report.ts limitOfAll): one container's share of the modelled usage.
  return Math.max(DOCKER_MIN_LIMIT_MIB, roundUpSize(Math.max((s.usageMiB.high * KRR_MARGIN) / s.replicas, spikeHigh / s.replicas, s.observedLimitMiB ?? 0)));
}

export const noLimit: Rule = ({ normal, spike }) =>
  normal.services.flatMap((s, i) => {
    if (s.limitMiB !== null) return [];
    const severity = severityOf({ p: 1 }, 'degraded');
    if (s.basis === 'assumed') {
      return [finding('no-limit', severity, s.name,
        `${s.name} has no memory limit and Headroom has no measure of its usage: it can take the whole host (${fmt(normal.host.ramMiB)}), and the kernel may kill another service instead.`,
        `Measure ${s.name} (docker stats on the running host: \`check --stats\`) and set its limit to its peak + 15%; Headroom's guess (up to ${fmt(s.usageMiB.high)}) is not a measurement to size a limit by.`)];
    }
    const target = limitAdvised(s, spike.services[i]!.usageMiB.high);
    return [finding('no-limit', severity, s.name,
      `${s.name} has no memory limit: it can take the whole host (${fmt(normal.host.ramMiB)}), and the kernel may kill another service instead.`,
      `Set ${s.name}'s limit${s.replicas > 1 ? ` (each of its ${s.replicas} containers)` : ''} to ${fmt(target)} (high usage ${fmt(s.usageMiB.high / s.replicas)}${s.replicas > 1 ? ' each' : ''} + 15%${spike.services[i]!.usageMiB.high > s.usageMiB.high * KRR_MARGIN ? `, and the ×${spike.multiplier} spike's ${fmt(spike.services[i]!.usageMiB.high / s.replicas)}` : ''}).`,
      [setSize(s.name, 'limit', target)])];
  });

/**
 * The part of a service's memory a fix may lower, in words: "backends (790 MiB of its 1.1 GiB at
 * high usage)", one container's figures. Null when its largest part is the program itself (a
 * kind's fixed base: no setting lowers it), so the fix only raises the limit.
 */
function largestPart(s: ServiceBudget, replicas: number): string | null {
  const top = [...s.components].sort((a, b) => b.high - a.high)[0];
  if (!top || FIXED_PARTS.has(top.name)) return null;
  return `${top.name} (${fmt(top.high / replicas)} of its ${fmt(s.usageMiB.high / replicas)} at high usage)`;
}

/** The components that are a program's own footprint (its kind's base figure): no setting of the plan lowers them. */
const FIXED_PARTS = new Set(['base', 'process', 'server', 'mongod', 'Erlang VM', 'taken as']);

/** The next host size a provider sells: a power of two GiB. */
function nextHostSize(mib: number): number {
  let gib = 1;
  while (gib * 1024 < mib) gib *= 2;
  return gib * 1024;
}

/** The smallest power-of-two host from `from` on for which `fits(ram)` holds (at most 1 TiB). */
function hostSizeWhere(from: number, fits: (ramMiB: number) => boolean): number {
  let ram = nextHostSize(from);
  while (!fits(ram) && ram < 1024 * 1024) ram *= 2;
  return ram;
}

/**
 * The host size a fix proposes, checked at that size: services without a limit that size
 * themselves from the host's RAM (a JVM's heap, MongoDB's cache, ClickHouse) grow with it, so the
 * high usage is re-evaluated on each candidate until it fits (null: no size up to 1 TiB does).
 */
function settledHostSize(plan: Plan & { implied?: ReadonlySet<string> }, multipliers: readonly number[], size: number, fits: (ramMiB: number, highMiB: number) => boolean): number | null {
  let ram = size;
  for (let round = 0; round < 16 && ram <= 1024 * 1024; round++) {
    const at = { ...plan, host: { ...plan.host, ram } } as Plan;
    const highs = multipliers.map((m) => scenarioOf(at, m, plan.implied ?? new Set()).host.usageMiB.high);
    if (highs.every((h) => fits(ram, h))) return ram;
    ram = hostSizeWhere(Math.max(ram + 1, ...highs), (r) => highs.every((h) => fits(r, h)));
  }
  return null;
}

const ramChange = (mib: number) => ({ key: 'host.ram', value: `${mib / 1024}GiB` });

export const limitsOverRam: Rule = ({ normal }) => {
  const h = normal.host;
  if (!limitsExceedRam(h)) return [];
  const committed = h.setLimitsMiB + h.reserveMiB;
  const over = committed - h.ramMiB;
  const unlimited = normal.services.filter((s) => s.limitMiB === null).length;
  // The limits are facts: a plan that sets them promises them, whatever the usage.
  return [finding('limits-exceed-ram', severityOf({ p: 1 }, 'host'), null,
    `The limits the plan sets (${fmt(h.setLimitsMiB)}) plus the reserve outside containers (${fmt(h.reserveMiB)}) come to ${fmt(committed)}, ${fmt(over)} more than the host's ${fmt(h.ramMiB)}: the limits promise memory the host does not have${unlimited > 0 ? ` (and ${unlimited} service${unlimited > 1 ? 's' : ''} without a limit come on top)` : ''}.`,
    `Lower the limits by ${fmt(over)} in total, or move to ${withArticle(fmt(nextHostSize(committed)))} host.`,
    [ramChange(nextHostSize(committed))])];
};

/** High usage over RAM + swap, normal traffic first; the fix's host holds the spike too. */
export const hostOom: Rule = ({ plan, normal, spike }) => {
  const worst = Math.max(normal.host.usageMiB.high, spike.host.usageMiB.high);
  const swap = normal.host.swapMiB;
  const fits = (ram: number, high: number) => !hostExceedsRam({ usageMiB: { ...normal.host.usageMiB, high }, ramMiB: ram, swapMiB: swap });
  for (const [sc, label] of [[normal, 'normal traffic'], [spike, `the ×${spike.multiplier} spike`]] as const) {
    const h = sc.host;
    if (!hostExceedsRam(h)) continue;
    // Searched only when there is a finding to fix (each round evaluates the plan twice).
    const size = settledHostSize(plan, [normal.multiplier, spike.multiplier], hostSizeWhere(worst - swap, (ram) => fits(ram, worst)), fits);
    const limit = h.ramMiB + h.swapMiB;
    const isSpike = sc === spike;
    return [finding(isSpike ? 'spike-host-oom' : 'host-oom', severityOf({ p: h.risk.pOverLimit, typicalOver: h.usageMiB.typical > limit }, 'host', isSpike ? 'spike' : 'normal'), null,
      `Under ${label} the host can need ${fmt(h.usageMiB.high)} (services within their limits plus the reserve) against ${fmt(limit)} of RAM${h.swapMiB ? ' and swap' : ''}: ${chancePhrase(h.risk.pOverLimit)} of a host-wide OOM kill.`,
      size === null
        ? 'Lower the largest limits, and set limits on the services that size themselves from the host\'s RAM: no host size holds them as they are.'
        : `Move to ${withArticle(fmt(size))} host${isSpike || spike.host.usageMiB.high <= normal.host.usageMiB.high ? '' : ` (it holds the ×${spike.multiplier} spike too)`} or lower the largest limits.`,
      size === null ? [] : [ramChange(size)])];
  }
  return [];
};

/**
 * The one-shot containers (an init, a migration) at startup: their high, together, beside the
 * steady services at their typical and the reserve (budget.ts startupOf), against RAM and swap.
 * Over it the kernel kills inside the host at startup, the init fails and its dependents never
 * start: a warning (the figure over-counts the dependents, which wait for the init to exit).
 */
export const oneShotStartup: Rule = ({ normal }) => {
  const h = normal.host;
  const s = h.startup;
  if (!s || s.usageMiB <= h.ramMiB + h.swapMiB) return [];
  const names = s.services.join(', ');
  return [finding('one-shot-startup', severityOf({ p: 1 }, 'degraded'), s.services.length === 1 ? s.services[0]! : null,
    `At startup ${names} (${s.services.length === 1 ? 'a container that runs once' : 'containers that run once'}, ${fmt(s.highMiB)} at high) beside the running services at their typical and the reserve can need ${fmt(s.usageMiB)} against ${fmt(h.ramMiB + h.swapMiB)} of RAM${h.swapMiB ? ' and swap' : ''}: a host-wide OOM kill may stop it, and what waits for it never starts.`,
    `Give ${names} a lower limit, or start it before the other services (docker compose run), or move to a larger host.`)];
};

/** Free memory under the success criterion, normal traffic first; the fix's host meets it in both. */
export const freeBelowCriterion: Rule = ({ plan, normal, spike }) => {
  const highs = [normal.host.usageMiB.high, spike.host.usageMiB.high];
  const meets = (h: Pick<HostBudget, 'ramMiB'>, high: number) => !freeUnderCriterion(h.ramMiB - high, h.ramMiB);
  for (const sc of [normal, spike]) {
    const h = sc.host;
    const free = h.freeMiB.low;
    if (!freeUnderCriterion(free, h.ramMiB)) continue;
    const isSpike = sc === spike;
    const fits = (ram: number, high: number) => meets({ ramMiB: ram }, high);
    const size = settledHostSize(plan, [normal.multiplier, spike.multiplier], hostSizeWhere(Math.max(...highs) + freeCriterion(h.ramMiB), (ram) => highs.every((high) => fits(ram, high))), fits);
    return [finding(isSpike ? 'spike-free-below-criterion' : 'free-below-criterion', severityOf({ p: 1 }, 'degraded', isSpike ? 'spike' : 'normal'), null,
      `${isSpike ? `In the ×${spike.multiplier} spike free` : 'Free'} host memory can fall to ${fmt(free)} (${percentFormat(free / h.ramMiB)} of ${fmt(h.ramMiB)}), under the success criterion of ${fmt(h.freeCriterionMiB)} (${FREE_CRITERION_WORDS}).`,
      `Lower the services' high usage by ${fmt(h.freeCriterionMiB - free)} (their limits or settings)${size === null ? '' : `, or move to ${withArticle(fmt(size))} host`}.`,
      size === null ? [] : [ramChange(size)])];
  }
  return [];
};
