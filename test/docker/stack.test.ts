/**
 * The short deployment test (part of `npm test`): the 4gb preset exported by the CLI, run in
 * real containers under its limits in a private engine, one minute of the plan's load and 30 s
 * of its spike, the alert path and the deliberate failure; the report written to
 * test-results/stack-test. The criteria are the seed's and are reported with their figures; the
 * assertions here are what must hold on any machine: the exported stack starts and is healthy,
 * the load is served, every service is measured within its limit, the engine's reserve is
 * measured, ServiceDown fires, the kernel kills exactly where the plan says, and nothing is left.
 */
import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveEngines } from './engine.ts';
import { presetPlanFile, REPO } from '../../scripts/stack-test/plan.ts';
import { buildReport, reportMarkdown, type StackReport } from '../../scripts/stack-test/report.ts';
import { runStackTest, type StackTestResult } from '../../scripts/stack-test/run.ts';

const work = join(tmpdir(), `headroom-stack-ci-${process.pid}`);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the exported 4gb stack in real containers', () => {
  let result: StackTestResult;
  let rep: StackReport;

  it('runs: export, images, up to healthy, 60 s of load and 30 s of spike, alert path, deliberate failure, teardown', async () => {
    mkdirSync(work, { recursive: true });
    result = await runStackTest({ planFile: presetPlanFile('4gb'), normalSeconds: 60, spikeSeconds: 30, workDir: work, log: (s) => console.log(s) });
    rep = buildReport(result);
    const out = join(REPO, 'test-results', 'stack-test');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'ci-4gb.md'), reportMarkdown(rep));
    writeFileSync(join(out, 'ci-4gb.json'), JSON.stringify({ report: rep, samples: result.samples }, null, 1));
    console.log(reportMarkdown(rep));
    console.log(rep.timings.map((t) => `${t.what}: ${t.seconds} s${t.cached ? ' (cached)' : ''}`).join('\n'));
  }, 20 * 60_000);

  it('every exported service that has a local image starts and passes its exported healthcheck', () => {
    // Known bug of the export, reported in the run (and the report's "healthy" criterion): a
    // negative oom_score_adj cannot be set where root lacks CAP_SYS_RESOURCE (this machine,
    // rootless Docker); the run sets those to 0. Anything else is a new failure.
    expect(result.problems.filter((p) => !p.what.startsWith('negative oom_score_adj'))).toEqual([]);
    expect(result.skipped.map((s) => s.service)).toEqual(['grafana']);
  });

  it('the plan\u2019s load was served', () => {
    const normal = result.load.find((l) => l.phase === 'normal')!;
    expect(normal.sent).toBeGreaterThan(0.9 * normal.targetRps * 60);
    expect(normal.ok).toBeGreaterThan(0.95 * normal.sent);
    expect(Number.isFinite(normal.latencyMs.p95)).toBe(true);
  });

  it('every running service was measured every second, inside its limit, and the engine\u2019s reserve too', () => {
    const normal = result.samples.filter((s) => s.phase === 'normal');
    expect(normal.length).toBeGreaterThanOrEqual(40);
    for (const s of rep.services.filter((x) => !x.note)) {
      expect(s.measured?.typical, s.service).toBeGreaterThan(1);
      expect(s.measured!.peakLoad!, s.service).toBeLessThanOrEqual(s.limitMiB!);
    }
    expect(rep.host.measuredEngine.dockerd).toBeGreaterThan(5);
    expect(rep.host.measuredEngine.shimCount).toBe(Object.keys(result.containers).length);
    expect(rep.connections.max).toBeGreaterThan(0);
    for (const c of rep.criteria) expect(c.figure, c.id).not.toMatch(/NaN|undefined/);
  });

  it('stopping the app fires ServiceDown in Prometheus (the 4gb plan has no AlertManager to route it)', () => {
    expect(result.alert?.error).toBeUndefined();
    expect(result.alert?.firingAfterS).toBeGreaterThan(0);
    expect(rep.criteria.find((c) => c.id === 'alert-path')!.figure).toMatch(/no AlertManager/);
  });

  it('the deliberate failure: killed exactly where the plan says the limit is too small, not where it fits', () => {
    expect(result.failure?.error).toBeUndefined();
    const [small, fits] = result.failure!.cases;
    expect(small!.predictedKill).toBe(true);
    expect(small!.measured.cgroupOomKills).toBeGreaterThanOrEqual(1);
    expect(fits!.predictedKill).toBe(false);
    expect(fits!.measured.cgroupOomKills).toBe(0);
    expect(fits!.measured.oomKilled).toBe(false);
    expect(result.failure!.cases.every((c) => c.asPredicted)).toBe(true);
  });

  it('leaves nothing behind', () => {
    expect(liveEngines()).toBe(0);
    expect(existsSync(join(tmpdir(), 'headroom-docker-'))).toBe(false);
  });
});
