/**
 * cgroup memory files collected per container → evidence. The collected layout is one JSON
 * bundle of the files' contents (or a folder per container, which the CLI reads into the same
 * bundle: cli/evidence.ts):
 *
 *   { "format": "headroom-cgroup-files", "collectedAt": "2026-12-02T05:30:00Z",
 *     "containers": [ { "container": "shop-postgres-1", "service": "postgres",   // service optional
 *       "files": { "memory.current": "…", "memory.peak": "…", "memory.max": "…",
 *                  "memory.stat": "…", "memory.events": "…" } } ] }
 *
 * cgroup v2 files: memory.current, memory.peak, memory.max, memory.stat (anon, file,
 * inactive_file), memory.events (oom_kill). v1: memory.usage_in_bytes,
 * memory.max_usage_in_bytes, memory.limit_in_bytes, memory.stat (total_rss/rss,
 * total_cache/cache, total_inactive_file), memory.oom_control (oom_kill, kernel 4.13+).
 * The working set is usage − inactive file by the one rule (./working-set.ts, which observe uses);
 * memory.events counts kills without their times, so each is an OOM kill with `at: null`.
 */
import { issuesBounded } from '../input-policy.ts';
import type { InputIssue } from '../../engine/schema.ts';
import { evidenceBuild, type ContainerEvidence, type ServiceRef } from './build.ts';
import { workingSetBytes } from './working-set.ts';
import type { EvidenceParse } from './file.ts';

export const CGROUP_BUNDLE_FORMAT = 'headroom-cgroup-files';
export const CGROUP_FILES = [
  'memory.current', 'memory.peak', 'memory.max', 'memory.stat', 'memory.events',
  'memory.usage_in_bytes', 'memory.max_usage_in_bytes', 'memory.limit_in_bytes', 'memory.oom_control',
] as const;
/** cgroup v1 writes "no limit" as PAGE_COUNTER_MAX × page size (9223372036854771712 on 4 KiB pages): anything this large is none. */
const V1_NO_LIMIT = 2 ** 62;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function isCgroupBundle(doc: unknown): boolean {
  return isObject(doc) && doc.format === CGROUP_BUNDLE_FORMAT;
}

/** `key value` lines (memory.stat, memory.events, memory.oom_control) into a Map; bad lines are issues. */
function keyValues(text: string, at: string, issues: InputIssue[]): Map<string, number> {
  const out = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const m = /^(\w+)\s+(\d+)\s*$/.exec(line.trim());
    if (!m) issues.push({ path: `${at} line ${i + 1}`, message: `expected "key number" like "anon 201326592", got "${line.trim().slice(0, 60)}"` });
    else out.set(m[1]!, Number(m[2]));
  });
  return out;
}

/** A file holding one number of bytes (or "max" where `max` is allowed). */
function bytesIn(text: string, at: string, issues: InputIssue[], allowMax = false): number | null {
  const t = text.trim();
  if (allowMax && t === 'max') return null;
  if (!/^\d+$/.test(t)) {
    issues.push({ path: at, message: `expected a number of bytes${allowMax ? ' or "max"' : ''}, got "${t.slice(0, 40)}"` });
    return null;
  }
  return Number(t);
}

export function cgroupToEvidence(doc: unknown, services: readonly ServiceRef[]): EvidenceParse {
  const fail = (path: string, message: string): EvidenceParse => ({ ok: false, issues: [{ path, message }] });
  if (!isObject(doc)) return fail('(cgroup)', `expected { "format": "${CGROUP_BUNDLE_FORMAT}", "collectedAt", "containers": [...] }`);
  const unknownTop = Object.keys(doc).filter((k) => !['format', 'collectedAt', 'containers'].includes(k));
  if (unknownTop.length) return fail(unknownTop[0]!, 'unknown key');
  const collectedAt = doc.collectedAt;
  if (typeof collectedAt !== 'string' || !Number.isFinite(Date.parse(collectedAt))) return fail('collectedAt', 'expected when the files were read, as an ISO-8601 time like 2026-12-02T05:30:00Z');
  if (!Array.isArray(doc.containers)) return fail('containers', 'expected a list of { container, files }');
  const t = Math.round(Date.parse(collectedAt) / 1000);
  const issues: InputIssue[] = [];
  const containers: ContainerEvidence[] = [];
  doc.containers.forEach((c: unknown, i) => {
    const at = `containers[${i}]`;
    if (!isObject(c) || typeof c.container !== 'string' || c.container === '' || !isObject(c.files)) {
      issues.push({ path: at, message: 'expected { "container": "name", "files": { "memory.current": "…", … } }' });
      return;
    }
    if (c.service !== undefined && typeof c.service !== 'string') issues.push({ path: `${at}.service`, message: 'expected the compose service name (text)' });
    const files = new Map<string, string>();
    for (const [name, text] of Object.entries(c.files)) {
      if (!CGROUP_FILES.includes(name as never)) issues.push({ path: `${at}.files.${name}`, message: `unknown file: expected ${CGROUP_FILES.join(', ')}` });
      else if (typeof text !== 'string') issues.push({ path: `${at}.files.${name}`, message: 'expected the file\'s text' });
      else files.set(name, text);
    }
    const f = (name: string) => `${at}.files["${name}"]`;
    const read = (name: string, allowMax = false) => (files.has(name) ? bytesIn(files.get(name)!, f(name), issues, allowMax) : null);
    const v2 = files.has('memory.current');
    const usage = v2 ? read('memory.current') : read('memory.usage_in_bytes');
    if (usage === null && !issues.some((x) => x.path.startsWith(at))) {
      issues.push({ path: `${at}.files`, message: 'expected memory.current (cgroup v2) or memory.usage_in_bytes (cgroup v1)' });
      return;
    }
    const stat = files.has('memory.stat') ? keyValues(files.get('memory.stat')!, f('memory.stat'), issues) : new Map<string, number>();
    const events = files.has('memory.events') ? keyValues(files.get('memory.events')!, f('memory.events'), issues)
      : files.has('memory.oom_control') ? keyValues(files.get('memory.oom_control')!, f('memory.oom_control'), issues) : new Map<string, number>();
    const limitRaw = v2 ? read('memory.max', true) : read('memory.limit_in_bytes');
    const kills = events.get('oom_kill') ?? 0;
    if (usage === null) return;
    containers.push({
      container: c.container,
      ...(typeof c.service === 'string' ? { composeService: c.service } : {}),
      samples: [[t, workingSetBytes(usage, { total: stat.get('total_inactive_file'), own: stat.get('inactive_file') })]],
      limitBytes: limitRaw === null || limitRaw >= V1_NO_LIMIT ? null : limitRaw,
      peakBytes: v2 ? read('memory.peak') : read('memory.max_usage_in_bytes'),
      anonBytes: stat.get('anon') ?? stat.get('total_rss') ?? stat.get('rss') ?? null,
      fileBytes: stat.get('file') ?? stat.get('total_cache') ?? stat.get('cache') ?? null,
      oomKills: Array.from({ length: Math.min(kills, 10_000) }, () => ({ at: null, container: c.container as string })),
    });
  });
  if (issues.length > 0) return { ok: false, issues: issuesBounded(issues) };
  if (containers.length === 0) return fail('containers', 'expected at least one container');
  return evidenceBuild('cgroup', containers, services, { collectedAt, intervalSeconds: null, durationSeconds: 0 });
}
