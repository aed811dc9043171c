import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planParse, planParserWith, planMigrate, pathFormat, serviceParse, type ServiceParsed } from './schema.ts';
import { arbitraryPlan } from './arbitrary.ts';
import { PRESET_NAMES, presetGet } from './presets.ts';
import { APP_DEFAULTS } from './kinds/fastapi.ts';
import { POSTGRES_DEFAULTS } from './kinds/postgres/settings.ts';

const minimal = { host: { ram: '4GiB' }, services: [{ name: 'db', kind: 'postgres', limit: '800m' }] };

describe('planParse', () => {
  it.each(PRESET_NAMES)('accepts the %s preset', (name) => {
    expect(planParse(presetGet(name)).ok).toBe(true);
  });

  it('fills every default from the kind modules and defaults.ts', () => {
    const r = planParse({ host: { ram: 4096 }, services: [{ name: 'api', kind: 'fastapi' }, { name: 'db', kind: 'postgres', limit: 800 }] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.version).toBe(2);
    expect(r.plan.host).toEqual({ ram: 4096, reserve: 'auto', swap: 0 });
    expect(r.plan.features).toEqual({ pgbouncer: false, semanticCache: false, alertmanager: false, exporters: false });
    expect(r.plan.services[0]).toMatchObject({ limit: null, settings: { workers: APP_DEFAULTS.workers, poolSize: 5, maxOverflow: 10 } });
    expect(r.plan.services[1]).toMatchObject({ limit: 800, settings: { maxConnections: POSTGRES_DEFAULTS.maxConnections, sharedBuffers: 128 } });
  });

  it.each([
    ['unknown top-level key', { ...minimal, nodes: 1 }, 'nodes', 'unknown key'],
    ['missing host.ram', { host: {}, services: [] }, 'host.ram', 'required'],
    ['a size with an unknown unit', { ...minimal, services: [{ name: 'db', kind: 'postgres', limit: '512Q' }] }, 'services[0].limit', 'unknown size unit'],
    ['a negative size', { ...minimal, services: [{ name: 'db', kind: 'postgres', limit: '-5m' }] }, 'services[0].limit', 'expected a size'],
    ['an unknown kind', { ...minimal, services: [{ name: 'db', kind: 'oracle' }] }, 'services[0].kind', 'expected one of fastapi'],
    ['an unknown setting', { ...minimal, services: [{ name: 'db', kind: 'postgres', settings: { sharedBufers: '1g' } }] }, 'services[0].settings.sharedBufers', 'unknown setting'],
    ['a bad setting value', { ...minimal, services: [{ name: 'r', kind: 'redis', settings: { policy: 'lru' } }] }, 'services[0].settings.policy', 'allkeys-lru'],
    ['a fractional count', { ...minimal, services: [{ name: 'a', kind: 'fastapi', settings: { workers: 2.5 } }] }, 'services[0].settings.workers', 'whole number'],
    ['a hostile name', { ...minimal, services: [{ name: 'db\nevil: 1', kind: 'postgres' }] }, 'services[0].name', 'compose rule'],
    ['a duplicate name', { ...minimal, services: [{ name: 'db', kind: 'postgres' }, { name: 'DB', kind: 'redis' }] }, 'services[1].name', 'duplicate'],
    ['a future version', { ...minimal, version: 9 }, 'version', 'expected version 2'],
    ['a spike below 1', { ...minimal, workload: { spike: 0.5 } }, 'workload.spike', 'multiplier'],
  ])('refuses %s with its path and what was expected', (_label, doc, path, message) => {
    const r = planParse(doc);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('reports every problem, not just the first', () => {
    const r = planParse({ host: { ram: 'x' }, services: [{ name: 'a', kind: 'nope' }, { name: 'b', kind: 'redis', limit: '-1' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['host.ram', 'services[0].kind', 'services[1].limit']));
  });

  it.each([null, 42, 'text', []])('refuses a document that is not a mapping: %j', (doc) => {
    expect(planParse(doc)).toEqual({ ok: false, issues: [{ path: '(plan)', message: expect.stringContaining('mapping') }] });
  });
});

describe('migrations', () => {
  it('upgrades an unversioned plan to the current version (2)', () => {
    expect(planMigrate({ host: { ram: 1 } })).toEqual({ host: { ram: 1 }, version: 2 });
  });
  it('upgrades a v1 plan to v2 unchanged otherwise (hosts: came in v2)', () => {
    expect(planMigrate({ version: 1, host: { ram: 1 } })).toEqual({ host: { ram: 1 }, version: 2 });
  });
  it('leaves a current plan alone', () => {
    const doc = { version: 2, host: { ram: 1 } };
    expect(planMigrate(doc)).toEqual(doc);
  });
});

describe('pathFormat', () => {
  it.each([[['services', 2, 'limit'], 'services[2].limit'], [['host', 'ram'], 'host.ram'], [[], '(plan)']] as const)('%j → %s', (path, text) => {
    expect(pathFormat(path)).toBe(text);
  });
});

describe('messages', () => {
  it.each([
    [{ host: 'x', services: [] }, 'host', 'expected a mapping'],
    [{ host: { ram: '4g' }, services: [null] }, 'services[0]', 'expected a mapping'],
    [{ host: { ram: '4g' }, features: { pgbouncer: 'yes' }, services: [] }, 'features.pgbouncer', 'expected true or false'],
    [{ host: { ram: '4g', reserve: true }, services: [] }, 'host.reserve', 'expected auto or a size'],
  ])('%j: %s says %s', (doc, path, message) => {
    const r = planParse(doc);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('never answers with a bare "Invalid input" (fast-check over junk documents, seeded)', () => {
    const junk = fc.anything({ maxDepth: 3 });
    fc.assert(fc.property(junk, junk, junk, (host, services, extra) => {
      for (const doc of [{ host, services }, { host: { ram: '4g' }, services: [{ name: 'a', kind: 'redis', settings: extra }] }, { host: { ram: '4g' }, workload: extra, features: extra, services: [] }]) {
        const r = planParse(doc);
        if (!r.ok) for (const i of r.issues) expect(i.message).not.toMatch(/^Invalid input/);
      }
    }), { numRuns: 300, seed: 42 });
  });
});

describe('values the real servers accept (issue 17)', () => {
  const issuesOf = (service: unknown) => {
    const r = planParse({ host: { ram: '4GiB' }, services: [service] });
    return r.ok ? [] : r.issues.map((i) => i.path);
  };
  it('refuses a limit of 0 (Docker reads it as no limit), PostgreSQL sizes it refuses, a sub-millisecond scrape interval', () => {
    expect(issuesOf({ name: 'db', kind: 'postgres', limit: 0 })).toEqual(['services[0].limit']);
    expect(issuesOf({ name: 'db', kind: 'postgres', settings: { sharedBuffers: 0, workMem: 0, maintenanceWorkMem: '512kB', maxConnections: 262143 } }).sort()).toEqual(
      ['services[0].settings.maintenanceWorkMem', 'services[0].settings.maxConnections', 'services[0].settings.sharedBuffers', 'services[0].settings.workMem'],
    );
    expect(issuesOf({ name: 'db', kind: 'postgres', settings: { sharedBuffers: '64TiB' } })).toEqual(['services[0].settings.sharedBuffers']);
    expect(issuesOf({ name: 'p', kind: 'prometheus', settings: { scrapeInterval: 1e-7 } })).toEqual(['services[0].settings.scrapeInterval']);
  });
  it('accepts the servers\' own least values', () => {
    expect(issuesOf({ name: 'db', kind: 'postgres', settings: { sharedBuffers: '128KiB', workMem: '64KiB', maintenanceWorkMem: '1MiB', maxConnections: 262121 } })).toEqual([]);
    expect(issuesOf({ name: 'p', kind: 'prometheus', settings: { scrapeInterval: 0.001 } })).toEqual([]);
  });
});

describe('planParserWith (the page parses each service once: app/derive/engine.ts)', () => {
  /** serviceParse, once per object, counting the parses it did. */
  const memo = () => {
    const seen = new Map<unknown, ServiceParsed>();
    const services = (input: unknown) => {
      if (!seen.has(input)) seen.set(input, serviceParse(input));
      return seen.get(input)!;
    };
    return { services, parses: () => seen.size };
  };

  it('gives what planParse gives, for valid plans and for junk (fast-check, seeded)', () => {
    const junk = fc.anything({ maxDepth: 3 });
    const parse = planParserWith(memo().services);
    fc.assert(fc.property(arbitraryPlan(), junk, fc.nat(), (plan, bad, pick) => {
      expect(parse(plan)).toEqual(planParse(plan));
      // One entry spoilt (a bad setting, a bad limit, not a service at all), and two services of one name.
      const i = pick % plan.services.length;
      const spoilt = (entry: unknown) => ({ ...plan, services: plan.services.map((s, j) => (j === i ? entry : s)) });
      for (const doc of [spoilt({ ...plan.services[i], settings: { ...plan.services[i]!.settings, bogus: bad } }), spoilt({ ...plan.services[i], limit: bad }), spoilt(bad), { ...plan, services: [...plan.services, { ...plan.services[i]! }] }, { ...plan, host: bad }]) {
        expect(parse(doc)).toEqual(planParse(doc));
      }
    }), { numRuns: 150, seed: 16 });
  });

  it('parses only the service an edit replaced; the others keep their Service objects', () => {
    const m = memo();
    const parse = planParserWith(m.services);
    const plan = presetGet('4gb');
    const first = parse(plan);
    expect(m.parses()).toBe(plan.services.length);
    const edited = { ...plan, services: plan.services.map((s, j) => (j === 1 ? { ...s, limit: '900MiB' } : s)) };
    const second = parse(edited);
    expect(m.parses()).toBe(plan.services.length + 1);
    if (!first.ok || !second.ok) throw new Error('the preset should parse');
    expect(second.plan.services[1]!.limit).toBe(900);
    expect(second.plan.services[1]).not.toBe(first.plan.services[1]);
    for (const j of [0, 2, 3, 4]) expect(second.plan.services[j]).toBe(first.plan.services[j]);
  });
});
