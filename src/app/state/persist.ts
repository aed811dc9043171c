/**
 * The plan in localStorage under a versioned key. What comes back is checked by planParse like
 * any other input: a corrupt, foreign or future entry is reported, set aside and not used.
 */
import type { InputIssue, PlanInput } from '../../engine/schema.ts';
import { schema } from '../derive/schema.ts';

/** Bump the version in the key when the envelope changes shape; plan-file versions migrate inside it. */
export const STORAGE_KEY = 'headroom:plan:v1';
/** Where an unreadable entry is moved, so that nothing the user had is silently overwritten. */
export const STORAGE_CORRUPT_KEY = 'headroom:plan:v1:unreadable';

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;
type Envelope = { version: 1; savedAt: string; plan: PlanInput };

export type Loaded = { status: 'empty' } | { status: 'ok'; input: PlanInput } | { status: 'corrupt'; reason: string };

/** Reads the saved plan, if any. Never throws. */
export function storageLoad(storage: StorageLike | null): Loaded {
  let raw: string | null;
  try {
    raw = storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return { status: 'empty' }; // storage disabled (privacy mode): behave as a first visit
  }
  if (raw === null) return { status: 'empty' };
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    return { status: 'corrupt', reason: 'it is not valid JSON' };
  }
  if (doc === null || typeof doc !== 'object' || (doc as { version?: unknown }).version !== 1 || !('plan' in doc)) {
    return { status: 'corrupt', reason: 'it is not a Headroom v1 entry' };
  }
  return planCheck((doc as Envelope).plan);
}

/** The plan document the saved entry holds, unvalidated (null when there is none or it is not JSON): which kinds to load before storageLoad validates it. Never throws. */
export function storedPlanDoc(storage: StorageLike | null): unknown {
  try {
    return (JSON.parse(storage?.getItem(STORAGE_KEY) ?? 'null') as { plan?: unknown } | null)?.plan ?? null;
  } catch {
    return null;
  }
}

/** A document validated as a plan: the migrated input, or the first problems in words. */
export function planCheck(doc: unknown): { status: 'ok'; input: PlanInput } | { status: 'corrupt'; reason: string } {
  const { planParse, planMigrate } = schema();
  const parsed = planParse(doc);
  if (!parsed.ok) return { status: 'corrupt', reason: issuesText(parsed.issues) };
  return { status: 'ok', input: planMigrate(doc) as PlanInput };
}

/** Up to three issues as one line: `services[2].limit: expected a size…; …`. */
export function issuesText(issues: readonly InputIssue[], max = 3): string {
  const shown = issues.slice(0, max).map((i) => `${i.path}: ${i.message}`);
  const more = issues.length > max ? ` (and ${issues.length - max} more)` : '';
  return shown.join('; ') + more;
}

/** Saves the plan; a full or disabled storage is not an error the user can act on, so it is ignored. */
export function storageSave(storage: StorageLike | null, input: PlanInput, now = new Date()): void {
  const envelope: Envelope = { version: 1, savedAt: now.toISOString(), plan: input };
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(envelope));
  } catch {
    /* quota or privacy mode: the plan still lives in the page and the share link */
  }
}

/** Keeps an unreadable entry under another key before the good plan overwrites it. */
export function storageSetAside(storage: (StorageLike & Pick<Storage, 'removeItem'>) | null): void {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (raw !== null && raw !== undefined) storage?.setItem(STORAGE_CORRUPT_KEY, raw);
  } catch {
    /* nothing to keep */
  }
}
