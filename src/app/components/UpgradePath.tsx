/**
 * The upgrade path (issue 6): this plan's capacity, the stack re-tuned for 4, 8 and 16 GiB side by
 * side (users, spike users, an editable price, cost per 1,000 users, the move-up point, what breaks
 * first and next), a chart of memory against users with each host's line and break point, and the
 * seed's before/after table against a preset. Loaded with the tab; the engine's searches run only
 * while it is shown, once per plan (derive/upgrade.ts), after typing pauses (useSettledInput).
 */
import { memo, useId, useMemo } from 'react';
import { create } from 'zustand';
import { CartesianGrid, Legend, Line, LineChart, ReferenceDot, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { changesText, limitsOfAllFormat, PRESET_NAMES, sizeFormat, type Plan, type PresetName } from '../../engine/index.ts';
import type { Capacity, Constraint } from '../../engine/capacity.ts';
import { deriveOf } from '../derive/engine.ts';
import { usePalette } from './palette.ts';
import { useSettledInput } from '../derive/hooks.ts';
import {
  capacityOf, comparisonOf, wholeStack, DEFAULT_CPUS_TEXT, DEFAULT_PRICE_TEXT, DEFAULT_SHARE_TEXT, priceParse, pricedOf, sharePercentParse, tierCpusSource, tierCpusTextParse, tierViews, upgradeModelOf, usersText,
  type TierView, type UpgradeChart, type UpgradeModel,
} from '../derive/upgrade.ts';
import { countText } from '../format.ts';
import { PRESET_LABELS } from '../presetLabels.ts';
import { MultiHostOptions } from './MultiHostOptions.tsx';
import './UpgradePath.css';
import { FREE_CRITERION_WORDS } from '../../engine/policy.ts';

/**
 * What the user typed on this tab; kept while other tabs are shown (this session only, as the
 * prices). `shareValue` and `cpusValue` are the last figures accepted, kept while the text is refused;
 * a tier's vCPUs undefined: its default.
 */
type UpgradeUi = { prices: string[]; share: string; shareValue: number; cpus: string[]; cpusValue: Array<number | undefined>; preset: PresetName };
const useUpgradeUi = create<UpgradeUi>(() => ({
  prices: [...DEFAULT_PRICE_TEXT],
  share: DEFAULT_SHARE_TEXT,
  shareValue: Number(DEFAULT_SHARE_TEXT) / 100,
  cpus: [...DEFAULT_CPUS_TEXT],
  cpusValue: DEFAULT_CPUS_TEXT.map(() => undefined),
  preset: 'full',
}));


/** Tier line styles: colour and dash both differ, so no line is told apart by colour alone. */
const TIER_STYLE = [
  { colour: 'svc-0', dash: undefined, shape: '●' },
  { colour: 'svc-1', dash: '8 4', shape: '◆' },
  { colour: 'svc-2', dash: '12 3 3 3', shape: '▲' },
] as const;
const tierStyle = (i: number) => TIER_STYLE[i % TIER_STYLE.length]!;

export default function UpgradePath() {
  const input = useSettledInput();
  const d = deriveOf(input);
  if (d.status !== 'ok') return null; // the page shows why above; nothing to plan here
  return <UpgradeView plan={d.plan} />;
}

function UpgradeView({ plan }: { plan: Plan }) {
  const share = useUpgradeUi((s) => s.shareValue);
  const cpus = useUpgradeUi((s) => s.cpusValue);
  const model = useMemo(() => upgradeModelOf(plan, share, cpus), [plan, share, cpus]);
  return (
    <div className="upgrade">
      <section className="panel" aria-labelledby="upgrade-title">
        <h2 id="upgrade-title">Upgrade path</h2>
        <CapacitySummary plan={plan} model={model} />
        <Tiers model={model} />
        <PricedMultiHost model={model} />
      </section>
      <div className="upgrade-lower">
        <MemoryChart chart={model.chart} />
        <BeforeAfter plan={plan} />
      </div>
    </div>
  );
}

function CapacitySummary({ plan, model }: { plan: Plan; model: UpgradeModel }) {
  const cap = useMemo(() => capacityOf(wholeStack(plan), 0), [plan]);
  const users = plan.workload.activeUsers;
  const rec = model.path.recommended;
  const recTier = rec === null ? null : model.tiers[rec];
  return (
    <div className="upgrade-summary">
      {plan.hosts ? (
        <p data-testid="capacity-summary">
          <strong>As planned</strong> on {plan.hosts.length} hosts ({plan.hosts.map((h) => `${h.name} ${sizeFormat(h.ram)}`).join(', ')}): each host’s free memory, risk and findings are in the host cards above. The tiers below re-plan the whole stack, for one host or for two hosts placed anew.
        </p>
      ) : (
        <p data-testid="capacity-summary">
          <strong>As planned</strong> ({sizeFormat(plan.host.ram)}, the limits as set), {capacityWords(cap)} In a ×{plan.workload.spike} spike: {spikeWords(cap.spike)}.
        </p>
      )}
      <p>
        Each tier below is this stack <strong>re-tuned by Headroom for that host</strong> (limits and settings re-derived, not scaled), for the most users it carries.{' '}
        {recTier ? (
          <>
            For this plan’s {countText(users)} active users: <strong data-testid="recommended-tier">{sizeFormat(recTier.ramMiB)}</strong>
            {recTier.moveUpAt !== null ? `, until ${countText(recTier.moveUpAt)} users.` : '.'}
          </>
        ) : (
          <strong>No tier carries this plan’s {countText(users)} active users.</strong>
        )}
      </p>
      {model.path.beyond && <Beyond model={model} />}
    </div>
  );
}

/** The plan's own capacity in a sentence: what it carries, and the check that breaks first. */
function capacityWords(cap: Capacity) {
  if (cap.status === 'fails-at-zero') {
    const f = cap.fixedFirst;
    // In an operator's words, as the fix buttons say them ("Set Redis maxmemory to 104 MiB"), not
    // the plan file's keys ("redis.settings.maxmemory = 104MiB", issue 16).
    const changes = f ? changesText(f.changes) : '';
    return (
      <>
        this stack <strong>fails even with no users</strong>. First to break: {cap.binding?.message}{' '}
        {f ? (
          <span data-testid="fixed-first">
            Fix first (these do not depend on load): {changes}. Then it {f.status === 'breaks' ? <>carries <strong>{countText(f.users ?? 0)}</strong> active users; first to break: {f.binding?.message}</> : f.status === 'holds' ? <>has no user count: {f.reason}</> : 'still fails with no users'}
          </span>
        ) : (
          'No set of the findings’ own changes clears it: see the findings.'
        )}
      </>
    );
  }
  if (cap.status === 'holds') return <>no user count: {cap.reason}</>;
  return (
    <>
      this stack carries <strong>{countText(cap.users ?? 0)}</strong> active users. First to break: {cap.binding?.message}
    </>
  );
}

function spikeWords(s: Capacity['spike']): string {
  if (s.status === 'fails-at-zero') return 'it fails even with no users';
  if (s.status === 'holds') return 'no check breaks';
  return `${countText(s.users ?? 0)} active users`;
}

function Beyond({ model }: { model: UpgradeModel }) {
  const b = model.path.beyond!;
  return (
    <div className="beyond" role="note" data-testid="beyond">
      <p>
        <strong>Beyond {sizeFormat(b.ramMiB)}:</strong> {b.atWorkload[0]?.message ?? b.binding?.message ?? 'the largest tier does not carry the workload.'}
        {b.heaviest.length > 0 && <> The largest limits: {b.heaviest.map((h) => `${h.service} ${limitsOfAllFormat(h.perContainerMiB, h.replicas)}`).join(', ')}{b.heaviest.some((h) => h.replicas > 1) ? ' (containers × each one’s limit = all of them)' : ''}.</>}
      </p>
      {b.split && (
        <p>
          Split the database onto its own host: {b.split.hosts.map((h) => `${h.name} host (${sizeFormat(h.ramMiB)}: ${h.services.join(', ')})`).join(' and ')}, carrying{' '}
          {usersText(b.split.users, b.split.status)} users{b.split.pricePerMonth !== null ? ` for $${b.split.pricePerMonth} a month` : ''}. {b.split.note}
        </p>
      )}
    </div>
  );
}

function MoveUpField() {
  const text = useUpgradeUi((s) => s.share);
  const parsed = sharePercentParse(text);
  const errorId = useId();
  const onChange = (t: string) => {
    const p = sharePercentParse(t);
    useUpgradeUi.setState(p.ok ? { share: t, shareValue: p.value } : { share: t });
  };
  return (
    <span className={`field move-up${parsed.ok ? '' : ' field-invalid'}`}>
      <label>
        Move up at <input type="text" inputMode="decimal" value={text} onChange={(e) => onChange(e.target.value)} aria-invalid={!parsed.ok || undefined} aria-describedby={parsed.ok ? undefined : errorId} size={4} /> % of a tier’s capacity
      </label>
      {!parsed.ok && (
        <span id={errorId} className="field-error">
          Move-up point: {parsed.message}
        </span>
      )}
    </span>
  );
}

/** The tier cards' price fields as prices, one per tier (undefined: unset or not a price, the default stands). */
function useTypedPrices(model: UpgradeModel): Array<number | null | undefined> {
  const priceTexts = useUpgradeUi((s) => s.prices);
  return useMemo(
    () =>
      model.tiers.map((_, i) => {
        const t = priceTexts[i];
        if (t === undefined) return undefined;
        const p = priceParse(t);
        return p.ok ? p.value : undefined;
      }),
    [model, priceTexts],
  );
}

/** The multi-host rows at the prices the tier cards carry (one price source: tiers.ts pricedPath). */
function PricedMultiHost({ model }: { model: UpgradeModel }) {
  const prices = useTypedPrices(model);
  const path = useMemo(() => pricedOf(model, prices), [model, prices]);
  return <MultiHostOptions path={path} />;
}

function Tiers({ model }: { model: UpgradeModel }) {
  const prices = useTypedPrices(model);
  const views = useMemo(() => tierViews(model, prices), [model, prices]);
  return (
    <>
      <div className="tiers-head">
        <h3>Tiers side by side</h3>
        <MoveUpField />
      </div>
      <div className="tiers" data-testid="tiers">
        {views.map((v, i) => (
          <TierCard key={v.ramMiB} view={v} index={i} workload={model.path.workload} />
        ))}
      </div>
    </>
  );
}

function PriceField({ index, ram }: { index: number; ram: string }) {
  const text = useUpgradeUi((s) => s.prices[index] ?? '');
  const parsed = priceParse(text);
  const errorId = useId();
  const onChange = (t: string) => useUpgradeUi.setState((s) => ({ prices: s.prices.map((p, i) => (i === index ? t : p)) }));
  return (
    <span className={`field price${parsed.ok ? '' : ' field-invalid'}`}>
      <span className="price-input">
        $
        <input
          type="text"
          inputMode="decimal"
          aria-label={`Price per month of the ${ram} host`}
          value={text}
          placeholder="unknown"
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={!parsed.ok || undefined}
          aria-describedby={parsed.ok ? undefined : errorId}
          data-testid={`tier-price-${index}`}
        />
        <span className="muted">/ month</span>
      </span>
      {!parsed.ok && (
        <span id={errorId} className="field-error">
          {ram} price: {parsed.message}
        </span>
      )}
    </span>
  );
}

/** A tier's vCPUs: its default (engine/cpu.ts's published plans, said beside it) until edited; a refused figure keeps the last one accepted. */
function CpusField({ index, ram, ramMiB }: { index: number; ram: string; ramMiB: number }) {
  const text = useUpgradeUi((s) => s.cpus[index] ?? '');
  const accepted = useUpgradeUi((s) => s.cpusValue[index]);
  const parsed = tierCpusTextParse(text);
  const errorId = useId();
  const sourceId = useId();
  const byDefault = DEFAULT_CPUS_TEXT[index] ?? '';
  const onChange = (t: string) => {
    const p = tierCpusTextParse(t);
    useUpgradeUi.setState((s) => ({
      cpus: s.cpus.map((c, i) => (i === index ? t : c)),
      ...(p.ok ? { cpusValue: s.cpusValue.map((v, i) => (i === index ? p.value : v)) } : {}),
    }));
  };
  return (
    <span className={`field tier-cpus-field${parsed.ok ? '' : ' field-invalid'}`}>
      <span className="price-input">
        <input
          type="text"
          inputMode="decimal"
          aria-label={`vCPUs of the ${ram} host`}
          value={text}
          placeholder={byDefault}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={!parsed.ok || undefined}
          aria-describedby={parsed.ok ? sourceId : `${errorId} ${sourceId}`}
          size={5}
          data-testid={`tier-vcpus-input-${index}`}
        />
        {text.trim() !== byDefault && (
          <button type="button" className="tier-cpus-default" onClick={() => onChange(byDefault)} aria-label={`vCPUs of the ${ram} host back to the default, ${byDefault}`}>
            default
          </button>
        )}
      </span>
      {!parsed.ok && (
        <span id={errorId} className="field-error">
          {ram} vCPUs: {parsed.message}; the tier keeps {accepted ?? byDefault} vCPUs
        </span>
      )}
      <span id={sourceId} className="muted tier-cpus-source">
        {tierCpusSource(ramMiB)}
      </span>
    </span>
  );
}

function ConstraintText({ c }: { c: Constraint }) {
  return <>{c.message}</>;
}

function TierCard({ view: v, index, workload }: { view: TierView; index: number; workload: { users: number; spike: number } }) {
  const ram = sizeFormat(v.ramMiB);
  const titleId = useId();
  const style = tierStyle(index);
  return (
    <article className={`tier${v.recommended ? ' tier-recommended' : ''}`} aria-labelledby={titleId} data-testid={`tier-${v.ramMiB}`}>
      <header className="tier-title">
        <h4 id={titleId}>
          <span aria-hidden="true" className="tier-shape" style={{ color: `var(--${style.colour})` }}>
            {style.shape}
          </span>{' '}
          {ram} host <span className="tier-cpus" data-testid={`tier-cpus-${v.ramMiB}`}>· {v.cpusText}</span>
        </h4>
        {v.recommended ? (
          <span className="badge status-pass">
            <span aria-hidden="true">✔</span> for {countText(workload.users)} users
          </span>
        ) : !v.carries ? (
          <span className="badge status-fail">
            <span aria-hidden="true">✖</span> too small for {countText(workload.users)}
          </span>
        ) : null}
      </header>
      <dl className="tier-facts">
        <dt>Users carried</dt>
        <dd className="num big" data-testid={`tier-users-${v.ramMiB}`}>
          {v.usersText}
        </dd>
        <dt>CPU in use (modelled)</dt>
        <dd className="num">
          <span data-testid={`tier-cpu-${v.ramMiB}`}>{v.cpuText}</span>
          {v.workersText.map((w) => (
            <span key={w} className="muted tier-retuned" data-testid="tier-retuned">
              <br />
              {w}
            </span>
          ))}
        </dd>
        <dt>Spike users (×{workload.spike})</dt>
        <dd className="num">{v.spikeUsersText}</dd>
        <dt>vCPUs</dt>
        <dd>
          <CpusField index={index} ram={ram} ramMiB={v.ramMiB} />
        </dd>
        <dt>Price</dt>
        <dd>
          <PriceField index={index} ram={ram} />
        </dd>
        <dt>Cost per 1,000 users</dt>
        <dd className="num" data-testid={`tier-cost-${v.ramMiB}`}>
          {v.costText}
        </dd>
        <dt>Move up at</dt>
        <dd className="num">{v.moveUpText === '—' ? '—' : `${v.moveUpText} users`}</dd>
      </dl>
      <div className="tier-breaks">
        <p className="breaks-first">
          <span className="fix-label">Breaks first:</span> {v.binding ? <ConstraintText c={v.binding} /> : 'nothing up to the search’s ceiling.'}
        </p>
        {v.after.length > 0 && (
          <>
            <p className="then">Then:</p>
            <ol className="then-list">
              {v.after.map((c) => (
                <li key={`${c.id}/${c.service}/${c.host ?? ''}`}>
                  <ConstraintText c={c} />
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
      <details className="tier-limits">
        <summary>Limits on this tier</summary>
        <ul>
          {v.limits.map((l) => (
            <li key={l.service}>
              {l.service} <span className="num">{sizeFormat(l.limitMiB)}</span>
            </li>
          ))}
        </ul>
      </details>
    </article>
  );
}

const MemoryChart = memo(function MemoryChart({ chart }: { chart: UpgradeChart }) {
  const colour = usePalette();
  const axis = { stroke: colour('muted'), fontSize: 12 };
  const fmt = (v: unknown) => sizeFormat(Number(v));
  const yLabel = (v: number) => (v === 0 ? '0' : sizeFormat(v));
  return (
    <figure className="panel chart upgrade-chart" aria-labelledby="upgrade-chart-title" aria-describedby="upgrade-chart-desc" data-testid="upgrade-chart">
      <figcaption id="upgrade-chart-title">Memory against active users, each host’s re-tuned stack</figcaption>
      <p id="upgrade-chart-desc" className="muted chart-desc">
        High usage with the reserve, up to the point where each host breaks (the dot); a dotted line marks each host’s usable memory (RAM less the free-memory target: {FREE_CRITERION_WORDS}, whichever is larger).{' '}
        {chart.series
          .map((s) => `${sizeFormat(s.ramMiB)}: ${s.breakAt ? `breaks at ${countText(s.breakAt.users)} users, ${sizeFormat(s.breakAt.usageMiB)}` : s.failsIdle ? 'fails even with no users (no line)' : 'no break point in range'}`)
          .join('; ')}
        .
      </p>
      <ResponsiveContainer width="100%" height={340}>
        <LineChart data={chart.points} margin={{ top: 18, right: 24, bottom: 18, left: 8 }} accessibilityLayer={false}>
          <CartesianGrid stroke={colour('border')} />
          <XAxis
            dataKey="users"
            type="number"
            domain={[0, chart.xMax]}
            tickFormatter={(v: number) => countText(v)}
            label={{ value: 'active users', position: 'insideBottom', offset: -10, fill: colour('muted'), fontSize: 12 }}
            {...axis}
          />
          <YAxis type="number" domain={[0, chart.yMax]} ticks={chart.yTicks} tickFormatter={yLabel} interval={0} width={56} {...axis} />
          <Tooltip
            contentStyle={{ background: colour('panel'), border: `1px solid ${colour('border')}`, color: colour('text') }}
            labelFormatter={(u) => `${countText(Number(u))} active users`}
            formatter={fmt}
          />
          <Legend verticalAlign="top" height={26} itemSorter="dataKey" />
          {chart.series.map((s, i) => (
            <ReferenceLine key={`ceiling-${s.key}`} y={s.ceilingMiB} stroke={colour(tierStyle(i).colour)} strokeDasharray="1 4" strokeWidth={1.5} strokeOpacity={0.8} ifOverflow="extendDomain" />
          ))}
          <ReferenceLine x={chart.workload} stroke={colour('muted')} strokeDasharray="4 3" label={{ value: `this plan: ${countText(chart.workload)}`, position: 'insideTopLeft', fill: colour('muted'), fontSize: 12 }} />
          {chart.series.map((s, i) => (
            <Line key={s.key} type="monotone" dataKey={s.key} name={`${sizeFormat(s.ramMiB)} host`} stroke={colour(tierStyle(i).colour)} strokeWidth={2.5} strokeDasharray={tierStyle(i).dash} dot={false} isAnimationActive={false} />
          ))}
          {chart.series.map((s, i) =>
            s.breakAt ? (
              <ReferenceDot
                key={`break-${s.key}`}
                x={s.breakAt.users}
                y={s.breakAt.usageMiB}
                r={6}
                fill={colour(tierStyle(i).colour)}
                stroke={colour('panel')}
                strokeWidth={2}
                // Near the y axis the label goes right of the dot, elsewhere above it.
                label={{ value: `${sizeFormat(s.ramMiB)} breaks: ${countText(s.breakAt.users)}`, position: s.breakAt.users < chart.xMax * 0.15 ? 'right' : 'top', offset: 10, fill: colour('text'), fontSize: 12 }}
              />
            ) : null,
          )}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});

function BeforeAfter({ plan }: { plan: Plan }) {
  const preset = useUpgradeUi((s) => s.preset);
  const comparison = useMemo(() => comparisonOf(plan, preset), [plan, preset]);
  const selectId = useId();
  const after = plan.name ? `this plan (${plan.name})` : 'this plan';
  return (
    <section className="panel before-after" aria-labelledby="before-after-title">
      <div className="before-after-head">
        <h3 id="before-after-title">Before and after</h3>
        <span className="group">
          <label htmlFor={selectId}>Before</label>
          <select id={selectId} value={preset} onChange={(e) => useUpgradeUi.setState({ preset: e.target.value as PresetName })}>
            {PRESET_NAMES.map((p) => (
              <option key={p} value={p}>
                {PRESET_LABELS[p].short}
              </option>
            ))}
          </select>
          <span className="muted">after: {after}</span>
        </span>
      </div>
      <table className="criteria-table compare-table stack" data-testid="compare-table">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col" className="num">
              {PRESET_LABELS[preset].short}
            </th>
            <th scope="col" className="num">
              This plan
            </th>
            <th scope="col" className="num">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {comparison.rows.map((r) => (
            <tr key={r.id} data-testid={`compare-${r.id}`}>
              <th scope="row">{r.label}</th>
              <td className="num" data-label="Before">
                {r.text.a}
              </td>
              <td className="num" data-label="This plan">
                {r.text.b}
              </td>
              <td className="num" data-label="Change">
                {r.text.change}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
