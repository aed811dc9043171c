/**
 * A private Docker engine for one test: its own data root, exec root, socket and cgroup parent,
 * vfs storage, no iptables, no default bridge (../shared/docs/environment.md). Started with
 * `DockerEngine.start()`, stopped with `stop()`: every container, network and volume removed,
 * dockerd (and the containerd and shims it started) stopped by PID, mounts under its folders
 * unmounted, the folders and its cgroups removed. Also on Ctrl+C / SIGTERM (handlers installed on
 * the first start) and, for an engine whose owner died without cleaning up (SIGKILL), at the next
 * start in any test (`reapStale`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroupExists, cgroupMounts, removeCgroupTree } from './cgroups.ts';
import { requireDockerTool, requireDockerTools } from './tools.ts';

export type RunResult = { code: number | null; stdout: string; stderr: string; ms: number };
export type RunOpts = {
  timeoutMs?: number;
  input?: string | Buffer;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Stops the command (with killSignal) when aborted. */
  signal?: AbortSignal;
  /** Signal for the timeout and the abort (SIGKILL unless given: a tool with its own cleanup, like mmdebstrap, gets SIGTERM). */
  killSignal?: NodeJS.Signals;
};

const PREFIX = 'headroom-docker-';

/** Runs a command to completion (never throws on a non-zero exit; kills it at the timeout). */
export function runCmd(cmd: string, args: string[], opts: RunOpts = {}): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${opts.timeoutMs ?? 120_000} ms)`;
      child.kill(opts.killSignal ?? 'SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    const onAbort = () => {
      stderr += '\n(aborted)';
      child.kill(opts.killSignal ?? 'SIGKILL');
    };
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
    if (child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input);
    }
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Running: exists and is not a zombie (dockerd is our child: it stays a zombie until Node reaps it, which a synchronous wait never lets happen). */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
const alive = processRunning;

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** PIDs of processes whose command line mentions `needle` (our own paths: never another engine's). */
export function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    if (cmdline(Number(name)).includes(needle)) out.push(Number(name));
  }
  return out;
}

/** Mount points at or under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (mp && (mp === dir || mp.startsWith(dir + '/'))) out.push(mp.replace(/\\040/g, ' '));
  }
  return out.sort((a, b) => b.length - a.length);
}

type Owner = { ownerPid: number; dockerdPid: number; cgroup: string };

const live = new Set<DockerEngine>();
let handlersInstalled = false;

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const e of live) e.stopSync();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      if (live.size) process.stderr.write(`\n${sig}: removing every container, network and volume and stopping the Docker engine(s) this test started\n`);
      for (const e of live) e.stopSync();
      process.exit(130);
    });
  }
}

export type StorageDriver = 'overlay2' | 'vfs';

/** The processes of one engine, for the host-reserve measurement. */
export type EngineProcesses = { dockerd: number; containerd: number[]; shims: number[]; proxies: number[] };

export class DockerEngine {
  readonly dir: string;
  readonly socket: string;
  /** DOCKER_HOST for the docker and docker-compose clients. */
  readonly host: string;
  /** The cgroup every container of this engine goes under (dockerd --cgroup-parent) unless a container names its own. */
  readonly cgroupName: string;
  /** overlay2 or vfs (see start). */
  storageDriver: StorageDriver = 'vfs';
  /** dockerd's version. */
  version = '';
  private child: ChildProcess | null = null;
  private stopped = false;
  /** Other cgroups a test created for this engine's containers (removed at stop). */
  readonly extraCgroups = new Set<string>();
  readonly log: (line: string) => void;

  private constructor(dir: string, log: (line: string) => void) {
    this.dir = dir;
    this.socket = join(dir, 'docker.sock');
    this.host = `unix://${this.socket}`;
    this.cgroupName = `headroom-${dir.slice(dir.lastIndexOf(PREFIX) + PREFIX.length)}`;
    this.log = log;
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  /** Environment for docker / docker-compose pointing at this engine only. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: this.host, DOCKER_CONTEXT: '', DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0', DOCKER_CLI_HINTS: 'false' };
  }

  /**
   * Starts dockerd and waits until it answers (at most `timeoutMs`). Storage: overlay2 where the
   * kernel and the folder's filesystem allow it (what production Docker uses: image files are
   * shared, so their page cache is charged once, as on a real host; a container starts in about
   * a second), else vfs (every container a full copy of its image: about 5 s and 650 MB each
   * here). $HEADROOM_DOCKER_STORAGE=vfs|overlay2 forces one.
   */
  static async start(opts: { log?: (line: string) => void; timeoutMs?: number; storage?: StorageDriver } = {}): Promise<DockerEngine> {
    requireDockerTools(['dockerd', 'docker', 'containerd', 'runc', 'containerd-shim-runc-v2']);
    reapStale();
    installHandlers();
    const forced = opts.storage ?? (process.env.HEADROOM_DOCKER_STORAGE as StorageDriver | undefined);
    if (forced && forced !== 'overlay2' && forced !== 'vfs') throw new Error(`HEADROOM_DOCKER_STORAGE=${forced}: expected overlay2 or vfs`);
    if (forced) return DockerEngine.startWith(forced, opts);
    try {
      return await DockerEngine.startWith('overlay2', opts);
    } catch (e) {
      (opts.log ?? (() => {}))(`overlay2 storage did not start (${(e as Error).message.split('\n').slice(-3).join(' ').slice(0, 300)}): vfs instead`);
      return DockerEngine.startWith('vfs', opts);
    }
  }

  private static async startWith(storage: StorageDriver, opts: { log?: (line: string) => void; timeoutMs?: number }): Promise<DockerEngine> {
    const dir = mkdtempSync(join(tmpdir(), PREFIX));
    const e = new DockerEngine(dir, opts.log ?? (() => {}));
    e.storageDriver = storage;
    live.add(e);
    const logFd = openSync(join(dir, 'dockerd.log'), 'a');
    const args = [
      `--storage-driver=${storage}`,
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      `--data-root=${join(dir, 'docker')}`,
      `--exec-root=${join(dir, 'exec')}`,
      `--pidfile=${join(dir, 'docker.pid')}`,
      `--cgroup-parent=/${e.cgroupName}`,
      '-H',
      e.host,
    ];
    // Its own process group: Ctrl+C in a terminal reaches this process, which stops the engine in order.
    e.child = spawn(requireDockerTool('dockerd'), args, { detached: true, stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    e.child.on('error', () => {});
    writeFileSync(join(dir, 'owner.json'), JSON.stringify({ ownerPid: process.pid, dockerdPid: e.pid, cgroup: e.cgroupName } satisfies Owner));
    const end = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      if (e.child.exitCode !== null || e.child.signalCode !== null) {
        const log = readFileSync(join(dir, 'dockerd.log'), 'utf8').slice(-3000);
        e.stopSync();
        throw new Error(`dockerd (${storage}) exited (${e.child.exitCode ?? e.child.signalCode}) before answering:\n${log}`);
      }
      const r = await e.docker(['info', '--format', '{{.ServerVersion}} {{.Driver}}'], { timeoutMs: 10_000 });
      if (r.code === 0) {
        const [version, driver] = r.stdout.trim().split(' ');
        if (driver !== storage) {
          e.stopSync();
          throw new Error(`dockerd runs ${driver} storage, not ${storage}`);
        }
        e.version = version ?? '';
        e.log(`dockerd ${version} (pid ${e.pid}, ${storage}) answers on ${e.socket}`);
        return e;
      }
      if (Date.now() > end) {
        e.stopSync();
        throw new Error(`dockerd did not answer within ${opts.timeoutMs ?? 60_000} ms: ${r.stderr}`);
      }
      await sleep(200);
    }
  }

  docker(args: string[], opts: RunOpts = {}): Promise<RunResult> {
    return runCmd(requireDockerTool('docker'), args, { ...opts, env: { ...this.env, ...opts.env } });
  }

  /** docker …, throwing with its output when it exits non-zero. */
  async dockerOk(args: string[], opts: RunOpts = {}): Promise<string> {
    const r = await this.docker(args, opts);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}:\n${(r.stdout + r.stderr).slice(-4000)}`);
    return r.stdout;
  }

  compose(args: string[], opts: RunOpts = {}): Promise<RunResult> {
    return runCmd(requireDockerTool('docker-compose'), args, { ...opts, env: { ...this.env, ...opts.env } });
  }

  async composeOk(args: string[], opts: RunOpts = {}): Promise<string> {
    const r = await this.compose(args, opts);
    if (r.code !== 0) throw new Error(`docker-compose ${args.join(' ')} exited ${r.code}:\n${(r.stdout + r.stderr).slice(-6000)}`);
    return r.stdout + r.stderr;
  }

  /** dockerd, its containerd, the shims of its containers and its docker-proxy processes. */
  processes(): EngineProcesses {
    const execRoot = join(this.dir, 'exec');
    const mine = pidsMentioning(this.dir);
    const containerd: number[] = [];
    const shims: number[] = [];
    const proxies: number[] = [];
    for (const pid of mine) {
      const c = cmdline(pid);
      if (c.startsWith('containerd-shim') || c.includes('/containerd-shim')) shims.push(pid);
      else if (/(^|\/)containerd\s/.test(c) && c.includes(execRoot)) containerd.push(pid);
    }
    // docker-proxy's command line names the container's address, not our folders: find it as dockerd's child.
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === this.pid && cmdline(Number(name)).includes('docker-proxy')) proxies.push(Number(name));
      } catch {
        // gone
      }
    }
    return { dockerd: this.pid, containerd, shims, proxies };
  }

  /** Removes everything and stops the engine. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopSync();
  }

  /**
   * The synchronous teardown (also used from signal and exit handlers): containers, networks,
   * volumes, dockerd by PID (SIGTERM, then SIGKILL), leftover containerd and shims of this engine
   * by PID, mounts under its folder, the folder, and its cgroups.
   */
  stopSync(): void {
    if (this.stopped) return;
    this.stopped = true;
    live.delete(this);
    const problems: string[] = [];
    const docker = (args: string[], timeoutMs = 120_000) =>
      spawnSync(requireDockerTool('docker'), args, { env: this.env, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
    const t0 = Date.now();
    const steps: string[] = [];
    const step = (what: string, since: number) => steps.push(`${what} ${((Date.now() - since) / 1000).toFixed(1)} s`);
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      // Every container process first, by SIGKILL through its cgroup (ours: the engine's and the
      // test's parents): `docker rm -f` then has nothing to wait for (postgres would otherwise get
      // its minute of stop_grace_period on the engine's shutdown).
      let t = Date.now();
      for (const cg of [this.cgroupName, ...this.extraCgroups]) killCgroupProcs(cg);
      step('kill', t);
      t = Date.now();
      const ids = docker(['ps', '-aq'], 20_000).stdout?.split('\n').filter(Boolean) ?? [];
      if (ids.length) {
        const r = docker(['rm', '-f', '-v', ...ids]);
        if (r.status !== 0) problems.push(`docker rm -f: ${r.stderr}`);
      }
      docker(['network', 'prune', '-f'], 30_000);
      docker(['volume', 'prune', '-f'], 60_000);
      const left = docker(['volume', 'ls', '-q'], 20_000).stdout?.split('\n').filter(Boolean) ?? [];
      if (left.length) docker(['volume', 'rm', '-f', ...left], 60_000);
      step(`docker rm ${ids.length} containers, networks, volumes`, t);
      t = Date.now();
      this.child.kill('SIGTERM');
      const end = Date.now() + 45_000;
      while (alive(this.pid) && Date.now() < end) spawnSync('sleep', ['0.1']);
      if (alive(this.pid)) {
        problems.push('dockerd did not stop on SIGTERM in 45 s: SIGKILL');
        this.child.kill('SIGKILL');
      }
      step('dockerd stop', t);
    }
    let t = Date.now();
    killMentioning(this.dir);
    step('leftover processes', t);
    cleanupDir(this.dir, problems, step);
    t = Date.now();
    for (const cg of [this.cgroupName, ...this.extraCgroups]) removeCgroupSync(cg, problems);
    step('cgroups', t);
    this.log(`engine teardown ${((Date.now() - t0) / 1000).toFixed(1)} s: ${steps.join(', ')}`);
    if (problems.length) process.stderr.write(`docker engine ${this.dir} teardown: ${problems.join('; ')}\n`);
  }
}

/** SIGKILL every process whose command line names `dir` (containerd, shims of this engine), and wait for them. */
function killMentioning(dir: string): void {
  const pids = pidsMentioning(dir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  const end = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < end) spawnSync('sleep', ['0.1']);
}

function cleanupDir(dir: string, problems: string[], step: (what: string, since: number) => void = () => {}): void {
  let t = Date.now();
  const mounts = mountsUnder(dir);
  for (const mp of mounts) {
    const r = spawnSync('umount', [mp], { encoding: 'utf8' });
    if (r.status !== 0) spawnSync('umount', ['-l', mp]);
  }
  step(`umount ${mounts.length}`, t);
  t = Date.now();
  // rm(1) first: a data root holds an extracted image and the stack's volumes (tens of thousands
  // of files), which rm -rf removes several times faster than Node's recursive rmSync.
  spawnSync('rm', ['-rf', '--one-file-system', dir]);
  step('rm -rf', t);
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  } catch (e) {
    // vfs layers can hold read-only directories: make them writable and try again.
    spawnSync('chmod', ['-R', 'u+w', dir]);
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    } catch {
      problems.push(`rm -rf ${dir}: ${(e as Error).message}`);
    }
  }
}

/** SIGKILL every process in a cgroup tree (every hierarchy). */
function killCgroupProcs(name: string): void {
  for (const mount of cgroupMounts()) {
    const top = join(mount, name);
    if (!existsSync(top)) continue;
    const dirs = spawnSync('find', [top, '-type', 'd'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const d of dirs) {
      let procs: string[] = [];
      try {
        procs = readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
      } catch {
        // gone
      }
      for (const p of procs) {
        try {
          process.kill(Number(p), 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  }
}

function removeCgroupSync(name: string, problems: string[]): void {
  if (!cgroupExists(name)) return;
  for (let attempt = 0; attempt < 50 && cgroupExists(name); attempt++) {
    for (const mount of cgroupMounts()) {
      const top = join(mount, name);
      if (!existsSync(top)) continue;
      // deepest first
      const dirs = spawnSync('find', [top, '-depth', '-type', 'd'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      // Processes left in our cgroups (an engine that died before removing its containers): ours to kill.
      for (const d of dirs) {
        let procs: string[] = [];
        try {
          procs = readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
        } catch {
          // gone
        }
        for (const p of procs) {
          try {
            process.kill(Number(p), 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
      for (const d of dirs) spawnSync('rmdir', [d]);
    }
    if (cgroupExists(name)) spawnSync('sleep', ['0.1']);
  }
  if (cgroupExists(name)) problems.push(`cgroup ${name} is still there`);
}

/** Cleans up engines whose owning process died without stopping them (a SIGKILLed test). */
export function reapStale(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = join(tmpdir(), name);
    let owner: Owner;
    try {
      owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as Owner;
    } catch {
      continue; // not started by this code, or still starting
    }
    if (alive(owner.ownerPid)) continue;
    process.stderr.write(`removing a Docker engine left behind by process ${owner.ownerPid}: ${dir}\n`);
    if (alive(owner.dockerdPid) && cmdline(owner.dockerdPid).includes(dir)) {
      try {
        process.kill(owner.dockerdPid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    killMentioning(dir);
    const problems: string[] = [];
    cleanupDir(dir, problems);
    removeCgroupSync(owner.cgroup, problems);
    // The cgroups its test made beside the engine's (`<engine>-host`, `<engine>-oom-…`: extraCgroups),
    // found left behind after a test killed at its timeout.
    const extra = new Set<string>();
    for (const mount of cgroupMounts()) {
      try {
        for (const n of readdirSync(mount)) if (n.startsWith(`${owner.cgroup}-`)) extra.add(n);
      } catch {
        // not readable
      }
    }
    for (const n of extra) removeCgroupSync(n, problems);
    if (problems.length) process.stderr.write(`${problems.join('; ')}\n`);
  }
}

/** Engines of this process still running (a test asserts none is left). */
export function liveEngines(): number {
  return live.size;
}

export { removeCgroupTree };
