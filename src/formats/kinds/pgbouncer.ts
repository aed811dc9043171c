/**
 * pgBouncer in the formats: how compose shows it (its image, a mounted pgbouncer.ini, the
 * environment edoburu/pgbouncer and bitnami/pgbouncer read), what a compose edit adds for it,
 * and the exported service with its pgbouncer.ini and userlist.txt template. One parameter map
 * (PGBOUNCER_PARAMETERS) serves all three.
 *
 * PgBouncer's ini has no escaping at the line level: a value runs to the end of its line, and
 * `;`/`#` start a comment only at the start of one. Inside a connection string a value may be
 * single-quoted with '' for a quote (pgbouncer.org config, [databases]). So the upstream host is
 * quoted that way, and a name with a line break or control character is refused.
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { appConnections } from '../../engine/traffic.ts';
import { PGBOUNCER_ENUMS, type PgbouncerSettings, type PgbouncerTune } from '../../engine/kinds/pgbouncer.ts';
import type { Kept } from '../../engine/tune.ts';
import { NETWORK_ONLY, reachOf, type Reach } from '../export/exposure.ts';
import { appDbOf, commentText, ExportError, GENERATED_BY, hasControl, shellQuote } from '../export/common.ts';
import { confEntries } from '../compose-import/words.ts';
import { POSTGRES_PORT } from './postgres.ts';
import type { KindFormat, Recognised, ServiceFacts, Stack } from './kind.ts';

/**
 * Every pgbouncer.ini parameter Headroom reads or writes, by its setting. `plan`: a setting of
 * the plan file, read from compose (the ini, or the images' environment: the name upper-cased,
 * bare or with PGBOUNCER_), in this order; max_db_connections is the tuner's own.
 */
export const PGBOUNCER_PARAMETERS = {
  poolMode: { name: 'pool_mode', plan: true },
  maxClientConn: { name: 'max_client_conn', plan: true },
  defaultPoolSize: { name: 'default_pool_size', plan: true },
  reservePoolSize: { name: 'reserve_pool_size', plan: true },
  maxPreparedStatements: { name: 'max_prepared_statements', plan: true },
  maxDbConnections: { name: 'max_db_connections', plan: false },
} as const satisfies Record<keyof PgbouncerSettings | 'maxPreparedStatements', { name: string; plan: boolean }>;

type Param = keyof typeof PGBOUNCER_PARAMETERS;
const name = (k: Param) => PGBOUNCER_PARAMETERS[k].name;
const READ = (Object.keys(PGBOUNCER_PARAMETERS) as Param[]).filter((k) => PGBOUNCER_PARAMETERS[k].plan);
const MODES: readonly string[] = PGBOUNCER_ENUMS.poolMode;

export const PGBOUNCER_IMAGE = 'edoburu/pgbouncer:v1.25.2-p0';
export const PGBOUNCER_PORT = 6432; // pgBouncer's default listen_port
export const PGBOUNCER_INI = { base: 'pgbouncer', ext: 'ini', mount: '/etc/pgbouncer/pgbouncer.ini' } as const;
export const PGBOUNCER_USERLIST = { base: 'userlist', ext: 'txt', mount: '/etc/pgbouncer/userlist.txt' } as const;

// ---------------------------------------------------------------------------------------------
// Compose import

function pgbouncerRead(f: ServiceFacts, r: Recognised): void {
  const found = new Map<string, { value: string; from: string }>();
  const ini = Object.entries(f.mounted).find(([path]) => /pgbouncer\.ini$/.test(path));
  if (ini) for (const [key, value] of confEntries(ini[1], '=')) found.set(key, { value, from: ini[0] });
  // edoburu/pgbouncer reads POOL_MODE, MAX_CLIENT_CONN…; bitnami/pgbouncer the same with PGBOUNCER_ (their READMEs).
  for (const k of READ) {
    for (const env of [name(k).toUpperCase(), `PGBOUNCER_${name(k).toUpperCase()}`]) {
      const v = f.environment[env];
      if (v !== undefined && v !== '') found.set(name(k), { value: v, from: `environment ${env}` });
    }
  }
  const byName = new Map<string, Param>(READ.map((k) => [name(k), k]));
  for (const [param, { value, from }] of found) {
    const key = byName.get(param);
    if (!key) continue;
    if (key === 'poolMode') {
      const mode = value.toLowerCase();
      if (MODES.includes(mode)) {
        r.settings[key] = mode;
        r.read.push(`${key} ${mode} from ${from}`);
      } else r.warnings.push(`pool_mode "${value}" (${from}) is not session, transaction or statement: ignored`);
    } else {
      const n = Number(value);
      if (Number.isInteger(n) && n >= 0) {
        r.settings[key] = n;
        r.read.push(`${key} ${n} from ${from}`);
      } else r.warnings.push(`${param}=${value} (${from}) is not a whole number: ignored`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// pgbouncer.ini and userlist.txt

/** A database name as a [databases] key: bare when plain, else double-quoted (pgBouncer docs); one with `"` or a line break is refused. */
function iniKey(s: string): string {
  if (hasControl(s) || s.includes('"')) throw new ExportError(`cannot write the database name ${JSON.stringify(s)} into pgbouncer.ini: it has a quote, line break or control character`);
  return /^[A-Za-z0-9_.-]+$/.test(s) ? s : `"${s}"`;
}

/** A role name in a list setting (stats_users): only plain names, since the list is split on commas and spaces. */
function iniValue(s: string): string {
  if (!/^[A-Za-z0-9_.$-]+$/.test(s)) throw new ExportError(`cannot write the role ${JSON.stringify(s)} into pgbouncer.ini's stats_users: expected letters, digits, "_", ".", "$" or "-"`);
  return s;
}

/** A value inside a pgBouncer connection string: bare when plain, else single-quoted. */
export function connstringValue(s: string): string {
  if (hasControl(s)) throw new ExportError(`cannot write ${JSON.stringify(s)} into pgbouncer.ini: it has a line break or control character`);
  return /^[A-Za-z0-9_.-]+$/.test(s) ? s : `'${s.replace(/'/g, "''")}'`;
}

/** The [pgbouncer] settings written, from the planned part of its tuning (the real-tool test compares each with SHOW CONFIG). */
export function pgbouncerSettings(b: ServiceOf<'pgbouncer'>, tune: PgbouncerTune, reach: Reach = NETWORK_ONLY, pg?: ServiceOf<'postgres'>): Record<string, string> {
  const t = tune.planned;
  const out: Record<string, string> = {
    listen_addr: reach.loopbackOnly ? '127.0.0.1' : '0.0.0.0',
    listen_port: String(PGBOUNCER_PORT),
    auth_type: 'scram-sha-256',
    auth_file: PGBOUNCER_USERLIST.mount,
    // Read-only SHOW commands for the app's role (monitoring); no admin role: PAUSE/SHUTDOWN stay off.
    stats_users: iniValue(appDbOf(pg).user),
    [name('poolMode')]: t.poolMode,
    [name('maxClientConn')]: String(t.maxClientConn),
    [name('defaultPoolSize')]: String(t.defaultPoolSize),
    [name('reservePoolSize')]: String(t.reservePoolSize),
    [name('maxDbConnections')]: String(t.maxDbConnections),
    // asyncpg and JDBC send this startup parameter; pgBouncer refuses unknown ones otherwise.
    ignore_startup_parameters: 'extra_float_digits',
  };
  if (b.settings.maxPreparedStatements > 0) out[name('maxPreparedStatements')] = String(b.settings.maxPreparedStatements);
  return out;
}

/** pgbouncer.ini for one service, from its tuning (the export's, computed once) and what the tuning rule kept. */
export function pgbouncerIni(stack: Stack, b: ServiceOf<'pgbouncer'>, t: PgbouncerTune, kept: readonly Kept[] = []): string {
  const pg = stack.postgres[0];
  const reach = reachOf(stack, b);
  const settings = pgbouncerSettings(b, t, reach, pg);
  const lines: string[] = [];
  const comment = (s: string) => lines.push(s ? `; ${commentText(s)}` : ';');
  comment(`pgbouncer.ini for the service "${b.name}". ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`);
  comment(`Mounted at ${PGBOUNCER_INI.mount}. Fill in userlist.txt before the first start.`);
  lines.push('', '[databases]');
  if (pg) {
    comment(`The app's database on the service "${pg.name}".`);
    const db = appDbOf(pg);
    lines.push(`${iniKey(db.database)} = host=${connstringValue(pg.name)} port=${POSTGRES_PORT} dbname=${connstringValue(db.database)}`);
  } else {
    comment('The plan has no Postgres service: add the upstream database here.');
  }
  lines.push('', '[pgbouncer]');
  const notes: Record<string, string[]> = {
    [name('poolMode')]: [
      t.planned.poolMode === 'session'
        ? 'Session mode: each client holds a server connection for its whole session, so pgBouncer saves no Postgres memory. Transaction mode does.'
        : `${t.planned.poolMode} mode: a server connection goes back to the pool after each ${t.planned.poolMode}. The app must not rely on session state (asyncpg: statement_cache_size=0 unless max_prepared_statements is set).`,
    ],
    listen_addr: [
      `How it is reached: ${reach.text}.`,
      ...(reach.outside ? ['WARNING: the user list\'s passwords (scram-sha-256) are all that protect it: make them long and random, or publish the port on 127.0.0.1 only.'] : []),
    ],
    [name('maxClientConn')]: [`The app can open ${appConnections(stack.plan)} connections.`],
    [name('maxDbConnections')]: ['The cap on server connections to the database: the number that saves Postgres memory (memory-model.md).'],
    [name('maxPreparedStatements')]: ['Needs PgBouncer 1.21 or later.'],
  };
  for (const k of ['defaultPoolSize', 'reservePoolSize', 'maxClientConn', 'maxDbConnections', 'poolMode'] as const) {
    const held = kept.find((x) => x.key === k);
    if (held) (notes[name(k)] ??= []).push(`${held.text}.`);
    else if (t.planned[k] !== t.recommended[k]) (notes[name(k)] ??= []).push(`Headroom recommends ${t.recommended[k]}: ${t.explain[k]}.`);
  }
  for (const [key, value] of Object.entries(settings)) {
    for (const n of notes[key] ?? []) comment(n);
    lines.push(`${key} = ${value}`);
  }
  return lines.join('\n') + '\n';
}

/** A userlist.txt that fails closed: no user can log in until the operator fills in the hash. */
export function userlistTemplate(stack: Stack, b: ServiceOf<'pgbouncer'>): string {
  const pg = stack.postgres[0];
  const db = appDbOf(pg);
  const sql = `SELECT concat('"', rolname, '" "', rolpassword, '"') FROM pg_authid WHERE rolname = '${db.user.replace(/'/g, "''")}'`;
  return [
    `; userlist.txt for the pgBouncer service "${commentText(b.name)}": one line per role, "name" "password-hash".`,
    '; Copy the SCRAM hash PostgreSQL stores, after the first start of the database, with:',
    `;   ${commentText(`docker compose exec ${pg ? shellQuote(pg.name) : 'POSTGRES'} psql -U ${shellQuote(db.user)} -d ${shellQuote(db.database)} -Atc ${shellQuote(sql)}`)}`,
    '; and replace the line below with its output. Keep this file out of version control.',
    `;"${commentText(db.user.replace(/"/g, '""'))}" "SCRAM-SHA-256$4096:..."`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The kind

export const pgbouncer: KindFormat<'pgbouncer'> = {
  kind: 'pgbouncer',
  recognise: {
    images: [{ re: /^(?:[^/]+\/)*pgbouncer$/, label: 'pgBouncer' }],
    command: (_command, words) => (words.includes('pgbouncer') ? 'command runs pgbouncer' : null),
    read: pgbouncerRead,
  },
  oomScoreAdj: 100, // non-negative: kinds/kind.ts
  port: PGBOUNCER_PORT,
  addImage: () => PGBOUNCER_IMAGE,
  added: (s, all) => {
    const pg = all.find((x) => x.kind === 'postgres');
    // edoburu/pgbouncer writes pgbouncer.ini from these variables (its README): the parameter names upper-cased.
    const env = (k: Param, v: string | number) => [name(k).toUpperCase(), String(v)] as const;
    return {
      def: {
        environment: Object.fromEntries([
          ...(pg ? [['DB_HOST', pg.name] as const] : []),
          env('poolMode', s.settings.poolMode),
          env('maxClientConn', s.settings.maxClientConn),
          env('defaultPoolSize', s.settings.defaultPoolSize),
          ...(s.settings.reservePoolSize ? [env('reservePoolSize', s.settings.reservePoolSize)] : []),
        ]),
        ...(pg ? { depends_on: [pg.name] } : {}),
      },
      comments: ['Set DB_USER and DB_PASSWORD (or DATABASE_URL) as the app has them, and point the app at this service instead of the database.'],
    };
  },
  configs: { ini: PGBOUNCER_INI, userlist: PGBOUNCER_USERLIST },
  compose: ({ stack, service: s, svc, note, healthy, healthcheck }) => {
    const ini = stack.configPath(s, 'ini');
    const userlist = stack.configPath(s, 'userlist');
    svc.image = PGBOUNCER_IMAGE;
    svc.container_name = s.name;
    svc.volumes = [`./${ini}:${PGBOUNCER_INI.mount}:ro`, `./${userlist}:${PGBOUNCER_USERLIST.mount}:ro`];
    const pg = stack.postgres[0];
    if (pg) svc.depends_on = healthy([pg.name]);
    svc.healthcheck = healthcheck(['CMD', 'pg_isready', '-h', '127.0.0.1', '-p', String(PGBOUNCER_PORT)]);
    note.push(`Pools in ${ini}; fill in ${userlist} first.`);
  },
  files: (stack, services, tunings) => services.flatMap((b) => [
    { path: stack.configPath(b, 'ini'), content: pgbouncerIni(stack, b, tunings.of(b), tunings.kept(b)), description: `pgBouncer settings for ${b.name}: pool mode and sizes` },
    { path: stack.configPath(b, 'userlist'), content: userlistTemplate(stack, b), description: `pgBouncer user list template for ${b.name}: fill in the password hash` },
  ]),
};
