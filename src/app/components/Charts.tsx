/**
 * The charts (recharts, loaded on demand): the host as one stacked bar with typical usage marked,
 * each service's limit against its usage range, and high usage in normal traffic against the spike.
 * They follow the plan once typing pauses (useSettledInput): typing stays instant. They are
 * pictures of numbers the host bar and the services table give as text, so they are not tab stops
 * (no recharts keyboard layer); each figure is named by its caption.
 */
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { sizeFormat } from '../../engine/units.ts';
import { hostStack, serviceBars, type HostStack, type ServiceBar } from '../derive/charts.ts';
import { deriveOf } from '../derive/engine.ts';
import { sizeAxis, type SizeAxis } from '../format.ts';
import { usePalette } from './palette.ts';
import { useNearViewport, useSettledInput } from '../derive/hooks.ts';

const ROW_PX = 26;

type ChartData = { host: HostStack; bars: ServiceBar[]; spike: number; total: number };

/**
 * Follows the plan once typing pauses, and only while on screen or near it (below the fold, the
 * charts keep what they drew and catch up when scrolled to); the memoised view below re-renders
 * only with new data.
 */
export default function Charts() {
  const latest = useSettledInput();
  const box = useRef<HTMLDivElement>(null);
  const near = useNearViewport(box);
  const [drawn, setDrawn] = useState(latest);
  useEffect(() => {
    if (near) setDrawn(latest);
  }, [near, latest]);
  const d = deriveOf(near ? latest : drawn);
  const colour = usePalette();
  const data = useMemo(() => (d.status === 'ok' ? { host: hostStack(d.report), bars: serviceBars(d.report), spike: d.report.spike.multiplier, total: d.report.services.length } : null), [d]);
  return <div ref={box}>{data && <ChartsView data={data} colour={colour} />}</div>;
}

const ChartsView = memo(function ChartsView({ data, colour }: { data: ChartData; colour: (name: string) => string }) {
  const { host, bars, spike, total } = data;
  const cut = bars.length < total ? ` — the ${bars.length} largest of ${total} services` : '';
  const axis = { stroke: colour('muted'), fontSize: 12 };
  const tooltip = { contentStyle: { background: colour('panel'), border: `1px solid ${colour('border')}`, color: colour('text') }, formatter: (v: unknown) => (Array.isArray(v) ? v.map((x) => sizeFormat(Number(x))).join(' – ') : sizeFormat(Number(v))) };
  const height = Math.max(160, bars.length * ROW_PX + 70);
  const common = { bars, height, axis, tooltip, grid: colour('border') };
  const hostAxis = sizeAxis(host.scaleMiB);
  // One scale for both per-service charts, so the same length means the same size in each.
  const barsAxis = sizeAxis(Math.max(1, ...bars.map((b) => Math.max(b.limit ?? 0, b.usage[1], b.spikeHigh))));
  // Recharts stacks bars in the order they first mounted: a new set of segments (a toggle adds a
  // service) gets a fresh chart, so they are drawn in the row's order, the free space last.
  const hostKey = host.keys.map((k) => k.key).join(' ');
  return (
    <div className="charts">
      <figure className="panel chart" aria-labelledby="chart-host-title">
        <figcaption id="chart-host-title">Host: reserve, each limit and what is left; the line marks typical usage ({sizeFormat(host.typicalMiB)})</figcaption>
        <ResponsiveContainer width="100%" height={110}>
          <BarChart key={hostKey} data={[host.row]} layout="vertical" margin={{ top: 16, right: 24, bottom: 4, left: 8 }} accessibilityLayer={false}>
            <XAxis type="number" domain={[0, hostAxis.maxMiB]} ticks={hostAxis.ticks} tickFormatter={hostAxis.label} interval={0} {...axis} />
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
      <ServiceBarsFigure id="chart-range" caption={`Each service: its limit against its usage range (low to high)${cut}`} {...common} scale={barsAxis} series={[
        { dataKey: 'limit', name: 'limit', fill: colour('limit') },
        { dataKey: 'usage', name: 'usage low–high', fill: colour('usage') },
      ]} />
      <ServiceBarsFigure id="chart-spike" caption={`High usage: normal traffic against a ×${spike} spike${cut}`} {...common} scale={barsAxis} series={[
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
  scale: SizeAxis;
  series: Series[];
};

/** One figure of per-service bars, a row per service: the two charts below the host bar. */
function ServiceBarsFigure({ id, caption, bars, height, axis, tooltip, grid, scale, series }: BarsProps) {
  return (
    <figure className="panel chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{caption}</figcaption>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={bars} layout="vertical" margin={{ top: 4, right: 24, bottom: 4, left: 8 }} barGap={1} accessibilityLayer={false}>
          <CartesianGrid horizontal={false} stroke={grid} />
          <XAxis type="number" domain={[0, scale.maxMiB]} ticks={scale.ticks} tickFormatter={scale.label} interval={0} {...axis} />
          <YAxis type="category" dataKey="name" width={110} interval={0} {...axis} />
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
