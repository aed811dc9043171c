/** The host: RAM, swap, and the memory used outside every container (memory-model.md, "The host"). */
import type { Plan } from './schema.ts';
import type { Component, Range } from './report.ts';
import { component, usageOf } from './usage.ts';

// The Docker engine's figures are measured here by the deployment test (npm run stack-test):
// PSS of the engine's processes under the plan's load, Docker 20.10.24 / containerd 1.6.20,
// in calibration/host.json (overlay2, 7 containers, 4 published ports) and
// calibration/stack-test/production-4gb.json (vfs, 4 containers, 2 published ports). Where they
// disagree with memory-model.md's public figures (dockerd 40–80, containerd 20–40, shim 5–10),
// the measurement wins.

/** Kernel + systemd + sshd and friends: 150–300 MiB (memory-model.md guess). Not measurable on
 * this shared machine: the stack added 16 ± 15 MiB of kernel memory (slab, page tables, stacks;
 * calibration/host.json kernelAddedMiB), the base is other work's too. */
const KERNEL_MIB = { low: 150, typical: 200, high: 300 } as const;
/** dockerd: measured 85 MiB PSS (calibration/host.json) and 96 (calibration/stack-test/production-4gb.json);
 * low and high assumed: ±10 MiB around them, and +25% for a long-running engine's image and log state. */
const DOCKERD_MIB = { low: 75, typical: 90, high: 120 } as const;
/** containerd: measured 42 MiB PSS in both runs (calibration/host.json, calibration/stack-test/production-4gb.json);
 * low and high assumed ±15% and +30%. */
const CONTAINERD_MIB = { low: 36, typical: 42, high: 55 } as const;
/** One containerd-shim-runc-v2 per container: measured 4.55 MiB PSS each with 7 (calibration/host.json)
 * and 5.6 with 4 (calibration/stack-test/production-4gb.json; PSS shares the binary's pages, so more
 * shims cost less each); high: memory-model.md's 7 MiB RSS of a lone shim. */
const SHIM_MIB = { low: 4.5, typical: 5, high: 7 } as const;
/** One docker-proxy per published port (userland-proxy, Docker's default): measured 1.6 MiB PSS each
 * with 4 (calibration/host.json) and 3.5 with 2 (calibration/stack-test/production-4gb.json); high
 * assumed: a lone proxy's RSS, ~5 MiB, and Docker starts a second one for IPv6 on some hosts. */
const PROXY_MIB = { low: 1.5, typical: 3.5, high: 5 } as const;

/** Memory outside all containers, with its parts; a plan's fixed `reserve` replaces the estimate. */
export function hostReserve(plan: Plan, containers: number): Range & { components: Component[] } {
  if (plan.host.reserve !== 'auto') {
    const r = plan.host.reserve;
    return usageOf([component('reserve (set in plan)', r, r, r)]);
  }
  const ports = publishedPorts(plan);
  return usageOf([
    component(KERNEL_COMPONENT, KERNEL_MIB.low, KERNEL_MIB.typical, KERNEL_MIB.high),
    component('dockerd', DOCKERD_MIB.low, DOCKERD_MIB.typical, DOCKERD_MIB.high),
    component('containerd', CONTAINERD_MIB.low, CONTAINERD_MIB.typical, CONTAINERD_MIB.high),
    component('containerd-shim', containers * SHIM_MIB.low, containers * SHIM_MIB.typical, containers * SHIM_MIB.high, `${containers} containers`),
    component('docker-proxy', ports * PROXY_MIB.low, ports * PROXY_MIB.typical, ports * PROXY_MIB.high, `${ports} published ports`),
  ]);
}

/** The reserve's part outside the Docker engine (the deployment test measures the engine's processes only). */
export const KERNEL_COMPONENT = 'kernel and system';

/** Ports the export publishes on the host, one docker-proxy each: the app (one port per replica)
 * and the web UIs of Prometheus, Grafana and AlertManager (src/formats/kinds/{fastapi,prometheus,grafana,alertmanager}.ts;
 * test/host-ports.test.ts checks the two agree). */
export function publishedPorts(plan: Plan): number {
  let n = 0;
  for (const s of plan.services) {
    if (s.kind === 'fastapi') n += s.settings.replicas;
    else if (s.kind === 'prometheus' || s.kind === 'grafana' || s.kind === 'alertmanager') n += 1;
  }
  return n;
}
