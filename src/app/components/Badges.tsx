/** Risk and severity badges: colour, a shape and the word, so colour is never the only signal. */
import type { RiskLevel, Severity } from '../../engine/report.ts';

const RISK_SHAPE: Record<RiskLevel, string> = { low: '●', medium: '◆', high: '▲', critical: '✖' };
const SEVERITY_SHAPE: Record<Severity, string> = { critical: '✖', warning: '▲', info: 'ℹ' };

export function RiskBadge({ level, title, testId }: { level: RiskLevel; title?: string; testId?: string }) {
  return (
    <span className={`badge risk-${level}`} title={title} data-testid={testId} data-level={level}>
      <span aria-hidden="true" className="badge-shape">{RISK_SHAPE[level]}</span> {level}
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`badge severity-${severity}`} data-level={severity}>
      <span aria-hidden="true" className="badge-shape">{SEVERITY_SHAPE[severity]}</span> {severity}
    </span>
  );
}

export type Status = 'pass' | 'fail' | 'unknown';
const STATUS_SHAPE: Record<Status, string> = { pass: '✔', fail: '✖', unknown: '?' };
const STATUS_TEXT: Record<Status, string> = { pass: 'pass', fail: 'fail', unknown: 'not judged' };

export function StatusBadge({ status }: { status: Status }) {
  return (
    <span className={`badge status-${status}`} data-status={status}>
      <span aria-hidden="true" className="badge-shape">{STATUS_SHAPE[status]}</span> {STATUS_TEXT[status]}
    </span>
  );
}
