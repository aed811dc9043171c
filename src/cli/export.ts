/**
 * `headroom export [FILE] [--preset NAME] [--host SIZE] [--tuned] --out DIR`: writes every file of
 * the stack (compose, configs, alert rules and their tests, runbook) into DIR and lists them. The
 * files come from src/formats/export (pure); writing them happens here, in `exportWrite`, which
 * `fit --out` uses too for the fitted plan.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plan } from '../engine/index.ts';
import { ExportError, exportOf, TARGETS, type ExportFile, type Target } from '../formats/export/index.ts';
import { loadPlan, UsageError, type PlanSource } from './io.ts';
import { composeEditedFiles, fromPlanNote } from '../formats/export/edited.ts';

type Args = { positionals: string[]; values: Record<string, string | boolean | undefined> };

const USAGE = 'export [FILE] [--preset NAME] [--target compose|swarm|kubernetes] --out DIR';

/** What an export wrote: the files, the tuning's notes and (for a compose file) its change report, and the lines that say so. */
export type Written = { files: ExportFile[]; notes: string[]; changes: string[]; lines: string[] };

/**
 * Exports `plan` for `source` into `out` and returns what it wrote. A compose file given: its
 * compose file is the user's document edited, not a new one (compose-import/edit.ts), with the
 * plan the files describe (tuned once, by the export); each edit is a line of the change report.
 */
export function exportWrite(source: PlanSource, plan: Plan, out: string, tuned: boolean, target: Target = 'compose'): Written {
  let exported;
  try {
    exported = exportOf(plan, { tuned, composeEdited: source.compose !== undefined && target === 'compose', target });
  } catch (e) {
    if (e instanceof ExportError) throw new UsageError([`error: ${source.label}: ${e.message}`]);
    throw e;
  }
  let files = exported.files;
  const edited = source.compose && target === 'compose' ? composeEditedFiles(files, source.compose.edit, exported.plan, source.label) : null;
  if (edited) files = edited.files;
  const dir = resolve(out);
  try {
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(join(dir, f.path), f.content);
  } catch (e) {
    throw new UsageError([`error: cannot write into ${out}: ${(e as Error).message}`]);
  }
  const width = Math.max(...files.map((f) => f.path.length));
  const changes = edited?.notes ?? (source.compose && target !== 'compose' ? [`note: ${fromPlanNote(source.label, target)}`] : []);
  const lines = [
    `wrote ${files.length} files for ${source.label}${tuned ? ' (tuned)' : ''} into ${out}:`,
    ...files.map((f) => `  ${f.path.padEnd(width)}  ${f.description}`),
    ...exported.notes.map((n) => `  tuning: ${n}`),
    ...changes.map((n) => `  ${n}`),
    edited && edited.changed === 0
      ? `next: nothing in ${source.label} changed (no limit or setting of the plan differs from the file's${tuned ? '; the tuning notes above say what was kept and why' : ''}): docker compose -f ${files[0]!.path} up -d runs it as before; the .conf files show the settings in full, with their reasons`
      : edited
      ? `next: review the changes above, then docker compose -f ${files[0]!.path} up -d (your file sets the settings by command flags; the .conf files show them in full, with their reasons)`
      : target === 'swarm'
        ? `next: docker secret create for each of ./secrets/* (see RUNBOOK.md), then docker stack deploy -c ${files[0]!.path} NAME`
        : target === 'kubernetes'
          ? `next: kubectl create secret generic for each of ./secrets/* (see the file's header), then kubectl apply -f ${files[0]!.path}`
          : `next: create ./secrets/* (see RUNBOOK.md), then docker compose -f ${files[0]!.path} up -d`,
  ];
  return { files, notes: exported.notes, changes, lines };
}

export const exportCommand = {
  usage: USAGE,
  summary: 'write compose, configs, alert rules + tests, runbook into DIR (--tuned: recommended values)',
  options: { preset: { type: 'string' }, host: { type: 'string' }, out: { type: 'string' }, tuned: { type: 'boolean' }, target: { type: 'string' } } as Record<string, { type: 'string' | 'boolean' }>,
  run: ({ positionals, values }: Args): number => {
    const out = values.out as string | undefined;
    if (!out) throw new UsageError(['error: export needs --out DIR (the folder to write into)', `usage: headroom ${USAGE}`]);
    if (positionals.length > 1) throw new UsageError([`error: export takes at most one plan file, got ${positionals.length}`]);
    const target = (values.target as string | undefined) ?? 'compose';
    if (!(TARGETS as readonly string[]).includes(target)) throw new UsageError([`error: --target: expected one of ${TARGETS.join(' | ')}, got ${JSON.stringify(target)}`]);
    const source = loadPlan(positionals[0], values.preset as string | undefined, values.host as string | undefined);
    const written = exportWrite(source, source.plan, out, values.tuned === true, target as Target);
    process.stdout.write([...written.lines, ''].join('\n'));
    return 0;
  },
};
