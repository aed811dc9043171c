/** Plan | Upgrade path | Export | Success criteria, as an ARIA tab set (arrow keys move between tabs). */
import { lazy, Suspense, useRef, type KeyboardEvent } from 'react';
import { TABS, type TabId } from '../state/store.ts';
import { useActions, usePlanner } from '../state/instance.ts';
import { ServicesTable } from './ServicesTable.tsx';
import { Findings } from './Findings.tsx';

// Loaded when first shown, keeping them out of the first load.
const Charts = lazy(() => import('./Charts.tsx'));
const Criteria = lazy(() => import('./Criteria.tsx'));

const TAB_LABEL: Record<TabId, string> = { plan: 'Plan', upgrade: 'Upgrade path', export: 'Export', criteria: 'Success criteria' };

function Coming({ what }: { what: string }) {
  return (
    <section className="panel coming">
      <p>
        <strong>Coming.</strong> {what}
      </p>
    </section>
  );
}

function PlanTab() {
  return (
    <>
      <div className="plan-grid">
        <ServicesTable />
        <Findings />
      </div>
      <Suspense fallback={<p className="panel loading" role="status">Loading charts…</p>}>
        <Charts />
      </Suspense>
    </>
  );
}

function TabPanel({ tab }: { tab: TabId }) {
  switch (tab) {
    case 'plan':
      return <PlanTab />;
    case 'upgrade':
      return <Coming what="When 4 GB stops being enough for this plan, and what the next tier costs. It is not built yet, so nothing here is a forecast." />;
    case 'export':
      return <Coming what="The tuned docker-compose file and every config it needs (postgresql.conf, redis.conf, pgbouncer.ini, Prometheus and AlertManager). Until then, Download plan saves the plan file the CLI reads." />;
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
