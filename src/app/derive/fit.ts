/**
 * The page's "Fit everything" (issue 11): the engine's fit (engine/fit.ts, the one the CLI's `fit`
 * runs) of the plan as it stands, shaped for the page. Each fitted value becomes one change in the
 * operator's words (engine/changeText.ts) with the value it replaces, and the plan input the
 * button applies is the user's own plan with exactly those changes written in (their other words
 * kept), the values written as the plan file writes them (formats/plan-file.ts planToInput). When
 * the plan's host cannot hold the stack, the same fit on the smallest host that does is offered,
 * its first change the move to that host. Loaded with the panel that shows it, not in the first load.
 */
import { applyChange } from '../../engine/change.ts';
import { changeText, changeValueText, fitValueText } from '../../engine/changeText.ts';
import { fit, type Fit, type FitChange } from '../../engine/fit.ts';
import type { Change } from '../../engine/report.ts';
import type { Plan, PlanFileInput, PlanInput } from '../../engine/schema.ts';
import { sizeFormat, sizeParse, sizeToPlan, withArticle } from '../../engine/units.ts';
import { planToInput } from '../../formats/plan-file.ts';
import { deriveOf } from './engine.ts';

export type FitLine = { text: string; now: string | null; assumed: boolean };

/** One fit, ready to show and to apply. */
export type FitOption = {
  hostMiB: number;
  hostText: string;
  lines: FitLine[];
  /** The plan input with every line written in: what Apply commits (null when nothing changes). */
  next: PlanInput | null;
};

export type FitView =
  | { status: 'unavailable'; reason: string }
  | {
      status: 'ok';
      fits: boolean;
      /** The fit on the plan's own host (applied only when it fits). */
      here: FitOption;
      /** The verdict's summary of the fitted plan on the plan's own host. */
      summary: string;
      /** When it does not fit: the fit on the smallest host that holds it; null when none up to 1 TiB does. */
      bigger: FitOption | null;
      /** Services whose usage is a guess: the fit leaves their limits as they are. */
      assumed: string[];
      /** The active users every limit is sized for (the plan's users in its spike). */
      spikeUsers: number;
    };

type Obj = Record<string, unknown>;

const limitText = (limit: unknown) => {
  const r = typeof limit === 'string' || typeof limit === 'number' ? sizeParse(limit) : null;
  return r?.ok ? sizeFormat(r.value) : String(limit);
};

/** The plan-file value of a fitted key, read from the fitted plan written as the plan file writes it. */
function fittedValue(fitted: PlanFileInput, c: FitChange): unknown {
  const svc = fitted.services.find((s) => s.name === c.service) as Obj | undefined;
  if (!svc) return undefined;
  let v: unknown = svc;
  for (const k of c.key.split('.')) v = v !== null && typeof v === 'object' ? (v as Obj)[k] : undefined;
  return v === undefined && c.key === 'limit' ? 'none' : v;
}

/** `input` with the fit's changes written in, and each change's line. */
function optionOf(input: PlanInput, f: Fit, hostMiB: number, original: Plan): FitOption {
  const fitted = planToInput(f.plan);
  const mine = planToInput(original);
  let next = structuredClone(input);
  const lines: FitLine[] = [];
  if (hostMiB !== original.host.ram) {
    const change: Change = { key: 'host.ram', value: sizeToPlan(hostMiB) };
    next = applyChange(next, change);
    lines.push({ text: changeText(change), now: changeValueText({ ...change, value: sizeToPlan(original.host.ram) }), assumed: false });
  }
  for (const c of f.changes) {
    if (c.key === 'services') {
      const added = fitted.services.find((s) => s.name === c.service);
      if (!added) continue;
      next = { ...next, services: [...next.services, structuredClone(added)] };
      lines.push({ text: `Add ${c.service}${added.limit ? ` with ${withArticle(limitText(added.limit))} memory limit` : ''}`, now: null, assumed: c.assumed });
      continue;
    }
    const value = fittedValue(fitted, c);
    if (value === undefined) continue;
    const change = { service: c.service, key: c.key, value } as Change;
    next = applyChange(next, change);
    const nowValue = fittedValue(mine, c);
    lines.push({ text: changeText(change), now: nowValue === undefined ? null : fitValueText(c, nowValue), assumed: c.assumed });
  }
  return { hostMiB, hostText: sizeFormat(hostMiB), lines, next: lines.length ? next : null };
}

const views = new WeakMap<PlanInput, FitView>();

/** The fit of a plan input, once per input object (inputs are immutable). */
export function fitOf(input: PlanInput): FitView {
  const cached = views.get(input);
  if (cached) return cached;
  const d = deriveOf(input);
  let view: FitView;
  if (d.status !== 'ok') view = { status: 'unavailable', reason: 'the plan does not evaluate: fix it first' };
  else {
    try {
      const f = fit(d.plan);
      const here = optionOf(input, f, d.plan.host.ram, d.plan);
      let bigger: FitOption | null = null;
      if (!f.fits && f.hostMiB !== null) {
        const onBigger = fit({ ...d.plan, host: { ...d.plan.host, ram: f.hostMiB } });
        bigger = optionOf(input, onBigger, f.hostMiB, d.plan);
      }
      view = { status: 'ok', fits: f.fits, here, summary: f.summary, bigger, assumed: f.assumed, spikeUsers: f.spikeUsers };
    } catch (e) {
      view = { status: 'unavailable', reason: `the engine stopped: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  views.set(input, view);
  return view;
}
