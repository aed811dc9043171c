/**
 * `--format sarif`: SARIF 2.1.0 (OASIS), the format code-scanning UIs read. One result per
 * finding, at the line of the compose file (or plan file) that holds the setting its fix changes
 * (locations.ts), with the fix in the message and in the result's properties; one rule per
 * finding id with its description, help and usual level (rules.ts). Serialized with
 * JSON.stringify: no string is pasted into JSON text.
 */
import type { Finding, Severity } from '../engine/index.ts';
import type { Checked } from './checked.ts';
import { RULES, ruleText } from './rules.ts';
import { OUTCOMES } from './verdict.ts';

/** SARIF result levels for Headroom's severities. */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', warning: 'warning', info: 'note' };

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** `usage-over-limit` → `UsageOverLimit` (SARIF's rule `name` is an identifier-like word). */
const ruleName = (id: string) => id.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

function rules(findings: Finding[]) {
  const ids = [...Object.keys(RULES), ...findings.map((f) => f.id).filter((id) => !(id in RULES))];
  const unique = [...new Set(ids)];
  return unique.map((id) => {
    const t = ruleText(id, findings.find((f) => f.id === id)?.severity ?? 'warning');
    return {
      id,
      name: ruleName(id),
      shortDescription: { text: t.short },
      fullDescription: { text: t.help },
      help: { text: t.help },
      defaultConfiguration: { level: LEVEL[t.severity] },
    };
  });
}

function locations(c: Checked, f: Finding) {
  const logical = [{ name: f.service ?? 'host', fullyQualifiedName: f.service ? `services.${f.service}` : 'host', kind: 'resource' }];
  const where = c.where(f);
  if (!c.artifact || where.length === 0) return [{ logicalLocations: logical }];
  const { uri, uriBaseId } = c.artifact;
  return where.map((w) => ({
    physicalLocation: { artifactLocation: { uri, ...(uriBaseId ? { uriBaseId } : {}), index: 0 }, region: { startLine: w.line, startColumn: w.column } },
    logicalLocations: logical,
    message: { text: w.what },
  }));
}

export function reportSarif(c: Checked): string {
  const ruleList = rules(c.report.findings);
  const index = new Map(ruleList.map((r, i) => [r.id, i]));
  const results = c.report.findings.map((f) => ({
    ruleId: f.id,
    ruleIndex: index.get(f.id)!,
    level: LEVEL[f.severity],
    message: { text: `${f.message} Fix: ${f.fix.summary}` },
    locations: locations(c, f),
    // Stable across edits that move lines: the rule and the service it is about.
    partialFingerprints: { 'headroomFinding/v1': `${f.id}:${f.service ?? ''}` },
    properties: { severity: f.severity, service: f.service, fix: f.fix },
  }));
  const artifact = c.artifact;
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Headroom', version: c.version, semanticVersion: c.version, rules: ruleList } },
        ...(artifact?.uriBaseId && artifact.baseUri ? { originalUriBaseIds: { [artifact.uriBaseId]: { uri: artifact.baseUri } } } : {}),
        ...(artifact ? { artifacts: [{ location: { uri: artifact.uri, ...(artifact.uriBaseId ? { uriBaseId: artifact.uriBaseId } : {}) }, roles: ['analysisTarget'] }] } : {}),
        invocations: [{ executionSuccessful: true, exitCode: c.command === 'check' ? OUTCOMES[c.verdict.outcome].exitCode : 0 }],
        // One category per file checked: code scanning keeps the results of each file apart.
        automationDetails: { id: `headroom/${c.command}/${c.label}/` },
        results,
        properties: { label: c.label, verdict: { outcome: c.verdict.outcome, summary: c.verdict.summary, reasons: c.verdict.reasons } },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
