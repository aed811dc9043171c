/**
 * PostgreSQL in the formats: how compose shows it (images, `postgres -c` flags, Bitnami's
 * environment, a mounted postgresql.conf), the flags a compose edit writes, and the exported
 * service with its postgresql.conf. One parameter map (PG_PARAMETERS) serves all three.
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { sizeFormat, sizeToPlan } from '../../engine/units.ts';
import type { PgSettings, PgTune } from '../../engine/kinds/postgres/tune.ts';
import type { Kept } from '../../engine/tune.ts';
import { NETWORK_ONLY, reachOf, type Reach } from '../export/exposure.ts';
import { unknownClientsText, type Clients } from '../../engine/clients.ts';
import { BACKEND_MIB, WORK_MEM_NODES } from '../../engine/kinds/postgres/model.ts';
import { appDbOf, commentText, dockerSize, GENERATED_BY, pgSize } from '../export/common.ts';
import { postgresSizeParse } from '../compose-import/size.ts';
import { confEntries, shellSplit } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts, Stack } from './kind.ts';

/**
 * Every PostgreSQL parameter Headroom reads or writes, by its setting: the parameter's name and
 * what a bare number means (MiB per unit; null for a count or a plain number). `plan`: a setting
 * of the plan file, read from compose and written back by an edit, in this order; the others are
 * postgresql.conf's own (the tuner completes them).
 */
export const PG_PARAMETERS = {
  sharedBuffers: { name: 'shared_buffers', bare: 8 / 1024, plan: true }, // PG docs: shared_buffers is in 8 kB blocks
  workMem: { name: 'work_mem', bare: 1 / 1024, plan: true }, // PG docs: work_mem is in kB
  maintenanceWorkMem: { name: 'maintenance_work_mem', bare: 1 / 1024, plan: true }, // PG docs: kB
  maxConnections: { name: 'max_connections', bare: null, plan: true },
  autovacuumMaxWorkers: { name: 'autovacuum_max_workers', bare: null, plan: true },
  maxParallelWorkersPerGather: { name: 'max_parallel_workers_per_gather', bare: null, plan: true },
  superuserReservedConnections: { name: 'superuser_reserved_connections', bare: null, plan: false },
  effectiveCacheSize: { name: 'effective_cache_size', bare: 8 / 1024, plan: false }, // PG docs: 8 kB blocks
  hashMemMultiplier: { name: 'hash_mem_multiplier', bare: null, plan: false },
  autovacuumWorkMem: { name: 'autovacuum_work_mem', bare: 1 / 1024, plan: false }, // PG docs: kB
  walBuffers: { name: 'wal_buffers', bare: 8 / 1024, plan: false }, // PG docs: 8 kB blocks
} as const satisfies Record<keyof PgSettings, { name: string; bare: number | null; plan: boolean }>;

type PlanParameter = { [K in keyof typeof PG_PARAMETERS]: (typeof PG_PARAMETERS)[K]['plan'] extends true ? K : never }[keyof typeof PG_PARAMETERS];
const PLAN_PARAMETERS = (Object.keys(PG_PARAMETERS) as Array<keyof typeof PG_PARAMETERS>).filter((k): k is PlanParameter => PG_PARAMETERS[k].plan);
const BY_NAME = new Map<string, { key: PlanParameter; bare: number | null }>(PLAN_PARAMETERS.map((k) => [PG_PARAMETERS[k].name, { key: k, bare: PG_PARAMETERS[k].bare }]));

export const POSTGRES_IMAGE = 'postgres:15'; // memory-model.md measured PostgreSQL 15
export const POSTGRES_PORT = 5432; // the image's default
export const POSTGRES_CONF = { base: 'postgresql', ext: 'conf', mount: '/etc/postgresql/postgresql.conf' } as const;
/** The database password, as a compose secret from a file (the app, the database and its exporter read it). */
export const POSTGRES_PASSWORD = { name: 'postgres_password', file: './secrets/postgres_password' } as const;

// ---------------------------------------------------------------------------------------------
// Compose import

function postgresRead(f: ServiceFacts, r: Recognised, repo: string): void {
  const params = new Map<string, { value: string; from: string }>();
  const configFile = postgresFlags(f.command, params, 'command');
  // Bitnami's image passes POSTGRESQL_EXTRA_FLAGS to postgres and reads POSTGRESQL_MAX_CONNECTIONS (bitnami/postgresql README).
  const extra = f.environment.POSTGRESQL_EXTRA_FLAGS;
  if (extra) postgresFlags(shellSplit(extra), params, 'POSTGRESQL_EXTRA_FLAGS');
  const bitnamiMax = f.environment.POSTGRESQL_MAX_CONNECTIONS;
  if (bitnamiMax && !params.has('max_connections')) params.set('max_connections', { value: bitnamiMax, from: 'environment POSTGRESQL_MAX_CONNECTIONS' });
  if (configFile) {
    const text = f.mounted[configFile];
    if (text === undefined) r.warnings.push(`postgres reads ${configFile}, whose text was not given: its settings are not imported`);
    else {
      for (const [name, value] of confEntries(text, '=')) if (!params.has(name)) params.set(name, { value, from: configFile });
    }
  }
  for (const [name, { value, from }] of params) {
    const p = BY_NAME.get(name);
    if (!p) continue;
    if (p.bare === null) {
      const n = Number(value);
      if (Number.isInteger(n) && n >= 0) {
        r.settings[p.key] = n;
        r.read.push(`${p.key} ${n} from ${from} ${name}=${value}`);
      } else r.warnings.push(`${name}=${value} (${from}) is not a whole number: ignored`);
    } else {
      const size = postgresSizeParse(value, p.bare);
      if (size.ok) {
        r.settings[p.key] = sizeToPlan(size.value);
        r.read.push(`${p.key} ${sizeToPlan(size.value)} from ${from} ${name}=${value}`);
      } else r.warnings.push(`${name} (${from}): ${size.error}: ignored`);
    }
  }
  // The role and database the image creates, for the runbook's commands (official image:
  // POSTGRES_USER, default postgres, and POSTGRES_DB, default the user; Bitnami: POSTGRESQL_USERNAME
  // and POSTGRESQL_DATABASE, default postgres; docker-library/postgres and bitnami/postgresql READMEs).
  const env = f.environment;
  const user = env.POSTGRES_USER || env.POSTGRESQL_USERNAME || env.POSTGRESQL_USER || 'postgres';
  const database = env.POSTGRES_DB || env.POSTGRESQL_DATABASE || (env.POSTGRESQL_USERNAME ? 'postgres' : user);
  if (user.length <= 63 && database.length <= 63) {
    r.settings.user = user;
    r.settings.database = database;
    r.read.push(`user ${user} and database ${database} from ${env.POSTGRES_USER || env.POSTGRESQL_USERNAME || env.POSTGRESQL_USER ? 'environment' : 'the image\'s default'}`);
  }
  const timescale = /(^|\/)timescaledb(-ha|-postgis)?$/.test(repo);
  const workers = params.get('timescaledb.max_background_workers');
  if (timescale || workers) {
    // TimescaleDB's jobs (compression, retention, continuous aggregates) run in background workers, up to
    // timescaledb.max_background_workers (default 16, TimescaleDB docs "Configuration"), each a backend: modelled (postgres/model.ts).
    const n = workers ? Number(workers.value) : 16;
    if (Number.isInteger(n) && n >= 0) {
      r.settings.backgroundWorkers = n;
      r.read.push(workers ? `backgroundWorkers ${n} from ${workers.from} timescaledb.max_background_workers=${workers.value}` : "backgroundWorkers 16: TimescaleDB's timescaledb.max_background_workers default (TimescaleDB docs, Configuration), each a backend running a job");
    } else r.warnings.push(`timescaledb.max_background_workers=${workers!.value} (${workers!.from}) is not a whole number: ignored`);
  }
  if (/timescale\/timescaledb(-postgis)?$/.test(repo) && !params.has('shared_buffers')) {
    // The timescale/timescaledb image's init script runs timescaledb-tune (its README: TS_TUNE_MEMORY, NO_TS_TUNE).
    r.warnings.push('the timescale/timescaledb image runs timescaledb-tune at first start: its shared_buffers follow the memory it sees, not the defaults planned here; set them with -c flags to plan them');
  }
}

/** Reads `-c name=value`, `-cname=value` and `--name=value`; returns a config_file if set. */
function postgresFlags(words: string[], params: Map<string, { value: string; from: string }>, from: string): string | null {
  let configFile: string | null = null;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    let pair: string | undefined;
    if (w === '-c') pair = words[++i];
    else if (w.startsWith('-c') && w.includes('=')) pair = w.slice(2);
    else if (w.startsWith('--') && w.includes('=')) pair = w.slice(2);
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    // PostgreSQL accepts dashes for underscores in --name=value (postgres docs, "Command-line options").
    const name = pair.slice(0, eq).replace(/-/g, '_').toLowerCase();
    const value = pair.slice(eq + 1);
    if (name === 'config_file') configFile = value;
    else params.set(name, { value, from: `${from} -c` });
  }
  return configFile;
}

// ---------------------------------------------------------------------------------------------
// postgresql.conf

/** One line of the file: a setting, its value in PostgreSQL's notation, and its comment. */
export type PgLine = { name: string; value: string; comment: string[] };

/**
 * The settings written for this service from its tuning, in order (the real-tool test compares
 * each with SHOW). A setting the tuning rule keeps (`kept`, engine/tune.ts) says so and why,
 * instead of a recommendation a tuned export would not write.
 */
export function postgresLines(t: PgTune, kept: readonly Kept[] = [], clients: Clients = { known: true, unknown: [] }, reach: Reach = NETWORK_ONLY): PgLine[] {
  const p = t.planned;
  const r = t.recommended;
  const differs = (k: keyof PgSettings, show: (v: number) => string): string[] => {
    const held = kept.find((x) => x.key === k);
    if (held) return [`${held.text}.`];
    return p[k] !== r[k] ? [`Headroom recommends ${show(r[k])} here: ${t.explain[k]}.`] : [];
  };
  const size = (k: keyof PgSettings): PgLine => ({ name: PG_PARAMETERS[k].name, value: pgSize(p[k]), comment: differs(k, pgSize) });
  const count = (k: keyof PgSettings): PgLine => ({ name: PG_PARAMETERS[k].name, value: String(p[k]), comment: [] });
  const c = t.connections;
  return [
    {
      name: 'listen_addresses',
      value: reach.loopbackOnly ? "'localhost'" : "'*'",
      comment: [
        `How it is reached: ${reach.text}.`,
        reach.outside
          ? 'WARNING: its password (the POSTGRES_PASSWORD the image sets up; the official image accepts it from every address) is all that protects it: make it long and random, or publish the port on 127.0.0.1 only.'
          : reach.where === 'loopback' ? 'Every process on this host can reach it; the password protects it.' : 'Only the stack\'s own services reach it.',
      ],
    },
    {
      ...count('maxConnections'),
      comment: [
        `The app can open ${c.app} connections${c.viaPgbouncer ? `, through pgBouncer (which opens at most its pool to this server)` : ''}.`,
        ...(clients.known ? [] : [`${unknownClientsText(clients)} may open more: Headroom cannot count them.`]),
        ...differs('maxConnections', String),
      ],
    },
    count('superuserReservedConnections'),
    {
      ...size('sharedBuffers'),
      comment: [
        t.limitFromHost ? 'As planned: no memory limit to size it from.' : `${Math.round((p.sharedBuffers / t.limit) * 100)}% of the ${sizeFormat(t.limit)} limit (PG docs: ~25% is the usual start, over 40% rarely helps).`,
        ...differs('sharedBuffers', pgSize),
      ],
    },
    { ...size('effectiveCacheSize'), comment: [t.limitFromHost ? "A planner hint: it allocates nothing. PostgreSQL's default: without a limit Headroom sets no share of it." : 'A planner hint: it allocates nothing. 75% of the limit, since the page cache counts in the container.'] },
    { ...size('workMem'), comment: [`Per sort or hash node, several per query: the budget above counts ${WORK_MEM_NODES.high} nodes (3 x hash_mem_multiplier) per active query.`, ...differs('workMem', pgSize)] },
    { ...count('hashMemMultiplier'), value: p.hashMemMultiplier.toFixed(1), comment: ['PostgreSQL 15 default, written so that the budget above is explicit.'] },
    size('maintenanceWorkMem'),
    { ...size('autovacuumWorkMem'), comment: [`Each of autovacuum_max_workers may use this much: ${p.autovacuumMaxWorkers} × ${pgSize(p.autovacuumWorkMem)} in the budget.`] },
    count('autovacuumMaxWorkers'),
    count('maxParallelWorkersPerGather'),
    { ...size('walBuffers'), comment: ['shared_buffers/32 within [64kB, 16MB]: what -1 picks, written out.'] },
  ];
}

/** postgresql.conf for one service, from its tuning (the export's, computed once) and what the tuning rule kept. */
export function postgresqlConf(stack: Stack, pg: ServiceOf<'postgres'>, t: PgTune, kept: readonly Kept[] = []): string {
  const lines = postgresLines(t, kept, stack.clients, reachOf(stack, pg));
  const b = t.plannedBudget;
  const pad = (s: string) => s.padStart(9);
  const header = [
    `postgresql.conf for the service "${pg.name}". ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`,
    `Mounted at ${POSTGRES_CONF.mount}; the compose file starts postgres -c config_file=${POSTGRES_CONF.mount}.`,
    '',
    ...(stack.clients.known ? [] : [`Clients Headroom cannot count may connect (${unknownClientsText(stack.clients)}): max_connections and the memory settings are never set below PostgreSQL's defaults, work_mem is not raised, and the budget below counts only the connections Headroom knows.`, '']),
    ...(t.limitFromHost
      ? [
        `This service has no memory limit, so Headroom did not size its memory settings: it sizes them from the container's own limit, never from the host's RAM, which every service shares. Set a limit (headroom check proposes one) to tune them.`,
        `For reference, the budget below measures these settings against the host's ${sizeFormat(t.limit)} of RAM:`,
      ]
      : [`How these settings spend the ${sizeFormat(t.limit)} container limit in the plan's ×${b.multiplier} spike, at the high end of Headroom's model (the one its findings read):`]),
    ...b.parts.map((part) => `${pad(sizeFormat(part.MiB))}  ${part.name}${part.note ? ` (${part.note})` : ''}`),
    `${pad(sizeFormat(b.free))}  ${b.fits ? 'left over' : 'OVER THE LIMIT: lower work_mem or max_connections, or add pgBouncer (see `headroom check`)'}`,
    `In normal traffic, at its high end (${sizeFormat(BACKEND_MIB.high)} per backend, work_mem × ${WORK_MEM_NODES.high} nodes per active query, every autovacuum worker at maintenance_work_mem) Headroom's model puts this server at ${sizeFormat(t.plannedHigh)}: ${t.plannedHigh <= t.limit ? 'within' : 'OVER'} the limit.`,
  ];
  const out: string[] = header.map((l) => (l ? `# ${commentText(l)}` : '#'));
  for (const line of lines) {
    out.push('');
    for (const c of line.comment) out.push(`# ${commentText(c)}`);
    out.push(`${line.name} = ${line.value}`);
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// The kind

export const postgres: KindFormat<'postgres'> = {
  kind: 'postgres',
  recognise: {
    // Matched against the image's repository without registry, tag or digest (`library/` dropped).
    images: [
      { re: /^(?:[^/]+\/)*(?:postgres|postgresql|postgresql-repmgr|postgis|pgvector|pgvecto-rs|citus|paradedb|crunchy-postgres(?:-gis)?)$/, label: 'PostgreSQL' },
      // Images that run the official image's postgres under another name, its settings read as for it:
      // zulip/zulip-postgresql (docker-zulip README: PostgreSQL with the dictionaries Zulip's full-text search needs),
      // pgautoupgrade/pgautoupgrade (its README: the official postgres image that runs pg_upgrade at start when needed),
      // getlago/postgres-partman (Lago's compose: PostgreSQL with the pg_partman extension). Same server, same model.
      { re: /^(?:[^/]+\/)*(?:zulip-postgresql|pgautoupgrade|postgres-partman)$/, label: 'PostgreSQL (the official image under another name)' },
      { re: /^(?:[^/]+\/)*timescaledb(?:-ha|-postgis)?$/, label: 'PostgreSQL with TimescaleDB' },
    ],
    command: (command, words) => {
      const pg = words.findIndex((w, k) => /^(postgres|postmaster)$/.test(w) && (words[k + 1] === '-c' || (words[k + 1] ?? '').startsWith('--')));
      return pg < 0 ? null : `command runs postgres with settings ("${command.slice(pg, pg + 3).join(' ')}${command.length > pg + 3 ? ' …' : ''}")`;
    },
    read: postgresRead,
  },
  edit: {
    syntax: 'dash-c',
    flags: (s, old, { changed }) => {
      const flags: Array<[string, string[]]> = [];
      for (const key of PLAN_PARAMETERS) {
        const { name, bare } = PG_PARAMETERS[key];
        const now = s.settings[key];
        if (changed(now, old.settings[key])) flags.push([name, [bare === null ? String(now) : pgSize(now)]]);
      }
      return flags;
    },
    defaultCommand: (image) => (/^(docker\.io\/)?(library\/)?postgres(:|@|$)/.test(image) ? 'postgres' : null),
  },
  oomScoreAdj: 0, // last to be killed: PG docs (kernel-resources) advise protecting the postmaster; 0, not negative (kinds/kind.ts)
  port: POSTGRES_PORT,
  addImage: () => POSTGRES_IMAGE,
  configs: { conf: POSTGRES_CONF },
  compose: ({ stack, service: s, svc, note, volume, secret, healthcheck }) => {
    const conf = stack.configPath(s, 'conf');
    svc.image = POSTGRES_IMAGE;
    svc.container_name = s.name;
    svc.command = ['postgres', '-c', `config_file=${POSTGRES_CONF.mount}`];
    const db = appDbOf(s);
    svc.environment = {
      POSTGRES_USER: db.user,
      POSTGRES_DB: db.database,
      POSTGRES_PASSWORD_FILE: `/run/secrets/${secret(POSTGRES_PASSWORD)}`,
    };
    svc.secrets = [POSTGRES_PASSWORD.name];
    svc.volumes = [volume('/var/lib/postgresql/data'), `./${conf}:${POSTGRES_CONF.mount}:ro`];
    // memory-model.md: Docker's /dev/shm is 64MB; parallel queries need more (docker-library/postgres#416).
    svc.shm_size = dockerSize(s.settings.shmSize);
    svc.healthcheck = healthcheck(['CMD', 'pg_isready', '-U', db.user, '-d', db.database]);
    svc.stop_grace_period = '1m';
    note.push(`Settings in ${conf}; shm_size for parallel queries' dynamic shared memory.`);
  },
  files: (stack, services, tunings) => services.map((pg) => ({
    path: stack.configPath(pg, 'conf'),
    content: postgresqlConf(stack, pg, tunings.of(pg), tunings.kept(pg)),
    description: `PostgreSQL settings for ${pg.name}, sized to its limit and connections`,
  })),
};
