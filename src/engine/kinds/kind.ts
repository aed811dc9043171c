/**
 * What a service kind gives the engine: the one interface every module in kinds/ implements.
 * Required members are what every kind needs (its settings and its memory model, what the page
 * starts a new one with); optional members are capabilities only some kinds have (tuning from a
 * limit, findings, editable settings). Shared code asks the registry (kinds/index.ts) for them
 * instead of switching on the kind.
 */
import type * as z from 'zod/mini';
import type { Plan, Service, ServiceKind, ServiceOf } from '../schema.ts';
import type { Basis, Traffic, Usage } from '../report.ts';
import type { Rule } from '../findings/context.ts';

/** What a usage model sees besides its own service: the scenario's traffic and how it splits. */
export type ModelContext = { plan: Plan; traffic: Traffic; countOf: (kind: ServiceKind) => number };

/** How the page edits a setting. */
export type FieldType = 'size' | 'count' | 'duration' | 'number' | 'enum' | 'bool' | 'text';

export type FieldSpec = {
  /** Key under `settings` (dotted for nested: `usage.low`), or the plan key for top-level fields. */
  key: string;
  /** The name on screen: the config file's own name where there is one. */
  label: string;
  type: FieldType;
  /** Blank removes the key, so the engine's default applies. */
  optional?: boolean;
  /** `none` means no limit (null). */
  none?: boolean;
  /** `auto` is accepted as itself. */
  auto?: boolean;
};

/** The page's field of a setting, by type; blank restores the default. */
export const field = {
  size: (key: string, label: string): FieldSpec => ({ key, label, type: 'size', optional: true }),
  count: (key: string, label: string): FieldSpec => ({ key, label, type: 'count', optional: true }),
  duration: (key: string, label: string): FieldSpec => ({ key, label, type: 'duration', optional: true }),
  choice: (key: string, label: string): FieldSpec => ({ key, label, type: 'enum', optional: true }),
  bool: (key: string, label: string): FieldSpec => ({ key, label, type: 'bool', optional: true }),
};

/** A service the tuner cannot make fit: what stands in the way and the smallest limit that would do. */
export type TuneUnfit = {
  service: string;
  kind: ServiceKind;
  /** 'limit': no setting fits the container's limit; 'connections': PostgreSQL's largest max_connections is not enough. */
  reason: 'limit' | 'connections';
  limitMiB: number | null;
  /** The smallest tidy limit at which the tuner's settings fit; null when a larger limit does not help. */
  minLimitMiB: number | null;
  message: string;
};

/**
 * Who connects to the stack's servers (clients.ts works it out once per plan): `known` when the
 * engine counts every connection any service opens (each service's kind is `counted` or `none`,
 * see KindEngine.connections); otherwise `unknown` names the services it cannot count.
 */
export type Clients = { known: boolean; unknown: string[] };

/** What a tuner sees besides the plan: one per tuning pass (tune.ts). */
export type TuneContext = {
  clients: Clients;
  /** True in a tuning pass (tunePlan): the services of the kinds in `after` are already tuned in the plan, so read them as they are rather than tuning them again. */
  afterTuned: boolean;
  /** The tuning rule (tune.ts keptAgainst): `after` with every value it may not lower put back to `before`'s. For a tuner that applies another kind's recommendation itself (PostgreSQL reads pgBouncer's). */
  keep: (before: Service, after: Service) => Service;
};

/**
 * Tuning: the settings a service's limit and the plan's connections imply. `tune` is the tuner
 * (one call per service per export); its result `T` holds the plan's own values completed
 * (`planned`) and the recommendation, with the reasons. `settle` recomputes the planned part for
 * a plan that changed since (the tuned plan an export writes), keeping the recommendation: the
 * tuners are a fixpoint of their own output, so no second tuning is needed.
 */
export interface KindTuning<K extends ServiceKind, T> {
  /** Kinds whose recommendation this one reads: tuned before it in a plan's tuning pass. */
  readonly after?: readonly ServiceKind[];
  /** The tuning of one service of `plan`, as the plan stands. */
  tune(plan: Plan, s: ServiceOf<K>, ctx: TuneContext): T;
  /** The service with the recommended settings applied. */
  apply(s: ServiceOf<K>, t: T): ServiceOf<K>;
  /** What stands in the way when no setting fits its limit (empty when the recommendation fits). */
  unfit(s: ServiceOf<K>, t: T): TuneUnfit[];
  /** `t` with its planned part recomputed for `plan` as it now stands (the recommendation kept): cheap, no search. */
  settle(plan: Plan, s: ServiceOf<K>, t: T): T;
  /** The smallest tidy limit the service's own settings need beyond its usage (the upgrade path's limits). */
  minLimit?(s: ServiceOf<K>): number;
  /** What a person should know about this tuning beyond the values (a setting it could not size, and why). */
  notes?(s: ServiceOf<K>, t: T): string[];
  /** Settings whose 0 means "no bound" (Redis's maxmemory): 0 is then above every other value for the rule that a tuned plan never lowers a value (tune.ts). */
  readonly zeroUnbounded?: readonly string[];
}

/** What a new service of the kind starts with on the page. */
export type Starter = { name?: string; limit: string; settings: Record<string, unknown> };

/**
 * One service kind for the engine. `S` is its settings schema, `T` its tuning's result.
 */
export interface KindEngine<K extends ServiceKind, S extends z.ZodMiniObject = z.ZodMiniObject, T = unknown> {
  readonly kind: K;
  /** The settings schema: a strict mapping, every key defaulted (each default with its source). */
  readonly settings: S;
  /** The choices of each enum setting, for the schema and the page's pickers. */
  readonly enums?: Readonly<Record<string, readonly [string, ...string[]]>>;
  /** Memory in one scenario: low / typical / high MiB with named parts. */
  usage(s: ServiceOf<K>, ctx: ModelContext): Usage;
  /** What a new service of this kind starts with on the page. */
  readonly starter: Starter;
  /** One line of the settings that drive its memory, for the services table. */
  summary?(s: ServiceOf<K>): string;
  /** The settings the page's settings panel edits, in the order a person tunes them. */
  readonly fields?: readonly FieldSpec[];
  /** Findings an expert raises about services of this kind. */
  readonly findings?: readonly Rule[];
  /** Settings from the limit and the workload. */
  readonly tuning?: KindTuning<K, T>;
  /** Prometheus scrapes it directly (its own /metrics), so the alert rules see it down. */
  readonly scraped?: boolean;
  /**
   * The connections its services open to the stack's servers (PostgreSQL, pgBouncer, Redis):
   * `counted` when traffic.ts models every one (an app's pools, a pooler's server side, an
   * exporter's one), `none` when it opens none (a server, a monitor that only scrapes). Absent, or
   * `unknown` for one service: it may open any number Headroom cannot count, so a tuned plan keeps
   * the servers' defaults (clients.ts). A kind of app the engine does not model leaves it absent.
   */
  readonly connections?: Connections | ((s: ServiceOf<K>) => Connections | 'unknown');
  /**
   * What its usage rests on (report.ts Basis). Without it the registry says `observed` when the
   * plan carries evidence for the service and `modelled` otherwise (basisOf): a kind with a model
   * needs nothing here. A kind whose usage is a guess unless the plan states it says `assumed`
   * then (generic without `usage` or evidence): the verdict cannot pass on it (engine/verdict.ts).
   */
  basis?(s: ServiceOf<K>): Basis;
}

export type Connections = 'counted' | 'none';
