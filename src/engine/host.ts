/** The host: RAM, swap, and the memory used outside every container (memory-model.md, "The host"). */
import type { Plan } from './schema.ts';
import type { Component, Range } from './report.ts';
import { component, usageOf } from './usage.ts';

/** Kernel + systemd + sshd and friends: 150–300 MiB (memory-model.md guess, to measure). */
const KERNEL_MIB = { low: 150, typical: 200, high: 300 } as const;
/** dockerd: 40–80 MiB (memory-model.md). */
const DOCKERD_MIB = { low: 40, typical: 60, high: 80 } as const;
/** containerd: 20–40 MiB (memory-model.md). */
const CONTAINERD_MIB = { low: 20, typical: 30, high: 40 } as const;
/** One containerd-shim per container: 5–10 MiB (memory-model.md). */
const SHIM_MIB = { low: 5, typical: 7, high: 10 } as const;

/** Memory outside all containers, with its parts; a plan's fixed `reserve` replaces the estimate. */
export function hostReserve(plan: Plan, containers: number): Range & { components: Component[] } {
  if (plan.host.reserve !== 'auto') {
    const r = plan.host.reserve;
    return usageOf([component('reserve (set in plan)', r, r, r)]);
  }
  return usageOf([
    component('kernel and system', KERNEL_MIB.low, KERNEL_MIB.typical, KERNEL_MIB.high),
    component('dockerd', DOCKERD_MIB.low, DOCKERD_MIB.typical, DOCKERD_MIB.high),
    component('containerd', CONTAINERD_MIB.low, CONTAINERD_MIB.typical, CONTAINERD_MIB.high),
    component('containerd-shim', containers * SHIM_MIB.low, containers * SHIM_MIB.typical, containers * SHIM_MIB.high, `${containers} containers`),
  ]);
}
