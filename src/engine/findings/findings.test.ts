import { describe, expect, it } from 'vitest';
import { evaluate } from '../evaluate.ts';
import { applyChange } from '../change.ts';
import { planParse, type PlanInput } from '../schema.ts';
import { presetGet } from '../presets.ts';

const base = (): PlanInput => presetGet('4gb');
const svc = (p: PlanInput, name: string) => p.services.find((s) => s.name === name)!;
const settings = (p: PlanInput, name: string) => (svc(p, name).settings ??= {}) as Record<string, unknown>;

function findingsOf(input: PlanInput) {
  const r = planParse(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return evaluate(r.plan).findings;
}

/** [id, service, a plan that raises it, a plan that does not]. */
const CASES: Array<[string, string | null, (p: PlanInput) => void, (p: PlanInput) => void]> = [
  ['usage-over-limit', 'grafana', () => {}, (p) => { svc(p, 'grafana').limit = '256MiB'; }],
  ['spike-over-limit', 'fastapi', (p) => { svc(p, 'fastapi').limit = '560MiB'; }, (p) => { svc(p, 'fastapi').limit = '1GiB'; }],
  ['no-limit', 'grafana', (p) => { delete svc(p, 'grafana').limit; }, () => {}],
  ['limit-below-docker-minimum', 'grafana', (p) => { svc(p, 'grafana').limit = '4MiB'; }, () => {}],
  ['limits-exceed-ram', null, (p) => { p.host.ram = '2GiB'; }, () => {}],
  ['host-oom', null, (p) => { p.host.ram = '2GiB'; }, () => {}],
  ['free-below-criterion', null, (p) => { p.host.ram = '2.5GiB'; }, () => {}],
  ['redis-fork-headroom', 'redis', () => {}, (p) => { settings(p, 'redis').maxmemory = '100MiB'; }],
  ['redis-maxmemory-headroom', 'redis', (p) => { settings(p, 'redis').persistence = 'none'; }, (p) => { settings(p, 'redis').persistence = 'none'; settings(p, 'redis').maxmemory = '180MiB'; }],
  ['redis-no-maxmemory', 'redis', (p) => { settings(p, 'redis').maxmemory = 0; }, () => {}],
  ['redis-noeviction-cache', 'redis', (p) => { p.features = { semanticCache: true }; settings(p, 'redis').policy = 'noeviction'; }, (p) => { p.features = { semanticCache: true }; }],
  ['redis-volatile-policy', 'redis', (p) => { settings(p, 'redis').policy = 'volatile-lru'; }, () => {}],
  ['app-connections-exceed-max-connections', 'postgres', (p) => { settings(p, 'fastapi').workers = 4; }, () => {}],
  ['app-connections-exceed-max-client-conn', 'pgbouncer', (p) => { p.features = { pgbouncer: true }; settings(p, 'fastapi').maxOverflow = 40; }, (p) => { p.features = { pgbouncer: true }; }],
  ['connections-near-max', 'postgres', () => {}, (p) => { settings(p, 'postgres').maxConnections = 60; }],
  ['pgbouncer-pools-exceed-max-connections', 'pgbouncer', (p) => { p.services.push({ name: 'pgbouncer', kind: 'pgbouncer', limit: '20MiB', settings: { defaultPoolSize: 60, poolMode: 'transaction' } }); }, (p) => { p.features = { pgbouncer: true }; }],
  ['pgbouncer-session-mode', 'pgbouncer', (p) => { p.services.push({ name: 'pgbouncer', kind: 'pgbouncer', limit: '20MiB' }); }, (p) => { p.features = { pgbouncer: true }; }],
  ['pgbouncer-without-postgres', 'pgbouncer', (p) => { p.services = p.services.filter((s) => s.kind !== 'postgres'); p.features = { pgbouncer: true }; }, (p) => { p.features = { pgbouncer: true }; }],
  ['postgres-shm-size', 'postgres', () => {}, (p) => { settings(p, 'postgres').shmSize = '256MiB'; }],
  ['postgres-shared-buffers-large', 'postgres', (p) => { settings(p, 'postgres').sharedBuffers = '400MiB'; }, () => {}],
  ['postgres-work-mem-worst-case', 'postgres', () => {}, (p) => { settings(p, 'postgres').workMem = '1MiB'; }],
  ['alerts-nowhere', 'prometheus', () => {}, (p) => { p.features = { alertmanager: true }; }],
  ['alerts-blind', 'prometheus', () => {}, (p) => { p.features = { exporters: true }; }],
  ['service-down-blind', null, (p) => { p.features = { exporters: true, pgbouncer: true }; }, (p) => { p.features = { exporters: true }; }],
  ['no-monitoring', null, (p) => { p.services = p.services.filter((s) => s.kind !== 'prometheus'); }, () => {}],
  ['generic-usage-assumed', 'sidecar', (p) => { p.services.push({ name: 'sidecar', kind: 'generic', limit: '256MiB' }); }, (p) => { p.services.push({ name: 'sidecar', kind: 'generic', limit: '256MiB', settings: { usage: { low: 1, typical: 2, high: 3 } } }); }],
  ['single-host', null, () => {}, (p) => { p.services = []; p.features = {}; }],
];

describe.each(CASES)('finding %s', (id, service, raise, clear) => {
  it(`is raised${service ? ` on ${service}` : ' on the host'} with numbers and a fix`, () => {
    const p = base();
    raise(p);
    const f = findingsOf(p).find((x) => x.id === id && x.service === service);
    expect(f, `expected ${id}`).toBeDefined();
    expect(f!.service).toBe(service);
    expect(f!.message.length).toBeGreaterThan(20);
    expect(f!.fix.summary.length).toBeGreaterThan(10);
    expect(['info', 'warning', 'critical']).toContain(f!.severity);
  });

  it('is not raised when the plan is right', () => {
    const p = base();
    clear(p);
    if (id === 'single-host') return expect(findingsOf(p).some((x) => x.id === id)).toBe(true); // always true of one host
    expect(findingsOf(p).filter((x) => x.id === id && x.service === service)).toEqual([]);
  });
});

describe('fixes', () => {
  // Fixes that are one setting change must clear their own finding when applied.
  it.each(CASES.filter(([id]) => !['host-oom', 'limits-exceed-ram', 'free-below-criterion', 'limit-below-docker-minimum'].includes(id)))('applying the fix of %s clears it', (id, service, raise) => {
    const p = base();
    raise(p);
    const f = findingsOf(p).find((x) => x.id === id && x.service === service);
    if (!f || f.fix.changes.length === 0) return;
    const fixed = f.fix.changes.reduce(applyChange, p);
    expect(findingsOf(fixed).filter((x) => x.id === id && x.service === service)).toEqual([]);
  });

  it.each(['host-oom', 'limits-exceed-ram', 'free-below-criterion'])('%s proposes a bigger host that clears it', (id) => {
    const p = base();
    p.host.ram = '2GiB';
    const f = findingsOf(p).find((x) => x.id === id)!;
    expect(f.fix.changes[0]).toMatchObject({ key: 'host.ram' });
    const fixed = applyChange(p, f.fix.changes[0]!);
    expect(findingsOf(fixed).some((x) => x.id === id)).toBe(false);
  });

  it('applying a change to a toggle-implied service writes that service into the plan', () => {
    const p = base();
    p.features = { pgbouncer: true };
    const fixed = applyChange(p, { service: 'pgbouncer', key: 'settings.defaultPoolSize', value: 10 });
    expect(fixed.services.find((s) => s.name === 'pgbouncer')).toMatchObject({ kind: 'pgbouncer', settings: { defaultPoolSize: 10, poolMode: 'transaction' } });
    expect(p.services.some((s) => s.name === 'pgbouncer')).toBe(false); // the input is untouched
  });
});

describe('the seed (4gb preset)', () => {
  const ids = () => findingsOf(base()).map((f) => `${f.severity} ${f.id}${f.service ? ` ${f.service}` : ''}`);
  it('catches the Redis fork mistake, the connection criterion, missing shm_size and unrouted alerts', () => {
    expect(ids()).toEqual(expect.arrayContaining([
      'critical redis-fork-headroom redis', 'warning connections-near-max postgres', 'warning postgres-shm-size postgres', 'warning alerts-nowhere prometheus', 'info single-host',
    ]));
  });
  it('lists the most severe first', () => {
    const order = findingsOf(base()).map((f) => ({ critical: 0, warning: 1, info: 2 })[f.severity]);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
