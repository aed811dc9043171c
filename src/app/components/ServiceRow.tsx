/**
 * One service: name, kind, limit (editable), usage with a small gauge, headroom, risk, actions,
 * and its settings panel when open. Memoised on the row's displayed values, so a keystroke
 * re-renders the rows whose numbers changed, not all of them.
 */
import { lazy, memo, Suspense } from 'react';
import type { ServiceKind } from '../../engine/index.ts';
import type { RowView } from '../derive/views.ts';
import { LIMIT_FIELD, NAME_FIELD } from '../state/fields.ts';
import { useActions, usePlanner } from '../state/instance.ts';
import { RiskBadge } from './Badges.tsx';
import { FieldInput } from './FieldInput.tsx';
import { ObservedLine } from './ObservedLine.tsx';
import { retryOnce } from '../retry.ts';

/** Loaded the first time a row's settings open. */
const SettingsPanel = lazy(() => retryOnce(() => import('./SettingsPanel.tsx')));

const IMPLIED_BY: Partial<Record<ServiceKind, string>> = { pgbouncer: 'the pgBouncer toggle', alertmanager: 'the AlertManager toggle' };

/** A number, highlighted when the last change changed it: the eye finds the effect of an edit. */
function Value({ text, changed, testId, highMiB }: { text: string; changed: boolean; testId: string; highMiB?: number }) {
  return (
    <span className={changed ? 'changed' : undefined} data-testid={testId} data-high-mib={highMiB} data-changed={changed || undefined}>
      {text}
    </span>
  );
}

function Gauge({ v }: { v: RowView }) {
  return (
    <span className="gauge" aria-hidden="true">
      <span className="gauge-range" style={{ left: `${v.gaugeLow}%`, width: `${Math.max(0.5, v.gaugeHigh - v.gaugeLow)}%` }} />
      <span className="gauge-typical" style={{ left: `${v.gaugeTypical}%` }} />
      {v.gaugeLimit !== null && <span className="gauge-limit" style={{ left: `${v.gaugeLimit}%` }} />}
    </span>
  );
}

/** The name cell: a limit typed in the row does not render its name field again. */
const NameCell = memo(function NameCell({ index: i, name, kind, settingsText, oneShotText, containersText }: Pick<RowView, 'index' | 'name' | 'kind' | 'settingsText' | 'oneShotText' | 'containersText'>) {
  return (
    <th scope="row" className="col-name">
      {i === null ? (
        <span className="name-text">{name}</span>
      ) : (
        <FieldInput path={['services', i, 'name']} spec={NAME_FIELD} label={`service ${i + 1} name`} value={name} className="name" />
      )}
      <span className="settings-summary">{i === null ? `added by ${IMPLIED_BY[kind] ?? 'a feature toggle'}${settingsText ? ` · ${settingsText}` : ''}` : settingsText}</span>
      {oneShotText && <span className="settings-summary" data-testid={`one-shot-${name}`}>{oneShotText}</span>}
      {containersText && <span className="settings-summary" data-testid={`containers-${name}`}>{containersText}</span>}
    </th>
  );
});

/** The row's buttons: the same while a limit is typed. */
const Actions = memo(function Actions({ index: i, name, panelId, expanded }: { index: number | null; name: string; panelId: string; expanded: boolean }) {
  const { serviceRemove, expandedToggle } = useActions();
  return (
    <td className="col-actions">
      {i !== null && (
        <span className="row-actions">
          <button type="button" className="icon" aria-expanded={expanded} aria-controls={panelId} aria-label={`Settings of ${name}`} title="Settings" onClick={() => expandedToggle(name)}>
            {expanded ? '▾' : '▸'} Settings
          </button>
          <button type="button" className="icon danger" aria-label={`Remove ${name}`} title={`Remove ${name} (Undo brings it back)`} onClick={() => serviceRemove(i)}>
            ✕
          </button>
        </span>
      )}
    </td>
  );
});

function Row({ view: v, columns }: { view: RowView; columns: number }) {
  const expanded = usePlanner((s) => !!s.expanded[v.name]);
  const i = v.index;
  const panelId = `settings-${v.id}`;
  return (
    <>
      <tr data-testid={`service-row-${v.name}`} data-implied={i === null || undefined} className={`risk-row-${v.risk}${i === null ? ' implied' : ''}`}>
        <NameCell index={i} name={v.name} kind={v.kind} settingsText={v.settingsText} oneShotText={v.oneShotText} containersText={v.containersText} />
        <td className="col-kind" data-label="Kind">{v.kind}</td>
        <td className="col-limit" data-label="Limit">
          {i === null ? (
            <span data-testid={`limit-${v.name}`}>{v.limitText}</span>
          ) : (
            <FieldInput path={['services', i, 'limit']} spec={LIMIT_FIELD} label={`${v.name} limit`} value={v.limitInput} placeholder="none" testId={`limit-${v.name}`} className="limit" />
          )}
        </td>
        <td className="col-usage num" data-label="Usage low–typical–high">
          <Value text={v.usageText} changed={v.changedUsage} testId={`usage-${v.name}`} highMiB={v.highMiB} />
          <Gauge v={v} />
          {v.observedText && <div className="observed muted" data-testid={`observed-${v.name}`}>{v.observedText}</div>}
          {v.observedLine && <ObservedLine name={v.name} view={v.observedLine} />}
        </td>
        <td className={`col-headroom num${v.headroomMiB !== null && v.headroomMiB < 0 ? ' bad-text' : ''}`} data-label="Headroom">
          <Value text={v.headroomText} changed={v.changedHeadroom} testId={`headroom-${v.name}`} />
        </td>
        <td className="col-risk" data-label="Risk">
          <span className={v.changedRisk ? 'changed' : undefined}>
            <RiskBadge level={v.risk} title={v.riskTitle} testId={`risk-${v.name}`} />
          </span>
        </td>
        <Actions index={i} name={v.name} panelId={panelId} expanded={expanded} />
      </tr>
      {expanded && i !== null && (
        <tr className="settings-row" id={panelId}>
          <td colSpan={columns}>
            <Suspense fallback={<p className="muted" role="status">Loading settings…</p>}>
              <SettingsPanel index={i} name={v.name} kind={v.kind} />
            </Suspense>
          </td>
        </tr>
      )}
    </>
  );
}

function sameView(a: { view: RowView; columns: number }, b: { view: RowView; columns: number }): boolean {
  if (a.columns !== b.columns) return false;
  if (a.view === b.view) return true; // rowViews reuses the views of rows an edit did not change
  const keys = Object.keys(a.view) as Array<keyof RowView>;
  return keys.every((k) => a.view[k] === b.view[k]);
}

export const ServiceRow = memo(Row, sameView);
