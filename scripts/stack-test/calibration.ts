/**
 * Records a stack-test run as calibration data, in the shape of calibration/*.json
 * (src/engine/calibration.ts): calibration/stack-test/fastapi-container.json (the app container) and
 * calibration/host.json (the engine's own processes: the host reserve outside the containers),
 * cases merged by id so that runs of several plans accumulate; and the run's report beside them
 * (calibration/stack-test/<plan>.{md,json}, without the raw samples).
 *
 * The engine's calibration check (src/engine/calibration.ts) reads both: a fastapi case against
 * the app's prediction, the host case against the reserve's Docker-engine components (dockerd,
 * containerd, the shims, docker-proxy; not the kernel's share, which is not measured here).
 *
 * The worker's size is the user's to state (`perWorker`: their app's, which the engine cannot
 * know); the stand-in app is a small one. So a fastapi case's plan states the worker size the
 * run measured (PSS of a worker under the normal load), and the case checks the rest of the
 * model: master + workers × size + requests in flight against the container's working set. The
 * plan's own figure is kept in the case's settings (perWorkerInPlan).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineFacts } from '../calibrate/machine.ts';
import { REPO } from './plan.ts';
import { reportMarkdown, type StackReport } from './report.ts';
import type { StackTestResult } from './run.ts';

type Case = {
  id: string;
  label: string;
  role: 'typical' | 'stress' | 'light';
  plan: Record<string, unknown>;
  service: string;
  settings: Record<string, string>;
  load: Record<string, number | string>;
  measured: { metric: string; typicalMiB: number; peakMiB: number; samples: number; detail: Record<string, number> };
};

function merge(path: string, head: Record<string, unknown>, cases: Case[]): void {
  let old: Case[] = [];
  if (existsSync(path)) {
    try {
      old = (JSON.parse(readFileSync(path, 'utf8')) as { cases: Case[] }).cases ?? [];
    } catch {
      old = [];
    }
  }
  const ids = new Set(cases.map((c) => c.id));
  const file = { version: 1, ...head, recordedAt: new Date().toISOString(), machine: machineFacts(), cases: [...old.filter((c) => !ids.has(c.id)), ...cases] };
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n');
  console.log(`wrote ${path} (${file.cases.length} cases)`);
}

const slug = (s: string) => s.replace(/[^\w.-]+/g, '-');

export function writeStackCalibration(r: StackTestResult, rep: StackReport): void {
  const dir = join(REPO, 'calibration');
  const id = slug(rep.title.replace(/^Deployment test: /, '').replace(/, measured$/, ''));
  mkdirSync(join(dir, 'stack-test'), { recursive: true });
  writeFileSync(join(dir, 'stack-test', `${id}.json`), JSON.stringify(rep, null, 1) + '\n');
  writeFileSync(join(dir, 'stack-test', `${id}.md`), reportMarkdown(rep));
  const w = r.plan.workload;
  const input = r.plan.input;
  const tools = { ...r.versions };
  const appSvc = r.plan.report.services.find((s) => s.kind === 'fastapi');
  const fastapiCases: Case[] = [];
  const pssOf = (phase: string) => r.samples.filter((s) => s.phase === phase && s.app).flatMap((s) => s.app!.workersMiB).sort((a, b) => a - b);
  const normalWorkers = pssOf('normal');
  const measuredWorkerMiB = normalWorkers.length ? Math.round(normalWorkers[Math.floor(normalWorkers.length / 2)]!) : null;
  for (const phase of ['normal', 'spike'] as const) {
    const l = r.load.find((x) => x.phase === phase);
    const cpu = r.cpu.find((x) => x.phase === phase);
    const ss = r.samples.filter((s) => s.phase === phase && appSvc && s.containers[appSvc.name]?.status === 'running');
    if (!l || !appSvc || !ss.length) continue;
    const ws = ss.map((s) => s.containers[appSvc.name]!.workingSetMiB).sort((a, b) => a - b);
    const apps = ss.filter((s) => s.app).map((s) => s.app!);
    // The case's plan: the plan as run, its active users set to the rate the app really served.
    const users = Math.round(((l.achievedRps * 60) / w.requestsPerUserPerMinute) * 100) / 100;
    // The app's worker size as measured (see the head of this file).
    type SvcIn = { name: string; settings?: Record<string, unknown> };
    const services = ((input.services as SvcIn[]) ?? []).map((s) => (s.name === appSvc.name && measuredWorkerMiB !== null ? { ...s, settings: { ...(s.settings ?? {}), perWorker: `${measuredWorkerMiB}MiB` } } : s));
    const plan = { ...input, name: `stack-test ${rep.title} ${phase}`, workload: { ...((input.workload as object) ?? {}), activeUsers: users, spike: 1 }, services };
    const settings: Record<string, string> = {};
    const svcInput = ((input.services as SvcIn[]) ?? []).find((s) => s.name === appSvc.name);
    for (const [k, v] of Object.entries(svcInput?.settings ?? {})) settings[k === 'perWorker' ? 'perWorkerInPlan' : k] = String(v);
    if (measuredWorkerMiB !== null) settings.perWorker = `${measuredWorkerMiB}MiB (measured, normal load)`;
    // What ran: the worker processes counted in the container, and the versions of the Python stack.
    if (apps.length) settings.workersRunning = String(Math.max(...apps.map((a) => a.workersMiB.length)));
    if (r.versions.app) settings.pythonStack = r.versions.app;
    fastapiCases.push({
      id: `stack-${id}-${phase}`,
      label: `${rep.title.replace(/, measured$/, '')}: the app container under ${phase === 'normal' ? 'the plan\u2019s load' : `the spike (×${w.spike})`}, ${l.achievedRps} req/s served (target ${l.targetRps}), p95 ${l.latencyMs.p95} ms`,
      role: phase === 'normal' ? 'typical' : 'stress',
      plan,
      service: appSvc.name,
      settings,
      load: {
        tool: 'open-loop HTTP load generator on 127.0.0.1 (scripts/stack-test/load.ts)',
        targetRps: l.targetRps,
        achievedRps: l.achievedRps,
        p50Ms: l.latencyMs.p50,
        p95Ms: l.latencyMs.p95,
        meanMs: l.latencyMs.mean,
        // Little's law: requests in flight on average = served rate × mean latency.
        inFlightMean: Math.round(((l.achievedRps * l.latencyMs.mean) / 1000) * 10) / 10,
        seconds: l.seconds,
        requestTimeMs: w.requestTimeMs,
        dbTimePerRequestMs: w.dbTimePerRequestMs,
        cacheHitRate: l.hitRate ?? 'off',
        ...(cpu
          ? {
              loadavg1: cpu.loadavg1,
              machineBusyPercent: cpu.machineBusyPercent,
              cpuWaitPercent: cpu.cpuWaitPercent ?? 'n/a',
              otherWorkCores: cpu.otherCores ?? 'n/a',
              appCpuMsPerRequest: cpu.appCpuMsPerRequest ?? 'n/a',
              stackCpuMsPerRequest: cpu.stackCpuMsPerRequest ?? 'n/a',
            }
          : {}),
      },
      measured: {
        metric: 'working set of the app container (cgroup usage − inactive_file), sampled every second',
        typicalMiB: ws[Math.floor(ws.length / 2)]!,
        peakMiB: ws[ws.length - 1]!,
        samples: ws.length,
        detail: {
          masterPssMiB: apps.length ? apps.map((a) => a.masterMiB).sort((a, b) => a - b)[Math.floor(apps.length / 2)]! : 0,
          workerPssMiB: apps.length ? apps.flatMap((a) => a.workersMiB).sort((a, b) => a - b)[Math.floor(apps.flatMap((a) => a.workersMiB).length / 2)] ?? 0 : 0,
          workers: apps.length ? Math.max(...apps.map((a) => a.workersMiB.length)) : 0,
          anonMiB: ss.map((s) => s.containers[appSvc.name]!.anonMiB).sort((a, b) => a - b)[Math.floor(ss.length / 2)]!,
          fileMiB: ss.map((s) => s.containers[appSvc.name]!.fileMiB).sort((a, b) => a - b)[Math.floor(ss.length / 2)]!,
        },
      },
    });
  }
  const eng = r.samples.filter((s) => s.phase === 'normal').map((s) => s.engine);
  const tot = eng.map((e) => e.dockerdMiB + e.containerdMiB + e.shimsMiB + e.proxiesMiB).sort((a, b) => a - b);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const hostCases: Case[] = tot.length
    ? [
        {
          id: `stack-${id}-engine`,
          label: `${rep.title.replace(/, measured$/, '')}: dockerd + containerd + ${rep.host.measuredEngine.shimCount} shims + ${rep.host.measuredEngine.proxyCount} docker-proxy under the plan\u2019s load`,
          role: 'typical',
          plan: input,
          service: 'host-reserve',
          settings: { containers: String(rep.host.measuredEngine.shimCount), storageDriver: r.engine.storageDriver, cgroupDriver: r.engine.cgroupDriver, cgroupVersion: r.engine.cgroupVersion, iptables: 'false', userlandProxy: 'true' },
          load: { achievedRps: r.load.find((l) => l.phase === 'normal')?.achievedRps ?? 0, loadavg1: r.cpu.find((c) => c.phase === 'normal')?.loadavg1 ?? 'n/a', machineBusyPercent: r.cpu.find((c) => c.phase === 'normal')?.machineBusyPercent ?? 'n/a' },
          measured: {
            metric: 'PSS of dockerd, its containerd, every containerd-shim-runc-v2 and docker-proxy of the engine (read every 5 s, carried by the 1 s samples); the kernel memory the stack added is in detail (kernelAddedMiB, with its noise on a shared machine), not in the figure',
            typicalMiB: tot[Math.floor(tot.length / 2)]!,
            peakMiB: tot[tot.length - 1]!,
            samples: tot.length,
            detail: {
              dockerdMiB: med(eng.map((e) => e.dockerdMiB)),
              containerdMiB: med(eng.map((e) => e.containerdMiB)),
              shimsMiB: med(eng.map((e) => e.shimsMiB)),
              shims: Math.max(...eng.map((e) => e.shims)),
              perShimMiB: Math.round((med(eng.map((e) => e.shimsMiB)) / Math.max(1, Math.max(...eng.map((e) => e.shims)))) * 100) / 100,
              proxiesMiB: med(eng.map((e) => e.proxiesMiB)),
              proxies: Math.max(...eng.map((e) => e.proxies)),
              rssMiB: med(eng.map((e) => e.rssMiB)),
              ...(r.kernel
                ? { kernelAddedMiB: r.kernel.kernelAddedMiB, kernelNoiseMiB: r.kernel.kernelNoiseMiB, hostUsedAddedMiB: r.kernel.usedAddedMiB, hostUsedNoiseMiB: r.kernel.usedNoiseMiB, containersWorkingSetMiB: rep.host.measuredContainers.typical }
                : {}),
            },
          },
        },
      ]
    : [];
  const method = `npm run stack-test: the plan exported by the CLI, run with docker-compose 1.29 --compatibility on a private dockerd (${r.engine.storageDriver}) with local images from Debian bookworm packages, the containers under one parent cgroup at the plan\u2019s RAM minus its predicted reserve, the plan\u2019s workload from a load generator on 127.0.0.1; sampled every second. Typical is the median sample under the normal load, peak the largest. The machine is shared: each case's load says how busy it was.`;
  // The app container's cases sit beside the deployment reports, not in calibration/fastapi.json
  // (npm run calibrate's bare gunicorn processes, which the engine's FastAPI figures are fitted to).
  if (fastapiCases.length) merge(join(dir, 'stack-test', 'fastapi-container.json'), { kind: 'fastapi', method, tools }, fastapiCases);
  if (hostCases.length) merge(join(dir, 'host.json'), { kind: 'host', method, tools: { docker: tools.docker ?? '', containerd: tools.containerd ?? 'containerd (Debian bookworm)', storageDriver: r.engine.storageDriver } }, hostCases);
}
