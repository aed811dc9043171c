/**
 * CPU and latency findings (issue 15): the host's services over 80% of its vCPUs (`cpu-saturated`),
 * the API's p95 over the seed's 500 ms (`latency-over-criterion`), each with its spike twin, and
 * app workers beyond what the host's cores run (`workers-beyond-cores`). The same comparisons as
 * capacity's checks (host-fit.ts hostLoadChecks, policy.ts), on each host of a multi-host plan.
 */
import { finding, servicesOf, type Rule } from './context.ts';
import type { Change, Finding, Scenario } from '../report.ts';
import type { Plan, ServiceOf } from '../schema.ts';
import { planWithFeatures } from '../features.ts';
import { hostLoadOf, loadKeyOf } from '../budget.ts';
import { hostLoadChecks } from '../host-fit.ts';
import { coresAskedFormat, coresFormat as cores, freeCoresFormat, msFormat } from '../units.ts';
import { CPU_SATURATION_SHARE, cpuOverLimit, cpusFor, cpusLimitFor, LATENCY_P95_CRITERION_MS, severityOf, workersForCores, workersPerCore } from '../policy.ts';

/** A host setting as a change: only a single-host plan has one `host:` to write it to. */
function hostChange(plan: Plan, key: string, value: number): Change[] {
  return plan.hosts ? [] : [{ key: `host.${key}`, value }];
}

function cpuFinding(plan: Plan, sc: Scenario, spike: boolean, spikeCpu: number): Finding | null {
  const check = hostLoadChecks(sc).find((c) => c.id === 'cpu-saturated')!;
  if (!check.fails) return null;
  // The fix holds the spike too (issue 11): vCPUs for the larger of the two demands.
  const need = cpusFor(Math.max(check.demand, spikeCpu));
  const inSpike = spike ? ` in the ×${sc.multiplier} spike` : '';
  const top = sc.services.filter((s) => s.cpu).sort((a, b) => b.cpu!.typical - a.cpu!.typical).slice(0, 2).map((s) => `${s.name} ${cores(s.cpu!.typical)}`);
  return finding(spike ? 'spike-cpu-saturated' : 'cpu-saturated', severityOf({ p: 1 }, 'degraded', spike ? 'spike' : 'normal'), null,
    `The services ask ${coresAskedFormat(check.demand, check.allowed)} cores of this host's ${cores(sc.host.cpus)} vCPUs${inSpike} (${top.join(', ')}), over the ${Math.round(CPU_SATURATION_SHARE * 100)}% line (${cores(check.allowed)}): requests queue for the CPU and latency climbs (modelled CPU per request and per query, calibrated on one measured sweep).`,
    `Give the host ${need} vCPUs, or lower the CPU each request costs (the app's own code, the semantic cache).`,
    hostChange(plan, 'cpus', need));
}

function latencyFinding(plan: Plan, sc: Scenario, spike: boolean): Finding | null {
  const l = sc.latency;
  if (!l) return null;
  const check = hostLoadChecks(sc).find((c) => c.id === 'latency-over-criterion');
  if (!check?.fails) return null;
  const app = servicesOf(plan, 'fastapi').find((s) => s.name === l.service);
  const inSpike = spike ? ` in the ×${sc.multiplier} spike` : '';
  const id = spike ? 'spike-latency-over-criterion' : 'latency-over-criterion';
  const severity = severityOf({ p: 1 }, 'degraded', spike ? 'spike' : 'normal');
  const what = l.saturated === 'cpu' ? `its requests need more CPU than its ${l.workers} workers get on ${freeCoresFormat(l.cores)}: the queue grows without bound`
    : l.saturated === 'pool' ? 'its queries need more database connections than its pool has: the wait for one grows without bound'
      : `p95 is ${msFormat(l.p95!)} (p50 ${msFormat(l.p50!)}, p99 ${msFormat(l.p99!)}; waits: CPU ${msFormat(l.cpuWaitMs ?? 0)}, database pool ${msFormat(l.poolWaitMs ?? 0)} on average)`;
  const message = `${l.service}'s API latency is over the p95 criterion of ${msFormat(LATENCY_P95_CRITERION_MS)}${inSpike}: ${what} (modelled as queues at the workers and the database pool, not measured).`;
  if (!app) return finding(id, severity, l.service, message, 'Give the app more cores or workers.');
  const fix = latencyFixOf(plan, app, sc);
  if (fix) return finding(id, severity, app.name, message, fix.summary, fix.changes);
  return finding(id, severity, app.name, message,
    plan.hosts
      ? `Give the ${l.service} host more vCPUs and the app a worker per core, or open more database connections (max_overflow).`
      : `The requests themselves are slow (each takes ${msFormat(plan.workload.requestTimeMs)} of its own on average, a fixed time each as measured): no worker, pool or CPU setting brings p95 under ${msFormat(LATENCY_P95_CRITERION_MS)}; the semantic cache or faster queries do.`);
}

/**
 * latencyFix's answers for the last plans asked, by their load key (budget.ts loadKeyOf): the
 * search tries up to ~20 edits, each a whole load at normal and spike traffic, and depends only
 * on the load (the app, its host's vCPUs, the traffic), which a limit edit does not change. A
 * keystroke in a limit field on the seed's stack asked it again each time (0.5 ms of its ~1.1 ms
 * evaluate in Chromium's profile). Answers are data (a summary and changes), copied out.
 */
const FIX_MEMO_SIZE = 8; // assumed: a handful of plans in play at once (the page's current, previous and what-if plans)
const fixMemo = new Map<string, ReturnType<typeof latencyFix>>();

function latencyFixOf(plan: Plan, app: ServiceOf<'fastapi'>, sc: Scenario): ReturnType<typeof latencyFix> {
  const key = `${app.name}\u0000${loadKeyOf(plan)}`;
  let fix = fixMemo.get(key);
  if (fix === undefined) {
    fix = latencyFix(plan, app, sc);
    if (fixMemo.size >= FIX_MEMO_SIZE) fixMemo.delete(fixMemo.keys().next().value!);
    fixMemo.set(key, fix);
  }
  return fix && { summary: fix.summary, changes: fix.changes.map((c) => ({ ...c })) };
}

type Edit = { workers?: number; maxOverflow?: number; cpus?: number; appCpus?: number };

/** The plan with an app's workers or max_overflow, or the host's vCPUs, changed. */
function edited(plan: Plan & { implied: ReadonlySet<string> }, app: ServiceOf<'fastapi'>, e: Edit): Plan & { implied: ReadonlySet<string> } {
  return {
    ...plan,
    host: e.cpus === undefined ? plan.host : { ...plan.host, cpus: e.cpus },
    services: plan.services.map((s) => (s.name === app.name
      ? { ...app, ...(e.appCpus === undefined ? {} : { cpus: e.appCpus }), settings: { ...app.settings, ...(e.workers === undefined ? {} : { workers: e.workers }), ...(e.maxOverflow === undefined ? {} : { maxOverflow: e.maxOverflow }) } }
      : s)),
  };
}

/**
 * The smallest change that brings the API's p95 under the criterion in normal traffic and in the
 * spike (a fix holds both, issue 11): a worker per free core; else a wider pool (max_overflow
 * doubled, up to 8 times); else more vCPUs with a worker per core (up to 1,024). Null when none
 * does (the request's own time is the tail) or in a multi-host plan (a host's vCPUs are in `hosts:`).
 */
function latencyFix(plan: Plan, app: ServiceOf<'fastapi'>, sc: Scenario): { summary: string; changes: Change[] } | null {
  if (plan.hosts) return null;
  const base = planWithFeatures(plan);
  const spike = plan.workload.spike;
  const holds = (e: Edit) => {
    const p = edited(base, app, e);
    return [1, spike].every((m) => {
      const x = hostLoadOf(p, m);
      return !hostLoadChecks(x).some((c) => c.id === 'latency-over-criterion' && c.fails);
    });
  };
  const cpus = sc.host.cpus;
  // An app under its own cpus cap (cpu.ts cpuCapOf): first the cap, in tenths of a CPU per container, up to the host's vCPUs.
  if (app.cpus !== undefined) {
    for (let tenths = Math.floor(app.cpus * 10) + 1; tenths <= Math.ceil(cpus * 10); tenths++) {
      const per = tenths / 10;
      if (holds({ appCpus: per })) return { summary: `Raise ${app.name}'s CPU cap to cpus ${per} per container (compose's cpus / deploy.resources.limits.cpus): its workers queue on the cores the cap leaves them.`, changes: [{ service: app.name, key: 'cpus', value: per }] };
    }
  }
  // Past this point a cap would hold back any other change: it goes with them, at the host's vCPUs.
  const capAt = (n: number): Edit => (app.cpus === undefined ? {} : { appCpus: Math.max(app.cpus, n) });
  const capChange = (n: number): Change[] => (app.cpus === undefined || app.cpus >= n ? [] : [{ service: app.name, key: 'cpus', value: n }]);
  const perCore = (n: number) => workersPerCore(app.settings.workers, n, app.settings.replicas);
  const w = perCore(cpus);
  if (w > app.settings.workers && holds({ workers: w, ...capAt(cpus) })) {
    return { summary: `Run a worker per core: ${w} workers on the host's ${cores(cpus)} vCPUs (a worker runs one request's Python at a time).`, changes: [{ service: app.name, key: 'settings.workers', value: w }, ...capChange(cpus)] };
  }
  let overflow = app.settings.maxOverflow;
  for (let i = 0; i < 8; i++) {
    overflow = overflow + Math.max(1, app.settings.poolSize + overflow);
    if (holds({ workers: w, maxOverflow: overflow, ...capAt(cpus) })) {
      return {
        summary: `Open more database connections per worker: max_overflow ${overflow}${w > app.settings.workers ? `, with ${w} workers (one per core)` : ''}; keep them within PostgreSQL's max_connections or behind pgBouncer.`,
        changes: [...(w > app.settings.workers ? [{ service: app.name, key: 'settings.workers', value: w }] : []), { service: app.name, key: 'settings.maxOverflow', value: overflow }, ...capChange(cpus)],
      };
    }
    if (overflow > 10_000) break;
  }
  // More vCPUs, a worker per core: monotone in vCPUs, so bisect the whole counts.
  const ok = (n: number) => holds({ cpus: n, workers: perCore(n), ...capAt(n) });
  if (!ok(1024)) return null;
  let lo = Math.ceil(cpus);
  let hi = 1024;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  const workers = perCore(hi);
  return {
    summary: `Give the host ${hi} vCPUs${workers > app.settings.workers ? ` and the app ${workers} workers, one per core` : ''}, or lower its CPU time per request.`,
    changes: [{ key: 'host.cpus', value: hi }, ...(workers > app.settings.workers ? [{ service: app.name, key: 'settings.workers', value: workers }] : []), ...capChange(hi)],
  };
}

/** CPU over the 80% line, normal traffic, else its spike twin. */
export const cpuSaturated: Rule = ({ plan, normal, spike }) => {
  const f = cpuFinding(plan, normal, false, spike.host.cpu.typical) ?? cpuFinding(plan, spike, true, spike.host.cpu.typical);
  return f ? [f] : [];
};

/** p95 over the seed's 500 ms, normal traffic, else its spike twin. */
export const latencyOverCriterion: Rule = ({ plan, normal, spike }) => {
  const f = latencyFinding(plan, normal, false) ?? latencyFinding(plan, spike, true);
  return f ? [f] : [];
};

/**
 * A service whose modelled CPU at the mean is over its `cpus` cap (replicas × cpus): the kernel
 * throttles it, its work queues (for the app: latency.ts queues on the capped cores). The fix is
 * a cap that covers its busiest minute (the spike is the latency finding's).
 */
export const cpuOverLimitRule: Rule = ({ plan, normal }) => {
  const out: Finding[] = [];
  for (const b of normal.services) {
    const s = plan.services.find((x) => x.name === b.name);
    if (!s || s.cpus === undefined || !b.cpu) continue;
    const cap = s.cpus * b.replicas;
    if (!cpuOverLimit(b.cpu.typical, cap)) continue;
    const per = cpusLimitFor(b.cpu.high, b.replicas);
    const each = b.replicas > 1 ? ` (${b.replicas} containers × ${cores(s.cpus)})` : '';
    out.push({
      ...finding('cpu-over-limit', severityOf({ p: 1 }, 'degraded'), b.name,
        `${b.name} asks ${coresAskedFormat(b.cpu.typical, cap)} cores on average (${cores(b.cpu.high)} in the busiest minute) but its cpus cap gives it ${cores(cap)}${each}: the kernel throttles it and its work queues (modelled CPU per request and per query, calibrated on one measured sweep).`,
        `Raise ${b.name}'s cpus to ${per} per container (compose's cpus / deploy.resources.limits.cpus), or lower the CPU it needs.`,
        [{ service: b.name, key: 'cpus', value: per }]),
      ...(b.host === undefined ? {} : { host: b.host }),
    });
  }
  return out;
};

/** More app workers than gunicorn's (2 × cores) + 1: memory on processes the cores cannot run. */
export const workersBeyondCores: Rule = ({ plan, normal }) => {
  const out: Finding[] = [];
  const advised = workersForCores(normal.host.cpus);
  for (const app of servicesOf(plan, 'fastapi')) {
    if (app.settings.workers <= advised) continue;
    out.push(finding('workers-beyond-cores', severityOf({ p: 1 }, 'advice'), app.name,
      `${app.name} runs ${app.settings.workers} workers per replica on a host of ${cores(normal.host.cpus)} vCPUs: beyond gunicorn's (2 × cores) + 1 = ${advised}, each extra worker costs ${Math.round(app.settings.perWorker)} MiB and adds no CPU.`,
      `Set ${app.name}'s workers to ${advised} (docs.gunicorn.org, "How Many Workers?"), or give the host more vCPUs.`,
      [{ service: app.name, key: 'settings.workers', value: advised }]));
  }
  return out;
};
