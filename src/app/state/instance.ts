/**
 * The running page's store: opened from the URL and localStorage (plannerStart, before the first
 * render), saved back shortly after each change — not on every keystroke, so saving stays off the
 * path from keystroke to paint.
 */
import { useStore } from 'zustand';
import { searchWithTab, sharedPlan, type Boot } from './boot.ts';
import { storageSave, storageSetAside } from './persist.ts';
import { plannerStoreCreate, type PlannerActions, type PlannerState, type PlannerStore } from './store.ts';

const SAVE_DELAY_MS = 250;

/** localStorage, or null where the browser refuses it (privacy modes). */
export function storageOf(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The page's store; set by plannerStart before anything renders. */
export let plannerStore: PlannerStore;

/** Opens the store on `boot` and keeps localStorage in step with the plan. */
export function plannerStart(boot: Boot): PlannerStore {
  if (boot.setAside) storageSetAside(storageOf());
  if (boot.clearHash) history.replaceState(null, '', window.location.pathname + window.location.search);
  const store = plannerStoreCreate(boot);
  plannerStore = store;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    timer = undefined;
    storageSave(storageOf(), store.getState().input);
  };
  store.subscribe((s, prev) => {
    if (s.input !== prev.input && timer === undefined) timer = setTimeout(save, SAVE_DELAY_MS);
  });
  // A plan opened from a share link or a fallback is saved at once, so a reload shows the same.
  if (boot.clearHash || boot.setAside) save();
  // The open tab lives in the URL (`?tab=export`), so a reload or a copied address shows it again.
  store.subscribe((s, prev) => {
    if (s.tab !== prev.tab) history.replaceState(history.state, '', `${window.location.pathname}${searchWithTab(window.location.search, s.tab)}${window.location.hash}`);
  });
  // A share link pasted into this tab's address bar changes only the hash: open it as a fresh
  // page would, as one undo step.
  window.addEventListener('hashchange', () => void shareOpen(store));
  window.addEventListener('pagehide', () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      save();
    }
  });
  return store;
}

/** Opens the plan a share link in the location hash carries (one undo step), then clears the hash. */
export async function shareOpen(store: PlannerStore): Promise<void> {
  const shared = await sharedPlan(window.location.hash);
  if (shared === null) return;
  history.replaceState(history.state, '', window.location.pathname + window.location.search);
  const { planReplace, noticePush } = store.getState().actions;
  if (shared.ok) planReplace(shared.input, { tone: 'info', text: 'Opened the plan from the share link; Undo brings back the plan you had.' });
  else noticePush('warning', `The share link could not be opened (${shared.reason}). Your plan is unchanged.`);
}

/** One slice of the store; components select the smallest slice they need. */
export function usePlanner<T>(select: (s: PlannerState) => T): T {
  return useStore(plannerStore, select);
}

/** The store's actions (a stable object). */
export function useActions(): PlannerActions {
  return useStore(plannerStore, (s) => s.actions);
}
