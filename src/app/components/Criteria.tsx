/** The seed's success criteria judged for this plan; the ones that need a running system say so. */
import { lazy, Suspense, useMemo } from 'react';
import { criteriaOf } from '../derive/criteria.ts';
import { useEvaluated } from '../derive/hooks.ts';
import { StatusBadge } from './Badges.tsx';
import { retryOnce } from '../retry.ts';

// The calibration evidence (its data and the engine runs over it) loads after the criteria.
const Calibration = lazy(() => retryOnce(() => import('./Calibration.tsx')));

export default function Criteria() {
  const { plan, report } = useEvaluated();
  const criteria = useMemo(() => criteriaOf(plan, report), [plan, report]);
  const judged = criteria.filter((c) => c.status !== 'unknown');
  const passed = judged.filter((c) => c.status === 'pass').length;
  return (
    <>
    <section className="panel" aria-labelledby="criteria-title">
      <h2 id="criteria-title">Success criteria</h2>
      <p data-testid="criteria-summary">
        {passed} of the {judged.length} criteria Headroom can judge from the plan pass; {criteria.length - judged.length} more need measurements from the running stack.
      </p>
      <table className="criteria-table stack">
        <thead>
          <tr>
            <th scope="col">Criterion</th>
            <th scope="col">Result</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {criteria.map((c) => (
            <tr key={c.id} data-testid={`criterion-${c.id}`}>
              <th scope="row">{c.label}</th>
              <td data-label="Result">
                <StatusBadge status={c.status} />
              </td>
              <td data-label="Why">{c.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
    <Suspense fallback={<p className="panel loading" role="status">Loading the calibration evidence…</p>}>
      <Calibration />
    </Suspense>
    </>
  );
}
