/**
 * The Docker toolkit against a real engine: it starts and stops leaving nothing behind, a
 * container's memory limit is enforced by the kernel (and the cgroup files and Docker agree that
 * it was an OOM kill), and the cgroup readings match `docker stats`.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupExists, createParentCgroup, memoryCgroupOfPid, MiB, readCgroupMemory, watchOomKills } from './cgroups.ts';
import { DockerEngine, liveEngines, pidsMentioning, processRunning, sleep } from './engine.ts';
import { HOST_USR_RUN_ARGS, hostUsrImage } from './images.ts';
import { dockerStats, inspectState, oomEventsUntil } from './stats.ts';

let engine: DockerEngine;
let base = '';

// The host's /usr in an empty root: no build, so these run while the stack's images are made.
beforeAll(async () => {
  engine = await DockerEngine.start({ log: (s) => console.log(s) });
  base = await hostUsrImage(engine);
}, 120_000);

afterAll(async () => {
  await engine?.stop();
}, 120_000);

describe('a private Docker engine', () => {
  it('starts, runs a container on its own network with a volume, and stops leaving nothing', async () => {
    const e = await DockerEngine.start();
    const dir = e.dir;
    const pid = e.pid;
    try {
      const img = await hostUsrImage(e, 'b:1');
      await e.dockerOk(['network', 'create', '--internal', 'n1']);
      await e.dockerOk(['volume', 'create', 'v1']);
      await e.dockerOk(['run', '-d', '--name', 'c1', '--network', 'n1', '-v', 'v1:/data', ...HOST_USR_RUN_ARGS, img, 'sleep', '300']);
      expect((await e.dockerOk(['inspect', '-f', '{{.State.Running}}', 'c1'])).trim()).toBe('true');
      expect(e.processes().shims.length).toBe(1);
      expect(cgroupExists(e.cgroupName)).toBe(true);
    } finally {
      await e.stop();
    }
    expect(existsSync(dir)).toBe(false);
    expect(processRunning(pid)).toBe(false);
    expect(pidsMentioning(dir)).toEqual([]);
    expect(cgroupExists(e.cgroupName)).toBe(false);
    expect(liveEngines()).toBe(1); // the suite's own engine only
  }, 120_000);
});

describe('memory limits are real', () => {
  it('a process allocating past -m 64m --memory-swap 64m is OOM-killed: exit 137, OOMKilled, and the cgroup counts the kill', async () => {
    const parent = `${engine.cgroupName}-oomtest`;
    engine.extraCgroups.add(parent);
    const dir = createParentCgroup(parent, 1024 * 1048576);
    // sh waits for a go file, then becomes tail: it keeps the current line in memory and
    // /dev/zero has no newline, so it grows until the kernel kills it.
    await engine.dockerOk(['run', '-d', '--name', 'oom', '-m', '64m', '--memory-swap', '64m', '--cgroup-parent', `/${parent}`, ...HOST_USR_RUN_ARGS, base, 'sh', '-c', 'while [ ! -e /tmp/go ]; do sleep 0.1; done; exec tail /dev/zero']);
    const own = memoryCgroupOfPid((await inspectState(engine, 'oom')).Pid)!;
    expect(MiB(readCgroupMemory(own).limit!)).toBe(64);
    const watch = watchOomKills(own); // v1 counts the kill in the container's own cgroup only, removed when it exits
    const t0 = Date.now();
    await engine.dockerOk(['exec', 'oom', 'touch', '/tmp/go']);
    const code = (await engine.dockerOk(['wait', 'oom'], { timeoutMs: 120_000 })).trim();
    const kills = watch.stop();
    expect(code).toBe('137');
    const st = await inspectState(engine, 'oom');
    expect(st.ExitCode).toBe(137);
    // Docker's witness: its OOMKilled flag, or its oom event when it handled the exit first (stats.ts oomEventCount).
    const oomEvents = await oomEventsUntil(engine, 'oom', t0, st.OOMKilled ? 0 : 1);
    expect(st.OOMKilled || oomEvents >= 1, `OOMKilled ${st.OOMKilled}, ${oomEvents} oom events`).toBe(true);
    const parentKills = readCgroupMemory(dir).oomKills; // hierarchical on v2 only
    expect(Math.max(kills, parentKills)).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('cgroup readings agree with docker stats within max(2 MiB, 3%)', async () => {
    // 100 MiB of shared memory held in the container's /dev/shm: charged to its cgroup, steady.
    await engine.dockerOk(['run', '-d', '--name', 'hold', '-m', '256m', '--shm-size', '200m', ...HOST_USR_RUN_ARGS, base, 'sh', '-c', 'dd if=/dev/zero of=/dev/shm/x bs=1M count=100 2>/dev/null; sleep 600']);
    await sleep(3000);
    const pid = (await inspectState(engine, 'hold')).Pid;
    const cg = memoryCgroupOfPid(pid)!;
    expect(cg).toBeTruthy();
    const before = readCgroupMemory(cg);
    const stats = await dockerStats(engine, ['hold']);
    const after = readCgroupMemory(cg);
    const s = stats.get('hold')!;
    expect(s).toBeDefined();
    const ws = (MiB(before.workingSet) + MiB(after.workingSet)) / 2;
    expect(MiB(after.shmem)).toBeGreaterThanOrEqual(99);
    expect(ws).toBeGreaterThanOrEqual(100);
    expect(Math.abs(s.usageMiB - ws)).toBeLessThanOrEqual(Math.max(2, 0.03 * ws));
    expect(s.limitMiB).toBe(256);
    expect(MiB(after.limit!)).toBe(256);
  }, 120_000);
});
