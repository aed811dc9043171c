/**
 * Feature toggles as services: pgBouncer and AlertManager are containers, so turning one on adds
 * its service (with the seed's settings) unless the plan already lists one of that kind. A listed
 * service of that kind turns its feature on. Beside Prometheus, the exporters its alert rules read
 * are added too (unless `features.exporters` is off), so their memory is budgeted.
 */
import { FEATURE_SERVICES } from './defaults.ts';
import { PGBOUNCER_DEFAULTS } from './kinds/pgbouncer.ts';
import type { Features, Plan, Service } from './schema.ts';
import { exporterServices } from './exporters.ts';
import { nameAllocator } from './names.ts';

/** The plan with the services its toggles imply, and the features its services imply. */
export function planWithFeatures(plan: Plan): Plan & { implied: ReadonlySet<string> } {
  const has = (kind: Service['kind']) => plan.services.some((s) => s.kind === kind);
  const added: Service[] = [];
  const freeName = nameAllocator(plan);
  if (plan.features.pgbouncer && !has('pgbouncer')) {
    added.push({
      name: freeName(FEATURE_SERVICES.pgbouncer.name),
      kind: 'pgbouncer',
      limit: FEATURE_SERVICES.pgbouncer.limit,
      // the seed: POOL_MODE=transaction, MAX_CLIENT_CONN=100, DEFAULT_POOL_SIZE=20
      settings: { ...PGBOUNCER_DEFAULTS, poolMode: 'transaction', maxClientConn: 100, defaultPoolSize: 20 },
    });
  }
  if (plan.features.alertmanager && !has('alertmanager')) {
    added.push({ name: freeName(FEATURE_SERVICES.alertmanager.name), kind: 'alertmanager', limit: FEATURE_SERVICES.alertmanager.limit, settings: {} });
  }
  const features: Features = {
    ...plan.features,
    pgbouncer: plan.features.pgbouncer || has('pgbouncer'),
    alertmanager: plan.features.alertmanager || has('alertmanager'),
  };
  const withToggles = { ...plan, features, services: [...plan.services, ...added] };
  // The alert rules' exporters come last: they watch the services above (exporters.ts).
  added.push(...exporterServices(withToggles));
  return { ...withToggles, services: [...plan.services, ...added], implied: new Set(added.map((s) => s.name)) };
}
