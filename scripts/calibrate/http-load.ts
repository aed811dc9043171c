/**
 * HTTP servers under load, for the runtime and proxy calibrations (nginx, a JVM, Node.js, a
 * FastAPI app under gunicorn): wrk (Debian's) keeps N connections busy against a server on
 * 127.0.0.1 while the memory of the server's whole process tree is sampled from /proc.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { exitReason, max, median, mib, parentsOf, requireTool, sleep, smapsOf, startGroup, stopGroup, treeOf, waitFor, type Started } from './proc.ts';

export const WRK = '/usr/bin/wrk';

/** PSS and RSS (KiB) summed over a process and its descendants, and how many there are. */
export function treeMemory(root: number): { pss: number; rss: number; procs: number; byPid: Map<number, number> } {
  let pss = 0;
  let rss = 0;
  let procs = 0;
  const byPid = new Map<number, number>();
  for (const pid of treeOf(root, parentsOf())) {
    const m = smapsOf(pid);
    if (!m) continue;
    pss += m.pss;
    rss += m.rss;
    procs++;
    byPid.set(pid, m.pss);
  }
  return { pss, rss, procs, byPid };
}

/** The server answers `url` with a 2xx. */
export async function answers(url: string): Promise<boolean> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await r.arrayBuffer();
  return r.ok;
}

export async function waitHttp(what: string, url: string, server: Started, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${what} to answer ${url}`, () => answers(url), timeoutMs, () => exitReason(server));
}

/**
 * What is summed: PSS for a tree of processes that share pages among themselves (nginx's workers,
 * gunicorn's forks: each shared page counted once in all); RSS for a single process whose binary
 * other processes on this shared machine also map (node: PSS would split its text with them, while
 * a container is charged for all of it).
 */
export type MemoryMetric = 'pss' | 'rss';

/** Samples the tree's PSS or RSS every `everyMs` until stopped. */
function sampler(root: number, everyMs: number, metric: MemoryMetric): { samples: number[]; procs: number[]; stop: () => Promise<void> } {
  const samples: number[] = [];
  const procs: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = treeMemory(root);
      if (t.procs > 0) {
        samples.push(metric === 'pss' ? t.pss : t.rss);
        procs.push(t.procs);
      }
      await sleep(everyMs);
    }
  })();
  return { samples, procs, stop: async () => { running = false; await loop; } };
}

export type Measured = { typicalMiB: number; peakMiB: number; samples: number; procs: number; requestsPerSecond: number };

/**
 * The tree's PSS while wrk keeps `connections` connections busy for `seconds` (after a warm-up of
 * `warmupSeconds` that is not sampled), or at rest for `seconds` when `connections` is 0.
 */
export async function measureUnderLoad(o: { root: number; url: string; connections: number; seconds: number; warmupSeconds?: number; dir: string; everyMs?: number; metric?: MemoryMetric }): Promise<Measured> {
  requireTool(WRK, 'wrk');
  const warm = o.warmupSeconds ?? 5;
  if (o.connections === 0) {
    await sleep(warm * 1000);
    const s = sampler(o.root, o.everyMs ?? 500, o.metric ?? 'pss');
    await sleep(o.seconds * 1000);
    await s.stop();
    return summary(s, 0);
  }
  const log = join(o.dir, `wrk-${o.connections}.log`);
  const threads = String(Math.min(2, o.connections));
  const wrk = startGroup('wrk', WRK, ['-t', threads, '-c', String(o.connections), '-d', `${warm + o.seconds}s`, '--timeout', '10s', o.url], log);
  try {
    await sleep(warm * 1000);
    const s = sampler(o.root, o.everyMs ?? 500, o.metric ?? 'pss');
    await wrk.exited;
    await s.stop();
    const out = readFileSync(log, 'utf8');
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
    if (!Number.isFinite(rps) || rps <= 0) throw new Error(`wrk made no requests against ${o.url}: ${out.slice(0, 400)}`);
    if (/Non-2xx or 3xx responses/.test(out)) throw new Error(`wrk saw error responses from ${o.url}: ${out.slice(0, 400)}`);
    return summary(s, rps);
  } finally {
    await stopGroup(wrk, 'SIGTERM', 2000);
  }
}

function summary(s: { samples: number[]; procs: number[] }, rps: number): Measured {
  if (s.samples.length < 3) throw new Error(`only ${s.samples.length} memory samples`);
  return { typicalMiB: mib(median(s.samples)), peakMiB: mib(max(s.samples)), samples: s.samples.length, procs: max(s.procs), requestsPerSecond: Math.round(rps) };
}
