/**
 * The seed's "Before vs After" table (services, memory, scrape interval, retention, cost) for any
 * two plans, with what the seed's table could not show: usage the engine derives rather than
 * guesses, capacity in users and the cost per 1,000 users. Pure: plain rows for the CLI and the page.
 */
import type { Plan, ServiceOf } from './schema.ts';
import type { Report } from './report.ts';
import { evaluate } from './evaluate.ts';
import { planWithFeatures } from './features.ts';
import { capacity, type Capacity } from './capacity.ts';
import { durationFormat, sizeFormat } from './units.ts';
import { unlimitedHighMiB } from './policy.ts';

export type CompareUnit = 'count' | 'MiB' | 'seconds' | 'USD' | 'users' | 'level' | 'flag';

export type CompareRow = {
  id: string;
  label: string;
  unit: CompareUnit;
  /** The value for plan A and plan B; null when the plan has nothing to say (no Prometheus, no price). */
  a: number | string | boolean | null;
  b: number | string | boolean | null;
  /** (b − a) / a for numbers; null when either is missing, a is 0 or below, or b is below 0 (changeOf). */
  change: number | null;
  /** The same, written for people: "8", "1.95 GiB", "15s", "$50", "−37.5%". */
  text: { a: string; b: string; change: string };
};

export type Comparison = { a: { name: string | null }; b: { name: string | null }; rows: CompareRow[] };

type Side = { plan: Plan; report: Report; capacity: Capacity };

const prometheusOf = (p: Plan) => p.services.find((s): s is ServiceOf<'prometheus'> => s.kind === 'prometheus');

const usersText = (n: number) => Math.round(n).toLocaleString('en-US');
const money = (n: number) => `$${Number.isInteger(n) ? n : n.toFixed(2)}`;

function show(unit: CompareUnit, v: CompareRow['a']): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  switch (unit) {
    case 'MiB':
      return sizeFormat(v);
    case 'seconds':
      return durationFormat(v);
    case 'USD':
      return money(v);
    case 'users':
      return usersText(v);
    default:
      return String(Math.round(v * 100) / 100);
  }
}

/** (b − a) / a, only where a share of A means something: A above 0 and B not below it (free memory from −481 MiB to 1.33 GiB is not "−383%"). */
function changeOf(a: CompareRow['a'], b: CompareRow['a']): number | null {
  return typeof a === 'number' && typeof b === 'number' && a > 0 && b >= 0 ? (b - a) / a : null;
}

function changeText(c: number | null, a: CompareRow['a'], b: CompareRow['a'], unit: CompareUnit): string {
  // Sizes without a share (from 0, or across 0) say the difference: "+1.9 GiB", "+1.8 GiB".
  if (c === null && unit === 'MiB' && typeof a === 'number' && typeof b === 'number' && a !== b) return `${b > a ? '+' : '−'}${sizeFormat(Math.abs(b - a))}`;
  if (c === null) return a === null || b === null ? (a === b ? '—' : 'n/a') : a === b ? 'same' : 'changed';
  if (c === 0) return 'same';
  const pct = Math.round(c * 1000) / 10;
  return `${pct > 0 ? '+' : '−'}${Math.abs(pct)}%`;
}

type Read = (s: Side) => CompareRow['a'];
/** A reader of one side, and optionally how to write it when `show` would mislead. */
type RowSpec = [id: string, label: string, unit: CompareUnit, read: Read, text?: (s: Side) => string | undefined];

function row([id, label, unit, read, text]: RowSpec, sa: Side, sb: Side): CompareRow {
  const [a, b] = [read(sa), read(sb)];
  const change = changeOf(a, b);
  return { id, label, unit, a, b, change, text: { a: text?.(sa) ?? show(unit, a), b: text?.(sb) ?? show(unit, b), change: changeText(change, a, b, unit) } };
}

/** Capacity in words when the number alone misleads: 0 because it fails idle, none because nothing breaks. */
const capacityText = (c: { status: Capacity['status'] }) => (c.status === 'fails-at-zero' ? '0 (fails idle)' : c.status === 'holds' ? 'no limit' : undefined);

const per1000 = (s: Side) => {
  const price = s.plan.host.pricePerMonth;
  const users = s.capacity.users;
  return price === undefined || !users ? null : (price / users) * 1000;
};

/** Each row: its id, label, unit and how to read it from one side. */
const ROWS: RowSpec[] = [
  ['services', 'Total services', 'count', (s) => planWithFeatures(s.plan).services.length],
  ['host-ram', 'Host RAM', 'MiB', (s) => s.report.host.ramMiB],
  // The limits the plan sets (policy.ts: a service without one promises nothing), and apart from
  // them what the services without a limit can take: one sum of both read as "limits" (3.69 GiB of
  // limits for zammad, which sets none).
  ['limits', 'Memory limits (sum)', 'MiB', (s) => s.report.host.setLimitsMiB],
  ['unlimited', 'Services without a limit, at high usage', 'MiB', (s) => unlimitedHighMiB(s.report.host), (s) => (unlimitedHighMiB(s.report.host) > 0 ? undefined : 'none')],
  ['usage-typical', 'Memory usage, typical (reserve included)', 'MiB', (s) => s.report.host.usageMiB.typical],
  ['usage-high', 'Memory usage, high (reserve included)', 'MiB', (s) => s.report.host.usageMiB.high],
  ['free-worst', 'Free memory at worst', 'MiB', (s) => s.report.host.freeMiB.low],
  ['scrape-interval', 'Prometheus scrape', 'seconds', (s) => prometheusOf(s.plan)?.settings.scrapeInterval ?? null],
  ['retention', 'Prometheus retention', 'seconds', (s) => prometheusOf(s.plan)?.settings.retention ?? null],
  ['alertmanager', 'Alerts routed (AlertManager)', 'flag', (s) => s.report.features.alertmanager],
  ['host-risk', 'Host OOM risk', 'level', (s) => s.report.host.risk.level],
  ['critical-findings', 'Critical findings', 'count', (s) => s.report.findings.filter((f) => f.severity === 'critical').length],
  ['capacity', 'Capacity (active users)', 'users', (s) => s.capacity.users, (s) => capacityText(s.capacity)],
  ['spike-capacity', 'Capacity in the spike (active users)', 'users', (s) => s.capacity.spike.users, (s) => capacityText(s.capacity.spike)],
  ['cost', 'Monthly cost', 'USD', (s) => s.plan.host.pricePerMonth ?? null],
  ['cost-per-1000', 'Cost per 1,000 users (at capacity)', 'USD', per1000],
];

/** compare(a, b): the before/after table of two plans, A before, B after. */
export function compare(a: Plan, b: Plan): Comparison {
  const side = (plan: Plan): Side => ({ plan, report: evaluate(plan), capacity: capacity(plan) });
  const [sa, sb] = [side(a), side(b)];
  return {
    a: { name: a.name ?? null },
    b: { name: b.name ?? null },
    rows: ROWS.map((spec) => row(spec, sa, sb)),
  };
}
