/** The settings of one service, in its kind's config names; blank means the engine's default (shown greyed). */
import { durationFormat, pathFormat, SERVICE_KINDS, type ServiceKind } from '../../engine/index.ts';
import { useEvaluatedPick } from '../derive/hooks.ts';
import { kindFields, enumOptions, SERVICE_FIELDS, valueToText, type FieldSpec } from '../state/fields.ts';
import { engine } from '../derive/schema.ts';
import { useActions, usePlanner } from '../state/instance.ts';
import { pathGet, type Path } from '../state/planEdit.ts';
import { sizeText } from '../format.ts';
import { FieldInput } from './FieldInput.tsx';

/** The effective value as a hint: what the engine uses when the field is blank. */
function effectiveText(spec: FieldSpec, value: unknown): string {
  if (typeof value === 'number') {
    if (spec.type === 'size') return sizeText(value);
    if (spec.type === 'duration') return durationFormat(value);
  }
  return valueToText(value);
}

function Setting({ index, name, kind, spec }: { index: number; name: string; kind: ServiceKind; spec: FieldSpec }) {
  const keys = spec.key.split('.');
  const path: Path = ['services', index, 'settings', ...keys];
  const written = usePlanner((s) => pathGet(s.input, path));
  const effective = useEvaluatedPick(({ plan }) => pathGet(plan.services[index]?.settings, keys), undefined);
  const { fieldEdit, fieldEnd } = useActions();
  const label = `${name} ${spec.label}`;
  const id = `set-${pathFormat(path)}`;
  if (spec.type === 'enum' || spec.type === 'bool') {
    const options = spec.type === 'bool' ? ['true', 'false'] : enumOptions(kind, spec.key);
    const current = written === undefined ? '' : String(written);
    return (
      <label className="setting" htmlFor={id}>
        <span>{spec.label}</span>
        <select
          id={id}
          value={current}
          onChange={(e) => {
            const text = e.target.value;
            fieldEdit(path, spec, text, label);
            fieldEnd(path);
          }}
        >
          <option value="">default ({valueToText(effective)})</option>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
    );
  }
  return (
    <span className="setting">
      <span aria-hidden="true">{spec.label}</span>
      <FieldInput path={path} spec={spec} label={label} value={valueToText(written)} placeholder={effectiveText(spec, effective)} />
    </span>
  );
}

/** The kind (settings start over when it changes) and the copy action. */
function ServiceActions({ index, name, kind }: { index: number; name: string; kind: ServiceKind }) {
  const { serviceKindSet, serviceDuplicate } = useActions();
  const id = `kind-${index}`;
  return (
    <div className="service-actions">
      <label htmlFor={id}>Kind</label>
      <select id={id} aria-label={`${name} kind`} value={kind} onChange={(e) => serviceKindSet(index, e.target.value as ServiceKind)}>
        {SERVICE_KINDS.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <button type="button" onClick={() => serviceDuplicate(index)} aria-label={`Duplicate ${name}`}>
        Duplicate
      </button>
    </div>
  );
}

/**
 * The service's containers: its CPU cap per container (blank: none) and, for a kind that does not
 * count them in its own settings (the apps' `replicas` setting is in the list below), how many.
 */
function ContainerFields({ index, name, kind }: { index: number; name: string; kind: ServiceKind }) {
  const cpus = usePlanner((s) => valueToText(s.input.services[index]?.cpus));
  const replicas = usePlanner((s) => valueToText(s.input.services[index]?.replicas));
  const ownCount = engine().kindCountsReplicas(kind);
  return (
    <>
      <span className="setting">
        <span aria-hidden="true">CPU cap (cpus, per container)</span>
        <FieldInput path={['services', index, 'cpus']} spec={SERVICE_FIELDS.cpus} label={`${name} CPU cap`} value={cpus} placeholder="none" inputMode="decimal" testId={`cpus-${name}`} />
      </span>
      {!ownCount && (
        <span className="setting">
          <span aria-hidden="true">replicas (containers)</span>
          <FieldInput path={['services', index, 'replicas']} spec={SERVICE_FIELDS.replicas} label={`${name} replicas`} value={replicas} placeholder="1" inputMode="numeric" testId={`replicas-${name}`} />
        </span>
      )}
    </>
  );
}

export default function SettingsPanel({ index, name, kind }: { index: number; name: string; kind: ServiceKind }) {
  const fields = kindFields(kind);
  return (
    <div className="settings-grid" role="group" aria-label={`Settings of ${name}`}>
      <ServiceActions index={index} name={name} kind={kind} />
      <ContainerFields index={index} name={name} kind={kind} />
      {fields.length === 0 && <p className="muted">A {kind} service has no settings that change its memory here; its usage comes from the engine’s profile of {kind}.</p>}
      {fields.map((spec) => (
        <Setting key={spec.key} index={index} name={name} kind={kind} spec={spec} />
      ))}
      {fields.length > 0 && <p className="muted settings-note">Sizes accept 512m, 1g, 1.5GiB; durations 30s, 7d. Blank uses the default shown in grey (no CPU cap, one container).</p>}
    </div>
  );
}
