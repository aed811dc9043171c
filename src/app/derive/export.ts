/**
 * The export tab's data: every file exportFiles writes for the plan, as it is or with the tuner's
 * values, memoised per plan object; a tuned export the tuner refuses becomes a state that names
 * each service and the smallest limit that fits, never a thrown error.
 */
import { sizeFormat, sizeToPlan, type Change, type Plan } from '../../engine/index.ts';
import type { TuneUnfit } from '../../engine/tune.ts';
import { ExportError, exportFiles, type ExportFile } from '../../formats/export/index.ts';

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

function exportStateOf(plan: Plan, tuned: boolean): ExportState {
  try {
    return { status: 'ok', tuned, files: exportFiles(plan, { tuned }) };
  } catch (e) {
    if (!(e instanceof ExportError)) throw e;
    const refusals = tuned ? e.unfit.map(refusalOf) : [];
    return { status: 'refused', tuned, message: e.message, refusals };
  }
}

const memo = [new WeakMap<Plan, ExportState>(), new WeakMap<Plan, ExportState>()] as const;

/** The export of a plan, once per plan object and mode (a plain export is ~20 ms cold, a few warm). */
export function exportOf(plan: Plan, tuned: boolean): ExportState {
  const m = memo[tuned ? 1 : 0];
  let s = m.get(plan);
  if (!s) m.set(plan, (s = exportStateOf(plan, tuned)));
  return s;
}

/** The zip's name: the compose file's, e.g. `headroom-4gb.zip`, from docker-compose-4gb.yml. */
export function zipName(files: readonly ExportFile[]): string {
  const compose = files.find((f) => /^docker-compose-.+\.yml$/.test(f.path));
  return compose ? `headroom-${compose.path.replace(/^docker-compose-/, '').replace(/\.yml$/, '')}.zip` : 'headroom-export.zip';
}

/** The lines of a file, for the list: `42 lines`. */
export function linesText(content: string): string {
  const n = content === '' ? 0 : content.split('\n').length - (content.endsWith('\n') ? 1 : 0);
  return `${n} line${n === 1 ? '' : 's'}`;
}
