/**
 * Tuning a whole plan: every service whose kind can tune (kinds/*: its `tuning`) gets its
 * recommended settings, the kinds a tuner reads first (`after`: pgBouncer's pools before
 * PostgreSQL's max_connections). Each kind's tuner derives from that kind's own model, and checks
 * its values against the lines the findings draw (policy.ts), so a tuned plan does not trip
 * Headroom's own findings. When no setting fits a limit, the plan is returned with the closest
 * values and `unfit` names the service and the smallest limit that would do.
 *
 * One rule holds over every kind's tuner (keptAgainst, below): a tuned plan never lowers a
 * setting below the plan's own value, nor below the server's default while the clients are not
 * all known (clients.ts). A kept value is listed (`kept`) with what the tuner would have written.
 */
import type { Plan, Service, ServiceKind, ServiceOf } from './schema.ts';
import { planWithFeatures } from './features.ts';
import { KINDS, kindOf, tuningOf, type TuningOf } from './kinds/index.ts';
import type { Clients, TuneContext, TuneUnfit } from './kinds/kind.ts';
import { clientsOf, unknownClientsText } from './clients.ts';
import { sizeFormat } from './units.ts';
import { UNBOUNDED_ZERO_TEXT } from './changeText.ts';

export type { TuneContext, TuneUnfit } from './kinds/kind.ts';

/**
 * A setting a tuned plan keeps instead of lowering it (or, for a choice, changing it): the value
 * kept, the tuner's, and why. `own`: the plan sets it (it differs from the server's default);
 * `default`: the server's default, kept because the clients are not all known.
 */
export type Kept = {
  service: string;
  kind: ServiceKind;
  /** The plan-file key (`maxConnections`). */
  key: string;
  /** The server's own name for it (`max_connections`), from the kind's fields; else the key. */
  label: string;
  value: unknown;
  recommended: unknown;
  why: 'own' | 'default';
  /** For people: what was kept, why, and what the tuner would have written (`text`), and the same after the service's name (`message`). */
  text: string;
  message: string;
};

/** The tuning of every service that tunes, one object per service (its kind's TuningOf), by name. */
export class Tunings {
  constructor(
    private readonly byName: ReadonlyMap<string, unknown>,
    /** The settings the pass kept (tunePlan's `kept`), by service. */
    private readonly keptByName: ReadonlyMap<string, readonly Kept[]> = new Map(),
  ) {}

  /** The settings of `s` the tuning pass kept rather than lower (empty outside a tuned export). */
  kept(s: { name: string }): readonly Kept[] {
    return this.keptByName.get(s.name) ?? [];
  }

  /** The tuning of `s`; an error when `s` was not tuned (a writer asking for a service outside the plan). */
  of<K extends ServiceKind>(s: ServiceOf<K>): TuningOf<K> {
    if (!this.byName.has(s.name)) throw new Error(`${s.name} was not tuned`);
    return this.byName.get(s.name) as TuningOf<K>;
  }

  get size(): number {
    return this.byName.size;
  }
}

export type TunedPlan = {
  /** Every recommendation applied (for an unfit service: the closest the tuner gets, which still fails). */
  plan: Plan;
  /** Empty when the tuned plan passes the engine's limit, Redis and connection checks. */
  unfit: TuneUnfit[];
  /** Each service's tuning as the pass computed it (its recommendation; its planned part is the plan's before tuning). */
  tunings: Tunings;
  /** The settings kept at the plan's value rather than lowered (keptAgainst). */
  kept: Kept[];
  /** Who connects to the servers, as the pass saw it. */
  clients: Clients;
  /** What a person should know beyond the values (each kind's `notes`: a setting it could not size, and why). */
  notes: string[];
};

/** planTune's refusal: at least one limit is too small for any setting. */
export class TuneError extends Error {
  readonly unfit: TuneUnfit[];
  constructor(unfit: TuneUnfit[]) {
    super(unfit.map((u) => u.message).join('; '));
    this.name = 'TuneError';
    this.unfit = unfit;
  }
}

/** The kinds that tune, each after the kinds it reads (`after`), else in the registry's order. */
function tuneOrder(): ServiceKind[] {
  const order: ServiceKind[] = [];
  const visit = (k: ServiceKind) => {
    const tuning = kindOf(k).tuning;
    if (!tuning || order.includes(k)) return;
    for (const dep of tuning.after ?? []) visit(dep);
    order.push(k);
  };
  for (const k of Object.keys(KINDS) as ServiceKind[]) visit(k);
  return order;
}

const withService = (plan: Plan, s: Service): Plan => ({ ...plan, services: plan.services.map((x) => (x.name === s.name ? s : x)) });

/** The context a tuner is called with outside a tuning pass (tests, a single service's advice): the plan's clients, the kinds it reads as recommended. */
export function tuneContext(plan: Plan): TuneContext {
  const clients = clientsOf(plan);
  return { clients, afterTuned: false, keep: (before, after) => keptAgainst(before, after, clients).service };
}

/** Each kind's settings with every default filled in (its schema's own defaults: the server's). */
const DEFAULTS = new Map<ServiceKind, Record<string, unknown>>();
function defaultsOf(kind: ServiceKind): Record<string, unknown> {
  let d = DEFAULTS.get(kind);
  if (!d) DEFAULTS.set(kind, (d = (kindOf(kind).settings as unknown as { parse(v: unknown): Record<string, unknown> }).parse({})));
  return d;
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * THE RULE a tuned plan keeps, for every kind (issue 11, "never break what it cannot see"): a
 * tuner's value may be lower than the plan's — or, for a choice such as pgBouncer's pool_mode,
 * different — only when the plan's value is the server's default AND every client is known
 * (clients.ts). Otherwise the plan's value stays: the user's own, or the server's default that
 * clients Headroom cannot count may rely on. Raising is always allowed. A value equal to the
 * server's default counts as the default: a plan cannot tell one written out from one left out.
 * For settings whose 0 means "no bound" (`zeroUnbounded`), 0 is the highest value.
 */
export function keptAgainst(before: Service, after: Service, clients: Clients): { service: Service; kept: Kept[] } {
  if (before.kind !== after.kind) return { service: after, kept: [] };
  const defaults = defaultsOf(before.kind);
  const unbounded = new Set(tuningOf(before)?.zeroUnbounded ?? []);
  const was = before.settings as Record<string, unknown>;
  const now = { ...(after.settings as Record<string, unknown>) };
  const kept: Kept[] = [];
  for (const [key, value] of Object.entries(now)) {
    const old = was[key];
    if (same(old, value)) continue;
    const rank = (v: number) => (unbounded.has(key) && v === 0 ? Infinity : v);
    const lower = typeof old === 'number' && typeof value === 'number' ? rank(value) < rank(old) : true;
    if (!lower) continue;
    const own = !same(old, defaults[key]);
    if (!own && clients.known) continue;
    now[key] = old;
    kept.push(keptEntry(before, key, old, value, own ? 'own' : 'default', clients));
  }
  return { service: kept.length ? ({ ...after, settings: now } as Service) : after, kept };
}

function keptEntry(s: Service, key: string, value: unknown, recommended: unknown, why: Kept['why'], clients: Clients): Kept {
  const field = kindOf(s.kind).fields?.find((f) => f.key === key);
  const label = field?.label ?? key;
  const text = (v: unknown) => (typeof v === 'number' && field?.type === 'size' ? (v === 0 && (tuningOf(s)?.zeroUnbounded ?? []).includes(key) ? UNBOUNDED_ZERO_TEXT : sizeFormat(v)) : String(v));
  const because = why === 'own'
    ? "the plan's own value: a tuned export never lowers it"
    : `the server's default: ${unknownClientsText(clients)} may connect, and Headroom cannot count ${clients.unknown.length === 1 ? 'its' : 'their'} connections`;
  // The model's own figure is worth showing beside the user's value; beside a default kept for
  // clients the model cannot count, it would only repeat what the model does not know.
  const instead = why === 'default' || !clients.known ? '' : typeof value === 'number' && typeof recommended === 'number' ? ` (Headroom's model alone would lower it to ${text(recommended)})` : ` (Headroom's model alone would set ${text(recommended)})`;
  const said = `${label} kept at ${text(value)}, ${because}${instead}`;
  return { service: s.name, kind: s.kind, key, label, value, recommended, why, text: said, message: `${s.name}: ${said}` };
}

/**
 * The plan with every recommended value applied, one service after the other (each tuner sees
 * the services tuned before it), each under the rule above (keptAgainst). A service a feature
 * toggle implies and whose kind tunes (the toggle's pgBouncer) joins the plan's services. Limits,
 * workload and features stay as they are. Pure: returns a new plan, and lists the services whose
 * limit no setting fits and the settings kept.
 */
export function tunePlan(plan: Plan): TunedPlan {
  const full = planWithFeatures(plan);
  const implied = full.services.filter((s) => full.implied.has(s.name) && kindOf(s.kind).tuning);
  let out: Plan = { ...plan, services: [...plan.services, ...implied] };
  const clients = clientsOf(plan);
  const ctx: TuneContext = { clients, afterTuned: true, keep: (before, after) => keptAgainst(before, after, clients).service };
  const unfit: TuneUnfit[] = [];
  const kept: Kept[] = [];
  const notes: string[] = [];
  const tunings = new Map<string, unknown>();
  const keptByName = new Map<string, Kept[]>();
  for (const kind of tuneOrder()) {
    for (const { name } of out.services.filter((s) => s.kind === kind)) {
      const s = out.services.find((x) => x.name === name)!;
      const tuning = tuningOf(s)!;
      const t = tuning.tune(out, s as never, ctx);
      tunings.set(name, t);
      const r = keptAgainst(s, tuning.apply(s as never, t) as Service, clients);
      out = withService(out, r.service);
      if (r.kept.length) keptByName.set(name, r.kept);
      kept.push(...r.kept);
      unfit.push(...tuning.unfit(s as never, t));
      notes.push(...(tuning.notes?.(s as never, t) ?? []));
    }
  }
  return { plan: out, unfit, tunings: new Tunings(tunings, keptByName), kept, clients, notes };
}

/** Every service of `plan` that tunes, tuned once as the plan stands (what an export writes beside a plan it does not change), with what the rule would keep of each recommendation. */
export function tuningsOf(plan: Plan): Tunings {
  const tunings = new Map<string, unknown>();
  const kept = new Map<string, Kept[]>();
  const ctx = tuneContext(plan);
  for (const s of plan.services) {
    const tuning = tuningOf(s);
    if (!tuning) continue;
    const t = tuning.tune(plan, s as never, ctx);
    tunings.set(s.name, t);
    // What the rule would keep, so that a writer never advises what a tuned export would not do.
    const r = keptAgainst(s, tuning.apply(s as never, t) as Service, ctx.clients);
    if (r.kept.length) kept.set(s.name, r.kept);
  }
  return new Tunings(tunings, kept);
}

/**
 * The tunings a pass computed (tunePlan's), their planned parts recomputed for `plan` (the tuned
 * plan as written, features applied): what an export of the tuned plan writes, without tuning it
 * again. The recommendations stay: tuning a tuned plan recommends what it already has.
 */
export function tuningsSettled(plan: Plan, tunings: Tunings): Tunings {
  const out = new Map<string, unknown>();
  const kept = new Map<string, readonly Kept[]>();
  for (const s of plan.services) {
    const tuning = tuningOf(s);
    if (tuning) out.set(s.name, tuning.settle(plan, s as never, tunings.of(s) as never));
    if (tunings.kept(s).length) kept.set(s.name, tunings.kept(s));
  }
  return new Tunings(out, kept);
}

/** tunePlan's plan, or a TuneError naming every service whose limit no setting fits: never a config that fails. */
export function planTune(plan: Plan): Plan {
  const r = tunePlan(plan);
  if (r.unfit.length > 0) throw new TuneError(r.unfit);
  return r.plan;
}
