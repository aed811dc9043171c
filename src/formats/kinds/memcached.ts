/**
 * memcached in the formats: its images, the `memcached -m/-c/-t` options (also handed to the
 * official image as its command), Bitnami's environment, the options a compose edit writes, and
 * the exported service (memcached has no config file: its command carries every setting).
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { MEMCACHED_DEFAULTS } from '../../engine/kinds/memcached.ts';
import { base, shellSplit } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts } from './kind.ts';
import { readCount, readOptions, readSize, type Found } from './options.ts';

export const MEMCACHED_IMAGE = 'memcached:1.6.45-alpine';
export const MEMCACHED_PORT = 11211; // memcached -p default
const NAMES = { m: 'memory', 'memory-limit': 'memory', c: 'maxConnections', 'conn-limit': 'maxConnections', t: 'threads', threads: 'threads' } as const;

function memcachedRead(f: ServiceFacts, r: Recognised, repo: string): void {
  const found = new Map<string, Found>();
  // Bitnami's image reads these (bitnami/memcached README); its extra flags too.
  if (/^bitnami\//.test(repo)) {
    const env = (name: string, key: string) => {
      const v = f.environment[name];
      if (v) found.set(key, { value: v, from: `environment ${name}=${v}` });
    };
    env('MEMCACHED_CACHE_SIZE', 'memory');
    env('MEMCACHED_MAX_CONNECTIONS', 'maxConnections');
    env('MEMCACHED_THREADS', 'threads');
    if (f.environment.MEMCACHED_EXTRA_FLAGS) readOptions(shellSplit(f.environment.MEMCACHED_EXTRA_FLAGS), NAMES, 'environment MEMCACHED_EXTRA_FLAGS', found);
  }
  const at = f.command.findIndex((w) => base(w) === 'memcached');
  // The official image runs memcached with a command that starts with a flag (its entrypoint).
  const args = at >= 0 ? f.command.slice(at + 1) : f.command[0]?.startsWith('-') ? f.command : [];
  readOptions(args, NAMES, 'command', found);
  readSize(r, 'memory', found.get('memory'), 1, '-m'); // memcached's -m is in megabytes (MiB)
  readCount(r, 'maxConnections', found.get('maxConnections'), '-c');
  readCount(r, 'threads', found.get('threads'), '-t');
}

/** memcached's command for a service: every setting as an option. */
export function memcachedCommand(s: ServiceOf<'memcached'>): string[] {
  return ['memcached', '-m', String(Math.max(1, Math.floor(s.settings.memory))), '-c', String(s.settings.maxConnections), '-t', String(s.settings.threads)];
}

export const memcached: KindFormat<'memcached'> = {
  kind: 'memcached',
  recognise: {
    images: [{ re: /^(?:[^/]+\/)*memcached$/, label: 'memcached' }],
    command: (_command, words) => (words.includes('memcached') ? 'command runs memcached' : null),
    server: /^(memcached|docker-entrypoint\.sh)$/,
    read: memcachedRead,
  },
  edit: {
    syntax: 'options',
    flags: (s, old, { changed }) => {
      const flags: Array<[string, string[]]> = [];
      // -m takes whole megabytes: never round a value up past what the plan asks.
      if (changed(s.settings.memory, old.settings.memory)) flags.push(['-m|--memory-limit', [String(Math.max(1, Math.floor(s.settings.memory)))]]);
      if (s.settings.maxConnections !== old.settings.maxConnections) flags.push(['-c|--conn-limit', [String(s.settings.maxConnections)]]);
      if (s.settings.threads !== old.settings.threads) flags.push(['-t|--threads', [String(s.settings.threads)]]);
      return flags;
    },
    env: (s, old, { changed, image }) => (/bitnami\/memcached/.test(image) && changed(s.settings.memory, old.settings.memory) ? [['MEMCACHED_CACHE_SIZE', String(Math.max(1, Math.floor(s.settings.memory)))]] : []),
    defaultCommand: (image) => (/^(docker\.io\/)?(library\/)?memcached(:|@|$)/.test(image) ? 'memcached' : null),
  },
  oomScoreAdj: 0,
  port: MEMCACHED_PORT,
  addImage: () => MEMCACHED_IMAGE,
  compose: ({ service: s, svc, note }) => {
    svc.image = MEMCACHED_IMAGE;
    svc.container_name = s.name;
    svc.command = memcachedCommand(s);
    note.push(`-m ${Math.floor(s.settings.memory)} MB of items${s.settings.maxConnections !== MEMCACHED_DEFAULTS.maxConnections ? `, -c ${s.settings.maxConnections}` : ''}: memcached evicts past it.`);
  },
};
