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

const PRESET_JSON = new Map<PresetChoice, string>([...PRESET_NAMES.map((n) => [n, JSON.stringify(PRESETS[n])] as const), ['empty', JSON.stringify(planEmpty())]]);
const NAMES = new Set([...PRESET_NAMES.map((n) => PRESETS[n].name), planEmpty().name]);
const matched = new WeakMap<PlanInput, PresetChoice | null>();

/** The built-in plan `input` is, unedited, or null for any other plan (once per input object). */
export function presetOf(input: PlanInput): PresetChoice | null {
  if (!NAMES.has(input.name)) return null; // an edited name is a plan of its own: no comparison needed
  let m = matched.get(input);
  if (m === undefined) {
    const json = JSON.stringify(input);
    m = [...PRESET_JSON].find(([, j]) => j === json)?.[0] ?? null;
    matched.set(input, m);
  }
  return m;
}

/** The plan the choice stands for: a fresh copy, safe to edit. */
export function presetInput(choice: PresetChoice): PlanInput {
  return choice === 'empty' ? planEmpty() : presetGet(choice);
}
