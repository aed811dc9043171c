/**
 * Samples the running stack: every second each container's cgroup memory (usage, working set,
 * peak, anon/file/shmem, OOM kills) and the emulated host's parent cgroup; every 5 s Docker's
 * view of each container (status, health, restarts, OOMKilled), the engine's own processes
 * (dockerd, containerd, the shims, docker-proxy: the host reserve, as PSS), the app's processes,
 * the database's backends (pg_stat_activity) and Redis's INFO.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MiB, memoryCgroupOfPid, tryReadCgroupMemory, type CgroupMemory } from '../../test/docker/cgroups.ts';
import type { DockerEngine } from '../../test/docker/engine.ts';
import { smapsOf } from '../calibrate/proc.ts';

export type ContainerSample = {
  usageMiB: number;
  workingSetMiB: number;
  peakMiB: number | null;
  anonMiB: number;
  fileMiB: number;
  shmemMiB: number;
  oomKills: number;
  status: string;
  health: string | null;
  restarts: number;
  oomKilled: boolean;
};
export type EngineSample = { dockerdMiB: number; containerdMiB: number; shimsMiB: number; proxiesMiB: number; shims: number; proxies: number; rssMiB: number };
export type Sample = {
  t: number;
  phase: string;
  containers: Record<string, ContainerSample | null>;
  host: { usageMiB: number; workingSetMiB: number; limitMiB: number | null; oomKills: number } | null;
  engine: EngineSample;
  app?: { masterMiB: number; workersMiB: number[] };
  pg?: { clients: number; active: number };
  redis?: Record<string, number>;
};

type Inspect = { Id: string; Name: string; RestartCount: number; State: { Pid: number; Status: string; OOMKilled: boolean; ExitCode: number; Health?: { Status: string } } };

const r2 = (v: number) => Math.round(v * 100) / 100;

function containerSample(m: CgroupMemory | null, i: Inspect): ContainerSample | null {
  const base = { status: i.State.Status, health: i.State.Health?.Status ?? null, restarts: i.RestartCount, oomKilled: i.State.OOMKilled };
  if (!m) return { usageMiB: 0, workingSetMiB: 0, peakMiB: null, anonMiB: 0, fileMiB: 0, shmemMiB: 0, oomKills: 0, ...base };
  return {
    usageMiB: r2(MiB(m.usage)),
    workingSetMiB: r2(MiB(m.workingSet)),
    peakMiB: m.peak === null ? null : r2(MiB(m.peak)),
    anonMiB: r2(MiB(m.anon)),
    fileMiB: r2(MiB(m.file)),
    shmemMiB: r2(MiB(m.shmem)),
    oomKills: m.oomKills,
    ...base,
  };
}

const pssMiB = (pids: number[]) => r2(pids.reduce((a, p) => a + (smapsOf(p)?.pss ?? 0), 0) / 1024);
const rssMiB = (pids: number[]) => pids.reduce((a, p) => a + (smapsOf(p)?.rss ?? 0), 0) / 1024;

export function engineSample(engine: DockerEngine): EngineSample {
  const p = engine.processes();
  return {
    dockerdMiB: pssMiB([p.dockerd]),
    containerdMiB: pssMiB(p.containerd),
    shimsMiB: pssMiB(p.shims),
    proxiesMiB: pssMiB(p.proxies),
    shims: p.shims.length,
    proxies: p.proxies.length,
    rssMiB: r2(rssMiB([p.dockerd, ...p.containerd, ...p.shims, ...p.proxies])),
  };
}

/** PIDs in a memory cgroup. */
function procsOf(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export class Sampler {
  readonly samples: Sample[] = [];
  phase = 'start';
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private n = 0;

  constructor(
    private engine: DockerEngine,
    /** service → container name */
    private containers: Record<string, string>,
    private hostCgroup: string | null,
    private opts: { appService?: string; pgService?: string; pgUser?: string; pgDb?: string; redisService?: string; log?: (s: string) => void } = {},
  ) {}

  /** What the slow loop read last (docker inspect, the engine's and the app's PSS, pg, Redis). */
  private latest: { inspected: Map<string, Inspect>; dirs: Map<string, string | null>; engine: EngineSample | null; app?: Sample['app']; pg?: Sample['pg']; redis?: Sample['redis'] } = {
    inspected: new Map(),
    dirs: new Map(),
    engine: null,
  };
  private slowTimer: NodeJS.Timeout | null = null;
  private slowBusy = false;

  /**
   * Two loops: the cgroup files every `intervalMs` (file reads only: they keep their pace on a
   * saturated machine), and every `slowMs` what needs other processes (docker inspect, PSS from
   * smaps, psql and redis-cli through docker exec), whose latest values each sample carries.
   */
  async start(intervalMs = 1000, slowMs = 5000): Promise<void> {
    await this.slowTick();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.slowTimer = setInterval(() => void this.slowTick(), slowMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.slowTimer) clearInterval(this.slowTimer);
    this.timer = null;
    this.slowTimer = null;
    for (let i = 0; i < 200 && (this.busy || this.slowBusy); i++) await new Promise((r) => setTimeout(r, 100));
  }

  private async inspect(): Promise<Map<string, Inspect>> {
    const names = Object.values(this.containers);
    const r = await this.engine.docker(['inspect', ...names], { timeoutMs: 10_000 });
    const out = new Map<string, Inspect>();
    try {
      for (const i of JSON.parse(r.stdout || '[]') as Inspect[]) out.set(i.Name.replace(/^\//, ''), i);
    } catch {
      // a container removed meanwhile: the next reading sees it
    }
    return out;
  }

  private async slowTick(): Promise<void> {
    if (this.slowBusy) return;
    this.slowBusy = true;
    try {
      const inspected = await this.inspect();
      const dirs = new Map<string, string | null>();
      let app: Sample['app'];
      for (const [svc, name] of Object.entries(this.containers)) {
        const i = inspected.get(name);
        const dir = i && i.State.Pid > 0 ? memoryCgroupOfPid(i.State.Pid) : null;
        dirs.set(svc, dir);
        if (i && dir && svc === this.opts.appService) {
          const workers = procsOf(dir).filter((p) => p !== i.State.Pid);
          app = { masterMiB: pssMiB([i.State.Pid]), workersMiB: workers.map((p) => pssMiB([p])).filter((v) => v > 0) };
        }
      }
      const extra: Pick<Sample, 'pg' | 'redis'> = {};
      await this.slow(extra as Sample);
      this.latest = { inspected, dirs, engine: engineSample(this.engine), app, pg: extra.pg, redis: extra.redis };
      this.slowN++;
    } catch (e) {
      this.opts.log?.(`slow sample failed: ${(e as Error).message}`);
    } finally {
      this.slowBusy = false;
    }
  }

  private slowN = 0;
  private lastSlowN = -1;

  async tick(): Promise<Sample | null> {
    if (this.busy) return null; // a reading still running (a saturated machine) skips the next rather than piling up
    this.busy = true;
    try {
      const t = Date.now();
      const L = this.latest;
      const containers: Sample['containers'] = {};
      for (const [svc, name] of Object.entries(this.containers)) {
        const i = L.inspected.get(name);
        if (!i) {
          containers[svc] = null;
          continue;
        }
        const dir = L.dirs.get(svc) ?? null;
        containers[svc] = containerSample(dir ? tryReadCgroupMemory(dir) : null, i);
      }
      const h = this.hostCgroup ? tryReadCgroupMemory(this.hostCgroup) : null;
      // The slow readings go into the first sample after they were taken (one sample each: medians and maxima are not skewed by repeats).
      const fresh = this.slowN !== this.lastSlowN;
      this.lastSlowN = this.slowN;
      const sample: Sample = {
        t,
        phase: this.phase,
        containers,
        host: h && { usageMiB: r2(MiB(h.usage)), workingSetMiB: r2(MiB(h.workingSet)), limitMiB: h.limit === null ? null : r2(MiB(h.limit)), oomKills: h.oomKills },
        engine: L.engine ?? engineSample(this.engine),
        ...(fresh && L.app ? { app: L.app } : {}),
        ...(fresh && L.pg ? { pg: L.pg } : {}),
        ...(fresh && L.redis ? { redis: L.redis } : {}),
      };
      this.n++;
      this.samples.push(sample);
      return sample;
    } catch (e) {
      this.opts.log?.(`sample failed: ${(e as Error).message}`);
      return null;
    } finally {
      this.busy = false;
    }
  }

  /** pg_stat_activity and Redis INFO, read inside their containers. */
  private async slow(s: Sample): Promise<void> {
    const jobs: Promise<void>[] = [];
    const pg = this.opts.pgService && this.containers[this.opts.pgService];
    if (pg) {
      const sql = "SELECT count(*) FILTER (WHERE backend_type = 'client backend'), count(*) FILTER (WHERE backend_type = 'client backend' AND state = 'active') FROM pg_stat_activity WHERE pid <> pg_backend_pid()";
      jobs.push(
        this.engine.docker(['exec', pg, 'psql', '-U', this.opts.pgUser ?? 'postgres', '-d', this.opts.pgDb ?? 'postgres', '-AtXc', sql], { timeoutMs: 10_000 }).then((r) => {
          const [clients, active] = r.stdout.trim().split('|').map(Number);
          if (r.code === 0 && Number.isFinite(clients)) s.pg = { clients: clients!, active: active ?? 0 };
        }),
      );
    }
    const rd = this.opts.redisService && this.containers[this.opts.redisService];
    if (rd) {
      jobs.push(
        this.engine.docker(['exec', rd, 'redis-cli', 'INFO'], { timeoutMs: 10_000 }).then((r) => {
          if (r.code !== 0) return;
          const info: Record<string, number> = {};
          for (const line of r.stdout.split('\n')) {
            const m = /^(keyspace_hits|keyspace_misses|used_memory|used_memory_rss|used_memory_peak|connected_clients|evicted_keys|rdb_bgsave_in_progress|total_commands_processed|mem_fragmentation_ratio):([\d.]+)/.exec(line.trim());
            if (m) info[m[1]!] = Number(m[2]);
          }
          s.redis = info;
        }),
      );
    }
    await Promise.all(jobs);
  }
}
