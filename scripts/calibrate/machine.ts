/** The machine a calibration ran on, the tools' versions, and the load it saw while measuring. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

export type Machine = { cpu: string; cores: number; memMiB: number; kernel: string; os: string; node: string; cgroup: string };

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function machineFacts(): Machine {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memMiB: Math.round(totalmem() / 1048576), kernel: release(), os: osName(), node: process.version, cgroup: cgroupLayout() };
}

/**
 * Which cgroup version governs memory: v2 when /sys/fs/cgroup is the unified hierarchy; v1 when
 * the memory controller is mounted on its own (a hybrid host also mounts an empty unified
 * hierarchy, and its processes show a `0::` line in /proc/self/cgroup: that line alone does not
 * make it v2).
 */
export function cgroupLayout(): string {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return 'v2';
  if (existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')) return existsSync('/sys/fs/cgroup/unified') ? 'v1 (hybrid: memory on v1, an empty v2 hierarchy beside it)' : 'v1';
  return 'unknown';
}

/** The first line of `cmd --version` (or of its output with `args`). */
export function toolVersion(cmd: string, args = ['--version']): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').find((l) => l.trim())?.trim() ?? 'unknown';
}

/** CPU time counters of the whole machine (/proc/stat), to measure how busy it was. */
function cpuTimes(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (line[3] ?? 0) + (line[4] ?? 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** The load seen during one case: load average at start and end, and the machine's CPU use. */
export type Load = { loadavg1Start: number; loadavg1End: number; cpuBusyPercent: number; wallSeconds: number };

export function loadWatch(): () => Load {
  const t0 = Date.now();
  const c0 = cpuTimes();
  const l0 = loadavg()[0] ?? 0;
  return () => {
    const c1 = cpuTimes();
    const busy = c1.total > c0.total ? ((c1.busy - c0.busy) / (c1.total - c0.total)) * 100 : 0;
    return {
      loadavg1Start: Math.round(l0 * 100) / 100,
      loadavg1End: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      cpuBusyPercent: Math.round(busy),
      wallSeconds: Math.round((Date.now() - t0) / 100) / 10,
    };
  };
}
