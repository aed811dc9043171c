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

/** Loaded the first time a row's settings open. */
const SettingsPanel = lazy(() => import('./SettingsPanel.tsx'));

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

function Row({ view: v, columns }: { view: RowView; columns: number }) {
  const expanded = usePlanner((s) => !!s.expanded[v.name]);
  const { serviceRemove, expandedToggle } = useActions();
  const i = v.index;
  const panelId = `settings-${v.id}`;
  return (
    <>
      <tr data-testid={`service-row-${v.name}`} data-implied={i === null || undefined} className={`risk-row-${v.risk}${i === null ? ' implied' : ''}`}>
        <th scope="row" className="col-name">
          {i === null ? (
            <span className="name-text">{v.name}</span>
          ) : (
            <FieldInput path={['services', i, 'name']} spec={NAME_FIELD} label={`service ${i + 1} name`} value={v.name} className="name" />
          )}
          <span className="settings-summary">{i === null ? `added by ${IMPLIED_BY[v.kind] ?? 'a feature toggle'}${v.settingsText ? ` · ${v.settingsText}` : ''}` : v.settingsText}</span>
          {v.oneShotText && <span className="settings-summary" data-testid={`one-shot-${v.name}`}>{v.oneShotText}</span>}
          {v.containersText && <span className="settings-summary" data-testid={`containers-${v.name}`}>{v.containersText}</span>}
        </th>
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
        <td className="col-actions">
          {i !== null && (
            <span className="row-actions">
              <button type="button" className="icon" aria-expanded={expanded} aria-controls={panelId} aria-label={`Settings of ${v.name}`} title="Settings" onClick={() => expandedToggle(v.name)}>
                {expanded ? '▾' : '▸'} Settings
              </button>
              <button type="button" className="icon danger" aria-label={`Remove ${v.name}`} title={`Remove ${v.name} (Undo brings it back)`} onClick={() => serviceRemove(i)}>
                ✕
              </button>
            </span>
          )}
        </td>
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
