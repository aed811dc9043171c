/**
 * Records a latency sweep (npm run stack-test -- --sweep) as calibration/latency.json: the app's
 * measured p50/p95/p99 at each request rate, with the CPU each request cost (per container), the
 * cores the stack was given, and how disturbed the machine was. The engine's check
 * (src/engine/latency-calibration.test.ts) replays every point through the engine with the plan as
 * run (its host's vCPUs set to the cores the stack was pinned to).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineFacts } from '../calibrate/machine.ts';
import { REPO } from './plan.ts';
import type { StackTestResult } from './run.ts';

/** A point is disturbed when the load generator's timers ran this late at p99 (ms): it did not send at the rate asked. Assumed: 50 ms. */
export const DISTURBED_LOOP_P99_MS = 50;

export function writeLatencyCalibration(r: StackTestResult, file = join(REPO, 'calibration', 'latency.json')): void {
  const s = r.sweep;
  if (!s) throw new Error('writeLatencyCalibration: the run was not a sweep');
  type SvcIn = { name: string; kind: string; settings?: Record<string, unknown> };
  const input = r.plan.input as { host?: Record<string, unknown>; services?: SvcIn[] };
  const services = (input.services ?? []).filter((x) => x.kind !== 'grafana' || !r.skipped.some((k) => k.service === x.name));
  const plan = { ...input, host: { ...(input.host ?? {}), cpus: s.cores }, services };
  const points = r.load.map((l) => {
    const cpu = r.cpu.find((c) => c.phase === l.phase);
    const why: string[] = [];
    if (cpu?.eventLoopDelayMs && cpu.eventLoopDelayMs.p99 > DISTURBED_LOOP_P99_MS) why.push(`the load generator's timers ran ${cpu.eventLoopDelayMs.p99} ms late at p99`);
    if (cpu?.stealPercent && cpu.stealPercent > 5) why.push(`${cpu.stealPercent}% steal`);
    // Other work on the stack's own core is not a disturbance by itself: cpu.shares is work-conserving, so
    // others run in the time the stack leaves idle (cpu.stackCpus.otherCores); past the stack's need it yields.
    return {
      phase: l.phase,
      targetRps: l.targetRps,
      achievedRps: l.achievedRps,
      seconds: l.seconds,
      sent: l.sent,
      ok: l.ok,
      errors: l.errors,
      dropped: l.dropped,
      hitRate: l.hitRate,
      latencyMs: l.latencyMs,
      windowsP95: l.windowsP95,
      cpu: cpu ?? null,
      disturbed: why.length ? why.join('; ') : null,
    };
  });
  const doc = {
    version: 1,
    what: 'API latency and CPU per request of the exported stack at several request rates, on cores given to it alone (issue 15)',
    method:
      `npm run stack-test -- --sweep: the plan exported by the CLI, run with docker-compose --compatibility on a private dockerd with local images from Debian bookworm packages, every container under one parent cgroup (memory: the plan's RAM minus its predicted reserve; cpuset.cpus ${s.cpus}, cpu.shares ${s.shares}: the machine's other work runs in the root group at 1024 a task). ` +
      `The load generator (this process, open loop, scripts/stack-test/load.ts) ran on cpu ${s.generatorCpus} at the same priority and sent the plan's mix straight to ${s.target}: a miss holds a database connection for dbTimePerRequestMs and is padded to requestTimeMs in the app, a repeat of a popular question (the cache's hit share) to the engine's HIT_TIME_MS. ` +
      `An idle phase (20 s) and the plan's normal rate first, then phases at 50%, 75%, 90% and 100% of the rate at which the stack's idle CPU plus what each request added at the normal load fill ${s.cores} core(s) (${s.saturationRps} req/s), then on up by 15% each until two phases running had p95 at 500 ms or over or dropped requests (a full queue), 5 s apart. windowsP95: p95 of each 10 s of a phase. CPU per request: each container's cpuacct over the phase / requests served. Latency: every request's time from sending to the last byte; errors and drops are counted, not timed.`,
    recordedAt: new Date().toISOString(),
    machine: machineFacts(),
    tools: { ...r.versions, engine: `${r.engine.version} (${r.engine.storageDriver}, ${r.engine.cgroupDriver}, ${r.engine.cgroupVersion})` },
    planFile: r.plan.file.replace(`${REPO}/`, ''),
    plan,
    stack: s,
    normal: 'normal',
    idle: r.cpu.find((c) => c.phase === 'idle') ?? null,
    points,
  };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  console.log(`wrote ${file} (${points.length} points)`);
}
