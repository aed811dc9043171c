/**
 * Findings, most severe first, each with its fix; a fix that is one setting change applies in one
 * click, its button saying what it sets in an operator's words. After a click, focus moves to the
 * finding now at that place in the list (the next one), or to the heading when none is left: never
 * to the page's body.
 */
import { memo, useLayoutEffect, useRef, useState } from 'react';
import { useFindingViews } from '../derive/hooks.ts';
import { sameFinding, type FindingView } from '../derive/views.ts';
import { useActions } from '../state/instance.ts';
import { SeverityBadge } from './Badges.tsx';

export function Findings() {
  return <FindingList findings={useFindingViews()} />;
}

type ItemProps = { f: FindingView; index: number; onApply: (index: number, f: FindingView) => void; register: (index: number, el: HTMLLIElement | null) => void };

/** One finding; re-renders only when what it shows changes. */
const FindingItem = memo(
  function FindingItem({ f, index, onApply, register }: ItemProps) {
    return (
      <li ref={(el) => register(index, el)} tabIndex={-1} className={`finding finding-${f.severity}`} data-testid={`finding-${f.id}`} data-service={f.service ?? ''}>
        <div className="finding-head">
          <SeverityBadge severity={f.severity} />
          <span className="finding-service">{f.service ?? 'host'}</span>
        </div>
        <p className="finding-message">{f.message}</p>
        <p className="finding-fix">
          <span className="fix-label">Fix:</span> {f.fix.summary}
        </p>
        {f.applyText && (
          <button type="button" className="apply" onClick={() => onApply(index, f)}>
            {f.applyText}
          </button>
        )}
      </li>
    );
  },
  (a, b) => a.index === b.index && a.onApply === b.onApply && a.register === b.register && sameFinding(a.f, b.f),
);

/** Re-renders only when the findings change, not on every render of the panel's parent. */
const FindingList = memo(function FindingList({ findings }: { findings: FindingView[] }) {
  const { fixApply } = useActions();
  const items = useRef<Array<HTMLLIElement | null>>([]);
  const heading = useRef<HTMLHeadingElement>(null);
  /** The list position whose finding gets focus once the applied fix shows in the list. */
  const focusAt = useRef<number | null>(null);
  const [announced, setAnnounced] = useState('');
  const [register] = useState(() => (index: number, el: HTMLLIElement | null) => void (items.current[index] = el));
  const [onApply] = useState(() => (index: number, f: FindingView) => {
    const change = f.fix.changes[0];
    if (!change) return;
    focusAt.current = index;
    if (fixApply(change)) setAnnounced(`Applied: ${f.applyText}. Undo takes it back.`);
    else focusAt.current = null;
  });
  useLayoutEffect(() => {
    const at = focusAt.current;
    if (at === null) return;
    focusAt.current = null;
    const target = findings.length === 0 ? heading.current : items.current[Math.min(at, findings.length - 1)];
    target?.focus();
  }, [findings]);
  items.current.length = findings.length;
  return (
    <section className="panel findings" aria-labelledby="findings-title">
      <h2 id="findings-title" ref={heading} tabIndex={-1}>
        Findings <span className="count">{findings.length}</span>
      </h2>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announced}
      </p>
      {findings.length === 0 ? (
        <p className="empty">Nothing to fix: no finding for this plan.</p>
      ) : (
        <ol className="finding-list">
          {findings.map((f, n) => (
            <FindingItem key={f.key} f={f} index={n} onApply={onApply} register={register} />
          ))}
        </ol>
      )}
    </section>
  );
});
