/** React hooks over the derivations: each reads the plan input from the store and memoises on it. */
import { useMemo } from 'react';
import type { Plan, Report } from '../../engine/index.ts';
import { usePlanner } from '../state/instance.ts';
import { deriveOf, type Derived } from './engine.ts';
import { findingViews, hostView, rowViews } from './views.ts';

export function useDerived(): Derived {
  return deriveOf(usePlanner((s) => s.input));
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
  return useMemo(() => rowViews(input, plan, report), [input, plan, report]);
}

export function useFindingViews() {
  const { report } = useEvaluated();
  return useMemo(() => findingViews(report), [report]);
}

/** The report of the plan before the last change, for "what that change did". */
export function usePreviousReport(): Report | null {
  const prev = usePlanner((s) => s.past[s.past.length - 1]);
  if (!prev) return null;
  const d = deriveOf(prev);
  return d.status === 'ok' ? d.report : null;
}
