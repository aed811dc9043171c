/**
 * The compose file a plan was imported from, so that the export tab edits the user's own file (as
 * `headroom export docker-compose.yml` does: compose-import/edit.ts) instead of writing a new one
 * from the plan, which has no place for what the plan does not model (the images of kinds it
 * writes itself, every environment variable, volume, port and command): a new file from an
 * imported zammad stack named its Elasticsearch `zammad-elasticsearch:latest` and dropped its
 * environment.
 *
 * Plans are immutable and the history holds them by reference (history.ts), so the source is
 * kept per plan object: an import sets it on the plan it commits, every edit of that plan carries
 * it to the next, and a preset or a plan file replaces it with none. Undo and redo need nothing:
 * the plan they bring back is the object that had it. It stays in this page's memory only (not
 * in the share link, nor in the browser's storage).
 */
import type { PlanInput } from '../../engine/schema.ts';

/** What a pasted compose file is called (a chosen or dropped one is called by its file name). */
export const IMPORTED_LABEL = 'the compose file';

/** The imported text, the `.env` read with it, and the file's name for people (IMPORTED_LABEL when pasted). */
export type ComposeSource = { text: string; envText: string; label: string };

const sources = new WeakMap<PlanInput, ComposeSource>();

/** The compose file `input` was imported from (or edited from since), else null. */
export function composeSourceOf(input: PlanInput): ComposeSource | null {
  return sources.get(input) ?? null;
}

/** `next` was made from `prev` by an edit: it has prev's source. */
export function composeSourceCarry(prev: PlanInput, next: PlanInput): void {
  const s = sources.get(prev);
  if (s && !sources.has(next)) sources.set(next, s);
}

/** `next` replaces the plan: its source is `source` (an import) or none (a preset, a plan file). */
export function composeSourceSet(next: PlanInput, source: ComposeSource | null): void {
  if (source) sources.set(next, source);
  else sources.delete(next);
}
