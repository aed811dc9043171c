/**
 * The verdict of `check`, as the CLI states it: the engine decides it (engine/verdict.ts: one
 * function for check, plan --json and the page), and everything an output format says about an
 * outcome (exit code, word, mark, JUnit state) is in OUTCOMES. Adding an outcome is one entry
 * here plus the rule in the engine's `verdictOf`; the renderers read this table and never test
 * booleans of their own.
 */
import type { Report } from '../engine/index.ts';
import { findingLabel, verdictInWords, verdictOf as stackVerdictOf, type Outcome, type StackVerdict, type VerdictOptions } from '../engine/verdict.ts';

export { findingLabel };
export type { Outcome };

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
  // The pass rests on guessed usage (engine/verdict.ts): neither a pass nor a fail; --assume decides.
  'cannot-tell': { exitCode: 3, rank: 1, label: 'CANNOT TELL', mark: '❔', junit: 'skipped' },
} as const satisfies Record<Outcome, OutcomeInfo>;

/** Why a stack passes, fails or cannot be told, in the form every output format uses. */
export type Verdict = StackVerdict & {
  exitCode: number;
  /** Kept for the JSON's readers before `outcome`: true when the outcome is `pass`. */
  pass: boolean;
  /** The outcome's word and the summary: `PASS: the stack fits 4 GiB with no critical finding`. */
  headline: string;
};

export function verdictOf(r: Report, opts: VerdictOptions = {}): Verdict {
  const v = stackVerdictOf(r, opts);
  const info = OUTCOMES[v.outcome];
  return { ...v, exitCode: info.exitCode, pass: v.outcome === 'pass', headline: `${info.label}: ${v.summary}` };
}

/**
 * The verdict as the text output says it: the same outcome, its findings named in an operator's
 * words (engine verdictInWords); JSON, SARIF and JUnit keep verdictOf's ids.
 */
export function verdictText(r: Report, opts: VerdictOptions = {}): Pick<Verdict, 'outcome' | 'headline' | 'summary' | 'reasons' | 'assumed'> {
  const v = verdictInWords(r, opts);
  return { outcome: v.outcome, headline: `${OUTCOMES[v.outcome].label}: ${v.summary}`, summary: v.summary, reasons: v.reasons, assumed: v.assumed };
}

/** The exit code of several checks: bad input (2, or any code that is no outcome's) over the worst outcome. */
export function worstExitCode(codes: number[]): number {
  const outcomes: OutcomeInfo[] = Object.values(OUTCOMES);
  const rank = (code: number) => outcomes.find((o) => o.exitCode === code)?.rank ?? Number.POSITIVE_INFINITY;
  return codes.reduce((worst, code) => (rank(code) > rank(worst) ? code : worst), OUTCOMES.pass.exitCode);
}
