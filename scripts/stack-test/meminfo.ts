/**
 * The host's memory outside the containers: /proc/meminfo before the engine starts, under the
 * load, and after everything is removed. The kernel's own memory that the stack adds (slab that
 * cannot be reclaimed, page tables, kernel stacks, per-CPU data: sockets, cgroups, mounts and
 * processes) is the change in those counters; on a shared machine other work changes them too,
 * so the spread of the counters before the start and the difference between before and after
 * are reported as the noise.
 */
import { readFileSync } from 'node:fs';

export type MemInfo = { MemTotal: number; MemAvailable: number; SUnreclaim: number; SReclaimable: number; PageTables: number; KernelStack: number; Percpu: number; Shmem: number };
const KEYS = ['MemTotal', 'MemAvailable', 'SUnreclaim', 'SReclaimable', 'PageTables', 'KernelStack', 'Percpu', 'Shmem'] as const;

/** One reading, MiB. */
export function memInfo(): MemInfo {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const out = {} as MemInfo;
  for (const k of KEYS) {
    const m = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text);
    out[k] = m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : 0;
  }
  return out;
}

/** Kernel memory that no cgroup owns outright: unreclaimable slab, page tables, kernel stacks, per-CPU. */
export const kernelMiB = (m: MemInfo) => m.SUnreclaim + m.PageTables + m.KernelStack + m.Percpu;
/** What the host has in use by its own account: MemTotal − MemAvailable. */
export const usedMiB = (m: MemInfo) => m.MemTotal - m.MemAvailable;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const r1 = (v: number) => Math.round(v * 10) / 10;

export type KernelReserve = {
  /** Median of the readings before the engine started, under the normal load, after the teardown. */
  before: { kernelMiB: number; usedMiB: number };
  load: { kernelMiB: number; usedMiB: number };
  after: { kernelMiB: number; usedMiB: number } | null;
  /** Kernel memory the running stack added (load − before), and the noise: spread before, drift before → after. */
  kernelAddedMiB: number;
  kernelNoiseMiB: number;
  /** Host memory in use added (load − before), beside the containers' usage and the engine's RSS it should roughly equal plus the kernel's part. */
  usedAddedMiB: number;
  usedNoiseMiB: number;
};

export function kernelReserve(before: MemInfo[], load: MemInfo[], after: MemInfo[]): KernelReserve | null {
  if (!before.length || !load.length) return null;
  const k = (xs: MemInfo[]) => r1(median(xs.map(kernelMiB)));
  const u = (xs: MemInfo[]) => r1(median(xs.map(usedMiB)));
  const spread = (xs: number[]) => (xs.length ? Math.max(...xs) - Math.min(...xs) : 0);
  const b = { kernelMiB: k(before), usedMiB: u(before) };
  const a = after.length ? { kernelMiB: k(after), usedMiB: u(after) } : null;
  return {
    before: b,
    load: { kernelMiB: k(load), usedMiB: u(load) },
    after: a,
    kernelAddedMiB: r1(k(load) - b.kernelMiB),
    kernelNoiseMiB: r1(Math.max(spread(before.map(kernelMiB)), a ? Math.abs(a.kernelMiB - b.kernelMiB) : 0)),
    usedAddedMiB: r1(u(load) - b.usedMiB),
    usedNoiseMiB: r1(Math.max(spread(before.map(usedMiB)), a ? Math.abs(a.usedMiB - b.usedMiB) : 0)),
  };
}
