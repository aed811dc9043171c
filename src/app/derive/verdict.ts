/**
 * The page's verdict: the engine's own (engine/verdict.ts, the very rule `check` and
 * `plan --json` apply), shaped for the header, its findings named in an operator's words
 * (verdictInWords; the JSON keeps their ids). Nothing is decided here.
 */
import type { Report } from '../../engine/index.ts';
import { verdictInWords, type Outcome } from '../../engine/verdict.ts';

export type VerdictView = {
  outcome: Outcome;
  /** The word shown: the CLI's (PASS, FAIL, CANNOT TELL), so both read alike. */
  label: string;
  summary: string;
  reasons: string[];
  /** Guessed services the verdict cannot settle: `name: why`, and what settles it. */
  open: { service: string; why: string; settles: string[] }[];
};

export const OUTCOME_LABEL: Record<Outcome, string> = { pass: 'PASS', fail: 'FAIL', 'cannot-tell': 'CANNOT TELL' };

const views = new WeakMap<Report, VerdictView>();

/** The verdict of a report, once per report object (a stable object for useEvaluatedPick). */
export function verdictView(report: Report): VerdictView {
  let v = views.get(report);
  if (!v) {
    const s = verdictInWords(report);
    v = {
      outcome: s.outcome,
      label: OUTCOME_LABEL[s.outcome],
      summary: s.summary,
      reasons: s.reasons.filter((r) => r !== s.summary),
      open: s.assumed.map((u) => ({ service: u.service, why: u.why, settles: u.settles })),
    };
    views.set(report, v);
  }
  return v;
}
