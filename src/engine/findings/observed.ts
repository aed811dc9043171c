/**
 * Findings from evidence (observe, Prometheus, docker stats, cgroup files): OOM kills the
 * window recorded, a limit planned from what the container really used (krr: the chosen
 * percentile × margin, never below the model's high: engine/observed.ts), the gap between the
 * model and the measurement, and a steady climb (a leak, or a cache still filling).
 */
import type { Finding, ServiceBudget } from '../report.ts';
import { finding, fmt, pct, setSize, type Rule } from './context.ts';
import { GENEROUS_LIMIT_SHARE, KRR_MARGIN, exceedsLimit, roundUpSize, severityOf } from '../policy.ts';

/** A climb that reaches the limit within this many hours is a warning, later advice. Assumed: a week. */
export const GROWTH_WARN_HOURS = 7 * 24;

export const observedUsage: Rule = ({ plan, normal, spike }) => {
  const out: Finding[] = [];
  normal.services.forEach((s, i) => {
    if (s.observedMiB === null || s.observedLimit === null) return;
    const o = s.observedMiB;
    const planned = s.observedLimit;
    const target = roundUpSize(planned.limitMiB);
    const peak = o.peak;
    const typical = o.p50 ?? o.typical;
    const seen = `${s.name} was seen using up to ${fmt(peak)}${typical === null ? '' : ` (typically ${fmt(typical)}${o.p95 === null ? '' : `, p95 ${fmt(o.p95)}`}${o.p99 === null ? '' : `, p99 ${fmt(o.p99)}`})`}${windowText(o)}`;
    if (s.oomKills.length > 0) out.push(oomKilled(s, target, plan.workload.observedMargin));
    else if (s.limitMiB !== null && exceedsLimit(planned.fromObservedMiB, s.limitMiB)) {
      // At or over its limit it was being reclaimed or killed (certain); within the margin it is one burst away (possible).
      out.push(finding('observed-near-limit', severityOf({ p: 1, typicalOver: peak >= s.limitMiB }, peak >= s.limitMiB ? 'outage' : 'degraded'), s.name,
        `${seen}, ${pct(peak / s.limitMiB)} of its ${fmt(s.limitMiB)} limit: less than the ${pct(planned.margin - 1)} margin kept above the observed ${planned.percentile}.`,
        `Raise ${s.name}'s limit to ${fmt(target)} (${planned.reason}).`,
        [setSize(s.name, 'limit', target)]));
    } else if (s.limitMiB !== null && s.kind !== 'generic') {
      const spikeHigh = spike.services[i]?.usageMiB.high ?? s.usageMiB.high;
      const enough = roundUpSize(Math.max(planned.limitMiB, s.usageMiB.high, spikeHigh));
      if (s.limitMiB > GENEROUS_LIMIT_SHARE * enough) {
        out.push(finding('observed-limit-generous', severityOf({ p: 1 }, 'advice'), s.name,
          `${seen}, and the model's high is ${fmt(s.usageMiB.high)} (${fmt(spikeHigh)} in the spike): its ${fmt(s.limitMiB)} limit holds ${fmt(s.limitMiB - enough)} more than either needs.`,
          `Lower ${s.name}'s limit to ${fmt(enough)} to give the host that memory back, or keep it as deliberate room.`,
          [setSize(s.name, 'limit', enough)]));
      }
    }
    if (planned.modelHighMiB !== null && peak > s.usageMiB.high) {
      out.push(finding('observed-above-model', severityOf({ p: 1 }, 'advice'), s.name,
        `${seen}, above the model's range (${fmt(s.usageMiB.low)}–${fmt(s.usageMiB.high)}) for its settings by ${fmt(peak - s.usageMiB.high)}: the model underestimates this service, something else runs in the container, or it leaks.`,
        `Plan ${s.name} from the observation: a limit of at least ${fmt(roundUpSize(peak * planned.margin))} (peak × ${planned.margin}); check its settings against the running container.`));
    } else if (planned.modelHighMiB !== null && peak < s.usageMiB.low) {
      out.push(finding('observed-below-model', severityOf({ p: 1 }, 'advice'), s.name,
        `${seen}, below the model's range (${fmt(s.usageMiB.low)}–${fmt(s.usageMiB.high)}) for its settings: a setting the import missed (the running container is configured smaller than the plan says), or a window that never loaded it.`,
        `Compare ${s.name}'s settings in the plan with the running container's; the limit stays at the model's high (${fmt(s.usageMiB.high)}) until a window shows the load it plans for.`));
    }
    if (o.growthPerHour > 0) out.push(growing(s, seen));
  });
  return out;
};

function windowText(o: NonNullable<ServiceBudget['observedMiB']>): string {
  if (o.samples === null || o.samples < 2) return '';
  const w = o.windowSeconds ?? 0;
  const span = w >= 172800 ? `${Math.round(w / 86400)} days` : w >= 7200 ? `${Math.round(w / 3600)} hours` : w >= 120 ? `${Math.round(w / 60)} minutes` : w > 0 ? `${Math.round(w)} s` : '';
  return ` over ${o.samples} samples${span ? ` in ${span}` : ''}`;
}

/** The kernel killed a container of the service: certain, so critical, with when and where. */
function oomKilled(s: ServiceBudget, target: number, margin: number): Finding {
  const kills = s.oomKills;
  const when = (k: { at: string | null; container: string }) => `${k.at === null ? 'at a time the evidence does not record' : `at ${k.at.replace('T', ' ').replace(/\.\d+/, '').replace(/Z$/, ' UTC')}`} (${k.container})`;
  const listed = kills.slice(0, 3).map(when).join(', ') + (kills.length > 3 ? `, and ${kills.length - 3} more` : '');
  // A killed container's samples stop at its limit: what it needed is more than the limit, by an unknown amount.
  const need = s.limitMiB === null ? target : roundUpSize(Math.max(target, s.limitMiB * Math.max(margin, KRR_MARGIN)));
  const where = s.limitMiB === null ? 'with no limit of its own: the host ran out of memory' : `at its ${fmt(s.limitMiB)} limit`;
  return finding('observed-oom-kill', severityOf({ p: 1, typicalOver: true }, 'outage'), s.name,
    `${s.name} was OOM-killed ${kills.length === 1 ? 'once' : `${kills.length} times`} ${where}: ${listed}. The samples stop where the kernel killed it, so what it needed is more than they show.`,
    s.limitMiB === null
      ? `Give ${s.name} a limit of ${fmt(need)} and look for what else filled the host at that time.`
      : `Raise ${s.name}'s limit to at least ${fmt(need)} (its limit × ${Math.max(margin, KRR_MARGIN)}, or the planned ${fmt(target)}), then observe again to see where it settles.`,
    [setSize(s.name, 'limit', need)]);
}

/** A steady climb over the window: a leak, or a cache still filling; when it meets the limit. */
function growing(s: ServiceBudget, seen: string): Finding {
  const o = s.observedMiB!;
  const rate = o.growthPerHour;
  const hours = s.limitMiB === null ? null : Math.max(0, (s.limitMiB - o.peak) / rate);
  const soon = hours !== null && hours <= GROWTH_WARN_HOURS;
  const eta = hours === null ? '' : hours < 48 ? `; at this rate it reaches its ${fmt(s.limitMiB!)} limit in about ${Math.round(hours)} hours` : `; at this rate it reaches its ${fmt(s.limitMiB!)} limit in about ${Math.round(hours / 24)} days`;
  return finding('observed-growing', severityOf({ p: 1 }, soon ? 'degraded' : 'advice'), s.name,
    `${seen}, climbing steadily by ${fmt(rate)} an hour${eta}: a leak, or a cache that has not filled yet.`,
    `Watch ${s.name} over a longer window (headroom observe --duration, or a week of Prometheus); if it keeps climbing past its working size, it leaks.`);
}
