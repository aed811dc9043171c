/**
 * The export tab's data: every file exportFiles writes for the plan, as it is or with the tuner's
 * values, memoised per plan object; a tuned export the tuner refuses becomes a state that names
 * each service and the smallest limit that fits, never a thrown error.
 */
import { sizeFormat, sizeToPlan, type Change, type Plan } from '../../engine/index.ts';
import type { TuneUnfit } from '../../engine/tune.ts';
import { ExportError, exportOf as exportPlan, type ExportFile, type Target } from '../../formats/export/index.ts';
import { composeEditedFiles, fromPlanNote } from '../../formats/export/edited.ts';
import { composeEdit } from '../../formats/compose-import/index.ts';
import type { ComposeSource } from '../state/composeSource.ts';

/** One service the tuner cannot fit, for people, with the change that fixes it when a bigger limit helps. */
export type Refusal = { service: string; text: string; minLimitMiB: number | null; fix: Change | null };

export type ExportState =
  /** `edited`: the compose file is the user's imported one with the plan written in; `changes` its report, a line per edit;
   * `fromPlan`: for Swarm or Kubernetes from an imported plan, what their files do not carry over (fromPlanNote). */
  | { status: 'ok'; tuned: boolean; files: ExportFile[]; edited: string | null; changes: string[]; fromPlan: string | null }
  | { status: 'refused'; tuned: boolean; message: string; refusals: Refusal[] };

/** The sentence for one unfit service: what stands in the way, and the smallest limit that fits. */
export function refusalOf(u: TuneUnfit): Refusal {
  if (u.reason === 'connections') {
    return { service: u.service, minLimitMiB: null, fix: null, text: `${u.service}: no max_connections PostgreSQL accepts carries the app's connections at the peak, whatever its limit. Put pgBouncer in front or lower the app's pools.` };
  }
  const now = u.limitMiB === null ? 'no limit' : `its ${sizeFormat(u.limitMiB)} limit`;
  if (u.minLimitMiB === null) {
    return { service: u.service, minLimitMiB: null, fix: null, text: `${u.service}: ${now} is too small for any tuned settings, and a larger limit does not help here. ${u.message}` };
  }
  return {
    service: u.service,
    minLimitMiB: u.minLimitMiB,
    fix: { service: u.service, key: 'limit', value: sizeToPlan(u.minLimitMiB) },
    text: `${u.service}: ${now} is too small for any tuned settings; the smallest limit that fits is ${sizeFormat(u.minLimitMiB)}.`,
  };
}

/** The user's compose text with `plan` written in; an ExportError naming the file when it cannot be (it imported once, so this is not expected). */
function editOf(source: ComposeSource) {
  return (plan: Plan) => {
    const e = composeEdit(source.text, plan, { envText: source.envText || undefined });
    if (!e.ok) throw new ExportError(`${source.label} could not be edited: ${e.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    return e;
  };
}

function exportStateOf(plan: Plan, tuned: boolean, target: Target, source: ComposeSource | null): ExportState {
  try {
    const edit = source !== null && target === 'compose';
    const exported = exportPlan(plan, { tuned, target, composeEdited: edit });
    if (!edit) return { status: 'ok', tuned, files: exported.files, edited: null, changes: [], fromPlan: source !== null && target !== 'compose' ? fromPlanNote(source.label, target) : null };
    const e = composeEditedFiles(exported.files, editOf(source), exported.plan, source.label);
    return { status: 'ok', tuned, files: e.files, edited: source.label, changes: e.notes, fromPlan: null };
  } catch (e) {
    if (!(e instanceof ExportError)) throw e;
    const refusals = tuned ? e.unfit.map(refusalOf) : [];
    return { status: 'refused', tuned, message: e.message, refusals };
  }
}

/** Per mode (tuned or not, the target, and whether a compose file is edited): the export of each plan object. */
const memo = new Map<string, WeakMap<Plan, ExportState>>();

/**
 * The export of a plan, once per plan object and mode (a plain export is ~20 ms cold, a few warm).
 * With the compose file the plan was imported from (`source`, state/composeSource.ts), the compose
 * target writes that file edited, as `headroom export docker-compose.yml` does; a plan object has
 * one source (its input's), so the memo's key needs only whether there is one.
 */
export function exportOf(plan: Plan, tuned: boolean, target: Target = 'compose', source: ComposeSource | null = null): ExportState {
  const key = `${tuned}:${target}:${source === null ? 'plan' : 'edited'}`;
  let m = memo.get(key);
  if (!m) memo.set(key, (m = new WeakMap()));
  let s = m.get(plan);
  if (!s) m.set(plan, (s = exportStateOf(plan, tuned, target, source)));
  return s;
}

/** The zip's name from the stack file's: `headroom-4gb.zip` (compose), `headroom-4gb-swarm.zip`, `headroom-4gb-kubernetes.zip`. */
export function zipName(files: readonly ExportFile[]): string {
  for (const [re, suffix] of [[/^docker-compose-(.+)\.yml$/, ''], [/^docker-stack-(.+)\.yml$/, '-swarm'], [/^kubernetes-(.+)\.yaml$/, '-kubernetes']] as const) {
    const m = files.map((f) => re.exec(f.path)).find((x) => x !== null);
    if (m) return `headroom-${m[1]}${suffix}.zip`;
  }
  return 'headroom-export.zip';
}

/** The lines of a file, for the list: `42 lines`. */
export function linesText(content: string): string {
  const n = content === '' ? 0 : content.split('\n').length - (content.endsWith('\n') ? 1 : 0);
  return `${n} line${n === 1 ? '' : 's'}`;
}
