/**
 * Which kind of service a compose service is, told from its image and command, and the settings
 * its command, environment and mounted config files give away. Every decision says why.
 */
import type { ServiceKind } from '../../engine/schema.ts';
import { durationParse, sizeToPlan } from '../../engine/units.ts';
import { parse as yamlParse } from 'yaml';
import { postgresSizeParse, redisSizeParse } from './size.ts';

/** What recognition looks at, already interpolated. */
export type ServiceFacts = {
  name: string;
  image: string | null;
  /** entrypoint + command as words (a `sh -c` script is split into its words). */
  command: string[];
  environment: Record<string, string>;
  /** Texts of config files mounted into the container, by their path in the container. */
  mounted: Record<string, string>;
  /** True when the service is built (`build:`) rather than pulled. */
  built: boolean;
};

export type Recognised = {
  kind: ServiceKind;
  /** Why this kind, for people: "image postgres:16 is the official PostgreSQL image". */
  why: string;
  /** Settings in plan-file form (sizes like `256MiB`). */
  settings: Record<string, unknown>;
  /** What was read and from where: "sharedBuffers 256MiB from command -c shared_buffers=256MB". */
  read: string[];
  warnings: string[];
};

type ImageRule = { kind: ServiceKind; re: RegExp; label: string };

/** Matched against the image's repository without registry, tag or digest (`library/` dropped). */
const IMAGE_RULES: ImageRule[] = [
  { kind: 'postgres', re: /^(?:[^/]+\/)*(?:postgres|postgresql|postgresql-repmgr|postgis|pgvector|pgvecto-rs|citus|paradedb|crunchy-postgres(?:-gis)?)$/, label: 'PostgreSQL' },
  { kind: 'postgres', re: /^(?:[^/]+\/)*timescaledb(?:-ha|-postgis)?$/, label: 'PostgreSQL with TimescaleDB' },
  { kind: 'redis', re: /^(?:[^/]+\/)*(?:redis|redis-stack|redis-stack-server)$/, label: 'Redis' },
  { kind: 'redis', re: /^(?:[^/]+\/)*valkey$/, label: 'Valkey (a Redis fork, same memory model)' },
  { kind: 'redis', re: /^(?:[^/]+\/)*keydb$/, label: 'KeyDB (a Redis fork, same memory model)' },
  { kind: 'pgbouncer', re: /^(?:[^/]+\/)*pgbouncer$/, label: 'pgBouncer' },
  { kind: 'prometheus', re: /^(?:[^/]+\/)*prometheus$/, label: 'Prometheus' },
  { kind: 'grafana', re: /^(?:[^/]+\/)*grafana(?:-oss|-enterprise)?$/, label: 'Grafana' },
  { kind: 'alertmanager', re: /^(?:[^/]+\/)*alertmanager$/, label: 'AlertManager' },
  { kind: 'fastapi', re: /^tiangolo\/uvicorn-gunicorn(?:-fastapi|-starlette)?$/, label: 'a FastAPI app on uvicorn/gunicorn' },
];

/** Exporters and agents with a public memory figure: generic services with that usage. */
type KnownGeneric = { re: RegExp; label: string; usage?: { low: string; typical: string; high: string }; source: string };
const KNOWN_GENERICS: KnownGeneric[] = [
  // memory-model.md: node_exporter ~8–21 MB (typical assumed mid-range).
  { re: /node[-_]?exporter$/, label: 'node_exporter', usage: { low: '8MiB', typical: '15MiB', high: '21MiB' }, source: 'memory-model.md: node_exporter ~8–21 MB' },
  // memory-model.md: redis_exporter ~16 MB (low/high assumed ±50%).
  { re: /redis[-_]?exporter$/, label: 'redis_exporter', usage: { low: '10MiB', typical: '16MiB', high: '24MiB' }, source: 'memory-model.md: redis_exporter ~16 MB' },
  // memory-model.md: cAdvisor 40–90 MB tuned, far more untuned (high assumed 2× the tuned top).
  { re: /cadvisor$/, label: 'cAdvisor', usage: { low: '40MiB', typical: '90MiB', high: '180MiB' }, source: 'memory-model.md: cAdvisor 40–90 MB tuned, more untuned' },
  // memory-model.md: postgres_exporter has no public figure: left for the user to measure.
  { re: /postgres(?:ql)?[-_]?exporter$/, label: 'postgres_exporter', source: 'memory-model.md: no public figure; measure it with docker stats' },
];

/** The repository part of an image reference: `docker.io/library/postgres:16@sha256:…` → `postgres`. */
export function imageRepository(image: string): string {
  let ref = image.trim().toLowerCase().split('@')[0]!;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) ref = ref.slice(0, colon);
  const parts = ref.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) parts.shift();
  if (parts[0] === 'library' && parts.length === 2) parts.shift();
  return parts.join('/');
}

/** Splits a command string into words as a POSIX shell would (quotes and backslashes). */
export function shellSplit(s: string): string[] {
  const words: string[] = [];
  let word = '';
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      word += end < 0 ? s.slice(i + 1) : s.slice(i + 1, end);
      i = end < 0 ? s.length : end;
      has = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1]!)) j++;
        word += s[j];
      }
      i = j;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      word += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) words.push(word);
      word = '';
      has = false;
    } else {
      word += c;
      has = true;
    }
  }
  if (has) words.push(word);
  return words;
}

/** Words of entrypoint + command; `sh -c "script"` contributes the script's words. */
export function commandWords(entrypoint: unknown, command: unknown): string[] {
  const words = (v: unknown): string[] => (typeof v === 'string' ? shellSplit(v) : Array.isArray(v) ? v.filter((w) => typeof w === 'string' || typeof w === 'number').map(String) : []);
  const all = [...words(entrypoint), ...words(command)];
  const out: string[] = [];
  for (let i = 0; i < all.length; i++) {
    const w = all[i]!;
    if (/(^|\/)(ba|da|z)?sh$/.test(w) && all[i + 1] === '-c' && all[i + 2] !== undefined) {
      out.push(...shellSplit(all[i + 2]!));
      i += 2;
    } else out.push(w);
  }
  return out;
}

const base = (w: string) => w.slice(w.lastIndexOf('/') + 1);

/** The kind of one service, with why, and the settings it gives away. */
export function recognise(f: ServiceFacts): Recognised {
  const repo = f.image ? imageRepository(f.image) : null;
  const words = f.command.map(base);
  const rule = repo ? IMAGE_RULES.find((r) => r.re.test(repo)) : undefined;
  let kind: ServiceKind | null = rule?.kind ?? null;
  let why = rule ? `image ${f.image} is ${rule.label}` : '';
  if (!kind || kind === 'fastapi') {
    const byCommand = kindFromCommand(f.command, words);
    if (byCommand && (!kind || byCommand.kind === kind)) {
      why = kind ? `${why}; ${byCommand.why}` : byCommand.why;
      kind = byCommand.kind;
    }
  }
  const r: Recognised = { kind: kind ?? 'generic', why, settings: {}, read: [], warnings: [] };
  switch (r.kind) {
    case 'postgres': postgresRead(f, r, repo ?? ''); break;
    case 'redis': redisRead(f, r, repo ?? ''); break;
    case 'pgbouncer': pgbouncerRead(f, r); break;
    case 'prometheus': prometheusRead(f, r); break;
    case 'fastapi': fastapiRead(f, r, repo ?? ''); break;
    case 'generic': genericRead(f, r, repo); break;
    default: break;
  }
  return r;
}

function kindFromCommand(command: string[], words: string[]): { kind: ServiceKind; why: string } | null {
  const shown = (i: number) => `"${command.slice(i, i + 3).join(' ')}${command.length > i + 3 ? ' …' : ''}"`;
  const i = words.findIndex((w) => /^(uvicorn|gunicorn|hypercorn)$/.test(w));
  if (i >= 0) return { kind: 'fastapi', why: `command runs ${words[i]} (${shown(i)}): a Python ASGI/WSGI app, planned as the FastAPI model (workers × memory per worker)` };
  const fa = words.findIndex((w, k) => w === 'fastapi' && /^(run|dev)$/.test(words[k + 1] ?? ''));
  if (fa >= 0) return { kind: 'fastapi', why: `command runs the FastAPI CLI (${shown(fa)})` };
  const rs = words.findIndex((w) => /^(redis|valkey|keydb)-server$/.test(w));
  if (rs >= 0) return { kind: 'redis', why: `command runs ${words[rs]}` };
  const pg = words.findIndex((w, k) => /^(postgres|postmaster)$/.test(w) && (words[k + 1] === '-c' || (words[k + 1] ?? '').startsWith('--')));
  if (pg >= 0) return { kind: 'postgres', why: `command runs postgres with settings (${shown(pg)})` };
  if (words.includes('pgbouncer')) return { kind: 'pgbouncer', why: 'command runs pgbouncer' };
  return null;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** PostgreSQL parameters the model uses: setting name, and MiB per bare unit (null = a count). */
const PG_PARAMS: Record<string, { key: string; bare: number | null }> = {
  shared_buffers: { key: 'sharedBuffers', bare: 8 / 1024 }, // PG docs: shared_buffers is in 8 kB blocks
  work_mem: { key: 'workMem', bare: 1 / 1024 }, // PG docs: work_mem is in kB
  maintenance_work_mem: { key: 'maintenanceWorkMem', bare: 1 / 1024 }, // PG docs: kB
  max_connections: { key: 'maxConnections', bare: null },
  autovacuum_max_workers: { key: 'autovacuumMaxWorkers', bare: null },
  max_parallel_workers_per_gather: { key: 'maxParallelWorkersPerGather', bare: null },
};

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
    const p = PG_PARAMS[name];
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

/** `name = value` (postgresql.conf, pgbouncer.ini) or `name value` (redis.conf) lines. */
function confEntries(text: string, sep: '=' | ' '): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const m = sep === '=' ? /^([A-Za-z_][A-Za-z0-9_.-]*)\s*=?\s*(.*?)\s*$/.exec(line.replace(/\s+#.*$/, '')) : /^([A-Za-z_-]+)\s+(.*?)\s*$/.exec(line);
    if (m) out.push([m[1]!.toLowerCase(), m[2]!.replace(/^'(.*)'$/, '$1')]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Redis

function redisRead(f: ServiceFacts, r: Recognised, repo: string): void {
  const at = f.command.findIndex((w) => /^(redis|valkey|keydb)-server$/.test(base(w)));
  const args = at >= 0 ? f.command.slice(at + 1) : [];
  const opts = new Map<string, { args: string[]; from: string }>();
  // `redis-server /path/redis.conf --opt …`: the first argument may be a config file.
  if (args[0] !== undefined && !args[0].startsWith('--')) {
    const path = args[0];
    const text = f.mounted[path];
    if (text === undefined) r.warnings.push(`redis-server reads ${path}, whose text was not given: its settings are not imported`);
    else for (const line of text.split(/\r?\n/)) {
      const words = shellSplit(line.replace(/^\s*#.*$/, ''));
      if (words.length > 0) setRedisOpt(opts, words[0]!.toLowerCase(), words.slice(1), path);
    }
  }
  for (let i = 0; i < args.length; i++) {
    if (!args[i]!.startsWith('--')) continue;
    const name = args[i]!.slice(2).toLowerCase();
    const values: string[] = [];
    while (i + 1 < args.length && !args[i + 1]!.startsWith('--')) values.push(args[++i]!);
    setRedisOpt(opts, name, values, 'command');
  }
  const isBitnami = /^bitnami\//.test(repo);
  if (isBitnami && f.environment.REDIS_EXTRA_FLAGS) {
    const words = shellSplit(f.environment.REDIS_EXTRA_FLAGS);
    for (let i = 0; i < words.length; i++) {
      if (!words[i]!.startsWith('--')) continue;
      const name = words[i]!.slice(2).toLowerCase();
      const values: string[] = [];
      while (i + 1 < words.length && !words[i + 1]!.startsWith('--')) values.push(words[++i]!);
      setRedisOpt(opts, name, values, 'REDIS_EXTRA_FLAGS');
    }
  }

  const maxmemory = opts.get('maxmemory');
  if (maxmemory) {
    const size = redisSizeParse(maxmemory.args[0] ?? '');
    if (size.ok) {
      r.settings.maxmemory = sizeToPlan(size.value);
      r.read.push(`maxmemory ${sizeToPlan(size.value)} from ${maxmemory.from} ${maxmemory.from.startsWith('/') ? '' : '--'}maxmemory ${maxmemory.args[0]}`);
    } else r.warnings.push(`maxmemory (${maxmemory.from}): ${size.error}: ignored`);
  }
  const policy = opts.get('maxmemory-policy');
  if (policy) {
    const p = (policy.args[0] ?? '').toLowerCase();
    if (/^(noeviction|allkeys-(lru|lfu|random)|volatile-(lru|lfu|random|ttl))$/.test(p)) {
      r.settings.policy = p;
      r.read.push(`policy ${p} from ${policy.from} ${policy.from.startsWith('/') ? '' : '--'}maxmemory-policy ${p}`);
    } else r.warnings.push(`maxmemory-policy "${p}" (${policy.from}) is not one Headroom knows: ignored`);
  }
  // Persistence: `appendonly yes` is AOF; `save ""` with AOF off is none; otherwise the
  // built-in RDB save schedule (Redis 7 redis.conf). Bitnami turns AOF on by default (Bitnami docs).
  const aof = opts.get('appendonly');
  const save = opts.get('save');
  const saveOff = save !== undefined && (save.args.length === 0 || save.args.every((a) => a === ''));
  let aofOn = aof ? /^yes$/i.test(aof.args[0] ?? '') : false;
  let from = aof ? `${aof.from} appendonly ${aof.args[0]}` : '';
  if (isBitnami && !aof) {
    aofOn = (f.environment.REDIS_AOF_ENABLED ?? 'yes').toLowerCase() !== 'no';
    from = f.environment.REDIS_AOF_ENABLED ? `environment REDIS_AOF_ENABLED=${f.environment.REDIS_AOF_ENABLED}` : 'the Bitnami image default (AOF on)';
  }
  const rdbOff = saveOff || (isBitnami && /^yes$/i.test(f.environment.REDIS_RDB_POLICY_DISABLED ?? ''));
  if (aofOn) {
    r.settings.persistence = 'aof';
    r.read.push(`persistence aof from ${from}`);
  } else if (rdbOff) {
    r.settings.persistence = 'none';
    r.read.push(`persistence none from ${save ? `${save.from} save ""` : 'environment REDIS_RDB_POLICY_DISABLED=yes'}${aof ? ` and appendonly ${aof.args[0]}` : ''}`);
  }
}

function setRedisOpt(opts: Map<string, { args: string[]; from: string }>, name: string, args: string[], from: string): void {
  if (!['maxmemory', 'maxmemory-policy', 'appendonly', 'save'].includes(name)) return;
  opts.set(name, { args, from });
}

// ---------------------------------------------------------------------------------------------
// pgBouncer

const PGBOUNCER_PARAMS: Record<string, { key: string; kind: 'count' | 'mode' }> = {
  pool_mode: { key: 'poolMode', kind: 'mode' },
  max_client_conn: { key: 'maxClientConn', kind: 'count' },
  default_pool_size: { key: 'defaultPoolSize', kind: 'count' },
  reserve_pool_size: { key: 'reservePoolSize', kind: 'count' },
  max_prepared_statements: { key: 'maxPreparedStatements', kind: 'count' },
};

function pgbouncerRead(f: ServiceFacts, r: Recognised): void {
  const found = new Map<string, { value: string; from: string }>();
  const ini = Object.entries(f.mounted).find(([path]) => /pgbouncer\.ini$/.test(path));
  if (ini) for (const [name, value] of confEntries(ini[1], '=')) found.set(name, { value, from: ini[0] });
  // edoburu/pgbouncer reads POOL_MODE, MAX_CLIENT_CONN…; bitnami/pgbouncer the same with PGBOUNCER_ (their READMEs).
  for (const name of Object.keys(PGBOUNCER_PARAMS)) {
    for (const env of [name.toUpperCase(), `PGBOUNCER_${name.toUpperCase()}`]) {
      const v = f.environment[env];
      if (v !== undefined && v !== '') found.set(name, { value: v, from: `environment ${env}` });
    }
  }
  for (const [name, { value, from }] of found) {
    const p = PGBOUNCER_PARAMS[name];
    if (!p) continue;
    if (p.kind === 'mode') {
      const mode = value.toLowerCase();
      if (['session', 'transaction', 'statement'].includes(mode)) {
        r.settings[p.key] = mode;
        r.read.push(`${p.key} ${mode} from ${from}`);
      } else r.warnings.push(`pool_mode "${value}" (${from}) is not session, transaction or statement: ignored`);
    } else {
      const n = Number(value);
      if (Number.isInteger(n) && n >= 0) {
        r.settings[p.key] = n;
        r.read.push(`${p.key} ${n} from ${from}`);
      } else r.warnings.push(`${name}=${value} (${from}) is not a whole number: ignored`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Prometheus

function prometheusRead(f: ServiceFacts, r: Recognised): void {
  let config = '/etc/prometheus/prometheus.yml'; // the prom/prometheus image's default --config.file
  for (let i = 0; i < f.command.length; i++) {
    const w = f.command[i]!;
    const m = /^--?(storage\.tsdb\.retention(?:\.time)?|config\.file)(?:=(.*))?$/.exec(w);
    if (!m) continue;
    const value = m[2] ?? f.command[++i] ?? '';
    if (m[1] === 'config.file') {
      config = value;
      continue;
    }
    const d = durationParse(value);
    if (d.ok) {
      r.settings.retention = value;
      r.read.push(`retention ${value} from command --${m[1]}`);
    } else r.warnings.push(`--${m[1]}=${value}: ${d.error}: ignored`);
  }
  const text = f.mounted[config];
  if (text === undefined) return;
  try {
    const doc = yamlParse(text, { maxAliasCount: 100 }) as { global?: { scrape_interval?: unknown } } | null;
    const interval = doc?.global?.scrape_interval;
    if (typeof interval === 'string' && durationParse(interval).ok) {
      r.settings.scrapeInterval = interval;
      r.read.push(`scrapeInterval ${interval} from ${config} global.scrape_interval`);
    } else if (interval === undefined) {
      // Prometheus's built-in default is 1m (Prometheus docs, configuration).
      r.settings.scrapeInterval = '1m';
      r.read.push(`scrapeInterval 1m: ${config} sets no global.scrape_interval (Prometheus's default)`);
    }
  } catch {
    r.warnings.push(`${config} is not valid YAML: its scrape interval is not imported`);
  }
}

// ---------------------------------------------------------------------------------------------
// The app

function fastapiRead(f: ServiceFacts, r: Recognised, repo: string): void {
  const words = f.command;
  const server = words.map(base).find((w) => /^(uvicorn|gunicorn|hypercorn|fastapi)$/.test(w));
  let workers: { n: string; from: string } | null = null;
  for (let i = 0; i < words.length; i++) {
    const m = /^(?:--workers|-w)(?:=?(\d+))?$/.exec(words[i]!) ?? /^-w(\d+)$/.exec(words[i]!);
    if (!m) continue;
    const n = m[1] ?? words[i + 1];
    if (n !== undefined) workers = { n, from: `command ${m[1] ? words[i] : `${words[i]} ${n}`}` };
  }
  // uvicorn and gunicorn read WEB_CONCURRENCY when no --workers is given (their docs);
  // the tiangolo images read WEB_CONCURRENCY and MAX_WORKERS.
  if (!workers && f.environment.WEB_CONCURRENCY) workers = { n: f.environment.WEB_CONCURRENCY, from: 'environment WEB_CONCURRENCY' };
  if (workers) {
    const n = Number(workers.n);
    if (Number.isInteger(n) && n >= 1) {
      r.settings.workers = n;
      r.read.push(`workers ${n} from ${workers.from}`);
    } else r.warnings.push(`workers "${workers.n}" (${workers.from}) is not a whole number ≥ 1: the default is planned`);
  } else if (server && /^(uvicorn|gunicorn|hypercorn|fastapi)$/.test(server) && !/^tiangolo\//.test(repo)) {
    // uvicorn, gunicorn, hypercorn and `fastapi run` start one worker by default (their docs).
    r.settings.workers = 1;
    r.read.push(`workers 1: ${server} starts one worker when no --workers is given`);
  } else {
    r.warnings.push('workers: not set in the compose file; Headroom assumes 2 (set it in the plan)');
  }
  if (words.includes('--preload')) {
    r.settings.preload = true;
    r.read.push('preload on from command --preload');
  }
  r.warnings.push('per-worker memory and the SQLAlchemy pool (poolSize 5, maxOverflow 10) are Headroom\'s defaults: check them against docker stats');
}

// ---------------------------------------------------------------------------------------------
// Everything else

function genericRead(f: ServiceFacts, r: Recognised, repo: string | null): void {
  if (f.image) r.settings.image = f.image.length > 200 ? f.image.slice(0, 200) : f.image;
  const known = repo ? KNOWN_GENERICS.find((k) => k.re.test(repo)) : undefined;
  if (known) {
    r.why = `image ${f.image} is ${known.label}: a generic service${known.usage ? ' with its published usage' : ''} (${known.source})`;
    if (known.usage) {
      r.settings.usage = { ...known.usage };
      r.read.push(`usage ${known.usage.low} / ${known.usage.typical} / ${known.usage.high} from ${known.source}`);
    }
    return;
  }
  const program = f.command.length > 0 ? base(f.command[0] === 'python' || f.command[0] === 'python3' ? (f.command.find((w, i) => i > 0 && !w.startsWith('-')) ?? f.command[0]!) : f.command[0]!) : null;
  if (f.image) r.why = `image ${f.image} is not a kind Headroom models: a generic service whose usage you set (from docker stats)`;
  else if (program) r.why = `command runs ${program}, not a kind Headroom models: a generic service whose usage you set (from docker stats)`;
  else if (f.built) r.why = 'built from source with no command in the compose file: the kind cannot be told; a generic service (set x-headroom.kind if it is the app)';
  else r.why = 'no image and no known command: a generic service whose usage you set';
}
