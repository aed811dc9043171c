/**
 * `headroom fit FILE --out DIR` writes what `export --tuned` writes for the fitted plan (through
 * export.ts's one writer), plus the fitted plan file. Tests the CLI as shipped: the bundle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cliHarness } from './testing.ts';

const h = cliHarness('fit');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'headroom-fit-out-'));
  dirs.push(d);
  return d;
};
beforeAll(() => h.build());
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  rmSync(h.dir, { recursive: true, force: true });
});

/** Limits over a 4 GiB host: fit lowers them. */
const COMPOSE = `# my stack (this comment is the user's: the export keeps it)
name: shop
services:
  db:
    image: postgres:16
    command: ["postgres", "-c", "shared_buffers=1GB", "-c", "max_connections=100"]
    mem_limit: 3g
  cache:
    image: redis:7.2
    command: ["redis-server", "--maxmemory", "256mb", "--save", ""]
    mem_limit: 2g
  prometheus:
    image: prom/prometheus:v2.53.0
    mem_limit: 512m
`;

type Compose = { services: Record<string, { mem_limit?: string; command?: unknown }> };

describe('headroom fit --out', () => {
  it('writes the tuned export of the fitted plan (the user\'s compose file edited, configs, alert rules, runbook) and the fitted plan', () => {
    const file = h.file('docker-compose.yml', COMPOSE);
    const out = tmp();
    const r = h.run(['fit', file, '--out', out]);
    expect(r.code, r.err).toBe(0);
    const written = readdirSync(out).sort();
    expect(written).toEqual(expect.arrayContaining(['RUNBOOK.md', 'alerts.test.yml', 'alerts.yml', 'postgresql.conf', 'prometheus.yml', 'redis.conf', 'shop.fitted.yaml']));
    // The compose file is the user's own, edited: its comment kept, the fitted limits written, each edit on a line of the change report.
    const composeFile = written.find((f) => f.startsWith('docker-compose'))!;
    const text = readFileSync(join(out, composeFile), 'utf8');
    expect(text).toContain("# my stack (this comment is the user's: the export keeps it)");
    const fitted = parse(readFileSync(join(out, 'shop.fitted.yaml'), 'utf8')) as { services: Array<{ name: string; limit: string }> };
    const limitOf = (name: string) => fitted.services.find((s) => s.name === name)!.limit;
    const c = parse(text) as Compose;
    expect(c.services.db!.mem_limit).not.toBe('3g');
    expect(r.out).toMatch(/changed services\.db\.mem_limit: 3g → /);
    expect(r.out).toContain('(tuned) into');
    expect(r.out).toContain(`wrote the fitted plan: ${join(out, 'shop.fitted.yaml')}`);
    // What "fits" rests on, the free-memory criterion at typical usage included (engine/fit.ts).
    const freeTypical = /fits 4 GiB: .*, free memory at typical usage ([\d.]+) (MiB|GiB) \(the criterion: over 500 MiB\)/.exec(r.out);
    expect(freeTypical, r.out).not.toBeNull();
    expect(Number(freeTypical![1]) * (freeTypical![2] === 'GiB' ? 1024 : 1)).toBeGreaterThan(500);
    expect(limitOf('db')).toBeDefined();

    // The same files as export --tuned of the fitted plan: the configs agree byte for byte.
    const viaExport = tmp();
    const e = h.run(['export', join(out, 'shop.fitted.yaml'), '--tuned', '--out', viaExport]);
    expect(e.code, e.err).toBe(0);
    for (const f of ['postgresql.conf', 'redis.conf', 'prometheus.yml', 'alerts.yml', 'alerts.test.yml']) {
      expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(viaExport, f), 'utf8'));
    }
  });

  it('--json lists the exported files and the compose change report', () => {
    const file = h.file('docker-compose.yml', COMPOSE);
    const out = tmp();
    const r = h.run(['fit', file, '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { fits: boolean; exported: string[]; composeChanges: string[]; written: string; free: { typicalMiB: number; criterionMiB: number } };
    expect(j.fits).toBe(true);
    expect(j.free.criterionMiB).toBe(500);
    expect(j.free.typicalMiB).toBeGreaterThan(j.free.criterionMiB);
    expect(j.exported).toEqual(expect.arrayContaining(['postgresql.conf', 'redis.conf', 'RUNBOOK.md']));
    expect(j.composeChanges.some((c) => c.startsWith('changed services.db.mem_limit'))).toBe(true);
    expect(readdirSync(out)).toEqual(expect.arrayContaining([...j.exported, 'shop.fitted.yaml']));
  });

  it('writes nothing when the stack does not fit the host (exit 1)', () => {
    const file = h.file('docker-compose.yml', COMPOSE);
    const out = join(tmp(), 'never');
    const r = h.run(['fit', file, '--host', '256MiB', '--out', out]);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toContain('nothing written');
    expect(() => readdirSync(out)).toThrow();
  });

  it('a stack check passes but that leaves under 500 MiB free at typical usage does not fit, and says so (exit 1)', () => {
    const file = h.file('docker-compose.yml', `services:
  app:
    image: example/app:1
    mem_limit: 1600m
    x-headroom: {settings: {usage: {low: 1000MiB, typical: 1250MiB, high: 1300MiB}}}
`);
    const r = h.run(['fit', file, '--host', '2GiB']);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/does not fit 2 GiB: free memory at typical usage would be \d+ MiB, under the success criterion of 500 MiB \(500 MiB or 12% of RAM\); a 4 GiB host holds it \(fit --host 4GiB\)/);
  });
});
