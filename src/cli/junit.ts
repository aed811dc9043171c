/**
 * `--format junit`: JUnit XML for CI dashboards. Three suites: the verdict (one case, the gate
 * itself), the services (one case per service: it fails when a critical finding is about it),
 * and the findings (one case per finding: a critical one is a failure, the gate's reason; a
 * warning or a note passes and says itself in system-out). So the failures are exactly what
 * makes `check` exit 1. Built with fast-xml-parser's XMLBuilder, which escapes every attribute
 * and text; characters XML 1.0 cannot carry at all are replaced first (xmlSafe).
 */
import { XMLBuilder } from 'fast-xml-parser';
import { perContainerFormat, sizeFormat, withArticle, type Finding, type ServiceBudget } from '../engine/index.ts';
import { chanceText } from '../engine/policy.ts';
import type { Checked } from './checked.ts';
import type { Where } from './locations.ts';
import { findingLabel, OUTCOMES, type OutcomeInfo } from './verdict.ts';

/** Characters XML 1.0 allows (its Char production): the rest become U+FFFD. */
export function xmlSafe(s: string): string {
  return s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
}

type Case = { name: string; classname: string; where: Where | null; state: OutcomeInfo['junit']; message: string; body: string };

const mib = (v: number) => String(Math.round(v));

function serviceCase(c: Checked, s: ServiceBudget): Case {
  const critical = c.report.findings.filter((f) => f.service === s.name && f.severity === 'critical');
  const usage = `limit ${s.limitMiB === null ? 'none' : perContainerFormat(s.limitMiB, s.replicas)}; usage ${mib(s.usageMiB.low)} / ${mib(s.usageMiB.typical)} / ${mib(s.usageMiB.high)} MiB (low / typical / high); basis ${s.basis}; ${s.headroomMiB === null ? `no limit, risk the host's: ${s.risk.level} (${chanceText(s.risk.pOverLimit)} chance the host runs out)` : `headroom ${sizeFormat(s.headroomMiB)}; risk ${s.risk.level} (${chanceText(s.risk.pOverLimit)} chance over the limit)`}`;
  return {
    name: `${s.name}: memory limit`,
    classname: `headroom.services.${s.kind}`,
    where: c.serviceAt(s.name),
    state: critical.length ? OUTCOMES.fail.junit : OUTCOMES.pass.junit,
    message: critical.length ? `${s.name}: ${critical.map((f) => f.id).join(', ')}` : '',
    body: [usage, ...critical.map((f) => `${f.id}: ${f.message} Fix: ${f.fix.summary}`)].join('\n'),
  };
}

function findingCase(c: Checked, f: Finding): Case {
  // The changes as the text and Markdown say them: in the file's own terms (fix-words.ts).
  const changes = c.changesText(f.fix.changes, f.fix.changes.length);
  return {
    name: findingLabel(f),
    classname: `headroom.findings.${f.severity}`,
    where: c.where(f)[0] ?? null,
    state: f.severity === 'critical' ? OUTCOMES.fail.junit : OUTCOMES.pass.junit,
    message: f.message,
    body: [`${f.severity}: ${f.message}`, `fix: ${f.fix.summary}`, ...(changes ? [`change: ${changes}`] : [])].join('\n'),
  };
}

function verdictCase(c: Checked): Case {
  const o = OUTCOMES[c.verdict.outcome];
  return {
    name: `the stack fits ${withArticle(sizeFormat(c.report.host.ramMiB))} host with no critical finding`,
    classname: `headroom.${c.command}`,
    where: null,
    state: o.junit,
    message: c.verdict.headline,
    body: [c.verdict.headline, ...c.verdict.reasons.map((r) => `- ${r}`)].join('\n'),
  };
}

function testcase(c: Checked, k: Case) {
  const file = c.artifact && k.where ? { '@_file': xmlSafe(c.label), '@_line': k.where.line } : {};
  const el: Record<string, unknown> = { '@_name': xmlSafe(k.name), '@_classname': xmlSafe(k.classname), '@_time': 0, ...file };
  if (k.state === 'failure') el.failure = { '@_message': xmlSafe(k.message), '@_type': 'headroom', '#text': xmlSafe(k.body) };
  else if (k.state === 'skipped') el.skipped = { '@_message': xmlSafe(k.message) };
  el['system-out'] = xmlSafe(k.body);
  return el;
}

function suite(c: Checked, name: string, cases: Case[]) {
  return {
    '@_name': xmlSafe(name),
    '@_tests': cases.length,
    '@_failures': cases.filter((k) => k.state === 'failure').length,
    '@_errors': 0,
    '@_skipped': cases.filter((k) => k.state === 'skipped').length,
    '@_time': 0,
    testcase: cases.map((k) => testcase(c, k)),
  };
}

export function reportJunit(c: Checked): string {
  const suites = [
    suite(c, `headroom ${c.command}: verdict (${c.label})`, [verdictCase(c)]),
    suite(c, `headroom ${c.command}: services (${c.label})`, c.report.services.map((s) => serviceCase(c, s))),
    suite(c, `headroom ${c.command}: findings (${c.label})`, c.report.findings.map((f) => findingCase(c, f))),
  ];
  const total = (key: '@_tests' | '@_failures' | '@_skipped') => suites.reduce((n, s) => n + s[key], 0);
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': xmlSafe(`headroom ${c.command} ${c.label} (Headroom ${c.version})`),
      '@_tests': total('@_tests'),
      '@_failures': total('@_failures'),
      '@_errors': 0,
      '@_skipped': total('@_skipped'),
      '@_time': 0,
      testsuite: suites,
    },
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: false, processEntities: true });
  return `${builder.build(doc)}`;
}
