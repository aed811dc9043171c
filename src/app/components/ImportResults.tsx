/** The import dialog's read-outs: what was recognised per service, observed usage beside the model, problems. */
import { rangeText, sizeText } from '../format.ts';
import type { ImportRow, ObservedRow } from '../import/summary.ts';
import { issueText } from '../import/summary.ts';
import { visibleText } from '../../formats/visible-text.ts';

/** Enough rows to check an import by eye; a 2,000-service file lists the first ones and counts the rest. */
const ROWS_SHOWN = 200;
const ISSUES_SHOWN = 30;

export function IssueList({ issues, testId }: { issues: ReadonlyArray<{ path: string; message: string; line?: number; column?: number }>; testId: string }) {
  return (
    <ul className="import-issues">
      {issues.slice(0, ISSUES_SHOWN).map((i, n) => (
        <li key={n} data-testid={testId}>
          <span aria-hidden="true">✖ </span>
          {visibleText(issueText(i))}
        </li>
      ))}
      {issues.length > ISSUES_SHOWN && <li className="muted">and {issues.length - ISSUES_SHOWN} more</li>}
    </ul>
  );
}

export function ImportTable({ rows }: { rows: readonly ImportRow[] }) {
  return (
    <div className="import-table-scroll" tabIndex={0} role="region" aria-label="Services recognised in the compose file">
      <table className="import-table stack">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Kind</th>
            <th scope="col">Limit</th>
            <th scope="col">Model low–typical–high</th>
            <th scope="col">Why, and what was read</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, ROWS_SHOWN).map((r) => (
            <tr key={r.service} data-testid={`import-row-${r.service}`}>
              <th scope="row">{r.service}</th>
              <td data-testid={`import-kind-${r.service}`} data-label="Kind">{r.kind}</td>
              <td className="num" data-label="Limit">{r.limit ?? <span className="bad-text">none</span>}</td>
              <td className="num" data-label="Model">{r.usageMiB ? rangeText(r.usageMiB) : '—'}</td>
              <td data-label="Why">
                <span>{r.why}</span>
                {r.read.length > 0 && <span className="import-read">read: {r.read.join('; ')}</span>}
                {r.warnings.map((w) => (
                  <span key={w} className="import-warning">
                    <span aria-hidden="true">▲ </span>
                    {w}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > ROWS_SHOWN && (
        <p className="muted">
          The first {ROWS_SHOWN} of {rows.length} services are listed; all {rows.length} are imported.
        </p>
      )}
    </div>
  );
}

export function ObservedTable({ rows, margin }: { rows: readonly ObservedRow[]; margin: number }) {
  return (
    <div className="import-table-scroll" tabIndex={0} role="region" aria-label="Observed usage beside the model">
      <table className="import-table stack">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Container</th>
            <th scope="col">Observed typical / peak</th>
            <th scope="col">Model low–typical–high</th>
            <th scope="col">Limit</th>
            <th scope="col">Limit from observed (peak × {margin})</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, ROWS_SHOWN).map((r) => (
            <tr key={r.service} data-testid={`observed-row-${r.service}`}>
              <th scope="row">{r.service}</th>
              <td data-label="Container">
                {r.containers.join(', ')}
                {r.samples > 1 && <span className="muted"> ({r.samples} samples)</span>}
              </td>
              <td className="num" data-testid={`observed-${r.service}`} data-label="Observed typical / peak">
                {sizeText(r.observed.typical)} / {sizeText(r.observed.peak)}
              </td>
              <td className="num" data-label="Model">{rangeText(r.model)}</td>
              <td className="num" data-label="Limit">{r.limitMiB === null ? 'none' : sizeText(r.limitMiB)}</td>
              <td className="num" data-label="Limit from observed">{sizeText(r.observedLimitMiB)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
