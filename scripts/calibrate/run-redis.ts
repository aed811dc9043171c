/**
 * Redis cases: the exported redis.conf at several maxmemory values, filled past maxmemory with
 * small strings, small hashes or 4 KiB semantic-cache entries (allkeys-lru evicting), then a
 * steady trickle of writes; and, with RDB persistence, BGSAVE while writes continue, reading the
 * copy-on-write size Redis reports. Memory: the server's RSS plus the private memory of its
 * forked child while one runs (what the container is charged), sampled every 0.2 s.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CalibrationCase, CalibrationPlan } from '../../src/engine/calibration.ts';
import { exportedFile, writeCalibration } from './record.ts';
import { loadWatch, toolVersion } from './machine.ts';
import { respCommand, RespPipe } from './resp.ts';
import { exitReason, max, median, mib, parentsOf, privateKiB, requireTool, round2, run, sleep, smapsOf, startGroup, stopGroup, treeOf, waitFor, type Started } from './proc.ts';

const REDIS = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';
const SAMPLE_MS = 200;
/** A save of 128 MB takes about a second here: sample it more often. */
const SAVE_SAMPLE_MS = 25;
/** Seconds of paced writes after the fill: a cache in service at its maxmemory. */
const STEADY_SECONDS = 3;
const STEADY_WRITES_PER_SECOND = 5000;
/** A typical app's writes: the seed's 1,000 users × 6 requests a minute = 100 requests/s, ~5 writes each (sessions, rate limits, cache). */
const TYPICAL_WRITES_PER_SECOND = 500;

type ValueKind = 'strings' | 'hashes' | 'cache4k';
/** Writes per second while the fork runs; 0 = as fast as one pipelined client goes. */
type RedisSpec = { maxmemory: number; values: ValueKind; persistence: 'none' | 'rdb'; saveWritesPerSecond?: number };

const VALUE_LABEL: Record<ValueKind, string> = {
  strings: 'small strings (SET, 32-byte values)',
  hashes: 'small hashes (HSET, 5 fields)',
  cache4k: '4 KiB semantic-cache entries (SET EX 600)',
};

export const REDIS_SPECS: RedisSpec[] = [
  ...([32, 128] as const).flatMap((maxmemory) => (['strings', 'hashes', 'cache4k'] as const).map((values) => ({ maxmemory, values, persistence: 'none' as const }))),
  { maxmemory: 256, values: 'cache4k', persistence: 'none' },
  // A save under a typical app's writes (1,000 users × 6 requests a minute × a few writes each),
  // then under 5,000/s and flat out: the stress cases check the high end (a full copy-on-write).
  ...(['strings', 'cache4k'] as const).map((values) => ({ maxmemory: 128, values, persistence: 'rdb' as const, saveWritesPerSecond: TYPICAL_WRITES_PER_SECOND })),
  { maxmemory: 128, values: 'strings', persistence: 'rdb', saveWritesPerSecond: 5000 },
  { maxmemory: 128, values: 'strings', persistence: 'rdb', saveWritesPerSecond: 0 },
  { maxmemory: 128, values: 'cache4k', persistence: 'rdb', saveWritesPerSecond: 0 },
];
/** Stress: more writes during a save than a typical app makes. */
const isStress = (s: RedisSpec) => s.persistence === 'rdb' && s.saveWritesPerSecond !== TYPICAL_WRITES_PER_SECOND;

const caseId = (s: RedisSpec) => `redis-${s.values}-mm${s.maxmemory}-${s.persistence}${s.saveWritesPerSecond === undefined ? '' : s.saveWritesPerSecond ? `-w${s.saveWritesPerSecond}` : '-flat-out'}`;

/** The plan: Redis as an LRU cache whose data (appData) is twice its maxmemory, so it runs full. */
export function redisPlan(s: RedisSpec): CalibrationPlan {
  return {
    name: `calibration ${caseId(s)}`,
    host: { ram: '4GiB' },
    services: [{ name: 'redis', kind: 'redis', limit: `${s.maxmemory * 3}MiB`, settings: { maxmemory: `${s.maxmemory}MiB`, policy: 'allkeys-lru', persistence: s.persistence, appData: `${s.maxmemory * 2}MiB` } }],
  };
}

const FILLER = Buffer.alloc(4096, 'x');
function valueCommand(kind: ValueKind, i: number): Buffer {
  const v = `v${i.toString(36).padStart(31, '0')}`; // 32 bytes, distinct
  if (kind === 'strings') return respCommand(['SET', `s:${i}`, v]);
  if (kind === 'hashes') return respCommand(['HSET', `h:${i}`, 'user', `u${i}`, 'hits', String(i % 997), 'ttl', '600', 'model', 'small', 'v', v.slice(0, 12)]);
  const body = Buffer.from(FILLER);
  body.write(v, 0);
  return respCommand(['SET', `c:${i}`, body, 'EX', '600']);
}

/** Direct children of a process: /proc/PID/task/PID/children when the kernel has it, else a scan. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return treeOf(pid, parentsOf()).filter((c) => c !== pid);
  }
}

class RedisServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-redis-'));
  readonly sock = join(this.dir, 'redis.sock');
  server: Started | null = null;

  async start(conf: string): Promise<void> {
    const path = join(this.dir, 'redis.conf');
    writeFileSync(path, conf);
    // The exported file binds every interface on 6379 in the container; here: no TCP, a unix socket.
    this.server = startGroup('redis', REDIS, [path, '--port', '0', '--bind', '127.0.0.1', '--unixsocket', this.sock, '--dir', this.dir, '--daemonize', 'no'], join(this.dir, 'redis.log'));
    const s = this.server;
    await waitFor('redis to answer PING', () => this.cli('PING') === 'PONG', 15_000, () => exitReason(s));
  }

  cli(...args: string[]): string {
    return run(REDIS_CLI, ['-s', this.sock, ...args], { timeoutMs: 10_000 }).trim();
  }

  info(section: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of this.cli('INFO', section).split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
    }
    return out;
  }

  /** The server's RSS plus the private memory of its children (the fork while saving). */
  sample(): { rss: number; child: number; children: number } | null {
    if (!this.server) return null;
    const pid = this.server.pgid;
    const m = smapsOf(pid);
    if (!m) return null;
    let child = 0;
    let children = 0;
    for (const c of childrenOf(pid)) {
      const cm = smapsOf(c);
      if (cm) {
        child += privateKiB(cm);
        children++;
      }
    }
    return { rss: m.rss, child, children };
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    try {
      this.cli('SHUTDOWN', 'NOSAVE');
    } catch {
      // already gone, or refused: the group is killed below
    }
    await stopGroup(this.server, 'SIGTERM', 5000);
    this.server = null;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Samples `srv` every SAMPLE_MS into `into` until `stop()` is called. */
function sampler(srv: RedisServer, into: { total: number; child: number }[], everyMs = SAMPLE_MS): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      const s = srv.sample();
      if (s) into.push({ total: s.rss + s.child, child: s.child });
      await sleep(everyMs);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

async function redisCase(s: RedisSpec): Promise<CalibrationCase> {
  const id = caseId(s);
  const srv = new RedisServer();
  const watch = loadWatch();
  try {
    await srv.start(exportedFile(redisPlan(s), 'redis.conf'));
    const settings: Record<string, string> = {};
    for (const k of ['maxmemory', 'maxmemory-policy', 'save', 'appendonly']) settings[k] = srv.cli('CONFIG', 'GET', k).split('\n')[1] ?? '';
    settings.redis_version = srv.info('server').redis_version ?? '';
    settings.mem_allocator = srv.info('memory').mem_allocator ?? '';
    const pipe = await RespPipe.open(srv.sock);
    const fillSamples: { total: number; child: number }[] = [];
    const steadySamples: { total: number; child: number }[] = [];
    let written = 0;
    let firstEviction = 0;
    try {
      // Fill in batches until eviction starts, then write half as much again: past maxmemory.
      const stopFill = sampler(srv, fillSamples);
      const batch = s.values === 'cache4k' ? 2000 : 20_000;
      const limit = 20_000_000; // bound: never more keys than this
      while (written < limit) {
        await pipe.send(Array.from({ length: batch }, (_, k) => valueCommand(s.values, written + k)));
        await pipe.flush();
        written += batch;
        const evicted = Number(srv.info('stats').evicted_keys ?? 0);
        if (evicted > 0 && !firstEviction) firstEviction = written;
        if (firstEviction && written >= firstEviction * 1.5) break;
      }
      await stopFill();
      if (!firstEviction) throw new Error(`${id}: no eviction after ${written} keys`);

      if (s.persistence === 'none') {
        // A cache in service: paced writes of new keys, evicting old ones.
        const stop = sampler(srv, steadySamples);
        const perTick = STEADY_WRITES_PER_SECOND / 10;
        for (let t = 0; t < STEADY_SECONDS * 10; t++) {
          await pipe.send(Array.from({ length: perTick }, (_, k) => valueCommand(s.values, written + k)));
          written += perTick;
          await sleep(100);
        }
        await pipe.flush();
        await stop();
      } else {
        // BGSAVE while writes continue: paced, or as fast as one pipelined client goes.
        const rate = s.saveWritesPerSecond ?? 0;
        const stop = sampler(srv, steadySamples, SAVE_SAMPLE_MS);
        srv.cli('BGSAVE');
        const end = Date.now() + 60_000;
        while (Date.now() < end) {
          const n = rate ? Math.max(1, rate / 20) : s.values === 'cache4k' ? 500 : 5000;
          await pipe.send(Array.from({ length: n }, (_, k) => valueCommand(s.values, written + k)));
          written += n;
          if (rate) await sleep(50);
          else await pipe.flush();
          if (srv.info('persistence').rdb_bgsave_in_progress === '0') break;
        }
        await pipe.flush();
        await stop();
      }
      if (pipe.firstError) throw new Error(`${id}: redis replied ${pipe.firstError}`);
    } finally {
      pipe.close();
    }
    const mem = srv.info('memory');
    const persistence = srv.info('persistence');
    const stats = srv.info('stats');
    const keys = Number(/keys=(\d+)/.exec(srv.info('keyspace').db0 ?? '')?.[1] ?? 0);
    // For the save cases, the samples while the child ran; else the paced-writes phase.
    const during = s.persistence === 'rdb' ? steadySamples.filter((x) => x.child > 0) : steadySamples;
    if (during.length < (s.persistence === 'rdb' ? 2 : 3)) throw new Error(`${id}: only ${during.length} samples (a save shorter than ${3 * SAVE_SAMPLE_MS} ms?)`);
    const all = [...fillSamples, ...steadySamples].map((x) => x.total);
    const load = watch();
    const n = (k: string, src: Record<string, string>) => Number(src[k] ?? NaN);
    return {
      id,
      label: `Redis maxmemory ${s.maxmemory}MB allkeys-lru, ${VALUE_LABEL[s.values]} past maxmemory${s.persistence === 'rdb' ? `, BGSAVE under ${s.saveWritesPerSecond ? `${s.saveWritesPerSecond} writes/s` : 'writes flat out'}` : ''}`,
      role: isStress(s) ? 'stress' : 'typical',
      plan: redisPlan(s),
      service: 'redis',
      settings,
      load: {
        tool: 'harness RESP pipe (unix socket)',
        values: s.values,
        keysWritten: written,
        keysAtFirstEviction: firstEviction,
        writesPerSecond: s.persistence === 'none' ? STEADY_WRITES_PER_SECOND : s.saveWritesPerSecond || 'flat out',
        ...load,
      },
      measured: {
        metric: s.persistence === 'rdb' ? 'RSS of redis-server plus the private memory of its BGSAVE child, while the save runs' : 'RSS of redis-server, at maxmemory under paced writes',
        typicalMiB: mib(median(during.map((x) => x.total))),
        peakMiB: mib(max(all)),
        samples: during.length,
        detail: {
          used_memory: round2(n('used_memory', mem) / 1048576),
          used_memory_rss: round2(n('used_memory_rss', mem) / 1048576),
          used_memory_dataset: round2(n('used_memory_dataset', mem) / 1048576),
          mem_fragmentation_ratio: n('mem_fragmentation_ratio', mem),
          allocator_frag_ratio: n('allocator_frag_ratio', mem),
          maxmemory: round2(n('maxmemory', mem) / 1048576),
          keys,
          evicted_keys: n('evicted_keys', stats),
          rdb_last_cow_size: round2(n('rdb_last_cow_size', persistence) / 1048576),
          childPrivatePeak: mib(max(steadySamples.map((x) => x.child))),
        },
      },
    };
  } finally {
    await srv.dispose();
  }
}

export async function calibrateRedis(only: (id: string) => boolean = () => true): Promise<void> {
  requireTool(REDIS, 'redis-server');
  requireTool(REDIS_CLI, 'redis-tools');
  const recordedAt = new Date().toISOString();
  const cases: CalibrationCase[] = [];
  for (const s of REDIS_SPECS.filter((x) => only(caseId(x)))) {
    const c = await redisCase(s);
    console.log(`  ${c.id}: ${c.measured.typicalMiB} MiB typical, ${c.measured.peakMiB} peak (used ${c.measured.detail.used_memory}, frag ${c.measured.detail.mem_fragmentation_ratio}, cow ${c.measured.detail.rdb_last_cow_size})`);
    cases.push(c);
  }
  writeCalibration('calibration/redis.json', {
    kind: 'redis',
    recordedAt,
    method: `redis-server started with the redis.conf Headroom exports for the plan (maxmemory, policy and persistence as exported; TCP off and a unix socket and temp dir given on the command line), filled by a pipelined client past maxmemory (half as many keys again as when eviction began), then ${STEADY_SECONDS} s of writes at ${STEADY_WRITES_PER_SECOND}/s (typical: the median sample then), or, with RDB, BGSAVE while writes continue (typical: the median while the child runs). Samples every ${SAMPLE_MS / 1000} s (${SAVE_SAMPLE_MS / 1000} s during a save): the server's RSS plus its child's private memory. Peak: the largest sample, fill included.`,
    tools: { 'redis-server': toolVersion(REDIS) },
  }, cases);
}
