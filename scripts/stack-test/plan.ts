/**
 * The plan under test, through the built CLI only (dist/cli/headroom.js): its report
 * (`plan --json`), its normalised workload (`capacity --json`: the first tier's plan carries
 * every workload field with the engine's defaults filled in) and its export (`export --out`).
 * Using the CLI keeps this harness independent of the engine's internals.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(REPO, 'dist', 'cli', 'headroom.js');
/** Plan files of the presets this harness runs (kept equal to the presets: checked at every run). */
export const PLANS_DIR = join(REPO, 'test', 'docker', 'plans');

export type Range = { low: number; typical: number; high: number };
export type ServiceReport = { name: string; kind: string; limitMiB: number | null; usageMiB: Range; risk: { level: string; pOverLimit: number }; components: { name: string; MiB: number; low: number; high: number; note?: string }[]; implied: boolean };
export type PlanReport = {
  name: string;
  host: { ramMiB: number; swapMiB: number; reserveMiB: number; reserveRangeMiB: Range; limitsMiB: number; usageMiB: Range; freeMiB: Range; freeCriterionMiB: number; risk: { level: string } };
  services: ServiceReport[];
  traffic: { activeUsers: number; requestsPerSecond: number; dbQueriesPerSecond: number; appConnections: number; backends: Range; inFlightRequests: Range; cacheMiB: Range };
  features: { pgbouncer: boolean; semanticCache: boolean; alertmanager: boolean; exporters: boolean };
  spike: { multiplier: number; host: PlanReport['host']; services: ServiceReport[]; traffic: PlanReport['traffic'] };
  findings: { id: string; severity: string; service?: string; message: string }[];
};
export type Workload = { activeUsers: number; spike: number; requestsPerUserPerMinute: number; requestTimeMs: number; dbTimePerRequestMs: number; cacheHitRate: number; cacheTtlSeconds: number; cacheEntrySize: string };

export function cli(args: string[], input?: string): string {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build:cli first`);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, timeout: 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`headroom ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** `plan FILE --json`. */
export function planReport(file: string): PlanReport {
  return JSON.parse(cli(['plan', file, '--json'])) as PlanReport;
}

/** The plan file for `--preset NAME`: test/docker/plans/NAME.yaml, refused unless the CLI reports the same for both. */
export function presetPlanFile(name: string): string {
  const file = join(PLANS_DIR, `${name}.yaml`);
  if (!existsSync(file)) {
    const have = readdirSync(PLANS_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    throw new Error(`--preset ${name}: no plan file ${file} (the stack test has ${have.join(', ')}; or pass --plan FILE)`);
  }
  const fromPreset = JSON.parse(cli(['plan', '--preset', name, '--json'])) as PlanReport;
  const fromFile = planReport(file);
  if (JSON.stringify(fromPreset) !== JSON.stringify(fromFile)) {
    throw new Error(`${file} no longer matches the preset ${name} (plan --json differs): update the file from src/engine/presets.ts`);
  }
  return file;
}

/** The plan file's input as written (YAML or JSON), for the calibration record. */
export function planInput(file: string): Record<string, unknown> {
  return parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** The workload with every field filled in as the engine reads it. */
export function workloadOf(file: string, report: PlanReport): Workload {
  const cap = JSON.parse(cli(['capacity', file, '--json'])) as { tiers: { plan: { workload: Workload } }[] };
  const w = cap.tiers[0]?.plan.workload;
  if (!w) throw new Error('capacity --json has no tier plan to read the workload from');
  const out: Workload = { ...w, activeUsers: report.traffic.activeUsers, spike: report.spike.multiplier };
  const rps = (out.activeUsers * out.requestsPerUserPerMinute) / 60;
  if (Math.abs(rps - report.traffic.requestsPerSecond) > 0.01) throw new Error(`workload: ${rps} requests/s from the workload but ${report.traffic.requestsPerSecond} in plan --json`);
  return out;
}

/** Bytes of a size the CLI writes ("4KiB", "512MiB"). */
export function sizeBytes(s: string | number): number {
  if (typeof s === 'number') return s * 1048576;
  const m = /^([\d.]+)\s*([KMGT]i?B?|[kmgt]|b)?$/i.exec(s.trim());
  if (!m) throw new Error(`size "${s}": expected e.g. 4KiB`);
  const unit = (m[2] ?? 'MiB').toUpperCase()[0];
  const mult = unit === 'B' ? 1 : unit === 'K' ? 1024 : unit === 'M' ? 1048576 : unit === 'G' ? 1073741824 : 1099511627776;
  return Number(m[1]) * mult;
}

/** `export FILE --out DIR`; returns the compose file's path. */
export function exportPlan(file: string, outDir: string): string {
  cli(['export', file, '--out', outDir]);
  const compose = readdirSync(outDir).find((f) => /^docker-compose.*\.ya?ml$/.test(f));
  if (!compose) throw new Error(`export wrote no docker-compose*.yml into ${outDir}`);
  return join(outDir, compose);
}

export function cliVersion(): string {
  try {
    return JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
}
