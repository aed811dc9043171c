/** Grafana in the formats: its image, and the exported service (admin password from a secret, no config file). */
import type { KindFormat } from './kind.ts';

export const GRAFANA_IMAGE = 'grafana/grafana:11.1.0';
export const GRAFANA_PORT = 3000; // the image's default
/** Grafana's admin password, as a compose secret from a file. */
export const GRAFANA_ADMIN_PASSWORD = { name: 'grafana_admin_password', file: './secrets/grafana_admin_password' } as const;

export const grafana: KindFormat<'grafana'> = {
  kind: 'grafana',
  recognise: { images: [{ re: /^(?:[^/]+\/)*grafana(?:-oss|-enterprise)?$/, label: 'Grafana' }] },
  oomScoreAdj: 500, // non-negative: kinds/kind.ts
  port: GRAFANA_PORT,
  addImage: () => GRAFANA_IMAGE,
  compose: ({ service: s, svc, volume, secret, goEnv, healthcheck }) => {
    svc.image = GRAFANA_IMAGE;
    svc.container_name = s.name;
    svc.environment = { GF_SECURITY_ADMIN_PASSWORD__FILE: `/run/secrets/${secret(GRAFANA_ADMIN_PASSWORD)}`, ...goEnv() };
    svc.secrets = [GRAFANA_ADMIN_PASSWORD.name];
    svc.volumes = [volume('/var/lib/grafana')];
    svc.ports = [`127.0.0.1:${GRAFANA_PORT}:${GRAFANA_PORT}`];
    svc.healthcheck = healthcheck(['CMD', 'wget', '-q', '--spider', `http://127.0.0.1:${GRAFANA_PORT}/api/health`]);
  },
  scrapeTarget: (g) => ({ job: g.name, service: g.name, target: `${g.name}:${GRAFANA_PORT}` }),
};
