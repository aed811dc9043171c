/**
 * The catalogue of well-known application images (issue 10): the projects' own images, each with
 * its runtime kind (python, node, native, jvm, proxy, ruby, php, beam) and, where a project documents it or a user published it, its memory with the
 * exact source of each figure. A service whose image is here imports as its runtime kind (python,
 * node, jvm, native, proxy) instead of `generic`, so that `immich-machine-learning` or Sentry's
 * consumers are not guessed at 64 MiB.
 *
 * How a figure enters the model (one memory model per kind, never a second one here): the
 * catalogue's typical is the kind's own memory setting — memory per process for python, node, ruby
 * and php (`perProcess`), the footprint for native and beam (`memory`) — and the kind's model spreads it to low and
 * high as it does for any service of the kind. The catalogue's low and high, where a source gives
 * them, are quoted beside it (what the import read), not modelled apart: the kind's spread applies.
 *
 * What a service's figures rest on (its basis, report.ts; the verdict's rules, verdict.ts):
 * - an entry with a figure: `documented` — the project's docs or a user's published report for
 *   that image. A source, not a measurement of this host: it settles the verdict as a kind's model
 *   does, and `check --stats` (observed) replaces it;
 * - an entry without one (the runtime is known, its memory is not), or whose figure is Headroom's
 *   reading of a rough word (`assumed: true`): `assumed` — the verdict treats the service as it
 *   treats a generic one (cannot tell without a limit that bounds it).
 * JVM images keep their own table (formats/kinds/jvm.ts, JVM_IMAGES: the heap each image starts
 * with), since a JVM's memory follows its heap settings, not a published figure.
 *
 * Pure data and lookups: no I/O.
 */
import type { Basis } from './report.ts';

/** The kinds the catalogue maps images to. */
export type CatalogueKind = 'python' | 'node' | 'native' | 'jvm' | 'proxy' | 'ruby' | 'php' | 'beam';

/** A figure in MiB and where it comes from: a docs URL, `owner/repo@commit:path`, or an issue URL with the figure quoted. */
export type Figure = {
  mib: number;
  source: string;
  /** The source gives a range or a rough word, and the figure is Headroom's reading of it: assumed, not documented. */
  assumed?: true;
};

export type CatalogueEntry = {
  /** A stable id (the plan's `settings.app`). */
  id: string;
  /** The image repository (registry, tag and digest dropped), as the formats' image rules match it. */
  re: RegExp;
  /** What to call it: "Sentry's Snuba (Python)". */
  label: string;
  kind: CatalogueKind;
  /** Where the runtime is told: the project's repository and what it is written in. */
  runtime: string;
  /** Native images: the language (Go collects garbage; Rust and C do not); BEAM images: Elixir or Erlang. */
  language?: 'go' | 'rust' | 'c' | 'elixir' | 'erlang';
  /** Proxy images: the server inside; Ruby and PHP images: the server their default command starts. */
  server?: 'nginx' | 'caddy' | 'puma' | 'unicorn' | 'sidekiq' | 'ruby' | 'fpm' | 'apache' | 'swoole' | 'cli';
  /**
   * The project's own start commands on its image (the base name of a word of the command) and the
   * server each starts, with its source; a command the image runs that is none of these, nor a
   * server the kind knows, is a helper (a one-shot init or backup: not the server). `processes` is
   * the count the project's own default starts, `env` the variable that overrides it (python, where a
   * key may be several words met in a row: `celery worker`). `kind`: the command starts another kind's
   * server on the project's image (Zammad's `zammad-nginx` execs nginx): the service is that kind.
   */
  commands?: Readonly<Record<string, { server: string; processes?: number; source: string; env?: string; kind?: CatalogueKind }>>;
  /** The documented or reported memory: per process for python and node, the whole footprint for native. */
  memory?: { typical: Figure; low?: Figure; high?: Figure };
  /** PHP images: the pool the image ships when it is not the server's stock one (children at most and at start, memory_limit in MiB), with its source. */
  pool?: { processes: number; idle: number; memoryLimit: number; source: string };
  /**
   * Native images that run several servers under a supervisor, each switched on by an environment
   * flag (docker-mailserver's ENABLE_CLAMAV, ENABLE_AMAVIS…): the footprint is the sum of the parts
   * that are on (`catalogueParts`), each with its own source. Replaces `memory` for such an entry.
   */
  parts?: readonly CataloguePart[];
};

/** One process (or group of processes) a supervised image starts, and the flag that starts it. */
export type CataloguePart = {
  id: string;
  label: string;
  /** The flag that starts it (1 on, 0 off); none: always on. */
  env?: string;
  /** Whether it runs when the flag is unset or empty, with the source of that default. */
  default?: { on: boolean; source: string } | { from: string; source: string };
  memory: Figure;
  /** A reported high end, quoted beside it (the kind's spread models the high end, catalogue.ts). */
  high?: Figure;
};

const SENTRY_2355 = 'https://github.com/getsentry/self-hosted/pull/2355 (a maintainer, 2023-08: "each Snuba container consumes around 50-100 MB of RAM, and each Sentry ingest container consumes around 60-130 MB")';
const SENTRY_3467 = 'https://github.com/getsentry/self-hosted/issues/3467 (24.11.1, 2024-12: "sentry (23) and snuba (20) container with each of them consume between 200MB to 300MB of RAM"; typical the middle, 250)';

const DMS = 'docker-mailserver/docker-mailserver@c9b015ddc869b277c16dd20ef4a70e595c72d022';
/** Where each flag's default is set: DMS's startup script assigns every unset flag its default. */
const DMS_DEFAULTS = `${DMS}:target/scripts/startup/variables-stack.sh`;

/** Measured here (2026-12-02): Debian 12's packages of DMS's servers started alone, each at rest
 * with no client, PSS summed over its processes from /proc/PID/smaps_rollup (DMS 15 is built on
 * Debian 13's packages of the same servers). */
const MEASURED_HERE = 'measured here 2026-12-02 (Debian 12 packages, PSS at rest, /proc/PID/smaps_rollup)';

/** ClamAV's clamd with its signature database in memory: docker-mailserver's part and mailcow's clamd image read the same figures. */
const CLAMAV: Pick<CataloguePart, 'memory' | 'high'> = {
  memory: { mib: 850, source: `${DMS}:docs/content/faq.md ("ClamAV can consume a lot of memory, as it reads the entire signature database into RAM. Current figure is about 850M and growing")` },
  high: { mib: 2048, source: 'https://github.com/docker-mailserver/docker-mailserver/issues/3512 (a maintainer, 2023-08: "ClamAV uses about 1GB of RAM to work, and it needs double that when handling updates")' },
};

/** Rspamd, as a mailcow user watched it for a week: docker-mailserver's part and mailcow's rspamd image read the same figures. */
const RSPAMD: Pick<CataloguePart, 'memory' | 'high'> = {
  memory: { mib: 250, source: 'https://github.com/mailcow/mailcow-dockerized/issues/3761 (a mailcow user watching its containers for a week, 2020-10: "rspamd spikes quite severely at times from a resting ~250, I think about 650 is the highest I\'ve seen it")' },
  high: { mib: 650, source: 'https://github.com/mailcow/mailcow-dockerized/issues/3761 ("about 650 is the highest I\'ve seen it")' },
};

/**
 * docker-mailserver's services by flag (target/scripts/start-mailserver.sh registers a daemon for
 * each flag that is 1). Postfix, Dovecot, Amavis and the milters measured here; ClamAV, Rspamd and
 * Fail2ban from published figures; Postgrey assumed.
 */
const DMS_PARTS: readonly CataloguePart[] = [
  {
    id: 'core', label: 'Postfix, Dovecot, supervisord, rsyslog and cron',
    memory: { mib: 38, source: `${MEASURED_HERE}: Postfix 3.7 master, pickup and qmgr 5.1 MiB, Dovecot 2.3 dovecot, anvil, log and config 3.7, supervisord 26.6, rsyslogd 2.4, cron 0.5 (smtpd and imap processes per connection come on top)` },
  },
  {
    id: 'amavis', label: 'Amavis (Perl; SpamAssassin loaded in it when ENABLE_SPAMASSASSIN=1, not counted)', env: 'ENABLE_AMAVIS',
    default: { on: true, source: `${DMS_DEFAULTS}: ENABLE_AMAVIS:=1` },
    memory: { mib: 59, source: `${MEASURED_HERE}: amavisd-new 2.13.0 with Debian's $max_servers 2 and the spam and virus checks bypassed, as DMS sets them with ENABLE_SPAMASSASSIN=0 and ENABLE_CLAMAV=0 (target/scripts/startup/setup.d/security/misc.sh): master 25.1 MiB, each virgin child 17.1` },
  },
  {
    id: 'clamav', label: 'ClamAV (clamd with the signature database in memory)', env: 'ENABLE_CLAMAV',
    default: { on: false, source: `${DMS_DEFAULTS}: ENABLE_CLAMAV:=0` },
    ...CLAMAV,
  },
  {
    id: 'rspamd', label: 'Rspamd', env: 'ENABLE_RSPAMD',
    default: { on: false, source: `${DMS_DEFAULTS}: ENABLE_RSPAMD:=0` },
    ...RSPAMD,
  },
  {
    id: 'rspamd-redis', label: "Rspamd's Redis", env: 'ENABLE_RSPAMD_REDIS',
    default: { from: 'ENABLE_RSPAMD', source: `${DMS_DEFAULTS}: ENABLE_RSPAMD_REDIS:=\${ENABLE_RSPAMD}` },
    memory: { mib: 3, source: "an empty Redis is ~3 MB (Redis docs, FAQ; the redis kind's BASE_MIB, kinds/redis.ts); Rspamd's statistics and fuzzy hashes grow it with the mail it sees" },
  },
  {
    id: 'fail2ban', label: 'Fail2ban (Python)', env: 'ENABLE_FAIL2BAN',
    default: { on: false, source: `${DMS_DEFAULTS}: ENABLE_FAIL2BAN:=0` },
    memory: { mib: 22, source: 'https://github.com/fail2ban/fail2ban/issues/3684 (2024-02, asked by a maintainer how much fail2ban uses a few minutes after a restart: "Its ~22M")' },
  },
  {
    id: 'opendkim', label: 'OpenDKIM (a C milter)', env: 'ENABLE_OPENDKIM',
    default: { on: true, source: `${DMS_DEFAULTS}: ENABLE_OPENDKIM:=1` },
    memory: { mib: 7, source: `${MEASURED_HERE}: opendkim -f with Debian's opendkim.conf, 6.6 MiB` },
  },
  {
    id: 'opendmarc', label: 'OpenDMARC (a C milter)', env: 'ENABLE_OPENDMARC',
    default: { on: true, source: `${DMS_DEFAULTS}: ENABLE_OPENDMARC:=1` },
    memory: { mib: 2, source: `${MEASURED_HERE}: opendmarc -f with Debian's opendmarc.conf, 2.2 MiB` },
  },
  {
    id: 'postgrey', label: 'Postgrey (Perl)', env: 'ENABLE_POSTGREY',
    default: { on: false, source: `${DMS_DEFAULTS}: ENABLE_POSTGREY:=0` },
    memory: { mib: 20, assumed: true, source: 'assumed: no published figure; one Perl daemon with its Berkeley DB' },
  },
];

/** The entries, most specific first. */
export const APP_CATALOGUE: readonly CatalogueEntry[] = [
  // --- Sentry (getsentry/self-hosted): one image per component, many containers each -------------
  {
    id: 'sentry', re: /^(?:getsentry\/sentry|sentry|sentry-self-hosted-local|sentry-cleanup-self-hosted-local)$/, label: 'Sentry (Python)', kind: 'python',
    runtime: 'getsentry/sentry (Python, Django); self-hosted builds sentry-self-hosted-local from it (getsentry/self-hosted docker-compose.yml)',
    memory: { typical: { mib: 250, source: SENTRY_3467 }, low: { mib: 60, source: SENTRY_2355 } },
  },
  {
    id: 'snuba', re: /^getsentry\/snuba$/, label: "Sentry's Snuba (Python, Rust consumers)", kind: 'python',
    runtime: 'getsentry/snuba (Python; rust-consumer runs its Rust consumers in the same process)',
    memory: { typical: { mib: 250, source: SENTRY_3467 }, low: { mib: 50, source: SENTRY_2355 } },
  },
  {
    id: 'sentry-relay', re: /^getsentry\/relay$/, label: "Sentry's Relay (Rust)", kind: 'native', language: 'rust',
    runtime: 'getsentry/relay (Rust)',
    memory: {
      typical: { mib: 34, source: 'https://github.com/getsentry/self-hosted/issues/1719 (docker stats: sentry-self-hosted-relay-1 34.12MiB)' },
      high: { mib: 1518, source: 'https://github.com/getsentry/self-hosted/issues/3053 (24.4.1 under ~2k errors/day: sentry-self-hosted-relay-1 1.482GiB)' },
    },
  },
  { id: 'sentry-symbolicator', re: /^getsentry\/symbolicator$/, label: "Sentry's Symbolicator (Rust)", kind: 'native', language: 'rust', runtime: 'getsentry/symbolicator (Rust)' },
  { id: 'sentry-taskbroker', re: /^getsentry\/taskbroker$/, label: "Sentry's taskbroker (Rust)", kind: 'native', language: 'rust', runtime: 'getsentry/taskbroker (Rust)' },
  { id: 'sentry-uptime-checker', re: /^getsentry\/uptime-checker$/, label: "Sentry's uptime-checker (Rust)", kind: 'native', language: 'rust', runtime: 'getsentry/uptime-checker (Rust)' },
  { id: 'sentry-vroom', re: /^getsentry\/vroom$/, label: "Sentry's Vroom profiling service (Go)", kind: 'native', language: 'go', runtime: 'getsentry/vroom (Go)' },
  { id: 'sentry-launchpad', re: /^getsentry\/launchpad$/, label: "Sentry's Launchpad (Python)", kind: 'python', runtime: 'getsentry/launchpad (Python)' },

  // --- Photos, SSO, workflows, analytics, chat --------------------------------------------------
  {
    id: 'immich-machine-learning', re: /^(?:[^/]+\/)*immich-machine-learning$/, label: "Immich's machine learning (Python)", kind: 'python',
    runtime: 'immich-app/immich machine-learning/ (Python, FastAPI under gunicorn)',
    memory: {
      typical: { mib: 1280, source: 'https://github.com/immich-app/immich/issues/3142 (v1.66: "Now its consuming 17%, 1.25 GB / 7.63 GB but ive seen it consuming almost 6gb / 8gb")' },
      high: { mib: 2048, source: 'https://github.com/adampetrovic/home-ops/pull/2464 (OOM-killed at a 2Gi limit with CLIP, buffalo_l and OCR models loaded at once)' },
    },
  },
  { id: 'immich-server', re: /^(?:[^/]+\/)*immich-server$/, label: 'Immich server (Node.js)', kind: 'node', runtime: 'immich-app/immich server/ (TypeScript, NestJS on Node.js)' },
  { id: 'authentik', re: /^(?:[^/]+\/)*(?:authentik|goauthentik\/server)$/, label: 'authentik (Python; server and worker)', kind: 'python', runtime: 'goauthentik/authentik (Python, Django; a Go router in front of the server)' },
  { id: 'n8n', re: /^(?:[^/]+\/)*n8nio\/n8n$/, label: 'n8n (Node.js)', kind: 'node', runtime: 'n8n-io/n8n (TypeScript on Node.js)' },
  { id: 'n8n-runners', re: /^(?:[^/]+\/)*n8nio\/runners$/, label: "n8n's task runners (Node.js)", kind: 'node', runtime: 'n8n-io/n8n packages/@n8n/task-runner (Node.js; a Python runner beside it)' },
  {
    id: 'airflow', re: /^(?:[^/]+\/)*apache\/airflow$/, label: 'Apache Airflow (Python)', kind: 'python', runtime: 'apache/airflow (Python); its entrypoint runs `airflow <command>`',
    commands: {
      // `airflow celery worker`: Celery's prefork pool sized by Airflow's own setting, not Celery's one per CPU.
      'celery worker': { server: 'celery', processes: 16, env: 'AIRFLOW__CELERY__WORKER_CONCURRENCY', source: "Airflow's [celery] worker_concurrency default 16 (airflow.apache.org/docs/apache-airflow-providers-celery configurations-ref; apache/airflow default_airflow.cfg `worker_concurrency = 16`)" },
      // `airflow dag-processor`: the manager forks up to parsing_processes parsers at once.
      'dag-processor': { server: 'python', processes: 2, env: 'AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES', source: "Airflow's [dag_processor] parsing_processes default 2 (airflow.apache.org/docs/apache-airflow configurations-ref)" },
    },
    // PSS (shared pages split among the processes sharing them, as the cgroup counts them once), not
    // RSS: a forked Airflow process's RSS counts its parent's pages again (186–200 MB there).
    memory: {
      typical: { mib: 87, source: 'https://github.com/apache/airflow/issues/56641 (Airflow 3.0/3.1, 2025-11, `smem -k` in a worker container: "airflow worker -- LocalExec…" USS 56.2M, PSS 86.8M, RSS 199.8M; a task\'s "airflow worker -- 019a375e-…" PSS 75.2M)' },
      low: { mib: 75, source: 'https://github.com/apache/airflow/issues/56641 (the task process\'s PSS 75.2M)' },
    },
  },
  { id: 'redash', re: /^(?:[^/]+\/)*redash\/redash$/, label: 'Redash (Python)', kind: 'python', runtime: 'getredash/redash (Python, Flask; RQ workers)' },
  { id: 'netbox', re: /^(?:[^/]+\/)*netbox$/, label: 'NetBox (Python)', kind: 'python', runtime: 'netbox-community/netbox (Python, Django)' },
  { id: 'paperless-ngx', re: /^(?:[^/]+\/)*paperless-ngx$/, label: 'Paperless-ngx (Python)', kind: 'python', runtime: 'paperless-ngx/paperless-ngx (Python, Django; Celery workers)' },
  { id: 'synapse', re: /^(?:[^/]+\/)*matrixdotorg\/synapse$/, label: 'Synapse (Python)', kind: 'python', runtime: 'element-hq/synapse (Python, Twisted)' },
  { id: 'zulip', re: /^(?:[^/]+\/)*zulip-server$/, label: 'Zulip server (Python)', kind: 'python', runtime: 'zulip/zulip (Python, Django and Tornado)' },
  { id: 'plane-backend', re: /^(?:[^/]+\/)*plane-backend$/, label: 'Plane backend (Python)', kind: 'python', runtime: 'makeplane/plane apps/api (Python, Django; Celery)' },
  { id: 'plane-frontend', re: /^(?:[^/]+\/)*plane-(?:frontend|space|admin|live)$/, label: 'Plane web apps (Node.js)', kind: 'node', runtime: 'makeplane/plane apps/web, space, admin, live (TypeScript, Next.js and Node.js)' },
  { id: 'baserow-backend', re: /^(?:[^/]+\/)*baserow\/backend$/, label: 'Baserow backend (Python)', kind: 'python', runtime: 'baserow/baserow backend/ (Python, Django; Celery)' },
  { id: 'baserow-web-frontend', re: /^(?:[^/]+\/)*baserow\/web-frontend$/, label: 'Baserow web frontend (Node.js)', kind: 'node', runtime: 'baserow/baserow web-frontend/ (Nuxt on Node.js)' },
  { id: 'langfuse', re: /^(?:[^/]+\/)*langfuse\/langfuse(?:-worker)?$/, label: 'Langfuse web and worker (Node.js)', kind: 'node', runtime: 'langfuse/langfuse (TypeScript, Next.js and Node.js)' },
  { id: 'twenty', re: /^(?:[^/]+\/)*twentycrm\/twenty$/, label: 'Twenty (Node.js)', kind: 'node', runtime: 'twentyhq/twenty (TypeScript, NestJS on Node.js)' },
  { id: 'umami', re: /^(?:[^/]+\/)*umami$/, label: 'Umami (Node.js)', kind: 'node', runtime: 'umami-software/umami (Next.js on Node.js)' },
  { id: 'calcom', re: /^(?:[^/]+\/)*calcom\/cal\.com$/, label: 'Cal.com (Node.js)', kind: 'node', runtime: 'calcom/cal.com (Next.js on Node.js)' },
  { id: 'ghost', re: /^(?:[^/]+\/)*ghost$/, label: 'Ghost (Node.js)', kind: 'node', runtime: 'TryGhost/Ghost (Node.js)' },
  { id: 'kibana', re: /^(?:[^/]+\/)*kibana$/, label: 'Kibana (Node.js)', kind: 'node', runtime: 'elastic/kibana (TypeScript on Node.js; its image runs bin/kibana under the bundled Node)' },
  { id: 'supabase-node', re: /^(?:[^/]+\/)*supabase\/(?:studio|storage-api|postgres-meta)$/, label: 'Supabase Studio, Storage or postgres-meta (Node.js)', kind: 'node', runtime: 'supabase/supabase apps/studio, supabase/storage, supabase/postgres-meta (TypeScript on Node.js)' },
  { id: 'penpot-backend', re: /^(?:[^/]+\/)*penpotapp\/backend$/, label: 'Penpot backend (JVM, Clojure)', kind: 'jvm', runtime: 'penpot/penpot backend/ (Clojure on the JVM)' },
  { id: 'penpot-node', re: /^(?:[^/]+\/)*penpotapp\/(?:exporter|mcp)$/, label: 'Penpot exporter or MCP server (Node.js)', kind: 'node', runtime: 'penpot/penpot exporter/, mcp/ (ClojureScript and TypeScript on Node.js; the exporter drives a headless browser)' },
  { id: 'penpot-frontend', re: /^(?:[^/]+\/)*penpotapp\/frontend$/, label: 'Penpot frontend (nginx serving the app)', kind: 'proxy', server: 'nginx', runtime: 'penpot/penpot docker/images/Dockerfile.frontend (nginx)' },
  { id: 'jitsi-jvm', re: /^(?:[^/]+\/)*jitsi\/(?:jvb|jicofo)$/, label: 'Jitsi Videobridge or Jicofo (JVM)', kind: 'jvm', runtime: 'jitsi/jitsi-videobridge, jitsi/jicofo (Java, Kotlin)' },
  { id: 'flink', re: /^(?:[^/]+\/)*(?:flink|flink-kafka|flink-sql-client-kafka)$/, label: 'Apache Flink (JVM)', kind: 'jvm', runtime: 'apache/flink (Java); cnfldemos/flink-kafka and flink-sql-client-kafka are Flink images with Kafka connectors (confluentinc/cp-all-in-one)' },
  { id: 'jitsi-web', re: /^(?:[^/]+\/)*jitsi\/web$/, label: 'Jitsi Meet web (nginx)', kind: 'proxy', server: 'nginx', runtime: 'jitsi/docker-jitsi-meet web/ (nginx serving Jitsi Meet)' },
  { id: 'plane-proxy', re: /^(?:[^/]+\/)*plane-proxy$/, label: 'Plane proxy (Caddy)', kind: 'proxy', server: 'caddy', runtime: 'makeplane/plane apps/proxy (Caddy)' },
  { id: 'lago-front', re: /^(?:[^/]+\/)*getlago\/front$/, label: 'Lago front (nginx serving the app)', kind: 'proxy', server: 'nginx', runtime: 'getlago/lago-front Dockerfile (nginx)' },

  // --- Ruby (Rails under Puma or Unicorn, Sidekiq and other job runners) ------------------------
  {
    id: 'mastodon', re: /^(?:[^/]+\/)*(?:mastodon\/mastodon|tootsuite\/mastodon)$/, label: 'Mastodon (Ruby on Rails: Puma web, Sidekiq)', kind: 'ruby',
    runtime: 'mastodon/mastodon (Ruby on Rails; `bundle exec puma -C config/puma.rb` and `bundle exec sidekiq` in its docker-compose.yml; the streaming API is a separate Node.js image)',
    commands: { puma: { server: 'puma', processes: 2, source: 'mastodon/mastodon config/puma.rb: `workers ENV.fetch(\'WEB_CONCURRENCY\') { 2 }` (two workers and a master when WEB_CONCURRENCY is unset)' } },
    memory: { typical: { mib: 220, source: 'https://github.com/mastodon/mastodon/pull/13755 (a Mastodon admin, 2020: "the memory usage is about 220MB per sidekiq"; a Puma worker boots the same Rails app)' } },
  },
  {
    id: 'zammad', re: /^(?:[^/]+\/)*zammad\/zammad(?:-docker-compose)?$/, label: 'Zammad (Ruby on Rails)', kind: 'ruby',
    runtime: 'zammad/zammad (Ruby on Rails); zammad/zammad-docker-compose runs its image with the commands below (contrib/docker/docker-entrypoint.sh)',
    commands: {
      'zammad-railsserver': { server: 'puma', source: 'zammad/zammad contrib/docker/docker-entrypoint.sh: `bundle exec puma` with ZAMMAD_WEB_CONCURRENCY workers' },
      'zammad-scheduler': { server: 'ruby', source: 'zammad/zammad contrib/docker/docker-entrypoint.sh: script/background-worker.rb, one Ruby process' },
      'zammad-websocket': { server: 'ruby', source: 'zammad/zammad contrib/docker/docker-entrypoint.sh: script/websocket-server.rb, one Ruby process' },
      'zammad-nginx': { kind: 'proxy', server: 'nginx', source: "zammad/zammad contrib/docker/docker-entrypoint.sh: writes contrib/nginx/zammad.conf into nginx's sites-enabled, then `exec /usr/sbin/nginx -g 'daemon off;'`" },
    },
  },
  {
    id: 'openproject', re: /^(?:[^/]+\/)*openproject\/(?:openproject|community)$/, label: 'OpenProject (Ruby on Rails)', kind: 'ruby',
    runtime: 'opf/openproject (Ruby on Rails); docker/prod/web (Puma), docker/prod/worker (the job worker), docker/prod/cron',
    commands: {
      web: { server: 'puma', source: 'opf/openproject docker/prod/web: the Rails server under Puma (OPENPROJECT_WEB_WORKERS workers)' },
      worker: { server: 'ruby', source: 'opf/openproject docker/prod/worker: the background job worker, one Ruby process' },
      cron: { server: 'ruby', source: 'opf/openproject docker/prod/cron: the periodic jobs, one Ruby process' },
    },
  },
  {
    id: 'lago-api', re: /^(?:[^/]+\/)*getlago\/api$/, label: 'Lago API (Ruby on Rails: Puma, Sidekiq, clock)', kind: 'ruby',
    runtime: 'getlago/lago-api (Ruby on Rails); scripts/start.api.sh (Rails under Puma), start.worker.sh (Sidekiq), start.clock.sh (clockwork)',
    commands: {
      'start.api.sh': { server: 'puma', source: 'getlago/lago-api scripts/start.api.sh: `rails s` (Puma)' },
      'start.worker.sh': { server: 'sidekiq', source: 'getlago/lago-api scripts/start.worker.sh: `bundle exec sidekiq`' },
      'start.clock.sh': { server: 'ruby', source: 'getlago/lago-api scripts/start.clock.sh: `bundle exec clockwork`, one Ruby process' },
    },
  },
  {
    id: 'huginn', re: /^(?:[^/]+\/)*huginn\/huginn(?:-single-process)?$/, label: 'Huginn (Ruby on Rails)', kind: 'ruby', runtime: 'huginn/huginn (Ruby on Rails; the single-process image runs the web server or, with bin/threaded.rb, the agent runner)',
    // A maintainer's whole instance divided by its containers: a reading, so assumed (catalogue.ts: `assumed`).
    memory: { typical: { mib: 175, assumed: true, source: 'https://github.com/huginn/huginn/issues/2512 (a maintainer, 2019-03: "I have 119 Agents on my instance and it\'s using 700 MB combined (I am using the single-process images)"); his single-process layout runs four Huginn containers, web, scheduler, delayed job and twitter stream (huginn/huginn#978, where the twitter stream one shows 190.6 MiB in docker stats): 700 / 4 = 175 each, the database not counted (assumed)' } },
  },
  { id: 'discourse', re: /^(?:[^/]+\/)*(?:discourse\/discourse|bitnami\/discourse)$/, label: 'Discourse (Ruby on Rails: Unicorn, Sidekiq)', kind: 'ruby', runtime: 'discourse/discourse (Ruby on Rails under Unicorn, Sidekiq in the same container)' },
  { id: 'mailcatcher', re: /^(?:[^/]+\/)*sj26\/mailcatcher$/, label: 'MailCatcher (Ruby)', kind: 'ruby', runtime: 'sj26/mailcatcher (a Ruby gem: one EventMachine process)' },

  // --- PHP (PHP-FPM, Apache with mod_php, Swoole) ------------------------------------------------
  {
    id: 'nextcloud', re: /^(?:[^/]+\/)*nextcloud$/, label: 'Nextcloud (PHP: Apache or PHP-FPM by tag)', kind: 'php',
    runtime: 'nextcloud/docker (PHP; the apache tags run Apache with mod_php, the fpm tags PHP-FPM; memory_limit 512M from PHP_MEMORY_LIMIT)',
    memory: { typical: { mib: 55, source: 'https://github.com/nextcloud/nextcloudpi/issues/406 (a Nextcloud admin, 2018: "the average memory usage for the FPM processes (which was around 50 to 60 MB on my site)"; typical the middle, 55)' } },
  },
  {
    id: 'firefly-iii', re: /^(?:[^/]+\/)*fireflyiii\/core$/, label: 'Firefly III (PHP, Laravel: PHP-FPM behind nginx)', kind: 'php', server: 'fpm',
    runtime: 'firefly-iii/docker (PHP, Laravel); fireflyiii/core is built on fireflyiii/base, whose web image is `FROM serversideup/php:8.4-fpm-nginx` (firefly-iii/base-image Dockerfile-web.original and readme: nginx and PHP-FPM in one container, port 8080). Older tags were php:apache; the current one is not',
    pool: { processes: 20, idle: 2, memoryLimit: 256, source: 'serversideup/docker-php src/variations/fpm-nginx/Dockerfile: PHP_FPM_PM_CONTROL=dynamic, PHP_FPM_PM_MAX_CHILDREN="20", PHP_FPM_PM_START_SERVERS="2", PHP_MEMORY_LIMIT="256M"' },
  },
  { id: 'mailcow-phpfpm', re: /^(?:[^/]+\/)*mailcow\/phpfpm$/, label: "mailcow's PHP-FPM (SOGo and the admin UI's PHP)", kind: 'php', server: 'fpm', runtime: 'mailcow/mailcow-dockerized data/Dockerfiles/phpfpm (PHP-FPM)' },
  { id: 'appwrite', re: /^(?:[^/]+\/)*appwrite\/appwrite$/, label: 'Appwrite (PHP on Swoole)', kind: 'php', server: 'swoole', runtime: 'appwrite/appwrite (PHP with the Swoole extension: an HTTP server, workers and schedulers as long-running PHP processes)' },
  { id: 'openruntimes-executor', re: /^(?:[^/]+\/)*openruntimes\/executor$/, label: 'Open Runtimes executor (PHP on Swoole)', kind: 'php', server: 'swoole', runtime: 'open-runtimes/executor (PHP with Swoole)' },
  { id: 'wordpress', re: /^(?:[^/]+\/)*wordpress$/, label: 'WordPress (PHP: Apache or PHP-FPM by tag)', kind: 'php', runtime: 'docker-library/wordpress (PHP; the default and apache tags run Apache with mod_php, the fpm tags PHP-FPM)' },
  { id: 'matomo', re: /^(?:[^/]+\/)*matomo$/, label: 'Matomo (PHP: Apache or PHP-FPM by tag)', kind: 'php', runtime: 'matomo-org/docker (PHP; the default and apache tags run Apache with mod_php, the fpm tags PHP-FPM)' },

  // --- The BEAM (Elixir, Erlang) ----------------------------------------------------------------
  {
    id: 'plausible', re: /^(?:[^/]+\/)*plausible\/(?:analytics|community-edition)$/, label: 'Plausible Analytics (Elixir)', kind: 'beam', language: 'elixir',
    runtime: 'plausible/analytics (Elixir, Phoenix, a release on the BEAM)',
    memory: { typical: { mib: 200, source: 'https://github.com/plausible/analytics/issues/1802 (2022: beam.smp "is using 200Mb of memory conistently"; a maintainer: it keeps the IP geolocation, User-Agent and referrer databases in memory)' } },
  },
  { id: 'supabase-beam', re: /^(?:[^/]+\/)*supabase\/(?:realtime|logflare|supavisor)$/, label: 'Supabase Realtime, Logflare (analytics) or Supavisor (Elixir)', kind: 'beam', language: 'elixir', runtime: 'supabase/realtime, Logflare/logflare, supabase/supavisor (Elixir on the BEAM)' },

  // --- Go, Rust and C servers -------------------------------------------------------------------
  { id: 'gitea', re: /^(?:[^/]+\/)*gitea$/, label: 'Gitea (Go)', kind: 'native', language: 'go', runtime: 'go-gitea/gitea (Go)', memory: { typical: { mib: 150, source: 'Gitea docs (installation requirements): 2 CPU cores and 1 GB RAM are "typically sufficient for small teams"; ~150 MiB at rest reported (assumed typical)', assumed: true } } },
  { id: 'gogs', re: /^(?:[^/]+\/)*gogs$/, label: 'Gogs (Go)', kind: 'native', language: 'go', runtime: 'gogs/gogs (Go)', memory: { typical: { mib: 60, source: 'Gogs README: runs on a Raspberry Pi; ~60 MiB at rest (assumed)', assumed: true } } },
  { id: 'nats', re: /^(?:[^/]+\/)*nats$/, label: 'NATS (Go)', kind: 'native', language: 'go', runtime: 'nats-io/nats-server (Go)', memory: { typical: { mib: 20, source: 'NATS docs: a server at rest uses ~10–20 MB (assumed 20 with JetStream off)', assumed: true } } },
  { id: 'vector', re: /^(?:timberio|vectordotdev)\/vector$/, label: 'Vector (Rust)', kind: 'native', language: 'rust', runtime: 'vectordotdev/vector (Rust)', memory: { typical: { mib: 50, source: 'Vector docs (sizing): ~50 MiB for a light pipeline (assumed)', assumed: true } } },
  { id: 'imgproxy', re: /^(?:[^/]+\/)*imgproxy$/, label: 'imgproxy (Go)', kind: 'native', language: 'go', runtime: 'imgproxy/imgproxy (Go with libvips)', memory: { typical: { mib: 100, source: 'imgproxy docs (memory usage tweaks): libvips buffers per concurrent image; ~100 MiB for a few workers (assumed)', assumed: true } } },
  {
    id: 'mattermost', re: /^(?:[^/]+\/)*mattermost(?:-enterprise-edition|-team-edition)?$/, label: 'Mattermost (Go; its plugins run as child processes)', kind: 'native', language: 'go',
    runtime: 'mattermost/mattermost server/ (Go); plugins are started as subprocesses of the server (mattermost/mattermost-developer-documentation#168), and Calls is on by default on self-hosted servers (mattermost/mattermost server/public/model/config_test.go, TestConfigDefaultCallsPluginState)',
    // Two readings of a whole machine's used memory with only Mattermost on it (its database
    // elsewhere), both assumed: a user's Docker host (#8741, 4.8, in a container: "stable 500mb of
    // 2GB") is the typical, since Headroom plans Docker hosts and the reading is of a later version;
    // a maintainer's bare VM (#8450, 4.7.3: 116M with the OS) is the low. Both predate the
    // default-on plugins (their processes come on top); no docker stats of a current server nor a
    // per-plugin figure was found (mattermost/mattermost and mattermost/docker issues, its docs).
    memory: {
      typical: { mib: 500, assumed: true, source: 'https://github.com/mattermost/mattermost/issues/8741 (a user, 2018-05: Mattermost 4.8 in a Docker container on AWS, MySQL on RDS and files on S3: "monitoring memory usage I can see stable 500mb of 2GB"); plugin processes (Calls on by default) come on top, unmodelled: no published figure' },
      low: { mib: 116, assumed: true, source: 'https://github.com/mattermost/mattermost/issues/8450 (a maintainer, 2018-03: a 512 MB Debian VM running only Mattermost 4.7.3, its database on another machine: `free -h` "-/+ buffers/cache: 116M used", the OS included)' },
    },
  },
  { id: 'temporal', re: /^(?:[^/]+\/)*temporalio\/(?:auto-setup|server|ui)$/, label: 'Temporal server or UI (Go)', kind: 'native', language: 'go', runtime: 'temporalio/temporal, temporalio/ui-server (Go)' },
  { id: 'signoz', re: /^(?:[^/]+\/)*signoz\/(?:signoz|signoz-otel-collector|query-service)$/, label: 'SigNoz or its OpenTelemetry collector (Go)', kind: 'native', language: 'go', runtime: 'SigNoz/signoz, SigNoz/signoz-otel-collector (Go)' },
  { id: 'gotrue', re: /^(?:[^/]+\/)*supabase\/gotrue$/, label: 'Supabase Auth (GoTrue, Go)', kind: 'native', language: 'go', runtime: 'supabase/auth (Go)' },
  { id: 'edge-runtime', re: /^(?:[^/]+\/)*supabase\/edge-runtime$/, label: 'Supabase Edge Runtime (Rust, Deno)', kind: 'native', language: 'rust', runtime: 'supabase/edge-runtime (Rust on Deno\'s runtime)' },
  { id: 'listmonk', re: /^(?:[^/]+\/)*listmonk$/, label: 'listmonk (Go)', kind: 'native', language: 'go', runtime: 'knadh/listmonk (Go)' },
  { id: 'seaweedfs', re: /^(?:[^/]+\/)*seaweedfs$/, label: 'SeaweedFS (Go)', kind: 'native', language: 'go', runtime: 'seaweedfs/seaweedfs (Go)' },
  { id: 'ofelia', re: /^(?:[^/]+\/)*ofelia$/, label: 'Ofelia job scheduler (Go)', kind: 'native', language: 'go', runtime: 'mcuadros/ofelia (Go)' },
  { id: 'loki', re: /^(?:[^/]+\/)*grafana\/(?:loki|promtail)$/, label: 'Grafana Loki or Promtail (Go)', kind: 'native', language: 'go', runtime: 'grafana/loki (Go)' },
  { id: 'clickhouse-keeper', re: /^(?:[^/]+\/)*clickhouse-keeper$/, label: 'ClickHouse Keeper (C++)', kind: 'native', language: 'c', runtime: 'ClickHouse/ClickHouse programs/keeper (C++)' },
  // ClamAV and Rspamd carry published figures (docker-mailserver's parts read the same): at the
  // native default (32 MiB) mailcow's ClamAV was 1/25 of what its signature database takes.
  { id: 'mailcow-clamd', re: /^(?:[^/]+\/)*mailcow\/clamd$/, label: "mailcow's ClamAV (clamd with the signature database in memory)", kind: 'native', language: 'c', runtime: 'mailcow/mailcow-dockerized data/Dockerfiles/clamd (ClamAV, C)', memory: { typical: CLAMAV.memory, high: CLAMAV.high! } },
  { id: 'mailcow-rspamd', re: /^(?:[^/]+\/)*mailcow\/rspamd$/, label: "mailcow's Rspamd (C)", kind: 'native', language: 'c', runtime: 'mailcow/mailcow-dockerized data/Dockerfiles/rspamd (Rspamd, C)', memory: { typical: RSPAMD.memory, high: RSPAMD.high! } },
  { id: 'mailcow-c', re: /^(?:[^/]+\/)*mailcow\/(?:dovecot|postfix|unbound|sogo)$/, label: 'mailcow\'s Dovecot, Postfix, Unbound or SOGo (C, Objective-C)', kind: 'native', language: 'c', runtime: 'mailcow/mailcow-dockerized data/Dockerfiles/ (Dovecot, Postfix, Unbound in C; SOGo in Objective-C)' },
  { id: 'mailcow-go', re: /^(?:[^/]+\/)*mailcow\/postfix-tlspol$/, label: 'mailcow\'s postfix-tlspol (Go)', kind: 'native', language: 'go', runtime: 'Zuplu/postfix-tlspol (Go)' },
  { id: 'mailcow-python', re: /^(?:[^/]+\/)*mailcow\/(?:netfilter|dockerapi|olefy)$/, label: 'mailcow\'s netfilter, dockerapi or olefy (Python)', kind: 'python', runtime: 'mailcow/mailcow-dockerized data/Dockerfiles/ (Python services)' },
  {
    id: 'docker-mailserver', re: /^(?:[^/]+\/)*docker-mailserver$/, label: 'docker-mailserver (Postfix, Dovecot and the filters its flags start)', kind: 'native', language: 'c',
    runtime: 'docker-mailserver/docker-mailserver (Postfix, Dovecot, OpenDKIM, OpenDMARC, ClamAV, Rspamd: C servers; Amavis with SpamAssassin and Postgrey in Perl; policyd-spf, Fail2ban and supervisord in Python; target/supervisor/conf.d/dms-services.conf: one program per service, started by its ENABLE_* flag)',
    parts: DMS_PARTS,
  },
  { id: 'exim-smtp', re: /^(?:bytemark\/smtp|egos-tech\/smtp)$/, label: 'an Exim SMTP relay (C)', kind: 'native', language: 'c', runtime: 'BytemarkHosting/docker-smtp, egos-tech/smtp (Exim)' },
];

/** The entry whose image rule matches an image repository, or null. */
export function catalogueOf(repo: string): CatalogueEntry | null {
  return APP_CATALOGUE.find((e) => e.re.test(repo)) ?? null;
}

/** The project's own command in `words` (base names) that starts another kind's server on its image, or null. */
export function catalogueCommandKind(repo: string, words: readonly string[]): { word: string; kind: CatalogueKind; server: string; source: string } | null {
  const commands = catalogueOf(repo)?.commands ?? {};
  for (const w of words) {
    const c = commands[w];
    if (c?.kind) return { word: w, kind: c.kind, server: c.server, source: c.source };
  }
  return null;
}

/** A flag's value as docker-mailserver reads it: 1 on, 0 off, unset or empty the default; anything else is not a flag. */
function flagOf(v: string | undefined): boolean | null | 'invalid' {
  if (v === undefined || v.trim() === '') return null;
  return v.trim() === '1' ? true : v.trim() === '0' ? false : 'invalid';
}

/** Each part of a supervised image, on or off from the service's environment, and why. */
export type PartState = { part: CataloguePart; on: boolean; why: string; invalid?: string };

export function catalogueParts(entry: CatalogueEntry, env: Readonly<Record<string, string>>): PartState[] {
  const get = (k: string) => (Object.hasOwn(env, k) ? env[k] : undefined);
  return (entry.parts ?? []).map((part) => {
    if (!part.env) return { part, on: true, why: 'always runs' };
    const raw = get(part.env);
    const flag = flagOf(raw);
    const d = part.default;
    const byDefault = (): { on: boolean; why: string } => {
      if (d && 'from' in d) {
        const other = flagOf(get(d.from));
        const fallback = entry.parts?.find((p) => p.env === d.from)?.default;
        const on = typeof other === 'boolean' ? other : !!(fallback && 'on' in fallback && fallback.on);
        return { on, why: `${part.env} unset: follows ${d.from} (${on ? 'on' : 'off'}), ${d.source}` };
      }
      const on = d ? d.on : false;
      return { on, why: `${part.env} unset: ${on ? 'on' : 'off'} by default${d ? `, ${d.source}` : ''}` };
    };
    if (flag === 'invalid') return { part, ...byDefault(), invalid: `${part.env}=${raw} is not 0 or 1: read as its default` };
    if (flag === null) return { part, ...byDefault() };
    return { part, on: flag, why: `${part.env}=${raw}` };
  });
}

/** The footprint of the parts that are on: their typical figures summed. */
export function partsFootprint(states: readonly PartState[]): number {
  return states.filter((s) => s.on).reduce((n, s) => n + s.part.memory.mib, 0);
}

/**
 * The basis of a supervised image's footprint: the parts whose sum it is (the always-on ones and a
 * set of the flagged ones), `documented` when each of them is sourced, `assumed` when one is
 * assumed; when several sets give the same sum, the least certain of them (assumed). Null when no
 * set of parts sums to it (the plan's own value).
 */
function partsBasis(parts: readonly CataloguePart[], memory: number): Basis | null {
  const always = parts.filter((p) => !p.env);
  const flagged = parts.filter((p) => p.env);
  let found: Basis | null = null;
  for (let mask = 0; mask < 1 << flagged.length; mask++) {
    const on = [...always, ...flagged.filter((_, i) => mask & (1 << i))];
    if (on.reduce((n, p) => n + p.memory.mib, 0) !== memory) continue;
    if (on.some((p) => p.memory.assumed)) return 'assumed';
    found = 'documented';
  }
  return found;
}

/** The entry of an id (the plan's `settings.app`), or null. */
export function catalogueEntry(id: string): CatalogueEntry | null {
  return APP_CATALOGUE.find((e) => e.id === id) ?? null;
}

/** The catalogue's ids, for the runtime kinds' `app` setting. */
export const CATALOGUE_IDS = APP_CATALOGUE.map((e) => e.id) as [string, ...string[]];

/**
 * A catalogued service's basis: `documented` while its memory setting is the catalogue's figure,
 * `assumed` while it is the kind's default for an entry without a figure, and null when the plan
 * set its own value (the kind's model of the plan's value: `modelled`) or names no entry.
 */
export function catalogueBasis(app: string | undefined, memory: number, kindDefault: number): Basis | null {
  const e = app === undefined ? null : catalogueEntry(app);
  if (!e) return null;
  if (e.parts) return partsBasis(e.parts, memory);
  if (e.memory) return memory === e.memory.typical.mib ? (e.memory.typical.assumed ? 'assumed' : 'documented') : null;
  return memory === kindDefault ? 'assumed' : null;
}
