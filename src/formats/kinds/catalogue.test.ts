/** Compose import of catalogued application images (engine/catalogue.ts): their runtime kind, their figure and its source. */
import { describe, expect, it } from 'vitest';
import { composeImport } from '../compose-import/index.ts';
import { APP_CATALOGUE } from '../../engine/catalogue.ts';
import { KIND_FORMATS } from './index.ts';

function one(service: string) {
  const r = composeImport(`services:\n  s:\n${service.replace(/^/gm, '    ')}\n`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const n = r.services[0]!;
  return { kind: n.kind, why: n.why, warnings: n.warnings, read: n.read, settings: r.input.services[0]!.settings ?? {} };
}

describe('catalogued application images', () => {
  it('immich-machine-learning: python, its reported memory as memory per process, each figure with its source', () => {
    const s = one('image: ghcr.io/immich-app/immich-machine-learning:release');
    expect(s.kind).toBe('python');
    expect(s.why).toMatch(/catalogue/);
    expect(s.settings).toMatchObject({ app: 'immich-machine-learning', perProcess: '1280MiB' });
    expect(s.read.join('\n')).toMatch(/perProcess 1280MiB.*immich-app\/immich\/issues\/3142/);
    expect(s.read.join('\n')).toMatch(/reported high 2048 MiB: https:\/\/github.com\/adampetrovic/);
    expect(s.warnings.join('\n')).not.toMatch(/Headroom's default \(90 MiB\)/);
  });

  it("Sentry's consumers keep their command's reading and take the catalogue's figure", () => {
    const s = one('image: ghcr.io/getsentry/snuba:nightly\ncommand: rust-consumer --storage errors');
    expect(s.kind).toBe('python');
    expect(s.settings).toMatchObject({ app: 'snuba', perProcess: '250MiB' });
  });

  it('an entry without a figure: the runtime kind, and a warning that its memory is assumed', () => {
    const s = one('image: redash/redash:10.1.0\ncommand: server');
    expect(s.kind).toBe('python');
    expect(s.settings).toMatchObject({ app: 'redash' });
    expect(s.warnings.join('\n')).toMatch(/no published figure .* \(assumed\)/);
  });

  it("Airflow's memory per process is a published PSS (apache/airflow#56641: 86.8M), not the python default", () => {
    const s = one('image: apache/airflow:3.0.2\ncommand: scheduler');
    expect(s.settings).toMatchObject({ app: 'airflow', perProcess: '87MiB' });
    expect(s.read.join('\n')).toMatch(/perProcess 87MiB.*apache\/airflow\/issues\/56641/);
    expect(s.warnings.join('\n')).not.toMatch(/no published figure/);
  });

  it("Airflow (test/corpus/airflow): `celery worker` runs Airflow's worker_concurrency (16), not Celery's per-CPU guess; the dag-processor its parsing_processes (2); the variables override them", () => {
    const worker = one('image: apache/airflow:3.0.2\ncommand: celery worker');
    expect(worker.settings).toMatchObject({ app: 'airflow', server: 'celery', processes: 16 });
    expect(worker.read.join('\n')).toMatch(/processes 16 from celery worker: Airflow's \[celery\] worker_concurrency default 16/);
    // `airflow celery flower` is Celery's web monitor, not the worker: Celery's own reading.
    expect(one('image: apache/airflow:3.0.2\ncommand: celery flower').settings).not.toMatchObject({ processes: 16 });
    expect(worker.warnings.join('\n')).not.toMatch(/one process per CPU/);
    const set = one('image: apache/airflow:3.0.2\ncommand: celery worker\nenvironment: { AIRFLOW__CELERY__WORKER_CONCURRENCY: "4" }');
    expect(set.settings).toMatchObject({ processes: 4 });
    const flag = one('image: apache/airflow:3.0.2\ncommand: celery worker --concurrency 3');
    expect(flag.settings).toMatchObject({ processes: 3 });
    const parser = one('image: apache/airflow:3.0.2\ncommand: dag-processor');
    expect(parser.settings).toMatchObject({ processes: 2 });
    expect(parser.read.join('\n')).not.toMatch(/^processes 1: /m);
    // A plain Celery worker on another image keeps Celery's own default (one per CPU, 2 assumed) and says so.
    const other = one('image: python:3.12\ncommand: celery -A app worker');
    expect(other.settings).toMatchObject({ server: 'celery', processes: 2 });
    expect(other.warnings.join('\n')).toMatch(/one process per CPU/);
  });

  it('native entries set the language; proxy entries the server inside', () => {
    expect(one('image: getsentry/relay:nightly').settings).toMatchObject({ app: 'sentry-relay', language: 'rust', memory: '34MiB' });
    expect(one('image: mattermost/mattermost-enterprise-edition:10.5').settings).toMatchObject({ app: 'mattermost', language: 'go' });
    expect(one('image: penpotapp/frontend:2.16')).toMatchObject({ kind: 'proxy', settings: { server: 'nginx' } });
    expect(one('image: makeplane/plane-proxy:stable')).toMatchObject({ kind: 'proxy', settings: { server: 'caddy' } });
  });

  it('a service built from source is told by the heap variable only its server reads (ES_JAVA_OPTS)', () => {
    const s = one('build: {context: elasticsearch/}\nenvironment:\n  ES_JAVA_OPTS: -Xms512m -Xmx512m');
    expect(s.kind).toBe('jvm');
    expect(s.why).toMatch(/ES_JAVA_OPTS.*Elasticsearch/);
    expect(s.settings).toMatchObject({ heap: '512MiB' });
  });

  it.each([
    'getsentry/snuba', 'sentry-self-hosted-local', 'getsentry/relay', 'getsentry/symbolicator', 'immich-app/immich-server', 'immich-app/immich-machine-learning',
    'goauthentik/server', 'n8nio/n8n', 'apache/airflow', 'gitea/gitea', 'nats', 'grafana/loki', 'penpotapp/backend', 'penpotapp/frontend', 'jitsi/jvb',
    'cnfldemos/flink-kafka', 'mailcow/dovecot', 'mattermost/mattermost-enterprise-edition', 'zulip/zulip-server',
  ])('%s is claimed by exactly one kind, the catalogue\'s', (repo) => {
    const claims = Object.entries(KIND_FORMATS).filter(([, f]) => f.recognise?.images?.some((r) => r.re.test(repo))).map(([k]) => k);
    expect(claims).toEqual([APP_CATALOGUE.find((e) => e.re.test(repo))!.kind]);
  });
});

describe('docker-mailserver: its footprint from the services its env_file starts', () => {
  const mail = (env: string) => {
    const r = composeImport('services:\n  mailserver:\n    image: ghcr.io/docker-mailserver/docker-mailserver:latest\n    env_file: mailserver.env\n', { readFile: (p) => (p === 'mailserver.env' ? env : undefined) });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const n = r.services[0]!;
    return { kind: n.kind, read: n.read.join('\n'), warnings: n.warnings.join('\n'), settings: r.input.services[0]!.settings ?? {} };
  };

  it('the defaults (Amavis and the milters on): the sum of those parts, each with its source; an assumed one is named', () => {
    const s = mail('ENABLE_CLAMAV=0\nENABLE_AMAVIS=1\n');
    expect(s.kind).toBe('native');
    expect(s.settings).toMatchObject({ app: 'docker-mailserver', language: 'c', memory: '106MiB' });
    expect(s.read).toMatch(/off: ClamAV .*ENABLE_CLAMAV=0/);
    expect(s.read).toMatch(/59 MiB: Amavis .*ENABLE_AMAVIS=1.*measured here/);
    expect(s.warnings).not.toMatch(/is assumed/);
    expect(mail('ENABLE_POSTGREY=1\n').warnings).toMatch(/Postgrey .* is assumed \(no published figure\)/);
  });

  it("ClamAV on adds the FAQ's 850 MiB and quotes the reported 2 GiB while it reloads", () => {
    const s = mail('ENABLE_CLAMAV=1\n');
    expect(s.settings).toMatchObject({ memory: '956MiB' });
    expect(s.read).toMatch(/850 MiB: ClamAV .*docs\/content\/faq\.md/);
    expect(s.read).toMatch(/reported high 2048 MiB: https:\/\/github.com\/docker-mailserver\/docker-mailserver\/issues\/3512/);
  });

  it('Rspamd instead of Amavis: Rspamd and its Redis, no Amavis', () => {
    const s = mail('ENABLE_AMAVIS=0\nENABLE_RSPAMD=1\n');
    expect(s.settings).toMatchObject({ memory: `${38 + 250 + 3 + 7 + 2}MiB` });
    expect(s.read).toMatch(/off: Amavis/);
  });
});
