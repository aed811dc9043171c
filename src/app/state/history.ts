/**
 * Undo/redo over whole plans. Plans are immutable, so a history entry is a reference, not a copy.
 * Keystrokes into one field coalesce into one entry until the field loses focus: undo takes back
 * "typed 1g into the postgres limit", not the last character.
 */
import type { PlanInput } from '../../engine/schema.ts';

export type History = {
  input: PlanInput;
  past: readonly PlanInput[];
  future: readonly PlanInput[];
  /** The field being typed into; a commit with the same key replaces instead of pushing. */
  coalesce: string | null;
};

/** Enough for a long session; older steps are dropped. */
export const HISTORY_LIMIT = 200;

export function historyStart(input: PlanInput, past: readonly PlanInput[] = []): History {
  return { input, past, future: [], coalesce: null };
}

/** Records `next` as the current plan; `key` names the field being typed into, if any. */
export function historyCommit(h: History, next: PlanInput, key: string | null = null): History {
  if (next === h.input) return h;
  const merge = key !== null && key === h.coalesce;
  const past = merge ? h.past : [...h.past, h.input].slice(-HISTORY_LIMIT);
  return { input: next, past, future: [], coalesce: key };
}

export function historyUndo(h: History): History {
  const prev = h.past[h.past.length - 1];
  if (prev === undefined) return h;
  return { input: prev, past: h.past.slice(0, -1), future: [h.input, ...h.future], coalesce: null };
}

export function historyRedo(h: History): History {
  const [next, ...rest] = h.future;
  if (next === undefined) return h;
  return { input: next, past: [...h.past, h.input], future: rest, coalesce: null };
}

/** Ends the typing run, so the next keystroke in the same field starts a new undo step. */
export function historySeal(h: History): History {
  return h.coalesce === null ? h : { ...h, coalesce: null };
}
