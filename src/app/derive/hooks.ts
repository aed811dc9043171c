/** React hooks over the derivations: each reads the plan input from the store and memoises on it. */
import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import type { Report } from '../../engine/report.ts';
import type { Plan } from '../../engine/schema.ts';
import { usePlanner } from '../state/instance.ts';
import { deriveOf, type Derived } from './engine.ts';
import { findingViews, hostView, rowViews } from './views.ts';

export function useDerived(): Derived {
  return deriveOf(usePlanner((s) => s.input));
}

/**
 * One value picked from the evaluated plan; the component re-renders only when that value changes
 * (compared with Object.is), not on every edit. `pick` must return a primitive or a stable object.
 */
export function useEvaluatedPick<T>(pick: (e: { plan: Plan; report: Report }) => T, fallback: T): T {
  return usePlanner((s) => {
    const d = deriveOf(s.input);
    return d.status === 'ok' ? pick(d) : fallback;
  });
}

/** The plan and report; only used below the App's guard, which shows the error state otherwise. */
export function useEvaluated(): { plan: Plan; report: Report } {
  const d = useDerived();
  if (d.status !== 'ok') throw new Error('the plan has no report');
  return d;
}

export function useHostView() {
  const { report } = useEvaluated();
  return useMemo(() => hostView(report), [report]);
}

export function useRowViews() {
  const input = usePlanner((s) => s.input);
  const { plan, report } = useEvaluated();
  const prev = usePreviousReport();
  return useMemo(() => rowViews(input, plan, report, prev), [input, plan, report, prev]);
}

/**
 * Findings follow the plan one render behind (useDeferredValue): the keystroke's own frame shows
 * the host and the row; the findings list, longer to lay out, follows in the next.
 */
export function useFindingViews() {
  const input = useDeferredValue(usePlanner((s) => s.input));
  const d = deriveOf(input);
  return useMemo(() => (d.status === 'ok' ? findingViews(d.report) : []), [d]);
}

/** The report of the plan before the last change, for "what that change did". */
export function usePreviousReport(): Report | null {
  const prev = usePlanner((s) => s.past[s.past.length - 1]);
  if (!prev) return null;
  const d = deriveOf(prev);
  return d.status === 'ok' ? d.report : null;
}

/** Typing pauses longer than this count as "settled". Assumed: keys come 80–250 ms apart while a person types a value. */
export const SETTLE_MS = 400;

/**
 * The plan input for views that cost more than a keystroke may (charts, the toggles' what-if
 * evaluations). While the user types into a field they follow once typing pauses, at low
 * priority, instead of competing with the next keystroke; any other change (a toggle, a preset,
 * undo, leaving the field) reaches them at once.
 */
export function useSettledInput() {
  const input = usePlanner((s) => s.input);
  const typing = usePlanner((s) => s.coalesce !== null);
  const [settled, setSettled] = useState(input);
  useEffect(() => {
    if (!typing) return setSettled(input);
    const t = setTimeout(() => setSettled(input), SETTLE_MS);
    return () => clearTimeout(t);
  }, [input, typing]);
  return useDeferredValue(typing ? settled : input);
}
