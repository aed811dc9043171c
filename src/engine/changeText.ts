/**
 * A setting change in an operator's words: `{service: 'redis', key: 'settings.maxmemory', value:
 * '104MiB'}` reads "Set Redis maxmemory to 104 MiB". Settings are named as their own config files
 * name them (max_connections, shared_buffers, pool_mode), sizes go through sizeFormat, and plan-file
 * keys (`features.pgbouncer`, `settings.maxmemory`) never reach the words. Shared by the page's
 * Apply buttons and the CLI; the plan file and `--json` keep the keys.
 */
import type { Change } from './report.ts';
import type { Features, ServiceKind } from './schema.ts';
import { sizeFormat, sizeParse, withArticle } from './units.ts';

/** Each kind's product name, as its own documentation writes it. */
export const KIND_NAMES: Record<ServiceKind, string> = {
  fastapi: 'FastAPI',
  postgres: 'PostgreSQL',
  redis: 'Redis',
  pgbouncer: 'pgBouncer',
  prometheus: 'Prometheus',
  grafana: 'Grafana',
  alertmanager: 'AlertManager',
  mysql: 'MySQL',
  mongodb: 'MongoDB',
  clickhouse: 'ClickHouse',
  rabbitmq: 'RabbitMQ',
  memcached: 'memcached',
  minio: 'MinIO',
  dragonfly: 'Dragonfly',
  generic: 'service',
  jvm: 'JVM',
  python: 'Python',
  node: 'Node.js',
  native: 'service',
  proxy: 'proxy',
  ruby: 'Ruby',
  php: 'PHP',
  beam: 'BEAM',
};

/** A feature toggle as a noun in a sentence ("Turn on pgBouncer", "Turn on the exporters"). */
export const FEATURE_NOUNS: Record<keyof Features, string> = {
  pgbouncer: 'pgBouncer',
  semanticCache: 'the semantic cache',
  alertmanager: 'AlertManager',
  exporters: 'the exporters',
};

type Kind = 'size' | 'count' | 'duration' | 'text';

/** A setting's name in its service's own config (or the plan file's words where there is none), and how its value reads. */
const SETTINGS: Record<string, { name: string; kind: Kind }> = {
  // fastapi (uvicorn/gunicorn and SQLAlchemy's create_engine)
  replicas: { name: 'replicas', kind: 'count' },
  workers: { name: 'workers', kind: 'count' },
  cpuPerRequestMs: { name: 'CPU ms per request', kind: 'count' },
  perWorker: { name: 'memory per worker', kind: 'size' },
  preload: { name: 'preload', kind: 'text' },
  poolSize: { name: 'pool_size', kind: 'count' },
  maxOverflow: { name: 'max_overflow', kind: 'count' },
  // postgres (postgresql.conf; shm_size is compose's)
  sharedBuffers: { name: 'shared_buffers', kind: 'size' },
  maxConnections: { name: 'max_connections', kind: 'count' },
  workMem: { name: 'work_mem', kind: 'size' },
  maintenanceWorkMem: { name: 'maintenance_work_mem', kind: 'size' },
  autovacuumMaxWorkers: { name: 'autovacuum_max_workers', kind: 'count' },
  maxParallelWorkersPerGather: { name: 'max_parallel_workers_per_gather', kind: 'count' },
  shmSize: { name: 'shm_size', kind: 'size' },
  // redis (redis.conf)
  maxmemory: { name: 'maxmemory', kind: 'size' },
  policy: { name: 'maxmemory-policy', kind: 'text' },
  persistence: { name: 'persistence', kind: 'text' },
  appData: { name: 'app data', kind: 'size' },
  // pgbouncer (pgbouncer.ini)
  poolMode: { name: 'pool_mode', kind: 'text' },
  maxClientConn: { name: 'max_client_conn', kind: 'count' },
  defaultPoolSize: { name: 'default_pool_size', kind: 'count' },
  reservePoolSize: { name: 'reserve_pool_size', kind: 'count' },
  pools: { name: 'user/database pools', kind: 'count' },
  maxPreparedStatements: { name: 'max_prepared_statements', kind: 'count' },
  // prometheus (prometheus.yml and its flags)
  scrapeInterval: { name: 'scrape_interval', kind: 'duration' },
  retention: { name: 'retention', kind: 'duration' },
  series: { name: 'active series', kind: 'count' },
  // mysql (my.cnf)
  flavor: { name: 'server', kind: 'text' },
  bufferPool: { name: 'innodb_buffer_pool_size', kind: 'size' },
  clients: { name: 'open connections', kind: 'count' },
  performanceSchema: { name: 'performance_schema', kind: 'text' },
  sortBuffer: { name: 'sort_buffer_size', kind: 'size' },
  joinBuffer: { name: 'join_buffer_size', kind: 'size' },
  readBuffer: { name: 'read_buffer_size', kind: 'size' },
  readRndBuffer: { name: 'read_rnd_buffer_size', kind: 'size' },
  tmpTableSize: { name: 'tmp_table_size', kind: 'size' },
  keyBuffer: { name: 'key_buffer_size', kind: 'size' },
  logBuffer: { name: 'innodb_log_buffer_size', kind: 'size' },
  // mongodb (mongod's options)
  cacheSize: { name: 'wiredTigerCacheSizeGB', kind: 'size' },
  memorySource: { name: 'the memory its cache is sized from', kind: 'text' },
  // clickhouse (config.xml)
  maxServerMemory: { name: 'max_server_memory_usage', kind: 'size' },
  ratio: { name: 'max_server_memory_usage_to_ram_ratio', kind: 'text' },
  markCache: { name: 'mark_cache_size', kind: 'size' },
  // rabbitmq (rabbitmq.conf)
  version: { name: 'version', kind: 'text' },
  watermark: { name: 'vm_memory_high_watermark.relative', kind: 'text' },
  watermarkAbsolute: { name: 'vm_memory_high_watermark.absolute', kind: 'size' },
  queues: { name: 'queues', kind: 'count' },
  backlog: { name: 'messages waiting', kind: 'size' },
  // memcached (its options)
  itemSize: { name: 'average item size', kind: 'size' },
  // minio (its environment)
  drives: { name: 'drives', kind: 'count' },
  requestsMax: { name: 'MINIO_API_REQUESTS_MAX', kind: 'count' },
  // dragonfly (its flags; maxmemory as Redis's)
  cacheMode: { name: '--cache_mode', kind: 'text' },
  // generic
  'usage.low': { name: 'low usage', kind: 'size' },
  'usage.typical': { name: 'typical usage', kind: 'size' },
  'usage.high': { name: 'high usage', kind: 'size' },
  image: { name: 'image', kind: 'text' },
  // jvm (the java command's options)
  heap: { name: '-Xmx', kind: 'size' },
  initialHeap: { name: '-Xms', kind: 'size' },
  maxRamPercentage: { name: 'MaxRAMPercentage', kind: 'count' },
  maxRam: { name: 'MaxRAM', kind: 'size' },
  metaspace: { name: 'metaspace', kind: 'size' },
  threads: { name: 'threads', kind: 'count' },
  directMemory: { name: 'MaxDirectMemorySize', kind: 'size' },
  directBuffers: { name: 'direct buffers', kind: 'size' },
  codeCache: { name: 'ReservedCodeCacheSize', kind: 'size' },
  // python and node (their servers' flags)
  server: { name: 'server', kind: 'text' },
  processes: { name: 'processes', kind: 'count' },
  perProcess: { name: 'memory per process', kind: 'size' },
  master: { name: 'master process', kind: 'text' },
  maxOldSpace: { name: '--max-old-space-size', kind: 'size' },
  // native (Go's runtime variables)
  language: { name: 'language', kind: 'text' },
  memory: { name: 'memory', kind: 'size' },
  goMemLimit: { name: 'GOMEMLIMIT', kind: 'size' },
  gogc: { name: 'GOGC', kind: 'count' },
  // proxy (nginx.conf, haproxy.cfg)
  cores: { name: 'cores', kind: 'count' },
  workerConnections: { name: 'worker_connections', kind: 'count' },
  connections: { name: 'connections', kind: 'count' },
  bufferPerConnection: { name: 'buffers per connection', kind: 'size' },
  sharedZones: { name: 'shared zones', kind: 'size' },
  // php (php-fpm's pool, php.ini)
  pm: { name: 'pm', kind: 'text' },
  idle: { name: 'pm.start_servers', kind: 'count' },
  memoryLimit: { name: 'memory_limit', kind: 'size' },
};

const HOST: Record<string, { name: string; kind: Kind | 'money' }> = {
  reserve: { name: 'the host reserve', kind: 'size' },
  swap: { name: 'swap', kind: 'size' },
  pricePerMonth: { name: 'the monthly price', kind: 'money' },
  cpus: { name: 'the host\'s vCPUs', kind: 'count' },
};

const WORKLOAD: Record<string, { name: string; kind: Kind | 'share' }> = {
  activeUsers: { name: 'active users', kind: 'count' },
  spike: { name: 'the spike multiplier', kind: 'text' },
  requestsPerUserPerMinute: { name: 'requests per user per minute', kind: 'text' },
  requestTimeMs: { name: 'request time (ms)', kind: 'text' },
  dbTimePerRequestMs: { name: 'database time per request (ms)', kind: 'text' },
  cacheHitRate: { name: 'the cache hit rate', kind: 'share' },
  cacheTtlSeconds: { name: 'the cache TTL (s)', kind: 'text' },
  cacheEntrySize: { name: 'the cache entry size', kind: 'size' },
  observedMargin: { name: 'the margin over observed peaks', kind: 'text' },
};

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A plan-file value as people read it: sizes through sizeFormat, counts with separators. */
function valueText(value: Change['value'], kind: Kind | 'money' | 'share'): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (kind === 'size') {
    const mib = sizeParse(value);
    return mib.ok ? sizeFormat(mib.value) : String(value);
  }
  if (typeof value === 'number') {
    if (kind === 'money') return `$${COUNT.format(value)}`;
    if (kind === 'share') return `${COUNT.format(value * 100)}%`;
    return COUNT.format(value);
  }
  return value;
}


/** The service as a sentence names it: its product name when it is named after its kind (`redis` → Redis), else its own name. */
function serviceName(service: string): string {
  const kind = service.toLowerCase() as ServiceKind;
  return Object.hasOwn(KIND_NAMES, kind) && kind !== 'generic' ? KIND_NAMES[kind] : service;
}

/** The value a change's key holds, as its change text writes it ("128 MiB", "100", "none"): the "now" of a diff line. */
export function changeValueText(change: Change): string {
  const { key, value } = change;
  if (value === 'none' || value === null) return 'none';
  const [head, ...rest] = key.split('.');
  const tail = rest.join('.');
  if (key === 'limit' || key === 'host.ram') return valueText(value, 'size');
  if (change.service !== undefined && head === 'settings' && SETTINGS[tail]) return valueText(value, SETTINGS[tail].kind);
  if (head === 'host' && HOST[tail]) return valueText(value, HOST[tail].kind);
  if (head === 'workload' && WORKLOAD[tail]) return valueText(value, WORKLOAD[tail].kind);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A setting whose 0 the server reads as no bound (Redis maxmemory 0), as every output writes it. */
export const UNBOUNDED_ZERO_TEXT = '0 = no bound';

/**
 * A value the fit changes, as the CLI's `fit` and the page's fit panel both write it: changeValueText
 * by key, `none` for no value, and UNBOUNDED_ZERO_TEXT for a 0 the server reads as no bound
 * (zammad's Redis without maxmemory is not "0 MiB").
 */
export function fitValueText(c: { service: string; key: string; zeroUnbounded?: true }, v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return JSON.stringify(v);
  if (c.zeroUnbounded && typeof v !== 'boolean') {
    const mib = sizeParse(v);
    if (mib.ok && mib.value === 0) return UNBOUNDED_ZERO_TEXT;
  }
  return changeValueText({ service: c.service, key: c.key, value: v });
}

/** One change as an imperative an operator can read on a button: "Set Redis maxmemory to 104 MiB". */
export function changeText(change: Change): string {
  const { service, key, value } = change;
  const [head, ...rest] = key.split('.');
  const tail = rest.join('.');
  if (service !== undefined) {
    const who = serviceName(service);
    if (key === 'limit') {
      if (value === 'none') return `Remove the ${who} memory limit`;
      return `Set the ${who} memory limit to ${valueText(value, 'size')}`;
    }
    if (key === 'cpus') return `Set the ${who} CPU cap (cpus) to ${String(value)}`;
    if (head === 'settings') {
      const s = SETTINGS[tail];
      if (s) return `Set ${who} ${s.name} to ${valueText(value, s.kind)}`;
      return `Set ${who} ${tail} to ${String(value)}`;
    }
    return `Set ${who} ${key} to ${String(value)}`;
  }
  if (head === 'features' && Object.hasOwn(FEATURE_NOUNS, tail)) {
    return `Turn ${value === false ? 'off' : 'on'} ${FEATURE_NOUNS[tail as keyof Features]}`;
  }
  if (key === 'host.ram') {
    const size = valueText(value, 'size');
    return `Move to ${withArticle(size)} host`;
  }
  if (head === 'host' && HOST[tail]) return `Set ${HOST[tail].name} to ${value === 'auto' ? 'auto (the engine’s estimate)' : valueText(value, HOST[tail].kind)}`;
  if (head === 'workload' && WORKLOAD[tail]) return `Set ${WORKLOAD[tail].name} to ${valueText(value, WORKLOAD[tail].kind)}`;
  return `Set ${key} to ${String(value)}`;
}

/** The verbs every change text starts with (changeText above). */
const VERBS = /^(Set|Remove|Turn|Move) /;

/**
 * Several changes as one sentence: "Set Redis maxmemory to 104 MiB; set the Grafana memory limit
 * to 96 MiB". The first keeps its capital; each after a semicolon starts in lower case, as a
 * sentence goes on (only the leading verb: names such as Redis keep theirs).
 */
export function changesText(changes: readonly Change[]): string {
  return changes.map((c, i) => {
    const t = changeText(c);
    return i === 0 ? t : t.replace(VERBS, (v) => v.toLowerCase());
  }).join('; ');
}
