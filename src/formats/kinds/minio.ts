/**
 * MinIO in the formats: its images, MINIO_API_REQUESTS_MAX and the drives of `minio server`, the
 * environment a compose edit writes, and the exported service.
 */
import type { KindFormat, Recognised, ServiceFacts } from './kind.ts';
import { base } from '../compose-import/words.ts';
import { readCount } from './options.ts';

export const MINIO_IMAGE = 'minio/minio:RELEASE.2025-04-22T22-12-26Z';
export const MINIO_PORT = 9000;
export const MINIO_ROOT_PASSWORD = { name: 'minio_root_password', file: './secrets/minio_root_password' } as const;
const REQUESTS = 'MINIO_API_REQUESTS_MAX';

function minioRead(f: ServiceFacts, r: Recognised): void {
  const v = f.environment[REQUESTS];
  if (v) readCount(r, 'requestsMax', { value: v, from: `environment ${REQUESTS}=${v}` }, 'requestsMax');
  // `minio server /data{1...4}`: each path (or ellipsis) after `server` is one or more drives.
  const at = f.command.findIndex((w, i) => w === 'server' && (i === 0 || base(f.command[i - 1]!) === 'minio'));
  if (at >= 0) {
    let drives = 0;
    for (let i = at + 1; i < f.command.length; i++) {
      const w = f.command[i]!;
      if (w.startsWith('-')) {
        if (!w.includes('=')) i++;
        continue;
      }
      const m = /\{(\d+)\.\.\.(\d+)\}/.exec(w);
      drives += m ? Number(m[2]) - Number(m[1]) + 1 : 1;
    }
    if (drives > 1) {
      r.settings.drives = drives;
      r.read.push(`drives ${drives} from command server ${f.command.slice(at + 1).join(' ')}`);
    }
  }
}

export const minio: KindFormat<'minio'> = {
  kind: 'minio',
  recognise: {
    images: [{ re: /^(?:[^/]+\/)*minio$/, label: 'MinIO' }],
    read: minioRead,
  },
  edit: {
    syntax: 'options',
    flags: () => [],
    env: (s, old) => (s.settings.requestsMax !== undefined && s.settings.requestsMax !== old.settings.requestsMax ? [[REQUESTS, String(s.settings.requestsMax)]] : []),
    defaultCommand: () => null,
  },
  oomScoreAdj: -200,
  port: MINIO_PORT,
  addImage: () => MINIO_IMAGE,
  compose: ({ service: s, svc, note, volume, secret, healthcheck }) => {
    svc.image = MINIO_IMAGE;
    svc.container_name = s.name;
    svc.command = ['server', '/data', '--console-address', ':9001'];
    svc.environment = { MINIO_ROOT_USER: 'admin', MINIO_ROOT_PASSWORD_FILE: `/run/secrets/${secret(MINIO_ROOT_PASSWORD)}`, ...(s.settings.requestsMax !== undefined ? { [REQUESTS]: String(s.settings.requestsMax) } : {}) };
    svc.secrets = [MINIO_ROOT_PASSWORD.name];
    svc.volumes = [volume('/data')];
    svc.healthcheck = healthcheck(['CMD', 'mc', 'ready', 'local']);
    note.push(s.settings.requestsMax !== undefined ? `At most ${s.settings.requestsMax} requests at once (~2 MiB each).` : 'Requests: MinIO sizes its pool from the memory it sees.');
  },
};
