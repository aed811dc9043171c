/**
 * alertmanager.yml: one Slack receiver reading its webhook from a file (never written here), the
 * seed's grouping and repeat intervals, and critical alerts repeated sooner.
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { GENERATED_BY, yamlDocument } from './common.ts';
import type { Stack } from './stack.ts';

export const SLACK_RECEIVER = 'slack-notifications';
export const SLACK_WEBHOOK_FILE = '/run/secrets/slack_webhook_url';

export function alertmanagerYml(stack: Stack, am: ServiceOf<'alertmanager'>): string {
  return yamlDocument(
    {
      route: {
        receiver: SLACK_RECEIVER,
        group_by: ['alertname', 'service'],
        group_wait: '30s', // the seed
        group_interval: '5m', // Alertmanager default
        repeat_interval: '12h', // the seed
        routes: [
          // assumed: a critical alert (the seed's four) is worth repeating hourly until resolved.
          { matchers: ['severity="critical"'], receiver: SLACK_RECEIVER, repeat_interval: '1h' },
        ],
      },
      // A service that is down explains its own warnings: mute them while it is.
      inhibit_rules: [{ source_matchers: ['alertname="ServiceDown"'], target_matchers: ['severity="warning"'], equal: ['service'] }],
      receivers: [
        {
          name: SLACK_RECEIVER,
          slack_configs: [
            {
              api_url_file: SLACK_WEBHOOK_FILE,
              channel: '#infrastructure-alerts', // the seed
              send_resolved: true,
              title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
              text: '{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }}\n{{ end }}',
            },
          ],
        },
      ],
    },
    [
      `alertmanager.yml for the service "${am.name}". ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`,
      `The Slack webhook URL is read from ${SLACK_WEBHOOK_FILE} (the compose secret slack_webhook_url): put it in ./secrets/slack_webhook_url.`,
    ],
  );
}
