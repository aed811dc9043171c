/**
 * The hosts of a multi-host plan (`hosts:`, issue 14) as the page shows them: each host's budget as
 * the engine computes it (evaluate.ts, one host part each) — free memory, the criterion, risk in
 * normal traffic and in the spike, what runs there — and the findings that name it. Pure.
 */
import type { Report, RiskLevel, Severity } from '../../engine/report.ts';
import { hostFits } from '../../engine/host-fit.ts';
import { sizeFormat } from '../../engine/units.ts';
import { percentText, probabilityText, vcpusText } from '../format.ts';
import { cpuView, unlimitedTextOf, type CpuView } from './views.ts';

export type HostCardView = CpuView & {
  name: string;
  ramText: string;
  /** The host's vCPUs: its own `cpus`, else the default for its RAM (engine/cpu.ts). */
  cpusText: string;
  priceText: string | null;
  labels: string[];
  services: string[];
  freeText: string;
  freePctText: string;
  freeLeastText: string;
  freeCriterionText: string;
  freeOk: boolean;
  limitsText: string;
  /** The services without a limit on this host, at their high usage (as the single host's line); null when every one has a limit. */
  unlimitedText: string | null;
  reserveText: string;
  /** host-fit.ts's rule: what place() and the upgrade path's tiers check a host with. */
  fits: boolean;
  risk: RiskLevel;
  riskTitle: string;
  spikeRisk: RiskLevel;
  findings: Array<{ id: string; severity: Severity; service: string | null; message: string }>;
};

/** One card per host of a multi-host plan, in the order of `hosts:`; empty for a single-host plan. */
export function hostCardViews(report: Report): HostCardView[] {
  return (report.hosts ?? []).map((h) => ({
    name: h.name,
    ramText: sizeFormat(h.ramMiB),
    cpusText: vcpusText(h.cpus),
    ...cpuView(h),
    priceText: h.pricePerMonth === null ? null : `$${h.pricePerMonth}/month`,
    labels: h.labels,
    services: h.services,
    freeText: sizeFormat(h.freeMiB.typical),
    freePctText: percentText(h.freeMiB.typical, h.ramMiB),
    freeLeastText: sizeFormat(h.freeMiB.low),
    freeCriterionText: sizeFormat(h.freeCriterionMiB),
    freeOk: h.freeMiB.low > h.freeCriterionMiB,
    limitsText: sizeFormat(h.setLimitsMiB),
    unlimitedText: unlimitedTextOf(h),
    reserveText: sizeFormat(h.reserveMiB),
    fits: hostFits(h),
    risk: h.risk.level,
    riskTitle: `${probabilityText(h.risk.pOverLimit)} chance that ${h.name} runs out of memory`,
    spikeRisk: h.spikeRisk.level,
    findings: report.findings.filter((f) => f.host === h.name).map((f) => ({ id: f.id, severity: f.severity, service: f.service, message: f.message })),
  }));
}
