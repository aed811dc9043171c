/**
 * The CLI's side of compose import: reads `.env` beside the compose file, the shell environment
 * and mounted config files, then hands the text to the pure importer. Also `--host` for plans.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { sizeParse, sizeToPlan, type Plan } from '../engine/index.ts';
import { composeImport, type ComposeIssue, type ServiceNote } from '../formats/compose-import/index.ts';
import { UsageError } from './io.ts';

/** What the import said about the compose file, for `check` to print. */
export type ComposeInfo = { services: ServiceNote[]; notes: string[] };

/** Config and env files larger than this are not read. Assumed: real ones are a few kB. */
const MAX_SIDE_FILE_BYTES = 1024 * 1024;

function readSide(path: string): string | undefined {
  try {
    if (statSync(path).size > MAX_SIDE_FILE_BYTES) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The `--host` value checked as a plan-file size (≥ 64 MiB), in plan-file form. */
export function hostOption(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const r = sizeParse(host);
  if (!r.ok) throw new UsageError([`error: --host: ${r.error}`]);
  if (r.value < 64) throw new UsageError([`error: --host: expected a host of at least 64MiB, got ${host}`]);
  return sizeToPlan(r.value);
}

/**
 * Imports `text` when it is a compose file (told apart by content: a `services:` mapping).
 * Returns null when it is not one, so that the caller reads it as a plan file; throws a
 * UsageError (exit 2) with every problem when it is a compose file with problems.
 */
export function composeLoad(text: string, file: string, host: string | undefined): { plan: Plan; label: string; compose: ComposeInfo } | null {
  const dir = file === '-' ? process.cwd() : dirname(resolve(file));
  const label = file === '-' ? 'stdin' : file;
  const r = composeImport(text, {
    host: hostOption(host) ?? '4GiB',
    envText: readSide(resolve(dir, '.env')),
    environment: process.env as Record<string, string>,
    readFile: (path) => readSide(resolve(dir, path.replace(/^~(?=\/)/, process.env.HOME ?? '~'))),
  });
  if (r.ok) return { plan: r.plan, label, compose: { services: r.services, notes: r.notes } };
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
