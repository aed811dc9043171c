/**
 * The BEAM in the formats: the elixir and erlang images, the catalogue's Elixir releases
 * (Plausible, Supabase Realtime, Logflare, Supavisor), `mix phx.server`, `elixir`, `erl`, `iex`,
 * and a service built from source that sets the BEAM's own variables (ERL_AFLAGS,
 * ELIXIR_ERL_OPTIONS, RELEASE_COOKIE). Nothing to edit: the BEAM has no memory cap to write.
 */
import { base } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts } from './kind.ts';
import { catalogueImages, catalogueRead } from './catalogue.ts';

function beamRead(f: ServiceFacts, r: Recognised, repo: string): void {
  if (f.command.map(base).some((w) => w === 'erl') || /(^|\/)erlang$/.test(repo)) r.settings.language = 'erlang';
  if (catalogueRead(r, repo)) return;
  if (!r.warnings.some((w) => w.includes('catalogue'))) r.warnings.push("memory is Headroom's default for a BEAM release (100 MiB): check it against docker stats");
}

export const beam: KindFormat<'beam'> = {
  kind: 'beam',
  recognise: {
    images: [{ re: /^(?:[^/]+\/)*(?:elixir|erlang)$/, label: 'Elixir or Erlang (the BEAM)' }, ...catalogueImages('beam')],
    commandAfterImage: true,
    command: (command, words) => {
      const i = words.findIndex((w, j) => (w === 'mix' && /^phx\.server$|^run$/.test(words[j + 1] ?? '')) || w === 'elixir' || w === 'erl' || w === 'iex');
      return i < 0 ? null : `command runs ${command.slice(i, i + 2).join(' ')}: the BEAM (Elixir or Erlang)`;
    },
    environment: (env) => {
      const k = ['ERL_AFLAGS', 'ELIXIR_ERL_OPTIONS', 'RELEASE_COOKIE'].find((x) => env[x] !== undefined);
      return k ? `built from source and sets ${k}, which only the BEAM reads: an Elixir or Erlang release` : null;
    },
    read: beamRead,
  },
  oomScoreAdj: 1000, // (the non-negative scale of kinds/kind.ts) an app process: killed first, it restarts fastest and holds no data
  addImage: () => null,
  compose: ({ service: s, svc, note }) => {
    svc.image = `${s.name.toLowerCase()}:latest`;
    svc.container_name = s.name;
    note.push(`Your ${s.settings.language === 'erlang' ? 'Erlang' : 'Elixir'} release.`);
  },
};
