/** The strip under the host bar: host settings, feature toggles with their effect, the workload. */
import { memo, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { HOST_FIELDS, WORKLOAD_FIELDS, valueToText, type FieldSpec } from '../state/fields.ts';
import { useActions, usePlanner } from '../state/instance.ts';
import { deriveOf } from '../derive/engine.ts';
import { effectText, featureList, featureOn, hasMemoryEffect, toggleViews, type ToggleEffect } from '../derive/toggles.ts';
import { useEvaluatedPick, useSettledInput } from '../derive/hooks.ts';
import { FieldInput } from './FieldInput.tsx';
import { defaultCpusText } from '../format.ts';
import { engine } from '../derive/schema.ts';
import type { FeatureName, Path } from '../state/planEdit.ts';

const RAM_CHOICES = ['2GiB', '4GiB', '8GiB', '16GiB'];

function RamPicker() {
  const ram = usePlanner((s) => valueToText(s.input.host.ram));
  const { fieldEdit, fieldEnd } = useActions();
  const known = RAM_CHOICES.find((c) => c.toLowerCase() === ram.toLowerCase().replace(/\s+/g, ''));
  const [other, setOther] = useState(false);
  const custom = other || !known;
  const path: Path = ['host', 'ram'];
  return (
    <span className="control">
      <label htmlFor="host-ram">RAM</label>
      <select
        id="host-ram"
        value={custom ? 'other' : known}
        onChange={(e) => {
          setOther(e.target.value === 'other');
          if (e.target.value === 'other') return;
          fieldEdit(path, HOST_FIELDS.ram, e.target.value, 'host RAM');
          fieldEnd(path);
        }}
      >
        {RAM_CHOICES.map((c) => (
          <option key={c} value={c}>
            {c.replace('GiB', ' GiB')}
          </option>
        ))}
        <option value="other">other size…</option>
      </select>
      {custom && <FieldInput path={path} spec={HOST_FIELDS.ram} label="host RAM (any size)" value={ram} className="narrow" />}
    </span>
  );
}

function HostField({ k, label, hint }: { k: keyof typeof HOST_FIELDS; label: string; hint: string }) {
  const value = usePlanner((s) => valueToText(s.input.host[k]));
  const spec: FieldSpec = HOST_FIELDS[k];
  return (
    <span className="control">
      <span className="control-label" aria-hidden="true">
        {label}
      </span>
      <FieldInput path={['host', k]} spec={spec} label={`host ${label}`} value={value} placeholder={hint} className="narrow" />
    </span>
  );
}

/** The host's vCPUs beside its RAM; blank shows what the engine takes instead (its default for the RAM). */
function CpusField() {
  const value = usePlanner((s) => valueToText(s.input.host.cpus));
  // The default follows the RAM the plan holds (the last valid one while a field is refused).
  const hint = useEvaluatedPick(({ plan }) => defaultCpusText(engine().defaultCpus(plan.host.ram), engine().GIB_PER_VCPU), '');
  return (
    <span className="control">
      <span className="control-label" aria-hidden="true">
        vCPUs
      </span>
      <FieldInput path={['host', 'cpus']} spec={HOST_FIELDS.cpus} label="host vCPUs" value={value} placeholder={hint} inputMode="decimal" className="wide" testId="host-cpus" />
    </span>
  );
}

/** One host's fields; a multi-host plan (`hosts:`) has no single host to edit here: its hosts are its file's. */
function HostSettings() {
  const hosts = usePlanner((s) => (s.input.host ? 0 : (s.input as { hosts?: unknown[] }).hosts?.length ?? 0));
  if (hosts > 0) {
    return (
      <Group title="Hosts" id="host-settings-title">
        <span className="control" data-testid="hosts-settings">{hosts} hosts, each with its RAM, reserve, swap and labels in the plan file (see the host cards above).</span>
      </Group>
    );
  }
  return (
    <Group title="Host" id="host-settings-title">
      <RamPicker />
      <CpusField />
      <HostField k="reserve" label="reserve" hint="auto" />
      <HostField k="swap" label="swap" hint="0" />
      <HostField k="pricePerMonth" label="$ / month" hint="—" />
    </Group>
  );
}

function Group({ title, children, id, className }: { title: string; children: ReactNode; id: string; className?: string }) {
  return (
    <fieldset className={`panel group-box${className ? ` ${className}` : ''}`} aria-labelledby={id}>
      <legend id={id}>{title}</legend>
      <div className="controls-row">{children}</div>
    </fieldset>
  );
}

/** The hint under a toggle: the net change in free memory, and every service it moves (engine-evaluated with and without it). */
function EffectText({ effect, on }: { effect: ToggleEffect | null; on: boolean }) {
  if (!effect) return <>Its effect could not be evaluated for this plan.</>;
  if (!hasMemoryEffect(effect)) return <>No memory effect in this plan{effect.traffic.length ? ` (${effect.traffic.join('; ')})` : ''}.</>;
  const { free, moves } = effectText(effect);
  return (
    <>
      {on ? 'On' : 'If on'}: <span className="effect-free">{free}</span>
      {moves && <>; {moves}</>}.
    </>
  );
}

const Toggle = memo(function Toggle({ id, label, effect }: { id: FeatureName; label: string; effect: ToggleEffect | null | undefined }) {
  const on = useEvaluatedPick(({ report }) => featureOn(report, id), false);
  const { featureSet } = useActions();
  const effectId = `effect-${id}`;
  return (
    <span className="toggle">
      <label>
        <input type="checkbox" role="switch" checked={on} aria-describedby={effectId} onChange={(e) => featureSet(id, e.target.checked)} /> {label}
      </label>
      <span id={effectId} className="effect" data-testid={effectId} data-free-typical-mib={effect?.freeTypicalMiB} data-free-high-mib={effect?.freeHighMiB}>
        {effect === undefined ? 'Working out its effect…' : <EffectText effect={effect} on={on} />}
      </span>
    </span>
  );
});

function Toggles() {
  // The list of features changes only with the engine; its labels are stable strings.
  const ids = useEvaluatedPick(({ report }) => Object.keys(report.features).join(','), '');
  const features = useMemo(() => featureList(ids.split(',').filter(Boolean)), [ids]);
  // The effects need one more evaluation per toggle: computed once typing pauses.
  const lagging = useSettledInput();
  const views = useMemo(() => {
    const d = deriveOf(lagging);
    return d.status === 'ok' ? toggleViews(lagging, d.report) : [];
  }, [lagging]);
  return (
    <Group title="Features" id="features-title" className="features-box">
      {features.map(({ id, label }) => (
        <Toggle key={id} id={id} label={label} effect={views.find((v) => v.id === id)?.effect} />
      ))}
    </Group>
  );
}

function Slider({ k, label, min, max, step }: { k: keyof typeof WORKLOAD_FIELDS; label: string; min: number; max: number; step: number }) {
  const value = useEvaluatedPick(({ plan }) => plan.workload[k], 0);
  const written = usePlanner((s) => s.input.workload?.[k]);
  const { fieldEdit, fieldEnd } = useActions();
  const path: Path = ['workload', k];
  const sliderId = `slider-${k}`;
  return (
    <span className="control slider">
      <label htmlFor={sliderId}>{label}</label>
      <input
        id={sliderId}
        type="range"
        min={min}
        max={max}
        step={step}
        value={Math.min(max, value)}
        onChange={(e) => fieldEdit(path, WORKLOAD_FIELDS[k], e.target.value, label)}
        onPointerUp={() => fieldEnd(path)}
        onKeyUp={() => fieldEnd(path)}
        onBlur={() => fieldEnd(path)}
      />
      <FieldInput path={path} spec={WORKLOAD_FIELDS[k]} label={`${label} (number)`} value={valueToText(written)} placeholder={String(value)} inputMode="decimal" className="narrow" />
    </span>
  );
}

export function Controls() {
  return (
    <div className="controls">
      <HostSettings />
      <Group title="Workload" id="workload-title">
        <Slider k="activeUsers" label="Active users" min={0} max={20000} step={100} />
        <Slider k="spike" label="Spike ×" min={1} max={20} step={0.5} />
      </Group>
      <Toggles />
    </div>
  );
}
