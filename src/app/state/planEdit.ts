/**
 * Pure, immutable edits of a PlanInput (the plan as the user writes it). The store calls these;
 * none of them validates: the store runs planParse on the result before keeping it.
 */
import type { Features, PlanInput, ServiceKind } from '../../engine/schema.ts';
import { engine } from '../derive/schema.ts';

export type Path = ReadonlyArray<string | number>;
type ServiceInput = PlanInput['services'][number];
export type FeatureName = keyof Features;

/** A copy of `obj` with `value` at `path`; objects and arrays along the path are copied, the rest shared. */
export function pathSet<T>(obj: T, path: Path, value: unknown): T {
  if (path.length === 0) return value as T;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  const base: unknown = obj ?? (typeof head === 'number' ? [] : {});
  const child = (base as Record<string | number, unknown>)[head];
  const next = pathSet(child, rest, value);
  if (Array.isArray(base)) {
    const copy = base.slice();
    copy[head as number] = next;
    return copy as T;
  }
  return { ...(base as object), [head]: next } as T;
}

/** A copy of `obj` without the key at `path` (a no-op when it is absent). */
export function pathDelete<T>(obj: T, path: Path): T {
  if (path.length === 0) return obj;
  const parent = pathGet(obj, path.slice(0, -1));
  const key = path[path.length - 1] as string | number;
  if (parent === null || typeof parent !== 'object' || !(key in parent)) return obj;
  if (Array.isArray(parent)) return pathSet(obj, path.slice(0, -1), parent.filter((_, i) => i !== key));
  const { [key]: _drop, ...rest } = parent as Record<string | number, unknown>;
  return pathSet(obj, path.slice(0, -1), rest);
}

/** The value at `path`, or undefined. */
export function pathGet(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** `base`, or `base-2`, `base-3`… whichever no service uses yet (compose names are case-insensitive here). */
export function serviceNameFree(input: PlanInput, base: string): string {
  const taken = new Set(input.services.map((s) => s.name.toLowerCase()));
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base}-${i}`;
  return name;
}

/** The plan with a new service of `kind` at the end, under a free name: what its module starts one with (the seed's limits where it gives one). */
export function serviceAdd(input: PlanInput, kind: ServiceKind): PlanInput {
  const { name = kind, limit, settings } = engine().kindOf(kind).starter;
  const service = { name: serviceNameFree(input, name), kind, limit, settings: structuredClone(settings) } as ServiceInput;
  return { ...input, services: [...input.services, service] };
}

/** The plan with a copy of service `index` right after it. */
export function serviceDuplicate(input: PlanInput, index: number): PlanInput {
  const original = input.services[index];
  if (!original) return input;
  const copy: ServiceInput = { ...structuredClone(original), name: serviceNameFree(input, `${original.name}-copy`) };
  const services = input.services.slice();
  services.splice(index + 1, 0, copy);
  return { ...input, services };
}

/** The plan without service `index`. */
export function serviceRemove(input: PlanInput, index: number): PlanInput {
  if (!input.services[index]) return input;
  return { ...input, services: input.services.filter((_, i) => i !== index) };
}

/** A new kind keeps the name and limit; settings belong to a kind, so they start empty. */
export function serviceKindSet(input: PlanInput, index: number, kind: ServiceKind): PlanInput {
  const s = input.services[index];
  if (!s || s.kind === kind) return input;
  return pathSet(input, ['services', index], { name: s.name, kind, limit: s.limit ?? null, settings: structuredClone(engine().kindOf(kind).starter.settings) });
}

/** The service kind a feature stands for, when the feature is one container of its own kind. */
export const FEATURE_KIND: Partial<Record<FeatureName, ServiceKind>> = { pgbouncer: 'pgbouncer', alertmanager: 'alertmanager' };

/**
 * Turns a feature on or off. The engine treats a listed service of the feature's kind as the
 * feature being on, so turning it off also removes those services (undo brings them back).
 */
export function featureSet(input: PlanInput, feature: FeatureName, on: boolean): PlanInput {
  const kind = FEATURE_KIND[feature];
  const services = !on && kind ? input.services.filter((s) => s.kind !== kind) : input.services;
  return { ...input, features: { ...input.features, [feature]: on }, services };
}
