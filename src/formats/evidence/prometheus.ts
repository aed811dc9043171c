/**
 * A Prometheus range query's response (`/api/v1/query_range`, JSON) → evidence. The series are
 * cAdvisor's container_memory_working_set_bytes (what the kubelet and krr size from) or
 * container_memory_rss, matched to the plan's services by the compose label cAdvisor exports
 * (container_label_com_docker_compose_service) or by the container's `name`. Values are strings
 * (Prometheus's API); NaN and ±Inf are dropped; a series with too few points is refused.
 */
import type { InputIssue } from '../../engine/schema.ts';
import { evidenceBuild, intervalOf, isoOf, type ContainerEvidence, type ServiceRef } from './build.ts';
import type { EvidenceParse } from './file.ts';

export const PROMETHEUS_METRICS = ['container_memory_working_set_bytes', 'container_memory_rss'] as const;
/** Fewer points than this give no percentile worth the name. Assumed: 5 (a 5-minute range at a 1-minute step). */
export const MIN_POINTS = 5;
const SERVICE_LABEL = 'container_label_com_docker_compose_service';

/** True when a parsed JSON document looks like a Prometheus API response. */
export function isPrometheusResponse(doc: unknown): boolean {
  return doc !== null && typeof doc === 'object' && !Array.isArray(doc) && 'status' in doc && ('data' in doc || 'error' in doc);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function prometheusToEvidence(doc: unknown, services: readonly ServiceRef[]): EvidenceParse {
  const fail = (path: string, message: string): EvidenceParse => ({ ok: false, issues: [{ path, message }] });
  if (!isObject(doc)) return fail('(prometheus)', 'expected a Prometheus API response: { "status": "success", "data": { "resultType": "matrix", "result": [...] } }');
  if (doc.status === 'error') return fail('status', `Prometheus answered with an error: ${String(doc.errorType ?? '')} ${String(doc.error ?? '')}`.trim());
  if (doc.status !== 'success') return fail('status', 'expected "success"');
  const data = doc.data;
  if (!isObject(data)) return fail('data', 'required: expected a mapping with resultType and result');
  if (data.resultType !== 'matrix') {
    const got = typeof data.resultType === 'string' ? data.resultType : typeof data.resultType;
    return fail('data.resultType', `expected "matrix" (a range query, /api/v1/query_range); got "${got}"${got === 'vector' ? ' (an instant query, /api/v1/query: one point per series, no window)' : ''}`);
  }
  if (!Array.isArray(data.result)) return fail('data.result', 'expected a list of series');
  const issues: InputIssue[] = [];
  const containers: ContainerEvidence[] = [];
  const metrics = new Set<string>();
  let skipped = 0;
  data.result.forEach((series: unknown, i) => {
    const at = `data.result[${i}]`;
    if (!isObject(series) || !isObject(series.metric) || !Array.isArray(series.values)) {
      issues.push({ path: at, message: 'expected a series { "metric": {...}, "values": [[time, "value"], ...] }' });
      return;
    }
    const labels = series.metric;
    const metric = labels.__name__;
    if (metric !== undefined) {
      if (!PROMETHEUS_METRICS.includes(metric as never)) {
        issues.push({ path: `${at}.metric.__name__`, message: `expected ${PROMETHEUS_METRICS.join(' or ')}; got ${String(metric)}` });
        return;
      }
      metrics.add(metric as string);
    }
    const name = typeof labels.name === 'string' && labels.name !== '' ? labels.name : undefined;
    const compose = typeof labels[SERVICE_LABEL] === 'string' && labels[SERVICE_LABEL] !== '' ? (labels[SERVICE_LABEL] as string) : undefined;
    // cAdvisor also exports the host's own cgroups (id="/", "/system.slice/…") without a name: not containers.
    if (name === undefined && compose === undefined) {
      skipped++;
      return;
    }
    const samples: Array<[number, number]> = [];
    series.values.forEach((point: unknown, j) => {
      if (!Array.isArray(point) || point.length !== 2 || typeof point[0] !== 'number' || typeof point[1] !== 'string') {
        if (issues.length < 20) issues.push({ path: `${at}.values[${j}]`, message: 'expected [unixSeconds, "value"] (Prometheus writes values as strings)' });
        return;
      }
      const v = Number(point[1]);
      if (!Number.isFinite(v)) return; // NaN / +Inf: a stale or broken scrape, not a measurement
      if (v < 0) {
        if (issues.length < 20) issues.push({ path: `${at}.values[${j}][1]`, message: `expected bytes (0 or more), got ${point[1]}` });
        return;
      }
      samples.push([point[0], Math.round(v)]);
    });
    if (samples.length < MIN_POINTS && issues.length === 0) {
      issues.push({ path: `${at}.values`, message: `too few points for ${name ?? compose}: ${samples.length} after dropping NaN (expected at least ${MIN_POINTS}; query a longer range or a smaller step)` });
      return;
    }
    containers.push({ container: name ?? compose!, ...(compose === undefined ? {} : { composeService: compose }), samples });
  });
  if (issues.length > 0) return { ok: false, issues };
  if (metrics.size > 1) return fail('data.result', `expected one metric, got ${[...metrics].join(' and ')}: query one of them`);
  if (containers.length === 0) return fail('data.result', `no container series${skipped ? ` (${skipped} series without a name or compose label: the host's own cgroups)` : ''}: query container_memory_working_set_bytes{name!=""}`);
  const times = containers.flatMap((c) => c.samples.map((s) => s[0]));
  const byContainer = containers.find((c) => c.samples.length > 1);
  return evidenceBuild('prometheus', containers, services, {
    collectedAt: isoOf(Math.max(...times)),
    intervalSeconds: byContainer ? intervalOf(byContainer.samples.map((s) => s[0])) : null,
  });
}
