/**
 * redis.conf for one Redis service: maxmemory, its policy and persistence as planned, with the
 * safe maxmemory for that persistence (its tuner) beside it. Values are numbers and enums; names
 * and free text appear only in comments, escaped.
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { tuneRedis } from '../../engine/kinds/redis.ts';
import { bytes, commentText, GENERATED_BY, human } from './common.ts';
import { MOUNTS, PORTS, type Stack } from './stack.ts';

/** Redis 7's built-in snapshot schedule (redis.conf shipped with 7.x: `save 3600 1 300 100 60 10000`). */
const RDB_SCHEDULE = '3600 1 300 100 60 10000';

/** The directives written, as CONFIG GET reports them (the real-tool test compares each). */
export function redisDirectives(r: ServiceOf<'redis'>): Record<string, string> {
  const p = r.settings.persistence;
  return {
    maxmemory: String(bytes(r.settings.maxmemory)),
    'maxmemory-policy': r.settings.policy,
    appendonly: p === 'aof' ? 'yes' : 'no',
    save: p === 'rdb' ? RDB_SCHEDULE : '',
  };
}

export function redisConf(stack: Stack, r: ServiceOf<'redis'>): string {
  const t = tuneRedis(r);
  const d = redisDirectives(r);
  const mm = r.settings.maxmemory;
  const lines: string[] = [];
  const comment = (s: string) => lines.push(s ? `# ${commentText(s)}` : '#');
  comment(`redis.conf for the service "${r.name}". ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`);
  comment(`Mounted at ${MOUNTS.redisConf}; the compose file starts redis-server with it.`);
  lines.push('');
  comment('Reached only on the compose network (no port published), so no TLS and no password here.');
  lines.push('bind * -::*', 'protected-mode no', `port ${PORTS.redis}`);
  comment("Data files go to the working directory, /data in the official image (the compose file's volume).");
  lines.push('');
  if (r.limit !== null) comment(`Container limit ${human(r.limit)}.`);
  if (mm === 0) comment('maxmemory 0 means no bound: the data set can grow until the container is OOM-killed.');
  else comment(`maxmemory ${human(mm)} = ${d.maxmemory} bytes.`);
  if (t.recommendedMaxmemory !== null && !t.plannedSafe) {
    comment(`Headroom recommends at most ${human(t.recommendedMaxmemory)}: ${t.explain}.`);
  }
  if (!t.fits) comment(`Headroom: ${t.explain}.`);
  comment('Not counted in maxmemory: client and AOF buffers, fragmentation (Redis docs).');
  lines.push(`maxmemory ${d.maxmemory}`);
  if (r.settings.policy.startsWith('volatile')) comment('volatile-* policies evict only keys with a TTL: without any, they act like noeviction.');
  lines.push(`maxmemory-policy ${d['maxmemory-policy']}`);
  lines.push('');
  if (r.settings.persistence === 'rdb') {
    comment('Persistence: RDB snapshots on Redis 7\'s default schedule. Each save forks; the child\'s copy-on-write pages count in this container.');
    lines.push(`save ${RDB_SCHEDULE}`, 'appendonly no');
  } else if (r.settings.persistence === 'aof') {
    comment('Persistence: append-only file, fsync every second. Each rewrite forks; the child\'s copy-on-write pages count in this container.');
    lines.push('save ""', 'appendonly yes', 'appendfsync everysec');
  } else {
    comment('Persistence: none. A restart empties the cache.');
    lines.push('save ""', 'appendonly no');
  }
  return lines.join('\n') + '\n';
}
