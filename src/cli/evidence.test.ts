/** `--evidence` on plan, check, capacity and fit, through the bundled CLI (built to its own folder). */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cliHarness, type CliOptions } from './testing.ts';
import type { Evidence } from '../formats/evidence/file.ts';

const h = cliHarness('evidence');
const cli = (args: string[], opts: CliOptions = {}) => h.run(args, { ...opts, env: opts.env ?? {} });
beforeAll(() => h.build());

const COMPOSE = stringify({
  services: {
    api: { image: 'acme/api:1', command: 'uvicorn app:app --workers 2', mem_limit: '512m' },
    db: { image: 'postgres:16', container_name: 'shop-db', command: 'postgres -c shared_buffers=256MB -c max_connections=60 -c max_parallel_workers_per_gather=0', mem_limit: '1600m' },
    cache: { image: 'redis:7', command: 'redis-server --maxmemory 96mb --maxmemory-policy allkeys-lru --save ""', mem_limit: '256m' },
  },
});
const T0 = 1_764_650_000;
const MIB = 1_048_576;
const series = (labels: Record<string, string>, mib: (i: number) => number, n = 240) => ({
  metric: { __name__: 'container_memory_working_set_bytes', ...labels },
  values: Array.from({ length: n }, (_, i) => [T0 + i * 15, String(Math.round(mib(i) * MIB))]),
});
const PROM = JSON.stringify({
  status: 'success',
  data: { resultType: 'matrix', result: [
    series({ name: 'shop-api-1', container_label_com_docker_compose_service: 'api' }, (i) => 180 + (i % 20)),
    series({ name: 'shop-db' }, (i) => 300 + (i % 50)),
  ] },
});
const evidenceFile = (oomAt: string | null): Evidence => ({
  format: 'headroom-evidence', version: 1, source: 'observe', collectedAt: '2026-12-02T05:30:00Z', durationSeconds: 600, intervalSeconds: 5, host: null,
  services: [{ service: 'cache', containers: ['shop-cache-1'], samples: Array.from({ length: 120 }, (_, i) => [T0 + i * 5, (200 + (i % 30)) * MIB] as [number, number]), limitBytes: 256 * MIB, peakBytes: 256 * MIB, anonBytes: null, fileBytes: null, oomKills: oomAt === null ? [] : [{ at: oomAt, container: 'shop-cache-1' }], restarts: oomAt === null ? 0 : 1 }],
});

describe('--evidence', () => {
  it('plan --json: observed services with basis, observedMiB.{p50,p95,p99,peak} and oomKills', () => {
    const compose = h.file('compose.yml', COMPOSE);
    const r = cli(['plan', compose, '--evidence', h.file('prom.json', PROM), '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const db = j.services.find((s: { name: string }) => s.name === 'db');
    expect(db.basis).toBe('observed');
    expect(db.observedMiB).toMatchObject({ p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number), peak: 349, samples: 240, windowSeconds: 3585, source: 'prometheus' });
    expect(db.oomKills).toEqual([]);
    expect(j.services.find((s: { name: string }) => s.name === 'cache').basis).toBe('modelled');
    expect(j.evidence.files).toEqual([{ file: expect.stringMatching(/prom\.json$/), kind: 'prometheus' }]);
  });

  it('--percentile and --margin change the planned limit; the model\'s high still holds it up', () => {
    const compose = h.file('compose.yml', COMPOSE);
    const prom = h.file('prom.json', PROM);
    const api = (args: string[]) => JSON.parse(cli(['plan', compose, '--evidence', prom, ...args, '--json']).out).services.find((s: { name: string }) => s.name === 'api');
    const peak = api([]);
    const p50 = api(['--percentile', 'p50', '--margin', '1.5']);
    expect(peak.observedLimit).toMatchObject({ percentile: 'peak', margin: 1.15 });
    expect(p50.observedLimit).toMatchObject({ percentile: 'p50', margin: 1.5 });
    expect(p50.observedLimitMiB).toBeGreaterThanOrEqual(p50.usageMiB.high);
    const bad = cli(['plan', compose, '--evidence', prom, '--percentile', 'p42']);
    expect([bad.code, bad.err]).toEqual([2, 'error: --percentile: expected one of p50, p95, p99, peak (peak is krr\'s max), got "p42"\n']);
  });

  it('check: an OOM kill in the evidence is critical, with its time (exit 1)', () => {
    const compose = h.file('compose.yml', COMPOSE);
    const ok = cli(['check', compose, '--evidence', h.file('quiet.json', JSON.stringify(evidenceFile(null)))]);
    const killed = cli(['check', compose, '--evidence', h.file('oom.json', JSON.stringify(evidenceFile('2026-12-02T05:21:13Z')))]);
    expect(killed.out).toMatch(/✖ critical cache: killed for memory \(OOM\) · observed/);
    expect(killed.out).toMatch(/cache was OOM-killed once at its 256 MiB limit: at 2026-12-02 05:21:13 UTC \(shop-cache-1\)/);
    expect(killed.out).toMatch(/^SERVICE\s+LIMIT\s+MODEL LOW–HIGH\s+SEEN P50 \/ P95 \/ P99\s+PEAK\s+OOM\s+PLANNED LIMIT$/m);
    expect(killed.code).toBe(1);
    expect(ok.out).not.toMatch(/observed-oom-kill/);
  });

  it('free -m replaces the nominal host size; capacity and fit take evidence too', () => {
    const compose = h.file('compose.yml', COMPOSE);
    const free = h.file('free.txt', '               total        used        free      shared  buff/cache   available\nMem:            3736        1210         302          28        2223        2270\nSwap:              0           0           0\n');
    const plan = JSON.parse(cli(['plan', compose, '--evidence', free, '--json']).out);
    expect(plan.host.ramMiB).toBe(3736);
    const cap = cli(['capacity', compose, '--evidence', free, '--evidence', h.file('prom.json', PROM)]);
    expect(cap.err).toBe('');
    expect(cap.out).toMatch(/evidence: .*free\.txt \(free\), .*prom\.json \(prometheus\); limits from peak × 1\.15/);
    expect(cap.out).toMatch(/host RAM 4GiB → 3.65 GiB \(free -m\)/);
    const fit = cli(['fit', compose, '--evidence', h.file('prom.json', PROM), '--json']);
    expect([0, 1]).toContain(fit.code);
    expect(JSON.parse(fit.out).evidence.applied.services.map((s: { service: string }) => s.service)).toEqual(['api', 'db']);
  });

  it.each([
    ['truncated JSON', () => h.file('trunc.json', PROM.slice(0, 300)), /^error: --evidence .*trunc\.json: line 1, column \d+: expected JSON: the text ends too early \(truncated\?\)$/m],
    ['a wrong resultType', () => h.file('vector.json', JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } })), /^error: --evidence .*vector\.json \(prometheus\): data\.resultType: expected "matrix" \(a range query, \/api\/v1\/query_range\); got "vector"/m],
    ['unknown containers', () => h.file('other.json', PROM.replaceAll('shop-db', 'blog-web-1')), /^error: --evidence .*other\.json \(prometheus\): \(containers\): unknown container blog-web-1: expected containers of the plan's services \(api, db, cache\)/m],
    ['a 100 MB file', () => {
      const path = join(h.dir, 'huge.json');
      writeFileSync(path, '');
      truncateSync(path, 100 * 1024 * 1024); // sparse: no disk used
      return path;
    }, /^error: --evidence .*huge\.json: expected at most 32 MiB of evidence, got 100\.0 MiB; query a shorter range or a larger step, or keep only this stack's containers$/m],
    ['a missing file', () => join(h.dir, 'nope.json'), /^error: --evidence .*nope\.json: cannot read it: no such file$/m],
  ])('%s: a clear error (exit 2), the plan file left as it was', (_, make, message) => {
    const planPath = h.file('plan-file.yml', stringify({ host: { ram: '4GiB' }, services: [{ name: 'api', kind: 'fastapi', limit: '512MiB' }, { name: 'db', kind: 'postgres', limit: '1600MiB' }, { name: 'cache', kind: 'redis', limit: '256MiB' }] }));
    const before = readFileSync(planPath, 'utf8');
    for (const command of ['plan', 'check', 'capacity', 'fit']) {
      const r = cli([command, planPath, '--evidence', make()]);
      expect(r.code, command).toBe(2);
      expect(r.err, command).toMatch(message);
      expect(r.out, command).toBe('');
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(readFileSync(planPath, 'utf8')).toBe(before);
  });

  it('the cap is the input policy\'s (INPUT_LIMITS.maxEvidenceBytes), also for stdin, which has no size to read first', () => {
    const planPath = h.file('plan-stdin.yml', stringify({ host: { ram: '4GiB' }, services: [{ name: 'api', kind: 'fastapi', limit: '512MiB' }] }));
    const r = cli(['plan', planPath, '--evidence', '-'], { input: ' '.repeat(32 * MIB + 1) });
    expect(r.code).toBe(2);
    expect(r.err).toBe("error: --evidence stdin: expected at most 32 MiB of evidence, got more; query a shorter range or a larger step, or keep only this stack's containers\n");
    // Exactly at the cap it is read (and refused for what it is, not for its size).
    const at = cli(['plan', planPath, '--evidence', '-'], { input: ' '.repeat(32 * MIB) });
    expect(at.code).toBe(2);
    expect(at.err).not.toMatch(/expected at most/);
  });

  it('a cgroup folder\'s file over the side-file cap (1 MiB) is refused by name', () => {
    const dir = join(h.dir, 'cgroups');
    mkdirSync(join(dir, 'shop-db'), { recursive: true });
    writeFileSync(join(dir, 'shop-db', 'memory.current'), '1'.repeat(MIB + 1));
    const planPath = h.file('plan-cg.yml', stringify({ host: { ram: '4GiB' }, services: [{ name: 'db', kind: 'postgres', limit: '1600MiB' }] }));
    const r = cli(['plan', planPath, '--evidence', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --evidence .*cgroups\/shop-db\/memory\.current: expected at most 1 MiB of text in a file the input names, got 1\.0 MiB; is this the right file\?$/m);
  });
});
