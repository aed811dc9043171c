/** The runtime and proxy kinds (jvm, python, node, native, proxy): models, tuning and findings. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planOf } from '../testing.ts';
import { trafficOf } from '../traffic.ts';
import { evaluate } from '../evaluate.ts';
import { tunePlan } from '../tune.ts';
import { serviceUsage } from './index.ts';
import { jvmMaxHeap, jvmSafeHeap, tuneJvm } from './jvm.ts';
import { nodeHeapLimit, nodeOldSpace, tuneNode } from './node.ts';
import { tunePython } from './python.ts';
import { nativeHigh } from './native.ts';
import { proxyConnectionCap, proxyFullMiB, proxyWorkers } from './proxy.ts';
import type { PlanInput, ServiceKind, ServiceOf } from '../schema.ts';

type Svc = PlanInput['services'][number];

function planWith(services: Svc[], ram = '4GiB') {
  return planOf({ host: { ram }, services });
}
function usage(service: Svc, ram = '4GiB') {
  const plan = planWith([service], ram);
  const count = (k: ServiceKind) => plan.services.filter((s) => s.kind === k).length || 1;
  return serviceUsage(plan.services[0]!, { plan, traffic: trafficOf(plan, 1), countOf: count });
}
const svc = <K extends ServiceKind>(service: Svc, ram = '4GiB') => planWith([service], ram).services[0] as ServiceOf<K>;
const findingsOf = (services: Svc[], ram = '4GiB') => evaluate(planWith(services, ram)).findings;
const part = (u: ReturnType<typeof usage>, name: string) => u.components.find((c) => c.name === name)!;

describe('every runtime model: low ≤ typical ≤ high, components add up', () => {
  it.each<[string, Svc]>([
    ['jvm', { name: 'a', kind: 'jvm', limit: '1GiB' }],
    ['jvm without a limit', { name: 'a', kind: 'jvm' }],
    ['python', { name: 'a', kind: 'python' }],
    ['python celery', { name: 'a', kind: 'python', settings: { server: 'celery', processes: 4 } }],
    ['node', { name: 'a', kind: 'node', limit: '512MiB' }],
    ['native go', { name: 'a', kind: 'native' }],
    ['native rust', { name: 'a', kind: 'native', settings: { language: 'rust' } }],
    ['proxy nginx', { name: 'a', kind: 'proxy' }],
    ['proxy kong', { name: 'a', kind: 'proxy', settings: { server: 'kong' } }],
    ['proxy haproxy', { name: 'a', kind: 'proxy', settings: { server: 'haproxy', workerConnections: 2000 } }],
  ])('%s', (_name, service) => {
    const u = usage(service);
    expect(u.low).toBeGreaterThan(0);
    expect(u.low).toBeLessThanOrEqual(u.typical);
    expect(u.typical).toBeLessThanOrEqual(u.high);
    const sum = (k: 'low' | 'MiB' | 'high') => u.components.reduce((s, c) => s + c[k], 0);
    expect(sum('MiB')).toBeCloseTo(u.typical, 6);
    expect(sum('high')).toBeCloseTo(u.high, 6);
  });
});

describe('jvm: the heap HotSpot picks (checked against java -XX:+PrintFlagsFinal in runtimes-real.test.ts)', () => {
  it.each([
    // settings, limit, host → max heap MiB
    [{ heap: '512MiB' }, '1GiB', 512],
    [{}, '4GiB', 1024], // 25% of the limit
    [{}, '256MiB', 126], // 25% = 64 is under HotSpot's 126 MiB floor
    [{}, '200MiB', 100], // half the memory when that is under the 124.8 MiB default
    [{ maxRamPercentage: 70 }, '2GiB', 2048 * 0.7], // Keycloak's image
    [{ maxRam: '1GiB' }, '4GiB', 256],
  ])('%o with limit %s → %s MiB', (settings, limit, heap) => {
    expect(jvmMaxHeap(svc<'jvm'>({ name: 'j', kind: 'jvm', limit, settings }), 4096)).toBeCloseTo(heap, 0);
  });

  it('without a limit, sizes the heap from the host', () => {
    expect(jvmMaxHeap(svc<'jvm'>({ name: 'j', kind: 'jvm' }, '8GiB'), 8192)).toBe(2048);
  });

  it('a heap at the limit is critical; a heap that leaves too little room is a warning; a fitting heap is quiet', () => {
    expect(findingsOf([{ name: 'k', kind: 'jvm', limit: '1GiB', settings: { heap: '1GiB' } }]).find((f) => f.id === 'jvm-heap-over-limit')?.severity).toBe('critical');
    const warn = findingsOf([{ name: 'k', kind: 'jvm', limit: '1GiB', settings: { heap: '900MiB' } }]).find((f) => f.id === 'jvm-nonheap-room');
    expect(warn?.severity).toBe('warning');
    const s = svc<'jvm'>({ name: 'k', kind: 'jvm', limit: '1GiB' });
    const safe = Math.floor(jvmSafeHeap(s, 1024));
    expect(findingsOf([{ name: 'k', kind: 'jvm', limit: '1GiB', settings: { heap: `${safe}MiB` } }]).filter((f) => f.id.startsWith('jvm-'))).toEqual([]);
  });

  it('Kafka\'s default 1 GiB heap in a 1 GiB container is critical, and its fix sets a heap that fits', () => {
    const f = findingsOf([{ name: 'kafka', kind: 'jvm', limit: '1GiB', settings: { heap: '1GiB', metaspace: '64MiB' } }]).find((x) => x.id === 'jvm-heap-over-limit')!;
    expect(f.fix.summary).toMatch(/-Xmx\d+m/);
    const t = tuneJvm(planWith([{ name: 'kafka', kind: 'jvm', limit: '1GiB', settings: { heap: '1GiB', metaspace: '64MiB' } }]), svc<'jvm'>({ name: 'kafka', kind: 'jvm', limit: '1GiB', settings: { heap: '1GiB', metaspace: '64MiB' } }));
    expect(t.recommendedHeap).toBeGreaterThan(400);
    expect(t.recommendedHeap).toBeLessThan(900);
  });

  it('a limit too small for any heap names the limit that would do', () => {
    const r = tunePlan(planWith([{ name: 'j', kind: 'jvm', limit: '64MiB' }]));
    expect(r.unfit).toHaveLength(1);
    expect(r.unfit[0]!.minLimitMiB).toBeGreaterThan(64);
  });

  it('property: usage grows with the heap; the tuned heap\'s high usage fits the limit', () => {
    fc.assert(fc.property(fc.integer({ min: 16, max: 4000 }), fc.integer({ min: 1, max: 500 }), (heap, more) => {
      const a = usage({ name: 'j', kind: 'jvm', limit: '8GiB', settings: { heap } });
      const b = usage({ name: 'j', kind: 'jvm', limit: '8GiB', settings: { heap: heap + more } });
      expect(b.typical).toBeGreaterThanOrEqual(a.typical);
      expect(b.high).toBeGreaterThanOrEqual(a.high);
    }));
    fc.assert(fc.property(fc.integer({ min: 256, max: 16_384 }), fc.integer({ min: 1, max: 400 }), (limit, threads) => {
      const r = tunePlan(planWith([{ name: 'j', kind: 'jvm', limit, settings: { threads } }], '32GiB'));
      const tuned = r.plan.services[0]!;
      if (r.unfit.length) return;
      expect(usage({ name: 'j', kind: 'jvm', limit, settings: { ...tuned.settings } }, '32GiB').high).toBeLessThanOrEqual(limit + 1e-6);
    }), { numRuns: 60 });
  });
});

describe('python', () => {
  it.each([
    // settings → typical MiB
    [{ server: 'gunicorn', processes: 4, perProcess: 100 }, 4 * 100 + 25], // + gunicorn's master (measured)
    [{ server: 'gunicorn', processes: 4, perProcess: 131, preload: true }, 4 * 131 + 25], // --preload: no saving typically (measured)
    [{ server: 'celery', processes: 4, perProcess: 100 }, 4 * 100 + 100], // the main process imports the app
    [{ server: 'rq', processes: 1, perProcess: 100, master: true }, 100 + 25],
    [{ server: 'python', processes: 1, perProcess: 60, master: false }, 60],
  ])('%o → %s MiB typical', (settings, typical) => {
    expect(usage({ name: 'p', kind: 'python', settings }).typical).toBeCloseTo(typical, 0);
  });

  it('the shared pool model (processes.ts) keeps python\'s own ends: --preload lowers the low end only, Celery\'s main process grows at high as a worker does', () => {
    const pre = usage({ name: 'p', kind: 'python', settings: { server: 'gunicorn', processes: 4, perProcess: 131, preload: true } });
    expect(pre.low).toBeCloseTo(4 * 131 * 0.8 * (82 / 131) + 25, 6);
    expect(pre.high).toBeCloseTo(4 * 131 * 1.4 + 25, 6);
    const celery = usage({ name: 'p', kind: 'python', settings: { server: 'celery', processes: 4, perProcess: 100 } });
    expect([celery.low, celery.typical, celery.high].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([4 * 80 + 100, 500, 4 * 140 + 140]);
  });

  it('workers × memory over the limit: a finding whose fix fits, and the tuner lowers the count (never raises it)', () => {
    const service: Svc = { name: 'web', kind: 'python', limit: '512MiB', settings: { server: 'gunicorn', processes: 8, perProcess: 100 } };
    const f = findingsOf([service]).find((x) => x.id === 'python-workers-over-limit')!;
    expect(f.severity).toBe('critical');
    const fixed = f.fix.changes[0]!.value as number;
    expect(fixed).toBeGreaterThanOrEqual(1);
    expect(usage({ ...service, settings: { ...service.settings, processes: fixed } }).high).toBeLessThanOrEqual(512);
    const t = tunePython(planWith([service]), svc<'python'>(service));
    expect(t.recommendedProcesses).toBe(fixed);
    const few = { ...service, settings: { ...service.settings, processes: 1 } };
    expect(tunePython(planWith([few]), svc<'python'>(few)).recommendedProcesses).toBe(1);
  });

  it('replicas multiply every container\'s processes and master, as fastapi counts its replicas', () => {
    const one = usage({ name: 'p', kind: 'python', settings: { server: 'gunicorn', processes: 2, perProcess: 100 } });
    const three = usage({ name: 'p', kind: 'python', settings: { server: 'gunicorn', processes: 2, perProcess: 100, replicas: 3 } });
    expect(three.typical).toBeCloseTo(3 * one.typical, 6);
    expect(three.high).toBeCloseTo(3 * one.high, 6);
    expect(three.low).toBeCloseTo(3 * one.low, 6);
  });

  it('property: usage grows with replicas; the tuned process count fits each container’s limit at any replica count', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 20, max: 400 }), fc.integer({ min: 256, max: 8192 }), (replicas, n, per, limit) => {
      const settings = { server: 'gunicorn', processes: n, perProcess: per, replicas };
      const a = usage({ name: 'p', kind: 'python', settings });
      const b = usage({ name: 'p', kind: 'python', settings: { ...settings, replicas: replicas + 1 } });
      expect(b.typical).toBeGreaterThan(a.typical);
      expect(b.high).toBeGreaterThan(a.high);
      const service: Svc = { name: 'p', kind: 'python', limit: `${limit}MiB`, settings };
      const t = tunePython(planWith([service]), svc<'python'>(service));
      // The limit is per container (report.ts limitOfAll): one container's high fits it, all of them fit replicas × it.
      if (t.recommendedProcesses !== null) {
        expect(usage({ ...service, settings: { ...settings, replicas: 1, processes: t.recommendedProcesses } }).high).toBeLessThanOrEqual(limit);
        expect(usage({ ...service, settings: { ...settings, processes: t.recommendedProcesses } }).high).toBeLessThanOrEqual(replicas * limit + 1e-9);
      }
    }));
  });

  it('property: usage grows with processes and memory per process', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 10, max: 2000 }), fc.boolean(), (n, per, preload) => {
      const a = usage({ name: 'p', kind: 'python', settings: { server: 'gunicorn', processes: n, perProcess: per, preload } });
      const b = usage({ name: 'p', kind: 'python', settings: { server: 'gunicorn', processes: n + 1, perProcess: per + 1, preload } });
      expect(b.typical).toBeGreaterThan(a.typical);
      expect(b.high).toBeGreaterThan(a.high);
    }));
  });
});

describe('node', () => {
  it.each([
    // --max-old-space-size, limit, host → V8's heap_size_limit (measured: N + 48 MiB)
    [0, '1GiB', 256 + 48], // a quarter of 1 GiB
    [0, '4GiB', 1024 + 48],
    [0, '512MiB', 256 + 48], // V8's 256 MiB floor
    [0, null, 4096 + 48], // a 24 GiB host: capped at 4 GiB (measured here: 4144)
    [512, '1GiB', 560],
  ])('--max-old-space-size %s, limit %s → heap limit %s MiB', (maxOldSpace, limit, heap) => {
    const s = svc<'node'>({ name: 'n', kind: 'node', limit, settings: { maxOldSpace } }, '24GiB');
    expect(nodeHeapLimit(s, 24 * 1024)).toBeCloseTo(heap, 0);
  });

  it('the default heap near a small limit is a finding; the tuned --max-old-space-size fits', () => {
    const service: Svc = { name: 'web', kind: 'node', limit: '256MiB' };
    const f = findingsOf([service]).find((x) => x.id === 'node-heap-over-limit')!;
    expect(f).toBeDefined();
    expect(f.fix.summary).toMatch(/--max-old-space-size to \d+/);
    const t = tuneNode(planWith([service]), svc<'node'>(service));
    expect(t.recommendedOldSpace).not.toBeNull();
    const tuned = { ...service, settings: { maxOldSpace: t.recommendedOldSpace! } };
    expect(usage(tuned).high).toBeLessThanOrEqual(256);
    expect(findingsOf([tuned]).filter((x) => x.id.startsWith('node-'))).toEqual([]);
  });

  it('pm2 instances multiply the processes', () => {
    const one = usage({ name: 'n', kind: 'node', settings: { maxOldSpace: 128 } });
    const four = usage({ name: 'n', kind: 'node', settings: { maxOldSpace: 128, processes: 4 } });
    expect(four.typical).toBeCloseTo(4 * one.typical, 6);
  });

  it('property: usage grows with --max-old-space-size at high; the tuned value fits the limit', () => {
    fc.assert(fc.property(fc.integer({ min: 32, max: 4000 }), fc.integer({ min: 1, max: 500 }), (old, more) => {
      const a = usage({ name: 'n', kind: 'node', settings: { maxOldSpace: old } });
      const b = usage({ name: 'n', kind: 'node', settings: { maxOldSpace: old + more } });
      expect(b.high).toBeGreaterThanOrEqual(a.high);
    }));
    fc.assert(fc.property(fc.integer({ min: 128, max: 8192 }), fc.integer({ min: 1, max: 8 }), (limit, processes) => {
      const r = tunePlan(planWith([{ name: 'n', kind: 'node', limit, settings: { processes } }], '16GiB'));
      if (r.unfit.length) return;
      const s = r.plan.services[0]!;
      expect(usage({ name: 'n', kind: 'node', limit, settings: { ...s.settings } }, '16GiB').high).toBeLessThanOrEqual(limit + 1e-6);
    }), { numRuns: 60 });
  });

  it('old space without --max-old-space-size follows the limit', () => {
    expect(nodeOldSpace(svc<'node'>({ name: 'n', kind: 'node', limit: '2GiB' }), 4096)).toBe(512);
  });
});

describe('native', () => {
  it.each([
    [{ memory: 40 }, 80], // GOGC 100: the heap doubles between collections
    [{ memory: 40, gogc: 50 }, 60],
    [{ memory: 40, goMemLimit: '45MiB' }, 50], // GOMEMLIMIT caps it (with 10% outside what it counts)
    [{ memory: 40, language: 'rust' }, 60],
  ])('%o → high %s MiB', (settings, high) => {
    expect(nativeHigh(svc<'native'>({ name: 'g', kind: 'native', settings }))).toBeCloseTo(high, 0);
  });
});

describe('proxy', () => {
  it('nginx: workers auto = cores; connections cap = workers × worker_connections', () => {
    const s = svc<'proxy'>({ name: 'p', kind: 'proxy', settings: { cores: 4, workerConnections: 1024 } });
    expect(proxyWorkers(s)).toBe(4);
    expect(proxyConnectionCap(s)).toBe(4096);
  });

  it('nginx worker_connections × buffers over the limit is a finding whose value fits', () => {
    const service: Svc = { name: 'edge', kind: 'proxy', limit: '64MiB', settings: { workers: 4, workerConnections: 4096 } };
    const f = findingsOf([service]).find((x) => x.id === 'proxy-connections-over-limit')!;
    expect(f).toBeDefined();
    const wc = f.fix.changes[0]!.value as number;
    expect(proxyFullMiB(svc<'proxy'>({ ...service, settings: { ...service.settings, workerConnections: wc } }))).toBeLessThanOrEqual(64);
  });

  it('Kong carries its 128 MiB mem_cache_size', () => {
    expect(part(usage({ name: 'k', kind: 'proxy', settings: { server: 'kong' } }), 'shared zones').MiB).toBe(128);
  });

  it('property: usage grows with connections and workers', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 5000 }), (workers, connections) => {
      const a = usage({ name: 'p', kind: 'proxy', settings: { workers, connections } });
      const b = usage({ name: 'p', kind: 'proxy', settings: { workers: workers + 1, connections: connections + 1 } });
      expect(b.typical).toBeGreaterThan(a.typical);
    }));
  });
});
