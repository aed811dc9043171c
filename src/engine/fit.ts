/**
 * Fit everything (issue 11): one consistent set of limits and settings for the whole stack, the
 * plan's users in normal traffic and in its spike together, within the host's RAM — or, when it
 * cannot, the smallest host size that holds it. No new model: the stack is sized by tiers.ts's
 * minimal plan (the kinds' tuning and policy) at the spike's users, its spare memory given to
 * PostgreSQL as the upgrade path does, and judged by the engine's own verdict and the free-memory
 * criterion at typical usage (policy.ts typicalFreeUnderCriterion).
 *
 * Two rules on top: a connection setting (max_connections, max_client_conn) is never lowered below
 * the plan's own value (the apps open what they open; issue 11), and a service whose usage is a
 * guess (basis `assumed`) keeps its limit: a limit computed from a guess is not presented as fitted.
 *
 * Pure: plain data in, plain data out.
 */
import type { Plan, Service } from './schema.ts';
import { limitsAt, minimalPlan, retuned, tierPlan } from './tiers.ts';
import { basisOf, tuningOf } from './kinds/index.ts';
import { evaluate } from './evaluate.ts';
import { verdictOf, type Outcome } from './verdict.ts';
import { FREE_CRITERION_WORDS, limitsExceedRam, typicalFreeUnderCriterion } from './policy.ts';
import type { Report } from './report.ts';
import { sizeFormat } from './units.ts';

/** One value the fit changes: `limit`, `settings.maxmemory`, … on a service (or `services` for one it adds).
 * `zeroUnbounded`: the server reads 0 for this setting as no bound (its kind's tuning: Redis maxmemory). */
export type FitChange = { service: string; key: string; from: unknown; to: unknown; assumed: boolean; zeroUnbounded?: true };

export type Fit = {
  /** True when the fitted plan fits this host: limits plus reserve within the RAM, no critical finding, and free memory at typical usage above the criterion. */
  fits: boolean;
  plan: Plan;
  changes: FitChange[];
  outcome: Outcome;
  summary: string;
  /** When it does not fit: the smallest host (a power of two from the plan's, up to 1 TiB) on which it does; null if none. */
  hostMiB: number | null;
  /** Guessed services whose limits the fit leaves alone (settle them first). */
  assumed: string[];
  /** The active users every limit is sized for: the plan's users in its spike. */
  spikeUsers: number;
  /** The fitted plan's free memory at typical usage in normal traffic, and the criterion it is held to there. */
  free: { typicalMiB: number; criterionMiB: number };
};

const CONNECTION_KEYS: Readonly<Record<string, string>> = { postgres: 'maxConnections', pgbouncer: 'maxClientConn' };

/** The minimal plan with the plan's own connection settings where it had lowered them (the apps open what they open). */
function connectionsKept(original: Plan, minimal: Plan): { plan: Plan; kept: boolean } {
  const before = new Map(original.services.map((s) => [s.name, s]));
  let kept = false;
  const services = minimal.services.map((s): Service => {
    const was = before.get(s.name);
    const key = CONNECTION_KEYS[s.kind];
    if (!was || !key) return s;
    const mine = (was.settings as Record<string, unknown>)[key];
    const theirs = (s.settings as Record<string, unknown>)[key];
    if (typeof mine !== 'number' || typeof theirs !== 'number' || theirs >= mine) return s;
    kept = true;
    return { ...s, settings: { ...s.settings, [key]: mine } } as Service;
  });
  return { plan: { ...minimal, services }, kept };
}

/** The fitted services: guessed ones keep their limit (a limit computed from a guess is not presented as fitted). */
function guarded(original: Plan, fitted: Plan): Plan {
  const before = new Map(original.services.map((s) => [s.name, s]));
  return {
    ...fitted,
    services: fitted.services.map((s): Service => {
      const was = before.get(s.name);
      return was && basisOf(was) === 'assumed' ? { ...s, limit: was.limit } : s;
    }),
  };
}

/**
 * tiers.ts's minimal plan at `users`, with the plan's own connection settings kept and every
 * limit re-derived from them: a limit sized for fewer connections than the stack keeps would be
 * short by their memory (sentry's pgBouncer was sized at 16 MiB for a max_client_conn it then kept,
 * the model's high 80 MiB: usage over its limit on every host).
 */
function minimalKept(plan: Plan, users: number): Plan {
  const minimal = minimalPlan(plan, users);
  const { plan: kept, kept: changed } = connectionsKept(plan, minimal);
  return changed ? limitsAt(kept, users) : minimal;
}

/** Each PostgreSQL's own work_mem: the fit keeps it unless memory forces it lower (postgresForLimit). */
function workMemOf(plan: Plan): Map<string, number> {
  return new Map(plan.services.flatMap((s) => (s.kind === 'postgres' ? [[s.name, s.settings.workMem] as const] : [])));
}

/** The fitted plan on a host of `ramMiB`, with the plan's own workload and name. */
function fittedOn(plan: Plan, ramMiB: number, minimal: Plan): Plan {
  const sized = tierPlan(plan, ramMiB, minimal.workload.activeUsers, plan.host.pricePerMonth ?? null, minimal, workMemOf(plan), plan.host.cpus);
  // tierPlan re-tuned what its findings named; again with the guessed services' own limits back.
  return retuned(guarded(plan, { ...sized, name: plan.name, workload: plan.workload, host: { ...plan.host, ram: ramMiB } }));
}

/**
 * Why a fitted plan does not fit, from its report, or null when it fits: `verdict` when the limits
 * plus the reserve exceed the RAM or check does not pass with the guesses accepted (a critical
 * finding, so a host OOM among them); else `free` when free memory at typical usage is under the
 * criterion.
 */
function misfit(r: Report): 'verdict' | 'free' | null {
  if (limitsExceedRam(r.host) || verdictOf(r, { assume: true }).outcome !== 'pass') return 'verdict';
  return typicalFreeUnderCriterion(r.host) ? 'free' : null;
}

/** Why a fitted plan that passes check still does not fit: its free memory at typical usage. */
function freeShortText(r: Report): string {
  const h = r.host;
  return `free memory at typical usage would be ${sizeFormat(h.freeMiB.typical)}, under the success criterion of ${sizeFormat(h.freeCriterionMiB)} (${FREE_CRITERION_WORDS})`;
}

function changesOf(before: Plan, after: Plan): FitChange[] {
  const out: FitChange[] = [];
  const old = new Map(before.services.map((s) => [s.name, s]));
  for (const s of after.services) {
    const was = old.get(s.name);
    const assumed = basisOf(s) === 'assumed';
    if (!was) {
      out.push({ service: s.name, key: 'services', from: null, to: `${s.kind} (added)`, assumed });
      continue;
    }
    if (was.limit !== s.limit) out.push({ service: s.name, key: 'limit', from: was.limit, to: s.limit, assumed });
    const a = was.settings as Record<string, unknown>;
    const b = s.settings as Record<string, unknown>;
    const unbounded = tuningOf(s)?.zeroUnbounded ?? [];
    for (const key of Object.keys(b)) {
      if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out.push({ service: s.name, key: `settings.${key}`, from: a[key] ?? null, to: b[key], assumed, ...(unbounded.includes(key) ? { zeroUnbounded: true as const } : {}) });
    }
  }
  return out;
}

/** Largest host tried: 1 TiB (the plan file's bound on RAM is larger; past this the answer is "split"). */
const MAX_HOST_MIB = 1024 * 1024;

export function fit(plan: Plan): Fit {
  const spikeUsers = Math.ceil(plan.workload.activeUsers * plan.workload.spike);
  // Sized at the spike's users as the normal load, the spike is in already: multiplying by it
  // again (postgresForLimit sizes work_mem for the plan's spike) would size PostgreSQL for
  // spike² (25,000 users' queries on the 4gb preset, not 5,000) and leave work_mem at 1MB.
  const minimal = minimalKept({ ...plan, workload: { ...plan.workload, spike: 1 } }, spikeUsers);
  const fitted = fittedOn(plan, plan.host.ram, minimal);
  const r = evaluate(fitted);
  const why = misfit(r);
  const fits = why === null;
  let hostMiB: number | null = null;
  if (!fits) {
    for (let ram = 1024; ram <= MAX_HOST_MIB; ram *= 2) {
      if (ram <= plan.host.ram) continue;
      if (misfit(evaluate(fittedOn(plan, ram, minimal))) === null) {
        hostMiB = ram;
        break;
      }
    }
  }
  const v = verdictOf(r);
  return {
    fits,
    plan: fitted,
    changes: changesOf(plan, fitted),
    outcome: v.outcome,
    // When only the free memory stands between the fitted plan and a fit, that is the reason given.
    summary: why === 'free' ? freeShortText(r) : v.summary,
    hostMiB,
    assumed: plan.services.filter((s) => basisOf(s) === 'assumed').map((s) => s.name),
    spikeUsers,
    free: { typicalMiB: r.host.freeMiB.typical, criterionMiB: r.host.freeCriterionMiB },
  };
}
