/**
 * Prometheus in the formats: how compose shows it (its image, the retention flag, a mounted
 * prometheus.yml's scrape interval) and the exported service with its prometheus.yml: the plan's
 * scrape interval, one job per target (itself and the stack's scrape targets: the app, Grafana,
 * AlertManager, each exporter), every target labelled `service` with the plan service it speaks
 * for, so that the alert rules can name it. Retention is a flag in the compose command; the alert
 * rules it evaluates (export/alerts.ts) are mounted beside its config.
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { durationFormat, durationParse } from '../../engine/units.ts';
import { sideFileData } from '../input-policy.ts';
import { GENERATED_BY, yamlDocument } from '../export/common.ts';
import { GOMEMLIMIT_SHARE } from '../../engine/policy.ts';
import { ALERTMANAGER_PORT } from './alertmanager.ts';
import { targetHostPort } from '../../engine/scrape-jobs.ts';
import type { KindFormat, Recognised, ScrapeTarget, ServiceFacts, Stack } from './kind.ts';

/** The command-line flags Headroom reads and writes (Prometheus docs, command-line flags). */
export const PROMETHEUS_FLAGS = { config: 'config.file', retention: 'storage.tsdb.retention.time', path: 'storage.tsdb.path' } as const;

export const PROMETHEUS_IMAGE = 'prom/prometheus:v2.53.0';
export const PROMETHEUS_PORT = 9090; // the image's default
/** Where the config is mounted: also the prom/prometheus image's default --config.file. */
export const PROMETHEUS_YML = { base: 'prometheus', ext: 'yml', mount: '/etc/prometheus/prometheus.yml' } as const;
/** Where the alert rules (export/alerts.ts, one file for the stack) are mounted. */
export const ALERTS_MOUNT = '/etc/prometheus/alerts.yml';

// ---------------------------------------------------------------------------------------------
// Compose import

function prometheusRead(f: ServiceFacts, r: Recognised): void {
  let config: string = PROMETHEUS_YML.mount;
  const flag = /^--?(storage\.tsdb\.retention(?:\.time)?|config\.file)(?:=(.*))?$/; // the retention flag, or its older name
  for (let i = 0; i < f.command.length; i++) {
    const m = flag.exec(f.command[i]!);
    if (!m) continue;
    const value = m[2] ?? f.command[++i] ?? '';
    if (m[1] === PROMETHEUS_FLAGS.config) {
      config = value;
      continue;
    }
    const d = durationParse(value);
    if (d.ok) {
      r.settings.retention = value;
      r.read.push(`retention ${value} from command --${m[1]}`);
    } else r.warnings.push(`--${m[1]}=${value}: ${d.error}: ignored`);
  }
  const text = f.mounted[config];
  if (text === undefined) return;
  try {
    const doc = sideFileData(text) as { global?: { scrape_interval?: unknown }; scrape_configs?: unknown } | null;
    const interval = doc?.global?.scrape_interval;
    if (typeof interval === 'string' && durationParse(interval).ok) {
      r.settings.scrapeInterval = interval;
      r.read.push(`scrapeInterval ${interval} from ${config} global.scrape_interval`);
    } else if (interval === undefined) {
      // Prometheus's built-in default is 1m (Prometheus docs, configuration).
      r.settings.scrapeInterval = '1m';
      r.read.push(`scrapeInterval 1m: ${config} sets no global.scrape_interval (Prometheus's default)`);
    }
    const jobs = scrapeJobsRead(doc?.scrape_configs, config, r.warnings);
    if (jobs.length > 0) {
      r.settings.scrapeJobs = jobs;
      r.read.push(`${jobs.length} scrape job${jobs.length === 1 ? '' : 's'} from ${config} (${jobs.map((j) => j.job).join(', ')}): kept in the export`);
    }
  } catch {
    r.warnings.push(`${config} is not valid YAML: its scrape interval and jobs are not imported`);
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A user's scrape job as the plan keeps it (engine/kinds/prometheus.ts's scrapeJobs); `service` is matched by the importer, which sees every service. */
type JobRead = { job: string; targets: Array<{ address: string; service: string | null }>; config: Obj };
/** The plan's bounds (engine/kinds/prometheus.ts). */
const MAX_JOBS = 500;
const MAX_TARGETS = 1000;

/**
 * The jobs of a prometheus.yml's scrape_configs: the name, the static targets (a probe job's
 * targets are the things it probes: its scraped address is the exporter its relabelling sets as
 * `__address__`), and the job as written. A job without job_name, or repeating one, is skipped
 * with a warning (Prometheus refuses both); service discovery (docker_sd_configs…) gives no target Headroom can see.
 */
function scrapeJobsRead(list: unknown, config: string, warnings: string[]): JobRead[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    warnings.push(`${config} scrape_configs is not a list: its jobs are not imported`);
    return [];
  }
  const out: JobRead[] = [];
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const name = isObj(raw) ? raw.job_name : undefined;
    if (!isObj(raw) || typeof name !== 'string' || !name || name.length > 200) {
      warnings.push(`${config} scrape_configs[${i}] has no job_name: skipped (Prometheus refuses it too)`);
      return;
    }
    if (seen.has(name)) {
      warnings.push(`${config} repeats job_name "${name}": the second is skipped (Prometheus refuses the file)`);
      return;
    }
    if (out.length >= MAX_JOBS) {
      warnings.push(`${config}: more than ${MAX_JOBS} scrape jobs: "${name}" and the rest are not imported`);
      return;
    }
    seen.add(name);
    const written = (Array.isArray(raw.static_configs) ? raw.static_configs : []).flatMap((g) => (isObj(g) && Array.isArray(g.targets) ? g.targets.filter((t): t is string => typeof t === 'string') : []));
    const probedBy = probeAddress(raw.relabel_configs);
    const addresses = (probedBy !== null ? [probedBy] : written).slice(0, MAX_TARGETS);
    const discovered = Object.keys(raw).filter((k) => k.endsWith('_sd_configs'));
    if (discovered.length > 0) warnings.push(`${config} job "${name}" finds targets by ${discovered.join(', ')}: Headroom cannot see them (the job is kept)`);
    out.push({ job: name, targets: addresses.map((address) => ({ address: address.slice(0, 500), service: null })), config: raw });
  });
  return out;
}

/** A literal for an RE2 regular expression (Prometheus's relabel regex, fully anchored). */
const regexEscape = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/** The `__address__` a relabelling sets to a fixed value (the blackbox exporter's `replacement: blackbox:9115`), if one does. */
function probeAddress(relabel: unknown): string | null {
  if (!Array.isArray(relabel)) return null;
  for (const r of relabel) {
    if (isObj(r) && r.target_label === '__address__' && typeof r.replacement === 'string' && !r.replacement.includes('$')) return r.replacement;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// prometheus.yml

/** Every target a Prometheus of this stack scrapes: itself first, then the stack's targets. */
export function scrapeTargets(stack: Stack, prom: ServiceOf<'prometheus'>): ScrapeTarget[] {
  return [{ job: prom.name, service: prom.name, target: `localhost:${PROMETHEUS_PORT}` }, ...stack.scrapeTargets];
}

export function prometheusYml(stack: Stack, prom: ServiceOf<'prometheus'>): string {
  const interval = prom.settings.scrapeInterval;
  const config: Record<string, unknown> = {
    global: {
      scrape_interval: durationFormat(interval),
      // Prometheus refuses a timeout longer than the interval; 10s is its default.
      scrape_timeout: durationFormat(Math.min(10, interval)),
      evaluation_interval: durationFormat(interval),
    },
    rule_files: [stack.files.alerts],
  };
  if (stack.alertmanager.length) {
    config.alerting = { alertmanagers: [{ static_configs: [{ targets: stack.alertmanager.map((a) => `${a.name}:${ALERTMANAGER_PORT}`) }] }] };
  }
  // The user's own jobs first, as written; then Headroom's targets that none of them scrapes yet.
  const own = prom.settings.scrapeJobs ?? [];
  const ownJobs = new Set(own.map((j) => j.job));
  // A target is covered when a user's job scrapes the same address, or the same service (the target's host) on the same port.
  const coveredBy = (t: ScrapeTarget): { job: string; address: string } | null => {
    const { host, port } = targetHostPort(t.target);
    const service = host === 'localhost' ? prom.name.toLowerCase() : host;
    const at = t.dns ? (t.port ?? null) : port;
    for (const j of own) {
      const u = j.targets.find((x) => x.address === t.target || (x.service?.toLowerCase() === service && targetHostPort(x.address).port === at));
      if (u) return { job: j.job, address: u.address };
    }
    return null;
  };
  const jobName = (job: string) => {
    let name = job;
    for (let i = 2; ownJobs.has(name); i++) name = `${job}-headroom${i === 2 ? '' : `-${i}`}`;
    ownJobs.add(name);
    return name;
  };
  // The alert rules select on the `service` label Headroom's own jobs set: a user's job that
  // scrapes the same target gets one relabel rule, after its own, that sets it only where the job
  // set none (an empty `service` and that address).
  const serviceLabels = new Map<string, Array<{ address: string; service: string }>>();
  const generated: Array<Record<string, unknown>> = [];
  for (const t of scrapeTargets(stack, prom)) {
    const by = coveredBy(t);
    if (by) {
      serviceLabels.set(by.job, [...(serviceLabels.get(by.job) ?? []), { address: by.address, service: t.service }]);
      continue;
    }
    generated.push(t.dns
      ? { job_name: jobName(t.job), metrics_path: t.path, dns_sd_configs: [{ names: [t.target], type: 'A', port: t.port }], relabel_configs: [{ target_label: 'service', replacement: t.service }] }
      : { job_name: jobName(t.job), static_configs: [{ targets: [t.target], labels: { service: t.service } }] });
  }
  const kept = own.map((j) => {
    const labels = serviceLabels.get(j.job);
    if (!labels) return { ...j.config, job_name: j.job };
    const written = Array.isArray(j.config.relabel_configs) ? (j.config.relabel_configs as unknown[]) : [];
    const fill = labels.map((l) => ({ source_labels: ['service', '__address__'], separator: ';', regex: `;${regexEscape(l.address)}`, target_label: 'service', replacement: l.service }));
    return { ...j.config, job_name: j.job, relabel_configs: [...written, ...fill] };
  });
  config.scrape_configs = [...kept, ...generated];
  return yamlDocument(config, [
    `prometheus.yml for the service "${prom.name}". ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`,
    `Scrape every ${durationFormat(interval)}; retention ${durationFormat(prom.settings.retention)} is the --storage.tsdb.retention.time flag in the compose file.`,
    `Memory: about ${prom.settings.series} active series x 3-8 kB each in the head block (memory-model.md).`,
    ...(own.length ? [`Kept from your prometheus.yml: the scrape jobs ${own.map((j) => j.job).join(', ')}, as written (first), with a relabel rule that fills the service label the alert rules read where a job sets none; Headroom's jobs follow for what they do not scrape.`] : []),
  ]);
}

// ---------------------------------------------------------------------------------------------
// The kind

export const prometheus: KindFormat<'prometheus'> = {
  kind: 'prometheus',
  recognise: {
    images: [{ re: /^(?:[^/]+\/)*prometheus$/, label: 'Prometheus' }],
    read: prometheusRead,
  },
  oomScoreAdj: 400, // non-negative: kinds/kind.ts
  port: PROMETHEUS_PORT,
  addImage: () => PROMETHEUS_IMAGE,
  configs: { yml: PROMETHEUS_YML },
  evaluatesAlertRules: true,
  compose: ({ stack, service: s, svc, note, volume, goEnv, healthcheck }) => {
    svc.image = PROMETHEUS_IMAGE;
    svc.container_name = s.name;
    svc.command = [
      `--${PROMETHEUS_FLAGS.config}=${PROMETHEUS_YML.mount}`,
      `--${PROMETHEUS_FLAGS.path}=/prometheus`,
      `--${PROMETHEUS_FLAGS.retention}=${durationFormat(s.settings.retention)}`,
    ];
    svc.environment = goEnv();
    svc.volumes = [volume('/prometheus'), `./${stack.configPath(s, 'yml')}:${PROMETHEUS_YML.mount}:ro`, `./${stack.files.alerts}:${ALERTS_MOUNT}:ro`];
    svc.ports = [`127.0.0.1:${PROMETHEUS_PORT}:${PROMETHEUS_PORT}`];
    svc.healthcheck = healthcheck(['CMD', 'wget', '-q', '--spider', `http://127.0.0.1:${PROMETHEUS_PORT}/-/healthy`]);
    note.push(`Retention ${durationFormat(s.settings.retention)}, scrape every ${durationFormat(s.settings.scrapeInterval)}; GOMEMLIMIT at ${GOMEMLIMIT_SHARE * 100}% of the limit.`);
  },
  files: (stack, services) => services.map((p) => ({
    path: stack.configPath(p, 'yml'),
    content: prometheusYml(stack, p),
    description: `Prometheus scrape configuration for ${p.name}`,
  })),
};
