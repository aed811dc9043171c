/** pgBouncer: a small single-threaded process in front of PostgreSQL, pools sized from the workload. */
import type { Plan, Service, ServiceOf } from '../schema.ts';
import type { Finding, Traffic, Usage } from '../report.ts';
import { count, oneOf, settingsObject, withDefault } from '../schema-blocks.ts';
import { component, usageOf } from '../usage.ts';
import { activeAtSpike, appConnections } from '../traffic.ts';
import { finding, servicesOf, type Rule } from '../findings/context.ts';
import { severityOf } from '../policy.ts';
import { OTHER_CONNECTIONS, POSTGRES_DEFAULTS, usableConnections } from './postgres/settings.ts';
import { field, type KindEngine } from './kind.ts';

export const PGBOUNCER_ENUMS = { poolMode: ['session', 'transaction', 'statement'] } as const;

export const PGBOUNCER_DEFAULTS = {
  poolMode: 'session', // pgbouncer.org config: pool_mode default session
  maxClientConn: 100, // pgbouncer.org config default
  defaultPoolSize: 20, // pgbouncer.org config default
  reservePoolSize: 0, // pgbouncer.org config default
  pools: 1, // assumed: one user/database pair, the app's
  maxPreparedStatements: 0, // pgbouncer default before 1.22 and in most images
} as const;

const settings = settingsObject({
  poolMode: withDefault(oneOf(PGBOUNCER_ENUMS.poolMode), PGBOUNCER_DEFAULTS.poolMode),
  maxClientConn: withDefault(count(1, 1_000_000), PGBOUNCER_DEFAULTS.maxClientConn),
  defaultPoolSize: withDefault(count(1, 100_000), PGBOUNCER_DEFAULTS.defaultPoolSize),
  reservePoolSize: withDefault(count(0, 100_000), PGBOUNCER_DEFAULTS.reservePoolSize),
  pools: withDefault(count(1, 10_000), PGBOUNCER_DEFAULTS.pools),
  maxPreparedStatements: withDefault(count(0, 100_000), PGBOUNCER_DEFAULTS.maxPreparedStatements),
});

// ---------------------------------------------------------------------------------------------
// The model

/** Process base: measured here 8.4 MiB RSS idle and at 10–100 clients (PgBouncer 1.18 with
 * libevent and OpenSSL, calibration/pgbouncer.json); 7 low, 12 high for TLS and caches. */
const BASE_MIB = { low: 7, typical: 8.4, high: 12 } as const;
/** Per connection: measured here 7.2 KiB per client at 1,000 clients (calibration/pgbouncer.json);
 * the docs' ~2 kB counts the packet buffer alone (pgbouncer.org features). */
const PER_CONN_MIB = 7 / 1024;
/** With max_prepared_statements > 0 a client may hold up to 4 × pkt_buf (pgbouncer.org config). */
const PREPARED_CLIENT_MIB = (4 * 4096) / 1048576;

export function pgbouncerUsage(s: ServiceOf<'pgbouncer'>, traffic: Traffic): Usage {
  const clients = Math.min(traffic.appConnections, s.settings.maxClientConn);
  const clientsLow = Math.min(clients, traffic.backends.low);
  const perClient = PER_CONN_MIB + (s.settings.maxPreparedStatements > 0 ? PREPARED_CLIENT_MIB : 0);
  const b = traffic.backends;
  return usageOf([
    component('base', BASE_MIB.low, BASE_MIB.typical, BASE_MIB.high),
    component('client connections', clientsLow * perClient, clients * perClient, s.settings.maxClientConn * perClient),
    component('server connections', b.low * PER_CONN_MIB, b.typical * PER_CONN_MIB, b.high * PER_CONN_MIB),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Tuning

export const PGBOUNCER_TUNE = {
  /** assumed: 1.5 × the spike's concurrent transactions, so a burst rarely waits for a server connection. */
  poolPerActive: 1.5,
  /** assumed: small pools below 5 starve on a single slow query. */
  poolMin: 5,
  /** assumed: a reserve of a quarter of the pool (at least 2) for bursts, used after reserve_pool_timeout. */
  reserveShare: 0.25,
  reserveMin: 2,
  /** assumed: 20% more client slots than the app can open, for admin tools and restarts that overlap. */
  clientMargin: 1.2,
  /** pgbouncer.org config: max_client_conn default 100; never advise fewer. */
  clientMin: 100,
} as const;

export type PgbouncerSettings = {
  poolMode: 'session' | 'transaction' | 'statement';
  maxClientConn: number;
  defaultPoolSize: number;
  reservePoolSize: number;
  /** The cap on server connections to the database: what saves Postgres memory (memory-model.md). */
  maxDbConnections: number;
};

export type PgbouncerTune = {
  planned: PgbouncerSettings;
  recommended: PgbouncerSettings;
  /** Server connections the app could hold through this pgBouncer as planned. */
  plannedServer: number;
  explain: Record<keyof PgbouncerSettings, string>;
};

/** Server connections pgBouncer opens to Postgres at most: pools × (pool + reserve). */
export function pgbouncerServerConnections(b: ServiceOf<'pgbouncer'>): number {
  return b.settings.pools * (b.settings.defaultPoolSize + b.settings.reservePoolSize);
}

/** The planned part: the plan's own pools, and the server connections they cap at what the first Postgres has room for. */
function pgbouncerPlanned(plan: Plan, b: ServiceOf<'pgbouncer'>): Pick<PgbouncerTune, 'planned' | 'plannedServer'> {
  const app = appConnections(plan);
  const active = activeAtSpike(plan);
  const pg = servicesOf(plan, 'postgres')[0];
  // Postgres slots pgBouncer may use: all but superuser-reserved, admin and exporter ones.
  const pgRoom = pg ? Math.max(1, usableConnections(pg.settings.maxConnections) - OTHER_CONNECTIONS.admin - OTHER_CONNECTIONS.exporter) : Infinity;
  const s = b.settings;
  const planned: PgbouncerSettings = {
    poolMode: s.poolMode,
    maxClientConn: s.maxClientConn,
    defaultPoolSize: s.defaultPoolSize,
    reservePoolSize: s.reservePoolSize,
    maxDbConnections: Math.max(1, Math.min(pgbouncerServerConnections(b), pgRoom)),
  };
  return { planned, plannedServer: planned.poolMode === 'session' ? Math.min(app, planned.maxDbConnections) : Math.min(active, planned.maxDbConnections) };
}

export function tunePgbouncer(plan: Plan, b: ServiceOf<'pgbouncer'>): PgbouncerTune {
  const app = appConnections(plan);
  const active = activeAtSpike(plan);
  const s = b.settings;
  // Per user/database pair: the app's transactions are spread over the plan's pools.
  // Never more server connections per pair than the app can open as clients (transaction mode
  // needs at most one per client); app 0 means no app in the plan: no cap.
  const perPairClients = app > 0 ? Math.max(1, Math.ceil(app / s.pools)) : Infinity;
  const pool = Math.min(perPairClients, Math.max(PGBOUNCER_TUNE.poolMin, Math.ceil((active * PGBOUNCER_TUNE.poolPerActive) / s.pools)));
  const reserve = Math.min(Math.max(0, perPairClients - pool), Math.max(PGBOUNCER_TUNE.reserveMin, Math.ceil(pool * PGBOUNCER_TUNE.reserveShare)));
  const recommended: PgbouncerSettings = {
    poolMode: 'transaction',
    maxClientConn: Math.max(PGBOUNCER_TUNE.clientMin, Math.ceil(app * PGBOUNCER_TUNE.clientMargin)),
    defaultPoolSize: pool,
    reservePoolSize: reserve,
    maxDbConnections: s.pools * (pool + reserve),
  };
  return {
    ...pgbouncerPlanned(plan, b),
    recommended,
    explain: {
      poolMode: 'transaction: a server connection returns to the pool at the end of each transaction (pgbouncer.org)',
      maxClientConn: `${app} app connections × ${PGBOUNCER_TUNE.clientMargin}, at least ${PGBOUNCER_TUNE.clientMin}`,
      defaultPoolSize: `${active} concurrent transactions at the spike × ${PGBOUNCER_TUNE.poolPerActive} / ${s.pools} pool(s), at least ${PGBOUNCER_TUNE.poolMin}, at most the app's connections`,
      reservePoolSize: `a quarter of the pool, at least ${PGBOUNCER_TUNE.reserveMin}`,
      maxDbConnections: `${s.pools} pool(s) × (pool + reserve): the cap that saves Postgres memory`,
    },
  };
}

/** The service with its recommended pools applied (max_db_connections is not a plan setting). */
export function pgbouncerApply(b: ServiceOf<'pgbouncer'>, t: PgbouncerTune): ServiceOf<'pgbouncer'> {
  const r = t.recommended;
  return { ...b, settings: { ...b.settings, poolMode: r.poolMode, maxClientConn: r.maxClientConn, defaultPoolSize: r.defaultPoolSize, reservePoolSize: r.reservePoolSize } };
}

/** The plan with every pgBouncer at its recommendation, one after the other. */
export function pgbouncersTuned(plan: Plan, keep: (before: Service, after: Service) => Service = (_b, a) => a): Plan {
  let out = plan;
  for (const b of servicesOf(plan, 'pgbouncer')) {
    const tuned = keep(b, pgbouncerApply(b, tunePgbouncer(out, b)));
    out = { ...out, services: out.services.map((s) => (s.name === b.name ? tuned : s)) };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Findings

const RESERVED = POSTGRES_DEFAULTS.superuserReservedConnections;

/** The app's connections against max_client_conn (the first pgBouncer, in front of the first Postgres). */
export const appOverMaxClientConn: Rule = ({ plan, normal }) => {
  const pg = servicesOf(plan, 'postgres')[0];
  const bouncer = servicesOf(plan, 'pgbouncer')[0];
  const app = normal.traffic.appConnections;
  if (!pg || !bouncer || app === 0) return [];
  const max = bouncer.settings.maxClientConn;
  if (app <= max) return [];
  const target = Math.ceil(app / 10) * 10;
  // Demand over a fixed capacity once the pools fill: certain, and clients are refused.
  return [finding('app-connections-exceed-max-client-conn', severityOf({ p: 1 }, 'outage'), bouncer.name,
    `The app can open ${app} connections (replicas × workers × (pool_size + max_overflow)) but pgBouncer accepts ${max} (max_client_conn): requests fail under load.`,
    `Set ${bouncer.name} max_client_conn to ${target} (costs ~2 kB each), or lower the app's pool_size/max_overflow.`,
    [{ service: bouncer.name, key: 'settings.maxClientConn', value: target }])];
};

/** Pools against PostgreSQL's max_connections, and session pooling. */
export const pgbouncerPools: Rule = ({ plan }) => {
  const pg = servicesOf(plan, 'postgres')[0];
  const out: Finding[] = [];
  for (const b of servicesOf(plan, 'pgbouncer')) {
    if (!pg) {
      out.push(finding('pgbouncer-without-postgres', severityOf({ p: 1 }, 'degraded'), b.name, `${b.name} has no PostgreSQL service to pool in this plan.`, `Add a postgres service or remove ${b.name}.`));
      continue;
    }
    const s = b.settings;
    const pools = pgbouncerServerConnections(b);
    const usable = usableConnections(pg.settings.maxConnections);
    if (pools > usable) {
      const target = Math.max(1, Math.floor(usable / s.pools) - s.reservePoolSize);
      out.push(finding('pgbouncer-pools-exceed-max-connections', severityOf({ p: 1 }, 'outage'), b.name,
        `pgBouncer's pools can open ${pools} server connections (${s.pools} × (default_pool_size ${s.defaultPoolSize} + reserve ${s.reservePoolSize})) but PostgreSQL allows ${usable} (max_connections ${pg.settings.maxConnections} − ${RESERVED} reserved).`,
        `Set ${b.name} default_pool_size to ${target}.`, [{ service: b.name, key: 'settings.defaultPoolSize', value: target }]));
    }
    if (s.poolMode === 'session') {
      out.push(finding('pgbouncer-session-mode', severityOf({ p: 1 }, 'advice'), b.name,
        `${b.name} runs in session mode: each client keeps its server connection, so it saves no PostgreSQL backends.`,
        `Set ${b.name} pool_mode to transaction (check the app does not rely on session state such as prepared statements).`,
        [{ service: b.name, key: 'settings.poolMode', value: 'transaction' }]));
    }
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// The kind

export const pgbouncer: KindEngine<'pgbouncer', typeof settings, PgbouncerTune> = {
  kind: 'pgbouncer',
  settings,
  enums: PGBOUNCER_ENUMS,
  usage: (s, ctx) => pgbouncerUsage(s, ctx.traffic),
  // the seed: "limits: 20M", POOL_MODE=transaction
  starter: { limit: '20MiB', settings: { poolMode: 'transaction' } },
  summary: ({ settings: st }) => `${st.poolMode} · pool ${st.defaultPoolSize} · max_client_conn ${st.maxClientConn}`,
  fields: [
    field.choice('poolMode', 'pool_mode'), field.count('maxClientConn', 'max_client_conn'), field.count('defaultPoolSize', 'default_pool_size'),
    field.count('reservePoolSize', 'reserve_pool_size'), field.count('pools', 'user/database pools'), field.count('maxPreparedStatements', 'max_prepared_statements'),
  ],
  findings: [appOverMaxClientConn, pgbouncerPools],
  connections: 'counted', // its server side: pools × (pool + reserve), traffic.ts
  tuning: {
    tune: tunePgbouncer,
    apply: pgbouncerApply,
    unfit: () => [],
    settle: (plan, b, t) => ({ ...t, ...pgbouncerPlanned(plan, b) }),
  },
};
