/**
 * Which plan the page opens with: a share link wins, then the saved plan, then the seed's `4gb`
 * preset. Anything unreadable produces a notice and a fallback, never a blank page.
 */
import { presetGet } from '../../engine/presets.ts';
import { PRESET_LABELS } from '../presetLabels.ts';
import type { PlanInput } from '../../engine/schema.ts';
import { storageLoad, type Loaded } from './persist.ts';
import { shareDecode, shareParam } from './share.ts';

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
};

/** Decides the opening plan from the location hash and what storage holds. */
export async function bootPlan(hash: string, saved: Loaded): Promise<Boot> {
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
      return { input: shared.input, past, notices, setAside, clearHash: true };
    }
    notices.push({ tone: 'warning', text: `The share link could not be opened (${shared.reason}). Showing ${fallbackName} instead.` });
    return { input: fallback, past: [], notices, setAside, clearHash: true };
  }
  return { input: fallback, past: [], notices, setAside, clearHash: false };
}

/** bootPlan for the running page. */
export function bootFromWindow(storage: Storage | null): Promise<Boot> {
  return bootPlan(window.location.hash, storageLoad(storage));
}
