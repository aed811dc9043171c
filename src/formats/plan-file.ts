/**
 * The plan file as text: YAML or JSON in, YAML or JSON out. Parsing goes through the yaml
 * library (JSON is YAML), so syntax errors carry a line and a column; validation is the engine's
 * zod schema, so every problem carries its path.
 */
import { stringify } from 'yaml';
import { INPUT_LIMITS, inputParse, issuesBounded } from './input-policy.ts';
import { planParse, type InputIssue, type Plan, type PlanInput } from '../engine/schema.ts';
import { durationFormat, sizeToPlan } from '../engine/units.ts';

export type PlanTextResult = { ok: true; plan: Plan; doc: unknown } | { ok: false; issues: InputIssue[] };

/** Plan files larger than this are refused before parsing: the input policy's byte cap. */
export const MAX_PLAN_BYTES = INPUT_LIMITS.maxBytes;

/** Parses YAML or JSON text into a document under the input policy (line and column on syntax errors). */
export function yamlTextParse(text: string): { ok: true; doc: unknown } | { ok: false; issues: InputIssue[] } {
  const r = inputParse(text);
  return r.ok ? { ok: true, doc: r.parsed.data } : { ok: false, issues: r.issues.map(({ path, message }) => ({ path, message })) };
}

/** Text (or a document already parsed under the input policy) → validated Plan. */
export function planTextParse(text: string | { data: unknown }): PlanTextResult {
  const parsed = typeof text === 'string' ? yamlTextParse(text) : { ok: true as const, doc: text.data };
  if (!parsed.ok) return parsed;
  if (parsed.doc === null || parsed.doc === undefined) return { ok: false, issues: [{ path: '(plan)', message: 'the file is empty: expected a mapping with host and services' }] };
  const r = planParse(parsed.doc);
  return r.ok ? { ok: true, plan: r.plan, doc: parsed.doc } : { ok: false, issues: issuesBounded(r.issues) };
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
      ...(s.observed ? { observed: { ...(s.observed.typical === undefined ? {} : { typical: sizeToPlan(s.observed.typical) }), peak: sizeToPlan(s.observed.peak) } } : {}),
      // How compose reaches it (ports, network_mode), as imported.
      ...(s.exposure ? { exposure: structuredClone(s.exposure) } : {}),
    })) as PlanInput['services'],
  };
}

/** Plan-file text; `format` picks YAML (the default) or JSON. Built by the yaml serializer. */
export function planToText(input: PlanInput, format: 'yaml' | 'json' = 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(input, null, 2)}\n` : stringify(input, { lineWidth: 0 });
}

