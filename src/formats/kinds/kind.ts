/**
 * What a service kind gives the formats: how a compose file shows it (import), the command
 * flags that carry its settings (edit), and how it is written out (its compose service, its
 * config files, its image, port and OOM rank). One module per kind (formats/kinds/) implements
 * it; the registry (formats/kinds/index.ts) lists them, and the shared machinery (compose import
 * and edit, the compose writer, the stack, the export) asks the registry.
 */
import type { Plan, Service, ServiceKind, ServiceOf } from '../../engine/schema.ts';
import type { Tunings } from '../../engine/tune.ts';
import type { Exporter } from '../../engine/exporters.ts';
import type { Clients } from '../../engine/clients.ts';
import type { ExportFile } from '../export/common.ts';

// ---------------------------------------------------------------------------------------------
// Compose import

/** What recognition looks at, already interpolated. */
export type ServiceFacts = {
  name: string;
  image: string | null;
  /** entrypoint + command as words (a `sh -c` script is split into its words). */
  command: string[];
  environment: Record<string, string>;
  /** Texts of config files mounted into the container, by their path in the container. */
  mounted: Record<string, string>;
  /** True when the service is built (`build:`) rather than pulled. */
  built: boolean;
};

export type Recognised = {
  kind: ServiceKind;
  /** Why this kind, for people: "image postgres:16 is the official PostgreSQL image". */
  why: string;
  /** Settings in plan-file form (sizes like `256MiB`). */
  settings: Record<string, unknown>;
  /** What was read and from where: "sharedBuffers 256MiB from command -c shared_buffers=256MB". */
  read: string[];
  warnings: string[];
};

/** An image repository of the kind (registry, tag, digest and `library/` dropped), and what to call it. */
export type ImageRule = { re: RegExp; label: string };

export type KindRecognition = {
  readonly images?: readonly ImageRule[];
  /** Its images say little on their own (an app server's base image): the command is read too, and its reason added. */
  readonly commandAfterImage?: boolean;
  /** Why the command runs this kind (`command`: entrypoint + command words; `words`: their base names), or null. */
  command?(command: readonly string[], words: readonly string[]): string | null;
  /** Why a service built from source (no image) runs this kind, told from a variable only its server reads
   * (Elasticsearch's ES_JAVA_OPTS), or null. Tried when neither image nor command tells. */
  environment?(environment: Readonly<Record<string, string>>): string | null;
  /** Why a service built from source (no image) runs this kind, told from a config file it mounts where only one
   * image keeps it (Kibana's /usr/share/kibana/config/kibana.yml: built FROM Elastic's Kibana image), with that
   * image's repository (read with it, as an image's would be), or null. Tried after `environment`. */
  mounted?(paths: readonly string[]): { why: string; repo: string } | null;
  /** The server's executables (and the image's entrypoint script that starts it), by base name: a service of the
   * kind's image whose command starts with a word, and names none of them, runs something else on that image
   * (a one-shot helper: `command: /bin/true`, a `sh -c` script calling the client) and is not counted as the server;
   * a `*.sh` word (a script the compose file does not show) may start it and keeps the kind. */
  readonly server?: RegExp;
  /** The settings the facts give away, written into `r` (settings, read, warnings). `repo` is the image repository, '' without one. */
  read?(f: ServiceFacts, r: Recognised, repo: string): void;
};

// ---------------------------------------------------------------------------------------------
// Compose edit

/** How a kind's server takes settings on its command line. */
export type FlagSyntax =
  /** PostgreSQL: `-c name=value` (or `--name=value`). */
  | 'dash-c'
  /** Redis: `--name value…`. */
  | 'double-dash'
  /** GNU-style options of one value (gunicorn, celery): `--name value`, positional words after it kept. */
  | 'double-dash-one'
  /** GNU-style options (MySQL, memcached, Dragonfly): each flag names its forms, `--long-name|-s`;
   * a value is edited where it stands (`--name=value`, `--name value`, `-s value`, `-svalue`;
   * `-`/`_` alike in long names), else appended in the first form (`--name=value`, `-s value`). */
  | 'options';


/** What a kind's edit sees besides the two plans: the service as the compose file writes it. */
export type EditContext = {
  changed(now: number, was: number): boolean;
  notes: string[];
  /** entrypoint + command as words, interpolated (empty when the service sets neither). */
  command: readonly string[];
  /** The service's own `environment`, interpolated (not its env_file). */
  environment: Readonly<Record<string, string>>;
  /** The image repository (registry, tag and digest dropped), '' without an image. */
  image: string;
};

export type KindEdit<K extends ServiceKind> = {
  /** The syntax of `flags` (required with it). */
  readonly syntax?: FlagSyntax;
  /** The flags (name, values) that carry what the plan changed against the compose file's own values (`old`); notes for what no flag carries. */
  flags?(s: ServiceOf<K>, old: ServiceOf<K>, edit: EditContext): Array<[string, string[]]>;
  /** Environment variables (name, whole new value) that carry what the plan changed: set in the service's `environment`, map or list, keeping a `${VAR:-default}` form. */
  env?(s: ServiceOf<K>, old: ServiceOf<K>, edit: EditContext): Array<[string, string]>;
  /** The server's command for an image whose default command it is, when the service sets no command; null: unknown. */
  defaultCommand?(image: string): string | null;
};

/** What a compose edit appends for a service the plan adds (beyond its image and limit). */
export type Added = { def: Record<string, unknown>; comments: string[] };

// ---------------------------------------------------------------------------------------------
// The export

/**
 * The stack every writer writes about (built once per export by export/stack.ts): the plan with
 * its feature services, the exporters, where each service's config files go and what Prometheus
 * scrapes.
 */
export type Stack = {
  /** The plan with the services its feature toggles imply. */
  plan: Plan;
  implied: ReadonlySet<string>;
  tag: string;
  /** The services of each kind the shared writers (alerts, runbook) speak of. */
  app: ServiceOf<'fastapi'>[];
  postgres: ServiceOf<'postgres'>[];
  redis: ServiceOf<'redis'>[];
  pgbouncer: ServiceOf<'pgbouncer'>[];
  prometheus: ServiceOf<'prometheus'>[];
  grafana: ServiceOf<'grafana'>[];
  alertmanager: ServiceOf<'alertmanager'>[];
  /** Generic services that are not exporters. */
  generic: ServiceOf<'generic'>[];
  /** The services of any kind. */
  of<K extends ServiceKind>(kind: K): ServiceOf<K>[];
  /** Every exporter, listed in the plan or added. */
  exporters: Exporter[];
  /** Who connects to the servers (engine/clients.ts): whether Headroom counts every connection. */
  clients: Clients;
  /** What Prometheus scrapes besides itself: each scraped kind's services (in the registry's order), then the exporters. */
  scrapeTargets: ScrapeTarget[];
  /** The path of one of a service's config files (its kind's `configs`): `base.ext`, or `base-NAME.ext` when the plan has several of its kind. */
  configPath(s: Service, key: string): string;
  files: { compose: string; alerts: string; alertsTest: string; runbook: string };
};


/** A compose secret read from a file beside the compose file (never written by the export). */
export type Secret = { name: string; file: string };

/** What a kind's compose writer fills in, and the stack's shared pieces it may use. */
export type ComposeContext<K extends ServiceKind> = {
  stack: Stack;
  service: ServiceOf<K>;
  /** The compose service being written: image, command, environment… (the memory keys are written after). */
  svc: Record<string, unknown>;
  /** Lines for the comment above the service. */
  note: string[];
  /** A named volume for the service's data, as `NAME-data:PATH`. */
  volume(path: string): string;
  /** A secret the service reads: added to the compose file's secrets; returns its name. */
  secret(s: Secret): string;
  /** depends_on with condition service_healthy. */
  healthy(names: string[]): Record<string, { condition: string }>;
  /** GOMEMLIMIT for a Go service at policy.ts's share of its limit (nothing without a limit). */
  goEnv(): Record<string, string>;
  /** A healthcheck running `test`. */
  healthcheck(test: string[]): Record<string, unknown>;
};

/** A config file a kind writes: `base.ext` (`base-NAME.ext` when the plan has several of the kind), mounted read-only at `mount`. */
export type ConfigFile = { base: string; ext: string; mount: string };

/** A scrape target and the service label it carries (prometheus.yml, the alert rules). */
export type ScrapeTarget = { job: string; service: string; target: string; dns?: boolean; path?: string; port?: number };

/**
 * One service kind for the formats. `oomScoreAdj` and `compose` are required: every kind is
 * written into the compose file; the rest are capabilities some kinds have.
 */
export interface KindFormat<K extends ServiceKind> {
  readonly kind: K;
  /** How compose shows it: images, commands, environment, mounted config. */
  readonly recognise?: KindRecognition;
  /** The command flags a compose edit writes when the plan changes its settings. */
  readonly edit?: KindEdit<K>;
  /**
   * oom_score_adj: the order the kernel kills in (the highest first: app first, database last).
   * Never negative: lowering oom_score_adj needs CAP_SYS_RESOURCE, which rootless, nested and
   * many CI engines lack, and there runc refuses to start the container (a real-container test
   * here: the whole stack did not start). Non-negative values keep the order on every engine:
   * postgres 0, pgbouncer 100, redis 200, alertmanager 300, prometheus 400, grafana 500, generic
   * 600, the exporters 700 (export/compose.ts), the app 1000.
   */
  readonly oomScoreAdj: number;
  /** The port it listens on inside the compose network. */
  readonly port?: number;
  /** The image a compose edit adds a service of this kind with; null when only the operator knows it. */
  addImage(s: ServiceOf<K>): string | null;
  /** The rest of what a compose edit appends for an added service of this kind. */
  added?(s: ServiceOf<K>, all: readonly Service[]): Added;
  /** Its service in the exported compose file. */
  compose(ctx: ComposeContext<K>): void;
  /** Its config files, by key (`conf`, `ini`…). */
  readonly configs?: Readonly<Record<string, ConfigFile>>;
  /** Writes its config files for every service of the kind in the stack, from the export's one tuning of each (never tuning again). */
  files?(stack: Stack, services: ReadonlyArray<ServiceOf<K>>, tunings: Tunings): ExportFile[];
  /** It evaluates the stack's alert rules: the export writes them (export/alerts.ts) beside its files. */
  readonly evaluatesAlertRules?: boolean;
  /** Where Prometheus scrapes a service of this kind (for kinds the engine marks `scraped`). */
  scrapeTarget?(s: ServiceOf<K>): ScrapeTarget;
}
