/**
 * The one door from the page to the engine: plan input → planParse → evaluate, memoised per input
 * object. Inputs are immutable, so the same object always gives the same report, and every
 * component asking for it shares one evaluation. Below that, each service is parsed once per
 * service object (serviceParsed): an edit copies the plan, the services list and the one service
 * it changes (planEdit.pathSet) and shares the others, so a keystroke parses one service, not all
 * of them (the zod parse of every service was the top cost of a keystroke in a profile of the
 * 100-service plan), and the services it did not touch keep their Service objects.
 */
import type { Report } from '../../engine/report.ts';
import type { InputIssue, Plan, PlanInput } from '../../engine/schema.ts';
import { engine } from './schema.ts';

export type Derived =
  | { status: 'ok'; plan: Plan; report: Report }
  | { status: 'invalid'; issues: InputIssue[] }
  | { status: 'error'; message: string };

type Parsed = ReturnType<ReturnType<typeof engine>['planParse']>;
type ServiceParsed = ReturnType<ReturnType<typeof engine>['serviceParse']>;

const parsed = new WeakMap<PlanInput, Parsed>();
const derived = new WeakMap<PlanInput, Derived>();
const services = new WeakMap<object, ServiceParsed>();

/** serviceParse, once per service object (an entry that is no object, which never parses, each time). */
export function serviceParsed(input: unknown): ServiceParsed {
  if (input === null || typeof input !== 'object') return engine().serviceParse(input);
  let r = services.get(input);
  if (!r) {
    r = engine().serviceParse(input);
    services.set(input, r);
  }
  return r;
}

let planParser: ((doc: unknown) => Parsed) | null = null;

/** planParse (the engine's, with each service parsed once: serviceParsed), once per input object. */
export function parseOf(input: PlanInput): Parsed {
  let r = parsed.get(input);
  if (!r) {
    r = (planParser ??= engine().planParserWith(serviceParsed))(input);
    parsed.set(input, r);
  }
  return r;
}

/** The report of a plan input, once per input object; an engine failure becomes a state, not a crash. */
export function deriveOf(input: PlanInput): Derived {
  let d = derived.get(input);
  if (d) return d;
  const p = parseOf(input);
  if (!p.ok) d = { status: 'invalid', issues: p.issues };
  else {
    try {
      d = { status: 'ok', plan: p.plan, report: engine().evaluate(p.plan) };
    } catch (e) {
      d = { status: 'error', message: e instanceof Error ? e.message : String(e) };
    }
  }
  derived.set(input, d);
  return d;
}
