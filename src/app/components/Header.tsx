/** The top bar: the plan's name, presets, file import/export, the share link, undo and redo, and the verdict. */
import { useRef, useState, type ChangeEvent } from 'react';
import { NAME_FIELD } from '../state/fields.ts';
import { plannerStore, useActions, usePlanner } from '../state/instance.ts';
import { shareUrl } from '../state/share.ts';
import { planFileName, planFileUpload, planFileWrite } from '../planFile.ts';
import { FieldInput } from './FieldInput.tsx';
import { PRESET_CHOICES, PRESET_LABELS, presetInput, presetOf, type PresetChoice } from '../presetLabels.ts';

const CUSTOM = 'custom';
import { ImportLauncher } from './ImportLauncher.tsx';
import { Verdict } from './Verdict.tsx';

/**
 * The preset menu shows what the plan is: a built-in plan while it is one, unedited, else
 * "Custom: its name". A choice made in the menu holds until Load, or until the plan changes by
 * another way (an import, a share link, undo), which the menu then follows.
 */
function PresetPicker() {
  const { planReplace } = useActions();
  const current = usePlanner((s) => presetOf(s.input));
  const name = usePlanner((s) => s.input.name ?? '');
  const step = usePlanner((s) => `${s.past.length}/${s.future.length}`);
  const basis = `${current ?? 'custom'}|${step}`;
  const [pick, setPick] = useState<{ value: PresetChoice; basis: string } | null>(null);
  const shown = pick && pick.basis === basis ? pick.value : (current ?? CUSTOM);
  const load = () => {
    if (shown === CUSTOM || shown === current) return;
    planReplace(presetInput(shown), { tone: 'info', text: `Loaded “${PRESET_LABELS[shown].short}”. Undo brings back the previous plan.` });
  };
  return (
    <span className="group preset-picker">
      <label htmlFor="preset">Preset</label>
      <select id="preset" value={shown} onChange={(e) => setPick({ value: e.target.value as PresetChoice, basis })} title={shown === CUSTOM ? undefined : PRESET_LABELS[shown].long}>
        {current === null && <option value={CUSTOM}>Custom: {name || 'unnamed plan'}</option>}
        {PRESET_CHOICES.map((p) => (
          <option key={p} value={p}>
            {PRESET_LABELS[p].short}
          </option>
        ))}
      </select>
      <button type="button" onClick={load} disabled={shown === CUSTOM || shown === current}>
        Load preset
      </button>
    </span>
  );
}

function FileButtons() {
  const { planReplace, noticePush } = useActions();
  const fileRef = useRef<HTMLInputElement>(null);
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const read = await planFileUpload(file);
    if (read.ok) planReplace(read.input, { tone: 'info', text: `Loaded ${file.name}. Undo brings back the previous plan.` });
    else noticePush('error', `${file.name} was not loaded: ${read.reason}`);
  };
  const download = async () => {
    const { input } = plannerStore.getState();
    const url = URL.createObjectURL(new Blob([await planFileWrite(input)], { type: 'application/yaml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = planFileName(input);
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <span className="group">
      <button type="button" onClick={() => fileRef.current?.click()}>
        Upload plan…
      </button>
      <input ref={fileRef} type="file" accept=".yaml,.yml,.json,application/json,application/yaml" className="visually-hidden" tabIndex={-1} aria-label="Plan file to upload" onChange={onFile} />
      <button type="button" onClick={download}>
        Download plan
      </button>
    </span>
  );
}

function ShareButton() {
  const [link, setLink] = useState<{ url: string; copied: boolean } | null>(null);
  const open = async () => {
    const url = await shareUrl(window.location.href, plannerStore.getState().input);
    setLink({ url, copied: false });
    try {
      await navigator.clipboard.writeText(url);
      setLink({ url, copied: true });
    } catch {
      /* no clipboard permission: the box below lets the user copy it */
    }
  };
  return (
    <span className="group share">
      <button type="button" onClick={open} aria-expanded={link !== null} aria-controls="share-panel">
        Share link
      </button>
      {link && (
        <span id="share-panel" className="share-panel" role="group" aria-label="Share link">
          <input type="text" readOnly value={link.url} aria-label="Link to this plan" onFocus={(e) => e.currentTarget.select()} data-testid="share-url" />
          <span className="share-status" role="status">
            {link.copied ? 'Copied to the clipboard.' : 'Copy the link from the box.'} It holds the whole plan; nothing is uploaded.
          </span>
          <button type="button" onClick={() => setLink(null)}>
            Close
          </button>
        </span>
      )}
    </span>
  );
}

function UndoRedo() {
  const canUndo = usePlanner((s) => s.past.length > 0 || Object.values(s.drafts).some((d) => d.message !== null));
  const canRedo = usePlanner((s) => s.future.length > 0);
  const { undo, redo } = useActions();
  return (
    <span className="group">
      <button type="button" onClick={undo} disabled={!canUndo} aria-keyshortcuts="Control+Z" title="Undo (Ctrl+Z)">
        ↶ Undo
      </button>
      <button type="button" onClick={redo} disabled={!canRedo} aria-keyshortcuts="Control+Shift+Z" title="Redo (Ctrl+Shift+Z)">
        ↷ Redo
      </button>
    </span>
  );
}

export function Header() {
  const name = usePlanner((s) => s.input.name ?? '');
  return (
    <header className="topbar">
      <h1>Headroom</h1>
      <FieldInput path={['name']} spec={{ ...NAME_FIELD, optional: true }} label="Plan name" value={name} placeholder="unnamed plan" className="plan-name" />
      <nav className="actions" aria-label="Plan actions">
        <PresetPicker />
        <FileButtons />
        <ImportLauncher />
        <ShareButton />
        <UndoRedo />
      </nav>
      <Verdict />
    </header>
  );
}
