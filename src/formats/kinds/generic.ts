/**
 * Anything else in the formats: how compose shows a service Headroom does not model (the
 * exporters engine/exporters.ts knows, with their memory figure where one exists, else a reason to measure it), and the
 * exported service with the plan's image.
 */
import { base } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts } from './kind.ts';
import { knownExporterOf } from '../../engine/exporters.ts';
import { sizeToPlan } from '../../engine/units.ts';

/** Commands that do nothing and exit (POSIX `true` and `:`): a container running one stops as it starts. */
const EXITS_AT_ONCE: ReadonlySet<string> = new Set(['true', ':']);

function genericRead(f: ServiceFacts, r: Recognised, repo: string): void {
  if (f.image) r.settings.image = f.image.length > 200 ? f.image.slice(0, 200) : f.image;
  // The exporters Headroom knows (engine/exporters.ts: the one recognition rule), with their usage where a figure exists.
  const known = repo ? knownExporterOf(f.image) : null;
  if (known) {
    const usage = known.found ? { low: sizeToPlan(known.found.low), typical: sizeToPlan(known.found.typical), high: sizeToPlan(known.found.high) } : null;
    r.why = `image ${f.image} is ${known.label}: a generic service${usage ? ' with its published usage' : ''} (${known.source})${known.exporter ? '; the alert rules read it' : ''}`;
    if (usage) {
      r.settings.usage = usage;
      r.read.push(`usage ${usage.low} / ${usage.typical} / ${usage.high} from ${known.source}`);
    }
    return;
  }
  // A command that exits at once (`/bin/true`: a data-only container for volumes_from, as Huginn's
  // mysqldata): the container stops as it starts and holds no memory. Not a guess: 0 from the command.
  if (f.command.length > 0 && EXITS_AT_ONCE.has(base(f.command[0]!)) && f.command.length === 1) {
    r.why = `${r.why || (f.image ? `image ${f.image}` : 'its command')}: ${base(f.command[0]!)} exits at once (a data-only container), so it holds no memory once started`;
    r.settings.usage = { low: 0, typical: 0, high: 0 };
    r.read.push(`usage 0 / 0 / 0: command ${f.command[0]} exits at once`);
    return;
  }
  const program = f.command.length > 0 ? base(f.command[0] === 'python' || f.command[0] === 'python3' ? (f.command.find((w, i) => i > 0 && !w.startsWith('-')) ?? f.command[0]!) : f.command[0]!) : null;
  // A server's image running something else (recognise.ts said why): keep the reason.
  if (r.why) r.why = `${r.why}: a generic service whose usage you set (from docker stats)`;
  else if (f.image) r.why = `image ${f.image} is not a kind Headroom models: a generic service whose usage you set (from docker stats)`;
  else if (program) r.why = `command runs ${program}, not a kind Headroom models: a generic service whose usage you set (from docker stats)`;
  else if (f.built) r.why = 'built from source with no command in the compose file: the kind cannot be told; a generic service (set x-headroom.kind if it is the app)';
  else r.why = 'no image and no known command: a generic service whose usage you set';
}

export const generic: KindFormat<'generic'> = {
  kind: 'generic',
  recognise: { read: genericRead },
  oomScoreAdj: 600, // after the exporters, before grafana (non-negative: kinds/kind.ts)
  addImage: (s) => s.settings.image ?? null,
  compose: ({ service: s, svc, note }) => {
    svc.image = s.settings.image ?? `${s.name.toLowerCase()}:latest`;
    svc.container_name = s.name;
    if (!s.settings.image) note.push('No image in the plan: replace this one.');
  },
};
