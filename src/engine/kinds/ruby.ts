/**
 * A Ruby web or job process (Rails under Puma or Unicorn, Sidekiq, a plain `ruby` script: Mastodon,
 * Discourse, GitLab's Rails parts, Zammad, OpenProject, Lago): a pool of processes of about the same
 * size (processes.ts) and, in Puma's cluster mode and under Unicorn, a master that boots the app
 * before it forks the workers. Threads (Puma's max threads, Sidekiq's concurrency) run inside a
 * process: they are read and shown, and their memory is inside the per-process figure (below).
 */
import * as z from 'zod/mini';
import type { Plan, ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { bool, count, oneOf, settingsObject, sizeSchema, withDefault } from '../schema-blocks.ts';
import { sizeFormat } from '../units.ts';
import { servicesOf, type Rule } from '../findings/context.ts';
import { poolFinding, poolLimitFor, poolUsage, tunePool, type Pool, type PoolTune } from './processes.ts';
import { field, type KindEngine, type TuneUnfit } from './kind.ts';
import { catalogueBasis, CATALOGUE_IDS } from '../catalogue.ts';

export const RUBY_ENUMS = { server: ['puma', 'unicorn', 'passenger', 'sidekiq', 'good_job', 'delayed_job', 'resque', 'ruby'] } as const;
export type RubyServer = (typeof RUBY_ENUMS.server)[number];

export const RUBY_DEFAULTS = {
  server: 'ruby', // what started it, when the compose file says; `ruby` for a plain script or an unknown runner
  processes: 1, // Puma's default is single mode (workers 0: one process, Puma docs); Sidekiq runs one process; Unicorn's worker_processes is set by the app's config (read when shown)
  threads: 5, // Puma's default max threads 5 (Puma 6 docs, RAILS_MAX_THREADS in Rails' generated config/puma.rb); Sidekiq 7's default concurrency 5 (Sidekiq wiki, Advanced Options)
  // assumed: a booted Rails app per process. Red Hat's Ruby builder image allows 256 MiB per Puma
  // worker (sclorg/s2i-ruby-container#142, MEMORY_BYTES_PER_WORKER); a Mastodon admin reports
  // ~220 MB per Sidekiq process (mastodon/mastodon#13755); puma_worker_killer's default ceiling is
  // 1 GB per worker (mastodon fork ashfurrow/mastodon#15): the figure is the middle of those reports, not a measurement here.
  perProcess: 256,
  master: false, // Puma single mode and Sidekiq have none; Puma's cluster mode and Unicorn do (read from the command)
  replicas: 1, // compose's default: one container (deploy.replicas / scale)
} as const;

const settings = settingsObject({
  server: withDefault(oneOf(RUBY_ENUMS.server), RUBY_DEFAULTS.server),
  processes: withDefault(count(1, 1024), RUBY_DEFAULTS.processes),
  threads: withDefault(count(1, 1024), RUBY_DEFAULTS.threads),
  perProcess: withDefault(sizeSchema, RUBY_DEFAULTS.perProcess),
  master: withDefault(bool, RUBY_DEFAULTS.master),
  replicas: withDefault(count(1, 64), RUBY_DEFAULTS.replicas),
  // The application image in Headroom's catalogue (engine/catalogue.ts) its memory per process comes from.
  app: z.optional(oneOf(CATALOGUE_IDS)),
});

/** The master of Puma's cluster mode or Unicorn boots the app before forking (preload_app!, as
 * Mastodon's and GitLab's configs do): assumed one process's size. The workers share its pages
 * copy-on-write until Ruby's GC writes to them; that saving is not counted (assumed: Ruby's GC
 * marks objects in place, dirtying most shared heap pages within the first requests). */
const MASTER_SHARE = 1;

/** The service as a pool (processes.ts). */
export function rubyPool(s: ServiceOf<'ruby'>): Pool {
  const st = s.settings;
  return { replicas: st.replicas, processes: st.processes, perProcess: st.perProcess, master: st.master ? st.perProcess * MASTER_SHARE : 0 };
}

export function rubyUsage(s: ServiceOf<'ruby'>): Usage {
  return poolUsage(rubyPool(s), s.settings.server === 'sidekiq' || s.settings.server === 'ruby' ? 'processes' : 'workers');
}

export function tuneRuby(_plan: Plan, s: ServiceOf<'ruby'>): PoolTune {
  return tunePool(rubyPool(s), s.limit, s.settings.server === 'sidekiq' ? 'Sidekiq process' : 'Ruby process');
}

function rubyUnfit(s: ServiceOf<'ruby'>, t: PoolTune): TuneUnfit[] {
  return t.fits ? [] : [{ service: s.name, kind: 'ruby', reason: 'limit', limitMiB: s.limit, minLimitMiB: t.minLimit, message: `${s.name}: ${t.explain}` }];
}

/** workers × per-process memory (and the master) against the limit. */
export const rubyWorkers: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const s of servicesOf(plan, 'ruby')) {
    if (s.limit === null) continue;
    const f = poolFinding('ruby-workers-over-limit', s.name, rubyPool(s), s.limit, tuneRuby(plan, s), `${s.settings.server} process`);
    if (f) out.push(f);
  }
  return out;
};

export const ruby: KindEngine<'ruby', typeof settings, PoolTune> = {
  kind: 'ruby',
  settings,
  enums: RUBY_ENUMS,
  usage: rubyUsage,
  // assumed: a Rails app under Puma with two workers
  starter: { name: 'rails', limit: '1GiB', settings: { server: 'puma', processes: 2, master: true } },
  summary: ({ settings: st }) => `${st.replicas > 1 ? `${st.replicas} × ` : ''}${st.server} · ${st.processes} × ${sizeFormat(st.perProcess)}${st.master ? ' + master' : ''} · ${st.threads} threads`,
  fields: [field.count('processes', 'processes (workers)'), field.size('perProcess', 'memory per process'), field.count('threads', 'threads per process'), field.choice('server', 'server'), field.bool('master', 'master process'), field.count('replicas', 'replicas')],
  findings: [rubyWorkers],
  // The catalogue's figure is documented, its missing figure assumed (catalogue.ts); any other value is the plan's own.
  basis: (s) => (s.observed ? 'observed' : catalogueBasis(s.settings.app, s.settings.perProcess, RUBY_DEFAULTS.perProcess) ?? 'modelled'),
  tuning: {
    tune: tuneRuby,
    apply: (s, t) => (t.recommendedProcesses === null ? s : { ...s, settings: { ...s.settings, processes: t.recommendedProcesses } }),
    unfit: rubyUnfit,
    settle: (_plan, s, t) => ({ ...t, plannedProcesses: s.settings.processes }),
    minLimit: (s) => poolLimitFor(rubyPool(s), s.settings.processes),
  },
};
