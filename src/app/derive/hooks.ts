/** React hooks over the derivations: each reads the plan input from the store and memoises on it. */
import { startTransition, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { Report } from '../../engine/report.ts';
import type { Plan, PlanInput } from '../../engine/schema.ts';
import { plannerStore, usePlanner } from '../state/instance.ts';
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
 * Findings follow the plan once the change's own frame is painted (useLaggingInput('paint')): a
 * keystroke's frame shows the host and the row; the findings list, longer to lay out, follows in
 * the next, at low priority, and a keystroke never waits for it.
 */
export function useFindingViews() {
  const d = deriveOf(useLaggingInput('paint'));
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

type Lag = 'paint' | 'settle';

/**
 * One follower per lag for the whole page, however many views follow the plan: a keystroke sets
 * one timer (or asks one frame) per lag, not one per view.
 */
type Follower = { store: typeof plannerStore; shown: PlanInput; views: Set<() => void>; stop: () => void };
const followers = new Map<Lag, Follower>();

function followerOf(lag: Lag): Follower {
  const existing = followers.get(lag);
  if (existing && existing.store === plannerStore) return existing;
  existing?.stop();
  const store = plannerStore;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let frame: number | undefined;
  const show = () => {
    timer = undefined;
    frame = undefined;
    const input = store.getState().input;
    if (input === f.shown) return;
    f.shown = input;
    startTransition(() => f.views.forEach((view) => view()));
  };
  const cancel = () => {
    clearTimeout(timer);
    if (frame !== undefined) cancelAnimationFrame(frame);
    timer = undefined;
    frame = undefined;
  };
  // After the frame: a task posted from requestAnimationFrame runs once that frame is painted.
  const afterPaint = () => {
    if (frame === undefined && timer === undefined) frame = requestAnimationFrame(() => (timer = setTimeout(show, 0)));
  };
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.input === prev.input && s.coalesce === prev.coalesce) return;
    if (lag === 'settle' && s.coalesce !== null) {
      cancel();
      timer = setTimeout(show, SETTLE_MS);
    } else afterPaint();
  });
  const f: Follower = {
    store,
    shown: store.getState().input,
    views: new Set(),
    stop: () => {
      unsubscribe();
      cancel();
      if (followers.get(lag) === f) followers.delete(lag);
    },
  };
  followers.set(lag, f);
  return f;
}

/**
 * How a view that costs more than a keystroke follows the plan: `paint`, once the frame that
 * shows the change has been painted; `settle`, once typing pauses (SETTLE_MS; any other change,
 * such as a toggle, a preset, undo or leaving the field, after the frame as for `paint`). The
 * update is a transition, so the next keystroke interrupts it. The follower listens to the store
 * itself: a keystroke does not even re-render the components that use it.
 */
export function useLaggingInput(lag: Lag): PlanInput {
  const [, setTick] = useState(0);
  const f = followers.get(lag);
  const shown = f && f.store === plannerStore ? f.shown : plannerStore.getState().input;
  const rendered = useRef(shown);
  rendered.current = shown;
  useEffect(() => {
    const follower = followerOf(lag);
    const view = () => setTick((n) => n + 1);
    follower.views.add(view);
    if (follower.shown !== rendered.current) view(); // a change shown between the render and this effect
    return () => {
      follower.views.delete(view);
      if (follower.views.size === 0) follower.stop();
    };
  }, [lag]);
  return shown;
}

/** The plan input for the views that follow once typing pauses (charts, the toggles' what-if evaluations, other tabs). */
export function useSettledInput(): PlanInput {
  return useLaggingInput('settle');
}

/**
 * Whether an element is on screen or near it (200 px). Views below the fold (the charts) keep
 * what they last drew while off screen and catch up when scrolled to: work nobody sees is not done.
 */
export function useNearViewport(ref: RefObject<Element | null>): boolean {
  const [near, setNear] = useState(true);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => setNear(entries.some((e) => e.isIntersecting)), { rootMargin: '200px' });
    io.observe(el);
    return () => io.disconnect();
  }, [ref]);
  return near;
}
