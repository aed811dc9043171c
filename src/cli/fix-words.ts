/**
 * A fix's changes as an instruction in the terms of the file the plan came from. A plan file
 * (or a preset) takes them as plan-file keys: `in the plan file, set limit: 1728MiB (1.69 GiB) on
 * postgres`. A compose file has no plan file: its user is told what to write in the compose file
 * itself (`services.caddy.mem_limit: 104m (added)`, `services.redis.command: … --maxmemory 88mb …`),
 * and those words are the compose edit's own (compose-import/edit.ts, through each kind's
 * formats module: which key, flag, variable or config file carries the setting), run on the plan
 * with the change applied: one rule for where a setting lives in compose, not a second table.
 * A change the compose file cannot hold (the host's RAM or CPUs) is said in words.
 */
import type { Change, Plan } from '../engine/index.ts';
import { changeText, changeValueText } from '../engine/changeText.ts';
import { applyChanges } from '../engine/change.ts';
import { planParse } from '../engine/plan-schema.ts';
import { planToInput } from '../formats/plan-file.ts';
import type { ComposeInfo } from './compose.ts';

/**
 * A fix's changes as one instruction, the first `shown` written out; `text` escapes the parts that
 * come from files (Markdown); `at` names the lines of the file that hold them (`compose.yml line 27`), '' when unknown.
 */
export type ChangesText = (changes: readonly Change[], shown: number, text?: (s: string) => string, at?: string) => string;

const same = (s: string) => s;

/**
 * The value as people read it beside the file's own syntax, when the two numbers differ: a size
 * `1728MiB` gives `1.69 GiB`; `104MiB` (104 MiB) and non-sizes give null.
 */
export function valueWords(c: Change): string | null {
  const words = changeValueText(c);
  if (!/\d (KiB|MiB|GiB|TiB)$/.test(words)) return null;
  const squash = (s: string) => s.replace(/\s+/g, '').toLowerCase();
  return squash(words) === squash(String(c.value)) ? null : words;
}

/** One change as the plan file takes it: `settings.maxmemory: 104MiB on redis`, `limit: 1728MiB (1.69 GiB) on postgres`. */
export function planChangeText(c: Change, text: (s: string) => string = same): string {
  const words = valueWords(c);
  return `${text(c.key)}: ${text(String(c.value))}${words ? ` (${words})` : ''}${c.service ? ` on ${text(c.service)}` : ''}`;
}

/** A fix's changes in plan-file keys: `in the plan file, set limit: 640MiB on fastapi, …`. */
export const planChangesText: ChangesText = (changes, shown, text, at = '') => {
  const list = changes.slice(0, shown).map((c) => planChangeText(c, text));
  const more = changes.length - list.length;
  return list.length ? `in the plan file, set ${list.join(', ')}${more > 0 ? `, and ${more} more` : ''}${at ? ` (${at})` : ''}` : '';
};

/** A words' sentence as a clause: "Set the redis memory limit to 104 MiB" reads "set the redis …" after a comma. */
const clause = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * The changes said in the compose file's terms (see the module's comment). `plan` is the plan the
 * report came from; `label` the compose file as given. The edit of `plan` itself is the baseline:
 * only what the change adds to it is the change's.
 */
export function composeChangesText(compose: ComposeInfo, plan: Plan, label: string): ChangesText {
  const input = planToInput(plan);
  const planOf = (changes: readonly Change[]): Plan | null => {
    const p = planParse(applyChanges(input as Parameters<typeof applyChanges>[0], changes));
    return p.ok ? p.plan : null;
  };
  let baseline: { changes: string[]; notes: string[] } | null | undefined;
  const editOf = (p: Plan | null) => {
    if (!p) return null;
    try {
      return compose.edit(p);
    } catch {
      return null; // a plan the edit refuses: the change is said in words
    }
  };
  const edits = new Map<string, string[]>();
  /** What the compose edit writes for one change: its change lines and its notes (set by hand…); empty when the file has no place for it. */
  const inFile = (c: Change): string[] => {
    const key = JSON.stringify(c);
    if (!edits.has(key)) {
      baseline ??= editOf(planOf([]));
      const e = baseline ? editOf(planOf([c])) : null;
      edits.set(key, e && baseline ? [...e.changes.filter((x) => !baseline!.changes.includes(x)), ...e.notes.filter((n) => !baseline!.notes.includes(n))] : []);
    }
    return edits.get(key)!;
  };
  /** A change in the file's terms, or (the file has no place for it) in words. */
  const one = (c: Change, text: (s: string) => string): { file: boolean; text: string } => {
    if (c.key === 'host.ram') return { file: false, text: `try that host: headroom check ${text(label)} --host ${text(String(c.value))}` };
    const lines = c.service !== undefined || c.key.startsWith('features.') ? inFile(c) : [];
    if (lines.length === 0) return { file: false, text: clause(text(changeText(c))) };
    // The value in words beside the file's syntax when the file writes another number (4864m: 4.75 GiB).
    const words = /\d (KiB|MiB|GiB|TiB)$/.test(changeValueText(c)) ? changeValueText(c) : null;
    const shown = words !== null && !lines.some((l) => l.includes(words.split(' ')[0]!)) ? words : null;
    const said = lines.map((l, i) => (shown && i === lines.length - 1 ? (l.endsWith(' (added)') ? `${l.slice(0, -8)} (${shown}, added)` : `${l} (${shown})`) : l));
    return { file: true, text: said.map(text).join('; ') };
  };
  return (changes, shown, text = same, at = '') => {
    const list = changes.slice(0, shown).map((c) => one(c, text));
    const more = changes.length - list.length;
    const inside = list.filter((c) => c.file).map((c) => c.text);
    const outside = list.filter((c) => !c.file).map((c) => c.text);
    const parts = [...(inside.length ? [`in ${at || text(label)}: ${inside.join('; ')}`] : []), ...outside];
    return parts.length ? `${parts.join('; ')}${more > 0 ? `; and ${more} more` : ''}` : '';
  };
}

/** What writes a compose file's fixes, said once under the findings (true of the CLI as it is: `fit --out` edits the file; no command applies one finding's fix). */
export function composeWritesText(label: string): string {
  return `to write them: headroom fit ${label} --out DIR writes into DIR a copy of ${label} with limits and settings fitted together, when they fit the host; their values can differ from each fix's here`;
}
