import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cliHarness } from './testing.ts';

const h = cliHarness('cli');
const cli = (args: string[], input?: string) => h.run(args, input === undefined ? {} : { input });
const file = h.file;

// Test the CLI as shipped: the bundled file, built fresh.
beforeAll(() => h.build());

describe('headroom plan', () => {
  it('prints the table, the host, the spike and the findings for the 4gb preset', () => {
    const r = cli(['plan', '--preset', '4gb']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/SERVICE\s+KIND\s+BASIS\s+LIMIT\s+LOW\s+TYPICAL\s+HIGH\s+HEADROOM\s+RISK/);
    expect(r.out).toMatch(/postgres\s+postgres\s+modelled\s+800 MiB/);
    expect(r.out).toContain('spike ×5');
    // Findings in words; the ids stay in --json, SARIF and JUnit.
    expect(r.out).toContain('✖ critical redis: no room to fork for a snapshot · modelled');
    expect(r.out).not.toContain('redis-fork-headroom');
    expect(r.out).not.toMatch(/NaN|undefined/);
  });

  it('--json prints one object with the stable names', () => {
    const r = cli(['plan', '--preset', '4gb', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.host).toMatchObject({ ramMiB: 4096, limitsMiB: 1950, usageMiB: { low: expect.any(Number), typical: expect.any(Number), high: expect.any(Number) } });
    expect(j.host.freeMiB).toHaveProperty('typical');
    expect(j.host.risk).toHaveProperty('level');
    expect(j.host.reserveMiB).toBeGreaterThan(0);
    expect(j.services.map((s: { name: string }) => s.name)).toEqual(['fastapi', 'postgres', 'redis', 'prometheus', 'grafana']);
    const pg = j.services[1];
    expect(pg).toMatchObject({ name: 'postgres', kind: 'postgres', limitMiB: 800, risk: { level: expect.any(String), score: expect.any(Number), pOverLimit: expect.any(Number) } });
    expect(pg.components.map((c: { name: string }) => c.name)).toContain('shared_buffers');
    expect(pg.components[0]).toHaveProperty('MiB');
    expect(j.spike).toMatchObject({ multiplier: 5 });
    expect(j.spike.services).toHaveLength(5);
    expect(j.findings[0]).toEqual({ id: expect.any(String), severity: 'critical', service: expect.anything(), message: expect.any(String), fix: expect.any(Object), basis: 'modelled' });
    expect(j.services.map((s: { basis: string }) => s.basis)).toEqual(['modelled', 'modelled', 'modelled', 'modelled', 'modelled']);
    expect(j.verdict).toMatchObject({ outcome: 'fail', assumed: [], critical: ['redis-fork-headroom [redis]'] });
  });

  it('reads a YAML plan file, and JSON from stdin', () => {
    const yaml = file('p.yaml', 'host:\n  ram: 2g\nservices:\n  - name: db\n    kind: postgres\n    limit: 512m\n');
    const r = cli(['plan', yaml, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).host.ramMiB).toBe(2048);
    const s = cli(['plan', '-', '--json'], JSON.stringify({ host: { ram: '1GiB' }, services: [] }));
    expect(s.code).toBe(0);
    expect(JSON.parse(s.out).host.ramMiB).toBe(1024);
  });

  it.each([
    ['an unknown key', 'host:\n  ram: 4g\n  rma: 1\nservices: []\n', /host\.rma: unknown key/],
    ['an unknown kind', 'host:\n  ram: 4g\nservices:\n  - name: a\n    kind: oracle\n', /services\[0\]\.kind: expected one of fastapi/],
    ['a bad size', 'host:\n  ram: 4g\nservices:\n  - {name: a, kind: redis}\n  - {name: b, kind: redis}\n  - {name: c, kind: redis, limit: 512Q}\n', /services\[2\]\.limit: unknown size unit/],
    ['a negative size', 'host:\n  ram: 4g\nservices:\n  - {name: a, kind: redis, limit: -5m}\n', /services\[0\]\.limit: expected a size/],
    ['a missing host.ram', 'host: {}\nservices: []\n', /host\.ram: required/],
    ['broken YAML', 'host:\n  ram: 4g\nservices: [\n  - a\n', /line \d+, column \d+/],
    ['an empty file', '', /empty/],
  ])('exits 2 on %s, one line per problem with its path, no stack trace', (_label, text, pattern) => {
    const r = cli(['plan', file('bad.yaml', text)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
    expect(r.err).not.toMatch(/\n\s+at |Error:/);
    expect(r.out).toBe('');
  });

  it('lists every problem on its own line', () => {
    const r = cli(['plan', file('many.yaml', 'host:\n  ram: x\nservices:\n  - {name: a, kind: nope}\n  - {name: b, kind: redis, limit: -1}\n')]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(3);
  });

  it.each([
    [['plan', 'no-such-file.yaml'], /cannot read no-such-file.yaml: no such file/],
    [['plan', '--preset', 'huge'], /unknown preset "huge"/],
    [['plan', '--bogus'], /Unknown option '--bogus'/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('exits 2 on %j', (args, pattern) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
  });

  it('prints help', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('headroom plan [FILE] [--preset NAME] [--evidence FILE…] [--percentile peak|p99|p95|p50] [--margin 1.15] [--format text|json|markdown|sarif|junit]');
    expect(r.out).toContain('--json is --format json');
  });

  it('--version prints package.json\'s version', () => {
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V', 'version']) {
      const r = cli([flag]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`${version}\n`);
    }
  });
});
