import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { containerService, dockerStatsApply, dockerStatsMatch, dockerStatsParse } from './docker-stats.ts';
import { composeImport } from './compose-import/index.ts';
import { planParse } from '../engine/schema.ts';
import { evaluate } from '../engine/evaluate.ts';
import { presetGet } from '../engine/presets.ts';

/** `docker stats --no-stream` as Docker 24+ prints it (compose v2 names). */
const DEFAULT_TABLE = `CONTAINER ID   NAME                 CPU %     MEM USAGE / LIMIT     MEM %     NET I/O           BLOCK I/O         PIDS
3f4e5d6c7b8a   shop-postgres-1      0.12%     245.3MiB / 800MiB     30.66%    1.2MB / 980kB     12.3MB / 45.1MB   9
9a8b7c6d5e4f   shop-redis-1         0.30%     88.45MiB / 300MiB     29.48%    3.4MB / 2.1MB     0B / 4.1MB        5
1b2c3d4e5f60   shop-redis-exporter-1   0.01%  14.2MiB / 32MiB       44.38%    10kB / 9kB        0B / 0B           7
0a1b2c3d4e5f   shop-fastapi-1       1.05%     301MiB / 500MiB       60.20%    8.1MB / 9.9MB     1.1MB / 0B        6
0a1b2c3d4e60   shop-fastapi-2       0.95%     287.5MiB / 500MiB     57.50%    8.0MB / 9.1MB     1.0MB / 0B        6
`;

/** The seed's command: docker stats --no-stream --format "table {{.Container}}\t{{.MemUsage}}\t{{.MemPerc}}", by name. */
const SEED_FORMAT = `CONTAINER         MEM USAGE / LIMIT     MEM %
fastapi-backend   312.5MiB / 500MiB     62.50%
postgres          498.2MiB / 800MiB     62.28%
redis-cache       201.7MiB / 300MiB     67.23%
prometheus        187.4MiB / 200MiB     93.70%
grafana           98.66MiB / 150MiB     65.77%
`;

describe('dockerStatsParse', () => {
  it('reads the default table', () => {
    const r = dockerStatsParse(DEFAULT_TABLE);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.samples.map((s) => [s.container, s.usedMiB, s.limitMiB])).toEqual([
      ['shop-postgres-1', 245.3, 800], ['shop-redis-1', 88.45, 300], ['shop-redis-exporter-1', 14.2, 32], ['shop-fastapi-1', 301, 500], ['shop-fastapi-2', 287.5, 500],
    ]);
  });

  it('reads the seed\'s --format table, tab-separated and headerless lines, and old spaced units', () => {
    const seed = dockerStatsParse(SEED_FORMAT);
    expect(seed.ok && seed.samples.map((s) => s.container)).toEqual(['fastapi-backend', 'postgres', 'redis-cache', 'prometheus', 'grafana']);
    const tabs = dockerStatsParse('CONTAINER\tMEM USAGE / LIMIT\tMEM %\nweb\t1.5GiB / 2GiB\t75%\n');
    expect(tabs.ok && tabs.samples[0]).toMatchObject({ container: 'web', usedMiB: 1536, limitMiB: 2048 });
    const bare = dockerStatsParse('web 512MiB / 1GiB 50.00%\n');
    expect(bare.ok && bare.samples[0]).toMatchObject({ container: 'web', usedMiB: 512 });
    const old = dockerStatsParse('CONTAINER           CPU %               MEM USAGE / LIMIT     MEM %\n1285939c1fd3        0.07%               796 KiB / 64 MiB      1.21%\n');
    expect(old.ok && old.samples[0]!.usedMiB).toBeCloseTo(796 / 1024, 9);
    const decimal = dockerStatsParse('a  100MB / 1GB  10%\n');
    expect(decimal.ok && decimal.samples[0]!.usedMiB).toBeCloseTo(1e8 / 1048576, 9);
  });

  it('counts several pasted snapshots', () => {
    const r = dockerStatsParse(`${SEED_FORMAT}\n${SEED_FORMAT.replace('498.2MiB', '611MiB')}`);
    expect(r.ok && r.snapshots).toBe(2);
    expect(r.ok && r.samples).toHaveLength(10);
  });

  it.each([
    ['', /no container rows found/],
    ['hello world\n', /line 1: .*expected a container and its MEM USAGE/],
    ['CONTAINER  MEM USAGE / LIMIT\npostgres  lots / 800MiB\n', /line 2/],
  ])('refuses %j readably', (text, pattern) => {
    const r = dockerStatsParse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(`${r.issues[0]!.path}: ${r.issues[0]!.message}`).toMatch(pattern);
  });

  it('never throws on random text (fast-check, seeded)', () => {
    const token = fc.constantFrom('CONTAINER', 'MEM USAGE / LIMIT', '  ', '\t', '\n', '12MiB', ' / ', '1.5GiB', '%', 'x', 'abc123def456', '\x1b[2J');
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(token, { maxLength: 40 }).map((t) => t.join(''))), (text) => {
      const r = dockerStatsParse(text);
      if (r.ok) for (const s of r.samples) expect(Number.isFinite(s.usedMiB)).toBe(true);
      else for (const i of r.issues) expect(i.message).toMatch(/\w/);
    }), { numRuns: 300, seed: 20261127 });
  });
});

describe('matching containers to services', () => {
  const services = [{ name: 'postgres' }, { name: 'redis' }, { name: 'redis-exporter' }, { name: 'exporter' }, { name: 'fastapi', containerName: 'fastapi-backend' }];
  it.each([
    ['postgres', 'postgres'], ['shop-postgres-1', 'postgres'], ['shop_postgres_1', 'postgres'], ['shop-redis-exporter-1', 'redis-exporter'],
    ['shop-exporter-1', 'exporter'], ['fastapi-backend', 'fastapi'], ['/postgres', 'postgres'], ['postgres-old', null], ['3f4e5d6c7b8a', null],
  ])('%s → %s', (container, service) => expect(containerService(container, services)).toBe(service));

  it('takes the peak as the highest sample and the typical as the median, across replicas and snapshots', () => {
    const parsed = dockerStatsParse(DEFAULT_TABLE);
    if (!parsed.ok) throw new Error('parse');
    const m = dockerStatsMatch(parsed.samples, [{ name: 'postgres' }, { name: 'fastapi' }, { name: 'grafana' }]);
    expect(m.matched).toEqual([
      { service: 'postgres', containers: ['shop-postgres-1'], samples: 1, typicalMiB: 245.3, peakMiB: 245.3 },
      { service: 'fastapi', containers: ['shop-fastapi-1', 'shop-fastapi-2'], samples: 2, typicalMiB: 294.25, peakMiB: 301 },
    ]);
    expect(m.unmatched).toEqual(['shop-redis-1', 'shop-redis-exporter-1']);
    expect(m.missing).toEqual(['grafana']);
    expect(m.notes.join()).toMatch(/one sample per container/);
  });

  it('says why IDs cannot be matched', () => {
    const parsed = dockerStatsParse('CONTAINER      MEM USAGE / LIMIT   MEM %\n3f4e5d6c7b8a   245MiB / 800MiB     30%\n');
    if (!parsed.ok) throw new Error('parse');
    expect(dockerStatsMatch(parsed.samples, [{ name: 'postgres' }]).notes[0]).toMatch(/named only by ID.*\{\{\.Name\}\}/);
  });
});

describe('dockerStatsApply', () => {
  it('puts the seed\'s stats beside its compose plan, matched through container_name', () => {
    const compose = composeImport(readFileSync('src/formats/compose-import/corpus/02-seed-4gb.yml', 'utf8'));
    if (!compose.ok) throw new Error('import');
    const names = Object.fromEntries(compose.services.filter((s) => s.containerName).map((s) => [s.service, s.containerName!]));
    const twice = `${SEED_FORMAT}\n${SEED_FORMAT.replace('187.4MiB', '199.1MiB')}`;
    const r = dockerStatsApply(compose.input, twice, names);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.match.missing).toEqual([]);
    expect(r.input.services.map((s) => [s.name, s.observed])).toEqual([
      ['fastapi', { typical: '312.5MiB', peak: '312.5MiB' }],
      ['postgres', { typical: '498.2MiB', peak: '498.2MiB' }],
      ['redis', { typical: '201.7MiB', peak: '201.7MiB' }],
      ['prometheus', { typical: '193.25MiB', peak: '199.1MiB' }],
      ['grafana', { typical: '98.66MiB', peak: '98.66MiB' }],
    ]);
    expect(compose.input.services[0]!.observed).toBeUndefined(); // the input is not modified
    const plan = planParse(r.input);
    if (!plan.ok) throw new Error(JSON.stringify(plan.issues));
    const report = evaluate(plan.plan);
    const prom = report.services.find((s) => s.name === 'prometheus')!;
    expect(prom.observedMiB).toMatchObject({ typical: 193.25, p50: 193.25, peak: 199.1 });
    // 199.1 × 1.15 = 229 > the 200 MiB limit: plan the limit from the observation, but never
    // below the model's high for what one snapshot did not see (issue 12): 248 MiB, reason shown.
    const near = report.findings.find((f) => f.id === 'observed-near-limit' && f.service === 'prometheus')!;
    expect(prom.observedLimit!.fromObservedMiB).toBeCloseTo(228.965, 3);
    expect(prom.observedLimit!.modelHighMiB).toBeGreaterThan(229);
    expect(near.fix.changes).toEqual([{ service: 'prometheus', key: 'limit', value: '248MiB' }]);
    expect(near.fix.summary).toMatch(/the model's high .* above observed peak 199 MiB × 1\.15/);
  });

  it('works on any plan, by service name', () => {
    const r = dockerStatsApply(presetGet('4gb'), DEFAULT_TABLE);
    expect(r.ok && r.input.services.filter((s) => s.observed).map((s) => s.name)).toEqual(['fastapi', 'postgres', 'redis']);
  });
});
