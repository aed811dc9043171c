/**
 * `headroom compare A B [--json]`: the seed's before/after table for two plans. A and B are plan
 * (or compose) files, or preset names when no such file exists: `headroom compare full 4gb`.
 * Exit 0; 2 on bad input.
 */
import { existsSync } from 'node:fs';
import { isPresetName, PRESET_NAMES } from '../engine/index.ts';
import { compare } from '../engine/compare.ts';
import { loadPlan, singleHostOnly, UsageError, type PlanSource } from './io.ts';
import { reportJson } from './render.ts';

type Args = { positionals: string[]; values: Record<string, string | boolean | undefined> };

const USAGE = 'compare A B [--json]';

/** A file when one exists at that path (or "-" for stdin), else a preset name. */
function planArg(arg: string, host: string | undefined): PlanSource {
  if (arg !== '-' && !existsSync(arg) && isPresetName(arg)) return loadPlan(undefined, arg, host);
  if (arg !== '-' && !existsSync(arg)) throw new UsageError([`error: cannot read ${arg}: no such file, and not a preset (${PRESET_NAMES.join(', ')})`]);
  const source = loadPlan(arg, undefined, host);
  singleHostOnly(source.plan, source.label, 'compare');
  return arg === '-' ? { ...source, label: 'stdin' } : source;
}

export const compareCommand = {
  usage: USAGE,
  summary: 'the before/after table of two plans (files or preset names)',
  options: { json: { type: 'boolean' }, host: { type: 'string' } } as const,
  run: ({ positionals, values }: Args): number => {
    if (positionals.length !== 2) throw new UsageError([`error: expected two plans, A and B (got ${positionals.length})`, `usage: headroom ${USAGE}`]);
    if (positionals[0] === '-' && positionals[1] === '-') throw new UsageError(['error: only one of A and B can be read from stdin ("-")']);
    const host = values.host as string | undefined;
    const [a, b] = positionals.map((p) => planArg(p, host)) as [PlanSource, PlanSource];
    const c = compare(a.plan, b.plan);
    if (values.json) {
      process.stdout.write(reportJson(c));
      return 0;
    }
    const head = ['METRIC', a.plan.name ?? a.label, b.plan.name ?? b.label, 'CHANGE'];
    const rows = [head, ...c.rows.map((r) => [r.label, r.text.a, r.text.b, r.text.change])];
    const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
    process.stdout.write(`Headroom compare: ${a.label} → ${b.label}\n\n${lines.join('\n')}\n`);
    return 0;
  },
};
