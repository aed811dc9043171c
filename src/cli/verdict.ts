/**
 * The verdict of `check`, in one place: its outcome is an enum, and everything an output format
 * says about an outcome (exit code, word, mark, JUnit state) is in OUTCOMES. Adding an outcome
 * (issue 11's "cannot tell", exit 3) is one entry here plus the rule in `verdictOf`; the
 * renderers read this table and never test booleans of their own.
 */
import { sizeFormat, type Finding, type Report } from '../engine/index.ts';
import { hostExceedsRam, limitsExceedRam } from '../engine/policy.ts';

export type OutcomeInfo = {
  /** The process exit code of `check`. */
  exitCode: number;
  /** Which outcome wins when several files are checked at once: the highest. */
  rank: number;
  /** The word that starts the text verdict line: `PASS`. */
  label: string;
  /** A mark for Markdown (PR comments, the job summary). */
  mark: string;
  /** How a JUnit test case shows it: passed, a failure, or skipped (undecided). */
  junit: 'passed' | 'failure' | 'skipped';
};

export const OUTCOMES = {
  pass: { exitCode: 0, rank: 0, label: 'PASS', mark: '✅', junit: 'passed' },
  fail: { exitCode: 1, rank: 2, label: 'FAIL', mark: '❌', junit: 'failure' },
} as const satisfies Record<string, OutcomeInfo>;

export type Outcome = keyof typeof OUTCOMES;

/** Why a stack passes or fails, in the form every output format uses. */
export type Verdict = {
  outcome: Outcome;
  exitCode: number;
  /** Kept for the JSON's readers before `outcome`: true when the outcome is `pass`. */
  pass: boolean;
  /** Limits plus the reserve fit the RAM and the host does not run out in normal traffic. */
  fits: boolean;
  /** The critical findings, as `id [service]`. */
  critical: string[];
  reasons: string[];
  /** Why, in one line: `the stack fits 4 GiB with no critical finding`, or the reasons. */
  summary: string;
  /** The outcome's word and the summary: `PASS: the stack fits 4 GiB with no critical finding`. */
  headline: string;
};

/** A finding as the verdict names it: `redis-fork-headroom [redis]`. */
export const findingLabel = (f: Finding): string => `${f.id}${f.service ? ` [${f.service}]` : ''}`;

export function verdictOf(r: Report): Verdict {
  const h = r.host;
  const committed = h.limitsMiB + h.reserveMiB;
  const reasons: string[] = [];
  if (limitsExceedRam(h)) reasons.push(`limits ${sizeFormat(h.limitsMiB)} + reserve ${sizeFormat(h.reserveMiB)} = ${sizeFormat(committed)} > ${sizeFormat(h.ramMiB)} of RAM`);
  if (hostExceedsRam(h)) reasons.push(`high usage ${sizeFormat(h.usageMiB.high)} > ${sizeFormat(h.ramMiB + h.swapMiB)} (host OOM in normal traffic)`);
  const fits = reasons.length === 0;
  const critical = r.findings.filter((f) => f.severity === 'critical').map(findingLabel);
  if (critical.length > 0) reasons.push(`${critical.length} critical finding${critical.length > 1 ? 's' : ''}: ${critical.join(', ')}`);
  const outcome: Outcome = fits && critical.length === 0 ? 'pass' : 'fail';
  const summary = outcome === 'pass' ? `the stack fits ${sizeFormat(h.ramMiB)} with no critical finding` : reasons.join('; ');
  return { outcome, exitCode: OUTCOMES[outcome].exitCode, pass: outcome === 'pass', fits, critical, reasons, summary, headline: `${OUTCOMES[outcome].label}: ${summary}` };
}

/** The exit code of several checks: bad input (2, or any code that is no outcome's) over the worst outcome. */
export function worstExitCode(codes: number[]): number {
  const outcomes: OutcomeInfo[] = Object.values(OUTCOMES);
  const rank = (code: number) => outcomes.find((o) => o.exitCode === code)?.rank ?? Number.POSITIVE_INFINITY;
  return codes.reduce((worst, code) => (rank(code) > rank(worst) ? code : worst), OUTCOMES.pass.exitCode);
}
