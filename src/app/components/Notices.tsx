/** Notices: what happened that the user did not directly see (a bad link, a corrupt save, a file). Their text quotes inputs (file names, keys), so bidi and control characters show as escapes. */
import { useActions, usePlanner } from '../state/instance.ts';
import { visibleText } from '../../formats/visible-text.ts';

export function Notices() {
  const notices = usePlanner((s) => s.notices);
  const { noticeDismiss } = useActions();
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.tone}`} role={n.tone === 'info' ? 'status' : 'alert'} data-testid="notice">
          <span aria-hidden="true" className="notice-shape">
            {n.tone === 'info' ? 'ℹ' : n.tone === 'warning' ? '▲' : '✖'}
          </span>
          <span className="notice-text">{visibleText(n.text)}</span>
          <button type="button" className="icon" onClick={() => noticeDismiss(n.id)} aria-label="Dismiss notice">
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
