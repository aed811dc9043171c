/**
 * Findings from observed usage (`docker stats`): plan a limit from what the container really
 * used, as krr does (peak × margin, workload.observedMargin, default 1.15), beside the model.
 */
import type { Finding } from '../report.ts';
import { finding, fmt, pct, setSize, type Rule } from './context.ts';
import { GENEROUS_LIMIT_SHARE, exceedsLimit, roundUpSize, severityOf } from '../policy.ts';

export const observedUsage: Rule = ({ plan, normal, spike }) => {
  const out: Finding[] = [];
  const margin = plan.workload.observedMargin;
  normal.services.forEach((s, i) => {
    if (s.observedMiB === null || s.observedLimitMiB === null) return;
    const peak = s.observedMiB.peak;
    const planned = s.observedLimitMiB;
    const target = roundUpSize(planned);
    const seen = `${s.name} was seen using up to ${fmt(peak)}${s.observedMiB.typical === null ? '' : ` (typically ${fmt(s.observedMiB.typical)})`}`;
    if (s.limitMiB !== null && exceedsLimit(planned, s.limitMiB)) {
      // At or over its limit it was being reclaimed or killed (certain); within the margin it is one burst away (possible).
      out.push(finding('observed-near-limit', severityOf({ p: 1, typicalOver: peak >= s.limitMiB }, peak >= s.limitMiB ? 'outage' : 'degraded'), s.name,
        `${seen}, ${pct(peak / s.limitMiB)} of its ${fmt(s.limitMiB)} limit: less than the ${pct(margin - 1)} margin krr keeps above the observed peak.`,
        `Raise ${s.name}'s limit to ${fmt(target)} (observed peak ${fmt(peak)} × ${margin}).`,
        [setSize(s.name, 'limit', target)]));
    } else if (s.limitMiB !== null && s.kind !== 'generic') {
      const spikeHigh = spike.services[i]?.usageMiB.high ?? s.usageMiB.high;
      const enough = roundUpSize(Math.max(planned, s.usageMiB.high, spikeHigh));
      if (s.limitMiB > GENEROUS_LIMIT_SHARE * enough) {
        out.push(finding('observed-limit-generous', severityOf({ p: 1 }, 'advice'), s.name,
          `${seen}, and the model's high is ${fmt(s.usageMiB.high)} (${fmt(spikeHigh)} in the spike): its ${fmt(s.limitMiB)} limit holds ${fmt(s.limitMiB - enough)} more than either needs.`,
          `Lower ${s.name}'s limit to ${fmt(enough)} to give the host that memory back, or keep it as deliberate room.`,
          [setSize(s.name, 'limit', enough)]));
      }
    }
    if (s.kind !== 'generic' && peak > s.usageMiB.high) {
      out.push(finding('observed-above-model', severityOf({ p: 1 }, 'advice'), s.name,
        `${seen}, above the model's high of ${fmt(s.usageMiB.high)} for its settings: the model underestimates this service (or something else runs in the container).`,
        `Plan ${s.name} from the observation: a limit of at least ${fmt(target)} (peak × ${margin}); check its settings against the running container.`));
    }
  });
  return out;
};
