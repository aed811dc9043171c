/**
 * Is the machine itself the bottleneck? A latency figure measured on a saturated machine says
 * little about the stack: this measures, for each phase, how busy the machine's CPUs were and
 * who used them (the stack's containers through their cgroups, this process: the load generator
 * and the sampler, and everything else: other work on a shared machine), how long runnable tasks
 * waited for a CPU (PSI), how late the load generator's own event loop ran, and what the stack
 * needed per request, so that the report can say whether the plan's rate fits these cores at all
 * and whether the p95 criterion could be judged here.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { readCpuSeconds } from '../../test/docker/cgroups.ts';

type Snap = { t: number; busy: number; steal: number; total: number; psiSomeUs: number | null; self: NodeJS.CpuUsage; stack: number | null; app: number | null; services: Record<string, number | null>; perCpu: Map<number, { busy: number; total: number }> };

/** /proc/stat's first line: busy (user+nice+system+irq+softirq), steal and all ticks. */
function procStat(): { busy: number; steal: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { busy: user + nice + system + irq + softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** /proc/stat's per-CPU lines: busy (steal included) and all ticks of each CPU by number. */
function perCpuStat(): Map<number, { busy: number; total: number }> {
  const out = new Map<number, { busy: number; total: number }>();
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = m[2]!.trim().split(/\s+/).map(Number);
    out.set(Number(m[1]), { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal });
  }
  return out;
}

/** PSI: microseconds in which at least one runnable task waited for a CPU (null: no PSI). */
function psiCpuSome(): number | null {
  try {
    const m = /some .*total=(\d+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export type PhaseCpu = {
  phase: string;
  seconds: number;
  cores: number;
  /** Share of all CPU time that was busy (steal counted as busy: another guest had the CPU). */
  machineBusyPercent: number;
  stealPercent: number;
  /** Share of the time in which some runnable task waited for a CPU (PSI cpu some). */
  cpuWaitPercent: number | null;
  loadavg1: number;
  /** Cores used, on average: the stack's containers, this process, everything else. */
  stackCores: number | null;
  appCores: number | null;
  generatorCores: number;
  otherCores: number | null;
  /** The load generator's event loop: how late its timers ran (ms). */
  eventLoopDelayMs: { p99: number; max: number } | null;
  requests: number;
  /** CPU milliseconds per request served: the app's container and the whole stack. */
  appCpuMsPerRequest: number | null;
  stackCpuMsPerRequest: number | null;
  /** Per container (when asked): cores used on average and CPU-ms per request served. */
  services?: Record<string, { cores: number | null; cpuMsPerRequest: number | null }>;
  /** On the CPUs the stack was pinned to (when it was): their busy share and the cores other work took there (busy − the stack). */
  stackCpus?: { cpus: number[]; busyPercent: number; otherCores: number | null };
};

const r2 = (v: number) => Math.round(v * 100) / 100;

export class CpuWatch {
  private start: Snap | null = null;
  private h: IntervalHistogram | null = null;
  constructor(
    /** CPU-accounting directories: the emulated host's cgroup (every container) and the app's container (found when the phase starts). */
    private stackDir: string | null,
    private appDir: () => string | null,
    /** Each container's CPU-accounting directory by service (found when the phase starts); none: no per-service figures. */
    private serviceDirs?: () => Record<string, string | null>,
    /** The CPUs the stack is pinned to (cpuset), to tell what else ran on them. */
    private stackCpus?: number[],
  ) {}

  private snap(appDir: string | null): Snap {
    const p = procStat();
    const services: Record<string, number | null> = {};
    for (const [svc, dir] of Object.entries(this.dirs)) services[svc] = dir ? readCpuSeconds(dir) : null;
    return { t: Date.now(), ...p, psiSomeUs: psiCpuSome(), self: process.cpuUsage(), stack: this.stackDir ? readCpuSeconds(this.stackDir) : null, app: appDir ? readCpuSeconds(appDir) : null, services, perCpu: perCpuStat() };
  }

  private app: string | null = null;
  private dirs: Record<string, string | null> = {};

  begin(): void {
    this.app = this.appDir();
    this.dirs = this.serviceDirs?.() ?? {};
    this.start = this.snap(this.app);
    this.h = monitorEventLoopDelay({ resolution: 10 });
    this.h.enable();
  }

  end(phase: string, requests: number): PhaseCpu {
    const a = this.start;
    if (!a) throw new Error('CpuWatch.end before begin');
    const b = this.snap(this.app);
    this.h?.disable();
    const seconds = (b.t - a.t) / 1000;
    const cores = cpus().length;
    const ticks = b.total - a.total || 1;
    const busyShare = (b.busy + b.steal - a.busy - a.steal) / ticks;
    const machineCores = busyShare * cores;
    const stackCores = a.stack !== null && b.stack !== null ? (b.stack - a.stack) / seconds : null;
    const appCores = a.app !== null && b.app !== null ? (b.app - a.app) / seconds : null;
    const generatorCores = (b.self.user + b.self.system - a.self.user - a.self.system) / 1e6 / seconds;
    const out: PhaseCpu = {
      phase,
      seconds: r2(seconds),
      cores,
      machineBusyPercent: Math.round(busyShare * 1000) / 10,
      stealPercent: Math.round(((b.steal - a.steal) / ticks) * 1000) / 10,
      cpuWaitPercent: a.psiSomeUs !== null && b.psiSomeUs !== null ? Math.round(((b.psiSomeUs - a.psiSomeUs) / 1e6 / seconds) * 1000) / 10 : null,
      loadavg1: r2(loadavg()[0] ?? 0),
      stackCores: stackCores === null ? null : r2(stackCores),
      appCores: appCores === null ? null : r2(appCores),
      generatorCores: r2(generatorCores),
      otherCores: stackCores === null ? null : r2(Math.max(0, machineCores - stackCores - generatorCores)),
      eventLoopDelayMs: this.h ? { p99: r2(this.h.percentile(99) / 1e6), max: r2(this.h.max / 1e6) } : null,
      requests,
      appCpuMsPerRequest: appCores !== null && requests > 0 ? r2(((appCores * seconds) / requests) * 1000) : null,
      stackCpuMsPerRequest: stackCores !== null && requests > 0 ? r2(((stackCores * seconds) / requests) * 1000) : null,
    };
    if (this.stackCpus?.length) {
      let busy = 0;
      let total = 0;
      for (const n of this.stackCpus) {
        const x = a.perCpu.get(n);
        const y = b.perCpu.get(n);
        if (!x || !y) continue;
        busy += y.busy - x.busy;
        total += y.total - x.total;
      }
      const share = total > 0 ? busy / total : 0;
      const busyCores = share * this.stackCpus.length;
      out.stackCpus = { cpus: this.stackCpus, busyPercent: Math.round(share * 1000) / 10, otherCores: stackCores === null ? null : r2(Math.max(0, busyCores - stackCores)) };
    }
    if (this.serviceDirs) {
      out.services = {};
      for (const svc of Object.keys(this.dirs)) {
        const x = a.services[svc];
        const y = b.services[svc];
        const c = x != null && y != null ? (y - x) / seconds : null;
        out.services[svc] = { cores: c === null ? null : Math.round(c * 1000) / 1000, cpuMsPerRequest: c !== null && requests > 0 ? Math.round(((c * seconds) / requests) * 1e4) / 10 : null };
      }
    }
    this.start = null;
    this.h = null;
    return out;
  }
}

/** Busy: at least this share of the machine's CPU time (other work on a shared machine counts). */
export const SATURATED_BUSY_PERCENT = 90;

export type LatencyJudgement = { judged: boolean; why: string; coresNeeded: number | null };

/**
 * Whether a latency criterion can be judged from this phase: the stack's own need (CPU per
 * request × the plan's rate) is compared with the machine's cores; when it fits but the machine
 * was saturated by other work, the latency measured is the machine's, not the stack's.
 */
export function judgeLatency(cpu: PhaseCpu | undefined, targetRps: number): LatencyJudgement {
  if (!cpu) return { judged: true, why: 'no CPU figures', coresNeeded: null };
  const need = cpu.stackCpuMsPerRequest === null ? null : r2((cpu.stackCpuMsPerRequest * targetRps) / 1000);
  const what = `machine ${cpu.machineBusyPercent}% busy (${cpu.cores} cores: stack ${cpu.stackCores ?? '?'}, load generator ${cpu.generatorCores}, other work ${cpu.otherCores ?? '?'}), tasks waited for a CPU ${cpu.cpuWaitPercent ?? '?'}% of the time, load average ${cpu.loadavg1}`;
  if (need !== null && need > cpu.cores) return { judged: true, why: `the stack needs ${need} cores at ${targetRps} req/s (${cpu.stackCpuMsPerRequest} CPU-ms a request), more than the machine's ${cpu.cores}: ${what}`, coresNeeded: need };
  if (cpu.machineBusyPercent >= SATURATED_BUSY_PERCENT && (cpu.otherCores ?? 0) >= 0.25)
    return { judged: false, why: `not judged: the machine was saturated by other work (${what}); the stack needs ${need ?? '?'} cores at ${targetRps} req/s`, coresNeeded: need };
  return { judged: true, why: what, coresNeeded: need };
}
