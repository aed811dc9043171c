/**
 * The verdict on a report: pass, fail, or cannot tell. One function for every caller — `check`
 * (its exit code), `plan --json` and the page's header — so they cannot disagree.
 *
 * The rule (README, "The verdict"):
 * 1. **fail** when a critical finding (policy.ts severityOf: normal traffic) does not rest on a
 *    guess (its basis is not `assumed`: it is raised with every guessed service's usage taken at
 *    zero). The limits plus the reserve over the RAM, and a host OOM in normal traffic, are such
 *    findings (`limits-exceed-ram`, `host-oom`).
 * 2. Otherwise the verdict **cannot tell** when the stack would pass or fail only by Headroom's
 *    guesses:
 *    - a service whose usage is guessed (basis `assumed`: no model, no evidence) has no limit:
 *      nothing bounds it but the host;
 *    - a guessed service has a limit, but the host runs out of memory in normal traffic when it
 *      uses all of that limit: its limit does not bound it within the host;
 *    - a critical finding rests on the guesses (it is not raised without them).
 *    A guessed service whose limit does bound it (the host holds it at its whole limit) lets the
 *    verdict pass: its limit is its ceiling on the host. Its own chance of an OOM kill stays
 *    unknown, and the verdict names it (`bounded`).
 * 3. Otherwise **pass**.
 * `assume` (check --assume) accepts the guesses: a cannot-tell becomes fail when a critical
 * finding rests on them, else pass.
 *
 * Pure: a function of the report.
 */
import type { ReportFinding, Report, ServiceBudget } from './report.ts';
import { budgetLimitOfAll } from './report.ts';
import type { ServiceKind } from './schema.ts';
import { hostExceedsRam, limitsExceedRam } from './policy.ts';
import { sizeFormat } from './units.ts';
import { findingWords } from './finding-words.ts';

export const OUTCOME_NAMES = ['pass', 'fail', 'cannot-tell'] as const;
export type Outcome = (typeof OUTCOME_NAMES)[number];

/** A guessed service the verdict cannot settle, and what would settle it. */
export type Unsettled = {
  service: string;
  kind: ServiceKind;
  limitMiB: number | null;
  /** Why it leaves the verdict open. */
  why: string;
  /** What settles it, any one of them. */
  settles: string[];
};

export type StackVerdict = {
  outcome: Outcome;
  /** The limits plus the reserve fit the RAM and the host does not run out in normal traffic (the guesses in). */
  fits: boolean;
  /** The critical findings, as `id [service]`; those that rest on guesses say so: `id [service] (assumed)`. */
  critical: string[];
  /** Why, in the order people read them: what fails, then what is not known. */
  reasons: string[];
  /** The guessed services the verdict cannot settle; empty when it can. */
  assumed: Unsettled[];
  /** Guessed services bounded by their limits: the pass stands, their own OOM risk is unknown. */
  bounded: string[];
  /** True when the guesses were accepted (`--assume`) to reach this outcome. */
  assumedAccepted: boolean;
  /** Why, in one line. */
  summary: string;
};

export type VerdictOptions = { assume?: boolean };

/** A finding as the verdict names it: `redis-fork-headroom [redis]`. */
export const findingLabel = (f: { id: string; service: string | null }): string => `${f.id}${f.service ? ` [${f.service}]` : ''}`;

/** What settles a guessed service, any one: the list the verdict and the page show. */
export function settlesOf(s: Pick<ServiceBudget, 'limitMiB'>): string[] {
  return [
    ...(s.limitMiB === null ? ['a memory limit (mem_limit)'] : []),
    'its usage stated in the plan (settings.usage; in compose: x-headroom: {settings: {usage: {low, typical, high}}})',
    'docker stats from the running host (check --stats FILE)',
    'evidence from the running stack (--evidence FILE: `headroom observe`, a Prometheus range query, docker stats JSON or cgroup files)',
  ];
}

/** The host's normal-traffic high usage with each of `services` at its whole limit instead of its guess. */
function highAtLimits(r: Report, services: readonly ServiceBudget[]): number {
  return services.reduce((high, s) => {
    const all = budgetLimitOfAll(s) ?? 0; // every container at its limit
    return high + Math.max(0, all - Math.min(s.usageMiB.high, all));
  }, r.host.usageMiB.high);
}

/** Host reasons in their own words (the findings that carry them are not listed again). */
const HOST_REASON_IDS = new Set(['limits-exceed-ram', 'host-oom']);

function hostReasons(r: Report): string[] {
  const h = r.host;
  const out: string[] = [];
  if (limitsExceedRam(h)) out.push(`limits ${sizeFormat(h.setLimitsMiB)} + reserve ${sizeFormat(h.reserveMiB)} = ${sizeFormat(h.setLimitsMiB + h.reserveMiB)} > ${sizeFormat(h.ramMiB)} of RAM`);
  if (hostExceedsRam(h)) out.push(`high usage ${sizeFormat(h.usageMiB.high)} > ${sizeFormat(h.ramMiB + h.swapMiB)} (host OOM in normal traffic)`);
  return out;
}

/** How a verdict names a finding: by id (findingLabel: JSON, SARIF, JUnit) or in words (findingWords: the page, the CLI's text). */
type Label = (f: { id: string; service: string | null }) => string;

function criticalReason(findings: readonly ReportFinding[], label: Label, suffix = ''): string[] {
  const listed = findings.filter((f) => !HOST_REASON_IDS.has(f.id));
  if (listed.length === 0) return [];
  return [`${listed.length} critical finding${listed.length > 1 ? 's' : ''}${suffix}: ${listed.map(label).join(', ')}`];
}

const names = (list: readonly { service: string }[], max = 8) =>
  `${list.slice(0, max).map((u) => u.service).join(', ')}${list.length > max ? ` and ${list.length - max} more` : ''}`;

/** How bad an outcome is, to take the worst over hosts. */
const OUTCOME_RANK: Record<Outcome, number> = { pass: 0, 'cannot-tell': 1, fail: 2 };

/**
 * The verdict of a report (the rule above). A multi-host plan's is the worst of its hosts'
 * verdicts, each host judged by the same rule on its own budget, services and findings.
 */
export function verdictOf(r: Report, opts: VerdictOptions = {}): StackVerdict {
  return verdictBy(r, opts, findingLabel);
}

/**
 * The same verdict with its findings named in an operator's words (finding-words.ts) instead of
 * ids, for text people read: the page's header and the CLI's text. Outcome and everything else
 * are verdictOf's; JSON, SARIF and JUnit keep verdictOf's ids.
 */
export function verdictInWords(r: Report, opts: VerdictOptions = {}): StackVerdict {
  return verdictBy(r, opts, findingWords);
}

function verdictBy(r: Report, opts: VerdictOptions, label: Label): StackVerdict {
  if (!r.hosts || r.hosts.length === 0) return hostVerdictOf(r, opts, label);
  const each = r.hosts.map((h) => ({
    name: h.name,
    v: hostVerdictOf({ ...r, host: h, hosts: undefined, services: r.services.filter((s) => s.host === h.name), findings: r.findings.filter((f) => f.host === h.name) }, opts, label),
  }));
  const worst = each.reduce((a, b) => (OUTCOME_RANK[b.v.outcome] > OUTCOME_RANK[a.v.outcome] ? b : a));
  const on = (name: string, list: readonly string[]) => list.map((x) => `${name}: ${x}`);
  return {
    outcome: worst.v.outcome,
    fits: each.every((e) => e.v.fits),
    critical: each.flatMap((e) => on(e.name, e.v.critical)),
    reasons: each.flatMap((e) => on(e.name, e.v.reasons)),
    assumed: each.flatMap((e) => e.v.assumed),
    bounded: each.flatMap((e) => e.v.bounded),
    assumedAccepted: each.some((e) => e.v.assumedAccepted),
    summary: worst.v.outcome === 'pass'
      ? `each of ${each.length} hosts passes: ${each.map((e) => `${e.name}: ${e.v.summary}`).join('; ')}`
      : `host ${worst.name}: ${worst.v.summary}`,
  };
}

function hostVerdictOf(r: Report, opts: VerdictOptions, label: Label): StackVerdict {
  const h = r.host;
  const fits = !limitsExceedRam(h) && !hostExceedsRam(h);
  const critical = r.findings.filter((f) => f.severity === 'critical');
  const certain = critical.filter((f) => f.basis !== 'assumed');
  const guessed = critical.filter((f) => f.basis === 'assumed');
  const labels = critical.map((f) => `${label(f)}${f.basis === 'assumed' ? ' (assumed)' : ''}`);

  const assumedServices = r.services.filter((s) => s.basis === 'assumed');
  const unbounded = assumedServices.filter((s) => s.limitMiB === null);
  const limited = assumedServices.filter((s) => s.limitMiB !== null);
  // A guessed service's limit bounds it on the host when the host holds every such service at its whole limit.
  const limitsHold = !hostExceedsRam({ ...h, usageMiB: { ...h.usageMiB, high: highAtLimits(r, limited) } });
  const range = (s: ServiceBudget) => `${sizeFormat(s.usageMiB.low)}–${sizeFormat(s.usageMiB.high)}`;
  const assumed: Unsettled[] = [
    ...unbounded.map((s) => ({
      service: s.name, kind: s.kind, limitMiB: null,
      why: `no model, no evidence and no limit: its usage is Headroom's guess (${range(s)}) and only the host bounds it`,
      settles: settlesOf(s),
    })),
    ...(limitsHold ? [] : limited.map((s) => ({
      service: s.name, kind: s.kind, limitMiB: s.limitMiB,
      why: `its usage is Headroom's guess (${range(s)}), and at its whole ${sizeFormat(s.limitMiB!)} limit the host runs out of memory`,
      settles: settlesOf(s),
    }))),
  ];
  const bounded = limitsHold ? limited.map((s) => s.name) : [];
  const boundedNote = bounded.length ? [`${bounded.length} guessed service${bounded.length > 1 ? 's are' : ' is'} bounded by ${bounded.length > 1 ? 'their limits' : 'its limit'} on the host, ${bounded.length > 1 ? 'their' : 'its'} own OOM risk unknown: ${bounded.join(', ')}`] : [];

  const open = assumed.length > 0 || guessed.length > 0;
  const base = { fits, critical: labels, assumed, bounded };
  if (certain.length > 0) {
    const reasons = [...hostReasons(r), ...criticalReason(certain, label)];
    return { ...base, outcome: 'fail', reasons, assumedAccepted: false, summary: reasons.join('; ') };
  }
  if (!open) {
    return { ...base, outcome: 'pass', reasons: boundedNote, assumedAccepted: false, summary: `the stack fits ${sizeFormat(h.ramMiB)} with no critical finding${bounded.length ? ` (${bounded.length} guessed service${bounded.length > 1 ? 's' : ''} bounded by ${bounded.length > 1 ? 'their limits' : 'its limit'})` : ''}` };
  }
  const openReasons = [
    ...(assumed.length ? [`${assumed.length} service${assumed.length > 1 ? 's' : ''} with guessed usage that nothing settles: ${names(assumed)} (settle each with a limit, its usage in x-headroom, docker stats via check --stats, or Prometheus evidence)`] : []),
    ...(guessed.length ? [`if the guesses hold: ${[...(hostExceedsRam(h) || limitsExceedRam(h) ? hostReasons(r) : []), ...criticalReason(guessed, label)].join('; ')}`] : []),
    ...boundedNote,
  ];
  if (opts.assume) {
    const outcome: Outcome = guessed.length > 0 ? 'fail' : 'pass';
    const reasons = [`guesses accepted (--assume) for ${names(assumedServices.map((s) => ({ service: s.name })))}`, ...openReasons];
    const summary = outcome === 'fail'
      ? `with the guesses accepted: ${[...hostReasons(r), ...criticalReason(guessed, label)].join('; ')}`
      : `the stack fits ${sizeFormat(h.ramMiB)} with no critical finding, with the guessed usage of ${assumedServices.length} service${assumedServices.length > 1 ? 's' : ''} accepted`;
    return { ...base, outcome, reasons, assumedAccepted: true, summary };
  }
  const summary = guessed.length > 0 && assumed.length === 0
    ? `the stack fails only by guessed usage: ${criticalReason(guessed, label)[0] ?? hostReasons(r).join('; ')}`
    : `the verdict rests on guessed usage of ${names(assumed.length ? assumed : assumedServices.map((s) => ({ service: s.name })))}`;
  return { ...base, outcome: 'cannot-tell', reasons: openReasons, assumedAccepted: false, summary };
}
