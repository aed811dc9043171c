/**
 * `headroom fit FILE [--host SIZE] [--out DIR] [--json]`: one consistent set of limits and settings
 * for the whole stack, normal traffic and spike together, within the host's RAM (engine/fit.ts),
 * shown as a diff; with --out DIR what `export --tuned` writes for the fitted plan (export.ts's
 * exportWrite: the compose file, the user's own edited when FILE is one, with its change report;
 * the configs, alert rules, runbook) and the fitted plan file. When it cannot fit, it says so,
 * writes nothing and names the smallest host that holds it. Exit 0 when it fits, 1 when it does
 * not, 2 on bad input.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, sizeFormat, withArticle } from '../engine/index.ts';
import { fitValueText } from '../engine/changeText.ts';
import { EVIDENCE_OPTIONS, EVIDENCE_USAGE, evidenceLines, withEvidence } from './evidence.ts';
import { fit, type FitChange } from '../engine/fit.ts';
import { planToInput, planToText } from '../formats/plan-file.ts';
import { loadPlan, singleHostOnly, UsageError } from './io.ts';
import { exportWrite, type Written } from './export.ts';
import { reportJson } from './render.ts';

type Args = { positionals: string[]; values: Record<string, string | boolean | undefined> };

const USAGE = `fit FILE [--host 4GiB] ${EVIDENCE_USAGE} [--out DIR] [--json]`;

function changeLine(c: FitChange): string {
  return `  ${c.service}.${c.key}: ${fitValueText(c, c.from)} → ${fitValueText(c, c.to)}${c.assumed ? '  (usage assumed: not a measure)' : ''}`;
}

export const fitCommand = {
  usage: USAGE,
  summary: 'one consistent set of limits and settings for the whole stack within the host, as a diff',
  options: { host: { type: 'string' }, ...EVIDENCE_OPTIONS, out: { type: 'string' }, json: { type: 'boolean' } } as Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>,
  run: ({ positionals, values }: Args): number => {
    if (positionals.length !== 1) throw new UsageError([`error: fit needs one compose or plan FILE (got ${positionals.length})`, `usage: headroom ${USAGE}`]);
    const source = loadPlan(positionals[0], undefined, values.host as string | undefined);
    singleHostOnly(source.plan, source.label, 'fit');
    const { plan, used } = withEvidence(source.plan, values, source.compose);
    const label = source.label;
    const f = fit(plan);
    const out = typeof values.out === 'string' ? values.out : null;
    let written: string | null = null;
    let exported: Written | null = null;
    if (out && f.fits) {
      // What export --tuned writes for the fitted plan, through the same writer; then the fitted plan file beside it.
      exported = exportWrite(source, f.plan, out, true);
      written = join(out, `${(plan.name ?? 'plan').replace(/[^\w.-]+/g, '-')}.fitted.yaml`);
      try {
        mkdirSync(out, { recursive: true });
        writeFileSync(written, planToText(planToInput(f.plan)));
      } catch (e) {
        throw new UsageError([`error: cannot write into ${out}: ${(e as Error).message}`]);
      }
    }
    if (values.json) {
      const files = exported ? { exported: exported.files.map((x) => x.path), tuning: exported.notes, composeChanges: exported.changes } : {};
      process.stdout.write(reportJson({ fits: f.fits, outcome: f.outcome, summary: f.summary, hostMiB: f.hostMiB, free: f.free, assumed: f.assumed, changes: f.changes, written, ...files, plan: planToInput(f.plan), ...(used ? { evidence: used } : {}) }));
      return f.fits ? 0 : 1;
    }
    const lines = [
      `Headroom fit: ${plan.name ?? label} on ${sizeFormat(plan.host.ram)} (${plan.workload.activeUsers.toLocaleString('en-US')} active users, ×${plan.workload.spike} spike)`,
      '',
      ...(used ? [...evidenceLines(used, evaluate(plan)), ''] : []),
      f.changes.length ? `changes (${f.changes.length}):` : 'no change: the stack already fits as planned',
      ...f.changes.map(changeLine),
      '',
      f.fits
        ? `fits ${sizeFormat(plan.host.ram)}: normal traffic and the ×${plan.workload.spike} spike within the limits, the limits plus the reserve within the RAM, free memory at typical usage ${sizeFormat(f.free.typicalMiB)} (the criterion: over ${sizeFormat(f.free.criterionMiB)})`
        : `does not fit ${sizeFormat(plan.host.ram)}: ${f.summary}${f.hostMiB === null ? '; no host up to 1 TiB holds it: split the stack (capacity shows the split)' : `; ${withArticle(sizeFormat(f.hostMiB))} host holds it (fit --host ${sizeFormat(f.hostMiB).replace(' ', '')})`}`,
      ...(f.assumed.length ? [`guessed usage (limits left as they are; measure them first): ${f.assumed.join(', ')}`] : []),
      ...(exported ? ['', ...exported.lines] : []),
      ...(written ? [`wrote the fitted plan: ${written}`] : out ? ['nothing written: the stack does not fit this host'] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return f.fits ? 0 : 1;
  },
};
