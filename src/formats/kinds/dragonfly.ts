/**
 * Dragonfly in the formats: its image, `--maxmemory`, `--proactor_threads` and `--cache_mode` on
 * its command line or as DFLY_ environment variables (Dragonfly reads every flag from DFLY_<flag>),
 * the flags a compose edit writes, and the exported service.
 */
import { base } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts } from './kind.ts';
import { readCount, readOptions, readSize, type Found } from './options.ts';
import { bytes } from '../export/common.ts';

export const DRAGONFLY_IMAGE = 'docker.dragonflydb.io/dragonflydb/dragonfly:v1.27.1';
export const DRAGONFLY_PORT = 6379;
const NAMES = { maxmemory: 'maxmemory', 'proactor-threads': 'threads', 'cache-mode': 'cacheMode' } as const;

function dragonflyRead(f: ServiceFacts, r: Recognised): void {
  const found = new Map<string, Found>();
  for (const [env, key] of [['DFLY_maxmemory', 'maxmemory'], ['DFLY_proactor_threads', 'threads'], ['DFLY_cache_mode', 'cacheMode']] as const) {
    const v = f.environment[env];
    if (v !== undefined && v !== '') found.set(key, { value: v, from: `environment ${env}=${v}` });
  }
  const at = f.command.findIndex((w) => base(w) === 'dragonfly');
  const args = at >= 0 ? f.command.slice(at + 1) : f.command[0]?.startsWith('-') ? f.command : [];
  readOptions(args, NAMES, 'command', found);
  readSize(r, 'maxmemory', found.get('maxmemory'), 1 / 1048576, '--maxmemory'); // a bare number is bytes
  readCount(r, 'threads', found.get('threads'), '--proactor_threads');
  const cache = found.get('cacheMode');
  if (cache) {
    r.settings.cacheMode = cache.value === '' || /^(true|1|yes)$/i.test(cache.value);
    r.read.push(`cacheMode ${String(r.settings.cacheMode)} from ${cache.from}`);
  }
}

export const dragonfly: KindFormat<'dragonfly'> = {
  kind: 'dragonfly',
  recognise: {
    images: [{ re: /^(?:[^/]+\/)*dragonfly$/, label: 'Dragonfly' }],
    command: (_command, words) => (words.includes('dragonfly') ? 'command runs dragonfly' : null),
    read: dragonflyRead,
  },
  edit: {
    syntax: 'options',
    flags: (s, old, { changed }) => {
      const flags: Array<[string, string[]]> = [];
      if (s.settings.maxmemory !== undefined && changed(s.settings.maxmemory, old.settings.maxmemory ?? -1)) flags.push(['--maxmemory', [String(bytes(s.settings.maxmemory))]]);
      if (s.settings.threads !== undefined && s.settings.threads !== old.settings.threads) flags.push(['--proactor_threads', [String(s.settings.threads)]]);
      return flags;
    },
    // Its entrypoint runs dragonfly with a command of flags.
    defaultCommand: (image) => (/dragonflydb\/dragonfly(:|@|$)/.test(image) ? 'dragonfly' : null),
  },
  oomScoreAdj: -400,
  port: DRAGONFLY_PORT,
  addImage: () => DRAGONFLY_IMAGE,
  compose: ({ service: s, svc, note, volume }) => {
    svc.image = DRAGONFLY_IMAGE;
    svc.container_name = s.name;
    svc.command = ['dragonfly', ...(s.settings.maxmemory ? [`--maxmemory=${bytes(s.settings.maxmemory)}`] : []), ...(s.settings.threads !== undefined ? [`--proactor_threads=${s.settings.threads}`] : []), ...(s.settings.cacheMode ? ['--cache_mode=true'] : [])];
    // Dragonfly's docs run it with an unlimited memlock (io_uring).
    svc.ulimits = { memlock: -1 };
    svc.volumes = [volume('/data')];
    note.push('The image has its own healthcheck.');
  },
};
