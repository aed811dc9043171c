/** Docker's own view of a container's memory: `docker stats --no-stream` and `docker inspect`. */
import { sleep, type DockerEngine } from './engine.ts';

export type DockerStat = { name: string; usageMiB: number; limitMiB: number };

const UNITS: Record<string, number> = { B: 1 / 1048576, KiB: 1 / 1024, MiB: 1, GiB: 1024, TiB: 1048576, kB: 1e3 / 1048576, MB: 1e6 / 1048576, GB: 1e9 / 1048576 };

/** "12.5MiB" → 12.5 (docker prints binary units). */
export function statSizeMiB(s: string): number {
  const m = /^([\d.]+)\s*([A-Za-z]+)$/.exec(s.trim());
  const u = m && UNITS[m[2]!];
  if (!m || u === undefined || u === null) throw new Error(`docker stats size "${s}": not understood`);
  return Number(m[1]) * (u as number);
}

/** One `docker stats --no-stream` reading per container (usage = usage − inactive page cache). */
export async function dockerStats(engine: DockerEngine, names: string[]): Promise<Map<string, DockerStat>> {
  const out = new Map<string, DockerStat>();
  const text = await engine.dockerOk(['stats', '--no-stream', '--format', '{{json .}}', ...names], { timeoutMs: 30_000 });
  for (const line of text.split('\n').filter(Boolean)) {
    const j = JSON.parse(line) as { Name: string; MemUsage: string };
    const [usage, limit] = j.MemUsage.split('/');
    out.set(j.Name, { name: j.Name, usageMiB: statSizeMiB(usage!), limitMiB: statSizeMiB(limit!) });
  }
  return out;
}

export type InspectState = { Pid: number; Status: string; OOMKilled: boolean; ExitCode: number; RestartCount: number };

export async function inspectState(engine: DockerEngine, name: string): Promise<InspectState> {
  const j = JSON.parse(await engine.dockerOk(['inspect', name])) as { RestartCount: number; State: Omit<InspectState, 'RestartCount'> }[];
  return { ...j[0]!.State, RestartCount: j[0]!.RestartCount };
}

/** Polls `docker inspect` until `done` holds or `ms` pass; the last state either way. */
export async function inspectUntil(engine: DockerEngine, name: string, done: (s: InspectState) => boolean, ms: number): Promise<InspectState> {
  const deadline = Date.now() + ms;
  let st = await inspectState(engine, name);
  while (!done(st) && Date.now() < deadline) {
    await sleep(200);
    st = await inspectState(engine, name);
  }
  return st;
}

/**
 * Docker's `oom` events for a container since `sinceMs`: one per kill, Docker's own witness of it.
 * Its OOMKilled flag is a second one that can miss a kill: containerd delivers the oom event and
 * the exit separately, and when Docker handles the exit first the container stands exited with
 * OOMKilled false and exit code 137 while the oom event is still logged (containerd/containerd#8180,
 * kubernetes/kubernetes#19825; seen here beside two busy processes, 2026-12-03).
 */
export async function oomEventCount(engine: DockerEngine, name: string, sinceMs: number): Promise<number> {
  const out = await engine.dockerOk(['events', '--since', String(Math.floor(sinceMs / 1000)), '--until', String(Math.ceil(Date.now() / 1000)), '--filter', `container=${name}`, '--filter', 'event=oom', '--format', '{{.Status}}']);
  return out.split('\n').filter((l) => l.trim() === 'oom').length;
}

/**
 * oomEventCount, read again every 200 ms until it reaches `atLeast` or `ms` pass (the event can be
 * logged just after the exit it belongs to); one read when `atLeast` is 0. The last count either way.
 */
export async function oomEventsUntil(engine: DockerEngine, name: string, sinceMs: number, atLeast: number, ms = 10_000): Promise<number> {
  const deadline = Date.now() + ms;
  let n = await oomEventCount(engine, name, sinceMs);
  while (n < atLeast && Date.now() < deadline) {
    await sleep(200);
    n = await oomEventCount(engine, name, sinceMs);
  }
  return n;
}
