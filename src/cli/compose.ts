/**
 * The CLI's side of compose import: reads `.env` beside the compose file, the shell environment
 * and mounted config files, then hands the text to the pure importer. Also `--host` for plans.
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ParsedInput } from '../formats/input-policy.ts';
import { sizeParse, sizeToPlan, type Plan } from '../engine/index.ts';
import { composeEdit, composeImport, type ComposeEditOptions, type ComposeIssue, type ServiceNote } from '../formats/compose-import/index.ts';
import { readCapped, UsageError } from './io.ts';

/** What the import said about the compose file, for `check` to print; `edit` writes a plan back into it. */
export type ComposeInfo = { services: ServiceNote[]; notes: string[]; edit: (plan: Plan) => { text: string; changes: string[]; notes: string[] } };

/** Folders outside the compose project's own that `--allow-outside PATH` lets the import read. */
const allowedOutside: string[] = [];

/** `--allow-outside PATH` (repeatable): side files under PATH may be read too. */
export function allowOutside(paths: readonly string[]): void {
  for (const p of paths) allowedOutside.push(realOrSelf(resolve(p)));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

const inside = (path: string, folder: string) => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Whether a side file may be read: inside the compose project's folder (after symlinks), or
 * under a folder given with --allow-outside. Compose import otherwise reads what a compose file
 * names anywhere on the machine (issue 17: `/home/me/.ssh/…`, `../../secrets.env`).
 */
function readable(path: string, project: string): boolean {
  const real = realOrSelf(path);
  return [realOrSelf(project), ...allowedOutside].some((folder) => inside(real, folder));
}

/** A config or env file's text; undefined when it is missing, unreadable or over the policy's side-file cap. */
function readSide(path: string): string | undefined {
  try {
    return readCapped(path, 'side').text;
  } catch {
    return undefined;
  }
}

/** The `--host` value checked as a plan-file size (≥ 64 MiB), in plan-file form. */
export function hostOption(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const r = sizeParse(host);
  if (!r.ok) throw new UsageError([`error: --host: ${r.error}`]);
  if (r.value < 64) throw new UsageError([`error: --host: expected a host of at least 64 MiB, got ${host}`]);
  return sizeToPlan(r.value);
}

/**
 * Imports `text` when it is a compose file (told apart by content: a `services:` mapping).
 * Returns null when it is not one, so that the caller reads it as a plan file; throws a
 * UsageError (exit 2) with every problem when it is a compose file with problems.
 */
export function composeLoad(parsed: ParsedInput, file: string, host: string | undefined): { plan: Plan; label: string; compose: ComposeInfo } | null {
  const dir = file === '-' ? process.cwd() : dirname(resolve(file));
  const label = file === '-' ? 'stdin' : file;
  const outside = new Set<string>();
  const options: ComposeEditOptions = {
    envText: readSide(resolve(dir, '.env')),
    environment: process.env as Record<string, string>,
    readFile: (path) => {
      const full = resolve(dir, path.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
      if (readable(full, dir)) return readSide(full);
      outside.add(path);
      return undefined;
    },
  };
  const r = composeImport(parsed, { ...options, host: hostOption(host) ?? '4GiB' });
  if (r.ok && outside.size > 0) r.notes.push(`not read, outside the compose project's folder ${dir}: ${[...outside].join(', ')} (pass --allow-outside PATH to read files under PATH)`);
  const edit = (plan: Plan) => {
    const e = composeEdit(parsed, plan, options); // the document parsed once, by loadPlan
    if (!e.ok) throw new UsageError(e.issues.map((i) => `error: ${label}: ${i.path}: ${i.message}`));
    return e;
  };
  if (r.ok) return { plan: r.plan, label, compose: { services: r.services, notes: r.notes, edit } };
  if (r.notCompose && r.planLike) return null;
  if (r.notCompose) throw new UsageError([...r.issues.map((i) => `error: ${label}: ${i.message}`), `error: ${label}: nor is it a Headroom plan file (no host:); expected a docker-compose.yml or a plan`]);
  throw new UsageError(r.issues.map((i: ComposeIssue) => `error: ${label}: ${i.path}: ${i.message}`));
}

/** A plan (file or preset) with `--host` replacing its host.ram. */
export function planWithHost<T extends { plan: Plan }>(source: T, host: string | undefined): T {
  const ram = hostOption(host);
  const mib = ram === undefined ? null : sizeParse(ram);
  if (!mib?.ok) return source;
  return { ...source, plan: { ...source.plan, host: { ...source.plan.host, ram: mib.value } } };
}
