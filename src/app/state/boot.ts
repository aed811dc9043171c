/**
 * Which plan the page opens with: a share link wins, then the saved plan, then the seed's `4gb`
 * preset. Anything unreadable produces a notice and a fallback, never a blank page.
 */
import { presetGet } from '../../engine/presets.ts';
import { PRESET_LABELS } from '../presetLabels.ts';
import type { PlanInput } from '../../engine/schema.ts';
import { storageLoad, storedPlanDoc, type Loaded } from './persist.ts';
import { shareDecode, shareParam } from './share.ts';
import { TABS, type TabId } from './store.ts';
import { engine, engineLoad } from '../derive/schema.ts';

export type NoticeTone = 'info' | 'warning' | 'error';
export type NoticeInit = { tone: NoticeTone; text: string };

export type Boot = {
  input: PlanInput;
  /** Plans undo can return to: the saved plan a share link replaced. */
  past: PlanInput[];
  notices: NoticeInit[];
  /** The saved entry could not be read and should be set aside before it is overwritten. */
  setAside: boolean;
  /** The hash carried a plan (read or not): clear it so later edits do not disagree with the URL. */
  clearHash: boolean;
  /** The tab the URL names (`?tab=export`), Plan when it names none or one that does not exist. */
  tab: TabId;
};

/** The tab a location's query names (`?tab=upgrade`); Plan for none or an unknown one. */
export function tabFromSearch(search: string): TabId {
  const t = new URLSearchParams(search).get('tab');
  return (TABS as readonly string[]).includes(t ?? '') ? (t as TabId) : 'plan';
}

/** A location's query with `tab` set (or removed for Plan, the default), other parameters kept. */
export function searchWithTab(search: string, tab: TabId): string {
  const q = new URLSearchParams(search);
  if (tab === 'plan') q.delete('tab');
  else q.set('tab', tab);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** What a share link pasted into an open page brings: nothing (no plan in the hash), the plan, or why it cannot be opened. */
export async function sharedPlan(hash: string): Promise<null | { ok: true; input: PlanInput } | { ok: false; reason: string }> {
  const param = shareParam(hash);
  if (param === null) return null;
  await engine().kindsLoadAll(); // a shared plan may use any kind
  return shareDecode(param);
}

/** Decides the opening plan from the location hash and what storage holds (the tab comes from the query). */
export async function bootPlan(hash: string, saved: Loaded, tab: TabId = 'plan'): Promise<Boot> {
  const param = shareParam(hash);
  const fallback = saved.status === 'ok' ? saved.input : presetGet('4gb');
  const fallbackName = saved.status === 'ok' ? 'your saved plan' : `“${PRESET_LABELS['4gb'].short}”`;
  const notices: NoticeInit[] = [];
  const setAside = saved.status === 'corrupt';
  if (setAside) notices.push({ tone: 'warning', text: `Your saved plan could not be read (${saved.reason}). It was set aside; ${param === null ? `showing “${PRESET_LABELS['4gb'].short}”` : 'it stays unused'}.` });
  if (param !== null) {
    const shared = await shareDecode(param);
    if (shared.ok) {
      const past = saved.status === 'ok' ? [saved.input] : [];
      notices.push({ tone: 'info', text: `Opened the plan from the share link${past.length ? '; Undo brings back your own plan' : ''}.` });
      return { input: shared.input, past, notices, setAside, clearHash: true, tab };
    }
    notices.push({ tone: 'warning', text: `The share link could not be opened (${shared.reason}). Showing ${fallbackName} instead.` });
    return { input: fallback, past: [], notices, setAside, clearHash: true, tab };
  }
  return { input: fallback, past: [], notices, setAside, clearHash: false, tab };
}

/**
 * bootPlan for the running page: first the engine and the kinds the opening plan needs (the saved
 * plan's or the preset's, and the toggles'; every kind for a share link, which may use any), so
 * that the first numbers wait for those kinds' modules only. The rest load after (main.tsx).
 */
export async function bootFromWindow(storage: Storage | null): Promise<Boot> {
  const { kindsLoad, kindsLoadAll, kindsNeeded } = await engineLoad();
  if (shareParam(window.location.hash) !== null) await kindsLoadAll();
  else await kindsLoad([...kindsNeeded(presetGet('4gb')), ...kindsNeeded(storedPlanDoc(storage))]);
  return bootPlan(window.location.hash, storageLoad(storage), tabFromSearch(window.location.search));
}
