/**
 * The built-in plans named for what they are, for the preset menu, the before/after table and the
 * notices. The plan-file and CLI names (`4gb`, `full`, `8gb`) stay the keys.
 */
import { planEmpty, presetGet, PRESET_NAMES, PRESETS, type PresetName } from '../engine/presets.ts';
import type { PlanInput } from '../engine/schema.ts';

export type PresetChoice = PresetName | 'empty';
export const PRESET_CHOICES: readonly PresetChoice[] = [...PRESET_NAMES, 'empty'];

export const PRESET_LABELS: Record<PresetChoice, { short: string; long: string }> = {
  '4gb': { short: '5 services on 4 GiB', long: 'FastAPI, PostgreSQL, Redis, Prometheus and Grafana on a 4 GiB host' },
  full: { short: 'Original 8 services on 8 GiB', long: 'The original 8-service stack on an 8 GiB host, before trimming' },
  '8gb': { short: '10,000 users on 8 GiB', long: 'The stack tuned for 10,000 users on an 8 GiB host, every feature on' },
  empty: { short: 'Empty plan', long: 'No services yet, on a 4 GiB host' },
};

/**
 * A plan as text in two parts, its services one by one and the rest: an edit copies the plan and
 * the one service it changes and shares the others (planEdit.pathSet), so a keystroke writes the
 * edited service as text, not the whole plan (each part once per object).
 */
type PlanText = { rest: string; services: string[] };
const texts = new WeakMap<object, string>();
function textOf(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  let t = texts.get(value);
  if (t === undefined) {
    t = JSON.stringify(value);
    texts.set(value, t);
  }
  return t;
}
function planText(input: PlanInput): PlanText {
  const services: unknown = input.services;
  return { rest: JSON.stringify({ ...input, services: undefined }), services: Array.isArray(services) ? services.map(textOf) : [textOf(services)] };
}
const samePlan = (a: PlanText, b: PlanText) => a.rest === b.rest && a.services.length === b.services.length && a.services.every((t, i) => t === b.services[i]);

const PRESET_TEXT = new Map<PresetChoice, PlanText>([...PRESET_NAMES.map((n) => [n, planText(PRESETS[n])] as const), ['empty', planText(planEmpty())]]);
const NAMES = new Set([...PRESET_NAMES.map((n) => PRESETS[n].name), planEmpty().name]);
const matched = new WeakMap<PlanInput, PresetChoice | null>();

/** The built-in plan `input` is, unedited, or null for any other plan (once per input object). */
export function presetOf(input: PlanInput): PresetChoice | null {
  if (!NAMES.has(input.name)) return null; // an edited name is a plan of its own: no comparison needed
  let m = matched.get(input);
  if (m === undefined) {
    const text = planText(input);
    m = [...PRESET_TEXT].find(([, t]) => samePlan(t, text))?.[0] ?? null;
    matched.set(input, m);
  }
  return m;
}

/** The plan the choice stands for: a fresh copy, safe to edit. */
export function presetInput(choice: PresetChoice): PlanInput {
  return choice === 'empty' ? planEmpty() : presetGet(choice);
}
