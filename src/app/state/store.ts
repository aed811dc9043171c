/**
 * The page's store: the plan as the user writes it, its undo history, and UI state (drafts of
 * fields that do not validate yet, notices, the open tab). Nothing derived lives here: the report
 * comes from the engine through derive/engine.ts.
 */
import { createStore } from 'zustand/vanilla';
import { applyChange } from '../../engine/change.ts';
import type { Change } from '../../engine/report.ts';
import type { PlanInput, ServiceKind } from '../../engine/schema.ts';
import { schema } from '../derive/schema.ts';
import { parseOf } from '../derive/engine.ts';
import { textToValue, type FieldSpec } from './fields.ts';
import { historyCommit, historyRedo, historySeal, historyStart, historyUndo, type History } from './history.ts';
import { featureSet, pathDelete, pathSet, serviceAdd, serviceDuplicate, serviceKindSet, serviceRemove, type FeatureName, type Path } from './planEdit.ts';
import { issuesText } from './persist.ts';
import type { Boot, NoticeTone } from './boot.ts';
import { composeSourceCarry, composeSourceSet, type ComposeSource } from './composeSource.ts';

/** What a field shows while it differs from the plan: the typed text, and why it was refused (null if it was not). */
export type Draft = { text: string; message: string | null };
export type Notice = { id: number; tone: NoticeTone; text: string };
export const TABS = ['plan', 'upgrade', 'export', 'criteria'] as const;
export type TabId = (typeof TABS)[number];

export type PlannerState = History & {
  drafts: Readonly<Record<string, Draft>>;
  notices: readonly Notice[];
  tab: TabId;
  /** Services (by name) whose settings panel is open. */
  expanded: Readonly<Record<string, boolean>>;
  actions: PlannerActions;
};

export type PlannerActions = {
  /** A keystroke in a field: kept in the plan when it validates, as a draft with its reason when not. */
  fieldEdit(path: Path, spec: FieldSpec, text: string, label: string): void;
  /** The field lost focus: end its undo step and drop its draft if the plan holds the value. */
  fieldEnd(path: Path): void;
  /** Escape: forget the field's draft, showing the plan's value again. */
  fieldRevert(path: Path): void;
  /** Validates and records a new plan (one undo step); false, with a notice, when it does not validate. A plan with a kind whose model is not loaded yet (only in the page's first moments) is applied once it is, and true is returned then. */
  planSet(next: PlanInput, what: string): boolean;
  /** Replaces the plan (a preset, a file, an import with its compose `source`): one undo step, drafts cleared. Like planSet, waits for the models of kinds not loaded yet (true then: it is being applied). */
  planReplace(next: PlanInput, notice?: { tone: NoticeTone; text: string }, source?: ComposeSource): boolean;
  /** Takes back refused text if any is showing, else the last plan step. */
  undo(): void;
  redo(): void;
  serviceAdd(kind: ServiceKind): void;
  serviceDuplicate(index: number): void;
  serviceRemove(index: number): void;
  serviceKindSet(index: number, kind: ServiceKind): void;
  featureSet(feature: FeatureName, on: boolean): void;
  /** Applies a finding's one change (one undo step); false, with a notice, when it cannot be. */
  fixApply(change: Change): boolean;
  /** Applies "Fit everything": the plan with all the fit's changes, one undo step, with a notice saying so. */
  fitApply(next: PlanInput, what: string): boolean;
  noticePush(tone: NoticeTone, text: string): void;
  noticeDismiss(id: number): void;
  tabSet(tab: TabId): void;
  expandedToggle(name: string): void;
};

export type PlannerStore = ReturnType<typeof plannerStoreCreate>;

let noticeSeq = 0;
const notice = (tone: NoticeTone, text: string): Notice => ({ id: ++noticeSeq, tone, text });

/** A store opened on `boot` (which plan, which notices). */
export function plannerStoreCreate(boot: Pick<Boot, 'input' | 'past' | 'notices'> & { tab?: TabId }) {
  return createStore<PlannerState>()((set, get) => {
    /** Commits a validated plan; structural changes also drop drafts, whose paths may have moved. */
    const commit = (next: PlanInput, key: string | null, drafts: PlannerState['drafts'] = {}) => {
      composeSourceCarry(get().input, next); // an edit keeps the compose file the plan came from
      set((s) => ({ ...historyCommit(s, next, key), drafts }));
    };

    /**
     * Runs `apply` once every kind `doc` needs is loaded: at once when they are (always, after the
     * first second: main.tsx loads every kind once the first numbers are drawn), else when they
     * have arrived. A plan never reaches the engine before its kinds' models.
     */
    const whenKinds = (doc: unknown, apply: () => boolean): boolean => {
      if (schema().kindsReady(doc)) return apply();
      void schema().kindsLoadAll().then(apply, (e: unknown) => actions.noticePush('error', `The models of the plan's services could not be loaded (${e instanceof Error ? e.message : String(e)}). Reload the page to try again.`));
      return true;
    };

    const planSet = (next: PlanInput, what: string): boolean => whenKinds(next, () => planSetNow(next, what));
    const planSetNow = (next: PlanInput, what: string): boolean => {
      const r = parseOf(next);
      if (!r.ok) {
        set((s) => ({ notices: [...s.notices, notice('error', `${what} was not applied: ${issuesText(r.issues)}`)] }));
        return false;
      }
      commit(next, null);
      return true;
    };

    const planReplaceNow = (next: PlanInput, msg?: { tone: NoticeTone; text: string }, source?: ComposeSource): boolean => {
      const r = parseOf(next);
      if (!r.ok) {
        set((s) => ({ notices: [...s.notices, notice('error', `That plan was not loaded: ${issuesText(r.issues)}`)] }));
        return false;
      }
      composeSourceSet(next, source ?? null);
      set((s) => ({ ...historyCommit(s, next, null), drafts: {}, expanded: {}, notices: msg ? [...s.notices, notice(msg.tone, msg.text)] : s.notices }));
      return true;
    };

    const actions: PlannerActions = {
      fieldEdit(path, spec, text, label) {
        const key = schema().pathFormat(path);
        const refuse = (message: string) => set((s) => ({ drafts: { ...s.drafts, [key]: { text, message: `${label}: ${message}` } } }));
        const converted = textToValue(spec, text);
        if (converted.kind === 'invalid') return refuse(converted.message);
        const { input } = get();
        const next = converted.kind === 'delete' ? pathDelete(input, path) : pathSet(input, path, converted.value);
        const r = parseOf(next);
        if (!r.ok) {
          const own = r.issues.find((i) => i.path === key) ?? r.issues.find((i) => i.path.startsWith(key));
          return refuse(own ? own.message : issuesText(r.issues, 1));
        }
        commit(next, key, { ...get().drafts, [key]: { text, message: null } });
      },
      fieldEnd(path) {
        const key = schema().pathFormat(path);
        set((s) => {
          const draft = s.drafts[key];
          const sealed = historySeal(s);
          if (!draft || draft.message !== null) return sealed;
          const { [key]: _valid, ...drafts } = s.drafts;
          return { ...sealed, drafts };
        });
      },
      fieldRevert(path) {
        const key = schema().pathFormat(path);
        set((s) => {
          const { [key]: _dropped, ...drafts } = s.drafts;
          return { ...historySeal(s), drafts };
        });
      },
      planSet,
      planReplace: (next, msg, source) => whenKinds(next, () => planReplaceNow(next, msg, source)),
      undo: () =>
        set((s) => {
          // Refused text is the newest thing on screen: undo takes it away first, then plan steps.
          const refused = Object.entries(s.drafts).filter(([, d]) => d.message !== null);
          if (refused.length === 0) return { ...historyUndo(s), drafts: {} };
          return { ...historySeal(s), drafts: Object.fromEntries(Object.entries(s.drafts).filter(([, d]) => d.message === null)) };
        }),
      redo: () => set((s) => ({ ...historyRedo(s), drafts: {} })),
      // The new kind's starter comes from its module: loaded first (whenKinds).
      serviceAdd: (kind) => void whenKinds({ services: [{ kind }] }, () => planSet(serviceAdd(get().input, kind), 'Adding the service')),
      serviceDuplicate: (index) => void planSet(serviceDuplicate(get().input, index), 'Duplicating the service'),
      serviceRemove: (index) => void planSet(serviceRemove(get().input, index), 'Removing the service'),
      serviceKindSet: (index, kind) => void whenKinds({ services: [{ kind }] }, () => planSet(serviceKindSet(get().input, index, kind), 'Changing the kind')),
      featureSet: (feature, on) => void planSet(featureSet(get().input, feature, on), 'The toggle'),
      fixApply(change) {
        let next: PlanInput;
        try {
          next = applyChange(get().input, change);
        } catch (e) {
          actions.noticePush('error', `The fix was not applied: ${e instanceof Error ? e.message : String(e)}`);
          return false;
        }
        return planSet(next, 'The fix');
      },
      fitApply(next, what) {
        if (!planSet(next, 'The fit')) return false;
        actions.noticePush('info', `${what}. Undo takes it back in one step.`);
        return true;
      },
      noticePush: (tone, text) => set((s) => ({ notices: [...s.notices, notice(tone, text)] })),
      noticeDismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
      tabSet: (tab) => set({ tab }),
      expandedToggle: (name) => set((s) => ({ expanded: { ...s.expanded, [name]: !s.expanded[name] } })),
    };

    return {
      ...historyStart(boot.input, boot.past),
      drafts: {},
      notices: boot.notices.map((n) => notice(n.tone, n.text)),
      tab: boot.tab ?? 'plan',
      expanded: {},
      actions,
    };
  });
}
