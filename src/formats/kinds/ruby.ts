/**
 * Ruby in the formats: how compose shows it (the ruby image, the catalogue's Rails apps, `puma`,
 * `unicorn`, `rails server`, `sidekiq`, `rake jobs:work`, a `ruby` script), the worker count from
 * -w / --workers / WEB_CONCURRENCY, threads from -t / RAILS_MAX_THREADS / MAX_THREADS and Sidekiq's
 * -c, the project's own start scripts (the catalogue's `commands`), and WEB_CONCURRENCY, which a
 * compose edit writes when the plan changes Puma's or Unicorn's worker count.
 */
import type { RubyServer } from '../../engine/kinds/ruby.ts';
import { APP_CATALOGUE, catalogueOf } from '../../engine/catalogue.ts';
import { base, commandOption } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts } from './kind.ts';
import { catalogueImages, catalogueRead } from './catalogue.ts';

/** Executables that start a Ruby server or job runner, and which. */
const EXECUTABLES: Readonly<Record<string, RubyServer>> = {
  puma: 'puma', unicorn: 'unicorn', unicorn_rails: 'unicorn', passenger: 'passenger', sidekiq: 'sidekiq', good_job: 'good_job', delayed_job: 'delayed_job',
};

/** The server a command starts, and where (the word after which its options come). */
function serverOf(command: readonly string[]): { server: RubyServer; at: number } | null {
  const words = command.map(base);
  let fallback: { server: RubyServer; at: number } | null = null;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const known = EXECUTABLES[w];
    if (known) return { server: known, at: i };
    // `rails server` / `rails s` starts Puma, Rails' default server (Rails guides, "The Rails Command Line").
    if (w === 'rails' && /^(server|s)$/.test(words[i + 1] ?? '')) return { server: 'puma', at: i + 1 };
    if (w === 'rake' && /^jobs:work/.test(words[i + 1] ?? '')) return { server: 'delayed_job', at: i + 1 };
    if (w === 'rake' && /^resque:work/.test(words[i + 1] ?? '')) return { server: 'resque', at: i + 1 };
    if (/^ruby[0-9.]*$/.test(w) || /\.rb$/.test(w) || w === 'rackup' || w === 'clockwork') fallback ??= { server: 'ruby', at: i };
  }
  return fallback;
}

/** The catalogue's start command of this image in the command, if any. */
function projectCommand(repo: string, command: readonly string[]): { word: string; server: RubyServer; processes?: number; source: string } | null {
  const commands = catalogueOf(repo)?.commands;
  if (!commands) return null;
  for (const w of command.map(base)) {
    const c = commands[w];
    if (c && !c.kind) return { word: w, server: c.server as RubyServer, processes: c.processes, source: c.source };
  }
  return null;
}

/** A whole number ≥ min, or null. */
const whole = (raw: string, min: number): number | null => (/^\d+$/.test(raw.trim()) && Number(raw) >= min ? Number(raw) : null);

function rubyRead(f: ServiceFacts, r: Recognised, repo: string): void {
  const byCommand = serverOf(f.command);
  const project = projectCommand(repo, f.command);
  const server: RubyServer = byCommand?.server ?? project?.server ?? 'ruby';
  r.settings.server = server;
  if (project && !byCommand) r.read.push(`server ${server} from command ${project.word}: ${project.source}`);
  const args = byCommand ? f.command.slice(byCommand.at + 1) : [];
  if (server === 'puma' || server === 'unicorn') {
    const flag = server === 'puma' ? commandOption(args, 'workers', 'w') : null;
    const fromEnv = ['WEB_CONCURRENCY', 'PUMA_WORKERS', 'ZAMMAD_WEB_CONCURRENCY'].find((k) => (f.environment[k] ?? '').trim() !== '');
    let n: number | null = null;
    if (flag) {
      n = whole(flag.raw, 0);
      if (n === null) r.warnings.push(`the worker count "${flag.raw}" (command ${flag.shown}) is not a whole number: the default is planned`);
      else r.read.push(`workers ${n} from command ${flag.shown}`);
    } else if (fromEnv) {
      n = whole(f.environment[fromEnv]!, 0);
      if (n === null) r.warnings.push(`${fromEnv} is not a whole number: the default is planned`);
      else r.read.push(`workers ${n} from environment ${fromEnv}`);
    } else if (project?.processes !== undefined) {
      n = project.processes;
      r.read.push(`workers ${n}: ${project.source}`);
    } else if (server === 'puma') {
      n = 0;
      r.warnings.push('no worker count in the compose file (-w, WEB_CONCURRENCY): Puma\'s single mode is planned (one process, no master); an app\'s config/puma.rb may set more');
    } else {
      r.warnings.push('unicorn\'s worker_processes is in its config file, which the compose file does not show: Headroom plans 1 (set processes in the plan)');
    }
    // Puma's cluster mode (workers ≥ 1) forks from a master; 0 is single mode, one process (Puma docs). Unicorn always has its master.
    if (n !== null) r.settings.processes = Math.max(1, n);
    r.settings.master = server === 'unicorn' || (n !== null && n >= 1);
    const t = server === 'puma' ? commandOption(args, 'threads', 't') : null;
    const tEnv = ['RAILS_MAX_THREADS', 'MAX_THREADS', 'PUMA_MAX_THREADS'].find((k) => (f.environment[k] ?? '').trim() !== '');
    const threads = t ? whole(t.raw.split(':').pop()!, 1) : tEnv ? whole(f.environment[tEnv]!, 1) : null;
    if (threads !== null) {
      r.settings.threads = threads;
      r.read.push(`threads ${threads} from ${t ? `command ${t.shown}` : `environment ${tEnv}`}`);
    }
  } else if (server === 'sidekiq') {
    r.settings.processes = 1;
    r.settings.master = false;
    const c = commandOption(args, 'concurrency', 'c');
    const n = c ? whole(c.raw, 1) : null;
    if (c && n !== null) {
      r.settings.threads = n;
      r.read.push(`threads ${n} from command ${c.shown} (Sidekiq's concurrency, in one process)`);
    } else r.read.push('processes 1: one Sidekiq process (its concurrency is threads inside it)');
  } else {
    r.settings.processes = 1;
    r.settings.master = false;
    r.read.push(`processes 1: ${server === 'ruby' ? 'one Ruby process' : `${server} runs one process`}`);
  }
  if (catalogueRead(r, repo)) return;
  if (!r.warnings.some((w) => w.includes('catalogue'))) r.warnings.push('memory per process is Headroom\'s default for a Rails process (256 MiB): check it against docker stats');
}

/** The catalogue's start commands of Ruby images, escaped for a pattern. */
const PROJECT_COMMANDS = APP_CATALOGUE.filter((e) => e.kind === 'ruby').flatMap((e) => Object.entries(e.commands ?? {}).filter(([, c]) => !c.kind).map(([w]) => w)).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

export const RUBY_PORT = 3000; // Puma's and Rails' default port

export const ruby: KindFormat<'ruby'> = {
  kind: 'ruby',
  recognise: {
    images: [{ re: /^(?:[^/]+\/)*ruby$/, label: 'Ruby' }, ...catalogueImages('ruby')],
    commandAfterImage: true,
    command: (command) => {
      const found = serverOf(command);
      return found ? `command runs ${found.server === 'ruby' ? base(command[found.at]!) : found.server} (${command.slice(found.at, found.at + 3).join(' ')}): a Ruby process` : null;
    },
    // A Ruby image running none of these (zammad-init, zammad-backup, a shell one-off) is a helper, not the server.
    server: new RegExp(`^(?:${['puma', 'unicorn', 'unicorn_rails', 'passenger', 'sidekiq', 'good_job', 'delayed_job', 'rails', 'rake', 'rackup', 'clockwork', 'bundle', 'foreman', 'ruby[0-9.]*', '.+\\.rb', ...PROJECT_COMMANDS].join('|')})$`),
    read: rubyRead,
  },
  edit: {
    env: (s, old, { command, notes }) => {
      if (s.settings.processes === old.settings.processes) return [];
      if (s.settings.server !== 'puma' && s.settings.server !== 'unicorn') {
        notes.push(`${s.name}: set its process count (${s.settings.processes}) by hand: ${s.settings.server} runs one process per container (scale the service instead)`);
        return [];
      }
      const found = serverOf(command);
      if (found && commandOption(command.slice(found.at + 1), 'workers', 'w')) {
        notes.push(`${s.name}: set --workers ${s.settings.processes} in its command by hand`);
        return [];
      }
      // Puma 6 reads WEB_CONCURRENCY as its worker count when the config sets none (Puma 6.0 release notes); Rails' generated config/puma.rb and Unicorn configs read it by convention.
      return [['WEB_CONCURRENCY', String(s.settings.processes)]];
    },
  },
  oomScoreAdj: 1000, // (the non-negative scale of kinds/kind.ts) an app process: killed first, it restarts fastest and holds no data
  port: RUBY_PORT,
  addImage: () => null,
  compose: ({ service: s, svc, note }) => {
    svc.image = `${s.name.toLowerCase()}:latest`;
    if (s.settings.replicas === 1) svc.container_name = s.name;
    else svc.deploy = { replicas: s.settings.replicas };
    if (s.settings.server === 'puma' || s.settings.server === 'unicorn') svc.environment = { WEB_CONCURRENCY: String(s.settings.processes) };
    note.push(`Your Ruby image (${s.settings.server}, ${s.settings.processes} process${s.settings.processes === 1 ? '' : 'es'}).`);
  },
};
