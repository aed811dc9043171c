/** `headroom place` through the bundled CLI (issue 14): the table, --json, --out, exit codes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cliHarness } from './testing.ts';
import { planToText } from '../formats/plan-file.ts';
import { presetGet } from '../engine/presets.ts';

const h = cliHarness('place');
const cli = (args: string[]) => h.run(args, {});

beforeAll(() => h.build());

describe('headroom place', () => {
  it('places the 4gb preset on two 4 GiB hosts, the database alone, and writes the plan with hosts:', () => {
    const plan = h.file('p.yaml', planToText(presetGet('4gb')));
    const out = join(h.dir, 'placed.yaml');
    const r = cli(['place', plan, '--hosts', '2x4GiB:25', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/HOST\s+RAM\s+RESERVE\s+LIMITS\s+LEAST FREE\s+RISK\s+SERVICES/);
    expect(r.out).toMatch(/\n {2}host-\d\s+4 GiB\s+.*\spostgres\n/);
    expect(r.out).toContain('the database on a host of its own');
    expect(r.out).toMatch(/PLACED\n$/);
    expect(r.out).not.toMatch(/NaN|undefined|\n\s+at /);
    const written = parse(readFileSync(out, 'utf8'));
    expect(written.hosts.map((x: { name: string }) => x.name)).toEqual(['host-1', 'host-2']);
    for (const s of written.services) expect(s.host, s.name).toBeDefined();
    // The written plan is read back by check, each host budgeted on its own.
    const c = h.run(['plan', out, '--json'], {});
    expect(c.code).toBe(0);
    expect(JSON.parse(c.out).hosts).toHaveLength(2);
  });

  it('--json gives each host its checks; exit 1 and the reason when nothing fits', () => {
    const plan = h.file('q.yaml', planToText(presetGet('4gb')));
    const j = JSON.parse(cli(['place', plan, '--hosts', '4GiB,2GiB', '--json']).out);
    expect(j.fits).toBe(true);
    for (const x of j.hosts) for (const c of x.checks) expect(c.fails).toBe(false);
    const r = cli(['place', plan, '--hosts', '2x512MiB']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/NO PLACEMENT: no placement fits: \S+ needs/);
  });

  it('exits 2 on bad --hosts or no hosts at all', () => {
    const plan = h.file('r.yaml', planToText(presetGet('4gb')));
    expect(cli(['place', plan, '--hosts', '2x4Q'])).toMatchObject({ code: 2 });
    expect(cli(['place', plan, '--hosts', '2x4Q']).err).toMatch(/--hosts: "2x4Q": unknown size unit/);
    expect(cli(['place', plan]).err).toMatch(/no hosts to place on: give --hosts/);
  });
});
