/**
 * "Model checked against real servers": every recorded calibration case (calibration/*.json,
 * `npm run calibrate`) evaluated through the engine, predicted against measured, with the versions
 * and the machine it was measured on. Loaded with the Success criteria tab, not the first load.
 */
import { CALIBRATION_KIND_LABEL as KIND_LABEL, calibrationFiles, calibrationRows, calibrationSummary, CALIBRATION_TOLERANCE, type CalibrationFile, type CalibrationRow, type CalibrationSummary } from '../../engine/calibration.ts';
import { sizeFormat } from '../../engine/index.ts';
import { LATENCY_CALIBRATION_TOLERANCE, latencyCalibration, type LatencyCalibration } from '../../engine/latency-calibration.ts';
import { LATENCY_P95_CRITERION_MS } from '../../engine/policy.ts';
import { msFormat } from '../../engine/units.ts';
import { KERNEL_MEASURED_RANGE } from '../../engine/host.ts';
import { countText, rangeText, sizeText } from '../format.ts';
import { StatusBadge } from './Badges.tsx';
import './calibration.css';

const ROLE_TEXT: Record<CalibrationRow['role'], string> = { typical: 'typical', stress: 'stress (range only)', light: 'light (range only)' };

type Evidence = { summary: CalibrationSummary[]; rows: CalibrationRow[]; machineLoad: Map<string, string>; machines: string[]; latency: LatencyCalibration; unmeasured: string[] };

/** The seed stack's servers and the ones its features add, by the name the page gives them (what the footer says is not measured yet). */
const STACK_SERVERS: ReadonlyArray<[CalibrationFile['kind'] | 'grafana' | 'alertmanager', string]> = [['fastapi', 'FastAPI'], ['postgres', 'PostgreSQL'], ['redis', 'Redis'], ['prometheus', 'Prometheus'], ['grafana', 'Grafana'], ['pgbouncer', 'pgBouncer'], ['alertmanager', 'AlertManager'], ['host', 'the host reserve']];

let evidence: Evidence | null = null;

/** The recorded cases through the engine, once per page (the data does not change while it runs). */
function evidenceGet(): Evidence {
  if (evidence) return evidence;
  const files = calibrationFiles();
  const machineLoad = new Map<string, string>();
  for (const f of files) {
    for (const c of f.cases) {
      const [from, to] = [c.load.loadavg1Start, c.load.loadavg1End];
      if (typeof from === 'number' && typeof to === 'number') machineLoad.set(`${f.kind}/${c.id}`, `${from.toFixed(1)} → ${to.toFixed(1)}`);
      else if (typeof c.load.loadavg1 === 'number') machineLoad.set(`${f.kind}/${c.id}`, c.load.loadavg1.toFixed(1));
    }
  }
  const measured = new Set<string>(files.map((f) => f.kind));
  evidence = {
    summary: calibrationSummary(files),
    rows: calibrationRows(files),
    machineLoad,
    machines: [...new Set(files.map((f) => machineText(f.machine)))],
    latency: latencyCalibration(),
    unmeasured: STACK_SERVERS.filter(([k]) => !measured.has(k)).map(([, name]) => name),
  };
  return evidence;
}

function machineText(m: CalibrationFile['machine']): string {
  return `${m.cpu}, ${m.cores} cores, ${sizeFormat(m.memMiB)} RAM, ${m.os}, Linux ${m.kernel}, cgroup ${m.cgroup}, Node ${m.node}`;
}

/** `+2.6%`, `−14.3%`; range-only cases in parentheses, as the README prints them. */
function errorText(r: CalibrationRow): string {
  const e = r.errorPercent;
  const t = `${e > 0 ? '+' : e < 0 ? '−' : ''}${Math.abs(e).toFixed(1)}%`;
  return r.role === 'typical' ? t : `(${t})`;
}

const day = (iso: string) => iso.slice(0, 10);

const signed = (e: number) => `${e > 0 ? '+' : e < 0 ? '−' : ''}${Math.abs(e).toFixed(1)}%`;

/** The latency sweep (calibration/latency.json) against the engine, in one sentence per check. */
function LatencyEvidence({ l }: { l: LatencyCalibration }) {
  const within = (e: number) => Math.abs(e) <= LATENCY_CALIBRATION_TOLERANCE * 100;
  const ok = within(l.normal.errorPercent) && (l.crossing === null || within(l.crossing.errorPercent));
  return (
    <p data-testid="calibration-latency">
      <StatusBadge status={ok ? 'pass' : 'fail'} /> <strong>API latency</strong> (the exported stack on one pinned core under a rising request rate, <code>npm run stack-test -- --sweep</code>): at the normal {countText(Math.round(l.normal.rps))} req/s p95 measured {msFormat(l.normal.measuredP95)}, predicted {msFormat(l.normal.predictedP95)} ({signed(l.normal.errorPercent)})
      {l.crossing ? (
        <>
          ; p95 crosses {msFormat(LATENCY_P95_CRITERION_MS)} at {countText(Math.round(l.crossing.measuredRps))} req/s measured, {countText(Math.round(l.crossing.predictedRps))} predicted ({signed(l.crossing.errorPercent)})
        </>
      ) : null}
      . Passes within {Math.round(LATENCY_CALIBRATION_TOLERANCE * 100)}%.
    </p>
  );
}

export default function Calibration() {
  const { summary, rows, machineLoad, machines, latency, unmeasured } = evidenceGet();
  const tolerance = Math.round(CALIBRATION_TOLERANCE * 100);
  return (
    <section className="panel calibration" aria-labelledby="calibration-title">
      <h2 id="calibration-title">Model checked against real servers</h2>
      <p>
        Each case started the real server with the files Headroom exports, loaded it, and measured its memory (<code>npm run calibrate</code>); the FastAPI and Docker engine cases ran the exported stack in real containers (<code>npm run stack-test</code>), and the kernel-and-system cases booted Debian with Docker in virtual machines of {KERNEL_MEASURED_RANGE} (<code>npm run calibrate -- host</code>). The engine’s prediction for the same plan is shown beside it. A typical case passes when the predicted typical is within {tolerance}% of the measured typical and low ≤ measured ≤ high; stress and light cases are checked against low–high only.
      </p>
      <p className="muted" data-testid="calibration-machine">
        Measured on {machines.join('; ')}. <code>npm run calibrate</code> measures processes, not containers: page cache and kernel memory are not in its server figures (the virtual machines’ are all of the memory outside the Docker engine).
      </p>
      <table className="criteria-table calibration-table stack" aria-label="Calibration by service">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Typical cases</th>
            <th scope="col">Median error</th>
            <th scope="col">Largest error</th>
            <th scope="col">Range-only cases</th>
            <th scope="col">All pass</th>
            <th scope="col">Recorded</th>
            <th scope="col">Versions</th>
          </tr>
        </thead>
        <tbody>
          {summary.map((s) => (
            <tr key={s.kind} data-testid={`calibration-summary-${s.kind}`}>
              <th scope="row">{KIND_LABEL[s.kind]}</th>
              <td className="num" data-label="Typical cases">{s.cases - s.rangeCases}</td>
              <td className="num" data-label="Median error">{s.medianAbsErrorPercent.toFixed(1)}%</td>
              <td className="num" data-label="Largest error">{s.maxAbsErrorPercent.toFixed(1)}%</td>
              <td className="num" data-label="Range-only cases">{s.rangeCases}</td>
              <td data-label="All pass">
                <StatusBadge status={s.ok ? 'pass' : 'fail'} />
              </td>
              <td className="num" data-label="Recorded">{day(s.recordedAt)}</td>
              <td className="calibration-versions" data-label="Versions">{Object.values(s.tools).join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="calibration-scroll" tabIndex={0} role="region" aria-label="Calibration cases: predicted against measured">
        <table className="criteria-table calibration-table stack">
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Load</th>
              <th scope="col">Machine load (1 min)</th>
              <th scope="col">Predicted low–typical–high</th>
              <th scope="col">Measured typical / peak</th>
              <th scope="col">Typical error</th>
              <th scope="col">In range</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          {summary.map((s) => (
            <tbody key={s.kind}>
              <tr className="calibration-group">
                <th scope="rowgroup" colSpan={8}>
                  {KIND_LABEL[s.kind]}
                </th>
              </tr>
              {rows
                .filter((r) => r.kind === s.kind)
                .map((r) => (
                  <tr key={r.id} data-testid={`calibration-case-${r.id}`} data-kind={r.kind}>
                    <th scope="row">{r.label}</th>
                    <td data-label="Load">{ROLE_TEXT[r.role]}</td>
                    <td className="num" data-label="Machine load (1 min)">{machineLoad.get(`${r.kind}/${r.id}`) ?? '—'}</td>
                    <td className="num" data-label="Predicted">{rangeText(r.predicted)}</td>
                    <td className="num" data-testid="measured" data-label="Measured typical / peak">
                      {sizeText(r.measured.typical)} / {sizeText(r.measured.peak)}
                    </td>
                    <td className="num" data-label="Typical error">{errorText(r)}</td>
                    <td data-label="In range">{r.inRange ? 'yes' : 'no'}</td>
                    <td data-label="Result">
                      <StatusBadge status={r.ok ? 'pass' : 'fail'} />
                    </td>
                  </tr>
                ))}
            </tbody>
          ))}
        </table>
      </div>
      <LatencyEvidence l={latency} />
      {unmeasured.length > 0 ? <p className="muted">Not measured yet: {unmeasured.join(', ')}; their figures come from documentation and field reports (each constant names its source).</p> : null}
    </section>
  );
}
