/**
 * The deliberate failure: Redis with the plan's non-cache data (settings.appData 240 MiB, no
 * maxmemory, no persistence), exported by the CLI twice: once with a limit the plan says is too
 * small (200 MiB: typical usage over the limit, critical), once with one it says fits (768 MiB:
 * its high end is under the limit). Both are started from their exported compose files and
 * filled with the same 240 MiB; the kernel must OOM-kill the first and leave the second alone,
 * as predicted. Each runs under its own parent cgroup, whose oom_kill count (hierarchical)
 * survives the killed container's own cgroup.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { createParentCgroup, memoryCgroupOfPid, MiB, tryReadCgroupMemory, watchOomKills } from '../../test/docker/cgroups.ts';
import { sleep, type DockerEngine } from '../../test/docker/engine.ts';
import { oomEventCount } from '../../test/docker/stats.ts';
import { localCompose } from './compose.ts';
import { exportPlan, planReport } from './plan.ts';

export const FAILURE_DATA_MIB = 240;
export const FAILURE_CASES = [
  { id: 'too-small', limitMiB: 200 },
  { id: 'fits', limitMiB: 768 },
] as const;

export type FailureCase = {
  id: string;
  limitMiB: number;
  predicted: { low: number; typical: number; high: number; risk: string; pOverLimit: number };
  /** The plan's verdict: typical usage over the limit → killed; high within it → not. */
  predictedKill: boolean;
  measured: { oomKilled: boolean; oomEvents: number; cgroupOomKills: number; exitCode: number; restarts: number; peakMiB: number | null; workingSetMiB: number | null; fillResult: string };
  asPredicted: boolean;
};
export type FailureResult = { dataMiB: number; cases: FailureCase[]; error?: string };

/**
 * Whether the kernel killed the case's container, by any of its three witnesses: the cgroup's
 * oom_kill counter, Docker's OOMKilled, or Docker's oom event. The counter alone is not enough:
 * it is polled while the fill runs, and when Docker restarts the container before a poll reads
 * it, the counter goes with the old cgroup (beside two busy processes, 2026-12-03: counter 0,
 * OOMKilled true, one oom event, one restart).
 */
export function oomKilled(m: Pick<FailureCase['measured'], 'cgroupOomKills' | 'oomEvents' | 'oomKilled'>): boolean {
  return m.cgroupOomKills > 0 || m.oomEvents > 0 || m.oomKilled;
}

function planText(limitMiB: number): string {
  return toYaml({
    name: `deliberate-failure-redis-${limitMiB}`,
    host: { ram: '4GiB' },
    services: [{ name: 'redis', kind: 'redis', limit: `${limitMiB}MiB`, settings: { maxmemory: 0, policy: 'noeviction', persistence: 'none', appData: `${FAILURE_DATA_MIB}MiB` } }],
  });
}

/** `clampNegativeOomScoreAdj`: the engine refused a negative oom_score_adj (run.ts asked it). */
export async function deliberateFailure(engine: DockerEngine, workDir: string, log: (s: string) => void, opts: { clampNegativeOomScoreAdj: boolean }): Promise<FailureResult> {
  const cases: FailureCase[] = [];
  try {
    const prepared = FAILURE_CASES.map((c) => {
      const dir = join(workDir, `failure-${c.id}`);
      mkdirSync(dir, { recursive: true });
      const planFile = join(dir, 'plan.yaml');
      writeFileSync(planFile, planText(c.limitMiB));
      const rep = planReport(planFile);
      const svc = rep.services.find((s) => s.name === 'redis')!;
      const compose = exportPlan(planFile, dir);
      const cg = `${engine.cgroupName}-oom-${c.id}`;
      engine.extraCgroups.add(cg);
      const cgDir = createParentCgroup(cg, 4096 * 1048576);
      const local = localCompose(parseYaml(readFileSync(compose, 'utf8')), { cgroupParent: `/${cg}`, namePrefix: `oom-${c.id}-`, clampNegativeOomScoreAdj: opts.clampNegativeOomScoreAdj });
      const file = join(dir, 'stack-test.compose.yml');
      writeFileSync(file, toYaml(local.doc));
      return { c, dir, file, svc, cgDir, container: String(local.doc.services.redis!.container_name) };
    });
    await Promise.all(
      prepared.map(async (p) => {
        await engine.composeOk(['-p', `oom${p.c.id.replace(/\W/g, '')}`, '-f', p.file, '--compatibility', 'up', '-d'], { cwd: p.dir, timeoutMs: 5 * 60_000 });
        for (let i = 0; i < 60; i++) {
          if ((await engine.docker(['exec', p.container, 'redis-cli', 'PING'])).stdout.includes('PONG')) break;
          await sleep(1000);
        }
      }),
    );
    const keys = (FAILURE_DATA_MIB * 1048576) / 4096;
    const script = "for i=1,tonumber(ARGV[1]) do redis.call('SET', 'k' .. i, string.rep('x', 4096)) end return 'filled'";
    for (const p of prepared) {
      const since = Math.floor(Date.now() / 1000) - 1;
      log(`deliberate failure: filling redis under ${p.c.limitMiB} MiB with ${FAILURE_DATA_MIB} MiB (plan: ${p.svc.usageMiB.typical} typical, ${p.svc.usageMiB.high} high, risk ${p.svc.risk.level})`);
      const pid = (JSON.parse(await engine.dockerOk(['inspect', p.container])) as { State: { Pid: number } }[])[0]!.State.Pid;
      const own = memoryCgroupOfPid(pid);
      // The container's own cgroup, read while the kill happens (v1 counts there only), and the parent's (v2 counts there too).
      const watch = own ? watchOomKills(own) : null;
      const fill = await engine.docker(['exec', p.container, 'redis-cli', 'EVAL', script, '0', String(keys)], { timeoutMs: 180_000 });
      await sleep(3000);
      const ownKills = watch?.stop() ?? 0;
      const parent = tryReadCgroupMemory(p.cgDir);
      const before = parent && { ...parent, oomKills: Math.max(parent.oomKills, ownKills) };
      const inspect = JSON.parse((await engine.dockerOk(['inspect', p.container])).trim()) as { RestartCount: number; State: { OOMKilled: boolean; ExitCode: number } }[];
      const oomEvents = await oomEventCount(engine, p.container, since * 1000);
      const i = inspect[0]!;
      const predictedKill = p.svc.usageMiB.typical > p.c.limitMiB;
      const killed = oomKilled({ cgroupOomKills: before?.oomKills ?? 0, oomEvents, oomKilled: i.State.OOMKilled });
      cases.push({
        id: p.c.id,
        limitMiB: p.c.limitMiB,
        predicted: { ...p.svc.usageMiB, risk: p.svc.risk.level, pOverLimit: p.svc.risk.pOverLimit },
        predictedKill,
        measured: {
          oomKilled: i.State.OOMKilled,
          oomEvents,
          cgroupOomKills: before?.oomKills ?? 0,
          exitCode: i.State.ExitCode,
          restarts: i.RestartCount,
          peakMiB: before?.peak == null ? null : Math.round(MiB(before.peak) * 10) / 10,
          workingSetMiB: before ? Math.round(MiB(before.workingSet) * 10) / 10 : null,
          fillResult: (fill.stdout + fill.stderr).trim().slice(0, 200) || `exit ${fill.code}`,
        },
        asPredicted: killed === predictedKill && (predictedKill || p.svc.usageMiB.high <= p.c.limitMiB),
      });
      log(`deliberate failure: ${p.c.id}: ${killed ? 'OOM-killed' : 'not killed'} (predicted ${predictedKill ? 'a kill' : 'no kill'}; cgroup oom_kill ${before?.oomKills ?? 0}, docker oom events ${oomEvents}, restarts ${i.RestartCount})`);
    }
    return { dataMiB: FAILURE_DATA_MIB, cases };
  } catch (e) {
    return { dataMiB: FAILURE_DATA_MIB, cases, error: (e as Error).message };
  }
}
