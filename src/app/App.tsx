/** The page: header, notices, host bar, controls, tabs; and what it shows when the plan cannot be drawn. */
import { lazy, Suspense, useEffect } from 'react';
import { presetGet } from '../engine/presets.ts';
import { PRESET_LABELS } from './presetLabels.ts';
import { useDerived } from './derive/hooks.ts';
import { plannerStore, useActions, usePlanner } from './state/instance.ts';
import { deriveOf } from './derive/engine.ts';
import { engine } from './derive/schema.ts';
import { issuesText } from './state/persist.ts';
import { Controls } from './components/Controls.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { Header } from './components/Header.tsx';
import { HostBar } from './components/HostBar.tsx';
import { Notices } from './components/Notices.tsx';
import { Tabs } from './components/Tabs.tsx';
import { retryOnce } from './retry.ts';

// The host cards are drawn for multi-host plans only (`hosts:`): their chunk is not part of the
// first load; it is fetched once the first frame is painted (useOtherKinds), so that a multi-host
// plan opened later (a file, a share link) finds it in.
const hostsLoad = () => import('./components/Hosts.tsx');
const Hosts = lazy(() => retryOnce(() => hostsLoad().then((m) => ({ default: m.Hosts }))));

/** Ctrl+Z / Ctrl+Shift+Z (and Ctrl+Y, ⌘ on macOS) undo and redo plan changes anywhere on the page. */
function useUndoKeys() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const key = e.key.toLowerCase();
      const { undo, redo } = plannerStore.getState().actions;
      if (key === 'z' && !e.shiftKey) undo();
      else if ((key === 'z' && e.shiftKey) || key === 'y') redo();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

const STARTER = PRESET_LABELS['4gb'].short;
const resetToPreset = () => plannerStore.getState().actions.planReplace(presetGet('4gb'), { tone: 'info', text: `Loaded “${STARTER}”. Undo brings back the plan that could not be drawn.` });

/** Shown instead of the numbers when the plan does not evaluate: never a blank page, never NaN. */
function Unavailable() {
  const d = useDerived();
  const { undo } = useActions();
  if (d.status === 'ok') return null;
  return (
    <section className="panel broken" role="alert">
      <h2>This plan cannot be evaluated</h2>
      <p>{d.status === 'invalid' ? issuesText(d.issues, 5) : `The engine stopped: ${d.message}`}</p>
      <button type="button" onClick={undo}>
        Undo the last change
      </button>{' '}
      <button type="button" onClick={resetToPreset}>
        Load “{STARTER}”
      </button>
    </section>
  );
}

function Body() {
  // A boolean, so that Body (and so every panel) does not re-render on each edit.
  const ok = usePlanner((s) => deriveOf(s.input).status === 'ok');
  const multiHost = usePlanner((s) => {
    const d = deriveOf(s.input);
    return d.status === 'ok' && (d.report.hosts?.length ?? 0) > 0;
  });
  if (!ok) return <Unavailable />;
  return (
    <>
      <HostBar />
      {multiHost && (
        <Suspense fallback={<p className="panel loading" role="status">Loading the hosts…</p>}>
          <Hosts />
        </Suspense>
      )}
      <Controls />
      <Tabs />
    </>
  );
}

/**
 * The kinds the opening plan does not use load once its numbers are on screen (an effect runs after
 * the first paint), and the host cards' chunk after that frame, so that adding a service, a preset or a file of another kind finds its model;
 * until then the store waits for them (store.ts whenKinds). A failure here is said when a plan
 * needs the missing kind, not before.
 */
function useOtherKinds() {
  useEffect(() => {
    void engine().kindsLoadAll().catch(() => undefined);
    // After the first frame (a task after it), as the Plan tab's table and charts.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => (timer = setTimeout(() => void hostsLoad().catch(() => undefined), 0)));
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, []);
}

export function App() {
  useUndoKeys();
  useOtherKinds();
  return (
    <div className="app">
      <Header />
      <Notices />
      <main>
        <ErrorBoundary onReset={resetToPreset}>
          <Body />
        </ErrorBoundary>
      </main>
    </div>
  );
}
