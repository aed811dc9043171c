/**
 * `headroom check COMPOSE|PLAN [--host 4GiB] [--stats FILE] [--assume] [--format F]`: the CI gate.
 * Exit 1 when a critical finding does not rest on a guess (the limits plus the reserve over the
 * RAM, a host OOM in normal traffic, any other critical finding); 3 when the verdict rests on
 * guessed usage (cannot tell; `--assume` accepts the guesses: then 0 or 1); 0 otherwise; 2 on bad
 * input (the rule: engine/verdict.ts; its exit codes: verdict.ts). `--stats` adds observed usage
 * from pasted `docker stats --no-stream` output; `--evidence FILE` (repeatable) any evidence input
 * (cli/evidence.ts). Every format says the same verdict.
 */
import { evaluate, perContainerFormat, planParse, sizeFormat, sizesFormat, type Plan, type Report } from '../engine/index.ts';
import { verdictOf as stackVerdictOf } from '../engine/verdict.ts';
import { dockerStatsApply, type StatsMatch } from '../formats/docker-stats.ts';
import { planToInput } from '../formats/plan-file.ts';
import type { ComposeInfo } from './compose.ts';
import { issuesToLines, loadPlan, readCapped, UsageError } from './io.ts';
import { FORMAT_OPTIONS, FORMATS, formatOf, type Format } from './format.ts';
import { checkedFrom, renderAs } from './output.ts';
import { verdictText, worstExitCode, type Verdict } from './verdict.ts';
import { findingLines, hostLines, reportJson, servicesTable } from './render.ts';
import { EVIDENCE_OPTIONS, EVIDENCE_USAGE, evidenceLines, withEvidence } from './evidence.ts';

type Args = { positionals: string[]; values: Record<string, string | boolean | undefined> };

function importLines(info: ComposeInfo): string[] {
  const rows = info.services.map((s) => [s.service, s.kind, s.limit ?? 'none', s.why]);
  const widths = [0, 1, 2].map((c) => Math.max(...['SERVICE', 'KIND', 'LIMIT'].map((h, i) => (i === c ? h.length : 0)), ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ').trimEnd();
  const out = ['imported from compose:', line(['SERVICE', 'KIND', 'LIMIT', 'WHY'])];
  for (const [i, s] of info.services.entries()) {
    out.push(line(rows[i]!));
    for (const w of s.warnings) out.push(`    note: ${w}`);
  }
  for (const n of info.notes) out.push(`note: ${n}`);
  return out;
}

/** The plan with observed usage from a `docker stats` file; containers matched by name. */
function withStats(plan: Plan, file: string, compose: ComposeInfo | undefined): { plan: Plan; match: StatsMatch } {
  const names = Object.fromEntries((compose?.services ?? []).filter((s) => s.containerName).map((s) => [s.service, s.containerName!]));
  const label = file === '-' ? 'stdin' : file;
  // docker stats output is evidence: read under the evidence cap (input-limits.ts), not the plan's.
  const r = dockerStatsApply(planToInput(plan), readCapped(file, 'evidence', '--stats').text, names);
  if (!r.ok) throw new UsageError(issuesToLines(`--stats ${label}`, r.issues));
  const parsed = planParse(r.input);
  if (!parsed.ok) throw new UsageError(issuesToLines(`--stats ${label}`, parsed.issues));
  return { plan: parsed.plan, match: r.match };
}

function observedLines(r: Report, match: StatsMatch): string[] {
  const rows = r.services.filter((s) => s.observedMiB).map((s) => [
    s.name, s.limitMiB === null ? 'none' : perContainerFormat(s.limitMiB, s.replicas), sizesFormat([s.usageMiB.typical, s.usageMiB.high]).join(' / '),
    `${s.observedMiB!.typical === null ? '—' : sizeFormat(s.observedMiB!.typical)} / ${sizeFormat(s.observedMiB!.peak)}`, sizeFormat(s.observedLimitMiB!),
  ]);
  const head = ['SERVICE', 'LIMIT', 'MODEL TYP/HIGH', 'SEEN TYP/PEAK', 'PLANNED LIMIT'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((x) => x[c]!.length)));
  const line = (x: string[]) => x.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return [
    'observed (docker stats) beside the model:',
    line(head), ...rows.map(line),
    ...(match.unmatched.length ? [`note: no service for container${match.unmatched.length > 1 ? 's' : ''} ${match.unmatched.join(', ')}`] : []),
    ...(match.missing.length ? [`note: no stats for ${match.missing.join(', ')}`] : []),
    ...match.notes.map((n) => `note: ${n}`),
  ];
}

const USAGE = `check COMPOSE|PLAN… [--host 4GiB] [--stats FILE] ${EVIDENCE_USAGE} [--assume] [--format ${FORMATS.join('|')}]`;

/** Formats that hold one file's report: one document each (a pre-commit hook passes several files to text). */
const ONE_FILE_FORMATS: readonly Format[] = ['json', 'sarif', 'junit'];

/**
 * Several files (as pre-commit passes them): each checked and printed in turn, a file with bad
 * input reported on stderr without stopping the others; the exit code is the worst (worstExitCode).
 */
function checkMany(files: string[], values: Args['values'], format: Format): number {
  if (ONE_FILE_FORMATS.includes(format)) throw new UsageError([`error: --format ${format} writes one file's report: run check once per file (got ${files.length} files)`]);
  if (values.stats !== undefined) throw new UsageError([`error: --stats belongs to one stack: run check once per file (got ${files.length} files)`]);
  if (values.evidence !== undefined) throw new UsageError([`error: --evidence belongs to one stack: run check once per file (got ${files.length} files)`]);
  const codes = files.map((file, i) => {
    if (i > 0) process.stdout.write('\n');
    try {
      return checkOne(file, values, format);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`${e.lines.join('\n')}\n`);
      return e.exitCode;
    }
  });
  return worstExitCode(codes);
}

export const checkCommand = {
  usage: USAGE,
  summary: 'CI gate: exit 1 if the stack does not fit or has a critical finding, 3 if that rests on guessed usage',
  options: { host: { type: 'string' }, stats: { type: 'string' }, ...EVIDENCE_OPTIONS, assume: { type: 'boolean' }, ...FORMAT_OPTIONS } as Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>,
  run: ({ positionals, values }: Args): number => {
    const format = formatOf(values);
    if (positionals.length === 0) throw new UsageError(['error: check needs a compose file or a plan file ("-" reads stdin)', `usage: headroom ${USAGE}`]);
    if (positionals.filter((p) => p === '-').length > 1) throw new UsageError(['error: only one file can be read from stdin ("-")']);
    return positionals.length === 1 ? checkOne(positionals[0]!, values, format) : checkMany(positionals, values, format);
  },
};

/**
 * The verdict: its headline; unless it fails, its other reasons; then the guessed services it
 * cannot settle, those alike on one line, each line with what settles them (its first reason,
 * the count of them, is that list: not repeated).
 */
function verdictLines(v: Pick<Verdict, 'outcome' | 'headline' | 'summary' | 'reasons' | 'assumed'>): string[] {
  const alike = new Map<string, Verdict['assumed']>();
  for (const u of v.assumed) {
    const key = `${u.kind}\u0000${u.limitMiB}\u0000${u.why}\u0000${u.settles.join('; ')}`;
    alike.set(key, [...(alike.get(key) ?? []), u]);
  }
  const open = [...alike.values()].flatMap((list) => {
    const u = list[0]!;
    return [
      `  ? ${list.map((x) => x.service).join(', ')} (${u.kind}${u.limitMiB === null ? ', no limit' : `, limit ${sizeFormat(u.limitMiB)}`}): ${u.why}`,
      `    settled by any of: ${u.settles.join('; ')}`,
    ];
  });
  const others = v.reasons.filter((r) => r !== v.summary).slice(v.assumed.length > 0 ? 1 : 0);
  const how = v.outcome === 'cannot-tell' ? ['  check exits 3 (cannot tell); --assume accepts the guesses (then 0 or 1)'] : [];
  return [v.headline, ...(v.outcome === 'fail' ? [] : others.map((r) => `  - ${r}`)), ...open, ...how];
}

/** One file checked and printed in `format`; returns the verdict's exit code. */
function checkOne(file: string, values: Args['values'], format: Format): number {
  const loaded = loadPlan(file, undefined, values.host as string | undefined);
  const evidence = withEvidence(loaded.plan, values, loaded.compose);
  const source = { ...loaded, plan: evidence.plan };
  const stats = typeof values.stats === 'string' ? withStats(source.plan, values.stats, source.compose) : null;
  const report = evaluate(stats?.plan ?? source.plan);
  const checked = checkedFrom('check', source, file, report, { assume: values.assume === true });
  const verdict = checked.verdict;
  const json = () => {
    const imported = source.compose ? { services: source.compose.services, notes: source.compose.notes } : null;
    // `verdict` is the stack's, as plan --json and the page give it; `check` is the gate's (--assume applied).
    return reportJson({ ...report, verdict: stackVerdictOf(report), check: verdict, import: imported, stats: stats?.match ?? null, ...(evidence.used ? { evidence: evidence.used } : {}) });
  };
  const text = () => {
    const lines = [
      `Headroom check: ${source.label}${source.compose ? ` (compose file, ${source.compose.services.length} services)` : ''}, host ${sizeFormat(report.host.ramMiB)}`,
      '',
      ...(source.compose ? [...importLines(source.compose), ''] : []),
      ...servicesTable(report.services),
      '',
      ...hostLines(report.host),
      '',
      ...(stats ? [...observedLines(report, stats.match), ''] : []),
      ...(evidence.used ? [...evidenceLines(evidence.used, report), ''] : []),
      `findings (${report.findings.length}):`,
      ...findingLines(report.findings, checked),
      '',
      ...verdictLines(verdictText(report, { assume: values.assume === true })),
    ];
    return `${lines.join('\n')}\n`;
  };
  process.stdout.write(renderAs(format, checked, { text, json }));
  return verdict.exitCode;
}
