import { evaluate } from '../../engine/evaluate.ts';
import { describe, expect, it } from 'vitest';
import { parse as yamlParse } from 'yaml';
import { planParse, type Plan, type PlanInput } from '../../engine/schema.ts';
import { presetGet } from '../../engine/presets.ts';
import { tunePostgres } from '../../engine/kinds/postgres/tune.ts';
import { tuneContext } from '../../engine/tune.ts';
import { alertCoverage, ExportError, exportersFor, exportFiles, stackOf } from './index.ts';
import { commentText, dockerSize, hostTag, pgSize, shellQuote } from './common.ts';
import { alertRules } from './alerts.ts';

const parse = (input: PlanInput): Plan => {
  const r = planParse(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.plan;
};
const files = (plan: Plan) => new Map(exportFiles(plan).map((f) => [f.path, f]));
type ComposeService = Record<string, unknown> & { deploy?: { resources?: { limits?: { memory?: string } } }; environment?: Record<string, string> };
const compose = (text: string) => yamlParse(text) as { services: Record<string, ComposeService>; secrets?: Record<string, { file: string }> };

describe('exportFiles', () => {
  it('returns every file of the 4gb preset, each with a description', () => {
    const out = exportFiles(parse(presetGet('4gb')));
    expect(out.map((f) => f.path)).toEqual(['docker-compose-4gb.yml', 'postgresql.conf', 'redis.conf', 'prometheus.yml', 'alerts.yml', 'alerts.test.yml', 'RUNBOOK.md']);
    for (const f of out) {
      expect(f.description.length).toBeGreaterThan(10);
      expect(f.content.endsWith('\n') || f.path.endsWith('.md')).toBe(true);
    }
  });

  it('adds pgbouncer.ini, userlist.txt and alertmanager.yml when the toggles are on, and points the app at pgBouncer', () => {
    const input = presetGet('4gb');
    input.features = { pgbouncer: true, alertmanager: true, semanticCache: true };
    const f = files(parse(input));
    expect([...f.keys()]).toEqual(expect.arrayContaining(['pgbouncer.ini', 'userlist.txt', 'alertmanager.yml']));
    const c = compose(f.get('docker-compose-4gb.yml')!.content);
    expect(c.services.fastapi!.environment!.DATABASE_URL).toBe('postgresql://app@pgbouncer:6432/app');
    expect(Object.keys(c.services)).toEqual(expect.arrayContaining(['pgbouncer', 'alertmanager']));
    expect(f.get('prometheus.yml')!.content).toContain('alertmanager:9093');
  });

  it('writes each limit twice (mem_limit and deploy.resources), no swap, and the OOM order app first, database last', () => {
    const c = compose(files(parse(presetGet('8gb'))).get('docker-compose-8gb.yml')!.content);
    for (const [name, s] of Object.entries(c.services)) {
      expect(s.mem_limit, name).toBe(s.deploy!.resources!.limits!.memory);
      expect(s.memswap_limit, name).toBe(s.mem_limit);
    }
    const oom = (n: string) => c.services[n]!.oom_score_adj as number;
    expect(oom('fastapi')).toBeGreaterThan(oom('grafana'));
    expect(oom('postgres')).toBe(Math.min(...Object.values(c.services).map((s) => s.oom_score_adj as number)));
    // Never negative: runc refuses a negative oom_score_adj on engines without CAP_SYS_RESOURCE.
    for (const [name, s] of Object.entries(c.services)) expect(s.oom_score_adj as number, name).toBeGreaterThanOrEqual(0);
    expect(c.services.postgres!.shm_size).toBe('256m');
    expect(c.services.prometheus!.command).toContain('--storage.tsdb.retention.time=15d');
    // Secrets only as files; the files are never part of the export.
    expect(Object.values(c.secrets!).every((s) => s.file.startsWith('./secrets/'))).toBe(true);
  });

  it('reuses the exporters a plan already lists (the full preset\'s cadvisor and node-exporter) and adds the missing ones', () => {
    const plan = parse({ ...presetGet('full'), features: { exporters: true } });
    const ex = exportersFor(plan);
    expect(ex.filter((e) => e.present).map((e) => e.name).sort()).toEqual(['cadvisor', 'node-exporter']);
    expect(ex.filter((e) => !e.present).map((e) => e.name).sort()).toEqual(['postgres-exporter', 'redis-exporter']);
    const c = compose(files(plan).get('docker-compose-8gb.yml')!.content);
    expect(c.services.cadvisor!.mem_limit).toBe('256m'); // the plan's limit, not the default
    expect(c.services.cadvisor!.privileged).toBe(true);
  });

  it('adds no exporter and no alert file to a plan without Prometheus', () => {
    const input = presetGet('4gb');
    input.services = input.services.filter((s) => s.kind !== 'prometheus');
    const plan = parse(input);
    expect(exportersFor(plan)).toEqual([]);
    expect([...files(plan).keys()]).not.toContain('alerts.yml');
  });

  it('with tuned: true, writes the recommended values', () => {
    const plan = parse(presetGet('4gb'));
    const conf = files(plan).get('postgresql.conf')!.content;
    const tuned = new Map(exportFiles(plan, { tuned: true }).map((f) => [f.path, f.content]));
    const rec = tunePostgres(plan, stackOf(plan).postgres[0]!, tuneContext(plan)).recommended;
    expect(conf).toMatch(/^max_connections = 50$/m);
    expect(tuned.get('postgresql.conf')).toMatch(new RegExp(`^max_connections = ${rec.maxConnections}$`, 'm'));
    // The seed's own maxmemory 256MB stays (a tuned export never lowers a user's value); the
    // comment gives the 104MiB the redis-fork-headroom finding would want for 300MiB with RDB.
    expect(tuned.get('redis.conf')).toMatch(/^maxmemory 268435456$/m);
    expect(tuned.get('redis.conf')).toMatch(/^# maxmemory kept at 256 MiB, the plan's own value: a tuned export never lowers it \(Headroom's model alone would lower it to 104 MiB\)\.$/m);
    // Without the user's value, the finding's own value is written.
    const own = presetGet('4gb');
    own.services = own.services.map((s) => (s.kind === 'redis' ? { ...s, settings: { policy: 'allkeys-lru', persistence: 'rdb' } } : s));
    expect(exportFiles(parse(own), { tuned: true }).find((f) => f.path === 'redis.conf')!.content).toMatch(/^maxmemory 109051904$/m);
  });

  it('with tuned: true, refuses a limit no setting fits, naming it, instead of writing a failing config', () => {
    const plan = parse({
      host: { ram: '4GiB' },
      services: [
        { name: 'api', kind: 'fastapi', limit: '1GiB', settings: { workers: 4, poolSize: 10, maxOverflow: 10 } },
        { name: 'db', kind: 'postgres', limit: '256MiB' },
      ],
    });
    expect(() => exportFiles(plan)).not.toThrow(); // as planned: the findings say what is wrong
    expect(() => exportFiles(plan, { tuned: true })).toThrow(ExportError);
    expect(() => exportFiles(plan, { tuned: true })).toThrow(/^cannot tune: db: its 256 MiB limit is too small for any settings.*Raise the limit to at least 1.88 GiB/);
  });

  it('with tuned: true, writes squeezed settings with the reason beside them when the usual shares do not fit', () => {
    // The seed without its own shared_buffers (PostgreSQL's default 128MB): every client is
    // counted, so the tuner may lower it.
    const input = presetGet('4gb');
    input.services = input.services.map((s) => (s.kind === 'postgres' ? { ...s, settings: { maxConnections: 50 } } : s));
    const tuned = exportFiles(parse(input), { tuned: true }).find((f) => f.path === 'postgresql.conf')!.content;
    expect(tuned).toMatch(/^shared_buffers = 127MB$/m);
    expect(tuned).toMatch(/^work_mem = 1MB$/m);
    // Normal traffic fits; in the ×5 spike the model's high end is over the limit even at 1MB work_mem.
    expect(tuned).toMatch(/^# In normal traffic, .* within the limit\.$/m);
    expect(tuned).toMatch(/^# .*OVER THE LIMIT/m);
  });

  it('shows the budget arithmetic and the recommendation in postgresql.conf comments', () => {
    const conf = files(parse(presetGet('4gb'))).get('postgresql.conf')!.content;
    expect(conf).toMatch(/^# .*800 MiB container limit/m);
    expect(conf).toMatch(/^# Headroom recommends 54 here/m);
    expect(conf).toMatch(/^effective_cache_size = 600MB$/m);
    expect(conf).toMatch(/^wal_buffers = 6400kB$/m);
  });

  it('writes a size the server reads in its syntax and every other size in words (issue 16)', () => {
    const out = files(parse(presetGet('4gb')));
    const redis = out.get('redis.conf')!.content;
    // maxmemory as Redis reads it; the container limit in words.
    expect(redis).toMatch(/^# maxmemory 256mb = 268435456 bytes\.$/m);
    expect(redis).toMatch(/^# Container limit 300 MiB\.$/m);
    const runbook = out.get('RUNBOOK.md')!.content;
    expect(runbook).toMatch(/^# Runbook: `production-4gb` on a 4 GiB host$/m);
    // The criterion says MiB, as the plan file reads MB (README, "Sizes").
    expect(runbook).toContain('The host should keep 500 MiB available (max(500 MiB, 12% of RAM)).');
    expect(out.get('alerts.yml')!.content).toContain("(the plan's criterion: max(500 MiB, 12% of RAM))");
    const eight = files(parse({ ...presetGet('4gb'), host: { ram: '8GiB' } })).get('RUNBOOK.md')!.content;
    expect(eight).toMatch(/^# Runbook: `production-4gb` on an 8 GiB host$/m);
  });
});

describe('alert rules', () => {
  it('derive their thresholds from the plan', () => {
    const plan = parse(presetGet('4gb'));
    const rules = new Map(alertRules(stackOf(plan)).map((r) => [r.alert, r]));
    expect(rules.size).toBe(10);
    expect(rules.get('HighDatabaseConnections')!.expr).toBe('sum by (service) (pg_stat_activity_count{service="postgres"}) > 45');
    expect(rules.get('RedisMemoryHigh')!.expr).toBe(`redis_memory_used_bytes{service="redis"} > ${Math.floor(256 * 1048576 * 0.9)}`);
    // The policy's free criterion: max(500 MiB, 12% of RAM), 500 MiB on 4 GiB (12% is 491.52 MiB).
    expect(rules.get('HighMemoryUsage')!.expr).toContain(`node_memory_MemAvailable_bytes < ${500 * 1048576}`);
    const bigger = parse({ ...presetGet('4gb'), host: { ram: '16GiB' } });
    expect(alertRules(stackOf(bigger)).find((r) => r.alert === 'HighMemoryUsage')!.expr).toContain(`< ${Math.round(0.12 * 16384 * 1048576)}`);
  });
});

describe('alertCoverage', () => {
  it('reports nothing blind for the 4gb preset with its exporters on but the services no exporter watches', () => {
    const cov = alertCoverage(parse({ ...presetGet('4gb'), features: { exporters: true } }));
    expect(cov.filter((c) => c.blind && !c.service)).toEqual([]);
    expect(cov.filter((c) => c.applies).map((c) => c.rule)).toEqual(expect.arrayContaining(['ServiceDown', 'HighMemoryUsage', 'RedisMemoryHigh', 'HighAPILatency']));
  });

  it('agrees with the engine: exporters off, the rules they feed are blind and the engine says so', () => {
    const plan = parse(presetGet('4gb'));
    const blind = new Set(alertCoverage(plan).filter((c) => c.blind && !c.service).map((c) => c.rule));
    expect([...blind].sort()).toEqual(['ContainerOOMKills', 'HighDatabaseConnections', 'HighMemoryUsage', 'HighNetworkIO', 'LowCacheHitRate', 'LowDiskSpace', 'RedisMemoryHigh', 'SlowDatabaseQueries']);
    const finding = evaluate(plan).findings.find((f) => f.id === 'alerts-blind')!;
    for (const rule of blind) expect(finding.message).toContain(rule);
  });

  it('agrees with the engine on which services ServiceDown cannot see', () => {
    for (const input of [presetGet('8gb'), presetGet('full'), { ...presetGet('4gb'), features: { pgbouncer: true } }]) {
      const plan = parse(input);
      const blind = alertCoverage(plan).filter((c) => c.blind && c.rule === 'ServiceDown' && c.service).map((c) => c.service!);
      const finding = evaluate(plan).findings.find((f) => f.id === 'service-down-blind');
      if (blind.length === 0) expect(finding).toBeUndefined();
      else for (const name of blind) expect(finding?.message).toContain(name);
    }
  });

  it('reports every applicable rule blind without Prometheus', () => {
    const input = presetGet('4gb');
    input.services = input.services.filter((s) => s.kind !== 'prometheus');
    const cov = alertCoverage(parse(input)).filter((c) => c.applies);
    expect(cov.length).toBeGreaterThan(10);
    expect(cov.every((c) => c.blind)).toBe(true);
  });

  it('reports a service nothing scrapes (pgBouncer) as blind for ServiceDown', () => {
    const cov = alertCoverage(parse(presetGet('8gb')));
    expect(cov.find((c) => c.rule === 'ServiceDown' && c.service === 'pgbouncer')).toMatchObject({ blind: true, exporter: 'none' });
    expect(cov.find((c) => c.rule === 'ServiceDown' && c.service === 'postgres')).toMatchObject({ blind: false, exporter: 'postgres-exporter' });
  });
});

describe('units and quoting', () => {
  it('writes sizes in each tool\'s notation', () => {
    expect(dockerSize(800)).toBe('800m');
    expect(dockerSize(1.5)).toBe('1536k');
    expect(pgSize(200)).toBe('200MB');
    expect(pgSize(6.25)).toBe('6400kB');
    expect(pgSize(2048)).toBe('2GB');
    expect(hostTag(4096)).toBe('4gb');
    expect(hostTag(1536)).toBe('1536mb');
  });

  it('keeps comments on one line and shell words in one word', () => {
    expect(commentText('a\nb\u2028c')).toBe('a\\u{a}b\\u{2028}c');
    expect(commentText('4–21 MB ✓')).toBe('4–21 MB ✓');
    expect(shellQuote('postgres')).toBe('postgres');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('a\nb')).toBe("$'a\\u000ab'");
  });
});

describe('pgbouncer.ini', () => {
  it('writes max_prepared_statements only when planned, with the version it needs', () => {
    const input = presetGet('8gb');
    const b = input.services.find((s) => s.kind === 'pgbouncer')!;
    b.settings = { ...b.settings, maxPreparedStatements: 100 };
    const ini = files(parse(input)).get('pgbouncer.ini')!.content;
    expect(ini).toMatch(/^; Needs PgBouncer 1\.21 or later\.\nmax_prepared_statements = 100$/m);
    expect(files(parse(presetGet('8gb'))).get('pgbouncer.ini')!.content).not.toMatch(/^max_prepared_statements/m);
  });
});
