/**
 * Calibration: the engine's predictions against memory measured on real servers.
 *
 * `npm run calibrate` (scripts/calibrate/) starts PostgreSQL, pgBouncer, Redis, Prometheus,
 * memcached, MariaDB (the mysql kind) and RabbitMQ
 * with the files Headroom exports, loads them, and records what they used in
 * calibration/<service>.json; `npm run stack-test -- --record` (scripts/stack-test/) does the same
 * for the app and the Docker engine (calibration/fastapi.json, host.json) from real containers, and
 * `npm run calibrate -- host` for the kernel and system in virtual machines (calibration/kernel.json): the plan it ran, the settings the tool reported, the load, the
 * measured figures, the tools' versions and the machine. This module reads those records and
 * evaluates every case through the engine, so a test (and the README, and the page) can show
 * predicted against measured. Pure: the JSON is imported, not read.
 */
import { z } from 'zod';
import { evaluate } from './evaluate.ts';
import { planWithFeatures } from './features.ts';
import { planParse, type PlanInput } from './schema.ts';
import type { Range } from './report.ts';
import postgresData from '../../calibration/postgres.json';
import pgbouncerData from '../../calibration/pgbouncer.json';
import redisData from '../../calibration/redis.json';
import prometheusData from '../../calibration/prometheus.json';
import proxyData from '../../calibration/proxy.json';
import jvmData from '../../calibration/jvm.json';
import fastapiData from '../../calibration/fastapi.json';
import nodeData from '../../calibration/node.json';
import memcachedData from '../../calibration/memcached.json';
import mysqlData from '../../calibration/mysql.json';
import rabbitmqData from '../../calibration/rabbitmq.json';
import hostData from '../../calibration/host.json';
import kernelData from '../../calibration/kernel.json';
import { hostReserve, KERNEL_COMPONENT } from './host.ts';
import { usageOf } from './usage.ts';

const finite = z.number().finite();

const caseSchema = z.object({
  /** Unique within its file, e.g. `pgbench-ro-c20-sb128-wm4`. */
  id: z.string().min(1),
  /** One line for people. */
  label: z.string().min(1),
  /** `typical`: a typical load, compared with the typical prediction. `stress`: a load past the
   * typical one (writes flat out, dashboards over every series), and `light`: one below it (no
   * queries at all): both checked against the low–high range only. */
  role: z.enum(['typical', 'stress', 'light']),
  /** The plan whose exported config ran and whose prediction is compared; its `workload` describes the load applied. */
  plan: z.record(z.string(), z.unknown()),
  /** The plan service the measurement is of. */
  service: z.string().min(1),
  /** Settings as the running tool reported them (SHOW, CONFIG GET, SHOW CONFIG), as strings. */
  settings: z.record(z.string(), z.string()),
  /** The load applied and the machine's load while measuring. */
  load: z.record(z.string(), z.union([finite, z.string()])),
  measured: z.object({
    /** What was summed, e.g. "PSS of every postgres process". */
    metric: z.string().min(1),
    /** Median of the samples, MiB. */
    typicalMiB: finite.nonnegative(),
    /** Largest sample, MiB. */
    peakMiB: finite.nonnegative(),
    samples: z.number().int().positive(),
    /** Parts of the figure and other readings (MiB unless the name says otherwise). */
    detail: z.record(z.string(), finite),
  }),
});

export const calibrationFileSchema = z.object({
  version: z.literal(1),
  /** The service kind measured; `host`: the host reserve's Docker-engine part (its cases' service is `host-reserve`);
   * `kernel`: its kernel-and-system part, in virtual machines (`kernel-and-system`). */
  kind: z.enum(['postgres', 'pgbouncer', 'redis', 'prometheus', 'proxy', 'jvm', 'node', 'fastapi', 'memcached', 'mysql', 'rabbitmq', 'host', 'kernel']),
  recordedAt: z.string().min(1),
  /** How the figures were measured, for people. */
  method: z.string().min(1),
  machine: z.object({ cpu: z.string(), cores: z.number(), memMiB: z.number(), kernel: z.string(), os: z.string(), node: z.string(), cgroup: z.string() }),
  tools: z.record(z.string(), z.string()),
  cases: z.array(caseSchema).min(1),
});

export type CalibrationFile = z.infer<typeof calibrationFileSchema>;

/** Each measured kind as people name it (the page's calibration table and the README's, scripts/calibrate/table.ts). */
export const CALIBRATION_KIND_LABEL: Record<CalibrationFile['kind'], string> = {
  postgres: 'PostgreSQL', pgbouncer: 'pgBouncer', redis: 'Redis', prometheus: 'Prometheus', proxy: 'nginx', jvm: 'JVM', node: 'Node.js',
  fastapi: 'FastAPI (gunicorn + uvicorn)', memcached: 'memcached', mysql: 'MariaDB', rabbitmq: 'RabbitMQ',
  host: 'Docker engine (host reserve)', kernel: 'Kernel and system (host reserve, VMs)',
};
export type CalibrationCase = z.infer<typeof caseSchema>;
/** The plan of a case as the harness writes it. */
export type CalibrationPlan = PlanInput;

/** Typical cases: the typical prediction must be within this share of the measured typical. */
export const CALIBRATION_TOLERANCE = 0.2;

/** One recorded case against the engine's prediction for its plan. */
export type CalibrationRow = {
  kind: CalibrationFile['kind'];
  id: string;
  label: string;
  role: CalibrationCase['role'];
  /** The engine's low / typical / high for the measured service, MiB. */
  predicted: Range;
  /** Measured typical (median sample) and peak, MiB. */
  measured: { typical: number; peak: number };
  /** (predicted typical − measured typical) / measured typical × 100. */
  errorPercent: number;
  /** low ≤ measured typical and measured peak ≤ high. */
  inRange: boolean;
  /** Typical cases: within the tolerance and in range. Stress and light cases: in range. */
  ok: boolean;
};

const round2 = (v: number) => Math.round(v * 100) / 100;

/** Evaluates one case's plan and compares the service's usage with the measurement. */
export function calibrationRowOf(kind: CalibrationFile['kind'], c: CalibrationCase): CalibrationRow {
  const parsed = planParse(c.plan);
  if (!parsed.ok) throw new Error(`calibration case ${c.id}: its plan is invalid: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  let p: Range;
  if (kind === 'host') {
    // The deployment test measures the engine's processes (dockerd, containerd, the shims,
    // docker-proxy), not the kernel's share: compared with the reserve's other components, for
    // the containers that ran (settings.containers; the plan's services otherwise).
    const containers = Number(c.settings.containers ?? parsed.plan.services.length);
    if (!Number.isInteger(containers) || containers < 0) throw new Error(`calibration case ${c.id}: settings.containers must be a whole number, got ${c.settings.containers}`);
    const featured = planWithFeatures(parsed.plan);
    const plan = { ...featured, host: { ...featured.host, reserve: 'auto' as const } };
    p = usageOf(hostReserve(plan, containers).components.filter((x) => x.name !== KERNEL_COMPONENT));
  } else if (kind === 'kernel') {
    // Virtual machines of one size with the engine's processes subtracted (npm run calibrate -- host):
    // compared with the reserve's kernel-and-system part alone.
    p = usageOf(hostReserve(parsed.plan, 0).components.filter((x) => x.name === KERNEL_COMPONENT));
  } else {
    const svc = evaluate(parsed.plan).services.find((s) => s.name === c.service);
    if (!svc) throw new Error(`calibration case ${c.id}: its plan has no service "${c.service}"`);
    p = svc.usageMiB;
  }
  const m = { typical: c.measured.typicalMiB, peak: c.measured.peakMiB };
  const errorPercent = round2(((p.typical - m.typical) / m.typical) * 100);
  const inRange = p.low <= m.typical && m.peak <= p.high;
  const ok = c.role === 'typical' ? inRange && Math.abs(errorPercent) <= CALIBRATION_TOLERANCE * 100 : inRange;
  return { kind, id: c.id, label: c.label, role: c.role, predicted: { low: round2(p.low), typical: round2(p.typical), high: round2(p.high) }, measured: m, errorPercent, inRange, ok };
}

/** Every case of these files (default: the recorded ones) against the engine. */
export function calibrationRows(files: readonly CalibrationFile[] = calibrationFiles()): CalibrationRow[] {
  return files.flatMap((f) => f.cases.map((c) => calibrationRowOf(f.kind, c)));
}

/** One line per service kind: how well the engine fits, and where it was measured. */
export type CalibrationSummary = {
  kind: CalibrationFile['kind'];
  cases: number;
  /** Cases checked against the range only (stress and light loads). */
  rangeCases: number;
  /** Over the typical cases: the median and largest |error| in percent. */
  medianAbsErrorPercent: number;
  maxAbsErrorPercent: number;
  ok: boolean;
  recordedAt: string;
  tools: Record<string, string>;
  machine: CalibrationFile['machine'];
};

export function calibrationSummary(files: readonly CalibrationFile[] = calibrationFiles()): CalibrationSummary[] {
  return files.map((f) => {
    const rows = f.cases.map((c) => calibrationRowOf(f.kind, c));
    const errs = rows.filter((r) => r.role === 'typical').map((r) => Math.abs(r.errorPercent)).sort((a, b) => a - b);
    const mid = errs.length ? (errs.length % 2 ? errs[(errs.length - 1) / 2]! : (errs[errs.length / 2 - 1]! + errs[errs.length / 2]!) / 2) : 0;
    return {
      kind: f.kind,
      cases: rows.length,
      rangeCases: rows.length - errs.length,
      medianAbsErrorPercent: round2(mid),
      maxAbsErrorPercent: errs.length ? errs[errs.length - 1]! : 0,
      ok: rows.every((r) => r.ok),
      recordedAt: f.recordedAt,
      tools: f.tools,
      machine: f.machine,
    };
  });
}

const RECORDED: readonly (readonly [string, unknown])[] = [
  ['calibration/postgres.json', postgresData],
  ['calibration/pgbouncer.json', pgbouncerData],
  ['calibration/redis.json', redisData],
  ['calibration/prometheus.json', prometheusData],
  ['calibration/proxy.json', proxyData],
  ['calibration/jvm.json', jvmData],
  ['calibration/fastapi.json', fastapiData],
  ['calibration/node.json', nodeData],
  ['calibration/memcached.json', memcachedData],
  ['calibration/mysql.json', mysqlData],
  ['calibration/rabbitmq.json', rabbitmqData],
  // Written by the deployment test (npm run stack-test -- --record), not npm run calibrate.
  ['calibration/host.json', hostData],
  // Written by npm run calibrate -- host (virtual machines).
  ['calibration/kernel.json', kernelData],
];
let parsedFiles: CalibrationFile[] | null = null;

/** The recorded data files (calibration/*.json), validated. */
export function calibrationFiles(): CalibrationFile[] {
  parsedFiles ??= RECORDED.map(([path, d]): CalibrationFile => {
    const r = calibrationFileSchema.safeParse(d);
    if (!r.success) throw new Error(`${path} does not match the schema (re-record it with npm run calibrate): ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return r.data;
  });
  return parsedFiles;
}
