/** The host: RAM, swap, and the memory used outside every container (memory-model.md, "The host"). */
import type { Plan } from './schema.ts';
import type { Component, Range } from './report.ts';
import { component, usageOf } from './usage.ts';
import { sizeFormat } from './units.ts';

// The Docker engine's figures are measured here by the deployment test (npm run stack-test):
// PSS of the engine's processes under the plan's load, Docker 20.10.24 / containerd 1.6.20,
// in calibration/host.json (overlay2, 7 containers, 4 published ports) and
// calibration/stack-test/production-4gb.json (vfs, 4 containers, 2 published ports). Where they
// disagree with memory-model.md's public figures (dockerd 40–80, containerd 20–40, shim 5–10),
// the measurement wins.

/**
 * Kernel and system (everything outside the containers and the Docker engine), by the host's RAM,
 * measured in virtual machines of each size (calibration/kernel.json, `npm run calibrate -- host`, 512 MiB to 16 GiB:
 * Debian 12's stock kernel 6.1, systemd, sshd, cron and an idle Docker engine, a minute after boot).
 * What a container cannot get: RAM − MemAvailable, less the engine's anonymous memory (its parts
 * below). It grows with RAM in steps the kernel documents: the page structs (64 bytes per 4 KiB
 * page) and firmware regions never reach MemTotal (57 MiB at 512 MiB, 183 at 4 GiB with the
 * 64 MiB swiotlb bounce buffer a host with memory above 4 GiB gets); from 512 MiB of MemTotal up
 * transparent huge pages raise min_free_kbytes to 44 MiB (two zones) or 66 MiB (three, over
 * ~3 GiB) and the watermarks above it are held free (mm/khugepaged.c set_recommended_min_free_kbytes).
 * - low: the kernel alone (init=/bin/sh) plus the system daemons' anonymous memory: what no
 *   reclaim gives back;
 * - typical: the measured VPS (the median of three samples);
 * - high: the same VPS with unattended-upgrades and fail2ban (measured) plus 31 MiB, the kernel
 *   memory a running stack added in the deployment test (calibration/host.json kernelAddedMiB,
 *   15.8 ± 15.4 MiB, at its top).
 * Between the measured sizes: linear (assumed); under 512 MiB: the 512 MiB figures (assumed: no
 * smaller host was measured); over 16 GiB: the 8 → 16 GiB slope of the typical (assumed: the page structs and
 * hash tables keep growing with RAM, the watermarks do not; that slope extrapolated from 4 → 8 GiB
 * had predicted 760 MiB at 16 GiB, 748 measured).
 */
const KERNEL_BY_RAM: readonly { ramMiB: number; low: number; typical: number; high: number }[] = [
  { ramMiB: 512, low: 102, typical: 123, high: 175 },
  { ramMiB: 1024, low: 186, typical: 274, high: 336 },
  { ramMiB: 2048, low: 245, typical: 305, high: 378 },
  // Under ~3.5 GiB all memory sits below the 4 GiB line: two zones, no swiotlb.
  { ramMiB: 3072, low: 249, typical: 331, high: 389 },
  { ramMiB: 4096, low: 395, typical: 496, high: 558 },
  { ramMiB: 8192, low: 475, typical: 584, high: 649 },
  { ramMiB: 16384, low: 655, typical: 748, high: 810 },
];

/** Where the kernel-and-system figures come from, as the reserve's breakdown says it. */
/** The VM sizes the kernel and system were measured at, smallest to largest: "512 MiB–16 GiB" (the page's Calibration tab says it too). */
export const KERNEL_MEASURED_RANGE = `${sizeFormat(KERNEL_BY_RAM[0]!.ramMiB)}–${sizeFormat(KERNEL_BY_RAM[KERNEL_BY_RAM.length - 1]!.ramMiB)}`;
const KERNEL_NOTE = `measured in VMs of ${KERNEL_MEASURED_RANGE}`;

/** The kernel-and-system figures for a host of `ramMiB`, from the measured sizes (KERNEL_BY_RAM). */
export function kernelAndSystemMiB(ramMiB: number): Range {
  const rows = KERNEL_BY_RAM;
  const first = rows[0]!;
  if (ramMiB <= first.ramMiB) return { low: first.low, typical: first.typical, high: first.high };
  const i = rows.findIndex((r) => r.ramMiB >= ramMiB);
  if (i < 0) {
    // Past the largest size: the last segment's typical slope, added to all three (each end's own
    // slope would bring low over typical by 64 GiB: the three were measured, the slopes not).
    const [a, b] = [rows[rows.length - 2]!, rows[rows.length - 1]!];
    const more = ((b.typical - a.typical) / (b.ramMiB - a.ramMiB)) * (ramMiB - b.ramMiB);
    return { low: b.low + more, typical: b.typical + more, high: b.high + more };
  }
  const [a, b] = [rows[i - 1]!, rows[i]!];
  const t = (ramMiB - a.ramMiB) / (b.ramMiB - a.ramMiB);
  const at = (k: 'low' | 'typical' | 'high') => a[k] + (b[k] - a[k]) * t;
  return { low: at('low'), typical: at('typical'), high: at('high') };
}

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
  const kernel = kernelAndSystemMiB(plan.host.ram);
  return usageOf([
    component(KERNEL_COMPONENT, kernel.low, kernel.typical, kernel.high, KERNEL_NOTE),
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
