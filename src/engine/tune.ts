/**
 * Tuning a whole plan: every service whose kind can tune (kinds/*: its `tuning`) gets its
 * recommended settings, the kinds a tuner reads first (`after`: pgBouncer's pools before
 * PostgreSQL's max_connections). Each kind's tuner derives from that kind's own model, and checks
 * its values against the lines the findings draw (policy.ts), so a tuned plan does not trip
 * Headroom's own findings. When no setting fits a limit, the plan is returned with the closest
 * values and `unfit` names the service and the smallest limit that would do.
 */
import type { Plan, Service, ServiceKind, ServiceOf } from './schema.ts';
import { planWithFeatures } from './features.ts';
import { KINDS, kindOf, tuningOf, type TuningOf } from './kinds/index.ts';
import type { TuneUnfit } from './kinds/kind.ts';

export type { TuneUnfit } from './kinds/kind.ts';

/** The tuning of every service that tunes, one object per service (its kind's TuningOf), by name. */
export class Tunings {
  constructor(private readonly byName: ReadonlyMap<string, unknown>) {}

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

/**
 * The plan with every recommended value applied, one service after the other (each tuner sees
 * the services tuned before it). A service a feature toggle implies and whose kind tunes (the
 * toggle's pgBouncer) joins the plan's services. Limits, workload and features stay as they are.
 * Pure: returns a new plan, and lists the services whose limit no setting fits.
 */
export function tunePlan(plan: Plan): TunedPlan {
  const full = planWithFeatures(plan);
  const implied = full.services.filter((s) => full.implied.has(s.name) && kindOf(s.kind).tuning);
  let out: Plan = { ...plan, services: [...plan.services, ...implied] };
  const unfit: TuneUnfit[] = [];
  const tunings = new Map<string, unknown>();
  for (const kind of tuneOrder()) {
    for (const { name } of out.services.filter((s) => s.kind === kind)) {
      const s = out.services.find((x) => x.name === name)!;
      const tuning = tuningOf(s)!;
      const t = tuning.tune(out, s as never);
      tunings.set(name, t);
      out = withService(out, tuning.apply(s as never, t) as Service);
      unfit.push(...tuning.unfit(s as never, t));
    }
  }
  return { plan: out, unfit, tunings: new Tunings(tunings) };
}

/** Every service of `plan` that tunes, tuned once as the plan stands (what an export writes beside a plan it does not change). */
export function tuningsOf(plan: Plan): Tunings {
  const tunings = new Map<string, unknown>();
  for (const s of plan.services) {
    const tuning = tuningOf(s);
    if (tuning) tunings.set(s.name, tuning.tune(plan, s as never));
  }
  return new Tunings(tunings);
}

/**
 * The tunings a pass computed (tunePlan's), their planned parts recomputed for `plan` (the tuned
 * plan as written, features applied): what an export of the tuned plan writes, without tuning it
 * again. The recommendations stay: tuning a tuned plan recommends what it already has.
 */
export function tuningsSettled(plan: Plan, tunings: Tunings): Tunings {
  const out = new Map<string, unknown>();
  for (const s of plan.services) {
    const tuning = tuningOf(s);
    if (tuning) out.set(s.name, tuning.settle(plan, s as never, tunings.of(s) as never));
  }
  return new Tunings(out);
}

/** tunePlan's plan, or a TuneError naming every service whose limit no setting fits: never a config that fails. */
export function planTune(plan: Plan): Plan {
  const r = tunePlan(plan);
  if (r.unfit.length > 0) throw new TuneError(r.unfit);
  return r.plan;
}
