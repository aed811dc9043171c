/**
 * Processes for the calibration harness: start each tool in its own process group, stop every
 * group we started (also on failure and on Ctrl-C), and read memory from /proc/PID/smaps_rollup.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';

/** A process we started, leading its own process group. */
export type Started = { name: string; child: ChildProcess; pgid: number; exited: Promise<number | null>; logFile: string };

const started = new Set<Started>();

/** Starts `cmd` detached (its own process group), stdout and stderr to `logFile`. */
export function startGroup(name: string, cmd: string, args: string[], logFile: string, opts: SpawnOptions = {}): Started {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', (e) => console.error(`${name}: ${e.message}`));
  const s: Started = { name, child, pgid: child.pid, exited, logFile };
  started.add(s);
  void exited.then(() => started.delete(s));
  return s;
}

/** Why a started process is no longer running, or null while it runs. */
export function exitReason(s: Started): string | null {
  if (s.child.exitCode !== null) return `${s.name} exited with code ${s.child.exitCode} (log: ${s.logFile})`;
  if (s.child.signalCode !== null) return `${s.name} was killed by ${s.child.signalCode} (log: ${s.logFile})`;
  return null;
}

/** Signals a whole process group; false when it is already gone. */
function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Stops one group: `signal` first, SIGKILL after `graceMs`. Resolves when the leader has exited. */
export async function stopGroup(s: Started, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) {
    killGroup(s.pgid, 'SIGKILL'); // stragglers in the group, if any
    return;
  }
  killGroup(s.pgid, signal);
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  if ((await Promise.race([s.exited, timer])) === 'timeout') {
    killGroup(s.pgid, 'SIGKILL');
    await Promise.race([s.exited, new Promise((r) => setTimeout(r, 2000).unref())]);
  }
  killGroup(s.pgid, 'SIGKILL');
  started.delete(s);
}

/** Stops every group still running (the harness's finally, and the signal handlers). */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((s) => stopGroup(s, 'SIGTERM', 3000)));
}

/** Synchronous last resort on process exit: SIGKILL every group we started. */
function killAllSync(): void {
  for (const s of started) killGroup(s.pgid, 'SIGKILL');
}

let handlersInstalled = false;
/** Kill what we started on exit, Ctrl-C or SIGTERM. */
export function installCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      console.error(`\n${sig}: stopping every process the harness started`);
      killAllSync();
      process.exit(130);
    });
  }
}

/** Runs a command to completion with a timeout; throws with its output when it fails. */
export function run(cmd: string, args: string[], opts: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    killSignal: 'SIGKILL',
    input: opts.input,
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}:\n${(r.stdout ?? '') + (r.stderr ?? '')}`.slice(0, 4000));
  return r.stdout + r.stderr;
}

/** Fails loudly when a tool is missing, naming the apt-get command. */
export function requireTool(path: string, aptPackage: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install -y --no-install-recommends ${aptPackage}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it returns true, at most `timeoutMs`; stops at once when
 * `gone` says why waiting is pointless (the process exited). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000, gone?: () => string | null): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const why = gone?.();
    if (why) throw new Error(`gave up waiting for ${what}: ${why}`);
    try {
      if (await check()) return;
    } catch {
      // not ready yet
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export { freePort } from '../../test/ports.ts';

// ---------------------------------------------------------------------------------------------
// Memory from /proc

/** The smaps_rollup fields we record, in KiB. */
export type Smaps = { rss: number; pss: number; pssAnon: number; pssFile: number; pssShmem: number; privateClean: number; privateDirty: number; sharedClean: number; sharedDirty: number };

const SMAPS_FIELDS: Record<string, keyof Smaps> = {
  Rss: 'rss',
  Pss: 'pss',
  Pss_Anon: 'pssAnon',
  Pss_File: 'pssFile',
  Pss_Shmem: 'pssShmem',
  Private_Clean: 'privateClean',
  Private_Dirty: 'privateDirty',
  Shared_Clean: 'sharedClean',
  Shared_Dirty: 'sharedDirty',
};

export const smapsZero = (): Smaps => ({ rss: 0, pss: 0, pssAnon: 0, pssFile: 0, pssShmem: 0, privateClean: 0, privateDirty: 0, sharedClean: 0, sharedDirty: 0 });

/** One process's smaps_rollup, or null when it has exited. */
export function smapsOf(pid: number): Smaps | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return null;
  }
  const out = smapsZero();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+) kB/.exec(line);
    const key = m && SMAPS_FIELDS[m[1]!];
    if (key) out[key] = Number(m[2]);
  }
  return out;
}

export function smapsAdd(a: Smaps, b: Smaps): Smaps {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof Smaps)[]) out[k] += b[k];
  return out;
}

/** Private memory of a process: its pages no other process maps. */
export const privateKiB = (s: Smaps) => s.privateClean + s.privateDirty;

/** PID → parent PID for every process, read from /proc/PID/stat. */
export function parentsOf(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm may contain spaces and parentheses: the fields start after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), Number(rest[1]));
    } catch {
      // exited while we listed
    }
  }
  return out;
}

/** `root` and every descendant of it. */
export function treeOf(root: number, parents = parentsOf()): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    if (!parents.has(pid)) continue;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** The executable's short name (/proc/PID/comm). */
export function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The process title (PostgreSQL rewrites argv: "postgres: checkpointer", "... idle"). */
export function titleOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), -Infinity);
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** KiB → MiB, rounded to 0.01. */
export const mib = (kib: number) => Math.round((kib / 1024) * 100) / 100;
export const round2 = (v: number) => Math.round(v * 100) / 100;
