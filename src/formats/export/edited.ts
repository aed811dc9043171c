/**
 * An export of a plan imported from a compose file: the compose file among the exported files
 * becomes the user's own document with the plan's memory settings written in (compose-import/edit.ts:
 * every other key and comment kept), rather than a new file written from the plan. The CLI's
 * `export docker-compose.yml` and the page's export tab after an import both come here.
 */
import type { Plan } from '../../engine/schema.ts';
import type { ExportFile } from './common.ts';
import type { Target } from './orchestrators.ts';

/** Writes `plan` into the user's compose file: the text, each change as a line, and what to know. */
export type ComposeEditOf = (plan: Plan) => { text: string; changes: string[]; notes: string[] };

/** `files` (an export's) with its compose file replaced by the user's, edited for `plan` (the plan exported: tuned with --tuned); its changes and notes as report lines, and how many edits it made. */
export function composeEditedFiles(files: readonly ExportFile[], edit: ComposeEditOf, plan: Plan, label: string): { files: ExportFile[]; notes: string[]; changed: number } {
  const i = files.findIndex((f) => /\.ya?ml$/.test(f.path) && /compose/i.test(f.path));
  if (i < 0) return { files: [...files], notes: [], changed: 0 };
  const e = edit(plan);
  const out = [...files];
  out[i] = { ...files[i]!, content: e.text, description: `${label} with the plan's memory settings (${e.changes.length} change${e.changes.length === 1 ? '' : 's'}; every other key and comment kept)` };
  return { files: out, notes: [...e.changes.map((c) => `changed ${c}`), ...e.notes.map((n) => `note: ${n}`)], changed: e.changes.length };
}

/**
 * What an export for Swarm or Kubernetes of a plan imported from a compose file must say: its stack
 * file is written from the plan, so what the plan does not model in the user's file (environment,
 * volumes, commands, the images of kinds Headroom writes itself) is not in it. The CLI prints it
 * with `export FILE --target …`, the page above the files.
 */
export function fromPlanNote(label: string, target: Exclude<Target, 'compose'>): string {
  const what = target === 'swarm' ? 'The Swarm stack file is' : 'The Kubernetes manifests are';
  return `${what} written from the plan, not from ${label}: its environment, volumes, commands and the images of the kinds Headroom writes itself are not carried over. Merge them from ${label}, or export for Docker Compose to have ${label} itself edited.`;
}
