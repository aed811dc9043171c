/**
 * The host at a glance: one stacked bar (reserve, each service's limit, what is left) with typical
 * usage marked, and the line that answers "does it fit": free memory, risk, and the spike.
 */
import { memo } from 'react';
import { useHostView, usePreviousReport } from '../derive/hooks.ts';
import type { Segment } from '../derive/views.ts';
import { sizeFormat } from '../../engine/units.ts';
import { deltaText } from '../format.ts';
import { RiskBadge } from './Badges.tsx';
import type { RiskLevel } from '../../engine/report.ts';

/** Legend entries beyond this are summarised; the bar's tooltips still name every service. */
const LEGEND_MAX = 9;

/**
 * What the last change did to free memory, on a line that is always there: a line that came and
 * went would move everything under it (the table being typed in) on every key, and make the
 * browser lay out and paint the whole page again for it.
 */
function LastChange({ freeMiB }: { freeMiB: number }) {
  const prev = usePreviousReport();
  const d = prev ? freeMiB - prev.host.freeMiB.typical : 0;
  const moved = prev !== null && Math.abs(d) >= 0.5;
  const text = prev === null ? 'no change yet' : moved ? `${deltaText(d)} free since the last change` : 'free memory unchanged by the last change';
  return (
    <span className={`host-change ${moved ? `delta ${d > 0 ? 'delta-up' : 'delta-down'}` : 'muted'}`} data-testid="host-free-delta" title={text}>
      {text}
    </span>
  );
}

/** One segment of the bar; an edit re-renders the segments it resized, not the hundred others of a big plan. */
const HostSegment = memo(function HostSegment({ tone, colour, widthPct, title }: Pick<Segment, 'tone' | 'colour' | 'widthPct' | 'title'>) {
  return <span className={`seg seg-${tone}${tone === 'service' ? ` svc-${colour}` : ''}`} style={{ width: `${widthPct}%` }} title={title} />;
});

/** The CPU line: a limit edit does not move it, so a keystroke does not render it again. */
const CpuLine = memo(function CpuLine({ cpuText, cpuOk, spikeMultiplier, spikeCpuText, spikeCpuOk }: { cpuText: string; cpuOk: boolean; spikeMultiplier: number; spikeCpuText: string; spikeCpuOk: boolean }) {
  return (
    <span>
      CPU <strong data-testid="host-cpu">{cpuText}</strong>
      <span className={cpuOk ? 'ok-text' : 'bad-text'}>{cpuOk ? ' ✔' : ' ✖ saturated'}</span> (modelled); in a ×{spikeMultiplier} spike{' '}
      <strong data-testid="spike-cpu">{spikeCpuText}</strong>
      <span className={spikeCpuOk ? 'ok-text' : 'bad-text'}>{spikeCpuOk ? ' ✔' : ' ✖ saturated'}</span>
    </span>
  );
});

/** The host's chance of an OOM kill, not the verdict (which can fail on one service's finding while the host has room). */
const HostRisks = memo(function HostRisks({ risk, riskTitle, spikeMultiplier, spikeRisk, spikeFreeText }: { risk: RiskLevel; riskTitle: string; spikeMultiplier: number; spikeRisk: RiskLevel; spikeFreeText: string }) {
  return (
    <>
      <span>
        host OOM risk <RiskBadge level={risk} title={riskTitle} testId="host-risk" />
      </span>
      <span>
        in a ×{spikeMultiplier} spike <RiskBadge level={spikeRisk} title={`least free in the spike: ${spikeFreeText}`} testId="spike-risk" />
      </span>
    </>
  );
});

type LegendEntry = Pick<Segment, 'key' | 'tone' | 'colour' | 'label'>;

/** The bar's swatches: the same while limits are typed (a segment's width is not in it). */
const LegendEntries = memo(
  function LegendEntries({ entries, hidden }: { entries: readonly LegendEntry[]; hidden: number }) {
    return (
      <>
        {entries.map((s) => (
          <li key={s.key}>
            <span aria-hidden="true" className={`swatch seg-${s.tone}${s.tone === 'service' ? ` svc-${s.colour}` : ''}`} />
            {s.label}
          </li>
        ))}
        {hidden > 0 && <li>+{hidden} more services</li>}
      </>
    );
  },
  (a, b) => a.hidden === b.hidden && a.entries.length === b.entries.length && a.entries.every((e, i) => {
    const f = b.entries[i]!;
    return e.key === f.key && e.tone === f.tone && e.colour === f.colour && e.label === f.label;
  }),
);

export function HostBar() {
  const v = useHostView();
  const prev = usePreviousReport();
  // The numbers the last change moved are highlighted, like the row it changed.
  const mark = (was: string | null, now: string) => (was !== null && was !== now ? 'changed' : undefined);
  const legend = v.segments.length > LEGEND_MAX + 1 ? [...v.segments.slice(0, LEGEND_MAX), ...v.segments.filter((s) => s.tone === 'free')] : v.segments;
  const hidden = v.segments.length - legend.length;
  return (
    <section className="host panel" aria-labelledby="host-title">
      <div className="host-summary">
        <h2 id="host-title">Host {v.ramText}</h2>
        <span>
          free{' '}
          <strong data-testid="host-free" className={mark(prev && sizeFormat(prev.host.freeMiB.typical), v.freeText)}>
            {v.freeText}
          </strong> ({v.freePctText}) at typical usage
        </span>
        <span>
          least free <strong data-testid="host-free-least">{v.freeLeastText}</strong>
          <span className={v.freeOk ? 'ok-text' : 'bad-text'}>{v.freeOk ? ' ✔ above' : ' ✖ below'} the {v.freeCriterionText} target</span>
        </span>
        <span>
          limits{' '}
          <strong data-testid="host-limits" className={mark(prev && sizeFormat(prev.host.setLimitsMiB), v.limitsText)}>
            {v.limitsText}
          </strong> + reserve {v.reserveText}
          {v.unlimitedText && (
            <>
              {' '}· without a limit: up to <strong data-testid="host-unlimited">{v.unlimitedText}</strong> more
            </>
          )}
        </span>
        <CpuLine cpuText={v.cpuText} cpuOk={v.cpuOk} spikeMultiplier={v.spikeMultiplier} spikeCpuText={v.spikeCpu.cpuText} spikeCpuOk={v.spikeCpu.cpuOk} />
        <HostRisks risk={v.risk} riskTitle={v.riskTitle} spikeMultiplier={v.spikeMultiplier} spikeRisk={v.spikeRisk} spikeFreeText={v.spikeFreeText} />
        <LastChange freeMiB={v.freeMiB} />
      </div>
      <div className="host-bar" role="img" aria-label={`Host ${v.ramText}: reserve ${v.reserveText}, limits ${v.limitsText}${v.unlimitedText ? ` (without a limit: up to ${v.unlimitedText} more)` : ''}, usage ${v.usageText} (low–typical–high), ${v.freeText} free at typical usage${v.overcommitText ? `; ${v.overcommitText}` : ''}.`}>
        {v.segments.map((s) => (
          <HostSegment key={s.key} tone={s.tone} colour={s.colour} widthPct={s.widthPct} title={s.title} />
        ))}
        <span className="marker marker-typical" style={{ left: `${v.typicalPct}%` }} title={`typical usage ${v.usageTypicalText}`} />
        {v.overcommitted && <span className="marker marker-ram" style={{ left: `${v.ramPct}%` }} title={`RAM ${v.ramText}`} />}
      </div>
      <ul className="legend" aria-label="Bar legend">
        <LegendEntries entries={legend} hidden={hidden} />
        <li>
          <span aria-hidden="true" className="swatch swatch-marker" />
          typical usage {v.usageTypicalText}
        </li>
        {v.overcommitText && (
          <li className="bad-text">
            <span aria-hidden="true">✖</span> {v.overcommitText}
          </li>
        )}
      </ul>
    </section>
  );
}
