/**
 * `headroom capacity [FILE] [--preset NAME] [--json] [--tiers 4GiB:25:2,8GiB:50:4,16GiB:100:8] [--move-up 0.7]`:
 * how many active users the plan carries before its first check breaks, the next two, the spike,
 * and the upgrade path (the stack re-tuned for each host size). Exit 0; 2 on bad input.
 */
import { evaluate, limitsOfAllFormat, perContainerFormat, sizeFormat, sizeParse } from '../engine/index.ts';
import { replicasOf } from '../engine/schema.ts';
import { EVIDENCE_OPTIONS, EVIDENCE_USAGE, evidenceLines, withEvidence } from './evidence.ts';
import { capacity, type Capacity, type CapacityScenario, type Constraint } from '../engine/capacity.ts';
import { DEFAULT_TIERS, MOVE_UP_SHARE, tierCpusParse, upgradePath, type Split, type TierSpec, type UpgradePath } from '../engine/tiers.ts';
import type { Plan } from '../engine/schema.ts';
import { planToInput } from '../formats/plan-file.ts';
import { loadPlan, singleHostOnly, UsageError } from './io.ts';
import { planChangesText, reportJson } from './render.ts';
import { findingWords } from '../engine/finding-words.ts';

type Args = { positionals: string[]; values: Record<string, string | boolean | undefined> };

const users = (n: number | null) => (n === null ? '—' : Math.round(n).toLocaleString('en-US'));
const money = (n: number | null) => (n === null ? '—' : `$${Number.isInteger(n) ? n : n.toFixed(2)}`);

/** `--tiers 4GiB:25,8GiB:50:4,16GiB` → tier specs (a tier without a price has none; without vCPUs, 1 per 2 GiB). */
export function tiersParse(text: string): TierSpec[] {
  const errors: string[] = [];
  const specs: TierSpec[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const [size = '', price, cpuText, extra] = part.split(':');
    const ram = sizeParse(size.trim());
    const cost = price === undefined || price.trim() === '' ? null : Number(price);
    const cpus = cpuText === undefined || cpuText.trim() === '' ? null : tierCpusParse(cpuText);
    if (extra !== undefined) errors.push(`error: --tiers: "${part}": expected SIZE, SIZE:PRICE or SIZE:PRICE:CPUS, like 8GiB:50:4`);
    else if (!ram.ok) errors.push(`error: --tiers: "${part}": ${ram.error}`);
    else if (ram.value < 64) errors.push(`error: --tiers: "${part}": expected a host of at least 64 MiB`);
    else if (cost !== null && !(Number.isFinite(cost) && cost >= 0)) errors.push(`error: --tiers: "${part}": expected a price in USD per month ≥ 0, like 8GiB:50`);
    else if (cpus !== null && !cpus.ok) errors.push(`error: --tiers: "${part}": ${cpus.message}, like 8GiB:50:4`);
    else specs.push({ ramMiB: ram.value, pricePerMonth: cost, ...(cpus === null || !cpus.ok ? {} : { cpus: cpus.value }) });
  }
  if (errors.length) throw new UsageError(errors);
  return specs;
}

function moveUpParse(text: string): number {
  const v = Number(text);
  if (!(Number.isFinite(v) && v > 0 && v <= 1)) throw new UsageError([`error: --move-up: expected a share of capacity above 0 and at most 1, like 0.7 (got "${text}")`]);
  return v;
}

/** A check in words (finding-words.ts: a check is named as the finding it raises), with where it is: `redis: usage over its limit`, `the host runs short of CPU (host app)`. */
function checkWords(c: { id: string; service: string | null; host?: string }): string {
  return `${findingWords({ id: c.id, service: c.service })}${c.service === null && c.host ? ` (host ${c.host})` : ''}`;
}

function constraintLine(mark: string, c: Constraint): string {
  return `  ${mark} ${checkWords(c)}: ${c.message}`;
}

function scenarioLines(title: string, sc: CapacityScenario, reason: string | null = null): string[] {
  const head = sc.status === 'fails-at-zero' ? 'fails even with no users'
    : sc.status === 'holds' ? `no user count: ${reason ?? 'no check breaks with users'}`
      : `carries ${users(sc.users)} active users`;
  return [`${title}: ${head}`, ...(sc.binding ? [constraintLine('✖ first', sc.binding)] : []), ...sc.next.map((c) => constraintLine('· next ', c))];
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => `  ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}`.trimEnd());
}

/** When the plan fails with no users: the fixes that do not depend on load, and what it carries once applied. */
function fixedFirstLines(c: Capacity): string[] {
  if (c.status !== 'fails-at-zero') return [];
  const f = c.fixedFirst;
  if (!f) return ['fix first: no set of the findings\' own changes clears the checks that fail with no users (see the findings: `headroom plan`)', ''];
  const carries = f.status === 'breaks' ? `carries ${users(f.users)} active users` : f.status === 'holds' ? `no user count: ${f.reason ?? 'no check breaks with users'}` : 'still fails with no users';
  return [
    `fix first (these do not depend on load): ${planChangesText(f.changes, f.changes.length)}`,
    `then the stack ${carries}`,
    ...(f.binding && f.status === 'breaks' ? [constraintLine('✖ first', f.binding)] : []),
    '',
  ];
}

function checksTable(c: Capacity): string[] {
  const status = (k: Constraint) => (k.status === 'fails-at-zero' ? 'fails idle' : k.status === 'holds' ? 'holds' : `breaks at ${users(k.users! + 1)}`);
  return table([['USERS', 'STATUS', 'CHECK'], ...c.constraints.map((k) => [users(k.users), status(k), checkWords(k)])]);
}

function pathLines(p: UpgradePath): string[] {
  const spike = p.workload.spike;
  const first = (k: Constraint | null) => (k ? checkWords(k) : '—');
  const rows = p.tiers.map((t) => [
    sizeFormat(t.ramMiB),
    String(t.cpus),
    t.status === 'fails-at-zero' ? '0 (fails idle)' : t.status === 'holds' ? 'no limit' : users(t.users),
    users(t.spikeUsers),
    users(t.moveUpAt),
    money(t.pricePerMonth),
    money(t.costPer1000Users === null ? null : Math.round(t.costPer1000Users * 100) / 100),
    first(t.binding),
  ]);
  const out = [
    `upgrade path (the stack re-tuned for each host by the engine's rules; move up at ${Math.round(p.moveUpShare * 100)}% of capacity):`,
    ...table([['HOST', 'CPUS', 'USERS', `SPIKE ×${spike}`, 'MOVE UP AT', '$/MONTH', '$/1K USERS', 'FIRST TO BREAK'], ...rows]),
    'limits of each tier, tuned for its capacity (`--json` has the whole plan):',
    ...p.tiers.map((t) => `  ${sizeFormat(t.ramMiB).padEnd(7)} ${t.plan.services.map((s) => `${s.name} ${s.limit === null ? 'no limit' : perContainerFormat(s.limit, replicasOf(s))}`).join(', ')}`),
    ...p.tiers.flatMap((t) => t.workers.map((w) => `  ${sizeFormat(t.ramMiB).padEnd(7)} ${w.service} re-tuned: ${w.to} workers on ${t.cpus} vCPUs (the plan has ${w.from}; a worker per core), its memory and connections with them`)),
  ];
  const rec = p.recommended === null ? null : p.tiers[p.recommended]!;
  if (rec) out.push(`for ${users(p.workload.users)} active users: ${sizeFormat(rec.ramMiB)}${rec.pricePerMonth === null ? '' : ` (${money(rec.pricePerMonth)}/month)`}${rec.moveUpAt !== null && p.workload.users > rec.moveUpAt ? `, past its move-up point of ${users(rec.moveUpAt)}` : ''}`);
  for (const m of p.multiHost) {
    const price = (v: number | null) => (v === null ? '' : `, ${money(v)}/month`);
    const carried = (u: number | null, status: string) => (status === 'holds' ? 'no limit found' : `carries ${users(u)} active users`);
    const what = (c: { id: string; service: string | null; host?: string } | null) => (c ? `, then ${checkWords(c)}` : '');
    const placed = m.split.databaseAlone ? 'the database on its own host' : 'placed by place()';
    out.push(`${m.hosts} × ${sizeFormat(m.hostRamMiB)} (${placed}${price(m.pricePerMonth)}): ${carried(m.users, m.status)}${what(m.binding)}; against 1 × ${sizeFormat(m.against.ramMiB)}${price(m.against.pricePerMonth)}: ${carried(m.against.users, m.against.users === null ? 'holds' : 'breaks')}${what(m.against.binding)}`);
    if (m.split.hosts.length > 0) out.push(`  placed for ${users(m.split.tunedFor)} users: ${m.split.hosts.map((h) => `${h.name}: ${h.services.join(', ')}`).join(' · ')}`);
  }
  const b = p.beyond;
  if (b) {
    out.push(`no tier carries ${users(p.workload.users)} active users. On ${sizeFormat(b.ramMiB)}, first to break (at ${users((b.users ?? 0) + 1)} users):`);
    if (b.binding) out.push(constraintLine('✖', b.binding));
    out.push(`  memory goes to: ${b.heaviest.map((h) => `${h.service} ${limitsOfAllFormat(h.perContainerMiB, h.replicas)}`).join(', ')}${b.heaviest.some((h) => h.replicas > 1) ? ' (containers × each one\'s limit = all of them)' : ''}`);
    const s = b.split;
    if (s) {
      out.push(`split (${s.databaseAlone ? 'the database on its own host' : 'placed by place()'}, 2 × ${sizeFormat(b.ramMiB)}${s.pricePerMonth === null ? '' : `, ${money(s.pricePerMonth)}/month`}): ${s.status === 'holds' ? 'no limit found' : `carries ${users(s.users)} active users`}${s.carries ? '' : ', still short of the workload'}`);
      for (const h of s.hosts) out.push(`  ${h.name} host: ${h.services.join(', ')}`);
      if (s.binding) out.push(constraintLine('✖', s.binding));
      out.push(`  note: ${s.note}`);
    } else {
      out.push('no split: the plan has no PostgreSQL to move to its own host.');
    }
  }
  return out;
}

/** A split in the JSON: its plans as plan files (the whole one with `hosts:`, each host's alone). */
const splitJson = (s: Split) => ({ ...s, plan: s.plan && planToInput(s.plan), hosts: s.hosts.map((h) => ({ ...h, plan: planToInput(h.plan) })) });

/** The JSON: capacity's names at the top (users, binding, next, spike), the path under tiers. */
function jsonOf(plan: Plan, c: Capacity, p: UpgradePath): unknown {
  const spike = { multiplier: c.spike.multiplier, users: c.spike.users, status: c.spike.status, binding: c.spike.binding, next: c.spike.next };
  return {
    name: plan.name ?? null,
    users: c.users,
    status: c.status,
    reason: c.reason,
    followsUsers: c.followsUsers,
    fixedFirst: c.fixedFirst,
    binding: c.binding,
    next: c.next,
    spike,
    current: c.current,
    cap: c.cap,
    constraints: c.constraints,
    moveUpShare: p.moveUpShare,
    tiers: p.tiers.map((t) => ({ ...t, plan: planToInput(t.plan) })),
    recommended: p.recommended === null ? null : p.tiers[p.recommended]!.ramMiB,
    multiHost: p.multiHost.map((m) => ({ ...m, split: splitJson(m.split) })),
    beyond: p.beyond && { ...p.beyond, split: p.beyond.split && splitJson(p.beyond.split) },
  };
}

export const capacityCommand = {
  usage: `capacity [FILE] [--preset NAME] ${EVIDENCE_USAGE} [--json]`,
  summary: 'the most users before the first check breaks, the spike, and the upgrade path',
  options: { preset: { type: 'string' }, json: { type: 'boolean' }, host: { type: 'string' }, tiers: { type: 'string' }, 'move-up': { type: 'string' }, ...EVIDENCE_OPTIONS } as const,
  run: ({ positionals, values }: Args): number => {
    if (positionals.length > 1) throw new UsageError([`error: expected at most one plan FILE (got ${positionals.length})`, 'usage: headroom capacity [FILE] [--preset NAME] [--json] [--tiers 4GiB:25:2,8GiB:50:4,16GiB:100:8] [--move-up 0.7]']);
    const tiers = typeof values.tiers === 'string' ? tiersParse(values.tiers) : DEFAULT_TIERS;
    const moveUpShare = typeof values['move-up'] === 'string' ? moveUpParse(values['move-up']) : MOVE_UP_SHARE;
    const loaded = loadPlan(positionals[0], values.preset as string | undefined, values.host as string | undefined);
    singleHostOnly(loaded.plan, loaded.label, 'capacity');
    const { plan, used } = withEvidence(loaded.plan, values, loaded.compose);
    const label = loaded.label;
    const c = capacity(plan);
    const p = upgradePath(plan, { tiers, moveUpShare });
    if (values.json) {
      process.stdout.write(reportJson({ ...(jsonOf(plan, c, p) as object), ...(used ? { evidence: used } : {}) }));
      return 0;
    }
    const lines = [
      `Headroom capacity: ${plan.name ?? label} (${users(plan.workload.activeUsers)} active users planned)`,
      '',
      ...(used ? [...evidenceLines(used, evaluate(plan)), ''] : []),
      ...fixedFirstLines(c),
      ...scenarioLines('normal traffic', c, c.reason),
      ...scenarioLines(`spike ×${c.spike.multiplier}`, c.spike),
      '',
      'every check, the first to break first:',
      ...checksTable(c),
      '',
      ...pathLines(p),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
