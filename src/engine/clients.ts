/**
 * Who connects to the stack's servers: the one place that says whether the engine counts every
 * connection (each service's kind declares its `connections`, kinds/kind.ts). When it does not —
 * any service whose kind the engine does not model may connect to PostgreSQL or Redis — the
 * tuners cannot know how many connections or how much data the servers must hold, and a tuned
 * plan keeps the servers' own defaults (tune.ts).
 */
import type { Plan } from './schema.ts';
import { planWithFeatures } from './features.ts';
import { kindOf } from './kinds/registry.ts';
import type { Clients } from './kinds/kind.ts';

export type { Clients } from './kinds/kind.ts';

/** The plan's clients: known when every service (the toggles' and exporters' included) is counted or opens none. */
export function clientsOf(plan: Plan): Clients {
  const unknown: string[] = [];
  let counted = false;
  for (const s of planWithFeatures(plan).services) {
    const c = kindOf(s.kind).connections;
    const v = typeof c === 'function' ? c(s as never) : c;
    if (v !== 'counted' && v !== 'none') unknown.push(s.name);
    else if (v === 'counted' && plan.services.includes(s)) counted = true;
  }
  // Servers with no client of their own in the plan (a compose file of a database and a cache)
  // serve clients outside it: those are not counted either.
  if (!counted && unknown.length === 0 && plan.services.length > 0) unknown.push('clients outside this plan');
  return { known: unknown.length === 0, unknown };
}

/** "api, worker and 3 more": the services whose connections are not counted, for a sentence. */
export function unknownClientsText(c: Clients, max = 3): string {
  const shown = c.unknown.slice(0, max);
  const more = c.unknown.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}
