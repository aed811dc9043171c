/**
 * `--format markdown`: a summary the size of a PR comment or a job summary: the verdict, the
 * services table, the host in one line, and the top findings with their fixes. Every string that
 * comes from the user's files is escaped (markdownText), so a name or message cannot open a link,
 * an HTML tag or a table cell of its own.
 */
import { sizeFormat, type Severity } from '../engine/index.ts';
import { percentFormat, withArticle } from '../engine/units.ts';
import { findingGroups, type FindingGroup } from '../engine/findings/group.ts';
import type { Checked } from './checked.ts';
import { OUTCOMES, verdictText } from './verdict.ts';
import { fixLinesText, groupWords } from './render.ts';
import { composeWritesText } from './fix-words.ts';
import { chanceText, unlimitedHighMiB } from '../engine/policy.ts';
import { ONE_SHOT_TEXT, startupText } from '../engine/finding-words.ts';

/** Findings shown in full; the rest are counted. Assumed: a PR comment people read to the end. */
export const MARKDOWN_TOP_FINDINGS = 8;
/** Services listed in the table; more are counted (GitHub caps a comment at 65,536 characters). */
export const MARKDOWN_MAX_SERVICES = 40;

const SEVERITY_MARK: Record<Severity, string> = { critical: '🔴 **critical**', warning: '🟠 **warning**', info: '🔵 info' };

/**
 * Text safe inside a Markdown line and a GFM table cell: the punctuation Markdown or HTML reads
 * is backslash-escaped, `&` written as an entity, line breaks joined. (No line here starts with
 * such text, so list and heading markers at a line's start need no care.)
 */
export function markdownText(s: string): string {
  return s
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_{}[\]()<>#+!|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;');
}

const mib = (v: number) => String(Math.round(v));

function riskCell(r: { level: string; pOverLimit: number }): string {
  const p = r.pOverLimit;
  return `${r.level}${p > 0 ? ` (${chanceText(p)})` : ''}`;
}

function servicesTable(c: Checked): string[] {
  const shown = c.report.services.slice(0, MARKDOWN_MAX_SERVICES);
  const rows = shown.map((s) => `| ${markdownText(s.name)}${s.implied ? ' \\*' : ''}${s.oneShot ? ' †' : ''} | ${s.kind} | ${s.limitMiB === null ? 'none' : sizeFormat(s.limitMiB)} | ${s.basis} | ${mib(s.usageMiB.low)} / ${mib(s.usageMiB.typical)} / ${mib(s.usageMiB.high)} | ${s.headroomMiB === null ? '—' : sizeFormat(s.headroomMiB)} | ${s.limitMiB === null ? 'host’s: ' : ''}${riskCell(s.risk)} |`);
  const more = c.report.services.length - shown.length;
  return [
    '| service | kind | limit | basis | low / typical / high MiB | headroom | risk |',
    '|---|---|--:|---|--:|--:|---|',
    ...rows,
    ...(more > 0 ? ['', `…and ${more} more services (run \`headroom check\` for the full table).`] : []),
    ...(shown.some((s) => s.implied) ? ['', '\\* added by Headroom: a feature toggle, or an exporter the alert rules read.'] : []),
    ...(shown.some((s) => s.oneShot) ? ['', `† ${ONE_SHOT_TEXT} (its high is checked at startup).`] : []),
  ];
}

function hostLine(c: Checked): string {
  const h = c.report.host;
  const pct = (v: number) => percentFormat(v / h.ramMiB);
  return `**Host:** limits ${sizeFormat(h.setLimitsMiB)} + reserve ${sizeFormat(h.reserveMiB)} = ${sizeFormat(h.setLimitsMiB + h.reserveMiB)} (${pct(h.setLimitsMiB + h.reserveMiB)} of ${sizeFormat(h.ramMiB)})${unlimitedHighMiB(h) > 0 ? `, services without a limit up to ${sizeFormat(unlimitedHighMiB(h))} more` : ''}; free ${sizeFormat(h.freeMiB.low)} at worst, ${sizeFormat(h.freeMiB.typical)} typical (criterion ${sizeFormat(h.freeCriterionMiB)}); host OOM risk ${riskCell(h.risk)}${h.startup ? `; ${startupText(h.startup, h.ramMiB, sizeFormat)}` : ''}.`;
}

/** Changes written out per item; more are counted. */
const CHANGES_SHOWN = 8;

function findingItem(c: Checked, g: FindingGroup): string[] {
  const at = fixLinesText(c, g, CHANGES_SHOWN, markdownText);
  const changes = c.changesText(g.changes, CHANGES_SHOWN, markdownText, at);
  return [
    `- ${SEVERITY_MARK[g.severity]} **${markdownText(groupWords(g))}** (${g.basis}): ${markdownText(g.message)}`,
    `  **Fix:** ${markdownText(g.fixSummary)}${changes ? ` — ${changes}` : at ? ` (${at})` : ''}`,
  ];
}

function findingsSection(c: Checked): string[] {
  const all = c.report.findings;
  if (all.length === 0) return ['**Findings:** none.'];
  const count = (s: Severity) => all.filter((f) => f.severity === s).length;
  const counts = (['critical', 'warning', 'info'] as const).filter((s) => count(s) > 0).map((s) => `${count(s)} ${s}`).join(', ');
  const groups = findingGroups(all);
  const top = groups.slice(0, MARKDOWN_TOP_FINDINGS);
  const rest = groups.slice(top.length);
  const restCount = rest.reduce((n, g) => n + g.findings.length, 0);
  return [
    `**Findings:** ${counts}${rest.length > 0 ? ` (the first ${top.length} below)` : ''}`,
    '',
    ...top.flatMap((g) => findingItem(c, g)),
    ...(c.source?.kind === 'compose' && top.some((g) => g.changes.length > 0) ? ['', `<sub>${markdownText(composeWritesText(c.label))}.</sub>`] : []),
    ...(rest.length > 0 ? ['', `…and ${restCount} more (${[...new Set(rest.map((g) => g.severity))].join(', ')}): \`headroom ${c.command}\` lists them all.`] : []),
  ];
}

/** What leaves the verdict open, and what settles it. */
function openSection(c: Checked): string[] {
  const v = c.verdict;
  if (v.assumed.length === 0) return [];
  const shown = v.assumed.slice(0, MARKDOWN_MAX_SERVICES);
  return [
    `**Not settled (${v.assumed.length}):** ${shown.map((u) => markdownText(u.service)).join(', ')}${v.assumed.length > shown.length ? ', …' : ''}. Settled by any of: ${markdownText(v.assumed[0]!.settles.join('; '))}.`,
    '',
  ];
}

export function reportMarkdown(c: Checked): string {
  const o = OUTCOMES[c.verdict.outcome];
  const what = c.source?.kind === 'compose' ? `compose file, ${c.notes.length} service${c.notes.length === 1 ? '' : 's'}` : c.source ? 'plan file' : 'built-in plan';
  const lines = [
    `### ${o.mark} Headroom ${c.command}: ${o.label}`,
    '',
    `**${c.source ? 'File' : 'Plan'}:** ${markdownText(c.label)} (${what}) on ${withArticle(sizeFormat(c.report.host.ramMiB))} host.`,
    '',
    // In words, as the text output says it (the JSON, SARIF and JUnit keep the ids).
    `**${o.label}:** ${markdownText(verdictText(c.report, { assume: c.verdict.assumedAccepted }).summary)}`,
    '',
    ...openSection(c),
    ...servicesTable(c),
    '',
    hostLine(c),
    '',
    ...findingsSection(c),
    '',
    `<sub>Headroom ${markdownText(c.version)}: low / typical / high are the model's usage; risk is the chance of an OOM kill at the limit.</sub>`,
  ];
  return `${lines.join('\n')}\n`;
}
