/** Service names a plan adds (toggles, exporters) must not collide with the plan's own, in any case. */
import type { Plan } from './schema.ts';

/** A function that returns `base`, or `base-2`, `base-3`… — the first name no service of `plan` (or earlier call) has. */
export function nameAllocator(plan: Plan): (base: string) => string {
  const taken = new Set(plan.services.map((s) => s.name.toLowerCase()));
  return (base) => {
    let name = base;
    for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base}-${i}`;
    taken.add(name.toLowerCase());
    return name;
  };
}
