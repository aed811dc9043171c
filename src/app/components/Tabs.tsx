/** Plan | Upgrade path | Export | Success criteria, as an ARIA tab set (arrow keys move between tabs). */
import { lazy, Suspense, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { TABS, type TabId } from '../state/store.ts';
import { useActions, usePlanner } from '../state/instance.ts';
import { Findings } from './Findings.tsx';
import { retryOnce } from '../retry.ts';

// Loaded when first shown, keeping them out of the first load. The services table (with
// @tanstack/react-table, ~15 kB gzip) and the charts are requested once the verdict (host bar,
// findings) has been painted (useFirstPainted) (the first-load budget of issues 3 and 16; README, Benchmarks).
const ServicesTable = lazy(() => retryOnce(() => import('./ServicesTable.tsx').then((m) => ({ default: m.ServicesTable }))));
const Charts = lazy(() => retryOnce(() => import('./Charts.tsx')));
const Criteria = lazy(() => retryOnce(() => import('./Criteria.tsx')));
const UpgradePath = lazy(() => retryOnce(() => import('./UpgradePath.tsx')));
const ExportPanel = lazy(() => retryOnce(() => import('./ExportPanel.tsx')));
const FitPanel = lazy(() => retryOnce(() => import('./FitPanel.tsx')));

const TAB_LABEL: Record<TabId, string> = { plan: 'Plan', upgrade: 'Upgrade path', export: 'Export', criteria: 'Success criteria' };

/** The "Fit everything" button; the fit (engine and plan-file code) loads when it is pressed. Closing returns focus to it. */
function FitLauncher() {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const closed = useRef(false);
  useEffect(() => {
    if (!open && closed.current) button.current?.focus();
  }, [open]);
  if (open)
    return (
      <Suspense fallback={<p className="panel loading" role="status">Fitting the stack…</p>}>
        <FitPanel
          onClose={() => {
            closed.current = true;
            setOpen(false);
          }}
        />
      </Suspense>
    );
  return (
    <p className="fit-launch">
      <button ref={button} type="button" onClick={() => setOpen(true)}>
        Fit everything…
      </button>{' '}
      <span className="muted">one set of limits and settings for the whole stack, normal and spike together, shown before anything changes</span>
    </p>
  );
}

let firstPainted = false;

/**
 * False until the page's first frame (the host's numbers, the findings) has been painted, then
 * true for good: the table's and the charts' chunks are requested after that frame, so that
 * fetching and compiling them never holds up the first numbers (a frame, then a task after it).
 */
function useFirstPainted(): boolean {
  const [painted, setPainted] = useState(firstPainted);
  useEffect(() => {
    if (painted) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => {
        firstPainted = true;
        setPainted(true);
      }, 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [painted]);
  return painted;
}

function PlanTab() {
  const painted = useFirstPainted();
  const tableLoading = <section className="panel loading services-loading" role="status">Loading the services table…</section>;
  const chartsLoading = <p className="panel loading" role="status">Loading charts…</p>;
  return (
    <>
      <FitLauncher />
      <div className="plan-grid">
        {painted ? (
          <Suspense fallback={tableLoading}>
            <ServicesTable />
          </Suspense>
        ) : (
          tableLoading
        )}
        <Findings />
      </div>
      {painted ? (
        <Suspense fallback={chartsLoading}>
          <Charts />
        </Suspense>
      ) : (
        chartsLoading
      )}
    </>
  );
}

function TabPanel({ tab }: { tab: TabId }) {
  switch (tab) {
    case 'plan':
      return <PlanTab />;
    case 'upgrade':
      return (
        <Suspense fallback={<p className="panel loading" role="status">Loading the upgrade path…</p>}>
          <UpgradePath />
        </Suspense>
      );
    case 'export':
      return (
        <Suspense fallback={<p className="panel loading" role="status">Loading the export…</p>}>
          <ExportPanel />
        </Suspense>
      );
    case 'criteria':
      return (
        <Suspense fallback={<p className="panel loading" role="status">Loading the criteria…</p>}>
          <Criteria />
        </Suspense>
      );
  }
}

export function Tabs() {
  const tab = usePlanner((s) => s.tab);
  const { tabSet } = useActions();
  const refs = useRef<Partial<Record<TabId, HTMLButtonElement | null>>>({});
  const onKeyDown = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    const next = e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : e.key === 'Home' ? TABS[0] : e.key === 'End' ? TABS[TABS.length - 1] : undefined;
    if (!next) return;
    e.preventDefault();
    tabSet(next);
    refs.current[next]?.focus();
  };
  return (
    <div className="tabs">
      <div role="tablist" aria-label="Views" className="tablist" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button key={t} ref={(el) => void (refs.current[t] = el)} type="button" role="tab" id={`tab-${t}`} aria-selected={tab === t} aria-controls={`panel-${t}`} tabIndex={tab === t ? 0 : -1} onClick={() => tabSet(t)}>
            {TAB_LABEL[t]}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        <TabPanel tab={tab} />
      </div>
    </div>
  );
}
