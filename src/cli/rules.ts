/**
 * What each finding id means, for the outputs that list rules apart from results (SARIF's
 * `tool.driver.rules`: code-scanning UIs show the rule's description and help beside each
 * annotation). The level is the finding's usual severity; every result still carries its own.
 * An id missing here (a rule newer than this table) still gets a rule, named after its id.
 * Belongs beside the engine's findings once they carry their own descriptions.
 */
import type { Severity } from '../engine/index.ts';

export type RuleText = { severity: Severity; short: string; help: string };

const R = (severity: Severity, short: string, help: string): RuleText => ({ severity, short, help });

export const RULES: Record<string, RuleText> = {
  'usage-over-limit': R('critical', 'A service can use more memory than its limit', 'The model\'s high usage of the service is over its container limit: the kernel kills the container (OOM) when it gets there. Raise the limit to the value the fix names, or lower the setting that drives the largest part of its memory.'),
  'spike-over-limit': R('warning', 'In the traffic spike a service can exceed its limit', 'In the spike scenario (active users × the plan\'s spike multiplier) the service\'s high usage is over its limit. Raise the limit or cap the connections and workers the spike brings.'),
  'limit-below-docker-minimum': R('critical', 'A limit below Docker\'s 6 MiB minimum', 'Docker refuses a memory limit under 6 MiB, so the container does not start. A bare number in mem_limit is bytes, not MiB.'),
  'no-limit': R('warning', 'A service without a memory limit', 'Without a limit a service can take the whole host, and the kernel\'s OOM killer may pick another service. Set mem_limit (or deploy.resources.limits.memory) to the value the fix names.'),
  'limits-exceed-ram': R('critical', 'The limits plus the reserve exceed the host\'s RAM', 'The sum of the containers\' limits and the memory used outside containers (kernel, dockerd, containerd) is more than the host has: the limits promise memory that is not there. Lower the limits or use a larger host.'),
  'host-oom': R('critical', 'The host can run out of memory in normal traffic', 'At high usage the services (each capped at its limit) plus the reserve need more than the host\'s RAM and swap: a host-wide OOM kill can hit any service.'),
  'one-shot-startup': R('warning', 'A one-shot container does not fit beside the stack at startup', 'A container that runs once at startup (an init, a migration) is not counted in the steady state, but while it runs its high usage, beside the other services at their typical and the reserve, can need more than the host\'s RAM and swap: the init may be OOM-killed and what waits for it never starts.'),
  'spike-host-oom': R('warning', 'The host can run out of memory in the traffic spike', 'In the spike scenario the services plus the reserve can need more than the host\'s RAM and swap.'),
  'free-below-criterion': R('warning', 'Free memory under the success criterion', 'Free host memory can fall under max(500 MB, 12% of RAM), the criterion the plan is checked against. Lower the limits or use a larger host.'),
  'spike-free-below-criterion': R('warning', 'Free memory under the success criterion in the spike', 'In the spike scenario free host memory can fall under max(500 MB, 12% of RAM).'),
  'app-connections-exceed-max-client-conn': R('critical', 'The app can open more connections than pgBouncer accepts', 'replicas × workers × (pool_size + max_overflow) is over pgBouncer\'s max_client_conn: requests fail under load. Raise max_client_conn or lower the app\'s pool.'),
  'app-connections-exceed-max-connections': R('critical', 'The app can open more connections than PostgreSQL allows', 'replicas × workers × (pool_size + max_overflow) is over max_connections minus the reserved slots: a slow-query pile-up ends in "too many clients". Raise max_connections, pool with pgBouncer, or lower the app\'s pool.'),
  'connections-near-max': R('warning', 'PostgreSQL connections near max_connections', 'The client connections PostgreSQL can hold reach 90% or more of max_connections.'),
  'pgbouncer-without-postgres': R('warning', 'pgBouncer with no PostgreSQL to pool', 'The plan runs pgBouncer but no PostgreSQL service.'),
  'pgbouncer-pools-exceed-max-connections': R('critical', 'pgBouncer\'s pools can open more server connections than PostgreSQL allows', 'pools × (default_pool_size + reserve_pool_size) is over PostgreSQL\'s usable max_connections. Lower default_pool_size.'),
  'pgbouncer-session-mode': R('info', 'pgBouncer in session mode saves no backends', 'In session mode each client keeps its server connection. Transaction mode shares them (check that the app keeps no session state).'),
  'postgres-shm-size': R('warning', 'PostgreSQL parallel queries with Docker\'s small /dev/shm', 'Parallel queries need more than Docker\'s 64 MiB /dev/shm and fail with "could not resize shared memory segment". Set shm_size.'),
  'postgres-shared-buffers-large': R('warning', 'shared_buffers over 40% of the container\'s limit', 'Over 40% of the limit rarely helps and leaves little for backends and work_mem; 25% is the PostgreSQL docs\' usual start.'),
  'postgres-work-mem-worst-case': R('info', 'The work_mem worst case exceeds the limit', 'work_mem is per sort or hash node per query: if every connection ran a hash-heavy query at once PostgreSQL would need more than its limit. Keep work_mem modest and cap concurrent queries.'),
  'redis-no-maxmemory': R('critical', 'Redis without maxmemory', 'Without maxmemory Redis grows until its container limit kills it. Set maxmemory below the limit, leaving room for fragmentation and the persistence fork.'),
  'redis-fork-headroom': R('critical', 'Redis maxmemory leaves no room for the persistence fork', 'With RDB or AOF persistence Redis forks; the child\'s copy-on-write can need up to maxmemory more. Lower maxmemory or turn persistence off for a cache.'),
  'redis-maxmemory-headroom': R('warning', 'Redis maxmemory leaves no room for fragmentation', 'Redis\'s RSS can reach 1.5 × its used memory (fragmentation) plus client buffers: maxmemory too close to the limit does not leave room for them.'),
  'redis-noeviction-cache': R('warning', 'A cache with maxmemory-policy noeviction', 'At maxmemory every write fails instead of evicting an old entry. Use allkeys-lru for a cache.'),
  'redis-volatile-policy': R('info', 'A volatile-* eviction policy', 'Keys without a TTL are never evicted, so a volatile policy acts like noeviction when the app sets none.'),
  'no-monitoring': R('warning', 'No Prometheus: nothing watches memory', 'Without monitoring the first sign of an OOM kill is an outage.'),
  'alerts-nowhere': R('warning', 'Alert rules without an AlertManager', 'Prometheus evaluates alert rules but nothing routes them to people.'),
  'alerts-blind': R('warning', 'Alert rules read exporters the stack does not run', 'The alert rules read node_exporter, cAdvisor and the PostgreSQL and Redis exporters; those the stack does not run (it counts the ones its compose file runs) leave their alerts blind.'),
  'service-down-blind': R('info', 'Services that ServiceDown cannot see', 'Nothing scrapes these services (neither Headroom\'s jobs nor the stack\'s own prometheus.yml), so a stopped container shows only through its dependants.'),
  'scrape-target-unknown': R('info', 'A scrape job of your prometheus.yml names no service', 'A target of the mounted prometheus.yml names no service, container_name or alias of the compose file: a host outside it, a stale name, or localhost (inside a container, the container itself). The job is kept as written.'),
  'generic-usage-assumed': R('info', 'A generic service\'s usage is assumed', 'Headroom has no model for this service and assumes 32–128 MiB. Measure it with docker stats and write the usage into the plan.'),
  'cpu-saturated': R('warning', 'The host\'s services ask more than 80% of its vCPUs', 'The modelled CPU of the services on the host (app CPU per request, PostgreSQL per query, Redis and pgBouncer per operation, Prometheus per sample) is over 80% of its vCPUs at the mean: requests queue for the CPU. Give the host the vCPUs the fix names or lower the CPU per request.'),
  'spike-cpu-saturated': R('info', 'In the traffic spike the host\'s services ask more than 80% of its vCPUs', 'In the spike scenario the modelled CPU of the host\'s services is over 80% of its vCPUs. Give the host the vCPUs the fix names.'),
  'latency-over-criterion': R('warning', 'The API\'s p95 latency is over 500 ms', 'The modelled p95 of an API request (its own time, its wait for a CPU among the app\'s workers, its wait for a database connection) is over the criterion of 500 ms, or a queue grows without bound. Apply the fix: a worker per core, more pool connections, or more vCPUs.'),
  'spike-latency-over-criterion': R('info', 'In the traffic spike the API\'s p95 latency is over 500 ms', 'In the spike scenario the modelled p95 of an API request is over 500 ms, or a queue grows without bound. Apply the fix: a worker per core, more pool connections, or more vCPUs.'),
  'workers-beyond-cores': R('info', 'The app runs more workers than its host\'s cores use', 'More workers than gunicorn\'s (2 × cores) + 1 spend memory on processes the cores cannot run. Lower the workers to the value the fix names, or give the host more vCPUs.'),
  'cpu-over-limit': R('warning', 'A service asks more CPU than its cpus cap', 'The modelled CPU of a service at the mean is over its cpus cap (compose\'s cpus or deploy.resources.limits.cpus, times its replicas): the kernel throttles it and its work queues. Raise cpus to the value the fix names, or lower the CPU it needs.'),
  'single-host': R('info', 'Every service runs on one host', 'A hardware or provider failure is a complete outage. Monitor from outside, ship database dumps off the host and test a restore.'),
  'observed-near-limit': R('warning', 'Observed usage near the limit', 'The evidence saw the service within the margin (krr: 15%) kept above its observed percentile.'),
  'observed-limit-generous': R('info', 'A limit far above observed and modelled usage', 'The limit holds more than the observed peak and the model\'s high need; lowering it gives the host memory back.'),
  'observed-above-model': R('info', 'Observed usage above the model', 'docker stats saw more than the model\'s high for the service\'s settings: the model underestimates it, or something else runs in the container.'),
  'observed-below-model': R('info', 'Observed usage below the model', 'The evidence saw less than the model\'s low for the service\'s settings: a setting the import missed, or a window that never loaded it.'),
  'observed-oom-kill': R('critical', 'OOM-killed in the evidence', 'The kernel killed a container of the service (recorded by observe, docker events or memory.events oom_kill): its limit was too small for what it did.'),
  'observed-growing': R('warning', 'Observed usage climbing steadily', 'The working set climbed steadily over the window: a leak, or a cache still filling.'),
  // The kinds added in issue 10 (src/engine/kinds/<kind>.ts).
  'clickhouse-mark-cache-large': R('warning', "ClickHouse's mark cache is large for its limit", "mark_cache_size (5 GiB by default) can grow into most of a small container's memory. Lower mark_cache_size in the server's config to the value the fix names."),
  'clickhouse-server-memory-over-limit': R('critical', "ClickHouse may use more memory than its limit", "max_server_memory_usage (or its ratio of the memory ClickHouse detects) allows more than the container's limit: queries are not stopped before the kernel kills the server. Set max_server_memory_usage under the limit."),
  'clickhouse-sized-for-host': R('warning', "ClickHouse sizes itself from the host's RAM", "Without a container limit ClickHouse reads the host's memory and sizes its caches and query cap from it. Set a limit, or max_server_memory_usage."),
  'clickhouse-small-limit': R('warning', "ClickHouse's limit is under what its server needs", "The server's own code, caches and a query need more than the container's limit. Raise the limit to the value the fix names."),
  'dragonfly-maxmemory-over-limit': R('critical', "Dragonfly's maxmemory exceeds its limit", "--maxmemory plus the server's own memory is over the container limit: the kernel kills it before Dragonfly evicts. Set --maxmemory under the limit."),
  'dragonfly-maxmemory-per-thread': R('warning', "Dragonfly's maxmemory is under 256 MiB per thread", "Dragonfly needs about 256 MiB of maxmemory per proactor thread and refuses less. Lower --proactor_threads or raise --maxmemory."),
  'go-memlimit-over-limit': R('warning', "GOMEMLIMIT is above the container's limit", "Go's soft memory limit is over the container limit, so the collector does not work harder before the kernel kills the process. Set GOMEMLIMIT to about 90% of the limit."),
  'go-memlimit-under-usage': R('warning', "GOMEMLIMIT is under the live heap", "A soft limit under what the program keeps live makes the garbage collector run continuously. Raise GOMEMLIMIT or the limit."),
  'jvm-heap-from-host': R('warning', "The JVM sizes its heap from the host's RAM", "Without a container limit (or -Xmx) the JVM takes a share of the host's memory for its heap. Set a limit and -Xmx."),
  'jvm-heap-over-limit': R('critical', "The Java heap is at or over the container's limit", "-Xmx (or MaxRAMPercentage of the limit) leaves no room for the memory outside the heap: the kernel kills the JVM when the heap fills. Lower the heap to the value the fix names."),
  'jvm-nonheap-room': R('warning', "Too little room outside the Java heap", "Heap plus metaspace, code cache, thread stacks, direct buffers and the GC can exceed the limit at high usage. Lower -Xmx or raise the limit."),
  'memcached-memory-over-limit': R('critical', "memcached's -m exceeds its limit", "Items up to -m plus the hash table and connection buffers are over the container limit. Set -m to the value the fix names."),
  'minio-requests-over-limit': R('warning', "MinIO's requests in flight can exceed its limit", "About 2 MiB per request in flight up to MinIO's request cap is over the container limit. Set MINIO_API_REQUESTS_MAX or raise the limit."),
  'mongodb-cache-host-ram': R('warning', "MongoDB sizes its cache from the host's RAM", "Without a limit (or on versions that read the host's memory) the WiredTiger cache defaults to half of the host's RAM minus 1 GB. Set --wiredTigerCacheSizeGB."),
  'mongodb-cache-over-limit': R('critical', "MongoDB's WiredTiger cache leaves no room in its limit", "The cache plus connections and the server's own memory exceed the container limit. Set --wiredTigerCacheSizeGB to the value the fix names."),
  'mysql-buffer-pool-over-limit': R('critical', "The InnoDB buffer pool leaves no room in its limit", "innodb_buffer_pool_size plus the server, its connections and performance_schema exceed the container limit. Lower innodb_buffer_pool_size to the value the fix names."),
  'mysql-connections-near-max': R('warning', "MySQL connections near max_connections", "The apps' connections reach 90% of max_connections; new connections fail with \"Too many connections\" beyond it. Raise max_connections or pool the connections."),
  'mysql-connections-worst-case': R('warning', "MySQL's per-connection buffers can exceed its limit", "With every connection open and its sort, join and read buffers filled, the server exceeds the limit. Lower max_connections or the per-thread buffers."),
  'mysql-performance-schema-small-limit': R('warning', "performance_schema is large for a small limit", "performance_schema takes about 100 MiB or more, sized from max_connections. On a small container turn it off (--performance-schema=0) or size it down."),
  'node-heap-from-host': R('warning', "Node sizes its heap from the host's RAM", "Without a container limit or --max-old-space-size, V8 picks its heap limit from the memory it sees. Set a limit and --max-old-space-size in NODE_OPTIONS."),
  'node-heap-over-limit': R('critical', "Node's heap limit exceeds the container's limit", "--max-old-space-size (or V8's default) times the processes exceeds the limit: the kernel kills Node before V8 collects. Set --max-old-space-size to the value the fix names."),
  'proxy-connections-over-limit': R('warning', "The proxy's connections can exceed its limit", "worker_processes × worker_connections × their buffers is over the container limit at full load. Lower worker_connections or raise the limit."),
  'python-workers-over-limit': R('critical', "Python processes exceed the limit", "Workers × their memory plus the master is over the container limit. Lower --workers / --concurrency to the value the fix names, or raise the limit."),
  'rabbitmq-watermark-over-limit': R('critical', "RabbitMQ's memory watermark is over its limit", "vm_memory_high_watermark lets the node use more than the container limit before it blocks publishers; the garbage collector can double it. Set vm_memory_high_watermark.absolute to the value the fix names."),
};

/** The rule text of a finding id; an id this table does not know gets a plain one. */
export function ruleText(id: string, severity: Severity): RuleText {
  return RULES[id] ?? R(severity, `Headroom finding ${id}`, 'See the result\'s message and its fix.');
}
