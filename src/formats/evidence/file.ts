/**
 * The evidence file: what `headroom observe` writes and what every other evidence input
 * (Prometheus, docker stats, cgroup files, free -m / meminfo) is turned into. One zod/mini
 * schema with a version, its type, and a parser whose issues name the path and what was
 * expected (the plan file's way: engine/schema.ts).
 *
 * {
 *   "format": "headroom-evidence", "version": 1,
 *   "source": "observe" | "prometheus" | "docker-stats" | "cgroup" | "meminfo",
 *   "collectedAt": "2026-12-02T05:30:00Z",          // when the window ended (ISO-8601)
 *   "durationSeconds": 600, "intervalSeconds": 5,    // the window; interval null when irregular
 *   "host": { "memTotalBytes": 4012345344, "source": "/proc/meminfo" } | null,
 *   "services": [ {
 *     "service": "postgres", "containers": ["shop-postgres-1"],
 *     "samples": [[1764653400, 257949696], …],      // [unix seconds, working-set bytes]
 *     "limitBytes": 838860800 | null, "peakBytes": 301989888 | null,
 *     "anonBytes": 201326592 | null, "fileBytes": 56623104 | null,
 *     "oomKills": [ { "at": "2026-12-02T05:21:13Z" | null, "container": "shop-postgres-1" } ],
 *     "restarts": 0 } ] }
 *
 * Semantics the shape alone does not say:
 * - `samples` are per container: a service with replicas has one sample per container at each
 *   time (so several samples share a timestamp). Limits are per container, so percentiles are
 *   taken over container samples, never over a sum of replicas.
 * - working set = usage − inactive file (cAdvisor's container_memory_working_set_bytes, what
 *   docker stats prints as MEM USAGE on cgroup v2); `peakBytes` is the kernel's own high-water
 *   mark (memory.peak / memory.max_usage_in_bytes) when it was read, which sees spikes between
 *   samples (it counts page cache too, so it can exceed every sample).
 * - `oomKills[].at` is null when the source counts kills without their times (cgroup
 *   memory.events oom_kill): one entry per counted kill. observe, which sees Docker's events,
 *   always writes the time.
 * - `services` is an array, not a map keyed by service names (names are user text).
 */
import * as z from 'zod/mini';
import { inputIssues, type InputIssue } from '../../engine/input-issues.ts';
import { issuesBounded } from '../input-policy.ts';

export const EVIDENCE_FORMAT = 'headroom-evidence';
export const EVIDENCE_VERSION = 1;

export const EVIDENCE_SOURCES = ['observe', 'prometheus', 'docker-stats', 'cgroup', 'meminfo'] as const;
export type EvidenceSource = (typeof EVIDENCE_SOURCES)[number];

/** Assumed: a week at a 5 s interval is 120,960 samples per container; a million per service
 * leaves room for replicas and finer scrapes and keeps a bad file from eating the page's memory. */
export const MAX_SAMPLES_PER_SERVICE = 1_000_000;
/** Assumed: the plan's own cap (engine/schema.ts: at most 2000 services). */
export const MAX_EVIDENCE_SERVICES = 2000;

/** Bytes: a whole number from 0 to 2^53 (Number.MAX_SAFE_INTEGER). */
const bytes = (what: string) => {
  const message = `expected ${what} as a whole number of bytes (0 or more)`;
  return z.number({ error: message }).check(z.int(message), z.minimum(0, message), z.maximum(Number.MAX_SAFE_INTEGER, message));
};
const nullableBytes = (what: string) => z.nullable(bytes(what));

/** ISO-8601 date-time with a zone (`2026-12-02T05:21:13Z`, `…+01:00`); Date.parse must read it. */
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const isoTime = (what: string) =>
  z.string({ error: `expected ${what} as an ISO-8601 time like 2026-12-02T05:21:13Z` }).check(
    z.refine((v: string) => ISO_RE.test(v) && Number.isFinite(Date.parse(v)), `expected ${what} as an ISO-8601 time like 2026-12-02T05:21:13Z`),
  );

const seconds = (what: string) => {
  const message = `expected ${what} as a number of seconds (0 or more)`;
  return z.number({ error: message }).check(z.minimum(0, message), z.maximum(1e10, message));
};

/** [unix seconds, working-set bytes]. */
const sampleSchema = z.tuple([seconds('the sample time (unix seconds)'), bytes('the working set')], { error: 'expected a sample [unixSeconds, workingSetBytes]' });

/** `at` is null when the source only counts kills (cgroup memory.events oom_kill has no times). */
const oomKillSchema = z.strictObject({
  at: z.nullable(isoTime('the OOM kill time')),
  container: z.string({ error: 'expected the killed container name (text)' }).check(z.minLength(1, 'expected the killed container name')),
});

const serviceSchema = z.strictObject({
  service: z.string({ error: 'expected the compose service name (text)' }).check(z.minLength(1, 'expected the compose service name'), z.maxLength(255, 'expected a service name of at most 255 characters')),
  containers: z.array(z.string({ error: 'expected a container name (text)' }), { error: 'expected a list of container names' }),
  samples: z.array(sampleSchema, { error: 'expected a list of samples [unixSeconds, workingSetBytes]' }).check(z.maxLength(MAX_SAMPLES_PER_SERVICE, `expected at most ${MAX_SAMPLES_PER_SERVICE} samples per service`)),
  limitBytes: nullableBytes('the memory limit'),
  peakBytes: nullableBytes('the peak (memory.peak)'),
  anonBytes: nullableBytes('anonymous memory (memory.stat anon)'),
  fileBytes: nullableBytes('page cache (memory.stat file)'),
  oomKills: z.array(oomKillSchema, { error: 'expected a list of OOM kills { at, container }' }),
  restarts: z.int({ error: 'expected restarts as a whole number (0 or more)' }).check(z.minimum(0, 'expected restarts as a whole number (0 or more)')),
});

const hostSchema = z.strictObject({
  memTotalBytes: bytes('the host\'s total memory').check(z.minimum(64 * 1048576, 'expected a host of at least 64 MiB')),
  source: z.string({ error: 'expected where the host\'s memory was read (text, e.g. /proc/meminfo)' }),
});

export const evidenceSchema = z
  .strictObject({
    format: z.literal(EVIDENCE_FORMAT, { error: `expected "${EVIDENCE_FORMAT}"` }),
    version: z.literal(EVIDENCE_VERSION, { error: `expected version ${EVIDENCE_VERSION} (this Headroom reads evidence version ${EVIDENCE_VERSION})` }),
    source: z.enum(EVIDENCE_SOURCES, { error: `expected one of ${EVIDENCE_SOURCES.join(' | ')}` }),
    collectedAt: isoTime('collectedAt'),
    durationSeconds: seconds('the window'),
    intervalSeconds: z.nullable(seconds('the sampling interval').check(z.positive('expected a sampling interval above 0 seconds, or null'))),
    host: z.nullable(hostSchema),
    services: z.array(serviceSchema, { error: 'expected a list of services' }).check(z.maxLength(MAX_EVIDENCE_SERVICES, `expected at most ${MAX_EVIDENCE_SERVICES} services`)),
  })
  .check(
    z.superRefine((ev, ctx) => {
      const seen = new Map<string, number>();
      ev.services.forEach((s, i) => {
        if (seen.has(s.service)) ctx.addIssue({ code: 'custom', message: `duplicate service "${s.service}" (also services[${seen.get(s.service)}]): merge its containers and samples into one entry`, path: ['services', i, 'service'] });
        else seen.set(s.service, i);
      });
    }),
  );

export type Evidence = z.output<typeof evidenceSchema>;
export type EvidenceService = Evidence['services'][number];
export type EvidenceHost = NonNullable<Evidence['host']>;
export type OomKill = EvidenceService['oomKills'][number];

export type EvidenceParse = { ok: true; evidence: Evidence } | { ok: false; issues: InputIssue[] };

/** A parsed JSON document → validated evidence, or issues with their paths. */
export function evidenceParse(doc: unknown): EvidenceParse {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, issues: [{ path: '(evidence)', message: `expected a mapping with "format": "${EVIDENCE_FORMAT}", version, services` }] };
  }
  const version = (doc as Record<string, unknown>).version;
  if ((doc as Record<string, unknown>).format === EVIDENCE_FORMAT && typeof version === 'number' && version > EVIDENCE_VERSION) {
    return { ok: false, issues: [{ path: 'version', message: `evidence version ${version} is newer than this Headroom reads (${EVIDENCE_VERSION}): update Headroom` }] };
  }
  const r = evidenceSchema.safeParse(doc);
  if (r.success) return { ok: true, evidence: r.data };
  // Bounded by the one input policy (a million bad samples would otherwise print a million lines).
  return { ok: false, issues: issuesBounded(inputIssues(doc, r.error.issues, '(evidence)')) };
}

/** JSON text → validated evidence; a syntax error names its line and column. */
export function evidenceTextParse(text: string): EvidenceParse {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, issues: [{ path: jsonErrorWhere(text, e), message: `expected JSON: ${jsonErrorText(text, e)}` }] };
  }
  return evidenceParse(doc);
}

/** Evidence as JSON text (what observe writes): services in the given order. */
export function evidenceToText(evidence: Evidence): string {
  return `${JSON.stringify(evidence, null, 2)}\n`;
}

/** Where V8's JSON.parse stopped: it says "at position N" (and "line L column C" since Node 20). */
function jsonErrorAt(text: string, e: unknown): number | null {
  const msg = e instanceof Error ? e.message : String(e);
  const pos = /position (\d+)/.exec(msg);
  if (pos) return Number(pos[1]);
  return /Unexpected end of JSON input/.test(msg) ? text.length : null;
}

/** A JSON.parse error's place as "line L, column C". */
export function jsonErrorWhere(text: string, e: unknown): string {
  const at = jsonErrorAt(text, e);
  if (at === null) return '(syntax)';
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return `line ${line}, column ${at - before.lastIndexOf('\n')}`;
}

/** The JSON.parse message without V8's position and source excerpt; a stop at the end is a truncation. */
export function jsonErrorText(text: string, e: unknown): string {
  const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  const at = jsonErrorAt(text, e);
  if (/Unexpected end of JSON input|Unterminated string/.test(msg) || (at !== null && at >= text.trimEnd().length)) return 'the text ends too early (truncated?)';
  return msg.replace(/,? "[^"]*"\.\.\. is not valid JSON$/, '').replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
}
