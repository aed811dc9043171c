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
  'spike-host-oom': R('warning', 'The host can run out of memory in the traffic spike', 'In the spike scenario the services plus the reserve can need more than the host\'s RAM and swap.'),
  'free-below-criterion': R('warning', 'Free memory under the success criterion', 'Free host memory can fall under max(500 MB, 12% of RAM), the criterion the plan is checked against. Lower the limits or use a larger host.'),
  'spike-free-below-criterion': R('warning', 'Free memory under the success criterion in the spike', 'In the spike scenario free host memory can fall under max(500 MB, 12% of RAM).'),
  'app-connections-exceed-max-client-conn': R('critical', 'The app can open more connections than pgBouncer accepts', 'replicas × workers × (poolSize + maxOverflow) is over pgBouncer\'s max_client_conn: requests fail under load. Raise max_client_conn or lower the app\'s pool.'),
  'app-connections-exceed-max-connections': R('critical', 'The app can open more connections than PostgreSQL allows', 'replicas × workers × (poolSize + maxOverflow) is over max_connections minus the reserved slots: a slow-query pile-up ends in "too many clients". Raise max_connections, pool with pgBouncer, or lower the app\'s pool.'),
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
  'alerts-blind': R('warning', 'Alert rules read exporters the stack does not run', 'The alert rules read node_exporter, cAdvisor and the PostgreSQL and Redis exporters; without them those alerts never fire.'),
  'service-down-blind': R('info', 'Services that ServiceDown cannot see', 'Nothing scrapes these services, so a stopped container shows only through its dependants.'),
  'generic-usage-assumed': R('info', 'A generic service\'s usage is assumed', 'Headroom has no model for this service and assumes 32–128 MiB. Measure it with docker stats and write the usage into the plan.'),
  'single-host': R('info', 'Every service runs on one host', 'A hardware or provider failure is a complete outage. Monitor from outside, ship database dumps off the host and test a restore.'),
  'observed-near-limit': R('warning', 'Observed usage near the limit', 'docker stats saw the service within krr\'s 15% margin of its limit.'),
  'observed-limit-generous': R('info', 'A limit far above observed and modelled usage', 'The limit holds more than the observed peak and the model\'s high need; lowering it gives the host memory back.'),
  'observed-above-model': R('info', 'Observed usage above the model', 'docker stats saw more than the model\'s high for the service\'s settings: the model underestimates it, or something else runs in the container.'),
};

/** The rule text of a finding id; an id this table does not know gets a plain one. */
export function ruleText(id: string, severity: Severity): RuleText {
  return RULES[id] ?? R(severity, `Headroom finding ${id}`, 'See the result\'s message and its fix.');
}
