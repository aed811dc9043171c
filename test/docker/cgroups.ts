/**
 * Memory of a container read from its cgroup files, on cgroup v1 (cgroupfs, memory controller
 * hierarchy) and v2 (unified). Also: a parent cgroup with a memory limit (the emulated host) and
 * its removal. Test-only; Linux only.
 *
 * Definitions follow the kernel's files and cAdvisor:
 * - usage: v1 memory.usage_in_bytes, v2 memory.current (anonymous + page cache + kernel memory
 *   charged to the cgroup: what the kernel compares with the limit);
 * - working set: usage − inactive_file (cAdvisor's container_memory_working_set_bytes; `docker
 *   stats` shows the same: usage minus inactive page cache);
 * - peak: v1 memory.max_usage_in_bytes, v2 memory.peak (kernel 5.19+; null before);
 * - anon / file / shmem from memory.stat (v1: the hierarchical total_* fields);
 * - oomKills: v1 memory.oom_control `oom_kill` (this cgroup only: the kernel counts v1 events
 *   locally), v2 memory.events `oom_kill` (this cgroup and its descendants). A container's own
 *   cgroup is removed when it exits, so on v1 a kill is read while it happens (watchOomKills).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type CgroupVersion = 'v1' | 'v2';

const ROOT = '/sys/fs/cgroup';

/** v2 when /sys/fs/cgroup is the unified hierarchy; v1 (or hybrid, memory on v1) otherwise. */
export function cgroupVersion(): CgroupVersion {
  return existsSync(join(ROOT, 'cgroup.controllers')) ? 'v2' : 'v1';
}

/** The directory of the memory controller's root. */
export function memoryRoot(v: CgroupVersion = cgroupVersion()): string {
  return v === 'v2' ? ROOT : join(ROOT, 'memory');
}

/** The memory cgroup directory a process is in (null when it has exited). */
export function memoryCgroupOfPid(pid: number, v: CgroupVersion = cgroupVersion()): string | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined) continue;
    if (v === 'v2' && controllers === '') return join(ROOT, path);
    if (v === 'v1' && controllers!.split(',').includes('memory')) return join(ROOT, 'memory', path);
  }
  return null;
}

export type CgroupMemory = {
  version: CgroupVersion;
  /** Bytes. */
  usage: number;
  workingSet: number;
  /** Largest usage since the cgroup was created (null: the kernel has no memory.peak). */
  peak: number | null;
  /** The cgroup's limit (null: none). */
  limit: number | null;
  anon: number;
  file: number;
  shmem: number;
  activeFile: number;
  inactiveFile: number;
  oomKills: number;
  /** v2 memory.events `oom` (the limit was hit and the OOM killer ran); v1: under_oom now. */
  ooms: number;
};

const num = (s: string) => Number(s.trim());
/** The kernel's "no limit" on v1 is a page-aligned near-2^63. */
const limitOf = (s: string): number | null => {
  const t = s.trim();
  if (t === 'max') return null;
  const n = Number(t);
  return n >= 2 ** 62 ? null : n;
};

/** `key value` lines (memory.stat, memory.events, memory.oom_control). */
export function keyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out.set(k, Number(v));
  }
  return out;
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const readOr = (dir: string, file: string): string | null => {
  try {
    return read(dir, file);
  } catch {
    return null;
  }
};

/** One reading of a memory cgroup directory; throws when it is gone. */
export function readCgroupMemory(dir: string, v: CgroupVersion = cgroupVersion()): CgroupMemory {
  if (v === 'v2') {
    const stat = keyValues(read(dir, 'memory.stat'));
    const events = keyValues(read(dir, 'memory.events'));
    const usage = num(read(dir, 'memory.current'));
    const inactiveFile = stat.get('inactive_file') ?? 0;
    const peakText = readOr(dir, 'memory.peak');
    return {
      version: v,
      usage,
      workingSet: Math.max(0, usage - inactiveFile),
      peak: peakText === null ? null : num(peakText),
      limit: limitOf(read(dir, 'memory.max')),
      anon: stat.get('anon') ?? 0,
      file: stat.get('file') ?? 0,
      shmem: stat.get('shmem') ?? 0,
      activeFile: stat.get('active_file') ?? 0,
      inactiveFile,
      oomKills: events.get('oom_kill') ?? 0,
      ooms: events.get('oom') ?? 0,
    };
  }
  const stat = keyValues(read(dir, 'memory.stat'));
  const oom = keyValues(read(dir, 'memory.oom_control'));
  const usage = num(read(dir, 'memory.usage_in_bytes'));
  // total_* are hierarchical (this cgroup and its children); a container has no children.
  const inactiveFile = stat.get('total_inactive_file') ?? stat.get('inactive_file') ?? 0;
  return {
    version: v,
    usage,
    workingSet: Math.max(0, usage - inactiveFile),
    peak: num(read(dir, 'memory.max_usage_in_bytes')),
    limit: limitOf(read(dir, 'memory.limit_in_bytes')),
    anon: stat.get('total_rss') ?? stat.get('rss') ?? 0,
    file: stat.get('total_cache') ?? stat.get('cache') ?? 0,
    shmem: stat.get('total_shmem') ?? stat.get('shmem') ?? 0,
    activeFile: stat.get('total_active_file') ?? stat.get('active_file') ?? 0,
    inactiveFile,
    oomKills: oom.get('oom_kill') ?? 0,
    ooms: oom.get('under_oom') ?? 0,
  };
}

/** Like readCgroupMemory, null when the cgroup is gone (its container exited). */
export function tryReadCgroupMemory(dir: string, v: CgroupVersion = cgroupVersion()): CgroupMemory | null {
  try {
    return readCgroupMemory(dir, v);
  } catch {
    return null;
  }
}

/** The mount points of every cgroup hierarchy (v1: one per controller set; v2: the root). */
export function cgroupMounts(): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const parts = line.split(' ');
    const dash = parts.indexOf('-');
    if (dash < 0) continue;
    const fstype = parts[dash + 1];
    if ((fstype === 'cgroup' || fstype === 'cgroup2') && parts[4]) out.push(parts[4]);
  }
  return out;
}

/**
 * A cgroup (directly under the root) whose memory is limited to `limitBytes`, swap included
 * (the plan's host has no swap): the emulated host. Docker's `cgroup_parent: /NAME` puts
 * containers under it. Returns its memory directory.
 */
export function createParentCgroup(name: string, limitBytes: number, v: CgroupVersion = cgroupVersion()): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`cgroup name ${name}: letters, digits, _ . - only`);
  const dir = join(memoryRoot(v), name);
  mkdirSync(dir, { recursive: true });
  if (v === 'v2') {
    // Let the containers below use the controllers the root delegates (memory at least).
    const available = read(dir, 'cgroup.controllers').trim().split(/\s+/).filter(Boolean);
    if (!available.includes('memory')) throw new Error(`cgroup v2: the memory controller is not enabled for ${dir} (add +memory to ${ROOT}/cgroup.subtree_control)`);
    writeFileSync(join(dir, 'cgroup.subtree_control'), available.map((c) => `+${c}`).join(' '));
    writeFileSync(join(dir, 'memory.max'), String(limitBytes));
    if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
  } else {
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
    // memsw (memory + swap) must be ≥ the memory limit; equal means no swap.
    if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(limitBytes));
  }
  return dir;
}

/** Removes a cgroup and everything below it in every hierarchy (bottom-up rmdir; cgroups of exited containers can take a moment to empty). */
export async function removeCgroupTree(name: string): Promise<void> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`cgroup name ${name}: letters, digits, _ . - only`);
  const failures: string[] = [];
  for (const mount of cgroupMounts()) {
    const top = join(mount, name);
    if (!existsSync(top)) continue;
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        rmTree(top);
        break;
      } catch (e) {
        if (attempt === 49) failures.push(`${top}: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  if (failures.length) throw new Error(`could not remove cgroup ${name}: ${failures.join('; ')}`);
}

function rmTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmTree(join(dir, e.name));
  rmdirSync(dir);
}

/** Whether any hierarchy still has this cgroup. */
export function cgroupExists(name: string): boolean {
  return cgroupMounts().some((m) => existsSync(join(m, name)));
}

export const MiB = (bytes: number) => bytes / 1048576;

/**
 * Polls a cgroup's oom_kill count every `everyMs` until stopped (or the cgroup is gone) and keeps
 * the largest seen. On cgroup v1 the count is not hierarchical and lives only in the container's
 * own cgroup, which is removed as soon as the killed container exits: it must be read while the
 * kill happens. (On v2 a parent's memory.events counts its children's kills too.)
 */
export function watchOomKills(dir: string, everyMs = 5): { stop: () => number; max: () => number } {
  let max = 0;
  const v = cgroupVersion();
  const timer = setInterval(() => {
    const m = tryReadCgroupMemory(dir, v);
    if (m) max = Math.max(max, m.oomKills);
  }, everyMs);
  return {
    max: () => max,
    stop: () => {
      clearInterval(timer);
      const m = tryReadCgroupMemory(dir, v);
      if (m) max = Math.max(max, m.oomKills);
      return max;
    },
  };
}

/** The CPU-accounting cgroup directory of a process (v1 cpuacct, v2 unified); null when it has exited. */
export function cpuCgroupOfPid(pid: number, v: CgroupVersion = cgroupVersion()): string | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined) continue;
    if (v === 'v2' && controllers === '') return join(ROOT, path);
    // v1: the cpuacct hierarchy (mounted as cpuacct, or cpu,cpuacct with a cpuacct link).
    if (v === 'v1' && controllers!.split(',').includes('cpuacct')) return join(ROOT, 'cpuacct', path);
  }
  return null;
}

/** The CPU-accounting directory of a cgroup directly under the root, by name (the emulated host). */
export function cpuCgroupByName(name: string, v: CgroupVersion = cgroupVersion()): string {
  return v === 'v2' ? join(ROOT, name) : join(ROOT, 'cpuacct', name);
}

/** CPU seconds used by a cgroup and its descendants since it was made (v1 cpuacct.usage, v2 cpu.stat usage_usec); null when gone. */
export function readCpuSeconds(dir: string, v: CgroupVersion = cgroupVersion()): number | null {
  try {
    if (v === 'v2') return (keyValues(read(dir, 'cpu.stat')).get('usage_usec') ?? NaN) / 1e6;
    return num(read(dir, 'cpuacct.usage')) / 1e9;
  } catch {
    return null;
  }
}

/** The most cpu.shares cgroup v1 takes (kernel: MAX_SHARES = 1 << 18); a task of the root group weighs 1024. */
export const MAX_CPU_SHARES = 262144;

/**
 * CPU priority and placement for a cgroup directly under the root (cgroup v1 only: the cpu and
 * cpuset hierarchies): `shares` (cpu.shares; the machine's other work runs in the root group at
 * 1024 a task) and `cpus` (cpuset.cpus, e.g. "1"; memory nodes copied from the root). Docker's
 * `cgroup_parent: /NAME` puts containers under it in every hierarchy, and runc copies an empty
 * cpuset from the parent, so every container of the stack runs on those cores at that priority.
 * Returns the directories made (for removal).
 */
export function cpuPriority(name: string, opts: { shares: number; cpus?: string }): string[] {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`cgroup name ${name}: letters, digits, _ . - only`);
  if (cgroupVersion() !== 'v1') throw new Error('cpuPriority: cgroup v1 only (cpu.shares, cpuset.cpus)');
  const made: string[] = [];
  const cpu = join(ROOT, 'cpu', name);
  mkdirSync(cpu, { recursive: true });
  made.push(cpu);
  writeFileSync(join(cpu, 'cpu.shares'), String(opts.shares));
  if (opts.cpus !== undefined) {
    const set = join(ROOT, 'cpuset', name);
    mkdirSync(set, { recursive: true });
    made.push(set);
    writeFileSync(join(set, 'cpuset.mems'), read(join(ROOT, 'cpuset'), 'cpuset.mems').trim());
    writeFileSync(join(set, 'cpuset.cpus'), opts.cpus);
  }
  return made;
}

/** Moves a process (all its threads) into a cgroup v1 `cpu` and `cpuset` group by name, or back to the root with name ''. */
export function moveCpuCgroup(pid: number, name: string): void {
  for (const h of ['cpu', 'cpuset']) {
    const dir = join(ROOT, h, name);
    if (existsSync(join(dir, 'cgroup.procs'))) writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  }
}
