/**
 * The plan file in the browser: the same YAML/JSON format the CLI reads. The yaml package is
 * loaded only when a file is read or written, keeping it out of the first load.
 */
import type { PlanInput } from '../engine/schema.ts';
import { schema } from './derive/schema.ts';
import { planCheck } from './state/persist.ts';

export type FileRead = { ok: true; input: PlanInput } | { ok: false; reason: string };

/** Parses a plan file's text (YAML, of which JSON is a subset) and validates it. */
export async function planFileRead(text: string): Promise<FileRead> {
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text, { prettyErrors: true });
  const [error] = doc.errors;
  if (error) {
    const at = error.linePos?.[0];
    return { ok: false, reason: `${at ? `line ${at.line}, column ${at.col}: ` : ''}${error.message.split('\n')[0]}` };
  }
  const checked = planCheck(doc.toJS());
  return checked.status === 'ok' ? { ok: true, input: checked.input } : { ok: false, reason: checked.reason };
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
