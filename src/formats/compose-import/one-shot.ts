/**
 * One-shot services: a container that runs once at startup and exits (an init, a migration,
 * MinIO's `createbuckets`, a data-only container). The plan marks it `oneShot: true` and the
 * engine budgets it at startup only (engine/budget.ts). One rule, three signals, each resting on
 * what compose itself does with the service.
 */
import { base } from './words.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Commands that do nothing and exit (POSIX `true` and `:`): a container running one stops as it starts. */
export const EXITS_AT_ONCE: ReadonlySet<string> = new Set(['true', ':']);

/** The whole command is `true` or `:` (`/bin/true` too): the container exits as it starts. */
export function exitsAtOnce(command: readonly string[]): boolean {
  return command.length === 1 && EXITS_AT_ONCE.has(base(command[0]!));
}

/**
 * The services another one waits on with `depends_on: {X: {condition: service_completed_successfully}}`,
 * with the first dependent that waits (by name). Compose starts that dependent only once X has exited
 * with status 0 (compose spec, depends_on: "service_completed_successfully: a dependency is expected
 * to run to successful completion before starting a dependent service"), so X exits by design.
 */
export function awaitedCompletion(services: Readonly<Obj>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, svc] of Object.entries(services)) {
    if (!isObj(svc) || !isObj(svc.depends_on)) continue;
    for (const [dep, how] of Object.entries(svc.depends_on)) {
      if (isObj(how) && how.condition === 'service_completed_successfully' && !out.has(dep)) out.set(dep, name);
    }
  }
  return out;
}

/**
 * Words that name a task which ends (an init, a migration, a setup), in a service's name or its
 * command's words: `airflow-init`, `zammad-init`, `rails db:migrate`, `createbuckets`. Assumed: the
 * names projects give their one-off containers; read only beside a restart policy that lets the
 * container stop (below), never alone (a service called `init` with `restart: always` keeps running).
 */
const TASK_WORD = /(?:^|[-_.:/])(?:init|migrate|migrations?|setup|bootstrap|createbuckets|seed)(?:$|[-_.:])/i;

/**
 * Why the service runs once at startup, or null when it keeps running. Signals, strongest first:
 * 1. another service waits for it to complete successfully (see awaitedCompletion);
 * 2. its whole command is `true` or `:` (it exits as it starts: a data-only container);
 * 3. an explicit `restart: "no"` or `on-failure` (Docker restarts an on-failure container only when it
 *    exits non-zero, so exiting 0 is its expected end; "no" is compose's default, written out it is the
 *    author's choice) together with a task word in its name or command (TASK_WORD). The restart policy
 *    alone is not enough: a server under `on-failure` keeps running until it fails.
 */
export function oneShotOf(name: string, svc: Readonly<Obj>, command: readonly string[], awaited: ReadonlyMap<string, string>): string | null {
  const waiter = awaited.get(name);
  if (waiter !== undefined) return `${waiter} waits for it with condition: service_completed_successfully`;
  if (exitsAtOnce(command)) return `its command ${command[0]} exits at once`;
  const restart = typeof svc.restart === 'string' ? svc.restart.trim() : svc.restart === false ? 'no' : null;
  if (restart !== null && /^(?:no|on-failure(?::\d+)?)$/.test(restart)) {
    const word = [name, ...command.map(base)].find((w) => TASK_WORD.test(w));
    if (word !== undefined) return `restart: ${restart} and ${word === name ? 'its name' : 'its command'} ${word} names a task that ends`;
  }
  return null;
}
