// How the stack test treats the export's oom_score_adj, without an engine: the values run as
// exported wherever the engine accepts them; a negative one is raised to 0 only where the engine
// refused it, and reported. These hold with the export as it is on any branch: the negative values
// of before (postgres -800 …) and the non-negative ones of export-safety (postgres 0 … apps 1000).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { diffFromExport, localCompose } from './compose.ts';
import { exportedOomScoreAdj, OOM_SCORE_ADJ_REFUSED, oomScoreAdjOutcome } from './oom-score-adj.ts';
import { exportPlan, PLANS_DIR } from './plan.ts';

const refused = { allowed: false, error: "runc create failed: can't get final child's PID from pipe: EOF" };
const allowed = { allowed: true, error: null };

const before = { services: { postgres: { image: 'postgres:15', oom_score_adj: -800 }, redis: { image: 'redis:7', oom_score_adj: -400 }, fastapi: { image: 'app:latest' } } };
const exportSafety = {
  services: {
    postgres: { image: 'postgres:15', oom_score_adj: 0 },
    pgbouncer: { image: 'edoburu/pgbouncer:1.18.0', oom_score_adj: 100 },
    redis: { image: 'redis:7', oom_score_adj: 200 },
    alertmanager: { image: 'prom/alertmanager:v0.25.0', oom_score_adj: 300 },
    prometheus: { image: 'prom/prometheus:v2.42.0', oom_score_adj: 400 },
    fastapi: { image: 'app:latest', oom_score_adj: 1000 },
  },
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('oom_score_adj: run as exported where the engine accepts it', () => {
  it('non-negative values (export-safety): nothing asked, nothing raised, nothing reported as a problem, the compose file unchanged', () => {
    const o = oomScoreAdjOutcome(exportSafety.services, null);
    expect(o).toMatchObject({ negative: [], probe: null, raised: [], problem: null });
    expect(o.summary).toBe('oom_score_adj as exported (postgres 0, pgbouncer 100, redis 200, alertmanager 300, prometheus 400, fastapi 1000): none negative, every value runs unchanged on any engine.');
    // Even told to clamp, localCompose leaves values from 0 up alone.
    const local = localCompose(exportSafety, { cgroupParent: '/x', clampNegativeOomScoreAdj: true });
    expect(diffFromExport(exportSafety, local.doc).filter((c) => c.endsWith('oom_score_adj'))).toEqual([]);
  });

  it('negative values on an engine that refuses them: raised to 0 and reported, naming each value and the reason', () => {
    const o = oomScoreAdjOutcome(before.services, refused);
    expect(o.raised).toEqual(['postgres', 'redis']);
    expect(o.problem).toMatchObject({ service: 'postgres, redis', what: OOM_SCORE_ADJ_REFUSED });
    expect(o.problem!.detail).toContain('The export sets postgres -800, redis -400.');
    expect(o.problem!.detail).toMatch(/CAP_SYS_RESOURCE/);
    expect(o.summary).toContain("refused a negative value (runc create failed: can't get final child's PID from pipe: EOF); postgres -800, redis -400 ran at 0");
    const local = localCompose(before, { cgroupParent: '/x', clampNegativeOomScoreAdj: true });
    expect(local.doc.services.postgres!.oom_score_adj).toBe(0);
    expect(local.doc.services.redis!.oom_score_adj).toBe(0);
  });

  it('negative values on an engine that allows them: run unchanged, no problem', () => {
    const o = oomScoreAdjOutcome(before.services, allowed);
    expect(o).toMatchObject({ negative: ['postgres', 'redis'], raised: [], problem: null });
    expect(o.summary).toMatch(/allows the negative ones/);
  });

  it('a negative value without asking the engine is a programming error; a value out of range names its service', () => {
    expect(() => oomScoreAdjOutcome(before.services, null)).toThrow(/ask the engine first/);
    expect(() => exportedOomScoreAdj({ a: { oom_score_adj: -1001 } })).toThrow(/services\.a\.oom_score_adj: expected a whole number from -1000 to 1000, got -1001/);
  });

  it('the export as it is on this branch (either values): only negative values can change, and only where refused', () => {
    const d = mkdtempSync(join(tmpdir(), 'headroom-oomadj-'));
    dirs.push(d);
    const doc = parse(readFileSync(exportPlan(join(PLANS_DIR, '4gb-seed-fixes.yaml'), d), 'utf8'));
    const values = exportedOomScoreAdj(doc.services);
    // The export ranks its services for the OOM killer: the database protected most.
    expect(Object.keys(values).length).toBeGreaterThan(0);
    expect(values.postgres).toBe(Math.min(...Object.values(values)));
    for (const probe of [refused, allowed]) {
      const neg = Object.values(values).some((v) => v < 0);
      const o = oomScoreAdjOutcome(doc.services, neg ? probe : null);
      const local = localCompose(doc, { cgroupParent: '/x', clampNegativeOomScoreAdj: o.raised.length > 0 });
      const changed = diffFromExport(doc, local.doc).filter((c) => c.endsWith('.oom_score_adj')).sort();
      const expected = o.raised.filter((s) => s in local.doc.services).map((s) => `services.${s}.oom_score_adj`).sort();
      expect(changed).toEqual(expected);
      expect(o.raised).toEqual(probe.allowed ? [] : o.negative);
      expect(o.problem === null).toBe(o.raised.length === 0);
    }
  });
});
