/** Reading a plan for a command: a file (YAML/JSON, `-` for stdin) or a named preset. */
import { readFileSync } from 'node:fs';
import { isPresetName, planParse, PRESET_NAMES, type Plan } from '../engine/index.ts';
import { presetGet } from '../engine/presets.ts';
import { planTextParse } from '../formats/plan-file.ts';
import type { InputIssue } from '../engine/schema.ts';
import { composeLoad, hostOption, planWithHost, type ComposeInfo } from './compose.ts';

/** A failure the user can fix: printed line by line, exit code 2 (or as given). */
export class UsageError extends Error {
  constructor(
    readonly lines: string[],
    readonly exitCode = 2,
  ) {
    super(lines.join('\n'));
  }
}

/** A plan and where it came from; `text` is the file's text (absent for a preset). */
export type PlanSource = { plan: Plan; label: string; compose?: ComposeInfo; text?: string };

export function readText(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    throw new UsageError([`error: cannot read ${file}: ${why}`]);
  }
}

export function issuesToLines(label: string, issues: InputIssue[]): string[] {
  return issues.map((i) => `error: ${label}: ${i.path}: ${i.message}`);
}

/** The plan named by a FILE argument or --preset (the `4gb` preset when neither is given).
 * FILE may be a compose file (told apart by content); `host` (--host) sets the host's RAM. */
/** The commands that model one host (capacity, fit, compare) refuse a multi-host plan by name rather than read only its first host. */
export function singleHostOnly(plan: Plan, label: string, command: string): void {
  if (plan.hosts) throw new UsageError([`error: ${label}: ${command} works on a single-host plan (host:), and this one lists ${plan.hosts.length} hosts; plan, check and export read multi-host plans`]);
}

export function loadPlan(file: string | undefined, preset: string | undefined, host?: string): PlanSource {
  if (file !== undefined && preset !== undefined) throw new UsageError(['error: give a plan FILE or --preset NAME, not both']);
  if (file === undefined) {
    const name = preset ?? '4gb';
    if (!isPresetName(name)) throw new UsageError([`error: --preset: unknown preset "${name}" (expected one of ${PRESET_NAMES.join(', ')})`]);
    const r = planParse(presetGet(name));
    if (!r.ok) throw new UsageError(issuesToLines(`preset ${name}`, r.issues));
    return planWithHost({ plan: r.plan, label: `preset ${name}` }, host);
  }
  const text = readText(file);
  const compose = composeLoad(text, file, host); // null when the text is not a compose file
  if (compose) return { ...compose, text };
  const r = planTextParse(text);
  if (!r.ok) throw new UsageError(issuesToLines(file === '-' ? 'stdin' : file, r.issues));
  if (r.plan.hosts && hostOption(host) !== undefined) throw new UsageError([`error: --host: ${file === '-' ? 'stdin' : file} lists its hosts (hosts:); set each host's ram in the file`]);
  return planWithHost({ plan: r.plan, label: file === '-' ? 'stdin' : file, text }, host);
}
