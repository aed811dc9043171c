/**
 * The hosts of a multi-host plan (issue 14): a card per host with its own free memory, the
 * free-memory criterion, its OOM risk (normal and spike), what runs there and the findings that name
 * it — not only the tightest host, which the host bar above shows.
 */
import { useMemo } from 'react';
import { useEvaluated } from '../derive/hooks.ts';
import { hostCardViews } from '../derive/hosts.ts';
import { RiskBadge, SeverityBadge } from './Badges.tsx';
import './Hosts.css';

export function Hosts() {
  const { report } = useEvaluated();
  const cards = useMemo(() => hostCardViews(report), [report]);
  if (cards.length === 0) return null;
  return (
    <section className="hosts panel" aria-labelledby="hosts-title">
      <h2 id="hosts-title">{cards.length} hosts</h2>
      <p className="hosts-note">Each host is budgeted on its own (its reserve, free memory, risk and findings) under the whole stack’s traffic; the bar above is the tightest one.</p>
      <ul className="host-cards">
        {cards.map((c) => (
          <li key={c.name} className="host-card" data-testid="host-card" data-host={c.name}>
            <h3>
              {c.name} <span className="host-card-ram">{c.ramText}</span> <span className="host-card-cpus" data-testid="host-card-cpus">· {c.cpusText}</span>
              {c.priceText && <span className="host-card-price"> · {c.priceText}</span>}
            </h3>
            <p>
              free <strong data-testid="host-card-free">{c.freeText}</strong> ({c.freePctText}) at typical usage; least free <strong data-testid="host-card-free-least">{c.freeLeastText}</strong>
              <span className={c.freeOk ? 'ok-text' : 'bad-text'}>{c.freeOk ? ' ✔ above' : ' ✖ below'} the {c.freeCriterionText} target</span>
            </p>
            <p>
              limits {c.limitsText} + reserve {c.reserveText}{c.unlimitedText ? ` (without a limit: up to ${c.unlimitedText} more)` : ''} · host OOM risk <RiskBadge level={c.risk} title={c.riskTitle} testId="host-card-risk" /> · in the spike <RiskBadge level={c.spikeRisk} />
            </p>
            <p>
              CPU <strong data-testid="host-card-cpu">{c.cpuText}</strong>
              <span className={c.cpuOk ? 'ok-text' : 'bad-text'}>{c.cpuOk ? ' ✔' : ' ✖ saturated'}</span> (modelled)
            </p>
            <p data-testid="host-card-services">runs: {c.services.join(', ') || 'nothing'}{c.labels.length > 0 ? ` · labels ${c.labels.join(', ')}` : ''}</p>
            {c.findings.length === 0 ? (
              <p className="ok-text" data-testid="host-card-findings">no findings on this host</p>
            ) : (
              <ul data-testid="host-card-findings" aria-label={`Findings on ${c.name}`}>
                {c.findings.map((f, i) => (
                  <li key={`${f.id}:${f.service ?? ''}:${i}`}>
                    <SeverityBadge severity={f.severity} /> {f.service ?? 'host'}: {f.message}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
