/**
 * The export tab's data: every file exportFiles writes for the plan, as it is or with the tuner's
 * values, memoised per plan object; a tuned export the tuner refuses becomes a state that names
 * each service and the smallest limit that fits, never a thrown error.
 */
import { sizeFormat, sizeToPlan, type Change, type Plan } from '../../engine/index.ts';
import type { TuneUnfit } from '../../engine/tune.ts';
import { ExportError, exportFiles, type ExportFile, type Target } from '../../formats/export/index.ts';

/** One service the tuner cannot fit, for people, with the change that fixes it when a bigger limit helps. */
export type Refusal = { service: string; text: string; minLimitMiB: number | null; fix: Change | null };

export type ExportState =
  | { status: 'ok'; tuned: boolean; files: ExportFile[] }
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

function exportStateOf(plan: Plan, tuned: boolean, target: Target): ExportState {
  try {
    return { status: 'ok', tuned, files: exportFiles(plan, { tuned, target }) };
  } catch (e) {
    if (!(e instanceof ExportError)) throw e;
    const refusals = tuned ? e.unfit.map(refusalOf) : [];
    return { status: 'refused', tuned, message: e.message, refusals };
  }
}

/** Per mode (tuned or not, and the target): the export of each plan object. */
const memo = new Map<string, WeakMap<Plan, ExportState>>();

/** The export of a plan, once per plan object and mode (a plain export is ~20 ms cold, a few warm). */
export function exportOf(plan: Plan, tuned: boolean, target: Target = 'compose'): ExportState {
  const key = `${tuned}:${target}`;
  let m = memo.get(key);
  if (!m) memo.set(key, (m = new WeakMap()));
  let s = m.get(plan);
  if (!s) m.set(plan, (s = exportStateOf(plan, tuned, target)));
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
