/** Findings, most severe first, each with its fix; a fix that is one setting change applies in one click. */
import { memo } from 'react';
import { useFindingViews } from '../derive/hooks.ts';
import type { FindingView } from '../derive/views.ts';
import { useActions } from '../state/instance.ts';
import { SeverityBadge } from './Badges.tsx';

export function Findings() {
  return <FindingList findings={useFindingViews()} />;
}

/** Re-renders only when the findings change, not on every render of the panel's parent. */
const FindingList = memo(function FindingList({ findings }: { findings: FindingView[] }) {
  const { fixApply } = useActions();
  return (
    <section className="panel findings" aria-labelledby="findings-title">
      <h2 id="findings-title">
        Findings <span className="count">{findings.length}</span>
      </h2>
      {findings.length === 0 ? (
        <p className="empty">Nothing to fix: no finding for this plan.</p>
      ) : (
        <ol className="finding-list">
          {findings.map((f, n) => (
            <li key={`${f.id}:${f.service ?? 'host'}:${n}`} className={`finding finding-${f.severity}`} data-testid={`finding-${f.id}`} data-service={f.service ?? ''}>
              <div className="finding-head">
                <SeverityBadge severity={f.severity} />
                <span className="finding-service">{f.service ?? 'host'}</span>
              </div>
              <p className="finding-message">{f.message}</p>
              <p className="finding-fix">
                <span className="fix-label">Fix:</span> {f.fix.summary}
              </p>
              {f.applicable && f.fix.changes[0] && (
                <button type="button" onClick={() => fixApply(f.fix.changes[0]!)} aria-label={`Apply: ${f.fix.summary}`}>
                  Apply {f.fix.changes[0].service ? `${f.fix.changes[0].service} ` : ''}
                  {f.fix.changes[0].key} = {String(f.fix.changes[0].value)}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
});
