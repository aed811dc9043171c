/** `check` and `plan` on compose files, through the bundled CLI (built to its own folder). */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cliHarness, type CliOptions } from './testing.ts';
import { planToText } from '../formats/plan-file.ts';
import { presetGet } from '../engine/presets.ts';

const h = cliHarness('check');
const dir = h.dir;
const CORPUS = 'src/formats/compose-import/corpus';
const cli = (args: string[], opts: CliOptions = {}) => h.run(args, { ...opts, env: opts.env ?? {} });
const file = h.file;

beforeAll(() => h.build());

const FITS = stringify({
  services: {
    api: { image: 'acme/api:1', command: 'uvicorn app:app --workers 2', mem_limit: '512m' },
    db: { image: 'postgres:16', command: 'postgres -c shared_buffers=256MB -c max_connections=60 -c max_parallel_workers_per_gather=0', mem_limit: '1600m' },
    cache: { image: 'redis:7', command: 'redis-server --maxmemory 96mb --maxmemory-policy allkeys-lru --save ""', mem_limit: '256m' },
  },
});

describe('headroom check', () => {
  it('fails the seed\'s compose file (exit 1) and says why, with the findings as plan prints them', () => {
    const r = cli(['check', join(CORPUS, '02-seed-4gb.yml')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/imported from compose:\nSERVICE\s+KIND\s+LIMIT\s+WHY/);
    expect(r.out).toMatch(/redis\s+redis\s+300MiB\s+image redis:7-alpine is Redis/);
    expect(r.out).toMatch(/✖ critical redis: no room to fork for a snapshot · modelled\n.*\n {4}fix: Set redis maxmemory to 104 MiB.*\n {9}in .*02-seed-4gb\.yml line 27: services\.redis\.command: … --maxmemory 256mb … → … --maxmemory 104mb …\n/);
    // A compose file's user has no plan file: the fixes are said in the compose file's keys.
    expect(r.out).not.toMatch(/plan file/);
    expect(r.out).toMatch(/\nto write them: headroom fit .*02-seed-4gb\.yml --out DIR writes into DIR a copy of /);
    expect(r.out).toMatch(/\nFAIL: \d+ critical findings?: .*redis: no room to fork for a snapshot/);
    expect(r.err).toBe('');
  });

  it('passes a stack that fits with no critical finding (exit 0)', () => {
    const r = cli(['check', file('fits.yml', FITS)]);
    expect(r.out).toMatch(/PASS: the stack fits 4 GiB/);
    expect(r.code).toBe(0);
  });

  it('--host: the same stack fails a host too small for its limits', () => {
    const r = cli(['check', file('fits.yml', FITS), '--host', '2GiB']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL: limits 2.31 GiB \+ reserve \d+ MiB = [\d.]+ GiB > 2 GiB of RAM/);
  });

  it('--json: the engine report, the verdict and the import notes', () => {
    const r = cli(['check', join(CORPUS, '02-seed-4gb.yml'), '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.host.ramMiB).toBe(4096);
    expect(j.services.map((s: { name: string }) => s.name)).toEqual(['fastapi', 'postgres', 'redis', 'prometheus', 'grafana']);
    expect(j.check).toMatchObject({ pass: false, fits: true, critical: expect.arrayContaining(['redis-fork-headroom [redis]']) });
    expect(j.import.services[0]).toMatchObject({ service: 'fastapi', kind: 'fastapi', limit: '500MiB', why: expect.stringContaining('uvicorn') });
  });

  it('checks a plan file too, and --host overrides its host.ram', () => {
    const plan = file('plan.yaml', planToText(presetGet('8gb')));
    expect(cli(['check', plan]).code).toBe(0);
    const small = cli(['check', plan, '--host', '4GiB', '--json']);
    expect(small.code).toBe(1);
    expect(JSON.parse(small.out).check.fits).toBe(false);
  });

  it.each([
    ['broken YAML', 'services:\n  a: [\n', /line \d+, column \d+/],
    ['a YAML file that is not a compose file', 'apiVersion: v1\nkind: Pod\n', /not a compose file: no top-level services: mapping.*\n.*nor is it a Headroom plan file/],
    ['a bad size', 'services:\n  db:\n    image: postgres\n    mem_limit: 1.5Q\n', /services\.db\.mem_limit \(line 4, column 16\): expected a size like 512m/],
    ['a required variable', 'services:\n  db:\n    image: "${IMG:?set IMG in .env}"\n', /variable IMG is required: set IMG in \.env/],
    ['limits that disagree', 'services:\n  a:\n    image: x\n    mem_limit: 1g\n    deploy: {resources: {limits: {memory: 2g}}}\n', /disagree/],
  ])('exits 2 on %s, one line per problem, no stack trace', (_label, text, pattern) => {
    const r = cli(['check', file('bad.yml', text)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
    expect(r.err).not.toMatch(/\n\s+at |TypeError|internal error/);
    expect(r.out).toBe('');
  });

  it.each([
    [['check'], /check needs a compose file/],
    [['check', 'a.yml', 'b.yml'], /cannot read a\.yml: no such file\nerror: cannot read b\.yml: no such file/],
    [['check', '-', '-'], /only one file can be read from stdin/],
    [['check', 'no-such.yml'], /cannot read no-such.yml: no such file/],
    [['check', join(CORPUS, '02-seed-4gb.yml'), '--host', '4X'], /--host: unknown size unit/],
    [['check', join(CORPUS, '02-seed-4gb.yml'), '--host', '10m'], /--host: expected a host of at least 64 MiB/],
  ])('exits 2 on %j', (args, pattern) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
  });

  it('--stats reads under the evidence cap (32 MiB), not the plan cap (4 MiB): a streamed docker stats of 5 MiB is read', () => {
    const snapshot = 'CONTAINER         MEM USAGE / LIMIT     MEM %\nfastapi-backend   312.5MiB / 500MiB     62.50%\nredis-cache       201.7MiB / 300MiB     67.23%\n';
    const big = file('big-stats.txt', snapshot.repeat(Math.ceil((5 * 1024 * 1024) / snapshot.length)));
    const r = cli(['check', join(CORPUS, '02-seed-4gb.yml'), '--stats', big]);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/observed \(docker stats\) beside the model:\n.*\nfastapi\s+500 MiB\s+\d+ MiB \/ \d+ MiB\s+313 MiB \/ 313 MiB/);
  });

  it('--stats: observed usage beside the model, matched through container_name, planned with krr\'s margin', () => {
    const stats = file('stats.txt', 'CONTAINER         MEM USAGE / LIMIT     MEM %\nfastapi-backend   312.5MiB / 500MiB     62.50%\nredis-cache       201.7MiB / 300MiB     67.23%\nprometheus        197.4MiB / 200MiB     98.70%\n9f8e7d6c5b4a      12MiB / 1GiB          1.17%\n');
    const r = cli(['check', join(CORPUS, '02-seed-4gb.yml'), '--stats', stats]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/observed \(docker stats\) beside the model:\nSERVICE\s+LIMIT\s+MODEL TYP\/HIGH\s+SEEN TYP\/PEAK\s+PLANNED LIMIT\nfastapi\s+500 MiB\s+\d+ MiB \/ (\d+) MiB\s+313 MiB \/ 313 MiB\s+(\d+) MiB/);
    // Planned: peak × 1.15 = 359 MiB, never below the model's high (issue 12).
    const [, high, planned] = /fastapi\s+500 MiB\s+\d+ MiB \/ (\d+) MiB\s+313 MiB \/ 313 MiB\s+(\d+) MiB/.exec(r.out)!;
    expect(Number(planned)).toBe(Math.max(359, Number(high)));
    expect(r.out).toMatch(/note: no service for container 9f8e7d6c5b4a/);
    expect(r.out).toMatch(/note: no stats for postgres, grafana/);
    expect(r.out).toMatch(/prometheus: seen near its limit · observed\n.*99% of its 200 MiB limit/);
    const j = JSON.parse(cli(['check', join(CORPUS, '02-seed-4gb.yml'), '--stats', stats, '--json']).out);
    expect(j.services.find((s: { name: string }) => s.name === 'redis').observedMiB).toMatchObject({ typical: 201.7, p50: 201.7, peak: 201.7 });
    expect(j.stats.missing).toEqual(['postgres', 'grafana']);
    const badStats = cli(['check', join(CORPUS, '02-seed-4gb.yml'), '--stats', file('bad-stats.txt', 'nothing here\n')]);
    expect(badStats.code).toBe(2);
    expect(badStats.err).toMatch(/--stats .*bad-stats.txt: line 1: expected a container and its MEM USAGE/);
  });

  it('reads stdin', () => {
    const r = cli(['check', '-', '--json'], { input: FITS });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).import.services).toHaveLength(3);
  });
});

describe('headroom export with a compose file', () => {
  it('writes the user\'s compose file back edited: only memory lines change, comments stay', () => {
    const src = file('stack.yml', '# our stack\nservices:\n  cache:   # the cache\n    image: redis:7\n    command: redis-server --maxmemory 256mb   # keep\n    mem_limit: 300m\n  db:\n    image: postgres:16\n    mem_limit: 1g\n  api:\n    image: python:3.12-slim\n    command: uvicorn app:app --workers 2\n    mem_limit: 512m\n');
    const out = join(dir, 'export-out');
    const r = cli(['export', src, '--tuned', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/stack\.yml with the plan's memory settings \(\d+ changes?; every other key and comment kept\)/);
    // The user's own maxmemory is kept (never lowered); PostgreSQL's defaults are tuned for the app's pool.
    expect(r.out).toMatch(/changed services\.db\.command/);
    expect(r.out).toMatch(/cache: maxmemory kept at 256 MiB/);
    // The user's own file has no secrets to create: the next step says what their file does.
    expect(r.out).not.toMatch(/secrets/);
    expect(r.out).toMatch(/next: review the changes above/);
    const written = readFileSync(join(out, r.out.match(/^ {2}(docker-compose[^ ]*\.yml)/m)![1]!), 'utf8');
    expect(written).toMatch(/^# our stack\nservices:\n {2}cache: {3}# the cache\n {4}image: redis:7\n {4}command: redis-server --maxmemory \d+mb {3}# keep\n {4}mem_limit: 300m\n {2}db:\n {4}image: postgres:16\n/);
  });
});

describe('headroom plan with a compose file', () => {
  it('prints the same JSON report as for the equivalent plan file', () => {
    const compose = cli(['plan', join(CORPUS, '02-seed-4gb.yml'), '--json']);
    expect(compose.code).toBe(0);
    const j = JSON.parse(compose.out);
    expect(j.check).toBeUndefined();
    const checked = JSON.parse(cli(['check', join(CORPUS, '02-seed-4gb.yml'), '--json']).out);
    delete checked.check;
    delete checked.import;
    delete checked.stats;
    expect(j).toEqual(checked);
  });

  it('--host sets the RAM; the default is 4GiB', () => {
    expect(JSON.parse(cli(['plan', join(CORPUS, '03-selfhosted-app.yml'), '--json']).out).host.ramMiB).toBe(4096);
    expect(JSON.parse(cli(['plan', join(CORPUS, '03-selfhosted-app.yml'), '--json', '--host', '8g']).out).host.ramMiB).toBe(8192);
  });

  it('reads .env beside the compose file, the shell environment over it, and bind-mounted configs', () => {
    const d = join(dir, 'proj');
    mkdirSync(join(d, 'conf'), { recursive: true });
    writeFileSync(join(d, '.env'), 'CACHE_MEM=300m\nDB_MEM=1g\n');
    writeFileSync(join(d, 'conf', 'redis.conf'), 'maxmemory 100mb\nsave ""\n');
    writeFileSync(join(d, 'docker-compose.yml'), stringify({ services: {
      cache: { image: 'redis:7', command: 'redis-server /etc/redis.conf', volumes: ['./conf/redis.conf:/etc/redis.conf:ro'], mem_limit: '${CACHE_MEM}' },
      db: { image: 'postgres:16', mem_limit: '${DB_MEM}' },
    } }));
    const r = cli(['plan', join(d, 'docker-compose.yml'), '--json'], { env: { DB_MEM: '2g' } });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.services.map((s: { limitMiB: number }) => s.limitMiB)).toEqual([300, 2048]);
    expect(j.findings.some((f: { id: string; service: string }) => f.id === 'redis-no-maxmemory')).toBe(false);
  });

  it('a 3 MB compose file is planned; a 10 MB one is refused at the input cap, not crashed on', () => {
    // Under the input policy's 4 MiB cap (src/formats/input-limits.ts): 30,000 labels, planned.
    const labels = Array.from({ length: 30_000 }, (_, i) => `com.example.label-${i}=${'v'.repeat(80)}`);
    const mid = file('mid.yml', stringify({ services: { db: { image: 'postgres:16', mem_limit: '1g', labels }, cache: { image: 'redis:7', mem_limit: '256m' } } }));
    expect(readFileSync(mid).length).toBeGreaterThan(3_000_000);
    const t0 = Date.now();
    const r = cli(['check', mid, '--json']);
    const seconds = (Date.now() - t0) / 1000;
    expect([0, 1, 3]).toContain(r.code);
    expect(JSON.parse(r.out).import.services).toHaveLength(2);
    expect(seconds).toBeLessThan(30);

    // Over it: exit 2, one line naming the file, the cap and the size; nothing on stdout.
    const bigLabels = Array.from({ length: 100_000 }, (_, i) => `com.example.label-${i}=${'v'.repeat(80)}`);
    const big = file('big.yml', stringify({ 'x-labels': bigLabels, services: { db: { image: 'postgres:16', mem_limit: '1g', labels: bigLabels } } }));
    expect(readFileSync(big).length).toBeGreaterThan(10_000_000);
    const b = cli(['check', big, '--json']);
    expect(b.code).toBe(2);
    expect(b.out).toBe('');
    expect(b.err.trim()).toMatch(/^error: .*big\.yml: expected at most 4 MiB of text, got 10\.\d MiB/);
    expect(b.err).not.toMatch(/\n\s+at /);

    const many = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`svc-${i}`, { image: 'redis:7', mem_limit: '128m' }]));
    const huge = file('many.yml', stringify({ services: many }));
    const m = cli(['check', huge]);
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/expected at most 2000 services \(the plan's limit\), got 5000/);
  }, 120_000); // two large files through the CLI: generous for a busy CI machine
});

describe('headroom check with several files (as a pre-commit hook passes them)', () => {
  it('checks each in turn; the exit code is the worst: bad input over fail over pass', () => {
    const fits = file('fits.yml', FITS);
    const seed = join(CORPUS, '02-seed-4gb.yml');
    const both = cli(['check', fits, seed]);
    expect(both.code).toBe(1);
    expect(both.out.match(/^(PASS|FAIL):/gm)).toEqual(['PASS:', 'FAIL:']);
    expect(both.out).toMatch(/PASS: the stack fits 4 GiB with no critical finding\n\nHeadroom check: /);
    const withBad = cli(['check', seed, 'missing.yml', fits]);
    expect(withBad.code).toBe(2);
    expect(withBad.err).toBe('error: cannot read missing.yml: no such file\n');
    expect(withBad.out.match(/^(PASS|FAIL):/gm)).toEqual(['FAIL:', 'PASS:']);
    const md = cli(['check', fits, seed, '--format', 'markdown']);
    expect(md.out.match(/^### .* Headroom check: (PASS|FAIL)$/gm)).toHaveLength(2);
  });

  it.each([['json'], ['sarif'], ['junit']])('--format %s takes one file', (format) => {
    const r = cli(['check', file('fits.yml', FITS), join(CORPUS, '02-seed-4gb.yml'), '--format', format]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`--format ${format} writes one file's report: run check once per file \\(got 2 files\\)`));
  });
});
