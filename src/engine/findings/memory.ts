/** Findings about memory: services over their limits, limits over the host, free memory. */
import { finding, fmt, pct, setSize, type Rule } from './context.ts';
import type { Finding } from '../report.ts';
import { belowDockerMinimum, DOCKER_MIN_LIMIT_MIB, exceedsLimit, freeUnderCriterion, hostExceedsRam, KRR_MARGIN, limitsExceedRam, roundUpSize } from '../policy.ts';

export const usageOverLimit: Rule = ({ normal, spike }) => {
  const out: Finding[] = [];
  normal.services.forEach((s, i) => {
    if (s.limitMiB === null) return;
    const sp = spike.services[i]!;
    const target = roundUpSize(s.usageMiB.high);
    if (exceedsLimit(s.usageMiB.high, s.limitMiB)) {
      const severity = s.usageMiB.typical > s.limitMiB ? 'critical' : 'warning';
      out.push(finding('usage-over-limit', severity, s.name,
        `${s.name} can use up to ${fmt(s.usageMiB.high)} (typical ${fmt(s.usageMiB.typical)}) against its ${fmt(s.limitMiB)} limit: a ${pct(s.risk.pOverLimit)} chance of an OOM kill.`,
        `Raise ${s.name}'s limit to ${fmt(target)}, or lower what drives its largest part (${largest(s.components)}).`,
        [setSize(s.name, 'limit', target)]));
    } else if (exceedsLimit(sp.usageMiB.high, s.limitMiB)) {
      const spikeTarget = roundUpSize(sp.usageMiB.high);
      out.push(finding('spike-over-limit', 'warning', s.name,
        `In the ×${spike.multiplier} spike ${s.name} can reach ${fmt(sp.usageMiB.high)} against its ${fmt(s.limitMiB)} limit.`,
        `Raise ${s.name}'s limit to ${fmt(spikeTarget)} or cap its connections and workers for the spike.`,
        [setSize(s.name, 'limit', spikeTarget)]));
    }
    if (belowDockerMinimum(s.limitMiB)) {
      out.push(finding('limit-below-docker-minimum', 'critical', s.name,
        `${s.name}'s limit ${fmt(s.limitMiB)} is below Docker's minimum of 6 MiB: the container will not start.`,
        `Set ${s.name}'s limit to at least ${fmt(target)}.`, [setSize(s.name, 'limit', Math.max(DOCKER_MIN_LIMIT_MIB, target))]));
    }
  });
  return out;
};

export const noLimit: Rule = ({ normal }) =>
  normal.services
    .filter((s) => s.limitMiB === null)
    .map((s) => {
      const target = roundUpSize(s.usageMiB.high * KRR_MARGIN);
      return finding('no-limit', 'warning', s.name,
        `${s.name} has no memory limit: it can take the whole host (${fmt(normal.host.ramMiB)}) and the kernel may kill another service instead.`,
        `Set ${s.name}'s limit to ${fmt(target)} (high usage ${fmt(s.usageMiB.high)} + 15%).`, [setSize(s.name, 'limit', target)]);
    });

function largest(components: ReadonlyArray<{ name: string; high: number }>): string {
  return [...components].sort((a, b) => b.high - a.high)[0]?.name ?? 'its usage';
}

/** The next host size a provider sells: a power of two GiB. */
function nextHostSize(mib: number): number {
  let gib = 1;
  while (gib * 1024 < mib) gib *= 2;
  return gib * 1024;
}

export const limitsOverRam: Rule = ({ normal }) => {
  const h = normal.host;
  if (!limitsExceedRam(h)) return [];
  const committed = h.limitsMiB + h.reserveMiB;
  const over = committed - h.ramMiB;
  const severity = hostExceedsRam(h) ? 'critical' : 'warning';
  return [finding('limits-exceed-ram', severity, null,
    `The limits (${fmt(h.limitsMiB)}) plus the reserve outside containers (${fmt(h.reserveMiB)}) come to ${fmt(committed)}, ${fmt(over)} more than the host's ${fmt(h.ramMiB)}: the limits promise memory the host does not have.`,
    `Lower the limits by ${fmt(over)} in total, or move to a ${fmt(nextHostSize(committed))} host.`,
    [{ key: 'host.ram', value: `${nextHostSize(committed) / 1024}GiB` }])];
};

export const hostOom: Rule = ({ normal, spike }) => {
  const out: Finding[] = [];
  for (const [sc, label] of [[normal, 'normal traffic'], [spike, `the ×${spike.multiplier} spike`]] as const) {
    const h = sc.host;
    const limit = h.ramMiB + h.swapMiB;
    if (!hostExceedsRam(h)) continue;
    out.push(finding(sc === normal ? 'host-oom' : 'spike-host-oom', sc === normal || h.usageMiB.typical > limit ? 'critical' : 'warning', null,
      `Under ${label} the host can need ${fmt(h.usageMiB.high)} (services within their limits plus the reserve) against ${fmt(limit)} of RAM${h.swapMiB ? ' and swap' : ''}: a ${pct(h.risk.pOverLimit)} chance of a host-wide OOM kill.`,
      `Move to a ${fmt(nextHostSize(h.usageMiB.high))} host or lower the largest limits.`,
      [{ key: 'host.ram', value: `${nextHostSize(h.usageMiB.high) / 1024}GiB` }]));
    break;
  }
  return out;
};

export const freeBelowCriterion: Rule = ({ normal, spike }) => {
  const out: Finding[] = [];
  for (const sc of [normal, spike]) {
    const h = sc.host;
    const free = h.freeMiB.low;
    if (!freeUnderCriterion(free, h.ramMiB)) continue;
    const isSpike = sc === spike;
    const need = h.usageMiB.high + h.freeCriterionMiB;
    out.push(finding(isSpike ? 'spike-free-below-criterion' : 'free-below-criterion', isSpike ? 'warning' : free < 0 ? 'critical' : 'warning', null,
      `${isSpike ? `In the ×${spike.multiplier} spike free` : 'Free'} host memory can fall to ${fmt(free)} (${pct(free / h.ramMiB)} of ${fmt(h.ramMiB)}), under the success criterion of ${fmt(h.freeCriterionMiB)} (500 MB / 12%).`,
      `Lower the limits by ${fmt(h.freeCriterionMiB - free)} or move to a ${fmt(nextHostSize(need))} host.`,
      [{ key: 'host.ram', value: `${nextHostSize(need) / 1024}GiB` }]));
    break;
  }
  return out;
};
