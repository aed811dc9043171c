/**
 * Anything else in the formats: how compose shows a service Headroom does not model (the
 * exporters and agents with a public memory figure, else a reason to measure it), and the
 * exported service with the plan's image.
 */
import { base } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts } from './kind.ts';

/** Exporters and agents with a public memory figure: generic services with that usage. */
type KnownGeneric = { re: RegExp; label: string; usage?: { low: string; typical: string; high: string }; source: string };
const KNOWN_GENERICS: KnownGeneric[] = [
  // memory-model.md: node_exporter ~8–21 MB (typical assumed mid-range).
  { re: /node[-_]?exporter$/, label: 'node_exporter', usage: { low: '8MiB', typical: '15MiB', high: '21MiB' }, source: 'memory-model.md: node_exporter ~8–21 MB' },
  // memory-model.md: redis_exporter ~16 MB (low/high assumed ±50%).
  { re: /redis[-_]?exporter$/, label: 'redis_exporter', usage: { low: '10MiB', typical: '16MiB', high: '24MiB' }, source: 'memory-model.md: redis_exporter ~16 MB' },
  // memory-model.md: cAdvisor 40–90 MB tuned, far more untuned (high assumed 2× the tuned top).
  { re: /cadvisor$/, label: 'cAdvisor', usage: { low: '40MiB', typical: '90MiB', high: '180MiB' }, source: 'memory-model.md: cAdvisor 40–90 MB tuned, more untuned' },
  // memory-model.md: postgres_exporter has no public figure: left for the user to measure.
  { re: /postgres(?:ql)?[-_]?exporter$/, label: 'postgres_exporter', source: 'memory-model.md: no public figure; measure it with docker stats' },
];

function genericRead(f: ServiceFacts, r: Recognised, repo: string): void {
  if (f.image) r.settings.image = f.image.length > 200 ? f.image.slice(0, 200) : f.image;
  const known = repo ? KNOWN_GENERICS.find((k) => k.re.test(repo)) : undefined;
  if (known) {
    r.why = `image ${f.image} is ${known.label}: a generic service${known.usage ? ' with its published usage' : ''} (${known.source})`;
    if (known.usage) {
      r.settings.usage = { ...known.usage };
      r.read.push(`usage ${known.usage.low} / ${known.usage.typical} / ${known.usage.high} from ${known.source}`);
    }
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
