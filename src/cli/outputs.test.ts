/**
 * The renderers on their own, with names and messages no compose file could carry (the importer
 * refuses such service names; the renderers must not rely on it): the XML stays well formed and
 * reads back to the same strings, Markdown cells stay cells, SARIF stays JSON.
 */
import { describe, expect, it } from 'vitest';
import { parse as junitParse, type TestSuites } from 'junit2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, planParse, PRESET_NAMES, type Report } from '../engine/index.ts';
import { composeImport } from '../formats/compose-import/index.ts';
import { RULES } from './rules.ts';
import { presetGet } from '../engine/presets.ts';
import { checkedOf } from './checked.ts';
import { reportJunit, xmlSafe } from './junit.ts';
import { markdownText, reportMarkdown } from './markdown.ts';
import { reportSarif } from './sarif.ts';
import { verdictOf, worstExitCode } from './verdict.ts';

const HOSTILE = ['a<b>&c"d\'e', ']]>', 'x|y*z_[l](u)`c`', '<!-- c -->', '&amp;', '\u0000\u0001\u001b[31m', '\uD800 lone', 'emoji 🧪 ü', '<script>alert(1)</script>'];

function hostileReport(): Report {
  const r = planParse(presetGet('4gb'));
  if (!r.ok) throw new Error('preset');
  const report = structuredClone(evaluate(r.plan));
  report.services.forEach((s, i) => {
    const old = s.name;
    s.name = `${HOSTILE[i % HOSTILE.length]} ${i}`;
    for (const f of report.findings) {
      if (f.service === old) f.service = s.name;
      for (const c of f.fix.changes) if (c.service === old) c.service = s.name;
    }
  });
  report.findings.forEach((f, i) => {
    f.message = `${HOSTILE[i % HOSTILE.length]} message\nsecond line`;
    f.fix.summary = `${HOSTILE[(i + 1) % HOSTILE.length]} fix`;
  });
  return report;
}

const checked = (report: Report, label = 'we"ird <&> ]]>.yml') => checkedOf({ command: 'check', label, report, verdict: verdictOf(report), source: null, artifact: null, notes: [], version: '0.0.0-test' });

describe('hostile strings in every format', () => {
  const report = hostileReport();

  it('JUnit: well formed, every attribute escaped, names read back as written (XML 1.0\'s forbidden characters replaced)', async () => {
    const xml = reportJunit(checked(report));
    for (const m of xml.matchAll(/\s[\w-]+="([^"]*)"/g)) expect(m[1]).toMatch(/^(?:[^<&"]|&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)*$/);
    const x = (await junitParse(xml)) as TestSuites;
    expect(x.testsuite![1]!.testcase!.map((t) => t.name)).toEqual(report.services.map((s) => `${xmlSafe(s.name)}: memory limit`));
    const findings = x.testsuite![2]!.testcase!;
    expect(findings.map((t) => t['system-out']![0]!.split('\n')[0])).toEqual(report.findings.map((f) => xmlSafe(`${f.severity}: ${f.message.split('\n')[0]}`)));
    expect(x.name).toBe('headroom check we"ird <&> ]]>.yml (Headroom 0.0.0-test)');
  });

  it('xmlSafe keeps what XML 1.0 allows and replaces the rest', () => {
    expect(xmlSafe('a\tb\nc\rü🧪')).toBe('a\tb\nc\rü🧪');
    expect(xmlSafe('\u0000\u0008\u000b\u001f\uFFFE\uD800')).toBe('\uFFFD'.repeat(6));
  });

  it('Markdown: each table row keeps its eight cell borders; no tag or link opens', () => {
    const md = reportMarkdown(checked(report));
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| service'));
    expect(rows).toHaveLength(report.services.length);
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(9);
    expect(md).not.toMatch(/(?<!\\)<(?!sub>|\/sub>)[a-z!/]/i);
    expect(md).not.toMatch(/(?<!\\)\]\(/);
    expect(md.split('\n').filter((l) => l.startsWith('- ')).length).toBeGreaterThan(0);
    expect(markdownText('a|b<c>&d*e_f`g\nh')).toBe('a\\|b\\<c\\>&amp;d\\*e\\_f\\`g h');
  });

  it('SARIF: JSON that reads back to the same messages and names', () => {
    const log = JSON.parse(reportSarif(checked(report))) as { runs: Array<{ results: Array<{ message: { text: string }; locations: Array<{ logicalLocations: Array<{ name: string }> }> }> }> };
    const results = log.runs[0]!.results;
    expect(results.map((r) => r.message.text)).toEqual(report.findings.map((f) => `${f.message} Fix: ${f.fix.summary}`));
    expect(results.map((r) => r.locations[0]!.logicalLocations[0]!.name)).toEqual(report.findings.map((f) => f.service ?? 'host'));
  });
});

describe('the SARIF rule texts', () => {
  it('cover every finding id the presets and the compose corpus raise, with the usual severity', () => {
    const dir = 'src/formats/compose-import/corpus';
    const plans = [
      ...PRESET_NAMES.map((n) => presetGet(n)).map((p) => planParse(p)),
      ...readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && !f.includes('.expected.')).map((f) => composeImport(readFileSync(join(dir, f), 'utf8'), {})),
    ].flatMap((r) => (r.ok ? [r.plan] : []));
    expect(plans.length).toBeGreaterThan(5);
    const ids = new Set(plans.flatMap((p) => evaluate(p).findings.map((f) => f.id)));
    expect([...ids].filter((id) => !(id in RULES))).toEqual([]);
    for (const [id, rule] of Object.entries(RULES)) expect(rule.short.length, id).toBeGreaterThan(10);
  });
});

describe('worstExitCode', () => {
  it.each([
    [[], 0], [[0, 0], 0], [[0, 1, 0], 1], [[1, 2, 0], 2], [[2, 1], 2], [[70, 1], 70],
  ])('%j → %i', (codes, worst) => expect(worstExitCode(codes)).toBe(worst));
});
