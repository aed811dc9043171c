/**
 * alerts.yml: the seed's ten rules on real exporter metric names (node_exporter, cAdvisor,
 * postgres_exporter, redis_exporter, the app's prometheus-fastapi-instrumentator), with the
 * thresholds this plan implies. Each rule also carries a breach and a calm case, from which
 * alerts-test.ts writes the `promtool test rules` file.
 *
 * Names reach an expression only as PromQL strings (promqlString); annotations and labels are Go
 * templates, so they carry no name at all, only `{{ $labels.x }}` and numbers.
 */
import type { Plan } from '../../engine/schema.ts';
import { CONNECTIONS_SHARE, connectionsAlertAbove, CONTAINER_ALERT_SHARE, FREE_CRITERION_FORMULA, freeCriterion, REDIS_MEMORY_ALERT_SHARE } from '../../engine/policy.ts';
import { bytes, GENERATED_BY, promqlString, yamlDocument } from './common.ts';
import { exportersFor, type ExporterKind } from './exporters.ts';
import { scrapeTargets } from '../kinds/prometheus.ts';
import { servicesSeen } from '../../engine/scrape-jobs.ts';
import { ALERT_NAMES, exporterWatching, RULE_SOURCES, type AlertName, type MetricSource } from '../../engine/exporters.ts';
import { stackOf, type Stack } from './stack.ts';
import { sizeFormat } from '../../engine/units.ts';

export { ALERT_NAMES, type AlertName, type MetricSource } from '../../engine/exporters.ts';

/** The seed's severities: the four resource/availability rules are critical. */
const SEVERITY: Record<AlertName, 'critical' | 'warning'> = {
  ServiceDown: 'critical',
  HighMemoryUsage: 'critical',
  ContainerOOMKills: 'critical',
  LowDiskSpace: 'critical',
  RedisMemoryHigh: 'warning',
  HighDatabaseConnections: 'warning',
  HighAPILatency: 'warning',
  SlowDatabaseQueries: 'warning',
  LowCacheHitRate: 'warning',
  HighNetworkIO: 'warning',
};

export type Labels = Record<string, string>;
export type InputSeries = { metric: string; labels: Labels; values: string };
/** Series for `promtool test rules` and the alerts they must (or must not) raise at `evalTime`. */
export type RuleCase = { series: InputSeries[]; alerts: Labels[] };

export type AlertRule = {
  alert: AlertName;
  expr: string;
  for: string;
  severity: 'critical' | 'warning';
  /** Go templates: only `{{ $labels.x }}` and literal numbers. */
  summary: string;
  description: string;
  /** How the threshold follows from the plan, for the file's comments and the runbook. */
  threshold: string;
  evalTime: string;
  fire: RuleCase;
  calm: RuleCase;
};

// Constants of the rules, each with its source (the shares of limits: policy.ts).
/** The seed: "API latency P95 < 500ms". */
const API_P95_SECONDS = 0.5;
/** assumed: a transaction open 500 × longer than the planned 20 ms holds a connection the pool was not sized for; at least 10 s. */
const SLOW_TX_FACTOR = 500;
const SLOW_TX_MIN_SECONDS = 10;
/** assumed: the plan's memory and database figures hold down to 80% of the planned hit rate. */
const CACHE_HIT_SHARE = 0.8;
/** assumed: ~64 KiB on the wire per request (request, response, database and cache round trips). */
const BYTES_PER_REQUEST = 64 * 1024;
/** assumed: never alert below 10 MiB/s, which any small host carries easily. */
const NETWORK_MIN_BYTES = 10 * 1048576;
/** memory-model.md: Prometheus disk ≈ retention × samples/s × 1–2 bytes; the high end. */
const TSDB_BYTES_PER_SAMPLE = 2;
/** peers.md (awesome-prometheus-alerts): less than 10% free on a filesystem. */
const DISK_FREE_SHARE = 0.1;

const FS_FILTER = 'fstype!~"^(fuse.*|tmpfs|cifs|nfs)"';

/** The seed's success criterion, as the engine draws it (host.ts): free memory above max(500 MiB, 12% of RAM). */
export function freeCriterionMiB(plan: Plan): number {
  return freeCriterion(plan.host.ram);
}

const sel = (metric: string, matchers: Labels) =>
  `${metric}{${Object.entries(matchers).map(([k, v]) => `${k}=${promqlString(v)}`).join(', ')}}`;

/** A series as promtool's input_series writes it: `metric{label="value", ...}`. */
export function seriesText(s: InputSeries): string {
  return sel(s.metric, s.labels);
}

const num = (v: number) => String(Math.round(v * 1e6) / 1e6);

export function alertRules(stack: Stack): AlertRule[] {
  const plan = stack.plan;
  const prom = stack.prometheus[0];
  if (!prom) return [];
  const rules: AlertRule[] = [];
  const exporter = (kind: ExporterKind) => stack.exporters.find((e) => e.exporter === kind);
  const node = exporter('node-exporter');
  const cadvisor = exporter('cadvisor');
  const nodeLabels: Labels = node ? { instance: `${node.name}:${node.port}`, job: node.name, service: node.name } : { instance: 'node-exporter:9100', job: 'node-exporter', service: 'node-exporter' };
  const cadvisorTarget = cadvisor ? `${cadvisor.name}:${cadvisor.port}` : 'cadvisor:8080';
  const cadvisorLabels = (name: string): Labels => ({ instance: cadvisorTarget, job: cadvisor?.name ?? 'cadvisor', name, service: cadvisor?.name ?? 'cadvisor' });
  const limited = plan.services.find((s) => s.limit !== null && s.limit > 0);

  // 1. ServiceDown: a scrape target, or the database behind its exporter, is unreachable.
  {
    const t = scrapeTargets(stack, prom).find((x) => !x.dns) ?? { job: prom.name, service: prom.name, target: `localhost:9090` };
    const up: Labels = { instance: t.target, job: t.job, service: t.service };
    const pgExp = stack.exporters.find((e) => e.exporter === 'postgres-exporter');
    const pgLabels: Labels | null = pgExp ? { instance: `${pgExp.name}:${pgExp.port}`, job: pgExp.name, service: pgExp.watches ?? pgExp.name } : null;
    const parts = ['up == 0'];
    if (stack.postgres.length) parts.push('pg_up == 0');
    if (stack.redis.length) parts.push('redis_up == 0');
    rules.push({
      alert: 'ServiceDown',
      expr: parts.join(' or '),
      for: '1m',
      severity: SEVERITY.ServiceDown,
      summary: 'Service {{ $labels.service }} is down',
      description: 'Prometheus cannot reach {{ $labels.instance }} (job {{ $labels.job }}), or that exporter cannot reach its database, for 1 minute.',
      threshold: 'up == 0 (or pg_up/redis_up == 0) for 1m',
      evalTime: '5m',
      fire: {
        series: [{ metric: 'up', labels: up, values: '0x10' }, ...(pgLabels ? [{ metric: 'up', labels: pgLabels, values: '1x10' }, { metric: 'pg_up', labels: pgLabels, values: '0x10' }] : [])],
        alerts: [up, ...(pgLabels ? [pgLabels] : [])],
      },
      calm: { series: [{ metric: 'up', labels: up, values: '1x10' }, ...(pgLabels ? [{ metric: 'pg_up', labels: pgLabels, values: '1x10' }] : [])], alerts: [] },
    });
  }

  // 2. HighMemoryUsage: a container near its own limit, or the host below the seed's free criterion.
  {
    const free = freeCriterionMiB(plan);
    const container = `max by (instance, name) (container_memory_working_set_bytes{name!=""}) / max by (instance, name) (container_spec_memory_limit_bytes{name!=""} > 0) > ${CONTAINER_ALERT_SHARE}`;
    const host = `node_memory_MemAvailable_bytes < ${bytes(free)}`;
    const fire: RuleCase = { series: [{ metric: 'node_memory_MemAvailable_bytes', labels: nodeLabels, values: `${bytes(free * 0.5)}x10` }], alerts: [nodeLabels] };
    const calm: RuleCase = { series: [{ metric: 'node_memory_MemAvailable_bytes', labels: nodeLabels, values: `${bytes(free * 2)}x10` }], alerts: [] };
    if (limited) {
      const l = cadvisorLabels(limited.name);
      const limit = bytes(limited.limit ?? 0);
      fire.series.push({ metric: 'container_memory_working_set_bytes', labels: l, values: `${Math.round(limit * 0.95)}x10` }, { metric: 'container_spec_memory_limit_bytes', labels: l, values: `${limit}x10` });
      fire.alerts.push({ instance: l.instance!, name: l.name! });
      calm.series.push({ metric: 'container_memory_working_set_bytes', labels: l, values: `${Math.round(limit * 0.5)}x10` }, { metric: 'container_spec_memory_limit_bytes', labels: l, values: `${limit}x10` });
    }
    rules.push({
      alert: 'HighMemoryUsage',
      expr: `(${container}) or (${host})`,
      for: '2m',
      severity: SEVERITY.HighMemoryUsage,
      summary: 'Memory is running out on {{ $labels.instance }} {{ $labels.name }}',
      description: `Container {{ $labels.name }} uses over ${CONTAINER_ALERT_SHARE * 100}% of its own limit, or the host has under ${sizeFormat(free)} available (the plan's criterion: ${FREE_CRITERION_FORMULA}), for 2 minutes.`,
      threshold: `container working set > ${CONTAINER_ALERT_SHARE * 100}% of its limit; host MemAvailable < ${sizeFormat(free)}`,
      evalTime: '10m',
      fire,
      calm,
    });
  }

  // 3. ContainerOOMKills: the kernel killed a process (host-wide count, and per container when cAdvisor sees it).
  {
    const nodeExpr = 'sum by (instance) (increase(node_vmstat_oom_kill[30m])) > 0';
    const cadExpr = 'sum by (instance, name) (increase(container_oom_events_total{name!=""}[30m])) > 0';
    const l = cadvisorLabels(limited?.name ?? 'app');
    rules.push({
      alert: 'ContainerOOMKills',
      expr: `(${cadExpr}) or (${nodeExpr})`,
      for: '0m',
      severity: SEVERITY.ContainerOOMKills,
      summary: 'OOM kill on {{ $labels.instance }} {{ $labels.name }}',
      description: 'The kernel OOM killer ran in the last 30 minutes. Check `dmesg | grep -i oom` and the RUNBOOK.',
      threshold: 'any OOM kill in 30 minutes',
      evalTime: '10m',
      fire: {
        series: [
          { metric: 'node_vmstat_oom_kill', labels: nodeLabels, values: '0 0 0 1x20' },
          { metric: 'container_oom_events_total', labels: l, values: '0 0 0 1x20' },
        ],
        alerts: [{ instance: l.instance!, name: l.name! }, { instance: nodeLabels.instance! }],
      },
      calm: {
        series: [
          { metric: 'node_vmstat_oom_kill', labels: nodeLabels, values: '3x20' },
          { metric: 'container_oom_events_total', labels: l, values: '0x20' },
        ],
        alerts: [],
      },
    });
  }

  // 4. LowDiskSpace: under 10% free, or the root filesystem can no longer hold one more retention of Prometheus data.
  {
    const s = prom.settings;
    const tsdb = Math.round((s.retention * s.series * TSDB_BYTES_PER_SAMPLE) / s.scrapeInterval);
    const fs: Labels = { ...nodeLabels, device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' };
    const size = Math.max(tsdb * 20, 100 * 1073741824);
    rules.push({
      alert: 'LowDiskSpace',
      expr: `(node_filesystem_avail_bytes{${FS_FILTER}} / node_filesystem_size_bytes{${FS_FILTER}} < ${DISK_FREE_SHARE} or node_filesystem_avail_bytes{${FS_FILTER}, mountpoint="/"} < ${tsdb}) and on (instance, device, mountpoint) node_filesystem_readonly == 0`,
      for: '2m',
      severity: SEVERITY.LowDiskSpace,
      summary: 'Disk almost full: {{ $labels.mountpoint }} on {{ $labels.instance }}',
      description: `Under ${DISK_FREE_SHARE * 100}% free, or (on /) under ${sizeFormat(tsdb / 1048576)}: one more ${Math.round(s.retention / 86400)}d retention of ~${s.series} series every ${s.scrapeInterval}s at ${TSDB_BYTES_PER_SAMPLE} bytes a sample.`,
      threshold: `< ${DISK_FREE_SHARE * 100}% free, or / < ${sizeFormat(tsdb / 1048576)} (Prometheus's retention)`,
      evalTime: '10m',
      fire: {
        series: [
          { metric: 'node_filesystem_avail_bytes', labels: fs, values: `${Math.round(size * 0.05)}x10` },
          { metric: 'node_filesystem_size_bytes', labels: fs, values: `${size}x10` },
          { metric: 'node_filesystem_readonly', labels: fs, values: '0x10' },
        ],
        alerts: [fs],
      },
      calm: {
        series: [
          { metric: 'node_filesystem_avail_bytes', labels: fs, values: `${Math.round(size * 0.5)}x10` },
          { metric: 'node_filesystem_size_bytes', labels: fs, values: `${size}x10` },
          { metric: 'node_filesystem_readonly', labels: fs, values: '0x10' },
        ],
        alerts: [],
      },
    });
  }

  // 5. RedisMemoryHigh: 90% of this plan's maxmemory (of the limit when maxmemory is unbounded).
  if (stack.redis.length) {
    const items = stack.redis.map((r) => {
      const base = r.settings.maxmemory > 0 ? r.settings.maxmemory : (r.limit ?? plan.host.ram);
      const exp = stack.exporters.find((e) => e.exporter === 'redis-exporter' && e.watches === r.name);
      const labels: Labels = { instance: exp ? `${exp.name}:${exp.port}` : `${r.name}-exporter:9121`, job: exp?.name ?? `${r.name}-exporter`, service: r.name };
      return { r, base, threshold: Math.floor(bytes(base) * REDIS_MEMORY_ALERT_SHARE), labels };
    });
    rules.push({
      alert: 'RedisMemoryHigh',
      expr: items.map((i) => `${sel('redis_memory_used_bytes', { service: i.r.name })} > ${i.threshold}`).join(' or '),
      for: '2m',
      severity: SEVERITY.RedisMemoryHigh,
      summary: 'Redis {{ $labels.service }} is near its maxmemory',
      description: `Redis uses over ${REDIS_MEMORY_ALERT_SHARE * 100}% of the memory this plan gives it (${items.map((i) => sizeFormat(i.base)).join(', ')}); eviction or OOM follows.`,
      threshold: items.map((i) => `${sizeFormat(i.base * REDIS_MEMORY_ALERT_SHARE)} (${REDIS_MEMORY_ALERT_SHARE * 100}% of ${i.r.settings.maxmemory > 0 ? 'maxmemory' : 'the limit: maxmemory is unbounded'} ${sizeFormat(i.base)})`).join('; '),
      evalTime: '10m',
      fire: { series: items.map((i) => ({ metric: 'redis_memory_used_bytes', labels: i.labels, values: `${Math.round(bytes(i.base) * 0.97)}x10` })), alerts: items.map((i) => i.labels) },
      calm: { series: items.map((i) => ({ metric: 'redis_memory_used_bytes', labels: i.labels, values: `${Math.round(bytes(i.base) * 0.5)}x10` })), alerts: [] },
    });
  }

  // 6. HighDatabaseConnections: 90% of this plan's max_connections.
  if (stack.postgres.length) {
    const items = stack.postgres.map((pg) => ({ pg, threshold: connectionsAlertAbove(pg.settings.maxConnections) }));
    const labelsOf = (name: string): Labels => ({ datname: 'app', instance: `${name}-exporter:9187`, job: `${name}-exporter`, service: name, state: 'idle' });
    rules.push({
      alert: 'HighDatabaseConnections',
      expr: items.map((i) => `sum by (service) (${sel('pg_stat_activity_count', { service: i.pg.name })}) > ${i.threshold}`).join(' or '),
      for: '2m',
      severity: SEVERITY.HighDatabaseConnections,
      summary: 'Postgres {{ $labels.service }} is near max_connections',
      description: `Over ${CONNECTIONS_SHARE * 100}% of max_connections in use (${items.map((i) => `${i.threshold} of ${i.pg.settings.maxConnections}`).join(', ')}). New connections will soon be refused.`,
      threshold: items.map((i) => `> ${i.threshold} connections (${CONNECTIONS_SHARE * 100}% of max_connections ${i.pg.settings.maxConnections})`).join('; '),
      evalTime: '10m',
      fire: { series: items.map((i) => ({ metric: 'pg_stat_activity_count', labels: labelsOf(i.pg.name), values: `${i.threshold + 1}x10` })), alerts: items.map((i) => ({ service: i.pg.name })) },
      calm: { series: items.map((i) => ({ metric: 'pg_stat_activity_count', labels: labelsOf(i.pg.name), values: `${Math.floor(i.threshold / 2)}x10` })), alerts: [] },
    });
  }

  // 7. HighAPILatency: p95 over the seed's 500 ms (or twice the planned request time when that is longer).
  if (stack.app.length) {
    const t = Math.max(API_P95_SECONDS, (2 * plan.workload.requestTimeMs) / 1000);
    const metric = 'http_request_duration_highr_seconds_bucket';
    const series = (values: [string, string, string]): InputSeries[] =>
      stack.app.flatMap((a) =>
        [num(t / 4), num(t * 2), '+Inf'].map((le, k) => ({ metric, labels: { instance: `${a.name}:8000`, job: a.name, le, service: a.name }, values: values[k]! })),
      );
    rules.push({
      alert: 'HighAPILatency',
      expr: `histogram_quantile(0.95, sum by (service, le) (rate(${metric}[5m]))) > ${num(t)}`,
      for: '5m',
      severity: SEVERITY.HighAPILatency,
      summary: 'API p95 latency is high on {{ $labels.service }}',
      description: `The 95th percentile of request time is over ${num(t * 1000)}ms (criterion: P95 < 500ms) for 5 minutes.`,
      threshold: `p95 > ${num(t * 1000)}ms`,
      evalTime: '15m',
      fire: { series: series(['0x20', '0+60x20', '0+60x20']), alerts: stack.app.map((a) => ({ service: a.name })) },
      calm: { series: series(['0+60x20', '0+60x20', '0+60x20']), alerts: [] },
    });
  }

  // 8. SlowDatabaseQueries: a transaction open far longer than the plan's time per request.
  if (stack.postgres.length) {
    const t = Math.max(SLOW_TX_MIN_SECONDS, (SLOW_TX_FACTOR * plan.workload.dbTimePerRequestMs) / 1000);
    const labelsOf = (name: string): Labels => ({ datname: 'app', instance: `${name}-exporter:9187`, job: `${name}-exporter`, service: name, state: 'active' });
    rules.push({
      alert: 'SlowDatabaseQueries',
      expr: `max by (service) (pg_stat_activity_max_tx_duration) > ${num(t)}`,
      for: '2m',
      severity: SEVERITY.SlowDatabaseQueries,
      summary: 'Long transaction on Postgres {{ $labels.service }}',
      description: `A transaction has been open over ${num(t)}s (the plan assumes ${plan.workload.dbTimePerRequestMs}ms per request). It holds a connection and blocks vacuum.`,
      threshold: `a transaction open > ${num(t)}s`,
      evalTime: '10m',
      fire: { series: stack.postgres.map((pg) => ({ metric: 'pg_stat_activity_max_tx_duration', labels: labelsOf(pg.name), values: `${num(t * 3)}x10` })), alerts: stack.postgres.map((pg) => ({ service: pg.name })) },
      calm: { series: stack.postgres.map((pg) => ({ metric: 'pg_stat_activity_max_tx_duration', labels: labelsOf(pg.name), values: `${num(t / 10)}x10` })), alerts: [] },
    });
  }

  // 9. LowCacheHitRate: under 80% of the hit rate the plan counts on, with real traffic.
  const hitT = CACHE_HIT_SHARE * plan.workload.cacheHitRate;
  if (stack.redis.length && hitT > 0) {
    const hits = 'sum by (service) (rate(redis_keyspace_hits_total[5m]))';
    const misses = 'sum by (service) (rate(redis_keyspace_misses_total[5m]))';
    const labelsOf = (name: string): Labels => ({ instance: `${name}-exporter:9121`, job: `${name}-exporter`, service: name });
    const series = (h: string, m: string): InputSeries[] =>
      stack.redis.flatMap((r) => [
        { metric: 'redis_keyspace_hits_total', labels: labelsOf(r.name), values: h },
        { metric: 'redis_keyspace_misses_total', labels: labelsOf(r.name), values: m },
      ]);
    rules.push({
      alert: 'LowCacheHitRate',
      expr: `(${hits} / (${hits} + ${misses}) < ${num(hitT)}) and on (service) (${hits} + ${misses}) > 1`,
      for: '10m',
      severity: SEVERITY.LowCacheHitRate,
      summary: 'Cache hit rate is low on Redis {{ $labels.service }}',
      description: `Under ${num(hitT * 100)}% of lookups hit (80% of the planned ${num(plan.workload.cacheHitRate * 100)}%) for 10 minutes: more queries reach Postgres than the plan budgets.`,
      threshold: `hit rate < ${num(hitT * 100)}%`,
      evalTime: '20m',
      fire: { series: series('0x30', '0+300x30'), alerts: stack.redis.map((r) => ({ service: r.name })) },
      calm: { series: series('0+300x30', '0x30'), alerts: [] },
    });
  }

  // 10. HighNetworkIO: a container moving more than the plan's spike traffic.
  {
    const w = plan.workload;
    const rps = (w.activeUsers * w.spike * w.requestsPerUserPerMinute) / 60;
    const t = Math.max(NETWORK_MIN_BYTES, Math.round(rps * BYTES_PER_REQUEST));
    const l: Labels = { ...cadvisorLabels(stack.app[0]?.name ?? limited?.name ?? 'app'), interface: 'eth0' };
    const perMinute = (rate: number) => `0+${Math.round(rate * 60)}x20`;
    rules.push({
      alert: 'HighNetworkIO',
      expr: `sum by (instance, name) (rate(container_network_receive_bytes_total{name!=""}[5m]) + rate(container_network_transmit_bytes_total{name!=""}[5m])) > ${t}`,
      for: '5m',
      severity: SEVERITY.HighNetworkIO,
      summary: 'High network traffic in {{ $labels.name }}',
      description: `Over ${sizeFormat(t / 1048576)}/s in and out for 5 minutes: more than the plan's spike (${Math.round(rps)} requests/s x ~${sizeFormat(BYTES_PER_REQUEST / 1048576)}).`,
      threshold: `> ${sizeFormat(t / 1048576)}/s`,
      evalTime: '15m',
      fire: {
        series: [
          { metric: 'container_network_receive_bytes_total', labels: l, values: perMinute(t * 1.5) },
          { metric: 'container_network_transmit_bytes_total', labels: l, values: perMinute(t * 0.5) },
        ],
        alerts: [{ instance: l.instance!, name: l.name! }],
      },
      calm: {
        series: [
          { metric: 'container_network_receive_bytes_total', labels: l, values: perMinute(t * 0.1) },
          { metric: 'container_network_transmit_bytes_total', labels: l, values: perMinute(t * 0.1) },
        ],
        alerts: [],
      },
    });
  }
  return rules;
}

export function alertsYml(stack: Stack): string {
  const rules = alertRules(stack);
  return yamlDocument(
    {
      groups: [
        {
          name: 'headroom',
          rules: rules.map((r) => ({
            alert: r.alert,
            expr: r.expr,
            for: r.for,
            labels: { severity: r.severity },
            annotations: { summary: r.summary, description: r.description },
          })),
        },
      ],
    },
    [
      `Alert rules. ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`,
      'Thresholds follow the plan:',
      ...rules.map((r) => `  ${r.alert} (${r.severity}): ${r.threshold}`),
      `Tested by ${stack.files.alertsTest}: promtool test rules ${stack.files.alertsTest}`,
    ],
  );
}

/** Does a rule see what it watches? One record per rule and metric source (and per service for ServiceDown). */
export type AlertCoverage = {
  rule: AlertName;
  exporter: MetricSource | 'none';
  /** The plan service concerned, when the record is about one. */
  service?: string;
  /** The rule applies to this plan (e.g. RedisMemoryHigh needs a Redis). */
  applies: boolean;
  /** It applies, and nothing in the exported stack provides its metrics. */
  blind: boolean;
  note?: string;
};

/**
 * Which of the ten rules can see what they watch in the exported stack. Pure: the engine can turn
 * each `blind` record into a finding.
 */
export function alertCoverage(plan: Plan): AlertCoverage[] {
  const stack = stackOf(plan);
  const hasProm = stack.prometheus.length > 0;
  const exporters = new Set(exportersFor(stack.plan).map((e) => e.exporter));
  const provided = (src: MetricSource) => hasProm && (src === 'prometheus' || src === 'app' ? true : exporters.has(src));
  const out: AlertCoverage[] = [];
  const applies: Record<AlertName, boolean> = {
    ServiceDown: true,
    HighMemoryUsage: true,
    ContainerOOMKills: true,
    LowDiskSpace: true,
    RedisMemoryHigh: stack.redis.length > 0,
    HighDatabaseConnections: stack.postgres.length > 0,
    HighAPILatency: stack.app.length > 0,
    SlowDatabaseQueries: stack.postgres.length > 0,
    LowCacheHitRate: stack.redis.length > 0 && plan.workload.cacheHitRate > 0,
    HighNetworkIO: true,
  };
  for (const rule of ALERT_NAMES) {
    for (const src of RULE_SOURCES[rule]) {
      const a = applies[rule];
      out.push({
        rule,
        exporter: src,
        applies: a,
        blind: a && !provided(src),
        ...(src === 'app' ? { note: "assumes the app serves /metrics with prometheus-fastapi-instrumentator's default histogram" } : {}),
        ...(!hasProm ? { note: 'the plan has no Prometheus: no rule is evaluated' } : {}),
      });
    }
  }
  // ServiceDown per service: a service is seen when Prometheus scrapes it (Headroom's job or the user's own) or an exporter reads it (the engine's one rule).
  const seen = servicesSeen(stack.plan);
  for (const s of stack.plan.services) {
    if (s.kind === 'prometheus' || stack.exporters.some((e) => e.name === s.name)) continue;
    const ok = seen.has(s.name);
    out.push({
      rule: 'ServiceDown',
      exporter: ok ? (exporterWatching(s.kind) ?? 'prometheus') : 'none',
      service: s.name,
      applies: true,
      blind: !ok,
      ...(!ok ? { note: hasProm ? `nothing scrapes ${s.kind} services: a stopped container shows only through its dependants` : 'the plan has no Prometheus' } : {}),
    });
  }
  return out;
}
