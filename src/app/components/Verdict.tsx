/** The plan's verdict in the header: pass, fail or cannot tell, the same as `headroom check`, with its reasons. */
import { useLaggingInput } from '../derive/hooks.ts';
import { deriveOf } from '../derive/engine.ts';
import { verdictView, type VerdictView } from '../derive/verdict.ts';

const SHAPE: Record<VerdictView['outcome'], string> = { pass: '✔', fail: '✖', 'cannot-tell': '?' };
const TONE: Record<VerdictView['outcome'], string> = { pass: 'status-pass', fail: 'status-fail', 'cannot-tell': 'status-unknown' };

export function Verdict() {
  const d = deriveOf(useLaggingInput('paint'));
  const v = d.status === 'ok' ? verdictView(d.report) : null;
  if (!v) return null;
  const details = v.reasons.length > 0 || v.open.length > 0;
  return (
    <section className="verdict" aria-label="Verdict" data-testid="verdict" data-outcome={v.outcome}>
      <span className={`badge ${TONE[v.outcome]}`} data-testid="verdict-outcome">
        <span aria-hidden="true" className="badge-shape">{SHAPE[v.outcome]}</span> {v.label}
      </span>{' '}
      <span data-testid="verdict-summary">{v.summary}</span>
      {details && (
        <details className="verdict-why">
          <summary>Why</summary>
          <ul>
            {v.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
            {v.open.map((u) => (
              <li key={u.service} data-testid={`verdict-open-${u.service}`}>
                <strong>{u.service}</strong>: {u.why}. Settled by any of: {u.settles.join('; ')}.
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
