/**
 * The upgrade-path tab's data, from the engine: the tiers (the stack re-tuned for 4, 8 and 16 GiB),
 * the chart of memory against users, the current plan's capacity and the before/after table.
 * Everything heavy (the 4gb preset's upgrade model and capacity: ~60 ms warm in Node, measured
 * 2026-12-03 with tsx at real-time priority, since the tiers re-tune CPU and latency; compare
 * about one) is memoised on the plan object,
 * which derive/engine.ts keeps stable per input: the tab computes it once per plan, and only
 * while it is shown. Prices are applied afterwards (applyPrices): editing one is arithmetic.
 */
import { planParse, planWithFeatures, presetGet, type Plan, type PresetName } from '../../engine/index.ts';
import { capacity, type Capacity, type Constraint } from '../../engine/capacity.ts';
import { scenarioAt } from '../../engine/capacity.ts';
import { DEFAULT_TIERS, MOVE_UP_SHARE, per1000, pricedPath, tierCpus, tierCpusParse, upgradePath, type Tier, type TierSpec, type UpgradePath } from '../../engine/tiers.ts';
import { compare, type Comparison } from '../../engine/compare.ts';
import { countText, cpuInUseText, defaultCpusText, sizeAxis, vcpusText } from '../format.ts';
import { defaultCpus, GIB_PER_VCPU } from '../../engine/cpu.ts';

/** Memoises `f` per plan object and key (the plan is immutable; a new edit is a new object); `keyOf` turns the arguments into one Map key (default: the first). */
function memoOnPlan<A extends unknown[], V>(f: (plan: Plan, ...args: A) => V, keyOf: (...args: A) => unknown = (...args) => args[0]): (plan: Plan, ...args: A) => V {
  const byPlan = new WeakMap<Plan, Map<unknown, V>>();
  return (plan, ...args) => {
    const key = keyOf(...args);
    let byKey = byPlan.get(plan);
    if (!byKey) byPlan.set(plan, (byKey = new Map()));
    if (!byKey.has(key)) byKey.set(key, f(plan, ...args));
    return byKey.get(key)!;
  };
}

/** Points per line in the chart. Assumed: 48 keeps the curves smooth at chart width and costs ~150 scenarios (a few ms). */
export const CHART_POINTS = 48;
/** The chart's x axis runs this far past the largest break point, so that every break shows. */
const CHART_MARGIN = 1.15;

/** One line of the chart: a tier's re-tuned stack, its usable memory (RAM − free criterion) and where it breaks. */
/** One tier's line: where it breaks (null when it holds over the range, or fails idle: `failsIdle`, and then no line at all). */
export type ChartSeries = { key: string; ramMiB: number; ceilingMiB: number; breakAt: { users: number; usageMiB: number } | null; failsIdle: boolean };
/** One x position: `users`, and each tier's memory under its key while the tier carries those users (absent past its break, so the line ends at its dot). */
export type ChartPoint = { users: number } & Partial<Record<string, number>>;
export type UpgradeChart = { points: ChartPoint[]; series: ChartSeries[]; xMax: number; yMax: number; yTicks: number[]; workload: number };

export type TierModel = Tier & {
  /** The checks that break after the binding one: those failing at the same point, then the tuned stack's next break points. */
  after: Constraint[];
  /** The cores the tier's re-tuned stack asks (engine/cpu.ts, modelled kinds) at the users it carries, or at the workload when nothing breaks. */
  cpuAt: { users: number; cpu: { typical: number; high: number } };
};

export type UpgradeModel = { path: UpgradePath; tiers: TierModel[]; chart: UpgradeChart };

const sameCheck = (a: Constraint, b: Constraint) => a.id === b.id && a.service === b.service && a.host === b.host;

/** The binding constraint's next two: the tier's own (failing at the same point), then the re-tuned stack's next break points. */
function nextTwo(tier: Tier): Constraint[] {
  const out = [...tier.next];
  if (out.length < 2 && tier.binding) {
    for (const c of capacity(tier.plan).constraints) {
      if (out.length >= 2) break;
      if (c.status !== 'breaks' || sameCheck(c, tier.binding) || out.some((o) => sameCheck(o, c))) continue;
      out.push(c);
    }
  }
  return out.slice(0, 2);
}

/** A round upper bound for the x axis, at least `n`: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × a power of ten. */
export function niceCeil(n: number): number {
  if (!(n > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= n - 1e-9) return m * p;
  return 10 * p;
}

/** Host memory (high usage, reserve included) of each tier's stack from 0 users to past the last break. */
export function upgradeChart(path: UpgradePath, points = CHART_POINTS): UpgradeChart {
  const breaks = path.tiers.filter((t) => t.status === 'breaks' && t.users !== null).map((t) => t.users!);
  const workload = path.workload.users;
  const xMax = niceCeil(Math.max(breaks.length ? Math.max(...breaks) * CHART_MARGIN : 0, workload * 1.5, 100));
  const xs = new Set<number>();
  for (let i = 0; i <= points; i++) xs.add(Math.round((xMax * i) / points));
  for (const u of breaks) xs.add(u);
  const users = [...xs].sort((a, b) => a - b);
  const expanded = path.tiers.map((t) => planWithFeatures(t.plan));
  const series: ChartSeries[] = path.tiers.map((t, i) => {
    const at0 = scenarioAt(expanded[i]!, 0, 1).host;
    const breakAt = t.status === 'breaks' && t.users !== null ? { users: t.users, usageMiB: scenarioAt(expanded[i]!, t.users, 1).host.usageMiB.high } : null;
    return { key: `t${i}`, ramMiB: t.ramMiB, ceilingMiB: at0.ramMiB - at0.freeCriterionMiB, breakAt, failsIdle: t.status === 'fails-at-zero' };
  });
  const rows = users.map((u) => {
    const row: ChartPoint = { users: u };
    expanded.forEach((p, i) => {
      const t = path.tiers[i]!;
      // A tier that fails idle has no line; one that breaks, none past its break point.
      if (t.status === 'fails-at-zero' || (t.status === 'breaks' && u > t.users!)) return;
      row[`t${i}`] = Math.round(scenarioAt(p, u, 1).host.usageMiB.high * 10) / 10;
    });
    return row;
  });
  const y = sizeAxis(Math.max(...path.tiers.map((t) => t.ramMiB)));
  return { points: rows, series, xMax, yMax: y.maxMiB, yTicks: y.ticks, workload };
}

/**
 * The stack without its hosts: the tiers re-plan the whole stack for one host or for several
 * (placed anew by place()), whatever hosts the plan has now (as `headroom capacity` does).
 */
export function wholeStack(plan: Plan): Plan {
  if (!plan.hosts) return plan;
  return { ...plan, hosts: undefined, services: plan.services.map(({ host: _h, ...s }) => s as Plan['services'][number]) };
}

/** Each default tier's vCPUs as typed (undefined: its own default, engine/cpu.ts's published plans), as the engine takes tiers. */
export function tiersWithCpus(cpus: ReadonlyArray<number | undefined>): TierSpec[] {
  return DEFAULT_TIERS.map((t, i) => (cpus[i] === undefined ? t : { ...t, cpus: cpus[i] }));
}

/** The vCPUs each tier runs with, as one key: typing a tier's default figure is the default. */
const cpusKey = (cpus: ReadonlyArray<number | undefined>) => tiersWithCpus(cpus).map(tierCpus).join(',');

type ShareFree = { after: Constraint[][]; chart: UpgradeChart; cpuAt: Array<TierModel['cpuAt']> };
/** What does not depend on the move-up share (each tier's capacity, re-tuned stack, next checks, the chart), per plan and tier vCPUs. */
const shareFree = new WeakMap<Plan, Map<string, ShareFree>>();

/** The users a tier's CPU is shown at: its capacity when it breaks, the workload when nothing breaks up to the search's ceiling, 0 when it fails idle. */
function cpuUsersOf(t: Tier, workload: number): number {
  if (t.status === 'fails-at-zero') return 0;
  return t.status === 'breaks' && t.users !== null ? t.users : workload;
}

/**
 * The tiers of a plan at a move-up share (0–1) with each tier's vCPUs as typed (undefined: the
 * default), each tier's next checks and the chart. Memoised per plan, share and vCPUs.
 */
export const upgradeModelOf = memoOnPlan((plan: Plan, share: number, cpus: ReadonlyArray<number | undefined> = []): UpgradeModel => {
  const path = upgradePath(wholeStack(plan), { tiers: tiersWithCpus(cpus), moveUpShare: share });
  let byCpus = shareFree.get(plan);
  if (!byCpus) shareFree.set(plan, (byCpus = new Map()));
  let extra = byCpus.get(cpusKey(cpus));
  if (!extra) {
    const cpuAt = path.tiers.map((t) => {
      const users = cpuUsersOf(t, path.workload.users);
      return { users, cpu: scenarioAt(planWithFeatures(t.plan), users, 1).host.cpu };
    });
    byCpus.set(cpusKey(cpus), (extra = { after: path.tiers.map(nextTwo), chart: upgradeChart(path), cpuAt }));
  }
  const { after, chart, cpuAt } = extra;
  return { path, tiers: path.tiers.map((t, i) => ({ ...t, after: after[i] ?? [], cpuAt: cpuAt[i]! })), chart };
}, (share, cpus = []) => `${share}|${cpusKey(cpus)}`);

/** The plan's own capacity (normal and spike). Memoised per plan. */
export const capacityOf = memoOnPlan((plan: Plan, _k: 0): Capacity => capacity(plan));

const presetPlans = new Map<PresetName, Plan>();
/** A preset as a parsed plan (presets always validate). */
export function presetPlan(name: PresetName): Plan {
  let p = presetPlans.get(name);
  if (!p) {
    const r = planParse(presetGet(name));
    if (!r.ok) throw new Error(`the ${name} preset does not validate: ${r.issues[0]?.message ?? ''}`);
    presetPlans.set(name, (p = r.plan));
  }
  return p;
}

/** The seed's before/after table: the preset (before) against this plan (after). Memoised per plan and preset. */
export const comparisonOf = memoOnPlan((plan: Plan, preset: PresetName): Comparison => compare(presetPlan(preset), plan));

// ---------------------------------------------------------------------------------------------
// Prices and the move-up share as the user types them

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** A monthly price in USD: `25`, `$49.99`; empty = unknown. */
export function priceParse(text: string): Parsed<number | null> {
  if (text.trim() === '') return { ok: true, value: null };
  const t = text.trim().replace(/^\$\s*/, '').replace(/,/g, '');
  const n = Number(t);
  if (!/^\d+(\.\d+)?$/.test(t) || !Number.isFinite(n) || n > 1e7) return { ok: false, message: `expected a price in USD per month, like 25 or 49.99, got "${text.trim()}"` };
  return { ok: true, value: n };
}

/** The move-up point as a percent of a tier's capacity: `70` or `70%`, from 1 to 100. */
export function sharePercentParse(text: string): Parsed<number> {
  const t = text.trim().replace(/%$/, '').trim();
  const n = Number(t);
  if (t === '' || !/^\d+(\.\d+)?$/.test(t) || n < 1 || n > 100) return { ok: false, message: `expected a percent from 1 to 100, like 70, got "${text.trim()}"` };
  return { ok: true, value: n / 100 };
}

/**
 * A tier's vCPUs as typed: blank is the tier's default; otherwise the CLI's own rule for
 * `--tiers SIZE:PRICE:CPUS` (engine/tiers.ts tierCpusParse), the figure quoted back when refused.
 */
export function tierCpusTextParse(text: string): Parsed<number | undefined> {
  if (text.trim() === '') return { ok: true, value: undefined };
  const p = tierCpusParse(text);
  return p.ok ? p : { ok: false, message: `${p.message}, like 4, got "${text.trim()}"` };
}

/** Each default tier's vCPUs (engine/cpu.ts's published plans), as the text a vCPUs field starts with. */
export const DEFAULT_CPUS_TEXT: readonly string[] = DEFAULT_TIERS.map((t) => String(tierCpus(t)));

/** Where a default tier's vCPUs come from: `2 (default: 1 vCPU per 2 GiB)` (engine/cpu.ts). */
export function tierCpusSource(ramMiB: number): string {
  return defaultCpusText(defaultCpus(ramMiB), GIB_PER_VCPU);
}

/** The default price of each default tier, as the text a price field starts with. */
export const DEFAULT_PRICE_TEXT: readonly string[] = DEFAULT_TIERS.map((t) => (t.pricePerMonth === null ? '' : String(t.pricePerMonth)));
export const DEFAULT_SHARE_TEXT = String(Math.round(MOVE_UP_SHARE * 100));

/** USD, `$25` or `$2.98`. */
export function moneyText(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—';
  return Number.isInteger(n) ? `$${n}` : `$${n.toFixed(2)}`;
}

/** A capacity for people: `8,400`, `0 (fails idle)`, `no limit found`. */
export function usersText(users: number | null, status: Tier['status']): string {
  if (status === 'fails-at-zero') return '0 (fails even idle)';
  if (status === 'holds' || users === null) return 'no limit found';
  return countText(users);
}

/** USD per month per 1,000 users at capacity: the engine's own formula (tiers.ts), with the price as typed. */
export const costPer1000 = per1000;

/** Each tier's price as typed (undefined: the tier's default; null: unknown), as the engine takes prices. */
export function typedPrices(model: UpgradeModel, prices: ReadonlyArray<number | null | undefined>): Array<number | null> {
  return model.tiers.map((t, i) => (prices[i] === undefined ? t.pricePerMonth : prices[i]!));
}

/** The path at the typed prices (tiers.ts pricedPath): the tier cards and the multi-host rows read the same prices. */
export function pricedOf(model: UpgradeModel, prices: ReadonlyArray<number | null | undefined>): UpgradePath {
  return pricedPath(model.path, typedPrices(model, prices));
}

export type TierView = {
  ramMiB: number;
  /** The tier's vCPUs (its own, else the default for its RAM: engine/cpu.ts). */
  cpusText: string;
  /** Its re-tuned stack's CPU at the users it carries: `1.6 typical / 2.4 high of 2 vCPUs at 8,400 users`. */
  cpuText: string;
  users: number | null;
  usersText: string;
  spikeUsersText: string;
  moveUpText: string;
  price: number | null;
  costPer1000: number | null;
  costText: string;
  binding: Constraint | null;
  after: Constraint[];
  carries: boolean;
  recommended: boolean;
  /** The largest limits of the re-tuned stack, largest first. */
  limits: Array<{ service: string; limitMiB: number }>;
  /** What the tier's re-tuning did to the app's workers ("fastapi: 4 workers on 4 vCPUs (re-tuned from 2)"); empty when nothing changed. */
  workersText: string[];
};

/** Each tier as the page shows it, with the prices as typed (null: unknown; undefined: the default). */
export function tierViews(model: UpgradeModel, prices: ReadonlyArray<number | null | undefined>): TierView[] {
  const priced = pricedOf(model, prices).tiers;
  return model.tiers.map((t, i) => {
    const price = priced[i]!.pricePerMonth;
    const cost = priced[i]!.costPer1000Users;
    return {
      ramMiB: t.ramMiB,
      cpusText: vcpusText(t.cpus),
      cpuText: `${cpuInUseText(t.cpuAt.cpu, t.cpus)} at ${countText(t.cpuAt.users)} users`,
      users: t.users,
      usersText: usersText(t.users, t.status),
      spikeUsersText: t.spikeUsers === null ? '—' : countText(t.spikeUsers),
      moveUpText: t.moveUpAt === null || t.status === 'fails-at-zero' ? '—' : countText(t.moveUpAt),
      price,
      costPer1000: cost,
      costText: moneyText(cost),
      binding: t.binding,
      after: t.after,
      carries: t.carries,
      recommended: model.path.recommended === i,
      limits: t.plan.services.filter((s) => s.limit !== null).map((s) => ({ service: s.name, limitMiB: s.limit! })).sort((a, b) => b.limitMiB - a.limitMiB),
      workersText: t.workers.map((w) => `${w.service}: ${w.to} workers on ${vcpusText(t.cpus)} (re-tuned from ${w.from})`),
    };
  });
}
