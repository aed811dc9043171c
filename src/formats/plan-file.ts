/**
 * The plan file as text: YAML or JSON in, YAML or JSON out. Parsing goes through the yaml
 * library (JSON is YAML), so syntax errors carry a line and a column; validation is the engine's
 * zod schema, so every problem carries its path.
 */
import { Document, isScalar } from 'yaml';
import { INPUT_LIMITS, inputParse, issuesBounded } from './input-policy.ts';
import { planParse, type Host, type InputIssue, type Plan, type PlanFileInput } from '../engine/schema.ts';
import { durationFormat, sizeToPlan } from '../engine/units.ts';
import { ONE_SHOT_TEXT } from '../engine/finding-words.ts';

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
export function planToInput(plan: Plan): PlanFileInput {
  const { host, workload } = plan;
  const hostInput = (h: Host) => ({
    ram: sizeToPlan(h.ram),
    reserve: h.reserve === 'auto' ? 'auto' : sizeToPlan(h.reserve),
    swap: sizeToPlan(h.swap),
    ...(h.pricePerMonth === undefined ? {} : { pricePerMonth: h.pricePerMonth }),
    ...(h.cpus === undefined ? {} : { cpus: h.cpus }),
  });
  return {
    version: plan.version,
    ...(plan.name === undefined ? {} : { name: plan.name }),
    // A multi-host plan is written with its hosts only (its `host` is the first of them).
    ...(plan.hosts ? { hosts: plan.hosts.map((h) => ({ name: h.name, ...hostInput(h), labels: [...h.labels] })) } : { host: hostInput(host) }),
    workload: { ...workload, cacheEntrySize: sizeToPlan(workload.cacheEntrySize) },
    features: { ...plan.features },
    services: plan.services.map((s) => ({
      name: s.name,
      kind: s.kind,
      ...(s.limit === null ? {} : { limit: sizeToPlan(s.limit) }),
      // Its CPU cap per container (compose's cpus), as imported or written.
      ...(s.cpus === undefined ? {} : { cpus: s.cpus }),
      settings: settingsToInput(s.settings as Record<string, unknown>),
      // The containers of a kind that models one (the app kinds keep theirs in settings).
      ...(s.replicas === undefined ? {} : { replicas: s.replicas }),
      // Observed usage (docker stats) survives a round trip through the plan file.
      ...(s.observed ? { observed: observedToInput(s.observed) } : {}),
      // How compose reaches it (ports, network_mode), as imported.
      ...(s.exposure ? { exposure: structuredClone(s.exposure) } : {}),
      // The host it runs on (multi-host plans): one name, or the list its replicas spread over.
      ...(s.host ? { host: s.host.length === 1 ? s.host[0]! : [...s.host] } : {}),
      // Runs once at startup (an init, a migration): budgeted at startup, not in the steady state.
      ...(s.oneShot ? { oneShot: true } : {}),
    })) as PlanFileInput['services'],
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
export function planToText(input: PlanFileInput, format: 'yaml' | 'json' = 'yaml'): string {
  if (format === 'json') return `${JSON.stringify(input, null, 2)}\n`;
  const doc = new Document(input);
  // A one-shot service says what its flag means beside it (JSON has no comments; the key is the same).
  (input.services ?? []).forEach((s, i) => {
    const node = s.oneShot === true ? doc.getIn(['services', i, 'oneShot'], true) : undefined;
    if (isScalar(node)) node.comment = ` ${ONE_SHOT_TEXT}`;
  });
  return doc.toString({ lineWidth: 0 });
}

