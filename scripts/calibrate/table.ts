// Prints the calibration table (predicted against measured, per service) as Markdown, from the
// recorded calibration/*.json through the engine as it is now: what the README's table shows.
import { CALIBRATION_KIND_LABEL as NAMES, calibrationFiles, calibrationRows, calibrationSummary } from '../../src/engine/calibration.ts';

const f1 = (v: number) => v.toFixed(1);
const sign = (v: number) => `${v > 0 ? '+' : ''}${v.toFixed(1)}%`;

export function calibrationTableMarkdown(): string {
  const rows = calibrationRows();
  const out: string[] = [];
  out.push('| service | typical cases | median error | largest error | range-only cases | all pass | versions |');
  out.push('|---|---|---|---|---|---|---|');
  for (const s of calibrationSummary()) {
    out.push(`| ${NAMES[s.kind]} | ${s.cases - s.rangeCases} | ${s.medianAbsErrorPercent.toFixed(1)}% | ${s.maxAbsErrorPercent.toFixed(1)}% | ${s.rangeCases} | ${s.ok ? 'yes' : 'NO'} | ${Object.values(s.tools).join('; ')} |`);
  }
  out.push('');
  out.push('| service | case | load | predicted low / typical / high (MiB) | measured typical / peak (MiB) | typical error |');
  out.push('|---|---|---|---|---|---|');
  for (const r of rows) {
    const role = r.role === 'typical' ? 'typical' : `${r.role} (range only)`;
    out.push(`| ${NAMES[r.kind]} | ${r.label} | ${role} | ${f1(r.predicted.low)} / **${f1(r.predicted.typical)}** / ${f1(r.predicted.high)} | **${f1(r.measured.typical)}** / ${f1(r.measured.peak)} | ${r.role === 'typical' ? sign(r.errorPercent) : `(${sign(r.errorPercent)})`}${r.ok ? '' : ' ✗'} |`);
  }
  const m = calibrationFiles()[0]!.machine;
  out.push('');
  out.push(`Measured on ${m.cores} × ${m.cpu}, ${m.memMiB} MiB, ${m.os}, Linux ${m.kernel}, cgroup ${m.cgroup}, Node ${m.node}.`);
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(calibrationTableMarkdown());
