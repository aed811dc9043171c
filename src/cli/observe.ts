/**
 * `headroom observe COMPOSE [-p NAME] [--duration 10m] [--interval 5s] [--out evidence.json]`:
 * samples the memory of the running compose project's containers through Docker's Engine API
 * (docker-api.ts) for the duration, records OOM kills (Docker's `oom` events over the window, and
 * State.OOMKilled from inspect) and restarts (RestartCount), the limits and the host's RAM
 * (/info MemTotal), and writes one evidence file (src/formats/evidence/file.ts). A progress bar
 * on stderr when it is a terminal. Ctrl-C ends the window early and writes what was sampled.
 * Exit 0 written, 2 bad input or Docker not reachable / no containers, 130 interrupted (written).
 */
import { writeFileSync } from 'node:fs';
import { evidenceParse, evidenceToText } from '../formats/evidence/file.ts';
import { composeProjectOf, type ComposeProject } from './compose-project.ts';
import { DockerApiError, dockerApi, dockerEndpoint, dockerEvents, type ContainerInspect, type ContainerStats, type ContainerSummary, type DockerApi, type DockerEvent, type DockerInfo } from './docker-api.ts';
import { readText, UsageError } from './io.ts';
import { evidenceOf, readingOf, type ContainerTrack } from './observe-evidence.ts';

type Args = { positionals: string[]; values: Record<string, string | boolean | undefined> };

const USAGE = 'observe COMPOSE [-p NAME] [--duration 10m] [--interval 5s] [--out evidence.json]';

/** Defaults from issue 12's usage line. */
const DEFAULT_DURATION_S = 600;
const DEFAULT_INTERVAL_S = 5;
/** Assumed: Docker reads a container's cgroup per stats call; more often than 1 s adds load and no information at compose time scales. */
const MIN_INTERVAL_S = 1;
/** Assumed: a week (the window krr and VPA look at); longer belongs in Prometheus. */
const MAX_DURATION_S = 7 * 24 * 3600;

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "10m", "30s", "1.5h", "2d" → seconds. */
export function durationParse(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$/.exec(text);
  if (!m) throw new UsageError([`error: --${option}: expected a duration like 30s, 10m, 2h or 1d, got "${text}"`, `usage: headroom ${USAGE}`]);
  return Number(m[1]) * UNIT_S[m[2]!]!;
}

const fmtDuration = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s` : `${Math.floor(s)}s`);

/** Wraps Docker failures in the CLI's UsageError (exit 2, lines printed, no stack trace). */
async function docker<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof DockerApiError) throw new UsageError(e.lines);
    throw e;
  }
}

const labelFilter = (project: string) => encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }));

async function listProject(api: DockerApi, project: string): Promise<ContainerSummary[]> {
  return docker(api.get<ContainerSummary[]>(`/containers/json?all=1&filters=${labelFilter(project)}`));
}

async function inspect(api: DockerApi, id: string): Promise<ContainerInspect | null> {
  try {
    return await api.get<ContainerInspect>(`/containers/${id}/json`);
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null; // removed meanwhile
    if (e instanceof DockerApiError) throw new UsageError(e.lines);
    throw e;
  }
}

/** The project's containers: running ones, and stopped ones the OOM killer stopped (their kill is evidence). */
async function findContainers(api: DockerApi, p: ComposeProject, file: string): Promise<{ project: string; containers: ContainerSummary[] }> {
  for (const name of [p.name, ...p.alsoTry]) {
    const all = await listProject(api, name);
    if (all.some((c) => c.State === 'running' || c.State === 'restarting')) return { project: name, containers: all };
  }
  throw new UsageError([
    `error: no running containers of compose project "${p.name}" (the name from ${p.from}) for ${file} on Docker at ${api.endpoint.label}`,
    `start the stack (docker compose -f ${file} up -d), or name the project it runs as with -p NAME (docker compose ls, or the com.docker.compose.project label in docker ps --format '{{.Labels}}')`,
  ]);
}

const nameOf = (c: { Names?: string[]; Name?: string }) => (c.Names?.[0] ?? c.Name ?? '').replace(/^\//, '');

function progressLine(elapsed: number, total: number, containers: number, samples: number): string {
  const width = 24;
  const done = Math.min(width, Math.round((elapsed / total) * width));
  return `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${fmtDuration(elapsed)} / ${fmtDuration(total)}  ${containers} container${containers === 1 ? '' : 's'}, ${samples} sample${samples === 1 ? '' : 's'}  `;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function observe({ positionals, values }: Args): Promise<number> {
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new UsageError(['error: give one compose file (the stack to observe)', `usage: headroom ${USAGE}`]);
  const durationS = values.duration === undefined ? DEFAULT_DURATION_S : durationParse(String(values.duration), 'duration');
  const intervalS = values.interval === undefined ? DEFAULT_INTERVAL_S : durationParse(String(values.interval), 'interval');
  if (intervalS < MIN_INTERVAL_S) throw new UsageError([`error: --interval: at least ${MIN_INTERVAL_S}s, got ${values.interval}`]);
  if (durationS > MAX_DURATION_S) throw new UsageError([`error: --duration: at most 7d (longer windows: read them from Prometheus), got ${values.duration}`]);
  if (durationS < intervalS) throw new UsageError([`error: --duration (${values.duration ?? '10m'}) is shorter than --interval (${values.interval ?? '5s'}): no sample would be taken`]);
  const out = values.out === undefined ? 'evidence.json' : String(values.out);
  const project = composeProjectOf(readText(file), file, values['project-name'] as string | undefined);

  const api = (() => {
    try {
      return dockerApi(dockerEndpoint());
    } catch (e) {
      if (e instanceof DockerApiError) throw new UsageError(e.lines);
      throw e;
    }
  })();
  const info = await docker(api.get<DockerInfo>('/info'));
  const found = await findContainers(api, project, file);

  const tracks = new Map<string, ContainerTrack>();
  const track = async (c: ContainerSummary): Promise<void> => {
    if (tracks.has(c.Id)) return;
    const running = c.State === 'running' || c.State === 'restarting';
    const ins = await inspect(api, c.Id);
    if (!ins) return;
    // A stopped container is evidence only when the OOM killer stopped it.
    if (!running && !ins.State.OOMKilled) return;
    tracks.set(c.Id, {
      id: c.Id,
      name: nameOf(c),
      service: c.Labels['com.docker.compose.service'] ?? nameOf(c),
      limitBytes: ins.HostConfig.Memory ?? 0,
      readings: [],
      restartsAtStart: ins.RestartCount ?? 0,
      restartsAtEnd: ins.RestartCount ?? 0,
      oomKilledAtEnd: false,
      finishedAt: null,
    });
  };
  for (const c of found.containers) await track(c);

  const stop = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130); // a second Ctrl-C: leave at once
    interrupted = true;
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  const tty = process.stderr.isTTY === true;
  const t0 = Date.now();
  const startedS = t0 / 1000;
  process.stderr.write(`observing ${tracks.size} container${tracks.size === 1 ? '' : 's'} of compose project "${found.project}" on ${api.endpoint.label} for ${fmtDuration(durationS)}, every ${intervalS}s (Ctrl-C stops early and writes what was sampled)\n`);
  let samples = 0;
  let unreadable = 0;
  /** Docker stopped answering mid-window: what was sampled is still written, then this is printed (exit 2). */
  let lost: string[] | null = null;
  try {
    for (let tick = 0; !stop.signal.aborted && lost === null; tick++) {
      const due = t0 + tick * intervalS * 1000;
      if (due > t0 + durationS * 1000) break;
      await pause(due - Date.now(), stop.signal);
      if (stop.signal.aborted) break;
      // Containers created meanwhile (a recreate, a scale-up) join the window.
      try {
        if (tick > 0) for (const c of await listProject(api, found.project)) await track(c);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        lost = e.lines;
        break;
      }
      await Promise.all(
        [...tracks.values()].map(async (tr) => {
          try {
            // one-shot (API 1.41+): one reading without waiting for a second CPU sample.
            const s = await api.get<ContainerStats>(`/containers/${tr.id}/stats?stream=false&one-shot=true`, { timeoutMs: Math.max(10_000, intervalS * 2000) });
            const r = readingOf(s);
            if (r) {
              tr.readings.push(r);
              samples++;
            }
          } catch (e) {
            if ((e as { status?: number }).status === 404 || (e as { status?: number }).status === 409) return; // gone or not running: no reading
            if (e instanceof DockerApiError && /^error: cannot reach|permission denied/.test(e.lines[0] ?? '')) lost = e.lines;
            else unreadable++;
          }
        }),
      );
      if (tty) process.stderr.write(progressLine((Date.now() - t0) / 1000, durationS, tracks.size, samples));
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    if (tty) process.stderr.write('\n');
  }
  const endedAt = new Date();
  const endS = endedAt.getTime() / 1000;

  let events: DockerEvent[] = [];
  if (lost === null) {
    try {
      events = await dockerEvents(api, startedS - 1, endS, { type: ['container'], event: ['oom', 'die', 'start'], label: [`com.docker.compose.project=${found.project}`] });
    } catch (e) {
      process.stderr.write(`note: Docker's events could not be read (${(e as Error).message.split('\n')[0]}): OOM kills from inspect only\n`);
    }
  }
  for (const tr of lost === null ? tracks.values() : []) {
    const ins = await inspect(api, tr.id).catch(() => null);
    if (!ins) continue;
    tr.restartsAtEnd = ins.RestartCount ?? tr.restartsAtStart;
    tr.oomKilledAtEnd = ins.State.OOMKilled === true;
    tr.finishedAt = ins.State.FinishedAt ?? null;
  }

  const evidence = evidenceOf([...tracks.values()], project.services, {
    endedAt,
    durationSeconds: (endedAt.getTime() - t0) / 1000,
    intervalSeconds: intervalS,
    memTotalBytes: typeof info.MemTotal === 'number' ? info.MemTotal : null,
    events,
  });
  const check = evidenceParse(JSON.parse(JSON.stringify(evidence)));
  if (!check.ok) throw new Error(`the evidence observe made does not read back: ${check.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  const text = evidenceToText(evidence);
  if (out === '-') process.stdout.write(text);
  else {
    try {
      writeFileSync(out, text);
    } catch (e) {
      process.stdout.write(text); // nothing sampled is lost
      throw new UsageError([`error: cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (the evidence was printed on stdout instead)`]);
    }
  }

  const kills = evidence.services.reduce((n, s) => n + s.oomKills.length, 0);
  const lines = [
    `${interrupted ? `interrupted after ${fmtDuration((endedAt.getTime() - t0) / 1000)}: ` : ''}${samples} samples of ${tracks.size} container${tracks.size === 1 ? '' : 's'} (${evidence.services.map((s) => s.service).join(', ')})${out === '-' ? '' : ` written to ${out}`}`,
    ...evidence.services.flatMap((s) => s.oomKills.map((k) => `OOM kill: ${s.service} (${k.container})${k.at ? ` at ${k.at}` : ''}`)),
    ...evidence.services.filter((s) => s.restarts > 0).map((s) => `restarts: ${s.service} ${s.restarts}`),
    ...(unreadable ? [`note: ${unreadable} stats readings failed and were skipped`] : []),
    ...(kills === 0 ? ['no OOM kills in the window'] : []),
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  if (lost !== null) {
    process.stderr.write(`${[`Docker stopped answering after ${fmtDuration((endedAt.getTime() - t0) / 1000)}: what was sampled until then is written${out === '-' ? '' : ` to ${out}`}`, ...lost].join('\n')}\n`);
    return 2;
  }
  return interrupted ? 130 : 0;
}

export const observeCommand = {
  usage: USAGE,
  summary: 'sample the running compose stack\'s memory through Docker\'s API; write an evidence file (OOM kills, restarts, limits, host RAM)',
  options: {
    'project-name': { type: 'string', short: 'p' },
    duration: { type: 'string' },
    interval: { type: 'string' },
    out: { type: 'string' },
  } as Record<string, { type: 'string' | 'boolean'; short?: string }>,
  run: observe,
};
