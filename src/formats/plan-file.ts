/**
 * The plan file as text: YAML or JSON in, YAML or JSON out. Parsing goes through the yaml
 * library (JSON is YAML), so syntax errors carry a line and a column; validation is the engine's
 * zod schema, so every problem carries its path.
 */
import { parseDocument, stringify } from 'yaml';
import { planParse, type InputIssue, type Plan, type PlanInput } from '../engine/schema.ts';
import { durationFormat, sizeToPlan } from '../engine/units.ts';

export type PlanTextResult = { ok: true; plan: Plan; doc: unknown } | { ok: false; issues: InputIssue[] };

/** Plan files larger than this are refused before parsing. Assumed: a 2000-service plan is ~400 kB. */
export const MAX_PLAN_BYTES = 16 * 1024 * 1024;

/** Parses YAML or JSON text into a document, with line and column on syntax errors. */
export function yamlTextParse(text: string): { ok: true; doc: unknown } | { ok: false; issues: InputIssue[] } {
  if (text.length > MAX_PLAN_BYTES) return { ok: false, issues: [{ path: '(file)', message: `expected at most 16 MiB of text, got ${(text.length / 1048576).toFixed(1)} MiB` }] };
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `line ${pos.line}, column ${pos.col}` : '(syntax)';
        return { path: where, message: firstLine(e.message).replace(/ at line \d+, column \d+:?$/, '') };
      }),
    };
  }
  try {
    return { ok: true, doc: doc.toJS({ maxAliasCount: 1000 }) };
  } catch (e) {
    return { ok: false, issues: [{ path: '(syntax)', message: firstLine(e instanceof Error ? e.message : String(e)) }] };
  }
}

/** Text → validated Plan. */
export function planTextParse(text: string): PlanTextResult {
  const parsed = yamlTextParse(text);
  if (!parsed.ok) return parsed;
  if (parsed.doc === null || parsed.doc === undefined) return { ok: false, issues: [{ path: '(plan)', message: 'the file is empty: expected a mapping with host and services' }] };
  const r = planParse(parsed.doc);
  return r.ok ? { ok: true, plan: r.plan, doc: parsed.doc } : r;
}

const SIZE_KEYS = new Set(['perWorker', 'sharedBuffers', 'workMem', 'maintenanceWorkMem', 'shmSize', 'maxmemory', 'appData', 'low', 'typical', 'high']);
const DURATION_KEYS = new Set(['scrapeInterval', 'retention']);

function settingsToInput(settings: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (typeof v === 'number' && SIZE_KEYS.has(k)) out[k] = sizeToPlan(v);
    else if (typeof v === 'number' && DURATION_KEYS.has(k)) out[k] = durationFormat(v);
    else if (v !== null && typeof v === 'object') out[k] = settingsToInput(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

/** A validated Plan written back in plan-file form (sizes as `800MiB`, durations as `30s`). */
export function planToInput(plan: Plan): PlanInput {
  const { host, workload } = plan;
  return {
    version: plan.version,
    ...(plan.name === undefined ? {} : { name: plan.name }),
    host: {
      ram: sizeToPlan(host.ram),
      reserve: host.reserve === 'auto' ? 'auto' : sizeToPlan(host.reserve),
      swap: sizeToPlan(host.swap),
      ...(host.pricePerMonth === undefined ? {} : { pricePerMonth: host.pricePerMonth }),
    },
    workload: { ...workload, cacheEntrySize: sizeToPlan(workload.cacheEntrySize) },
    features: { ...plan.features },
    services: plan.services.map((s) => ({
      name: s.name,
      kind: s.kind,
      ...(s.limit === null ? {} : { limit: sizeToPlan(s.limit) }),
      settings: settingsToInput(s.settings as Record<string, unknown>),
      // Observed usage (docker stats) survives a round trip through the plan file.
      ...(s.observed ? { observed: observedToInput(s.observed) } : {}),
      // How compose reaches it (ports, network_mode), as imported.
      ...(s.exposure ? { exposure: structuredClone(s.exposure) } : {}),
    })) as PlanInput['services'],
  };
}

/** Observed usage in plan-file form: sizes as `300MiB`, the window as `10m`, the rest as is. */
function observedToInput(o: NonNullable<Plan['services'][number]['observed']>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (k === 'windowSeconds') out[k] = durationFormat(v as number);
    else if (['typical', 'peak', 'p50', 'p95', 'p99', 'kernelPeak'].includes(k)) out[k] = sizeToPlan(v as number);
    else out[k] = structuredClone(v);
  }
  return out;
}

/** Plan-file text; `format` picks YAML (the default) or JSON. Built by the yaml serializer. */
export function planToText(input: PlanInput, format: 'yaml' | 'json' = 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(input, null, 2)}\n` : stringify(input, { lineWidth: 0 });
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}
