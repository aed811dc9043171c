/**
 * AlertManager in the formats: its image, and the exported service with its alertmanager.yml:
 * one Slack receiver reading its webhook from a file (never written here), the seed's grouping
 * and repeat intervals, and critical alerts repeated sooner.
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { GENERATED_BY, yamlDocument } from '../export/common.ts';
import type { KindFormat, Stack } from './kind.ts';

export const ALERTMANAGER_IMAGE = 'prom/alertmanager:v0.27.0';
export const ALERTMANAGER_PORT = 9093; // the image's default
export const ALERTMANAGER_YML = { base: 'alertmanager', ext: 'yml', mount: '/etc/alertmanager/alertmanager.yml' } as const;
/** The Slack webhook URL, as a compose secret from a file. */
export const SLACK_WEBHOOK = { name: 'slack_webhook_url', file: './secrets/slack_webhook_url' } as const;
export const SLACK_RECEIVER = 'slack-notifications';
export const SLACK_WEBHOOK_FILE = `/run/secrets/${SLACK_WEBHOOK.name}`;

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
      `The Slack webhook URL is read from ${SLACK_WEBHOOK_FILE} (the compose secret ${SLACK_WEBHOOK.name}): put it in ${SLACK_WEBHOOK.file}.`,
    ],
  );
}

export const alertmanager: KindFormat<'alertmanager'> = {
  kind: 'alertmanager',
  recognise: { images: [{ re: /^(?:[^/]+\/)*alertmanager$/, label: 'AlertManager' }] },
  oomScoreAdj: 300, // non-negative: kinds/kind.ts
  port: ALERTMANAGER_PORT,
  addImage: () => ALERTMANAGER_IMAGE,
  added: () => ({ def: {}, comments: [`Mount an alertmanager.yml with a receiver (headroom export writes one) at ${ALERTMANAGER_YML.mount}.`] }),
  configs: { yml: ALERTMANAGER_YML },
  compose: ({ stack, service: s, svc, volume, secret, goEnv, healthcheck }) => {
    svc.image = ALERTMANAGER_IMAGE;
    svc.container_name = s.name;
    svc.command = [`--config.file=${ALERTMANAGER_YML.mount}`, '--storage.path=/alertmanager'];
    svc.environment = goEnv();
    svc.secrets = [secret(SLACK_WEBHOOK)];
    svc.volumes = [volume('/alertmanager'), `./${stack.configPath(s, 'yml')}:${ALERTMANAGER_YML.mount}:ro`];
    svc.ports = [`127.0.0.1:${ALERTMANAGER_PORT}:${ALERTMANAGER_PORT}`];
    svc.healthcheck = healthcheck(['CMD', 'wget', '-q', '--spider', `http://127.0.0.1:${ALERTMANAGER_PORT}/-/healthy`]);
  },
  files: (stack, services) => services.map((a) => ({
    path: stack.configPath(a, 'yml'),
    content: alertmanagerYml(stack, a),
    description: `AlertManager routing for ${a.name}: Slack, webhook from a file`,
  })),
  scrapeTarget: (a) => ({ job: a.name, service: a.name, target: `${a.name}:${ALERTMANAGER_PORT}` }),
};
