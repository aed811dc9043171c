/**
 * A finding named in an operator's words, for text people read (the page's verdict, the CLI's
 * tables): "redis: no room to fork for a snapshot". Machine outputs (JSON, SARIF, JUnit) keep the
 * finding's id (verdict.ts findingLabel). One table for every caller; an id missing from it is
 * shown with its dashes as spaces (still readable, and a test lists the ids the rules raise).
 * Pure.
 */

/** What each finding id says, in words (no plan-file keys, no ids). */
export const FINDING_WORDS: Readonly<Record<string, string>> = {
  'alerts-blind': 'alerts cannot see memory (no exporters)',
  'alerts-nowhere': 'alerts go nowhere (no AlertManager)',
  'app-connections-exceed-max-client-conn': "the apps open more connections than pgBouncer's max_client_conn",
  'app-connections-exceed-max-connections': "the apps open more connections than PostgreSQL's max_connections",
  'clickhouse-mark-cache-large': "ClickHouse's mark cache is large for its limit",
  'clickhouse-server-memory-over-limit': "ClickHouse's max_server_memory_usage is over its limit",
  'clickhouse-sized-for-host': 'ClickHouse sizes itself for the whole host',
  'clickhouse-small-limit': 'the limit is small for ClickHouse',
  'connections-near-max': "connections near PostgreSQL's max_connections",
  'cpu-over-limit': 'CPU demand over its cpus cap',
  'dragonfly-maxmemory-over-limit': "Dragonfly's maxmemory is over its limit",
  'dragonfly-maxmemory-per-thread': "Dragonfly's maxmemory is too small per thread",
  'cpu-saturated': 'the host runs short of CPU',
  'free-below-criterion': 'free memory falls under the criterion',
  'generic-usage-assumed': 'usage is a guess',
  'go-memlimit-over-limit': 'GOMEMLIMIT is over its limit',
  'go-memlimit-under-usage': 'GOMEMLIMIT is under its usage',
  'host-oom': 'the host runs out of memory',
  'jvm-heap-from-host': 'the JVM sizes its heap from the whole host',
  'jvm-heap-over-limit': 'the JVM heap is over its limit',
  'jvm-nonheap-room': 'no room beside the JVM heap',
  'latency-over-criterion': 'API latency over the p95 criterion',
  'limit-below-docker-minimum': "limit under Docker's minimum",
  'limits-exceed-ram': 'the limits and the reserve exceed the RAM',
  'memcached-memory-over-limit': "Memcached's memory is over its limit",
  'minio-requests-over-limit': "MinIO's requests need more than its limit",
  'mongodb-cache-host-ram': "MongoDB's cache is sized from the whole host",
  'mongodb-cache-over-limit': "MongoDB's cache is over its limit",
  'mysql-buffer-pool-over-limit': "MySQL's buffer pool is over its limit",
  'mysql-connections-near-max': "connections near MySQL's max_connections",
  'mysql-connections-worst-case': 'MySQL at its connection limit does not fit',
  'mysql-performance-schema-small-limit': "MySQL's performance schema is large for its limit",
  'no-limit': 'no memory limit',
  'no-monitoring': 'no monitoring',
  'node-heap-from-host': 'Node.js sizes its heap from the whole host',
  'node-heap-over-limit': 'the Node.js heap is over its limit',
  'observed-above-model': 'seen using more than modelled',
  'observed-below-model': 'seen using less than modelled',
  'observed-growing': 'memory seen growing',
  'observed-limit-generous': 'limit far above what it was seen using',
  'observed-near-limit': 'seen near its limit',
  'observed-oom-kill': 'killed for memory (OOM)',
  'pgbouncer-pools-exceed-max-connections': "pgBouncer's pools exceed PostgreSQL's max_connections",
  'pgbouncer-session-mode': 'pgBouncer in session mode pools nothing',
  'pgbouncer-without-postgres': 'pgBouncer with no PostgreSQL',
  'php-children-over-limit': 'PHP workers need more than its limit',
  'php-memory-limit-over-limit': "PHP's memory_limit is over its limit",
  'postgres-shared-buffers-large': "PostgreSQL's shared_buffers is large for its limit",
  'postgres-shm-size': "PostgreSQL's shared memory is over the container's shm_size",
  'postgres-work-mem-worst-case': 'PostgreSQL at its connection limit does not fit',
  'proxy-connections-over-limit': "the proxy's connections need more than its limit",
  'python-workers-over-limit': 'Python workers need more than its limit',
  'rabbitmq-watermark-over-limit': "RabbitMQ's memory watermark is over its limit",
  'redis-fork-headroom': 'no room to fork for a snapshot',
  'redis-maxmemory-headroom': 'no room above maxmemory',
  'redis-no-maxmemory': 'no maxmemory set',
  'redis-noeviction-cache': 'a cache that never evicts',
  'redis-volatile-policy': 'evicts only keys with a TTL',
  'ruby-workers-over-limit': 'Ruby workers need more than its limit',
  'scrape-target-unknown': 'Prometheus scrapes an unknown target',
  'service-down-blind': 'no alert when a service goes down',
  'single-host': 'everything on one host',
  'spike-cpu-saturated': 'the host runs short of CPU in the spike',
  'spike-free-below-criterion': 'free memory falls under the criterion in the spike',
  'spike-host-oom': 'the host runs out of memory in the spike',
  'spike-latency-over-criterion': 'API latency over the p95 criterion in the spike',
  'spike-over-limit': 'over its limit in the spike',
  'usage-over-limit': 'usage over its limit',
  'workers-beyond-cores': 'more app workers than the host has cores',
};

/** `<kind>-limit-too-small` (kinds/memory-setting.ts): one wording for every kind. */
const LIMIT_TOO_SMALL = /^(.+)-limit-too-small$/;

/** A finding as people read it: `redis: no room to fork for a snapshot`; a host finding without a service name. */
export function findingWords(f: { id: string; service: string | null }): string {
  const words = FINDING_WORDS[f.id] ?? (LIMIT_TOO_SMALL.test(f.id) ? 'the limit is too small for its memory setting' : f.id.replaceAll('-', ' '));
  return f.service ? `${f.service}: ${words}` : words;
}
