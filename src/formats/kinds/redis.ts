/**
 * Redis in the formats: how compose shows it (images, `redis-server` flags, a mounted redis.conf,
 * Bitnami's environment), the flags a compose edit writes, and the exported service with its
 * redis.conf. One directive map (REDIS_DIRECTIVES) serves all three.
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { redisSizeText, sizeFormat, sizeToPlan } from '../../engine/units.ts';
import { REDIS_ENUMS, type RedisTune } from '../../engine/kinds/redis.ts';
import type { Kept } from '../../engine/tune.ts';
import { reachOf } from '../export/exposure.ts';
import { bytes, commentText, GENERATED_BY } from '../export/common.ts';
import { redisSizeFormat, redisSizeParse } from '../compose-import/size.ts';
import { base, shellSplit } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts, Stack } from './kind.ts';

/** The redis.conf directives (and `redis-server --flags`) Headroom reads and writes, by what they set. */
export const REDIS_DIRECTIVES = { maxmemory: 'maxmemory', policy: 'maxmemory-policy', appendonly: 'appendonly', save: 'save' } as const;

/** Redis 7's built-in snapshot schedule (redis.conf shipped with 7.x: `save 3600 1 300 100 60 10000`). */
const RDB_SCHEDULE = '3600 1 300 100 60 10000';

export const REDIS_IMAGE = 'redis:7.2';
export const REDIS_PORT = 6379; // the image's default
export const REDIS_CONF = { base: 'redis', ext: 'conf', mount: '/usr/local/etc/redis/redis.conf' } as const;

const SERVER_RE = /^(redis|valkey|keydb)-server$/;
const POLICIES: readonly string[] = REDIS_ENUMS.policy;

// ---------------------------------------------------------------------------------------------
// Compose import

type Opts = Map<string, { args: string[]; from: string }>;

/** Directives read but not written: KeyDB's thread count (the model reads it; the writer keeps the image's). */
const READ_ONLY_DIRECTIVES: readonly string[] = ['server-threads'];

function setRedisOpt(opts: Opts, name: string, args: string[], from: string): void {
  if (!(Object.values(REDIS_DIRECTIVES) as string[]).includes(name) && !READ_ONLY_DIRECTIVES.includes(name)) return;
  opts.set(name, { args, from });
}

/** `--name value…` options of a word list. */
function readFlags(words: string[], opts: Opts, from: string): void {
  for (let i = 0; i < words.length; i++) {
    if (!words[i]!.startsWith('--')) continue;
    const name = words[i]!.slice(2).toLowerCase();
    const values: string[] = [];
    while (i + 1 < words.length && !words[i + 1]!.startsWith('--')) values.push(words[++i]!);
    setRedisOpt(opts, name, values, from);
  }
}

function redisRead(f: ServiceFacts, r: Recognised, repo: string): void {
  const at = f.command.findIndex((w) => SERVER_RE.test(base(w)));
  const args = at >= 0 ? f.command.slice(at + 1) : [];
  const opts: Opts = new Map();
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
  readFlags(args, opts, 'command');
  const isBitnami = /^bitnami\//.test(repo);
  if (isBitnami && f.environment.REDIS_EXTRA_FLAGS) readFlags(shellSplit(f.environment.REDIS_EXTRA_FLAGS), opts, 'REDIS_EXTRA_FLAGS');

  const maxmemory = opts.get(REDIS_DIRECTIVES.maxmemory);
  if (maxmemory) {
    const size = redisSizeParse(maxmemory.args[0] ?? '');
    if (size.ok) {
      r.settings.maxmemory = sizeToPlan(size.value);
      r.read.push(`maxmemory ${sizeToPlan(size.value)} from ${maxmemory.from} ${maxmemory.from.startsWith('/') ? '' : '--'}maxmemory ${maxmemory.args[0]}`);
    } else r.warnings.push(`maxmemory (${maxmemory.from}): ${size.error}: ignored`);
  }
  const policy = opts.get(REDIS_DIRECTIVES.policy);
  if (policy) {
    const p = (policy.args[0] ?? '').toLowerCase();
    if (POLICIES.includes(p)) {
      r.settings.policy = p;
      r.read.push(`policy ${p} from ${policy.from} ${policy.from.startsWith('/') ? '' : '--'}maxmemory-policy ${p}`);
    } else r.warnings.push(`maxmemory-policy "${p}" (${policy.from}) is not one Headroom knows: ignored`);
  }
  // Persistence: `appendonly yes` is AOF; `save ""` with AOF off is none; otherwise the
  // built-in RDB save schedule (Redis 7 redis.conf). Bitnami turns AOF on by default (Bitnami docs).
  const aof = opts.get(REDIS_DIRECTIVES.appendonly);
  const save = opts.get(REDIS_DIRECTIVES.save);
  const saveOff = save !== undefined && (save.args.length === 0 || save.args.every((a) => a === ''));
  let aofOn = aof ? /^yes$/i.test(aof.args[0] ?? '') : false;
  let from = aof ? `${aof.from} appendonly ${aof.args[0]}` : '';
  if (isBitnami && !aof) {
    aofOn = (f.environment.REDIS_AOF_ENABLED ?? 'yes').toLowerCase() !== 'no';
    from = f.environment.REDIS_AOF_ENABLED ? `environment REDIS_AOF_ENABLED=${f.environment.REDIS_AOF_ENABLED}` : 'the Bitnami image default (AOF on)';
  }
  // The variants that differ from Redis in memory: what the model leaves out, said rather than guessed.
  if (/(^|\/)redis-stack$/.test(repo)) {
    // Redis docs, "Run Redis Stack on Docker": redis/redis-stack contains both Redis Stack server and Redis Insight; redis/redis-stack-server the server only.
    r.settings.insight = true;
    r.read.push('insight true: the redis/redis-stack image runs Redis Insight (a Node.js web app) beside the server (Redis docs, "Run Redis Stack on Docker"; redis/redis-stack-server is the server alone), at the node kind\'s default per process (assumed)');
  }
  if (/(^|\/)redis-stack(-server)?$/.test(repo)) {
    r.settings.modules = true;
    r.read.push('modules true: redis-stack loads RediSearch, RedisJSON, RedisTimeSeries and RedisBloom (Redis docs, "Redis Stack"); their code and threads at rest are modelled from two reports (14.5–20.8 MiB beyond used_memory: RediSearch#3088, #3006), their data counts in used_memory and so in maxmemory');
  }
  if (/(^|\/)keydb$/.test(repo) || /^keydb-server$/.test(base(f.command[at] ?? ''))) {
    // server-threads: a flag or the mounted config's directive; else the config the command starts with:
    // the image's own (no command: keydb.conf, which sets 2) or none (`keydb-server --flags`: the binary's 1).
    const threads = opts.get('server-threads');
    const n = threads ? Number(threads.args[0]) : null;
    if (threads && n !== null && Number.isInteger(n) && n >= 1 && n <= 64) {
      r.settings.serverThreads = n;
      r.read.push(`serverThreads ${n} from ${threads.from} server-threads ${threads.args[0]}`);
    } else {
      if (threads) r.warnings.push(`server-threads "${threads.args[0] ?? ''}" (${threads.from}) is not a whole number 1–64: the default is planned`);
      // A config file whose text was read (mounted) and sets no server-threads leaves the binary's 1.
      const confPath = at >= 0 && args[0] !== undefined && !args[0].startsWith('--') ? args[0] : null;
      const ownConf = confPath !== null && f.mounted[confPath] !== undefined;
      const viaImageConf = at < 0 || (confPath !== null && !ownConf);
      r.settings.serverThreads = viaImageConf ? 2 : 1;
      r.read.push(viaImageConf
        ? 'serverThreads 2: KeyDB\'s keydb.conf sets server-threads 2 (Snapchat/KeyDB keydb.conf; the image starts with it)'
        : ownConf
          ? `serverThreads 1: ${confPath} sets no server-threads, so the built-in default, 1 (Snapchat/KeyDB keydb.conf: "By default this is set 1")`
          : 'serverThreads 1: keydb-server without a config file runs its built-in default, 1 (Snapchat/KeyDB keydb.conf: "By default this is set 1")');
    }
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

// ---------------------------------------------------------------------------------------------
// redis.conf

/** The directives written, as CONFIG GET reports them (the real-tool test compares each). */
export function redisDirectives(r: ServiceOf<'redis'>): Record<string, string> {
  const p = r.settings.persistence;
  return {
    [REDIS_DIRECTIVES.maxmemory]: String(bytes(r.settings.maxmemory)),
    [REDIS_DIRECTIVES.policy]: r.settings.policy,
    [REDIS_DIRECTIVES.appendonly]: p === 'aof' ? 'yes' : 'no',
    [REDIS_DIRECTIVES.save]: p === 'rdb' ? RDB_SCHEDULE : '',
  };
}

/** redis.conf for one service, from its tuning (the export's, computed once) and what the tuning rule kept. */
export function redisConf(stack: Stack, r: ServiceOf<'redis'>, t: RedisTune, kept: readonly Kept[] = []): string {
  const d = redisDirectives(r);
  const mm = r.settings.maxmemory;
  const lines: string[] = [];
  const comment = (s: string) => lines.push(s ? `# ${commentText(s)}` : '#');
  comment(`redis.conf for the service "${r.name}". ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`);
  comment(`Mounted at ${REDIS_CONF.mount}; the compose file starts redis-server with it.`);
  lines.push('');
  const reach = reachOf(stack, r);
  comment(`How it is reached: ${reach.text}.`);
  if (reach.loopbackOnly) {
    comment("So Redis's own defaults for a server on the host: bound to localhost, and protected mode refuses other addresses while no password is set.");
    lines.push('bind 127.0.0.1 -::1', 'protected-mode yes', `port ${REDIS_PORT}`);
  } else {
    if (reach.outside) comment("WARNING: no password is set, so anyone who reaches this port can read, write and reconfigure Redis. Set one (requirepass, and the same in every client's URL: redis://:PASSWORD@host:6379), or publish the port on 127.0.0.1 only.");
    else if (reach.where === 'loopback') comment('Every process on this host can reach it: set a password (requirepass) if others share the host.');
    else comment('So no TLS and no password here: only the stack\'s own services reach it.');
    comment('protected-mode no: the clients on the compose network connect from their own addresses, which protected mode refuses while no password is set.');
    lines.push('bind * -::*', 'protected-mode no', `port ${REDIS_PORT}`);
  }
  comment("Data files go to the working directory, /data in the official image (the compose file's volume).");
  lines.push('');
  if (r.limit !== null) comment(`Container limit ${sizeFormat(r.limit)}.`);
  if (mm === 0) comment('maxmemory 0 means no bound: the data set can grow until the container is OOM-killed.');
  else comment(`maxmemory ${redisSizeText(mm)} = ${d.maxmemory} bytes.`);
  const held = kept.find((k) => k.key === 'maxmemory');
  if (held) comment(`${held.text}.`);
  if (held?.why === 'default') comment('Redis may hold data those clients cannot lose (queues, sessions): set maxmemory yourself once you know it holds only cache.');
  else if (t.recommendedMaxmemory !== null && !t.plannedSafe) {
    comment(`Headroom recommends at most ${redisSizeText(t.recommendedMaxmemory)}: ${t.explain}.`);
  }
  if (!t.fits) comment(`Headroom: ${t.explain}.`);
  comment('Not counted in maxmemory: client and AOF buffers, fragmentation (Redis docs).');
  lines.push(`maxmemory ${d.maxmemory}`);
  if (r.settings.policy.startsWith('volatile')) comment('volatile-* policies evict only keys with a TTL: without any, they act like noeviction.');
  lines.push(`maxmemory-policy ${d['maxmemory-policy']}`);
  lines.push('');
  if (r.settings.persistence === 'rdb') {
    comment('Persistence: RDB snapshots on Redis 7\'s default schedule. Each save forks; the child\'s copy-on-write pages count in this container.');
    lines.push(`save ${RDB_SCHEDULE}`, 'appendonly no');
  } else if (r.settings.persistence === 'aof') {
    comment('Persistence: append-only file, fsync every second. Each rewrite forks; the child\'s copy-on-write pages count in this container.');
    lines.push('save ""', 'appendonly yes', 'appendfsync everysec');
  } else {
    comment('Persistence: none. A restart empties the cache.');
    lines.push('save ""', 'appendonly no');
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// The kind

export const redis: KindFormat<'redis'> = {
  kind: 'redis',
  recognise: {
    images: [
      { re: /^(?:[^/]+\/)*(?:redis|redis-stack|redis-stack-server)$/, label: 'Redis' },
      { re: /^(?:[^/]+\/)*valkey$/, label: 'Valkey (a Redis fork, same memory model)' },
      { re: /^(?:[^/]+\/)*keydb$/, label: 'KeyDB (a Redis fork, same memory model)' },
    ],
    command: (_command, words) => {
      const rs = words.findIndex((w) => SERVER_RE.test(w));
      return rs < 0 ? null : `command runs ${words[rs]}`;
    },
    read: redisRead,
  },
  edit: {
    syntax: 'double-dash',
    flags: (s, old, { changed, notes }) => {
      const flags: Array<[string, string[]]> = [];
      if (changed(s.settings.maxmemory, old.settings.maxmemory)) flags.push([REDIS_DIRECTIVES.maxmemory, [redisSizeFormat(s.settings.maxmemory)]]);
      if (s.settings.policy !== old.settings.policy) flags.push([REDIS_DIRECTIVES.policy, [s.settings.policy]]);
      if (s.settings.persistence !== old.settings.persistence) {
        if (s.settings.persistence === 'none') flags.push([REDIS_DIRECTIVES.save, ['']], [REDIS_DIRECTIVES.appendonly, ['no']]);
        else if (s.settings.persistence === 'aof') flags.push([REDIS_DIRECTIVES.appendonly, ['yes']]);
        else notes.push(`${s.name}: switch persistence to RDB by hand (remove --save "" / set appendonly no)`);
      }
      return flags;
    },
    // The official redis and valkey images run their server when the service sets no command.
    defaultCommand: (image) => (/^(docker\.io\/)?valkey\/valkey(:|@|$)/.test(image) ? 'valkey-server' : /^(docker\.io\/)?(library\/)?redis(:|@|$)/.test(image) ? 'redis-server' : null),
  },
  oomScoreAdj: 200, // after pgBouncer's clients, before the monitors (non-negative: kinds/kind.ts)
  port: REDIS_PORT,
  addImage: () => REDIS_IMAGE,
  configs: { conf: REDIS_CONF },
  compose: ({ stack, service: s, svc, note, volume, healthcheck }) => {
    const conf = stack.configPath(s, 'conf');
    svc.image = REDIS_IMAGE;
    svc.container_name = s.name;
    svc.command = ['redis-server', REDIS_CONF.mount];
    svc.volumes = [volume('/data'), `./${conf}:${REDIS_CONF.mount}:ro`];
    svc.healthcheck = healthcheck(['CMD', 'redis-cli', 'ping']);
    svc.stop_grace_period = '1m';
    note.push(`maxmemory ${sizeFormat(s.settings.maxmemory)}, ${s.settings.policy}, persistence ${s.settings.persistence}: ${conf}.`);
  },
  files: (stack, services, tunings) => services.map((r) => ({
    path: stack.configPath(r, 'conf'),
    content: redisConf(stack, r, tunings.of(r), tunings.kept(r)),
    description: `Redis settings for ${r.name}: maxmemory, eviction policy, persistence`,
  })),
};
