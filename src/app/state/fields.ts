/**
 * The editable fields: what each is called on screen, what it accepts, and how typed text becomes
 * a plan-file value. Sizes and durations stay as the user typed them (`1g`, `7d`): the plan file
 * keeps the user's words, and the schema decides whether they mean something.
 */
import type { ServiceKind } from '../../engine/schema.ts';
import { engine } from '../derive/schema.ts';
import type { FieldSpec } from '../../engine/kinds/kind.ts';

export type { FieldSpec, FieldType } from '../../engine/kinds/kind.ts';

/** The settings a kind shows in its row's settings panel, in the order a person tunes them (its module's `fields`). */
export function kindFields(kind: ServiceKind): readonly FieldSpec[] {
  return engine().kindOf(kind).fields ?? [];
}

export const LIMIT_FIELD: FieldSpec = { key: 'limit', label: 'limit', type: 'size', none: true };
export const NAME_FIELD: FieldSpec = { key: 'name', label: 'name', type: 'text' };
export const HOST_FIELDS = {
  ram: { key: 'ram', label: 'host RAM', type: 'size' },
  reserve: { key: 'reserve', label: 'reserve', type: 'size', auto: true },
  swap: { key: 'swap', label: 'swap', type: 'size', optional: true },
  pricePerMonth: { key: 'pricePerMonth', label: 'price per month', type: 'number', optional: true },
  // Blank: the engine's default for the RAM (engine/cpu.ts defaultCpus).
  cpus: { key: 'cpus', label: 'vCPUs', type: 'number', optional: true },
} as const satisfies Record<string, FieldSpec>;
/**
 * A service's containers, beside its limit: its CPU cap per container (blank: none, the key left
 * out) and how many it runs (blank: one). The plan schema's bounds decide what is accepted
 * (cpus 0.01–1024, replicas a whole 1–64), with its messages.
 */
export const SERVICE_FIELDS = {
  cpus: { key: 'cpus', label: 'CPU cap', type: 'number', optional: true },
  replicas: { key: 'replicas', label: 'replicas', type: 'count', optional: true },
} as const satisfies Record<string, FieldSpec>;
export const WORKLOAD_FIELDS = {
  activeUsers: { key: 'activeUsers', label: 'active users', type: 'number', optional: true },
  spike: { key: 'spike', label: 'spike multiplier', type: 'number', optional: true },
} as const satisfies Record<string, FieldSpec>;

/** The choices of an enum setting, read from the kind's module (the same list its schema takes) so the two never drift. */
export function enumOptions(kind: ServiceKind, key: string): readonly string[] {
  return engine().kindOf(kind).enums?.[key] ?? [];
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
