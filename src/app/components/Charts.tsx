/**
 * The charts (recharts, loaded on demand): the host as one stacked bar with typical usage marked,
 * each service's limit against its usage range, and high usage in normal traffic against the spike.
 * They follow the plan once typing pauses (useSettledInput): typing stays instant.
 */
import { memo, useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { sizeFormat } from '../../engine/index.ts';
import { hostStack, serviceBars, type HostStack, type ServiceBar } from '../derive/charts.ts';
import { deriveOf } from '../derive/engine.ts';
import { usePalette } from './palette.ts';
import { useSettledInput } from '../derive/hooks.ts';

const tick = (v: number) => sizeFormat(v);
const ROW_PX = 26;

type ChartData = { host: HostStack; bars: ServiceBar[]; spike: number; total: number };

/** Follows the plan once typing pauses; the memoised view below re-renders only with new data. */
export default function Charts() {
  const input = useSettledInput();
  const d = deriveOf(input);
  const colour = usePalette();
  const data = useMemo(() => (d.status === 'ok' ? { host: hostStack(d.report), bars: serviceBars(d.report), spike: d.report.spike.multiplier, total: d.report.services.length } : null), [d]);
  return data ? <ChartsView data={data} colour={colour} /> : null;
}

const ChartsView = memo(function ChartsView({ data, colour }: { data: ChartData; colour: (name: string) => string }) {
  const { host, bars, spike, total } = data;
  const cut = bars.length < total ? ` — the ${bars.length} largest of ${total} services` : '';
  const axis = { stroke: colour('muted'), fontSize: 12 };
  const tooltip = { contentStyle: { background: colour('panel'), border: `1px solid ${colour('border')}`, color: colour('text') }, formatter: (v: unknown) => (Array.isArray(v) ? v.map((x) => sizeFormat(Number(x))).join(' – ') : sizeFormat(Number(v))) };
  const height = Math.max(160, bars.length * ROW_PX + 70);
  const common = { bars, height, axis, tooltip, grid: colour('border') };
  return (
    <div className="charts">
      <figure className="panel chart" aria-labelledby="chart-host-title">
        <figcaption id="chart-host-title">Host: reserve, each limit and what is left; the line marks typical usage ({sizeFormat(host.typicalMiB)})</figcaption>
        <ResponsiveContainer width="100%" height={110}>
          <BarChart data={[host.row]} layout="vertical" margin={{ top: 16, right: 24, bottom: 4, left: 8 }} accessibilityLayer>
            <XAxis type="number" domain={[0, host.scaleMiB]} tickFormatter={tick} {...axis} />
            <YAxis type="category" dataKey="name" hide />
            <Tooltip {...tooltip} />
            {host.keys.map((k) => (
              <Bar key={k.key} dataKey={k.key} name={k.label} stackId="host" fill={colour(k.colour)} isAnimationActive={false} />
            ))}
            <ReferenceLine x={host.typicalMiB} stroke={colour('text')} strokeWidth={2} strokeDasharray="4 2" label={{ value: 'typical', position: 'top', fill: colour('text'), fontSize: 12 }} />
            {host.scaleMiB > host.ramMiB && <ReferenceLine x={host.ramMiB} stroke={colour('critical')} strokeWidth={2} label={{ value: 'RAM', position: 'top', fill: colour('critical'), fontSize: 12 }} />}
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <ServiceBarsFigure id="chart-range" caption={`Each service: its limit against its usage range (low to high)${cut}`} {...common} series={[
        { dataKey: 'limit', name: 'limit', fill: colour('limit') },
        { dataKey: 'usage', name: 'usage low–high', fill: colour('usage') },
      ]} />
      <ServiceBarsFigure id="chart-spike" caption={`High usage: normal traffic against a ×${spike} spike${cut}`} {...common} series={[
        { dataKey: 'normalHigh', name: 'normal', fill: colour('usage') },
        { dataKey: 'spikeHigh', name: `spike ×${spike}`, fill: colour('spike') },
      ]} />
    </div>
  );
});

type Series = { dataKey: keyof ServiceBar; name: string; fill: string };
type BarsProps = {
  id: string;
  caption: string;
  bars: ServiceBar[];
  height: number;
  axis: { stroke: string; fontSize: number };
  tooltip: object;
  grid: string;
  series: Series[];
};

/** One figure of per-service bars, a row per service: the two charts below the host bar. */
function ServiceBarsFigure({ id, caption, bars, height, axis, tooltip, grid, series }: BarsProps) {
  return (
    <figure className="panel chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{caption}</figcaption>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={bars} layout="vertical" margin={{ top: 4, right: 24, bottom: 4, left: 8 }} barGap={1} accessibilityLayer>
          <CartesianGrid horizontal={false} stroke={grid} />
          <XAxis type="number" tickFormatter={tick} {...axis} />
          <YAxis type="category" dataKey="name" width={110} {...axis} />
          <Tooltip {...tooltip} />
          <Legend />
          {series.map((b) => (
            <Bar key={b.dataKey} dataKey={b.dataKey} name={b.name} fill={b.fill} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
