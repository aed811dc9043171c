/**
 * What the components show, shaped from the engine's report: text already formatted, positions
 * already scaled. Pure functions of (input, plan, report); no memory is computed here, only read.
 */
import { budgetLimitOfAll, RISK_LEVELS, SEVERITIES, type Basis, type Finding, type Report, type RiskLevel, type ServiceBudget } from '../../engine/report.ts';
import type { Plan, PlanInput, Service, ServiceKind } from '../../engine/schema.ts';
import { perContainerFormat, sizeFormat } from '../../engine/units.ts';
import { changeText } from '../../engine/changeText.ts';
import { cpuInUseText, percentText, probabilityText, rangeText, sizeText } from '../format.ts';
import { cpuSaturated, limitsExceedRam, ramLeftByLimitsMiB, unlimitedHighMiB } from '../../engine/policy.ts';
import { valueToText } from '../state/fields.ts';
import { observedLineOf, type ObservedLineView } from './observed.ts';
import { engine } from './schema.ts';
import { ONE_SHOT_TEXT } from '../../engine/finding-words.ts';

export type RowView = {
  /** `s3` for the plan's fourth service, `implied:pgbouncer` for one a toggle adds. */
  id: string;
  /** Index in the plan's services; null for a service a toggle implies. */
  index: number | null;
  name: string;
  kind: ServiceKind;
  /** The limit as written in the plan (`800MiB`, `1g`), `none` when there is none. */
  limitInput: string;
  limitMiB: number | null;
  limitText: string;
  lowMiB: number;
  typicalMiB: number;
  highMiB: number;
  usageText: string;
  /** Usage seen on the running host (`docker stats`), when the plan has it: `seen 210 MiB, peak 260 MiB`. */
  observedText: string | null;
  /** Observed memory against the limit and the model's band, when evidence was given. */
  observedLine: ObservedLineView | null;
  /** What the usage rests on: modelled, observed or assumed (Headroom's guess). */
  basis: Basis;
  /** A one-shot service (an init, a migration): `runs once at startup, not counted in the steady state`; null otherwise. */
  oneShotText: string | null;
  /** Its containers when it has more than one or a CPU cap: `2 containers × 256 MiB = 512 MiB · CPU cap 0.5 each`; null otherwise. */
  containersText: string | null;
  /** Null without a limit: no headroom of its own, its risk is the host's. */
  headroomMiB: number | null;
  headroomText: string;
  risk: RiskLevel;
  riskRank: number;
  riskTitle: string;
  settingsText: string;
  /** Usage range and limit as percents of the row's gauge width. */
  gaugeLow: number;
  gaugeTypical: number;
  gaugeHigh: number;
  gaugeLimit: number | null;
  /** What the last change (the last undo step) changed in this row: shown highlighted. */
  changedUsage: boolean;
  changedHeadroom: boolean;
  changedRisk: boolean;
};

const pct = (v: number, scale: number) => (scale > 0 && Number.isFinite(v) ? Math.max(0, Math.min(100, (v / scale) * 100)) : 0);

/** One line of the settings that drive a service's memory, in config-file names (its kind's summary). */
export function settingsText(s: Service): string {
  return engine().kindOf(s.kind).summary?.(s as never) ?? '';
}

/** A service's containers in words, per container: how many (with the limit each and all of them) and the CPU cap each has. */
export function containersText(replicas: number, limitMiB: number | null, cpus: number | undefined): string | null {
  const parts: string[] = [];
  if (replicas > 1) parts.push(`${replicas} containers${limitMiB === null ? '' : ` × ${sizeText(limitMiB)} = ${sizeText(limitMiB * replicas)}`}`);
  if (cpus !== undefined && Number.isFinite(cpus)) parts.push(`CPU cap ${cpus}${replicas > 1 ? ' each' : ''}`);
  return parts.length ? parts.join(' · ') : null;
}

/** What a row's view is made of, beyond the plan's service object: its numbers, as one string. */
function rowSignature(b: Report['services'][number], limitInput: string, index: number | null): string {
  const o = b.observedMiB;
  return `${index}|${limitInput}|${b.limitMiB}|${b.usageMiB.low}|${b.usageMiB.typical}|${b.usageMiB.high}|${b.headroomMiB}|${b.risk.level}|${b.risk.pOverLimit}|${o ? `${o.p50}/${o.p95}/${o.p99}/${o.peak}/${o.samples}/${b.oomKills.length}` : ''}|${b.kind}|${b.basis}|${b.oneShot === true}|${b.replicas}`;
}

type RowCacheEntry = { signature: string; source: unknown; prev: Report | null; view: RowView };

/**
 * The rows of the last call, by service name: an edit changes one or two services, so the others'
 * views (their texts formatted, their gauges scaled) are reused as they were, the same objects,
 * and their memoised rows skip rendering at once.
 */
let rowCache = new Map<string, RowCacheEntry>();

/**
 * The services table's rows: the plan's services in plan order, then those the toggles add.
 * `prev` is the report before the last change; what differs from it is flagged.
 */
export function rowViews(input: PlanInput, plan: Plan, report: Report, prev: Report | null = null): RowView[] {
  const indexOf = new Map(input.services.map((s, i) => [s.name, i]));
  const planService = new Map(plan.services.map((s) => [s.name, s]));
  const before = prev ? new Map(prev.services.map((s) => [s.name, s])) : null;
  const next = new Map<string, RowCacheEntry>();
  const rows = report.services.map((b) => {
    const index = indexOf.get(b.name) ?? null;
    // The plan's service as the user wrote it (shared between edits unless this service changed), or, for an implied one, the engine's.
    const source = index === null ? (planService.get(b.name) ?? null) : input.services[index];
    const limitInput = index === null ? sizeText(b.limitMiB) : valueToText(input.services[index]?.limit ?? null);
    const signature = rowSignature(b, limitInput, index);
    const cached = rowCache.get(b.name);
    const view = cached && cached.signature === signature && cached.prev === prev && (index === null || cached.source === source) ? cached.view : rowView(b, index, limitInput, planService.get(b.name), before);
    next.set(b.name, { signature, source, prev, view });
    return view;
  });
  rowCache = next;
  return rows;
}

function rowView(b: Report['services'][number], index: number | null, limitInput: string, svc: Service | undefined, before: Map<string, Report['services'][number]> | null): RowView {
  const was = before?.get(b.name);
  const fresh = before !== null && !was;
  // The gauge sets all its containers' usage against all their limits (replicas × limit: report.ts limitOfAll).
  const all = budgetLimitOfAll(b);
  const scale = Math.max(all ?? 0, b.usageMiB.high) * 1.1;
  const usageText = rangeText(b.usageMiB);
  const headroomText = b.headroomMiB === null ? 'no limit' : sizeText(b.headroomMiB);
  return {
    id: index === null ? `implied:${b.name}` : `s${index}`,
    index,
    name: b.name,
    kind: b.kind,
    limitInput,
    limitMiB: b.limitMiB,
    limitText: b.limitMiB === null ? sizeText(null) : perContainerFormat(b.limitMiB, b.replicas, sizeText),
    lowMiB: b.usageMiB.low,
    typicalMiB: b.usageMiB.typical,
    highMiB: b.usageMiB.high,
    usageText,
    observedText: b.observedMiB
      ? `seen ${b.observedMiB.typical === null ? '' : `${sizeText(b.observedMiB.typical)}, `}peak ${sizeText(b.observedMiB.peak)}`
      : null,
    observedLine: observedLineOf(b),
    basis: b.basis,
    oneShotText: b.oneShot ? ONE_SHOT_TEXT : null,
    containersText: containersText(b.replicas, b.limitMiB, svc?.cpus),
    headroomMiB: b.headroomMiB,
    headroomText,
    risk: b.risk.level,
    riskRank: RISK_LEVELS.indexOf(b.risk.level),
    riskTitle: b.limitMiB === null
      ? `no limit: its risk is the host’s (${probabilityText(b.risk.pOverLimit)} chance the host runs out of memory)`
      : `${probabilityText(b.risk.pOverLimit)} chance of ${b.replicas > 1 ? 'a container going over its' : 'going over its'} limit`,
    settingsText: svc ? settingsText(svc) : '',
    gaugeLow: pct(b.usageMiB.low, scale),
    gaugeTypical: pct(b.usageMiB.typical, scale),
    gaugeHigh: pct(b.usageMiB.high, scale),
    gaugeLimit: all === null ? null : pct(all, scale),
    changedUsage: fresh || (!!was && rangeText(was.usageMiB) !== usageText),
    changedHeadroom: fresh || (!!was && sizeText(was.headroomMiB) !== headroomText),
    changedRisk: fresh || (!!was && was.risk.level !== b.risk.level),
  };
}

export type Segment = { key: string; label: string; MiB: number; tone: 'reserve' | 'service' | 'free'; widthPct: number; colour: number; title: string };

/** A host's CPU as the page shows it: its services' modelled cores against its vCPUs, and whether they stay under the saturation line (policy.ts cpuSaturated, the comparison host-fit.ts's cpu-saturated check makes). */
export type CpuView = { cpuText: string; cpuOk: boolean };

export function cpuView(h: Pick<Report['host'], 'cpu' | 'cpus'>): CpuView {
  return { cpuText: cpuInUseText(h.cpu, h.cpus), cpuOk: !cpuSaturated(h.cpu.typical, h.cpus) };
}

export type HostView = CpuView & {
  ramText: string;
  /** The limits the plan sets (policy.ts: a service without one promises nothing), as the CLI's host line says them. */
  limitsText: string;
  limitsMiB: number;
  /** What the services without a limit can take at their high usage, beyond the limits; null when every service has one. */
  unlimitedText: string | null;
  reserveText: string;
  usageText: string;
  usageTypicalText: string;
  freeText: string;
  freeMiB: number;
  freePctText: string;
  freeLeastText: string;
  freeCriterionText: string;
  freeOk: boolean;
  risk: RiskLevel;
  riskTitle: string;
  spikeMultiplier: number;
  spikeRisk: RiskLevel;
  spikeFreeText: string;
  /** The host's CPU in the spike, as the normal line shows it (the spike can saturate what normal traffic leaves free). */
  spikeCpu: CpuView;
  segments: Segment[];
  /** Typical total usage (reserve + services) as a percent of the bar. */
  typicalPct: number;
  /** RAM as a percent of the bar (100 unless what the bar claims overcommits it). */
  ramPct: number;
  /** True when the bar claims more than the RAM (limits, and high usage where no limit is set, plus the reserve): the RAM is marked on it. */
  overcommitted: boolean;
  /** Why the bar runs past the RAM, in the words of the rule it breaks; null when it does not. */
  overcommitText: string | null;
};

/**
 * The bar's overcommit in words: the limits themselves (policy.ts limitsExceedRam), or else the
 * services without a limit, whose high usage the bar draws, taking more than the limits leave.
 */
function overcommitWords(h: Report['host'], committedMiB: number, unlimitedCount: number): string | null {
  if (limitsExceedRam(h)) return `limits exceed RAM by ${sizeFormat(-ramLeftByLimitsMiB(h))}`;
  if (committedMiB <= h.ramMiB) return null;
  const n = unlimitedCount === 1 ? 'a service without a limit' : `${unlimitedCount} services without a limit`;
  return `${n} can take ${sizeFormat(unlimitedHighMiB(h))} at high usage, more than the ${sizeFormat(Math.max(0, ramLeftByLimitsMiB(h)))} the limits and reserve leave`;
}

/** What the services without a limit can take beyond the limits (policy.ts unlimitedHighMiB), written; null when every one has a limit. The single host's line and each host card say it. */
export function unlimitedTextOf(h: Pick<Report['host'], 'limitsMiB' | 'setLimitsMiB'>): string | null {
  const mib = unlimitedHighMiB(h);
  return mib > 0 ? sizeFormat(mib) : null;
}

/** Services get a colour by position; the palette (styles.css --svc-0…7) repeats after eight. */
export const SERVICE_COLOURS = 8;

/**
 * What a service claims of the host in the host bar and the host chart: its limit (all its
 * containers'), or its high usage when it has none; nothing for a one-shot container, which has
 * exited by the steady state the host's sums describe (budget.ts) — its row and the startup line say it.
 */
export function hostClaimMiB(s: Pick<ServiceBudget, 'limitMiB' | 'replicas' | 'usageMiB' | 'oneShot'>): number | null {
  return s.oneShot ? null : (budgetLimitOfAll(s) ?? s.usageMiB.high);
}

/** The host bar: reserve, each service's claim (hostClaimMiB), and what is left. */
export function hostView(report: Report): HostView {
  const h = report.host;
  const parts = report.services.flatMap((s, i) => {
    const MiB = hostClaimMiB(s);
    return MiB === null ? [] : [{ s, i, MiB }];
  });
  const committed = h.reserveMiB + parts.reduce((sum, p) => sum + p.MiB, 0);
  const scale = Math.max(h.ramMiB, committed);
  const segments: Segment[] = [
    { key: 'reserve', label: 'reserve', MiB: h.reserveMiB, tone: 'reserve', widthPct: pct(h.reserveMiB, scale), colour: 0, title: `OS and Docker outside containers: ${sizeFormat(h.reserveMiB)}` },
    ...parts.map(({ s, i, MiB }) => ({
      key: `svc:${s.name}`,
      label: s.name,
      MiB,
      tone: 'service' as const,
      widthPct: pct(MiB, scale),
      colour: i % SERVICE_COLOURS,
      title: `${s.name}: ${s.limitMiB === null ? `no limit, high usage ${sizeFormat(MiB)}` : `limit ${perContainerFormat(s.limitMiB, s.replicas)}`}`,
    })),
  ];
  const unallocated = h.ramMiB - committed;
  if (unallocated > 0) segments.push({ key: 'free', label: 'unallocated', MiB: unallocated, tone: 'free', widthPct: pct(unallocated, scale), colour: 0, title: `RAM no limit claims: ${sizeFormat(unallocated)}` });
  return {
    ...cpuView(h),
    spikeCpu: cpuView(report.spike.host),
    ramText: sizeFormat(h.ramMiB),
    limitsText: sizeFormat(h.setLimitsMiB),
    limitsMiB: h.setLimitsMiB,
    unlimitedText: unlimitedTextOf(h),
    reserveText: sizeFormat(h.reserveMiB),
    usageText: rangeText(h.usageMiB),
    usageTypicalText: sizeFormat(h.usageMiB.typical),
    freeText: sizeFormat(h.freeMiB.typical),
    freeMiB: h.freeMiB.typical,
    freePctText: percentText(h.freeMiB.typical, h.ramMiB),
    freeLeastText: sizeFormat(h.freeMiB.low),
    freeCriterionText: sizeFormat(h.freeCriterionMiB),
    freeOk: h.freeMiB.low > h.freeCriterionMiB,
    risk: h.risk.level,
    riskTitle: `${probabilityText(h.risk.pOverLimit)} chance that the host runs out of memory`,
    spikeMultiplier: report.spike.multiplier,
    spikeRisk: report.spike.host.risk.level,
    spikeFreeText: sizeFormat(report.spike.host.freeMiB.low),
    segments,
    typicalPct: pct(h.usageMiB.typical, scale),
    ramPct: pct(h.ramMiB, scale),
    overcommitted: unallocated < 0,
    overcommitText: overcommitWords(h, committed, report.services.filter((s) => s.limitMiB === null && !s.oneShot).length),
  };
}

export type FindingView = Finding & {
  /** Stable across edits while the finding stays: its rule and service (and a count for repeats). */
  key: string;
  /** The one change a click applies, in an operator's words ("Set Redis maxmemory to 104 MiB"); null when the fix is advice. */
  applyText: string | null;
};

/** Findings, most severe first (stable within a severity), each with the words of its one-click fix. */
export function findingViews(report: Report): FindingView[] {
  const rank = (f: Finding) => SEVERITIES.indexOf(f.severity);
  const seen = new Map<string, number>();
  return report.findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
    .map(({ f }) => {
      const base = `${f.id}:${f.service ?? 'host'}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      const change = f.fix.changes.length === 1 ? f.fix.changes[0]! : null;
      return { ...f, key: n === 1 ? base : `${base}:${n}`, applyText: change ? changeText(change) : null };
    });
}

/** Whether two finding views show the same thing (a re-evaluation makes new objects for unchanged findings). */
export function sameFinding(a: FindingView, b: FindingView): boolean {
  return a.key === b.key && a.severity === b.severity && a.message === b.message && a.fix.summary === b.fix.summary && a.applyText === b.applyText;
}
