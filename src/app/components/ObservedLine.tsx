/** A service's observed memory (p50–p99, the peak) on one small line against its limit and the model's band; its OOM kills beside it. */
import type { ObservedLineView } from '../derive/observed.ts';

export function ObservedLine({ name, view: o }: { name: string; view: ObservedLineView }) {
  return (
    <div className="observed-line-row" data-testid={`observed-line-${name}`}>
      <span className="observed-line" role="img" aria-label={o.text} title={o.text}>
        <span className="observed-band" style={{ left: `${o.bandLow}%`, width: `${Math.max(0.5, o.bandHigh - o.bandLow)}%` }} />
        <span className="observed-seen" style={{ left: `${o.seenLow}%`, width: `${Math.max(0.5, o.seenHigh - o.seenLow)}%` }} />
        <span className="observed-peak" style={{ left: `${o.peak}%` }} />
        {o.limit !== null && <span className="observed-limit" style={{ left: `${o.limit}%` }} />}
      </span>
      {o.oomKills > 0 && (
        <span className="observed-oom bad-text" data-testid={`oom-${name}`}>
          ✖ OOM-killed{o.oomKills > 1 ? ` ×${o.oomKills}` : ''}{o.oomText ? ` ${o.oomText}` : ''}
        </span>
      )}
    </div>
  );
}
