/**
 * PostgreSQL tuning: the settings its limit and the plan's connections imply.
 *
 * `planned` completes the plan's own values with what the plan does not say (effective_cache_size,
 * wal_buffers...) and checks them against the limit; `recommended` is what we would set from the
 * limit and the workload alone. The exporters write `planned` and show `recommended` beside it
 * when they differ.
 *
 * One memory model: every figure here comes from model.ts, the model the findings read. work_mem
 * is the largest that keeps the model's high usage in the plan's spike within the limit;
 * shared_buffers and maintenance_work_mem start from the usual shares and give way until the
 * high usage in normal traffic (what the usage-over-limit finding reads) fits; max_connections
 * keeps the model's peak backends under the 90% line (policy.ts). When no setting fits a limit,
 * the tuner says so (`fits`, `minLimit`) instead of writing a config that fails.
 */
import type { Plan, Service, ServiceOf } from '../../schema.ts';
import type { Traffic } from '../../report.ts';
import { planWithFeatures } from '../../features.ts';
import { appConnections, trafficOf } from '../../traffic.ts';
import { maxConnectionsFor, roundDownSize, roundUpSize } from '../../policy.ts';
import { pgSizeText as pgSize, sizeFormat, withArticle } from '../../units.ts';
import { servicesOf } from '../../findings/context.ts';
import { pgbouncersTuned, pgbouncerServerConnections } from '../pgbouncer.ts';
import type { TuneContext, TuneUnfit } from '../kind.ts';
import { unknownClientsText } from '../../clients.ts';
import { BACKEND_MIB, postgresUsage, WORK_MEM_NODES } from './model.ts';
import { MAX_CONNECTIONS_MAX, OTHER_CONNECTIONS, POSTGRES_DEFAULTS, SHARED_BUFFERS_SHARE, walBuffersFor } from './settings.ts';

export const PG_TUNE = {
  /** settings.ts: shared_buffers ≈ 25% of the memory PostgreSQL may use, over 40% rarely helps (PG docs). */
  sharedBuffersShare: SHARED_BUFFERS_SHARE.usual,
  sharedBuffersMaxShare: SHARED_BUFFERS_SHARE.max,
  /** PG docs: shared_buffers must be at least 128kB; assumed: below 16MB it is not worth tuning. */
  sharedBuffersMin: 16,
  /** The hash_mem_multiplier written: PostgreSQL 15's default (settings.ts), what model.ts counts. */
  hashMemMultiplier: POSTGRES_DEFAULTS.hashMemMultiplier,
  /** memory-model.md: PGTune's effective_cache_size = 3/4 RAM; here of the container limit, because the page cache is charged to the container's cgroup. A planner hint, it allocates nothing. */
  effectiveCacheShare: 0.75,
  /** memory-model.md: PGTune maintenance_work_mem = RAM/16; here of the container limit. */
  maintenanceShare: 1 / 16,
  /** memory-model.md: timescaledb-tune caps maintenance_work_mem at 2047 MB. */
  maintenanceMax: 2047,
  /** assumed: below 16MB index builds spill constantly; PG's own default is 64MB. */
  maintenanceMin: 16,
  /** assumed: each autovacuum worker gets half of one maintenance_work_mem share, so 3 workers together stay under 10% of the limit. */
  autovacuumShare: 1 / 32,
  /** assumed: autovacuum below 8MB rescans indexes far too often. */
  autovacuumMin: 8,
  /** PG docs (before 17): autovacuum never uses more than 1GB for dead tuples. */
  autovacuumMax: 1024,
  /** PG docs: work_mem minimum is 64kB; assumed: we never advise below 1MB, where most sorts spill. */
  workMemMin: 1,
  /** PG default superuser_reserved_connections (settings.ts). */
  superuserReserved: POSTGRES_DEFAULTS.superuserReservedConnections,
  /** PG docs: effective_cache_size defaults to 4GB; what a service without a limit gets (never a share of the host's RAM). */
  effectiveCacheDefault: 4096,
} as const;

const firstOf = <K extends 'postgres' | 'pgbouncer'>(plan: Plan, kind: K) => servicesOf(plan, kind)[0];
const withService = (plan: Plan, name: string, f: (s: Service) => Service): Plan => ({ ...plan, services: plan.services.map((s) => (s.name === name ? f(s) : s)) });

/** Every postgresql.conf value we write, sizes in MiB. */
export type PgSettings = {
  maxConnections: number;
  superuserReservedConnections: number;
  sharedBuffers: number;
  effectiveCacheSize: number;
  workMem: number;
  hashMemMultiplier: number;
  maintenanceWorkMem: number;
  autovacuumWorkMem: number;
  autovacuumMaxWorkers: number;
  maxParallelWorkersPerGather: number;
  walBuffers: number;
};

/** How the settings spend the limit in the plan's spike: the model's parts at their high end, MiB (model.ts). */
export type PgBudget = {
  limit: number;
  /** The spike's traffic multiplier (workload.spike). */
  multiplier: number;
  /** Each part of the model at its high end in the spike, with its note (`45 typical, 45 at most`). */
  parts: Array<{ name: string; MiB: number; note?: string }>;
  /** Their sum: the model's high usage in the spike. */
  high: number;
  /** limit − high; negative when the settings do not fit. */
  free: number;
  fits: boolean;
};

/** Where the connection numbers come from. */
export type PgConnections = {
  /** Connections the app can open (all replicas, workers and pools). */
  app: number;
  /** Through pgBouncer: its server connections; else the app's own. */
  server: number;
  viaPgbouncer: boolean;
  exporter: number;
  admin: number;
  reserved: number;
};

export type PgTune = {
  limit: number;
  /** True when the service has no limit and the host's RAM was used instead. */
  limitFromHost: boolean;
  connections: PgConnections;
  planned: PgSettings;
  plannedBudget: PgBudget;
  recommended: PgSettings;
  recommendedBudget: PgBudget;
  /** The engine's high usage (model.ts, normal traffic) with the planned settings, MiB: what the usage-over-limit finding reads. */
  plannedHigh: number;
  /** The same with the recommended settings (and pgBouncer as recommended), MiB. */
  recommendedHigh: number;
  /** True when that high usage fits the limit: the usage-over-limit finding stays quiet. */
  fits: boolean;
  /** The smallest tidy limit at which the usual shares (25% shared_buffers, limit/16
   * maintenance_work_mem) fit the engine's high usage; null when they fit this limit. */
  minLimit: number | null;
  /** False when the connections need a max_connections over PostgreSQL's maximum. */
  connectionsFit: boolean;
  /** The engine's most client backends, normal or spike, that max_connections keeps under 90%. */
  peakBackends: number;
  /** How each recommended value was reached, one line each, for comments and the UI. */
  explain: Record<keyof PgSettings, string>;
};

const floorMiB = (v: number) => Math.max(0, Math.floor(v));
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round2 = (v: number) => Math.round(v * 100) / 100;

export function pgConnections(plan: Plan): PgConnections {
  const app = appConnections(plan);
  const bouncer = firstOf(plan, 'pgbouncer');
  const server = bouncer ? Math.min(app || Infinity, pgbouncerServerConnections(bouncer)) : app;
  return {
    app,
    server: Number.isFinite(server) ? server : 0,
    viaPgbouncer: !!bouncer,
    exporter: plan.services.some((s) => s.kind === 'prometheus') ? OTHER_CONNECTIONS.exporter : 0,
    admin: OTHER_CONNECTIONS.admin,
    reserved: PG_TUNE.superuserReserved,
  };
}

/** The model's high usage of `pg` with these settings in the spike (`spike`: that scenario's traffic), part by part. */
export function pgBudget(pg: ServiceOf<'postgres'>, settings: PgSettings, spike: { multiplier: number; traffic: Traffic }, limit: number): PgBudget {
  const u = postgresUsage({ ...pg, settings: { ...pg.settings, ...modelSettings(settings) } }, spike.traffic);
  const free = limit - u.high;
  return {
    limit,
    multiplier: spike.multiplier,
    parts: u.components.map((c) => ({ name: c.name, MiB: round2(c.high), ...(c.note === undefined ? {} : { note: c.note }) })),
    high: round2(u.high),
    free: round2(free),
    fits: free >= 0,
  };
}

/** The settings model.ts reads, from the written ones. */
function modelSettings(s: PgSettings): Pick<ServiceOf<'postgres'>['settings'], 'sharedBuffers' | 'maxConnections' | 'workMem' | 'maintenanceWorkMem' | 'autovacuumMaxWorkers'> {
  return { sharedBuffers: s.sharedBuffers, maxConnections: s.maxConnections, workMem: s.workMem, maintenanceWorkMem: s.maintenanceWorkMem, autovacuumMaxWorkers: s.autovacuumMaxWorkers };
}

/** The usual shares of the limit: 25% shared_buffers (at least 16MB), limit/16 maintenance_work_mem within its bounds. */
function pgShares(limit: number): { sharedBuffers: number; maintenanceWorkMem: number } {
  return {
    sharedBuffers: Math.max(Math.min(PG_TUNE.sharedBuffersMin, limit / 4), floorMiB(limit * PG_TUNE.sharedBuffersShare)),
    maintenanceWorkMem: clamp(floorMiB(limit * PG_TUNE.maintenanceShare), PG_TUNE.maintenanceMin, PG_TUNE.maintenanceMax),
  };
}

/**
 * The largest whole work_mem at which the model's high usage of `pg` under `traffic` fits `limit`
 * (the usage is affine in work_mem: its active queries' nodes); null when the model puts no
 * work_mem in flight there (no client backends), so that it says nothing about work_mem.
 */
function workMemRoom(pg: ServiceOf<'postgres'>, traffic: Traffic, limit: number): number | null {
  const base = pgHigh(pg, traffic, { workMem: 0 });
  const perMiB = pgHigh(pg, traffic, { workMem: 1 }) - base;
  return perMiB > 0 ? Math.floor((limit - base) / perMiB) : null;
}

/**
 * Every written value from the four we choose; the rest follow the limit or the plan. Without a
 * limit (null) they are PostgreSQL's own defaults: effective_cache_size 4GB, and
 * autovacuum_work_mem -1 written out (maintenance_work_mem), never a share of the host's RAM.
 */
function pgSettingsFor(limit: number | null, p: ServiceOf<'postgres'>['settings'], v: Pick<PgSettings, 'maxConnections' | 'sharedBuffers' | 'maintenanceWorkMem' | 'workMem'>): PgSettings {
  return {
    maxConnections: v.maxConnections,
    // PostgreSQL refuses superuser_reserved_connections ≥ max_connections.
    superuserReservedConnections: Math.min(PG_TUNE.superuserReserved, Math.max(0, v.maxConnections - 1)),
    sharedBuffers: v.sharedBuffers,
    effectiveCacheSize: limit === null ? PG_TUNE.effectiveCacheDefault : Math.max(v.sharedBuffers, floorMiB(limit * PG_TUNE.effectiveCacheShare)),
    workMem: v.workMem,
    hashMemMultiplier: PG_TUNE.hashMemMultiplier,
    maintenanceWorkMem: v.maintenanceWorkMem,
    autovacuumWorkMem: limit === null ? v.maintenanceWorkMem : Math.min(v.maintenanceWorkMem, autovacuumFor(limit)),
    autovacuumMaxWorkers: p.autovacuumMaxWorkers,
    maxParallelWorkersPerGather: p.maxParallelWorkersPerGather,
    walBuffers: walBuffersFor(v.sharedBuffers),
  };
}

/** The engine's high usage of `pg` with these settings under `traffic` (model.ts). */
function pgHigh(pg: ServiceOf<'postgres'>, traffic: Traffic, s: Partial<ServiceOf<'postgres'>['settings']>): number {
  return postgresUsage({ ...pg, settings: { ...pg.settings, ...s } }, traffic).high;
}

/** The model's high usage under `traffic` with the usual shares of `limit` and work_mem 1MB: what decides whether a limit can fit at all. */
function high1At(pg: ServiceOf<'postgres'>, limit: number, traffic: Traffic): number {
  return pgHigh({ ...pg, limit }, traffic, { ...pgShares(limit), workMem: PG_TUNE.workMemMin });
}

/**
 * PostgreSQL settings for a limit: the usual shares, and work_mem the largest that keeps the
 * model's high usage (12 MiB per backend, work_mem × 6 nodes per active query, autovacuum workers ×
 * maintenance_work_mem) within the limit both in the plan's spike and under `traffic` (normal, as
 * the usage-over-limit finding reads it), at least 1MB; as planned when the model runs no query.
 * `workMemFloor` (the fit passes the plan's own work_mem): when that work_mem does not fit at the
 * usual shares, it is kept by giving shared_buffers less than its share (down to its 16MB
 * minimum); only when even that is over the limit does work_mem go below the floor (memory forces
 * it). Also used by tiers.ts.
 */
export function postgresForLimit(plan: Plan, pg: ServiceOf<'postgres'>, limit: number, traffic: Traffic, workMemFloor: number = PG_TUNE.workMemMin): { service: ServiceOf<'postgres'>; fits: boolean; spikeRoom: number | null } {
  const settings = { ...pg.settings, ...pgShares(limit) };
  const sized: ServiceOf<'postgres'> = { ...pg, limit, settings };
  const full = planWithFeatures(withService(plan, pg.name, () => sized));
  const spike = trafficOf(full, full.workload.spike);
  const spikeRoom = workMemRoom(sized, spike, limit);
  const room = workMemRoom(sized, traffic, limit) ?? Infinity;
  const workMem = Math.max(PG_TUNE.workMemMin, Math.min(spikeRoom ?? pg.settings.workMem, room));
  if (workMem < workMemFloor) {
    const withFloor = (sharedBuffers: number): ServiceOf<'postgres'> => ({ ...sized, settings: { ...settings, sharedBuffers, workMem: workMemFloor } });
    const fitsBoth = (sharedBuffers: number) => pgHigh(withFloor(sharedBuffers), spike, {}) <= limit && pgHigh(withFloor(sharedBuffers), traffic, {}) <= limit;
    const sharedBuffers = largestWhere(Math.min(PG_TUNE.sharedBuffersMin, settings.sharedBuffers), settings.sharedBuffers, fitsBoth);
    if (sharedBuffers !== null) {
      const service = withFloor(sharedBuffers);
      return { service, fits: true, spikeRoom: workMemRoom(service, spike, limit) };
    }
  }
  const service = { ...sized, settings: { ...settings, workMem } };
  return { service, fits: pgHigh(service, traffic, {}) <= limit, spikeRoom };
}

/** Assumed: 64 MiB is under any useful PostgreSQL; 1 TiB is beyond any host this planner is for. */
const PG_SEARCH = { min: 64, first: 1024, max: 1 << 20 } as const;

/** The smallest tidy limit (findings' roundUpSize steps) at which PostgreSQL's high usage fits
 * with the usual shares, its settings following the limit. Also used by tiers.ts. */
export function postgresMinLimit(pg: ServiceOf<'postgres'>, traffic: Traffic): number {
  // over(l) ≤ 0 ⟺ it fits; over falls as the limit grows (the shares of it stay under 1).
  const over = (l: number) => high1At(pg, l, traffic) - l;
  let lo: number = PG_SEARCH.min;
  let glo = over(lo);
  if (glo <= 0) return lo;
  let hi: number = PG_SEARCH.first;
  let ghi = over(hi);
  while (ghi > 0 && hi < PG_SEARCH.max) {
    lo = hi;
    glo = ghi;
    hi *= 2;
    ghi = over(hi);
  }
  if (ghi > 0) return hi;
  // Between the tune clamps the usage is affine in the limit: secant steps land on the answer
  // in one or two tries; bisection after a few, so an odd plan still ends. Both on tidy sizes.
  for (let i = 0; ; i++) {
    const guess = i < 4 ? lo + (glo * (hi - lo)) / (glo - ghi) : (lo + hi) / 2;
    let t = roundUpSize(guess);
    if (t >= hi) t = roundDownSize(hi - 1);
    if (t <= lo) t = roundUpSize(lo + 1);
    if (t <= lo || t >= hi) return hi; // no tidy size between: hi is the smallest that fits
    const gt = over(t);
    if (gt <= 0) {
      hi = t;
      ghi = gt;
    } else {
      lo = t;
      glo = gt;
    }
  }
}

/** The largest whole value in [lo, hi] for which `ok` holds, `ok` true up to some point; null if not even at lo. */
function largestWhere(lo: number, hi: number, ok: (v: number) => boolean): number | null {
  if (!ok(lo)) return null;
  if (ok(hi)) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The plan as the engine will see it once tuned: toggle-implied services added, every pgBouncer at its recommendation. */
function tunedView(plan: Plan, ctx?: TuneContext): Plan {
  return pgbouncersTuned(planWithFeatures(plan), ctx?.keep);
}

type MaxConnections = { value: number; base: number; peak: number; fits: boolean };

/**
 * max_connections: every connection the plan opens (the app's or pgBouncer's, the exporter,
 * admin, superuser-reserved), and more when the engine's peak client backends (traffic.ts, normal
 * and spike) would reach the connections-near-max finding's 90% line.
 */
function pgMaxConnections(view: Plan, pg: ServiceOf<'postgres'>, c: PgConnections): MaxConnections {
  const pools = Math.max(0, ...servicesOf(view, 'pgbouncer').map(pgbouncerServerConnections));
  const base = Math.max(PG_TUNE.superuserReserved + 1, c.server + c.exporter + c.admin + c.reserved, pools + c.reserved);
  // The peak with no cap from max_connections: raising max_connections cannot raise it further.
  const open = withService(view, pg.name, (s) => ({ ...s, settings: { ...(s as typeof pg).settings, maxConnections: MAX_CONNECTIONS_MAX } }) as Service);
  const peak = Math.max(trafficOf(open, 1).backends.high, trafficOf(open, view.workload.spike).backends.high);
  const value = maxConnectionsFor(peak, base); // the finding's own comparison (policy.ts)
  return { value: Math.min(value, MAX_CONNECTIONS_MAX), base, peak, fits: value <= MAX_CONNECTIONS_MAX };
}

/** How max_connections was reached, for comments. */
function maxConnectionsText(c: PgConnections, max: MaxConnections): string {
  return `${c.server} ${c.viaPgbouncer ? 'pgBouncer server' : 'app'} + ${c.exporter} exporter + ${c.admin} admin + ${c.reserved} superuser-reserved` +
    (max.value > max.base ? `, raised to keep the ${max.peak} client backends the engine expects at the peak under 90% of it` : '');
}

/** The recommended max_connections alone (tunePostgres's, without the memory fit): for callers such as tiers.ts that set the rest themselves. */
export function postgresMaxConnections(plan: Plan, pg: ServiceOf<'postgres'>): number {
  const view = tunedView(plan);
  return pgMaxConnections(view, pg, pgConnections(view)).value;
}

/** The planned part of a tuning: the plan's own values completed with what it does not say, and what the model makes of them. */
type PgPlanned = Pick<PgTune, 'limit' | 'limitFromHost' | 'connections' | 'planned' | 'plannedBudget' | 'plannedHigh'>;

function pgPlanned(plan: Plan, pg: ServiceOf<'postgres'>): PgPlanned {
  const limit = pg.limit ?? plan.host.ram;
  // The engine's view: a pgBouncer the toggle implies counts like a listed one.
  const full = planWithFeatures(plan);
  const planned = pgSettingsFor(pg.limit, pg.settings, pg.settings);
  return {
    limit,
    limitFromHost: pg.limit === null,
    connections: pgConnections(full),
    planned,
    plannedBudget: pgBudget(pg, planned, { multiplier: full.workload.spike, traffic: trafficOf(full, full.workload.spike) }, limit),
    plannedHigh: round2(pgHigh(pg, trafficOf(full, 1), {})),
  };
}

/** `t` with its planned part recomputed for `plan` as it now stands (the recommendation kept). */
export function postgresSettle(plan: Plan, pg: ServiceOf<'postgres'>, t: PgTune): PgTune {
  return { ...t, ...pgPlanned(plan, pg) };
}

/**
 * Tunes one Postgres service of the plan: max_connections from the connections the plan opens,
 * its memory settings from its own container's limit. Without a limit the memory settings stay
 * as planned (never sized from the host's RAM); with clients Headroom cannot count (ctx.clients)
 * work_mem is never raised, since their queries are not in the model. Outside a tuning pass
 * (ctx.afterTuned false) pgBouncer is read as recommended.
 */
export function tunePostgres(plan: Plan, pg: ServiceOf<'postgres'>, ctx: TuneContext): PgTune {
  const own = pgPlanned(plan, pg);
  const { limit } = own;
  const p = pg.settings;

  // From the limit and the connections, with pgBouncer as tuned (in a pass) or as we would set it.
  const view = ctx.afterTuned ? planWithFeatures(plan) : tunedView(plan, ctx);
  const recConnections = pgConnections(view);
  const max = pgMaxConnections(view, pg, recConnections);
  if (pg.limit === null) return postgresUnlimited(pg, own, view, recConnections, max);
  const sized: ServiceOf<'postgres'> = { ...pg, limit, settings: { ...p, maxConnections: max.value } };
  const viewSized = withService(view, pg.name, () => sized);
  // The engine's high usage under normal traffic is what the usage-over-limit finding reads.
  const traffic = trafficOf(viewSized, 1);
  const spike = { multiplier: view.workload.spike, traffic: trafficOf(viewSized, view.workload.spike) };
  const shaped = postgresForLimit(viewSized, sized, limit, traffic);
  const shares = shaped.service.settings;
  // Clients the model does not count run queries it cannot see: work_mem is not raised for them.
  const workMemCapped = !ctx.clients.known && shares.workMem > p.workMem;
  let chosen = { sharedBuffers: shares.sharedBuffers, maintenanceWorkMem: shares.maintenanceWorkMem, workMem: workMemCapped ? p.workMem : shares.workMem };
  let fits = shaped.fits;
  const highOf = (v: Partial<typeof chosen>) => pgHigh(sized, traffic, { ...chosen, ...v });
  const fitsWith = (v: Partial<typeof chosen>) => highOf(v) <= limit;
  // work_mem is at its floor already; then maintenance_work_mem, then shared_buffers give way.
  if (!fits) {
    const maint = largestWhere(Math.min(PG_TUNE.maintenanceMin, chosen.maintenanceWorkMem), chosen.maintenanceWorkMem, (v) => fitsWith({ maintenanceWorkMem: v }));
    if (maint !== null) {
      chosen = { ...chosen, maintenanceWorkMem: maint };
      fits = true;
    } else {
      const lowMaint = Math.min(PG_TUNE.maintenanceMin, chosen.maintenanceWorkMem);
      const sb = largestWhere(Math.min(PG_TUNE.sharedBuffersMin, chosen.sharedBuffers), chosen.sharedBuffers, (v) => fitsWith({ maintenanceWorkMem: lowMaint, sharedBuffers: v }));
      if (sb !== null) {
        chosen = { ...chosen, maintenanceWorkMem: lowMaint, sharedBuffers: sb };
        fits = true;
      }
    }
  }
  const squeezed = chosen.sharedBuffers !== shares.sharedBuffers || chosen.maintenanceWorkMem !== shares.maintenanceWorkMem;
  const minLimit = fits && !squeezed ? null : postgresMinLimit(sized, traffic);
  const rec = pgSettingsFor(limit, p, { maxConnections: max.value, ...chosen });
  const recommendedHigh = round2(highOf({}));
  const engineHigh = highText(traffic, p.autovacuumMaxWorkers);
  const giveWay = (what: string, usual: number) => `${what}; lowered from ${pgSize(usual)} so that ${engineHigh} fits the ${sizeFormat(limit)} limit${minLimit === null ? '' : ` (${withArticle(sizeFormat(minLimit))} limit would keep ${pgSize(usual)})`}`;

  const explain: Record<keyof PgSettings, string> = {
    maxConnections: maxConnectionsText(recConnections, max),
    superuserReservedConnections: 'PostgreSQL default',
    sharedBuffers: chosen.sharedBuffers === shares.sharedBuffers ? `25% of the ${sizeFormat(limit)} limit` : giveWay(`${Math.round((chosen.sharedBuffers / limit) * 100)}% of the limit`, shares.sharedBuffers),
    effectiveCacheSize: `75% of the ${sizeFormat(limit)} limit (a planner hint: allocates nothing)`,
    workMem: workMemCapped
      ? `as planned: ${unknownClientsText(ctx.clients)} may run queries Headroom cannot count, so work_mem is not raised to the ${pgSize(shares.workMem)} the model alone would allow`
      : shaped.spikeRoom === null
      ? 'as planned: the model runs no query through this server (no app connections in the plan), so it sets no bound on work_mem'
      : shaped.spikeRoom < PG_TUNE.workMemMin
        ? `${pgSize(rec.workMem)}, the least Headroom advises: even at 1MB ${highText(spike.traffic, p.autovacuumMaxWorkers)} in the ×${spike.multiplier} spike is over the ${sizeFormat(limit)} limit`
        : `the largest that keeps ${highText(spike.traffic, p.autovacuumMaxWorkers)} in the ×${spike.multiplier} spike within the ${sizeFormat(limit)} limit` +
          (rec.workMem < shaped.spikeRoom ? `, capped at ${pgSize(rec.workMem)} so that ${engineHigh} fits the limit` : ''),
    hashMemMultiplier: 'PostgreSQL 15 default',
    maintenanceWorkMem: chosen.maintenanceWorkMem === shares.maintenanceWorkMem ? `limit/16 within [${PG_TUNE.maintenanceMin}MB, ${PG_TUNE.maintenanceMax}MB]` : giveWay(`at least ${PG_TUNE.maintenanceMin}MB`, shares.maintenanceWorkMem),
    autovacuumWorkMem: `limit/32 within [${PG_TUNE.autovacuumMin}MB, ${PG_TUNE.autovacuumMax}MB], at most maintenance_work_mem`,
    autovacuumMaxWorkers: 'as planned (PostgreSQL default 3)',
    maxParallelWorkersPerGather: 'as planned (PostgreSQL default 2)',
    walBuffers: 'shared_buffers/32 within [64kB, 16MB], as PostgreSQL picks for -1',
  };

  return {
    ...own,
    recommended: rec,
    recommendedBudget: pgBudget(sized, rec, spike, limit),
    recommendedHigh,
    fits,
    minLimit,
    connectionsFit: max.fits,
    peakBackends: max.peak,
    explain,
  };
}

/**
 * The tuning of a PostgreSQL without a memory limit: max_connections as usual, the memory settings
 * as planned. Headroom sizes them from the container's own budget; the host's RAM is shared with
 * every other service, so it is no budget for one of them.
 */
function postgresUnlimited(pg: ServiceOf<'postgres'>, own: PgPlanned, view: Plan, c: PgConnections, max: MaxConnections): PgTune {
  const p = pg.settings;
  const rec = pgSettingsFor(null, p, { maxConnections: max.value, sharedBuffers: p.sharedBuffers, maintenanceWorkMem: p.maintenanceWorkMem, workMem: p.workMem });
  const sized: ServiceOf<'postgres'> = { ...pg, settings: { ...p, maxConnections: max.value } };
  const viewSized = withService(view, pg.name, () => sized);
  const spike = { multiplier: view.workload.spike, traffic: trafficOf(viewSized, view.workload.spike) };
  const asPlanned = 'as planned: the service has no memory limit, and Headroom sizes PostgreSQL\'s memory from its own container\'s limit, never from the host\'s RAM (set a limit to tune it)';
  return {
    ...own,
    recommended: rec,
    recommendedBudget: pgBudget(sized, rec, spike, own.limit),
    recommendedHigh: round2(pgHigh(sized, trafficOf(viewSized, 1), {})),
    fits: true,
    minLimit: null,
    connectionsFit: max.fits,
    peakBackends: max.peak,
    explain: {
      maxConnections: maxConnectionsText(c, max),
      superuserReservedConnections: 'PostgreSQL default',
      sharedBuffers: asPlanned,
      effectiveCacheSize: 'PostgreSQL default (4GB): a planner hint, it allocates nothing; without a limit Headroom sets no share of it',
      workMem: asPlanned,
      hashMemMultiplier: 'PostgreSQL 15 default',
      maintenanceWorkMem: asPlanned,
      autovacuumWorkMem: 'maintenance_work_mem, as PostgreSQL does for -1',
      autovacuumMaxWorkers: 'as planned (PostgreSQL default 3)',
      maxParallelWorkersPerGather: 'as planned (PostgreSQL default 2)',
      walBuffers: 'shared_buffers/32 within [64kB, 16MB], as PostgreSQL picks for -1',
    },
  };
}

/** The model's high end in words: `the engine's high usage (45 backends × 12MB, 9 active queries × 6 work_mem nodes, autovacuum 3 × maintenance_work_mem)`. */
function highText(traffic: Traffic, autovacuumWorkers: number): string {
  const b = traffic.backends.high;
  const a = Math.min(traffic.activeQueries.high, b);
  return `the engine's high usage (${b} backends × ${sizeFormat(BACKEND_MIB.high)}, ${a} active queries × ${WORK_MEM_NODES.high} work_mem nodes, autovacuum ${autovacuumWorkers} × maintenance_work_mem)`;
}

function autovacuumFor(limit: number): number {
  return clamp(floorMiB(limit * PG_TUNE.autovacuumShare), PG_TUNE.autovacuumMin, PG_TUNE.autovacuumMax);
}


export function postgresUnfit(pg: ServiceOf<'postgres'>, t: PgTune): TuneUnfit[] {
  const out: TuneUnfit[] = [];
  if (!t.connectionsFit) {
    out.push({
      service: pg.name, kind: 'postgres', reason: 'connections', limitMiB: pg.limit, minLimitMiB: null,
      message: `${pg.name}: ${t.peakBackends} client connections at the peak need a max_connections over PostgreSQL's maximum of ${MAX_CONNECTIONS_MAX}: put pgBouncer in front or lower the app's pools`,
    });
  }
  if (!t.fits && pg.limit !== null) {
    const r = t.recommended;
    out.push({
      service: pg.name, kind: 'postgres', reason: 'limit', limitMiB: pg.limit, minLimitMiB: t.minLimit,
      message: `${pg.name}: its ${sizeFormat(pg.limit)} limit is too small for any settings: even with shared_buffers ${pgSize(Math.min(PG_TUNE.sharedBuffersMin, r.sharedBuffers))}, maintenance_work_mem ${pgSize(Math.min(PG_TUNE.maintenanceMin, r.maintenanceWorkMem))} and work_mem ${pgSize(PG_TUNE.workMemMin)} the engine's high usage is over it. Raise the limit to at least ${sizeFormat(t.minLimit ?? 0)}${t.connections.viaPgbouncer ? '' : ', or put pgBouncer in front to cap the backends'}`,
    });
  }
  return out;
}

/**
 * The plan with every recommended value applied: pgBouncer pools, Postgres sizes and connections,
 * Redis maxmemory. A pgBouncer that a feature toggle implies is tuned too, so it joins the plan's
 * services. Limits, workload and features stay as they are. Pure: returns a new plan, and lists

/** The service with the recommended sizes and connections applied. */
export function postgresApply(pg: ServiceOf<'postgres'>, t: PgTune): ServiceOf<'postgres'> {
  const r = t.recommended;
  return { ...pg, settings: { ...pg.settings, maxConnections: r.maxConnections, sharedBuffers: r.sharedBuffers, workMem: r.workMem, maintenanceWorkMem: r.maintenanceWorkMem } };
}
