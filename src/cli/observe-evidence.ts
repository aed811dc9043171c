/**
 * What `observe` makes of Docker's answers (pure: no I/O): a stats reading → working set, anon,
 * file, peak; Docker's OOM events and inspect states → the kills, once each; the readings of a
 * window → one evidence file (src/formats/evidence/file.ts).
 */
import { EVIDENCE_FORMAT, EVIDENCE_VERSION, type Evidence, type EvidenceService, type OomKill } from '../formats/evidence/file.ts';
import { workingSetBytes } from '../formats/evidence/working-set.ts';
import type { ContainerStats, DockerEvent } from './docker-api.ts';

export type MemoryReading = {
  /** unix seconds (Docker's `read` time of the reading). */
  t: number;
  /** usage − inactive page cache (bytes). */
  workingSet: number;
  usage: number;
  anon: number | null;
  file: number | null;
  /** v1 memory.max_usage_in_bytes; null on v2 (the API does not pass memory.peak on). */
  peak: number | null;
};

/**
 * One stats answer → a reading; null for a container that is not running (memory_stats {}).
 * The working set by the one rule of formats/evidence/working-set.ts (docker stats' and
 * cAdvisor's usage − inactive file), which the cgroup files reader uses too.
 */
export function readingOf(stats: ContainerStats): MemoryReading | null {
  const m = stats.memory_stats;
  if (!m || typeof m.usage !== 'number') return null;
  const s = m.stats ?? {};
  const v1 = 'total_inactive_file' in s;
  const workingSet = workingSetBytes(m.usage, { total: s.total_inactive_file, own: s.inactive_file });
  const t = Date.parse(stats.read);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null);
  return {
    t: Number.isFinite(t) && t > 0 ? t / 1000 : Date.now() / 1000,
    workingSet: Math.round(workingSet),
    usage: Math.round(m.usage),
    // v1: total_rss / total_cache (hierarchical; a container has no children); v2: anon / file.
    anon: num(v1 ? (s.total_rss ?? s.rss) : s.anon),
    file: num(v1 ? (s.total_cache ?? s.cache) : s.file),
    peak: num(m.max_usage),
  };
}

/** One container over the window, as observe saw it. */
export type ContainerTrack = {
  id: string;
  name: string;
  service: string;
  /** HostConfig.Memory: 0 is none. */
  limitBytes: number;
  readings: MemoryReading[];
  restartsAtStart: number;
  restartsAtEnd: number;
  /** State at the end (inspect), for a kill Docker's events did not show (before the window). */
  oomKilledAtEnd: boolean;
  finishedAt: string | null;
};

/** Docker's time with nanoseconds ("2026-12-02T05:21:13.123456789Z") → ISO-8601 with ms; null for Go's zero time. */
export function isoOf(dockerTime: string | null | undefined): string | null {
  if (!dockerTime || dockerTime.startsWith('0001-')) return null;
  const ms = Date.parse(dockerTime);
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : null;
}

/** Events of one container less than this apart, with no start or die between them, are one kill. Assumed: the kernel's OOM notification can fire more than once while one victim dies. */
const SAME_KILL_MS = 1000;

/**
 * The kills: one per `oom` event of a container (Docker emits one when the kernel's OOM killer
 * acted in the container's cgroup), where `oom` events less than a second apart within one run
 * (no `start` or `die` between them) count once; plus, for a container whose inspect says
 * OOMKilled at the end and whose finish no event in the window explains, that one (a kill before
 * the window, or an event missed). `events` holds the container's oom, die and start events.
 */
export function oomKillsOf(tracks: ContainerTrack[], events: DockerEvent[]): Map<string, OomKill[]> {
  const byService = new Map<string, OomKill[]>();
  const add = (service: string, k: OomKill) => byService.set(service, [...(byService.get(service) ?? []), k]);
  const ms = (e: DockerEvent) => (e.timeNano ? e.timeNano / 1e6 : e.time * 1000);
  for (const tr of tracks) {
    const mine = events.filter((e) => e.Actor?.ID === tr.id).sort((a, b) => ms(a) - ms(b));
    const kept: number[] = [];
    let last: number | null = null; // the last oom of the current run
    for (const e of mine) {
      if (e.Action === 'start' || e.Action === 'die') last = null;
      else if (e.Action === 'oom') {
        if (last === null || ms(e) - last >= SAME_KILL_MS) kept.push(ms(e));
        last = ms(e);
      }
    }
    for (const t of kept) add(tr.service, { at: new Date(t).toISOString().replace('.000Z', 'Z'), container: tr.name });
    const finished = isoOf(tr.finishedAt);
    if (tr.oomKilledAtEnd) {
      const fin = finished ? Date.parse(finished) : NaN;
      const explained = kept.some((t) => Number.isFinite(fin) && Math.abs(t - fin) < 5000);
      if (!explained) add(tr.service, { at: finished, container: tr.name });
    }
  }
  return byService;
}

export type WindowFacts = {
  endedAt: Date;
  durationSeconds: number;
  intervalSeconds: number;
  memTotalBytes: number | null;
  events: DockerEvent[];
};

const maxOrNull = (vs: (number | null)[]): number | null => {
  const xs = vs.filter((v): v is number => v !== null);
  return xs.length ? Math.max(...xs) : null;
};

/** The window's tracks → one evidence file (services in the compose file's order, then others). */
export function evidenceOf(tracks: ContainerTrack[], order: string[], w: WindowFacts): Evidence {
  const kills = oomKillsOf(tracks, w.events);
  const names = [...new Set([...order.filter((s) => tracks.some((t) => t.service === s)), ...tracks.map((t) => t.service)])];
  const services: EvidenceService[] = names.map((service) => {
    const ts = tracks.filter((t) => t.service === service);
    const readings = ts.flatMap((t) => t.readings);
    // anon / file of the reading with the largest working set: what the peak was made of.
    const top = readings.reduce<MemoryReading | null>((a, r) => (a === null || r.workingSet > a.workingSet ? r : a), null);
    const limits = ts.map((t) => t.limitBytes).filter((b) => b > 0);
    return {
      service,
      containers: ts.map((t) => t.name),
      samples: ts.flatMap((t) => t.readings.map((r) => [Math.round(r.t * 1000) / 1000, r.workingSet] as [number, number])).sort((a, b) => a[0] - b[0]),
      // Per container; replicas share their service's limit (the largest if they differ).
      limitBytes: limits.length === ts.length && limits.length ? Math.max(...limits) : null,
      peakBytes: maxOrNull(readings.map((r) => r.peak)),
      anonBytes: top?.anon ?? null,
      fileBytes: top?.file ?? null,
      oomKills: kills.get(service) ?? [],
      restarts: ts.reduce((n, t) => n + Math.max(0, t.restartsAtEnd - t.restartsAtStart), 0),
    };
  });
  return {
    format: EVIDENCE_FORMAT,
    version: EVIDENCE_VERSION,
    source: 'observe',
    collectedAt: w.endedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    durationSeconds: Math.round(w.durationSeconds * 10) / 10,
    intervalSeconds: w.intervalSeconds,
    host: w.memTotalBytes !== null && w.memTotalBytes >= 64 * 1048576 ? { memTotalBytes: w.memTotalBytes, source: 'Docker /info MemTotal (the Docker host\'s /proc/meminfo)' } : null,
    services,
  };
}
