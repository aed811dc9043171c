/**
 * exportFiles(plan): every file of the tuned stack, in one pure call. The CLI writes them; the
 * app previews, copies and zips them. Nothing here touches a file system.
 */
import { SERVICE_NAME_RE, type Plan } from '../../engine/schema.ts';
import { tunePlan } from '../../engine/tune.ts';
import { ExportError, type ExportFile } from './common.ts';
import { composeYml } from './compose.ts';
import { postgresqlConf } from './postgresql-conf.ts';
import { redisConf } from './redis-conf.ts';
import { pgbouncerIni, userlistTemplate } from './pgbouncer-ini.ts';
import { prometheusYml } from './prometheus.ts';
import { alertsYml } from './alerts.ts';
import { alertsTestYml } from './alerts-test.ts';
import { alertmanagerYml } from './alertmanager.ts';
import { runbookMd } from './runbook.ts';
import { stackOf } from './stack.ts';

export { ExportError, type ExportFile } from './common.ts';
export { exportersFor, type Exporter, type ExporterKind } from './exporters.ts';
export { alertCoverage, ALERT_NAMES, type AlertCoverage, type AlertName } from './alerts.ts';
export { stackOf, type Stack } from './stack.ts';

export type ExportOptions = {
  /** Apply Headroom's recommended settings (tune.ts) before writing; default false: the plan as it is. */
  tuned?: boolean;
};

/** The tuned plan; a limit no setting fits is refused by name rather than written as a failing config. */
function tunedOrRefuse(plan: Plan): Plan {
  const r = tunePlan(plan);
  if (r.unfit.length > 0) throw new ExportError(`cannot tune: ${r.unfit.map((u) => u.message).join('; ')}`);
  return r.plan;
}

/**
 * All files for this plan: the compose file, one config per service that has one, the alert
 * rules with their tests, and the runbook. Throws ExportError for a plan the schema would refuse
 * (a service name outside the compose rule), and with `tuned` for a limit no setting fits.
 */
export function exportFiles(plan: Plan, options: ExportOptions = {}): ExportFile[] {
  for (const s of plan.services) {
    if (!SERVICE_NAME_RE.test(s.name)) throw new ExportError(`service name ${JSON.stringify(s.name)} does not follow the compose rule (letters, digits, ".", "_", "-")`);
  }
  const stack = stackOf(options.tuned ? tunedOrRefuse(plan) : plan);
  const f = stack.files;
  const files: ExportFile[] = [{ path: f.compose, content: composeYml(stack), description: 'Docker Compose file: every service with its memory limit, reservation, OOM order, healthcheck and mounts' }];
  for (const pg of stack.postgres) files.push({ path: f.postgresConf(pg.name), content: postgresqlConf(stack, pg), description: `PostgreSQL settings for ${pg.name}, sized to its limit and connections` });
  for (const r of stack.redis) files.push({ path: f.redisConf(r.name), content: redisConf(stack, r), description: `Redis settings for ${r.name}: maxmemory, eviction policy, persistence` });
  for (const b of stack.pgbouncer) {
    files.push({ path: f.pgbouncerIni(b.name), content: pgbouncerIni(stack, b), description: `pgBouncer settings for ${b.name}: pool mode and sizes` });
    files.push({ path: f.userlist(b.name), content: userlistTemplate(stack, b), description: `pgBouncer user list template for ${b.name}: fill in the password hash` });
  }
  for (const p of stack.prometheus) files.push({ path: f.prometheusYml(p.name), content: prometheusYml(stack, p), description: `Prometheus scrape configuration for ${p.name}` });
  if (stack.prometheus.length) {
    files.push({ path: f.alerts, content: alertsYml(stack), description: 'Alert rules with thresholds from the plan' });
    files.push({ path: f.alertsTest, content: alertsTestYml(stack), description: 'promtool unit tests for the alert rules' });
  }
  for (const a of stack.alertmanager) files.push({ path: f.alertmanagerYml(a.name), content: alertmanagerYml(stack, a), description: `AlertManager routing for ${a.name}: Slack, webhook from a file` });
  files.push({ path: f.runbook, content: runbookMd(stack), description: 'Runbook: checks, emergency actions and rollback for this plan' });
  return files;
}
