/**
 * The editable fields: what each is called on screen, what it accepts, and how typed text becomes
 * a plan-file value. Sizes and durations stay as the user typed them (`1g`, `7d`): the plan file
 * keeps the user's words, and the schema decides whether they mean something.
 */
import type { ServiceKind } from '../../engine/schema.ts';
import { schema } from '../derive/schema.ts';

export type FieldType = 'size' | 'count' | 'duration' | 'number' | 'enum' | 'bool' | 'text';

export type FieldSpec = {
  /** Key under `settings` (dotted for nested: `usage.low`), or the plan key for top-level fields. */
  key: string;
  /** The name on screen: the config file's own name where there is one. */
  label: string;
  type: FieldType;
  /** Blank removes the key, so the engine's default applies. */
  optional?: boolean;
  /** `none` means no limit (null). */
  none?: boolean;
  /** `auto` is accepted as itself. */
  auto?: boolean;
};

const size = (key: string, label: string): FieldSpec => ({ key, label, type: 'size', optional: true });
const count = (key: string, label: string): FieldSpec => ({ key, label, type: 'count', optional: true });
const choice = (key: string, label: string): FieldSpec => ({ key, label, type: 'enum', optional: true });

/** The settings each kind shows in its row's settings panel, in the order a person tunes them. */
export const KIND_FIELDS: Record<ServiceKind, readonly FieldSpec[]> = {
  fastapi: [count('workers', 'workers'), size('perWorker', 'memory per worker'), count('poolSize', 'pool_size'), count('maxOverflow', 'max_overflow'), count('replicas', 'replicas'), { key: 'preload', label: 'preload app', type: 'bool', optional: true }],
  postgres: [count('maxConnections', 'max_connections'), size('sharedBuffers', 'shared_buffers'), size('workMem', 'work_mem'), size('maintenanceWorkMem', 'maintenance_work_mem'), count('autovacuumMaxWorkers', 'autovacuum_max_workers'), count('maxParallelWorkersPerGather', 'max_parallel_workers_per_gather'), size('shmSize', 'shm_size')],
  redis: [size('maxmemory', 'maxmemory'), choice('policy', 'maxmemory-policy'), choice('persistence', 'persistence'), size('appData', 'app data')],
  pgbouncer: [choice('poolMode', 'pool_mode'), count('maxClientConn', 'max_client_conn'), count('defaultPoolSize', 'default_pool_size'), count('reservePoolSize', 'reserve_pool_size'), count('pools', 'user/database pools'), count('maxPreparedStatements', 'max_prepared_statements')],
  prometheus: [{ key: 'scrapeInterval', label: 'scrape_interval', type: 'duration', optional: true }, { key: 'retention', label: 'retention', type: 'duration', optional: true }, count('series', 'active series')],
  grafana: [],
  alertmanager: [],
  generic: [size('usage.low', 'usage low'), size('usage.typical', 'usage typical'), size('usage.high', 'usage high')],
};

export const LIMIT_FIELD: FieldSpec = { key: 'limit', label: 'limit', type: 'size', none: true };
export const NAME_FIELD: FieldSpec = { key: 'name', label: 'name', type: 'text' };
export const HOST_FIELDS = {
  ram: { key: 'ram', label: 'host RAM', type: 'size' },
  reserve: { key: 'reserve', label: 'reserve', type: 'size', auto: true },
  swap: { key: 'swap', label: 'swap', type: 'size', optional: true },
  pricePerMonth: { key: 'pricePerMonth', label: 'price per month', type: 'number', optional: true },
} as const satisfies Record<string, FieldSpec>;
export const WORKLOAD_FIELDS = {
  activeUsers: { key: 'activeUsers', label: 'active users', type: 'number', optional: true },
  spike: { key: 'spike', label: 'spike multiplier', type: 'number', optional: true },
} as const satisfies Record<string, FieldSpec>;

/** The choices of an enum setting, read from the schema so the two never drift. */
export function enumOptions(kind: ServiceKind, key: string): readonly string[] {
  const forKind = (schema().ENUM_SETTINGS as Partial<Record<ServiceKind, Record<string, readonly string[]>>>)[kind];
  return forKind?.[key] ?? [];
}

export type Converted = { kind: 'set'; value: unknown } | { kind: 'delete' } | { kind: 'invalid'; message: string };

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Typed text to the value the plan file stores; what the schema would refuse is left to the schema. */
export function textToValue(spec: FieldSpec, text: string): Converted {
  const t = text.trim();
  if (t === '') {
    if (spec.optional) return { kind: 'delete' };
    if (spec.none) return { kind: 'invalid', message: 'expected a size like 512MiB, 512m or 1.5GiB, or none for no limit' };
    return { kind: 'set', value: t };
  }
  if (spec.none && /^none$/i.test(t)) return { kind: 'set', value: null };
  if (spec.auto && /^auto$/i.test(t)) return { kind: 'set', value: 'auto' };
  if (spec.type === 'bool') {
    if (t === 'true' || t === 'false') return { kind: 'set', value: t === 'true' };
    return { kind: 'invalid', message: `expected true or false, got "${t}"` };
  }
  if (spec.type === 'count' || spec.type === 'number') {
    if (!NUMBER_RE.test(t)) return { kind: 'invalid', message: `expected a number, got "${t}"` };
    return { kind: 'set', value: Number(t) };
  }
  return { kind: 'set', value: t };
}

/** The plan value as the text a field shows. */
export function valueToText(value: unknown): string {
  if (value === null) return 'none';
  if (value === undefined) return '';
  return String(value);
}
