/**
 * RUNBOOK.md: the seed's checks, emergency actions and rollback with this plan's service names,
 * limits and thresholds filled in. Names go into shell commands only shell-quoted and into text
 * only as code spans (mdCode), so that a copied command does what it says.
 */
import type { Tunings } from '../../engine/tune.ts';
import { connectionsAlertAbove, FREE_CRITERION_FORMULA } from '../../engine/policy.ts';
import { appDbOf, bytes, GENERATED_BY, mdCode, shellQuote } from './common.ts';
import { alertRules, freeCriterionMiB } from './alerts.ts';
import { composeModel } from './compose.ts';
import type { Stack } from './stack.ts';
import { ALERTMANAGER_PORT, SLACK_WEBHOOK, SLACK_WEBHOOK_FILE } from '../kinds/alertmanager.ts';
import { APP_PORT } from '../kinds/fastapi.ts';
import { GRAFANA_PORT } from '../kinds/grafana.ts';
import { PROMETHEUS_PORT } from '../kinds/prometheus.ts';
import { sizeFormat, withArticle } from '../../engine/units.ts';

/**
 * The runbook, with the export's one tuning of each service (never tuning again). `edited`: the
 * compose file written is the user's own with its memory settings edited (the CLI's export of a
 * compose file), which sets no secrets, oom_score_adj or reservations of Headroom's: the runbook
 * then names none of them.
 */
export function runbookMd(stack: Stack, tunings: Tunings, options: { edited?: boolean } = {}): string {
  const edited = options.edited === true;
  const plan = stack.plan;
  const f = shellQuote(stack.files.compose);
  const dc = `docker compose -f ${f}`;
  const q = shellQuote;
  const model = composeModel(stack);
  const rules = alertRules(stack);
  const app = stack.app[0];
  const pg = stack.postgres[0];
  const redis = stack.redis[0];
  // The role and database the stack's own environment sets (POSTGRES_USER/POSTGRES_DB), else Headroom's.
  const db = appDbOf(pg);
  const psql = pg ? `${dc} exec ${q(pg.name)} psql -U ${q(db.user)} -d ${q(db.database)}` : '';
  const out: string[] = [];
  const p = (...lines: string[]) => out.push(...lines);
  const code = (...lines: string[]) => p('```bash', ...lines, '```', '');

  p(`# Runbook: ${mdCode(plan.name ?? 'unnamed plan')} on ${withArticle(sizeFormat(plan.host.ram))} host`, '');
  p(`${GENERATED_BY}. The compose file is ${mdCode(stack.files.compose)}; every command below runs beside it.`, '');

  p('## The stack', '');
  const total = model.memory.reduce((s, m) => s + (m.limit ?? 0), 0);
  if (edited) {
    p('| service | memory limit |', '|---|---|');
    for (const s of plan.services) p(`| ${mdCode(s.name)} | ${s.limit === null ? 'none' : sizeFormat(s.limit)} |`);
    const limits = plan.services.reduce((sum, s) => sum + (s.limit ?? 0), 0);
    p('', `Limits add up to ${sizeFormat(limits)} of ${sizeFormat(plan.host.ram)}. Your compose file sets no oom_score_adj or memory reservation of Headroom's (it edits only the memory limits and settings): under memory pressure the kernel kills the container with the largest oom_score, which follows its memory use.`, '');
  } else {
    p('| service | memory limit | reserved | oom_score_adj |', '|---|---|---|---|');
    for (const m of [...model.memory].sort((a, b) => a.oomScoreAdj - b.oomScoreAdj)) {
      p(`| ${mdCode(m.name)} | ${m.limit === null ? 'none' : sizeFormat(m.limit)} | ${m.reservation === null ? '—' : sizeFormat(m.reservation)} | ${m.oomScoreAdj} |`);
    }
    p('', `Limits add up to ${sizeFormat(total)} of ${sizeFormat(plan.host.ram)}. Under memory pressure the kernel kills the highest oom_score_adj first: the app, then the exporters, and the database last. Every value is 0 or more: a negative one needs CAP_SYS_RESOURCE, which rootless and nested Docker engines lack (runc then refuses to start the container).`, '');
  }

  p('## First start', '');
  const secretFiles = edited ? [] : model.secrets.map((x) => x.file);
  if (edited) p('Your compose file keeps its own passwords and secrets: Headroom adds none.', '');
  else if (secretFiles.length) {
    p('Create the secrets (never commit them):', '');
    code('mkdir -p secrets && chmod 700 secrets', ...secretFiles.map((file) => `openssl rand -base64 24 > ${q(file)}  # or your own value`), 'chmod 600 secrets/*');
  }
  if (!edited && stack.alertmanager.length) p(`Put the Slack webhook URL into ${mdCode(SLACK_WEBHOOK.file)} instead of a random value: AlertManager reads it from ${mdCode(SLACK_WEBHOOK_FILE)}.`, '');
  if (stack.pgbouncer.length && pg) {
    p(`pgBouncer needs the SCRAM hash of ${mdCode(db.user)} in ${mdCode(stack.configPath(stack.pgbouncer[0]!, 'userlist'))}: start the database first, then copy the hash (the command is in that file).`, '');
  }
  code(`${dc} up -d`, `${dc} ps   # wait until every service is healthy (1-2 minutes)`);
  if (app) code(`curl -fsS http://localhost:${APP_PORT}/health`);
  const local = [...stack.grafana.map(() => `Grafana ${GRAFANA_PORT}`), ...stack.prometheus.map(() => `Prometheus ${PROMETHEUS_PORT}`), ...stack.alertmanager.map(() => `AlertManager ${ALERTMANAGER_PORT}`)];
  if (local.length) p(`${local.join(', ')} listen on 127.0.0.1 only. From your machine: \`ssh -L ${GRAFANA_PORT}:127.0.0.1:${GRAFANA_PORT} HOST\`, then open http://localhost:${GRAFANA_PORT}.`, '');
  if (stack.prometheus.length) code(`curl -fsS http://127.0.0.1:${PROMETHEUS_PORT}/-/healthy`, `promtool test rules ${q(stack.files.alertsTest)}   # the alert rules fire on a synthetic breach`);

  p('## Checks', '');
  p('Memory per container and on the host, and OOM kills:', '');
  code('docker stats --no-stream --format "table {{.Name}}\\t{{.MemUsage}}\\t{{.MemPerc}}"', 'free -h', 'dmesg | grep -i oom');
  p(`\`docker stats\` shows usage minus inactive page cache, so it reads lower than what the kernel compares with the limit. The host should keep ${sizeFormat(freeCriterionMiB(plan))} available (${FREE_CRITERION_FORMULA}).`, '');
  if (redis) {
    const t = tunings.of(redis);
    p(`Redis ${mdCode(redis.name)} should report maxmemory ${bytes(redis.settings.maxmemory)} (${sizeFormat(redis.settings.maxmemory)})${t.recommendedMaxmemory !== null && !t.plannedSafe ? `; Headroom recommends at most ${sizeFormat(t.recommendedMaxmemory)} for its ${redis.settings.persistence} persistence` : ''}:`, '');
    code(`${dc} exec ${q(redis.name)} redis-cli CONFIG GET maxmemory`, `${dc} exec ${q(redis.name)} redis-cli INFO memory | grep -E 'used_memory_human|maxmemory_human|mem_fragmentation_ratio'`);
  }
  if (pg) {
    const t = tunings.of(pg);
    p(`Postgres ${mdCode(pg.name)}: max_connections ${t.planned.maxConnections}; the alert fires above ${connectionsAlertAbove(t.planned.maxConnections)}.`, '');
    code(`${psql} -c "SELECT count(*), state FROM pg_stat_activity GROUP BY state;"`, `${psql} -c "SHOW shared_buffers; SHOW work_mem; SHOW max_connections;"`);
  }

  if (rules.length) {
    p('## Alerts', '');
    p('| alert | severity | fires when |', '|---|---|---|');
    for (const r of rules) p(`| ${r.alert} | ${r.severity} | ${r.threshold.replace(/\|/g, '\\|')} |`);
    p('');
  } else {
    p('## Alerts', '', 'This plan has no Prometheus: nothing watches these thresholds.', '');
  }

  p('## Emergency actions', '');
  p('### High memory (HighMemoryUsage)', '');
  const steps: string[] = [];
  if (redis) steps.push(`# 1. Empty the cache (data in Redis is lost: only if it is a cache)`, `${dc} exec ${q(redis.name)} redis-cli FLUSHDB`);
  const heaviest = [...model.memory].filter((m) => m.limit !== null).sort((a, b) => (b.limit ?? 0) - (a.limit ?? 0))[0];
  if (heaviest) steps.push(`# 2. Restart the container with the largest limit (${sizeFormat(heaviest.limit ?? 0)})`, `${dc} restart ${q(heaviest.name)}`);
  if (app) steps.push('# 3. Look for a leak in the app', `${dc} logs --tail 200 ${q(app.name)} | grep -i memory`);
  code(...(steps.length ? steps : ['free -h']));
  p('### Service down (ServiceDown)', '');
  code(`${dc} ps -a`, `${dc} logs --tail 100 SERVICE`, `${dc} restart SERVICE`);
  if (pg) {
    p('### Database connections exhausted (HighDatabaseConnections)', '');
    const ex = [
      `${psql} -c "SELECT count(*), state FROM pg_stat_activity GROUP BY state;"`,
      `${psql} -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle' AND state_change < now() - interval '10 minutes';"`,
    ];
    if (app) ex.push(`${dc} restart ${q(app.name)}   # releases the app's pools`);
    code(...ex);
  }
  p('### OOM kill (ContainerOOMKills)', '');
  code('dmesg -T | grep -i -E "killed process|oom"', `${dc} ps -a   # which container restarted`);
  p('Then raise that service\'s limit in the plan (or lower what it is allowed to use), re-run `headroom export`, and redeploy.', '');

  p('## Rollback', '');
  code(`${dc} down`, 'docker compose -f docker-compose.yml up -d   # the previous stack', `curl -fsS http://localhost:${APP_PORT}/health`);
  p('Named volumes survive `down` (never add `-v`): the database and Prometheus data stay.', '');
  return out.join('\n');
}
