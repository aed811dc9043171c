/** Findings about PostgreSQL: its connections, direct or through pgBouncer, and its memory settings. */
import type { Plan, ServiceOf } from '../../schema.ts';
import type { Finding } from '../../report.ts';
import { connectionsLine, connectionsNearMax as nearMax, maxConnectionsFor, severityOf } from '../../policy.ts';
import { planWithFeatures } from '../../features.ts';
import { trafficOf } from '../../traffic.ts';
import { finding, fmt, pct, servicesOf, setSize, type Rule } from '../../findings/context.ts';
import { POSTGRES_DEFAULTS, SHARED_BUFFERS_SHARE, usableConnections } from './settings.ts';

const RESERVED = POSTGRES_DEFAULTS.superuserReservedConnections;
/** Docker's default /dev/shm (docker-library/postgres#416). */
const DOCKER_SHM_MIB = 64;
/** Parallel queries running at once that /dev/shm must hold. Assumed: 4 on a small host. */
const PARALLEL_QUERIES = 4;

/** The app's connections against max_connections, when no pgBouncer stands in front (its own rule checks max_client_conn). */
export const appOverMaxConnections: Rule = ({ plan, normal }) => {
  const pg = servicesOf(plan, 'postgres')[0];
  const app = normal.traffic.appConnections;
  if (!pg || app === 0 || servicesOf(plan, 'pgbouncer').length > 0) return [];
  const usable = usableConnections(pg.settings.maxConnections);
  if (app <= usable) return [];
  const target = app + RESERVED;
  // Demand over a fixed capacity once the pools fill: certain, and clients are refused.
  return [finding('app-connections-exceed-max-connections', severityOf({ p: 1 }, 'outage'), pg.name,
    `The app can open ${app} connections (replicas × workers × (pool_size + max_overflow)) but PostgreSQL allows ${usable} (max_connections ${pg.settings.maxConnections} − ${RESERVED} reserved): a slow-query pile-up ends in "too many clients".`,
    `Set ${pg.name} max_connections to ${target} (each backend costs 2–12 MiB), or turn on pgBouncer, or lower the app's max_overflow.`,
    [{ service: pg.name, key: 'settings.maxConnections', value: target }])];
};

/** The peak client backends of `plan` in normal traffic and in its spike. */
function peaksOf(plan: Plan): number[] {
  return [1, plan.workload.spike].map((m) => trafficOf(plan, m).backends.high);
}

/**
 * The smallest max_connections that keeps the peak backends under the 90% line in normal traffic
 * and in the spike. Raising max_connections lifts the cap on backends (max − reserved), so the
 * peak is recomputed until it holds (each round only adds the slots it opened; the peak is
 * bounded by what the app and its pools open, so it stops). The round cap is a guard only.
 */
function maxConnectionsForBoth(plan: Plan, pg: ServiceOf<'postgres'>): number {
  let max = pg.settings.maxConnections;
  for (let round = 0; round < 10_000; round++) {
    const at = { ...plan, services: plan.services.map((s) => (s.name === pg.name ? { ...pg, settings: { ...pg.settings, maxConnections: max } } : s)) };
    const peak = Math.max(...peaksOf(at));
    if (!nearMax(peak, max)) return max;
    max = maxConnectionsFor(peak, max + 1);
  }
  return max;
}

export const connectionsNearMax: Rule = ({ plan, normal, spike }) => {
  const pg = servicesOf(plan, 'postgres')[0];
  if (!pg) return [];
  const max = pg.settings.maxConnections;
  const limit = connectionsLine(max);
  for (const sc of [normal, spike]) {
    const peak = sc.traffic.backends.high;
    if (!nearMax(peak, max)) continue;
    const isSpike = sc === spike;
    // The fix holds both scenarios: pgBouncer only when its pool keeps both under the line.
    const target = maxConnectionsForBoth(plan, pg);
    const pooled = !plan.features.pgbouncer && peaksOf(planWithFeatures({ ...plan, features: { ...plan.features, pgbouncer: true } })).every((p) => !nearMax(p, max));
    return [finding('connections-near-max', severityOf({ p: 1 }, 'degraded', isSpike ? 'spike' : 'normal'), pg.name,
      `${isSpike ? `In the ×${spike.multiplier} spike` : 'Under normal traffic'} PostgreSQL can hold ${peak} client connections, ${pct(peak / max)} of max_connections ${max}: the success criterion is under ${Math.ceil(limit)} (90%).`,
      pooled
        ? `Turn on pgBouncer to cap backends at its pool, or set ${pg.name} max_connections to ${target}.`
        : `Set ${pg.name} max_connections to ${target}${plan.features.pgbouncer ? ", or lower pgBouncer's default_pool_size" : ', or turn on pgBouncer with a pool under the line'}.`,
      pooled ? [{ key: 'features.pgbouncer', value: true }] : [{ service: pg.name, key: 'settings.maxConnections', value: target }])];
  }
  return [];
};

export const postgresMemorySettings: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const pg of servicesOf(plan, 'postgres')) {
    const s = pg.settings;
    if (s.maxParallelWorkersPerGather > 0 && s.shmSize <= DOCKER_SHM_MIB) {
      // Parallel hash joins put work_mem × hash_mem_multiplier per process in /dev/shm.
      const need = PARALLEL_QUERIES * s.workMem * POSTGRES_DEFAULTS.hashMemMultiplier * (s.maxParallelWorkersPerGather + 1);
      const target = Math.max(128, Math.ceil(need / 64) * 64);
      out.push(finding('postgres-shm-size', severityOf({ p: 1 }, 'degraded'), pg.name,
        `${pg.name} runs parallel queries (max_parallel_workers_per_gather ${s.maxParallelWorkersPerGather}) with Docker's ${fmt(s.shmSize)} /dev/shm: they fail with "could not resize shared memory segment" (docker-library/postgres#416).`,
        `Set ${pg.name} shm_size to ${fmt(target)} (compose's shm_size; it counts against the container's limit when used).`,
        [setSize(pg.name, 'settings.shmSize', target)]));
    }
    if (pg.limit !== null && s.sharedBuffers > SHARED_BUFFERS_SHARE.max * pg.limit) {
      const target = Math.floor((pg.limit * SHARED_BUFFERS_SHARE.usual) / 8) * 8;
      out.push(finding('postgres-shared-buffers-large', severityOf({ p: 1 }, 'degraded'), pg.name,
        `shared_buffers ${fmt(s.sharedBuffers)} is ${pct(s.sharedBuffers / pg.limit)} of ${pg.name}'s ${fmt(pg.limit)} limit: over 40% rarely helps and leaves little for backends and work_mem.`,
        `Set ${pg.name} shared_buffers to ${fmt(target)} (25% of the limit, the PG docs' usual start).`, [setSize(pg.name, 'settings.sharedBuffers', target)]));
    }
    if (pg.limit !== null) {
      // The worst case PGTune ignores: every allowed connection running a hash-heavy query.
      const worst = s.sharedBuffers + s.maxConnections * s.workMem * 3 * POSTGRES_DEFAULTS.hashMemMultiplier;
      if (worst > pg.limit) {
        out.push(finding('postgres-work-mem-worst-case', severityOf({ p: 1 }, 'advice'), pg.name,
          `If all ${s.maxConnections} connections ran a query with 3 hash nodes at work_mem ${fmt(s.workMem)} (× hash_mem_multiplier 2), ${pg.name} would need ${fmt(worst)}, over its ${fmt(pg.limit)} limit. work_mem is a soft, per-node limit.`,
          `Keep work_mem modest and cap concurrent queries with pgBouncer; set a larger work_mem per role for reports instead.`));
      }
    }
  }
  return out;
};
