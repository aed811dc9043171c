/**
 * pgbouncer.ini and its userlist.txt template for one pgBouncer service.
 *
 * PgBouncer's ini has no escaping at the line level: a value runs to the end of its line, and
 * `;`/`#` start a comment only at the start of one. Inside a connection string a value may be
 * single-quoted with '' for a quote (pgbouncer.org config, [databases]). So the upstream host is
 * quoted that way, and a name with a line break or control character is refused.
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { tunePgbouncer } from '../../engine/kinds/pgbouncer.ts';
import { commentText, ExportError, GENERATED_BY, hasControl, shellQuote } from './common.ts';
import { APP_DB, MOUNTS, PORTS, type Stack } from './stack.ts';

/** A value inside a pgBouncer connection string: bare when plain, else single-quoted. */
export function connstringValue(s: string): string {
  if (hasControl(s)) throw new ExportError(`cannot write ${JSON.stringify(s)} into pgbouncer.ini: it has a line break or control character`);
  return /^[A-Za-z0-9_.-]+$/.test(s) ? s : `'${s.replace(/'/g, "''")}'`;
}

/** The [pgbouncer] settings written (the real-tool test compares each with SHOW CONFIG). */
export function pgbouncerSettings(stack: Stack, b: ServiceOf<'pgbouncer'>): Record<string, string> {
  const t = tunePgbouncer(stack.plan, b).planned;
  const out: Record<string, string> = {
    listen_addr: '0.0.0.0',
    listen_port: String(PORTS.pgbouncer),
    auth_type: 'scram-sha-256',
    auth_file: MOUNTS.pgbouncerUserlist,
    // Read-only SHOW commands for the app's role (monitoring); no admin role: PAUSE/SHUTDOWN stay off.
    stats_users: APP_DB.user,
    pool_mode: t.poolMode,
    max_client_conn: String(t.maxClientConn),
    default_pool_size: String(t.defaultPoolSize),
    reserve_pool_size: String(t.reservePoolSize),
    max_db_connections: String(t.maxDbConnections),
    // asyncpg and JDBC send this startup parameter; pgBouncer refuses unknown ones otherwise.
    ignore_startup_parameters: 'extra_float_digits',
  };
  if (b.settings.maxPreparedStatements > 0) out.max_prepared_statements = String(b.settings.maxPreparedStatements);
  return out;
}

export function pgbouncerIni(stack: Stack, b: ServiceOf<'pgbouncer'>): string {
  const pg = stack.postgres[0];
  const t = tunePgbouncer(stack.plan, b);
  const settings = pgbouncerSettings(stack, b);
  const lines: string[] = [];
  const comment = (s: string) => lines.push(s ? `; ${commentText(s)}` : ';');
  comment(`pgbouncer.ini for the service "${b.name}". ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`);
  comment(`Mounted at ${MOUNTS.pgbouncerIni}. Fill in userlist.txt before the first start.`);
  lines.push('', '[databases]');
  if (pg) {
    comment(`The app's database on the service "${pg.name}".`);
    lines.push(`${APP_DB.database} = host=${connstringValue(pg.name)} port=${PORTS.postgres} dbname=${APP_DB.database}`);
  } else {
    comment('The plan has no Postgres service: add the upstream database here.');
  }
  lines.push('', '[pgbouncer]');
  const notes: Record<string, string[]> = {
    pool_mode: [
      t.planned.poolMode === 'session'
        ? 'Session mode: each client holds a server connection for its whole session, so pgBouncer saves no Postgres memory. Transaction mode does.'
        : `${t.planned.poolMode} mode: a server connection goes back to the pool after each ${t.planned.poolMode}. The app must not rely on session state (asyncpg: statement_cache_size=0 unless max_prepared_statements is set).`,
    ],
    max_client_conn: [`The app can open ${appConnections(stack)} connections.`],
    max_db_connections: ['The cap on server connections to the database: the number that saves Postgres memory (memory-model.md).'],
    max_prepared_statements: ['Needs PgBouncer 1.21 or later.'],
  };
  for (const [k, label] of [['defaultPoolSize', 'default_pool_size'], ['reservePoolSize', 'reserve_pool_size'], ['maxClientConn', 'max_client_conn'], ['maxDbConnections', 'max_db_connections'], ['poolMode', 'pool_mode']] as const) {
    if (t.planned[k] !== t.recommended[k]) (notes[label] ??= []).push(`Headroom recommends ${t.recommended[k]}: ${t.explain[k]}.`);
  }
  for (const [key, value] of Object.entries(settings)) {
    for (const n of notes[key] ?? []) comment(n);
    lines.push(`${key} = ${value}`);
  }
  return lines.join('\n') + '\n';
}

function appConnections(stack: Stack): number {
  return stack.app.reduce((sum, a) => sum + a.settings.replicas * a.settings.workers * (a.settings.poolSize + a.settings.maxOverflow), 0);
}

/** A userlist.txt that fails closed: no user can log in until the operator fills in the hash. */
export function userlistTemplate(stack: Stack, b: ServiceOf<'pgbouncer'>): string {
  const pg = stack.postgres[0];
  return [
    `; userlist.txt for the pgBouncer service "${commentText(b.name)}": one line per role, "name" "password-hash".`,
    '; Copy the SCRAM hash PostgreSQL stores, after the first start of the database, with:',
    `;   docker compose exec ${pg ? commentText(shellQuote(pg.name)) : 'POSTGRES'} psql -U ${APP_DB.user} -d ${APP_DB.database} -Atc "SELECT concat('\\"', rolname, '\\" \\"', rolpassword, '\\"') FROM pg_authid WHERE rolname = '${APP_DB.user}'"`,
    '; and replace the line below with its output. Keep this file out of version control.',
    `;"${APP_DB.user}" "SCRAM-SHA-256$4096:..."`,
    '',
  ].join('\n');
}
