/**
 * The plan file in the browser: the same YAML/JSON format the CLI reads. The yaml package is
 * loaded only when a file is read or written, keeping it out of the first load.
 */
import type { PlanInput } from '../engine/schema.ts';
import { schema } from './derive/schema.ts';
import { planCheck } from './state/persist.ts';
import { INPUT_LIMITS } from '../formats/input-limits.ts';

export type FileRead = { ok: true; input: PlanInput } | { ok: false; reason: string };

/** What reading a plan file's data gives: the plan, or why not. */
function checked(data: unknown): FileRead {
  const c = planCheck(data);
  return c.status === 'ok' ? { ok: true, input: c.input } : { ok: false, reason: c.reason };
}

const problems = (issues: ReadonlyArray<{ path: string; message: string }>) => issues.map((i) => (i.path === '(file)' || i.path === '(syntax)' ? i.message : `${i.path}: ${i.message}`)).join('; ');

/** Parses a plan file's text (YAML, of which JSON is a subset) under the input policy and validates it, on this thread. Never throws. */
export async function planFileRead(text: string): Promise<FileRead> {
  try {
    const { inputParse } = await import('../formats/input-policy.ts');
    const r = inputParse(text);
    return r.ok ? checked(r.parsed.data) : { ok: false, reason: problems(r.issues) };
  } catch (e) {
    return { ok: false, reason: `it could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

/**
 * An uploaded plan file: its size checked before it is read (the input policy's byte cap), then
 * parsed in the import's Web Worker so that the page keeps answering (issue 17: a 10 MB file
 * blocked the main thread ≥ 20 s). Never throws: every failure is a reason for a notice.
 */
export async function planFileUpload(file: Blob): Promise<FileRead> {
  if (file.size > INPUT_LIMITS.maxBytes) return { ok: false, reason: `it is ${(file.size / 1048576).toFixed(1)} MiB; a plan file is at most ${INPUT_LIMITS.maxBytes / 1048576} MiB` };
  try {
    const text = await file.text();
    if (typeof Worker === 'undefined') return planFileRead(text);
    const { JobLane } = await import('./import/client.ts');
    const lane = new JobLane();
    try {
      const o = await lane.run({ type: 'yaml', text });
      if (o.status !== 'done') return { ok: false, reason: o.status === 'failed' ? `it could not be read (${o.message})` : 'another file was chosen' };
      return o.result.ok ? checked(o.result.data) : { ok: false, reason: problems(o.result.issues) };
    } finally {
      lane.dispose();
    }
  } catch (e) {
    return { ok: false, reason: `it could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** The plan as a YAML plan file. */
export async function planFileWrite(input: PlanInput): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify({ version: schema().PLAN_VERSION, ...input }, { lineWidth: 0 });
}

/** A file name for the plan: its name made safe, `.yaml`. */
export function planFileName(input: PlanInput): string {
  const base = (input.name ?? '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${base || 'plan'}.yaml`;
}
