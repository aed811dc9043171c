/**
 * Named starting plans, written in plan-file form so that they read like a user's file.
 * `4gb` is the seed report's table exactly; `full` is the original stack it trimmed; `8gb` is the
 * upgrade tier the seed plans "at 10K users".
 */
import type { PlanInput } from './schema.ts';

const preset4gb: PlanInput = {
  name: 'production-4gb',
  host: { ram: '4GiB', reserve: 'auto', swap: 0, pricePerMonth: 25 }, // seed: "$25" per month for 4 GB
  workload: { activeUsers: 1000, spike: 5 }, // seed: traffic spike "5x normal"
  features: { pgbouncer: false, semanticCache: false, alertmanager: false }, // seed: none deployed yet
  services: [
    // seed: FastAPI Backend 500MB, expected 250–500MB. 3 workers × (5 + 10) = 45 connections,
    // the seed's own "< 45 (90% of max)" line.
    { name: 'fastapi', kind: 'fastapi', limit: '500MiB', settings: { workers: 3, perWorker: '110MiB', poolSize: 5, maxOverflow: 10 } },
    // seed: PostgreSQL 800MB, "Database connections < 45 (90% of max)" → max_connections 50;
    // shared_buffers 25% of the limit (PG docs' usual start).
    { name: 'postgres', kind: 'postgres', limit: '800MiB', settings: { maxConnections: 50, sharedBuffers: '200MiB', workMem: '4MiB', maintenanceWorkMem: '64MiB' } },
    // seed: Redis Cache 300MB, 256MB expected → maxmemory 256; its LRU link → allkeys-lru.
    // The seed sets no persistence, so the image's default RDB snapshots stay on.
    { name: 'redis', kind: 'redis', limit: '300MiB', settings: { maxmemory: '256MiB', policy: 'allkeys-lru', persistence: 'rdb' } },
    // seed: Prometheus 200MB, 30s scrape, 7d retention.
    { name: 'prometheus', kind: 'prometheus', limit: '200MiB', settings: { scrapeInterval: '30s', retention: '7d' } },
    // seed: Grafana 150MB.
    { name: 'grafana', kind: 'grafana', limit: '150MiB', settings: {} },
  ],
};

const presetFull: PlanInput = {
  name: 'original-full-stack',
  // seed "Before vs After": 8 services, 5.5GB+, 15s scrape, 30d retention, $50/month.
  host: { ram: '8GiB', reserve: 'auto', swap: 0, pricePerMonth: 50 },
  workload: { activeUsers: 1000, spike: 5 },
  features: { pgbouncer: false, semanticCache: false, alertmanager: false },
  services: [
    { name: 'fastapi', kind: 'fastapi', limit: '1GiB', settings: { workers: 4, perWorker: '130MiB', poolSize: 10, maxOverflow: 10 } },
    { name: 'postgres', kind: 'postgres', limit: '2GiB', settings: { maxConnections: 100, sharedBuffers: '512MiB', workMem: '8MiB', maintenanceWorkMem: '128MiB' } },
    { name: 'redis', kind: 'redis', limit: '512MiB', settings: { maxmemory: '384MiB', policy: 'allkeys-lru', persistence: 'rdb' } },
    { name: 'prometheus', kind: 'prometheus', limit: '1GiB', settings: { scrapeInterval: '15s', retention: '30d', series: 30000 } },
    { name: 'grafana', kind: 'grafana', limit: '512MiB', settings: {} },
    // The seed does not name the other three; assumed: the exporters and worker a stack with
    // 47 alert rules usually runs.
    { name: 'worker', kind: 'generic', limit: '512MiB', settings: { usage: { low: '150MiB', typical: '250MiB', high: '450MiB' } } },
    { name: 'cadvisor', kind: 'generic', limit: '256MiB', settings: { image: 'gcr.io/cadvisor/cadvisor', usage: { low: '40MiB', typical: '90MiB', high: '200MiB' } } },
    { name: 'node-exporter', kind: 'generic', limit: '64MiB', settings: { image: 'prom/node-exporter', usage: { low: '8MiB', typical: '15MiB', high: '21MiB' } } },
  ],
};

const preset8gb: PlanInput = {
  name: 'production-8gb',
  host: { ram: '8GiB', reserve: 'auto', swap: 0, pricePerMonth: 50 }, // seed: the full stack's $50 for 8 GB
  workload: { activeUsers: 10000, spike: 5 }, // seed: "8GB at 10K users"
  features: { pgbouncer: true, semanticCache: true, alertmanager: true, exporters: true },
  services: [
    // Re-tuned by Headroom's own findings for 10k users: every high usage fits its limit.
    { name: 'fastapi', kind: 'fastapi', limit: '1.5GiB', settings: { workers: 6, perWorker: '110MiB', poolSize: 5, maxOverflow: 5 } },
    { name: 'postgres', kind: 'postgres', limit: '2.5GiB', settings: { maxConnections: 80, sharedBuffers: '512MiB', workMem: '4MiB', maintenanceWorkMem: '128MiB', shmSize: '256MiB' } },
    { name: 'redis', kind: 'redis', limit: '1GiB', settings: { maxmemory: '384MiB', policy: 'allkeys-lru', persistence: 'rdb' } },
    { name: 'pgbouncer', kind: 'pgbouncer', limit: '32MiB', settings: { poolMode: 'transaction', maxClientConn: 200, defaultPoolSize: 40 } },
    { name: 'prometheus', kind: 'prometheus', limit: '512MiB', settings: { scrapeInterval: '30s', retention: '15d' } },
    { name: 'grafana', kind: 'grafana', limit: '256MiB', settings: {} },
    { name: 'alertmanager', kind: 'alertmanager', limit: '64MiB', settings: {} },
  ],
};

export const PRESETS = { '4gb': preset4gb, full: presetFull, '8gb': preset8gb } as const satisfies Record<string, PlanInput>;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** A fresh deep copy of a preset, safe to edit. */
export function presetGet(name: PresetName): PlanInput {
  return structuredClone(PRESETS[name]);
}

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}

/** An empty plan on a 4 GiB host, for "start from empty". */
export function planEmpty(): PlanInput {
  return { name: 'empty', host: { ram: '4GiB', reserve: 'auto', swap: 0 }, services: [] };
}
