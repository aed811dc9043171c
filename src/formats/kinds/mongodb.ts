/**
 * MongoDB in the formats: its images (the version from the tag: before 3.6.13 / 4.0.9 mongod
 * sized its cache from the host's RAM), `--wiredTigerCacheSizeGB` on the command line or in
 * Bitnami's MONGODB_EXTRA_FLAGS, a mounted mongod.conf, the flag a compose edit writes, and the
 * exported service (the cache set on its command line).
 */
import { sideFileData } from '../input-policy.ts';
import { sizeToPlan } from '../../engine/units.ts';
import { base, shellSplit } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts } from './kind.ts';
import { readOptions, tagVersion, type Found } from './options.ts';

export const MONGODB_IMAGE = 'mongo:8.0';
export const MONGODB_PORT = 27017;
const FLAG = 'wiredTigerCacheSizeGB';

/** GB as mongod means it (GiB), three decimals. */
export const cacheGb = (mib: number) => String(Math.round((mib / 1024) * 1000) / 1000);

function mongodbRead(f: ServiceFacts, r: Recognised): void {
  const v = tagVersion(f.image);
  if (v) {
    const [a, b, c] = v as [number, number, number];
    // SERVER-16571: the cgroup limit is read from 3.6.13 and 4.0.9 on.
    const old = a < 3 || (a === 3 && (b < 6 || (b === 6 && c < 13))) || (a === 4 && b === 0 && c < 9 && c > 0);
    if (old) {
      r.settings.memorySource = 'host';
      r.read.push(`memorySource host from the image tag ${v.join('.')} (before 3.6.13 / 4.0.9 mongod sizes its cache from the host's RAM: SERVER-16571)`);
    } else if (a < 5) {
      r.warnings.push(`mongod ${v.join('.')} may not read a cgroup v2 limit (SERVER-60412): on such a host its default cache is sized from the host's RAM; set --wiredTigerCacheSizeGB`);
    }
  }
  const found = new Map<string, Found>();
  for (const [path, text] of Object.entries(f.mounted)) {
    if (!/mongo.*\.(conf|ya?ml)$/.test(path)) continue;
    try {
      const doc = sideFileData(text) as { storage?: { wiredTiger?: { engineConfig?: { cacheSizeGB?: unknown } } } } | null;
      const gb = doc?.storage?.wiredTiger?.engineConfig?.cacheSizeGB;
      if (gb !== undefined) found.set('cache', { value: String(gb), from: `${path} storage.wiredTiger.engineConfig.cacheSizeGB: ${String(gb)}` });
    } catch {
      r.warnings.push(`${path}: not YAML: its settings are not imported`);
    }
  }
  if (f.environment.MONGODB_EXTRA_FLAGS) readOptions(shellSplit(f.environment.MONGODB_EXTRA_FLAGS), { [FLAG.toLowerCase()]: 'cache' }, 'environment MONGODB_EXTRA_FLAGS', found);
  const at = f.command.findIndex((w) => base(w) === 'mongod');
  const args = at >= 0 ? f.command.slice(at + 1) : f.command[0]?.startsWith('-') ? f.command : [];
  readOptions(args, { [FLAG.toLowerCase()]: 'cache' }, 'command', found);
  const cache = found.get('cache');
  if (cache) {
    const gb = Number(cache.value);
    if (Number.isFinite(gb) && gb >= 0.25) {
      r.settings.cacheSize = sizeToPlan(Math.round(gb * 1024 * 1024) / 1024);
      r.read.push(`cacheSize ${sizeToPlan(Math.round(gb * 1024 * 1024) / 1024)} from ${cache.from}`);
    } else r.warnings.push(`${cache.from}: expected a number of GB from 0.25: ignored`);
  }
}

export const mongodb: KindFormat<'mongodb'> = {
  kind: 'mongodb',
  recognise: {
    images: [{ re: /^(?:[^/]+\/)*(?:mongo|mongodb|mongodb-community-server|mongodb-enterprise-server|percona-server-mongodb)$/, label: 'MongoDB' }],
    command: (_command, words) => (words.includes('mongod') ? 'command runs mongod' : null),
    server: /^(mongod|docker-entrypoint\.sh)$/,
    read: mongodbRead,
  },
  edit: {
    syntax: 'double-dash',
    flags: (s, old, { changed }) => (s.settings.cacheSize !== undefined && changed(s.settings.cacheSize, old.settings.cacheSize ?? -1) ? [[FLAG, [cacheGb(s.settings.cacheSize)]]] : []),
    // The official and community images run mongod with a command of flags (their entrypoints).
    defaultCommand: (image) => (/^(docker\.io\/)?(library\/)?mongo(:|@|$)|mongodb\/mongodb-community-server(:|@|$)/.test(image) ? 'mongod' : null),
  },
  oomScoreAdj: -600,
  port: MONGODB_PORT,
  addImage: () => MONGODB_IMAGE,
  compose: ({ service: s, svc, note, volume, healthcheck }) => {
    svc.image = MONGODB_IMAGE;
    svc.container_name = s.name;
    svc.command = ['mongod', ...(s.settings.cacheSize !== undefined ? [`--${FLAG}`, cacheGb(s.settings.cacheSize)] : [])];
    svc.volumes = [volume('/data/db')];
    svc.healthcheck = healthcheck(['CMD', 'mongosh', '--quiet', '--eval', "db.adminCommand('ping').ok"]);
    note.push(s.settings.cacheSize !== undefined ? `WiredTiger cache ${cacheGb(s.settings.cacheSize)} GB.` : 'WiredTiger cache: the default, half of the limit beyond 1 GB (at least 256 MB).');
  },
};
