/**
 * What the local images are made of: ONE Debian root filesystem holding every package the
 * stack's services need (made once by mmdebstrap, one `docker load`, one layer), and per service
 * only an image config (user, working folder, environment, entrypoint, command, ports, volumes,
 * stop signal) over that same layer. No image adds a filesystem layer: loading six images costs
 * one extraction, and the build is one apt transaction instead of six.
 *
 * Each config stands in for the official image the export names, where the export relies on it
 * (entrypoint, default command, user, the env vars and mounts the compose file uses). The files
 * under test/docker/images/ (docker-library's entrypoints, MIT, and the test's app) are copied
 * into the root filesystem at the paths below.
 */

/** Docker's image config fields the stand-ins set (the docker-save config's `config`). */
export type ImageConfig = {
  User?: string;
  WorkingDir?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  ExposedPorts?: Record<string, Record<string, never>>;
  Volumes?: Record<string, Record<string, never>>;
  StopSignal?: string;
};

export type ServiceImage = {
  /** What it stands in for, and how. */
  standsFor: string;
  /** Debian packages (bookworm), installed with --no-install-recommends. */
  packages: string[];
  /** Root filesystem path → file under test/docker/images/ (folders copied whole). */
  files: Record<string, string>;
  /** Shell lines run in the finished root filesystem (chroot), as the official Dockerfiles' RUN steps. */
  setup: string[];
  config: ImageConfig;
};

const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const ports = (...p: string[]) => Object.fromEntries(p.map((x) => [x, {}])) as Record<string, Record<string, never>>;

/**
 * Users created before any package is installed, so that Debian's maintainer scripts reuse them
 * (as the official Dockerfiles do with groupadd/useradd): postgres uid 999 as in postgres:15;
 * uid 70 as edoburu/pgbouncer (Alpine's postgres user; named pgbouncer here because the name
 * postgres is taken); redis 998 (the official redis image uses 999 too, which postgres has here;
 * nothing the export sets depends on it).
 */
export const USERS = [
  { name: 'postgres', uid: 999, home: '/var/lib/postgresql', shell: '/bin/bash', gecos: 'PostgreSQL administrator' },
  { name: 'redis', uid: 998, home: '/data', shell: '/usr/sbin/nologin', gecos: '' },
  { name: 'pgbouncer', uid: 70, home: '/var/lib/pgbouncer', shell: '/usr/sbin/nologin', gecos: '' },
] as const;

export const SERVICE_IMAGES = {
  postgres: {
    standsFor:
      'postgres:15 (docker-library/postgres 15/bookworm) from Debian\u2019s PostgreSQL 15: the same entrypoint scripts (verbatim, MIT), user postgres uid 999, PGDATA, PATH, STOPSIGNAL, the sample config listening on \u2019*\u2019, initdb on first start with POSTGRES_USER / POSTGRES_DB / POSTGRES_PASSWORD(_FILE). The official image adds the PGDG repository; bookworm\u2019s PostgreSQL 15 is the same major version.',
    packages: ['postgresql-15', 'postgresql-common', 'gosu'],
    files: { '/usr/local/bin/docker-entrypoint.sh': 'postgres/docker-entrypoint.sh', '/usr/local/bin/docker-ensure-initdb.sh': 'postgres/docker-ensure-initdb.sh' },
    setup: [
      'dpkg-divert --add --rename --divert /usr/share/postgresql/postgresql.conf.sample.dpkg /usr/share/postgresql/15/postgresql.conf.sample',
      'cp /usr/share/postgresql/postgresql.conf.sample.dpkg /usr/share/postgresql/postgresql.conf.sample',
      'ln -s ../postgresql.conf.sample /usr/share/postgresql/15/',
      "sed -ri \"s!^#?(listen_addresses)\\s*=\\s*\\S+.*!\\1 = '*'!\" /usr/share/postgresql/postgresql.conf.sample",
      'mkdir -p /var/lib/postgresql /docker-entrypoint-initdb.d && chown -R postgres:postgres /var/lib/postgresql',
      'install --directory --owner postgres --group postgres --mode 3777 /var/run/postgresql',
      'install --directory --owner postgres --group postgres --mode 1777 /var/lib/postgresql/data',
    ],
    config: {
      Env: [`${PATH}:/usr/lib/postgresql/15/bin`, 'PG_MAJOR=15', 'PGDATA=/var/lib/postgresql/data', 'LANG=C.UTF-8'],
      Entrypoint: ['docker-entrypoint.sh'],
      Cmd: ['postgres'],
      StopSignal: 'SIGINT',
      ExposedPorts: ports('5432/tcp'),
      Volumes: ports('/var/lib/postgresql/data'),
    },
  },
  redis: {
    standsFor:
      'redis:7.2 (docker-library/redis 7.2/debian) from Debian\u2019s redis-server 7.0: the same entrypoint (verbatim, MIT: a *.conf first argument runs redis-server, drops to user redis with gosu), WORKDIR and VOLUME /data, CMD redis-server.',
    packages: ['redis-server', 'gosu'],
    files: { '/usr/local/bin/redis-entrypoint.sh': 'redis/docker-entrypoint.sh' },
    setup: ['mkdir -p /data /usr/local/etc/redis && chown redis:redis /data'],
    config: { Env: [PATH], WorkingDir: '/data', Entrypoint: ['redis-entrypoint.sh'], Cmd: ['redis-server'], ExposedPorts: ports('6379/tcp'), Volumes: ports('/data') },
  },
  pgbouncer: {
    standsFor:
      'edoburu/pgbouncer from Debian\u2019s pgbouncer 1.18 and postgresql-client-15 (pg_isready, the exported healthcheck): runs as uid 70 like that image, CMD pgbouncer /etc/pgbouncer/pgbouncer.ini. That image\u2019s entrypoint writes pgbouncer.ini and userlist.txt from environment variables only when they are missing; the export mounts both, and this one refuses to start without them.',
    packages: ['pgbouncer', 'postgresql-client-15'],
    files: { '/usr/local/bin/pgbouncer-entrypoint.sh': 'pgbouncer/entrypoint.sh' },
    setup: ['mkdir -p /etc/pgbouncer /var/log/pgbouncer /var/run/pgbouncer /var/lib/pgbouncer && chown -R 70:70 /etc/pgbouncer /var/log/pgbouncer /var/run/pgbouncer /var/lib/pgbouncer'],
    config: { Env: [PATH], User: '70:70', Entrypoint: ['pgbouncer-entrypoint.sh'], Cmd: ['/usr/sbin/pgbouncer', '/etc/pgbouncer/pgbouncer.ini'], ExposedPorts: ports('5432/tcp') },
  },
  prometheus: {
    standsFor:
      'prom/prometheus from Debian\u2019s prometheus 2.42: ENTRYPOINT the server, the official default CMD, user nobody, WORKDIR and VOLUME /prometheus, wget for the exported healthcheck (the official image is busybox-based and has it).',
    packages: ['prometheus', 'wget'],
    files: {},
    setup: ['mkdir -p /prometheus /etc/prometheus && chown -R nobody:nogroup /prometheus /etc/prometheus'],
    config: {
      Env: [PATH],
      User: 'nobody',
      WorkingDir: '/prometheus',
      Entrypoint: ['/usr/bin/prometheus'],
      Cmd: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus'],
      ExposedPorts: ports('9090/tcp'),
      Volumes: ports('/prometheus'),
    },
  },
  alertmanager: {
    standsFor:
      'prom/alertmanager from Debian\u2019s prometheus-alertmanager 0.25: ENTRYPOINT the server, the official default CMD, user nobody, WORKDIR and VOLUME /alertmanager, wget for the exported healthcheck.',
    packages: ['prometheus-alertmanager', 'wget'],
    files: {},
    setup: ['mkdir -p /alertmanager /etc/alertmanager && chown -R nobody:nogroup /alertmanager /etc/alertmanager'],
    config: {
      Env: [PATH],
      User: 'nobody',
      WorkingDir: '/alertmanager',
      Entrypoint: ['/usr/bin/prometheus-alertmanager'],
      Cmd: ['--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager'],
      ExposedPorts: ports('9093/tcp'),
      Volumes: ports('/alertmanager'),
    },
  },
  app: {
    standsFor:
      'app:latest, the seed\u2019s FastAPI service (images/app/app/main.py) on gunicorn with uvicorn workers (WEB_CONCURRENCY workers, as the exported compose sets), from Debian\u2019s packages (uvloop and httptools: what uvicorn[standard] installs); runs as root like the python images. Also holds the test\u2019s webhook receiver (app/webhook.py), a separate command.',
    packages: [
      'python3-fastapi',
      'python3-sqlalchemy',
      'python3-psycopg2',
      'python3-redis',
      'python3-uvicorn',
      'python3-uvloop',
      'python3-httptools',
      'gunicorn',
      'python3-prometheus-client',
      'python-is-python3',
    ],
    files: { '/opt/app': 'app/app' },
    setup: [],
    config: {
      Env: [PATH, 'PYTHONUNBUFFERED=1', 'PYTHONDONTWRITEBYTECODE=1', 'PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus-multiproc'],
      WorkingDir: '/opt/app',
      Cmd: ['gunicorn', '--worker-class', 'uvicorn.workers.UvicornWorker', '--bind', '0.0.0.0:8000', '--graceful-timeout', '10', 'main:app'],
      ExposedPorts: ports('8000/tcp'),
    },
  },
} satisfies Record<string, ServiceImage>;

export type ImageName = keyof typeof SERVICE_IMAGES;
export const IMAGE_NAMES = Object.keys(SERVICE_IMAGES) as ImageName[];

/** dpkg leaves out documentation, man pages, translations and moment-timezone's 214 MB of data
 * (a dependency of Prometheus's classic console pages, which nothing here opens), as Debian's
 * slim images do, and the command-line tools promtool (46 MiB) and amtool (18 MiB), which no
 * container runs (the servers are /usr/bin/prometheus and /usr/bin/prometheus-alertmanager; the
 * exported healthchecks use wget): 11% of the layer every `docker load` extracts (measured,
 * 2026-12-02). It skips fsync (the image is rebuilt, never repaired). */
export const DPKG_OPTIONS = [
  'path-exclude=/usr/share/doc/*',
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/locale/*',
  'path-include=/usr/share/locale/locale.alias',
  'path-exclude=/usr/share/javascript/moment-timezone/*',
  'path-exclude=/usr/bin/promtool',
  'path-exclude=/usr/bin/amtool',
  'force-unsafe-io',
];
