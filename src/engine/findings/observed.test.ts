import { describe, expect, it } from 'vitest';
import { evaluate } from '../evaluate.ts';
import { applyChange } from '../change.ts';
import { planParse, type PlanInput } from '../schema.ts';
import { presetGet } from '../presets.ts';
import { planTextParse, planToInput, planToText } from '../../formats/plan-file.ts';

const base = (): PlanInput => presetGet('4gb');
const svc = (p: PlanInput, name: string) => p.services.find((s) => s.name === name)!;
function run(p: PlanInput) {
  const r = planParse(p);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return evaluate(r.plan);
}
const ids = (p: PlanInput, service: string) => run(p).findings.filter((f) => f.service === service).map((f) => f.id);

describe('observed usage in the plan', () => {
  it('parses sizes, needs a peak, refuses unknown keys; the margin defaults to krr\'s 1.15', () => {
    const p = base();
    svc(p, 'postgres').observed = { typical: '300MiB', peak: '420m' };
    const r = planParse(p);
    expect(r.ok && r.plan.services[1]!.observed).toEqual({ typical: 300, peak: 420 });
    expect(r.ok && r.plan.workload.observedMargin).toBe(1.15);
    const bad = base();
    svc(bad, 'postgres').observed = { typical: '300MiB' } as never;
    svc(bad, 'redis').observed = { peak: '1m', max: '2m' } as never;
    bad.workload = { observedMargin: 0.9 };
    const issues = planParse(bad);
    expect(issues.ok).toBe(false);
    if (!issues.ok) {
      expect(issues.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['services[1].observed.peak', 'services[2].observed.max', 'workload.observedMargin']));
    }
  });

  it('is reported beside the model, with the limit planned from it (peak × margin)', () => {
    const p = base();
    svc(p, 'postgres').observed = { typical: '300MiB', peak: '400MiB' };
    const r = run(p);
    const pg = r.services.find((s) => s.name === 'postgres')!;
    expect(pg.observedMiB).toMatchObject({ typical: 300, p50: 300, p95: null, p99: null, peak: 400 });
    expect(pg.observedLimit!.fromObservedMiB).toBeCloseTo(460, 9);
    // Never below the model's high: the window did not see what the model plans for.
    expect(pg.observedLimitMiB).toBe(Math.max(460, pg.usageMiB.high));
    expect(r.services.find((s) => s.name === 'redis')!).toMatchObject({ observedMiB: null, observedLimitMiB: null, oomKills: [] });
    svc(p, 'postgres').observed = { typical: '300MiB', peak: '1500MiB' };
    p.workload = { observedMargin: 1.5 };
    const wider = run(p).services.find((s) => s.name === 'postgres')!;
    expect(wider.observedLimitMiB).toBe(2250);
    expect(wider.observedLimit!.reason).toBe('observed peak 1.46 GiB × 1.5');
  });

  it('plans a generic service from it: its usage, and no "usage assumed" finding', () => {
    const p = base();
    p.services.push({ name: 'worker', kind: 'generic', limit: '512MiB', observed: { typical: '180MiB', peak: '240MiB' } });
    const w = run(p).services.find((s) => s.name === 'worker')!;
    expect(w.usageMiB).toEqual({ low: 180, typical: 180, high: 240 });
    expect(w.components[0]!.note).toBe('observed (docker stats)');
    expect(ids(p, 'worker')).not.toContain('generic-usage-assumed');
  });

  it('observed-near-limit: a warning within the margin, critical at the limit; its fix clears it', () => {
    const p = base();
    svc(p, 'grafana').limit = '512MiB';
    svc(p, 'grafana').observed = { peak: '470MiB' };
    const f = run(p).findings.find((x) => x.id === 'observed-near-limit')!;
    expect(f).toMatchObject({ severity: 'warning', service: 'grafana', fix: { changes: [{ service: 'grafana', key: 'limit', value: '544MiB' }] } });
    expect(f.message).toMatch(/seen using up to 470 MiB, 92% of its 512 MiB limit/);
    svc(p, 'grafana').observed = { peak: '512MiB' };
    const critical = run(p).findings.find((x) => x.id === 'observed-near-limit')!;
    expect(critical.severity).toBe('critical');
    const fixed = applyChange(p, critical.fix.changes[0]!);
    expect(ids(fixed, 'grafana')).not.toContain('observed-near-limit');
  });

  it('observed-limit-generous: a limit far above both the observation and the model; lowering clears it and raises nothing new', () => {
    const p = base();
    svc(p, 'grafana').limit = '2GiB';
    svc(p, 'grafana').observed = { typical: '60MiB', peak: '90MiB' };
    const f = run(p).findings.find((x) => x.id === 'observed-limit-generous')!;
    expect(f).toMatchObject({ severity: 'info', service: 'grafana' });
    const fixed = applyChange(p, f.fix.changes[0]!);
    const after = ids(fixed, 'grafana');
    expect(after).not.toContain('observed-limit-generous');
    expect(after).not.toEqual(expect.arrayContaining(['usage-over-limit']));
    expect(after).not.toContain('spike-over-limit');
    expect(after).not.toContain('observed-near-limit');
  });

  it('observed-above-model: says when the container uses more than the model\'s high', () => {
    const p = base();
    svc(p, 'postgres').limit = '4GiB';
    p.host.ram = '8GiB';
    svc(p, 'postgres').observed = { peak: '2GiB' };
    const f = run(p).findings.find((x) => x.id === 'observed-above-model')!;
    expect(f).toMatchObject({ severity: 'info', service: 'postgres' });
    expect(f.message).toMatch(/above the model's range/);
  });

  it('survives the plan file round trip', () => {
    const p = base();
    svc(p, 'redis').observed = { typical: '120MiB', peak: '180.5MiB' };
    const parsed = planParse(p);
    if (!parsed.ok) throw new Error('invalid');
    const again = planTextParse(planToText(planToInput(parsed.plan)));
    expect(again.ok && again.plan).toEqual(parsed.plan);
  });

  it('plans without observed usage keep their findings', () => {
    expect(run(base()).findings.some((f) => f.id.startsWith('observed'))).toBe(false);
  });
});
