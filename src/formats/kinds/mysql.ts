/**
 * MySQL and MariaDB in the formats: how compose shows them (images, `mysqld`/`mariadbd` options
 * and the flags the official images pass to the server, Bitnami's *_EXTRA_FLAGS, mounted my.cnf
 * files), the options a compose edit writes, and the exported service with its my.cnf. One
 * option map (MYSQL_OPTIONS) serves all three.
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { MYSQL_SERVER_DEFAULTS, mysqlEffective } from '../../engine/kinds/mysql.ts';
import type { SettingTune } from '../../engine/kinds/memory-setting.ts';
import { bytes, commentText, GENERATED_BY } from '../export/common.ts';
import { base, shellSplit } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts, Stack } from './kind.ts';
import { iniEntries, readCount, readOptions, readSize, suffixSizeFormat, type Found } from './options.ts';
import { sizeFormat } from '../../engine/units.ts';

/** The server options Headroom reads and writes, by setting: the option's name (my.cnf spelling). */
export const MYSQL_OPTIONS = {
  bufferPool: 'innodb_buffer_pool_size',
  maxConnections: 'max_connections',
  performanceSchema: 'performance_schema',
  sortBuffer: 'sort_buffer_size',
  joinBuffer: 'join_buffer_size',
  readBuffer: 'read_buffer_size',
  readRndBuffer: 'read_rnd_buffer_size',
  tmpTableSize: 'tmp_table_size',
  keyBuffer: 'key_buffer_size',
  logBuffer: 'innodb_log_buffer_size',
} as const;
type OptionKey = keyof typeof MYSQL_OPTIONS;
const SIZE_KEYS = ['bufferPool', 'sortBuffer', 'joinBuffer', 'readBuffer', 'readRndBuffer', 'tmpTableSize', 'keyBuffer', 'logBuffer'] as const;
/** Option names on the command line: `--innodb-buffer-pool-size` (dashes; `_` read alike). */
const dashed = (k: OptionKey) => MYSQL_OPTIONS[k].replace(/_/g, '-');
const NAMES: Record<string, string> = Object.fromEntries((Object.keys(MYSQL_OPTIONS) as OptionKey[]).map((k) => [dashed(k), k]));
/** my.cnf groups mysqld and mariadbd read (MySQL and MariaDB option-file docs). */
const SECTIONS = ['mysqld', 'server', 'mariadb', 'mariadbd', 'mysqld-8.0', 'mysqld-8.4', 'mariadb-10.11', 'mariadb-11.4'];

export const MYSQL_IMAGE = 'mysql:8.4';
export const MARIADB_IMAGE = 'mariadb:11.4';
export const MYSQL_PORT = 3306; // the images' default
/** Read by both images: mysql's /etc/my.cnf and mariadb's /etc/mysql/my.cnf include /etc/mysql/conf.d/ (their image docs). */
export const MYSQL_CNF = { base: 'my', ext: 'cnf', mount: '/etc/mysql/conf.d/headroom.cnf' } as const;
export const MYSQL_ROOT_PASSWORD = { name: 'mysql_root_password', file: './secrets/mysql_root_password' } as const;

const SERVER_RE = /^(mysqld|mariadbd|mysqld_safe|mariadbd-safe)$/;

// ---------------------------------------------------------------------------------------------
// Compose import

function mysqlRead(f: ServiceFacts, r: Recognised, repo: string): void {
  const flavor = /mariadb/.test(repo) || f.command.some((w) => /^mariadbd/.test(base(w))) ? 'mariadb' : 'mysql';
  if (flavor === 'mariadb') {
    r.settings.flavor = 'mariadb';
    r.read.push(`flavor mariadb from ${repo ? `image ${repo}` : 'command mariadbd'}`);
  }
  const found = new Map<string, Found>();
  // Option files first (the command line wins over them, as in mysqld).
  for (const [path, text] of Object.entries(f.mounted).sort(([a], [b]) => a.localeCompare(b))) {
    if (!/(\.cnf|my\.ini)$/.test(path)) continue;
    for (const [name, value] of iniEntries(text, SECTIONS)) {
      const key = NAMES[name.replace(/_/g, '-')];
      if (key) found.set(key, { value, from: `${path} ${name} = ${value}` });
      if (name === 'innodb_dedicated_server') found.set('dedicated', { value, from: `${path} ${name}` });
    }
  }
  // Bitnami's images pass *_EXTRA_FLAGS to the server (bitnami/mysql, bitnami/mariadb READMEs).
  for (const env of ['MYSQL_EXTRA_FLAGS', 'MARIADB_EXTRA_FLAGS']) {
    const v = f.environment[env];
    if (v) readOptions(shellSplit(v), { ...NAMES, 'innodb-dedicated-server': 'dedicated' }, `environment ${env}`, found);
  }
  // The command: after mysqld/mariadbd, or the flags the official images hand to the server.
  const at = f.command.findIndex((w) => SERVER_RE.test(base(w)));
  const args = at >= 0 ? f.command.slice(at + 1) : f.command[0]?.startsWith('-') ? f.command : [];
  readOptions(args, { ...NAMES, 'innodb-dedicated-server': 'dedicated', 'skip-performance-schema': 'skipPs' }, 'command', found);

  for (const k of SIZE_KEYS) readSize(r, k, found.get(k), 1 / 1048576, MYSQL_OPTIONS[k]); // a bare number is bytes (MySQL reference)
  readCount(r, 'maxConnections', found.get('maxConnections'), 'max_connections');
  const ps = found.get('performanceSchema');
  const skip = found.get('skipPs');
  if (skip) {
    r.settings.performanceSchema = false;
    r.read.push(`performance_schema off from ${skip.from}`);
  } else if (ps) {
    const on = ps.value === '' || /^(1|on|true|yes)$/i.test(ps.value);
    const off = /^(0|off|false|no)$/i.test(ps.value);
    if (on || off) {
      r.settings.performanceSchema = on;
      r.read.push(`performance_schema ${on ? 'on' : 'off'} from ${ps.from}`);
    } else r.warnings.push(`${ps.from}: performance_schema "${ps.value}" is not on or off: ignored`);
  }
  const dedicated = found.get('dedicated');
  if (dedicated && !found.has('bufferPool') && !/^(0|off|false)$/i.test(dedicated.value)) {
    r.warnings.push(`${dedicated.from}: innodb_dedicated_server sizes the buffer pool from the memory the server detects (50% of 1–4 GB, 75% above: MySQL reference); set innodb_buffer_pool_size in the plan to match`);
  }
}

// ---------------------------------------------------------------------------------------------
// my.cnf

/** The options written, as the server reports them (`SELECT @@name`): sizes in bytes. */
export function mysqlOptions(m: ServiceOf<'mysql'>): Record<string, string> {
  const e = mysqlEffective(m);
  const d = MYSQL_SERVER_DEFAULTS[e.flavor];
  const out: Record<string, string> = {
    [MYSQL_OPTIONS.bufferPool]: String(bytes(e.bufferPool)),
    [MYSQL_OPTIONS.maxConnections]: String(e.maxConnections),
    [MYSQL_OPTIONS.performanceSchema]: e.performanceSchema ? 'ON' : 'OFF',
    [MYSQL_OPTIONS.logBuffer]: String(bytes(e.logBuffer)),
  };
  // Per-thread buffers only where the plan differs from the flavor's default.
  for (const k of ['sortBuffer', 'joinBuffer', 'readBuffer', 'readRndBuffer', 'tmpTableSize', 'keyBuffer'] as const) {
    if (m.settings[k] !== undefined && m.settings[k] !== d[k]) out[MYSQL_OPTIONS[k]] = String(bytes(m.settings[k]));
  }
  // tmp_table_size is capped by max_heap_table_size (MySQL reference): written together.
  const tmp = out[MYSQL_OPTIONS.tmpTableSize];
  if (tmp !== undefined) out.max_heap_table_size = tmp;
  return out;
}

/** my.cnf for one service, from its tuning (the export's, computed once). */
export function mysqlCnf(stack: Stack, m: ServiceOf<'mysql'>, t: SettingTune): string {
  const o = mysqlOptions(m);
  const lines: string[] = [];
  const comment = (s: string) => lines.push(s ? `# ${commentText(s)}` : '#');
  comment(`my.cnf for the service "${m.name}". ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`);
  comment(`Mounted at ${MYSQL_CNF.mount}, which the image's own configuration includes.`);
  lines.push('', '[mysqld]');
  if (m.limit !== null) comment(`Container limit ${sizeFormat(m.limit)}.`);
  comment(`innodb_buffer_pool_size ${sizeFormat(m.settings.bufferPool)}${m.settings.flavor === 'mysql' ? '; InnoDB adds ~10% for its control structures' : ''}.`);
  if (t.recommended !== null && !t.plannedSafe) comment(`Headroom recommends at most ${sizeFormat(t.recommended)}: ${t.explain}.`);
  if (!t.fits) comment(`Headroom: ${t.explain}.`);
  for (const [key, value] of Object.entries(o)) lines.push(`${key} = ${value}`);
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// The kind

const imageOf = (m: ServiceOf<'mysql'>) => (m.settings.flavor === 'mariadb' ? MARIADB_IMAGE : MYSQL_IMAGE);

export const mysql: KindFormat<'mysql'> = {
  kind: 'mysql',
  recognise: {
    images: [
      { re: /^(?:[^/]+\/)*(?:mysql|mysql-server|percona|percona-server|percona-xtradb-cluster)$/, label: 'MySQL' },
      { re: /^(?:[^/]+\/)*(?:mariadb|mariadb-server|alpine-mariadb)$/, label: 'MariaDB (MySQL\'s memory model)' },
    ],
    command: (_command, words) => {
      const w = words.find((x) => SERVER_RE.test(x));
      return w ? `command runs ${w}` : null;
    },
    server: /^(mysqld|mariadbd|mysqld_safe|mariadbd-safe|docker-entrypoint\.sh)$/,
    read: mysqlRead,
  },
  edit: {
    syntax: 'options',
    flags: (s, old, { changed }) => {
      const flags: Array<[string, string[]]> = [];
      const a = mysqlEffective(s);
      const b = mysqlEffective(old);
      for (const k of SIZE_KEYS) if (changed(a[k], b[k])) flags.push([`--${dashed(k)}`, [suffixSizeFormat(a[k])]]);
      if (a.maxConnections !== b.maxConnections) flags.push([`--${dashed('maxConnections')}`, [String(a.maxConnections)]]);
      if (a.performanceSchema !== b.performanceSchema) flags.push([`--${dashed('performanceSchema')}`, [a.performanceSchema ? 'ON' : 'OFF']]);
      return flags;
    },
    // The official images hand flags to their server when the command starts with one (their entrypoints).
    defaultCommand: (image) => (/^(docker\.io\/)?(library\/)?mariadb(:|@|$)/.test(image) ? 'mariadbd' : /^(docker\.io\/)?(library\/)?(mysql|percona)(:|@|$)/.test(image) ? 'mysqld' : null),
  },
  oomScoreAdj: -600,
  port: MYSQL_PORT,
  addImage: imageOf,
  configs: { cnf: MYSQL_CNF },
  compose: ({ stack, service: s, svc, note, volume, secret, healthcheck }) => {
    const cnf = stack.configPath(s, 'cnf');
    const maria = s.settings.flavor === 'mariadb';
    svc.image = imageOf(s);
    svc.container_name = s.name;
    svc.environment = { [maria ? 'MARIADB_ROOT_PASSWORD_FILE' : 'MYSQL_ROOT_PASSWORD_FILE']: `/run/secrets/${secret(MYSQL_ROOT_PASSWORD)}` };
    svc.secrets = [MYSQL_ROOT_PASSWORD.name];
    svc.volumes = [volume('/var/lib/mysql'), `./${cnf}:${MYSQL_CNF.mount}:ro`];
    // mariadb ships healthcheck.sh; mysql has mysqladmin (their images).
    svc.healthcheck = healthcheck(maria ? ['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized'] : ['CMD', 'mysqladmin', 'ping', '-h', '127.0.0.1']);
    svc.stop_grace_period = '1m';
    note.push(`innodb_buffer_pool_size ${sizeFormat(s.settings.bufferPool)}, max_connections ${s.settings.maxConnections}: ${cnf}.`);
  },
  files: (stack, services, tunings) => services.map((m) => ({
    path: stack.configPath(m, 'cnf'),
    content: mysqlCnf(stack, m, tunings.of(m)),
    description: `MySQL/MariaDB settings for ${m.name}: buffer pool, connections, performance_schema`,
  })),
};
