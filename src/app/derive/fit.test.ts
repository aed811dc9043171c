import { describe, expect, it } from 'vitest';
import { presetGet, PRESET_NAMES } from '../../engine/presets.ts';
import { fit } from '../../engine/fit.ts';
import { planParse, type PlanInput } from '../../engine/schema.ts';
import { deriveOf } from './engine.ts';
import { fitOf } from './fit.ts';

const plan = (input: PlanInput) => {
  const r = planParse(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.plan;
};

describe('fitOf', () => {
  it.each(PRESET_NAMES)('%s: applying the shown lines gives the engine’s fitted plan, and it holds', (name) => {
    const input = presetGet(name);
    const v = fitOf(input);
    expect(v.status).toBe('ok');
    if (v.status !== 'ok') return;
    const engineFit = fit(plan(input));
    expect(v.fits).toBe(engineFit.fits);
    const option = v.fits ? v.here : v.bigger;
    if (!option?.next) return;
    // What Apply commits is what the engine fitted: every fitted service's limit and settings.
    const applied = plan(option.next);
    const target = v.fits ? engineFit.plan : fit({ ...plan(input), host: { ...plan(input).host, ram: option.hostMiB } }).plan;
    for (const s of target.services) {
      const mine = applied.services.find((x) => x.name === s.name);
      expect(mine?.limit, s.name).toBe(s.limit);
      expect(mine?.settings, s.name).toEqual(s.settings);
    }
    expect(applied.host.ram).toBe(option.hostMiB);
    expect(deriveOf(option.next).status).toBe('ok');
    // Every line says what it sets in words, never a plan-file key.
    for (const l of option.lines) expect(l.text).not.toMatch(/settings\.|\blimit\b.*MiB.*MiB|undefined|NaN/);
  });

  it("says what a Redis without maxmemory had as 'now 0 = no bound', not '0 MiB'", () => {
    const input = { version: 1, host: { ram: '4GiB' }, services: [{ name: 'db', kind: 'postgres', limit: null }, { name: 'cache', kind: 'redis', limit: null, settings: { maxmemory: 0 } }] } as unknown as PlanInput;
    const v = fitOf(input);
    if (v.status !== 'ok') throw new Error('expected a fit');
    const option = v.fits ? v.here : v.bigger;
    const line = option?.lines.find((l) => /cache maxmemory/.test(l.text));
    expect(line?.now).toBe('0 = no bound');
  });

  it('a plan its host cannot hold offers the smallest host that does, the move first', () => {
    // 20,000 active users (×5 spike) on the 8gb preset: more than 8 GiB holds (its own 10,000 fit it).
    const input = presetGet('8gb');
    const v = fitOf({ ...input, workload: { ...input.workload, activeUsers: 20_000 } });
    expect(v.status === 'ok' && v.fits).toBe(false);
    if (v.status !== 'ok' || !v.bigger) throw new Error('expected a bigger host');
    expect(v.bigger.hostMiB).toBeGreaterThan(8192);
    expect(v.bigger.lines[0]).toEqual({ text: `Move to a ${v.bigger.hostText} host`, now: '8 GiB', assumed: false });
  });

  it('a plan that passes its check but leaves too little free memory at typical usage is told why, and offers the host that holds it', () => {
    const input = { version: 1, name: 'one app', host: { ram: '2GiB' }, services: [{ name: 'app', kind: 'generic', limit: '1600MiB', settings: { usage: { low: '1000MiB', typical: '1250MiB', high: '1300MiB' } } }] } as unknown as PlanInput;
    const v = fitOf(input);
    expect(v.status === 'ok' && v.fits).toBe(false);
    if (v.status !== 'ok' || !v.bigger) throw new Error('expected a bigger host');
    expect(v.summary).toMatch(/^free memory at typical usage would be \d+ MiB, under the success criterion of 500 MiB/);
    expect(v.bigger.hostMiB).toBe(4096);
  });

  it('a plan that does not evaluate has no fit, and says why', () => {
    const input = { ...presetGet('4gb'), host: { ram: 'lots' } } as unknown as PlanInput;
    expect(fitOf(input)).toEqual({ status: 'unavailable', reason: 'the plan does not evaluate: fix it first' });
  });
});
