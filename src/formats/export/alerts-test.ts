/**
 * alerts.test.yml: a `promtool test rules` file in which every rule fires on a synthetic breach
 * built from this plan's numbers and stays silent on normal series (Prometheus docs, "Unit
 * testing for rules"). Expected labels and annotations are computed here from the same data.
 */
import { GENERATED_BY, yamlDocument } from './common.ts';
import { alertRules, seriesText, type AlertRule, type Labels, type RuleCase } from './alerts.ts';
import type { Stack } from './stack.ts';

/** Expands the only template form the rules use, `{{ $labels.x }}` (a missing label is empty, as in Prometheus). */
export function expandLabels(template: string, labels: Labels): string {
  return template.replace(/\{\{ \$labels\.([a-zA-Z_][a-zA-Z0-9_]*) \}\}/g, (_, k: string) => labels[k] ?? '');
}

function testCase(rule: AlertRule, c: RuleCase, what: string) {
  return {
    name: `${rule.alert} ${what}`,
    interval: '1m',
    input_series: c.series.map((s) => ({ series: seriesText(s), values: s.values })),
    alert_rule_test: [
      {
        eval_time: rule.evalTime,
        alertname: rule.alert,
        exp_alerts: c.alerts.map((l) => {
          const labels = { ...l, severity: rule.severity };
          return { exp_labels: labels, exp_annotations: { summary: expandLabels(rule.summary, labels), description: expandLabels(rule.description, labels) } };
        }),
      },
    ],
  };
}

export function alertsTestYml(stack: Stack): string {
  const rules = alertRules(stack);
  return yamlDocument(
    {
      rule_files: [stack.files.alerts],
      evaluation_interval: '1m',
      tests: rules.flatMap((r) => [testCase(r, r.fire, 'fires on a breach'), testCase(r, r.calm, 'stays silent on normal series')]),
    },
    [`Unit tests for ${stack.files.alerts}. ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`, `Run: promtool test rules ${stack.files.alertsTest}`],
  );
}
