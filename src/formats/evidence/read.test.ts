import { describe, expect, it } from 'vitest';
import { evidenceRead } from './read.ts';
import { evidenceApply } from './apply.ts';
import { presetGet } from '../../engine/presets.ts';
import { planOf } from '../../engine/testing.ts';
import { evaluate } from '../../engine/evaluate.ts';
import type { Evidence } from './file.ts';

const services = [{ name: 'fastapi' }, { name: 'postgres', containerName: 'pg-main' }, { name: 'redis' }];
const AT = '2026-12-02T05:30:00Z';
const T0 = Date.parse(AT) / 1000;

function prom(result: unknown[], resultType = 'matrix') {
  return JSON.stringify({ status: 'success', data: { resultType, result } });
}
const series = (metric: Record<string, string>, values: Array<[number, string]>) => ({ metric: { __name__: 'container_memory_working_set_bytes', ...metric }, values });
const ramp = (n: number, base: number, step = 1_048_576) => Array.from({ length: n }, (_, i) => [T0 + i * 15, String(base + i * step)] as [number, string]);

function ok(r: ReturnType<typeof evidenceRead>): Evidence {
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.evidence;
}

describe('Prometheus query_range', () => {
  it('matches series by compose label, else by container name; drops NaN; strings to bytes', () => {
    const values = ramp(10, 200 * 1_048_576);
    values[3] = [values[3]![0], 'NaN'];
    const text = prom([
      series({ name: 'shop-fastapi-1', container_label_com_docker_compose_service: 'fastapi' }, values),
      series({ name: 'pg-main', id: '/docker/abc' }, ramp(6, 400 * 1_048_576)),
      series({ id: '/system.slice/docker.service' }, ramp(6, 1)), // a host cgroup: skipped
    ]);
    const r = evidenceRead(text, services, AT);
    expect(r.kind).toBe('prometheus');
    const e = ok(r);
    expect(e.source).toBe('prometheus');
    expect(e.intervalSeconds).toBe(15);
    expect(e.durationSeconds).toBe(135);
    expect(e.services.map((s) => [s.service, s.containers, s.samples.length])).toEqual([['fastapi', ['shop-fastapi-1'], 9], ['postgres', ['pg-main'], 6]]);
    expect(e.services[0]!.samples[0]).toEqual([T0, 200 * 1_048_576]);
  });

  it.each([
    ['wrong resultType', prom([], 'vector'), 'data.resultType', /expected "matrix" .*instant query/],
    ['too few points', prom([series({ name: 'redis' }, ramp(3, 1e6))]), 'data.result[0].values', /too few points for redis: 3 .*at least 5/],
    ['unknown container', prom([series({ name: 'other-stack-web-1' }, ramp(6, 1e6))]), '(containers)', /unknown container other-stack-web-1/],
    ['another metric', prom([{ metric: { __name__: 'container_memory_usage_bytes', name: 'redis' }, values: ramp(6, 1) }]), 'data.result[0].metric.__name__', /expected container_memory_working_set_bytes or container_memory_rss/],
    ['numbers for values', prom([series({ name: 'redis' }, [[T0, 5 as never]])]), 'data.result[0].values[0]', /as strings/],
    ['an error response', JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }), 'status', /bad_data parse error/],
  ])('refuses %s with its path', (_, text, path, message) => {
    const r = evidenceRead(text, services, AT);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]!.path).toBe(path);
    expect(r.issues[0]!.message).toMatch(message);
  });

  it('truncated JSON: a line and "truncated"', () => {
    const text = prom([series({ name: 'redis' }, ramp(10, 1e6))]).replace(/,/g, ',\n');
    const r = evidenceRead(text.slice(0, text.length - 40), services, AT);
    expect(r.ok ? '' : `${r.issues[0]!.path}: ${r.issues[0]!.message}`).toMatch(/^line \d+, column \d+: expected JSON: the text ends too early \(truncated\?\)$/);
  });
});

describe('docker stats', () => {
  const line = (name: string, mem: string) => JSON.stringify({ BlockIO: '0B / 0B', CPUPerc: '0.10%', Container: 'abc', ID: 'abc', MemPerc: '1%', MemUsage: mem, Name: name, NetIO: '0B / 0B', PIDs: '4' });
  it('reads a --format json stream: many snapshots, escapes between them, stopped containers', () => {
    const esc = '\u001b[2J\u001b[H';
    const text = [line('shop-redis-1', '100MiB / 512MiB'), line('pg-main', '400MiB / 1GiB'), `${esc}${line('shop-redis-1', '120MiB / 512MiB')}`, line('pg-main', '-- / --'), line('shop-redis-1', '110MiB / 512MiB')].join('\n');
    const r = evidenceRead(text, services, AT);
    expect(r.kind).toBe('docker-stats-json');
    const e = ok(r);
    expect(e.durationSeconds).toBe(0);
    expect(e.intervalSeconds).toBeNull();
    const redis = e.services.find((s) => s.service === 'redis')!;
    expect(redis.samples.map((s) => s[1] / 1_048_576)).toEqual([100, 120, 110]);
    expect(redis.limitBytes).toBe(512 * 1_048_576);
  });

  it('names the line of a broken JSON line', () => {
    const r = evidenceRead(`${line('shop-redis-1', '100MiB / 512MiB')}\n{"MemUsage": "1`, services, AT);
    expect(r.ok ? null : r.issues[0]).toMatchObject({ path: 'line 2', message: expect.stringMatching(/truncated last line/) });
  });

  it('reads today\'s table too', () => {
    const text = 'CONTAINER ID   NAME           CPU %     MEM USAGE / LIMIT     MEM %\n1a2b3c4d5e6f   shop-redis-1   0.20%     150MiB / 512MiB      29%\n';
    const e = ok(evidenceRead(text, services, AT));
    expect(e.source).toBe('docker-stats');
    expect(e.services[0]).toMatchObject({ service: 'redis', containers: ['shop-redis-1'] });
  });
});

describe('cgroup files', () => {
  const v2 = { 'memory.current': '524288000\n', 'memory.peak': '629145600\n', 'memory.max': 'max\n', 'memory.stat': 'anon 314572800\nfile 209715200\ninactive_file 104857600\n', 'memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n' };
  const v1 = { 'memory.usage_in_bytes': '314572800', 'memory.max_usage_in_bytes': '419430400', 'memory.limit_in_bytes': '9223372036854771712', 'memory.stat': 'cache 104857600\nrss 209715200\ntotal_inactive_file 52428800\n', 'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n' };
  it('reads v2 and v1: working set = usage − inactive file; peak, anon, file; oom_kill counts', () => {
    const text = JSON.stringify({ format: 'headroom-cgroup-files', collectedAt: AT, containers: [{ container: 'pg-main', files: v2 }, { container: 'shop-redis-1', service: 'redis', files: v1 }] });
    const e = ok(evidenceRead(text, services, AT));
    const [pg, redis] = [e.services.find((s) => s.service === 'postgres')!, e.services.find((s) => s.service === 'redis')!];
    expect(pg).toMatchObject({ samples: [[T0, 524_288_000 - 104_857_600]], peakBytes: 629_145_600, limitBytes: null, anonBytes: 314_572_800, fileBytes: 209_715_200, oomKills: [{ at: null, container: 'pg-main' }] });
    expect(redis).toMatchObject({ samples: [[T0, 314_572_800 - 52_428_800]], peakBytes: 419_430_400, limitBytes: null, anonBytes: 209_715_200, fileBytes: 104_857_600 });
    expect(redis.oomKills).toHaveLength(2);
  });

  it('names the file and line of a bad memory.stat', () => {
    const text = JSON.stringify({ format: 'headroom-cgroup-files', collectedAt: AT, containers: [{ container: 'pg-main', files: { ...v2, 'memory.stat': 'anon 1\nfile x\n' } }] });
    const r = evidenceRead(text, services, AT);
    expect(r.ok ? null : r.issues[0]).toMatchObject({ path: 'containers[0].files["memory.stat"] line 2', message: expect.stringMatching(/key number/) });
  });

  it('bounds the issues of many bad containers by the input policy (20, then a count)', () => {
    const containers = Array.from({ length: 30 }, (_, i) => ({ container: `pg-${i}`, files: { ...v2, 'memory.stat': 'anon 1\nfile x\n' } }));
    const r = evidenceRead(JSON.stringify({ format: 'headroom-cgroup-files', collectedAt: AT, containers }), services, AT);
    expect(r.ok ? [] : r.issues).toHaveLength(21);
    expect(r.ok ? '' : r.issues.at(-1)!.message).toMatch(/^… and 10 more problems/);
  });
});

describe('host RAM', () => {
  it('reads free -m, free -h and /proc/meminfo', () => {
    const free = '               total        used        free      shared  buff/cache   available\nMem:            3736        1210         302          28        2223        2270\nSwap:              0           0           0\n';
    expect(ok(evidenceRead(free, services, AT)).host).toEqual({ memTotalBytes: 3736 * 1_048_576, source: 'free -m' });
    const freeH = free.replace('3736', '3.6Gi');
    expect(ok(evidenceRead(freeH, services, AT)).host!.memTotalBytes).toBe(Math.round(3.6 * 1024 * 1_048_576));
    const meminfo = 'MemTotal:        3825680 kB\nMemFree:          309304 kB\nMemAvailable:    2324928 kB\n';
    expect(ok(evidenceRead(meminfo, services, AT)).host).toEqual({ memTotalBytes: 3_825_680 * 1024, source: '/proc/meminfo' });
  });

  it('refuses free in KiB', () => {
    const free = '               total        used        free\nMem:         3825680     1239040      309304\n';
    const r = evidenceRead(free, services, AT);
    expect(r.ok ? '' : r.issues[0]!.message).toMatch(/run free -m/);
  });
});

describe('applied to the plan', () => {
  it('summarises per service, replaces the host RAM, and the engine reports it observed', () => {
    const e1 = ok(evidenceRead(prom([series({ name: 'pg-main' }, ramp(100, 300 * 1_048_576, 0))]), services, AT));
    const e2 = ok(evidenceRead('MemTotal:        3825680 kB\n', services, AT));
    const r = evidenceApply(presetGet('4gb'), [e1, e2]);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.applied.host).toEqual({ from: '4GiB', toMiB: 3736, source: '/proc/meminfo' });
    expect(r.applied.missing).toEqual(['fastapi', 'redis', 'prometheus', 'grafana']);
    const report = evaluate(planOf(r.input));
    expect(report.host.ramMiB).toBe(3736);
    const pg = report.services.find((s) => s.name === 'postgres')!;
    expect(pg.basis).toBe('observed');
    expect(pg.observedMiB).toMatchObject({ p50: 300, p95: 300, p99: 300, peak: 300, samples: 100, windowSeconds: 1485, source: 'prometheus' });
  });

  it('refuses an evidence file naming a service the plan does not have, and changes nothing', () => {
    const input = presetGet('4gb');
    const before = structuredClone(input);
    const e: Evidence = { format: 'headroom-evidence', version: 1, source: 'observe', collectedAt: AT, durationSeconds: 60, intervalSeconds: 5, host: null, services: [{ service: 'nginx', containers: ['x'], samples: [[T0, 1]], limitBytes: null, peakBytes: null, anonBytes: null, fileBytes: null, oomKills: [], restarts: 0 }] };
    const r = evidenceApply(input, [e]);
    expect(r.ok ? '' : r.issues[0]!.message).toMatch(/unknown service "nginx"/);
    expect(input).toEqual(before);
  });
});
