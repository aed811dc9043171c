import { describe, expect, it } from 'vitest';
import { presetGet, type PlanInput } from '../../engine/index.ts';
import { criteriaOf } from './criteria.ts';
import { deriveOf } from './engine.ts';
import { toggleViews } from './toggles.ts';
import { findingViews, hostView, rowViews } from './views.ts';
import { hostStack, serviceBars } from './charts.ts';
import { sizeFormat } from '../../engine/units.ts';

function evaluated(input: PlanInput) {
  const d = deriveOf(input);
  if (d.status !== 'ok') throw new Error(JSON.stringify(d));
  return d;
}

const PLANS: Array<[string, PlanInput]> = [
  ['4gb', presetGet('4gb')],
  ['full', presetGet('full')],
  ['8gb', presetGet('8gb')],
  ['empty', { name: 'empty', host: { ram: '4GiB' }, services: [] }],
  ['overcommitted, no limits', { host: { ram: '1GiB' }, services: [{ name: 'a', kind: 'postgres', limit: '2GiB' }, { name: 'b', kind: 'redis', limit: null }] }],
];

describe('views never show NaN', () => {
  it.each(PLANS)('%s', (_name, input) => {
    const { plan, report } = evaluated(input);
    const text = JSON.stringify([hostView(report), rowViews(input, plan, report), findingViews(report), criteriaOf(plan, report), toggleViews(input, report), hostStack(report), serviceBars(report)]);
    expect(text).not.toMatch(/NaN|Infinity|undefined/);
  });
});

describe('views of the seed plan', () => {
  const input = presetGet('4gb');
  const { plan, report } = evaluated(input);

  it('host bar: reserve, five limits, unallocated, widths adding to 100%', () => {
    const v = hostView(report);
    expect(v.limitsText).toBe('1.9 GiB');
    expect(v.segments.map((s) => s.label)).toEqual(['reserve', 'fastapi', 'postgres', 'redis', 'prometheus', 'grafana', 'unallocated']);
    expect(v.segments.reduce((s, x) => s + x.widthPct, 0)).toBeCloseTo(100, 6);
    expect(v.overcommitText).toBeNull();
  });

  it('host bar: the CPU in normal traffic and in the spike, each judged by the saturation line', () => {
    const v = hostView(report);
    // Normal traffic leaves the 2 vCPUs room; the ×5 spike asks more than their 80% line (calibration/latency.json figures).
    expect(v.cpuOk).toBe(true);
    expect(v.spikeCpu.cpuOk).toBe(false);
    expect(v.spikeCpu.cpuText).toMatch(/ of 2 vCPUs$/);
    expect(report.spike.host.cpu.typical).toBeGreaterThan(report.host.cpu.typical);
  });

  it('rows follow the plan, with the limit as written', () => {
    const rows = rowViews(input, plan, report);
    expect(rows.map((r) => [r.id, r.name, r.limitInput])).toEqual([
      ['s0', 'fastapi', '500MiB'],
      ['s1', 'postgres', '800MiB'],
      ['s2', 'redis', '300MiB'],
      ['s3', 'prometheus', '200MiB'],
      ['s4', 'grafana', '150MiB'],
    ]);
    expect(rows[0]?.settingsText).toBe('3 workers × 110 MiB · pool 5+10');
  });

  it('rows say a service\'s containers per container when it has several or a CPU cap, and the host bar\'s CPU follows the cap', () => {
    expect(rowViews(input, plan, report).map((r) => r.containersText)).toEqual([null, null, null, null, null]);
    const edited: PlanInput = { ...input, services: input.services.map((s) => (s.name === 'grafana' ? { ...s, replicas: 2, cpus: 0.5 } : s.name === 'fastapi' ? { ...s, cpus: 0.2 } : s)) };
    const e = evaluated(edited);
    const rows = rowViews(edited, e.plan, e.report);
    expect(rows.find((r) => r.name === 'grafana')?.containersText).toBe('2 containers × 150 MiB = 300 MiB · CPU cap 0.5 each');
    expect(rows.find((r) => r.name === 'fastapi')?.containersText).toBe('CPU cap 0.2');
    // The app's cap leaves its workers less CPU than they ask: the latency model queues them (cpu.ts cpuCapOf).
    expect(e.report.latency?.p95 ?? Infinity).toBeGreaterThan(report.latency?.p95 ?? Infinity);
  });

  it('findings are most severe first', () => {
    const order = findingViews(report).map((f) => f.severity);
    expect(order).toEqual([...order].sort((a, b) => ['critical', 'warning', 'info'].indexOf(a) - ['critical', 'warning', 'info'].indexOf(b)));
  });

  it('success criteria: free memory passes; connections, AlertManager and the modelled latency (the ×5 spike saturates 2 vCPUs) fail; the rest unjudged', () => {
    const byId = Object.fromEntries(criteriaOf(plan, report).map((c) => [c.id, c.status]));
    expect(byId).toMatchObject({ 'free-typical': 'pass', connections: 'fail', alertmanager: 'fail', latency: 'fail', 'cache-hit': 'unknown' });
  });

  it('an overcommitted host shows by how much, in the words of the rule it breaks', () => {
    const over = evaluated(PLANS[4]![1]);
    const v = hostView(over.report);
    expect(v.overcommitted).toBe(true);
    // postgres's 2 GiB limit alone is over the 1 GiB: the limits (policy.ts limitsExceedRam), with the reserve.
    expect(v.overcommitText).toBe(`limits exceed RAM by ${sizeFormat(2048 + over.report.host.reserveMiB - 1024)}`);
    expect(v.limitsText).toBe('2 GiB');
    expect(v.unlimitedText).toBe(sizeFormat(over.report.services.find((s) => s.name === 'b')!.usageMiB.high));
  });

  it('a host whose services set no limit says so: limits 0, their high usage beside them, never "limits exceed RAM" (as the CLI host line)', () => {
    const input: PlanInput = {
      host: { ram: '1GiB' },
      services: [
        { name: 'db', kind: 'postgres', limit: null },
        { name: 'cache', kind: 'redis', limit: null },
        { name: 'app', kind: 'generic', limit: null, settings: { usage: { low: '300MiB', typical: '400MiB', high: '500MiB' } } },
        { name: 'migrate', kind: 'generic', limit: null, oneShot: true },
      ],
    };
    const { report } = evaluated(input);
    const v = hostView(report);
    const h = report.host;
    expect(h.setLimitsMiB).toBe(0);
    expect(v.limitsText).toBe('0 MiB');
    expect(v.unlimitedText).toBe(sizeFormat(h.limitsMiB));
    expect(v.overcommitted).toBe(true);
    expect(v.overcommitText).toBe(`3 services without a limit can take ${sizeFormat(h.limitsMiB)} at high usage, more than the ${sizeFormat(1024 - h.reserveMiB)} the limits and reserve leave`);
    // The one-shot container has exited by the steady state: no part of the bar.
    expect(v.segments.map((s) => s.label)).toEqual(['reserve', 'db', 'cache', 'app']);
    // The host chart draws the same claims.
    expect(hostStack(report).keys.map((k) => k.label)).toEqual(['reserve', 'db (no limit: high usage)', 'cache (no limit: high usage)', 'app (no limit: high usage)']);
  });
});

describe('observed usage', () => {
  it('a row shows what docker stats saw beside the model, and nothing when nothing was seen', () => {
    const input = presetGet('4gb');
    input.services[2]!.observed = { typical: '210MiB', peak: '260MiB' };
    const { plan, report } = evaluated(input);
    const rows = rowViews(input, plan, report);
    expect(rows.find((r) => r.name === 'redis')!.observedText).toBe('seen 210 MiB, peak 260 MiB');
    expect(rows.find((r) => r.name === 'postgres')!.observedText).toBeNull();
  });
});

describe('row views across an edit', () => {
  it('reuse the views of the services the edit did not change, and make new ones for those it did', () => {
    const input = presetGet('4gb');
    const first = evaluated(input);
    const before = rowViews(input, first.plan, first.report);
    const edited = { ...input, services: input.services.map((s, i) => (i === 4 ? { ...s, limit: '1GiB' } : s)) };
    const second = evaluated(edited);
    const after = rowViews(edited, second.plan, second.report);
    expect(after.slice(0, 4)).toEqual(before.slice(0, 4));
    after.slice(0, 4).forEach((r, i) => expect(r).toBe(before[i]));
    expect(after[4]).not.toBe(before[4]);
    expect(after[4]!.limitInput).toBe('1GiB');
    // The same rows computed afresh (another plan in between leaves nothing to reuse) are equal.
    const other = evaluated(presetGet('full'));
    rowViews(presetGet('full'), other.plan, other.report);
    const fresh = rowViews(edited, second.plan, second.report);
    expect(fresh[0]).not.toBe(after[0]);
    expect(fresh).toEqual(after);
  });
});
