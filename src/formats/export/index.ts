/**
 * exportFiles(plan): every file of the tuned stack, in one pure call. The CLI writes them; the
 * app previews, copies and zips them. Nothing here touches a file system.
 */
import { SERVICE_KINDS, SERVICE_NAME_RE, type Plan } from '../../engine/schema.ts';
import { tunePlan, tuningsOf, tuningsSettled } from '../../engine/tune.ts';
import { ExportError, type ExportFile } from './common.ts';
import { composeYml } from './compose.ts';
import { alertsYml } from './alerts.ts';
import { alertsTestYml } from './alerts-test.ts';
import { runbookMd } from './runbook.ts';
import { stackOf } from './stack.ts';
import { formatOf } from '../kinds/index.ts';
import { orchestratedServices, type Target } from './orchestrators.ts';
import { swarmFileName, swarmYml } from './swarm.ts';
import { kubernetesFileName, kubernetesYaml } from './kubernetes.ts';

export { TARGETS, type Target } from './orchestrators.ts';

export { ExportError, type ExportFile } from './common.ts';
export { exportersFor, type Exporter, type ExporterKind } from './exporters.ts';
export { alertCoverage, ALERT_NAMES, type AlertCoverage, type AlertName } from './alerts.ts';
export { stackOf, type Stack } from './stack.ts';

export type ExportOptions = {
  /** Apply Headroom's recommended settings (tune.ts) before writing; default false: the plan as it is. */
  tuned?: boolean;
  /** The compose file written will be the user's own, edited (the CLI's export of a compose file): the runbook then names no secrets, oom_score_adj or reservations, which that file does not get. */
  composeEdited?: boolean;
  /** What runs the stack: Docker Compose (the default), a Docker Swarm stack, or Kubernetes manifests. Each is written from the same tuned export. */
  target?: Target;
};

/** The tuned plan with its tunings; a limit no setting fits is refused by name rather than written as a failing config. */
function tunedOrRefuse(plan: Plan): ReturnType<typeof tunePlan> {
  const r = tunePlan(plan);
  if (r.unfit.length > 0) throw new ExportError(`cannot tune: ${r.unfit.map((u) => u.message).join('; ')}`, r.unfit);
  return r;
}

/**
 * All files for this plan: the compose file, one config per service that has one, the alert
 * rules with their tests, and the runbook. Throws ExportError for a plan the schema would refuse
 * (a service name outside the compose rule), and with `tuned` for a limit no setting fits.
 *
 * The export tunes once: every service whose kind tunes gets one tuning (the plan's, or with
 * `tuned` the pass that tuned it, settled onto the tuned plan), handed to every writer.
 */
export function exportFiles(plan: Plan, options: ExportOptions = {}): ExportFile[] {
  return exportOf(plan, options).files;
}

/** What an export did, beside its files: the plan they describe (the tuned one with `tuned`), and what a person should know about the tuning. */
export type Exported = {
  plan: Plan;
  files: ExportFile[];
  /** With `tuned`: every setting the tuning rule kept rather than lower (engine/tune.ts), then each kind's notes (a setting it could not size, and why). */
  notes: string[];
};

/** exportFiles, with the plan the files describe and the tuning's notes: for a caller that writes the plan elsewhere too (the CLI's compose edit) or shows the notes. */
export function exportOf(plan: Plan, options: ExportOptions = {}): Exported {
  for (const s of plan.services) {
    if (!SERVICE_NAME_RE.test(s.name)) throw new ExportError(`service name ${JSON.stringify(s.name)} does not follow the compose rule (letters, digits, ".", "_", "-")`);
  }
  const tuned = options.tuned ? tunedOrRefuse(plan) : null;
  const stack = stackOf(tuned ? tuned.plan : plan);
  const tunings = tuned ? tuningsSettled(stack.plan, tuned.tunings) : tuningsOf(stack.plan);
  const files: ExportFile[] = [{ path: stack.files.compose, content: composeYml(stack), description: 'Docker Compose file: every service with its memory limit, reservation, OOM order, healthcheck and mounts' }];
  // Each kind's config files, in the registry's order; the alert rules beside the kind that evaluates them.
  for (const kind of SERVICE_KINDS) {
    const format = formatOf(kind);
    const services = stack.of(kind);
    if (services.length === 0) continue;
    if (format.files) files.push(...format.files(stack, services, tunings));
    if (format.evaluatesAlertRules) {
      files.push({ path: stack.files.alerts, content: alertsYml(stack), description: 'Alert rules with thresholds from the plan' });
      files.push({ path: stack.files.alertsTest, content: alertsTestYml(stack), description: 'promtool unit tests for the alert rules' });
    }
  }
  files.push({ path: stack.files.runbook, content: runbookMd(stack, tunings, { edited: options.composeEdited === true }), description: 'Runbook: checks, emergency actions and rollback for this plan' });
  // Swarm and Kubernetes: the compose file's services (its limits, reservations, configs and
  // secrets) rewritten for the orchestrator, in place of the compose file.
  const target = options.target ?? 'compose';
  if (target !== 'compose') {
    const services = orchestratedServices(stack, files);
    files[0] = target === 'swarm'
      ? { path: swarmFileName(stack), content: swarmYml(stack, services), description: 'Docker Swarm stack: deploy.resources limits and reservations, replicas, placement constraints, /dev/shm tmpfs, configs, external secrets' }
      : { path: kubernetesFileName(stack), content: kubernetesYaml(stack, services), description: 'Kubernetes manifests: StatefulSets/Deployments with memory requests and limits in Mi, /dev/shm emptyDir, ConfigMaps, Secrets by reference, a Service per port' };
  }
  return { plan: tuned ? tuned.plan : plan, files, notes: tuned ? [...tuned.kept.map((k) => k.message), ...tuned.notes] : [] };
}
