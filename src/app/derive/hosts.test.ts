import { describe, expect, it } from 'vitest';
import { evaluate, planParse, presetGet } from '../../engine/index.ts';
import { cpuSaturated } from '../../engine/policy.ts';
import { hostCardViews } from './hosts.ts';

/** The 4gb preset split over two hosts: the database on its own 4 GiB host with 1 vCPU, the rest on a 4 GiB host with its default. */
function splitReport(appCpus?: number) {
  const p = presetGet('4gb');
  const { host: _host, ...rest } = p;
  const r = planParse({
    ...rest,
    hosts: [
      { name: 'app', ram: '4GiB', ...(appCpus === undefined ? {} : { cpus: appCpus }) },
      { name: 'db', ram: '4GiB', cpus: 1 },
    ],
    services: p.services.map((s) => ({ ...s, host: s.kind === 'postgres' ? 'db' : 'app' })),
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return evaluate(r.plan);
}

describe('host cards: vCPUs and the CPU in use', () => {
  it('show each host\'s own vCPUs (its cpus, else the default for its RAM) and its services\' modelled cores', () => {
    const report = splitReport();
    const cards = hostCardViews(report);
    expect(cards.map((c) => c.cpusText)).toEqual(['2 vCPUs', '1 vCPU']);
    report.hosts!.forEach((h, i) => {
      expect(h.cpu.typical).toBeGreaterThan(0);
      expect(cards[i]!.cpuText).toBe(`${+h.cpu.typical.toFixed(2)} typical / ${+h.cpu.high.toFixed(2)} high of ${cards[i]!.cpusText}`);
      expect(cards[i]!.cpuOk).toBe(!cpuSaturated(h.cpu.typical, h.cpus));
    });
  });

  it('mark a host saturated by the engine\'s line', () => {
    const busy = splitReport(0.2);
    const app = hostCardViews(busy).find((c) => c.name === 'app')!;
    expect(app.cpusText).toBe('0.2 vCPU');
    expect(app.cpuOk).toBe(false);
    expect(hostCardViews(busy).find((c) => c.name === 'db')!.cpuOk).toBe(true);
  });
});
