/** Applying a finding's fix: one setting change written into the plan as a person wrote it. */
import type { PlanInput } from './schema.ts';
import type { Change } from './report.ts';
import { FEATURE_SERVICES } from './defaults.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The plan with `change` applied; the input is not modified. A change to a service that a
 * toggle implies (pgBouncer, AlertManager) first writes that service into the plan. */
export function applyChange(input: PlanInput, change: Change): PlanInput {
  return applyChanges(input, [change]);
}

/** The plan with every change applied in order, on one copy: a round of fixes to a 2,000-service
 * plan costs one clone, not one per change (issue 17: capacity of such a plan took 43 s here). */
export function applyChanges(input: PlanInput, changes: readonly Change[]): PlanInput {
  const plan = structuredClone(input) as PlanInput & Obj;
  const byName = new Map(plan.services.map((s) => [s.name, s as Obj]));
  for (const change of changes) write(plan, byName, change);
  return plan;
}

function write(plan: PlanInput & Obj, byName: Map<string, Obj>, change: Change): void {
  const path = change.key.split('.');
  let target: Obj;
  if (change.service === undefined) {
    target = plan;
  } else {
    let svc = byName.get(change.service);
    if (!svc) {
      svc = impliedService(change.service);
      plan.services.push(svc as PlanInput['services'][number]);
      byName.set(change.service, svc);
    }
    target = svc;
  }
  for (const key of path.slice(0, -1)) {
    if (!isObj(target[key])) target[key] = {};
    target = target[key] as Obj;
  }
  target[path[path.length - 1]!] = change.value;
}

function impliedService(name: string): Obj {
  if (name.startsWith(FEATURE_SERVICES.pgbouncer.name)) {
    // the seed: POOL_MODE=transaction, MAX_CLIENT_CONN=100, DEFAULT_POOL_SIZE=20, 20M
    return { name, kind: 'pgbouncer', limit: `${FEATURE_SERVICES.pgbouncer.limit}MiB`, settings: { poolMode: 'transaction', maxClientConn: 100, defaultPoolSize: 20 } };
  }
  if (name.startsWith(FEATURE_SERVICES.alertmanager.name)) {
    return { name, kind: 'alertmanager', limit: `${FEATURE_SERVICES.alertmanager.limit}MiB`, settings: {} };
  }
  throw new Error(`no service named ${name} in the plan`);
}
