/** Reading a plan for a command: a file (YAML/JSON, `-` for stdin) or a named preset. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isPresetName, planParse, PRESET_NAMES, type Plan } from '../engine/index.ts';
import { presetGet } from '../engine/presets.ts';
import { planTextParse } from '../formats/plan-file.ts';
import { BYTE_CAPS, inputParse, tooBigMessage, type ByteCap } from '../formats/input-policy.ts';
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

/**
 * The text of FILE (`-`: stdin) under one of the input policy's byte caps (`input` for plans and
 * compose files, `evidence`, `side` for the files they name): a regular file is refused from its
 * size before reading, anything else (stdin, a pipe, a device) in chunks as soon as it passes the
 * cap: `/dev/zero` or a 10 GB file costs the cap of reading, not its size. `what` names the option
 * in errors (`--evidence FILE: …`). Throws a UsageError (exit 2) saying what was wrong.
 */
export function readCapped(file: string, cap: ByteCap = 'input', what?: string): { text: string; mtime: Date } {
  const label = `${what ? `${what} ` : ''}${file === '-' ? 'stdin' : file}`;
  const cannot = (why: string) => new UsageError([what ? `error: ${label}: cannot read it: ${why}` : `error: cannot read ${file}: ${why}`]);
  let fd: number;
  try {
    fd = file === '-' ? 0 : openSync(file, 'r');
  } catch (e) {
    throw cannot(errnoText(e));
  }
  try {
    const st = file === '-' ? null : fstatSync(fd);
    if (st?.isDirectory()) throw cannot('it is a folder');
    const max = BYTE_CAPS[cap].max;
    const tooBig = (size: number | null) => new UsageError([`error: ${label}: ${tooBigMessage(size, cap)}`]);
    if (st?.isFile() && st.size > max) throw tooBig(st.size);
    const chunk = Buffer.allocUnsafe(Math.min(max + 1, 1 << 20));
    const chunks: Buffer[] = [];
    let used = 0;
    while (used <= max) {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, Math.min(chunk.length, max + 1 - used), null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // a non-blocking stdin with nothing yet: wait, then read again
          continue;
        }
        if (code === 'EOF') break; // Windows' end of a pipe
        throw e;
      }
      if (n === 0) break;
      chunks.push(Buffer.from(chunk.subarray(0, n)));
      used += n;
    }
    if (used > max) {
      const size = st?.isFile() ? fstatSync(fd).size : 0; // a file that grew while read
      throw tooBig(size > max ? size : null);
    }
    return { text: Buffer.concat(chunks, used).toString('utf8'), mtime: st?.mtime ?? new Date() };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw cannot(errnoText(e));
  } finally {
    if (file !== '-') closeSync(fd);
  }
}

/** The text of a plan or compose FILE (`-`: stdin), under the input policy's byte cap. */
export function readText(file: string): string {
  return readCapped(file).text;
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
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
  const label = file === '-' ? 'stdin' : file;
  // Parsed once, under the input policy; then read as a compose file or, failing that, a plan.
  const parsed = inputParse(text);
  if (!parsed.ok) throw new UsageError(issuesToLines(label, parsed.issues));
  const compose = composeLoad(parsed.parsed, file, host); // null when the text is not a compose file
  if (compose) return { ...compose, text };
  const r = planTextParse(parsed.parsed);
  if (!r.ok) throw new UsageError(issuesToLines(label, r.issues));
  if (r.plan.hosts && hostOption(host) !== undefined) throw new UsageError([`error: --host: ${label} lists its hosts (hosts:); set each host's ram in the file`]);
  return planWithHost({ plan: r.plan, label, text }, host);
}
