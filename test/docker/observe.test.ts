/**
 * `headroom observe` (the built CLI bundle) against a real Docker engine: a compose stack of the
 * toolkit's host-/usr image under real memory limits — `hold` keeps 100 MiB in /dev/shm under a
 * 256 MiB limit, `hog` grows past its 64 MiB limit when told to and is OOM-killed by the kernel
 * (restart: on-failure:1, so it is killed, restarted once, and killed again) — observed for a few
 * seconds. The evidence must read back with the evidence format's parser, agree with
 * `docker stats --no-stream --format json` and with the cgroup files read here independently
 * (within max(2 MiB, 3%): the toolkit's own bound), carry both limits, the host's MemTotal, both
 * kills with their times and the restart. Ctrl-C writes what was sampled so far.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceTextParse, type Evidence } from '../../src/formats/evidence/file.ts';
import { cliHarness } from '../../src/cli/testing.ts';
import { memoryCgroupOfPid, MiB, readCgroupMemory } from './cgroups.ts';
import { DockerEngine, sleep } from './engine.ts';
import { hostUsrImage, testDir } from './images.ts';
import { inspectState, inspectUntil, oomEventsUntil, statSizeMiB } from './stats.ts';

const cli = cliHarness('observe-docker');
let engine: DockerEngine;
let dir = '';
let composeFile = '';
const t0 = Date.now();
/** The first test's evidence, for the plan's test. */
let observed: Evidence | null = null;

/** The project's name is the folder's (docker-compose 1.29, what Debian packages, keeps the -). */
const FOLDER = 'obs-stack';

type Observed = { code: number | null; out: string; err: string; ms: number };

/** Runs the bundle without blocking this process (the test acts on the stack meanwhile). */
function observeAsync(args: string[], onStart?: (child: ReturnType<typeof spawn>) => void): Promise<Observed> {
  const t = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('node', [cli.bundle, 'observe', ...args], { env: { ...engine.env }, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let started = false;
    const kill = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      if (!started && err.includes('observing ')) {
        started = true;
        onStart?.(child);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, out, err, ms: Date.now() - t });
    });
  });
}

function readEvidence(path: string): Evidence {
  const r = evidenceTextParse(readFileSync(path, 'utf8'));
  if (!r.ok) throw new Error(`observe's evidence does not parse: ${JSON.stringify(r.issues)}`);
  return r.evidence;
}

beforeAll(async () => {
  cli.build();
  engine = await DockerEngine.start({ log: (s) => console.log(s) });
  const image = await hostUsrImage(engine);
  dir = join(testDir('observe'), FOLDER);
  const usr = ['/usr:/usr:ro'];
  const compose = {
    version: '2.4',
    services: {
      hold: {
        image,
        volumes: usr,
        mem_limit: '256m',
        memswap_limit: '256m',
        shm_size: '200m',
        command: ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/x bs=1M count=100 2>/dev/null; exec sleep 600'],
      },
      hog: {
        image,
        volumes: usr,
        mem_limit: '64m',
        memswap_limit: '64m',
        restart: 'on-failure:1',
        // Waits for a go file, then becomes tail: it keeps the current line in memory and
        // /dev/zero has no newline (the toolkit's OOM test). The file is in the container's
        // layer, so after the restart it goes at once and is killed again.
        command: ['sh', '-c', 'while [ ! -e /tmp/go ]; do sleep 0.1; done; exec tail /dev/zero'],
      },
    },
  };
  mkdirSync(dir, { recursive: true });
  composeFile = join(dir, 'docker-compose.yml');
  writeFileSync(composeFile, stringify(compose));
  await engine.composeOk(['-f', composeFile, 'up', '-d'], { cwd: dir, timeoutMs: 120_000 });
  // hold has its 100 MiB once dd is done.
  for (let i = 0; i < 100; i++) {
    const pid = (await inspectState(engine, `${FOLDER}_hold_1`)).Pid;
    const cg = pid ? memoryCgroupOfPid(pid) : null;
    if (cg && MiB(readCgroupMemory(cg).shmem) >= 99) break;
    await sleep(200);
  }
  console.log(`setup ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, 300_000);

afterAll(async () => {
  await engine?.stop();
  if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
  rmSync(cli.dir, { recursive: true, force: true });
  console.log(`observe docker test: ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
}, 120_000);

describe('headroom observe on a real engine', () => {
  it('samples the project, agrees with docker stats and the cgroup files, and reports the OOM kills and the restart', async () => {
    const project = FOLDER;
    const hold = `${project}_hold_1`;
    const hog = `${project}_hog_1`;
    const holdPid = (await inspectState(engine, hold)).Pid;
    const holdCg = memoryCgroupOfPid(holdPid)!;
    expect(holdCg).toBeTruthy();
    const independent: number[] = [];
    const statsMiB: number[] = [];
    let statsLimitMiB = 0;
    const out = join(dir, 'evidence.json');
    const run = await observeAsync(['docker-compose.yml', '--duration', '10s', '--interval', '1s', '--out', out], () => {
      void (async () => {
        // Independent readings while observe samples: the cgroup files and docker stats.
        independent.push(readCgroupMemory(holdCg).workingSet);
        await sleep(1500);
        await engine.dockerOk(['exec', hog, 'touch', '/tmp/go']);
        const text = await engine.dockerOk(['stats', '--no-stream', '--format', 'json', hold]);
        const j = JSON.parse(text.trim().split('\n')[0]!) as { MemUsage: string };
        const [usage, limit] = j.MemUsage.split('/');
        statsMiB.push(statSizeMiB(usage!));
        statsLimitMiB = statSizeMiB(limit!);
        independent.push(readCgroupMemory(holdCg).workingSet);
      })();
    });
    console.log(`observe ran ${(run.ms / 1000).toFixed(1)} s:\n${run.err}`);
    expect(run.code, run.err).toBe(0);
    const ev = readEvidence(out);
    observed = ev;
    expect(ev.source).toBe('observe');
    expect(ev.intervalSeconds).toBe(1);
    expect(ev.durationSeconds).toBeGreaterThanOrEqual(9);
    // The Docker host is this machine: /info MemTotal is its /proc/meminfo MemTotal.
    const memTotalKiB = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    expect(ev.host?.memTotalBytes).toBe(memTotalKiB * 1024);

    expect(ev.services.map((s) => s.service).sort()).toEqual(['hog', 'hold']);
    const h = ev.services.find((s) => s.service === 'hold')!;
    expect(h.containers).toEqual([hold]);
    expect(h.limitBytes).toBe(256 * 1048576);
    expect(statsLimitMiB).toBe(256);
    // A sample at least every 1 s interval over 10 s, some slack for a loaded machine.
    expect(h.samples.length).toBeGreaterThanOrEqual(6);
    expect(independent.length).toBe(2);
    const ref = MiB(independent.reduce((a, b) => a + b) / independent.length);
    const tol = Math.max(2, 0.03 * ref);
    expect(ref).toBeGreaterThanOrEqual(100);
    for (const [, bytes] of h.samples) expect(Math.abs(MiB(bytes) - ref), `sample ${MiB(bytes).toFixed(1)} MiB vs cgroup ${ref.toFixed(1)} MiB`).toBeLessThanOrEqual(tol);
    expect(Math.abs(MiB(h.samples[h.samples.length >> 1]![1]) - statsMiB[0]!)).toBeLessThanOrEqual(Math.max(2, 0.03 * statsMiB[0]!));
    // anon/file: on v1 the 100 MiB of /dev/shm is page cache (total_cache); on v2 it is file too (shmem).
    expect(MiB(h.fileBytes!)).toBeGreaterThanOrEqual(99);
    expect(h.oomKills).toEqual([]);
    expect(h.restarts).toBe(0);

    const g = ev.services.find((s) => s.service === 'hog')!;
    expect(g.limitBytes).toBe(64 * 1048576);
    // Docker's own view once hog has settled (killed, restarted once, killed again, exited). The
    // second kill is Docker's OOMKilled, or, when containerd handed Docker the exit before the oom
    // event (the flag then stays false: stats.ts oomEventCount; seen here 2026-12-03 beside two busy
    // processes), exit code 137 and a second oom event in Docker's log, logged just after the exit.
    const st = await inspectUntil(engine, hog, (x) => x.Status === 'exited' && x.RestartCount >= 1, 20_000);
    expect(st.Status).toBe('exited');
    expect(st.RestartCount).toBe(1);
    expect(st.ExitCode).toBe(137);
    const oomEvents = await oomEventsUntil(engine, hog, t0, st.OOMKilled ? 0 : 2);
    console.log(`hog: Docker's view: OOMKilled ${st.OOMKilled}, exit ${st.ExitCode}, ${oomEvents} oom events`);
    expect(oomEvents, 'the first kill, logged before the restart').toBeGreaterThanOrEqual(1);
    expect(st.OOMKilled || oomEvents >= 2, `OOMKilled ${st.OOMKilled}, ${oomEvents} oom events`).toBe(true);
    const finished = Date.parse((JSON.parse(await engine.dockerOk(['inspect', hog])) as { State: { FinishedAt: string } }[])[0]!.State.FinishedAt);
    // The restart and the second kill normally fall in the 10 s window (observed here: 1–8 s
    // after the first on a loaded machine); when the second comes after observe's last inspect,
    // the evidence holds what the window saw: one kill.
    const bothSeen = finished <= Date.parse(ev.collectedAt) + 1000;
    console.log(`hog: first kill ${g.oomKills[0]?.at}, finished ${new Date(finished).toISOString()}, window ended ${ev.collectedAt}`);
    expect(g.oomKills.length, JSON.stringify(g.oomKills)).toBe(bothSeen ? 2 : 1);
    if (bothSeen) expect(g.restarts).toBe(1);
    for (const k of g.oomKills) {
      expect(k.container).toBe(hog);
      const at = Date.parse(k.at!);
      expect(at).toBeGreaterThan(t0);
      expect(at).toBeLessThanOrEqual(Date.parse(ev.collectedAt) + 1000);
    }
    if (bothSeen) expect(Math.abs(Date.parse(g.oomKills[1]!.at!) - finished)).toBeLessThan(5000);
    // While it ran, it never held more than its limit.
    for (const [, bytes] of g.samples) expect(bytes).toBeLessThanOrEqual(64 * 1048576);
    expect(run.err).toMatch(/OOM kill: hog/);
  }, 120_000);

  it('headroom plan COMPOSE --evidence (the bundle) raises the OOM kill as critical', () => {
    expect(observed).not.toBeNull();
    const r = cli.run(['plan', composeFile, '--evidence', join(dir, 'evidence.json'), '--format', 'json'], { cwd: dir });
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { findings: { id: string; severity: string; service: string | null; message: string }[]; services: { name: string; basis: string }[] };
    const kill = report.findings.find((f) => f.id === 'observed-oom-kill');
    expect(kill, report.findings.map((f) => `${f.severity} ${f.id} ${f.service}`).join('\n')).toBeDefined();
    expect(kill!.severity).toBe('critical');
    expect(kill!.service).toBe('hog');
    expect(kill!.message).toMatch(/obs-stack_hog_1/);
    expect(report.findings.some((f) => f.id === 'observed-oom-kill' && f.service === 'hold')).toBe(false);
    expect(report.services.find((x) => x.name === 'hold')!.basis).toBe('observed');
  });

  it('Ctrl-C ends the window early and writes what was sampled', async () => {
    const out = join(dir, 'interrupted.json');
    const run = await observeAsync(['docker-compose.yml', '--duration', '10m', '--interval', '1s', '--out', out], (child) => {
      setTimeout(() => child.kill('SIGINT'), 3000);
    });
    expect(run.code, run.err).toBe(130);
    expect(run.err).toMatch(/interrupted after \d+s/);
    const ev = readEvidence(out);
    expect(ev.durationSeconds).toBeLessThan(60);
    const h = ev.services.find((s) => s.service === 'hold')!;
    expect(h.samples.length).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('names the project and the compose file when none of its containers runs', async () => {
    const run = await observeAsync(['docker-compose.yml', '-p', 'nosuchproject', '--duration', '2s', '--interval', '1s']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/no running containers of compose project "nosuchproject" \(the name from -p\) for docker-compose\.yml/);
    expect(run.err).not.toMatch(/\n\s+at /);
  }, 60_000);
});
