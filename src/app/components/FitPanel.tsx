/**
 * "Fit everything" (issue 11), the page's half of `headroom fit`: the engine's fit of the plan as
 * it stands (derive/fit.ts), shown as a diff in an operator's words before anything changes, and
 * applied as one undo step. When the plan's host cannot hold the stack it says so plainly, and
 * offers the fit on the smallest host that does (or says that none up to 1 TiB does).
 */
import { useLayoutEffect, useRef } from 'react';
import { fitOf, type FitOption } from '../derive/fit.ts';
import { deriveOf } from '../derive/engine.ts';
import { verdictView } from '../derive/verdict.ts';
import { indefiniteArticle, withArticle } from '../../engine/units.ts';
import { countText } from '../format.ts';
import { useActions, usePlanner } from '../state/instance.ts';

function Diff({ option }: { option: FitOption }) {
  return (
    <ol className="fit-diff" aria-label={`Changes on ${withArticle(option.hostText)} host`}>
      {option.lines.map((l, i) => (
        <li key={i} data-testid="fit-change">
          {l.text}
          {l.now !== null && <span className="fit-now"> (now {l.now})</span>}
          {l.assumed && <span className="fit-assumed"> — its usage is assumed, not measured</span>}
        </li>
      ))}
    </ol>
  );
}

const changeCount = (n: number) => `${countText(n)} change${n === 1 ? '' : 's'}`;
/** "these 2 changes", "this change": never "these 1 change". */
const theseChanges = (n: number) => (n === 1 ? 'this change' : `these ${changeCount(n)}`);
/** The move's button: the move, and the other changes when there are any ("the other change", "the other 3 changes"). */
const moveText = (hostText: string, others: number) => `Move to ${withArticle(hostText)} host${others === 0 ? '' : ` and apply the other ${others === 1 ? 'change' : changeCount(others)}`}`;

export default function FitPanel({ onClose }: { onClose: () => void }) {
  const input = usePlanner((s) => s.input);
  const { fitApply } = useActions();
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), []);
  const view = fitOf(input);
  const d = deriveOf(input);
  const apply = (option: FitOption, what: string) => {
    if (option.next && fitApply(option.next, what)) onClose();
  };
  let body;
  if (view.status === 'unavailable') body = <p>Nothing to fit: {view.reason}.</p>;
  else {
    const { here, bigger } = view;
    const host = `${withArticle(here.hostText)} host`;
    const spike = d.status === 'ok' ? d.plan.workload.spike : null;
    const passesNow = d.status === 'ok' && verdictView(d.report).outcome === 'pass';
    body = (
      <>
        <p className="muted">
          One consistent set of limits and settings for the whole stack — normal traffic and the {spike === null ? 'spike' : `×${spike} spike`} together — within the host’s RAM, from the same engine as <code>headroom fit</code>.
        </p>
        {view.fits ? (
          here.next ? (
            <>
              <p data-testid="fit-verdict">
                It fits {host} with {theseChanges(here.lines.length)}:
              </p>
              <Diff option={here} />
              <button type="button" className="primary" onClick={() => apply(here, `Fitted the stack to ${host}: ${changeCount(here.lines.length)}`)}>
                Apply all {changeCount(here.lines.length)}
              </button>
            </>
          ) : (
            <p data-testid="fit-verdict">Nothing to change: the stack already fits {host} as planned.</p>
          )
        ) : (
          <>
            <p data-testid="fit-verdict" className="fit-none">
              Nothing fits {host}: with every limit sized for {`the ${spike === null ? '' : `×${spike} `}spike (${countText(view.spikeUsers)} active users)`}, {view.summary}. Nothing has been changed.
            </p>
            {passesNow && <p>The plan as it stands passes its check; the fit asks more of it: every service’s limit covers its usage in the spike, and free memory at typical usage stays above the success criterion.</p>}
            {bigger ? (
              <>
                <p>
                  {indefiniteArticle(bigger.hostText) === 'an' ? 'An' : 'A'} {bigger.hostText} host holds it, with {theseChanges(bigger.lines.length)}:
                </p>
                <Diff option={bigger} />
                <button type="button" className="primary" onClick={() => apply(bigger, `Fitted the stack to ${withArticle(bigger.hostText)} host: ${changeCount(bigger.lines.length)}`)}>
                  {moveText(bigger.hostText, bigger.lines.length - 1)}
                </button>
              </>
            ) : (
              <p>No host up to 1 TiB holds it: split the stack over several hosts or drop services (the Upgrade path tab compares host sizes).</p>
            )}
          </>
        )}
        {view.assumed.length > 0 && <p className="fit-assumed">Usage guessed, limits left as they are (measure them first, e.g. with docker stats): {view.assumed.join(', ')}.</p>}
      </>
    );
  }
  return (
    <section className="panel fit" aria-labelledby="fit-title">
      <h2 id="fit-title" ref={heading} tabIndex={-1}>
        Fit everything
      </h2>
      {body}{' '}
      <button type="button" onClick={onClose}>
        Close
      </button>
    </section>
  );
}
