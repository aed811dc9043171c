/**
 * The one door from the page to the engine: plan input → planParse → evaluate, memoised per input
 * object. Inputs are immutable, so the same object always gives the same report, and every
 * component asking for it shares one evaluation.
 */
import type { Report } from '../../engine/report.ts';
import type { InputIssue, Plan, PlanInput } from '../../engine/schema.ts';
import { engine } from './schema.ts';

export type Derived =
  | { status: 'ok'; plan: Plan; report: Report }
  | { status: 'invalid'; issues: InputIssue[] }
  | { status: 'error'; message: string };

type Parsed = ReturnType<ReturnType<typeof engine>['planParse']>;

const parsed = new WeakMap<PlanInput, Parsed>();
const derived = new WeakMap<PlanInput, Derived>();

/** planParse, once per input object. */
export function parseOf(input: PlanInput): Parsed {
  let r = parsed.get(input);
  if (!r) {
    r = engine().planParse(input);
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
